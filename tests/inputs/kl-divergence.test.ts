/** Input checks of KL divergence (ml/kl-divergence.ts): every bad call names its argument. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { tensorBackend } from '../../core/backend.js';
import {
  assertDistribution,
  batchKl,
  estimateKl,
  gaussianEstimatorMoments,
  gaussianEstimatorTable,
  gaussianLogRatio,
  k1,
  k2,
  k3,
  k3Tf,
  klDivergence,
  klEstimates,
  klFromLogits,
  klFromLogitsRows,
  klFromLogitsTf,
  klFromLogitsTfMatrix,
  pitfallK3FlippedRatio,
  pitfallKlDivMeanReduction,
  pitfallKlDivWithProbabilities,
  pitfallKlSwapped,
  sampleCategorical,
  torchKlDiv,
  type KlDivReduction,
  type KlEstimator,
} from '../../ml/kl-divergence.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const P = [0.5, 0.5];
const Q = [0.25, 0.75];
const rows = matrix(2, 2, [0.5, 0.5, 0.25, 0.75]);
const { tf } = await tensorBackend();

describe('distributions', () => {
  for (const kl of [klDivergence, pitfallKlSwapped]) {
    badCalls([
      ['p that sums to 0.9', () => kl([0.4, 0.5], Q), 'p'],
      ['q that sums to 1.1', () => kl(P, [0.5, 0.6]), 'q'],
      ['a negative probability', () => kl([0.5, 0.6, -0.1], [0.2, 0.3, 0.5]), 'p[2]'],
      ['a probability that is NaN', () => kl(P, [Number.NaN, 1]), 'q[0]'],
      ['mismatched lengths', () => kl(P, [0.2, 0.3, 0.5]), 'q'],
      ['an empty distribution', () => kl([], []), 'p'],
      ['p that is not an array', () => kl(junk(0.5), Q), 'p', ArgumentTypeError],
      ['a string entry', () => kl(junk(['0.5', 0.5]), Q), 'p[0]', ArgumentTypeError],
    ]);
  }
  badCalls([
    [
      'the unnormalised Q = [0.333, 0.333, 0.333]',
      () => assertDistribution('q', [0.333, 0.333, 0.333]),
      'q',
    ],
  ]);
});

describe('logits and rows', () => {
  badCalls([
    ['NaN logit', () => klFromLogits([Number.NaN, 0], [0, 0]), 'pLogits[0]'],
    ['+Infinity logit', () => klFromLogits([0, 0], [Number.POSITIVE_INFINITY, 0]), 'qLogits[0]'],
    ['every logit masked', () => klFromLogits([-Infinity, -Infinity], [0, 0]), 'pLogits'],
    ['mismatched lengths', () => klFromLogits([0, 1], [0, 1, 2]), 'qLogits'],
    ['mismatched row shapes', () => klFromLogitsRows(matrix(2, 3), matrix(2, 2)), 'qLogits'],
    ['zero columns', () => klFromLogitsRows(matrix(2, 0), matrix(2, 0)), 'pLogits'],
    [
      'a nested array for a Matrix',
      () => klFromLogitsRows(junk([[0, 1]]), matrix(1, 2)),
      'pLogits',
      ArgumentTypeError,
    ],
    [
      'the tfjs edge checks shapes',
      () => klFromLogitsTfMatrix(matrix(1, 3), matrix(1, 2)),
      'qLogits',
    ],
    [
      'a plain object for tf',
      () => klFromLogitsTf(junk({}), tf.zeros([1, 2]), tf.zeros([1, 2])),
      'tf',
      ArgumentTypeError,
    ],
    [
      'rank-1 logits for the tensor twin',
      () => klFromLogitsTf(tf, tf.zeros([2]), tf.zeros([2])),
      'pLogits',
    ],
    [
      'tensor shapes that differ',
      () => klFromLogitsTf(tf, tf.zeros([1, 2]), tf.zeros([1, 3])),
      'qLogits',
    ],
    ['k3Tf with shapes that differ', () => k3Tf(tf, tf.zeros([2]), tf.zeros([3])), 'logQ'],
    ['k3Tf given a number', () => k3Tf(tf, junk(0), tf.zeros([3])), 'logP', ArgumentTypeError],
  ]);
});

describe('batches and kl_div', () => {
  badCalls([
    [
      'a row that does not sum to 1',
      () => batchKl(matrix(1, 2, [0.5, 0.6]), matrix(1, 2, [0.5, 0.5])),
      'p[0]',
    ],
    ['a negative entry in q', () => batchKl(rows, matrix(2, 2, [0.5, 0.5, -0.5, 1.5])), 'q[1][0]'],
    ['shapes that differ', () => batchKl(rows, matrix(1, 2, [0.5, 0.5])), 'q'],
    ['an empty batch', () => batchKl(matrix(0, 2), matrix(0, 2)), 'p'],
    [
      'an unknown reduction',
      () => torchKlDiv(rows, rows, junk<KlDivReduction>('none')),
      'reduction',
    ],
    [
      'a NaN log-probability',
      () => torchKlDiv(matrix(2, 2, [Number.NaN, 0, 0, 0]), rows, 'sum'),
      'input[0]',
    ],
    ['input of another shape', () => torchKlDiv(matrix(1, 2), rows, 'sum'), 'input'],
    [
      'the pitfalls check their rows too',
      () => pitfallKlDivWithProbabilities(rows, matrix(2, 2)),
      'q[0]',
    ],
    [
      'the mean-reduction pitfall checks shapes',
      () => pitfallKlDivMeanReduction(rows, matrix(1, 2, P)),
      'q',
    ],
  ]);
});

describe('estimators and sampling', () => {
  for (const k of [k1, k2, k3, pitfallK3FlippedRatio]) {
    badCalls([
      ['log p = NaN', () => k(Number.NaN, -1), 'logP'],
      ['log p = +Infinity', () => k(Number.POSITIVE_INFINITY, -1), 'logP'],
      ['log q = -Infinity (x was not drawn from q)', () => k(-1, Number.NEGATIVE_INFINITY), 'logQ'],
      ['log q that is a string', () => k(-1, junk('-1')), 'logQ', ArgumentTypeError],
    ]);
  }
  badCalls([
    ['zero samples', () => estimateKl(Q, P, 0, rng(1)), 'n'],
    ['a negative sample count', () => klEstimates(Q, P, -5, rng(1)), 'n'],
    ['a fractional sample count', () => sampleCategorical(Q, 2.5, rng(1)), 'n'],
    ['2^31 samples (would not return)', () => sampleCategorical(Q, 2 ** 31, rng(1)), 'n'],
    [
      'an unknown estimator',
      () => estimateKl(Q, P, 10, rng(1), junk<KlEstimator>('k4')),
      'estimator',
    ],
    [
      'a plain object for the rng',
      () => estimateKl(Q, P, 10, junk({ uniform: () => 0.5 })),
      'rng',
      ArgumentTypeError,
    ],
    ['mismatched lengths', () => estimateKl(Q, [0.2, 0.3, 0.5], 10, rng(1)), 'p'],
    [
      'a sampler given probabilities that sum to 2',
      () => sampleCategorical([1, 1], 3, rng(1)),
      'q',
    ],
  ]);
});

describe("Schulman's Gaussian setup", () => {
  badCalls([
    ['mu = 0 (no KL to be relative to)', () => gaussianEstimatorMoments(0), 'mu'],
    ['mu = 100 (exp overflows)', () => gaussianEstimatorMoments(100), 'mu'],
    ['mu = NaN', () => gaussianLogRatio(0, Number.NaN), 'mu'],
    ['x = Infinity', () => gaussianLogRatio(Number.POSITIVE_INFINITY, 0.1), 'x'],
    ['one sample (no standard deviation)', () => gaussianEstimatorTable(0.1, 1, rng(1)), 'n'],
    ['zero samples', () => gaussianEstimatorTable(0.1, 0, rng(1)), 'n'],
    ['no rng', () => gaussianEstimatorTable(0.1, 10, junk(undefined)), 'rng', ArgumentTypeError],
  ]);
});

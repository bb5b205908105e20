/** Input checks of the softmax gate (ml/gates.ts): every bad call names its argument. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { fromRows, matrix, type Matrix } from '../../core/matrix.js';
import { tensorBackend, toTensor2d, type Tensor } from '../../core/backend.js';
import {
  gateLogits,
  gateWeights,
  gateWeightsTf,
  meanGate,
  mixExperts,
  mixExpertsTf,
  pitfallSumNormalizedGate,
  softmaxGate,
  softmaxGateTf,
} from '../../ml/gates.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const x = matrix(2, 3);
const gate = matrix(4, 3);
const experts = Array.from({ length: 4 }, () => matrix(2, 5));
const { tf } = await tensorBackend();
const t = (m: Matrix) => toTensor2d(tf, m);

describe('from scratch', () => {
  badCalls([
    ['inputs of the wrong width', () => softmaxGate(matrix(2, 4), gate, experts), 'x'],
    ['a gate with no expert', () => softmaxGate(x, matrix(0, 3), []), 'gate'],
    ['no expert outputs', () => mixExperts(matrix(2, 0), []), 'experts'],
    ['one expert output too few', () => softmaxGate(x, gate, experts.slice(1)), 'experts'],
    [
      'an expert output with the wrong rows',
      () => softmaxGate(x, gate, [matrix(3, 5), ...experts.slice(1)]),
      'experts[0]',
    ],
    [
      'an expert output with the wrong width',
      () => softmaxGate(x, gate, [...experts.slice(1), matrix(2, 6)]),
      'experts[3]',
    ],
    [
      'experts that are a string',
      () => softmaxGate(x, gate, junk('experts')),
      'experts',
      ArgumentTypeError,
    ],
    [
      'an expert that is not a Matrix',
      () => mixExperts(matrix(2, 2), [matrix(2, 5), junk({ rows: 2, cols: 5 })]),
      'experts[1]',
      ArgumentTypeError,
    ],
    ['x that is null', () => gateLogits(junk(null), gate), 'x', ArgumentTypeError],
    ['a gate with a NaN', () => gateWeights(x, matrix(1, 3, [0, Number.NaN, 0])), /^gate/],
    [
      'a counter that is not a Counter',
      () => softmaxGate(x, gate, experts, junk({ madds: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    ['an empty batch has no mean gate', () => meanGate(matrix(0, 3)), 'weights'],
    [
      'the pitfall on scores that sum to 0',
      () =>
        pitfallSumNormalizedGate(fromRows([[1]]), fromRows([[1], [-1]]), [
          matrix(1, 1),
          matrix(1, 1),
        ]),
      'gate',
    ],
  ]);
});

describe('tfjs', () => {
  const tx = t(x);
  const tg = t(gate);
  const te = experts.map(t);
  badCalls([
    ['inputs of the wrong width', () => softmaxGateTf(tf, t(matrix(2, 4)), tg, te), 'x'],
    ['one expert output too few', () => softmaxGateTf(tf, tx, tg, te.slice(1)), 'experts'],
    [
      'experts that are a string',
      () => softmaxGateTf(tf, tx, tg, junk('experts')),
      'experts',
      ArgumentTypeError,
    ],
    ['a plain object for tf', () => gateWeightsTf(junk({}), tx, tg), 'tf', ArgumentTypeError],
    ['a Matrix where a tensor goes', () => gateWeightsTf(tf, junk(x), tg), 'x', ArgumentTypeError],
    ['a rank-1 gate', () => gateWeightsTf(tf, tx, tf.zeros([3]) as Tensor), 'gate'],
    [
      'an expert that is not a tensor',
      () => mixExpertsTf(tf, t(matrix(2, 2)), [te[0]!, junk(3)]),
      'experts[1]',
      ArgumentTypeError,
    ],
  ]);
});

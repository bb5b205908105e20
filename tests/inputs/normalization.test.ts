/**
 * Input checks for ml/normalization.ts: each bad call is rejected with the project's error class,
 * naming the argument. (Moved from the answer key, which keeps only what the norms compute.)
 */
import { describe, expect, it } from 'vitest';
import {
  batchNorm,
  batchNormTf,
  layerNorm,
  layerNormCounted,
  layerNormTf,
  layerNormTfMatrix,
  pitfallLayerNormEpsOutsideRoot,
  postNorm,
  preNorm,
  rmsNorm,
  rmsNormCounted,
  rmsNormTf,
  rowMoments,
} from '../../ml/normalization.js';
import { tensorBackend } from '../../core/backend.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { fromRows, matrix, type Matrix } from '../../core/matrix.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const withTf = async <T>(f: (tf: Awaited<ReturnType<typeof tensorBackend>>['tf']) => T) => {
  const { tf } = await tensorBackend();
  return tf.tidy(() => f(tf) as never);
};

describe('x: a finite matrix with at least one column', () => {
  badCalls([
    ['no columns', () => layerNorm(matrix(2, 0)), 'x'],
    ['a NaN entry', () => rmsNorm(matrix(1, 1, [Number.NaN])), 'x[0]'],
    ['nested arrays, not a Matrix', () => rmsNorm(junk<Matrix>([[1, 2]])), 'x', ArgumentTypeError],
    ['null', () => layerNorm(junk<Matrix>(null)), 'x', ArgumentTypeError],
    ['an empty batch has no statistics', () => batchNorm(matrix(0, 3)), 'x'],
    ['row moments of no columns would be NaN', () => rowMoments(matrix(2, 0)), 'x'],
  ]);
});

describe('gamma, beta, gain: undefined or d finite numbers', () => {
  badCalls([
    ['gamma of the wrong length', () => layerNorm(matrix(2, 3), [1, 1]), 'gamma'],
    ['gain of the wrong length', () => rmsNorm(matrix(2, 3), [1]), 'gain'],
    [
      'weight of the wrong length (counted RMSNorm)',
      () => rmsNormCounted(matrix(2, 3), { weight: [1] }),
      'weight',
    ],
    [
      'beta a number',
      () => layerNorm(matrix(2, 3), undefined, junk<number[]>(3)),
      'beta',
      ArgumentTypeError,
    ],
    ['gamma null', () => layerNorm(matrix(2, 3), junk<number[]>(null)), 'gamma', ArgumentTypeError],
    [
      'gamma { length: 3 } has no numbers',
      () => layerNorm(matrix(2, 3), junk<number[]>({ length: 3 })),
      /^gamma/,
    ],
    [
      'a running variance of the wrong length',
      () => batchNorm(matrix(2, 3), { running: { mean: [0, 0, 0], variance: [1] } }),
      'running.variance',
    ],
    [
      'a negative running variance',
      () => batchNorm(matrix(2, 2), { running: { mean: [0, 0], variance: [1, -0.5] } }),
      'running.variance[1]',
    ],
    [
      'running without a mean',
      () => batchNorm(matrix(2, 2), { running: junk({ variance: [1, 1] }) }),
      'running.mean',
      ArgumentTypeError,
    ],
  ]);
});

describe('eps: a finite number >= 0; eps = 0 on a constant row is an error, not NaN', () => {
  badCalls([
    ['eps = -1', () => layerNorm(matrix(1, 2), undefined, undefined, -1), 'eps'],
    ['eps = NaN', () => rmsNorm(matrix(1, 2), undefined, Number.NaN), 'eps'],
    [
      'eps a string',
      () => rmsNorm(matrix(1, 2), undefined, junk<number>('1e-5')),
      'eps',
      ArgumentTypeError,
    ],
    [
      'a constant row with eps = 0 (LayerNorm)',
      () => layerNorm(fromRows([[2, 2]]), undefined, undefined, 0),
      'x',
    ],
    ['a zero row with eps = 0 (RMSNorm)', () => rmsNorm(matrix(1, 2), undefined, 0), 'x'],
    [
      'a constant row with eps = 0 (eps-outside pitfall)',
      () => pitfallLayerNormEpsOutsideRoot(fromRows([[2, 2]]), undefined, undefined, 0),
      'x',
    ],
  ]);

  it('with the default eps a constant row normalizes to 0, and zero running variance is fine', () => {
    expect(layerNorm(fromRows([[2, 2]])).data[0]).toBe(0);
    expect(
      batchNorm(fromRows([[1, 2]]), { running: { mean: [1, 2], variance: [0, 0] } }).data[0],
    ).toBe(0);
  });
});

describe('options, counters and placement functions', () => {
  badCalls([
    [
      'counted options not an object',
      () => layerNormCounted(matrix(1, 2), junk(null)),
      'options',
      ArgumentTypeError,
    ],
    [
      'a plain object where a Counter goes',
      () => rmsNormCounted(matrix(1, 2), {}, junk({ add: () => 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'batchNorm options a string',
      () => batchNorm(matrix(1, 2), junk('eps')),
      'options',
      ArgumentTypeError,
    ],
    [
      'a sublayer that is not a function',
      () => preNorm(matrix(1, 2), junk(null), (x) => x),
      'sublayer',
      ArgumentTypeError,
    ],
    [
      'a norm that is not a function',
      () => postNorm(matrix(1, 2), (x) => x, junk(3)),
      'norm',
      ArgumentTypeError,
    ],
    [
      'a sublayer that returns no Matrix',
      () =>
        preNorm(
          matrix(1, 2),
          junk(() => 1),
          (x) => x,
        ),
      'sublayer(x)',
      ArgumentTypeError,
    ],
    [
      'a sublayer of the wrong shape',
      () =>
        postNorm(
          matrix(1, 2),
          () => matrix(1, 3),
          (x) => x,
        ),
      'b',
    ],
  ]);
});

describe('the tensor twins: tf, x [..., d], per-feature tensors of shape [d]', () => {
  badCalls([
    [
      'tf a plain object',
      () => layerNormTf(junk({ matMul: 1, tidy: 1 }), junk(null)),
      'tf',
      ArgumentTypeError,
    ],
    [
      'x not a tensor',
      () => withTf((tf) => rmsNormTf(tf, junk(matrix(1, 2)))),
      'x',
      ArgumentTypeError,
    ],
    ['a scalar x', () => withTf((tf) => layerNormTf(tf, tf.scalar(1))), 'x'],
    [
      'gamma of the wrong shape',
      () => withTf((tf) => layerNormTf(tf, tf.zeros([2, 3]), tf.ones([2]))),
      'gamma',
    ],
    [
      'gain of the wrong length',
      () => withTf((tf) => rmsNormTf(tf, tf.zeros([2, 3]), [1, 1])),
      'gain',
    ],
    ['eps negative', () => withTf((tf) => rmsNormTf(tf, tf.zeros([2, 3]), undefined, -1)), 'eps'],
    [
      'batchNorm of a rank-3 tensor',
      () => withTf((tf) => batchNormTf(tf, tf.zeros([1, 2, 3]))),
      'x',
    ],
    ['batchNorm of an empty batch', () => withTf((tf) => batchNormTf(tf, tf.zeros([0, 3]))), 'x'],
    [
      'the Matrix twin checks gamma before loading tfjs',
      () => layerNormTfMatrix(matrix(2, 3), [1]),
      'gamma',
    ],
  ]);
});

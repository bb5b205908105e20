/**
 * Input checks for ml/swiglu.ts: each bad call is rejected with the project's error class, naming
 * the argument. (Moved from the answer key, which keeps only what the FFNs compute.)
 */
import { describe } from 'vitest';
import {
  denseFfn,
  denseFfnTf,
  ffnParamCount,
  gatedFfn,
  geglu,
  geluErf,
  initGatedFfn,
  initReluFfn,
  llamaHiddenSize,
  pitfallLlamaHiddenSizeRoundedDown,
  reluFfn,
  silu,
  swiglu,
  swigluTf,
  swigluTfMatrix,
  type DenseActivation,
  type GatedFfnWeights,
} from '../../ml/swiglu.js';
import { tensorBackend } from '../../core/backend.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { fromRows, matrix, type Matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const w = initGatedFfn(4, 6, rng(1));
const relu = initReluFfn(4, 6, rng(2));
const withTf = async <T>(f: (tf: Awaited<ReturnType<typeof tensorBackend>>['tf']) => T) => {
  const { tf } = await tensorBackend();
  return tf.tidy(() => f(tf) as never);
};

describe('shapes: x [n, d], w1 and w3 [hidden, d], w2 [d, hidden]', () => {
  badCalls([
    ['x of the wrong width', () => swiglu(matrix(2, 3), w), 'weights.w1'],
    [
      'a down projection that does not map hidden back to d',
      () => swiglu(matrix(2, 4), { ...w, w2: matrix(6, 4) }),
      'weights.w2',
    ],
    ['w3 unlike w1', () => swiglu(matrix(2, 4), { ...w, w3: matrix(5, 4) }), 'weights.w3'],
    [
      'w2 with the right rows but the wrong columns',
      () => swiglu(matrix(2, 4), { ...w, w2: matrix(4, 5) }),
      'weights.w2',
    ],
    [
      'w2 with the wrong rows but the right columns',
      () => swiglu(matrix(2, 4), { ...w, w2: matrix(5, 6) }),
      'weights.w2',
    ],
    [
      'w3 of the wrong width only',
      () => swiglu(matrix(2, 4), { ...w, w3: matrix(6, 3) }),
      'weights.w3',
    ],
    [
      'weights null',
      () => swiglu(matrix(2, 4), junk<GatedFfnWeights>(null)),
      'weights',
      ArgumentTypeError,
    ],
    [
      'weights without w3',
      () => geglu(matrix(2, 4), junk<GatedFfnWeights>({ w1: w.w1, w2: w.w2 })),
      'weights.w3',
      ArgumentTypeError,
    ],
    ['x not a Matrix', () => reluFfn(junk<Matrix>([[1, 2, 3, 4]]), relu), 'x', ArgumentTypeError],
  ]);
});

describe('biases, activations, counters', () => {
  badCalls([
    ['b1 of the wrong length', () => reluFfn(matrix(1, 4), { ...relu, b1: [0] }), 'weights.b1'],
    [
      'b2 a string',
      () => reluFfn(matrix(1, 4), { ...relu, b2: junk<number[]>('b2') }),
      'weights.b2',
      ArgumentTypeError,
    ],
    [
      'b2 a string of the right length',
      () => reluFfn(matrix(1, 4), { ...relu, b2: junk<number[]>('abcd') }),
      'weights.b2',
      ArgumentTypeError,
    ],
    [
      'b1 null',
      () => reluFfn(matrix(1, 4), { ...relu, b1: junk<number[]>(null) }),
      'weights.b1',
      ArgumentTypeError,
    ],
    [
      'an unknown activation',
      () =>
        denseFfn(
          fromRows([[1, -1]]),
          {
            w1: fromRows([
              [1, 0],
              [0, 1],
            ]),
            w2: fromRows([
              [1, 0],
              [0, 1],
            ]),
          },
          junk<DenseActivation>('swish'),
        ),
      'activation',
    ],
    ['an unknown GELU approximation', () => geglu(matrix(1, 4), w, junk('erf')), 'approximate'],
    ['an activation that is not a function', () => gatedFfn(matrix(1, 4), w, junk(3)), 'act'],
    [
      'a plain object where a Counter goes',
      () => gatedFfn(matrix(1, 4), w, silu, junk({ madds: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    ['SiLU of NaN', () => silu(Number.NaN), 'z'],
    ['GELU of a string', () => geluErf(junk<number>('1')), 'z', ArgumentTypeError],
  ]);
});

describe('sizes: integers >= 1, bounded; a finite multiplier', () => {
  badCalls([
    ['a non-integer width', () => llamaHiddenSize(4096.5), 'd'],
    ['a zero multiplier', () => llamaHiddenSize(4096, { ffnDimMultiplier: 0 }), 'ffnDimMultiplier'],
    [
      'an infinite multiplier',
      () => llamaHiddenSize(4096, { ffnDimMultiplier: Infinity }),
      'ffnDimMultiplier',
    ],
    ['multipleOf 0', () => llamaHiddenSize(4096, { multipleOf: 0 }), 'multipleOf'],
    [
      'size options not an object',
      () => llamaHiddenSize(4096, junk(null)),
      'options',
      ArgumentTypeError,
    ],
    [
      'the rounded-down pitfall with a non-integer width',
      () => pitfallLlamaHiddenSizeRoundedDown(0.5),
      'd',
    ],
    ['gated parameters of d = 0', () => ffnParamCount('gated', 0, 6), 'd'],
    ['ReLU parameters of hidden = 0', () => ffnParamCount('relu', 4, 0), 'hidden'],
    ['an unknown FFN kind', () => ffnParamCount(junk('moe'), 4, 6), 'kind'],
    [
      'a bias flag that is not a boolean',
      () => ffnParamCount('relu', 4, 6, { bias: junk(1) }),
      'options.bias',
      ArgumentTypeError,
    ],
    ['gated init with d = 0', () => initGatedFfn(0, 6, rng(1)), 'd'],
    ['gated init with hidden = 0', () => initGatedFfn(4, 0, rng(1)), 'hidden'],
    ['ReLU init with d = 0', () => initReluFfn(0, 6, rng(1)), 'd'],
    ['ReLU init with hidden = 0', () => initReluFfn(4, 0, rng(1)), 'hidden'],
    ['an init of 2^40 weights', () => initGatedFfn(2 ** 20, 2 ** 20, rng(1)), 'hidden'],
    [
      'a plain object where an Rng goes',
      () => initReluFfn(4, 6, junk({ normal: () => 0 })),
      'rng',
      ArgumentTypeError,
    ],
    ['a negative std', () => initGatedFfn(4, 6, rng(1), -1), 'std'],
  ]);
});

describe('the tensor twins: tf, x [..., d], weight tensors [hidden, d] and [d, hidden]', () => {
  badCalls([
    [
      'tf a plain object',
      () => swigluTf(junk({}), junk(null), junk(null)),
      'tf',
      ArgumentTypeError,
    ],
    [
      'x a Matrix',
      () => withTf((tf) => swigluTf(tf, junk(matrix(1, 4)), junk({}))),
      'x',
      ArgumentTypeError,
    ],
    [
      'weights null',
      () => withTf((tf) => swigluTf(tf, tf.zeros([2, 4]), junk(null))),
      'weights',
      ArgumentTypeError,
    ],
    [
      'w1 of the wrong width',
      () =>
        withTf((tf) =>
          swigluTf(tf, tf.zeros([2, 4]), {
            w1: tf.zeros([6, 3]),
            w3: tf.zeros([6, 4]),
            w2: tf.zeros([4, 6]),
          }),
        ),
      'weights.w1',
    ],
    [
      'w2 of the wrong shape',
      () =>
        withTf((tf) =>
          swigluTf(tf, tf.zeros([2, 4]), {
            w1: tf.zeros([6, 4]),
            w3: tf.zeros([6, 4]),
            w2: tf.zeros([6, 4]),
          }),
        ),
      'weights.w2',
    ],
    [
      'w3 a rank-1 tensor',
      () =>
        withTf((tf) =>
          swigluTf(tf, tf.zeros([2, 4]), {
            w1: tf.zeros([6, 4]),
            w3: tf.zeros([6]),
            w2: tf.zeros([4, 6]),
          }),
        ),
      'weights.w3',
    ],
    [
      'a bias tensor of the wrong length',
      () =>
        withTf((tf) =>
          denseFfnTf(tf, tf.zeros([2, 4]), {
            w1: tf.zeros([6, 4]),
            b1: tf.zeros([4]),
            w2: tf.zeros([4, 6]),
          }),
        ),
      'weights.b1',
    ],
    [
      'the Matrix twin checks shapes before loading tfjs',
      () => swigluTfMatrix(matrix(2, 3), w),
      'weights.w1',
    ],
  ]);
});

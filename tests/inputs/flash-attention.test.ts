/** Input checks of ml/flash-attention.ts: the bad call, the argument named, the error class. */
import { describe } from 'vitest';
import {
  flashAttention,
  flashAttentionFloats,
  flashAttentionTf,
  flashAttentionTfMatrix,
  flashAttentionTiled,
  naiveAttention,
  naiveAttentionFloats,
  pitfallOnlineSoftmaxWithoutRescale,
} from '../../ml/flash-attention.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { tensorBackend, type Tensor, type Tf } from '../../core/backend.js';
import { matrix } from '../../core/matrix.js';
import { badCalls } from '../support/answer-key.js';

const { tf } = await tensorBackend();
const x = matrix(3, 2);
const t = (shape: number[]) => tf.zeros(shape);

describe('the Matrix kernels', () => {
  badCalls([
    ['a query block of 0', () => flashAttentionTiled(x, x, x, { queryBlock: 0 }), 'queryBlock'],
    ['a fractional key block', () => flashAttentionTiled(x, x, x, { keyBlock: 2.5 }), 'keyBlock'],
    [
      'd_k of q and k differ',
      () => flashAttentionTiled(matrix(2, 3), matrix(2, 4), matrix(2, 1)),
      'k',
    ],
    [
      'v without one row per key',
      () => flashAttentionTiled(matrix(2, 3), matrix(2, 3), matrix(3, 1)),
      'v',
    ],
    [
      'padding without one flag per key',
      () => flashAttentionTiled(x, x, x, { keyPadding: [true] }),
      'keyPadding',
    ],
    [
      'more queries than keys under a causal mask',
      () => flashAttentionTiled(matrix(4, 2), x, x, { causal: true }),
      'q',
    ],
    [
      'a NaN entry',
      () => flashAttentionTiled(matrix(1, 1, [Number.NaN]), matrix(1, 1), matrix(1, 1)),
      'q[0]',
    ],
    [
      'a visibility predicate (not supported by the tiles)',
      () => flashAttentionTiled(x, x, x, { visible: () => true } as never),
      'visible',
    ],
    [
      'options a number',
      () => flashAttentionTiled(x, x, x, 3 as never),
      'options',
      ArgumentTypeError,
    ],
    [
      'a counter that is not a Counter',
      () => flashAttentionTiled(x, x, x, {}, { floats: 0 } as never),
      'counter',
      ArgumentTypeError,
    ],
    ['the textbook loop with block size 0', () => flashAttention(x, x, x, 0), 'blockSize'],
    [
      'the textbook loop with d_k mismatched',
      () => flashAttention(matrix(2, 3), matrix(2, 4), matrix(2, 1)),
      'k',
    ],
    [
      'the textbook loop with q null',
      () => flashAttention(null as never, x, x),
      'q',
      ArgumentTypeError,
    ],
    [
      'the pitfall checks like the loop',
      () => pitfallOnlineSoftmaxWithoutRescale(x, x, x, -1),
      'blockSize',
    ],
    [
      'naiveAttention with a bad counter',
      () => naiveAttention(x, x, x, {}, {} as never),
      'counter',
      ArgumentTypeError,
    ],
    ['naiveAttentionFloats of a negative n', () => naiveAttentionFloats(-1, 2, 2), 'n'],
    ['flashAttentionFloats of a fractional d_k', () => flashAttentionFloats(4, 4, 1.5, 2), 'dk'],
    [
      'flashAttentionFloats with a key block of 0',
      () => flashAttentionFloats(4, 4, 2, 2, 64, 0),
      'keyBlock',
    ],
  ]);
});

describe('the tensor twin', () => {
  badCalls([
    [
      'tf a plain object',
      () => flashAttentionTf({} as Tf, t([2, 2]), t([2, 2]), t([2, 2])),
      'tf',
      ArgumentTypeError,
    ],
    ['q of rank 3', () => flashAttentionTf(tf, t([1, 2, 2]), t([2, 2]), t([2, 2])), 'q'],
    [
      'k not a tensor',
      () => flashAttentionTf(tf, t([2, 2]), x as unknown as Tensor, t([2, 2])),
      'k',
      ArgumentTypeError,
    ],
    ['k with another d_k', () => flashAttentionTf(tf, t([2, 2]), t([2, 3]), t([2, 2])), 'k'],
    ['v with another m', () => flashAttentionTf(tf, t([2, 2]), t([3, 2]), t([2, 2])), 'v'],
    [
      'a float mask',
      () => flashAttentionTf(tf, t([2, 2]), t([2, 2]), t([2, 2]), { mask: t([2, 2]) }),
      'mask',
      ArgumentTypeError,
    ],
    [
      'a mask that does not broadcast',
      () =>
        flashAttentionTf(tf, t([2, 2]), t([3, 2]), t([3, 2]), { mask: tf.ones([2, 2], 'bool') }),
      'mask',
    ],
    [
      'a NaN scale',
      () => flashAttentionTf(tf, t([2, 2]), t([2, 2]), t([2, 2]), { scale: Number.NaN }),
      'scale',
    ],
    [
      'a query block of 0',
      () => flashAttentionTf(tf, t([2, 2]), t([2, 2]), t([2, 2]), { queryBlock: 0 }),
      'queryBlock',
    ],
    [
      'the Matrix wrapper checks like the kernel',
      () => flashAttentionTfMatrix(x, x, x, { keyPadding: [true] }),
      'keyPadding',
    ],
  ]);
});

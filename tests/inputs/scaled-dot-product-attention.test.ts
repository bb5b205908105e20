/** Input checks of ml/scaled-dot-product-attention.ts: the bad call, the argument named, the error class. */
import { describe } from 'vitest';
import {
  assertAttentionInputs,
  attention,
  attentionMasked,
  attentionTf,
  attentionTfMatrix,
  attentionWeightsTf,
  causalMaskTf,
  paddingMaskTf,
  pitfallMaskAfterSoftmax,
  pitfallUnscaledAttention,
  scalingExperiment,
  slidingWindowMaskTf,
} from '../../ml/scaled-dot-product-attention.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { tensorBackend, type Tensor, type Tf } from '../../core/backend.js';
import { matrix, type Matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { badCalls } from '../support/answer-key.js';

const { tf } = await tensorBackend();
const m = (rows: number, cols: number) => matrix(rows, cols);
const x = m(2, 3);
const t = (shape: number[]) => tf.zeros(shape);

describe('the Matrix kernels', () => {
  badCalls([
    ['d_k of q and k differ', () => attention(m(2, 3), m(2, 4), m(2, 1)), 'k'],
    ['v without one row per key', () => attention(m(2, 3), m(2, 3), m(3, 1)), 'v'],
    ['d_k = 0', () => attention(m(2, 0), m(2, 0), m(2, 1)), 'q'],
    ['a NaN entry in q', () => attention(matrix(1, 1, [Number.NaN]), m(1, 1), m(1, 1)), 'q[0]'],
    ['q not a Matrix', () => attention(null as never, x, x), 'q', ArgumentTypeError],
    [
      'k a plain object',
      () => attention(x, { rows: 2, cols: 3 } as Matrix, x),
      'k',
      ArgumentTypeError,
    ],
    [
      'options on the textbook function',
      () => (attention as (...a: unknown[]) => unknown)(x, x, x, { causal: true }),
      'options',
    ],
    [
      'options not an object',
      () => attentionMasked(x, x, x, 'causal' as never),
      'options',
      ArgumentTypeError,
    ],
    [
      'keyPadding of the wrong length',
      () => attentionMasked(x, x, x, { keyPadding: [true] }),
      'keyPadding',
    ],
    [
      'keyPadding not an array',
      () => attentionMasked(x, x, x, { keyPadding: 'no' as never }),
      'keyPadding',
      ArgumentTypeError,
    ],
    [
      'causal not a boolean',
      () => attentionMasked(x, x, x, { causal: 1 as never }),
      'causal',
      ArgumentTypeError,
    ],
    [
      'more queries than keys under a causal mask',
      () => attentionMasked(m(3, 3), x, x, { causal: true }),
      'q',
    ],
    [
      'visible not a function',
      () => attentionMasked(x, x, x, { visible: true as never }),
      'visible',
      ArgumentTypeError,
    ],
    [
      'bias of the wrong shape',
      () => attentionMasked(m(2, 3), m(4, 3), m(4, 1), { bias: m(4, 2) }),
      'bias',
    ],
    ['a NaN scale', () => attentionMasked(x, x, x, { scale: Number.NaN }), 'scale'],
    [
      'a string scale',
      () => attentionMasked(x, x, x, { scale: '1' as never }),
      'scale',
      ArgumentTypeError,
    ],
    [
      'a counter that is not a Counter',
      () => attentionMasked(x, x, x, {}, { madds: 0 } as never),
      'counter',
      ArgumentTypeError,
    ],
    [
      'n m past 2^27 pairs',
      () => assertAttentionInputs(m(2 ** 14, 1), m(2 ** 14, 1), m(2 ** 14, 1)),
      'q',
    ],
    [
      'pitfallUnscaledAttention checks like attention',
      () => pitfallUnscaledAttention(m(2, 3), m(2, 4), m(2, 1)),
      'k',
    ],
    [
      'pitfallMaskAfterSoftmax checks the padding',
      () => pitfallMaskAfterSoftmax(x, x, x, { keyPadding: [] }),
      'keyPadding',
    ],
  ]);
});

describe('the tensor twins and masks', () => {
  badCalls([
    [
      'tf a plain object',
      () => attentionTf({ mul: 1 } as unknown as Tf, t([2, 3]), t([2, 3]), t([2, 3])),
      'tf',
      ArgumentTypeError,
    ],
    [
      'q not a tensor',
      () => attentionTf(tf, [[1]] as unknown as Tensor, t([2, 3]), t([2, 3])),
      'q',
      ArgumentTypeError,
    ],
    ['q of rank 1', () => attentionTf(tf, t([3]), t([3]), t([3])), 'q'],
    ['k of another rank', () => attentionTf(tf, t([2, 3]), t([1, 2, 3]), t([2, 3])), 'k'],
    ['k with another d_k', () => attentionTf(tf, t([2, 3]), t([2, 4]), t([2, 3])), 'k'],
    ['v with another m', () => attentionTf(tf, t([2, 3]), t([4, 3]), t([3, 3])), 'v'],
    [
      'batch dimensions that do not broadcast',
      () => attentionTf(tf, t([2, 2, 3]), t([3, 2, 3]), t([3, 2, 3])),
      'k',
    ],
    [
      'a float mask',
      () => attentionTf(tf, t([2, 3]), t([2, 3]), t([2, 3]), { mask: t([2, 2]) }),
      'mask',
      ArgumentTypeError,
    ],
    [
      'a mask that does not broadcast',
      () => attentionTf(tf, t([2, 3]), t([4, 3]), t([4, 3]), { mask: tf.ones([2, 3], 'bool') }),
      'mask',
    ],
    [
      'a bias that does not broadcast',
      () => attentionWeightsTf(tf, t([2, 3]), t([4, 3]), { bias: t([3, 4]) }),
      'bias',
    ],
    [
      'a bias that is not a tensor',
      () => attentionWeightsTf(tf, t([2, 3]), t([4, 3]), { bias: [[0]] as never }),
      'bias',
      ArgumentTypeError,
    ],
    [
      'an infinite scale',
      () => attentionWeightsTf(tf, t([2, 3]), t([4, 3]), { scale: Number.POSITIVE_INFINITY }),
      'scale',
    ],
    [
      'options not an object',
      () => attentionWeightsTf(tf, t([2, 3]), t([4, 3]), null as never),
      'options',
      ArgumentTypeError,
    ],
    ['causalMaskTf n < 0', () => causalMaskTf(tf, -1), 'n'],
    ['causalMaskTf fractional m', () => causalMaskTf(tf, 2, 1.5), 'm'],
    ['causalMaskTf n m past 2^27', () => causalMaskTf(tf, 2 ** 14, 2 ** 14 + 1), 'm'],
    ['causalMaskTf junk tf', () => causalMaskTf(null as never, 2), 'tf', ArgumentTypeError],
    ['slidingWindowMaskTf window 0', () => slidingWindowMaskTf(tf, 3, 3, 0), 'window'],
    [
      'paddingMaskTf a number flag',
      () => paddingMaskTf(tf, [true, 1 as never]),
      'keyPadding[1]',
      ArgumentTypeError,
    ],
    [
      'paddingMaskTf a float tensor',
      () => paddingMaskTf(tf, t([3])),
      'keyPadding',
      ArgumentTypeError,
    ],
    [
      'paddingMaskTf a string',
      () => paddingMaskTf(tf, 'pad' as never),
      'keyPadding',
      ArgumentTypeError,
    ],
    [
      'attentionTfMatrix checks like the kernel',
      () => attentionTfMatrix(m(2, 3), m(2, 4), m(2, 1)),
      'k',
    ],
  ]);
});

describe('the Q12 experiment', () => {
  badCalls([
    [
      'dks not an array',
      () => scalingExperiment(4 as never, 8, 4, rng(1)),
      'dks',
      ArgumentTypeError,
    ],
    ['a d_k of 0', () => scalingExperiment([0], 8, 4, rng(1)), 'dks[0]'],
    ['one key', () => scalingExperiment([4], 1, 4, rng(1)), 'keys'],
    ['fractional trials', () => scalingExperiment([4], 8, 2.5, rng(1)), 'trials'],
    [
      'a plain object as the Rng',
      () => scalingExperiment([4], 8, 4, {} as never),
      'rng',
      ArgumentTypeError,
    ],
    ['work past 2^27', () => scalingExperiment([4096], 4096, 10, rng(1)), 'trials'],
  ]);
});

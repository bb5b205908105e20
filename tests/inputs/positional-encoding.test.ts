/**
 * Input table for ml/positional-encoding/: each bad call, the argument it is rejected for, the class.
 */
import { describe } from 'vitest';
import {
  addPositions,
  alibiAttention,
  alibiAttentionTf,
  alibiBias,
  alibiBiasTf,
  alibiHeadBiasesTf,
  alibiSlopes,
  learnedPositionTable,
  pitfallAlibiSlopesGeometricForAnyHeads,
  pitfallSinusoidalExponentWithoutTwo,
  pitfallSinusoidalFrequencyPerCoordinate,
  pitfallSlidingWindowOffByOne,
  sinusoidalEncoding,
  sinusoidalShift,
  sinusoidalTable,
  sinusoidalTableTf,
  sinusoidalTableTfMatrix,
  slidingWindow,
  slidingWindowAttentionTf,
  slidingWindowMask,
  type SinusoidalOptions,
} from '../../ml/positional-encoding/index.js';
import { attentionMasked } from '../../ml/scaled-dot-product-attention.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { rng, type Rng } from '../../core/random.js';
import { tensorBackend, type Tf } from '../../core/backend.js';
import { badCalls } from '../support/answer-key.js';

const { tf } = await tensorBackend();
const junk = <T>(v: unknown) => v as T;

describe('sinusoidal tables', () => {
  badCalls([
    ['an odd width', () => sinusoidalTable(3, 5), 'd'],
    ['a width of 0', () => sinusoidalTable(2, 0), 'd'],
    ['a negative length', () => sinusoidalTable(-1, 4), 'n'],
    ['a fractional length', () => sinusoidalTable(2.5, 4), 'n'],
    ['2^31 rows', () => sinusoidalTable(2 ** 31, 2), 'n'],
    ['the options version: a negative length', () => sinusoidalEncoding(-1, 4), 'n'],
    [
      'the options version: an infinite base',
      () => sinusoidalEncoding(2, 4, { base: Infinity }),
      'options.base',
    ],
    [
      'the options version: options null',
      () => sinusoidalEncoding(2, 4, junk<SinusoidalOptions>(null)),
      'options',
      ArgumentTypeError,
    ],
    [
      'the per-coordinate pitfall: a negative length',
      () => pitfallSinusoidalFrequencyPerCoordinate(-1, 4),
      'n',
    ],
    ['the exponent pitfall: an odd width', () => pitfallSinusoidalExponentWithoutTwo(2, 3), 'd'],
    ['the shift matrix: an odd width', () => sinusoidalShift(1, 3), 'd'],
    ['the shift matrix: a width of 2^16 (2^32 entries)', () => sinusoidalShift(1, 2 ** 16), 'd'],
    ['the shift matrix: a NaN offset', () => sinusoidalShift(Number.NaN, 4), 'k'],
    ['the tfjs table builds at least one row', () => sinusoidalTableTfMatrix(0, 4), 'n'],
    ['the tfjs table: an odd width', () => sinusoidalTableTfMatrix(2, 3), 'd'],
    [
      'the tensor twin: tf a plain object',
      () => sinusoidalTableTf(junk<Tf>({}), 2, 4),
      'tf',
      ArgumentTypeError,
    ],
  ]);
});

describe('learned tables', () => {
  badCalls([
    ['maxLength 0', () => learnedPositionTable(0, 4, rng(1)), 'maxLength'],
    ['d 0', () => learnedPositionTable(4, 0, rng(1)), 'd'],
    ['2^31 rows', () => learnedPositionTable(2 ** 31, 1, rng(1)), 'maxLength'],
    [
      'a plain object for the Rng',
      () => learnedPositionTable(4, 2, junk<Rng>({})),
      'rng',
      ArgumentTypeError,
    ],
    ['a mismatched width', () => addPositions(matrix(2, 3), matrix(4, 2)), 'table'],
    ['a negative offset', () => addPositions(matrix(2, 3), matrix(4, 3), -1), 'offset'],
    ['x not a Matrix', () => addPositions(junk([[1]]), matrix(4, 3)), 'x', ArgumentTypeError],
  ]);
});

describe('ALiBi', () => {
  const q = () => tf.zeros([2, 3, 4]);
  badCalls([
    ['0 heads', () => alibiSlopes(0), 'numHeads'],
    ['2^31 heads', () => alibiSlopes(2 ** 31), 'numHeads'],
    ['the geometric pitfall: 0 heads', () => pitfallAlibiSlopesGeometricForAnyHeads(0), 'numHeads'],
    ['a negative query count', () => alibiBias(-1, 2, 0.5), 'n'],
    ['a negative key count', () => alibiBias(2, -1, 0.5), 'm'],
    ['2^40 bias entries', () => alibiBias(2 ** 20, 2 ** 20, 0.5), 'm'],
    ['a NaN slope', () => alibiBias(2, 2, Number.NaN), 'slope'],
    [
      'from scratch: window 0',
      () => alibiAttention(matrix(2, 2), matrix(2, 2), matrix(2, 1), 0.5, 0),
      'window',
    ],
    [
      'from scratch: q not a Matrix',
      () => alibiAttention(junk(null), matrix(2, 2), matrix(2, 1), 0.5),
      'q',
      ArgumentTypeError,
    ],
    [
      'the attention kernel checks the bias shape',
      () => attentionMasked(matrix(2, 3), matrix(3, 3), matrix(3, 1), { bias: matrix(3, 3) }),
      'bias',
    ],
    [
      'the attention kernel checks d_k',
      () => attentionMasked(matrix(2, 3), matrix(2, 4), matrix(2, 1)),
      'k',
    ],
    ['tensor bias: tf junk', () => alibiBiasTf(junk<Tf>(null), 2, 2, 0.5), 'tf', ArgumentTypeError],
    ['tensor bias: a fractional n', () => alibiBiasTf(tf, 1.5, 2, 0.5), 'n'],
    ['head biases: 0 heads', () => alibiHeadBiasesTf(tf, 2, 2, 0), 'numHeads'],
    [
      'attention: q of rank 1',
      () => alibiAttentionTf(tf, tf.zeros([4]), tf.zeros([4]), tf.zeros([4])),
      'q',
    ],
    [
      'attention: a slope per head',
      () => alibiAttentionTf(tf, q(), q(), q(), { slopes: [0.5] }),
      'options.slopes',
    ],
    [
      'attention: window 0',
      () => alibiAttentionTf(tf, q(), q(), q(), { window: 0 }),
      'options.window',
    ],
    [
      'attention: k an array',
      () => alibiAttentionTf(tf, q(), junk([[0]]), q()),
      'k',
      ArgumentTypeError,
    ],
  ]);
});

describe('sliding window', () => {
  badCalls([
    ['window 0', () => slidingWindow(0), 'window'],
    ['window fractional', () => slidingWindow(1.5), 'window'],
    ['the off-by-one pitfall: window 0', () => pitfallSlidingWindowOffByOne(0), 'window'],
    ['a negative mask size', () => slidingWindowMask(-1, 2), 'n'],
    ['a mask of 2^40 cells', () => slidingWindowMask(2 ** 20, 2), 'n'],
    [
      'tensor attention: window 0',
      () => slidingWindowAttentionTf(tf, tf.zeros([2, 2]), tf.zeros([2, 2]), tf.zeros([2, 2]), 0),
      'window',
    ],
    [
      'tensor attention: q of rank 1',
      () => slidingWindowAttentionTf(tf, tf.zeros([2]), tf.zeros([2, 2]), tf.zeros([2, 2]), 1),
      'q',
    ],
  ]);
});

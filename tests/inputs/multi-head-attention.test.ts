/** Input checks of ml/multi-head-attention.ts: the bad call, the argument named, the error class. */
import { describe } from 'vitest';
import {
  attendHeads,
  initMultiHeadAttention,
  kvHeadOf,
  mergeHeads,
  mhaDims,
  mhaParamCount,
  multiHeadAttention,
  multiHeadAttentionMasked,
  multiHeadAttentionTf,
  multiHeadAttentionTfMatrix,
  pitfallFourSquaresParamCount,
  pitfallSplitHeadsWithoutTranspose,
  pitfallTiledKvGroups,
  splitHeads,
  type MhaConfig,
  type MhaTensorWeights,
  type MhaWeights,
} from '../../ml/multi-head-attention.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { tensorBackend, type Tensor, type Tf } from '../../core/backend.js';
import { matrix, type Matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { badCalls } from '../support/answer-key.js';

const w = initMultiHeadAttention({ dModel: 8, numHeads: 4, numKvHeads: 2 }, rng(1));
const config = { numHeads: 4, numKvHeads: 2 };
const x = matrix(2, 8);
const head = () => matrix(2, 2);

describe('config, shape and initialization', () => {
  badCalls([
    [
      'heads that do not divide d_model',
      () => initMultiHeadAttention({ dModel: 10, numHeads: 4 }, rng(1)),
      'numHeads',
    ],
    [
      'kv heads that do not divide the heads',
      () => initMultiHeadAttention({ dModel: 12, numHeads: 4, numKvHeads: 3 }, rng(1)),
      'numKvHeads',
    ],
    [
      'headDim 0',
      () => initMultiHeadAttention({ dModel: 8, numHeads: 4, headDim: 0 }, rng(1)),
      'headDim',
    ],
    ['dModel 0', () => initMultiHeadAttention({ dModel: 0, numHeads: 1 }, rng(1)), 'dModel'],
    ['shape null', () => initMultiHeadAttention(null as never, rng(1)), 'shape', ArgumentTypeError],
    [
      'bias not a boolean',
      () => initMultiHeadAttention({ dModel: 8, numHeads: 4, bias: 'yes' as never }, rng(1)),
      'bias',
      ArgumentTypeError,
    ],
    [
      'a plain object as the Rng',
      () => initMultiHeadAttention({ dModel: 8, numHeads: 4 }, {} as never),
      'rng',
      ArgumentTypeError,
    ],
    [
      'more than 2^27 parameters',
      () => initMultiHeadAttention({ dModel: 2 ** 14, numHeads: 1 }, rng(1)),
      'shape',
    ],
    [
      'mhaParamCount of a fractional d_model',
      () => mhaParamCount({ dModel: 8.5, numHeads: 1 }),
      'dModel',
    ],
    ['mhaParamCount of a string', () => mhaParamCount('big' as never), 'shape', ArgumentTypeError],
    [
      'pitfallFourSquaresParamCount checks like mhaParamCount',
      () => pitfallFourSquaresParamCount({ dModel: 8, numHeads: 0 }),
      'numHeads',
    ],
    [
      'config null',
      () => multiHeadAttention(x, w, null as unknown as MhaConfig),
      'config',
      ArgumentTypeError,
    ],
    [
      'config a number',
      () => multiHeadAttention(x, w, 4 as unknown as MhaConfig),
      'config',
      ArgumentTypeError,
    ],
    [
      'config a string',
      () => multiHeadAttention(x, w, 'heads' as unknown as MhaConfig),
      'config',
      ArgumentTypeError,
    ],
    ['numHeads 0', () => multiHeadAttention(x, w, { numHeads: 0, numKvHeads: 1 }), 'numHeads'],
    ['numKvHeads 0', () => multiHeadAttention(x, w, { numHeads: 4, numKvHeads: 0 }), 'numKvHeads'],
  ]);
});

describe('weights against each other and x', () => {
  badCalls([
    ['wq rows not divisible by the heads', () => multiHeadAttention(x, w, { numHeads: 3 }), 'wq'],
    [
      'wq with no rows (d_head 0)',
      () => multiHeadAttention(x, { ...w, wq: matrix(0, 8) }, config),
      'wq',
    ],
    [
      'wk with the wrong rows',
      () => multiHeadAttention(x, { ...w, wk: matrix(6, 8) }, config),
      'wk',
    ],
    [
      'wk with the wrong width',
      () => multiHeadAttention(x, { ...w, wk: matrix(4, 6) }, config),
      'wk',
    ],
    [
      'wv with the wrong rows',
      () => multiHeadAttention(x, { ...w, wv: matrix(6, 8) }, config),
      'wv',
    ],
    [
      'wv with the wrong width',
      () => multiHeadAttention(x, { ...w, wv: matrix(4, 6) }, config),
      'wv',
    ],
    [
      'wo that does not map the heads back',
      () => multiHeadAttention(x, { ...w, wo: matrix(8, 4) }, config),
      'wo',
    ],
    [
      'wo with the wrong rows',
      () => multiHeadAttention(x, { ...w, wo: matrix(6, 8) }, config),
      'wo',
    ],
    [
      'weights null',
      () => multiHeadAttention(x, null as unknown as MhaWeights, config),
      'weights',
      ArgumentTypeError,
    ],
    [
      'weights a string',
      () => multiHeadAttention(x, 'weights' as unknown as MhaWeights, config),
      'weights',
      ArgumentTypeError,
    ],
    [
      'wq not a Matrix',
      () => multiHeadAttention(x, { ...w, wq: [[1]] as unknown as Matrix }, config),
      'wq',
      ArgumentTypeError,
    ],
    ['bq of the wrong length', () => multiHeadAttention(x, { ...w, bq: [1, 2] }, config), 'bq'],
    [
      'bo a string',
      () => multiHeadAttention(x, { ...w, bo: 'bo' as unknown as number[] }, config),
      'bo',
      ArgumentTypeError,
    ],
    [
      'bo a string of the right length',
      () => multiHeadAttention(x, { ...w, bo: 'abcdefgh' as unknown as number[] }, config),
      'bo',
      ArgumentTypeError,
    ],
    [
      'bk null',
      () => multiHeadAttention(x, { ...w, bk: null as unknown as number[] }, config),
      'bk',
      ArgumentTypeError,
    ],
    ['x without d_model columns', () => multiHeadAttention(matrix(2, 6), w, config), 'x'],
    ['x not a Matrix', () => multiHeadAttention(null as never, w, config), 'x', ArgumentTypeError],
    [
      'options on the textbook layer',
      () => (multiHeadAttention as (...a: unknown[]) => unknown)(x, w, config, { causal: true }),
      'options',
    ],
    ['mhaDims with a bad wv', () => mhaDims({ ...w, wv: matrix(4, 6) }, config), 'wv'],
  ]);
});

describe('options of the engineered layer', () => {
  badCalls([
    [
      'a context without d_model columns',
      () => multiHeadAttentionMasked(x, w, config, { context: matrix(3, 6) }),
      'context',
    ],
    [
      'a context that is nested arrays',
      () => multiHeadAttentionMasked(x, w, config, { context: [[1]] as unknown as Matrix }),
      'context',
      ArgumentTypeError,
    ],
    [
      'a context without data',
      () =>
        multiHeadAttentionMasked(x, w, config, {
          context: { rows: 3, cols: 8 } as unknown as Matrix,
        }),
      'context',
      ArgumentTypeError,
    ],
    [
      'a hook returning a [1, 1] head',
      () => multiHeadAttentionMasked(x, w, config, { transformQK: () => matrix(1, 1) }),
      'transformQK',
    ],
    [
      'a hook returning a [2, 3] head',
      () => multiHeadAttentionMasked(x, w, config, { transformQK: () => matrix(2, 3) }),
      'transformQK',
    ],
    [
      'a hook returning undefined',
      () =>
        multiHeadAttentionMasked(x, w, config, {
          transformQK: () => undefined as unknown as Matrix,
        }),
      'transformQK',
    ],
    [
      'a hook that is not a function',
      () => multiHeadAttentionMasked(x, w, config, { transformQK: 3 as never }),
      'transformQK',
      ArgumentTypeError,
    ],
    [
      'options a string',
      () => multiHeadAttentionMasked(x, w, config, 'causal' as never),
      'options',
      ArgumentTypeError,
    ],
    [
      'more queries than keys under a causal mask',
      () =>
        multiHeadAttentionMasked(matrix(3, 8), w, config, { causal: true, context: matrix(2, 8) }),
      'q',
    ],
    [
      'key padding of the wrong length',
      () => multiHeadAttentionMasked(x, w, config, { keyPadding: [false] }),
      'keyPadding',
    ],
    [
      'a counter that is not a Counter',
      () => multiHeadAttentionMasked(x, w, config, {}, { madds: 0 } as never),
      'counter',
      ArgumentTypeError,
    ],
  ]);
});

describe('the head helpers', () => {
  badCalls([
    ['split into 0 heads', () => splitHeads(matrix(2, 6), 0), 'numHeads'],
    ['split a width not divisible by the heads', () => splitHeads(matrix(2, 6), 4), 'x'],
    ['split a non-Matrix', () => splitHeads(null as never, 2), 'x', ArgumentTypeError],
    ['merge no heads', () => mergeHeads([]), 'heads', ArgumentTypeError],
    [
      'merge a string',
      () => mergeHeads('heads' as unknown as Matrix[]),
      'heads',
      ArgumentTypeError,
    ],
    ['merge heads with other rows', () => mergeHeads([matrix(2, 3), matrix(3, 3)]), 'heads[1]'],
    ['merge heads with other widths', () => mergeHeads([matrix(2, 3), matrix(2, 2)]), 'heads[1]'],
    ['merge a null head', () => mergeHeads([null as never]), 'heads[0]', ArgumentTypeError],
    ['attend with no key heads', () => attendHeads([head(), head()], [], []), 'k'],
    [
      'attend with fewer key than value heads',
      () => attendHeads([head(), head()], [head()], [head(), head()]),
      'k',
    ],
    [
      'attend with key heads not dividing query heads',
      () => attendHeads([head(), head(), head()], [head(), head()], [head(), head()]),
      'k',
    ],
    [
      'attend with q not an array',
      () => attendHeads(null as never, [head()], [head()]),
      'q',
      ArgumentTypeError,
    ],
    ['kvHeadOf a head past the last', () => kvHeadOf(4, 4, 2), 'head'],
    ['kvHeadOf with kv heads not dividing', () => kvHeadOf(0, 4, 3), 'numKvHeads'],
    [
      'pitfallSplitHeadsWithoutTranspose of a non-Matrix',
      () => pitfallSplitHeadsWithoutTranspose(null as never, 2),
      'y',
      ArgumentTypeError,
    ],
    ['pitfallTiledKvGroups with no key heads', () => pitfallTiledKvGroups([head()], [], []), 'k'],
  ]);
});

describe('the tfjs layer', async () => {
  const { tf } = await tensorBackend();
  const T = (rows: number, cols: number) => tf.zeros([rows, cols]);
  const tw: MhaTensorWeights = { wq: T(8, 8), wk: T(4, 8), wv: T(4, 8), wo: T(8, 8) };
  badCalls([
    ['x without d_model columns', () => multiHeadAttentionTfMatrix(matrix(2, 6), w, config), 'x'],
    [
      'a context without d_model columns is named as the context',
      () => multiHeadAttentionTfMatrix(x, w, config, { context: matrix(3, 6) }),
      'context',
    ],
    [
      'x narrow, context right',
      () => multiHeadAttentionTfMatrix(matrix(2, 6), w, config, { context: matrix(3, 8) }),
      'x',
    ],
    [
      'more queries than keys under a causal mask',
      () =>
        multiHeadAttentionTfMatrix(matrix(3, 8), w, config, {
          causal: true,
          context: matrix(2, 8),
        }),
      'x',
    ],
    [
      'key padding of the wrong length',
      () => multiHeadAttentionTfMatrix(x, w, config, { keyPadding: [false] }),
      'keyPadding',
    ],
    [
      'tf a plain object',
      () => multiHeadAttentionTf({ tidy: 1 } as unknown as Tf, T(2, 8), tw, config),
      'tf',
      ArgumentTypeError,
    ],
    [
      'x not a tensor',
      () => multiHeadAttentionTf(tf, x as unknown as Tensor, tw, config),
      'x',
      ArgumentTypeError,
    ],
    ['x of rank 1', () => multiHeadAttentionTf(tf, tf.zeros([8]), tw, config), 'x'],
    [
      'weights null',
      () => multiHeadAttentionTf(tf, T(2, 8), null as never, config),
      'weights',
      ArgumentTypeError,
    ],
    [
      'wq a Matrix, not a tensor',
      () => multiHeadAttentionTf(tf, T(2, 8), { ...tw, wq: w.wq as never }, config),
      'wq',
      ArgumentTypeError,
    ],
    [
      'wk of the wrong rows',
      () => multiHeadAttentionTf(tf, T(2, 8), { ...tw, wk: T(6, 8) }, config),
      'wk',
    ],
    [
      'wo of the wrong width',
      () => multiHeadAttentionTf(tf, T(2, 8), { ...tw, wo: T(8, 4) }, config),
      'wo',
    ],
    [
      'bq of the wrong length',
      () => multiHeadAttentionTf(tf, T(2, 8), { ...tw, bq: tf.zeros([3]) }, config),
      'bq',
    ],
    [
      'a context of another width',
      () => multiHeadAttentionTf(tf, T(2, 8), tw, { ...config, context: T(3, 6) }),
      'context',
    ],
    [
      'a context of another rank',
      () => multiHeadAttentionTf(tf, T(2, 8), tw, { ...config, context: tf.zeros([1, 3, 8]) }),
      'context',
    ],
    [
      'a float mask',
      () => multiHeadAttentionTf(tf, T(2, 8), tw, { ...config, mask: T(2, 2) }),
      'mask',
      ArgumentTypeError,
    ],
    [
      'causal not a boolean',
      () => multiHeadAttentionTf(tf, T(2, 8), tw, { ...config, causal: 'yes' as never }),
      'causal',
      ArgumentTypeError,
    ],
    [
      'a rotary hook that is not a function',
      () => multiHeadAttentionTf(tf, T(2, 8), tw, { ...config, rotary: 1 as never }),
      'rotary',
      ArgumentTypeError,
    ],
    ['numHeads 0', () => multiHeadAttentionTf(tf, T(2, 8), tw, { numHeads: 0 }), 'numHeads'],
  ]);
});

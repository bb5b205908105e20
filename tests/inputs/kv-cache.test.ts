/** Input checks of the KV cache (ml/kv-cache/): each bad call names its argument, typed error. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { tensorBackend } from '../../core/backend.js';
import { initBlock, llamaBlockConfig, type BlockConfig } from '../../ml/transformer-block.js';
import {
  LLAMA2_7B_KV,
  appendRows,
  decodeSequenceTfMatrix,
  decodeStep,
  decodeStepTf,
  emptyKvCache,
  emptyKvCacheTf,
  emptyStackCache,
  extendCache,
  generateCached,
  generateRecomputed,
  initDecoderStack,
  kvBytesPerToken,
  kvCacheTotalBytes,
  kvShapeOf,
  pitfallDecodeStepForgetsToAppend,
  pitfallDecodeStepPositionZero,
  pitfallGenerateRecomputingKv,
  pitfallKvBytesPerTokenQueryHeads,
  stackExtend,
  type BlockKvCache,
  type KvCacheShape,
} from '../../ml/kv-cache/index.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const config = llamaBlockConfig({ dModel: 8, numHeads: 4, numKvHeads: 2, ffnHidden: 8 });
const weights = initBlock(config, rng(1));
const token = matrix(1, 8);
const empty = emptyKvCache(config);
const stack = initDecoderStack(config, 2, rng(2));
const { tf } = await tensorBackend();

describe('the calculator: sizes, kv heads, dtype, window, lengths', () => {
  const shape = (change: Partial<Record<keyof KvCacheShape, unknown>>) =>
    junk<KvCacheShape>({ ...LLAMA2_7B_KV, ...change });
  for (const perToken of [kvBytesPerToken, pitfallKvBytesPerTokenQueryHeads]) {
    badCalls([
      ['zero layers', () => perToken(shape({ numLayers: 0 })), 'shape.numLayers'],
      ['negative layers', () => perToken(shape({ numLayers: -32 })), 'shape.numLayers'],
      ['fractional layers', () => perToken(shape({ numLayers: 1.5 })), 'shape.numLayers'],
      [
        'layers as a string',
        () => perToken(shape({ numLayers: '32' })),
        'shape.numLayers',
        ArgumentTypeError,
      ],
      ['zero heads', () => perToken(shape({ numHeads: 0 })), 'shape.numHeads'],
      ['zero kv heads', () => perToken(shape({ numKvHeads: 0 })), 'shape.numKvHeads'],
      ['negative kv heads', () => perToken(shape({ numKvHeads: -8 })), 'shape.numKvHeads'],
      [
        'kv heads not dividing heads (32 / 3)',
        () => perToken(shape({ numKvHeads: 3 })),
        'shape.numKvHeads',
      ],
      ['more kv heads than heads', () => perToken(shape({ numKvHeads: 64 })), 'shape.numKvHeads'],
      ['zero head_dim', () => perToken(shape({ headDim: 0 })), 'shape.headDim'],
      ['negative head_dim', () => perToken(shape({ headDim: -128 })), 'shape.headDim'],
      ['an unknown dtype', () => perToken(shape({ dtype: 'fp8' })), 'shape.dtype'],
      ['a dtype that is a number', () => perToken(shape({ dtype: 2 })), 'shape.dtype'],
      ['window = 0', () => perToken(shape({ window: 0 })), 'shape.window'],
      ['a negative window', () => perToken(shape({ window: -4096 })), 'shape.window'],
      ['a fractional window', () => perToken(shape({ window: 40.5 })), 'shape.window'],
      ['a shape that is null', () => perToken(junk(null)), 'shape', ArgumentTypeError],
    ]);
  }
  badCalls([
    ['a fractional length', () => kvCacheTotalBytes(LLAMA2_7B_KV, 2048.5), 'seqLen'],
    ['a negative length', () => kvCacheTotalBytes(LLAMA2_7B_KV, -1), 'seqLen'],
    [
      'a length that is a string',
      () => kvCacheTotalBytes(LLAMA2_7B_KV, junk('2048')),
      'seqLen',
      ArgumentTypeError,
    ],
    ['batch = 0', () => kvCacheTotalBytes(LLAMA2_7B_KV, 2048, 0), 'batch'],
    ['a fractional batch', () => kvCacheTotalBytes(LLAMA2_7B_KV, 2048, 2.5), 'batch'],
    ['a total past 2^53 bytes (length)', () => kvCacheTotalBytes(LLAMA2_7B_KV, 2 ** 50), 'seqLen'],
    [
      'a total past 2^53 bytes (batch)',
      () => kvCacheTotalBytes(LLAMA2_7B_KV, 2 ** 30, 2 ** 30),
      'batch',
    ],
    [
      'window = 0 in the total',
      () => kvCacheTotalBytes({ ...LLAMA2_7B_KV, window: 0 }, 8),
      'shape.window',
    ],
    ['kvShapeOf with zero layers', () => kvShapeOf(config, 0), 'numLayers'],
    ['kvShapeOf with an unknown dtype', () => kvShapeOf(config, 2, junk('int2')), 'dtype'],
    [
      'kvShapeOf with kv heads not dividing heads',
      () => kvShapeOf({ ...config, numKvHeads: 3 }, 2),
      'numKvHeads',
    ],
  ]);
});

describe('a decode step: one token of width d_model, a cache of the config', () => {
  const badCache = (change: Partial<Record<keyof BlockKvCache, unknown>>) =>
    junk<BlockKvCache>({ ...empty, ...change });
  for (const step of [
    decodeStep,
    pitfallDecodeStepPositionZero,
    pitfallDecodeStepForgetsToAppend,
  ]) {
    badCalls([
      ['two tokens at once', () => step(matrix(2, 8), empty, weights, config), 'x'],
      ['a token of the wrong width', () => step(matrix(1, 6), empty, weights, config), 'x'],
      [
        'x that is not a Matrix',
        () => step(junk([[1, 2]]), empty, weights, config),
        'x',
        ArgumentTypeError,
      ],
      [
        'a cache that is null',
        () => step(token, junk(null), weights, config),
        'cache',
        ArgumentTypeError,
      ],
      [
        'a fractional cache length',
        () => step(token, badCache({ length: 0.5 }), weights, config),
        'cache.length',
      ],
      [
        'a negative cache length',
        () => step(token, badCache({ length: -1 }), weights, config),
        'cache.length',
      ],
      [
        'one key head for a config of two',
        () => step(token, badCache({ keys: [matrix(0, 2)] }), weights, config),
        'cache.keys',
      ],
      [
        'keys of the wrong width',
        () => step(token, badCache({ keys: [matrix(0, 3), matrix(0, 3)] }), weights, config),
        'cache.keys[0]',
      ],
      [
        'a length that does not match the rows',
        () => step(token, badCache({ length: 1 }), weights, config),
        'cache.keys[0]',
      ],
      [
        'a cache from a config with other kv heads',
        () => step(token, emptyKvCache({ ...config, numKvHeads: 4 }), weights, config),
        'cache.keys',
      ],
      [
        'kv heads not dividing heads',
        () => step(token, empty, weights, { ...config, numKvHeads: 3 }),
        'numKvHeads',
      ],
      ['zero heads', () => step(token, empty, weights, { ...config, numHeads: 0 }), 'numHeads'],
      [
        'weights that are null',
        () => step(token, empty, junk(null), config),
        'weights',
        ArgumentTypeError,
      ],
    ]);
  }
  badCalls([
    [
      'emptyKvCache of a config with zero width',
      () => emptyKvCache({ ...config, dModel: 0 }),
      'dModel',
    ],
    ['appendRows of a different width', () => appendRows(matrix(2, 4), matrix(1, 3)), 'rows'],
    ['extendCache with no token', () => extendCache(matrix(0, 8), empty, weights, config), 'x'],
    [
      'extendCache with a counter that is not a Counter',
      () => extendCache(token, empty, weights, config, junk({ add: 1 })),
      'counter',
      ArgumentTypeError,
    ],
  ]);
});

describe('a stack and its generation loops', () => {
  badCalls([
    ['zero layers', () => initDecoderStack(config, 0, rng(1)), 'numLayers'],
    ['a fractional number of layers', () => initDecoderStack(config, 1.5, rng(1)), 'numLayers'],
    ['65 layers', () => initDecoderStack(config, 65, rng(1)), 'numLayers'],
    [
      'an rng that is not an Rng',
      () => initDecoderStack(config, 2, junk({})),
      'rng',
      ArgumentTypeError,
    ],
    ['a stack with no layers', () => emptyStackCache({ config, layers: [] }), 'stack.layers'],
    ['a stack that is null', () => emptyStackCache(junk(null)), 'stack', ArgumentTypeError],
    ['one cache for two blocks', () => stackExtend(token, [empty], stack), 'caches'],
  ]);
  for (const generate of [generateCached, generateRecomputed, pitfallGenerateRecomputingKv]) {
    badCalls([
      ['zero steps', () => generate(token, 0, stack), 'steps'],
      ['a fractional number of steps', () => generate(token, 2.5, stack), 'steps'],
      [
        'steps that are a string',
        () => generate(token, junk('4'), stack),
        'steps',
        ArgumentTypeError,
      ],
      ['more steps than a cache holds', () => generate(token, 2 ** 16, stack), 'steps'],
      ['an empty prompt', () => generate(matrix(0, 8), 4, stack), 'prompt'],
      ['a prompt of the wrong width', () => generate(matrix(2, 5), 4, stack), 'prompt'],
      [
        'a stack whose config has kv heads not dividing heads',
        () => generate(token, 4, { ...stack, config: { ...config, numKvHeads: 3 } as BlockConfig }),
        'numKvHeads',
      ],
    ]);
  }
});

describe('the tensor twin', () => {
  badCalls([
    ['tf that is not tfjs', () => emptyKvCacheTf(junk({}), config), 'tf', ArgumentTypeError],
    [
      'two tokens at once',
      () => decodeStepTf(tf, tf.zeros([2, 8]), emptyKvCacheTf(tf, config), junk({}), config),
      'x',
    ],
    [
      'a cache with the wrong kv heads',
      () =>
        decodeStepTf(
          tf,
          tf.zeros([1, 8]),
          { keys: tf.zeros([4, 0, 2]), values: tf.zeros([4, 0, 2]) },
          junk({}),
          config,
        ),
      'cache.keys',
    ],
    [
      'keys and values of different lengths',
      () =>
        decodeStepTf(
          tf,
          tf.zeros([1, 8]),
          { keys: tf.zeros([2, 1, 2]), values: tf.zeros([2, 0, 2]) },
          junk({}),
          config,
        ),
      'cache.values',
    ],
    [
      'a cache that is not tensors',
      () => decodeStepTf(tf, tf.zeros([1, 8]), junk(empty), junk({}), config),
      'cache.keys',
      ArgumentTypeError,
    ],
    [
      'a sequence of the wrong width',
      () => decodeSequenceTfMatrix(matrix(3, 6), weights, config),
      'x',
    ],
  ]);
});

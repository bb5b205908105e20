/**
 * Input table for ml/long-context.ts: each bad call, the argument it is rejected for, the class.
 */
import { describe } from 'vitest';
import {
  LLAMA2_7B,
  attentionFlops,
  attentionFlopsWindowed,
  contextLimits,
  crossoverLength,
  kvCacheBytes,
  kvCacheBytesPerToken,
  kvCacheBytesWindowed,
  linearFlops,
  pitfallAttentionFlopsFullSquare,
  pitfallKvCacheWithQueryHeads,
  scoreMatrixBytes,
  scoreMatrixBytesWindowed,
  visiblePairs,
  type Deployment,
  type LongContextOptions,
  type ModelConfig,
} from '../../ml/long-context.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { badCalls } from '../support/answer-key.js';

const junkConfig = (v: unknown) => v as ModelConfig;
const gpu: Deployment = { memoryBytes: 1, weightBytes: 0, flopsPerSecond: 1, prefillSeconds: 1 };

describe('the model config', () => {
  badCalls([
    [
      'kvHeads must divide heads',
      () => kvCacheBytesPerToken({ ...LLAMA2_7B, kvHeads: 5 }),
      'config.kvHeads',
    ],
    ['layers >= 1', () => kvCacheBytes({ ...LLAMA2_7B, layers: 0 }, 1), 'config.layers'],
    [
      'a fractional head width',
      () => attentionFlops({ ...LLAMA2_7B, headDim: 1.5 }, 1),
      'config.headDim',
    ],
    ['ffnHidden >= 1', () => linearFlops({ ...LLAMA2_7B, ffnHidden: 0 }, 1), 'config.ffnHidden'],
    [
      'gatedFfn a boolean',
      () => linearFlops(junkConfig({ ...LLAMA2_7B, gatedFfn: 1 }), 1),
      'config.gatedFfn',
      ArgumentTypeError,
    ],
    [
      'a string size',
      () => scoreMatrixBytes(junkConfig({ ...LLAMA2_7B, heads: '32' }), 1),
      'config.heads',
      ArgumentTypeError,
    ],
    ['config null', () => kvCacheBytes(junkConfig(null), 1), 'config', ArgumentTypeError],
    ['config a string', () => kvCacheBytes(junkConfig('llama'), 1), 'config', ArgumentTypeError],
    ['config a number', () => kvCacheBytes(junkConfig(7), 1), 'config', ArgumentTypeError],
    ['config an array', () => crossoverLength(junkConfig([])), 'config', ArgumentTypeError],
    [
      'linearFlops with a null config',
      () => linearFlops(junkConfig(null), 1),
      'config',
      ArgumentTypeError,
    ],
  ]);
});

describe('lengths and windows', () => {
  badCalls([
    ['kvCacheBytes n < 0', () => kvCacheBytes(LLAMA2_7B, -1), 'n'],
    ['kvCacheBytes n fractional', () => kvCacheBytes(LLAMA2_7B, 2.5), 'n'],
    ['attentionFlops n < 0', () => attentionFlops(LLAMA2_7B, -1), 'n'],
    ['attentionFlops n fractional', () => attentionFlops(LLAMA2_7B, 0.5), 'n'],
    ['scoreMatrixBytes n < 0', () => scoreMatrixBytes(LLAMA2_7B, -1), 'n'],
    ['linearFlops n < 0', () => linearFlops(LLAMA2_7B, -1), 'n'],
    [
      'linearFlops n a string',
      () => linearFlops(LLAMA2_7B, '8' as unknown as number),
      'n',
      ArgumentTypeError,
    ],
    ['visiblePairs window 0', () => visiblePairs(8, 0), 'window'],
    ['visiblePairs window fractional, even when >= n', () => visiblePairs(2, 2.5), 'window'],
    ['visiblePairs n = 2^53', () => visiblePairs(2 ** 53, 1), 'n'],
    ['attentionFlopsWindowed window 0', () => attentionFlopsWindowed(LLAMA2_7B, 8, 0), 'window'],
    ['kvCacheBytesWindowed window 0', () => kvCacheBytesWindowed(LLAMA2_7B, 8, 0), 'window'],
    ['kvCacheBytesWindowed n < 0', () => kvCacheBytesWindowed(LLAMA2_7B, -1, 4), 'n'],
    [
      'scoreMatrixBytesWindowed window 0',
      () => scoreMatrixBytesWindowed(LLAMA2_7B, 8, 0),
      'window',
    ],
    ['pitfallKvCacheWithQueryHeads n < 0', () => pitfallKvCacheWithQueryHeads(LLAMA2_7B, -1), 'n'],
    [
      'pitfallAttentionFlopsFullSquare null config',
      () => pitfallAttentionFlopsFullSquare(junkConfig(null), 1),
      'config',
      ArgumentTypeError,
    ],
  ]);
});

describe('the deployment and the remedies', () => {
  const junkOptions = (v: unknown) => v as LongContextOptions;
  badCalls([
    ['ropeScale < 1', () => contextLimits(LLAMA2_7B, gpu, { ropeScale: 0.5 }), 'options.ropeScale'],
    [
      'ropeScale Infinity',
      () => contextLimits(LLAMA2_7B, gpu, { ropeScale: Infinity }),
      'options.ropeScale',
    ],
    ['window 0', () => contextLimits(LLAMA2_7B, gpu, { window: 0 }), 'options.window'],
    [
      'flash not a boolean',
      () => contextLimits(LLAMA2_7B, gpu, junkOptions({ flash: 1 })),
      'options.flash',
      ArgumentTypeError,
    ],
    [
      'options null',
      () => contextLimits(LLAMA2_7B, gpu, junkOptions(null)),
      'options',
      ArgumentTypeError,
    ],
    [
      'memoryBytes NaN',
      () => contextLimits(LLAMA2_7B, { ...gpu, memoryBytes: Number.NaN }),
      'deployment.memoryBytes',
    ],
    [
      'weightBytes < 0',
      () => contextLimits(LLAMA2_7B, { ...gpu, weightBytes: -1 }),
      'deployment.weightBytes',
    ],
    [
      'deployment undefined',
      () => contextLimits(LLAMA2_7B, undefined as unknown as Deployment),
      'deployment',
      ArgumentTypeError,
    ],
  ]);
});

/**
 * What limits the input length of an LLM, as a calculator: attention FLOPs, KV-cache bytes and the
 * score-matrix memory against context length n, and which of compute, memory and position
 * extrapolation runs out first. Answers: Q23 (限制输入长度的因素; 长上下文).
 *
 * The idea: attention FLOPs grow as n^2 (every query meets every earlier key), the KV cache as n,
 * a naive kernel's score matrix as n^2, and a model has only seen the positions it was trained on.
 *
 *   attention FLOPs  = 2 * 2 d_h * n (n + 1) / 2 * heads * layers * batch    (causal, two products)
 *   KV-cache bytes   = 2 * layers * kvHeads * d_h * bytes * n * batch        (K and V, every token)
 *   score bytes      = batch * heads * n^2 * bytes                           (one layer, naive)
 *
 * Remedies, each an alternative below and linked to its module (see `REMEDIES`): FlashAttention
 * (ml/flash-attention.ts) removes the n x n matrix from memory, same FLOPs; GQA / MQA
 * (ml/multi-head-attention.ts) divides the KV cache by heads / kvHeads; RoPE scaling, PI / NTK /
 * YaRN (ml/rope.ts), stretches the position limit; a sliding window (ml/positional-encoding/) caps
 * both the KV cache and the attention cost at W keys per query.
 *
 * Counting conventions: one multiply-add = 2 FLOPs; attention FLOPs are the two matrix products
 * Q K^T and weights x V (softmax and projections are counted separately); a causal mask is
 * exploited (query i meets keys 0..i), exactly as the from-scratch kernel in
 * ml/scaled-dot-product-attention.ts counts them. Forward pass (prefill) only.
 *
 * Complexity: every calculator is O(1) closed form; `contextLimits` and `crossoverLength` run a
 * binary search of at most 41 steps.
 *
 * @example
 *   kvCacheBytesPerToken(LLAMA2_7B);   // 524288 = 2 * 32 layers * 4096 * 2 bytes = 512 KiB
 *   kvCacheBytes(LLAMA2_7B, 2048);     // 1073741824 = 1 GiB
 */
import { ArgumentError, assertBoolean, assertInteger, assertObject } from '../core/errors.js';

export interface ModelConfig {
  name?: string;
  layers: number;
  dModel: number;
  /** Query heads. */
  heads: number;
  /** Key/value heads: = heads for MHA, 1 for MQA, in between for GQA. Must divide heads. */
  kvHeads: number;
  headDim: number;
  /** FFN hidden size (default 4 dModel). */
  ffnHidden?: number;
  /** SwiGLU-style FFN with three matrices (default false: two). */
  gatedFfn?: boolean;
  /** Bytes per element of the KV cache and activations: 2 for fp16 / bf16, 1 for int8 / fp8. */
  dtypeBytes: number;
  batch: number;
  /** Context length the model was trained on. */
  trainedContext: number;
}

// ---------------------------------------------------------------------------------------------
// The textbook calculators, as written on a whiteboard.

/** Attention FLOPs of a causal prefill of n tokens: Q K^T and weights x V, 2 per multiply-add. */
export function attentionFlops(config: ModelConfig, n: number): number {
  assertConfig(config);
  assertInteger('n', n, { min: 0 });
  const { layers, heads, headDim, batch } = config;
  // causal: query i meets keys 0..i, n (n + 1) / 2 (query, key) pairs per head
  const pairs = (n * (n + 1)) / 2;
  // per pair: d_h multiply-adds for q . k and d_h for weight * v
  return 2 * (2 * headDim) * pairs * heads * layers * batch;
}

/** KV-cache bytes after n tokens: K and V of every layer, KV head and token, for the batch. */
export function kvCacheBytes(config: ModelConfig, n: number): number {
  assertConfig(config);
  assertInteger('n', n, { min: 0 });
  const { layers, kvHeads, headDim, dtypeBytes, batch } = config;
  return 2 * layers * kvHeads * headDim * dtypeBytes * n * batch;
}

/** Bytes of the n x n score matrices a naive kernel holds for one layer (all heads, the batch). */
export function scoreMatrixBytes(config: ModelConfig, n: number): number {
  assertConfig(config);
  assertInteger('n', n, { min: 0 });
  return config.batch * config.heads * n * n * config.dtypeBytes;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by every calculator.

const CONFIG_SIZES = [
  'layers',
  'dModel',
  'heads',
  'kvHeads',
  'headDim',
  'dtypeBytes',
  'batch',
  'trainedContext',
] as const;

/** Throws unless `config` is a ModelConfig: positive integer sizes, kvHeads dividing heads. */
function assertConfig(config: unknown): asserts config is ModelConfig {
  assertObject('config', config, 'a ModelConfig object');
  for (const key of CONFIG_SIZES) assertInteger(`config.${key}`, config[key], { min: 1 });
  if (config['ffnHidden'] !== undefined) {
    assertInteger('config.ffnHidden', config['ffnHidden'], { min: 1 });
  }
  if (config['gatedFfn'] !== undefined) assertBoolean('config.gatedFfn', config['gatedFfn']);
  const { heads, kvHeads } = config as unknown as ModelConfig;
  if (heads % kvHeads !== 0) {
    throw new ArgumentError(
      'config.kvHeads',
      kvHeads,
      `a divisor of config.heads = ${heads} (each KV head serves heads / kvHeads query heads)`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The remedies: each an alternative equal to the textbook when it is switched off.

/** KV-cache bytes per token (batch 1): 2 (K and V) * layers * kvHeads * headDim * dtypeBytes. */
export function kvCacheBytesPerToken(config: ModelConfig): number {
  assertConfig(config);
  return 2 * config.layers * config.kvHeads * config.headDim * config.dtypeBytes;
}

/**
 * (query, visible key) pairs for n causal positions: n (n + 1) / 2, or, with a window of W keys,
 * sum_i min(i + 1, W).
 */
export function visiblePairs(n: number, window?: number): number {
  assertInteger('n', n, { min: 0 });
  if (window !== undefined) assertInteger('window', window, { min: 1 });
  if (window === undefined || window >= n) return (n * (n + 1)) / 2;
  // the first W queries see 1..W keys, the remaining n - W see W each
  return (window * (window + 1)) / 2 + (n - window) * window;
}

/** Sliding window: attention FLOPs when each query sees only the last `window` keys. */
export function attentionFlopsWindowed(config: ModelConfig, n: number, window: number): number {
  assertConfig(config);
  const pairs = visiblePairs(n, window);
  return 2 * (2 * config.headDim) * pairs * config.heads * config.layers * config.batch;
}

/** Sliding window: the KV cache holds only the last `window` tokens. */
export function kvCacheBytesWindowed(config: ModelConfig, n: number, window: number): number {
  assertInteger('window', window, { min: 1 });
  return kvCacheBytes(config, Math.min(n, window));
}

/** Sliding window: a naive kernel holds n x min(n, W) scores per head. */
export function scoreMatrixBytesWindowed(config: ModelConfig, n: number, window: number): number {
  assertConfig(config);
  assertInteger('n', n, { min: 0 });
  assertInteger('window', window, { min: 1 });
  return config.batch * config.heads * n * Math.min(n, window) * config.dtypeBytes;
}

/**
 * FLOPs linear in n: the Q, K, V, O projections and the FFN, 2 FLOPs per weight per token
 * (the embedding lookup and the output head are left out).
 */
export function linearFlops(config: ModelConfig, n: number): number {
  assertConfig(config);
  assertInteger('n', n, { min: 0 });
  const { dModel, heads, kvHeads, headDim } = config;
  const ffnHidden = config.ffnHidden ?? 4 * dModel;
  // Q and O: d x heads d_h each; K and V: d x kvHeads d_h each; FFN: 2 or 3 matrices d x hidden
  const perLayer =
    2 * dModel * heads * headDim +
    2 * dModel * kvHeads * headDim +
    (config.gatedFfn ? 3 : 2) * dModel * ffnHidden;
  return 2 * perLayer * config.layers * n * config.batch;
}

/** The remedies that change the numbers. */
export interface LongContextOptions {
  /** Sliding-window attention: each query sees the `window` most recent keys (itself included). */
  window?: number;
  /** FlashAttention: the n x n score matrix is never materialised. */
  flash?: boolean;
  /** RoPE scaling factor s (PI / NTK / YaRN): positions up to s * trainedContext. Default 1. */
  ropeScale?: number;
}

/** Throws unless `options` is a LongContextOptions bag with a valid window, flag and scale. */
function assertOptions(options: unknown): asserts options is LongContextOptions {
  assertObject('options', options, 'a LongContextOptions object');
  const { window, flash, ropeScale } = options;
  if (window !== undefined) assertInteger('options.window', window, { min: 1 });
  if (flash !== undefined) assertBoolean('options.flash', flash);
  const scaleOk = typeof ropeScale === 'number' && Number.isFinite(ropeScale) && ropeScale >= 1;
  if (ropeScale !== undefined && !scaleOk) {
    throw new ArgumentError('options.ropeScale', ropeScale, 'a finite number >= 1');
  }
}

export interface Deployment {
  /** Accelerator memory available to this model. */
  memoryBytes: number;
  /** Bytes taken by the weights. */
  weightBytes: number;
  /** Sustained FLOP/s. */
  flopsPerSecond: number;
  /** Time allowed to process the whole prompt (prefill). */
  prefillSeconds: number;
}

function assertDeployment(deployment: unknown): asserts deployment is Deployment {
  assertObject('deployment', deployment, 'a Deployment object');
  for (const key of ['memoryBytes', 'weightBytes', 'flopsPerSecond', 'prefillSeconds'] as const) {
    const v = deployment[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ArgumentError(`deployment.${key}`, v, 'a finite number >= 0');
    }
  }
}

/** Llama 2 7B (Touvron et al. 2023; HF config): MHA, 32 layers, d = 4096, fp16, 4096 positions. */
export const LLAMA2_7B: ModelConfig = {
  name: 'Llama-2-7B',
  layers: 32,
  dModel: 4096,
  heads: 32,
  kvHeads: 32,
  headDim: 128,
  ffnHidden: 11008,
  gatedFfn: true,
  dtypeBytes: 2,
  batch: 1,
  trainedContext: 4096,
};

export type Limit = 'compute' | 'memory' | 'position';

export interface ContextLimits {
  /** Longest prompt whose prefill fits the FLOP budget. */
  compute: number;
  /** Longest context whose weights + KV cache (+ naive scores) fit (Infinity if never past it). */
  memory: number;
  /** Longest context within the (scaled) trained positions. */
  position: number;
  /** Which of the three is smallest (the first wall you hit). */
  binding: Limit;
  /** min(compute, memory, position). */
  maxContext: number;
}

const SEARCH_MAX = 2 ** 40;

/**
 * Largest n >= 0 with fits(n), for a monotone `fits` (binary search, at most 41 probes); Infinity
 * when even 2^40 fits (a constraint that does not grow with n, e.g. a windowed KV cache).
 */
function largestFitting(fits: (n: number) => boolean): number {
  if (!fits(0)) return 0;
  let lo = 0;
  let hi = SEARCH_MAX;
  if (fits(hi)) return Number.POSITIVE_INFINITY;
  // invariant: fits(lo) and !fits(hi)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Attention FLOPs with the remedies in `options` (only the window changes them). */
function attentionFlopsWith(config: ModelConfig, n: number, options: LongContextOptions): number {
  if (options.window === undefined) return attentionFlops(config, n);
  return attentionFlopsWindowed(config, n, options.window);
}

/** KV cache plus the naive score matrix, with the remedies in `options`. */
function memoryBytesWith(config: ModelConfig, n: number, options: LongContextOptions): number {
  const { window, flash } = options;
  if (window === undefined) {
    return kvCacheBytes(config, n) + (flash ? 0 : scoreMatrixBytes(config, n));
  }
  const kv = kvCacheBytesWindowed(config, n, window);
  return kv + (flash ? 0 : scoreMatrixBytesWindowed(config, n, window));
}

/** The three limits on context length of a model on a deployment, with `options`' remedies. */
export function contextLimits(
  config: ModelConfig,
  deployment: Deployment,
  options: LongContextOptions = {},
): ContextLimits {
  assertConfig(config);
  assertDeployment(deployment);
  assertOptions(options);
  const budget = deployment.flopsPerSecond * deployment.prefillSeconds;
  const compute = largestFitting(
    (n) => attentionFlopsWith(config, n, options) + linearFlops(config, n) <= budget,
  );
  const free = deployment.memoryBytes - deployment.weightBytes;
  const memory = largestFitting((n) => memoryBytesWith(config, n, options) <= free);
  const position = Math.floor(config.trainedContext * (options.ropeScale ?? 1));
  const limits: [Limit, number][] = [
    ['compute', compute],
    ['memory', memory],
    ['position', position],
  ];
  const [binding, maxContext] = limits.reduce((best, l) => (l[1] < best[1] ? l : best));
  return { compute, memory, position, binding, maxContext };
}

/** The n where the quadratic attention FLOPs overtake the linear ones (projections + FFN). */
export function crossoverLength(config: ModelConfig): number {
  assertConfig(config);
  return largestFitting((n) => attentionFlops(config, n) <= linearFlops(config, n));
}

export interface Remedy {
  name: string;
  /** The walls it moves. */
  limits: readonly Limit[];
  effect: string;
  /** Where it is implemented in this project. */
  module: string;
  /** The option or config change that models it here. */
  knob: string;
}

/** Each remedy, the limit it addresses and the module that implements it. */
export const REMEDIES: readonly Remedy[] = [
  {
    name: 'FlashAttention',
    limits: ['memory'],
    effect:
      'tiles the softmax so the n x n score matrix never exists: O(n) extra memory, same FLOPs, ' +
      'fewer memory round trips',
    module: 'ml/flash-attention.ts',
    knob: 'options.flash',
  },
  {
    name: 'GQA / MQA',
    limits: ['memory'],
    effect:
      'query heads share kvHeads < heads key/value heads: the KV cache shrinks by heads / kvHeads',
    module: 'ml/multi-head-attention.ts',
    knob: 'config.kvHeads',
  },
  {
    name: 'RoPE scaling (PI, NTK-aware, YaRN)',
    limits: ['position'],
    effect:
      'rescales rotary frequencies so s times the trained positions map into the trained range ' +
      '(usually with a short fine-tune)',
    module: 'ml/rope.ts',
    knob: 'options.ropeScale',
  },
  {
    name: 'Sliding-window attention',
    limits: ['compute', 'memory'],
    effect:
      'each query sees the last W keys: attention O(n W) instead of O(n^2), KV cache capped at ' +
      'W tokens',
    module: 'ml/positional-encoding/index.ts',
    knob: 'options.window',
  },
];

// ---------------------------------------------------------------------------------------------
// Common wrong answers.

/** Pitfall: sizes the KV cache with query heads (the MHA formula), wrong for GQA and MQA. */
export function pitfallKvCacheWithQueryHeads(config: ModelConfig, n: number): number {
  assertConfig(config);
  assertInteger('n', n, { min: 0 });
  const { layers, heads, headDim, dtypeBytes, batch } = config;
  return 2 * layers * heads * headDim * dtypeBytes * n * batch;
}

/** Pitfall: caches only the keys (forgets the factor 2 for K and V). */
export function pitfallKvCacheKeysOnly(config: ModelConfig, n: number): number {
  return kvCacheBytes(config, n) / 2;
}

/** Pitfall: counts causal attention as the full n^2 pairs (the mask's saving ignored). */
export function pitfallAttentionFlopsFullSquare(config: ModelConfig, n: number): number {
  assertConfig(config);
  assertInteger('n', n, { min: 0 });
  return 2 * (2 * config.headDim) * n * n * config.heads * config.layers * config.batch;
}

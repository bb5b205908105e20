/**
 * What limits the input length of an LLM, as a calculator: attention FLOPs, KV-cache bytes and the
 * score-matrix memory against context length n, and which of compute, memory and position
 * extrapolation runs out first. Answers: Q23 (限制输入长度的因素; 长上下文).
 *
 * Three walls, each with its remedies:
 *   compute:  attention costs O(n^2 d) per layer (every query meets every earlier key), the rest of
 *             the model O(n d^2); past n ~ d the quadratic term dominates.
 *   memory:   the KV cache grows linearly, 2 * layers * kvHeads * headDim * bytes per token, and a
 *             naive kernel also materialises an n x n score matrix per head.
 *   position: a model trained on L positions has never seen a relative distance > L; RoPE beyond
 *             it extrapolates badly.
 * Remedies and the modules that implement them (see `REMEDIES`): FlashAttention
 * (ml/flash-attention.ts) removes the n x n matrix from memory, same FLOPs; GQA / MQA
 * (ml/multi-head-attention.ts) divides the KV cache by heads / kvHeads; RoPE scaling, PI / NTK / YaRN
 * (ml/rope.ts), stretches the position limit; a sliding window (ml/positional-encoding.ts) caps both
 * the KV cache and the attention cost at W keys per query.
 *
 * Counting conventions: one multiply-add = 2 FLOPs; attention FLOPs are the two matrix products
 * Q K^T and weights x V (softmax and projections are counted separately); a causal mask is exploited
 * (query i meets keys 0..i), exactly as the from-scratch kernel in ml/scaled-dot-product-attention.ts
 * counts them. Forward pass (prefill) only.
 *
 * @example
 *   kvCacheBytesPerToken(LLAMA2_7B);   // 524288 = 2 * 32 layers * 4096 * 2 bytes = 512 KiB
 *   kvCacheBytes(LLAMA2_7B, 2048);     // 1073741824 = 1 GiB
 */
import { ArgumentError, ArgumentTypeError, assertInteger } from '../core/errors.js';

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

/** The remedies that change the numbers. */
export interface LongContextOptions {
  /** Sliding-window attention: each query sees at most the `window` most recent keys (itself included). */
  window?: number;
  /** FlashAttention: the n x n score matrix is never materialised. */
  flash?: boolean;
  /** RoPE scaling factor s (PI / NTK / YaRN): positions up to s * trainedContext. Default 1. */
  ropeScale?: number;
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

/** Llama 2 7B (Touvron et al. 2023; HF config): MHA, 32 layers, d = 4096, fp16, 4096 trained positions. */
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

function checkConfig(config: ModelConfig): void {
  if (config === null || typeof config !== 'object') throw new ArgumentTypeError('config', config, 'a ModelConfig object');
  for (const key of ['layers', 'dModel', 'heads', 'kvHeads', 'headDim', 'dtypeBytes', 'batch', 'trainedContext'] as const) {
    assertInteger(`config.${key}`, config[key], { min: 1 });
  }
  if (config.ffnHidden !== undefined) assertInteger('config.ffnHidden', config.ffnHidden, { min: 1 });
  if (config.heads % config.kvHeads !== 0) {
    throw new ArgumentError('config.kvHeads', config.kvHeads, `a divisor of config.heads = ${config.heads} (each KV head serves heads / kvHeads query heads)`);
  }
}

function checkOptions(options: LongContextOptions): void {
  if (options.window !== undefined) assertInteger('window', options.window, { min: 1 });
  if (options.ropeScale !== undefined && !(Number.isFinite(options.ropeScale) && options.ropeScale >= 1)) {
    throw new ArgumentError('ropeScale', options.ropeScale, 'a finite number >= 1');
  }
}

/** KV-cache bytes per token (batch 1): 2 (K and V) * layers * kvHeads * headDim * dtypeBytes. */
export function kvCacheBytesPerToken(config: ModelConfig): number {
  checkConfig(config);
  return 2 * config.layers * config.kvHeads * config.headDim * config.dtypeBytes;
}

/** KV-cache bytes for n tokens and the whole batch; a sliding window keeps only the last `window` tokens. */
export function kvCacheBytes(config: ModelConfig, n: number, options: LongContextOptions = {}): number {
  assertInteger('n', n, { min: 0 });
  checkOptions(options);
  const kept = options.window === undefined ? n : Math.min(n, options.window);
  return kvCacheBytesPerToken(config) * kept * config.batch;
}

/** Number of (query, visible key) pairs for n causal positions: n(n+1)/2, or sum_i min(i+1, W) with a window. */
export function visiblePairs(n: number, window?: number): number {
  assertInteger('n', n, { min: 0 });
  if (window === undefined || window >= n) return (n * (n + 1)) / 2;
  assertInteger('window', window, { min: 1 });
  // the first W queries see 1..W keys, the remaining n - W see W each
  return (window * (window + 1)) / 2 + (n - window) * window;
}

/**
 * Multiply-adds of Q K^T and weights x V for a causal prefill of n tokens, over all layers, heads
 * and the batch: pairs * (headDim for the score + headDim for the value) per head.
 */
export function attentionMadds(config: ModelConfig, n: number, options: LongContextOptions = {}): number {
  checkConfig(config);
  checkOptions(options);
  return config.layers * config.batch * config.heads * visiblePairs(n, options.window) * 2 * config.headDim;
}

/** Attention FLOPs (2 per multiply-add) for a causal prefill of n tokens. */
export function attentionFlops(config: ModelConfig, n: number, options: LongContextOptions = {}): number {
  return 2 * attentionMadds(config, n, options);
}

/**
 * FLOPs linear in n: the Q, K, V, O projections and the FFN, 2 FLOPs per weight per token
 * (the embedding lookup and the output head are left out).
 */
export function linearFlops(config: ModelConfig, n: number): number {
  checkConfig(config);
  assertInteger('n', n, { min: 0 });
  const { dModel, heads, kvHeads, headDim } = config;
  const ffnHidden = config.ffnHidden ?? 4 * dModel;
  const perLayer = 2 * dModel * heads * headDim + 2 * dModel * kvHeads * headDim + (config.gatedFfn ? 3 : 2) * dModel * ffnHidden;
  return 2 * perLayer * config.layers * n * config.batch;
}

/** Bytes of the score matrix a naive kernel materialises for one layer (all heads, the batch); 0 with FlashAttention. */
export function scoreMatrixBytes(config: ModelConfig, n: number, options: LongContextOptions = {}): number {
  checkConfig(config);
  assertInteger('n', n, { min: 0 });
  checkOptions(options);
  if (options.flash) return 0;
  const keys = options.window === undefined ? n : Math.min(n, options.window);
  return config.batch * config.heads * n * keys * config.dtypeBytes;
}

export type Limit = 'compute' | 'memory' | 'position';

export interface ContextLimits {
  /** Longest prompt whose prefill fits the FLOP budget. */
  compute: number;
  /** Longest context whose weights + KV cache (+ naive score matrix) fit in memory (Infinity if it never grows past it). */
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
 * Largest n >= 0 with fits(n), for a monotone `fits` (binary search); Infinity when even 2^40 fits
 * (a constraint that does not grow with n, e.g. the KV cache under a sliding window).
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

/** The three limits on context length for a model on a deployment, with the remedies in `options`. */
export function contextLimits(config: ModelConfig, deployment: Deployment, options: LongContextOptions = {}): ContextLimits {
  checkConfig(config);
  checkOptions(options);
  for (const key of ['memoryBytes', 'weightBytes', 'flopsPerSecond', 'prefillSeconds'] as const) {
    const v = deployment?.[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ArgumentError(`deployment.${key}`, v, 'a finite number >= 0');
  }
  const budget = deployment.flopsPerSecond * deployment.prefillSeconds;
  const compute = largestFitting((n) => attentionFlops(config, n, options) + linearFlops(config, n) <= budget);
  const free = deployment.memoryBytes - deployment.weightBytes;
  const memory = largestFitting((n) => kvCacheBytes(config, n, options) + scoreMatrixBytes(config, n, options) <= free);
  const position = Math.floor(config.trainedContext * (options.ropeScale ?? 1));
  const limits: [Limit, number][] = [['compute', compute], ['memory', memory], ['position', position]];
  const [binding, maxContext] = limits.reduce((best, l) => (l[1] < best[1] ? l : best));
  return { compute, memory, position, binding, maxContext };
}

/** The n where the quadratic attention FLOPs overtake the linear ones (projections + FFN). */
export function crossoverLength(config: ModelConfig): number {
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
  { name: 'FlashAttention', limits: ['memory'], effect: 'tiles the softmax so the n x n score matrix never exists: O(n) extra memory, same FLOPs, fewer memory round trips', module: 'ml/flash-attention.ts', knob: 'options.flash' },
  { name: 'GQA / MQA', limits: ['memory'], effect: 'query heads share kvHeads < heads key/value heads: the KV cache shrinks by heads / kvHeads', module: 'ml/multi-head-attention.ts', knob: 'config.kvHeads' },
  { name: 'RoPE scaling (PI, NTK-aware, YaRN)', limits: ['position'], effect: 'rescales rotary frequencies so s times the trained positions map into the trained range (usually with a short fine-tune)', module: 'ml/rope.ts', knob: 'options.ropeScale' },
  { name: 'Sliding-window attention', limits: ['compute', 'memory'], effect: 'each query sees the last W keys: attention O(n W) instead of O(n^2), KV cache capped at W tokens', module: 'ml/positional-encoding.ts', knob: 'options.window' },
];

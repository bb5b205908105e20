/**
 * The KV cache: generate token by token and keep every earlier token's keys and values, so that
 * each step computes q, k, v for the new token only. Answers: Q27 (KV Cache 作用与优化).
 *
 * Why: in a causal decoder the keys and values of tokens 0 .. t-1 do not change when token t
 * arrives (nobody attends to the future), so recomputing them at every step is pure waste.
 *
 *   one decode step at position t (per block, per head i reading key/value head g(i)):
 *     q_t, k_t, v_t = x_t W_Q^T, x_t W_K^T, x_t W_V^T       (RoPE on q_t, k_t at position t)
 *     K <- [K; k_t],  V <- [V; v_t]                          (the cache grows by one row)
 *     o_t = softmax(q_t K^T / sqrt(d_h)) V                    (the new query over the whole cache)
 *   memory:  2 (K and V) * layers * h_kv * d_h * bytes_per_element per token   (./bytes.ts)
 *
 * Symbols: d = d_model, h query heads, h_kv key/value heads of width d_h (h_kv = h MHA, 1 MQA,
 * in between GQA: the cache shrinks by h / h_kv), f the FFN width, t the number of cached tokens.
 *
 * Conventions: the block is the project's own (ml/transformer-block.ts: `blockSublayers` gives the
 * norms and the FFN, ml/multi-head-attention.ts the projections, heads and `attendHeads`, so any
 * `BlockConfig` works: post- or pre-norm, LayerNorm or RMSNorm, ReLU / GELU / SwiGLU, GQA, RoPE).
 * Keys are cached after RoPE, each rotated once at its absolute position, as HF and vLLM do; the
 * new token's position is the cache length (never 0 again: `pitfallDecodeStepPositionZero`).
 * Decoding rows one by one equals `blockForward(x, ..., { causal: true })` row by row.
 *
 * In this folder: the textbook `decodeStep` (one block, one token) first; ./cache.ts the cache
 * as data; ./decode.ts the engineered chunked step `extendCache` (prefill and decode in one,
 * counted), a stack of blocks and the two generation loops, with and without the cache;
 * ./bytes.ts the bytes-per-token calculator (MQA / GQA, quantised KV, sliding window) and the
 * published OPT-13B and Llama-2 numbers; ./tf.ts the tensor twin `decodeStepTf`; ./pitfalls.ts.
 *
 * Complexity of generating n tokens with L blocks (multiply-adds):
 *   with the cache:    L (n (4 d^2-ish + 2 or 3 d f) + h d_h n (n + 1))  = O(n d^2 + n^2 d)
 *   recomputing all:   L sum_t (t (4 d^2 + ...) + h d_h t (t + 1))       = O(n^2 d^2 + n^3 d)
 * Memory of the cache O(L h_kv d_h n); the price is that memory, not compute.
 *
 * @example
 *   const config = llamaBlockConfig({ dModel: 8, numHeads: 4, numKvHeads: 2, ffnHidden: 16 });
 *   const weights = initBlock(config, rng(1));
 *   let cache = emptyKvCache(config);                       // 2 kv heads x [0, 2]
 *   ({ output, cache } = decodeStep(x0, cache, weights, config));   // x0 [1, 8]; cache [1, 2]
 *   ({ output, cache } = decodeStep(x1, cache, weights, config));   // = row 1 of blockForward
 *   kvBytesPerToken(LLAMA2_70B_KV)                           // 327_680 (80 x 8 x 128 x 2 x 2)
 */
import { addMatrices, linear, type Matrix } from '../../core/matrix.js';
import { attendHeads, mergeHeads, splitHeads } from '../multi-head-attention.js';
import { applyRope } from '../rope.js';
import {
  assertBlockConfig,
  blockSublayers,
  type BlockConfig,
  type BlockWeights,
} from '../transformer-block.js';
import { appendRows, assertKvCache, assertTokens, type BlockKvCache } from './cache.js';

/**
 * One decode step of one block: the new token x [1, d_model] at position
 * t = cache.length computes its q, k, v only, appends k and v to the cache,
 * and its query attends over the whole cache. Returns the block's output row
 * [1, d_model] and the grown cache (t + 1 rows per kv head).
 */
export function decodeStep(
  x: Matrix,
  cache: BlockKvCache,
  weights: BlockWeights,
  config: BlockConfig,
): { output: Matrix; cache: BlockKvCache } {
  const { numHeads, numKvHeads } = assertBlockConfig(config);
  const { ffn, norm1, norm2 } = blockSublayers(weights, config);
  assertTokens('x', x, config, true);
  const t = assertKvCache('cache', cache, config); // the new token's position
  const w = weights.attention;
  const rotate = (head: Matrix) =>
    config.rope ? applyRope(head, { ...config.rope, offset: t }) : head;
  // 1. q, k, v of the new token only: h or h_kv heads [1, d_h], RoPE at t
  const a = config.placement === 'pre' ? norm1(x) : x;
  const q = splitHeads(linear(a, w.wq, w.bq), numHeads).map(rotate);
  const k = splitHeads(linear(a, w.wk, w.bk), numKvHeads).map(rotate);
  const v = splitHeads(linear(a, w.wv, w.bv), numKvHeads);
  // 2. append: every key/value head grows from [t, d_h] to [t + 1, d_h]
  const next: BlockKvCache = {
    length: t + 1,
    keys: cache.keys.map((kg, g) => appendRows(kg, k[g] as Matrix)),
    values: cache.values.map((vg, g) => appendRows(vg, v[g] as Matrix)),
  };
  // 3. the new query over the whole cache (all in the past: no mask)
  const heads = attendHeads(q, next.keys, next.values).outputs;
  const attended = linear(mergeHeads(heads), w.wo, w.bo);
  // 4. the rest of the block, as in blockForward: residuals, norms, FFN
  if (config.placement === 'pre') {
    const h = addMatrices(x, attended);
    return { output: addMatrices(h, ffn(norm2(h))), cache: next };
  }
  const h = norm1(addMatrices(x, attended));
  return { output: norm2(addMatrices(h, ffn(h))), cache: next };
}

export {
  MAX_CACHE_TOKENS,
  appendRows,
  assertKvCache,
  emptyKvCache,
  type BlockKvCache,
} from './cache.js';
export {
  KV_COUNTER_KINDS,
  MAX_DECODER_LAYERS,
  emptyStackCache,
  extendCache,
  generateCached,
  generateRecomputed,
  initDecoderStack,
  stackExtend,
  stackForward,
  type DecoderStack,
} from './decode.js';
export {
  KV_BYTES_PER_ELEMENT,
  assertKvShape,
  KV_DTYPES,
  LLAMA2_70B_KV,
  LLAMA2_7B_KV,
  OPT_13B_KV,
  kvBytesPerToken,
  kvCacheTotalBytes,
  kvShapeOf,
  type KvCacheShape,
  type KvDtype,
} from './bytes.js';
export { decodeSequenceTfMatrix, decodeStepTf, emptyKvCacheTf, type BlockKvCacheTf } from './tf.js';
export {
  pitfallDecodeStepForgetsToAppend,
  pitfallDecodeStepPositionZero,
  pitfallGenerateRecomputingKv,
  pitfallKvBytesPerTokenQueryHeads,
} from './pitfalls.js';

/**
 * How big the KV cache is: bytes per token and for a whole batch, with the switches that shrink
 * it (multi-query and grouped-query attention, quantised K/V, a sliding window).
 *
 *   bytes / token = 2 (K and V) x layers x kv_heads x head_dim x bytes_per_element
 *   total         = bytes / token x min(seq_len, window) x batch
 *
 * MHA: kv_heads = heads (kv_heads x head_dim = hidden); MQA: kv_heads = 1 (Shazeer 2019); GQA:
 * 1 < kv_heads < heads, a divisor of heads (Ainslie et al. 2023). Bytes per element: fp32 4,
 * fp16 / bf16 2, int8 1, int4 0.5 (scales and zero points of a quantised cache not counted).
 * A sliding window keeps only the last `window` tokens, so the cache stops growing there.
 *
 * Published numbers reproduced exactly (fp16):
 * - OPT-13B: 40 layers, hidden 5120 = 40 heads x 128, MHA (facebook/opt-13b config.json on the HF
 *   hub: hidden_size 5120, num_hidden_layers 40, num_attention_heads 40, torch_dtype float16):
 *   2 x 40 x 5120 x 2 = 819,200 B = 800 KiB per token, and 2048 tokens 1,677,721,600 B = 1600 MiB.
 *   The PagedAttention paper (Kwon et al., SOSP 2023, sec. 3) gives "800 KB" per token and "as
 *   much as 1.6 GB" for OPT's 2048-token limit: binary units.
 * - Llama-2-7B: 32 layers, 32 heads x 128, MHA (meta-llama/Llama-2-7b-hf config.json:
 *   hidden_size 4096, num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 32,
 *   torch_dtype float16): 2 x 32 x 32 x 128 x 2 = 524,288 B = 512 KiB per token.
 * - Llama-2-70B: 80 layers, 64 heads, 8 KV heads x 128, GQA (meta-llama/Llama-2-70b-hf
 *   config.json: hidden_size 8192, num_hidden_layers 80, num_attention_heads 64,
 *   num_key_value_heads 8, torch_dtype float16): 2 x 80 x 8 x 128 x 2 = 327,680 B = 320 KiB per
 *   token, less than the 7B model's although it is ten times larger.
 *
 * Complexity: O(1).
 *
 * @example
 *   kvBytesPerToken(OPT_13B_KV)                                 // 819_200
 *   kvBytesPerToken({ ...LLAMA2_7B_KV, numKvHeads: 1 })          // 16_384 (MQA)
 *   kvCacheTotalBytes({ ...LLAMA2_7B_KV, window: 4096 }, 32_768) // 2_147_483_648 = 2 GiB
 */
import { ArgumentError, assertInteger, assertObject, assertOneOf } from '../../core/errors.js';
import { assertBlockConfig, type BlockConfig } from '../transformer-block.js';

/** Storage formats of the cached K and V. */
export type KvDtype = 'fp32' | 'fp16' | 'bf16' | 'int8' | 'int4';

/** Bytes per element of each format (int4: two elements a byte). */
export const KV_BYTES_PER_ELEMENT: Readonly<Record<KvDtype, number>> = Object.freeze({
  fp32: 4,
  fp16: 2,
  bf16: 2,
  int8: 1,
  int4: 0.5,
});

export const KV_DTYPES = Object.freeze(Object.keys(KV_BYTES_PER_ELEMENT)) as readonly KvDtype[];

/** What the cache's size depends on. */
export interface KvCacheShape {
  /** Transformer blocks; each keeps its own K and V. */
  numLayers: number;
  /** Query heads (only to check that numKvHeads divides them). */
  numHeads: number;
  /** Key/value heads; default numHeads (MHA). 1 is MQA, in between GQA. */
  numKvHeads?: number;
  /** d_h, the width of one head. */
  headDim: number;
  /** Format of the cached elements; default 'fp16'. */
  dtype?: KvDtype;
  /** Sliding window: the cache holds at most this many tokens. Default none. */
  window?: number;
}

/** OPT-13B in fp16: 40 layers, 40 heads of 128 (hidden 5120), MHA. */
export const OPT_13B_KV: KvCacheShape = Object.freeze({
  numLayers: 40,
  numHeads: 40,
  headDim: 128,
  dtype: 'fp16',
});

/** Llama-2-7B in fp16: 32 layers, 32 heads of 128, MHA. */
export const LLAMA2_7B_KV: KvCacheShape = Object.freeze({
  numLayers: 32,
  numHeads: 32,
  numKvHeads: 32,
  headDim: 128,
  dtype: 'fp16',
});

/** Llama-2-70B in fp16: 80 layers, 64 query heads, 8 key/value heads of 128 (GQA). */
export const LLAMA2_70B_KV: KvCacheShape = Object.freeze({
  numLayers: 80,
  numHeads: 64,
  numKvHeads: 8,
  headDim: 128,
  dtype: 'fp16',
});

/** Sizes above this are refused: a description of a model, not a plan to allocate one. */
const MAX_SIZE = 2 ** 20;

/** Validates a shape; returns its kv heads, bytes per element and window (Infinity if none). */
export function assertKvShape(shape: unknown): {
  numKvHeads: number;
  bytes: number;
  window: number;
} {
  assertObject('shape', shape, 'a KvCacheShape { numLayers, numHeads, numKvHeads?, headDim, ... }');
  const { numLayers, numHeads, headDim } = shape;
  assertInteger('shape.numLayers', numLayers, { min: 1, max: MAX_SIZE });
  assertInteger('shape.numHeads', numHeads, { min: 1, max: MAX_SIZE });
  const numKvHeads = shape['numKvHeads'] ?? numHeads;
  assertInteger('shape.numKvHeads', numKvHeads, { min: 1, max: numHeads });
  if (numHeads % numKvHeads !== 0) {
    throw new ArgumentError(
      'shape.numKvHeads',
      numKvHeads,
      `a divisor of shape.numHeads = ${numHeads}: each KV head serves as many query heads`,
    );
  }
  assertInteger('shape.headDim', headDim, { min: 1, max: MAX_SIZE });
  const dtype = shape['dtype'] ?? 'fp16';
  assertOneOf('shape.dtype', dtype, KV_DTYPES);
  const window = shape['window'];
  if (window !== undefined) assertInteger('shape.window', window, { min: 1 });
  return {
    numKvHeads,
    bytes: KV_BYTES_PER_ELEMENT[dtype],
    window: window === undefined ? Number.POSITIVE_INFINITY : (window as number),
  };
}

/** Bytes one token adds to the cache: 2 (K and V) x layers x kv_heads x head_dim x bytes. */
export function kvBytesPerToken(shape: KvCacheShape): number {
  const { numKvHeads, bytes } = assertKvShape(shape);
  return 2 * shape.numLayers * numKvHeads * shape.headDim * bytes;
}

/**
 * Bytes of the whole cache after `seqLen` tokens for `batch` sequences: bytes / token x
 * min(seqLen, window) x batch. Throws if the total is not a safe integer (past 2^53 bytes).
 */
export function kvCacheTotalBytes(shape: KvCacheShape, seqLen: number, batch = 1): number {
  const { window } = assertKvShape(shape);
  assertInteger('seqLen', seqLen, { min: 0 });
  assertInteger('batch', batch, { min: 1 });
  const perSequence = kvBytesPerToken(shape) * Math.min(seqLen, window);
  if (!Number.isSafeInteger(perSequence))
    throw new ArgumentError('seqLen', seqLen, 'a length whose cache is below 2^53 bytes');
  const total = perSequence * batch;
  if (!Number.isSafeInteger(total))
    throw new ArgumentError('batch', batch, 'a batch whose cache is below 2^53 bytes');
  return total;
}

/** The cache shape of L blocks of `config` (the project's BlockConfig), stored as `dtype`. */
export function kvShapeOf(
  config: BlockConfig,
  numLayers: number,
  dtype: KvDtype = 'fp16',
): KvCacheShape {
  const { numHeads, numKvHeads, headDim } = assertBlockConfig(config);
  assertInteger('numLayers', numLayers, { min: 1, max: MAX_SIZE });
  assertOneOf('dtype', dtype, KV_DTYPES);
  return { numLayers, numHeads, numKvHeads, headDim, dtype };
}

/**
 * The tensor twin of `decodeStep`: one token through one block with a KV cache held as tensors
 * keys, values [h_kv, t, d_h], composed of the parts' twins (`attentionTf`, `ropeTf`,
 * `layerNormTf` / `rmsNormTf`, `swigluTf` / `denseFfnTf`) as `blockTf` is. Stepping a sequence
 * through it gives the rows of `blockTf(..., { causal: true })`. GQA by broadcasting: the query
 * heads [h_kv, h / h_kv, 1, d_h] against the cache [h_kv, 1, t + 1, d_h].
 */
import { ArgumentError, assertObject } from '../../core/errors.js';
import { assertMatrix, type Matrix } from '../../core/matrix.js';
import {
  assertTensor,
  assertTf,
  fromTensor2d,
  tensorBackend,
  type Tensor,
  type Tf,
} from '../../core/backend.js';
import { layerNormTf, rmsNormTf } from '../normalization.js';
import { ropeTf } from '../rope.js';
import { attentionTf } from '../scaled-dot-product-attention.js';
import { denseFfnTf, swigluTf, type GatedFfnTensors, type ReluFfnTensors } from '../swiglu.js';
import {
  assertBlockConfig,
  blockSublayers,
  blockWeightsTf,
  type BlockConfig,
  type BlockTensorWeights,
  type BlockWeights,
  type NormTensorWeights,
} from '../transformer-block.js';
import { MAX_CACHE_TOKENS, assertTokens } from './cache.js';

/** A block's cache as tensors: keys (after RoPE) and values [h_kv, t, d_h]. */
export interface BlockKvCacheTf {
  keys: Tensor;
  values: Tensor;
}

/** The empty cache: keys and values [h_kv, 0, d_h]. */
export function emptyKvCacheTf(tf: Tf, config: BlockConfig): BlockKvCacheTf {
  assertTf('tf', tf);
  const { numKvHeads, headDim } = assertBlockConfig(config);
  return { keys: tf.zeros([numKvHeads, 0, headDim]), values: tf.zeros([numKvHeads, 0, headDim]) };
}

function assertCacheTf(cache: unknown, hkv: number, dh: number): number {
  assertObject('cache', cache, 'a BlockKvCacheTf { keys, values } (emptyKvCacheTf)');
  for (const part of ['keys', 'values'] as const) {
    const t = cache[part];
    assertTensor(`cache.${part}`, t, 3);
    const [g, n, w] = t.shape as [number, number, number];
    if (g !== hkv || w !== dh || n >= MAX_CACHE_TOKENS) {
      throw new ArgumentError(
        `cache.${part}`,
        t,
        `a tensor [${hkv}, t, ${dh}] (h_kv, tokens, d_h)`,
        `shape [${t.shape.join(', ')}]`,
      );
    }
  }
  const [keys, values] = [cache['keys'], cache['values']] as [Tensor, Tensor];
  if (keys.shape[1] !== values.shape[1]) {
    throw new ArgumentError(
      'cache.values',
      values,
      `${keys.shape[1]} tokens like cache.keys`,
      `shape [${values.shape.join(', ')}]`,
    );
  }
  return keys.shape[1] as number;
}

function assertProjection(name: string, t: unknown, rows: number, cols: number): void {
  assertTensor(name, t, 2);
  if (t.shape[0] !== rows || t.shape[1] !== cols) {
    throw new ArgumentError(name, t, `shape [${rows}, ${cols}]`, `shape [${t.shape.join(', ')}]`);
  }
}

/**
 * One decode step on tensors: x [1, d_model] at position t = cache length -> the block's output
 * [1, d_model] and the cache grown to t + 1 tokens. Synchronous; the caller owns (and disposes)
 * the old cache and the results.
 */
export function decodeStepTf(
  tf: Tf,
  x: Tensor,
  cache: BlockKvCacheTf,
  weights: BlockTensorWeights,
  config: BlockConfig,
): { output: Tensor; cache: BlockKvCacheTf } {
  assertTf('tf', tf);
  const { numHeads: h, numKvHeads: hkv, headDim: dh, eps } = assertBlockConfig(config);
  assertTensor('x', x, 2);
  if (x.shape[0] !== 1 || x.shape[1] !== config.dModel) {
    throw new ArgumentError(
      'x',
      x,
      `one token [1, ${config.dModel}] (config.dModel)`,
      `shape [${x.shape.join(', ')}]`,
    );
  }
  const t = assertCacheTf(cache, hkv, dh);
  assertObject('weights', weights, 'BlockTensorWeights { attention, ffn, norm1, norm2 }');
  for (const name of ['attention', 'ffn', 'norm1', 'norm2'] as const)
    assertObject(`weights.${name}`, weights[name], 'an object of tensors');
  const w = weights.attention;
  assertProjection('weights.attention.wq', w.wq, h * dh, config.dModel);
  assertProjection('weights.attention.wk', w.wk, hkv * dh, config.dModel);
  assertProjection('weights.attention.wv', w.wv, hkv * dh, config.dModel);
  assertProjection('weights.attention.wo', w.wo, config.dModel, h * dh);
  const norm = (v: Tensor, nw: NormTensorWeights) =>
    config.norm === 'layer'
      ? layerNormTf(tf, v, nw.weight, nw.bias, eps)
      : rmsNormTf(tf, v, nw.weight, eps);
  const ffn = (v: Tensor) =>
    config.ffn === 'swiglu'
      ? swigluTf(tf, v, weights.ffn as GatedFfnTensors)
      : denseFfnTf(tf, v, weights.ffn as ReluFfnTensors, config.ffn);
  const proj = (v: Tensor, m: Tensor, b?: Tensor) => {
    const y = tf.matMul(v, m, false, true);
    return b === undefined ? y : tf.add(y, b);
  };
  const rotate = (v: Tensor) => (config.rope ? ropeTf(tf, v, { ...config.rope, offset: t }) : v);
  const result = tf.tidy(() => {
    // q, k, v of the new token: [1, H d_h] -> [H, 1, d_h], RoPE at position t
    const a = config.placement === 'pre' ? norm(x, weights.norm1) : x;
    const q = rotate(tf.reshape(proj(a, w.wq, w.bq), [h, 1, dh]));
    const k = rotate(tf.reshape(proj(a, w.wk, w.bk), [hkv, 1, dh]));
    const v = tf.reshape(proj(a, w.wv, w.bv), [hkv, 1, dh]);
    // append: [h_kv, t, d_h] -> [h_kv, t + 1, d_h]
    const keys = tf.concat([cache.keys, k], 1);
    const values = tf.concat([cache.values, v], 1);
    // groups: q [h_kv, h / h_kv, 1, d_h] over the cache [h_kv, 1, t + 1, d_h], no mask
    const attended = attentionTf(
      tf,
      tf.reshape(q, [hkv, h / hkv, 1, dh]),
      tf.expandDims(keys, 1),
      tf.expandDims(values, 1),
    );
    // [h_kv, h / h_kv, 1, d_h] -> [1, h d_h] (head i = g h / h_kv + j), then W_O
    const merged = proj(tf.reshape(attended, [1, h * dh]), w.wo, w.bo);
    let output: Tensor;
    if (config.placement === 'pre') {
      const hidden = tf.add(x, merged);
      output = tf.add(hidden, ffn(norm(hidden, weights.norm2)));
    } else {
      const hidden = norm(tf.add(x, merged), weights.norm1);
      output = norm(tf.add(hidden, ffn(hidden)), weights.norm2);
    }
    return { output, keys, values };
  });
  return { output: result.output, cache: { keys: result.keys, values: result.values } };
}

/**
 * Every row of x [n, d_model] through `decodeStepTf` in turn (float32), the outputs stacked
 * [n, d_model]: the Matrix-level edge for the agreement properties.
 */
export async function decodeSequenceTfMatrix(
  x: Matrix,
  weights: BlockWeights,
  config: BlockConfig,
): Promise<Matrix> {
  blockSublayers(weights, config);
  assertMatrix('x', x);
  if (x.rows < 1 || x.rows > MAX_CACHE_TOKENS) {
    throw new ArgumentError('x', x, `1 to ${MAX_CACHE_TOKENS} tokens`, `${x.rows} rows`);
  }
  assertTokens('x', x, config, false);
  const { tf } = await tensorBackend();
  const out = tf.tidy(() => {
    const tensors = blockWeightsTf(tf, weights);
    const xs = tf.tensor2d(Float32Array.from(x.data), [x.rows, x.cols]);
    let cache = emptyKvCacheTf(tf, config);
    const rows: Tensor[] = [];
    for (let i = 0; i < x.rows; i++) {
      const step = decodeStepTf(tf, tf.slice(xs, [i, 0], [1, x.cols]), cache, tensors, config);
      rows.push(step.output);
      cache = step.cache;
    }
    return tf.concat(rows, 0);
  });
  return fromTensor2d(out);
}

/**
 * ALiBi (Press et al. 2022): no encoding on the tokens; each head h adds -m_h |i - j| to its
 * attention logits, with head slopes m_h from a geometric sequence. From scratch through
 * `attentionMasked`, and in tfjs through `attentionTf` with `causalMaskTf` / `slidingWindowMaskTf`
 * (ml/scaled-dot-product-attention.ts).
 */
import {
  ArgumentError,
  assertArray,
  assertFinite,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertMatrix, matrix, type Matrix } from '../../core/matrix.js';
import { assertTensor, assertTf, onMatrices, type Tensor, type Tf } from '../../core/backend.js';
import {
  attentionMasked,
  attentionTf,
  causalMaskTf,
  slidingWindowMaskTf,
  type AttentionResult,
} from '../scaled-dot-product-attention.js';
import { MAX_ELEMENTS } from './sizes.js';
import { slidingWindow } from './sliding-window.js';

/** The most heads a slope list is built for. */
const MAX_HEADS = 2 ** 16;

/** Geometric slopes 2^(-8k/h), k = 1..h, for h a power of two. */
function powerOfTwoSlopes(h: number): number[] {
  const start = 2 ** (-8 / h);
  return Array.from({ length: h }, (_, k) => start ** (k + 1));
}

/** ALiBi head slopes m_1 .. m_h (the non-power-of-two rule is in the comment of index.ts). */
export function alibiSlopes(numHeads: number): number[] {
  assertInteger('numHeads', numHeads, { min: 1, max: MAX_HEADS });
  const p = 2 ** Math.floor(Math.log2(numHeads));
  if (p === numHeads) return powerOfTwoSlopes(numHeads);
  // the p slopes of p heads, then every other slope of 2p heads
  const extra = powerOfTwoSlopes(2 * p).filter((_, k) => k % 2 === 0);
  return [...powerOfTwoSlopes(p), ...extra.slice(0, numHeads - p)];
}

function assertBiasArgs(n: unknown, m: unknown, slope: unknown, queryOffset: unknown): void {
  assertInteger('n', n, { min: 0 });
  assertInteger('m', m, { min: 0 });
  if (n * m > MAX_ELEMENTS) throw new ArgumentError('m', m, `n m <= 2^27 with n = ${n}`);
  assertFinite('slope', slope);
  assertFinite('queryOffset', queryOffset);
}

/**
 * The ALiBi bias [n, m] of one head: -slope |i - j|, query i at position queryOffset + i (default
 * m - n, the last n of m keys, as when decoding with a cache). Causal models also mask j > i.
 */
export function alibiBias(n: number, m: number, slope: number, queryOffset?: number): Matrix {
  assertBiasArgs(n, m, slope, queryOffset ?? 0);
  const offset = queryOffset ?? m - n;
  const bias = matrix(n, m);
  for (let i = 0; i < n; i++) {
    // 0 - x: a true 0 on the diagonal, not -0
    for (let j = 0; j < m; j++) bias.data[i * m + j] = 0 - slope * Math.abs(offset + i - j);
  }
  return bias;
}

/**
 * ALiBi attention of one head, from scratch: attentionMasked with the bias of `slope`, causal, or
 * inside a sliding window of `window` keys when given. q [n, d_k], k [n, d_k], v [n, d_v].
 */
export function alibiAttention(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  slope: number,
  window?: number,
): AttentionResult {
  assertMatrix('q', q);
  assertMatrix('k', k);
  if (window !== undefined) assertInteger('window', window, { min: 1 });
  const bias = alibiBias(q.rows, k.rows, slope);
  if (window === undefined) return attentionMasked(q, k, v, { bias, causal: true });
  return attentionMasked(q, k, v, { bias, causal: true, visible: slidingWindow(window) });
}

/** The bias of `alibiBias` as a tensor [n, m], built from ranges (no loop over pairs). */
export function alibiBiasTf(
  tf: Tf,
  n: number,
  m: number,
  slope: number,
  queryOffset?: number,
): Tensor {
  assertTf('tf', tf);
  assertBiasArgs(n, m, slope, queryOffset ?? 0);
  const offset = queryOffset ?? m - n;
  return tf.tidy(() => alibiBiasUnchecked(tf, n, m, tf.scalar(slope), offset));
}

/** -slope |queryOffset + i - j| for slopes broadcast against [n, m] ([] or [h, 1, 1]). */
function alibiBiasUnchecked(
  tf: Tf,
  n: number,
  m: number,
  slope: Tensor,
  queryOffset: number,
): Tensor {
  // position of query i as a column [n, 1], key j as a row [1, m]
  const i = tf.reshape(tf.add(tf.range(0, n, 1, 'float32'), queryOffset), [n, 1]);
  const j = tf.reshape(tf.range(0, m, 1, 'float32'), [1, m]);
  const distance = tf.abs(tf.sub(i, j)); // [n, m]
  return tf.neg(tf.mul(slope, distance));
}

/** The biases of all h heads, [h, n, m], with the slopes of `alibiSlopes(numHeads)`. */
export function alibiHeadBiasesTf(
  tf: Tf,
  n: number,
  m: number,
  numHeads: number,
  queryOffset?: number,
): Tensor {
  assertTf('tf', tf);
  assertBiasArgs(n, m, 0, queryOffset ?? 0);
  const offset = queryOffset ?? m - n;
  const slopes = alibiSlopes(numHeads);
  if (numHeads * n * m > MAX_ELEMENTS) {
    throw new ArgumentError('numHeads', numHeads, 'h n m <= 2^27 bias values');
  }
  return tf.tidy(() => {
    const s = tf.reshape(tf.tensor1d(slopes), [numHeads, 1, 1]); // one slope per head
    return alibiBiasUnchecked(tf, n, m, s, offset); // [h, 1, 1] x [n, m] -> [h, n, m]
  });
}

export interface AlibiTfOptions {
  /** Only the last `window` keys are visible (itself included); causal when absent. */
  window?: number;
  /** One slope per head (q's head axis is -3; a rank-2 q is one head). Default alibiSlopes(h). */
  slopes?: readonly number[];
}

/**
 * ALiBi attention on tensors: q [..., h, n, d_k], k [..., h, n, d_k], v [..., h, n, d_v], or one
 * head [n, d]. The head biases and the causal or sliding-window mask are built as tensors and
 * passed to `attentionTf`. Synchronous, valid inside tf.tidy.
 */
export function alibiAttentionTf(
  tf: Tf,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AlibiTfOptions = {},
): Tensor {
  assertTf('tf', tf);
  assertTensor('q', q);
  assertTensor('k', k);
  assertObject('options', options, 'an options object { window?, slopes? }');
  if (q.rank < 2) {
    throw new ArgumentError('q', q, 'a tensor [..., n, d_k] of rank >= 2', `rank ${q.rank}`);
  }
  if (k.rank < 2) {
    throw new ArgumentError('k', k, 'a tensor [..., m, d_k] of rank >= 2', `rank ${k.rank}`);
  }
  const n = q.shape[q.rank - 2] as number;
  const m = k.shape[k.rank - 2] as number;
  const heads = q.rank >= 3 ? (q.shape[q.rank - 3] as number) : 1;
  const { window, slopes = alibiSlopes(Math.max(heads, 1)) } = options;
  if (window !== undefined) assertInteger('options.window', window, { min: 1 });
  assertArray('options.slopes', slopes);
  if (slopes.length !== heads) {
    throw new ArgumentError('options.slopes', slopes, `${heads} slopes, one per head of q`);
  }
  slopes.forEach((s, h) => assertFinite(`options.slopes[${h}]`, s));
  assertBiasArgs(n, m, 0, m - n);
  return tf.tidy(() => {
    // one slope per head, [h, 1, 1] against [n, m]; a single head takes a scalar
    const perHead = tf.tensor1d(slopes as number[]);
    const s = q.rank >= 3 ? tf.reshape(perHead, [heads, 1, 1]) : tf.reshape(perHead, []);
    const bias = alibiBiasUnchecked(tf, n, m, s, m - n); // [h, n, m] or [n, m]
    const mask =
      window === undefined ? causalMaskTf(tf, n, m) : slidingWindowMaskTf(tf, n, m, window);
    return attentionTf(tf, q, k, v, { bias, mask });
  });
}

/** `alibiAttention(...).output` computed by `alibiAttentionTf` (one head, float32). */
export async function alibiAttentionTfMatrix(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  slope: number,
  window?: number,
): Promise<Matrix> {
  assertMatrix('q', q);
  assertMatrix('k', k);
  assertMatrix('v', v);
  assertFinite('slope', slope);
  const options = { slopes: [slope], ...(window === undefined ? {} : { window }) };
  return onMatrices((tf, qT, kT, vT) => alibiAttentionTf(tf, qT, kT, vT, options), q, k, v);
}

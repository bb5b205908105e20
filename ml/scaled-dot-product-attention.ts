/**
 * Scaled dot-product attention: every query takes a weighted average of the values, weighted by a
 * softmax over how well it matches each key.
 * Answers: Q09 (手写 self attention 及时间复杂度), Q11 (Attention 运算公式), Q12 (为什么除以根号 dk).
 *
 *   Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V          (Vaswani et al. 2017, eq. 1)
 *
 * Symbols: n queries and m keys; Q is [n, d_k], K is [m, d_k], V is [m, d_v]; the output is [n, d_v].
 * Self-attention is the case Q, K, V all computed from the same sequence (n = m).
 *
 * Why 1 / sqrt(d_k) (Q12): if the entries of q and k are independent with mean 0 and variance 1,
 * q . k is a sum of d_k such products, so it has mean 0 and variance d_k. Without scaling the logits
 * grow like sqrt(d_k), the softmax saturates to one-hot and its gradients vanish; dividing by
 * sqrt(d_k) keeps the logits at unit variance for every width. `scalingExperiment` measures this.
 *
 * Masks: `causal` hides key j from query i when j > i (a decoder must not see the future); `keyPadding`
 * hides padded keys. Masked logits are -Infinity before the softmax, never zeroed after it. A query
 * row with every key masked has no distribution to take: it gets zero weights and a zero output
 * (FlashAttention's convention), not NaN.
 *
 * Complexity: Q K^T is n m d_k multiply-adds and weights x V is n m d_v, so O(n^2 d) time for
 * self-attention, and O(n m) memory for the weight matrix (what FlashAttention avoids).
 *
 * @example
 *   const { output, weights } = attention(fromRows([[1, 0]]), fromRows([[1, 0], [0, 1]]), fromRows([[1], [2]]));
 *   // weights [[0.670, 0.330]] = softmax([1, 0] / sqrt 2); output [[1.330]]
 */
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';
import { assertMatrix, matrix, shapeOf, type Matrix, type OpCounter } from '../core/matrix.js';
import type { Rng } from '../core/random.js';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';

export interface AttentionOptions {
  /** Query i may only attend to keys j <= i. Needs n <= m; query i is aligned with key i. */
  causal?: boolean;
  /** keyPadding[j] = true hides key j from every query (a padded position). Length m. */
  keyPadding?: readonly boolean[];
  /** visible(i, j) = false hides key j from query i: any mask, e.g. a sliding window (ml/positional-encoding.ts). */
  visible?: (i: number, j: number) => boolean;
  /** [n, m], added to the scaled logits before the softmax: a position bias such as ALiBi. */
  bias?: Matrix;
  /** Multiplies the logits; defaults to 1 / sqrt(d_k). Pass 1 to see the unscaled (wrong) variant. */
  scale?: number;
  /** If given, every multiply-add is added to `ops.madds`. */
  ops?: OpCounter;
}

export interface AttentionResult {
  /** [n, d_v] */
  output: Matrix;
  /** [n, m]: row i is the distribution of query i over the keys. */
  weights: Matrix;
}

/**
 * Validates shapes and masks once, for every attention kernel (this one, its tfjs twin, the tiled
 * FlashAttention, the biased attention of ALiBi). Returns n, m, d_k, d_v, the scale and the masks.
 */
export function checkAttentionInputs(q: Matrix, k: Matrix, v: Matrix, options: AttentionOptions) {
  assertMatrix('q', q);
  assertMatrix('k', k);
  assertMatrix('v', v);
  if (q.cols !== k.cols) throw new ArgumentError('k', k, `d_k = ${q.cols} columns like q ${shapeOf(q)}`, `shape ${shapeOf(k)}`);
  if (v.rows !== k.rows) throw new ArgumentError('v', v, `${k.rows} rows, one per key of k ${shapeOf(k)}`, `shape ${shapeOf(v)}`);
  if (q.cols === 0) throw new ArgumentError('q', q, 'd_k >= 1', `shape ${shapeOf(q)}`);
  const { causal = false, keyPadding } = options;
  if (keyPadding !== undefined && (!Array.isArray(keyPadding) || keyPadding.length !== k.rows)) {
    throw new ArgumentError('keyPadding', keyPadding, `an array of ${k.rows} booleans, one per key`);
  }
  if (causal && q.rows > k.rows) throw new ArgumentError('q', q, `at most ${k.rows} queries for a causal mask over ${k.rows} keys`, `shape ${shapeOf(q)}`);
  const { visible, bias } = options;
  if (visible !== undefined && typeof visible !== 'function') throw new ArgumentTypeError('visible', visible, 'a function (i, j) => boolean');
  if (bias !== undefined) {
    assertMatrix('bias', bias);
    if (bias.rows !== q.rows || bias.cols !== k.rows) throw new ArgumentError('bias', bias, `shape [${q.rows}, ${k.rows}] (queries x keys)`, `shape ${shapeOf(bias)}`);
  }
  const scale = options.scale ?? 1 / Math.sqrt(q.cols);
  if (!Number.isFinite(scale)) throw new ArgumentError('scale', scale, 'a finite number');
  /** Whether query i may see key j under every mask given. */
  const sees = (i: number, j: number) => !((causal && j > i) || keyPadding?.[j] === true || (visible !== undefined && !visible(i, j)));
  return { n: q.rows, m: k.rows, dk: q.cols, dv: v.cols, scale, causal, keyPadding, sees, bias };
}

/**
 * Numerically stable softmax of `logits[0..len)` written into `out`: subtract the max first so that
 * exp never overflows (logits of 1e3 are fine). -Infinity entries get weight 0; an all -Infinity row
 * gets all zeros. Returns the row sum before normalising (0 for an empty row).
 */
export function softmaxInto(logits: Float64Array, out: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < logits.length; j++) max = Math.max(max, logits[j] as number);
  if (max === Number.NEGATIVE_INFINITY) {
    out.fill(0);
    return 0;
  }
  let sum = 0;
  for (let j = 0; j < logits.length; j++) {
    const e = Math.exp((logits[j] as number) - max);
    out[j] = e;
    sum += e;
  }
  for (let j = 0; j < logits.length; j++) out[j] = (out[j] as number) / sum;
  return sum;
}

/** softmax(Q K^T * scale + bias + mask) V, from scratch on Float64Arrays. */
export function attention(q: Matrix, k: Matrix, v: Matrix, options: AttentionOptions = {}): AttentionResult {
  const { n, m, dk, dv, scale, sees, bias } = checkAttentionInputs(q, k, v, options);
  const weights = matrix(n, m);
  const output = matrix(n, dv);
  const logits = new Float64Array(m);
  let madds = 0;
  for (let i = 0; i < n; i++) {
    // logits[j] = (q_i . k_j) * scale + bias_ij, or -Infinity where masked
    for (let j = 0; j < m; j++) {
      if (!sees(i, j)) {
        logits[j] = Number.NEGATIVE_INFINITY;
        continue;
      }
      let dot = 0;
      for (let c = 0; c < dk; c++) dot += (q.data[i * dk + c] as number) * (k.data[j * dk + c] as number);
      madds += dk;
      logits[j] = dot * scale + (bias === undefined ? 0 : (bias.data[i * m + j] as number));
    }
    // weights_i = softmax(logits)
    const row = weights.data.subarray(i * m, (i + 1) * m);
    softmaxInto(logits, row);
    // output_i = sum_j weights_ij * v_j
    const out = output.data.subarray(i * dv, (i + 1) * dv);
    for (let j = 0; j < m; j++) {
      const w = row[j] as number;
      if (w === 0) continue; // masked (or underflowed) keys contribute nothing
      for (let c = 0; c < dv; c++) out[c] = (out[c] as number) + w * (v.data[j * dv + c] as number);
      madds += dv;
    }
  }
  if (options.ops) options.ops.madds += madds;
  return { output, weights };
}

/** The same computation with tfjs tensors (float32), as the oracle the from-scratch version is checked against. */
export async function attentionTf(q: Matrix, k: Matrix, v: Matrix, options: AttentionOptions = {}): Promise<AttentionResult> {
  const { n, m, scale, sees, bias } = checkAttentionInputs(q, k, v, options);
  const { tf } = await tensorBackend();
  // visible[i][j] = 1 where query i may see key j
  const visible = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) visible[i * m + j] = sees(i, j) ? 1 : 0;
  const [w, o] = tf.tidy(() => {
    const mask = tf.tensor2d(visible, [n, m]);
    // [n, d_k] x [d_k, m] -> [n, m]
    const scaled = tf.mul(tf.matMul(toTensor2d(tf, q), toTensor2d(tf, k), false, true), scale);
    const logits = bias === undefined ? scaled : tf.add(scaled, toTensor2d(tf, bias));
    // a fully masked row would be softmax(-inf, ..., -inf) = NaN: give it zeros, like the from-scratch version
    const rowVisible = tf.broadcastTo(tf.greater(tf.sum(mask, 1, true), 0), [n, m]);
    const maskedLogits = tf.where(tf.cast(mask, 'bool'), logits, tf.fill([n, m], Number.NEGATIVE_INFINITY));
    const weightsT = tf.where(rowVisible, tf.softmax(tf.where(rowVisible, maskedLogits, tf.zerosLike(logits))), tf.zerosLike(logits));
    // [n, m] x [m, d_v] -> [n, d_v]
    return [weightsT, tf.matMul(weightsT, toTensor2d(tf, v))];
  });
  return { weights: await fromTensor2d(w), output: await fromTensor2d(o) };
}

/** Shannon entropy (nats) of each row of a weight matrix. */
export function rowEntropies(weights: Matrix): number[] {
  return Array.from({ length: weights.rows }, (_, i) => {
    let h = 0;
    for (let j = 0; j < weights.cols; j++) {
      const p = weights.data[i * weights.cols + j] as number;
      if (p > 0) h -= p * Math.log(p);
    }
    return h;
  });
}

export interface ScalingPoint {
  dk: number;
  /** Empirical variance of q . k over the trials: theory says d_k. */
  varianceUnscaled: number;
  /** Empirical variance of q . k / sqrt(d_k): theory says 1. */
  varianceScaled: number;
  /** Mean softmax entropy over `keys` keys, as a fraction of the uniform maximum ln(keys). */
  entropyUnscaled: number;
  entropyScaled: number;
}

/**
 * Q12 as an experiment: for each d_k draw q and `keys` keys with iid N(0, 1) entries, and measure
 * the variance of the dot products and the softmax entropy with and without 1/sqrt(d_k).
 */
export function scalingExperiment(dks: readonly number[], keys: number, trials: number, rng: Rng): ScalingPoint[] {
  return dks.map((dk) => {
    const dots: number[] = [];
    let hUnscaled = 0;
    let hScaled = 0;
    for (let t = 0; t < trials; t++) {
      const q = matrix(1, dk, rng.array(dk, () => rng.normal()));
      const k = matrix(keys, dk, rng.array(keys * dk, () => rng.normal()));
      const v = matrix(keys, 1);
      const unscaled = attention(q, k, v, { scale: 1 });
      const scaled = attention(q, k, v);
      hUnscaled += rowEntropies(unscaled.weights)[0] as number;
      hScaled += rowEntropies(scaled.weights)[0] as number;
      for (let j = 0; j < keys; j++) {
        let dot = 0;
        for (let c = 0; c < dk; c++) dot += (q.data[c] as number) * (k.data[j * dk + c] as number);
        dots.push(dot);
      }
    }
    const mean = dots.reduce((s, x) => s + x, 0) / dots.length;
    const variance = dots.reduce((s, x) => s + (x - mean) ** 2, 0) / (dots.length - 1);
    const maxH = Math.log(keys);
    return {
      dk,
      varianceUnscaled: variance,
      varianceScaled: variance / dk,
      entropyUnscaled: hUnscaled / trials / maxH,
      entropyScaled: hScaled / trials / maxH,
    };
  });
}

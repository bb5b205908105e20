/**
 * Positional information for attention, which by itself is blind to order (permute the tokens and
 * the outputs permute with them). Absolute encodings add a position vector to each token; relative
 * schemes change the attention scores by the offset i - j.
 * Answers: Q13 (相对/绝对位置编码异同), Q17 (位置编码的实现方式).
 *
 *   sinusoidal (absolute, fixed)  PE(p, 2i) = sin(p w_i), PE(p, 2i+1) = cos(p w_i), w_i = 10000^(-2i/d)   (Vaswani et al. 2017)
 *   learned (absolute)            a trainable table P [L_max, d], x_p + P[p]                       (BERT, GPT-2)
 *   ALiBi (relative, bias)        logits_ij += -m_h (i - j), slopes m_h geometric per head          (Press et al. 2022)
 *   RoPE (relative, rotation)     see ml/rope.ts
 *   sliding window (a mask)       query i sees keys j with i - W < j <= i                          (Longformer, Mistral)
 *
 * ALiBi's bias and the window's mask go straight into the one attention kernel: `attention(q, k, v,
 * { bias, visible })` and its tfjs twin `attentionTf` in ml/scaled-dot-product-attention.ts.
 *
 * Sinusoidal shift: every pair (sin p w, cos p w) moves to (sin (p+k) w, cos (p+k) w) by a rotation
 * through k w, so PE(p + k) = M_k PE(p) with M_k block-diagonal and independent of p: a fixed
 * linear map the model can learn to use for relative offsets (the paper's stated motivation).
 *
 * ALiBi slopes: for h heads, a power of two, m_k = 2^(-8k/h), k = 1..h (start 2^(-8/h), same ratio):
 * 8 heads give 1/2, 1/4, ..., 1/256. For other h (the rule of the authors' `get_slopes`): take the
 * p = 2^floor(log2 h) slopes of p heads, then the first h - p of every other slope of 2p heads
 * (2p slopes at even positions 0, 2, 4, ...). 12 heads: 2^-1 .. 2^-8, then 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5.
 *
 * Complexity: sinusoidal and learned O(n d) to add; ALiBi O(n m) bias per head (fused into the
 * logits, no parameters); a sliding window cuts attention from O(n^2 d) to O(n W d).
 *
 * @example
 *   sinusoidalEncoding(2, 4)      // [[0, 1, 0, 1], [0.841471, 0.540302, 0.010000, 0.999950]]
 *   alibiSlopes(8)                // [0.5, 0.25, ..., 0.00390625]
 *   attention(q, k, v, { bias: alibiBias(n, n, 0.5), visible: slidingWindow(4) })   // ml/scaled-dot-product-attention.ts
 */
import { ArgumentError, assertFinite, assertInteger } from '../core/errors.js';
import { assertMatrix, matrix, randomMatrix, shapeOf, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/random.js';
import { fromTensor2d, tensorBackend } from '../core/backend.js';

function assertEvenWidth(argument: string, d: unknown): asserts d is number {
  assertInteger(argument, d, { min: 2 });
  if (d % 2 !== 0) throw new ArgumentError(argument, d, 'an even width (sin and cos come in pairs)');
}

/** w_i = base^(-2i/d) for the pair (2i, 2i+1). */
function pairFrequency(i: number, d: number, base: number): number {
  return base ** ((-2 * i) / d);
}

export interface SinusoidalOptions {
  /** Default 10000. */
  base?: number;
  /** Position of the first row. Default 0. */
  offset?: number;
}

/** The sinusoidal table [n, d]: row p is PE(offset + p). */
export function sinusoidalEncoding(n: number, d: number, options: SinusoidalOptions = {}): Matrix {
  assertInteger('n', n, { min: 0 });
  assertEvenWidth('d', d);
  const { base = 10000, offset = 0 } = options;
  assertFinite('base', base);
  assertFinite('offset', offset);
  const pe = matrix(n, d);
  for (let p = 0; p < n; p++) {
    for (let i = 0; i < d / 2; i++) {
      // PE(p, 2i) = sin(p w_i), PE(p, 2i+1) = cos(p w_i)
      const angle = (offset + p) * pairFrequency(i, d, base);
      pe.data[p * d + 2 * i] = Math.sin(angle);
      pe.data[p * d + 2 * i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

/**
 * WRONG (a common slip): the frequency indexed by the coordinate j instead of the pair i, so the cos
 * slot 2i+1 gets 10000^(-(2i+1)/d) while its sin partner has 10000^(-2i/d). The pair is no longer
 * one circle and PE(p + k) is no longer a fixed linear map of PE(p).
 */
export function sinusoidalEncodingVariant(n: number, d: number, options: SinusoidalOptions = {}): Matrix {
  assertInteger('n', n, { min: 0 });
  assertEvenWidth('d', d);
  const { base = 10000, offset = 0 } = options;
  const pe = matrix(n, d);
  for (let p = 0; p < n; p++) {
    for (let j = 0; j < d; j++) {
      const angle = (offset + p) * base ** (-j / d);
      pe.data[p * d + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return pe;
}

/**
 * M_k [d, d] with PE(p + k) = M_k PE(p) (column vectors) for every p: block i is
 * [[cos k w_i, sin k w_i], [-sin k w_i, cos k w_i]], from sin(a + b) and cos(a + b).
 */
export function sinusoidalShift(k: number, d: number, base = 10000): Matrix {
  assertFinite('k', k);
  assertEvenWidth('d', d);
  const m = matrix(d, d);
  for (let i = 0; i < d / 2; i++) {
    const c = Math.cos(k * pairFrequency(i, d, base));
    const s = Math.sin(k * pairFrequency(i, d, base));
    const [a, b] = [2 * i, 2 * i + 1];
    // sin(x + y) = sin x cos y + cos x sin y;  cos(x + y) = cos x cos y - sin x sin y
    m.data[a * d + a] = c;
    m.data[a * d + b] = s;
    m.data[b * d + a] = -s;
    m.data[b * d + b] = c;
  }
  return m;
}

/** The sinusoidal table computed in tfjs (outer product positions x frequencies, then sin / cos interleaved): the oracle. */
export async function sinusoidalEncodingTf(n: number, d: number, options: SinusoidalOptions = {}): Promise<Matrix> {
  assertInteger('n', n, { min: 1 });
  assertEvenWidth('d', d);
  const { base = 10000, offset = 0 } = options;
  const { tf } = await tensorBackend();
  const t = tf.tidy(() => {
    const positions = tf.add(tf.range(0, n, 1, 'float32'), offset).reshape([n, 1]);
    const freqs = tf.exp(tf.mul(tf.range(0, d / 2, 1, 'float32'), (-2 * Math.log(base)) / d)).reshape([1, d / 2]);
    const angles = tf.matMul(positions, freqs); // [n, d/2]
    // stack on a last axis then flatten: [n, d/2, 2] -> [n, d] = sin, cos, sin, cos, ...
    return tf.reshape(tf.stack([tf.sin(angles), tf.cos(angles)], 2), [n, d]);
  });
  return fromTensor2d(t);
}

/** A learned absolute table [maxLength, d], initialised N(0, std^2) (std 0.02, BERT's initializer_range). */
export function learnedPositionTable(maxLength: number, d: number, rng: Rng, std = 0.02): Matrix {
  assertInteger('maxLength', maxLength, { min: 1 });
  assertInteger('d', d, { min: 1 });
  return randomMatrix(maxLength, d, rng, () => rng.normal(0, std));
}

/**
 * x + table[offset .. offset + n): absolute positions added to token vectors x [n, d]. A learned
 * table has no row past maxLength, so this throws there: it cannot extrapolate.
 */
export function addPositions(x: Matrix, table: Matrix, offset = 0): Matrix {
  assertMatrix('x', x);
  assertMatrix('table', table);
  assertInteger('offset', offset, { min: 0 });
  if (x.cols !== table.cols) throw new ArgumentError('table', table, `d = ${x.cols} columns like x ${shapeOf(x)}`, `shape ${shapeOf(table)}`);
  if (offset + x.rows > table.rows) {
    throw new ArgumentError('x', x, `at most ${table.rows - offset} rows from offset ${offset}: the table ${shapeOf(table)} has no position beyond ${table.rows - 1}`, `shape ${shapeOf(x)}`);
  }
  const out = matrix(x.rows, x.cols, x.data);
  for (let i = 0; i < out.data.length; i++) out.data[i] = (out.data[i] as number) + (table.data[offset * table.cols + i] as number);
  return out;
}

/** Geometric slopes 2^(-8k/h), k = 1..h, for h a power of two. */
function powerOfTwoSlopes(h: number): number[] {
  const start = 2 ** (-8 / h);
  return Array.from({ length: h }, (_, k) => start ** (k + 1));
}

/** ALiBi head slopes m_1 .. m_h (see the module comment for the non-power-of-two rule). */
export function alibiSlopes(numHeads: number): number[] {
  assertInteger('numHeads', numHeads, { min: 1 });
  const p = 2 ** Math.floor(Math.log2(numHeads));
  if (p === numHeads) return powerOfTwoSlopes(numHeads);
  // the p slopes of p heads, then every other slope of 2p heads
  const extra = powerOfTwoSlopes(2 * p).filter((_, k) => k % 2 === 0);
  return [...powerOfTwoSlopes(p), ...extra.slice(0, numHeads - p)];
}

/**
 * The ALiBi bias [n, m] of one head: -slope |i - j|, query i at position queryOffset + i (default
 * m - n, the last n of m keys, as when decoding with a cache). Causal models also mask j > i.
 */
export function alibiBias(n: number, m: number, slope: number, queryOffset = m - n): Matrix {
  assertInteger('n', n, { min: 0 });
  assertInteger('m', m, { min: 0 });
  assertFinite('slope', slope);
  assertFinite('queryOffset', queryOffset);
  const bias = matrix(n, m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) bias.data[i * m + j] = 0 - slope * Math.abs(queryOffset + i - j); // 0 - x: a true 0 on the diagonal, not -0
  return bias;
}

/** Which keys a query may see. */
export type Visibility = (i: number, j: number) => boolean;

/** Causal sliding window of W keys: query i sees j with i - W < j <= i (itself and the W - 1 before it). */
export function slidingWindow(window: number): Visibility {
  assertInteger('window', window, { min: 1 });
  return (i, j) => j <= i && j > i - window;
}

/** The sliding-window mask as booleans [n][n] (true = visible), for display. */
export function slidingWindowMask(n: number, window: number): boolean[][] {
  assertInteger('n', n, { min: 0 });
  const visible = slidingWindow(window);
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => visible(i, j)));
}


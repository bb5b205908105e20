/**
 * Rotary position embedding (RoPE): rotate each 2-D pair of a query or key by an angle proportional
 * to its position, so that the dot product of a rotated query and key depends only on their offset.
 * Answers: Q14 (RoPE 的结构), Q15 (RoPE 外推性: 为什么"理论上无限"), Q16 (RoPE 兼具绝对与相对位置).
 *
 *   theta_i = base^(-2i / d), i = 0 .. d/2 - 1, base = 10000             (Su et al. 2021, RoFormer eq. 15)
 *   RoPE(x, m): pair i of x rotated by the angle m theta_i
 *   <RoPE(q, m), RoPE(k, n)> = <q, R((n - m) theta) k> = g(q, k, m - n)    (absolute in, relative out: Q16)
 *
 * Symbols: d the head width (even), m, n positions, R(phi) the 2 x 2 rotation by phi.
 *
 * Two layouts, which pair up different coordinates (same maths, different weights):
 *   'interleaved': pairs (x_0, x_1), (x_2, x_3), ...          Meta LLaMA (complex view), GPT-J, RoFormer
 *   'half':        pairs (x_i, x_{i + d/2}) (rotate_half)      HF LLaMA / Qwen2, GPT-NeoX
 * The permutation P = (0, 2, 4, ..., 1, 3, 5, ...) maps one to the other: half(P x) = P interleaved(x).
 * HF's LLaMA conversion applies P to the rows of each head of W_Q and W_K (`permuteRopeWeights`), so
 * both codebases compute the same scores; using one layout on the other's weights does not.
 *
 * Extrapolation (Q15): the rotations are defined for every m (bounded, norm-preserving), which is why
 * RoPE is "unbounded in theory". In practice a model trained to length L has only seen angles
 * m theta_i < L theta_i for the slow pairs (L theta_i < 2 pi); beyond L those angles are new to it.
 * Position interpolation (Chen et al. 2023) divides positions by s = L' / L (theta_i / s); NTK-aware
 * scaling raises the base, base' = base s^(d / (d - 2)), which slows the slowest pair by exactly s
 * while leaving the fastest almost untouched.
 *
 * Complexity: O(n d) per sequence (d/2 rotations per token), no parameters.
 *
 * @example
 *   applyRope(fromRows([[1, 0, 1, 0]]), { layout: 'interleaved', positions: [1] })
 *   // [[0.540302, 0.841471, 0.999950, 0.010000]]: pair 0 turned by 1 rad, pair 1 by 0.01 rad
 *   applyRope(fromRows([[1, 0, 1, 0]]), { layout: 'half', positions: [1] })
 *   // [[-0.301169, 0, 1.381773, 0]]: pairs are (x0, x2) and (x1, x3)
 */
import { ArgumentError, assertArrayLike, assertFinite, assertFiniteArray, assertInteger } from '../core/errors.js';
import { assertMatrix, matrix, shapeOf, type Matrix, type OpCounter } from '../core/matrix.js';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';

export type RopeLayout = 'interleaved' | 'half';

/** No scaling, position interpolation (HF rope_type 'linear'), or NTK-aware base scaling (static). */
export type RopeScaling = { kind: 'none' } | { kind: 'linear'; factor: number } | { kind: 'ntk'; factor: number };

export interface RopeFrequencyOptions {
  /** Default 10000. */
  base?: number;
  /** Default none. */
  scaling?: RopeScaling;
}

export interface RopeOptions extends RopeFrequencyOptions {
  /** Which coordinates form a pair; default 'half' (HF LLaMA / Qwen2). */
  layout?: RopeLayout;
  /** Position of each row; default offset, offset + 1, ... */
  positions?: ArrayLike<number>;
  /** First position when `positions` is not given (e.g. the KV-cache length). Default 0. */
  offset?: number;
  /** If given, counts 2 multiply-adds per output coordinate (4 per rotated pair). */
  ops?: OpCounter;
}

function assertHeadDim(argument: string, d: number, shown?: string): void {
  if (!Number.isSafeInteger(d) || d < 2 || d % 2 !== 0) {
    throw new ArgumentError(argument, d, 'an even head dimension >= 2, since RoPE rotates pairs of coordinates', shown);
  }
}

/** base' = base s^(d / (d - 2)): NTK-aware scaling, so the slowest pair turns s times slower. */
export function ntkScaledBase(base: number, factor: number, d: number): number {
  assertFinite('base', base);
  assertFinite('factor', factor);
  assertHeadDim('d', d);
  if (d === 2) throw new ArgumentError('d', d, 'd >= 4 for NTK scaling (d / (d - 2) is undefined at d = 2)');
  return base * factor ** (d / (d - 2));
}

/** theta_i for i = 0 .. d/2 - 1, after the chosen scaling. */
export function ropeFrequencies(d: number, options: RopeFrequencyOptions = {}): Float64Array {
  assertHeadDim('d', d);
  const { base = 10000, scaling = { kind: 'none' } } = options;
  assertFinite('base', base);
  if (base <= 1) throw new ArgumentError('base', base, 'a number > 1');
  if (scaling.kind !== 'none') {
    assertFinite('scaling.factor', scaling.factor);
    if (scaling.factor < 1) throw new ArgumentError('scaling.factor', scaling.factor, 'a factor >= 1 (s = target length / trained length)');
  }
  const b = scaling.kind === 'ntk' ? ntkScaledBase(base, scaling.factor, d) : base;
  const divide = scaling.kind === 'linear' ? scaling.factor : 1;
  // theta_i = b^(-2i/d), divided by s for position interpolation
  return Float64Array.from({ length: d / 2 }, (_, i) => b ** ((-2 * i) / d) / divide);
}

/** Coordinates (a, b) of pair i: (2i, 2i + 1) interleaved, (i, i + d/2) half. */
export function pairIndices(i: number, d: number, layout: RopeLayout): [number, number] {
  return layout === 'interleaved' ? [2 * i, 2 * i + 1] : [i, i + d / 2];
}

function positionsFor(n: number, options: RopeOptions): ArrayLike<number> {
  if (options.positions !== undefined) {
    const p = options.positions;
    assertArrayLike('positions', p, 'an array of positions, one per row');
    if (p.length !== n) throw new ArgumentError('positions', p, `${n} positions, one per row of x`);
    assertFiniteArray('positions', p);
    return p;
  }
  const offset = options.offset ?? 0;
  assertFinite('offset', offset);
  return Float64Array.from({ length: n }, (_, t) => offset + t);
}

function checkLayout(layout: unknown): asserts layout is RopeLayout {
  if (layout !== 'interleaved' && layout !== 'half') throw new ArgumentError('layout', layout, "'interleaved' or 'half'");
}

/** Validates x and the options once for every implementation: layout, width d, theta_i and the row positions. */
function prepare(x: Matrix, options: RopeOptions) {
  assertMatrix('x', x);
  assertHeadDim('x', x.cols, `shape ${shapeOf(x)} (odd or zero head dimension ${x.cols})`);
  const layout = options.layout ?? 'half';
  checkLayout(layout);
  return { layout, d: x.cols, theta: ropeFrequencies(x.cols, options), positions: positionsFor(x.rows, options) };
}

/**
 * RoPE on every row of x [n, d]: row t is at position positions[t] and each of its d/2 pairs turns
 * by positions[t] theta_i. Returns a new [n, d] matrix.
 */
export function applyRope(x: Matrix, options: RopeOptions = {}): Matrix {
  const { layout, d, theta, positions } = prepare(x, options);
  const out = matrix(x.rows, d);
  for (let t = 0; t < x.rows; t++) {
    const row = t * d;
    for (let i = 0; i < d / 2; i++) {
      const [a, b] = pairIndices(i, d, layout);
      const angle = (positions[t] as number) * (theta[i] as number);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const xa = x.data[row + a] as number;
      const xb = x.data[row + b] as number;
      // [y_a, y_b] = R(m theta_i) [x_a, x_b] = [x_a cos - x_b sin, x_a sin + x_b cos]
      out.data[row + a] = xa * c - xb * s;
      out.data[row + b] = xa * s + xb * c;
    }
  }
  if (options.ops) options.ops.madds += 2 * x.rows * d;
  return out;
}

/**
 * The same in tfjs, written the way HF writes it: y = x * cos + rotate(x) * sin with cos/sin tables
 * [n, d] (each theta repeated per pair) and rotate(x) = (-x_b, x_a) gathered per pair. The oracle.
 */
export async function applyRopeTf(x: Matrix, options: RopeOptions = {}): Promise<Matrix> {
  const { layout, d, theta, positions } = prepare(x, options);
  const { tf } = await tensorBackend();
  // partner[j] and sign[j]: rotate(x)_a = -x_b, rotate(x)_b = +x_a
  const partner = new Int32Array(d);
  const sign = new Float32Array(d);
  const freq = new Float32Array(d);
  for (let i = 0; i < d / 2; i++) {
    const [a, b] = pairIndices(i, d, layout);
    partner[a] = b;
    partner[b] = a;
    sign[a] = -1;
    sign[b] = 1;
    freq[a] = theta[i] as number;
    freq[b] = theta[i] as number;
  }
  const y = tf.tidy(() => {
    const xt = toTensor2d(tf, x);
    // angles [n, 1] x [1, d] -> [n, d]
    const angles = tf.matMul(tf.tensor2d(Float32Array.from(positions), [x.rows, 1]), tf.tensor2d(freq, [1, d]));
    const rotated = tf.mul(tf.gather(xt, tf.tensor1d(partner, 'int32'), 1), tf.tensor1d(sign));
    return tf.add(tf.mul(xt, tf.cos(angles)), tf.mul(rotated, tf.sin(angles)));
  });
  return fromTensor2d(y);
}

/** One vector at one position. */
export function rotate(v: ArrayLike<number>, position: number, options: Omit<RopeOptions, 'positions' | 'offset'> = {}): Float64Array {
  assertArrayLike('v', v);
  return applyRope(matrix(1, v.length, v), { ...options, positions: [position] }).data;
}

/** q and k are array-likes of one length (the score pairs them coordinate by coordinate). */
function assertVectorPair(q: ArrayLike<number>, k: ArrayLike<number>): void {
  assertArrayLike('q', q);
  assertArrayLike('k', k);
  if (q.length !== k.length) throw new ArgumentError('k', k, `length ${q.length} like q`);
}

/** The attention score <RoPE(q, m), RoPE(k, n)> (before the 1/sqrt(d) scale). */
export function ropeScore(q: ArrayLike<number>, k: ArrayLike<number>, m: number, n: number, options: Omit<RopeOptions, 'positions' | 'offset'> = {}): number {
  assertVectorPair(q, k);
  const a = rotate(q, m, options);
  const b = rotate(k, n, options);
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] as number) * (b[j] as number);
  return s;
}

/** P = (0, 2, 4, ..., d-2, 1, 3, ..., d-1): (P x)_j = x_{P[j]} turns interleaved pairs into half pairs. */
export function interleavedToHalfPermutation(d: number): number[] {
  assertHeadDim('d', d);
  return Array.from({ length: d }, (_, j) => (j < d / 2 ? 2 * j : 2 * (j - d / 2) + 1));
}

/** Reorders the columns of x [n, d] by P: an interleaved-layout vector becomes a half-layout one. */
export function interleavedToHalf(x: Matrix): Matrix {
  assertMatrix('x', x);
  assertHeadDim('x', x.cols, `shape ${shapeOf(x)}`);
  const p = interleavedToHalfPermutation(x.cols);
  const out = matrix(x.rows, x.cols);
  for (let t = 0; t < x.rows; t++) for (let j = 0; j < x.cols; j++) out.data[t * x.cols + j] = x.data[t * x.cols + (p[j] as number)] as number;
  return out;
}

/** The inverse: a half-layout vector back to interleaved. */
export function halfToInterleaved(x: Matrix): Matrix {
  assertMatrix('x', x);
  assertHeadDim('x', x.cols, `shape ${shapeOf(x)}`);
  const p = interleavedToHalfPermutation(x.cols);
  const out = matrix(x.rows, x.cols);
  for (let t = 0; t < x.rows; t++) for (let j = 0; j < x.cols; j++) out.data[t * x.cols + (p[j] as number)] = x.data[t * x.cols + j] as number;
  return out;
}

/**
 * What HF's convert_llama_weights_to_hf does to W_Q and W_K ([h d_head, d_model], nn.Linear layout):
 * within each head, row j of the result is row P[j] of the input. Then q_half = P q_interleaved for
 * every token, and the half-layout model gives the interleaved model's scores.
 */
export function permuteRopeWeights(w: Matrix, numHeads: number): Matrix {
  assertMatrix('w', w);
  assertInteger('numHeads', numHeads, { min: 1 });
  if (w.rows % numHeads !== 0) throw new ArgumentError('w', w, `rows divisible by numHeads = ${numHeads}`, `shape ${shapeOf(w)}`);
  const d = w.rows / numHeads;
  assertHeadDim('w', d, `shape ${shapeOf(w)} (head dimension ${d} with ${numHeads} heads)`);
  const p = interleavedToHalfPermutation(d);
  const out = matrix(w.rows, w.cols);
  for (let h = 0; h < numHeads; h++) {
    for (let j = 0; j < d; j++) out.data.set(w.data.subarray((h * d + (p[j] as number)) * w.cols, (h * d + (p[j] as number) + 1) * w.cols), (h * d + j) * w.cols);
  }
  return out;
}

/**
 * WRONG (the mixed-layout bug): interleaved pairs (x_2i, x_2i+1), but each coordinate takes its angle
 * from the half layout's cos/sin table, where coordinate j has theta_{j mod d/2}. The two members of
 * a pair then turn by different angles, which is not a rotation: norms change and the score stops
 * depending on m - n alone. Kept to show that the relative-position property rejects it.
 */
export function applyRopeMixedLayoutVariant(x: Matrix, options: Omit<RopeOptions, 'layout'> = {}): Matrix {
  const { d, theta, positions } = prepare(x, options);
  const out = matrix(x.rows, d);
  for (let t = 0; t < x.rows; t++) {
    const p = positions[t] as number;
    for (let i = 0; i < d / 2; i++) {
      const [a, b] = [2 * i, 2 * i + 1];
      const angleA = p * (theta[a % (d / 2)] as number);
      const angleB = p * (theta[b % (d / 2)] as number);
      const xa = x.data[t * d + a] as number;
      const xb = x.data[t * d + b] as number;
      out.data[t * d + a] = xa * Math.cos(angleA) - xb * Math.sin(angleA);
      out.data[t * d + b] = xb * Math.cos(angleB) + xa * Math.sin(angleB);
    }
  }
  return out;
}

/**
 * RoFormer's long-term decay (sec. 3.4.3). Write the score as a sum over pairs,
 * sum_i h_i e^{i r theta_i} with h_i = q_[i] conj(k_[i]) (pairs as complex numbers) and r = m - n.
 * Summation by parts with S_j = sum_{i<j} e^{i r theta_i} gives
 *   |score| <= (max_i |h_{i+1} - h_i|) * sum_{j=1}^{d/2} |S_j|          (h_{d/2} = 0)
 * `relativeDecayBound` returns the distance-only factor (1 / (d/2)) sum_j |S_j|, which decays (with
 * oscillations) as |r| grows: the paper's Figure 2.
 */
export function relativeDecayBound(d: number, distance: number, options: RopeFrequencyOptions = {}): number {
  const theta = ropeFrequencies(d, options);
  assertFinite('distance', distance);
  let re = 0;
  let im = 0;
  let total = 0;
  for (let j = 0; j < d / 2; j++) {
    // S_{j+1} = S_j + e^{i r theta_j}
    re += Math.cos(distance * (theta[j] as number));
    im += Math.sin(distance * (theta[j] as number));
    total += Math.hypot(re, im);
  }
  return total / (d / 2);
}

/**
 * The full bound for one pair of vectors in the interleaved layout (complex pairs (x_2i, x_2i+1)):
 * (max_i |h_{i+1} - h_i|) * sum_j |S_j| at distance r = m - n. |ropeScore(q, k, m, n)| never exceeds it.
 */
export function ropeScoreBound(q: ArrayLike<number>, k: ArrayLike<number>, distance: number, options: RopeFrequencyOptions = {}): number {
  assertVectorPair(q, k);
  assertFiniteArray('q', q);
  assertFiniteArray('k', k);
  const d = q.length;
  const half = relativeDecayBound(d, distance, options) * (d / 2);
  // h_i = (q_2i + i q_2i+1) * conj(k_2i + i k_2i+1), with h_{d/2} = 0
  const h = (i: number): [number, number] => {
    if (i >= d / 2) return [0, 0];
    const [qa, qb, ka, kb] = [q[2 * i] as number, q[2 * i + 1] as number, k[2 * i] as number, k[2 * i + 1] as number];
    return [qa * ka + qb * kb, qb * ka - qa * kb];
  };
  let maxStep = 0;
  for (let i = 0; i < d / 2; i++) {
    const [a, b] = [h(i), h(i + 1)];
    maxStep = Math.max(maxStep, Math.hypot(b[0] - a[0], b[1] - a[1]));
  }
  return maxStep * half;
}

/**
 * A hook for `multiHeadAttention`'s `transformQK`: rotates every query and key head with the same
 * options (row t of a head is at position offset + t, or positions[t]).
 */
export function ropeTransform(options: RopeOptions = {}): (x: Matrix) => Matrix {
  return (x: Matrix) => applyRope(x, options);
}

/**
 * Q15 made measurable. A model trained on positions 0 .. L - 1 has seen, for pair i, the angles
 * [0, (L - 1) theta_i] (the whole circle once L theta_i >= 2 pi). Returns, for a position p and the
 * frequencies in use at inference, the largest ratio (p theta'_i) / ((L - 1) theta_i) over the slow
 * pairs that never completed a turn in training: <= 1 means every angle is one the model has seen.
 */
export function angleOvershoot(position: number, trainLength: number, d: number, options: RopeFrequencyOptions = {}): number {
  assertInteger('trainLength', trainLength, { min: 2 });
  assertFinite('position', position);
  const trained = ropeFrequencies(d, { base: options.base ?? 10000 });
  const used = ropeFrequencies(d, options);
  let worst = 0;
  for (let i = 0; i < d / 2; i++) {
    const seen = (trainLength - 1) * (trained[i] as number);
    if (seen >= 2 * Math.PI) continue;
    worst = Math.max(worst, (position * (used[i] as number)) / seen);
  }
  return worst;
}

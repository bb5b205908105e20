/**
 * Rotary position embedding (RoPE): rotate each 2-D pair of a query or key by an angle proportional
 * to its position, so that the dot product of a rotated query and key depends only on their offset.
 * Answers: Q14 (RoPE 的结构), Q15 (RoPE 外推性: 为什么"理论上无限"), Q16 (RoPE 兼具绝对与相对位置).
 *
 *   theta_i = base^(-2i / d), i = 0 .. d/2 - 1, base = 10000     (Su et al. 2021, RoFormer eq. 15)
 *   RoPE(x, m): pair i of x rotated by the angle m theta_i
 *   <RoPE(q, m), RoPE(k, n)> = <q, R((n - m) theta) k> = g(q, k, m - n)   (relative out)
 *
 * Symbols: d the head width (even), m, n positions, R(phi) the 2 x 2 rotation by phi.
 *
 * Two layouts, which pair up different coordinates (same maths, different weights):
 *   'interleaved': pairs (x_0, x_1), (x_2, x_3), ...  Meta LLaMA (complex view), GPT-J, RoFormer
 *   'half':        pairs (x_i, x_{i + d/2}) (rotate_half)     HF LLaMA / Qwen2, GPT-NeoX
 * The permutation P = (0, 2, 4, ..., 1, 3, 5, ...) maps one to the other: half(P x) = P
 * interleaved(x). HF's LLaMA conversion applies P to the rows of each head of W_Q and W_K
 * (`permuteRopeWeights`), so both codebases compute the same scores; using one layout on the
 * other's weights does not.
 *
 * Extrapolation (Q15): the rotations are defined for every m (bounded, norm-preserving), which is
 * why RoPE is "unbounded in theory". In practice a model trained to length L has only seen angles m
 * theta_i < L theta_i for the slow pairs (L theta_i < 2 pi); beyond L those angles are new to it.
 * Position interpolation (Chen et al. 2023) divides positions by s = L' / L (theta_i / s);
 * NTK-aware scaling raises the base, base' = base s^(d / (d - 2)), which slows the slowest pair by
 * exactly s while leaving the fastest almost untouched.
 *
 * The textbook answer is `rope` (interleaved pairs, row m at position m). `applyRope` is the
 * engineered one (both layouts, any positions, PI / NTK scaling, counted); `ropeTf` the tensor twin
 * for x [..., T, d]. Pitfalls at the end: `pitfallMixedLayoutRope`, `pitfallUnpermutedRopeWeights`.
 *
 * Complexity: O(n d) per sequence (d/2 rotations per token), no parameters.
 *
 * @example
 *   rope(fromRows([[1, 0, 1, 0], [1, 0, 1, 0]]))
 *   // row 1 (position 1): [0.540302, 0.841471, 0.999950, 0.010000]: pairs turned by 1 and 0.01 rad
 *   applyRope(fromRows([[1, 0, 1, 0]]), { layout: 'half', positions: [1] })
 *   // [[-0.301169, 0, 1.381773, 0]]: pairs are (x0, x2) and (x1, x3)
 */
import {
  ArgumentError,
  assertArrayLike,
  assertFinite,
  assertFiniteArray,
  assertInteger,
  assertObject,
  assertOneOf,
} from '../core/errors.js';
import { assertMatrix, matrix, shapeOf, type Matrix } from '../core/matrix.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { assertTensor, assertTf, onMatrices, type Tensor, type Tf } from '../core/backend.js';

/**
 * RoPE as on the whiteboard (RoFormer, interleaved pairs): row m of x [n, d] is the token at
 * position m, and its pair i = (x_2i, x_2i+1) turns by the angle m theta_i. Returns a new [n, d].
 */
export function rope(x: Matrix): Matrix {
  assertRopeInput(x);
  const { rows: n, cols: d } = x;
  const y = matrix(n, d);
  for (let m = 0; m < n; m++) {
    for (let i = 0; i < d / 2; i++) {
      // theta_i = 10000^(-2i/d); the pair turns by m theta_i
      const angle = m * 10000 ** ((-2 * i) / d);
      const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
      const x0 = x.data[m * d + 2 * i] as number;
      const x1 = x.data[m * d + 2 * i + 1] as number;
      // [y0, y1] = [[cos, -sin], [sin, cos]] [x0, x1]
      y.data[m * d + 2 * i] = x0 * cos - x1 * sin;
      y.data[m * d + 2 * i + 1] = x0 * sin + x1 * cos;
    }
  }
  return y;
}

// ---------------------------------------------------------------------------------------------
// The engineered RoPE: layouts, positions, scaling, a counter.

export type RopeLayout = 'interleaved' | 'half';
const LAYOUTS: readonly RopeLayout[] = ['interleaved', 'half'];

/** No scaling, position interpolation (HF rope_type 'linear'), or NTK-aware base scaling. */
export type RopeScaling =
  { kind: 'none' } | { kind: 'linear'; factor: number } | { kind: 'ntk'; factor: number };

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
}

/** Options of a RoPE that rotates one vector or a pair (no row positions). */
export type RopeVectorOptions = Omit<RopeOptions, 'positions' | 'offset'>;

/** Head widths above this are refused (a frequency table of d/2 entries is allocated). */
const MAX_HEAD_DIM = 2 ** 20;

function assertHeadDim(argument: string, d: unknown, shown?: string): asserts d is number {
  const ok = typeof d === 'number' && Number.isSafeInteger(d) && d >= 2 && d % 2 === 0;
  if (!ok || d > MAX_HEAD_DIM) {
    const expected = `an even head dimension in [2, ${MAX_HEAD_DIM}], since RoPE rotates pairs`;
    throw new ArgumentError(argument, d, expected, shown);
  }
}

/** x is a finite Matrix with an even number of columns >= 2. */
function assertRopeInput(x: unknown): asserts x is Matrix {
  assertMatrix('x', x);
  assertHeadDim('x', x.cols, `shape ${shapeOf(x)} (odd or zero head dimension ${x.cols})`);
}

function assertOptions(argument: string, options: unknown): asserts options is RopeOptions {
  assertObject(argument, options, 'an options object');
}

/** base' = base s^(d / (d - 2)): NTK-aware scaling, so the slowest pair turns s times slower. */
export function ntkScaledBase(base: number, factor: number, d: number): number {
  assertFinite('base', base);
  assertFinite('factor', factor);
  assertHeadDim('d', d);
  if (d === 2)
    throw new ArgumentError('d', d, 'd >= 4 for NTK scaling (d / (d - 2) is undefined at d = 2)');
  return base * factor ** (d / (d - 2));
}

/** theta_i for i = 0 .. d/2 - 1, after the chosen scaling. */
export function ropeFrequencies(d: number, options: RopeFrequencyOptions = {}): Float64Array {
  assertHeadDim('d', d);
  assertOptions('options', options);
  const { base = 10000, scaling = { kind: 'none' } } = options;
  assertFinite('base', base);
  if (base <= 1) throw new ArgumentError('base', base, 'a number > 1');
  assertObject('scaling', scaling, "{ kind: 'none' | 'linear' | 'ntk', factor? }");
  assertOneOf('scaling.kind', scaling.kind, ['none', 'linear', 'ntk']);
  if (scaling.kind !== 'none') {
    assertFinite('scaling.factor', scaling.factor);
    if (scaling.factor < 1) {
      throw new ArgumentError(
        'scaling.factor',
        scaling.factor,
        'a factor >= 1 (s = target length / trained length)',
      );
    }
  }
  const b = scaling.kind === 'ntk' ? ntkScaledBase(base, scaling.factor, d) : base;
  const divide = scaling.kind === 'linear' ? scaling.factor : 1;
  // theta_i = b^(-2i/d), divided by s for position interpolation
  return Float64Array.from({ length: d / 2 }, (_, i) => b ** ((-2 * i) / d) / divide);
}

/** Coordinates (a, b) of pair i: (2i, 2i + 1) interleaved, (i, i + d/2) half. */
export function pairIndices(i: number, d: number, layout: RopeLayout): [number, number] {
  assertHeadDim('d', d);
  assertInteger('i', i, { min: 0, max: d / 2 - 1 });
  assertOneOf('layout', layout, LAYOUTS);
  return pairOf(i, d, layout);
}

function pairOf(i: number, d: number, layout: RopeLayout): [number, number] {
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

/** The settings every implementation needs, checked once: layout, theta_i and the row positions. */
function ropeSettings(n: number, d: number, options: RopeOptions) {
  assertOptions('options', options);
  const layout = options.layout ?? 'half';
  assertOneOf('layout', layout, LAYOUTS);
  return { layout, theta: ropeFrequencies(d, options), positions: positionsFor(n, options) };
}

/**
 * RoPE on every row of x [n, d], engineered: row t is at position positions[t] (default
 * offset + t), each of its d/2 pairs (in `layout`) turns by positions[t] theta_i, with PI / NTK
 * scaling of theta. Counts 2 multiply-adds per output coordinate as 'madds'. Returns a new [n, d].
 */
export function applyRope(x: Matrix, options: RopeOptions = {}, counter?: Counter): Matrix {
  assertRopeInput(x);
  const { layout, theta, positions } = ropeSettings(x.rows, x.cols, options);
  assertOptionalCounter('counter', counter);
  const d = x.cols;
  const out = matrix(x.rows, d);
  for (let t = 0; t < x.rows; t++) {
    const row = t * d;
    for (let i = 0; i < d / 2; i++) {
      const [a, b] = pairOf(i, d, layout);
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
  counter?.add('madds', 2 * x.rows * d);
  return out;
}

/**
 * The tensor twin, written the way HF writes it: y = x cos + rotate(x) sin, with cos / sin tables
 * [T, d] (each theta repeated on both coordinates of its pair) and rotate(x) = (-x_b, x_a) per
 * pair. x is [..., T, d] (one head, or [heads, T, d], or [batch, heads, T, d]); rows along T are at
 * positions offset, offset + 1, ... (or `positions`). Synchronous; valid inside tf.tidy.
 */
export function ropeTf(tf: Tf, x: Tensor, options: RopeOptions = {}): Tensor {
  assertTf('tf', tf);
  assertTensor('x', x);
  const shown = `shape [${x.shape.join(', ')}]`;
  if (x.rank < 2) throw new ArgumentError('x', x, 'a tensor [..., T, d] of rank >= 2', shown);
  const [T, d] = x.shape.slice(-2) as [number, number];
  assertHeadDim('x', d, `${shown} (odd or zero head dimension ${d})`);
  const { layout, theta, positions } = ropeSettings(T, d, options);
  // partner[j] and sign[j]: rotate(x)_a = -x_b, rotate(x)_b = +x_a
  const partner = new Int32Array(d);
  const sign = new Float32Array(d);
  for (let i = 0; i < d / 2; i++) {
    const [a, b] = pairOf(i, d, layout);
    [partner[a], partner[b], sign[a], sign[b]] = [b, a, -1, 1];
  }
  // angles (positions[t] theta_i) in float64, then the [T, d] tables in float32
  const cos = new Float32Array(T * d);
  const sin = new Float32Array(T * d);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < d / 2; i++) {
      const angle = (positions[t] as number) * (theta[i] as number);
      for (const j of pairOf(i, d, layout))
        [cos[t * d + j], sin[t * d + j]] = [Math.cos(angle), Math.sin(angle)];
    }
  }
  return tf.tidy(() => {
    const rotated = tf.mul(
      tf.gather(x, tf.tensor1d(partner, 'int32'), x.rank - 1),
      tf.tensor1d(sign),
    );
    // [T, d] tables broadcast over the leading axes of x
    return tf.add(tf.mul(x, tf.tensor2d(cos, [T, d])), tf.mul(rotated, tf.tensor2d(sin, [T, d])));
  });
}

/** `ropeTf` on a Matrix [n, d]: the edge for Matrix code and the agreement properties. */
export async function ropeTfMatrix(x: Matrix, options: RopeOptions = {}): Promise<Matrix> {
  assertRopeInput(x);
  ropeSettings(x.rows, x.cols, options);
  return onMatrices((tf, t) => ropeTf(tf, t, options), x);
}

/** One vector at one position. */
export function rotate(
  v: ArrayLike<number>,
  position: number,
  options: RopeVectorOptions = {},
): Float64Array {
  assertArrayLike('v', v);
  assertFiniteArray('v', v);
  assertFinite('position', position);
  assertOptions('options', options);
  return applyRope(matrix(1, v.length, v), { ...options, positions: [position] }).data;
}

/** q and k are finite array-likes of one length (the score pairs them coordinate by coordinate). */
function assertVectorPair(q: unknown, k: unknown): asserts q is ArrayLike<number> {
  assertArrayLike('q', q);
  assertArrayLike('k', k);
  if (q.length !== k.length) throw new ArgumentError('k', k, `length ${q.length} like q`);
  assertFiniteArray('q', q);
  assertFiniteArray('k', k);
}

/** The attention score <RoPE(q, m), RoPE(k, n)> (before the 1/sqrt(d) scale). */
export function ropeScore(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  m: number,
  n: number,
  options: RopeVectorOptions = {},
): number {
  assertVectorPair(q, k);
  const a = rotate(q, m, options);
  const b = rotate(k, n, options);
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] as number) * (b[j] as number);
  return s;
}

/**
 * P = (0, 2, 4, ..., d-2, 1, 3, ..., d-1): (P x)_j = x_{P[j]} turns interleaved pairs into half
 * pairs.
 */
export function interleavedToHalfPermutation(d: number): number[] {
  assertHeadDim('d', d);
  return permutation(d);
}

function permutation(d: number): number[] {
  return Array.from({ length: d }, (_, j) => (j < d / 2 ? 2 * j : 2 * (j - d / 2) + 1));
}

/**
 * Reorders the columns of x [n, d] by P: an interleaved-layout vector becomes a half-layout one.
 */
export function interleavedToHalf(x: Matrix): Matrix {
  assertRopeInput(x);
  const p = permutation(x.cols);
  const out = matrix(x.rows, x.cols);
  for (let t = 0; t < x.rows; t++) {
    for (let j = 0; j < x.cols; j++)
      out.data[t * x.cols + j] = x.data[t * x.cols + (p[j] as number)] as number;
  }
  return out;
}

/** The inverse: a half-layout vector back to interleaved. */
export function halfToInterleaved(x: Matrix): Matrix {
  assertRopeInput(x);
  const p = permutation(x.cols);
  const out = matrix(x.rows, x.cols);
  for (let t = 0; t < x.rows; t++) {
    for (let j = 0; j < x.cols; j++)
      out.data[t * x.cols + (p[j] as number)] = x.data[t * x.cols + j] as number;
  }
  return out;
}

/** w [h d_head, d_model] split into numHeads heads of an even width; returns d_head. */
function assertHeadRows(w: unknown, numHeads: unknown): number {
  assertMatrix('w', w);
  assertInteger('numHeads', numHeads, { min: 1 });
  if (w.rows % numHeads !== 0) {
    throw new ArgumentError(
      'w',
      w,
      `rows divisible by numHeads = ${numHeads}`,
      `shape ${shapeOf(w)}`,
    );
  }
  const d = w.rows / numHeads;
  assertHeadDim('w', d, `shape ${shapeOf(w)} (head dimension ${d} with ${numHeads} heads)`);
  return d;
}

/**
 * What HF's convert_llama_weights_to_hf does to W_Q and W_K ([h d_head, d_model], nn.Linear
 * layout): within each head, row j of the result is row P[j] of the input. Then q_half = P
 * q_interleaved for every token, and the half-layout model gives the interleaved model's scores.
 */
export function permuteRopeWeights(w: Matrix, numHeads: number): Matrix {
  const d = assertHeadRows(w, numHeads);
  const p = permutation(d);
  const out = matrix(w.rows, w.cols);
  for (let h = 0; h < numHeads; h++) {
    for (let j = 0; j < d; j++) {
      const from = h * d + (p[j] as number);
      out.data.set(w.data.subarray(from * w.cols, (from + 1) * w.cols), (h * d + j) * w.cols);
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
export function relativeDecayBound(
  d: number,
  distance: number,
  options: RopeFrequencyOptions = {},
): number {
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
 * (max_i |h_{i+1} - h_i|) * sum_j |S_j| at distance r = m - n. |ropeScore(q, k, m, n)| never
 * exceeds it.
 */
export function ropeScoreBound(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  distance: number,
  options: RopeFrequencyOptions = {},
): number {
  assertVectorPair(q, k);
  const d = q.length;
  assertHeadDim('q', d, `an array of length ${d}`);
  const half = relativeDecayBound(d, distance, options) * (d / 2);
  // h_i = (q_2i + i q_2i+1) * conj(k_2i + i k_2i+1), with h_{d/2} = 0
  const h = (i: number): [number, number] => {
    if (i >= d / 2) return [0, 0];
    const [qa, qb] = [q[2 * i] as number, q[2 * i + 1] as number];
    const [ka, kb] = [k[2 * i] as number, k[2 * i + 1] as number];
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
  assertOptions('options', options);
  return (x: Matrix) => applyRope(x, options);
}

/**
 * Q15 made measurable. A model trained on positions 0 .. L - 1 has seen, for pair i, the angles
 * [0, (L - 1) theta_i] (the whole circle once L theta_i >= 2 pi). Returns, for a position p and the
 * frequencies in use at inference, the largest ratio (p theta'_i) / ((L - 1) theta_i) over the slow
 * pairs that never completed a turn in training: <= 1 means every angle is one the model has seen.
 */
export function angleOvershoot(
  position: number,
  trainLength: number,
  d: number,
  options: RopeFrequencyOptions = {},
): number {
  assertInteger('trainLength', trainLength, { min: 2 });
  assertFinite('position', position);
  const used = ropeFrequencies(d, options);
  const trained = ropeFrequencies(d, { base: options.base ?? 10000 });
  let worst = 0;
  for (let i = 0; i < d / 2; i++) {
    const seen = (trainLength - 1) * (trained[i] as number);
    const now = Math.abs(position * (used[i] as number));
    // a pair that has turned once in training has seen every angle; one that never turns sees 0
    if (seen >= 2 * Math.PI || now === 0) continue;
    worst = Math.max(worst, seen === 0 ? Infinity : now / seen);
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Pitfalls: common wrong answers, rejected by the properties the right ones pass.

/** Pitfall: interleaved pairs read the half layout's cos / sin table: a pair turns by 2 angles. */
export function pitfallMixedLayoutRope(
  x: Matrix,
  options: Omit<RopeOptions, 'layout'> = {},
): Matrix {
  assertRopeInput(x);
  const { theta, positions } = ropeSettings(x.rows, x.cols, { ...options, layout: 'interleaved' });
  const d = x.cols;
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

/** Pitfall: Meta (interleaved) W_Q / W_K used by half-layout code without HF's row permutation. */
export function pitfallUnpermutedRopeWeights(w: Matrix, numHeads: number): Matrix {
  assertHeadRows(w, numHeads);
  return matrix(w.rows, w.cols, w.data);
}

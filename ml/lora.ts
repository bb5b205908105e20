/**
 * LoRA (low-rank adaptation): freeze a pretrained weight W and learn only a rank-r update B A.
 * Answers: Q25 (LoRA 参数量: two 10,000 x 10,000 layers at r = 100), Q26 (为什么 LoRA 能 work).
 *
 *   h = W x + (alpha / r) B A x                        (Hu et al. 2021, eq. 3, with the alpha/r scale of sec. 4.1)
 *
 * Symbols: W is [d_out, d_in] (frozen), A is [r, d_in], B is [d_out, r], r << min(d_in, d_out) is the
 * rank and alpha a constant that makes the update's scale independent of r. B starts at zero and A
 * random (loralib: kaiming_uniform(a = sqrt 5), i.e. uniform(-1/sqrt(d_in), 1/sqrt(d_in))), so the
 * adapted layer equals the base layer at step 0 and training starts from the pretrained model.
 *
 * Q25, counting: an adapted matrix trains A and B, r d_in + d_out r = r (d_in + d_out) numbers instead of
 * d_in d_out. Two 10,000 x 10,000 layers at r = 100: 2 * 100 * 20,000 = 4,000,000 (2% of 2 * 10^8).
 * GPT-3 175B (96 layers, d_model = 12,288), adapting W_q and W_v: 96 * 2 * 2 * 12,288 * r = 4,718,592 r,
 * i.e. 4.7M, 18.9M, 37.7M at r = 1, 4, 8 (millions rounded half-up to one decimal, `formatMillions`).
 * The classic wrong count is r d_in (forgetting B): it gives half of that.
 *
 * Q26, why it works: the change that fine-tuning makes has low "intrinsic rank" (the paper measures
 * it), so a rank-r B A captures it with few parameters; after training, merge W' = W + (alpha/r) B A
 * and inference costs exactly what the base model costs. `fitLowRankUpdate` shows the mechanism: a
 * low-rank target is fitted exactly once r reaches its rank, a full-rank one only slowly.
 *
 * Complexity: the adapter adds r (d_in + d_out) multiply-adds per token (x -> A x -> B A x), against
 * d_in d_out for W x; merged, it adds nothing.
 *
 * @example
 *   loraParamCount([{ dIn: 10_000, dOut: 10_000 }, { dIn: 10_000, dOut: 10_000 }], 100)   // 4_000_000
 *   const layer = initLora(randomMatrix(3, 4, rng(1)), { r: 2, alpha: 4 }, rng(2));   // B = 0
 *   loraForward(layer, x)   // equals x W^T exactly until B is trained
 */
import { ArgumentError, ArgumentTypeError, assertFinite, assertInteger } from '../core/errors.js';
import { assertMatrix, matmul, matmulTransposed, matrix, shapeOf, type Matrix, type OpCounter } from '../core/matrix.js';
import type { Rng } from '../core/random.js';
import type { Scalar } from '@tensorflow/tfjs';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';

/** One weight matrix that may be adapted: it maps d_in features to d_out. */
export interface LinearShape {
  name?: string;
  dIn: number;
  dOut: number;
}

function assertRank(r: unknown): asserts r is number {
  assertInteger('r', r, { min: 1 });
}

function assertShapes(shapes: readonly LinearShape[]): void {
  if (!Array.isArray(shapes)) throw new ArgumentTypeError('shapes', shapes, 'an array of { dIn, dOut }');
  shapes.forEach((s, i) => {
    assertInteger(`shapes[${i}].dIn`, s?.dIn, { min: 1 });
    assertInteger(`shapes[${i}].dOut`, s?.dOut, { min: 1 });
  });
}

/** Trainable LoRA parameters: sum over adapted matrices of r (d_in + d_out) (A is r x d_in, B is d_out x r). */
export function loraParamCount(shapes: readonly LinearShape[], r: number): number {
  assertRank(r);
  assertShapes(shapes);
  // sum_i r (d_in_i + d_out_i)
  return shapes.reduce((sum, s) => sum + r * (s.dIn + s.dOut), 0);
}

/** Parameters of the same matrices trained in full: sum of d_in d_out. */
export function fullParamCount(shapes: readonly LinearShape[]): number {
  assertShapes(shapes);
  return shapes.reduce((sum, s) => sum + s.dIn * s.dOut, 0);
}

/** Which projections of a decoder block get an adapter. q, k, v, o are attention; up, down are the MLP. */
export type LoraTarget = 'q' | 'k' | 'v' | 'o' | 'up' | 'down';

export interface TransformerConfig {
  layers: number;
  dModel: number;
  /** MLP hidden width; needed only when adapting 'up' or 'down' (defaults to 4 d_model). */
  dFf?: number;
  /** Width of the key and value projections (smaller than d_model with GQA); defaults to d_model. */
  dKv?: number;
}

/** The shapes of every adapted matrix of a model: `layers` copies of each target. */
export function adaptedShapes(config: TransformerConfig, targets: readonly LoraTarget[]): LinearShape[] {
  assertInteger('config.layers', config?.layers, { min: 1 });
  assertInteger('config.dModel', config.dModel, { min: 1 });
  const dFf = config.dFf ?? 4 * config.dModel;
  const dKv = config.dKv ?? config.dModel;
  assertInteger('config.dFf', dFf, { min: 1 });
  assertInteger('config.dKv', dKv, { min: 1 });
  const d = config.dModel;
  const one: Record<LoraTarget, LinearShape> = {
    q: { name: 'W_q', dIn: d, dOut: d },
    k: { name: 'W_k', dIn: d, dOut: dKv },
    v: { name: 'W_v', dIn: d, dOut: dKv },
    o: { name: 'W_o', dIn: d, dOut: d },
    up: { name: 'W_up', dIn: d, dOut: dFf },
    down: { name: 'W_down', dIn: dFf, dOut: d },
  };
  if (!Array.isArray(targets) || targets.length === 0) throw new ArgumentError('targets', targets, `a non-empty array of ${Object.keys(one).join(', ')}`);
  const out: LinearShape[] = [];
  for (let layer = 0; layer < config.layers; layer++) {
    for (const t of targets) {
      const s = one[t as LoraTarget] as LinearShape | undefined;
      if (s === undefined) throw new ArgumentError('targets', t, `one of ${Object.keys(one).join(', ')}`);
      out.push({ ...s, name: `layer ${layer} ${s.name}` });
    }
  }
  return out;
}

/** GPT-3 175B as the LoRA paper counts it: 96 layers, d_model = 12,288. */
export const GPT3_175B: TransformerConfig = { layers: 96, dModel: 12_288 };

/** A count in millions with one decimal, rounded half-up: 4_718_592 -> "4.7M", 18_874_368 -> "18.9M". */
export function formatMillions(count: number): string {
  assertInteger('count', count, { min: 0 });
  return `${(Math.round(count / 1e5) / 10).toFixed(1)}M`;
}

/** A frozen weight with its adapter. `merged` says whether (alpha/r) B A is already folded into w. */
export interface LoraLayer {
  /** [d_out, d_in] */
  readonly w: Matrix;
  /** [r, d_in] */
  readonly a: Matrix;
  /** [d_out, r] */
  readonly b: Matrix;
  readonly r: number;
  readonly alpha: number;
  readonly merged: boolean;
}

export interface LoraOptions {
  r: number;
  /** Scale numerator; the update is multiplied by alpha / r. Defaults to r (scale 1). */
  alpha?: number;
}

/** Checks a layer's shapes and numbers; returns d_in, d_out and the scale alpha / r. */
function checkLayer(layer: LoraLayer) {
  if (layer === null || typeof layer !== 'object') throw new ArgumentTypeError('layer', layer, 'a LoraLayer { w, a, b, r, alpha, merged }');
  assertRank(layer.r);
  assertFinite('alpha', layer.alpha);
  assertMatrix('w', layer.w);
  assertMatrix('a', layer.a);
  assertMatrix('b', layer.b);
  const { w, a, b, r } = layer;
  if (a.rows !== r || a.cols !== w.cols) throw new ArgumentError('a', a, `shape [${r}, ${w.cols}] (r x d_in, d_in from w ${shapeOf(w)})`, `shape ${shapeOf(a)}`);
  if (b.rows !== w.rows || b.cols !== r) throw new ArgumentError('b', b, `shape [${w.rows}, ${r}] (d_out x r, d_out from w ${shapeOf(w)})`, `shape ${shapeOf(b)}`);
  return { dIn: w.cols, dOut: w.rows, scale: layer.alpha / r };
}

/**
 * Wraps a frozen weight w [d_out, d_in] with a fresh adapter: A ~ uniform(-1/sqrt(d_in), 1/sqrt(d_in))
 * (loralib's kaiming_uniform with a = sqrt 5), B = 0.
 */
export function initLora(w: Matrix, options: LoraOptions, rng: Rng): LoraLayer {
  assertMatrix('w', w);
  const { r, alpha = options.r } = options;
  assertRank(r);
  assertFinite('alpha', alpha);
  if (w.rows === 0 || w.cols === 0) throw new ArgumentError('w', w, 'a non-empty matrix', `shape ${shapeOf(w)}`);
  const bound = 1 / Math.sqrt(w.cols);
  const a = matrix(r, w.cols);
  for (let i = 0; i < a.data.length; i++) a.data[i] = (2 * rng.uniform() - 1) * bound;
  return { w: matrix(w.rows, w.cols, w.data), a, b: matrix(w.rows, r), r, alpha, merged: false };
}

/** ΔW = (alpha / r) B A, [d_out, r] x [r, d_in] -> [d_out, d_in]: the update merging adds to W. */
export function loraDelta(layer: LoraLayer): Matrix {
  const { scale } = checkLayer(layer);
  const delta = matmul(layer.b, layer.a);
  for (let i = 0; i < delta.data.length; i++) delta.data[i] = scale * (delta.data[i] as number);
  return delta;
}

/**
 * The adapted layer on a batch of row vectors x [n, d_in] -> [n, d_out]:
 * h = x W^T + (alpha / r) (x A^T) B^T, the row form of W x + (alpha / r) B A x. A merged layer is x W'^T.
 */
export function loraForward(layer: LoraLayer, x: Matrix, ops?: OpCounter): Matrix {
  const { dIn, scale } = checkLayer(layer);
  assertMatrix('x', x);
  if (x.cols !== dIn) throw new ArgumentError('x', x, `d_in = ${dIn} columns like w ${shapeOf(layer.w)}`, `shape ${shapeOf(x)}`);
  // base: x W^T, [n, d_in] -> [n, d_out]
  const h = matmulTransposed(x, layer.w, ops);
  if (layer.merged) return h;
  // down-projection: x A^T, [n, d_in] -> [n, r]
  const down = matmulTransposed(x, layer.a, ops);
  // up-projection: (x A^T) B^T, [n, r] -> [n, d_out]
  const up = matmulTransposed(down, layer.b, ops);
  // h += (alpha / r) * up
  for (let i = 0; i < h.data.length; i++) h.data[i] = (h.data[i] as number) + scale * (up.data[i] as number);
  return h;
}

/** Merge for inference: W' = W + (alpha / r) B A; the adapter is kept so that it can be unmerged. */
export function mergeLora(layer: LoraLayer): LoraLayer {
  checkLayer(layer);
  if (layer.merged) throw new ArgumentError('layer', layer, 'an unmerged layer (merging twice would add B A twice)', 'a merged layer');
  const delta = loraDelta(layer);
  const w = matrix(layer.w.rows, layer.w.cols, layer.w.data);
  for (let i = 0; i < w.data.length; i++) w.data[i] = (w.data[i] as number) + (delta.data[i] as number);
  return { ...layer, w, merged: true };
}

/** Undo a merge: W = W' - (alpha / r) B A (to switch adapters or keep training). */
export function unmergeLora(layer: LoraLayer): LoraLayer {
  checkLayer(layer);
  if (!layer.merged) throw new ArgumentError('layer', layer, 'a merged layer', 'an unmerged layer');
  const delta = loraDelta(layer);
  const w = matrix(layer.w.rows, layer.w.cols, layer.w.data);
  for (let i = 0; i < w.data.length; i++) w.data[i] = (w.data[i] as number) - (delta.data[i] as number);
  return { ...layer, w, merged: false };
}

/** The same forward pass in tfjs (float32), as an independent oracle. */
export async function loraForwardTf(layer: LoraLayer, x: Matrix): Promise<Matrix> {
  const { dIn, scale } = checkLayer(layer);
  assertMatrix('x', x);
  if (x.cols !== dIn) throw new ArgumentError('x', x, `d_in = ${dIn} columns like w ${shapeOf(layer.w)}`, `shape ${shapeOf(x)}`);
  const { tf } = await tensorBackend();
  const out = tf.tidy(() => {
    const xt = toTensor2d(tf, x);
    const base = tf.matMul(xt, toTensor2d(tf, layer.w), false, true);
    if (layer.merged) return base;
    // [n, d_in] x [d_in, r] x [r, d_out]
    const update = tf.matMul(tf.matMul(xt, toTensor2d(tf, layer.a), false, true), toTensor2d(tf, layer.b), false, true);
    return tf.add(base, tf.mul(update, scale));
  });
  return fromTensor2d(out);
}

/**
 * Numerical rank by modified Gram-Schmidt with column pivoting: the number of orthogonal directions
 * whose norm exceeds `relTol` times the largest column norm. O(rows cols min(rows, cols)).
 */
export function numericalRank(m: Matrix, relTol = 1e-9): number {
  assertMatrix('m', m);
  assertFinite('relTol', relTol);
  const { rows, cols } = m;
  // columns as separate vectors
  const v = Array.from({ length: cols }, (_, j) => Float64Array.from({ length: rows }, (_, i) => m.data[i * cols + j] as number));
  const norm = (x: Float64Array) => Math.sqrt(x.reduce((s, y) => s + y * y, 0));
  const scaleRef = Math.max(0, ...v.map(norm));
  if (scaleRef === 0) return 0;
  const used = new Array<boolean>(cols).fill(false);
  let rank = 0;
  for (let step = 0; step < Math.min(rows, cols); step++) {
    // pivot: the remaining column with the largest residual norm
    let best = -1;
    let bestNorm = 0;
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      const n = norm(v[j]!);
      if (n > bestNorm) [best, bestNorm] = [j, n];
    }
    if (best < 0 || bestNorm <= relTol * scaleRef) break;
    used[best] = true;
    rank++;
    const q = v[best]!.map((x) => x / bestNorm);
    // remove the q component from every other remaining column
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      const col = v[j]!;
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += (q[i] as number) * (col[i] as number);
      for (let i = 0; i < rows; i++) col[i] = (col[i] as number) - dot * (q[i] as number);
    }
  }
  return rank;
}

export interface LowRankFitOptions {
  /** Adam steps (default 300). */
  steps?: number;
  /** Adam learning rate (default 0.05). */
  learningRate?: number;
}

export interface LowRankFit {
  r: number;
  /** ||(alpha/r) B A - ΔW||_F / ||ΔW||_F after training. */
  relativeError: number;
}

/**
 * Q26 as an experiment: train only a rank-r adapter (B = 0, A random, Adam, tfjs) so that the adapted
 * weight W + (alpha/r) B A matches W + `target`. Minimises ||(alpha/r) B A - target||_F^2 / ||target||_F^2,
 * which is the adapted layer's squared output error on isotropic inputs. The best possible value is
 * the Eckart-Young tail sqrt(sum_{i > r} sigma_i^2 / sum_i sigma_i^2) of target's singular values.
 */
export async function fitLowRankUpdate(target: Matrix, r: number, rng: Rng, options: LowRankFitOptions = {}): Promise<LowRankFit> {
  assertMatrix('target', target);
  assertRank(r);
  const { steps = 300, learningRate = 0.05 } = options;
  assertInteger('steps', steps, { min: 1 });
  assertFinite('learningRate', learningRate);
  const { tf } = await tensorBackend();
  const layer = initLora(matrix(target.rows, target.cols), { r }, rng);
  const a = tf.variable(toTensor2d(tf, layer.a));
  const b = tf.variable(toTensor2d(tf, layer.b));
  const t = toTensor2d(tf, target);
  const targetNorm2 = target.data.reduce((s, x) => s + x * x, 0);
  if (targetNorm2 === 0) throw new ArgumentError('target', target, 'a non-zero update');
  const optimizer = tf.train.adam(learningRate);
  // loss = ||B A - target||_F^2 / ||target||_F^2   (alpha = r, so the scale is 1)
  const loss = () => tf.div(tf.sum(tf.square(tf.sub(tf.matMul(b, a), t))), targetNorm2) as Scalar;
  for (let s = 0; s < steps; s++) tf.tidy(() => void optimizer.minimize(loss, false, [a, b]));
  const final = tf.tidy(loss);
  const value = (await final.data())[0] as number;
  tf.dispose([a, b, t, final]);
  optimizer.dispose();
  return { r, relativeError: Math.sqrt(value) };
}

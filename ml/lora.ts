/**
 * LoRA (low-rank adaptation): freeze a pretrained weight W and learn only a rank-r update B A.
 * Answers: Q25 (LoRA 参数量: two 10,000 x 10,000 layers at r = 100), Q26 (为什么 LoRA 能 work).
 *
 *   h = W x + (alpha / r) B A x          (Hu et al. 2021, eq. 3, with the alpha / r scale of 4.1)
 *
 * Symbols: W is [d_out, d_in] (frozen), A is [r, d_in], B is [d_out, r], r << min(d_in, d_out) is the
 * rank and alpha a constant that makes the update's scale independent of r. B starts at zero and A
 * random (loralib: kaiming_uniform(a = sqrt 5), i.e. uniform(-1/sqrt(d_in), 1/sqrt(d_in))), so the
 * adapted layer equals the base layer at step 0 and training starts from the pretrained model.
 *
 * Q25, counting: an adapted matrix trains A and B, r d_in + d_out r = r (d_in + d_out) numbers
 * instead of d_in d_out. Two 10,000 x 10,000 layers at r = 100: 2 * 100 * 20,000 = 4,000,000 (2% of 2 * 10^8).
 * GPT-3 175B (96 layers, d_model = 12,288), adapting W_q and W_v: 96 * 2 * 2 * 12,288 * r = 4,718,592 r,
 * i.e. 4.7M, 18.9M, 37.7M at r = 1, 4, 8 (millions rounded half-up to one decimal, `formatMillions`).
 * The classic wrong count is r d_in (forgetting B): it gives half of that
 * (`pitfallLoraParamCountWithoutB`); the classic wrong scale is alpha instead of alpha / r
 * (`pitfallLoraScaledByAlpha`: the update then grows with r).
 *
 * In this file: the textbook `loraForward` first; then the counted forward, init, merge and
 * unmerge, parameter counts, the tfjs twin `loraForwardTf(tf, x, w, a, b, scale)` with its Matrix
 * edge `loraForwardTfMatrix`, the tfjs trainer `fitLowRankUpdate`, `numericalRank`, the pitfalls.
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
 *   loraParamCount([{ dIn: 10_000, dOut: 10_000 }, { dIn: 10_000, dOut: 10_000 }], 100) // 4_000_000
 *   const layer = initLora(randomMatrix(3, 4, rng(1)), { r: 2, alpha: 4 }, rng(2)); // B = 0
 *   loraForward(layer, x)   // equals x W^T exactly until B is trained
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertFinite,
  assertInteger,
  assertObject,
} from '../core/errors.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import {
  assertMatrix,
  matmul,
  matmulTransposed,
  matrix,
  shapeOf,
  type Matrix,
} from '../core/matrix.js';
import { assertRng, type Rng } from '../core/random.js';
import type { Scalar } from '@tensorflow/tfjs';
import {
  assertTensor,
  assertTf,
  onMatrices,
  tensorBackend,
  toTensor2d,
  type Tensor,
  type Tf,
} from '../core/backend.js';

/**
 * The adapted layer on a batch of row vectors x [n, d_in] -> [n, d_out]: the row form of
 * h = W x + (alpha / r) B A x. A merged layer already holds W' = W + (alpha / r) B A.
 */
export function loraForward(layer: LoraLayer, x: Matrix): Matrix {
  const { scale } = assertLoraInput(layer, x);
  // base: x W^T, [n, d_in] -> [n, d_out]
  const h = matmulTransposed(x, layer.w);
  if (layer.merged) return h;
  // down, then up: (x A^T) B^T, [n, d_in] -> [n, r] -> [n, d_out]
  const update = matmulTransposed(matmulTransposed(x, layer.a), layer.b);
  // h += (alpha / r) * update
  for (let i = 0; i < h.data.length; i++) h.data[i] = h.data[i]! + scale * update.data[i]!;
  return h;
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

/** Above this many entries (or multiply-adds) a call would not return within a second. */
const MAX_WORK = 2 ** 27;

function assertRank(r: unknown): asserts r is number {
  assertInteger('r', r, { min: 1, max: 2 ** 20 });
}

/** Throws unless `layer` is a LoraLayer with consistent shapes; returns d_in, d_out, alpha / r. */
export function assertLoraLayer(layer: unknown): { dIn: number; dOut: number; scale: number } {
  assertObject('layer', layer, 'a LoraLayer { w, a, b, r, alpha, merged }');
  const { w, a, b, r, alpha, merged } = layer as Partial<LoraLayer>;
  assertRank(r);
  assertFinite('alpha', alpha);
  if (typeof merged !== 'boolean') throw new ArgumentTypeError('merged', merged, 'true or false');
  assertMatrix('w', w);
  assertMatrix('a', a);
  assertMatrix('b', b);
  if (a.rows !== r || a.cols !== w.cols) {
    throw new ArgumentError(
      'a',
      a,
      `shape [${r}, ${w.cols}] (r x d_in, d_in from w ${shapeOf(w)})`,
      `shape ${shapeOf(a)}`,
    );
  }
  if (b.rows !== w.rows || b.cols !== r) {
    throw new ArgumentError(
      'b',
      b,
      `shape [${w.rows}, ${r}] (d_out x r, d_out from w ${shapeOf(w)})`,
      `shape ${shapeOf(b)}`,
    );
  }
  return { dIn: w.cols, dOut: w.rows, scale: alpha / r };
}

/** The layer's checks plus x [n, d_in]; bounds the work of one forward. */
function assertLoraInput(
  layer: LoraLayer,
  x: Matrix,
): { dIn: number; dOut: number; scale: number } {
  const shape = assertLoraLayer(layer);
  assertMatrix('x', x);
  if (x.cols !== shape.dIn) {
    throw new ArgumentError(
      'x',
      x,
      `d_in = ${shape.dIn} columns like w ${shapeOf(layer.w)}`,
      `shape ${shapeOf(x)}`,
    );
  }
  if (x.rows * shape.dIn * (shape.dOut + layer.r) > MAX_WORK) {
    throw new ArgumentError('x', x, `n d_in (d_out + r) <= ${MAX_WORK}`, `shape ${shapeOf(x)}`);
  }
  return shape;
}

/** `loraForward` that adds its multiply-adds to `counter` ('madds'); the same arithmetic. */
export function loraForwardCounted(layer: LoraLayer, x: Matrix, counter?: Counter): Matrix {
  assertOptionalCounter('counter', counter);
  const { dIn, dOut } = assertLoraInput(layer, x);
  const h = loraForward(layer, x);
  // x W^T: n d_in d_out; unmerged also x A^T (n d_in r) and (x A^T) B^T (n r d_out)
  counter?.add('madds', x.rows * dIn * dOut + (layer.merged ? 0 : x.rows * layer.r * (dIn + dOut)));
  return h;
}

/**
 * Wraps a frozen weight w [d_out, d_in] with a fresh adapter: A ~ uniform(-1/sqrt(d_in),
 * 1/sqrt(d_in)) (loralib's kaiming_uniform with a = sqrt 5), B = 0.
 */
export function initLora(w: Matrix, options: LoraOptions, rng: Rng): LoraLayer {
  assertMatrix('w', w);
  const given: unknown = options;
  assertObject('options', given, 'LoRA options { r, alpha? }');
  const { r, alpha = options.r } = options;
  assertRank(r);
  assertFinite('alpha', alpha);
  assertRng('rng', rng);
  if (w.rows === 0 || w.cols === 0)
    throw new ArgumentError('w', w, 'a non-empty matrix', `shape ${shapeOf(w)}`);
  if (r * (w.rows + w.cols) > MAX_WORK)
    throw new ArgumentError('r', r, `r (d_in + d_out) <= ${MAX_WORK}`);
  const bound = 1 / Math.sqrt(w.cols);
  const a = matrix(r, w.cols);
  for (let i = 0; i < a.data.length; i++) a.data[i] = (2 * rng.uniform() - 1) * bound;
  return { w: matrix(w.rows, w.cols, w.data), a, b: matrix(w.rows, r), r, alpha, merged: false };
}

/** ΔW = (alpha / r) B A, [d_out, r] x [r, d_in] -> [d_out, d_in]: the update merging adds to W. */
export function loraDelta(layer: LoraLayer): Matrix {
  const { dIn, dOut, scale } = assertLoraLayer(layer);
  if (dIn * dOut * layer.r > MAX_WORK)
    throw new ArgumentError('layer', layer, `d_in d_out r <= ${MAX_WORK}`);
  const delta = matmul(layer.b, layer.a);
  for (let i = 0; i < delta.data.length; i++) delta.data[i] = scale * delta.data[i]!;
  return delta;
}

/** Merge for inference: W' = W + (alpha / r) B A; the adapter is kept so that it can be unmerged. */
export function mergeLora(layer: LoraLayer): LoraLayer {
  assertLoraLayer(layer);
  if (layer.merged) {
    throw new ArgumentError(
      'layer',
      layer,
      'an unmerged layer (merging twice would add B A twice)',
      'a merged layer',
    );
  }
  const delta = loraDelta(layer);
  const w = matrix(layer.w.rows, layer.w.cols, layer.w.data);
  for (let i = 0; i < w.data.length; i++) w.data[i] = w.data[i]! + delta.data[i]!;
  return { ...layer, w, merged: true };
}

/** Undo a merge: W = W' - (alpha / r) B A (to switch adapters or keep training). */
export function unmergeLora(layer: LoraLayer): LoraLayer {
  assertLoraLayer(layer);
  if (!layer.merged) throw new ArgumentError('layer', layer, 'a merged layer', 'an unmerged layer');
  const delta = loraDelta(layer);
  const w = matrix(layer.w.rows, layer.w.cols, layer.w.data);
  for (let i = 0; i < w.data.length; i++) w.data[i] = w.data[i]! - delta.data[i]!;
  return { ...layer, w, merged: false };
}

// ---------------------------------------------------------------- counting (Q25)

/** One weight matrix that may be adapted: it maps d_in features to d_out. */
export interface LinearShape {
  name?: string;
  dIn: number;
  dOut: number;
}

function assertShapes(shapes: unknown): asserts shapes is LinearShape[] {
  assertArray('shapes', shapes);
  shapes.forEach((s, i) => {
    assertObject(`shapes[${i}]`, s, 'a shape { dIn, dOut }');
    assertInteger(`shapes[${i}].dIn`, s['dIn'], { min: 1 });
    assertInteger(`shapes[${i}].dOut`, s['dOut'], { min: 1 });
  });
}

/** Trainable LoRA parameters: sum over adapted matrices of r (d_in + d_out) (A is r x d_in, B d_out x r). */
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

/** Which projections of a decoder block get an adapter. q, k, v, o are attention; up, down the MLP. */
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
export function adaptedShapes(
  config: TransformerConfig,
  targets: readonly LoraTarget[],
): LinearShape[] {
  const given: unknown = config;
  assertObject('config', given, 'a model config { layers, dModel, dFf?, dKv? }');
  assertInteger('config.layers', config.layers, { min: 1, max: 10_000 });
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
  if (!Array.isArray(targets) || targets.length === 0 || targets.length > 64) {
    throw new ArgumentError(
      'targets',
      targets,
      `a non-empty array of ${Object.keys(one).join(', ')}`,
    );
  }
  targets.forEach((t) => {
    if (typeof t !== 'string' || !Object.hasOwn(one, t)) {
      throw new ArgumentError('targets', t, `one of ${Object.keys(one).join(', ')}`);
    }
  });
  const out: LinearShape[] = [];
  for (let layer = 0; layer < config.layers; layer++) {
    for (const t of targets) {
      const s = one[t as LoraTarget];
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

// ---------------------------------------------------------------- tfjs

/**
 * The tensor-level twin: x [n, d_in], w [d_out, d_in], a [r, d_in], b [d_out, r] ->
 * x W^T + scale (x A^T) B^T, [n, d_out]. Pass the merged W' and b = undefined for a merged layer.
 * Synchronous, valid inside tf.tidy.
 */
export function loraForwardTf(
  tf: Tf,
  x: Tensor,
  w: Tensor,
  a?: Tensor,
  b?: Tensor,
  scale = 1,
): Tensor {
  assertTf('tf', tf);
  assertTensor('x', x, 2);
  assertTensor('w', w, 2);
  assertFinite('scale', scale);
  const [dOut, dIn] = w.shape as [number, number];
  if (x.shape[1] !== dIn)
    throw new ArgumentError(
      'x',
      x,
      `d_in = ${dIn} columns like w [${dOut}, ${dIn}]`,
      `shape [${x.shape.join(', ')}]`,
    );
  // base: [n, d_in] x [d_in, d_out]
  const base = tf.matMul(x, w, false, true);
  if (a === undefined && b === undefined) return base;
  assertTensor('a', a, 2);
  assertTensor('b', b, 2);
  const r = a.shape[0] as number;
  if (a.shape[1] !== dIn)
    throw new ArgumentError('a', a, `shape [r, ${dIn}]`, `shape [${a.shape.join(', ')}]`);
  if (b.shape[0] !== dOut || b.shape[1] !== r)
    throw new ArgumentError('b', b, `shape [${dOut}, ${r}]`, `shape [${b.shape.join(', ')}]`);
  // update: [n, d_in] x [d_in, r] x [r, d_out], scaled by alpha / r
  const update = tf.matMul(tf.matMul(x, a, false, true), b, false, true);
  return tf.add(base, tf.mul(update, scale));
}

/** The Matrix-level edge of `loraForwardTf` (float32): the oracle for `loraForward`. */
export async function loraForwardTfMatrix(layer: LoraLayer, x: Matrix): Promise<Matrix> {
  const { scale } = assertLoraInput(layer, x);
  if (layer.merged) return onMatrices((tf, xt, wt) => loraForwardTf(tf, xt, wt), x, layer.w);
  return onMatrices(
    (tf, xt, wt, at, bt) => loraForwardTf(tf, xt, wt, at, bt, scale),
    x,
    layer.w,
    layer.a,
    layer.b,
  );
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
 * Q26 as an experiment: train only a rank-r adapter (B = 0, A random, Adam, tfjs) so that the
 * adapted weight W + (alpha/r) B A matches W + `target`. Minimises ||B A - target||_F^2 /
 * ||target||_F^2 (alpha = r), the adapted layer's squared output error on isotropic inputs. The best
 * possible value is the Eckart-Young tail sqrt(sum_{i > r} sigma_i^2 / sum_i sigma_i^2).
 */
export async function fitLowRankUpdate(
  target: Matrix,
  r: number,
  rng: Rng,
  options: LowRankFitOptions = {},
): Promise<LowRankFit> {
  assertMatrix('target', target);
  assertRank(r);
  assertRng('rng', rng);
  const given: unknown = options;
  assertObject('options', given);
  const { steps = 300, learningRate = 0.05 } = options;
  assertInteger('steps', steps, { min: 1, max: 100_000 });
  assertFinite('learningRate', learningRate);
  const targetNorm2 = target.data.reduce((s, x) => s + x * x, 0);
  if (targetNorm2 === 0 || !Number.isFinite(targetNorm2))
    throw new ArgumentError('target', target, 'a non-zero update');
  if (steps * target.rows * target.cols * r > MAX_WORK) {
    throw new ArgumentError('steps', steps, `steps d_out d_in r <= ${MAX_WORK}`);
  }
  const layer = initLora(matrix(target.rows, target.cols), { r }, rng);
  const { tf } = await tensorBackend();
  const a = tf.variable(toTensor2d(tf, layer.a));
  const b = tf.variable(toTensor2d(tf, layer.b));
  const t = toTensor2d(tf, target);
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

// ---------------------------------------------------------------- rank

/**
 * Numerical rank by modified Gram-Schmidt with column pivoting: the number of orthogonal directions
 * whose norm exceeds `relTol` times the largest column norm. O(rows cols min(rows, cols)).
 */
export function numericalRank(m: Matrix, relTol = 1e-9): number {
  assertMatrix('m', m);
  assertFinite('relTol', relTol);
  if (relTol < 0) throw new ArgumentError('relTol', relTol, 'a tolerance >= 0');
  const { rows, cols } = m;
  if (rows * cols * Math.min(rows, cols) > MAX_WORK) {
    throw new ArgumentError(
      'm',
      m,
      `rows cols min(rows, cols) <= ${MAX_WORK}`,
      `shape ${shapeOf(m)}`,
    );
  }
  // columns as separate vectors
  const v = Array.from({ length: cols }, (_, j) =>
    Float64Array.from({ length: rows }, (_, i) => m.data[i * cols + j] as number),
  );
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
      for (let i = 0; i < rows; i++) dot += q[i]! * col[i]!;
      for (let i = 0; i < rows; i++) col[i] = col[i]! - dot * q[i]!;
    }
  }
  return rank;
}

// ---------------------------------------------------------------- pitfalls

/**
 * Pitfall: scales the update by alpha instead of alpha / r, so the update grows with the rank and
 * changing r means retuning the learning rate (what the alpha / r of the paper avoids).
 */
export function pitfallLoraScaledByAlpha(layer: LoraLayer, x: Matrix): Matrix {
  assertLoraInput(layer, x);
  return loraForward({ ...layer, alpha: layer.alpha * layer.r }, x);
}

/** Pitfall: counts only A (r d_in per adapted matrix) and forgets B's d_out r. */
export function pitfallLoraParamCountWithoutB(shapes: readonly LinearShape[], r: number): number {
  assertRank(r);
  assertShapes(shapes);
  return shapes.reduce((sum, s) => sum + r * s.dIn, 0);
}

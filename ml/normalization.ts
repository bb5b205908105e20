/**
 * Normalization in the Transformer: LayerNorm, RMSNorm, BatchNorm, and where the norm sits (Pre-LN
 * vs Post-LN). Answers: Q18 (transformer 归一化; RMSNorm 公式).
 *
 * A norm rescales each token's vector so the next layer sees inputs of a fixed scale whatever the
 * depth. LayerNorm centres and scales each row; RMSNorm only scales it (no mean, no bias), which
 * saves a reduction and a subtraction per row and works as well in practice.
 *
 *   LayerNorm(x) = (x - mean(x)) / sqrt(Var(x) + eps) * gamma + beta     (Ba et al. 2016)
 *   RMSNorm(x)   = x / sqrt(mean(x^2) + eps) * g                        (Zhang & Sennrich 2019)
 *   BatchNorm(x) = (x - mean_batch) / sqrt(Var_batch + eps) * gamma + beta, per feature (column)
 *
 * Conventions (as PyTorch / LLaMA): rows are tokens, columns the d features; LayerNorm and RMSNorm
 * reduce over the d columns of each row, BatchNorm over the rows of each column. eps goes INSIDE
 * the square root. Variance is the BIASED one (divide by d, PyTorch `correction=0`), in LayerNorm
 * and in BatchNorm's training-mode normalization. Default eps: 1e-5 for LayerNorm and BatchNorm
 * (PyTorch defaults), 1e-6 for RMSNorm (HF LlamaRMSNorm default; Meta's Llama 2 config uses 1e-5).
 * gamma / g default to ones and beta to zeros (the initial values).
 *
 * Placement, as functions of a sublayer f (attention or FFN):
 *   Post-LN (original Transformer): y = norm(x + f(x))
 *   Pre-LN  (GPT-2, LLaMA, Qwen):   y = x + f(norm(x))    -- the residual path is the identity
 *
 * The textbook answers come first (`layerNorm`, `rmsNorm`); `batchNorm` is the alternative over the
 * batch; `layerNormCounted` / `rmsNormCounted` count their work into a Counter; `layerNormTf`,
 * `rmsNormTf`, `batchNormTf` are the tensor twins. Pitfalls at the end.
 *
 * Complexity: O(n d) for n rows of width d. Per row, LayerNorm makes two reductions (mean, then
 * variance) and about 5d flops before the affine; RMSNorm one reduction and about 3d flops.
 *
 * @example
 *   layerNorm(fromRows([[1, 2, 3]]), undefined, undefined, 0);   // [[-1.2247, 0, 1.2247]]
 *   rmsNorm(fromRows([[3, 4]]), undefined, 0);                    // [[0.8485, 1.1314]]
 */
import {
  ArgumentError,
  assertFinite,
  assertFunction,
  assertObject,
  assertOptionalVector,
} from '../core/errors.js';
import { addMatrices, assertMatrix, matrix, shapeOf, type Matrix } from '../core/matrix.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { assertTensor, assertTf, onMatrices, type Tensor, type Tf } from '../core/backend.js';

/** PyTorch's default eps for nn.LayerNorm and nn.BatchNorm1d. */
export const LAYER_NORM_EPS = 1e-5;
/** HF LlamaRMSNorm's default eps. */
export const RMS_NORM_EPS = 1e-6;

/** LayerNorm over each row of x [n, d]: (x - mu) / sqrt(sigma^2 + eps) * gamma + beta. */
export function layerNorm(
  x: Matrix,
  gamma?: ArrayLike<number>,
  beta?: ArrayLike<number>,
  eps = LAYER_NORM_EPS,
): Matrix {
  assertNormArguments(x, { gamma, beta }, eps);
  const { rows: n, cols: d } = x;
  const y = matrix(n, d);
  for (let i = 0; i < n; i++) {
    const row = x.data.subarray(i * d, (i + 1) * d);
    // mu = (1/d) sum_j x_j
    const mu = row.reduce((s, v) => s + v, 0) / d;
    // sigma^2 = (1/d) sum_j (x_j - mu)^2   (biased: divide by d, not d - 1)
    const variance = row.reduce((s, v) => s + (v - mu) ** 2, 0) / d;
    const invStd = inverseRoot(x, variance + eps, `row ${i}`, 'variance');
    // y_j = (x_j - mu) / sqrt(sigma^2 + eps) * gamma_j + beta_j
    for (let j = 0; j < d; j++) {
      y.data[i * d + j] = ((row[j] as number) - mu) * invStd * (gamma?.[j] ?? 1) + (beta?.[j] ?? 0);
    }
  }
  return y;
}

/** RMSNorm over each row of x [n, d]: x / sqrt(mean(x^2) + eps) * g. No mean, no bias. */
export function rmsNorm(x: Matrix, gain?: ArrayLike<number>, eps = RMS_NORM_EPS): Matrix {
  assertNormArguments(x, { gain }, eps);
  const { rows: n, cols: d } = x;
  const y = matrix(n, d);
  for (let i = 0; i < n; i++) {
    const row = x.data.subarray(i * d, (i + 1) * d);
    // ms = (1/d) sum_j x_j^2
    const ms = row.reduce((s, v) => s + v * v, 0) / d;
    const invRms = inverseRoot(x, ms + eps, `row ${i}`, 'mean square');
    // y_j = x_j / sqrt(ms + eps) * g_j
    for (let j = 0; j < d; j++) y.data[i * d + j] = (row[j] as number) * invRms * (gain?.[j] ?? 1);
  }
  return y;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by every norm.

/** x is a finite matrix with at least one column. */
function assertNormInput(x: unknown): asserts x is Matrix {
  assertMatrix('x', x);
  if (x.cols === 0)
    throw new ArgumentError('x', x, 'at least one column (d >= 1)', `shape ${shapeOf(x)}`);
}

function assertEps(eps: unknown): asserts eps is number {
  assertFinite('eps', eps);
  if (eps < 0) throw new ArgumentError('eps', eps, 'a number >= 0');
}

/** x, each named per-feature vector (undefined or d finite numbers) and eps, checked at entry. */
function assertNormArguments(
  x: unknown,
  vectors: Record<string, unknown>,
  eps: unknown,
): asserts x is Matrix {
  assertNormInput(x);
  for (const [name, v] of Object.entries(vectors)) {
    assertOptionalVector(name, v, x.cols, `${x.cols} values, one per column of x ${shapeOf(x)}`);
  }
  assertEps(eps);
}

/** 1 / sqrt(s), refusing to divide by zero (only possible when eps = 0). `where` is "row 3" etc. */
function inverseRoot(x: Matrix, s: number, where: string, what: string): number {
  if (s === 0)
    throw new ArgumentError('x', x, `every ${what} > 0 when eps = 0`, `${where} with ${what} 0`);
  return 1 / Math.sqrt(s);
}

// ---------------------------------------------------------------------------------------------
// BatchNorm, the alternative: statistics over the batch (each column), not over the token.

export interface BatchNormOptions {
  gamma?: ArrayLike<number>;
  beta?: ArrayLike<number>;
  /** Default 1e-5. */
  eps?: number;
  /**
   * Inference mode: normalize with these stored statistics (length d each) instead of the batch's.
   * Without them, training mode: the batch's own mean and biased variance per column.
   */
  running?: { mean: ArrayLike<number>; variance: ArrayLike<number> };
}

/** Checks x and the options of batchNorm. */
function assertBatchNormArguments(x: unknown, options: unknown): asserts x is Matrix {
  assertNormInput(x);
  assertObject('options', options, 'BatchNorm options { gamma?, beta?, eps?, running? }');
  const { gamma, beta, eps = LAYER_NORM_EPS, running } = options as BatchNormOptions;
  const expected = `${x.cols} values, one per column of x ${shapeOf(x)}`;
  assertOptionalVector('gamma', gamma, x.cols, expected);
  assertOptionalVector('beta', beta, x.cols, expected);
  if (running !== undefined) {
    assertObject('running', running, '{ mean, variance } of length d each');
    assertOptionalVector('running.mean', running.mean ?? null, x.cols, expected);
    assertOptionalVector('running.variance', running.variance ?? null, x.cols, expected);
    for (let j = 0; j < x.cols; j++) {
      const v = running.variance[j] as number;
      if (v < 0) throw new ArgumentError(`running.variance[${j}]`, v, 'a variance >= 0');
    }
  }
  assertEps(eps);
  if (x.rows === 0)
    throw new ArgumentError(
      'x',
      x,
      'at least one row to take batch statistics over',
      `shape ${shapeOf(x)}`,
    );
}

/**
 * BatchNorm over the batch (each column normalized across the n rows), from scratch. Training mode
 * uses the batch's mean and biased variance; pass `running` for inference mode.
 */
export function batchNorm(x: Matrix, options: BatchNormOptions = {}): Matrix {
  assertBatchNormArguments(x, options);
  const { gamma, beta, eps = LAYER_NORM_EPS, running } = options;
  const { rows: n, cols: d } = x;
  const out = matrix(n, d);
  for (let j = 0; j < d; j++) {
    let mu: number;
    let variance: number;
    if (running) {
      mu = running.mean[j] as number;
      variance = running.variance[j] as number;
    } else {
      // mu_j = (1/n) sum_i x_ij; var_j = (1/n) sum_i (x_ij - mu_j)^2
      let sum = 0;
      for (let i = 0; i < n; i++) sum += x.data[i * d + j] as number;
      mu = sum / n;
      let squares = 0;
      for (let i = 0; i < n; i++) squares += ((x.data[i * d + j] as number) - mu) ** 2;
      variance = squares / n;
    }
    const invStd = inverseRoot(x, variance + eps, `column ${j}`, 'batch variance');
    for (let i = 0; i < n; i++) {
      const z = ((x.data[i * d + j] as number) - mu) * invStd;
      out.data[i * d + j] = z * (gamma?.[j] ?? 1) + (beta?.[j] ?? 0);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Counted kernels: the same norms with their work counted, to show what RMSNorm saves.

export interface LayerNormOptions {
  /** Scale per feature, length d (default ones). */
  gamma?: ArrayLike<number>;
  /** Shift per feature, length d (default zeros). */
  beta?: ArrayLike<number>;
  /** Added to the variance inside the square root; >= 0 (default 1e-5). */
  eps?: number;
}

export interface RmsNormOptions {
  /** Gain per feature, length d (default ones). RMSNorm has no bias. */
  weight?: ArrayLike<number>;
  /** Added to mean(x^2) inside the square root; >= 0 (default 1e-6). */
  eps?: number;
}

/**
 * LayerNorm with its work counted: 'flops' (elementwise adds, subtracts, multiplies, divides over
 * row elements, one per element per operation) and 'reductions' (passes that sum a row). Equals
 * `layerNorm`.
 */
export function layerNormCounted(
  x: Matrix,
  options: LayerNormOptions = {},
  counter?: Counter,
): Matrix {
  assertObject('options', options, 'LayerNorm options { gamma?, beta?, eps? }');
  const { gamma, beta, eps = LAYER_NORM_EPS } = options as LayerNormOptions;
  assertNormArguments(x, { gamma, beta }, eps);
  assertOptionalCounter('counter', counter);
  const y = layerNorm(x, gamma, beta, eps);
  // per row: sum (d), subtract mu (d), square (d), sum (d), scale (d); affine: up to 2d
  counter?.add('flops', x.rows * x.cols * (5 + (gamma ? 1 : 0) + (beta ? 1 : 0)));
  counter?.add('reductions', 2 * x.rows);
  return y;
}

/**
 * RMSNorm with its work counted ('flops', 'reductions' as in `layerNormCounted`). Equals `rmsNorm`.
 */
export function rmsNormCounted(x: Matrix, options: RmsNormOptions = {}, counter?: Counter): Matrix {
  assertObject('options', options, 'RMSNorm options { weight?, eps? }');
  const { weight, eps = RMS_NORM_EPS } = options as RmsNormOptions;
  assertNormArguments(x, { weight }, eps);
  assertOptionalCounter('counter', counter);
  const y = rmsNorm(x, weight, eps);
  // per row: square (d), sum (d), scale (d); gain: d
  counter?.add('flops', x.rows * x.cols * (3 + (weight ? 1 : 0)));
  counter?.add('reductions', x.rows);
  return y;
}

// ---------------------------------------------------------------------------------------------
// Placement around a sublayer.

/** A map from [n, d] to [n, d]: a norm or a sublayer (attention, FFN). */
export type RowMap = (x: Matrix) => Matrix;

function applyChecked(name: string, f: RowMap, x: Matrix): Matrix {
  const y = f(x);
  assertMatrix(`${name}(x)`, y);
  return y;
}

function assertPlacement(x: unknown, sublayer: unknown, norm: unknown): asserts x is Matrix {
  assertMatrix('x', x);
  assertFunction('sublayer', sublayer, 'a function [n, d] -> [n, d]');
  assertFunction('norm', norm, 'a function [n, d] -> [n, d]');
}

/** Post-LN (original Transformer): norm(x + f(x)). The residual sum passes through the norm. */
export function postNorm(x: Matrix, sublayer: RowMap, norm: RowMap): Matrix {
  assertPlacement(x, sublayer, norm);
  return applyChecked('norm', norm, addMatrices(x, applyChecked('sublayer', sublayer, x)));
}

/** Pre-LN (GPT-2, LLaMA): x + f(norm(x)). The residual path from input to output is untouched. */
export function preNorm(x: Matrix, sublayer: RowMap, norm: RowMap): Matrix {
  assertPlacement(x, sublayer, norm);
  return addMatrices(x, applyChecked('sublayer', sublayer, applyChecked('norm', norm, x)));
}

export interface RowMoments {
  mean: number[];
  /** Biased (divide by d). */
  variance: number[];
  /** sqrt(mean(x^2)). */
  rms: number[];
}

/** Mean, biased variance and root mean square of each row: what the properties are stated in. */
export function rowMoments(x: Matrix): RowMoments {
  assertNormInput(x);
  const result: RowMoments = { mean: [], variance: [], rms: [] };
  for (let i = 0; i < x.rows; i++) {
    const row = x.data.subarray(i * x.cols, (i + 1) * x.cols);
    const mu = row.reduce((s, v) => s + v, 0) / x.cols;
    result.mean.push(mu);
    result.variance.push(row.reduce((s, v) => s + (v - mu) ** 2, 0) / x.cols);
    result.rms.push(Math.sqrt(row.reduce((s, v) => s + v * v, 0) / x.cols));
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Tensor twins (float32), over the last axis of x [..., d]: synchronous, valid inside tf.tidy.

/** A per-feature tensor: undefined, a tensor of shape [d], or d finite numbers. */
export type FeatureVector = Tensor | ArrayLike<number>;

function isTensor(v: unknown): v is Tensor {
  return v !== null && typeof v === 'object' && 'dataSync' in v && 'shape' in v;
}

/** Checks tf and x [..., d] with d >= 1; returns d. */
function assertTfInput(tf: unknown, x: unknown): number {
  assertTf('tf', tf);
  assertTensor('x', x);
  const d = x.shape[x.rank - 1];
  if (x.rank < 1 || d === undefined || d < 1) {
    throw new ArgumentError(
      'x',
      x,
      'a tensor [..., d] with d >= 1',
      `shape [${x.shape.join(', ')}]`,
    );
  }
  return d;
}

function assertFeatureVector(argument: string, v: unknown, d: number): void {
  if (v === undefined) return;
  if (isTensor(v)) {
    if (v.rank !== 1 || v.shape[0] !== d) {
      throw new ArgumentError(
        argument,
        v,
        `a tensor of shape [${d}]`,
        `shape [${v.shape.join(', ')}]`,
      );
    }
    return;
  }
  assertOptionalVector(argument, v, d, `${d} values (or a tensor [${d}]), one per feature`);
}

/** Inside a tidy: the tensor of a feature vector, or `fill` everywhere. */
function featureTensor(tf: Tf, v: FeatureVector | undefined, d: number, fill: number): Tensor {
  if (v === undefined) return tf.fill([d], fill);
  return isTensor(v) ? v : tf.tensor1d(Float32Array.from(v));
}

/** LayerNorm in tfjs: tf.moments over the last axis (biased variance), eps inside tf.rsqrt. */
export function layerNormTf(
  tf: Tf,
  x: Tensor,
  gamma?: FeatureVector,
  beta?: FeatureVector,
  eps = LAYER_NORM_EPS,
): Tensor {
  const d = assertTfInput(tf, x);
  assertFeatureVector('gamma', gamma, d);
  assertFeatureVector('beta', beta, d);
  assertEps(eps);
  return tf.tidy(() => {
    // [..., d] -> mean, variance [..., 1]
    const { mean, variance } = tf.moments(x, -1, true);
    const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(
      tf.mul(normalized, featureTensor(tf, gamma, d, 1)),
      featureTensor(tf, beta, d, 0),
    );
  });
}

/** RMSNorm in tfjs, as LLaMA writes it: x * rsqrt(mean(x^2) + eps) * g. */
export function rmsNormTf(tf: Tf, x: Tensor, gain?: FeatureVector, eps = RMS_NORM_EPS): Tensor {
  const d = assertTfInput(tf, x);
  assertFeatureVector('gain', gain, d);
  assertEps(eps);
  return tf.tidy(() => {
    // ms [..., 1] = mean over the last axis of x^2
    const ms = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), featureTensor(tf, gain, d, 1));
  });
}

/**
 * BatchNorm in tfjs on x [n, d]: tf.moments over axis 0 (or the running statistics), tf.batchNorm.
 */
export function batchNormTf(tf: Tf, x: Tensor, options: BatchNormOptions = {}): Tensor {
  assertTf('tf', tf);
  assertTensor('x', x, 2);
  const [n, d] = x.shape as [number, number];
  assertBatchNormArguments(matrix(Math.min(n, 1), d), options);
  if (n === 0)
    throw new ArgumentError(
      'x',
      x,
      'at least one row to take batch statistics over',
      `shape [${n}, ${d}]`,
    );
  const { eps = LAYER_NORM_EPS, running } = options;
  return tf.tidy(() => {
    const stats = running
      ? {
          mean: tf.tensor1d(Float32Array.from(running.mean)),
          variance: tf.tensor1d(Float32Array.from(running.variance)),
        }
      : tf.moments(x, 0);
    const [beta, gamma] = [
      featureTensor(tf, options.beta, d, 0),
      featureTensor(tf, options.gamma, d, 1),
    ];
    return tf.batchNorm(x, stats.mean, stats.variance, beta, gamma, eps);
  });
}

/** `layerNormTf` on a Matrix: the edge for Matrix code and the agreement properties. */
export function layerNormTfMatrix(
  x: Matrix,
  gamma?: ArrayLike<number>,
  beta?: ArrayLike<number>,
  eps = LAYER_NORM_EPS,
): Promise<Matrix> {
  assertNormArguments(x, { gamma, beta }, eps);
  return onMatrices((tf, t) => layerNormTf(tf, t, gamma, beta, eps), x);
}

/** `rmsNormTf` on a Matrix. */
export function rmsNormTfMatrix(
  x: Matrix,
  gain?: ArrayLike<number>,
  eps = RMS_NORM_EPS,
): Promise<Matrix> {
  assertNormArguments(x, { gain }, eps);
  return onMatrices((tf, t) => rmsNormTf(tf, t, gain, eps), x);
}

/** `batchNormTf` on a Matrix. */
export function batchNormTfMatrix(x: Matrix, options: BatchNormOptions = {}): Promise<Matrix> {
  assertBatchNormArguments(x, options);
  return onMatrices((tf, t) => batchNormTf(tf, t, options), x);
}

// ---------------------------------------------------------------------------------------------
// Pitfalls: common wrong answers, rejected by the properties the right ones pass.

/** Per-row (x - mu_i) * scaleOf(variance_i, d, eps) * gamma + beta, for the LayerNorm pitfalls. */
function normalizeRows(
  x: Matrix,
  gamma: ArrayLike<number> | undefined,
  beta: ArrayLike<number> | undefined,
  eps: number,
  scaleOf: (variance: number, d: number, eps: number) => number,
): Matrix {
  assertNormArguments(x, { gamma, beta }, eps);
  const { mean, variance } = rowMoments(x);
  const d = x.cols;
  return matrix(
    x.rows,
    d,
    x.data.map((v, k) => {
      const [i, j] = [Math.floor(k / d), k % d];
      return (v - mean[i]!) * scaleOf(variance[i]!, d, eps) * (gamma?.[j] ?? 1) + (beta?.[j] ?? 0);
    }),
  );
}

/** Pitfall: LayerNorm with the unbiased variance (divide by d - 1); PyTorch divides by d. */
export function pitfallLayerNormUnbiasedVariance(
  x: Matrix,
  gamma?: ArrayLike<number>,
  beta?: ArrayLike<number>,
  eps = LAYER_NORM_EPS,
): Matrix {
  return normalizeRows(
    x,
    gamma,
    beta,
    eps,
    (variance, d, e) => 1 / Math.sqrt((variance * d) / Math.max(d - 1, 1) + e),
  );
}

/** Pitfall: eps added outside the square root, (x - mu) / (sqrt(var) + eps). */
export function pitfallLayerNormEpsOutsideRoot(
  x: Matrix,
  gamma?: ArrayLike<number>,
  beta?: ArrayLike<number>,
  eps = LAYER_NORM_EPS,
): Matrix {
  return normalizeRows(x, gamma, beta, eps, (variance, _d, e) => {
    const root = Math.sqrt(variance) + e;
    if (root === 0)
      throw new ArgumentError('x', x, 'every variance > 0 when eps = 0', 'a row with variance 0');
    return 1 / root;
  });
}

/** Pitfall: an "RMSNorm" that subtracts the row mean first: that is LayerNorm without beta. */
export function pitfallRmsNormSubtractingMean(
  x: Matrix,
  gain?: ArrayLike<number>,
  eps = RMS_NORM_EPS,
): Matrix {
  return layerNorm(x, gain, undefined, eps);
}

/** Pitfall: Pre-LN with the residual taken after the norm, norm(x) + f(norm(x)): no identity. */
export function pitfallPreNormResidualAfterNorm(x: Matrix, sublayer: RowMap, norm: RowMap): Matrix {
  assertPlacement(x, sublayer, norm);
  const normalized = applyChecked('norm', norm, x);
  return addMatrices(normalized, applyChecked('sublayer', sublayer, normalized));
}

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
 * reduce over the d columns of each row, BatchNorm over the rows of each column. eps goes INSIDE the
 * square root. Variance is the BIASED one (divide by d, PyTorch `correction=0`), in LayerNorm and in
 * BatchNorm's training-mode normalisation. Default eps: 1e-5 for LayerNorm and BatchNorm (PyTorch
 * defaults), 1e-6 for RMSNorm (HF LlamaRMSNorm default; Meta's Llama 2 config uses 1e-5).
 * gamma / g default to ones and beta to zeros (the initial values).
 *
 * Placement, as functions of a sublayer f (attention or FFN):
 *   Post-LN (original Transformer): y = norm(x + f(x))
 *   Pre-LN  (GPT-2, LLaMA, Qwen):   y = x + f(norm(x))    -- the residual path is the identity
 *
 * Complexity: O(n d) for n rows of width d. Per row, LayerNorm makes two reductions (mean, then
 * variance) and about 5d flops before the affine; RMSNorm one reduction and about 3d flops
 * (`NormCounter` counts them).
 *
 * @example
 *   layerNorm(fromRows([[1, 2, 3]]), { eps: 0 });   // [[-1.2247, 0, 1.2247]]  (biased variance 2/3)
 *   rmsNorm(fromRows([[3, 4]]), { eps: 0 });        // [[0.8485, 1.1314]]      (RMS = sqrt(12.5))
 */
import { ArgumentError, assertFinite, assertOptionalVector } from '../core/errors.js';
import { addMatrices, assertMatrix, matrix, shapeOf, type Matrix } from '../core/matrix.js';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';

/** PyTorch's default eps for nn.LayerNorm and nn.BatchNorm1d. */
export const LAYER_NORM_EPS = 1e-5;
/** HF LlamaRMSNorm's default eps. */
export const RMS_NORM_EPS = 1e-6;

/**
 * Counts the work of a norm: `flops` are elementwise adds, subtracts, multiplies and divides over
 * row elements (one per element touched, per operation); `reductions` are passes that sum a row.
 */
export interface NormCounter {
  flops: number;
  reductions: number;
}

export interface LayerNormOptions {
  /** Scale per feature, length d (default ones). */
  gamma?: ArrayLike<number>;
  /** Shift per feature, length d (default zeros). */
  beta?: ArrayLike<number>;
  /** Added to the variance inside the square root; >= 0 (default 1e-5). */
  eps?: number;
  ops?: NormCounter;
}

export interface RmsNormOptions {
  /** Gain per feature, length d (default ones). RMSNorm has no bias. */
  weight?: ArrayLike<number>;
  /** Added to mean(x^2) inside the square root; >= 0 (default 1e-6). */
  eps?: number;
  ops?: NormCounter;
}

export interface BatchNormOptions {
  gamma?: ArrayLike<number>;
  beta?: ArrayLike<number>;
  /** Default 1e-5. */
  eps?: number;
  /**
   * Inference mode: normalise with these stored statistics (length d each) instead of the batch's.
   * Without them, training mode: the batch's own mean and biased variance per column.
   */
  running?: { mean: ArrayLike<number>; variance: ArrayLike<number> };
}

/** A map from [n, d] to [n, d]: a norm or a sublayer (attention, FFN). */
export type RowMap = (x: Matrix) => Matrix;

function checkVector(argument: string, v: ArrayLike<number> | undefined, d: number, x: Matrix): void {
  assertOptionalVector(argument, v, d, `${d} values, one per column of x ${shapeOf(x)}`);
}

function checkEps(eps: number): void {
  assertFinite('eps', eps);
  if (eps < 0) throw new ArgumentError('eps', eps, 'a number >= 0');
}

function checkX(x: Matrix): void {
  assertMatrix('x', x);
  if (x.cols === 0) throw new ArgumentError('x', x, 'at least one column (d >= 1)', `shape ${shapeOf(x)}`);
}

/** 1 / sqrt(s + eps), refusing to divide by zero (only possible when eps = 0). `where` is "row 3" etc. */
function inverseRoot(x: Matrix, s: number, eps: number, where: string, what: string): number {
  const denominator = Math.sqrt(s + eps);
  if (denominator === 0) throw new ArgumentError('x', x, `every ${what} > 0 when eps = 0`, `${where} with ${what} 0`);
  return 1 / denominator;
}

/** LayerNorm over the last dimension (each row), from scratch. */
export function layerNorm(x: Matrix, options: LayerNormOptions = {}): Matrix {
  checkX(x);
  const { gamma, beta, eps = LAYER_NORM_EPS, ops } = options;
  checkVector('gamma', gamma, x.cols, x);
  checkVector('beta', beta, x.cols, x);
  checkEps(eps);
  const { rows: n, cols: d } = x;
  const out = matrix(n, d);
  for (let i = 0; i < n; i++) {
    const row = x.data.subarray(i * d, (i + 1) * d);
    // mu = (1/d) sum_j x_j
    let sum = 0;
    for (let j = 0; j < d; j++) sum += row[j] as number;
    const mu = sum / d;
    // sigma^2 = (1/d) sum_j (x_j - mu)^2   (biased: divide by d, not d - 1)
    let squares = 0;
    for (let j = 0; j < d; j++) squares += ((row[j] as number) - mu) ** 2;
    const invStd = inverseRoot(x, squares / d, eps, `row ${i}`, 'variance');
    // y_j = (x_j - mu) / sqrt(sigma^2 + eps) * gamma_j + beta_j
    for (let j = 0; j < d; j++) {
      out.data[i * d + j] = ((row[j] as number) - mu) * invStd * (gamma ? (gamma[j] as number) : 1) + (beta ? (beta[j] as number) : 0);
    }
  }
  if (ops) {
    // per row: sum (d), subtract mu (d), square (d), sum (d), scale (d); affine: 2d
    ops.flops += n * d * (5 + (gamma ? 1 : 0) + (beta ? 1 : 0));
    ops.reductions += 2 * n;
  }
  return out;
}

/** RMSNorm over the last dimension (each row), from scratch: no mean subtracted, no bias. */
export function rmsNorm(x: Matrix, options: RmsNormOptions = {}): Matrix {
  checkX(x);
  const { weight, eps = RMS_NORM_EPS, ops } = options;
  checkVector('weight', weight, x.cols, x);
  checkEps(eps);
  const { rows: n, cols: d } = x;
  const out = matrix(n, d);
  for (let i = 0; i < n; i++) {
    const row = x.data.subarray(i * d, (i + 1) * d);
    // ms = (1/d) sum_j x_j^2
    let squares = 0;
    for (let j = 0; j < d; j++) squares += (row[j] as number) ** 2;
    const invRms = inverseRoot(x, squares / d, eps, `row ${i}`, 'mean square');
    // y_j = x_j / sqrt(ms + eps) * g_j
    for (let j = 0; j < d; j++) out.data[i * d + j] = (row[j] as number) * invRms * (weight ? (weight[j] as number) : 1);
  }
  if (ops) {
    // per row: square (d), sum (d), scale (d); gain: d
    ops.flops += n * d * (3 + (weight ? 1 : 0));
    ops.reductions += n;
  }
  return out;
}

/**
 * BatchNorm over the batch (each column normalised across the n rows), from scratch. Training mode
 * uses the batch's mean and biased variance; pass `running` for inference mode.
 */
export function batchNorm(x: Matrix, options: BatchNormOptions = {}): Matrix {
  checkX(x);
  const { gamma, beta, eps = LAYER_NORM_EPS, running } = options;
  checkVector('gamma', gamma, x.cols, x);
  checkVector('beta', beta, x.cols, x);
  checkVector('running.mean', running?.mean, x.cols, x);
  checkVector('running.variance', running?.variance, x.cols, x);
  checkEps(eps);
  const { rows: n, cols: d } = x;
  if (n === 0) throw new ArgumentError('x', x, 'at least one row to take batch statistics over', `shape ${shapeOf(x)}`);
  const out = matrix(n, d);
  for (let j = 0; j < d; j++) {
    let mu: number;
    let variance: number;
    if (running) {
      mu = running.mean[j] as number;
      variance = running.variance[j] as number;
      if (variance < 0) throw new ArgumentError(`running.variance[${j}]`, variance, 'a variance >= 0');
    } else {
      // mu_j = (1/n) sum_i x_ij; var_j = (1/n) sum_i (x_ij - mu_j)^2
      let sum = 0;
      for (let i = 0; i < n; i++) sum += x.data[i * d + j] as number;
      mu = sum / n;
      let squares = 0;
      for (let i = 0; i < n; i++) squares += ((x.data[i * d + j] as number) - mu) ** 2;
      variance = squares / n;
    }
    const invStd = inverseRoot(x, variance, eps, `column ${j}`, 'batch variance');
    for (let i = 0; i < n; i++) {
      out.data[i * d + j] = ((x.data[i * d + j] as number) - mu) * invStd * (gamma ? (gamma[j] as number) : 1) + (beta ? (beta[j] as number) : 0);
    }
  }
  return out;
}

/** Post-LN (original Transformer): norm(x + f(x)). The residual sum passes through the norm. */
export function postNorm(x: Matrix, sublayer: RowMap, norm: RowMap): Matrix {
  assertMatrix('x', x);
  return norm(addMatrices(x, sublayer(x)));
}

/** Pre-LN (GPT-2, LLaMA): x + f(norm(x)). The residual path from input to output is untouched. */
export function preNorm(x: Matrix, sublayer: RowMap, norm: RowMap): Matrix {
  assertMatrix('x', x);
  return addMatrices(x, sublayer(norm(x)));
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
  assertMatrix('x', x);
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
// The oracle: the same norms in tfjs (float32).

const vectorOr = (v: ArrayLike<number> | undefined, d: number, fill: number) => Float32Array.from(v ?? new Array<number>(d).fill(fill));

/** LayerNorm in tfjs: tf.moments over the last axis (biased variance), eps inside tf.rsqrt. */
export async function layerNormTf(x: Matrix, options: Omit<LayerNormOptions, 'ops'> = {}): Promise<Matrix> {
  checkX(x);
  checkVector('gamma', options.gamma, x.cols, x);
  checkVector('beta', options.beta, x.cols, x);
  const { eps = LAYER_NORM_EPS } = options;
  checkEps(eps);
  const { tf } = await tensorBackend();
  const y = tf.tidy(() => {
    const t = toTensor2d(tf, x);
    // [n, d] -> mean, variance [n, 1]
    const { mean, variance } = tf.moments(t, 1, true);
    const normalised = tf.mul(tf.sub(t, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normalised, tf.tensor1d(vectorOr(options.gamma, x.cols, 1))), tf.tensor1d(vectorOr(options.beta, x.cols, 0)));
  });
  return fromTensor2d(y);
}

/** RMSNorm in tfjs, as LLaMA writes it: x * rsqrt(mean(x^2) + eps) * weight. */
export async function rmsNormTf(x: Matrix, options: Omit<RmsNormOptions, 'ops'> = {}): Promise<Matrix> {
  checkX(x);
  checkVector('weight', options.weight, x.cols, x);
  const { eps = RMS_NORM_EPS } = options;
  checkEps(eps);
  const { tf } = await tensorBackend();
  const y = tf.tidy(() => {
    const t = toTensor2d(tf, x);
    const ms = tf.mean(tf.square(t), 1, true);
    return tf.mul(tf.mul(t, tf.rsqrt(tf.add(ms, eps))), tf.tensor1d(vectorOr(options.weight, x.cols, 1)));
  });
  return fromTensor2d(y);
}

/** BatchNorm in tfjs: tf.moments over axis 0 (or the running statistics) fed to tf.batchNorm. */
export async function batchNormTf(x: Matrix, options: BatchNormOptions = {}): Promise<Matrix> {
  checkX(x);
  const { eps = LAYER_NORM_EPS, running } = options;
  const { tf } = await tensorBackend();
  const y = tf.tidy(() => {
    const t = toTensor2d(tf, x);
    const stats = running
      ? { mean: tf.tensor1d(Float32Array.from(running.mean)), variance: tf.tensor1d(Float32Array.from(running.variance)) }
      : tf.moments(t, 0);
    return tf.batchNorm(t, stats.mean, stats.variance, tf.tensor1d(vectorOr(options.beta, x.cols, 0)), tf.tensor1d(vectorOr(options.gamma, x.cols, 1)), eps);
  });
  return fromTensor2d(y);
}

// ---------------------------------------------------------------------------------------------
// Common wrong answers, kept so the tests can show that the properties reject them.

/** Applies a per-row affine normalisation (x - mu_i) * scaleOf(row i) * gamma + beta, for the variants. */
function normaliseRows(x: Matrix, options: LayerNormOptions, scaleOf: (variance: number, d: number, eps: number) => number): Matrix {
  const { eps = LAYER_NORM_EPS, gamma, beta } = options;
  const { mean, variance } = rowMoments(x);
  const d = x.cols;
  return matrix(x.rows, d, x.data.map((v, k) => {
    const i = Math.floor(k / d);
    const j = k % d;
    return (v - mean[i]!) * scaleOf(variance[i]!, d, eps) * (gamma ? (gamma[j] as number) : 1) + (beta ? (beta[j] as number) : 0);
  }));
}

/** WRONG: LayerNorm with the unbiased variance (divide by d - 1). PyTorch's LayerNorm divides by d. */
export function layerNormUnbiasedVariant(x: Matrix, options: LayerNormOptions = {}): Matrix {
  return normaliseRows(x, options, (variance, d, eps) => 1 / Math.sqrt((variance * d) / Math.max(d - 1, 1) + eps));
}

/** WRONG: eps added outside the square root, (x - mu) / (sqrt(var) + eps). */
export function layerNormEpsOutsideVariant(x: Matrix, options: LayerNormOptions = {}): Matrix {
  return normaliseRows(x, options, (variance, _d, eps) => 1 / (Math.sqrt(variance) + eps));
}

/** WRONG: "RMSNorm" that subtracts the row mean first: that is LayerNorm without beta, not RMSNorm. */
export function rmsNormMeanSubtractedVariant(x: Matrix, options: RmsNormOptions = {}): Matrix {
  return layerNorm(x, { eps: options.eps ?? RMS_NORM_EPS, ...(options.weight ? { gamma: options.weight } : {}) });
}

/**
 * Feature importance by permutation, and single-feature AUC beside it.
 * Answers: Q64 (特征重要度评测: permutation AUC, single-feature AUC), Q73 (加速模型拟合: drop the
 * features whose importance is not above noise, refit on fewer columns).
 *
 *   importance_j = score(model, X, y) - score(model, X with column j shuffled, y)     (Breiman 2001)
 *
 * averaged over R shuffles (mean and standard deviation, as sklearn's `permutation_importance`, whose
 * `importances_std` is the population std, ddof = 0). The model is not refitted: shuffling breaks the
 * link between column j and the label while keeping the column's distribution, so the drop measures
 * how much this fitted model relies on j. It can be negative (the shuffle helped by chance), and it is
 * exactly 0 for a column the model never reads. Every column is shuffled with the same R permutations
 * (sklearn does the same), so differences between columns are not permutation noise.
 *
 * Single-feature AUC: the AUC of column j used directly as the score, a model-free screen. Below 1/2
 * means the feature works reversed; `orientationFree` reports max(AUC, 1 - AUC) instead (the strength
 * of the feature whatever its sign), off by default so that the direction stays visible.
 *
 * Complexity: permutation importance costs F R model evaluations plus F R AUCs, O(F R (predict + n));
 * single-feature AUC is one O(n) AUC per column.
 *
 * @example
 *   const model = (X: Matrix) => Float64Array.from({ length: X.rows }, (_, i) => at(X, i, 0));
 *   permutationImportance(model, X, labels, rng(1)).mean   // [drop for column 0, 0, 0, ...]
 *   singleFeatureAuc(X, labels)                           // one AUC per column
 */
import { ArgumentError, ArgumentTypeError, assertFinite, assertInteger } from '../core/errors.js';
import { assertMatrix, matrix, shapeOf, type Matrix, type OpCounter } from '../core/matrix.js';
import { rng as seeded, type Rng } from '../core/random.js';
import { rocAuc } from './auc.js';

/** A fitted model: one score per row of X. */
export type Model = (x: Matrix) => ArrayLike<number>;

/** A score where higher is better, e.g. ROC AUC (the default). */
export type Scoring = (labels: ArrayLike<number>, scores: ArrayLike<number>, sampleWeight?: ArrayLike<number>) => number;

const aucScoring: Scoring = (labels, scores, sampleWeight) => rocAuc(labels, scores, sampleWeight === undefined ? {} : { sampleWeight });

export interface PermutationImportanceOptions {
  /** Shuffles per column (sklearn's n_repeats, default 5). */
  nRepeats?: number;
  /** Defaults to ROC AUC. */
  scoring?: Scoring;
  sampleWeight?: ArrayLike<number>;
  /** Which columns to measure (default all). */
  columns?: readonly number[];
}

export interface PermutationImportanceResult {
  /** The score on the data as given. */
  baseline: number;
  /** importances[c][r] = baseline - score with column columns[c] shuffled by permutation r. */
  importances: Float64Array[];
  /** Mean over the repeats, one per measured column. */
  mean: Float64Array;
  /** Population standard deviation over the repeats (ddof = 0, as sklearn). */
  std: Float64Array;
  columns: number[];
}

function checkData(x: Matrix, labels: ArrayLike<number>): void {
  assertMatrix('x', x);
  if (!Array.isArray(labels) && !ArrayBuffer.isView(labels)) throw new ArgumentTypeError('labels', labels, 'an array of 0/1 labels');
  if (labels.length !== x.rows) throw new ArgumentError('labels', labels, `${x.rows} labels, one per row of x ${shapeOf(x)}`);
}

/** A copy of x whose column `column` is shuffled (Fisher-Yates with `rng`); every other column is untouched. */
export function permuteColumn(x: Matrix, column: number, rng: Rng): Matrix {
  assertMatrix('x', x);
  assertInteger('column', column, { min: 0, max: x.cols - 1 });
  const out = matrix(x.rows, x.cols, x.data);
  // Fisher-Yates over the column's entries, in place in the copy
  for (let i = x.rows - 1; i > 0; i--) {
    const j = rng.integer(0, i);
    const a = out.data[i * x.cols + column] as number;
    out.data[i * x.cols + column] = out.data[j * x.cols + column] as number;
    out.data[j * x.cols + column] = a;
  }
  return out;
}

/** Population mean and standard deviation (ddof = 0). */
function meanStd(values: Float64Array): [number, number] {
  let m = 0;
  for (const v of values) m += v;
  m /= values.length;
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return [m, Math.sqrt(s / values.length)];
}

/** Breiman's permutation importance: the drop in score when one column is shuffled, over nRepeats shuffles. */
export function permutationImportance(model: Model, x: Matrix, labels: ArrayLike<number>, rng: Rng, options: PermutationImportanceOptions = {}): PermutationImportanceResult {
  if (typeof model !== 'function') throw new ArgumentTypeError('model', model, 'a function from a Matrix to one score per row');
  checkData(x, labels);
  const { nRepeats = 5, scoring = aucScoring, sampleWeight } = options;
  assertInteger('nRepeats', nRepeats, { min: 1 });
  const columns = options.columns ? [...options.columns] : Array.from({ length: x.cols }, (_, j) => j);
  columns.forEach((c, i) => assertInteger(`columns[${i}]`, c, { min: 0, max: x.cols - 1 }));
  const score = (m: Matrix) => {
    const s = model(m);
    if (s?.length !== m.rows) throw new ArgumentError('model', s, `one score per row (${m.rows})`, `${s?.length} scores`);
    return scoring(labels, s, sampleWeight);
  };
  const baseline = score(x);
  // one seed for all columns: column j's r-th shuffle is the same permutation for every j
  const seed = rng.integer(0, 2 ** 31 - 1);
  const importances = columns.map((c) => {
    const g = seeded(seed);
    const drops = new Float64Array(nRepeats);
    // importance = baseline - score(column c shuffled)
    for (let r = 0; r < nRepeats; r++) drops[r] = baseline - score(permuteColumn(x, c, g));
    return drops;
  });
  const stats = importances.map(meanStd);
  return {
    baseline,
    importances,
    mean: Float64Array.from(stats, ([m]) => m),
    std: Float64Array.from(stats, ([, s]) => s),
    columns,
  };
}

export interface SingleFeatureAucOptions {
  sampleWeight?: ArrayLike<number>;
  /** Report max(AUC, 1 - AUC): how well the column separates the classes in either direction. Default false. */
  orientationFree?: boolean;
}

/** The AUC of each column used as the score by itself. */
export function singleFeatureAuc(x: Matrix, labels: ArrayLike<number>, options: SingleFeatureAucOptions = {}): Float64Array {
  checkData(x, labels);
  const { sampleWeight, orientationFree = false } = options;
  const column = new Float64Array(x.rows);
  return Float64Array.from({ length: x.cols }, (_, j) => {
    for (let i = 0; i < x.rows; i++) column[i] = x.data[i * x.cols + j] as number;
    const auc = rocAuc(labels, column, sampleWeight === undefined ? {} : { sampleWeight });
    return orientationFree ? Math.max(auc, 1 - auc) : auc;
  });
}

export interface LogisticModel {
  weights: Float64Array;
  bias: number;
  /** The logit x . w + b of each row (a monotone score: its AUC equals the probabilities'). */
  predict: Model;
}

export interface LogisticOptions {
  /** Full-batch gradient steps (default 200). */
  steps?: number;
  learningRate?: number;
  /** L2 penalty on the weights (default 1e-3). */
  l2?: number;
  /** Multiply-adds of the fit are added here: about 2 n d per step, the cost Q73 wants to cut. */
  ops?: OpCounter;
}

/**
 * A small logistic regression fitted by full-batch gradient descent: the model whose features the
 * notebooks rank. Loss = mean log loss + (l2 / 2) ||w||^2.
 */
export function fitLogisticRegression(x: Matrix, labels: ArrayLike<number>, options: LogisticOptions = {}): LogisticModel {
  checkData(x, labels);
  const { steps = 200, learningRate = 0.5, l2 = 1e-3, ops } = options;
  assertInteger('steps', steps, { min: 1 });
  assertFinite('learningRate', learningRate);
  assertFinite('l2', l2);
  for (let i = 0; i < labels.length; i++) if (labels[i] !== 0 && labels[i] !== 1) throw new ArgumentError(`labels[${i}]`, labels[i], 'a label 0 or 1');
  const { rows: n, cols: d } = x;
  const w = new Float64Array(d);
  let b = 0;
  const grad = new Float64Array(d);
  for (let step = 0; step < steps; step++) {
    grad.fill(0);
    let gradB = 0;
    for (let i = 0; i < n; i++) {
      let z = b;
      for (let j = 0; j < d; j++) z += (x.data[i * d + j] as number) * (w[j] as number);
      // d loss / d z = sigmoid(z) - y
      const e = 1 / (1 + Math.exp(-z)) - (labels[i] as number);
      for (let j = 0; j < d; j++) grad[j] = (grad[j] as number) + e * (x.data[i * d + j] as number);
      gradB += e;
    }
    if (ops) ops.madds += 2 * n * d;
    for (let j = 0; j < d; j++) w[j] = (w[j] as number) - learningRate * ((grad[j] as number) / n + l2 * (w[j] as number));
    b -= (learningRate * gradB) / n;
  }
  const predict: Model = (m) => {
    assertMatrix('x', m);
    if (m.cols !== d) throw new ArgumentError('x', m, `${d} columns like the training data`, `shape ${shapeOf(m)}`);
    return Float64Array.from({ length: m.rows }, (_, i) => {
      let z = b;
      for (let j = 0; j < d; j++) z += (m.data[i * d + j] as number) * (w[j] as number);
      return z;
    });
  };
  return { weights: w, bias: b, predict };
}

/** The columns `keep` of x, in that order: [n, d] -> [n, keep.length]. */
export function selectColumns(x: Matrix, keep: readonly number[]): Matrix {
  assertMatrix('x', x);
  keep.forEach((c, i) => assertInteger(`keep[${i}]`, c, { min: 0, max: x.cols - 1 }));
  const out = matrix(x.rows, keep.length);
  for (let i = 0; i < x.rows; i++) keep.forEach((c, k) => (out.data[i * keep.length + k] = x.data[i * x.cols + c] as number));
  return out;
}

/**
 * A small logistic regression fitted by full-batch gradient descent (the model whose features the
 * notebooks rank), and `selectColumns` for Q73's refit on fewer columns.
 * Loss = mean log loss + (l2 / 2) ||w||^2; a step costs about 2 n d multiply-adds.
 */
import {
  ArgumentError,
  assertArray,
  assertFinite,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import { assertMatrix, matrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertTable, MAX_WORK, type Model } from './shuffle.js';

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
}

/**
 * Fits w, b by full-batch gradient descent on the mean log loss + (l2 / 2) ||w||^2. The counter
 * gets 'madds' (about 2 n d per step): the cost Q73 wants to cut.
 */
export function fitLogisticRegression(
  x: Matrix,
  labels: ArrayLike<number>,
  options: LogisticOptions = {},
  counter?: Counter,
): LogisticModel {
  assertTable(x, labels);
  const given: unknown = options;
  assertObject('options', given);
  assertOptionalCounter('counter', counter);
  const { steps = 200, learningRate = 0.5, l2 = 1e-3 } = options;
  assertInteger('steps', steps, { min: 1 });
  assertFinite('learningRate', learningRate);
  assertFinite('l2', l2);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1)
      throw new ArgumentError(`labels[${i}]`, labels[i], 'a label 0 or 1');
  }
  const { rows: n, cols: d } = x;
  if (steps * Math.max(1, n) * Math.max(1, d) > MAX_WORK) {
    throw new ArgumentError('steps', steps, `steps n d <= ${MAX_WORK} for x ${shapeOf(x)}`);
  }
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
    counter?.add('madds', 2 * n * d);
    for (let j = 0; j < d; j++) {
      w[j] =
        (w[j] as number) -
        learningRate * ((grad[j] as number) / Math.max(1, n) + l2 * (w[j] as number));
    }
    b -= (learningRate * gradB) / Math.max(1, n);
  }
  const predict: Model = (m) => {
    assertMatrix('x', m);
    if (m.cols !== d)
      throw new ArgumentError('x', m, `${d} columns like the training data`, `shape ${shapeOf(m)}`);
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
  assertArray('keep', keep);
  keep.forEach((c, i) => assertInteger(`keep[${i}]`, c, { min: 0, max: x.cols - 1 }));
  if (x.rows * keep.length > MAX_WORK)
    throw new ArgumentError('keep', keep, `at most ${MAX_WORK} entries out`);
  const out = matrix(x.rows, keep.length);
  for (let i = 0; i < x.rows; i++) {
    keep.forEach((c, k) => (out.data[i * keep.length + k] = x.data[i * x.cols + c] as number));
  }
  return out;
}

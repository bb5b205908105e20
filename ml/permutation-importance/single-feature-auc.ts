/**
 * Single-feature AUC: the AUC of column j used directly as the score, a model-free screen.
 * Answers: Q64 (特征重要度评测, the quickest answer: each feature alone as the score).
 *
 *   AUC_j = P(x_ij > x_kj for a random positive i and negative k), a tie counting 1/2
 *
 * Below 1/2 the feature works reversed; `orientationFree` maps each AUC to max(AUC, 1 - AUC), the
 * strength whatever the sign (kept separate so that the direction stays visible by default).
 * It cannot see interactions or redundancy (a copy of a feature scores as high as the original).
 * Complexity: one O(n log n) AUC per column.
 *
 * @example
 *   singleFeatureAuc(matrix(4, 2, [0.1, 4, 0.2, 3, 0.8, 2, 0.9, 1]), [0, 0, 1, 1])   // [1, 0]
 */
import { ArgumentTypeError, assertArrayLike, assertFiniteArray } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { pitfallAucIgnoringTies, rocAuc, rocAucWeighted } from '../auc/index.js';
import { assertAucInputs } from '../auc/inputs.js';
import { assertTable } from './shuffle.js';

/** The AUC of each column of x used alone as the score. */
export function singleFeatureAuc(x: Matrix, labels: ArrayLike<number>): Float64Array {
  assertTable(x, labels);
  assertAucInputs(labels, new Float64Array(labels.length));
  // AUC_j = rocAuc(labels, column j)
  return Float64Array.from({ length: x.cols }, (_, j) => rocAuc(labels, columnOf(x, j)));
}

/** Column j of x as a new array. */
function columnOf(x: Matrix, j: number): Float64Array {
  return Float64Array.from({ length: x.rows }, (_, i) => x.data[i * x.cols + j] as number);
}

/** The same with sample weights (each pair counts w_i w_k). */
export function singleFeatureAucWeighted(
  x: Matrix,
  labels: ArrayLike<number>,
  sampleWeight: ArrayLike<number>,
): Float64Array {
  assertTable(x, labels);
  if (sampleWeight === undefined) {
    throw new ArgumentTypeError('sampleWeight', sampleWeight, 'an array of weights >= 0');
  }
  assertAucInputs(labels, new Float64Array(labels.length), sampleWeight);
  return Float64Array.from({ length: x.cols }, (_, j) =>
    rocAucWeighted(labels, columnOf(x, j), sampleWeight),
  );
}

/** max(AUC, 1 - AUC) of each AUC: how well a column separates the classes in either direction. */
export function orientationFree(aucs: ArrayLike<number>): Float64Array {
  assertArrayLike('aucs', aucs);
  assertFiniteArray('aucs', aucs);
  return Float64Array.from(aucs, (a) => Math.max(a, 1 - a));
}

/**
 * Pitfall: single-feature AUC with ties counted 0: a binary or rounded feature (many ties) looks
 * weaker than it is, and a constant column scores 0 instead of 1/2.
 */
export function pitfallSingleFeatureAucIgnoringTies(
  x: Matrix,
  labels: ArrayLike<number>,
): Float64Array {
  assertTable(x, labels);
  assertAucInputs(labels, new Float64Array(labels.length));
  return Float64Array.from({ length: x.cols }, (_, j) =>
    pitfallAucIgnoringTies(labels, columnOf(x, j)),
  );
}

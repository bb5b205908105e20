/**
 * Feature importance by permutation. Answers: Q64 (特征重要度评测: permutation AUC, and the
 * single-feature AUC screen of ./single-feature-auc.ts), Q73 (加速模型拟合: drop the features whose
 * importance is not above noise, refit on fewer columns).
 *
 *   importance_j = score(model, X, y) - score(model, X with column j shuffled, y)     (Breiman 2001)
 *
 * averaged over R shuffles (mean and population std, ddof = 0, as sklearn's
 * `permutation_importance`). The model is not refitted: shuffling cuts the link between column j and
 * the label but keeps the column's distribution, so the drop measures how much this fitted model
 * relies on j. It can be negative (the shuffle helped by chance), and it is exactly 0 for a column
 * the model never reads. Every column gets the same R permutations (as sklearn), so differences
 * between columns are not permutation noise.
 *
 * - `permutationImportance` (the textbook answer, below): ROC AUC, every column, R = 5.
 * - `permutationImportanceWithOptions`: another scoring, sample weights, a subset of columns.
 * - `fitLogisticRegression`, `selectColumns`: the model the notebooks rank, and Q73's refit.
 * - Pitfall (./pitfalls.ts): shuffling the labels instead of the column.
 *
 * Complexity: F R model evaluations plus F R AUCs, O(F R (predict + n log n)).
 *
 * @example
 *   const model = (X: Matrix) => Float64Array.from({ length: X.rows }, (_, i) => at(X, i, 0));
 *   permutationImportance(model, X, labels, rng(1)).mean   // [drop for column 0, 0, 0, ...]
 */
import type { Matrix } from '../../core/matrix.js';
import type { Rng } from '../../core/random.js';
import { rocAuc } from '../auc/index.js';
import {
  assertImportanceInputs,
  dropsPerColumn,
  predictRows,
  summarizeDrops,
  type Model,
  type PermutationImportanceResult,
} from './shuffle.js';

/** Breiman's permutation importance: the AUC drop when one column is shuffled, R shuffles each. */
export function permutationImportance(
  model: Model,
  x: Matrix,
  labels: ArrayLike<number>,
  rng: Rng,
  nRepeats = 5,
): PermutationImportanceResult {
  assertImportanceInputs(model, x, labels, rng, nRepeats, x?.cols);
  const score = (m: Matrix) => rocAuc(labels, predictRows(model, m));
  const baseline = score(x);
  const columns = Array.from({ length: x.cols }, (_, j) => j);
  // importance_j = score(X) - score(X with column j shuffled), R shuffles of each column; one
  // seed for all columns, so the r-th shuffle is the same permutation for every column
  const seed = rng.integer(0, 2 ** 31 - 1);
  const drop = (shuffled: Matrix) => baseline - score(shuffled);
  const importances = dropsPerColumn(x, columns, nRepeats, seed, drop);
  return summarizeDrops(baseline, importances, columns);
}

export { permuteColumn, type Model, type PermutationImportanceResult } from './shuffle.js';
export {
  permutationImportanceWithOptions,
  type PermutationImportanceOptions,
  type Scoring,
} from './with-options.js';
export {
  fitLogisticRegression,
  selectColumns,
  type LogisticModel,
  type LogisticOptions,
} from './logistic.js';
export { pitfallShuffledLabels } from './pitfalls.js';

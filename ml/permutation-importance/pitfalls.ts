/** The common wrong permutation importance, kept to be rejected by the answer key. */
import type { Matrix } from '../../core/matrix.js';
import type { Rng } from '../../core/random.js';
import { rocAuc } from '../auc/index.js';
import {
  assertImportanceInputs,
  predictRows,
  summarizeDrops,
  type Model,
  type PermutationImportanceResult,
} from './shuffle.js';

/**
 * Pitfall: shuffles the labels instead of column j, so every column gets the same random drop and
 * a column the model never reads is no longer at exactly 0.
 */
export function pitfallShuffledLabels(
  model: Model,
  x: Matrix,
  labels: ArrayLike<number>,
  rng: Rng,
  nRepeats = 5,
): PermutationImportanceResult {
  assertImportanceInputs(model, x, labels, rng, nRepeats, x?.cols);
  const scores = predictRows(model, x);
  const baseline = rocAuc(labels, scores);
  const columns = Array.from({ length: x.cols }, (_, j) => j);
  const importances = columns.map(() =>
    Float64Array.from(
      { length: nRepeats },
      () => baseline - rocAuc(rng.shuffled(Array.from(labels)), scores),
    ),
  );
  return summarizeDrops(baseline, importances, columns);
}

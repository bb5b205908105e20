/**
 * Permutation importance with sklearn's options: another score, sample weights, a subset of the
 * columns, R repeats. With the defaults it equals the textbook `permutationImportance` exactly.
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import type { Rng } from '../../core/random.js';
import { rocAuc, rocAucWeighted } from '../auc/index.js';
import {
  assertImportanceInputs,
  assertTable,
  dropsPerColumn,
  predictRows,
  summarizeDrops,
  type Model,
  type PermutationImportanceResult,
} from './shuffle.js';

/** A score where higher is better, e.g. ROC AUC (the default). */
export type Scoring = (
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  sampleWeight?: ArrayLike<number>,
) => number;

const aucScoring: Scoring = (labels, scores, sampleWeight) =>
  sampleWeight === undefined
    ? rocAuc(labels, scores)
    : rocAucWeighted(labels, scores, sampleWeight);

export interface PermutationImportanceOptions {
  /** Shuffles per column (sklearn's n_repeats, default 5). */
  nRepeats?: number;
  /** Defaults to ROC AUC (weighted when sampleWeight is given). */
  scoring?: Scoring;
  sampleWeight?: ArrayLike<number>;
  /** Which columns to measure (default all). */
  columns?: readonly number[];
}

/** Permutation importance with a scoring, sample weights and a subset of columns. */
export function permutationImportanceWithOptions(
  model: Model,
  x: Matrix,
  labels: ArrayLike<number>,
  rng: Rng,
  options: PermutationImportanceOptions = {},
): PermutationImportanceResult {
  const given: unknown = options;
  assertObject('options', given);
  const { nRepeats = 5, scoring = aucScoring, sampleWeight } = options;
  if (typeof scoring !== 'function') {
    throw new ArgumentTypeError(
      'scoring',
      scoring,
      'a function (labels, scores, sampleWeight?) => number',
    );
  }
  assertTable(x, labels);
  const chosen: unknown = options.columns;
  if (chosen !== undefined) assertArray('columns', chosen);
  const columns: number[] = chosen
    ? [...(chosen as number[])]
    : Array.from({ length: x.cols }, (_, j) => j);
  columns.forEach((c, i) => assertInteger(`columns[${i}]`, c, { min: 0, max: x.cols - 1 }));
  assertImportanceInputs(model, x, labels, rng, nRepeats, columns.length);
  const score = (m: Matrix) => {
    const s = scoring(labels, predictRows(model, m), sampleWeight);
    if (typeof s !== 'number' || !Number.isFinite(s)) {
      throw new ArgumentError('scoring', s, 'a scoring that returns a finite number');
    }
    return s;
  };
  const baseline = score(x);
  // one seed for all columns: column j's r-th shuffle is the same permutation for every j
  const seed = rng.integer(0, 2 ** 31 - 1);
  const importances = dropsPerColumn(
    x,
    columns,
    nRepeats,
    seed,
    (shuffled) => baseline - score(shuffled),
  );
  return summarizeDrops(baseline, importances, columns);
}

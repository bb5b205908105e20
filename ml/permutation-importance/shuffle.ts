/**
 * What permutation importance is made of: the model type, the checks of its data, a column shuffle
 * (Fisher-Yates on one column of a copy) and the mean and population std of the repeats.
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertArrayLike,
  assertFinite,
  assertFiniteArray,
  assertFunction,
  assertInteger,
} from '../../core/errors.js';
import { assertMatrix, matrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertRng, rng as seeded, type Rng } from '../../core/random.js';

/** A fitted model: one score per row of X. */
export type Model = (x: Matrix) => ArrayLike<number>;

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

/** Above this many model rows scored in total, a run would take far more than a second or two. */
export const MAX_WORK = 2 ** 27;

/** Throws unless x is a Matrix and labels an array-like with one label per row. */
export function assertTable(x: unknown, labels: unknown): asserts x is Matrix {
  assertMatrix('x', x);
  assertArrayLike('labels', labels, 'an array of 0/1 labels');
  if (labels.length !== x.rows) {
    throw new ArgumentError('labels', labels, `${x.rows} labels, one per row of x ${shapeOf(x)}`);
  }
}

/** The checks of every permutation-importance entry: model, data, rng and repeats. */
export function assertImportanceInputs(
  model: unknown,
  x: unknown,
  labels: unknown,
  rng: unknown,
  nRepeats: unknown,
  columns: number,
): void {
  assertFunction('model', model, 'a function from a Matrix to one score per row');
  assertTable(x, labels);
  assertRng('rng', rng);
  assertInteger('nRepeats', nRepeats, { min: 1 });
  if (nRepeats * Math.max(1, columns) * Math.max(1, x.rows) > MAX_WORK) {
    throw new ArgumentError('nRepeats', nRepeats, `at most ${MAX_WORK} rows scored in all`);
  }
}

/** The model's scores on m, checked: one score per row (the AUC then checks that they are finite). */
export function predictRows(model: Model, m: Matrix): ArrayLike<number> {
  assertFunction('model', model, 'a function from a Matrix to one score per row');
  if (m === null || typeof m !== 'object' || !(m.data instanceof Float64Array)) {
    throw new ArgumentTypeError('m', m, 'a Matrix { rows, cols, data: Float64Array }');
  }
  const s = model(m);
  if (s === null || typeof s !== 'object' || s.length !== m.rows) {
    const shown = `${(s as ArrayLike<number> | null)?.length} scores`;
    throw new ArgumentError('model', s, `one score per row (${m.rows})`, shown);
  }
  return s;
}

/** A copy of x whose column `column` is shuffled (Fisher-Yates with `rng`); the rest is untouched. */
export function permuteColumn(x: Matrix, column: number, rng: Rng): Matrix {
  assertMatrix('x', x);
  assertInteger('column', column, { min: 0, max: x.cols - 1 });
  assertRng('rng', rng);
  return permuteColumnUnchecked(x, column, rng);
}

/**
 * The r-th shuffle of every column in `columns`, from one seed: the same R permutations for every
 * column (sklearn does the same), so differences between columns are not permutation noise.
 * Calls `drop` on each shuffled copy and returns the drops [columns.length][nRepeats].
 */
export function dropsPerColumn(
  x: Matrix,
  columns: readonly number[],
  nRepeats: number,
  seed: number,
  drop: (shuffled: Matrix) => number,
): Float64Array[] {
  assertMatrix('x', x);
  assertArray('columns', columns);
  columns.forEach((c, i) => assertInteger(`columns[${i}]`, c, { min: 0, max: x.cols - 1 }));
  assertInteger('nRepeats', nRepeats, { min: 1 });
  if (nRepeats * Math.max(1, columns.length) * Math.max(1, x.rows) > MAX_WORK) {
    throw new ArgumentError('nRepeats', nRepeats, `at most ${MAX_WORK} rows scored in all`);
  }
  assertInteger('seed', seed, { min: 0, max: 2 ** 31 - 1 });
  assertFunction('drop', drop);
  return columns.map((c) => {
    const g = seeded(seed);
    const drops = new Float64Array(nRepeats);
    for (let r = 0; r < nRepeats; r++) drops[r] = drop(permuteColumnUnchecked(x, c, g));
    return drops;
  });
}

/** permuteColumn without the checks (the loop of permutationImportance). */
function permuteColumnUnchecked(x: Matrix, column: number, rng: Rng): Matrix {
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

/** The result record: mean and population std (ddof = 0) of each column's drops. */
export function summarizeDrops(
  baseline: number,
  importances: Float64Array[],
  columns: number[],
): PermutationImportanceResult {
  assertFinite('baseline', baseline);
  assertArray('importances', importances);
  assertArray('columns', columns);
  if (columns.length !== importances.length) {
    throw new ArgumentError(
      'columns',
      columns,
      `${importances.length} columns, one per row of importances`,
    );
  }
  importances.forEach((d, i) => {
    if (!(d instanceof Float64Array) || d.length === 0) {
      throw new ArgumentTypeError(`importances[${i}]`, d, 'a non-empty Float64Array of drops');
    }
    assertFiniteArray(`importances[${i}]`, d);
  });
  const stats = importances.map((values) => {
    let m = 0;
    for (const v of values) m += v;
    m /= values.length;
    let s = 0;
    for (const v of values) s += (v - m) ** 2;
    return [m, Math.sqrt(s / values.length)] as const;
  });
  return {
    baseline,
    importances,
    mean: Float64Array.from(stats, ([m]) => m),
    std: Float64Array.from(stats, ([, s]) => s),
    columns,
  };
}

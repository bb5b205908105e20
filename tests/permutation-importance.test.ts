/**
 * Answer key for Q64 and Q73: permutation importance and single-feature AUC. Worked examples, the
 * exact invariants (a column the model ignores has importance exactly 0; a shuffle is a permutation
 * of that column and nothing else), the options version equal to the textbook one, planted
 * strong > weak > noise on seeded data, sklearn's conventions (baseline - permuted, can be negative,
 * population std), the counted cost of the fit, and the pitfalls (shuffling the labels instead of
 * the feature; single-feature AUC ignoring ties) rejected by the properties the right answers pass.
 * Input checks: tests/inputs/permutation-importance.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  fitLogisticRegression,
  permutationImportance,
  permutationImportanceWithOptions,
  permuteColumn,
  pitfallShuffledLabels,
  selectColumns,
  type Model,
  type PermutationImportanceResult,
} from '../ml/permutation-importance/index.js';
import {
  orientationFree,
  pitfallSingleFeatureAucIgnoringTies,
  singleFeatureAuc,
  singleFeatureAucWeighted,
} from '../ml/permutation-importance/single-feature-auc.js';
import { rocAuc, rocAucPairwise, rocAucWeighted } from '../ml/auc/index.js';
import { Counter } from '../core/counter.js';
import { at, matrix, randomMatrix, type Matrix } from '../core/matrix.js';
import { rng, type Rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

/** A linear scorer x . w. */
const linear =
  (w: readonly number[]): Model =>
  (x) =>
    Float64Array.from({ length: x.rows }, (_, i) =>
      w.reduce((s, wj, j) => s + wj * at(x, i, j), 0),
    );

/** n rows, d standard normal columns; y ~ Bernoulli(sigmoid(x . beta)). */
function plantedData(n: number, beta: readonly number[], g: Rng): { x: Matrix; labels: number[] } {
  const x = randomMatrix(n, beta.length, g);
  const labels = Array.from({ length: n }, (_, i) => {
    const z = beta.reduce((s, b, j) => s + b * at(x, i, j), 0);
    return g.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  });
  return { x, labels };
}

/** Random linear models with some zero weights, on data with both classes. */
const ignoredCase = fc
  .record({
    n: fc.integer({ min: 8, max: 60 }),
    weights: fc.array(fc.oneof(fc.constant(0), fc.double({ min: -3, max: 3, noNaN: true })), {
      minLength: 2,
      maxLength: 5,
    }),
    seed: fc.integer(),
  })
  .map(({ n, weights, seed }) => {
    const g = rng(seed);
    const x = randomMatrix(n, weights.length, g);
    const labels = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : g.integer(0, 1)));
    labels[1] = 0;
    return { x, labels, weights, seed };
  });

type Importance = (
  model: Model,
  x: Matrix,
  labels: number[],
  r: Rng,
) => PermutationImportanceResult;

/** The property: a column with weight 0 in a linear model has importance exactly 0 in every repeat. */
const ignoredIsZero = (importance: Importance) =>
  fc.property(ignoredCase, ({ x, labels, weights, seed }) => {
    const result = importance(linear(weights), x, labels, rng(seed));
    return weights.every((w, j) => w !== 0 || result.importances[j]!.every((v) => v === 0));
  });

describe('worked examples', () => {
  it('a model that reads only column 0: columns 1 and 2 get exactly 0, column 0 a positive drop', () => {
    const g = rng(1);
    const { x, labels } = plantedData(400, [2, 0, 0], g);
    const result = permutationImportance(linear([1, 0, 0]), x, labels, rng(2));
    expect(result.baseline).toBe(rocAuc(labels, linear([1, 0, 0])(x)));
    expect(result.mean[0]).toBeGreaterThan(0.2);
    expect(Array.from(result.mean.subarray(1))).toEqual([0, 0]);
    expect(result.importances[0]).toHaveLength(5); // sklearn's default n_repeats
  });

  it('single-feature AUC of a 4-row table: column 0 separates perfectly (1), column 1 reversed (0), column 2 is constant (1/2)', () => {
    const x = matrix(4, 3, [0.1, 4, 7, 0.2, 3, 7, 0.8, 2, 7, 0.9, 1, 7]);
    expect(Array.from(singleFeatureAuc(x, [0, 0, 1, 1]))).toEqual([1, 0, 0.5]);
    expect(Array.from(orientationFree(singleFeatureAuc(x, [0, 0, 1, 1])))).toEqual([1, 1, 0.5]);
  });
});

describe('exact invariants', () => {
  it('a column the model ignores has importance exactly 0 (every repeat)', () => {
    fc.assert(
      ignoredIsZero((m, x, y, r) => permutationImportance(m, x, y, r)),
      { seed: 1, numRuns: 150 },
    );
  });

  test.prop([ignoredCase, fc.integer({ min: 1, max: 6 })], { numRuns: 60 })(
    'the options version with nRepeats only equals the textbook one exactly',
    ({ x, labels, weights, seed }, nRepeats) => {
      const textbook = permutationImportance(linear(weights), x, labels, rng(seed), nRepeats);
      expect(
        permutationImportanceWithOptions(linear(weights), x, labels, rng(seed), { nRepeats }),
      ).toEqual(textbook);
    },
  );

  test.prop(
    [fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 5 }), fc.nat(), fc.integer()],
    { numRuns: 200 },
  )(
    'permuteColumn shuffles one column (a permutation of its values) and leaves the others and the input alone',
    (n, d, c, seed) => {
      const g = rng(seed);
      const x = randomMatrix(n, d, g);
      const before = Float64Array.from(x.data);
      const column = c % d;
      const y = permuteColumn(x, column, g);
      expect(Array.from(x.data)).toEqual(Array.from(before));
      const col = (m: Matrix, j: number) => Array.from({ length: n }, (_, i) => at(m, i, j));
      expect(col(y, column).sort((a, b) => a - b)).toEqual(col(x, column).sort((a, b) => a - b));
      for (let j = 0; j < d; j++) if (j !== column) expect(col(y, j)).toEqual(col(x, j));
    },
  );

  test.prop([ignoredCase, fc.integer({ min: 1, max: 6 })], { numRuns: 60 })(
    'mean and std are the mean and population std (ddof 0) of the repeats; the same seed gives the same result',
    ({ x, labels, weights, seed }, nRepeats) => {
      const result = permutationImportance(linear(weights), x, labels, rng(seed), nRepeats);
      result.importances.forEach((drops, j) => {
        const m = drops.reduce((a, b) => a + b, 0) / nRepeats;
        expect(result.mean[j]).toBeCloseTo(m, 12);
        expect(result.std[j]).toBeCloseTo(
          Math.sqrt(drops.reduce((s, v) => s + (v - m) ** 2, 0) / nRepeats),
          12,
        );
      });
      expect(permutationImportance(linear(weights), x, labels, rng(seed), nRepeats)).toEqual(
        result,
      );
    },
  );

  it('every column gets the same permutations: two identical columns used symmetrically get identical importances', () => {
    const g = rng(4);
    const base = randomMatrix(300, 1, g);
    const x = matrix(
      300,
      2,
      Array.from({ length: 600 }, (_, k) => base.data[k >> 1]!),
    );
    const labels = Array.from({ length: 300 }, (_, i) => (base.data[i]! + g.normal() > 0 ? 1 : 0));
    const result = permutationImportance(linear([1, 1]), x, labels, rng(5), 8);
    expect(Array.from(result.importances[1]!)).toEqual(Array.from(result.importances[0]!));
  });

  it('importance can be negative: a nearly unused noise column, 30 shuffles', () => {
    const g = rng(6);
    const { x, labels } = plantedData(500, [1.5, 0], g);
    const result = permutationImportance(linear([1, 0.05]), x, labels, rng(7), 30);
    expect(Math.min(...result.importances[1]!)).toBeLessThan(0);
    expect(Math.abs(result.mean[1]!)).toBeLessThan(0.01);
  });

  test.prop([ignoredCase], { numRuns: 100 })(
    'single-feature AUC: column j as the score, AUC(-x_j) = 1 - AUC(x_j), orientation-free = max(AUC, 1 - AUC)',
    ({ x, labels }) => {
      const aucs = singleFeatureAuc(x, labels);
      const negated = singleFeatureAuc(
        matrix(
          x.rows,
          x.cols,
          x.data.map((v) => -v),
        ),
        labels,
      );
      const free = orientationFree(aucs);
      aucs.forEach((a, j) => {
        expect(a).toBe(
          rocAuc(
            labels,
            Array.from({ length: x.rows }, (_, i) => at(x, i, j)),
          ),
        );
        expect(negated[j]).toBeCloseTo(1 - a, 12);
        expect(free[j]).toBe(Math.max(a, 1 - a));
      });
    },
  );
});

describe('planted features: strong > weak > noise', () => {
  test.prop([fc.integer()], { numRuns: 6 })(
    'logistic model on y ~ sigmoid(3 x0 + 0.7 x1 + 0 x2 + 0 x3): permutation importance and oriented single-feature AUC both rank x0 > x1 > noise',
    (seed) => {
      const g = rng(seed);
      const train = plantedData(2000, [3, 0.7, 0, 0], g);
      const valid = plantedData(2000, [3, 0.7, 0, 0], g);
      const model = fitLogisticRegression(train.x, train.labels, { steps: 150 });
      const { mean } = permutationImportance(model.predict, valid.x, valid.labels, g.fork());
      expect(mean[0]!).toBeGreaterThan(mean[1]!);
      expect(mean[1]!).toBeGreaterThan(Math.max(mean[2]!, mean[3]!));
      const single = orientationFree(singleFeatureAuc(valid.x, valid.labels));
      expect(single[0]!).toBeGreaterThan(single[1]!);
      expect(single[1]!).toBeGreaterThan(Math.max(single[2]!, single[3]!));
    },
  );
});

/** Mean log loss + (l2 / 2) ||w||^2 of a logistic model, written out directly (the oracle's objective). */
function logisticObjective(
  x: Matrix,
  labels: readonly number[],
  w: readonly number[],
  b: number,
  l2: number,
): number {
  let loss = 0;
  for (let i = 0; i < x.rows; i++) {
    const z = w.reduce((s, wj, j) => s + wj * at(x, i, j), b);
    const p = 1 / (1 + Math.exp(-z));
    loss -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return loss / x.rows + (l2 / 2) * w.reduce((s, wj) => s + wj * wj, 0);
}

/** The oracle: the same full-batch gradient descent, with each gradient taken by central differences. */
function descendByFiniteDifferences(
  x: Matrix,
  labels: readonly number[],
  steps: number,
  learningRate: number,
  l2: number,
): { w: number[]; b: number } {
  const h = 1e-6;
  let w = new Array<number>(x.cols).fill(0);
  let b = 0;
  for (let step = 0; step < steps; step++) {
    const gw = w.map((_, j) => {
      const up = w.map((v, k) => (k === j ? v + h : v));
      const down = w.map((v, k) => (k === j ? v - h : v));
      return (
        (logisticObjective(x, labels, up, b, l2) - logisticObjective(x, labels, down, b, l2)) /
        (2 * h)
      );
    });
    const gb =
      (logisticObjective(x, labels, w, b + h, l2) - logisticObjective(x, labels, w, b - h, l2)) /
      (2 * h);
    w = w.map((v, j) => v - learningRate * gw[j]!);
    b -= learningRate * gb;
  }
  return { w, b };
}

describe('the logistic model the notebooks rank features of', () => {
  test.prop(
    [
      fc.integer({ min: 2, max: 12 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 6 }),
      fc.double({ min: 0, max: 0.5, noNaN: true }),
      fc.integer(),
    ],
    { numRuns: 60 },
  )(
    'its gradient steps equal descent on the written-out objective with numerical gradients, to 1e-6',
    (n, d, steps, l2, seed) => {
      const g = rng(seed);
      const x = randomMatrix(n, d, g);
      const labels = Array.from({ length: n }, (_, i) =>
        i === 0 ? 1 : i === 1 ? 0 : g.integer(0, 1),
      );
      const model = fitLogisticRegression(x, labels, { steps, learningRate: 0.7, l2 });
      const oracle = descendByFiniteDifferences(x, labels, steps, 0.7, l2);
      Array.from(model.weights).forEach((w, j) =>
        expect(Math.abs(w - oracle.w[j]!)).toBeLessThan(1e-6),
      );
      expect(Math.abs(model.bias - oracle.b)).toBeLessThan(1e-6);
      const logits = model.predict(x);
      for (let i = 0; i < n; i++)
        expect(logits[i]).toBeCloseTo(
          oracle.w.reduce((s, wj, j) => s + wj * at(x, i, j), oracle.b),
          5,
        );
    },
  );

  it('selectColumns(x, keep) has x[i][keep[k]] at [i][k], repeats and order kept', () => {
    const x = matrix(2, 3, [1, 2, 3, 4, 5, 6]);
    const picked = selectColumns(x, [2, 0, 2]);
    expect([picked.rows, picked.cols]).toEqual([2, 3]);
    expect(Array.from(picked.data)).toEqual([3, 1, 3, 6, 4, 6]);
  });
});

describe('options: columns, sample weights', () => {
  it('columns picks which columns to measure; each gets the permutations the full run gives it', () => {
    const { x, labels } = plantedData(200, [1, 2, 0.5], rng(9));
    const model = linear([1, 2, 0.5]);
    const full = permutationImportance(model, x, labels, rng(10));
    const some = permutationImportanceWithOptions(model, x, labels, rng(10), { columns: [2, 0] });
    expect(some.columns).toEqual([2, 0]);
    expect(some.importances.map((d) => Array.from(d))).toEqual([
      Array.from(full.importances[2]!),
      Array.from(full.importances[0]!),
    ]);
  });

  it('sample weights reach the score: the baseline and single-feature AUC are the weighted AUCs', () => {
    const { x, labels } = plantedData(120, [1, -1], rng(11));
    const sampleWeight = Array.from({ length: 120 }, (_, i) => 1 + (i % 7));
    const model = linear([1, -1]);
    const weighted = permutationImportanceWithOptions(model, x, labels, rng(12), { sampleWeight });
    expect(weighted.baseline).toBe(rocAucWeighted(labels, model(x), sampleWeight));
    expect(weighted.baseline).not.toBe(rocAuc(labels, model(x)));
    const single = singleFeatureAucWeighted(x, labels, sampleWeight);
    const column0 = Array.from({ length: 120 }, (_, i) => at(x, i, 0));
    expect(single[0]).toBe(rocAucWeighted(labels, column0, sampleWeight));
    expect(single[0]).not.toBe(rocAuc(labels, column0));
  });
});

describe('Q73: fewer columns, cheaper fit', () => {
  test.prop(
    [
      fc.integer({ min: 2, max: 60 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer(),
    ],
    { numRuns: 30 },
  )(
    'the fit costs between n d and 2 n d multiply-adds per step, so keeping k of d columns cuts it by about d / k',
    (n, d, steps, seed) => {
      const g = rng(seed);
      const x = randomMatrix(n, d, g);
      const labels = Array.from({ length: n }, (_, i) =>
        i === 0 ? 1 : i === 1 ? 0 : g.integer(0, 1),
      );
      const all = new Counter();
      const few = new Counter();
      fitLogisticRegression(x, labels, { steps }, all);
      fitLogisticRegression(selectColumns(x, [0]), labels, { steps }, few);
      expect(all.get('madds')).toBeGreaterThanOrEqual(n * d * steps);
      expect(all.get('madds')).toBeLessThanOrEqual(2 * n * d * steps);
      expect(few.get('madds')).toBeLessThanOrEqual(2 * n * steps);
    },
  );
});

describe('the pitfalls are rejected by the properties the right answers pass', () => {
  it('shuffling the labels instead of the feature: an ignored column is no longer at exactly 0', () => {
    rejectsPitfall(
      ignoredIsZero((m, x, y, r) => pitfallShuffledLabels(m, x, y, r)),
      { seed: 1, numRuns: 50 },
    );
  });

  /** Single-feature AUC of column j equals the pairwise AUC of that column, on tie-heavy columns. */
  const matchesPairwise = (single: (x: Matrix, labels: number[]) => Float64Array) =>
    fc.property(ignoredCase, ({ x, labels }) => {
      const rounded = matrix(
        x.rows,
        x.cols,
        x.data.map((v) => Math.round(v)),
      );
      const aucs = single(rounded, labels);
      return Array.from(aucs).every((a, j) => {
        const column = Array.from({ length: x.rows }, (_, i) => at(rounded, i, j));
        return Math.abs(a - rocAucPairwise(labels, column)) < 1e-12;
      });
    });

  it('holds for singleFeatureAuc on rounded (tie-heavy) columns', () => {
    fc.assert(matchesPairwise(singleFeatureAuc), { seed: 2, numRuns: 100 });
  });

  it('rejects single-feature AUC that counts ties as 0 (a constant column scores 0, not 1/2)', () => {
    rejectsPitfall(matchesPairwise(pitfallSingleFeatureAucIgnoringTies), { seed: 2, numRuns: 100 });
    const constant = matrix(4, 1, [7, 7, 7, 7]);
    expect(Array.from(pitfallSingleFeatureAucIgnoringTies(constant, [0, 0, 1, 1]))).toEqual([0]);
  });
});

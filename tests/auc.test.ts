/**
 * Answer key for ROC AUC (Q65). Worked examples (sklearn's documented vector and a tie case computed
 * pair by pair), the textbook rank-sum `rocAuc`, the weighted walk and the radix version against the
 * O(n^2) pairwise definition on generated data with many ties (with and without weights), invariants
 * (strictly increasing transforms, AUC(-s) = 1 - AUC(s), sample order), and the two classic wrong
 * answers rejected by the same pairwise property. Input checks: tests/inputs/auc.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  averageRanks,
  pitfallAucIgnoringTies,
  pitfallAucOrdinalRanks,
  rocAuc,
  rocAucPairwise,
  rocAucRadix,
  rocAucWeighted,
} from '../ml/auc/index.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

/**
 * Scores with many ties and awkward values: small integers, -0 and 0, negative numbers, and values
 * 1 + k 2^-45 that share the high 32 bits of their key (they exercise the sort by the low word).
 */
const tieScore = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(-0, 0, 0.5, -1e300, 1e300, Number.MIN_VALUE, -Number.MIN_VALUE),
  fc.integer({ min: 0, max: 40 }).map((k) => 1 + k * 2 ** -45),
  fc.double({ min: -10, max: 10, noNaN: true }),
);

/** n labels with both classes, scores and weights. */
const aucCase = fc
  .array(
    fc.record({
      label: fc.constantFrom(0, 1),
      score: tieScore,
      weight: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 3, noNaN: true })),
    }),
    { minLength: 2, maxLength: 120 },
  )
  .filter(
    (rows) =>
      rows.some((r) => r.label === 1 && r.weight > 0) &&
      rows.some((r) => r.label === 0 && r.weight > 0),
  )
  .map((rows) => ({
    labels: rows.map((r) => r.label),
    scores: rows.map((r) => r.score),
    weights: rows.map((r) => r.weight),
  }));

type Auc = (labels: number[], scores: number[]) => number;

/** The oracle property: an implementation equals the pairwise definition on tie-heavy data. */
const matchesPairwise = (auc: Auc) =>
  fc.property(
    aucCase,
    ({ labels, scores }) => Math.abs(auc(labels, scores) - rocAucPairwise(labels, scores)) < 1e-12,
  );

describe('worked examples', () => {
  it("rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75, sklearn's documented value", () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAucRadix([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) = 0.875: the tie (.5,.5) counts 1/2, three pairs 1 each', () => {
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    expect(rocAucPairwise([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    expect(rocAucRadix([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
  });

  it('weights count pairs w_i w_j: doubling a positive equals duplicating it, (2 * 1 + 1 * 2) / (3 * 2)', () => {
    const weighted = rocAucWeighted([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], [1, 1, 2, 1]);
    expect(weighted).toBeCloseTo(rocAuc([0, 0, 1, 1, 1], [0.1, 0.4, 0.35, 0.35, 0.8]), 15);
    expect(weighted).toBeCloseTo(4 / 6, 15);
    const radix = rocAucRadix([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], { sampleWeight: [1, 1, 2, 1] });
    expect(radix).toBeCloseTo(4 / 6, 15);
  });

  it('average ranks: [10, 20, 20, 30] -> [1, 2.5, 2.5, 4]; -0 and 0 tie', () => {
    expect(Array.from(averageRanks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(rocAuc([0, 1], [-0, 0])).toBe(0.5);
    expect(rocAucRadix([0, 1], [-0, 0])).toBe(0.5);
  });

  it('perfect, reversed and constant scorers give 1, 0 and 1/2', () => {
    expect(rocAuc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [4, 3, 2, 1])).toBe(0);
    expect(rocAuc([0, 0, 1, 1], [7, 7, 7, 7])).toBe(0.5);
    expect(rocAucRadix([0, 0, 1, 1], [7, 7, 7, 7])).toBe(0.5);
  });
});

describe('oracle: every version equals the pairwise count', () => {
  it('rocAuc (the textbook rank sum) on tie-heavy data', () => {
    fc.assert(matchesPairwise(rocAuc), { seed: 1, numRuns: 300 });
  });

  it('rocAucRadix on the same data', () => {
    fc.assert(
      matchesPairwise((l, s) => rocAucRadix(l, s)),
      { seed: 1, numRuns: 300 },
    );
  });

  test.prop([aucCase], { numRuns: 300 })(
    'rocAucRadix equals the textbook rocAuc exactly up to 1e-15',
    ({ labels, scores }) => {
      expect(Math.abs(rocAucRadix(labels, scores) - rocAuc(labels, scores))).toBeLessThan(1e-15);
    },
  );

  test.prop([aucCase], { numRuns: 300 })(
    'with sample weights: rocAucWeighted and rocAucRadix equal the weighted pairs, to 1e-12',
    ({ labels, scores, weights }) => {
      const pairs = rocAucPairwise(labels, scores, { sampleWeight: weights });
      expect(rocAucWeighted(labels, scores, weights)).toBeCloseTo(pairs, 12);
      expect(rocAucRadix(labels, scores, { sampleWeight: weights })).toBeCloseTo(pairs, 12);
    },
  );

  test.prop([aucCase], { numRuns: 200 })(
    'scores in a Float64Array (the radix path that reads the bits in place), negated too',
    ({ labels, scores }) => {
      for (const sign of [1, -1]) {
        const typed = Float64Array.from(scores, (v) => sign * v);
        expect(rocAucRadix(labels, typed)).toBeCloseTo(
          rocAucPairwise(labels, Array.from(typed)),
          12,
        );
      }
      expect(rocAucRadix([0, 1], Float64Array.of(-0, 0))).toBe(0.5);
    },
  );

  it('n = 6000 with long runs sharing the high 32 bits (the radix path for runs), with and without weights', () => {
    const g = rng(3);
    const n = 6000;
    const labels = Array.from({ length: n }, () => (g.uniform() < 0.4 ? 1 : 0));
    const scores = Float64Array.from({ length: n }, (_, i) =>
      i % 3 === 0 ? 1 + g.integer(0, 500) * 2 ** -44 : g.integer(-50, 50) / 7,
    );
    const weights = Array.from({ length: n }, () => g.integer(0, 3));
    const pairs = rocAucPairwise(labels, scores);
    expect(rocAucRadix(labels, scores)).toBeCloseTo(pairs, 12);
    expect(rocAuc(labels, scores)).toBeCloseTo(pairs, 12);
    const weighted = rocAucPairwise(labels, scores, { sampleWeight: weights });
    expect(rocAucRadix(labels, scores, { sampleWeight: weights })).toBeCloseTo(weighted, 12);
    expect(rocAucWeighted(labels, scores, weights)).toBeCloseTo(weighted, 12);
    expect(rocAucRadix(labels, Array.from(scores))).toBe(rocAucRadix(labels, scores));
  });
});

describe('invariants', () => {
  test.prop([aucCase], { numRuns: 200 })(
    'AUC is in [0, 1] and AUC(-s) = 1 - AUC(s)',
    ({ labels, scores }) => {
      const a = rocAuc(labels, scores);
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(1);
      expect(
        rocAuc(
          labels,
          scores.map((s) => -s),
        ),
      ).toBeCloseTo(1 - a, 12);
    },
  );

  test.prop(
    [
      aucCase,
      fc.constantFrom(
        (x: number) => 2 * x + 7,
        (x: number) => x ** 3,
        (x: number) => Math.sign(x) * Math.sqrt(Math.abs(x)),
      ),
    ],
    { numRuns: 200 },
  )(
    'a strictly increasing transform of integer scores leaves AUC unchanged',
    ({ labels, scores }, f) => {
      const ints = scores.map((s) => Math.round(Math.max(-100, Math.min(100, s))));
      expect(rocAuc(labels, ints.map(f))).toBe(rocAuc(labels, ints));
    },
  );

  test.prop([aucCase, fc.integer()], { numRuns: 200 })(
    'shuffling the samples (labels and scores together) changes nothing',
    ({ labels, scores, weights }, seed) => {
      const perm = rng(seed).shuffled(labels.map((_, i) => i));
      const pick = <T>(xs: T[]) => perm.map((i) => xs[i]!);
      expect(rocAucWeighted(pick(labels), pick(scores), pick(weights))).toBeCloseTo(
        rocAucWeighted(labels, scores, weights),
        12,
      );
      expect(rocAucRadix(pick(labels), pick(scores), { sampleWeight: pick(weights) })).toBeCloseTo(
        rocAucRadix(labels, scores, { sampleWeight: weights }),
        12,
      );
    },
  );
});

describe('the common wrong answers are rejected by the same pairwise property', () => {
  it('counting a tie as 0 (pitfallAucIgnoringTies)', () => {
    rejectsPitfall(matchesPairwise(pitfallAucIgnoringTies), { seed: 1, numRuns: 50 });
    expect(pitfallAucIgnoringTies([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.75); // not 0.875
  });

  it('ranks without averaging ties: the answer depends on the input order (pitfallAucOrdinalRanks)', () => {
    rejectsPitfall(matchesPairwise(pitfallAucOrdinalRanks), { seed: 1, numRuns: 50 });
    expect(pitfallAucOrdinalRanks([1, 0], [3, 3])).not.toBe(pitfallAucOrdinalRanks([0, 1], [3, 3]));
  });
});

/**
 * Answer key for ROC AUC (Q65 uses it). Worked examples (sklearn's documented vector and a tie case
 * computed pair by pair), the fast radix version and the rank-sum version against the O(n^2) pairwise
 * definition on generated data with many ties (with and without weights), invariants (strictly
 * increasing transforms, AUC(-s) = 1 - AUC(s), sample order), the two classic wrong answers rejected
 * by the same oracle property, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { averageRanks, rocAuc, rocAucByRanks, rocAucPairwise } from '../ml/auc.js';
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';
import { rng } from '../core/random.js';

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
  .array(fc.record({ label: fc.constantFrom(0, 1), score: tieScore, weight: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 3, noNaN: true })) }), { minLength: 2, maxLength: 120 })
  .filter((rows) => rows.some((r) => r.label === 1 && r.weight > 0) && rows.some((r) => r.label === 0 && r.weight > 0))
  .map((rows) => ({
    labels: rows.map((r) => r.label),
    scores: rows.map((r) => r.score),
    weights: rows.map((r) => r.weight),
  }));

type Auc = (labels: number[], scores: number[]) => number;

/** WRONG: a tie counts 0 (strict > only). */
const aucTieAsZero: Auc = (labels, scores) => {
  let u = 0;
  let p = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    p++;
    for (let j = 0; j < labels.length; j++) if (labels[j] === 0 && scores[i]! > scores[j]!) u++;
  }
  return u / (p * (labels.length - p));
};

/** WRONG: ranks from the sort position (ties broken by input order), not averaged. */
const aucOrdinalRanks: Auc = (labels, scores) => {
  const order = labels.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const rank = new Array<number>(labels.length);
  order.forEach((i, r) => (rank[i] = r + 1));
  const p = labels.filter((y) => y === 1).length;
  const sum = labels.reduce((s, y, i) => s + (y === 1 ? rank[i]! : 0), 0);
  return (sum - (p * (p + 1)) / 2) / (p * (labels.length - p));
};

/** The oracle property: an implementation equals the pairwise definition on tie-heavy data. */
const matchesPairwise = (auc: Auc) =>
  fc.property(aucCase, ({ labels, scores }) => Math.abs(auc(labels, scores) - rocAucPairwise(labels, scores)) < 1e-12);

describe('worked examples', () => {
  it("rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75, sklearn's documented value", () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAucByRanks([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) = 0.875: pairs (.5,.5) tie = 1/2, (.5,.2), (.9,.5), (.9,.2) = 1 each, 3.5 / 4', () => {
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    expect(rocAucPairwise([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    expect(rocAucByRanks([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
  });

  it('weights count pairs w_i w_j: doubling a positive equals duplicating it', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], { sampleWeight: [1, 1, 2, 1] })).toBeCloseTo(rocAuc([0, 0, 1, 1, 1], [0.1, 0.4, 0.35, 0.35, 0.8]), 15);
    // (2 * 1 + 1 * 2) / (3 * 2) = 4 / 6
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], { sampleWeight: [1, 1, 2, 1] })).toBeCloseTo(4 / 6, 15);
  });

  it('average ranks: [10, 20, 20, 30] -> [1, 2.5, 2.5, 4]; -0 and 0 tie', () => {
    expect(Array.from(averageRanks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(rocAuc([0, 1], [-0, 0])).toBe(0.5);
  });

  it('perfect, reversed and constant scorers give 1, 0 and 1/2', () => {
    expect(rocAuc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [4, 3, 2, 1])).toBe(0);
    expect(rocAuc([0, 0, 1, 1], [7, 7, 7, 7])).toBe(0.5);
  });
});

describe('oracle: the fast and rank versions equal the pairwise count', () => {
  it('rocAuc (radix) on tie-heavy data, unweighted', () => {
    fc.assert(matchesPairwise((l, s) => rocAuc(l, s)), { seed: 1, numRuns: 300 });
  });

  it('rocAucByRanks (average ranks) on the same data', () => {
    fc.assert(matchesPairwise(rocAucByRanks), { seed: 1, numRuns: 300 });
  });

  test.prop([aucCase], { numRuns: 300 })('with sample weights, to 1e-12', ({ labels, scores, weights }) => {
    expect(rocAuc(labels, scores, { sampleWeight: weights })).toBeCloseTo(rocAucPairwise(labels, scores, { sampleWeight: weights }), 12);
  });

  test.prop([aucCase], { numRuns: 200 })('scores in a Float64Array (the path that reads the bits in place), negated too: -0 ties with 0, negatives order by their low word', ({ labels, scores }) => {
    for (const sign of [1, -1]) {
      const typed = Float64Array.from(scores, (v) => sign * v);
      expect(rocAuc(labels, typed)).toBeCloseTo(rocAucPairwise(labels, Array.from(typed)), 12);
    }
    expect(rocAuc([0, 1], Float64Array.of(-0, 0))).toBe(0.5);
  });

  it('n = 6000 with long runs sharing the high 32 bits (the radix path for runs), as Float64Array, with and without weights', () => {
    const g = rng(3);
    const n = 6000;
    const labels = Array.from({ length: n }, () => (g.uniform() < 0.4 ? 1 : 0));
    const scores = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 + g.integer(0, 500) * 2 ** -44 : g.integer(-50, 50) / 7));
    const weights = Array.from({ length: n }, () => g.integer(0, 3));
    expect(rocAuc(labels, scores)).toBeCloseTo(rocAucPairwise(labels, scores), 12);
    expect(rocAuc(labels, scores, { sampleWeight: weights })).toBeCloseTo(rocAucPairwise(labels, scores, { sampleWeight: weights }), 12);
    expect(rocAuc(labels, Array.from(scores))).toBe(rocAuc(labels, scores));
  });
});

describe('invariants', () => {
  test.prop([aucCase], { numRuns: 200 })('AUC is in [0, 1] and AUC(-s) = 1 - AUC(s)', ({ labels, scores }) => {
    const a = rocAuc(labels, scores);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThanOrEqual(1);
    expect(rocAuc(labels, scores.map((s) => -s))).toBeCloseTo(1 - a, 12);
  });

  test.prop([aucCase, fc.constantFrom((x: number) => 2 * x + 7, (x: number) => x ** 3, (x: number) => Math.sign(x) * Math.sqrt(Math.abs(x)))], { numRuns: 200 })(
    'a strictly increasing transform of integer scores leaves AUC unchanged',
    ({ labels, scores }, f) => {
      const ints = scores.map((s) => Math.round(Math.max(-100, Math.min(100, s))));
      expect(rocAuc(labels, ints.map(f))).toBe(rocAuc(labels, ints));
    },
  );

  test.prop([aucCase, fc.integer()], { numRuns: 200 })('shuffling the samples (labels and scores together) changes nothing', ({ labels, scores, weights }, seed) => {
    const perm = rng(seed).shuffled(labels.map((_, i) => i));
    const pick = <T,>(xs: T[]) => perm.map((i) => xs[i]!);
    expect(rocAuc(pick(labels), pick(scores), { sampleWeight: pick(weights) })).toBeCloseTo(rocAuc(labels, scores, { sampleWeight: weights }), 12);
  });
});

describe('the common wrong answers are rejected by the same pairwise property', () => {
  it('counting a tie as 0', () => {
    expect(() => fc.assert(matchesPairwise(aucTieAsZero), { seed: 1, numRuns: 50 })).toThrow();
    expect(aucTieAsZero([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.75); // not 0.875
  });

  it('ranks without averaging ties (the answer depends on the input order)', () => {
    expect(() => fc.assert(matchesPairwise(aucOrdinalRanks), { seed: 1, numRuns: 50 })).toThrow();
    expect(aucOrdinalRanks([1, 0], [3, 3])).not.toBe(aucOrdinalRanks([0, 1], [3, 3]));
  });
});

describe('bad input gets a typed error naming the argument', () => {
  it('a single class is an error, as in sklearn', () => {
    expect(() => rocAuc([1, 1, 1], [0.1, 0.2, 0.3])).toThrow(ArgumentError);
    expect(() => rocAuc([0, 0], [0.1, 0.2])).toThrow('labels: got an array of length 2, expected both classes (0 and 1): ROC AUC is not defined when only one class is present');
  });

  it('labels other than 0/1, NaN or infinite scores, mismatched lengths, negative weights', () => {
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow('labels[1]: got 2, expected a label 0 or 1');
    expect(() => rocAuc([0, 1], [0.1, Number.NaN])).toThrow('scores[1]: got NaN, expected a finite number');
    expect(() => rocAuc([0, 1], [Number.POSITIVE_INFINITY, 0])).toThrow('scores[0]: got Infinity, expected a finite number');
    expect(() => rocAuc([0, 1, 1], [0.1, 0.2])).toThrow('scores: got an array of length 2, expected 3 scores, one per label');
    expect(() => rocAuc([0, 1], [0.1, 0.2], { sampleWeight: [1, -1] })).toThrow('sampleWeight[1]: got -1, expected a finite weight >= 0');
    expect(() => rocAuc([0, 1], [0.1, 0.2], { sampleWeight: [1] })).toThrow('sampleWeight: got an array of length 1, expected 2 weights, one per label');
    expect(() => rocAuc([0, 1], [0.1, 0.2], { sampleWeight: [0, 1] })).toThrow('sampleWeight: got an array of length 2, expected a positive total weight for both classes');
    expect(() => rocAuc('01' as unknown as number[], [0.1, 0.2])).toThrow(ArgumentTypeError);
    expect(() => rocAuc([0, 1], '01' as unknown as number[])).toThrow(/^scores: /);
    expect(() => rocAuc([0, 1], [0.1, 0.2], { sampleWeight: '11' as unknown as number[] })).toThrow(/^sampleWeight: /);
    expect(() => rocAuc([0, 1], [0.1, 0.2], { sampleWeight: [1, Number.NaN] })).toThrow('sampleWeight[1]: got NaN, expected a finite weight >= 0');
  });
});

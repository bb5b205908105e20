/**
 * Answer key for Q01, reservoir sampling. Positions are counted from 0, as in the module: item i
 * draws a slot in [0, i] and enters with probability k / (i + 1). Read top-down: worked examples,
 * every alternative equal to Algorithm R (the same sample for the same seed, or the same law by
 * chi-square at ALPHA = 0.001), invariants, the random-draw count of Algorithm L as a bound,
 * weighted sampling, merging shards, then the wrong answers rejected by the same properties.
 * Input checks are in tests/inputs/reservoir-sampling.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  expectedReplacements,
  KeyedReservoir,
  mergeUniform,
  pitfallKeyTimesWeight,
  pitfallMergeByCoin,
  pitfallSlotFromExclusiveRange,
  ReservoirL,
  ReservoirR,
  reservoirSampleAsync,
  reservoirSampleL,
  reservoirSampleR,
  sampleArrayL,
  weightedReservoirSample,
  type ShardSample,
} from '../algorithms/reservoir-sampling/index.js';
import { Counter } from '../core/counter.js';
import { rng, type Rng } from '../core/random.js';
import { chiSquareSurvival, mean, std } from '../core/stats.js';
import { rejectsPitfall } from './support/answer-key.js';
import {
  ALPHA,
  STATISTICAL,
  subsetChiSquare,
  subsetKey,
  tallySubsets,
  uniformSubsets,
} from './support/sampling.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function* lazyRange(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** Anything with the signature of the textbook answer: Algorithm R, L, or a pitfall. */
type Sampler = (stream: Iterable<number>, k: number, r: Rng) => number[];

/** Feeds items 0..n-1 to a reservoir fed one at a time and returns its sample. */
function feed(reservoir: { offer(item: number): void; sample(): number[] }, n: number): number[] {
  for (let i = 0; i < n; i++) reservoir.offer(i);
  return reservoir.sample();
}

/**
 * Inclusion-frequency test: over `runs` seeded runs, item i should be in the sample with p = k / n.
 * The inclusion indicators of a uniform k-subset have covariance p (1 - p) n / (n - 1) (I - J / n),
 * so sum_i (c_i - R p)^2 / (R p (1 - p)) scaled by (n - 1) / n is chi-square with n - 1 df.
 */
function inclusionPValue(
  sample: Sampler,
  n: number,
  k: number,
  runs: number,
  seed: number,
): number {
  const r = rng(seed);
  const counts = new Float64Array(n);
  for (let t = 0; t < runs; t++) for (const item of sample(range(n), k, r)) counts[item]! += 1;
  const p = k / n;
  let statistic = 0;
  for (const c of counts) statistic += (c - runs * p) ** 2 / (runs * p * (1 - p));
  return chiSquareSurvival((statistic * (n - 1)) / n, n - 1);
}

/** The property: each of 20 items is kept with probability 5 / 20 (4,000 runs per seed). */
const uniformInclusion = (sample: Sampler) =>
  fc.property(fc.nat(), (seed) => inclusionPValue(sample, 20, 5, 4000, seed) > ALPHA);

/** The property: each of the 6 pairs of a 4-item stream is equally likely (6,000 runs a seed). */
const uniformPairs = (sample: (r: Rng) => readonly unknown[]) =>
  fc.property(fc.nat(), (seed) => {
    const counts = tallySubsets(sample, 6000, seed);
    return subsetChiSquare(counts, uniformSubsets(4, 2), 6000).pValue > ALPHA;
  });

/**
 * Exact successive-sampling probabilities of every k-subset: draw one by one,
 * P(i) = w_i / (weight left).
 */
function successiveSamplingExact(weights: readonly number[], k: number): Map<string, number> {
  const exact = new Map<string, number>();
  const walk = (chosen: number[], p: number, left: number) => {
    if (chosen.length === k) {
      const key = subsetKey(chosen);
      exact.set(key, (exact.get(key) ?? 0) + p);
      return;
    }
    weights.forEach((w, i) => {
      if (!chosen.includes(i)) walk([...chosen, i], (p * w) / left, left - w);
    });
  };
  walk(
    [],
    1,
    weights.reduce((s, w) => s + w, 0),
  );
  return exact;
}

function inclusionFromSubsets(exact: Map<string, number>, n: number): number[] {
  const inc = new Array<number>(n).fill(0);
  for (const [key, p] of exact) for (const i of key.split(',')) inc[Number(i)]! += p;
  return inc;
}

/** Weights (1, 2, 3, 4), k = 2: pair frequencies against exact successive sampling. */
const weights = [1, 2, 3, 4];
const weightedStream = weights.map((w, i) => [i, w] as const);
const successivePairs = (sample: (r: Rng) => readonly unknown[]) =>
  fc.property(fc.nat(), (seed) => {
    const counts = tallySubsets(sample, 6000, seed);
    return subsetChiSquare(counts, successiveSamplingExact(weights, 2), 6000).pValue > ALPHA;
  });

/** Shards [0, 1] and [2, 3], k = 2: a uniform pair of the union. */
type Shard = ShardSample<number>;
type Merge = (a: Shard, b: Shard, k: number, r: Rng) => Shard;
const shardSample = (items: number[], r: Rng) => ({
  sample: reservoirSampleR(items, 2, r),
  seen: items.length,
});
const mergedPairs = (merge: Merge) =>
  uniformPairs((r) => merge(shardSample([0, 1], r), shardSample([2, 3], r), 2, r).sample);

describe('worked examples', () => {
  it('reservoirSampleR([1..10], 3, rng(7)) returns 3 distinct items of the stream', () => {
    const sample = reservoirSampleR([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3, rng(7));
    expect(sample).toHaveLength(3);
    expect(new Set(sample).size).toBe(3);
    for (const x of sample) expect(x >= 1 && x <= 10).toBe(true);
  });

  it('a stream shorter than k is returned whole, and k = 0 returns nothing', () => {
    expect(reservoirSampleR([4, 5], 5, rng(1)).sort()).toEqual([4, 5]);
    expect(reservoirSampleR([4, 5], 0, rng(1))).toEqual([]);
    expect(reservoirSampleL([4, 5], 5, rng(1)).sort()).toEqual([4, 5]);
  });

  it('the same seed gives the same sample; Algorithm R and L are both reproducible', () => {
    for (const sample of [reservoirSampleR, reservoirSampleL]) {
      expect(sample(range(1000), 5, rng(42))).toEqual(sample(range(1000), 5, rng(42)));
    }
  });

  it('exact successive-sampling inclusion for weights (1, 2, 3), k = 2, matches the hand computation', () => {
    // P({0,1}) = 1/6*2/5 + 2/6*1/4 = 0.15; P({0,2}) = 1/6*3/5 + 3/6*1/3 = 4/15;
    // P({1,2}) = 2/6*3/4 + 3/6*2/3 = 7/12
    const exact = successiveSamplingExact([1, 2, 3], 2);
    expect(exact.get('0,1')).toBeCloseTo(0.15, 12);
    expect(exact.get('0,2')).toBeCloseTo(4 / 15, 12);
    expect(exact.get('1,2')).toBeCloseTo(7 / 12, 12);
  });

  it('weights (1, 2, 3, 4) with k = 2 give inclusion (.2345, .4413, .6083, .7159), not proportional to w', () => {
    const inclusion = inclusionFromSubsets(successiveSamplingExact([1, 2, 3, 4], 2), 4);
    [0.2345, 0.4413, 0.6083, 0.7159].forEach((p, i) => expect(inclusion[i]).toBeCloseTo(p, 4));
  });

  it('expectedReplacements(10^6, 10) = 10 (H_10^6 - H_10), about 10 ln(10^5) = 115', () => {
    expect(expectedReplacements(1_000_000, 10)).toBeCloseTo(114.64, 2);
    expect(expectedReplacements(5, 5)).toBe(0);
  });
});

describe('every alternative equals Algorithm R', () => {
  test.prop([fc.nat({ max: 300 }), fc.nat({ max: 40 }), fc.integer()], { numRuns: 200 })(
    'ReservoirR fed one item at a time keeps exactly what reservoirSampleR keeps (same seed)',
    (n, k, seed) => {
      const textbook = reservoirSampleR(range(n), k, rng(seed));
      expect(feed(new ReservoirR<number>(k, rng(seed)), n)).toEqual(textbook);
    },
  );

  test.prop([fc.nat({ max: 200 }), fc.nat({ max: 20 }), fc.integer()], { numRuns: 60 })(
    'reservoirSampleAsync over an async generator returns the sync sample, for R and for L',
    async (n, k, seed) => {
      async function* source() {
        for (let i = 0; i < n; i++) yield i;
      }
      const viaR = await reservoirSampleAsync(source(), k, rng(seed));
      expect(viaR).toEqual(reservoirSampleR(range(n), k, rng(seed)));
      const viaL = await reservoirSampleAsync(source(), k, rng(seed), 'L');
      expect(viaL).toEqual(reservoirSampleL(range(n), k, rng(seed)));
    },
  );

  test.prop([fc.nat({ max: 3000 }), fc.nat({ max: 20 }), fc.integer()], { numRuns: 100 })(
    'Algorithm L: sampleArrayL (jumping over the array) and ReservoirL equal reservoirSampleL',
    (n, k, seed) => {
      const viaL = reservoirSampleL(range(n), k, rng(seed));
      expect(sampleArrayL(range(n), k, rng(seed))).toEqual(viaL);
      expect(feed(new ReservoirL<number>(k, rng(seed)), n)).toEqual(viaL);
    },
  );

  it('in law: Algorithm R and L keep each of 20 items with probability 5/20 (chi-square)', () => {
    fc.assert(uniformInclusion(reservoirSampleR), STATISTICAL);
    fc.assert(uniformInclusion(reservoirSampleL), STATISTICAL);
  });

  it('in law: R, L, and weighted sampling with equal weights make all 6 pairs of 4 items equally likely', () => {
    fc.assert(
      uniformPairs((r) => reservoirSampleR(range(4), 2, r)),
      STATISTICAL,
    );
    fc.assert(
      uniformPairs((r) => reservoirSampleL(range(4), 2, r)),
      STATISTICAL,
    );
    for (const algorithm of ['a-res', 'a-expj'] as const) {
      const equal = range(4).map((i) => [i, 1] as const);
      fc.assert(
        uniformPairs((r) => weightedReservoirSample(equal, 2, r, algorithm)),
        STATISTICAL,
      );
    }
  });
});

describe('invariants', () => {
  const samplers = { R: reservoirSampleR, L: reservoirSampleL } as const;
  const algorithm = fc.constantFrom('R', 'L');
  test.prop([fc.nat({ max: 300 }), fc.nat({ max: 40 }), fc.integer(), algorithm], { numRuns: 200 })(
    'R and L return min(k, n) distinct items of the stream',
    (n, k, seed, algorithm) => {
      const sample = samplers[algorithm as 'R' | 'L'](range(n), k, rng(seed));
      expect(sample).toHaveLength(Math.min(k, n));
      expect(new Set(sample).size).toBe(sample.length);
      for (const x of sample) expect(x >= 0 && x < n).toBe(true);
    },
  );

  it('memory stays O(k): the reservoir never holds more than k items while 10^6 items stream through', () => {
    const reservoir = new ReservoirL<number>(8, rng(3));
    let largest = 0;
    for (const x of lazyRange(1_000_000)) {
      reservoir.offer(x);
      if ((x & 0xffff) === 0) largest = Math.max(largest, reservoir.sample().length);
    }
    expect(largest).toBeLessThanOrEqual(8);
    expect(reservoir.seen).toBe(1_000_000);
  });

  test.prop([fc.nat({ max: 5000 }), fc.nat({ max: 300 })], { numRuns: 200 })(
    'expectedReplacements (closed form) equals the sum over i = k..n-1 of k / (i + 1)',
    (n, k) => {
      let sum = 0;
      for (let i = k; i < n; i++) sum += k / (i + 1);
      const error = Math.abs(expectedReplacements(n, k) - sum);
      expect(error).toBeLessThanOrEqual(1e-12 * Math.max(1, sum));
    },
  );

  it('expectedReplacements needs no loop over n: n = 2^53 - 1 gives k (ln n + gamma - H_k) at once', () => {
    const n = Number.MAX_SAFE_INTEGER;
    const h10 = range(10).reduce((s, i) => s + 1 / (i + 1), 0);
    const gamma = 0.5772156649015329;
    expect(expectedReplacements(n, 10)).toBeCloseTo(10 * (Math.log(n) + gamma - h10), 9);
    expect(expectedReplacements(n, n - 1)).toBeCloseTo((n - 1) / n, 12);
  });
});

describe('Algorithm L draws O(k (1 + log(n/k))) random numbers', () => {
  const streams = new Map<number, number[]>();
  const stream = (n: number) => streams.get(n) ?? streams.set(n, range(n)).get(n)!;

  /** Mean draws over seeded runs, with its standard error. */
  function drawStats(sample: Sampler, n: number, k: number, runs: number, seed: number) {
    const base = rng(seed);
    const draws = range(runs).map(() => {
      const r = base.fork();
      sample(stream(n), k, r);
      return r.draws;
    });
    return { mean: mean(draws), se: std(draws) / Math.sqrt(runs) };
  }

  /** The property: the mean draw count is within 4 standard errors of 2 + 3 k (H_n - H_k). */
  const matchesTheory = (sample: Sampler, n: number, k: number) => {
    const { mean: m, se } = drawStats(sample, n, k, 300, n + k);
    return Math.abs(m - (2 + 3 * expectedReplacements(n, k))) <= 4 * se + 1e-9;
  };

  it.each([
    [10_000, 10],
    [10_000, 100],
    [2_000, 1],
  ])('n = %i, k = %i: mean draws match 2 + 3 k (H_n - H_k)', (n, k) => {
    expect(matchesTheory(reservoirSampleL, n, k)).toBe(true);
  });

  it('and stay within 4 k (1 + ln(n / k)) + 2, while Algorithm R needs n - k', () => {
    for (const [n, k] of [
      [100_000, 10],
      [100_000, 1000],
    ] as const) {
      const bound = 4 * k * (1 + Math.log(n / k)) + 2;
      expect(drawStats(reservoirSampleL, n, k, 20, 1).mean).toBeLessThanOrEqual(bound);
      expect(drawStats(reservoirSampleR, n, k, 2, 1).mean).toBe(n - k);
    }
  });

  it('the same property rejects Algorithm R as a stand-in for L (it draws once per item)', () => {
    expect(matchesTheory(reservoirSampleR, 10_000, 10)).toBe(false);
  });

  it('on an array, sampleArrayL reads only about k + k (H_n - H_k) elements, not n', () => {
    const visits = new Counter();
    sampleArrayL(range(1_000_000), 10, rng(5), visits);
    expect(visits.get('visits')).toBeLessThan(10 + 3 * expectedReplacements(1_000_000, 10));
  });
});

describe('weighted sampling without replacement (A-Res, A-ExpJ)', () => {
  it.each(['a-res', 'a-expj'] as const)(
    '%s: pair frequencies match successive sampling',
    (algorithm) => {
      const sample = (r: Rng) => weightedReservoirSample(weightedStream, 2, r, algorithm);
      fc.assert(successivePairs(sample), STATISTICAL);
    },
  );

  it('weights (995, 1, 1, 1, 1, 1), k = 3: the heavy item is (almost) always in, each light one 40%', () => {
    const heavy = [995, 1, 1, 1, 1, 1].map((w, i) => [i, w] as const);
    const r = rng(8);
    const counts = new Array<number>(6).fill(0);
    for (let t = 0; t < 5000; t++) {
      for (const i of weightedReservoirSample(heavy, 3, r)) counts[i]! += 1;
    }
    expect(counts[0]! / 5000).toBeGreaterThan(0.99);
    for (const c of counts.slice(1)) expect(Math.abs(c / 5000 - 0.4)).toBeLessThan(0.03);
  });

  const weight = fc.double({ min: 0.01, max: 100, noNaN: true });
  const positiveWeights = fc.array(weight, { maxLength: 60 });
  test.prop([positiveWeights, fc.nat({ max: 10 }), fc.integer()], { numRuns: 100 })(
    'both return min(k, n) distinct items',
    (ws, k, seed) => {
      for (const algorithm of ['a-res', 'a-expj'] as const) {
        const stream = ws.map((w, i) => [i, w] as const);
        const sample = weightedReservoirSample(stream, k, rng(seed), algorithm);
        expect(sample).toHaveLength(Math.min(k, ws.length));
        expect(new Set(sample).size).toBe(sample.length);
      }
    },
  );
});

describe('merging the reservoirs of two shards', () => {
  const keys = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 80 });
  test.prop([keys, fc.nat({ max: 80 }), fc.nat({ max: 12 })], { numRuns: 150 })(
    'by keys: merge(shard a, shard b) equals one pass over a then b with the same keys',
    (keyList, cut, k) => {
      const split = Math.min(cut, keyList.length);
      const a = new KeyedReservoir<number>(k);
      const b = new KeyedReservoir<number>(k);
      const whole = new KeyedReservoir<number>(k);
      keyList.forEach((key, i) => {
        (i < split ? a : b).offerKeyed(i, key);
        whole.offerKeyed(i, key);
      });
      const merged = KeyedReservoir.merge(a, b);
      expect(merged.entries().map((e) => e.key)).toEqual(whole.entries().map((e) => e.key));
      expect(merged.seen).toBe(keyList.length);
    },
  );

  it('by hypergeometric counts: every pair of the union is equally likely', () => {
    fc.assert(mergedPairs(mergeUniform), STATISTICAL);
  });

  const [upTo50, upTo15] = [fc.nat({ max: 50 }), fc.nat({ max: 15 })];
  test.prop([upTo50, upTo50, upTo15, fc.integer()], { numRuns: 150 })(
    'the merged sample has min(k, n_a + n_b) distinct items of the union',
    (na, nb, k, seed) => {
      const r = rng(seed);
      const a = { sample: reservoirSampleR(range(na), k, r), seen: na };
      const b = {
        sample: reservoirSampleR(
          range(nb).map((i) => 1000 + i),
          k,
          r,
        ),
        seen: nb,
      };
      const merged = mergeUniform(a, b, k, r);
      expect(merged.sample).toHaveLength(Math.min(k, na + nb));
      expect(new Set(merged.sample).size).toBe(merged.sample.length);
      expect(merged.seen).toBe(na + nb);
    },
  );
});

describe('the common wrong answers are rejected by the same properties', () => {
  it('the slot drawn from [0, i) instead of [0, i] (0-based i) fails the inclusion test', () => {
    rejectsPitfall(uniformInclusion(pitfallSlotFromExclusiveRange), STATISTICAL);
  });

  it('and the pair test: item 2 of 4 always enters (slot from [0, 2) is always < k = 2)', () => {
    rejectsPitfall(
      uniformPairs((r) => pitfallSlotFromExclusiveRange(range(4), 2, r)),
      STATISTICAL,
    );
  });

  it('the weighted key u * w (instead of u^(1/w)) fails the successive-sampling pair test', () => {
    const sample = (r: Rng) => pitfallKeyTimesWeight(weightedStream, 2, r);
    rejectsPitfall(successivePairs(sample), STATISTICAL);
  });

  it('merging by a coin per slot (binomial, P(both from one shard) = 1/4, not 1/6) fails the pair test', () => {
    rejectsPitfall(mergedPairs(pitfallMergeByCoin), STATISTICAL);
  });
});

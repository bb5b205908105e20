/**
 * Answer key for Q01, reservoir sampling. Read top-down: worked examples, exact properties on
 * generated streams, statistical properties on seeded runs (chi-square at ALPHA = 0.001), the
 * random-draw count of Algorithm L as a bound, the wrong answers rejected by the same properties,
 * and bad input.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  expectedReplacements,
  KeyedReservoir,
  mergeUniform,
  ReservoirL,
  ReservoirR,
  reservoirSample,
  reservoirSampleAsync,
  sampleArrayL,
  WeightedReservoir,
  WeightedReservoirExpJ,
  weightedReservoirSample,
  type Reservoir,
} from '../algorithms/reservoir-sampling.js';
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';
import { rng, type Rng } from '../core/random.js';
import { chiSquareSurvival, mean, std } from '../core/stats.js';
import { ALPHA, kSubsets, subsetChiSquare, subsetKey, tallySubsets } from './support/sampling.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function* lazyRange(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

type Make = (k: number, r: Rng) => Reservoir<number>;
const makeR: Make = (k, r) => new ReservoirR<number>(k, r);
const makeL: Make = (k, r) => new ReservoirL<number>(k, r);

/** THE classic bug: j drawn from [0, i) instead of [0, i], so item i enters with k / i, not k / (i + 1). */
class OffByOneR implements Reservoir<number> {
  seen = 0;
  private readonly items: number[] = [];
  constructor(
    readonly k: number,
    private readonly rng: Rng,
  ) {}
  offer(item: number): void {
    const i = this.seen++;
    if (i < this.k) this.items.push(item);
    else {
      const j = this.rng.integer(0, i - 1); // wrong: should be integer(0, i)
      if (j < this.k) this.items[j] = item;
    }
  }
  sample(): number[] {
    return [...this.items];
  }
}
const makeOffByOne: Make = (k, r) => new OffByOneR(k, r);

function feed(make: Make, n: number, k: number, r: Rng): number[] {
  const reservoir = make(k, r);
  for (let i = 0; i < n; i++) reservoir.offer(i);
  return reservoir.sample();
}

/**
 * Inclusion-frequency test: over `runs` seeded runs, item i should be in the sample with p = k / n.
 * The inclusion indicators of a uniform k-subset have covariance p (1 - p) n / (n - 1) (I - J / n),
 * so sum_i (c_i - R p)^2 / (R p (1 - p)) scaled by (n - 1) / n is chi-square with n - 1 df.
 */
function inclusionPValue(make: Make, n: number, k: number, runs: number, seed: number): number {
  const r = rng(seed);
  const counts = new Float64Array(n);
  for (let t = 0; t < runs; t++) for (const item of feed(make, n, k, r)) counts[item] = (counts[item] as number) + 1;
  const p = k / n;
  let statistic = 0;
  for (const c of counts) statistic += (c - runs * p) ** 2 / (runs * p * (1 - p));
  return chiSquareSurvival((statistic * (n - 1)) / n, n - 1);
}

/** Exact successive-sampling probabilities of every k-subset: draw one by one, P(i) = w_i / (weight left). */
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
  walk([], 1, weights.reduce((s, w) => s + w, 0));
  return exact;
}

function inclusionFromSubsets(exact: Map<string, number>, n: number): number[] {
  const inc = new Array<number>(n).fill(0);
  for (const [key, p] of exact) for (const i of key.split(",")) inc[Number(i)] = (inc[Number(i)] ?? 0) + p;
  return inc;
}

describe('worked examples', () => {
  it('reservoirSample([1..10], 3, rng(7)) returns 3 distinct items of the stream', () => {
    const sample = reservoirSample([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3, rng(7));
    expect(sample).toHaveLength(3);
    expect(new Set(sample).size).toBe(3);
    for (const x of sample) expect(x).toBeGreaterThanOrEqual(1);
  });

  it('a stream shorter than k is returned whole, and k = 0 returns nothing', () => {
    expect(reservoirSample([4, 5], 5, rng(1)).sort()).toEqual([4, 5]);
    expect(reservoirSample([4, 5], 0, rng(1))).toEqual([]);
  });

  it('the same seed gives the same sample; Algorithm R and L are both reproducible', () => {
    for (const algorithm of ['R', 'L'] as const) {
      expect(reservoirSample(range(1000), 5, rng(42), algorithm)).toEqual(reservoirSample(range(1000), 5, rng(42), algorithm));
    }
  });

  it('exact successive-sampling inclusion for weights (1, 2, 3), k = 2, matches the hand computation', () => {
    // P({0,1}) = 1/6*2/5 + 2/6*1/4 = 0.15; P({0,2}) = 1/6*3/5 + 3/6*1/3 = 4/15; P({1,2}) = 2/6*3/4 + 3/6*2/3 = 7/12
    const exact = successiveSamplingExact([1, 2, 3], 2);
    expect(exact.get('0,1')).toBeCloseTo(0.15, 12);
    expect(exact.get('0,2')).toBeCloseTo(4 / 15, 12);
    expect(exact.get('1,2')).toBeCloseTo(7 / 12, 12);
  });

  it('weights (1, 2, 3, 4) with k = 2 give inclusion (.2345, .4413, .6083, .7159), not proportional to w', () => {
    const inclusion = inclusionFromSubsets(successiveSamplingExact([1, 2, 3, 4], 2), 4);
    [0.2345, 0.4413, 0.6083, 0.7159].forEach((p, i) => expect(inclusion[i]).toBeCloseTo(p, 4));
  });
});

describe('every algorithm returns min(k, n) distinct positions of the stream', () => {
  test.prop([fc.nat({ max: 300 }), fc.nat({ max: 40 }), fc.integer(), fc.constantFrom<'R' | 'L'>('R', 'L')], { numRuns: 200 })(
    'size and distinctness (R and L, sync)',
    (n, k, seed, algorithm) => {
      const sample = reservoirSample(range(n), k, rng(seed), algorithm);
      expect(sample).toHaveLength(Math.min(k, n));
      expect(new Set(sample).size).toBe(sample.length);
      for (const x of sample) expect(x >= 0 && x < n).toBe(true);
    },
  );

  test.prop([fc.nat({ max: 200 }), fc.nat({ max: 20 }), fc.integer()], { numRuns: 60 })(
    'the async version returns the same sample as the sync one for the same seed',
    async (n, k, seed) => {
      async function* source() {
        for (let i = 0; i < n; i++) yield i;
      }
      expect(await reservoirSampleAsync(source(), k, rng(seed))).toEqual(reservoirSample(range(n), k, rng(seed)));
    },
  );

  test.prop([fc.nat({ max: 3000 }), fc.nat({ max: 20 }), fc.integer()], { numRuns: 100 })(
    'sampleArrayL (jumping over the array) equals Algorithm L fed item by item',
    (n, k, seed) => {
      expect(sampleArrayL(range(n), k, rng(seed))).toEqual(reservoirSample(range(n), k, rng(seed), 'L'));
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
});

describe('uniformity: inclusion frequencies and subset frequencies pass chi-square at ALPHA = 0.001', () => {
  const [n, k, runs] = [20, 5, 4000];

  it.each([
    ['R', makeR, 11],
    ['L', makeL, 12],
  ] as const)('Algorithm %s: each of 20 items is kept with probability 5/20', (_, make, seed) => {
    expect(inclusionPValue(make, n, k, runs, seed)).toBeGreaterThan(ALPHA);
  });

  it('the off-by-one variant (j from [0, i) instead of [0, i]) is rejected by the same inclusion test', () => {
    expect(inclusionPValue(makeOffByOne, n, k, runs, 11)).toBeLessThan(ALPHA);
  });

  const exactPairs = new Map(kSubsets(4, 2).map((s) => [subsetKey(s), 1 / 6]));

  it.each([
    ['R', makeR, 21],
    ['L', makeL, 22],
  ] as const)('Algorithm %s: every one of the 6 pairs of a 4-item stream is equally likely', (_, make, seed) => {
    const counts = tallySubsets((r) => feed(make, 4, 2, r), 6000, seed);
    expect(subsetChiSquare(counts, exactPairs, 6000).pValue).toBeGreaterThan(ALPHA);
  });

  it('the off-by-one variant is rejected by the same pair test (it favours late items)', () => {
    const counts = tallySubsets((r) => feed(makeOffByOne, 4, 2, r), 6000, 21);
    expect(subsetChiSquare(counts, exactPairs, 6000).pValue).toBeLessThan(ALPHA);
  });
});

describe('Algorithm L draws O(k (1 + log(n/k))) random numbers', () => {
  /** Mean draws over seeded runs, with its standard error. */
  function drawStats(make: Make, n: number, k: number, runs: number, seed: number) {
    const base = rng(seed);
    const draws = range(runs).map(() => {
      const r = base.fork();
      feed(make, n, k, r);
      return r.draws;
    });
    return { mean: mean(draws), se: std(draws) / Math.sqrt(runs) };
  }

  /** The property: the mean draw count is within 4 standard errors of 2 + 3 k (H_n - H_k). */
  const matchesTheory = (make: Make, n: number, k: number) => {
    const { mean: m, se } = drawStats(make, n, k, 300, n + k);
    return Math.abs(m - (2 + 3 * expectedReplacements(n, k))) <= 4 * se + 1e-9;
  };

  it.each([
    [10_000, 10],
    [10_000, 100],
    [2_000, 1],
  ])('n = %i, k = %i: mean draws match 2 + 3 k (H_n - H_k)', (n, k) => {
    expect(matchesTheory(makeL, n, k)).toBe(true);
  });

  it('and stay within 4 k (1 + ln(n / k)) + 2, while Algorithm R needs n - k', () => {
    for (const [n, k] of [[100_000, 10], [100_000, 1000]] as const) {
      const bound = 4 * k * (1 + Math.log(n / k)) + 2;
      expect(drawStats(makeL, n, k, 20, 1).mean).toBeLessThanOrEqual(bound);
      expect(drawStats(makeR, n, k, 2, 1).mean).toBe(n - k);
    }
  });

  it('the same property rejects Algorithm R as a stand-in for L (it draws once per item)', () => {
    expect(matchesTheory(makeR, 10_000, 10)).toBe(false);
  });

  it('on an array, sampleArrayL reads only about k + k (H_n - H_k) elements, not n', () => {
    const visits = { count: 0 };
    sampleArrayL(range(1_000_000), 10, rng(5), visits);
    expect(visits.count).toBeLessThan(10 + 3 * expectedReplacements(1_000_000, 10));
  });
});

describe('weighted sampling without replacement (A-Res, A-ExpJ)', () => {
  const weights = [1, 2, 3, 4];
  const exact = successiveSamplingExact(weights, 2);
  const runs = 6000;
  const stream = weights.map((w, i) => [i, w] as const);

  it.each(['a-res', 'a-expj'] as const)('%s: pair frequencies match exact successive sampling', (algorithm) => {
    const counts = tallySubsets((r) => weightedReservoirSample(stream, 2, r, algorithm), runs, 31);
    expect(subsetChiSquare(counts, exact, runs).pValue).toBeGreaterThan(ALPHA);
  });

  it('the wrong key u * w (instead of u^(1/w)) is rejected by the same test', () => {
    const wrong = (r: Rng) => {
      const keyed = new KeyedReservoir<number>(2);
      stream.forEach(([i, w]) => keyed.offerKeyed(i, Math.log(r.uniformOpen() * w)));
      return keyed.sample();
    };
    expect(subsetChiSquare(tallySubsets(wrong, runs, 31), exact, runs).pValue).toBeLessThan(ALPHA);
  });

  it('weights (995, 1, 1, 1, 1, 1), k = 3: the heavy item is (almost) always in, each light one 40% of the time', () => {
    const heavy = [995, 1, 1, 1, 1, 1].map((w, i) => [i, w] as const);
    const r = rng(8);
    const counts = new Array<number>(6).fill(0);
    for (let t = 0; t < 5000; t++) for (const i of weightedReservoirSample(heavy, 3, r)) counts[i] = (counts[i] ?? 0) + 1;
    expect(counts[0]! / 5000).toBeGreaterThan(0.99);
    for (const c of counts.slice(1)) expect(Math.abs(c / 5000 - 0.4)).toBeLessThan(0.03);
  });

  test.prop([fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { maxLength: 60 }), fc.nat({ max: 10 }), fc.integer()], { numRuns: 100 })(
    'both return min(k, n) distinct items',
    (ws, k, seed) => {
      for (const algorithm of ['a-res', 'a-expj'] as const) {
        const sample = weightedReservoirSample(ws.map((w, i) => [i, w] as const), k, rng(seed), algorithm);
        expect(sample).toHaveLength(Math.min(k, ws.length));
        expect(new Set(sample).size).toBe(sample.length);
      }
    },
  );
});

describe('merging the reservoirs of two shards', () => {
  test.prop([fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 80 }), fc.nat({ max: 80 }), fc.nat({ max: 12 })], { numRuns: 150 })(
    'by keys: merge(shard a, shard b) equals one pass over a then b with the same keys',
    (keys, cut, k) => {
      const split = Math.min(cut, keys.length);
      const a = new KeyedReservoir<number>(k);
      const b = new KeyedReservoir<number>(k);
      const whole = new KeyedReservoir<number>(k);
      keys.forEach((key, i) => {
        (i < split ? a : b).offerKeyed(i, key);
        whole.offerKeyed(i, key);
      });
      const merged = KeyedReservoir.merge(a, b);
      expect(merged.entries().map((e) => e.key)).toEqual(whole.entries().map((e) => e.key));
      expect(merged.seen).toBe(keys.length);
    },
  );

  /** Shards [0, 1] and [2, 3], k = 2: a uniform pair of the union has P(both from one shard) = 1/6 each. */
  const exactPairs = new Map(kSubsets(4, 2).map((s) => [subsetKey(s), 1 / 6]));
  const shardSample = (items: number[], r: Rng) => ({ sample: reservoirSample(items, 2, r), seen: items.length });

  it('by hypergeometric counts: every pair of the union is equally likely', () => {
    const merge = (r: Rng) => mergeUniform(shardSample([0, 1], r), shardSample([2, 3], r), 2, r).sample;
    expect(subsetChiSquare(tallySubsets(merge, 6000, 41), exactPairs, 6000).pValue).toBeGreaterThan(ALPHA);
  });

  it('the per-slot coin shortcut (binomial, P(X = 0) = 1/4 instead of 1/6) is rejected by the same test', () => {
    const coinMerge = (r: Rng) => {
      const a = shardSample([0, 1], r).sample;
      const b = shardSample([2, 3], r).sample;
      // each slot independently from b with p = n_b / (n_a + n_b); may pick the same slot item twice
      const slots = [0, 1].map((s) => (r.uniform() < 0.5 ? b[s] : a[s]) as number);
      return slots;
    };
    expect(subsetChiSquare(tallySubsets(coinMerge, 6000, 41), exactPairs, 6000).pValue).toBeLessThan(ALPHA);
  });

  test.prop([fc.nat({ max: 50 }), fc.nat({ max: 50 }), fc.nat({ max: 15 }), fc.integer()], { numRuns: 150 })(
    'the merged sample has min(k, n_a + n_b) distinct items of the union',
    (na, nb, k, seed) => {
      const r = rng(seed);
      const a = range(na);
      const b = range(nb).map((i) => 1000 + i);
      const merged = mergeUniform({ sample: reservoirSample(a, k, r), seen: na }, { sample: reservoirSample(b, k, r), seen: nb }, k, r);
      expect(merged.sample).toHaveLength(Math.min(k, na + nb));
      expect(new Set(merged.sample).size).toBe(merged.sample.length);
      expect(merged.seen).toBe(na + nb);
    },
  );
});

describe('bad input gets a typed error naming the argument', () => {
  it('k must be a non-negative integer', () => {
    expect(() => reservoirSample([1], -1, rng(1))).toThrow(ArgumentError);
    expect(() => reservoirSample([1], -1, rng(1))).toThrow('k: got -1, expected an integer >= 0');
    expect(() => reservoirSample([1], 1.5, rng(1))).toThrow('k: got 1.5');
  });

  it('the stream must be iterable', () => {
    expect(() => reservoirSample(null as unknown as number[], 1, rng(1))).toThrow(ArgumentTypeError);
    expect(() => reservoirSample(42 as unknown as number[], 1, rng(1))).toThrow('stream: got 42, expected an iterable');
    expect(() => reservoirSample([1], 1, rng(1), 'Z' as 'R')).toThrow("algorithm: got \"Z\", expected 'R' or 'L'");
  });

  it('weights must be finite and positive', () => {
    for (const w of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => weightedReservoirSample([['a', 1], ['b', w]], 1, rng(1))).toThrow(/weight of item 1: got .*, expected a finite number > 0/);
    }
    expect(() => new WeightedReservoir<string>(1, rng(1)).offer('a', -2)).toThrow(ArgumentError);
    expect(() => new WeightedReservoirExpJ<string>(1, rng(1)).offer('a', Number.NaN)).toThrow(ArgumentError);
  });

  it('a shard whose sample does not have min(k, seen) items is rejected', () => {
    expect(() => mergeUniform({ sample: [1], seen: 5 }, { sample: [2, 3], seen: 2 }, 2, rng(1))).toThrow('a.sample: got an array of length 1, expected min(k, a.seen) = 2 items');
  });
});

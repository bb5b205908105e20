/**
 * Answer key for Q31, Q32 and Q39, mixture-of-experts routing (ml/moe-routing/). Worked examples
 * (the docstring's routing, the Switch loss at perfect balance, capacity, DeepSeekMoE's 120 and
 * 4,426,165,368 combinations, DeepSeek-V3's config, a group-limited route by hand, a Switch loss
 * below alpha, a load where round-robin beats the greedy placement); top-k routing against its
 * engineered forms and tfjs; the Switch loss and capacity properties that are true; DeepSeek-V3's
 * gate (the bias selects but never weighs), its bias update and the seeded balancing run; the MoE
 * layer against a per-token oracle, fine-grained splitting (same output, same expert compute);
 * placement (memory, coverage, conservation, the balance bound, optimal replication by brute force);
 * the utilisation statistics; and every pitfall rejected by the property the right answer passes.
 * Input checks: tests/inputs/moe-routing.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as math from 'mathjs';
import { Counter } from '../core/counter.js';
import { fromRows, matrix, randomMatrix, rowOf, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { gateLogits } from '../ml/gates.js';
import { softmax } from '../ml/softmax.js';
import { swiglu } from '../ml/swiglu.js';
import {
  applyCapacity,
  DEEPSEEK_V3,
  deepseekMoeForward,
  deepseekV3Route,
  expertCapacity,
  expertCombinations,
  expertLoad,
  expertUtilisation,
  fineGrainedLayer,
  initMoeLayer,
  keepTopKSoftmax,
  moeForward,
  pitfallBiasUpdateTowardsLoad,
  pitfallCapacityFromTopOne,
  pitfallTopKWithoutRenormalising,
  pitfallV3WeightsFromBiasedScores,
  placeExperts,
  replicateExperts,
  roundRobinPlacement,
  simulateBiasBalancing,
  splitExpert,
  switchLoss,
  topKRoute,
  topKRouteLogits,
  topKRouteTfMatrix,
  updateBias,
  type BiasUpdate,
  type Placement,
  type PlacementConfig,
  type Routing,
} from '../ml/moe-routing/index.js';
import { rejectsPitfall } from './support/answer-key.js';

/** fast-check's seed for every property here: replayable runs. */
const SEED = 1;
const sum = (v: readonly number[]) => v.reduce((s, x) => s + x, 0);

/** Tokens x [T, d], a gate [N, d] and a k in [1, N]. */
const routerCase = fc
  .record({
    tokens: fc.integer({ min: 1, max: 10 }),
    n: fc.integer({ min: 1, max: 8 }),
    d: fc.integer({ min: 1, max: 4 }),
    kSeed: fc.nat(),
    seed: fc.integer(),
  })
  .map(({ tokens, n, d, kSeed, seed }) => {
    const g = rng(seed);
    return {
      x: randomMatrix(tokens, d, g),
      gate: randomMatrix(n, d, g, () => 2 * g.normal()),
      k: 1 + (kSeed % n),
    };
  });

/** Router logits [T, N] with a bias [N] and a k in [1, N]. */
const v3Case = fc
  .record({
    tokens: fc.integer({ min: 1, max: 10 }),
    n: fc.integer({ min: 1, max: 8 }),
    kSeed: fc.nat(),
    biasScale: fc.constantFrom(0, 0.05, 0.5),
    routeScale: fc.constantFrom(1, 2.5),
    seed: fc.integer(),
  })
  .map(({ tokens, n, kSeed, biasScale, routeScale, seed }) => {
    const g = rng(seed);
    return {
      logits: randomMatrix(tokens, n, g, () => 2 * g.normal()),
      bias: Array.from({ length: n }, () => biasScale * g.normal()),
      config: { k: 1 + (kSeed % n), routeScale },
    };
  });

/** Every token has k distinct experts in [0, N), weights >= 0 summing to `total`. */
function wellFormed(routing: Routing, k: number, total: number): boolean {
  const n = routing.scores.cols;
  return routing.experts.every((chosen, t) => {
    const w = routing.weights[t]!;
    return (
      chosen.length === k &&
      new Set(chosen).size === k &&
      chosen.every((e) => Number.isInteger(e) && e >= 0 && e < n) &&
      w.every((v) => v >= 0) &&
      Math.abs(sum(w) - total) <= 1e-12 * total
    );
  });
}

describe('worked examples', () => {
  it('the docstring: scores 2, 1, 0 and k = 2 choose experts 0 and 1 with weights softmax([2, 1])', () => {
    const routing = topKRoute(
      fromRows([[1, 0]]),
      fromRows([
        [2, 0],
        [1, 0],
        [0, 0],
      ]),
      2,
    );
    expect(routing.experts).toEqual([[0, 1]]);
    const [w0, w1] = routing.weights[0]!;
    const [s0, s1] = softmax([2, 1]);
    expect(w0).toBeCloseTo(s0!, 15);
    expect(w1).toBeCloseTo(s1!, 15);
    expect(w0!.toFixed(3)).toBe('0.731');
  });

  it('Switch loss at perfect balance, N = 4 and f = P = 1/4: alpha N sum f_i P_i = 0.01 x 4 x 4/16 = alpha', () => {
    const routing: Routing = {
      scores: matrix(4, 4, new Array(16).fill(0.25)),
      experts: [[0], [1], [2], [3]],
      weights: [[1], [1], [1], [1]],
    };
    expect(switchLoss(routing, 0.01)).toBe(0.01);
    expect(switchLoss(routing)).toBe(0.01);
  });

  it('capacity = ceil(k T / N x factor): 8 tokens, 4 experts, 1.25 gives 3 for top-1 and 5 for top-2', () => {
    expect(expertCapacity(8, 4, 1.25)).toBe(3);
    expect(expertCapacity(8, 4, 1.25, 2)).toBe(5);
    expect(expertCapacity(10, 1, 1.1)).toBe(11); // 1.1 x 10 = 11.000000000000002 in floating point
    expect(pitfallCapacityFromTopOne(8, 4, 1.25, 2)).toBe(3);
  });

  it('capacity 1, two tokens choosing [0, 1] and [1, 0]: first choices are served first, so each keeps its first expert', () => {
    const routing: Routing = {
      scores: matrix(2, 2, [0.6, 0.4, 0.4, 0.6]),
      experts: [
        [0, 1],
        [1, 0],
      ],
      weights: [
        [0.6, 0.4],
        [0.6, 0.4],
      ],
    };
    const capped = applyCapacity(routing, 1);
    expect(capped.experts).toEqual([[0], [1]]);
    expect(capped.weights).toEqual([[0.6], [0.6]]);
    expect([capped.dropped, capped.droppedTokens]).toEqual([2, 0]);
  });

  it('DeepSeekMoE (arXiv 2401.06066, 3.1): top-2 of 16 experts is C(16, 2) = 120, split in 4 it is C(64, 8) = 4,426,165,368', () => {
    expect(expertCombinations(16, 2)).toBe(120);
    expect(expertCombinations(64, 8)).toBe(4_426_165_368);
  });

  it("DeepSeek-V3's MoE (inference/configs/config_671B.json): 256 routed, 1 shared, 8 active, 8 groups, 4 per token, scale 2.5", () => {
    expect(DEEPSEEK_V3).toEqual({
      routedExperts: 256,
      sharedExperts: 1,
      k: 8,
      groups: 8,
      topGroups: 4,
      routeScale: 2.5,
      denseLayers: 3,
    });
  });

  it('group-limited routing by hand: expert 6 is the 2nd best, but its group is not among the top 2', () => {
    // 8 experts in 4 groups of 2; group scores = sum of the two s: 1.000, 1.699, 0.769, 0.931
    const logits = fromRows([[3, -3, 2, 1.5, 0, -1, 2.5, -5]]);
    const bias = new Array(8).fill(0);
    const grouped = deepseekV3Route(logits, bias, { k: 2, groups: 4, topGroups: 2 });
    const plain = deepseekV3Route(logits, bias, { k: 2 });
    expect(plain.experts).toEqual([[0, 6]]);
    expect(grouped.experts).toEqual([[0, 2]]);
    const s = (h: number) => 1 / (1 + Math.exp(-h));
    expect(grouped.weights[0]![0]).toBeCloseTo(s(3) / (s(3) + s(2)), 14);
  });

  it('a bias of +1 on expert 1 gets it chosen, yet its weight is still its small affinity share', () => {
    const logits = fromRows([[3, -3, 2, 1.5]]);
    const routing = deepseekV3Route(logits, [0, 1, 0, 0], { k: 2 });
    expect(routing.experts).toEqual([[1, 0]]);
    const s = (h: number) => 1 / (1 + Math.exp(-h));
    expect(routing.weights[0]![0]).toBeCloseTo(s(-3) / (s(-3) + s(3)), 14); // 0.047
    expect(routing.weights[0]![0]).toBeLessThan(0.05);
  });

  it('the Switch loss is not >= alpha in general: 3 tokens lean to expert 0, 2 are sure of expert 1, loss = 0.926 alpha', () => {
    const logits = fromRows([
      [0.1, 0],
      [0.1, 0],
      [0.1, 0],
      [-5, 5],
      [-5, 5],
    ]);
    const routing = topKRouteLogits(logits, 1);
    expect(expertLoad(routing)).toEqual([3, 2]);
    const p0 = (3 * softmax([0.1, 0])[0]! + 2 * softmax([-5, 5])[0]!) / 5;
    const expected = 0.01 * 2 * (0.6 * p0 + 0.4 * (1 - p0));
    expect(switchLoss(routing, 0.01)).toBeCloseTo(expected, 15);
    expect(switchLoss(routing, 0.01) / 0.01).toBeCloseTo(0.926, 3);
  });

  it('round-robin can beat the greedy placement: loads [2, 3, 2, 3, 2] on 2 devices x 3 slots give 6 vs 6.5', () => {
    const config = { devices: 2, slots: 3 };
    expect(roundRobinPlacement([2, 3, 2, 3, 2], config).deviceLoad).toEqual([6, 6]);
    expect(placeExperts([2, 3, 2, 3, 2], config).maxDeviceLoad).toBe(6.5);
  });
});

describe('top-k softmax routing', () => {
  /** k distinct experts, the k most probable, weights >= 0 summing to 1. */
  const routingProperty = (route: (x: Matrix, gate: Matrix, k: number) => Routing) =>
    fc.property(routerCase, ({ x, gate, k }) => {
      const routing = route(x, gate, k);
      const largest = routing.experts.every((chosen, t) => {
        const p = rowOf(routing.scores, t);
        const lowestChosen = Math.min(...chosen.map((e) => p[e]!));
        return Array.from(p).every((v, e) => chosen.includes(e) || v <= lowestChosen);
      });
      return wellFormed(routing, k, 1) && largest;
    });

  it('k distinct experts per token, the k most probable, weights >= 0 summing to 1', () => {
    fc.assert(routingProperty(topKRoute), { numRuns: 100, seed: SEED });
  });

  it('rejects the weights left as full-softmax probabilities (pitfallTopKWithoutRenormalising)', () => {
    rejectsPitfall(routingProperty(pitfallTopKWithoutRenormalising), { numRuns: 100, seed: SEED });
  });

  test.prop([routerCase], { numRuns: 60, seed: SEED })(
    'topKRouteLogits on x W_g^T is topKRoute exactly; Shazeer order softmax(KeepTopK(h)) agrees to 1e-12',
    ({ x, gate, k }) => {
      const textbook = topKRoute(x, gate, k);
      const logits = gateLogits(x, gate);
      expect(topKRouteLogits(logits, k)).toEqual(textbook);
      const shazeer = keepTopKSoftmax(logits, k);
      expect(shazeer.experts).toEqual(textbook.experts);
      shazeer.weights.forEach((w, t) =>
        w.forEach((v, j) => expect(Math.abs(v - textbook.weights[t]![j]!)).toBeLessThan(1e-12)),
      );
    },
  );

  test.prop([routerCase], { numRuns: 40, seed: SEED })(
    'with k = N the weights are the full softmax distribution',
    ({ x, gate }) => {
      const routing = topKRoute(x, gate, gate.rows);
      routing.experts.forEach((chosen, t) =>
        chosen.forEach((e, j) =>
          expect(
            Math.abs(routing.weights[t]![j]! - routing.scores.data[t * gate.rows + e]!),
          ).toBeLessThan(1e-12),
        ),
      );
    },
  );

  /** Logits whose entries per token are at least 0.25 apart, so float32 cannot reorder them. */
  const separatedLogits = fc
    .record({
      tokens: fc.integer({ min: 1, max: 6 }),
      n: fc.integer({ min: 1, max: 8 }),
      kSeed: fc.nat(),
      seed: fc.integer(),
    })
    .map(({ tokens, n, kSeed, seed }) => {
      const g = rng(seed);
      const rows = Array.from({ length: tokens }, () =>
        g.shuffled(Array.from({ length: n }, (_, i) => i)).map((r) => 0.3 * r + 0.05 * g.uniform()),
      );
      return { logits: fromRows(rows), k: 1 + (kSeed % n) };
    });

  test.prop([separatedLogits], { numRuns: 25, seed: SEED })(
    'the tfjs twin (tf.topk, float32) chooses the same experts and weights to 1e-5',
    async ({ logits, k }) => {
      const ours = topKRouteLogits(logits, k);
      const tf = await topKRouteTfMatrix(logits, k);
      expect(tf.experts).toEqual(ours.experts);
      tf.weights.forEach((w, t) =>
        w.forEach((v, j) => expect(Math.abs(v - ours.weights[t]![j]!)).toBeLessThan(1e-5)),
      );
    },
  );
});

/** A routing whose assignments are perfectly balanced: token t takes experts (t k + j) mod N. */
function balancedRouting(scores: Matrix, k: number): Routing {
  const n = scores.cols;
  const experts = Array.from({ length: scores.rows }, (_, t) =>
    Array.from({ length: k }, (_, j) => (t * k + j) % n),
  );
  return { scores, experts, weights: experts.map((row) => row.map(() => 1 / k)) };
}

const balancedCase = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    blocks: fc.integer({ min: 1, max: 4 }),
    kSeed: fc.nat(),
    seed: fc.integer(),
  })
  .map(({ n, blocks, kSeed, seed }) => {
    const g = rng(seed);
    const k = 1 + (kSeed % n);
    const scores = topKRouteLogits(
      randomMatrix(n * blocks, n, g, () => 2 * g.normal()),
      1,
    ).scores;
    return { routing: balancedRouting(scores, k), n, k, tokens: n * blocks };
  });

describe('the Switch loss alpha N sum f_i P_i', () => {
  test.prop([balancedCase, fc.double({ min: 0, max: 1, noNaN: true })], {
    numRuns: 60,
    seed: SEED,
  })(
    'equals alpha whenever f is uniform, whatever the router probabilities P are',
    ({ routing }, alpha) => {
      expect(Math.abs(switchLoss(routing, alpha) - alpha)).toBeLessThanOrEqual(
        1e-12 * Math.max(alpha, 1e-300),
      );
    },
  );

  test.prop([routerCase], { numRuns: 60, seed: SEED })(
    'equals alpha whenever P is uniform, whatever the routing f is',
    ({ x, gate, k }) => {
      const routing = topKRoute(x, gate, k);
      const n = gate.rows;
      const uniform = { ...routing, scores: matrix(x.rows, n, new Array(x.rows * n).fill(1 / n)) };
      expect(switchLoss(uniform, 0.01)).toBeCloseTo(0.01, 14);
    },
  );

  test.prop([routerCase], { numRuns: 60, seed: SEED })('lies in [0, alpha N]', ({ x, gate, k }) => {
    const loss = switchLoss(topKRoute(x, gate, k), 0.01);
    expect(loss).toBeGreaterThanOrEqual(0);
    expect(loss).toBeLessThanOrEqual(0.01 * gate.rows + 1e-15);
  });
});

describe('expert capacity and dropped tokens', () => {
  const cappedCase = fc.tuple(routerCase, fc.integer({ min: 0, max: 6 }));

  test.prop([cappedCase], { numRuns: 80, seed: SEED })(
    'every expert processes min(load, capacity) <= capacity; dropped = sum max(0, load - capacity)',
    ([{ x, gate, k }, capacity]) => {
      const routing = topKRoute(x, gate, k);
      const capped = applyCapacity(routing, capacity);
      const load = expertLoad(routing);
      expect(capped.load).toEqual(load);
      expect(capped.processed).toEqual(load.map((l) => Math.min(l, capacity)));
      expect(capped.processed.every((p) => p <= capacity)).toBe(true);
      expect(capped.dropped).toBe(sum(load.map((l) => Math.max(0, l - capacity))));
      // what is kept is a subset of each token's choices, with its weight unchanged
      capped.experts.forEach((kept, t) =>
        kept.forEach((e, j) => {
          const at = routing.experts[t]!.indexOf(e);
          expect(at).toBeGreaterThanOrEqual(0);
          expect(capped.weights[t]![j]).toBe(routing.weights[t]![at]);
        }),
      );
      expect(capped.droppedTokens).toBe(capped.experts.filter((r) => r.length === 0).length);
      expect(sum(capped.experts.map((r) => r.length))).toBe(x.rows * k - capped.dropped);
    },
  );

  /** At capacity factor 1 a perfectly balanced top-k routing fits exactly: nothing is dropped. */
  const balancedFits = (capacityOf: (t: number, n: number, f: number, k: number) => number) =>
    fc.property(balancedCase, ({ routing, n, k, tokens }) => {
      return applyCapacity(routing, capacityOf(tokens, n, 1, k)).dropped === 0;
    });

  it('a perfectly balanced top-k routing drops nothing at capacity factor 1', () => {
    fc.assert(balancedFits(expertCapacity), { numRuns: 80, seed: SEED });
  });

  it('rejects the capacity from the k = 1 formula (pitfallCapacityFromTopOne)', () => {
    rejectsPitfall(balancedFits(pitfallCapacityFromTopOne), { numRuns: 80, seed: SEED });
  });

  test.prop([routerCase, fc.double({ min: 0.25, max: 4, noNaN: true })], {
    numRuns: 60,
    seed: SEED,
  })('capacity >= k T / N x factor, by less than one token', ({ x, gate, k }, factor) => {
    const c = expertCapacity(x.rows, gate.rows, factor, k);
    const exact = (k * x.rows * factor) / gate.rows;
    expect(c).toBeGreaterThanOrEqual(exact - 1e-9);
    expect(c).toBeLessThan(exact + 1);
  });
});

describe("DeepSeek-V3's gate: sigmoid affinities, the bias selects, the weights come from s", () => {
  test.prop([v3Case], { numRuns: 100, seed: SEED })(
    'k distinct experts per token, weights >= 0 summing to routeScale, the k best of s + b',
    ({ logits, bias, config }) => {
      const routing = deepseekV3Route(logits, bias, config);
      expect(wellFormed(routing, config.k, config.routeScale)).toBe(true);
      routing.experts.forEach((chosen, t) => {
        const sel = Array.from(rowOf(routing.scores, t), (s, i) => s + bias[i]!);
        const lowest = Math.min(...chosen.map((e) => sel[e]!));
        sel.forEach((v, e) => expect(chosen.includes(e) || v <= lowest).toBe(true));
      });
    },
  );

  /**
   * The bias only selects: adding one constant to every expert's bias cannot change which experts
   * are chosen, and so must not change anything; and each weight is routeScale s_e / sum_chosen s.
   */
  const biasOnlySelects = (route: typeof deepseekV3Route) =>
    fc.property(
      // biases >= 0 keep s + b > 0, where the pitfall's renormalisation is defined
      v3Case.map((c) => ({ ...c, bias: c.bias.map(Math.abs) })),
      fc.double({ min: 0.1, max: 2, noNaN: true }),
      ({ logits, bias, config }, c) => {
        const a = route(logits, bias, config);
        const b = route(
          logits,
          bias.map((v) => v + c),
          config,
        );
        if (JSON.stringify(a.experts) !== JSON.stringify(b.experts)) return false;
        return a.experts.every((chosen, t) => {
          const s = rowOf(a.scores, t);
          const total = sum(chosen.map((e) => s[e]!));
          return chosen.every((e, j) => {
            const expected = (config.routeScale * s[e]!) / total;
            return (
              Math.abs(a.weights[t]![j]! - expected) <= 1e-12 &&
              Math.abs(b.weights[t]![j]! - expected) <= 1e-12
            );
          });
        });
      },
    );

  it('the bias never changes a chosen expert weight: a shifted bias gives the same routing, w = scale s_e / sum s', () => {
    fc.assert(biasOnlySelects(deepseekV3Route), { numRuns: 100, seed: SEED });
  });

  it('rejects the weights taken from the biased scores (pitfallV3WeightsFromBiasedScores)', () => {
    rejectsPitfall(biasOnlySelects(pitfallV3WeightsFromBiasedScores), { numRuns: 100, seed: SEED });
  });

  test.prop([v3Case], { numRuns: 80, seed: SEED })(
    'where the biased and the unbiased router choose the same set, the weights are the same',
    ({ logits, bias, config }) => {
      const biased = deepseekV3Route(logits, bias, config);
      const plain = deepseekV3Route(
        logits,
        bias.map(() => 0),
        config,
      );
      biased.experts.forEach((chosen, t) => {
        const other = plain.experts[t]!;
        if ([...chosen].sort().join() !== [...other].sort().join()) return;
        chosen.forEach((e, j) =>
          expect(
            Math.abs(biased.weights[t]![j]! - plain.weights[t]![other.indexOf(e)]!),
          ).toBeLessThan(1e-12),
        );
      });
    },
  );

  const groupCase = fc
    .record({
      tokens: fc.integer({ min: 1, max: 8 }),
      groups: fc.integer({ min: 1, max: 4 }),
      size: fc.integer({ min: 1, max: 4 }),
      topSeed: fc.nat(),
      kSeed: fc.nat(),
      seed: fc.integer(),
    })
    .map(({ tokens, groups, size, topSeed, kSeed, seed }) => {
      const g = rng(seed);
      const topGroups = 1 + (topSeed % groups);
      const n = groups * size;
      return {
        logits: randomMatrix(tokens, n, g, () => 2 * g.normal()),
        bias: Array.from({ length: n }, () => 0.3 * g.normal()),
        groups,
        size,
        topGroups,
        k: 1 + (kSeed % (topGroups * size)),
      };
    });

  test.prop([groupCase], { numRuns: 80, seed: SEED })(
    'group-limited: the chosen experts come from at most topGroups groups; topGroups = groups is no limit',
    ({ logits, bias, groups, size, topGroups, k }) => {
      const limited = deepseekV3Route(logits, bias, { k, groups, topGroups });
      expect(wellFormed(limited, k, 1)).toBe(true);
      limited.experts.forEach((chosen) =>
        expect(new Set(chosen.map((e) => Math.floor(e / size))).size).toBeLessThanOrEqual(
          topGroups,
        ),
      );
      expect(deepseekV3Route(logits, bias, { k, groups, topGroups: groups })).toEqual(
        deepseekV3Route(logits, bias, { k }),
      );
    },
  );
});

describe('the auxiliary-loss-free bias update and the seeded balancing run', () => {
  test.prop(
    [
      fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 8 }),
      fc.double({ min: 0, max: 0.1, noNaN: true }),
    ],
    { numRuns: 80, seed: SEED },
  )(
    'b_i moves by -gamma if overloaded, +gamma if underloaded, 0 at the mean load',
    (load, gamma) => {
      const bias = load.map((_, i) => 0.01 * i);
      const next = updateBias(bias, load, gamma);
      const mean = sum(load) / load.length;
      load.forEach((l, i) => {
        const step = next[i]! - bias[i]!;
        if (l > mean) expect(step).toBeCloseTo(-gamma, 14);
        else if (l < mean) expect(step).toBeCloseTo(gamma, 14);
        else expect(step).toBe(0);
      });
    },
  );

  const stream = { experts: 16, k: 2, tokens: 256, steps: 60, gamma: 0.02, skew: 1 };
  const meanOf = (v: readonly number[]) => sum(v) / v.length;
  /** Mean max/mean load of the last 10 steps over that of the first 5 (step 0 alone is noisy). */
  const shrinkage = (imbalance: readonly number[]) =>
    meanOf(imbalance.slice(-10)) / meanOf(imbalance.slice(0, 5));

  /**
   * On the skewed stream the bias updates shrink max/mean load below 80% of where it started
   * (over 300 seeds: at most 0.68, about 0.61 on average; with gamma = 0 at least 0.88).
   */
  const shrinks = (update: BiasUpdate) =>
    fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
      return shrinkage(simulateBiasBalancing(stream, rng(seed), update).imbalance) < 0.8;
    });

  it('the bias updates shrink max load / mean load over the steps (seeded, skewed stream)', () => {
    fc.assert(shrinks(updateBias), { numRuns: 3, seed: SEED });
  });

  it('rejects the update with the sign flipped (pitfallBiasUpdateTowardsLoad)', () => {
    rejectsPitfall(shrinks(pitfallBiasUpdateTowardsLoad), { numRuns: 3, seed: SEED });
  });

  it('with gamma = 0 nothing moves: the bias stays 0 and the imbalance stays where it started', () => {
    const { imbalance, bias } = simulateBiasBalancing({ ...stream, gamma: 0 }, rng(3));
    expect(Array.from(bias)).toEqual(new Array(16).fill(0));
    expect(shrinkage(imbalance)).toBeGreaterThan(0.8);
    // the stream is skewed: the hottest expert is far above the mean load of 32
    expect(meanOf(imbalance.slice(0, 5))).toBeGreaterThan(2);
  });

  it('the learnt bias ranks the experts against their popularity: hot expert 0 ends lowest', () => {
    const { bias } = simulateBiasBalancing(stream, rng(5));
    expect(bias[0]).toBeLessThan(bias[15]!);
    expect(Math.min(...bias)).toBe(bias[0]);
  });
});

/** A small DeepSeek MoE layer and a batch; hidden is a multiple of the split m. */
const layerCase = fc
  .record({
    tokens: fc.integer({ min: 1, max: 6 }),
    d: fc.integer({ min: 1, max: 4 }),
    m: fc.integer({ min: 1, max: 3 }),
    unit: fc.integer({ min: 1, max: 2 }),
    shared: fc.integer({ min: 0, max: 2 }),
    routed: fc.integer({ min: 1, max: 5 }),
    kSeed: fc.nat(),
    seed: fc.integer(),
  })
  .map(({ tokens, d, m, unit, shared, routed, kSeed, seed }) => {
    const g = rng(seed);
    const layer = initMoeLayer({ d, hidden: m * unit, shared, routed }, g);
    const withBias = { ...layer, bias: Array.from({ length: routed }, () => 0.2 * g.normal()) };
    return { layer: withBias, x: randomMatrix(tokens, d, g), m, k: 1 + (kSeed % routed) };
  });

describe("DeepSeekMoE's layer: shared experts plus weighted routed experts", () => {
  test.prop([layerCase], { numRuns: 50, seed: SEED })(
    'y_t = sum_s FFN_s(x_t) + sum_j g_tj FFN_e(x_t), against a token-by-token oracle with ml/swiglu',
    ({ layer, x, k }) => {
      const { output, routing } = deepseekMoeForward(layer, x, { k, routeScale: 2.5 });
      for (let t = 0; t < x.rows; t++) {
        const xt = matrix(1, x.cols, rowOf(x, t));
        const expected = new Float64Array(x.cols);
        for (const s of layer.shared) swiglu(xt, s).data.forEach((v, c) => (expected[c]! += v));
        routing.experts[t]!.forEach((e, j) =>
          swiglu(xt, layer.routed[e]!).data.forEach(
            (v, c) => (expected[c]! += routing.weights[t]![j]! * v),
          ),
        );
        rowOf(output, t).forEach((v, c) => expect(Math.abs(v - expected[c]!)).toBeLessThan(1e-12));
      }
    },
  );

  test.prop([layerCase], { numRuns: 40, seed: SEED })(
    "an expert's m pieces of h / m hidden units sum to the expert",
    ({ layer, x, m }) => {
      const expert = layer.routed[0]!;
      const whole = swiglu(x, expert);
      const parts = splitExpert(expert, m).map((p) => swiglu(x, p));
      whole.data.forEach((v, i) =>
        expect(Math.abs(v - sum(parts.map((p) => p.data[i]!)))).toBeLessThan(1e-12),
      );
    },
  );

  test.prop([layerCase], { numRuns: 40, seed: SEED })(
    'fine-grained: m N experts, m K active, route scale x m compute the coarse layer, with the same expert madds',
    ({ layer, x, m, k }) => {
      const coarseCount = new Counter();
      const fineCount = new Counter();
      const coarse = deepseekMoeForward(layer, x, { k, routeScale: 1.5 }, coarseCount);
      const fine = deepseekMoeForward(
        fineGrainedLayer(layer, m),
        x,
        { k: m * k, routeScale: 1.5 * m },
        fineCount,
      );
      expect(fine.routing.experts.map((r) => r.map((e) => Math.floor(e / m)))).toEqual(
        coarse.routing.experts.map((r) => r.flatMap((e) => new Array(m).fill(e))),
      );
      fine.output.data.forEach((v, i) =>
        expect(Math.abs(v - coarse.output.data[i]!)).toBeLessThan(1e-12),
      );
      expect(fineCount.get('madds')).toBe(coarseCount.get('madds'));
    },
  );

  test.prop([layerCase], { numRuns: 40, seed: SEED })(
    'expert compute is bounded by 3 d h T (K_s + k), below the dense 3 d h T (K_s + N) when k < N',
    ({ layer, x, k }) => {
      const counter = new Counter();
      const routing = deepseekV3Route(gateLogits(x, layer.gate), layer.bias, { k });
      moeForward(layer, x, routing, counter);
      const h = layer.routed[0]!.w1.rows;
      const perToken = 3 * x.cols * h;
      const active = perToken * x.rows * (layer.shared.length + k);
      expect(counter.get('madds')).toBeLessThanOrEqual(active);
      expect(counter.get('madds')).toBeGreaterThanOrEqual(perToken * x.rows * layer.shared.length);
      if (k < layer.routed.length)
        expect(active).toBeLessThan(
          perToken * x.rows * (layer.shared.length + layer.routed.length),
        );
    },
  );
});

const placementCase = fc.record({
  load: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 }),
  config: fc.record({
    devices: fc.integer({ min: 1, max: 4 }),
    slots: fc.integer({ min: 1, max: 4 }),
  }),
});

/** The pieces a placement serves on its devices: every copy's load. */
const pieces = (p: Placement) => p.devices.flat().map((c) => c.load);

describe('Q32: placing experts on devices with limited memory', () => {
  test.prop([placementCase], { numRuns: 150, seed: SEED })(
    'memory is never exceeded, every expert is on a device or offloaded, and no load is lost',
    ({ load, config }) => {
      const p = placeExperts(load, config);
      const capacity = config.devices * config.slots;
      expect(p.devices.every((held) => held.length <= config.slots)).toBe(true);
      expect(p.offloaded.length).toBe(Math.max(0, load.length - capacity));
      load.forEach((l, e) => {
        const onDevice = p.copies[e]! > 0;
        expect(onDevice !== p.offloaded.includes(e)).toBe(true);
        expect(p.copies[e]!).toBeLessThanOrEqual(config.devices);
        if (onDevice) {
          const served = sum(
            p.devices
              .flat()
              .filter((c) => c.expert === e)
              .map((c) => c.load),
          );
          expect(Math.abs(served - l)).toBeLessThanOrEqual(1e-9 * Math.max(1, l));
        }
      });
      expect(Math.abs(sum(p.deviceLoad) + p.hostLoad - sum(load))).toBeLessThanOrEqual(
        1e-9 * Math.max(1, sum(load)),
      );
    },
  );

  test.prop([placementCase], { numRuns: 100, seed: SEED })(
    'the offloaded experts are the coldest: each is at most the load of every expert kept on a device',
    ({ load, config }) => {
      const p = placeExperts(load, config);
      const kept = load.filter((_, e) => !p.offloaded.includes(e));
      for (const e of p.offloaded) expect(load[e]!).toBeLessThanOrEqual(Math.min(...kept));
    },
  );

  /** Any two devices differ by at most the largest piece, so max load <= total / D + largest piece. */
  const balanced = (place: (load: number[], config: PlacementConfig) => Placement) =>
    fc.property(placementCase, ({ load, config }) => {
      const p = place(load, config);
      const largest = Math.max(0, ...pieces(p));
      const spread = p.maxDeviceLoad - Math.min(...p.deviceLoad);
      return (
        spread <= largest + 1e-9 &&
        p.maxDeviceLoad <= sum(p.deviceLoad) / config.devices + largest + 1e-9
      );
    });

  it('balance: two devices differ by at most the largest piece (dealing sorted pieces in rounds)', () => {
    fc.assert(balanced(placeExperts), { numRuns: 200, seed: SEED });
  });

  it('rejects naive round-robin placement by expert id (roundRobinPlacement), which has no such bound', () => {
    rejectsPitfall(balanced(roundRobinPlacement), { numRuns: 200, seed: SEED });
  });

  test.prop(
    [
      fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 1, max: 3 }),
    ],
    { numRuns: 100, seed: SEED },
  )(
    'replication minimises the largest load per copy (brute force over all copy counts)',
    (load, spare, cap) => {
      const total = load.length + spare;
      const copies = replicateExperts(load, total, cap);
      expect(sum(copies)).toBeLessThanOrEqual(total);
      expect(copies.every((c) => c >= 1 && c <= cap)).toBe(true);
      const worst = (r: readonly number[]) => Math.max(...load.map((l, i) => l / r[i]!));
      let best = Number.POSITIVE_INFINITY;
      const visit = (prefix: number[]): void => {
        if (sum(prefix) > total) return;
        if (prefix.length === load.length) {
          best = Math.min(best, worst(prefix));
          return;
        }
        for (let c = 1; c <= cap; c++) visit([...prefix, c]);
      };
      visit([]);
      expect(worst(copies)).toBeCloseTo(best, 12);
    },
  );
});

describe('Q39: expert utilisation statistics', () => {
  test.prop([fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 100 })], {
    numRuns: 40,
    seed: SEED,
  })(
    'uniform load: max/mean 1, CV 0, normalised entropy 1, no dead expert; one expert takes all: N, sqrt(N - 1), 0, N - 1 dead',
    (n, c) => {
      const uniform = expertUtilisation(new Array(n).fill(c));
      expect(uniform.maxOverMean).toBeCloseTo(1, 12);
      expect(uniform.cv).toBeCloseTo(0, 12);
      expect(uniform.normalisedEntropy).toBeCloseTo(1, 12);
      expect(uniform.dead).toEqual([]);
      const collapsed = expertUtilisation([c, ...new Array(n - 1).fill(0)]);
      expect(collapsed.maxOverMean).toBeCloseTo(n, 12);
      expect(collapsed.cv).toBeCloseTo(Math.sqrt(n - 1), 12);
      expect(collapsed.normalisedEntropy).toBe(n === 1 ? 1 : 0);
      expect(collapsed.dead).toHaveLength(n - 1);
    },
  );

  test.prop(
    [
      fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 2, maxLength: 10 }),
      fc.integer({ min: 2, max: 9 }),
    ],
    { numRuns: 80, seed: SEED },
  )(
    '1 <= max/mean <= N, entropy in [0, ln N], CV = population std / mean (mathjs), invariant to scale',
    (raw, c) => {
      const load = raw.some((l) => l > 0) ? raw : [1, ...raw.slice(1)];
      const n = load.length;
      const stats = expertUtilisation(load);
      expect(stats.maxOverMean).toBeGreaterThanOrEqual(1 - 1e-12);
      expect(stats.maxOverMean).toBeLessThanOrEqual(n + 1e-12);
      expect(stats.entropy).toBeGreaterThanOrEqual(0);
      expect(stats.entropy).toBeLessThanOrEqual(Math.log(n) + 1e-12);
      const std = math.std(load, 'uncorrected') as number;
      expect(stats.cv).toBeCloseTo(std / (math.mean(load) as number), 12);
      const scaled = expertUtilisation(load.map((l) => l * c));
      expect(scaled.cv).toBeCloseTo(stats.cv, 12);
      expect(scaled.normalisedEntropy).toBeCloseTo(stats.normalisedEntropy, 12);
      expect(scaled.dead).toEqual(stats.dead);
    },
  );

  test.prop([routerCase, fc.integer({ min: 0, max: 4 })], { numRuns: 40, seed: SEED })(
    "the dropped-token rate is capacity's dropped / routed assignments",
    ({ x, gate, k }, capacity) => {
      const capped = applyCapacity(topKRoute(x, gate, k), capacity);
      const stats = expertUtilisation(capped.load, capped.dropped);
      expect(stats.droppedRate).toBeCloseTo(capped.dropped / (x.rows * k), 14);
    },
  );
});

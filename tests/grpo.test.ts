/**
 * Answer key for Q37, GRPO (ml/grpo.ts). Worked examples: the rewards [1, 0, 0, 1] under
 * population std ([1, -1, -1, 1]), sample std (+-0.8660) and TRL's (std + 1e-4); equal rewards give
 * 0; a two-output objective computed by hand. Properties: the advantages against mathjs's std,
 * summing to 0 with sample std 1; the clip (the per-token term never above rho A nor above
 * A + eps |A|, inactive for rho in [1 - eps, 1 + eps]); at ratio 1 the objective is 0 for every
 * eps; beta = 0 removes the reference; the per-output mean (an output's weight does not depend on its
 * length); the loss goes down when a good token's probability goes up. tfjs: the loss on padded
 * [G, T] tensors with a mask equals the from-scratch one, and tf.grad equals the hand gradient,
 * which equals finite differences and has the expected signs. Complexity: one term per token.
 * Pitfalls (population std claimed as sample, no guard for equal rewards, no clip, clip without
 * min, token-mean aggregation, the loss sign) rejected by the same properties.
 * Input checks: tests/inputs/grpo.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as math from 'mathjs';
import {
  clippedSurrogate,
  groupAdvantages,
  groupAdvantagesWith,
  grpoLoss,
  grpoLossGrad,
  grpoLossGradTf,
  grpoLossTfValue,
  grpoObjective,
  grpoObjectiveCounted,
  grpoObjectiveFromAdvantages,
  pitfallGroupAdvantagesPopulationStd,
  pitfallGroupAdvantagesUnguarded,
  pitfallLossSign,
  pitfallSurrogateClipWithoutMin,
  pitfallSurrogateWithoutClip,
  pitfallTokenMeanAggregation,
  TRL_ADVANTAGES,
  type GrpoOutput,
} from '../ml/grpo.js';
import { Counter } from '../core/counter.js';
import { rejectsPitfall } from './support/answer-key.js';

type Objective = (
  o: readonly GrpoOutput[],
  r: readonly number[],
  eps: number,
  beta: number,
) => number;

/** Rewards on a 1e-6 grid in [-3, 3] (as reward models print; mathjs's std needs no subnormals). */
const rewardsArb = fc.array(
  fc.integer({ min: -3_000_000, max: 3_000_000 }).map((k) => k / 1e6),
  { minLength: 2, maxLength: 8 },
);
/** Binary rewards, as from a verifier, not all equal. */
const binaryRewardsArb = fc
  .array(fc.constantFrom(0, 1), { minLength: 2, maxLength: 8 })
  .filter((r) => r.some((x) => x !== r[0]));

/** One output: log pi_theta in [-5, -0.5], pi_old and pi_ref near it. */
const outputArb = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc
    .tuple(
      fc.array(fc.double({ min: -5, max: -0.5, noNaN: true }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: -0.4, max: 0.4, noNaN: true }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
    )
    .map(([logp, dOld, dRef]) => ({
      logp,
      logpOld: logp.map((x, t) => Math.min(0, x + dOld[t]!)),
      logpRef: logp.map((x, t) => Math.min(0, x + dRef[t]!)),
    })),
);

/** A group: G outputs of 1 to 6 tokens, rewards, a clip range and a KL weight. */
const groupArb = fc.integer({ min: 2, max: 6 }).chain((G) =>
  fc.record({
    outputs: fc.array(outputArb, { minLength: G, maxLength: G }),
    rewards: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: G, maxLength: G }),
    epsilon: fc.double({ min: 0.05, max: 0.4, noNaN: true }),
    beta: fc.double({ min: 0, max: 0.2, noNaN: true }),
  }),
);

describe('worked examples: group advantages', () => {
  it('rewards [1, 0, 0, 1] with the population std give exactly [1, -1, -1, 1]', () => {
    expect(groupAdvantagesWith([1, 0, 0, 1], { std: 'population' })).toEqual([1, -1, -1, 1]);
  });

  it('with the sample std (torch .std(), TRL) they give +-sqrt(3) / 2 = +-0.8660', () => {
    const a = groupAdvantages([1, 0, 0, 1]);
    expect(a.map((x) => Number(x.toFixed(4)))).toEqual([0.866, -0.866, -0.866, 0.866]);
    a.forEach((x, i) =>
      expect(x).toBeCloseTo(((i === 0 || i === 3 ? 1 : -1) * Math.sqrt(3)) / 2, 15),
    );
  });

  it("TRL's (r - mean) / (std + 1e-4) gives 0.5 / (sqrt(1/3) + 1e-4) = 0.86588", () => {
    const a = groupAdvantagesWith([1, 0, 0, 1], TRL_ADVANTAGES);
    expect(a[0]).toBeCloseTo(0.5 / (Math.sqrt(1 / 3) + 1e-4), 15);
    expect(Number(a[0]!.toFixed(5))).toBe(0.86588);
  });

  it('the advantages are scale-free, computed on r / max |r|: [0, 5e-324] gives +-0.7071 like [0, 1]', () => {
    expect(groupAdvantages([0, 5e-324])).toEqual(groupAdvantages([0, 1]));
    expect(groupAdvantages([0, 1])[1]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(groupAdvantages([1e100, 0, 0, 1e100])).toEqual(groupAdvantages([1, 0, 0, 1]));
  });

  it('equal rewards give advantage 0 under every convention, never NaN; so does a single output', () => {
    for (const r of [[1, 1, 1], [0, 0], [0.1, 0.1, 0.1], [7]]) {
      expect(groupAdvantages(r)).toEqual(r.map(() => 0));
      for (const std of ['sample', 'population', 'none'] as const) {
        expect(groupAdvantagesWith(r, { std })).toEqual(r.map(() => 0));
      }
      expect(groupAdvantagesWith(r, TRL_ADVANTAGES)).toEqual(r.map(() => 0));
    }
  });
});

describe('worked example: the objective by hand', () => {
  // rewards [1, 0]: mean 0.5, sample std 1 / sqrt 2, so A = +-1 / sqrt 2
  // o_1 (A > 0): rho = 1.5 (clipped to 1.2) and 1.0 -> mean 1.1 A
  // o_2 (A < 0): rho = 0.5 -> min(0.5 A, 0.8 A) = 0.8 A -> mean -0.8 A (the clip bites)
  const outputs: GrpoOutput[] = [
    {
      logp: [Math.log(0.6), Math.log(0.3)],
      logpOld: [Math.log(0.4), Math.log(0.3)],
      logpRef: [Math.log(0.6), Math.log(0.3)],
    },
    { logp: [Math.log(0.1)], logpOld: [Math.log(0.2)], logpRef: [Math.log(0.1)] },
  ];

  it('J = (1.1 - 0.8) / 2 * (1 / sqrt 2) = 0.106066 at eps = 0.2, and the loss is -J', () => {
    const j = grpoObjective(outputs, [1, 0], 0.2, 0);
    expect(j).toBeCloseTo(0.15 / Math.SQRT2, 12);
    expect(Number(j.toFixed(6))).toBe(0.106066);
    expect(grpoLoss(outputs, [1, 0], 0.2, 0)).toBe(-j);
  });

  it('pi_ref = pi_theta makes the KL term 0, so any beta gives the same J', () => {
    expect(grpoObjective(outputs, [1, 0], 0.2, 0.5)).toBe(grpoObjective(outputs, [1, 0], 0.2, 0));
  });
});

describe('group advantages: properties', () => {
  /** Against mathjs: (r - mean) / std with std unbiased (n - 1), as TRL's torch .std(). */
  const sampleStdOracle = (advantages: (r: readonly number[]) => number[]) =>
    fc.property(rewardsArb, (r) => {
      if (r.every((x) => x === r[0])) return true;
      const m = math.mean(r) as number;
      const s = math.std(r) as unknown as number;
      return advantages(r).every((a, i) => Math.abs(a - (r[i]! - m) / s) < 1e-9);
    });

  it('equal the (r - mean) / std of mathjs (unbiased std)', () => {
    fc.assert(sampleStdOracle(groupAdvantages), { seed: 1, numRuns: 200 });
  });

  it('rejects the population std where the sample std is claimed (pitfallGroupAdvantagesPopulationStd)', () => {
    rejectsPitfall(sampleStdOracle(pitfallGroupAdvantagesPopulationStd), { seed: 1, numRuns: 200 });
  });

  test.prop([rewardsArb], { numRuns: 200, seed: 2 })(
    'sum to 0, and (unless all equal) have sample std 1; population-std ones have population std 1',
    (r) => {
      const a = groupAdvantages(r);
      expect(Math.abs(a.reduce((s, x) => s + x, 0))).toBeLessThan(1e-9);
      if (r.every((x) => x === r[0])) return;
      expect(math.std(a) as unknown as number).toBeCloseTo(1, 9);
      const pop = groupAdvantagesWith(r, { std: 'population' });
      expect(math.std(pop, 'uncorrected') as unknown as number).toBeCloseTo(1, 9);
      expect(Math.abs(pop.reduce((s, x) => s + x, 0))).toBeLessThan(1e-9);
    },
  );

  test.prop([rewardsArb], { numRuns: 100, seed: 3 })(
    'the textbook is groupAdvantagesWith({ std: sample, epsilon: 0 }) exactly; TRL shrinks it by std / (std + 1e-4)',
    (r) => {
      expect(groupAdvantagesWith(r, { std: 'sample', epsilon: 0 })).toEqual(groupAdvantages(r));
      if (r.every((x) => x === r[0])) return;
      const s = math.std(r) as unknown as number;
      const trl = groupAdvantagesWith(r, TRL_ADVANTAGES);
      groupAdvantages(r).forEach((a, i) => expect(trl[i]).toBeCloseTo((a * s) / (s + 1e-4), 9));
    },
  );

  /** A group of G copies of one reward gets 0 everywhere. */
  const equalRewardsGiveZero = (advantages: (r: readonly number[]) => number[]) =>
    fc.property(
      fc.integer({ min: 1, max: 8 }),
      fc.double({ min: -5, max: 5, noNaN: true }),
      (G, v) => advantages(Array.from({ length: G }, () => v)).every((a) => a === 0),
    );

  it('a group of equal rewards gets advantage 0, for any size and value', () => {
    fc.assert(equalRewardsGiveZero(groupAdvantages), { seed: 4, numRuns: 100 });
  });

  it('rejects dividing by a zero std unguarded (pitfallGroupAdvantagesUnguarded): 0 / 0 = NaN', () => {
    const [G, v] = rejectsPitfall(equalRewardsGiveZero(pitfallGroupAdvantagesUnguarded), {
      seed: 4,
      numRuns: 100,
    });
    expect(
      pitfallGroupAdvantagesUnguarded(Array.from({ length: G }, () => v)).some(Number.isNaN),
    ).toBe(true);
  });

  test.prop([binaryRewardsArb], { numRuns: 100, seed: 5 })(
    'with 0/1 rewards, the correct outputs get A > 0 and the wrong ones A < 0',
    (r) => {
      groupAdvantages(r).forEach((a, i) => expect(Math.sign(a)).toBe(r[i] === 1 ? 1 : -1));
    },
  );
});

describe('the clip: why it is there', () => {
  const tokenArb = fc.record({
    ratio: fc.double({ min: 0.01, max: 5, noNaN: true }),
    advantage: fc.double({ min: -3, max: 3, noNaN: true }),
    epsilon: fc.double({ min: 0, max: 0.5, noNaN: true, maxExcluded: true }),
  });
  type Surrogate = (ratio: number, advantage: number, epsilon: number) => number;

  /** The gain over rho = 1 is capped: term - A <= eps |A| (A > 0: <= (1 + eps) A; A < 0: <= (1 - eps) A). */
  const gainIsCapped = (s: Surrogate) =>
    fc.property(
      tokenArb,
      ({ ratio, advantage, epsilon }) =>
        s(ratio, advantage, epsilon) - advantage <= epsilon * Math.abs(advantage) + 1e-12,
    );

  /** Pessimistic: the clipped objective is a lower bound of the unclipped rho A. */
  const neverAboveUnclipped = (s: Surrogate) =>
    fc.property(
      tokenArb,
      ({ ratio, advantage, epsilon }) => s(ratio, advantage, epsilon) <= ratio * advantage + 1e-12,
    );

  it('caps the per-token gain at eps |A|: never above (1 + eps) A for A > 0, nor above (1 - eps) A for A < 0', () => {
    fc.assert(gainIsCapped(clippedSurrogate), { seed: 6, numRuns: 300 });
    fc.assert(
      fc.property(tokenArb, ({ ratio, advantage, epsilon }) => {
        const s = clippedSurrogate(ratio, advantage, epsilon);
        if (advantage > 0) expect(s).toBeLessThanOrEqual((1 + epsilon) * advantage + 1e-12);
        if (advantage < 0) expect(s).toBeLessThanOrEqual((1 - epsilon) * advantage + 1e-12);
      }),
      { seed: 6, numRuns: 300 },
    );
  });

  it('rejects the unclipped surrogate rho A (pitfallSurrogateWithoutClip)', () => {
    rejectsPitfall(gainIsCapped(pitfallSurrogateWithoutClip), { seed: 6, numRuns: 300 });
  });

  it('is pessimistic: never above the unclipped rho A', () => {
    fc.assert(neverAboveUnclipped(clippedSurrogate), { seed: 7, numRuns: 300 });
  });

  it('rejects clip without the min (pitfallSurrogateClipWithoutMin): optimistic where rho A is lower', () => {
    rejectsPitfall(neverAboveUnclipped(pitfallSurrogateClipWithoutMin), { seed: 7, numRuns: 300 });
  });

  test.prop([tokenArb, fc.double({ min: 0, max: 1, noNaN: true })], { numRuns: 200, seed: 8 })(
    'is inactive inside [1 - eps, 1 + eps]: the term is rho A there, and A at rho = 1',
    ({ advantage, epsilon }, u) => {
      const ratio = 1 - epsilon + 2 * epsilon * u;
      expect(clippedSurrogate(ratio, advantage, epsilon)).toBe(ratio * advantage);
      expect(clippedSurrogate(1, advantage, epsilon)).toBe(advantage);
    },
  );

  it('does not protect against making a bad token likelier: A = -1, rho = 10 costs -10 (the min keeps it)', () => {
    expect(clippedSurrogate(10, -1, 0.2)).toBe(-10);
    expect(clippedSurrogate(10, 1, 0.2)).toBe(1.2);
  });
});

describe('the objective: ratio 1, beta, aggregation, sign', () => {
  test.prop([groupArb, fc.double({ min: 0, max: 0.9, noNaN: true })], { numRuns: 100, seed: 9 })(
    'at ratio 1 (pi_theta = pi_old) with beta = 0, J = mean A = 0, the same for every eps',
    ({ outputs, rewards, epsilon }, other) => {
      const fresh = outputs.map((o) => ({ ...o, logpOld: o.logp }));
      const j = grpoObjective(fresh, rewards, epsilon, 0);
      expect(Math.abs(j)).toBeLessThan(1e-12);
      expect(grpoObjective(fresh, rewards, other, 0)).toBe(j);
    },
  );

  test.prop(
    [
      groupArb,
      fc.array(fc.double({ min: -9, max: 0, noNaN: true }), { minLength: 6, maxLength: 6 }),
    ],
    {
      numRuns: 100,
      seed: 10,
    },
  )(
    'beta = 0 removes the reference: any logpRef gives the same J; beta > 0 only lowers it',
    ({ outputs, rewards, epsilon, beta }, ref) => {
      const other = outputs.map((o) => ({
        ...o,
        logpRef: o.logp.map((x, t) => Math.max(x - 8, ref[t]!)),
      }));
      expect(grpoObjective(other, rewards, epsilon, 0)).toBe(
        grpoObjective(outputs, rewards, epsilon, 0),
      );
      expect(grpoObjective(outputs, rewards, epsilon, beta)).toBeLessThanOrEqual(
        grpoObjective(outputs, rewards, epsilon, 0) + 1e-12,
      );
    },
  );

  /** Each output counts 1/G whatever its length: repeating every token of o_1 leaves J unchanged. */
  const lengthInvariant = (objective: Objective) =>
    fc.property(groupArb, ({ outputs, rewards, epsilon, beta }) => {
      const [first, ...rest] = outputs;
      const twice = (xs: readonly number[]) => xs.flatMap((x) => [x, x]);
      const doubled = {
        logp: twice(first!.logp),
        logpOld: twice(first!.logpOld),
        logpRef: twice(first!.logpRef),
      };
      return (
        Math.abs(
          objective([doubled, ...rest], rewards, epsilon, beta) -
            objective(outputs, rewards, epsilon, beta),
        ) < 1e-12
      );
    });

  it("averages per output then per group (DeepSeekMath's 1/G sum 1/|o_i| sum_t): doubling an output's tokens changes nothing", () => {
    fc.assert(lengthInvariant(grpoObjective), { seed: 11, numRuns: 100 });
  });

  it('rejects the token mean over the whole group (pitfallTokenMeanAggregation)', () => {
    rejectsPitfall(lengthInvariant(pitfallTokenMeanAggregation), { seed: 11, numRuns: 100 });
  });

  /** Raising log pi_theta of a token of the best output (A > 0, ratio inside the clip range, beta = 0) lowers the loss. */
  const descends = (loss: Objective) =>
    fc.property(groupArb, ({ outputs, rewards, epsilon }) => {
      if (rewards.every((r) => r === rewards[0])) return true;
      const best = rewards.indexOf(Math.max(...rewards));
      const o = outputs[best]!;
      // token 0 at ratio exactly 1, then nudged up to ratio 1 + eps / 2
      const at = (lp: number) => [
        { ...o, logp: [lp, ...o.logp.slice(1)], logpOld: [o.logp[0]!, ...o.logpOld.slice(1)] },
      ];
      const group = (lp: number) => outputs.map((x, i) => (i === best ? at(lp)[0]! : x));
      const lp0 = o.logp[0]!;
      return (
        loss(group(lp0 + Math.log1p(epsilon / 2)), rewards, epsilon, 0) <
        loss(group(lp0), rewards, epsilon, 0)
      );
    });

  it('loss = -J: making a good token likelier lowers the loss', () => {
    fc.assert(descends(grpoLoss), { seed: 12, numRuns: 100 });
  });

  it('rejects the loss with the sign of J (pitfallLossSign)', () => {
    rejectsPitfall(descends(pitfallLossSign), { seed: 12, numRuns: 100 });
  });
});

describe('gradients, by hand and by tf.grad', () => {
  test.prop([groupArb], { numRuns: 60, seed: 13 })(
    'the hand gradient of -J equals central finite differences (away from the clip edges)',
    ({ outputs, rewards, epsilon, beta }) => {
      const a = groupAdvantages(rewards);
      const grad = grpoLossGrad(outputs, a, epsilon, beta);
      const h = 1e-6;
      outputs.forEach((o, i) =>
        o.logp.forEach((lp, t) => {
          const rho = Math.exp(lp - o.logpOld[t]!);
          if (Math.abs(rho - (1 + epsilon)) < 1e-3 || Math.abs(rho - (1 - epsilon)) < 1e-3) return;
          const at = (x: number) =>
            -grpoObjectiveFromAdvantages(
              outputs.map((p, k) =>
                k === i ? { ...p, logp: p.logp.map((v, s) => (s === t ? x : v)) } : p,
              ),
              a,
              epsilon,
              beta,
            );
          const fd = (at(lp + h) - at(lp - h)) / (2 * h);
          expect(Math.abs(grad[i]![t]! - fd)).toBeLessThan(1e-6);
        }),
      );
    },
  );

  test.prop([groupArb], { numRuns: 100, seed: 14 })(
    'with beta = 0 the gradient of the loss is < 0 on tokens of A > 0 outputs, > 0 for A < 0, and 0 once clipped on the helpful side',
    ({ outputs, rewards, epsilon }) => {
      const a = groupAdvantages(rewards);
      const grad = grpoLossGrad(outputs, a, epsilon, 0);
      outputs.forEach((o, i) =>
        o.logp.forEach((lp, t) => {
          const rho = Math.exp(lp - o.logpOld[t]!);
          const g = grad[i]![t]!;
          const helpfulClip = (a[i]! > 0 && rho > 1 + epsilon) || (a[i]! < 0 && rho < 1 - epsilon);
          if (a[i] === 0 || helpfulClip) expect(g).toBe(0);
          else expect(Math.sign(g)).toBe(-Math.sign(a[i]!));
        }),
      );
    },
  );

  test.prop([groupArb], { numRuns: 15, seed: 15 })(
    'grpoLossTf on padded [G, T] tensors with a mask equals the from-scratch loss to 1e-4 (float32)',
    async ({ outputs, rewards, epsilon, beta }) => {
      const a = groupAdvantages(rewards);
      const scratch = -grpoObjectiveFromAdvantages(outputs, a, epsilon, beta);
      const viaTf = await grpoLossTfValue(outputs, a, epsilon, beta);
      expect(Math.abs(viaTf - scratch)).toBeLessThan(1e-4 * (1 + Math.abs(scratch)));
    },
  );

  test.prop([groupArb], { numRuns: 15, seed: 16 })(
    'tf.grad of grpoLossTf equals the hand gradient to 1e-4, padding positions excluded',
    async ({ outputs, rewards, epsilon, beta }) => {
      const a = groupAdvantages(rewards);
      const hand = grpoLossGrad(outputs, a, epsilon, beta);
      const viaTf = await grpoLossGradTf(outputs, a, epsilon, beta);
      outputs.forEach((o, i) =>
        o.logp.forEach((lp, t) => {
          const rho = Math.exp(lp - o.logpOld[t]!);
          if (Math.abs(rho - (1 + epsilon)) < 1e-3 || Math.abs(rho - (1 - epsilon)) < 1e-3) return;
          expect(Math.abs(viaTf[i]![t]! - hand[i]![t]!)).toBeLessThan(1e-4);
        }),
      );
    },
  );
});

describe('complexity: one term per token, O(sum |o_i|)', () => {
  test.prop([groupArb], { numRuns: 50, seed: 17 })(
    'the counted objective evaluates sum_i |o_i| per-token terms and equals the textbook J',
    ({ outputs, rewards, epsilon, beta }) => {
      const c = new Counter();
      const j = grpoObjectiveCounted(outputs, rewards, epsilon, beta, c);
      expect(j).toBe(grpoObjective(outputs, rewards, epsilon, beta));
      expect(c.get('tokens')).toBeLessThanOrEqual(outputs.reduce((s, o) => s + o.logp.length, 0));
      expect(c.get('tokens')).toBeGreaterThan(0);
    },
  );
});

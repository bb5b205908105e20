/**
 * Answer key for Q37's KL formula (ml/kl-divergence.ts). Worked examples: Kullback's binomial
 * against uniform (0.0852996 and 0.097455, the example Wikipedia and torchmetrics print) and
 * Schulman's Gaussian table, reproduced from closed forms and by seeded sampling. Properties
 * against independent oracles: mathjs's kldivergence, CE = H(p) + KL with the project's entropy and
 * cross-entropy, Pinsker's bound (KL = 0 only when p = q), tfjs on [batch, vocab] logits, PyTorch's
 * kl_div written out, a chi-square test of the sampler. The estimators: k3 >= 0 per sample, k1 and
 * k3 unbiased (their seeded Monte-Carlo means within 5 standard errors of the exact KL), k2 biased.
 * Complexity: n samples cost n uniform draws. Pitfalls rejected by the same properties: the swapped
 * arguments, kl_div fed probabilities, the 'mean' reduction, k3 with its ratio flipped.
 * Input checks: tests/inputs/kl-divergence.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as math from 'mathjs';
import {
  batchKl,
  estimateKl,
  gaussianEstimatorMoments,
  gaussianEstimatorTable,
  gaussianLogRatio,
  k1,
  k2,
  k3,
  klDivergence,
  klEstimates,
  klFromLogits,
  klFromLogitsRows,
  klFromLogitsTfMatrix,
  pitfallK3FlippedRatio,
  pitfallKlDivMeanReduction,
  pitfallKlDivWithProbabilities,
  pitfallKlSwapped,
  sampleCategorical,
  SCHULMAN_TABLE,
  torchKlDiv,
  type KlEstimator,
} from '../ml/kl-divergence.js';
import { crossEntropy, entropy, softmax } from '../ml/softmax.js';
import { matrix, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { chiSquareTest, mean, std } from '../core/stats.js';
import { rejectsPitfall } from './support/answer-key.js';

const P_BINOMIAL = [0.36, 0.48, 0.16]; // binomial(2, 0.4)
const UNIFORM3 = [1 / 3, 1 / 3, 1 / 3];

/** A distribution over `size` outcomes, every probability >= ~0.01 / size (so log q is tame). */
const positiveDist = (size: number) =>
  fc
    .array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: size, maxLength: size })
    .map((w) => {
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / s);
    });

/** Two distributions over the same 1 to 7 outcomes. */
const pairArb = fc
  .integer({ min: 1, max: 7 })
  .chain((n) => fc.tuple(positiveDist(n), positiveDist(n)));

/** Two distributions of which p may have zeros (q keeps full support, so KL(p || q) is finite). */
const pairWithZerosArb = fc.integer({ min: 2, max: 7 }).chain((n) =>
  fc.tuple(
    fc
      .array(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1, noNaN: true })), {
        minLength: n,
        maxLength: n,
      })
      .filter((w) => w.some((x) => x > 0))
      .map((w) => {
        const s = w.reduce((a, b) => a + b, 0);
        return w.map((x) => x / s);
      }),
    positiveDist(n),
  ),
);

const logitsArb = (n: number) =>
  fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: n, maxLength: n });

/** A batch of logits pairs [B, V]. */
const logitRowsArb = fc
  .record({ b: fc.integer({ min: 1, max: 4 }), v: fc.integer({ min: 1, max: 9 }) })
  .chain(({ b, v }) =>
    fc.tuple(logitsArb(b * v), logitsArb(b * v)).map(([x, y]) => ({
      p: matrix(b, v, x),
      q: matrix(b, v, y),
    })),
  );

/** Rows that are distributions, [B, V], p and q of the same shape. */
const distRowsArb = fc
  .record({ b: fc.integer({ min: 1, max: 4 }), v: fc.integer({ min: 2, max: 6 }) })
  .chain(({ b, v }) =>
    fc
      .tuple(
        fc.array(positiveDist(v), { minLength: b, maxLength: b }),
        fc.array(positiveDist(v), { minLength: b, maxLength: b }),
      )
      .map(([ps, qs]) => ({ p: matrix(b, v, ps.flat()), q: matrix(b, v, qs.flat()) })),
  );

const rowOf = (m: Matrix, b: number) => Array.from(m.data.subarray(b * m.cols, (b + 1) * m.cols));

describe('worked examples', () => {
  it("Kullback's example 2.1: binomial(2, 0.4) against uniform on 3 is 0.0852996 nats, the reverse 0.097455", () => {
    expect(Number(klDivergence(P_BINOMIAL, UNIFORM3).toFixed(7))).toBe(0.0852996);
    expect(Number(klDivergence(UNIFORM3, P_BINOMIAL).toFixed(6))).toBe(0.097455);
    // torchmetrics' kl_divergence prints the first as 0.0853
    expect(Number(klDivergence(P_BINOMIAL, UNIFORM3).toFixed(4))).toBe(0.0853);
  });

  it('KL(p || p) = 0 exactly; a certain outcome against a fair coin costs ln 2; support missing in q costs Infinity', () => {
    expect(klDivergence(P_BINOMIAL, P_BINOMIAL)).toBe(0);
    expect(klDivergence([1, 0], [0.5, 0.5])).toBe(Math.log(2));
    expect(klDivergence([0.5, 0.5], [1, 0])).toBe(Number.POSITIVE_INFINITY);
  });

  it('k1, k2, k3 at p(x) = 0.2, q(x) = 0.5: r = 0.4 gives 0.916, 0.420, 0.316', () => {
    const [lp, lq] = [Math.log(0.2), Math.log(0.5)];
    expect(k1(lp, lq)).toBeCloseTo(-Math.log(0.4), 15);
    expect(k2(lp, lq)).toBeCloseTo(Math.log(0.4) ** 2 / 2, 15);
    expect(k3(lp, lq)).toBeCloseTo(0.4 - 1 - Math.log(0.4), 15);
    expect(Number(k3(lp, lq).toFixed(3))).toBe(0.316);
  });
});

describe("Schulman's Gaussian setup: q = N(0, 1), p = N(mu, 1), KL = mu^2 / 2", () => {
  it('the log-ratio is mu x - mu^2 / 2, so KL = E_q[-log r] = 0.005 at mu = 0.1', () => {
    expect(gaussianLogRatio(0, 0.1)).toBeCloseTo(-0.005, 15);
    const [row1] = gaussianEstimatorMoments(0.1);
    // std(k1) / KL = mu / (mu^2 / 2) = 2 / mu
    expect(Math.round(row1!.stdOverTrue)).toBe(20);
  });

  it('the closed forms round to his table: mu = 0.1: 20, 1.42, 1.42; mu = 1: 2, 0.25 and 1.73, 1.7', () => {
    const small = gaussianEstimatorMoments(0.1);
    const large = gaussianEstimatorMoments(1);
    const table01 = SCHULMAN_TABLE['0.1'];
    const table1 = SCHULMAN_TABLE['1'];
    expect(Math.round(small[0]!.stdOverTrue)).toBe(table01[0]!.stdOverTrue);
    expect(Number(small[1]!.stdOverTrue.toFixed(2))).toBe(table01[1]!.stdOverTrue);
    expect(Number(small[2]!.stdOverTrue.toFixed(2))).toBe(table01[2]!.stdOverTrue);
    expect(Math.round(large[0]!.stdOverTrue)).toBe(table1[0]!.stdOverTrue);
    expect(Number(large[1]!.biasOverTrue.toFixed(2))).toBe(table1[1]!.biasOverTrue);
    expect(Number(large[1]!.stdOverTrue.toFixed(2))).toBe(table1[1]!.stdOverTrue);
    expect(Number(large[2]!.stdOverTrue.toFixed(1))).toBe(table1[2]!.stdOverTrue);
    // k1 and k3 are unbiased in closed form
    for (const rows of [small, large]) {
      expect(rows[0]!.biasOverTrue).toBe(0);
      expect(rows[2]!.biasOverTrue).toBe(0);
    }
  });

  it("k2's bias at mu = 0.1 is mu^2 / 4 = 0.0025 exactly; the table's 0.002 is a 10M-sample value within 2 standard errors of it", () => {
    const k2Row = gaussianEstimatorMoments(0.1)[1]!;
    expect(k2Row.biasOverTrue).toBeCloseTo(0.0025, 15);
    // the standard error of a 10^7-sample mean, relative to KL: std(k2) / KL / sqrt(10^7)
    const se = k2Row.stdOverTrue / Math.sqrt(1e7);
    expect(Math.abs(SCHULMAN_TABLE['0.1'][1]!.biasOverTrue - k2Row.biasOverTrue)).toBeLessThan(
      2 * se,
    );
  });

  it('a seeded run of 100,000 samples agrees with the closed forms: biases within 4 standard errors, stds within 5%', () => {
    const n = 100_000;
    for (const mu of [0.1, 1]) {
      const exact = gaussianEstimatorMoments(mu);
      const seen = gaussianEstimatorTable(mu, n, rng(37));
      seen.forEach((row, i) => {
        const want = exact[i]!;
        expect(row.estimator).toBe(want.estimator);
        expect(Math.abs(row.biasOverTrue - want.biasOverTrue)).toBeLessThan(
          (4 * want.stdOverTrue) / Math.sqrt(n),
        );
        expect(Math.abs(row.stdOverTrue / want.stdOverTrue - 1)).toBeLessThan(0.05);
      });
      // the ordering the table teaches: k1 is the noisiest
      expect(seen[0]!.stdOverTrue).toBeGreaterThan(seen[2]!.stdOverTrue);
    }
  });
});

describe('the exact KL against independent oracles', () => {
  test.prop([pairArb], { numRuns: 100, seed: 1 })(
    'equals mathjs kldivergence to 1e-12',
    ([p, q]) => {
      expect(klDivergence(p, q)).toBeCloseTo(math.kldivergence(p, q) as number, 12);
    },
  );

  /** CE(p, q) = H(p) + KL(p || q), CE from the project's crossEntropy on logits ln q. */
  const crossEntropyIdentity = (kl: (p: number[], q: number[]) => number) =>
    fc.property(pairWithZerosArb, ([p, q]) => {
      const logQ = q.map(Math.log);
      // -sum_t p_t log q_t, each term -log softmax(ln q)_t = -log q_t since q sums to 1
      const ce = p.reduce((s, pt, t) => s + pt * crossEntropy(logQ, t), 0);
      return Math.abs(ce - (entropy(p) + kl(p, q))) < 1e-9;
    });

  it('CE(p, q) = H(p) + KL(p || q), with zeros in p (0 log 0 = 0)', () => {
    fc.assert(crossEntropyIdentity(klDivergence), { seed: 2, numRuns: 100 });
  });

  it('rejects the swapped arguments, KL(q || p) (pitfallKlSwapped)', () => {
    rejectsPitfall(crossEntropyIdentity(pitfallKlSwapped), { seed: 2, numRuns: 100 });
  });

  test.prop([pairWithZerosArb], { numRuns: 100, seed: 3 })(
    "KL >= 0 and at least Pinsker's (1/2) ||p - q||_1^2, so it is 0 only when p = q; KL(p || p) = 0 exactly",
    ([p, q]) => {
      const l1 = p.reduce((s, pi, i) => s + Math.abs(pi - q[i]!), 0);
      expect(klDivergence(p, q)).toBeGreaterThanOrEqual((l1 * l1) / 2 - 1e-12);
      expect(klDivergence(p, p)).toBe(0);
      expect(klDivergence(q, q)).toBe(0);
    },
  );

  it('is not symmetric: some pair has KL(p || q) != KL(q || p) by more than 0.01', () => {
    expect(
      Math.abs(klDivergence(P_BINOMIAL, UNIFORM3) - klDivergence(UNIFORM3, P_BINOMIAL)),
    ).toBeGreaterThan(0.01);
  });
});

describe('from logits, rows and tfjs', () => {
  test.prop(
    [
      fc
        .integer({ min: 1, max: 9 })
        .chain((n) =>
          fc.tuple(logitsArb(n), logitsArb(n), fc.double({ min: -50, max: 50, noNaN: true })),
        ),
    ],
    {
      numRuns: 100,
      seed: 4,
    },
  )(
    'klFromLogits = klDivergence(softmax, softmax) to 1e-12, unchanged when a constant is added to either',
    ([a, b, c]) => {
      const direct = klDivergence(softmax(a), softmax(b));
      expect(klFromLogits(a, b)).toBeCloseTo(direct, 12);
      expect(
        klFromLogits(
          a.map((x) => x + c),
          b,
        ),
      ).toBeCloseTo(direct, 9);
      expect(
        klFromLogits(
          a,
          b.map((x) => x + c),
        ),
      ).toBeCloseTo(direct, 9);
    },
  );

  it('a masked class (-Infinity) in p costs nothing; masked in q where p has mass costs Infinity', () => {
    expect(klFromLogits([0, Number.NEGATIVE_INFINITY], [0, 0])).toBeCloseTo(Math.log(2), 15);
    expect(klFromLogits([0, 0], [0, Number.NEGATIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
  });

  test.prop([logitRowsArb], { numRuns: 15, seed: 5 })(
    'klFromLogitsTf on [batch, vocab] equals the from-scratch rows to 1e-4 (float32)',
    async ({ p, q }) => {
      const scratch = klFromLogitsRows(p, q);
      const tf = await klFromLogitsTfMatrix(p, q);
      expect(tf).toHaveLength(p.rows);
      tf.forEach((v, b) =>
        expect(Math.abs(v - scratch[b]!)).toBeLessThan(1e-4 * (1 + scratch[b]!)),
      );
    },
  );
});

describe("PyTorch's F.kl_div(input = log q, target = p, reduction)", () => {
  /** The batch KL as PyTorch users mean it: (1 / B) sum_b KL(p_b || q_b). */
  const meanRowKl = (kl: (p: Matrix, q: Matrix) => number) =>
    fc.property(distRowsArb, ({ p, q }) => {
      let want = 0;
      for (let b = 0; b < p.rows; b++) want += klDivergence(rowOf(p, b), rowOf(q, b));
      return Math.abs(kl(p, q) - want / p.rows) < 1e-12;
    });

  it("batchKl and kl_div(log q, p, 'batchmean') are the mean of the rows' KL", () => {
    fc.assert(meanRowKl(batchKl), { seed: 6, numRuns: 100 });
    const viaTorch = (p: Matrix, q: Matrix) =>
      torchKlDiv({ ...q, data: Float64Array.from(q.data, Math.log) }, p, 'batchmean');
    fc.assert(meanRowKl(viaTorch), { seed: 6, numRuns: 100 });
  });

  it("'sum' is B times 'batchmean', and 'mean' is 'batchmean' / V", () => {
    fc.assert(
      fc.property(distRowsArb, ({ p, q }) => {
        const logQ = { ...q, data: Float64Array.from(q.data, Math.log) };
        const bm = torchKlDiv(logQ, p, 'batchmean');
        expect(torchKlDiv(logQ, p, 'sum')).toBeCloseTo(bm * p.rows, 12);
        expect(torchKlDiv(logQ, p, 'mean')).toBeCloseTo(bm / p.cols, 12);
      }),
      { seed: 7, numRuns: 50 },
    );
  });

  it('rejects passing probabilities where kl_div wants log-probabilities (pitfallKlDivWithProbabilities)', () => {
    rejectsPitfall(meanRowKl(pitfallKlDivWithProbabilities), { seed: 6, numRuns: 100 });
    // it is not even zero for p = q
    const p = matrix(1, 3, P_BINOMIAL);
    expect(Math.abs(pitfallKlDivWithProbabilities(p, p))).toBeGreaterThan(0.1);
  });

  it("rejects reduction = 'mean', which divides by B V (pitfallKlDivMeanReduction)", () => {
    rejectsPitfall(meanRowKl(pitfallKlDivMeanReduction), { seed: 6, numRuns: 100 });
  });
});

describe("Schulman's estimators on discrete distributions (x ~ q, r = p(x) / q(x))", () => {
  const logArb = fc.double({ min: -30, max: 0, noNaN: true });

  test.prop([logArb, logArb], { numRuns: 200, seed: 8 })(
    'k3 >= 0 and k2 >= 0 for every sample, each 0 when log p = log q; k1 < 0 whenever p(x) > q(x)',
    (lp, lq) => {
      expect(k3(lp, lq)).toBeGreaterThanOrEqual(0);
      expect(k2(lp, lq)).toBeGreaterThanOrEqual(0);
      expect(k3(lq, lq)).toBe(0);
      if (lp > lq) expect(k1(lp, lq)).toBeLessThan(0);
    },
  );

  it('sampleCategorical draws from q: a chi-square test on 20,000 draws does not reject (p > 0.001)', () => {
    const q = [0.1, 0, 0.25, 0.4, 0.25];
    const counts = [0, 0, 0, 0, 0];
    for (const x of sampleCategorical(q, 20_000, rng(9))) counts[x]!++;
    expect(counts[1]).toBe(0);
    const kept = [0, 2, 3, 4];
    const { pValue } = chiSquareTest(
      kept.map((i) => counts[i]!),
      kept.map((i) => 20_000 * q[i]!),
    );
    expect(pValue).toBeGreaterThan(0.001);
  });

  /** The mean of n per-sample values is within 5 standard errors of the exact KL(q || p). */
  const unbiased = (
    estimate: (q: number[], p: number[], r: ReturnType<typeof rng>) => Float64Array,
  ) =>
    fc.property(pairArb, fc.integer({ min: 1, max: 2 ** 30 }), ([q, p], seed) => {
      const values = estimate(q, p, rng(seed));
      const se = values.length > 1 ? std(values) / Math.sqrt(values.length) : 0;
      return Math.abs(mean(values) - klDivergence(q, p)) <= 5 * se + 1e-12;
    });
  const N = 10_000;
  const withEstimator = (e: KlEstimator) => (q: number[], p: number[], r: ReturnType<typeof rng>) =>
    klEstimates(q, p, N, r, e);

  it('k3 is unbiased: its seeded Monte-Carlo mean is within 5 standard errors of the exact KL', () => {
    fc.assert(unbiased(withEstimator('k3')), { seed: 10, numRuns: 25 });
  });

  it('k1 is unbiased too', () => {
    fc.assert(unbiased(withEstimator('k1')), { seed: 10, numRuns: 25 });
  });

  it('k2 is biased: at mu = 1 its mean is 25% high, far outside the sampling error', () => {
    const [, k2Row] = gaussianEstimatorTable(1, 20_000, rng(12));
    expect(k2Row!.biasOverTrue).toBeGreaterThan(0.2);
  });

  it('rejects k3 with its ratio flipped, r = q / p (pitfallK3FlippedRatio)', () => {
    const flipped = (q: number[], p: number[], r: ReturnType<typeof rng>) => {
      const xs = sampleCategorical(q, N, r);
      return Float64Array.from(xs, (x) => pitfallK3FlippedRatio(Math.log(p[x]!), Math.log(q[x]!)));
    };
    rejectsPitfall(unbiased(flipped), { seed: 10, numRuns: 25, endOnFailure: true });
  });

  test.prop([pairArb], { numRuns: 40, seed: 13 })(
    'k3 has a lower spread than k1 when p and q are close (within 10% of each other)',
    ([q, noise]) => {
      // p a small perturbation of q
      const w = q.map((x, i) => x * (1 + (0.1 * (noise[i]! * q.length - 1)) / q.length));
      const s = w.reduce((a, b) => a + b, 0);
      const p = w.map((x) => x / s);
      if (klDivergence(q, p) < 1e-9) return;
      const spread = (e: KlEstimator) => std(klEstimates(q, p, 4000, rng(1), e));
      expect(spread('k3')).toBeLessThan(spread('k1'));
    },
  );
});

describe('complexity: n samples cost n uniform draws', () => {
  test.prop([pairArb, fc.integer({ min: 1, max: 5000 })], { numRuns: 30, seed: 14 })(
    'estimateKl draws at most n uniforms, and the estimate is the mean of klEstimates from the same seed',
    ([q, p], n) => {
      const r = rng(5);
      const before = r.draws;
      const estimate = estimateKl(q, p, n, r, 'k3');
      expect(r.draws - before).toBeLessThanOrEqual(n);
      const values = klEstimates(q, p, n, rng(5), 'k3');
      expect(estimate).toBeCloseTo(values.reduce((a, b) => a + b, 0) / n, 12);
    },
  );
});

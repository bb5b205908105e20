/**
 * Answer key for Q30, decoding. Worked examples: Hugging Face's "How to generate text" toy table
 * (greedy 0.5 x 0.4 = 0.2, beam search 0.36), the top-p vector [.5, .3, .15, .03, .02] at p = 0.95
 * (the first three, renormalised [.526, .316, .158]), a table where beam search is WORSE than
 * greedy, and one where the length penalty changes the winner. Properties of the warpers: warped
 * distributions sum to 1; top_p = 1 and top_k >= V are no-ops; temperature keeps the order; top-k
 * keeps exactly the tokens with fewer than k larger logits (ties kept); the nucleus has mass >= p
 * and loses it without its smallest member; the two top-p forms agree; sampling follows the warped
 * distribution (chi-square). Search: beam width 1 is greedy; exhaustive search over every sequence
 * is never beaten, and beam width V^L equals it. tfjs twins equal the from-scratch warpers.
 * Complexity: model calls counted. Each pitfall is rejected by the property its right form passes.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Counter } from '../core/counter.js';
import { fromRows, matrix, toRows } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { chiSquareTest } from '../core/stats.js';
import { softmax } from '../ml/softmax.js';
import {
  beamLosesModel,
  beamSearch,
  descendingOrder,
  exhaustiveSearch,
  greedyDecode,
  HF_BLOG_WORDS,
  hfBlogModel,
  lengthPenaltyModel,
  lengthNormalizedScore,
  pitfallBeamSearchIgnoresLengthPenalty,
  pitfallSampleWithoutRenormalising,
  pitfallTemperatureAfterSoftmax,
  pitfallTopKTiesByIndex,
  pitfallTopPDropsCrossingToken,
  sampleDecode,
  sampleNext,
  sampleToken,
  sequenceLogProb,
  temperature,
  topK,
  topP,
  topPHf,
  topPProbs,
  warpedDistribution,
  warpLogits,
  warpLogitsTfMatrix,
  type LanguageModel,
  type WarpOptions,
} from '../ml/decoding/index.js';
import { tensorBackend } from '../core/backend.js';
import { rejectsPitfall } from './support/answer-key.js';
import { ALPHA } from './support/sampling.js';

// the tfjs twins' backend, started once before the tests (it takes a second or two)
await tensorBackend();

// ---------------------------------------------------------------- fixtures

/** Hugging Face's "How to generate text" toy (the probabilities of its greedy and beam figures). */
const WORDS = HF_BLOG_WORDS;
const id = (w: string) => WORDS.indexOf(w);
const hfModel = hfBlogModel();
const words = (tokens: readonly number[]) => tokens.map((t) => WORDS[t]);

/** A deterministic model: the logits of a prefix come from a generator seeded by its hash. */
function hashModel(v: number, seed: number, scale = 1.5, eosBias = 0, eos = 0): LanguageModel {
  return (prefix) => {
    let h = seed >>> 0;
    for (const t of prefix) h = Math.imul(h ^ (t + 0x9e37), 0x85ebca6b) >>> 0;
    const r = rng(h);
    return Array.from({ length: v }, (_, i) => scale * r.normal() + (i === eos ? eosBias : 0));
  };
}

/** A small search problem: V in 2..3, L in 1..3 (so V^L <= 27), a prompt, an eos, a penalty. */
const searchCase = fc
  .record({
    v: fc.integer({ min: 2, max: 3 }),
    maxNewTokens: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    eosRaw: fc.nat(),
    prompt: fc.array(fc.nat(), { maxLength: 2 }),
    eosBias: fc.double({ min: -1, max: 1.5, noNaN: true }),
    lengthPenalty: fc.constantFrom(0, 0.5, 1, 2),
  })
  .map(({ v, seed, eosRaw, prompt, eosBias, ...rest }) => {
    const eos = eosRaw % v;
    return {
      ...rest,
      v,
      eos,
      prompt: prompt.map((t) => t % v),
      model: hashModel(v, seed, 1.5, eosBias, eos),
    };
  });

/** Logits from a handful of values: many ties. */
const tiedLogits = fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 1, maxLength: 8 });
/** Continuous logits in [-6, 6] (multiples of 1e-6: no subnormal that a division flushes to 0). */
const realLogits = fc.array(
  fc.integer({ min: -6e6, max: 6e6 }).map((x) => x / 1e6),
  { minLength: 1, maxLength: 10 },
);
const pArb = fc.double({ min: 0.01, max: 1, noNaN: true });
const tArb = fc.double({ min: 0.2, max: 5, noNaN: true });

const kept = (warped: readonly number[]) =>
  warped.flatMap((x, i) => (x === Number.NEGATIVE_INFINITY ? [] : [i]));
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

/** True when a cumulative sum of the descending probabilities lies within `tol` of p. */
function nearBoundary(logits: readonly number[], p: number, tol: number): boolean {
  const probs = softmax(logits);
  let cum = 0;
  for (const i of descendingOrder(logits)) {
    cum += probs[i] as number;
    if (Math.abs(cum - p) < tol) return true;
  }
  return false;
}

// ---------------------------------------------------------------- worked examples

describe('worked examples', () => {
  it("HF's toy: greedy 'The nice woman' (0.5 x 0.4), beam of 2 'The dog has' (0.4 x 0.9)", () => {
    const greedy = greedyDecode(hfModel, [id('The')], 2, id('<eos>'));
    expect(words(greedy)).toEqual(['nice', 'woman']);
    expect(Math.exp(sequenceLogProb(hfModel, [id('The')], greedy, 0))).toBeCloseTo(0.2, 14);
    const beam = beamSearch(hfModel, [id('The')], 2, 2, id('<eos>'));
    expect(words(beam.tokens)).toEqual(['dog', 'has']);
    expect(Math.exp(beam.logProb)).toBeCloseTo(0.36, 14);
    // the greedy first token, 'nice' (0.5), leads to a worse sequence than 'dog' (0.4): checked
    // against every sequence, 'The dog has' is the best one
    const best = exhaustiveSearch(hfModel, [id('The')], 2, id('<eos>'));
    expect(best.tokens).toEqual(beam.tokens);
    expect(best.logProb).toBe(beam.logProb);
    expect(beam.logProb).toBe(sequenceLogProb(hfModel, [id('The')], beam.tokens, 0));
  });

  it('top-p 0.95 on [.5, .3, .15, .03, .02] keeps three: [.526, .316, .158]', () => {
    const probs = [0.5, 0.3, 0.15, 0.03, 0.02];
    const three = (xs: number[]) => xs.map((x) => Math.round(1000 * x) / 1000);
    expect(three(topPProbs(probs, 0.95))).toEqual([0.526, 0.316, 0.158, 0, 0]);
    expect(three(topPProbs(probs, 0.9))).toEqual([0.526, 0.316, 0.158, 0, 0]);
    // on logits, both forms: HF's (cumsum ascending <= 1 - p) removes .02 and .03:
    // 0.05 <= 0.050000000000000044
    const logits = probs.map(Math.log);
    expect(kept(topP(logits, 0.95))).toEqual([0, 1, 2]);
    expect(kept(topPHf(logits, 0.95))).toEqual([0, 1, 2]);
    expect(three(warpedDistribution(logits, { topP: 0.95 }))).toEqual([0.526, 0.316, 0.158, 0, 0]);
  });

  it('beam search can be WORSE than greedy: width 2 drops the greedy path at step 2', () => {
    // 0 = <eos>, 1 = A, 2 = B, 3 = C. Greedy: A (0.5), A (0.34), <eos> (1): p = 0.17.
    // Beam 2 at step 2: BA = BB = 0.2 beat AA = 0.17, and both continue flat (1/3 each): p = 0.068.
    const model = beamLosesModel();
    const greedy = greedyDecode(model, [], 3, 0);
    expect(greedy).toEqual([1, 1, 0]);
    const beam = beamSearch(model, [], 2, 3, 0);
    expect(beam.tokens).toEqual([2, 1, 1]);
    expect(Math.exp(sequenceLogProb(model, [], greedy, 0))).toBeCloseTo(0.17, 14);
    expect(Math.exp(beam.logProb)).toBeCloseTo(0.4 * 0.5 * 0.34, 14);
    expect(beam.logProb).toBeLessThan(sequenceLogProb(model, [], greedy, 0));
    // a third beam keeps AA alive and finds it again
    expect(beamSearch(model, [], 3, 3, 0).tokens).toEqual([1, 1, 0]);
  });

  it('the length penalty changes the winner: raw, <eos> (0.5); penalty 1, A A <eos>', () => {
    const model = lengthPenaltyModel();
    expect(beamSearch(model, [], 2, 3, 0, 0).tokens).toEqual([0]);
    const normalised = beamSearch(model, [], 2, 3, 0, 1);
    expect(normalised.tokens).toEqual([1, 1, 0]);
    expect(normalised.score).toBe(lengthNormalizedScore(normalised.logProb, 3, 1));
    expect(Math.exp(normalised.logProb)).toBeCloseTo(0.5 * 0.95 * 0.95, 14);
    expect(exhaustiveSearch(model, [], 3, 0, 1).tokens).toEqual([1, 1, 0]);
    // asked for the penalty, the pitfall still returns the short one
    expect(pitfallBeamSearchIgnoresLengthPenalty(model, [], 2, 3, 0, 1).tokens).toEqual([0]);
  });

  it('temperature divides; topK([3, 2, 2, 0], 2) keeps three (ties with the k-th)', () => {
    expect(temperature([2, 1, 0], 0.5)).toEqual([4, 2, 0]);
    expect(topK([3, 2, 2, 0], 2)).toEqual([3, 2, 2, Number.NEGATIVE_INFINITY]);
    expect(pitfallTopKTiesByIndex([3, 2, 2, 0], 2)).toEqual([3, 2, -Infinity, -Infinity]);
    expect(topK([3, 2, 2, 0], 9)).toEqual([3, 2, 2, 0]);
  });
});

// ---------------------------------------------------------------- the warpers

/** A warper seen as logits -> distribution must give probabilities that sum to 1. */
const sumsToOne = (dist: (logits: number[], t: number) => number[]) =>
  fc.property(realLogits, tArb, (logits, t) => Math.abs(sum(dist(logits, t)) - 1) < 1e-9);

/** The nucleus: mass >= p (or every token), and without its least likely member mass < p. */
const nucleusProperty = (warp: (logits: number[], p: number) => number[]) =>
  fc.property(realLogits, pArb, (logits, p) => {
    const probs = softmax(logits);
    const nucleus = kept(warp(logits, p));
    const mass = sum(nucleus.map((i) => probs[i] as number));
    const smallest = Math.min(...nucleus.map((i) => probs[i] as number));
    return (mass >= p || nucleus.length === logits.length) && mass - smallest < p + 1e-12;
  });

/** Top-k keeps token i exactly when fewer than k logits are larger than its own. */
const topKByRank = (warp: (logits: number[], k: number) => number[]) =>
  fc.property(tiedLogits, fc.integer({ min: 1, max: 8 }), (logits, k) => {
    const expected = logits.flatMap((x, i) => (logits.filter((y) => y > x).length < k ? [i] : []));
    const out = warp(logits, k);
    return (
      JSON.stringify(kept(out)) === JSON.stringify(expected) &&
      kept(out).every((i) => out[i] === logits[i])
    );
  });

describe('the warpers', () => {
  it('warped distributions sum to 1: softmax(logits / T), for any T', () => {
    fc.assert(
      sumsToOne((l, t) => softmax(temperature(l, t))),
      { numRuns: 100 },
    );
  });

  test.prop(
    [
      realLogits,
      fc.record(
        { temperature: tArb, topK: fc.integer({ min: 1, max: 12 }), topP: pArb },
        { requiredKeys: [] },
      ),
    ],
    { numRuns: 100 },
  )('every combination of warpers gives a distribution: >= 0, summing to 1', (logits, options) => {
    const dist = warpedDistribution(logits, options as WarpOptions);
    expect(dist.every((x) => x >= 0)).toBe(true);
    expect(Math.abs(sum(dist) - 1)).toBeLessThan(1e-12);
  });

  test.prop([realLogits, fc.integer({ min: 0, max: 5 })], { numRuns: 100 })(
    'top_p = 1 and top_k >= V are no-ops (the logits come back unchanged)',
    (logits, extra) => {
      expect(topP(logits, 1)).toEqual(logits);
      expect(topPHf(logits, 1)).toEqual(logits);
      expect(topK(logits, logits.length + extra)).toEqual(logits);
      expect(warpLogits(logits, { topK: logits.length + extra, topP: 1 })).toEqual(logits);
    },
  );

  test.prop([realLogits, tArb], { numRuns: 100 })(
    'temperature keeps the order of the logits (and so the argmax and top-k)',
    (logits, t) => {
      const scaled = temperature(logits, t);
      const sameOrder = logits.every((x, i) =>
        logits.every((y, j) => Math.sign(scaled[i]! - scaled[j]!) === Math.sign(x - y)),
      );
      expect(sameOrder).toBe(true);
      expect(kept(topK(scaled, 3))).toEqual(kept(topK(logits, 3)));
    },
  );

  it('T -> 0 concentrates the mass on the argmax, T -> infinity flattens it', () => {
    const logits = [1, 3, 2, 0];
    expect(warpedDistribution(logits, { temperature: 0.01 })[1]).toBeGreaterThan(1 - 1e-15);
    const hot = warpedDistribution(logits, { temperature: 1e6 });
    expect(Math.max(...hot) - Math.min(...hot)).toBeLessThan(1e-5);
  });

  it('top-k keeps exactly the tokens with fewer than k larger logits (ties kept)', () => {
    fc.assert(topKByRank(topK), { numRuns: 200 });
  });

  it('the nucleus has mass >= p, and below p without its least likely member', () => {
    fc.assert(nucleusProperty(topP), { numRuns: 200 });
    fc.assert(nucleusProperty(topPHf), { numRuns: 200 });
  });

  test.prop([realLogits, pArb], { numRuns: 200 })(
    "HF's form (ascending, cumsum <= 1 - p) keeps the same nucleus as the walk from the top",
    (logits, p) => {
      fc.pre(!nearBoundary(logits, p, 1e-9));
      expect(topPHf(logits, p)).toEqual(topP(logits, p));
    },
  );

  test.prop([realLogits, pArb], { numRuns: 100 })(
    'top-p on probabilities is the softmax of top-p on logits',
    (logits, p) => {
      fc.pre(!nearBoundary(logits, p, 1e-9));
      const probs = softmax(logits);
      const a = topPProbs(probs, p);
      const b = softmax(topP(logits, p));
      expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))).toBeLessThan(1e-12);
    },
  );

  it("HF's order matters: temperature commutes with top-k but not with top-p", () => {
    const logits = [2, 1, 0, -1];
    expect(topK(temperature(logits, 0.5), 2)).toEqual(temperature(topK(logits, 2), 0.5));
    // p = 0.8 measured after T = 0.5 (sharper: [0.87, 0.12, ...]) keeps 1 token; before it, 2
    expect(kept(warpLogits(logits, { temperature: 0.5, topP: 0.8 }))).toEqual([0]);
    expect(kept(temperature(topP(logits, 0.8), 0.5))).toEqual([0, 1]);
  });
});

// ---------------------------------------------------------------- sampling

/** Draws from `sampler` follow softmax(warpLogits(logits)): no removed token, chi-square fits. */
const followsWarped = (
  sampler: (logits: number[], r: ReturnType<typeof rng>, o: WarpOptions) => number,
) =>
  fc.property(
    fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 6 }),
    fc.integer({ min: 1, max: 2 }),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    (logits, k, seed) => {
      const options = { topK: k, temperature: 0.8 };
      const expected = warpedDistribution(logits, options);
      const n = 1000;
      const counts = new Array<number>(logits.length).fill(0);
      const r = rng(seed);
      for (let s = 0; s < n; s++) counts[sampler(logits, r, options)]! += 1;
      const support = expected.flatMap((p, i) => (p > 0 ? [i] : []));
      if (counts.some((c, i) => c > 0 && expected[i] === 0)) return false;
      if (support.length < 2) return true;
      const test = chiSquareTest(
        support.map((i) => counts[i]!),
        support.map((i) => expected[i]! * n),
      );
      return test.pValue > ALPHA;
    },
  );

describe('sampling', () => {
  it('draws follow the warped distribution (chi-square, alpha 0.001), no removed token', () => {
    fc.assert(followsWarped(sampleNext), { numRuns: 10, seed: 3 });
  });

  it('sampleToken on the published nucleus: .526 : .316 : .158, nothing else', () => {
    const probs = topPProbs([0.5, 0.3, 0.15, 0.03, 0.02], 0.95);
    const r = rng(5);
    const counts = [0, 0, 0, 0, 0];
    for (let s = 0; s < 3000; s++) counts[sampleToken(probs, r)]! += 1;
    expect(counts.slice(3)).toEqual([0, 0]);
    expect(
      chiSquareTest(
        counts.slice(0, 3),
        probs.slice(0, 3).map((p) => p * 3000),
      ).pValue,
    ).toBeGreaterThan(ALPHA);
  });

  test.prop([fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 2 ** 31 - 1 })], {
    numRuns: 40,
  })('top_k = 1 sampling is greedy decoding (continuous logits: no tie at the top)', (v, seed) => {
    const model = hashModel(v, seed, 1.5, 0.5, 0);
    expect(sampleDecode(model, [], 6, 0, rng(seed), { topK: 1 })).toEqual(
      greedyDecode(model, [], 6, 0),
    );
  });

  it('the same seed gives the same text; sampling stops at eos or maxNewTokens', () => {
    const model = hashModel(5, 9, 1, 1, 0);
    const a = sampleDecode(model, [2], 20, 0, rng(1), { topP: 0.9 });
    expect(sampleDecode(model, [2], 20, 0, rng(1), { topP: 0.9 })).toEqual(a);
    expect(a.length === 20 || a.at(-1) === 0).toBe(true);
    expect(a.slice(0, -1).includes(0)).toBe(false);
  });
});

// ---------------------------------------------------------------- search

/** Beam search of width V^L keeps every hypothesis, so it is exhaustive search. */
const wideBeamIsExhaustive = (search: typeof beamSearch) =>
  fc.property(searchCase, ({ model, prompt, maxNewTokens, eos, v, lengthPenalty }) => {
    const best = exhaustiveSearch(model, prompt, maxNewTokens, eos, lengthPenalty);
    const beam = search(model, prompt, v ** maxNewTokens, maxNewTokens, eos, lengthPenalty);
    return JSON.stringify(beam.tokens) === JSON.stringify(best.tokens) && beam.score === best.score;
  });

describe('greedy, beam and exhaustive search', () => {
  test.prop([searchCase], { numRuns: 80 })(
    'beam width 1 is greedy search, for any length penalty',
    ({ model, prompt, maxNewTokens, eos, lengthPenalty }) => {
      const greedy = greedyDecode(model, prompt, maxNewTokens, eos);
      const beam = beamSearch(model, prompt, 1, maxNewTokens, eos, lengthPenalty);
      expect(beam.tokens).toEqual(greedy);
      expect(beam.logProb).toBe(sequenceLogProb(model, prompt, greedy, eos));
    },
  );

  test.prop([searchCase, fc.integer({ min: 1, max: 4 })], { numRuns: 80 })(
    'exhaustive search is never beaten, by beam search of any width or by greedy',
    ({ model, prompt, maxNewTokens, eos, lengthPenalty }, width) => {
      const best = exhaustiveSearch(model, prompt, maxNewTokens, eos, lengthPenalty);
      const beam = beamSearch(model, prompt, width, maxNewTokens, eos, lengthPenalty);
      expect(beam.score).toBeLessThanOrEqual(best.score);
      const greedy = greedyDecode(model, prompt, maxNewTokens, eos);
      const g = sequenceLogProb(model, prompt, greedy, eos);
      expect(lengthNormalizedScore(g, greedy.length, lengthPenalty)).toBeLessThanOrEqual(
        best.score,
      );
    },
  );

  it('beam search of width V^L equals exhaustive search (tokens and score, exactly)', () => {
    fc.assert(wideBeamIsExhaustive(beamSearch), { numRuns: 100 });
  });

  it('beam search returns a finished hypothesis scored logProb / length^penalty', () => {
    fc.assert(
      fc.property(searchCase, fc.integer({ min: 1, max: 4 }), (c, width) => {
        const h = beamSearch(c.model, c.prompt, width, c.maxNewTokens, c.eos, c.lengthPenalty);
        const ended = h.tokens.at(-1) === c.eos || h.tokens.length === c.maxNewTokens;
        return (
          ended &&
          !h.tokens.slice(0, -1).includes(c.eos) &&
          h.score === lengthNormalizedScore(h.logProb, h.tokens.length, c.lengthPenalty) &&
          h.logProb === sequenceLogProb(c.model, c.prompt, h.tokens, c.eos)
        );
      }),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------- tfjs

describe('tfjs twins equal the from-scratch warpers (float32, logits on quarters)', () => {
  const batchArb = fc
    .record({
      v: fc.integer({ min: 1, max: 7 }),
      rows: fc.integer({ min: 1, max: 4 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      options: fc.record(
        {
          temperature: fc.constantFrom(0.5, 1, 2),
          topK: fc.integer({ min: 1, max: 8 }),
          topP: fc.double({ min: 0.05, max: 1, noNaN: true }),
        },
        { requiredKeys: [] },
      ),
    })
    .map(({ v, rows, seed, options }) => {
      const r = rng(seed);
      const logits = Array.from({ length: rows }, () =>
        Array.from({ length: v }, () => r.integer(-8, 8) / 4),
      );
      return { logits, options: options as WarpOptions };
    });

  test.prop([batchArb], { numRuns: 25 })(
    'temperatureTf, topKMaskTf, topPMaskTf composed keep the same tokens, values to 1e-6',
    async ({ logits, options }) => {
      // away from a top-p boundary, where float32 and float64 sums may round differently
      const beforeTopP = logits.map((l) => warpLogits(l, { ...options, topP: undefined }));
      if (options.topP !== undefined)
        fc.pre(beforeTopP.every((l) => !nearBoundary(l, options.topP as number, 1e-4)));
      const tf = toRows(await warpLogitsTfMatrix(fromRows(logits), options));
      logits.forEach((l, b) => {
        const scratch = warpLogits(l, options);
        expect(kept(tf[b]!)).toEqual(kept(scratch));
        for (const i of kept(scratch))
          expect(Math.abs(tf[b]![i]! - scratch[i]!)).toBeLessThan(
            1e-6 * (1 + Math.abs(scratch[i]!)),
          );
      });
    },
  );

  it('top-k on tensors keeps ties at the k-th value like TopKLogitsWarper', async () => {
    const out = toRows(
      await warpLogitsTfMatrix(
        fromRows([
          [3, 2, 2, 0],
          [1, 1, 1, 1],
        ]),
        { topK: 2 },
      ),
    );
    expect(out).toEqual([
      [3, 2, 2, -Infinity],
      [1, 1, 1, 1],
    ]);
    expect(toRows(await warpLogitsTfMatrix(matrix(1, 3), { topP: 0.5 }))).toEqual([
      [0, 0, -Infinity],
    ]);
  });
});

// ---------------------------------------------------------------- complexity

describe('complexity: model calls', () => {
  /** The model, counting its calls into `counter`. */
  const counted =
    (model: LanguageModel, counter: Counter): LanguageModel =>
    (prefix) => {
      counter.add('calls');
      return model(prefix);
    };

  test.prop([searchCase, fc.integer({ min: 1, max: 5 })], { numRuns: 60 })(
    'greedy <= L calls, beam search <= B L, exhaustive <= 1 + V + ... + V^(L-1)',
    ({ model, prompt, maxNewTokens: l, eos, v }, width) => {
      const g = new Counter();
      greedyDecode(counted(model, g), prompt, l, eos);
      expect(g.get('calls')).toBeLessThanOrEqual(l);
      const b = new Counter();
      beamSearch(counted(model, b), prompt, width, l, eos);
      expect(b.get('calls')).toBeLessThanOrEqual(width * l);
      const e = new Counter();
      exhaustiveSearch(counted(model, e), prompt, l, eos);
      expect(e.get('calls')).toBeLessThanOrEqual((v ** l - 1) / (v - 1));
    },
  );
});

// ---------------------------------------------------------------- pitfalls

describe('pitfalls, rejected by the same properties', () => {
  it('top-p that drops the token crossing p: the nucleus holds less than p', () => {
    rejectsPitfall(nucleusProperty(pitfallTopPDropsCrossingToken), { seed: 1, numRuns: 200 });
  });

  it('top-k that breaks ties at the k-th value by index: a tied token is dropped', () => {
    rejectsPitfall(topKByRank(pitfallTopKTiesByIndex), { seed: 1, numRuns: 200 });
  });

  it('temperature after the softmax as p^(1/T), not renormalised: no distribution', () => {
    rejectsPitfall(sumsToOne(pitfallTemperatureAfterSoftmax), { seed: 1, numRuns: 100 });
  });

  it('beam search that ignores the length penalty it was given: not the exhaustive optimum', () => {
    rejectsPitfall(wideBeamIsExhaustive(pitfallBeamSearchIgnoresLengthPenalty), {
      seed: 1,
      numRuns: 100,
      endOnFailure: true,
    });
  });

  it('sampling from the filtered probabilities without renormalising: removed tokens drawn', () => {
    rejectsPitfall(followsWarped(pitfallSampleWithoutRenormalising), {
      numRuns: 10,
      seed: 3,
      endOnFailure: true,
    });
  });
});

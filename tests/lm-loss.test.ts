/**
 * Answer key for Q21 and Q22, the language-model loss. Worked examples (the shift, -100 labels,
 * ln 2, ln V); oracles: the loss and its hand-derived gradient softmax - onehot against tfjs
 * (logSoftmaxTf and tf.grad) on generated shapes and masks, the breakdown equal to the textbook
 * loss; the initial loss of a tiny tfjs LM against ln V (11.51 for V = 100,000); invariants: the
 * SFT mask (changing a masked position's logits changes neither the loss nor the gradient), bounds;
 * pitfalls rejected by the same properties: no shift, dividing by ignored positions, the SFT mask
 * forgotten, the initial loss in bits.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  IGNORE_INDEX,
  nextTokenLoss,
  nextTokenLossBreakdown,
  nextTokenLossGrad,
  nextTokenLossGradTfMatrix,
  nextTokenLossTfMatrix,
  pitfallInitialLossInBits,
  pitfallLossWithoutShift,
  pitfallMeanOverIgnoredPositions,
  pitfallSftLabelsWithoutPromptMask,
  sftLabels,
  tinyLmInitialLoss,
  uniformPredictionLoss,
} from '../ml/lm-loss/index.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall, rejectsPitfallAsync } from './support/answer-key.js';

/** T positions over a vocabulary of V, logits of scale up to 5, labels with some -100. */
const lossCase = fc
  .record({
    T: fc.integer({ min: 2, max: 10 }),
    V: fc.integer({ min: 2, max: 40 }),
    scale: fc.double({ min: 0.1, max: 5, noNaN: true }),
    seed: fc.integer(),
  })
  .map(({ T, V, scale, seed }) => {
    const r = rng(seed);
    const logits = randomMatrix(T, V, r, () => scale * r.normal());
    const labels = Array.from({ length: T }, () =>
      r.uniform() < 0.25 ? IGNORE_INDEX : r.integer(0, V - 1),
    );
    return { logits, labels };
  });

/** An SFT example: tokens, a prompt of 2 .. T-1 tokens, and a row inside the prompt to perturb. */
const sftCase = fc
  .record({
    T: fc.integer({ min: 3, max: 10 }),
    V: fc.integer({ min: 2, max: 30 }),
    seed: fc.integer(),
    promptRaw: fc.nat(),
    posRaw: fc.nat(),
  })
  .map(({ T, V, seed, promptRaw, posRaw }) => {
    const r = rng(seed);
    // 2 .. T-1: at least one prompt target, one response token
    const promptLength = 2 + (promptRaw % (T - 2));
    return {
      logits: randomMatrix(T, V, r),
      tokens: Array.from({ length: T }, () => r.integer(0, V - 1)),
      promptLength,
      // row t predicts token t + 1: rows 0 .. promptLength - 2 predict prompt tokens
      position: posRaw % (promptLength - 1),
      noise: randomMatrix(1, V, r, () => 3 * r.normal()),
    };
  });

const TOL = 1e-4;

/** The oracle property: a loss implementation agrees with the tfjs twin (float32). */
const agreesWithTf = (loss: (logits: Matrix, labels: number[]) => number) =>
  fc.asyncProperty(lossCase, async ({ logits, labels }) => {
    const mine = loss(logits, labels);
    const theirs = await nextTokenLossTfMatrix(logits, labels);
    expect(Math.abs(mine - theirs)).toBeLessThan(TOL * Math.max(1, Math.abs(mine)));
  });

/**
 * The SFT mask property: changing the logits of a row whose target is a prompt token changes
 * neither the loss nor the gradient. `labelsOf` builds the labels under test.
 */
const maskedRowsDoNotMatter = (labelsOf: (tokens: number[], promptLength: number) => number[]) =>
  fc.property(sftCase, ({ logits, tokens, promptLength, position, noise }) => {
    const labels = labelsOf(tokens, promptLength);
    const changed = matrix(logits.rows, logits.cols, logits.data);
    const V = logits.cols;
    for (let j = 0; j < V; j++) changed.data[position * V + j]! += noise.data[j]!;
    expect(nextTokenLoss(changed, labels)).toBe(nextTokenLoss(logits, labels));
    expect(maxAbsDiff(nextTokenLossGrad(logits, labels), nextTokenLossGrad(changed, labels))).toBe(
      0,
    );
  });

/** Q21 as a property: a model whose logits are all zero scores exactly `initial(V)`. */
const zeroLogitsScore = (initial: (vocab: number) => number) =>
  fc.property(fc.integer({ min: 2, max: 5000 }), fc.integer({ min: 2, max: 6 }), (V, T) => {
    const labels = Array.from({ length: T }, (_, t) => t % V);
    expect(nextTokenLoss(matrix(T, V), labels)).toBeCloseTo(initial(V), 10);
  });

describe('worked examples', () => {
  it('the @example: uniform row 0 predicts label 1 with p = 1/2, loss ln 2; the -100 target is skipped', () => {
    const logits = fromRows([
      [0, 0],
      [0, 0],
      [5, 5],
    ]);
    expect(nextTokenLoss(logits, [0, 1, IGNORE_INDEX])).toBeCloseTo(Math.LN2, 14);
    const { loss, count, perToken } = nextTokenLossBreakdown(logits, [0, 1, IGNORE_INDEX]);
    expect(loss).toBeCloseTo(Math.LN2, 14);
    expect(count).toBe(1);
    expect(Array.from(perToken)).toEqual([Math.LN2, 0, 0]);
  });

  it('the shift: logits row t is scored against token t + 1, not token t', () => {
    // row 0 is sure of token 1, row 1 of token 2: tokens [0, 1, 2] are predicted perfectly
    const logits = fromRows([
      [0, 50, 0],
      [0, 0, 50],
      [50, 0, 0],
    ]);
    expect(nextTokenLoss(logits, [0, 1, 2])).toBeLessThan(1e-20);
    expect(pitfallLossWithoutShift(logits, [0, 1, 2])).toBeGreaterThan(30);
  });

  it('a uniform prediction over V tokens costs ln V: ln(100,000) = 11.5129', () => {
    const V = 100_000;
    expect(nextTokenLoss(matrix(3, V), [1, 2, 3])).toBeCloseTo(11.5129, 4);
    expect(uniformPredictionLoss(V)).toBeCloseTo(11.512925465, 9);
  });

  it('hand gradient for logits [0, 0] and target 1: softmax - onehot = [0.5, -0.5]', () => {
    const grad = nextTokenLossGrad(
      fromRows([
        [0, 0],
        [0, 0],
      ]),
      [0, 1],
    );
    expect(Array.from(grad.data)).toEqual([0.5, -0.5, 0, 0]);
  });

  it('sftLabels masks the prompt with -100', () => {
    expect(sftLabels([5, 6, 7, 8], 2)).toEqual([IGNORE_INDEX, IGNORE_INDEX, 7, 8]);
  });

  it('logits of 1e4 do not overflow (log-sum-exp subtracts the row max)', () => {
    expect(
      nextTokenLoss(
        fromRows([
          [1e4, 0],
          [0, 0],
        ]),
        [0, 1],
      ),
    ).toBeCloseTo(1e4, 6);
    expect(
      nextTokenLossBreakdown(
        fromRows([
          [1e4, 0],
          [0, 0],
        ]),
        [0, 1],
      ).loss,
    ).toBeCloseTo(1e4, 6);
  });
});

describe('oracles: tfjs (float32) and the textbook loss', () => {
  it('the loss vs logSoftmaxTf with a one-hot pick and a masked mean, to 1e-4 relative', async () => {
    await fc.assert(agreesWithTf(nextTokenLoss), { numRuns: 30, seed: 21 });
  });

  test.prop([lossCase], { numRuns: 20 })(
    'the hand gradient (softmax - onehot) / count vs tf.grad, to 1e-5',
    async ({ logits, labels }) => {
      const tfGrad = await nextTokenLossGradTfMatrix(logits, labels);
      expect(maxAbsDiff(nextTokenLossGrad(logits, labels), tfGrad)).toBeLessThan(1e-5);
    },
  );

  test.prop([lossCase], { numRuns: 100 })(
    'the breakdown (log-sum-exp per row) equals the textbook loss; its per-token losses average to it',
    ({ logits, labels }) => {
      const { loss, count, perToken } = nextTokenLossBreakdown(logits, labels);
      expect(loss).toBeCloseTo(nextTokenLoss(logits, labels), 12);
      const sum = Array.from(perToken).reduce((s, v) => s + v, 0);
      expect(count === 0 ? 0 : sum / count).toBeCloseTo(loss, 12);
    },
  );
});

describe('Q21: the initial loss of a freshly initialised LM is about ln V', () => {
  it('zero logits score exactly ln V for every V', () => {
    fc.assert(zeroLogitsScore(uniformPredictionLoss), { numRuns: 50 });
  });

  /*
   * Stated tolerance 0.05: with init std 0.02 and d <= 32 the logits have std s <= 0.02 sqrt(32) =
   * 0.11, so the loss sits s^2 / 2 <= 0.007 above ln V, with sampling noise about s / sqrt(T - 1)
   * <= 0.014 over T = 64 positions: 0.05 is more than 3 noise widths away.
   */
  it('V = 100,000: a tiny tfjs LM (d = 16, init std 0.02) starts at 11.51 (within 0.05 of ln V)', async () => {
    const init = await tinyLmInitialLoss({ vocab: 100_000, dModel: 16, seqLen: 64 }, rng(100));
    expect(init.lnV).toBeCloseTo(11.5129, 4);
    expect(Math.abs(init.loss - init.lnV)).toBeLessThan(0.05);
    expect(init.lossFromScratch).toBeCloseTo(init.loss, 3);
  });

  test.prop([fc.integer({ min: 2, max: 3000 }), fc.integer({ min: 4, max: 32 }), fc.integer()], {
    numRuns: 10,
  })(
    'for any V and width: |loss - ln V| < 0.05, and tfjs and from-scratch losses agree',
    async (V, d, seed) => {
      const init = await tinyLmInitialLoss({ vocab: V, dModel: d, seqLen: 128 }, rng(seed));
      expect(Math.abs(init.loss - Math.log(V))).toBeLessThan(0.05);
      expect(Math.abs(init.loss - init.lossFromScratch)).toBeLessThan(1e-4 * init.loss);
    },
  );

  it('the excess over ln V is about logitStd^2 / 2 (init std 0.1, d = 64: logits of std ~0.8)', async () => {
    const options = { vocab: 5000, dModel: 64, seqLen: 256, initStd: 0.1 };
    const init = await tinyLmInitialLoss(options, rng(8));
    expect(init.logitStd).toBeGreaterThan(0.5);
    expect(Math.abs(init.loss - init.lnV - init.logitStd ** 2 / 2)).toBeLessThan(0.1);
  });

  it('a large init (std 1) is far above ln V: the logits are no longer near zero', async () => {
    const init = await tinyLmInitialLoss(
      { vocab: 1000, dModel: 64, seqLen: 32, initStd: 1 },
      rng(3),
    );
    expect(init.loss - init.lnV).toBeGreaterThan(5);
  });
});

describe('Q22: SFT masks the prompt so only response tokens carry loss', () => {
  it("changing a masked position's logits changes neither the loss nor its gradient", () => {
    fc.assert(maskedRowsDoNotMatter(sftLabels), { numRuns: 200 });
  });

  test.prop([sftCase], { numRuns: 100 })(
    'the gradient is zero on every row that predicts a prompt token and on the last row',
    ({ logits, tokens, promptLength }) => {
      const grad = nextTokenLossGrad(logits, sftLabels(tokens, promptLength));
      for (let t = 0; t < logits.rows; t++) {
        const row = Array.from(grad.data.subarray(t * logits.cols, (t + 1) * logits.cols));
        const carriesLoss = t + 1 < logits.rows && t + 1 >= promptLength;
        expect(row.some((g) => g !== 0)).toBe(carriesLoss);
        // softmax - onehot sums to 0 over the vocabulary
        expect(row.reduce((s, g) => s + g, 0)).toBeCloseTo(0, 12);
      }
    },
  );

  test.prop([sftCase], { numRuns: 100 })(
    'SFT loss = mean of the pre-training per-token losses over response positions',
    ({ logits, tokens, promptLength }) => {
      const pre = nextTokenLossBreakdown(logits, tokens).perToken;
      const sft = nextTokenLossBreakdown(logits, sftLabels(tokens, promptLength));
      const response = Array.from(pre).slice(promptLength - 1, logits.rows - 1);
      expect(sft.count).toBe(logits.rows - promptLength);
      expect(sft.loss).toBeCloseTo(response.reduce((s, v) => s + v, 0) / response.length, 12);
    },
  );
});

describe('invariants: bounds', () => {
  test.prop([lossCase], { numRuns: 100 })(
    '0 <= per-token loss, and loss <= ln V + max logit - min logit',
    ({ logits, labels }) => {
      const { loss, perToken } = nextTokenLossBreakdown(logits, labels);
      expect(Array.from(perToken).every((v) => v >= 0)).toBe(true);
      const range = Math.max(...logits.data) - Math.min(...logits.data);
      expect(loss).toBeLessThanOrEqual(Math.log(logits.cols) + range + 1e-12);
    },
  );

  it('all positions ignored: loss 0 with count 0, never NaN, in both versions and in tfjs', async () => {
    const ignored = [IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX];
    expect(nextTokenLoss(matrix(3, 4), ignored)).toBe(0);
    expect(nextTokenLossBreakdown(matrix(3, 4), ignored)).toMatchObject({ loss: 0, count: 0 });
    expect(await nextTokenLossTfMatrix(matrix(3, 4), ignored)).toBe(0);
    expect(await nextTokenLossTfMatrix(matrix(1, 4), [2])).toBe(0);
  });
});

describe('pitfalls rejected by the properties the textbook passes', () => {
  it('rejects the loss that forgets the shift (tfjs oracle)', async () => {
    await rejectsPitfallAsync(agreesWithTf(pitfallLossWithoutShift), { numRuns: 30, seed: 21 });
  });

  it('rejects the loss that divides by all positions, ignored ones included (tfjs oracle)', async () => {
    const [{ labels }] = await rejectsPitfallAsync(agreesWithTf(pitfallMeanOverIgnoredPositions), {
      numRuns: 30,
      seed: 21,
    });
    expect(labels.slice(1)).toContain(IGNORE_INDEX);
  });

  it('rejects training on every token (the SFT prompt mask forgotten)', () => {
    rejectsPitfall(maskedRowsDoNotMatter(pitfallSftLabelsWithoutPromptMask), {
      numRuns: 200,
      seed: 22,
    });
  });

  it('rejects the initial loss in bits, log2 V (16.6 for V = 100,000)', () => {
    rejectsPitfall(zeroLogitsScore(pitfallInitialLossInBits), { seed: 21 });
    expect(pitfallInitialLossInBits(100_000)).toBeCloseTo(16.61, 2);
  });
});

/**
 * Answer key for Q25 and Q26, LoRA. Worked examples (the 4,000,000 of Q25 and the LoRA paper's GPT-3
 * budgets), counting checked against the adapters `initLora` really allocates, the invariants
 * (B = 0 reproduces the base layer, merged == unmerged, unmerge o merge = id, rank(B A) <= r checked
 * with mathjs, the scale independent of r), tfjs agreement, multiply-adds as a bound, Q26's low-rank
 * fit, and the pitfalls (the count r d_in, the scale alpha instead of alpha / r) rejected by the
 * properties the right answers pass. Input checks: tests/inputs/lora.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as math from 'mathjs';
import {
  adaptedShapes,
  fitLowRankUpdate,
  formatMillions,
  fullParamCount,
  GPT3_175B,
  initLora,
  loraDelta,
  loraForward,
  loraForwardCounted,
  loraForwardTfMatrix,
  loraParamCount,
  mergeLora,
  numericalRank,
  pitfallLoraParamCountWithoutB,
  pitfallLoraScaledByAlpha,
  unmergeLora,
  type LinearShape,
  type LoraLayer,
} from '../ml/lora.js';
import { Counter } from '../core/counter.js';
import {
  fromRows,
  matmul,
  matrix,
  maxAbsDiff,
  randomMatrix,
  toRows,
  type Matrix,
} from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

const TEN_K: LinearShape = { dIn: 10_000, dOut: 10_000 };

/** A layer with a random frozen W, a fresh adapter, and then a random ("trained") B. */
const layerCase = fc
  .record({
    dIn: fc.integer({ min: 1, max: 12 }),
    dOut: fc.integer({ min: 1, max: 12 }),
    r: fc.integer({ min: 1, max: 6 }),
    alpha: fc.double({ min: 0.5, max: 32, noNaN: true }),
    n: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer(),
  })
  .map(({ dIn, dOut, r, alpha, n, seed }) => {
    const g = rng(seed);
    const fresh = initLora(randomMatrix(dOut, dIn, g), { r, alpha }, g);
    const trained: LoraLayer = { ...fresh, b: randomMatrix(dOut, r, g) };
    return { fresh, trained, x: randomMatrix(n, dIn, g) };
  });

/** Eigenvalues of the symmetric M M^T (mathjs), i.e. the squared singular values of M. */
function squaredSingularValues(m: Matrix): number[] {
  const rows = toRows(m);
  const gram = math.multiply(rows, math.transpose(rows)) as number[][];
  const { values } = math.eigs(gram);
  return (values as number[]).map((v) => Math.max(0, v));
}

const shapesArb = fc.array(
  fc.record({ dIn: fc.integer({ min: 1, max: 9 }), dOut: fc.integer({ min: 1, max: 9 }) }),
  { minLength: 1, maxLength: 5 },
);

describe('worked examples (Q25)', () => {
  it('two 10,000 x 10,000 layers at r = 100 train 4,000,000 parameters, 2% of 200,000,000', () => {
    expect(loraParamCount([TEN_K, TEN_K], 100)).toBe(4_000_000);
    expect(fullParamCount([TEN_K, TEN_K])).toBe(200_000_000);
    expect(loraParamCount([TEN_K, TEN_K], 100) / fullParamCount([TEN_K, TEN_K])).toBe(0.02);
  });

  it('GPT-3 175B with W_q and W_v adapted: 96 * 2 * 2 * 12,288 * r, i.e. 4.7M, 18.9M, 37.7M at r = 1, 4, 8', () => {
    const shapes = adaptedShapes(GPT3_175B, ['q', 'v']);
    expect(shapes).toHaveLength(192);
    const counts = [1, 4, 8].map((r) => loraParamCount(shapes, r));
    expect(counts).toEqual([4_718_592, 18_874_368, 37_748_736]);
    expect(counts.map(formatMillions)).toEqual(['4.7M', '18.9M', '37.7M']);
  });

  it('formatMillions rounds half-up to one decimal of a million', () => {
    expect(formatMillions(4_750_000)).toBe('4.8M');
    expect(formatMillions(4_749_999)).toBe('4.7M');
    expect(formatMillions(0)).toBe('0.0M');
  });
});

describe('counting: r (d_in + d_out) per adapted matrix', () => {
  /** The count claimed by `count` equals the entries of A and B that initLora allocates, and the paper's GPT-3 budget. */
  const countingProperty = (count: (shapes: readonly LinearShape[], r: number) => number) =>
    fc.property(shapesArb, fc.integer({ min: 1, max: 6 }), fc.integer(), (shapes, r, seed) => {
      const g = rng(seed);
      const allocated = shapes.reduce((sum, s) => {
        const layer = initLora(matrix(s.dOut, s.dIn), { r }, g);
        return sum + layer.a.data.length + layer.b.data.length;
      }, 0);
      return (
        count(shapes, r) === allocated &&
        count(adaptedShapes(GPT3_175B, ['q', 'v']), 4) === 18_874_368
      );
    });

  it('holds for loraParamCount', () => {
    fc.assert(countingProperty(loraParamCount), { seed: 1, numRuns: 100 });
  });

  it('rejects the count that forgets B, r d_in only (pitfallLoraParamCountWithoutB)', () => {
    rejectsPitfall(countingProperty(pitfallLoraParamCountWithoutB), { seed: 1, numRuns: 50 });
  });

  test.prop([shapesArb, fc.integer({ min: 1, max: 8 })], { numRuns: 100 })(
    'the count is linear in r and at r >= d_in d_out / (d_in + d_out) no smaller than full fine-tuning',
    (shapes, r) => {
      expect(loraParamCount(shapes, r)).toBe(r * loraParamCount(shapes, 1));
      const full = fullParamCount(shapes);
      if (shapes.every((s) => r * (s.dIn + s.dOut) >= s.dIn * s.dOut))
        expect(loraParamCount(shapes, r)).toBeGreaterThanOrEqual(full);
    },
  );

  it('adapting the MLP too: up and down use d_ff (GQA narrows k and v)', () => {
    const cfg = { layers: 2, dModel: 8, dFf: 32, dKv: 4 };
    expect(loraParamCount(adaptedShapes(cfg, ['up', 'down']), 2)).toBe(2 * 2 * (2 * (8 + 32)));
    expect(loraParamCount(adaptedShapes(cfg, ['k']), 1)).toBe(2 * (8 + 4));
  });
});

describe('worked example: the textbook forward', () => {
  it('W = [[1, 0]], A = [[1, 1]], B = [[2]], alpha = 4, r = 1: h = x W^T + 4 B A x, x = [1, 2] gives 1 + 4 * 2 * 3 = 25', () => {
    const layer: LoraLayer = {
      w: fromRows([[1, 0]]),
      a: fromRows([[1, 1]]),
      b: fromRows([[2]]),
      r: 1,
      alpha: 4,
      merged: false,
    };
    expect(Array.from(loraForward(layer, fromRows([[1, 2]])).data)).toEqual([25]);
    expect(Array.from(loraForward(mergeLora(layer), fromRows([[1, 2]])).data)).toEqual([25]);
  });
});

/**
 * The scale alpha / r makes the update independent of the rank: stacking the adapter twice
 * (A' = [A; A], B' = [B, B], r' = 2 r, same alpha) gives B' A' = 2 B A, scaled by alpha / 2r: the same
 * layer. The output equals the rank-r one.
 */
const scaleIndependentOfRank = (forward: (layer: LoraLayer, x: Matrix) => Matrix) =>
  fc.property(layerCase, ({ trained, x }) => {
    const { a, b, r } = trained;
    const a2 = matrix(2 * r, a.cols, [...a.data, ...a.data]);
    const b2 = matrix(
      b.rows,
      2 * r,
      toRows(b).flatMap((row) => [...row, ...row]),
    );
    const doubled: LoraLayer = { ...trained, a: a2, b: b2, r: 2 * r };
    return maxAbsDiff(forward(doubled, x), forward(trained, x)) < 1e-9;
  });

describe('the alpha / r scale', () => {
  it('makes the update independent of the rank: an adapter stacked twice (rank 2 r) is the same layer', () => {
    fc.assert(scaleIndependentOfRank(loraForward), { seed: 4, numRuns: 100 });
  });

  it('rejects the update scaled by alpha alone (pitfallLoraScaledByAlpha): it doubles with the rank', () => {
    rejectsPitfall(scaleIndependentOfRank(pitfallLoraScaledByAlpha), { seed: 4, numRuns: 100 });
  });
});

describe('invariants of the adapted layer', () => {
  test.prop([layerCase], { numRuns: 100 })(
    'at initialisation B = 0 and the output equals the base layer x W^T exactly',
    ({ fresh, x }) => {
      expect(Array.from(fresh.b.data).every((v) => v === 0)).toBe(true);
      const base = loraForward({ ...fresh, merged: true }, x);
      expect(Array.from(loraForward(fresh, x).data)).toEqual(Array.from(base.data));
    },
  );

  test.prop([layerCase], { numRuns: 100 })(
    'merged and unmerged outputs agree to 1e-10',
    ({ trained, x }) => {
      expect(maxAbsDiff(loraForward(mergeLora(trained), x), loraForward(trained, x))).toBeLessThan(
        1e-10,
      );
    },
  );

  test.prop([layerCase], { numRuns: 100 })(
    'unmerge(merge(W)) gives W back to 1e-12, and leaves the input alone',
    ({ trained }) => {
      const before = Float64Array.from(trained.w.data);
      const back = unmergeLora(mergeLora(trained));
      expect(back.merged).toBe(false);
      expect(maxAbsDiff(back.w, trained.w)).toBeLessThan(1e-12);
      expect(Array.from(trained.w.data)).toEqual(Array.from(before));
    },
  );

  test.prop([layerCase], { numRuns: 60 })(
    'rank(B A) <= r: mathjs finds at most r non-zero singular values, and Gram-Schmidt agrees',
    ({ trained }) => {
      const delta = loraDelta(trained);
      const s2 = squaredSingularValues(delta);
      const top = Math.max(...s2);
      const nonZero = s2.filter((v) => v > 1e-9 * top).length;
      expect(nonZero).toBeLessThanOrEqual(trained.r);
      // generic B and A: the rank is exactly min(r, d_in, d_out)
      expect(nonZero).toBe(Math.min(trained.r, delta.rows, delta.cols));
      expect(numericalRank(delta)).toBe(nonZero);
    },
  );

  it('numericalRank is not trivially small: a random 6 x 6 is full rank, a sum of 2 outer products has rank 2', () => {
    const g = rng(3);
    expect(numericalRank(randomMatrix(6, 6, g))).toBe(6);
    const u = randomMatrix(6, 2, g);
    const v = randomMatrix(2, 6, g);
    expect(numericalRank(matmul(u, v))).toBe(2);
  });
});

describe('from scratch agrees with tfjs (float32)', () => {
  test.prop([layerCase], { numRuns: 40 })(
    'unmerged and merged forward to 1e-4',
    async ({ trained, x }) => {
      expect(
        maxAbsDiff(loraForward(trained, x), await loraForwardTfMatrix(trained, x)),
      ).toBeLessThan(1e-4);
      const merged = mergeLora(trained);
      expect(maxAbsDiff(loraForward(merged, x), await loraForwardTfMatrix(merged, x))).toBeLessThan(
        1e-4,
      );
    },
  );
});

describe('complexity: the adapter adds r (d_in + d_out) multiply-adds per token, merging removes them', () => {
  test.prop([layerCase], { numRuns: 60 })(
    'n d_in d_out <= madds <= n (d_in d_out + r (d_in + d_out)); merged <= n d_in d_out; the counted forward is loraForward',
    ({ trained, x }) => {
      const { rows: dOut, cols: dIn } = trained.w;
      const n = x.rows;
      const counter = new Counter();
      expect(maxAbsDiff(loraForwardCounted(trained, x, counter), loraForward(trained, x))).toBe(0);
      expect(counter.get('madds')).toBeGreaterThanOrEqual(n * dIn * dOut);
      expect(counter.get('madds')).toBeLessThanOrEqual(n * (dIn * dOut + trained.r * (dIn + dOut)));
      const merged = new Counter();
      loraForwardCounted(mergeLora(trained), x, merged);
      expect(merged.get('madds')).toBeLessThanOrEqual(n * dIn * dOut);
    },
  );
});

describe('Q26: a low-rank change is learnt exactly at its rank, a full-rank change is not', () => {
  it('d = 12: rank-2 target fitted to < 1% at r = 2; full-rank target still > 30% off at r = 2', async () => {
    const g = rng(11);
    const d = 12;
    const lowRank = matmul(randomMatrix(d, 2, g), randomMatrix(2, d, g));
    const fullRank = randomMatrix(d, d, g);
    const low = await fitLowRankUpdate(lowRank, 2, rng(1), { steps: 300 });
    const full = await fitLowRankUpdate(fullRank, 2, rng(1), { steps: 300 });
    expect(low.relativeError).toBeLessThan(0.01);
    expect(full.relativeError).toBeGreaterThan(0.3);
    // and never better than Eckart-Young allows: the tail of the singular values
    const s2 = squaredSingularValues(fullRank).sort((a, b) => b - a);
    const best = Math.sqrt(s2.slice(2).reduce((s, v) => s + v, 0) / s2.reduce((s, v) => s + v, 0));
    expect(full.relativeError).toBeGreaterThanOrEqual(best - 1e-3);
    expect(full.relativeError).toBeLessThan(best + 0.05);
  });
});

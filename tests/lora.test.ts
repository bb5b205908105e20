/**
 * Answer key for Q25 and Q26, LoRA. Worked examples (the 4,000,000 of Q25 and the LoRA paper's GPT-3
 * budgets), counting checked against the adapters `initLora` really allocates, the invariants
 * (B = 0 reproduces the base layer, merged == unmerged, unmerge o merge = id, rank(B A) <= r checked
 * with mathjs), tfjs agreement, multiply-adds as a bound, the wrong count r d_in rejected by the same
 * property, Q26's low-rank fit, and bad input.
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
  loraForwardTf,
  loraParamCount,
  mergeLora,
  numericalRank,
  unmergeLora,
  type LinearShape,
  type LoraLayer,
} from '../ml/lora.js';
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';
import { matmul, matrix, maxAbsDiff, randomMatrix, toRows, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';

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

const shapesArb = fc.array(fc.record({ dIn: fc.integer({ min: 1, max: 9 }), dOut: fc.integer({ min: 1, max: 9 }) }), { minLength: 1, maxLength: 5 });

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
      return count(shapes, r) === allocated && count(adaptedShapes(GPT3_175B, ['q', 'v']), 4) === 18_874_368;
    });

  it('holds for loraParamCount', () => {
    fc.assert(countingProperty(loraParamCount), { seed: 1, numRuns: 100 });
  });

  it('rejects the count that forgets B (r d_in only)', () => {
    const forgetsB = (shapes: readonly LinearShape[], r: number) => shapes.reduce((s, x) => s + r * x.dIn, 0);
    expect(() => fc.assert(countingProperty(forgetsB), { seed: 1, numRuns: 50 })).toThrow();
  });

  test.prop([shapesArb, fc.integer({ min: 1, max: 8 })], { numRuns: 100 })('the count is linear in r and at r >= d_in d_out / (d_in + d_out) no smaller than full fine-tuning', (shapes, r) => {
    expect(loraParamCount(shapes, r)).toBe(r * loraParamCount(shapes, 1));
    const full = fullParamCount(shapes);
    if (shapes.every((s) => r * (s.dIn + s.dOut) >= s.dIn * s.dOut)) expect(loraParamCount(shapes, r)).toBeGreaterThanOrEqual(full);
  });

  it('adapting the MLP too: up and down use d_ff (GQA narrows k and v)', () => {
    const cfg = { layers: 2, dModel: 8, dFf: 32, dKv: 4 };
    expect(loraParamCount(adaptedShapes(cfg, ['up', 'down']), 2)).toBe(2 * 2 * (2 * (8 + 32)));
    expect(loraParamCount(adaptedShapes(cfg, ['k']), 1)).toBe(2 * (8 + 4));
  });
});

describe('invariants of the adapted layer', () => {
  test.prop([layerCase], { numRuns: 100 })('at initialisation B = 0 and the output equals the base layer x W^T exactly', ({ fresh, x }) => {
    expect(Array.from(fresh.b.data).every((v) => v === 0)).toBe(true);
    const base = loraForward({ ...fresh, merged: true }, x);
    expect(Array.from(loraForward(fresh, x).data)).toEqual(Array.from(base.data));
  });

  test.prop([layerCase], { numRuns: 100 })('merged and unmerged outputs agree to 1e-10', ({ trained, x }) => {
    expect(maxAbsDiff(loraForward(mergeLora(trained), x), loraForward(trained, x))).toBeLessThan(1e-10);
  });

  test.prop([layerCase], { numRuns: 100 })('unmerge(merge(W)) gives W back to 1e-12, and leaves the input alone', ({ trained }) => {
    const before = Float64Array.from(trained.w.data);
    const back = unmergeLora(mergeLora(trained));
    expect(back.merged).toBe(false);
    expect(maxAbsDiff(back.w, trained.w)).toBeLessThan(1e-12);
    expect(Array.from(trained.w.data)).toEqual(Array.from(before));
  });

  test.prop([layerCase], { numRuns: 60 })('rank(B A) <= r: mathjs finds at most r non-zero singular values, and Gram-Schmidt agrees', ({ trained }) => {
    const delta = loraDelta(trained);
    const s2 = squaredSingularValues(delta);
    const top = Math.max(...s2);
    const nonZero = s2.filter((v) => v > 1e-9 * top).length;
    expect(nonZero).toBeLessThanOrEqual(trained.r);
    // generic B and A: the rank is exactly min(r, d_in, d_out)
    expect(nonZero).toBe(Math.min(trained.r, delta.rows, delta.cols));
    expect(numericalRank(delta)).toBe(nonZero);
  });

  it('numericalRank is not trivially small: a random 6 x 6 is full rank, a sum of 2 outer products has rank 2', () => {
    const g = rng(3);
    expect(numericalRank(randomMatrix(6, 6, g))).toBe(6);
    const u = randomMatrix(6, 2, g);
    const v = randomMatrix(2, 6, g);
    expect(numericalRank(matmul(u, v))).toBe(2);
  });
});

describe('from scratch agrees with tfjs (float32)', () => {
  test.prop([layerCase], { numRuns: 40 })('unmerged and merged forward to 1e-4', async ({ trained, x }) => {
    expect(maxAbsDiff(loraForward(trained, x), await loraForwardTf(trained, x))).toBeLessThan(1e-4);
    const merged = mergeLora(trained);
    expect(maxAbsDiff(loraForward(merged, x), await loraForwardTf(merged, x))).toBeLessThan(1e-4);
  });
});

describe('complexity: the adapter adds r (d_in + d_out) multiply-adds per token, merging removes them', () => {
  test.prop([layerCase], { numRuns: 60 })('n d_in d_out <= madds <= n (d_in d_out + r (d_in + d_out)); merged = n d_in d_out', ({ trained, x }) => {
    const { rows: dOut, cols: dIn } = trained.w;
    const n = x.rows;
    const ops = { madds: 0 };
    loraForward(trained, x, ops);
    expect(ops.madds).toBeGreaterThanOrEqual(n * dIn * dOut);
    expect(ops.madds).toBeLessThanOrEqual(n * (dIn * dOut + trained.r * (dIn + dOut)));
    const merged = { madds: 0 };
    loraForward(mergeLora(trained), x, merged);
    expect(merged.madds).toBeLessThanOrEqual(n * dIn * dOut);
  });
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

describe('bad input gets a typed error naming the argument', () => {
  it('rank zero, negative or fractional', () => {
    expect(() => loraParamCount([TEN_K], 0)).toThrow(ArgumentError);
    expect(() => loraParamCount([TEN_K], 0)).toThrow('r: got 0, expected an integer >= 1');
    expect(() => loraParamCount([TEN_K], -4)).toThrow('r: got -4, expected an integer >= 1');
    expect(() => initLora(matrix(2, 2), { r: 1.5 }, rng(1))).toThrow('r: got 1.5, expected an integer >= 1');
    expect(() => loraParamCount([TEN_K], '4' as unknown as number)).toThrow(ArgumentTypeError);
  });

  it('shapes, targets and x of the wrong size', () => {
    expect(() => loraParamCount([{ dIn: 0, dOut: 3 }], 1)).toThrow('shapes[0].dIn: got 0, expected an integer >= 1');
    expect(() => adaptedShapes(GPT3_175B, ['qq' as 'q'])).toThrow('targets: got "qq", expected one of q, k, v, o, up, down');
    const layer = initLora(matrix(3, 4), { r: 2 }, rng(1));
    expect(() => loraForward(layer, matrix(1, 3))).toThrow('x: got shape [1, 3], expected d_in = 4 columns like w [3, 4]');
    expect(() => loraForward({ ...layer, b: matrix(3, 3) }, matrix(1, 4))).toThrow('b: got shape [3, 3], expected shape [3, 2]');
  });

  it('merging twice or unmerging an unmerged layer', () => {
    const layer = initLora(matrix(3, 4), { r: 2 }, rng(1));
    expect(() => mergeLora(mergeLora(layer))).toThrow('layer: got a merged layer, expected an unmerged layer');
    expect(() => unmergeLora(layer)).toThrow('layer: got an unmerged layer, expected a merged layer');
  });
});

/**
 * Answer key for Q10, multi-head attention (with MQA and GQA as the same function). Worked example by
 * hand; the loop version against tfjs (batched reshapes) and against the paper's per-head formula;
 * one identity head is scaled dot-product attention; GQA equals MHA with repeated K/V weights; the
 * parameter-count formula against the module's own weights; the head-split and GQA-grouping wrong
 * answers rejected by the same properties; multiply-adds counted; bad input named with both shapes.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  attendHeads,
  initMultiHeadAttention,
  mergeHeads,
  mhaDims,
  mhaParamCount,
  multiHeadAttention,
  multiHeadAttentionTf,
  splitHeads,
  type MhaConfig,
  type MhaWeights,
} from '../ml/multi-head-attention.js';
import { attention } from '../ml/scaled-dot-product-attention.js';
import { ArgumentError } from '../core/errors.js';
import { fromRows, linear, matrix, maxAbsDiff, randomMatrix, toRows, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';

const identity = (d: number) => fromRows(Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))));

/** Generated layers: h query heads, h_kv | h key/value heads, d_head, n tokens, optional biases, masks and cross-attention. */
const mhaCase = fc
  .record({
    numKvHeads: fc.integer({ min: 1, max: 3 }),
    group: fc.integer({ min: 1, max: 3 }),
    headDim: fc.integer({ min: 1, max: 4 }),
    dModel: fc.integer({ min: 1, max: 8 }),
    n: fc.integer({ min: 1, max: 6 }),
    m: fc.integer({ min: 1, max: 6 }),
    bias: fc.boolean(),
    causal: fc.boolean(),
    cross: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ numKvHeads, group, headDim, dModel, n, m, bias, causal, cross, seed }) => {
    const r = rng(seed);
    const config: MhaConfig = { numHeads: numKvHeads * group, numKvHeads };
    const weights = initMultiHeadAttention({ ...config, dModel, headDim, bias }, r);
    if (bias) for (const b of [weights.bq, weights.bk, weights.bv, weights.bo] as Float64Array[]) b.forEach((_, i) => (b[i] = r.normal(0, 0.5)));
    const x = randomMatrix(n, dModel, r, () => 2 * r.uniform() - 1);
    const context = cross ? randomMatrix(Math.max(m, causal ? n : 1), dModel, r, () => 2 * r.uniform() - 1) : undefined;
    return { config, weights, x, options: { causal, ...(context ? { context } : {}) } };
  });

/** Rows i d .. (i+1) d - 1 of w: the slice of a projection that belongs to head i. */
const headRows = (w: Matrix, i: number, d: number) => matrix(d, w.cols, w.data.subarray(i * d * w.cols, (i + 1) * d * w.cols));

/** The paper's formula written head by head with sliced weights: Concat(head_1..h) W_O^T, head_i = Attention(x W_Q,i^T, ...). */
function paperMha(x: Matrix, w: MhaWeights, config: MhaConfig, options: { causal?: boolean; context?: Matrix }): Matrix {
  const { numHeads: h, numKvHeads: hkv, headDim: d } = mhaDims(w, config);
  const src = options.context ?? x;
  const slice = (b: ArrayLike<number> | undefined, i: number) => (b === undefined ? undefined : Array.from(b).slice(i * d, (i + 1) * d));
  const heads = Array.from({ length: h }, (_, i) => {
    const g = Math.floor((i * hkv) / h);
    return attention(linear(x, headRows(w.wq, i, d), slice(w.bq, i)), linear(src, headRows(w.wk, g, d), slice(w.bk, g)), linear(src, headRows(w.wv, g, d), slice(w.bv, g)), { causal: options.causal ?? false }).output;
  });
  return linear(mergeHeads(heads), w.wo, w.bo);
}

type Mha = (x: Matrix, w: MhaWeights, config: MhaConfig, options: { causal?: boolean; context?: Matrix }) => Matrix;
const mine: Mha = (x, w, c, o) => multiHeadAttention(x, w, c, o).output;

/** WRONG: "split heads" as a reshape of the [n, h d_head] buffer to [h, n, d_head] without the transpose; head c gets a block of the flat buffer that mixes tokens. */
function splitHeadsWithoutTransposeVariant(y: Matrix, h: number): Matrix[] {
  const d = y.cols / h;
  return Array.from({ length: h }, (_, c) => matrix(y.rows, d, y.data.subarray(c * y.rows * d, (c + 1) * y.rows * d)));
}

/** WRONG for weights laid out like HF's repeat_kv: query head i reads kv head i mod h_kv (tiling) instead of floor(i / group). */
function tiledGroupsVariant(q: Matrix[], k: Matrix[], v: Matrix[], causal: boolean) {
  return { outputs: q.map((qi, i) => attention(qi, k[i % k.length]!, v[i % v.length]!, { causal }).output) };
}

/** multiHeadAttention rebuilt from the exported pieces, with a replaceable split and grouping. */
const composed =
  (split: (y: Matrix, h: number) => Matrix[], attend: (q: Matrix[], k: Matrix[], v: Matrix[], causal: boolean) => { outputs: Matrix[] }): Mha =>
  (x, w, config, options) => {
    const { numHeads, numKvHeads } = mhaDims(w, config);
    const src = options.context ?? x;
    const q = split(linear(x, w.wq, w.bq), numHeads);
    const k = split(linear(src, w.wk, w.bk), numKvHeads);
    const v = split(linear(src, w.wv, w.bv), numKvHeads);
    return linear(mergeHeads(attend(q, k, v, options.causal ?? false).outputs), w.wo, w.bo);
  };
const correctGroups = (q: Matrix[], k: Matrix[], v: Matrix[], causal: boolean) => attendHeads(q, k, v, { causal });

/** The property: the implementation equals the per-head paper formula to 1e-10 on generated layers. */
const paperProperty = (mha: Mha) =>
  fc.property(mhaCase, ({ config, weights, x, options }) => maxAbsDiff(mha(x, weights, config, options), paperMha(x, weights, config, options)) < 1e-10);

/** GQA weights with each key/value head's rows repeated group times: the equivalent MHA layer (HF repeat_kv on the weights). */
function repeatKvWeights(w: MhaWeights, config: MhaConfig): MhaWeights {
  const { numHeads: h, numKvHeads: hkv, headDim: d } = mhaDims(w, config);
  const rep = (m: Matrix) => {
    const out = matrix(h * d, m.cols);
    for (let i = 0; i < h; i++) out.data.set(headRows(m, Math.floor((i * hkv) / h), d).data, i * d * m.cols);
    return out;
  };
  const repBias = (b: ArrayLike<number> | undefined) => b && Array.from({ length: h * d }, (_, j) => b[Math.floor((Math.floor(j / d) * hkv) / h) * d + (j % d)]!);
  return { ...w, wk: rep(w.wk), wv: rep(w.wv), ...(w.bk ? { bk: repBias(w.bk)!, bv: repBias(w.bv)! } : {}) };
}

const gqaProperty = (mha: Mha) =>
  fc.property(mhaCase, ({ config, weights, x, options }) => {
    const asMha = repeatKvWeights(weights, config);
    return maxAbsDiff(mha(x, weights, config, options), mha(x, asMha, { numHeads: config.numHeads }, options)) < 1e-10;
  });

describe('worked example', () => {
  it('two heads of width 1 with identity projections: x = I gives [[0.731, 0.5], [0.5, 0.731]]', () => {
    // head 0 sees column 0 = [1, 0]: token 0 has logits [1, 0] -> softmax [0.731, 0.269] -> 0.731; token 1 has q = 0 -> uniform -> 0.5
    const I = identity(2);
    const { output, weights } = multiHeadAttention(I, { wq: I, wk: I, wv: I, wo: I }, { numHeads: 2 });
    const s = 1 / (1 + Math.exp(-1));
    toRows(output).forEach((row, i) => row.forEach((x, j) => expect(x).toBeCloseTo(i === j ? s : 0.5, 12)));
    expect(weights).toHaveLength(2);
    expect(toRows(weights[1]!)).toEqual([[0.5, 0.5], [1 - s, s]]);
  });

  it('the parameter count of the Transformer base layer (d_model 512, h 8) is 4 * 512^2 = 1,048,576; LLaMA-2-70B style GQA (8192, 64 heads, 8 kv heads) is 150,994,944', () => {
    expect(mhaParamCount({ dModel: 512, numHeads: 8 })).toBe(1_048_576);
    // 8192 (64 + 16) 128 + 64 * 128 * 8192 = 83,886,080 + 67,108,864
    expect(mhaParamCount({ dModel: 8192, numHeads: 64, numKvHeads: 8 })).toBe(150_994_944);
  });
});

describe('properties', () => {
  it('one head with identity projections is scaled dot-product attention', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.integer(), (d, n, causal, seed) => {
        const x = randomMatrix(n, d, rng(seed));
        const I = identity(d);
        const mha = multiHeadAttention(x, { wq: I, wk: I, wv: I, wo: I }, { numHeads: 1 }, { causal });
        const sdpa = attention(x, x, x, { causal });
        return maxAbsDiff(mha.output, sdpa.output) < 1e-12 && maxAbsDiff(mha.weights[0]!, sdpa.weights) === 0;
      }),
      { numRuns: 100 },
    );
  });

  it('equals the per-head paper formula (MHA, GQA and MQA, with biases, masks and cross-attention)', () => {
    fc.assert(paperProperty(mine), { numRuns: 150 });
  });

  it('rejects the head split done as a reshape without the transpose (tokens leak between heads)', () => {
    expect(fc.check(paperProperty(composed(splitHeadsWithoutTransposeVariant, correctGroups)), { numRuns: 150, seed: 3 }).failed).toBe(true);
    // and the pieces composed correctly pass the same property
    fc.assert(paperProperty(composed(splitHeads, correctGroups)), { numRuns: 50 });
  });

  it('GQA equals MHA whose key/value heads are repeated group by group (repeat_kv); with h_kv = h it is MHA itself', () => {
    fc.assert(gqaProperty(mine), { numRuns: 150 });
  });

  it('rejects tiling the key/value heads (query head i reading kv head i mod h_kv)', () => {
    expect(fc.check(gqaProperty(composed(splitHeads, tiledGroupsVariant)), { numRuns: 150, seed: 4 }).failed).toBe(true);
  });

  const shapeArb = fc.record({
    numKvHeads: fc.integer({ min: 1, max: 4 }),
    group: fc.integer({ min: 1, max: 4 }),
    headDim: fc.integer({ min: 1, max: 8 }),
    dModel: fc.integer({ min: 1, max: 32 }),
    bias: fc.boolean(),
  });
  /** The property: the formula counts exactly the numbers in the module's own weights. */
  const countProperty = (count: (s: { dModel: number; numHeads: number; numKvHeads: number; headDim: number; bias: boolean }) => number) =>
    fc.property(shapeArb, ({ numKvHeads, group, headDim, dModel, bias }) => {
      const shape = { numHeads: numKvHeads * group, numKvHeads, headDim, dModel, bias };
      const w = initMultiHeadAttention(shape, rng(1));
      const actual = [w.wq, w.wk, w.wv, w.wo].reduce((s, m) => s + m.data.length, 0) + [w.bq, w.bk, w.bv, w.bo].reduce((s, b) => s + (b?.length ?? 0), 0);
      return count(shape) === actual;
    });

  it('the parameter-count formula matches the weights the module builds', () => {
    fc.assert(countProperty(mhaParamCount), { numRuns: 200 });
  });

  it('rejects the textbook 4 d_model h d_head count, which forgets that GQA shrinks W_K and W_V', () => {
    const fourSquares = (s: { dModel: number; numHeads: number; headDim: number; bias: boolean }) => 4 * s.dModel * s.numHeads * s.headDim + (s.bias ? 3 * s.numHeads * s.headDim + s.dModel : 0);
    expect(fc.check(countProperty(fourSquares), { numRuns: 200, seed: 5 }).failed).toBe(true);
  });

  test.prop([mhaCase], { numRuns: 40 })('transformQK sees h query heads [n, d_head] and h_kv key heads; the identity hook changes nothing', ({ config, weights, x, options }) => {
    const seen: string[] = [];
    const hooked = multiHeadAttention(x, weights, config, { ...options, transformQK: (m, role, head) => (seen.push(`${role}${head}:${m.cols}`), m) });
    const { numHeads, numKvHeads, headDim } = mhaDims(weights, config);
    expect(seen).toEqual([...Array.from({ length: numHeads }, (_, i) => `q${i}:${headDim}`), ...Array.from({ length: numKvHeads }, (_, i) => `k${i}:${headDim}`)]);
    expect(maxAbsDiff(hooked.output, multiHeadAttention(x, weights, config, options).output)).toBe(0);
  });
});

describe('from scratch agrees with tfjs (float32, batched reshape/transpose/gather) to 1e-4', () => {
  test.prop([mhaCase], { numRuns: 25 })('MHA, GQA, MQA with biases, causal masks and cross-attention', async ({ config, weights, x, options }) => {
    const theirs = await multiHeadAttentionTf(x, weights, config, options);
    expect(maxAbsDiff(multiHeadAttention(x, weights, config, options).output, theirs)).toBeLessThan(1e-4);
  });
});

describe('complexity: multiply-adds are n d_model (2h + 2h_kv) d_head for projections plus 2 h n^2 d_head for attention', () => {
  test.prop([fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 8 })], { numRuns: 40 })('counted exactly without a mask, at most that with a causal mask', (n, hkv, group, dh) => {
    const h = hkv * group;
    const dModel = h * dh;
    const r = rng(n + h);
    const w = initMultiHeadAttention({ dModel, numHeads: h, numKvHeads: hkv }, r);
    const x = randomMatrix(n, dModel, r);
    const expected = n * dModel * (2 * h + 2 * hkv) * dh + 2 * h * n * n * dh;
    const ops = { madds: 0 };
    multiHeadAttention(x, w, { numHeads: h, numKvHeads: hkv }, { ops });
    expect(ops.madds).toBe(expected);
    const causalOps = { madds: 0 };
    multiHeadAttention(x, w, { numHeads: h, numKvHeads: hkv }, { causal: true, ops: causalOps });
    expect(causalOps.madds).toBeLessThanOrEqual(expected);
    expect(causalOps.madds).toBeGreaterThanOrEqual(n * dModel * (2 * h + 2 * hkv) * dh + h * n * n * dh);
  });
});

describe('bad input gets a typed error naming the argument and both shapes', () => {
  const w = initMultiHeadAttention({ dModel: 8, numHeads: 4, numKvHeads: 2 }, rng(1));
  it('heads must divide the model width, key/value heads must divide query heads', () => {
    expect(() => initMultiHeadAttention({ dModel: 10, numHeads: 4 }, rng(1))).toThrow('numHeads: got 4, expected a divisor of dModel = 10');
    expect(() => initMultiHeadAttention({ dModel: 12, numHeads: 4, numKvHeads: 3 }, rng(1))).toThrow('numKvHeads: got 3, expected a divisor of numHeads = 4');
    expect(() => multiHeadAttention(matrix(2, 8), w, { numHeads: 3 })).toThrow('wq: got shape [8, 8], expected h d_head rows with h = numHeads = 3');
  });

  it('d_k of the query and key projections must agree, and wo must map the heads back', () => {
    const badK = { ...w, wk: matrix(6, 8) };
    expect(() => multiHeadAttention(matrix(2, 8), badK, { numHeads: 4, numKvHeads: 2 })).toThrow(ArgumentError);
    expect(() => multiHeadAttention(matrix(2, 8), badK, { numHeads: 4, numKvHeads: 2 })).toThrow('wk: got shape [6, 8], expected [h_kv d_head, d_model] = [2 * 2, 8], d_k = 2 like wq [8, 8] split in 4 heads');
    expect(() => multiHeadAttention(matrix(2, 8), { ...w, wo: matrix(8, 4) }, { numHeads: 4, numKvHeads: 2 })).toThrow('wo: got shape [8, 4], expected [d_model, h d_head] = [8, 8]');
  });

  it('x must have d_model columns, biases one value per output, and the hook must keep shapes', () => {
    expect(() => multiHeadAttention(matrix(2, 6), w, { numHeads: 4, numKvHeads: 2 })).toThrow('x: got shape [2, 6], expected d_model = 8 columns like wq [8, 8]');
    expect(() => multiHeadAttention(matrix(2, 8), { ...w, bq: [1, 2] }, { numHeads: 4, numKvHeads: 2 })).toThrow('bq: got an array of length 2, expected 8 values');
    expect(() => multiHeadAttention(matrix(2, 8), w, { numHeads: 4, numKvHeads: 2 }, { transformQK: () => matrix(1, 1) })).toThrow('transformQK: got shape [1, 1], expected a q head of shape [2, 2]');
    expect(() => multiHeadAttention(matrix(2, 8), w, { numHeads: 4, numKvHeads: 2 }, { transformQK: () => matrix(2, 3) })).toThrow('transformQK: got shape [2, 3], expected a q head of shape [2, 2]');
    expect(() => multiHeadAttention(matrix(2, 8), w, { numHeads: 4, numKvHeads: 2 }, { transformQK: () => undefined as unknown as Matrix })).toThrow(/^transformQK: /);
    expect(() => multiHeadAttention(matrix(2, 8), { ...w, bo: 'bo' as unknown as number[] }, { numHeads: 4, numKvHeads: 2 })).toThrow(/^bo: /);
    expect(() => multiHeadAttention(matrix(2, 8), { ...w, bk: null as unknown as number[] }, { numHeads: 4, numKvHeads: 2 })).toThrow(/^bk: /);
  });

  it('every other weight shape, the weights object itself, and the context width', () => {
    const config = { numHeads: 4, numKvHeads: 2 };
    const x = matrix(2, 8);
    expect(() => multiHeadAttention(x, null as unknown as MhaWeights, config)).toThrow(/^weights: /);
    expect(() => multiHeadAttention(x, { ...w, wq: matrix(0, 8) }, config)).toThrow('wq: got shape [0, 8], expected d_head >= 1');
    // wk with the right rows but the wrong width is caught by the weight check, not later by the projection
    expect(() => multiHeadAttention(x, { ...w, wk: matrix(4, 6) }, config)).toThrow('wk: got shape [4, 6], expected [h_kv d_head, d_model] = [2 * 2, 8]');
    expect(() => multiHeadAttention(x, { ...w, wv: matrix(6, 8) }, config)).toThrow('wv: got shape [6, 8], expected shape [4, 8] like wk [4, 8]');
    expect(() => multiHeadAttention(x, { ...w, wv: matrix(4, 6) }, config)).toThrow('wv: got shape [4, 6], expected shape [4, 8] like wk [4, 8]');
    expect(() => multiHeadAttention(x, { ...w, wo: matrix(6, 8) }, config)).toThrow(/^wo: got shape \[6, 8\]/);
    expect(() => multiHeadAttention(x, w, config, { context: matrix(3, 6) })).toThrow('context: got shape [3, 6], expected d_model = 8 columns like x [2, 8]');
    expect(() => multiHeadAttention(x, w, config, { context: [[1]] as unknown as Matrix })).toThrow(/^context/);
    expect(() => initMultiHeadAttention({ dModel: 8, numHeads: 4, headDim: 0 }, rng(1))).toThrow('headDim: got 0, expected an integer >= 1');
  });

  it('the config and sizes: an object, head counts and d_model >= 1; the weights object, a string bias, a context that is not a matrix', () => {
    const x = matrix(2, 8);
    for (const config of [null, 4, 'heads']) expect(() => multiHeadAttention(x, w, config as unknown as MhaConfig)).toThrow(/^config: got .*, expected an object \{ numHeads, numKvHeads\? \}/);
    expect(() => multiHeadAttention(x, w, { numHeads: 0, numKvHeads: 1 })).toThrow('numHeads: got 0, expected an integer >= 1');
    expect(() => multiHeadAttention(x, w, { numHeads: 4, numKvHeads: 0 })).toThrow('numKvHeads: got 0, expected an integer >= 1');
    expect(() => initMultiHeadAttention({ dModel: 0, numHeads: 1 }, rng(1))).toThrow('dModel: got 0, expected an integer >= 1');
    expect(() => multiHeadAttention(x, 'weights' as unknown as MhaWeights, { numHeads: 4, numKvHeads: 2 })).toThrow(/^weights: got .*, expected an object \{ wq, wk, wv, wo \}/);
    expect(() => multiHeadAttention(x, { ...w, bo: 'abcdefgh' as unknown as number[] }, { numHeads: 4, numKvHeads: 2 })).toThrow(/^bo: got .*, expected 8 values/);
    expect(() => multiHeadAttention(x, w, { numHeads: 4, numKvHeads: 2 }, { context: { rows: 3, cols: 8 } as unknown as Matrix })).toThrow(/^context: got .*, expected a Matrix/);
  });

  it('biases only when asked for, and then zero', () => {
    const plain = initMultiHeadAttention({ dModel: 8, numHeads: 4 }, rng(1));
    expect([plain.bq, plain.bk, plain.bv, plain.bo]).toEqual([undefined, undefined, undefined, undefined]);
    const biased = initMultiHeadAttention({ dModel: 8, numHeads: 4, numKvHeads: 2, bias: true }, rng(1));
    expect([biased.bq, biased.bk, biased.bv, biased.bo].map((b) => Array.from(b!))).toEqual([new Array(8).fill(0), new Array(4).fill(0), new Array(4).fill(0), new Array(8).fill(0)]);
  });

  it('the head helpers: split needs a divisible width, merge equal heads, attend k and v heads dividing q heads', () => {
    expect(() => splitHeads(matrix(2, 6), 0)).toThrow('numHeads: got 0, expected an integer >= 1');
    expect(() => splitHeads(matrix(2, 6), 4)).toThrow('x: got shape [2, 6], expected a width divisible by numHeads = 4');
    expect(() => mergeHeads([])).toThrow(/^heads: /);
    expect(() => mergeHeads('heads' as unknown as Matrix[])).toThrow(/^heads: /);
    expect(() => mergeHeads([matrix(2, 3), matrix(3, 3)])).toThrow('heads[1]: got shape [3, 3], expected shape [2, 3] like heads[0]');
    expect(() => mergeHeads([matrix(2, 3), matrix(2, 2)])).toThrow('heads[1]: got shape [2, 2], expected shape [2, 3] like heads[0]');
    const head = () => matrix(2, 2);
    expect(() => attendHeads([head(), head()], [], [])).toThrow(/^k: /);
    expect(() => attendHeads([head(), head()], [head()], [head(), head()])).toThrow(/^k: /);
    expect(() => attendHeads([head(), head(), head()], [head(), head()], [head(), head()])).toThrow(/^k: /);
  });

  it('the tfjs layer checks widths, the causal query count and the padding length', async () => {
    const config = { numHeads: 4, numKvHeads: 2 };
    await expect(multiHeadAttentionTf(matrix(2, 6), w, config)).rejects.toThrow(/^x: got shape \[2, 6\]/);
    await expect(multiHeadAttentionTf(matrix(2, 8), w, config, { context: matrix(3, 6) })).rejects.toThrow(/^x: /);
    await expect(multiHeadAttentionTf(matrix(2, 6), w, config, { context: matrix(3, 8) })).rejects.toThrow(/^x: got shape \[2, 6\], expected d_model = 8 columns/);
    await expect(multiHeadAttentionTf(matrix(3, 8), w, config, { causal: true, context: matrix(2, 8) })).rejects.toThrow('x: got shape [3, 8], expected at most 2 queries for a causal mask over 2 keys');
    await expect(multiHeadAttentionTf(matrix(2, 8), w, config, { keyPadding: [false] })).rejects.toThrow('keyPadding: got an array of length 1, expected an array of 2 booleans, one per key');
    const padded = await multiHeadAttentionTf(randomMatrix(2, 8, rng(3)), w, config, { keyPadding: [false, true] });
    const mine = multiHeadAttention(randomMatrix(2, 8, rng(3)), w, config, { keyPadding: [false, true] }).output;
    expect(maxAbsDiff(padded, mine)).toBeLessThan(1e-5);
  });
});

/**
 * Answer key for Q10, multi-head attention (with MQA and GQA as the same function). Worked example by
 * hand; the engineered layer equal to the textbook one without options; against the paper's
 * per-head formula and against tfjs (the tensor twin, batched over heads, composed of attentionTf);
 * one identity head is scaled dot-product attention; GQA equals MHA with repeated K/V weights; the
 * parameter-count formula against the module's own weights; multiply-adds counted; then the
 * head-split, GQA-grouping and parameter-count pitfalls rejected by the same properties.
 * Input checks: tests/inputs/multi-head-attention.test.ts.
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
  multiHeadAttentionMasked,
  multiHeadAttentionTf,
  multiHeadAttentionTfMatrix,
  pitfallFourSquaresParamCount,
  pitfallSplitHeadsWithoutTranspose,
  pitfallTiledKvGroups,
  splitHeads,
  type MhaConfig,
  type MhaWeights,
} from '../ml/multi-head-attention.js';
import { attention, attentionMasked } from '../ml/scaled-dot-product-attention.js';
import { tensorBackend, type Tensor } from '../core/backend.js';
import { Counter } from '../core/counter.js';
import {
  fromRows,
  linear,
  matrix,
  maxAbsDiff,
  randomMatrix,
  toRows,
  type Matrix,
} from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

const identity = (d: number) =>
  fromRows(
    Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))),
  );

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
    if (bias)
      for (const b of [weights.bq, weights.bk, weights.bv, weights.bo] as Float64Array[])
        b.forEach((_, i) => (b[i] = r.normal(0, 0.5)));
    const x = randomMatrix(n, dModel, r, () => 2 * r.uniform() - 1);
    const context = cross
      ? randomMatrix(Math.max(m, causal ? n : 1), dModel, r, () => 2 * r.uniform() - 1)
      : undefined;
    return { config, weights, x, options: { causal, ...(context ? { context } : {}) } };
  });

/** Rows i d .. (i+1) d - 1 of w: the slice of a projection that belongs to head i. */
const headRows = (w: Matrix, i: number, d: number) =>
  matrix(d, w.cols, w.data.subarray(i * d * w.cols, (i + 1) * d * w.cols));

/** The paper's formula written head by head with sliced weights: Concat(head_1..h) W_O^T, head_i = Attention(x W_Q,i^T, ...). */
function paperMha(
  x: Matrix,
  w: MhaWeights,
  config: MhaConfig,
  options: { causal?: boolean; context?: Matrix },
): Matrix {
  const { numHeads: h, numKvHeads: hkv, headDim: d } = mhaDims(w, config);
  const src = options.context ?? x;
  const slice = (b: ArrayLike<number> | undefined, i: number) =>
    b === undefined ? undefined : Array.from(b).slice(i * d, (i + 1) * d);
  const heads = Array.from({ length: h }, (_, i) => {
    const g = Math.floor((i * hkv) / h);
    return attentionMasked(
      linear(x, headRows(w.wq, i, d), slice(w.bq, i)),
      linear(src, headRows(w.wk, g, d), slice(w.bk, g)),
      linear(src, headRows(w.wv, g, d), slice(w.bv, g)),
      { causal: options.causal ?? false },
    ).output;
  });
  return linear(mergeHeads(heads), w.wo, w.bo);
}

type Mha = (
  x: Matrix,
  w: MhaWeights,
  config: MhaConfig,
  options: { causal?: boolean; context?: Matrix },
) => Matrix;
const mine: Mha = (x, w, c, o) => multiHeadAttentionMasked(x, w, c, o).output;
const tiledGroups = (q: Matrix[], k: Matrix[], v: Matrix[], causal: boolean) =>
  pitfallTiledKvGroups(q, k, v, { causal });

/** multiHeadAttention rebuilt from the exported pieces, with a replaceable split and grouping. */
const composed =
  (
    split: (y: Matrix, h: number) => Matrix[],
    attend: (q: Matrix[], k: Matrix[], v: Matrix[], causal: boolean) => { outputs: Matrix[] },
  ): Mha =>
  (x, w, config, options) => {
    const { numHeads, numKvHeads } = mhaDims(w, config);
    const src = options.context ?? x;
    const q = split(linear(x, w.wq, w.bq), numHeads);
    const k = split(linear(src, w.wk, w.bk), numKvHeads);
    const v = split(linear(src, w.wv, w.bv), numKvHeads);
    return linear(mergeHeads(attend(q, k, v, options.causal ?? false).outputs), w.wo, w.bo);
  };
const correctGroups = (q: Matrix[], k: Matrix[], v: Matrix[], causal: boolean) =>
  attendHeads(q, k, v, { causal });

/** The property: the implementation equals the per-head paper formula to 1e-10 on generated layers. */
const paperProperty = (mha: Mha) =>
  fc.property(
    mhaCase,
    ({ config, weights, x, options }) =>
      maxAbsDiff(mha(x, weights, config, options), paperMha(x, weights, config, options)) < 1e-10,
  );

/** GQA weights with each key/value head's rows repeated group times: the equivalent MHA layer (HF repeat_kv on the weights). */
function repeatKvWeights(w: MhaWeights, config: MhaConfig): MhaWeights {
  const { numHeads: h, numKvHeads: hkv, headDim: d } = mhaDims(w, config);
  const rep = (m: Matrix) => {
    const out = matrix(h * d, m.cols);
    for (let i = 0; i < h; i++)
      out.data.set(headRows(m, Math.floor((i * hkv) / h), d).data, i * d * m.cols);
    return out;
  };
  const repBias = (b: ArrayLike<number> | undefined) =>
    b &&
    Array.from(
      { length: h * d },
      (_, j) => b[Math.floor((Math.floor(j / d) * hkv) / h) * d + (j % d)]!,
    );
  return {
    ...w,
    wk: rep(w.wk),
    wv: rep(w.wv),
    ...(w.bk ? { bk: repBias(w.bk)!, bv: repBias(w.bv)! } : {}),
  };
}

const gqaProperty = (mha: Mha) =>
  fc.property(mhaCase, ({ config, weights, x, options }) => {
    const asMha = repeatKvWeights(weights, config);
    return (
      maxAbsDiff(
        mha(x, weights, config, options),
        mha(x, asMha, { numHeads: config.numHeads }, options),
      ) < 1e-10
    );
  });

const shapeArb = fc.record({
  numKvHeads: fc.integer({ min: 1, max: 4 }),
  group: fc.integer({ min: 1, max: 4 }),
  headDim: fc.integer({ min: 1, max: 8 }),
  dModel: fc.integer({ min: 1, max: 32 }),
  bias: fc.boolean(),
});
/** The property: the formula counts exactly the numbers in the module's own weights. */
const countProperty = (
  count: (s: {
    dModel: number;
    numHeads: number;
    numKvHeads: number;
    headDim: number;
    bias: boolean;
  }) => number,
) =>
  fc.property(shapeArb, ({ numKvHeads, group, headDim, dModel, bias }) => {
    const shape = { numHeads: numKvHeads * group, numKvHeads, headDim, dModel, bias };
    const w = initMultiHeadAttention(shape, rng(1));
    const actual =
      [w.wq, w.wk, w.wv, w.wo].reduce((s, m) => s + m.data.length, 0) +
      [w.bq, w.bk, w.bv, w.bo].reduce((s, b) => s + (b?.length ?? 0), 0);
    return count(shape) === actual;
  });

describe('worked example', () => {
  it('two heads of width 1 with identity projections: x = I gives [[0.731, 0.5], [0.5, 0.731]]', () => {
    // head 0 sees column 0 = [1, 0]: token 0 has logits [1, 0] -> softmax [0.731, 0.269] -> 0.731; token 1 has q = 0 -> uniform -> 0.5
    const I = identity(2);
    const { output, weights } = multiHeadAttention(
      I,
      { wq: I, wk: I, wv: I, wo: I },
      { numHeads: 2 },
    );
    const s = 1 / (1 + Math.exp(-1));
    toRows(output).forEach((row, i) =>
      row.forEach((x, j) => expect(x).toBeCloseTo(i === j ? s : 0.5, 12)),
    );
    expect(weights).toHaveLength(2);
    expect(toRows(weights[1]!)).toEqual([
      [0.5, 0.5],
      [1 - s, s],
    ]);
  });

  it('the parameter count of the Transformer base layer (d_model 512, h 8) is 4 * 512^2 = 1,048,576; LLaMA-2-70B style GQA (8192, 64 heads, 8 kv heads) is 150,994,944', () => {
    expect(mhaParamCount({ dModel: 512, numHeads: 8 })).toBe(1_048_576);
    // 8192 (64 + 16) 128 + 64 * 128 * 8192 = 83,886,080 + 67,108,864
    expect(mhaParamCount({ dModel: 8192, numHeads: 64, numKvHeads: 8 })).toBe(150_994_944);
  });
});

describe('properties', () => {
  test.prop([mhaCase], { numRuns: 100 })(
    "the engineered layer without options is the textbook one (output and every head's weights)",
    ({ config, weights, x }) => {
      const textbook = multiHeadAttention(x, weights, config);
      const masked = multiHeadAttentionMasked(x, weights, config);
      expect(maxAbsDiff(masked.output, textbook.output)).toBeLessThan(1e-12);
      masked.weights.forEach((w, i) =>
        expect(maxAbsDiff(w, textbook.weights[i]!)).toBeLessThan(1e-12),
      );
    },
  );

  it('one head with identity projections is scaled dot-product attention', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        fc.integer(),
        (d, n, causal, seed) => {
          const x = randomMatrix(n, d, rng(seed));
          const I = identity(d);
          const mha = multiHeadAttentionMasked(
            x,
            { wq: I, wk: I, wv: I, wo: I },
            { numHeads: 1 },
            { causal },
          );
          const sdpa = attentionMasked(x, x, x, { causal });
          const plain =
            causal ||
            maxAbsDiff(
              multiHeadAttention(x, { wq: I, wk: I, wv: I, wo: I }, { numHeads: 1 }).output,
              attention(x, x, x).output,
            ) < 1e-12;
          return (
            plain &&
            maxAbsDiff(mha.output, sdpa.output) < 1e-12 &&
            maxAbsDiff(mha.weights[0]!, sdpa.weights) === 0
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('equals the per-head paper formula (MHA, GQA and MQA, with biases, masks and cross-attention)', () => {
    fc.assert(paperProperty(mine), { numRuns: 150 });
  });

  it('the exported pieces composed correctly pass the same property', () => {
    fc.assert(paperProperty(composed(splitHeads, correctGroups)), { numRuns: 50 });
  });

  it('GQA equals MHA whose key/value heads are repeated group by group (repeat_kv); with h_kv = h it is MHA itself', () => {
    fc.assert(gqaProperty(mine), { numRuns: 150 });
  });

  it('the parameter-count formula matches the weights the module builds', () => {
    fc.assert(countProperty(mhaParamCount), { numRuns: 200 });
  });

  test.prop([mhaCase], { numRuns: 40 })(
    'transformQK sees h query heads [n, d_head] and h_kv key heads; the identity hook changes nothing',
    ({ config, weights, x, options }) => {
      const seen: string[] = [];
      const hooked = multiHeadAttentionMasked(x, weights, config, {
        ...options,
        transformQK: (m, role, head) => (seen.push(`${role}${head}:${m.cols}`), m),
      });
      const { numHeads, numKvHeads, headDim } = mhaDims(weights, config);
      expect(seen).toEqual([
        ...Array.from({ length: numHeads }, (_, i) => `q${i}:${headDim}`),
        ...Array.from({ length: numKvHeads }, (_, i) => `k${i}:${headDim}`),
      ]);
      expect(
        maxAbsDiff(hooked.output, multiHeadAttentionMasked(x, weights, config, options).output),
      ).toBe(0);
    },
  );
});

describe('from scratch agrees with tfjs (float32, heads as a tensor axis, GQA by broadcast) to 1e-4', () => {
  test.prop([mhaCase], { numRuns: 25 })(
    'MHA, GQA, MQA with biases, causal masks and cross-attention',
    async ({ config, weights, x, options }) => {
      const theirs = await multiHeadAttentionTfMatrix(x, weights, config, options);
      expect(
        maxAbsDiff(multiHeadAttentionMasked(x, weights, config, options).output, theirs),
      ).toBeLessThan(1e-4);
    },
  );

  test.prop([mhaCase, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 })], { numRuns: 15 })(
    'with key padding',
    async ({ config, weights, x, options }, padded) => {
      const m = (options.context ?? x).rows;
      const keyPadding = padded.slice(0, m);
      const theirs = await multiHeadAttentionTfMatrix(x, weights, config, {
        ...options,
        keyPadding,
      });
      expect(
        maxAbsDiff(
          multiHeadAttentionMasked(x, weights, config, { ...options, keyPadding }).output,
          theirs,
        ),
      ).toBeLessThan(1e-4);
    },
  );

  test.prop([mhaCase, fc.integer({ min: 1, max: 3 })], { numRuns: 10 })(
    'batched: x [b, n, d_model] equals the layer on each sequence; an identity rotary hook changes nothing',
    async ({ config, weights, x, options }, b) => {
      const { tf } = await tensorBackend();
      const r = rng(b);
      const xs = Array.from({ length: b }, (_, i) =>
        i === 0 ? x : randomMatrix(x.rows, x.cols, r),
      );
      const T = (m: Matrix) => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
      const V = (v: ArrayLike<number> | undefined) =>
        v === undefined ? undefined : tf.tensor1d(Float32Array.from(v));
      const got = tf.tidy(() => {
        const w = {
          wq: T(weights.wq),
          wk: T(weights.wk),
          wv: T(weights.wv),
          wo: T(weights.wo),
          ...(weights.bq && {
            bq: V(weights.bq)!,
            bk: V(weights.bk)!,
            bv: V(weights.bv)!,
            bo: V(weights.bo)!,
          }),
        };
        const stack = (ms: Matrix[]) => tf.stack(ms.map(T));
        const context =
          options.context === undefined ? {} : { context: stack(xs.map(() => options.context!)) };
        const rotary = (_: unknown, t: Tensor) => t;
        return multiHeadAttentionTf(tf, stack(xs), w, {
          ...config,
          causal: options.causal,
          ...context,
          rotary,
        }).dataSync();
      });
      xs.forEach((xi, i) => {
        const expected = multiHeadAttentionMasked(xi, weights, config, options).output;
        expected.data.forEach((e, j) =>
          expect(Math.abs(e - got[i * expected.data.length + j]!)).toBeLessThan(1e-4),
        );
      });
    },
  );
});

describe('complexity: multiply-adds are n d_model (2h + 2h_kv) d_head for projections plus 2 h n^2 d_head for attention', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 24 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 8 }),
    ],
    { numRuns: 40 },
  )(
    'within 1% of the formula without a mask, at most that with a causal mask',
    (n, hkv, group, dh) => {
      const h = hkv * group;
      const dModel = h * dh;
      const r = rng(n + h);
      const w = initMultiHeadAttention({ dModel, numHeads: h, numKvHeads: hkv }, r);
      const x = randomMatrix(n, dModel, r);
      const expected = n * dModel * (2 * h + 2 * hkv) * dh + 2 * h * n * n * dh;
      const counter = new Counter();
      multiHeadAttentionMasked(x, w, { numHeads: h, numKvHeads: hkv }, {}, counter);
      expect(counter.get('madds')).toBeLessThanOrEqual(expected);
      expect(counter.get('madds')).toBeGreaterThanOrEqual(0.99 * expected);
      const causal = new Counter();
      multiHeadAttentionMasked(x, w, { numHeads: h, numKvHeads: hkv }, { causal: true }, causal);
      expect(causal.get('madds')).toBeLessThanOrEqual(expected);
      expect(causal.get('madds')).toBeGreaterThanOrEqual(
        n * dModel * (2 * h + 2 * hkv) * dh + h * n * n * dh,
      );
    },
  );
});

describe('initial weights', () => {
  it('biases only when asked for, and then zero', () => {
    const plain = initMultiHeadAttention({ dModel: 8, numHeads: 4 }, rng(1));
    expect([plain.bq, plain.bk, plain.bv, plain.bo]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const biased = initMultiHeadAttention(
      { dModel: 8, numHeads: 4, numKvHeads: 2, bias: true },
      rng(1),
    );
    expect([biased.bq, biased.bk, biased.bv, biased.bo].map((b) => Array.from(b!))).toEqual([
      new Array(8).fill(0),
      new Array(4).fill(0),
      new Array(4).fill(0),
      new Array(8).fill(0),
    ]);
  });
});

describe('pitfalls, rejected by the properties the layer passes', () => {
  it('rejects the head split done as a reshape without the transpose (tokens leak between heads)', () => {
    rejectsPitfall(paperProperty(composed(pitfallSplitHeadsWithoutTranspose, correctGroups)), {
      numRuns: 150,
      seed: 3,
    });
  });

  it('rejects tiling the key/value heads (query head i reading kv head i mod h_kv)', () => {
    rejectsPitfall(gqaProperty(composed(splitHeads, tiledGroups)), { numRuns: 150, seed: 4 });
  });

  it('rejects the textbook 4 d_model h d_head count, which forgets that GQA shrinks W_K and W_V', () => {
    rejectsPitfall(countProperty(pitfallFourSquaresParamCount), { numRuns: 200, seed: 5 });
  });
});

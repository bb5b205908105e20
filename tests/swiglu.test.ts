/**
 * Answer key for Q19, SwiGLU. Worked examples (SiLU, exact and tanh GELU at known values, the
 * @example FFN); LLaMA's hidden size against published configs; the parameter-count property
 * (ReLU FFN at 4d vs SwiGLU at LLaMA's hidden); the textbook swiglu equals the counted gatedFfn;
 * SwiGLU, GeGLU and the ReLU FFN against their tensor twins (also on [batch, T, d] tensors);
 * invariants; counted multiply-adds; the pitfalls (Swish of the product, hidden size rounded down)
 * rejected by the properties the right answers pass. Input checks: tests/inputs/swiglu.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  denseFfn,
  denseFfnTfMatrix,
  ffnParamCount,
  gatedFfn,
  geglu,
  gegluTfMatrix,
  geluErf,
  geluTanh,
  initGatedFfn,
  initReluFfn,
  llamaHiddenSize,
  pitfallLlamaHiddenSizeRoundedDown,
  pitfallSwigluGateAfterProduct,
  reluFfn,
  reluFfnTfMatrix,
  silu,
  swiglu,
  swigluTf,
  swigluTfMatrix,
  type GatedFfnWeights,
} from '../ml/swiglu.js';
import { tensorBackend } from '../core/backend.js';
import { Counter } from '../core/counter.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall, rejectsPitfallAsync } from './support/answer-key.js';

/** Small generated FFNs: n tokens of width d, hidden size h, entries of unit-ish scale. */
const ffnCase = fc
  .record({
    n: fc.integer({ min: 1, max: 5 }),
    d: fc.integer({ min: 1, max: 12 }),
    h: fc.integer({ min: 1, max: 20 }),
    seed: fc.integer(),
  })
  .map(({ n, d, h, seed }) => {
    const r = rng(seed);
    return { x: randomMatrix(n, d, r), gated: initGatedFfn(d, h, r), relu: initReluFfn(d, h, r) };
  });

const TOL = 1e-4;

/** The oracle property: a from-scratch SwiGLU (or a pitfall) agrees with tfjs to 1e-4. */
const swigluAgrees = (impl: (x: Matrix, w: GatedFfnWeights) => Matrix) =>
  fc.asyncProperty(
    ffnCase,
    async ({ x, gated }) => maxAbsDiff(impl(x, gated), await swigluTfMatrix(x, gated)) < TOL,
  );

/**
 * The parameter-count property: LLaMA's hidden size is a multiple of 256, and SwiGLU at that size
 * has the ReLU FFN's 8 d^2 parameters within -1/(4d) .. +96/d relative (rounding up adds at most
 * 255 hidden units, i.e. 3 * 255 d parameters; truncating 8d/3 loses under one unit).
 */
const paramsMatch = (hiddenOf: (d: number) => number) =>
  fc.property(fc.integer({ min: 1, max: 64 }), (k) => {
    const d = 256 * k;
    const h = hiddenOf(d);
    const gap =
      (ffnParamCount('gated', d, h) - ffnParamCount('relu', d, 4 * d)) /
      ffnParamCount('relu', d, 4 * d);
    return h % 256 === 0 && gap >= -1 / (4 * d) && gap < 96 / d;
  });

describe('worked examples', () => {
  it('SiLU(1) = 1 / (1 + e^-1) = 0.731059; SiLU(0) = 0; SiLU(-1) = -0.268941', () => {
    expect(silu(1)).toBeCloseTo(0.731059, 6);
    expect(silu(0)).toBe(0);
    expect(silu(-1)).toBeCloseTo(-0.268941, 6);
  });

  it('exact GELU(1) = Phi(1) = 0.8413447461; the tanh approximation gives 0.8411919906', () => {
    expect(geluErf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(geluTanh(1)).toBeCloseTo(0.8411919906082768, 14);
    expect(geluErf(-1)).toBeCloseTo(-0.15865525393145707, 14);
  });

  it('the @example: SwiGLU([1, 2]) with w1 = [1, 0], w3 = [0, 1], w2 = [[1], [1]] is SiLU(1) * 2 = 1.4621 twice', () => {
    const y = swiglu(fromRows([[1, 2]]), {
      w1: fromRows([[1, 0]]),
      w3: fromRows([[0, 1]]),
      w2: fromRows([[1], [1]]),
    });
    expect(Array.from(y.data)).toEqual([2 * silu(1), 2 * silu(1)]);
    expect(y.data[0]).toBeCloseTo(1.4621, 4);
  });

  it('ReLU FFN by hand: x = [1, -1], w1 = I, w2 = [[1, 1], [0, 0]], b2 = [0.5, 0]: ReLU gives [1, 0], output [1.5, 0]', () => {
    const y = reluFfn(fromRows([[1, -1]]), {
      w1: fromRows([
        [1, 0],
        [0, 1],
      ]),
      w2: fromRows([
        [1, 1],
        [0, 0],
      ]),
      b2: [0.5, 0],
    });
    expect(Array.from(y.data)).toEqual([1.5, 0]);
  });
});

describe('hidden size: 2/3 of 4d rounded up as LLaMA rounds it', () => {
  it('d = 4096 -> 11008 (Llama 7B), 5120 -> 13824 (Llama 13B), published intermediate sizes', () => {
    expect(llamaHiddenSize(4096)).toBe(11008);
    expect(llamaHiddenSize(5120)).toBe(13824);
  });

  it('with ffn_dim_multiplier: Llama 2 70B (8192, 1.3, 4096) -> 28672; Llama 3 8B (4096, 1.3, 1024) -> 14336', () => {
    expect(llamaHiddenSize(8192, { ffnDimMultiplier: 1.3, multipleOf: 4096 })).toBe(28672);
    expect(llamaHiddenSize(4096, { ffnDimMultiplier: 1.3, multipleOf: 1024 })).toBe(14336);
  });

  it('parameters at d = 4096: ReLU FFN 134,217,728, SwiGLU 135,266,304: SwiGLU has 0.78% more (< 1%)', () => {
    const relu = ffnParamCount('relu', 4096, 4 * 4096);
    const gated = ffnParamCount('gated', 4096, llamaHiddenSize(4096));
    expect([relu, gated]).toEqual([134_217_728, 135_266_304]);
    expect((gated - relu) / relu).toBeCloseTo(0.0078125, 7);
  });

  it('property: for d = 256 .. 16384, SwiGLU parameters match the ReLU FFN within -1/(4d) .. 96/d', () => {
    fc.assert(
      paramsMatch((d) => llamaHiddenSize(d)),
      { numRuns: 64 },
    );
  });
});

describe('oracles: the textbook, the counted kernel and the tensor twins agree', () => {
  test.prop([ffnCase], { numRuns: 50 })(
    'the textbook swiglu equals the counted gatedFfn with SiLU exactly',
    ({ x, gated }) => {
      expect(gatedFfn(x, gated, silu, new Counter())).toEqual(swiglu(x, gated));
    },
  );

  it('SwiGLU vs tf.matMul(..., false, true) and gate * tf.sigmoid(gate), float32, to 1e-4', async () => {
    await fc.assert(swigluAgrees(swiglu), { numRuns: 25, seed: 5 });
  });

  test.prop([ffnCase, fc.constantFrom('none' as const, 'tanh' as const)], { numRuns: 20 })(
    'GeGLU (exact via tf.erf, or tanh) and the ReLU FFN with biases',
    async ({ x, gated, relu }, approximate) => {
      expect(
        maxAbsDiff(geglu(x, gated, approximate), await gegluTfMatrix(x, gated, approximate)),
      ).toBeLessThan(TOL);
      expect(maxAbsDiff(reluFfn(x, relu), await reluFfnTfMatrix(x, relu))).toBeLessThan(TOL);
    },
  );

  test.prop([ffnCase, fc.constantFrom('relu' as const, 'gelu' as const, 'gelu-tanh' as const)], {
    numRuns: 20,
  })(
    'the two-matrix FFN with ReLU, exact GELU (BERT) or tanh GELU (GPT-2), with and without biases',
    async ({ x, relu }, activation) => {
      expect(
        maxAbsDiff(denseFfn(x, relu, activation), await denseFfnTfMatrix(x, relu, activation)),
      ).toBeLessThan(TOL);
      const noBias = { w1: relu.w1, w2: relu.w2 };
      expect(
        maxAbsDiff(denseFfn(x, noBias, activation), await denseFfnTfMatrix(x, noBias, activation)),
      ).toBeLessThan(TOL);
    },
  );

  test.prop([fc.integer({ min: 1, max: 3 }), ffnCase], { numRuns: 10 })(
    'swigluTf on a [batch, n, d] tensor maps every token like swiglu on its [n, d] matrix',
    async (batch, { x, gated }) => {
      const { tf } = await tensorBackend();
      const f32 = (m: Matrix) => tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
      const stacked = tf.tensor3d(Array.from({ length: batch }, () => Array.from(x.data)).flat(), [
        batch,
        x.rows,
        x.cols,
      ]);
      const weights = { w1: f32(gated.w1), w3: f32(gated.w3), w2: f32(gated.w2) };
      const y = swigluTf(tf, stacked, weights);
      const data = await y.data();
      tf.dispose([stacked, y, weights.w1, weights.w3, weights.w2]);
      const expected = swiglu(x, gated);
      for (let b = 0; b < batch; b++)
        expect(
          maxAbsDiff(
            matrix(x.rows, x.cols, data.subarray(b * x.data.length, (b + 1) * x.data.length)),
            expected,
          ),
        ).toBeLessThan(TOL);
    },
  );

  it('a worked GELU FFN: identity weights, input [1, -1] gives [GELU(1), GELU(-1)] = [0.841345, -0.158655]', () => {
    const eye = fromRows([
      [1, 0],
      [0, 1],
    ]);
    const y = denseFfn(fromRows([[1, -1]]), { w1: eye, w2: eye }, 'gelu');
    expect(y.data[0]).toBeCloseTo(0.8413447461, 9);
    expect(y.data[1]).toBeCloseTo(-0.1586552539, 9);
  });
});

describe('invariants', () => {
  test.prop([ffnCase], { numRuns: 50 })(
    'a zero up projection (w3 = 0) gives a zero output',
    ({ x, gated }) => {
      const y = swiglu(x, { ...gated, w3: matrix(gated.w3.rows, gated.w3.cols) });
      expect(y.data.every((v) => v === 0)).toBe(true);
    },
  );

  test.prop([fc.double({ min: -20, max: 20, noNaN: true })], { numRuns: 200 })(
    'SiLU lies between min(0, z) and max(0, z) and is z sigmoid(z); exact and tanh GELU differ by < 5e-4',
    (z) => {
      expect(silu(z)).toBeLessThanOrEqual(Math.max(0, z) + 1e-15);
      expect(silu(z)).toBeGreaterThanOrEqual(Math.min(0, z) - 0.2785);
      expect(Math.abs(geluErf(z) - geluTanh(z))).toBeLessThan(5e-4);
    },
  );

  it('SiLU is not monotone: its minimum is about -0.2785 near z = -1.2785 (unlike ReLU)', () => {
    expect(silu(-1.2785)).toBeCloseTo(-0.2785, 4);
    expect(silu(-1.2785)).toBeLessThan(silu(-3));
  });

  test.prop([ffnCase, fc.integer({ min: 0, max: 3 })], { numRuns: 30 })(
    'tokens are independent: row i of the output depends only on row i of x',
    ({ x, gated }, iRaw) => {
      const i = iRaw % x.rows;
      const alone = swiglu(matrix(1, x.cols, x.data.subarray(i * x.cols, (i + 1) * x.cols)), gated);
      const all = swiglu(x, gated);
      expect(Array.from(all.data.subarray(i * x.cols, (i + 1) * x.cols))).toEqual(
        Array.from(alone.data),
      );
    },
  );
});

describe('complexity: multiply-adds counted', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 16 }),
      fc.integer({ min: 1, max: 24 }),
    ],
    { numRuns: 40 },
  )(
    'a gated FFN costs at most 3 n d h, the ReLU FFN at most 2 n d h: three matrices against two',
    (n, d, h) => {
      const r = rng(n + 10 * d + 100 * h);
      const x = randomMatrix(n, d, r);
      const [gatedOps, reluOps] = [new Counter(), new Counter()];
      gatedFfn(x, initGatedFfn(d, h, r), silu, gatedOps);
      reluFfn(x, initReluFfn(d, h, r), reluOps);
      expect(gatedOps.get('madds')).toBeLessThanOrEqual(3 * n * d * h);
      expect(reluOps.get('madds')).toBeLessThanOrEqual(2 * n * d * h);
      expect(gatedOps.get('madds') / reluOps.get('madds')).toBeCloseTo(1.5, 12);
    },
  );
});

describe('counts, initial scale and the rejected variant, by hand', () => {
  it('parameters: gated 3 d h; ReLU 2 d h, plus h + d biases', () => {
    expect(ffnParamCount('gated', 4, 6)).toBe(72);
    expect(ffnParamCount('relu', 4, 6)).toBe(48);
    expect(ffnParamCount('relu', 4, 6, { bias: true })).toBe(58);
  });

  it('weights start N(0, 1 / d): the sample variance of 3 * 256 * 1024 entries is within 2% of 1/256', () => {
    const w = initGatedFfn(256, 1024, rng(5));
    const all = [...w.w1.data, ...w.w3.data, ...w.w2.data];
    const variance = all.reduce((s, v) => s + v * v, 0) / all.length;
    expect(Math.abs(variance * 256 - 1)).toBeLessThan(0.02);
    const r = initReluFfn(256, 1024, rng(6));
    expect(
      Math.abs((r.w1.data.reduce((s, v) => s + v * v, 0) / r.w1.data.length) * 256 - 1),
    ).toBeLessThan(0.02);
  });
});

describe('pitfalls, rejected by the properties above', () => {
  it('the gate after the product computes SiLU(gate * up) W2^T: gate 1, up 2 give SiLU(2) where SwiGLU gives SiLU(1) * 2', () => {
    const weights = { w1: fromRows([[1]]), w3: fromRows([[2]]), w2: fromRows([[1]]) };
    expect(pitfallSwigluGateAfterProduct(fromRows([[1]]), weights).data[0]).toBe(silu(2));
    expect(swiglu(fromRows([[1]]), weights).data[0]).toBe(silu(1) * 2);
  });

  it('rejects Swish applied to the product instead of gating, against tfjs', async () => {
    await rejectsPitfallAsync(swigluAgrees(pitfallSwigluGateAfterProduct), {
      numRuns: 25,
      seed: 5,
      endOnFailure: true,
    });
  });

  it('the parameter-count property rejects rounding down to a multiple of 256 (4096 -> 10752)', () => {
    expect(pitfallLlamaHiddenSizeRoundedDown(4096)).toBe(10752);
    rejectsPitfall(
      paramsMatch((d) => pitfallLlamaHiddenSizeRoundedDown(d)),
      { numRuns: 64, seed: 2 },
    );
  });
});

/**
 * Answer key for Q14-Q16, rotary position embedding. Worked vectors for the textbook `rope` and
 * both layouts of `applyRope`; oracles: `applyRope` interleaved equals `rope`, and both layouts
 * agree with the HF-style tensor twin (x cos + rotate(x) sin), also on [heads, T, d] tensors;
 * invariants: norms kept, position 0 is the identity, the score depends only on m - n (both
 * layouts), the layout permutation commutes with RoPE and converts weights exactly; RoFormer's
 * decay bound holds and decays; PI and NTK scaling; inside multi-head attention a global position
 * shift changes nothing; O(n d) counted; the mixed-layout and unpermuted-weights pitfalls rejected
 * by the same properties. Input checks: tests/inputs/rope.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  angleOvershoot,
  applyRope,
  halfToInterleaved,
  interleavedToHalf,
  interleavedToHalfPermutation,
  ntkScaledBase,
  permuteRopeWeights,
  pitfallMixedLayoutRope,
  pitfallUnpermutedRopeWeights,
  relativeDecayBound,
  rope,
  ropeFrequencies,
  ropeScore,
  ropeScoreBound,
  ropeTf,
  ropeTfMatrix,
  ropeTransform,
  type RopeLayout,
  type RopeScaling,
} from '../ml/rope.js';
import { initMultiHeadAttention, multiHeadAttentionMasked } from '../ml/multi-head-attention.js';
import { tensorBackend } from '../core/backend.js';
import { Counter } from '../core/counter.js';
import {
  fromRows,
  linear,
  matmulTransposed,
  matrix,
  maxAbsDiff,
  randomMatrix,
  toRows,
  type Matrix,
} from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

const layouts: RopeLayout[] = ['interleaved', 'half'];
const evenDim = fc.integer({ min: 1, max: 16 }).map((h) => 2 * h);
const vectorPair = evenDim.chain((d) =>
  fc.tuple(fc.constant(d), fc.integer()).map(([dd, seed]) => {
    const r = rng(seed);
    return { d: dd, q: r.array(dd, () => r.normal()), k: r.array(dd, () => r.normal()) };
  }),
);
const position = fc.integer({ min: -200, max: 2000 });

/** A RoPE implementation as the properties see it: rotate row t of x to positions[t]. */
type Rope = (x: Matrix, positions: number[]) => Matrix;
const ropeOf =
  (layout: RopeLayout): Rope =>
  (x, positions) =>
    applyRope(x, { layout, positions });
const mixedPitfall: Rope = (x, positions) => pitfallMixedLayoutRope(x, { positions });
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((s, x, i) => s + x * b[i]!, 0);
const score = (r: Rope, q: Float64Array, k: Float64Array, m: number, n: number) =>
  dot(r(matrix(1, q.length, q), [m]).data, r(matrix(1, k.length, k), [n]).data);

/** The relative-position property: shifting both positions by t leaves the score unchanged. */
const relativeProperty = (r: Rope) =>
  fc.property(
    vectorPair,
    position,
    position,
    fc.integer({ min: -500, max: 500 }),
    ({ q, k }, m, n, t) => {
      const s = score(r, q, k, m, n);
      return Math.abs(score(r, q, k, m + t, n + t) - s) < 1e-9 * (1 + Math.abs(s));
    },
  );

describe('worked examples (d = 4, base 10000: theta = [1, 0.01])', () => {
  it('the textbook rope turns row 1 of [1, 0, 1, 0] by 1 and 0.01 rad: [0.540302, 0.841471, 0.999950, 0.010000]', () => {
    const y = toRows(
      rope(
        fromRows([
          [1, 0, 1, 0],
          [1, 0, 1, 0],
        ]),
      ),
    );
    expect(y[0]).toEqual([1, 0, 1, 0]);
    [0.540302, 0.841471, 0.99995, 0.01].forEach((v, j) => expect(y[1]![j]).toBeCloseTo(v, 6));
  });

  it('interleaved applyRope at position 1 of [1, 0, 1, 0] is [cos 1, sin 1, cos .01, sin .01]', () => {
    const y = toRows(
      applyRope(fromRows([[1, 0, 1, 0]]), { layout: 'interleaved', positions: [1] }),
    )[0]!;
    [0.540302, 0.841471, 0.99995, 0.01].forEach((v, j) => expect(y[j]).toBeCloseTo(v, 6));
  });

  it('half-layout RoPE at position 1 pairs (x0, x2): [cos 1 - sin 1, 0, cos 1 + sin 1, 0] = [-0.301169, 0, 1.381773, 0]', () => {
    const y = toRows(applyRope(fromRows([[1, 0, 1, 0]]), { layout: 'half', positions: [1] }))[0]!;
    [-0.301169, 0, 1.381773, 0].forEach((v, j) => expect(y[j]).toBeCloseTo(v, 6));
  });

  it('q = [.3, -1.2, .7, 2], k = [1.1, .4, -.5, .9]: <R3 q, R1 k> = <R7 q, R5 k> = 2.854118 interleaved, 0.453908 half', () => {
    const q = [0.3, -1.2, 0.7, 2];
    const k = [1.1, 0.4, -0.5, 0.9];
    expect(ropeScore(q, k, 3, 1, { layout: 'interleaved' })).toBeCloseTo(2.854118, 6);
    expect(ropeScore(q, k, 7, 5, { layout: 'interleaved' })).toBeCloseTo(2.854118, 6);
    expect(ropeScore(q, k, 3, 1, { layout: 'half' })).toBeCloseTo(0.453908, 6);
  });

  it('NTK-aware base for d = 128, s = 4: 10000 * 4^(128/126) = 40,890.3...; the slowest frequency becomes exactly theta / 4', () => {
    expect(ntkScaledBase(10000, 4, 128)).toBeCloseTo(10000 * 4 ** (128 / 126), 6);
    const plain = ropeFrequencies(128);
    const ntk = ropeFrequencies(128, { scaling: { kind: 'ntk', factor: 4 } });
    expect(ntk[63]! / plain[63]!).toBeCloseTo(1 / 4, 12);
    expect(ntk[0]).toBe(1);
  });

  it('d = 8, base 10000: theta = 10000^(-2i/8) = [1, 0.1, 0.01, 0.001], four pairs; base 100 gives [1, 0.316228, 0.1, 0.031623]', () => {
    const theta = ropeFrequencies(8);
    expect(theta).toHaveLength(4);
    [1, 0.1, 0.01, 0.001].forEach((v, i) => expect(theta[i]).toBeCloseTo(v, 15));
    [1, 0.316228, 0.1, 0.031623].forEach((v, i) =>
      expect(ropeFrequencies(8, { base: 100 })[i]).toBeCloseTo(v, 6),
    );
    expect(ropeFrequencies(2)).toEqual(Float64Array.from([1]));
  });

  it('score bound for q = k = [1, 0, 1, 0] at distance 0: h = (1, 1, 0), max step 1, |S_1| + |S_2| = 1 + 2, bound 3 >= score 2', () => {
    expect(ropeScoreBound([1, 0, 1, 0], [1, 0, 1, 0], 0)).toBeCloseTo(3, 14);
    expect(ropeScore([1, 0, 1, 0], [1, 0, 1, 0], 5, 5, { layout: 'interleaved' })).toBeCloseTo(
      2,
      14,
    );
    // d = 2: the bound is |q| |k| and is reached at distance 0
    expect(ropeScoreBound([3, 4], [1, 0], 0)).toBeCloseTo(5, 14);
    expect(relativeDecayBound(4, 0)).toBeCloseTo(1.5, 14);
  });

  it('angle overshoot: pairs that completed a turn in training are skipped; a base other than 10000 is the trained base too', () => {
    // d = 4, L = 2: theta = [1, .01] saw angles up to 1 and .01 (neither a full turn); NTK by 4
    // keeps pair 0, so position 10 overshoots 10x
    expect(angleOvershoot(10, 2, 4, { scaling: { kind: 'ntk', factor: 4 } })).toBeCloseTo(10, 12);
    // L = 8: pair 0 has seen 7 rad > 2 pi and is skipped; pair 1 has seen .07, so position 70 is
    // 10x
    expect(angleOvershoot(70, 8, 4)).toBeCloseTo(10, 12);
    // trained and used with base 500000: the same frequencies, so position L - 1 is exactly 1
    expect(angleOvershoot(2047, 2048, 128, { base: 500_000 })).toBeCloseTo(1, 12);
  });

  it('P = (0, 2, 4, 1, 3, 5) for d = 6 (the row order HF permute gives one head)', () => {
    expect(interleavedToHalfPermutation(6)).toEqual([0, 2, 4, 1, 3, 5]);
    expect(toRows(permuteRopeWeights(fromRows([[0], [1], [2], [3]]), 1))).toEqual([
      [0],
      [2],
      [1],
      [3],
    ]);
  });
});

describe('oracles: the textbook, the engineered kernel and the tensor twin agree', () => {
  test.prop([fc.integer({ min: 1, max: 8 }), evenDim, fc.integer()], { numRuns: 100 })(
    'applyRope with the interleaved layout and default positions equals the textbook rope exactly',
    (n, d, seed) => {
      const x = randomMatrix(n, d, rng(seed));
      expect(applyRope(x, { layout: 'interleaved' })).toEqual(rope(x));
    },
  );

  const scalingArb: fc.Arbitrary<RopeScaling> = fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc
      .double({ min: 1, max: 8, noNaN: true })
      .map((factor) => ({ kind: 'linear' as const, factor })),
    fc.double({ min: 1, max: 8, noNaN: true }).map((factor) => ({ kind: 'ntk' as const, factor })),
  );
  test.prop(
    [
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 2, max: 16 }).map((h) => 2 * h),
      fc.constantFrom(...layouts),
      scalingArb,
      fc.integer({ min: 0, max: 64 }),
      fc.integer(),
    ],
    { numRuns: 30 },
  )(
    'from scratch agrees with tfjs (float32) to 1e-4: both layouts, PI and NTK scaling, offsets up to 64',
    async (n, d, layout, scaling, offset, seed) => {
      const x = randomMatrix(n, d, rng(seed));
      const options = { layout, scaling, offset };
      expect(maxAbsDiff(applyRope(x, options), await ropeTfMatrix(x, options))).toBeLessThan(1e-4);
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 6 }),
      evenDim,
      fc.constantFrom(...layouts),
      fc.integer({ min: 0, max: 32 }),
      fc.integer(),
    ],
    { numRuns: 15 },
  )(
    'ropeTf on a [heads, T, d] tensor rotates every head like applyRope on its [T, d] matrix',
    async (heads, n, d, layout, offset, seed) => {
      const { tf } = await tensorBackend();
      const r = rng(seed);
      const xs = Array.from({ length: heads }, () => randomMatrix(n, d, r));
      const stacked = tf.tensor3d(
        xs.flatMap((m) => Array.from(m.data)),
        [heads, n, d],
      );
      const y = ropeTf(tf, stacked, { layout, offset });
      const data = await y.data();
      tf.dispose([stacked, y]);
      xs.forEach((m, h) =>
        expect(
          maxAbsDiff(
            matrix(n, d, data.subarray(h * n * d, (h + 1) * n * d)),
            applyRope(m, { layout, offset }),
          ),
        ).toBeLessThan(1e-4),
      );
    },
  );
});

describe('invariants', () => {
  test.prop([vectorPair, position, fc.constantFrom(...layouts)], { numRuns: 200 })(
    'norms are preserved (a rotation per pair)',
    ({ q }, m, layout) => {
      const y = applyRope(matrix(1, q.length, q), { layout, positions: [m] });
      expect(Math.sqrt(dot(y.data, y.data))).toBeCloseTo(Math.sqrt(dot(q, q)), 10);
    },
  );

  test.prop([fc.integer({ min: 1, max: 5 }), evenDim, fc.constantFrom(...layouts), fc.integer()], {
    numRuns: 100,
  })('position 0 is the identity', (n, d, layout, seed) => {
    const x = randomMatrix(n, d, rng(seed));
    expect(maxAbsDiff(applyRope(x, { layout, positions: new Array(n).fill(0) }), x)).toBe(0);
  });

  for (const layout of layouts) {
    it(`${layout}: the score <RoPE(q, m), RoPE(k, n)> depends only on m - n`, () => {
      fc.assert(relativeProperty(ropeOf(layout)), { numRuns: 300 });
    });
  }

  test.prop([fc.integer({ min: 1, max: 5 }), evenDim, position, fc.integer()], { numRuns: 150 })(
    'the permutation P commutes with RoPE: half(P x) = P interleaved(x), and P is undone by its inverse',
    (n, d, m, seed) => {
      const x = randomMatrix(n, d, rng(seed));
      const options = { offset: m };
      const viaHalf = applyRope(interleavedToHalf(x), { ...options, layout: 'half' });
      expect(
        maxAbsDiff(viaHalf, interleavedToHalf(applyRope(x, { ...options, layout: 'interleaved' }))),
      ).toBeLessThan(1e-12);
      expect(halfToInterleaved(interleavedToHalf(x))).toEqual(x);
    },
  );
});

/** A tiny "model": x [n, d_model] -> per-head scores RoPE(q_h) RoPE(k_h)^T for every head. */
const headScores = (x: Matrix, wq: Matrix, wk: Matrix, numHeads: number, r: Rope) => {
  const q = linear(x, wq);
  const k = linear(x, wk);
  const d = wq.rows / numHeads;
  const positions = Array.from({ length: x.rows }, (_, t) => t);
  return Array.from({ length: numHeads }, (_, h) => {
    const head = (m: Matrix) => fromRows(toRows(m).map((row) => row.slice(h * d, (h + 1) * d)));
    return matmulTransposed(r(head(q), positions), r(head(k), positions));
  });
};
const modelCase = fc.record({
  heads: fc.integer({ min: 1, max: 3 }),
  halfD: fc.integer({ min: 2, max: 6 }),
  dModel: fc.integer({ min: 1, max: 8 }),
  n: fc.integer({ min: 2, max: 6 }),
  seed: fc.integer(),
});
/**
 * The property: converted weights + `ropeForConverted` reproduce the interleaved model's scores.
 */
const conversionProperty = (
  convert: (w: Matrix, heads: number) => Matrix,
  ropeForConverted: Rope,
) =>
  fc.property(modelCase, ({ heads, halfD, dModel, n, seed }) => {
    const r = rng(seed);
    const [wq, wk] = [
      randomMatrix(heads * 2 * halfD, dModel, r),
      randomMatrix(heads * 2 * halfD, dModel, r),
    ];
    const x = randomMatrix(n, dModel, r);
    const original = headScores(x, wq, wk, heads, ropeOf('interleaved'));
    const converted = headScores(
      x,
      convert(wq, heads),
      convert(wk, heads),
      heads,
      ropeForConverted,
    );
    return original.every((s, h) => maxAbsDiff(s, converted[h]!) < 1e-9);
  });

describe('converting weights between layouts (HF convert_llama_weights_to_hf)', () => {
  it('permuted W_Q, W_K with the half layout give exactly the interleaved model scores', () => {
    fc.assert(conversionProperty(permuteRopeWeights, ropeOf('half')), { numRuns: 150 });
  });
});

describe('RoFormer long-term decay', () => {
  test.prop([vectorPair, position, position], { numRuns: 200 })(
    '|<RoPE(q, m), RoPE(k, n)>| <= max_i |h_{i+1} - h_i| * sum_j |S_j| (summation by parts, interleaved pairs)',
    ({ q, k }, m, n) => {
      const bound = ropeScoreBound(q, k, m - n) * (1 + 1e-12) + 1e-12;
      expect(Math.abs(ropeScore(q, k, m, n, { layout: 'interleaved' }))).toBeLessThanOrEqual(bound);
    },
  );

  it('the distance factor starts at (d/2 + 1) / 2 and decays: d = 128 averages 24.1 over r < 10, 8.9 over 100 <= r < 200, 5.3 over 1000 <= r < 2000', () => {
    const average = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => relativeDecayBound(128, from + i)).reduce(
        (s, v) => s + v,
        0,
      ) /
      (to - from);
    expect(relativeDecayBound(128, 0)).toBeCloseTo(32.5, 12);
    const [near, mid, far] = [average(0, 10), average(100, 200), average(1000, 2000)];
    expect(near).toBeCloseTo(24.13, 2);
    expect(mid).toBeCloseTo(8.93, 2);
    expect(far).toBeCloseTo(5.33, 2);
    expect(near > mid && mid > far).toBe(true);
  });

  it('the bound depends only on |m - n|', () => {
    fc.assert(
      fc.property(
        evenDim,
        position,
        (d, r) => Math.abs(relativeDecayBound(d, r) - relativeDecayBound(d, -r)) < 1e-9,
      ),
      { numRuns: 100 },
    );
  });
});

describe('extrapolation: position interpolation and NTK-aware scaling', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 4 }),
      evenDim,
      fc.double({ min: 1, max: 16, noNaN: true }),
      fc.integer({ min: 0, max: 4096 }),
      fc.integer(),
    ],
    { numRuns: 100 },
  )('PI by s at position s m equals plain RoPE at m', (n, d, s, m, seed) => {
    const x = randomMatrix(n, d, rng(seed));
    const positions = Array.from({ length: n }, (_, t) => s * (m + t));
    const pi = applyRope(x, { scaling: { kind: 'linear', factor: s }, positions });
    expect(maxAbsDiff(pi, applyRope(x, { offset: m }))).toBeLessThan(1e-9);
  });

  test.prop(
    [
      fc.integer({ min: 2, max: 64 }).map((h) => 2 * h),
      fc.double({ min: 1, max: 32, noNaN: true }),
    ],
    { numRuns: 100 },
  )(
    'NTK keeps the fastest pair and slows the slowest by exactly s; factor 1 is plain RoPE',
    (d, s) => {
      const plain = ropeFrequencies(d);
      const ntk = ropeFrequencies(d, { scaling: { kind: 'ntk', factor: s } });
      expect(ntk[0]).toBe(plain[0]);
      expect(ntk[d / 2 - 1]! / plain[d / 2 - 1]!).toBeCloseTo(1 / s, 10);
      ntk.forEach((t, i) => expect(t).toBeLessThanOrEqual(plain[i]! * (1 + 1e-12)));
      expect(ropeFrequencies(d, { scaling: { kind: 'ntk', factor: 1 } })).toEqual(plain);
      expect(ropeFrequencies(d, { scaling: { kind: 'linear', factor: 1 } })).toEqual(plain);
    },
  );

  it('beyond the trained length L = 2048 (d = 128) plain RoPE meets unseen angles; PI by 4 never does up to 4L; NTK overshoots far less', () => {
    const L = 2048;
    expect(angleOvershoot(L - 1, L, 128)).toBeCloseTo(1, 12);
    expect(angleOvershoot(4 * L - 1, L, 128)).toBeGreaterThan(3.9);
    expect(
      angleOvershoot(4 * L - 1, L, 128, { scaling: { kind: 'linear', factor: 4 } }),
    ).toBeLessThanOrEqual(1.001);
    const ntk = angleOvershoot(4 * L - 1, L, 128, { scaling: { kind: 'ntk', factor: 4 } });
    expect(ntk).toBeGreaterThan(1);
    expect(ntk).toBeLessThan(2);
  });
});

/**
 * With RoPE, self-attention cannot tell where the sequence starts: a global position offset changes
 * nothing.
 */
const offsetProperty = (ropeAt: (offset: number) => (x: Matrix) => Matrix) =>
  fc.property(
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 6 }),
    fc.integer({ min: 1, max: 1000 }),
    fc.integer(),
    (heads, halfD, n, offset, seed) => {
      const r = rng(seed);
      const w = initMultiHeadAttention({ dModel: 4, numHeads: heads, headDim: 2 * halfD }, r);
      const x = randomMatrix(n, 4, r);
      const at = (o: number) =>
        multiHeadAttentionMasked(
          x,
          w,
          { numHeads: heads },
          { causal: true, transformQK: ropeAt(o) },
        ).output;
      return maxAbsDiff(at(0), at(offset)) < 1e-9;
    },
  );

describe('inside multi-head attention (the transformQK hook)', () => {
  it('RoPE-MHA output does not change when every position is shifted by the same offset', () => {
    fc.assert(
      offsetProperty((offset) => ropeTransform({ offset })),
      { numRuns: 60 },
    );
  });

  it('the hook is RoPE itself (with its options), so the layer differs from one without it', () => {
    const x = randomMatrix(5, 4, rng(11));
    expect(ropeTransform({ offset: 3, layout: 'interleaved' })(x)).toEqual(
      applyRope(x, { offset: 3, layout: 'interleaved' }),
    );
    const w = initMultiHeadAttention({ dModel: 4, numHeads: 2, headDim: 2 }, rng(12));
    const withRope = multiHeadAttentionMasked(
      x,
      w,
      { numHeads: 2 },
      { causal: true, transformQK: ropeTransform() },
    ).output;
    expect(
      maxAbsDiff(
        withRope,
        multiHeadAttentionMasked(x, w, { numHeads: 2 }, { causal: true }).output,
      ),
    ).toBeGreaterThan(1e-3);
  });
});

describe('complexity: 2 n d multiply-adds, O(n d)', () => {
  test.prop([fc.integer({ min: 1, max: 64 }), evenDim], { numRuns: 30 })(
    'counted: between n d and 2 n d',
    (n, d) => {
      const counter = new Counter();
      applyRope(matrix(n, d), {}, counter);
      expect(counter.get('madds')).toBeLessThanOrEqual(2 * n * d);
      expect(counter.get('madds')).toBeGreaterThanOrEqual(n * d);
    },
  );
});

describe('pitfalls, rejected by the properties above', () => {
  it('the mixed layout turns x_2i by theta_(2i mod d/2) and x_2i+1 by theta_(2i+1 mod d/2): at position 1 of [1, 2, 3, 4]', () => {
    // d = 4, theta = [1, .01]: coordinates 0 and 2 take angle 1, coordinates 1 and 3 take angle .01
    const [c1, s1, c2, s2] = [Math.cos(1), Math.sin(1), Math.cos(0.01), Math.sin(0.01)];
    const expected = [1 * c1 - 2 * s1, 2 * c2 + 1 * s2, 3 * c1 - 4 * s1, 4 * c2 + 3 * s2];
    const y = pitfallMixedLayoutRope(
      fromRows([
        [1, 2, 3, 4],
        [1, 2, 3, 4],
      ]),
      { positions: [0, 1] },
    );
    expect(toRows(y)[0]).toEqual([1, 2, 3, 4]);
    toRows(y)[1]!.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 14));
  });

  it('rejects mixing the layouts (interleaved pairs, half-layout cos/sin table): the score is no longer relative', () => {
    rejectsPitfall(relativeProperty(mixedPitfall), { numRuns: 300, seed: 7 });
    // it is not even a rotation: norms change
    const y = pitfallMixedLayoutRope(fromRows([[1, 1, 1, 1]]), { positions: [1] });
    expect(Math.abs(dot(y.data, y.data) - 4)).toBeGreaterThan(1e-3);
  });

  it('rejects the half layout on unpermuted weights (rotating pairs the weights were not trained for)', () => {
    rejectsPitfall(conversionProperty(pitfallUnpermutedRopeWeights, ropeOf('half')), {
      numRuns: 150,
      seed: 8,
    });
  });

  it('rejects permuted weights run with the interleaved layout, and the mixed-layout table', () => {
    rejectsPitfall(conversionProperty(permuteRopeWeights, ropeOf('interleaved')), {
      numRuns: 150,
      seed: 9,
    });
    rejectsPitfall(conversionProperty(permuteRopeWeights, mixedPitfall), { numRuns: 150, seed: 9 });
  });

  it('rejects the mixed-layout RoPE inside multi-head attention', () => {
    rejectsPitfall(
      offsetProperty((offset) => (x) => pitfallMixedLayoutRope(x, { offset })),
      { numRuns: 60, seed: 10 },
    );
  });
});

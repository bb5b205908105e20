/**
 * Answer key for Q14-Q16, rotary position embedding. Worked vectors for both layouts; agreement with
 * an HF-style tfjs version (x cos + rotate(x) sin); invariants: norms kept, position 0 is the
 * identity, the score depends only on m - n (both layouts), the layout permutation commutes with
 * RoPE and converts weights exactly; RoFormer's decay bound holds and decays; PI and NTK scaling;
 * the mixed-layout bug and the unconverted-weights bug rejected by the same properties; inside
 * multi-head attention, a global position shift changes nothing; O(n d) counted; bad input named.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  angleOvershoot,
  applyRope,
  applyRopeMixedLayoutVariant,
  applyRopeTf,
  halfToInterleaved,
  interleavedToHalf,
  interleavedToHalfPermutation,
  ntkScaledBase,
  permuteRopeWeights,
  relativeDecayBound,
  ropeFrequencies,
  ropeScore,
  ropeScoreBound,
  ropeTransform,
  rotate,
  type RopeLayout,
  type RopeScaling,
} from '../ml/rope.js';
import { initMultiHeadAttention, multiHeadAttention } from '../ml/multi-head-attention.js';
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';
import { fromRows, linear, matmulTransposed, matrix, maxAbsDiff, randomMatrix, toRows, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';

const layouts: RopeLayout[] = ['interleaved', 'half'];
const evenDim = fc.integer({ min: 1, max: 16 }).map((h) => 2 * h);
const vectorPair = evenDim.chain((d) => fc.tuple(fc.constant(d), fc.integer()).map(([dd, seed]) => {
  const r = rng(seed);
  return { d: dd, q: r.array(dd, () => r.normal()), k: r.array(dd, () => r.normal()) };
}));
const position = fc.integer({ min: -200, max: 2000 });

/** A RoPE implementation as the properties see it: rotate row t of x to positions[t]. */
type Rope = (x: Matrix, positions: number[]) => Matrix;
const ropeOf = (layout: RopeLayout): Rope => (x, positions) => applyRope(x, { layout, positions });
const mixedVariant: Rope = (x, positions) => applyRopeMixedLayoutVariant(x, { positions });
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i]!, 0);
const score = (rope: Rope, q: Float64Array, k: Float64Array, m: number, n: number) => dot(rope(matrix(1, q.length, q), [m]).data, rope(matrix(1, k.length, k), [n]).data);

/** The relative-position property: shifting both positions by t leaves the score unchanged. */
const relativeProperty = (rope: Rope) =>
  fc.property(vectorPair, position, position, fc.integer({ min: -500, max: 500 }), ({ q, k }, m, n, t) => Math.abs(score(rope, q, k, m + t, n + t) - score(rope, q, k, m, n)) < 1e-9 * (1 + Math.abs(score(rope, q, k, m, n))));

describe('worked examples (d = 4, base 10000: theta = [1, 0.01])', () => {
  it('interleaved RoPE at position 1 of [1, 0, 1, 0] is [cos 1, sin 1, cos .01, sin .01] = [0.540302, 0.841471, 0.999950, 0.010000]', () => {
    const y = toRows(applyRope(fromRows([[1, 0, 1, 0]]), { layout: 'interleaved', positions: [1] }))[0]!;
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
});

describe('worked examples of the helpers', () => {
  it('d = 8, base 10000: theta = 10000^(-2i/8) = [1, 0.1, 0.01, 0.001], four pairs; base 100 gives [1, 0.316228, 0.1, 0.031623]', () => {
    const theta = ropeFrequencies(8);
    expect(theta).toHaveLength(4);
    [1, 0.1, 0.01, 0.001].forEach((v, i) => expect(theta[i]).toBeCloseTo(v, 15));
    [1, 0.316228, 0.1, 0.031623].forEach((v, i) => expect(ropeFrequencies(8, { base: 100 })[i]).toBeCloseTo(v, 6));
  });

  it('the mixed-layout variant turns x_2i by theta_(2i mod d/2) and x_2i+1 by theta_(2i+1 mod d/2): at position 1 of [1, 2, 3, 4]', () => {
    // d = 4, theta = [1, .01]: coordinates 0 and 2 take angle 1, coordinates 1 and 3 take angle .01
    const [c1, s1, c2, s2] = [Math.cos(1), Math.sin(1), Math.cos(0.01), Math.sin(0.01)];
    const expected = [1 * c1 - 2 * s1, 2 * c2 + 1 * s2, 3 * c1 - 4 * s1, 4 * c2 + 3 * s2];
    const y = applyRopeMixedLayoutVariant(fromRows([[1, 2, 3, 4], [1, 2, 3, 4]]), { positions: [0, 1] });
    expect(toRows(y)[0]).toEqual([1, 2, 3, 4]);
    toRows(y)[1]!.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 14));
  });

  it('score bound for q = k = [1, 0, 1, 0] at distance 0: h = (1, 1, 0), max step 1, |S_1| + |S_2| = 1 + 2, bound 3 >= score 2', () => {
    expect(ropeScoreBound([1, 0, 1, 0], [1, 0, 1, 0], 0)).toBeCloseTo(3, 14);
    expect(ropeScore([1, 0, 1, 0], [1, 0, 1, 0], 5, 5, { layout: 'interleaved' })).toBeCloseTo(2, 14);
    // d = 2: the bound is |q| |k| and is reached at distance 0
    expect(ropeScoreBound([3, 4], [1, 0], 0)).toBeCloseTo(5, 14);
    expect(relativeDecayBound(4, 0)).toBeCloseTo(1.5, 14);
  });

  it('angle overshoot: pairs that completed a turn in training are skipped; a base other than 10000 is the trained base too', () => {
    // d = 4, L = 2: theta = [1, .01] saw angles up to 1 and .01 (neither a full turn); NTK by 4 keeps pair 0, so position 10 overshoots 10x
    expect(angleOvershoot(10, 2, 4, { scaling: { kind: 'ntk', factor: 4 } })).toBeCloseTo(10, 12);
    // L = 8: pair 0 has seen 7 rad > 2 pi and is skipped; pair 1 has seen .07, so position 70 is 10x
    expect(angleOvershoot(70, 8, 4)).toBeCloseTo(10, 12);
    // trained and used with base 500000: the same frequencies, so position L - 1 is exactly 1
    expect(angleOvershoot(2047, 2048, 128, { base: 500_000 })).toBeCloseTo(1, 12);
  });
});

describe('from scratch agrees with tfjs (float32, HF formulation x cos + rotate(x) sin) to 1e-4', () => {
  const scalingArb: fc.Arbitrary<RopeScaling> = fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.double({ min: 1, max: 8, noNaN: true }).map((factor) => ({ kind: 'linear' as const, factor })),
    fc.double({ min: 1, max: 8, noNaN: true }).map((factor) => ({ kind: 'ntk' as const, factor })),
  );
  test.prop([fc.integer({ min: 1, max: 8 }), fc.integer({ min: 2, max: 16 }).map((h) => 2 * h), fc.constantFrom(...layouts), scalingArb, fc.integer({ min: 0, max: 64 }), fc.integer()], { numRuns: 30 })(
    'both layouts, with position interpolation and NTK scaling, at offsets up to 64',
    async (n, d, layout, scaling, offset, seed) => {
      const x = randomMatrix(n, d, rng(seed));
      const options = { layout, scaling, offset };
      expect(maxAbsDiff(applyRope(x, options), await applyRopeTf(x, options))).toBeLessThan(1e-4);
    },
  );
});

describe('invariants', () => {
  test.prop([vectorPair, position, fc.constantFrom(...layouts)], { numRuns: 200 })('norms are preserved (a rotation per pair)', ({ q }, m, layout) => {
    const y = applyRope(matrix(1, q.length, q), { layout, positions: [m] });
    expect(Math.sqrt(dot(y.data, y.data))).toBeCloseTo(Math.sqrt(dot(q, q)), 10);
  });

  test.prop([fc.integer({ min: 1, max: 5 }), evenDim, fc.constantFrom(...layouts), fc.integer()], { numRuns: 100 })('position 0 is the identity', (n, d, layout, seed) => {
    const x = randomMatrix(n, d, rng(seed));
    expect(maxAbsDiff(applyRope(x, { layout, positions: new Array(n).fill(0) }), x)).toBe(0);
  });

  for (const layout of layouts) {
    it(`${layout}: the score <RoPE(q, m), RoPE(k, n)> depends only on m - n`, () => {
      fc.assert(relativeProperty(ropeOf(layout)), { numRuns: 300 });
    });
  }

  it('rejects mixing the layouts (interleaved pairs with the half layout cos/sin table): pair members turn by different angles', () => {
    expect(fc.check(relativeProperty(mixedVariant), { numRuns: 300, seed: 7 }).failed).toBe(true);
    // it is not even a rotation: norms change
    const y = applyRopeMixedLayoutVariant(fromRows([[1, 1, 1, 1]]), { positions: [1] });
    expect(Math.abs(dot(y.data, y.data) - 4)).toBeGreaterThan(1e-3);
  });

  test.prop([fc.integer({ min: 1, max: 5 }), evenDim, position, fc.integer()], { numRuns: 150 })('the permutation P commutes with RoPE: half(P x) = P interleaved(x), and P is undone by its inverse', (n, d, m, seed) => {
    const x = randomMatrix(n, d, rng(seed));
    const options = { offset: m };
    expect(maxAbsDiff(applyRope(interleavedToHalf(x), { ...options, layout: 'half' }), interleavedToHalf(applyRope(x, { ...options, layout: 'interleaved' })))).toBeLessThan(1e-12);
    expect(halfToInterleaved(interleavedToHalf(x))).toEqual(x);
  });
});

describe('converting weights between layouts (HF convert_llama_weights_to_hf)', () => {
  /** A tiny "model": x [n, d_model] -> per-head scores RoPE(q_h) RoPE(k_h)^T for every head. */
  const headScores = (x: Matrix, wq: Matrix, wk: Matrix, numHeads: number, rope: Rope) => {
    const q = linear(x, wq);
    const k = linear(x, wk);
    const d = wq.rows / numHeads;
    const positions = Array.from({ length: x.rows }, (_, t) => t);
    return Array.from({ length: numHeads }, (_, h) => {
      const head = (m: Matrix) => fromRows(toRows(m).map((row) => row.slice(h * d, (h + 1) * d)));
      return matmulTransposed(rope(head(q), positions), rope(head(k), positions));
    });
  };
  const modelCase = fc.record({ heads: fc.integer({ min: 1, max: 3 }), halfD: fc.integer({ min: 2, max: 6 }), dModel: fc.integer({ min: 1, max: 8 }), n: fc.integer({ min: 2, max: 6 }), seed: fc.integer() });
  /** The property: converted weights + `ropeForConverted` reproduce the interleaved model's scores. */
  const conversionProperty = (convert: (w: Matrix, heads: number) => Matrix, ropeForConverted: Rope) =>
    fc.property(modelCase, ({ heads, halfD, dModel, n, seed }) => {
      const r = rng(seed);
      const [wq, wk] = [randomMatrix(heads * 2 * halfD, dModel, r), randomMatrix(heads * 2 * halfD, dModel, r)];
      const x = randomMatrix(n, dModel, r);
      const original = headScores(x, wq, wk, heads, ropeOf('interleaved'));
      const converted = headScores(x, convert(wq, heads), convert(wk, heads), heads, ropeForConverted);
      return original.every((s, h) => maxAbsDiff(s, converted[h]!) < 1e-9);
    });

  it('permuted W_Q, W_K with the half layout give exactly the interleaved model scores', () => {
    fc.assert(conversionProperty(permuteRopeWeights, ropeOf('half')), { numRuns: 150 });
  });

  it('rejects the half layout on unconverted weights (rotating pairs the weights were not trained for)', () => {
    expect(fc.check(conversionProperty((w) => w, ropeOf('half')), { numRuns: 150, seed: 8 }).failed).toBe(true);
  });

  it('rejects converted weights run with the interleaved layout, and the mixed-layout table', () => {
    expect(fc.check(conversionProperty(permuteRopeWeights, ropeOf('interleaved')), { numRuns: 150, seed: 9 }).failed).toBe(true);
    expect(fc.check(conversionProperty(permuteRopeWeights, mixedVariant), { numRuns: 150, seed: 9 }).failed).toBe(true);
  });

  it('P = (0, 2, 4, 1, 3, 5) for d = 6 (the row order HF permute gives one head)', () => {
    expect(interleavedToHalfPermutation(6)).toEqual([0, 2, 4, 1, 3, 5]);
    expect(toRows(permuteRopeWeights(fromRows([[0], [1], [2], [3]]), 1))).toEqual([[0], [2], [1], [3]]);
  });
});

describe('RoFormer long-term decay', () => {
  test.prop([vectorPair, position, position], { numRuns: 200 })('|<RoPE(q, m), RoPE(k, n)>| <= max_i |h_{i+1} - h_i| * sum_j |S_j| (summation by parts, interleaved pairs)', ({ q, k }, m, n) => {
    expect(Math.abs(ropeScore(q, k, m, n, { layout: 'interleaved' }))).toBeLessThanOrEqual(ropeScoreBound(q, k, m - n) * (1 + 1e-12) + 1e-12);
  });

  it('the distance factor starts at (d/2 + 1) / 2 and decays: d = 128 averages 24.1 over r < 10, 8.9 over 100 <= r < 200, 5.3 over 1000 <= r < 2000', () => {
    const average = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => relativeDecayBound(128, from + i)).reduce((s, v) => s + v, 0) / (to - from);
    expect(relativeDecayBound(128, 0)).toBeCloseTo(32.5, 12);
    const [near, mid, far] = [average(0, 10), average(100, 200), average(1000, 2000)];
    expect(near).toBeCloseTo(24.13, 2);
    expect(mid).toBeCloseTo(8.93, 2);
    expect(far).toBeCloseTo(5.33, 2);
    expect(near > mid && mid > far).toBe(true);
  });

  it('the bound depends only on |m - n|', () => {
    fc.assert(fc.property(evenDim, position, (d, r) => Math.abs(relativeDecayBound(d, r) - relativeDecayBound(d, -r)) < 1e-9), { numRuns: 100 });
  });
});

describe('extrapolation: position interpolation and NTK-aware scaling', () => {
  test.prop([fc.integer({ min: 1, max: 4 }), evenDim, fc.double({ min: 1, max: 16, noNaN: true }), fc.integer({ min: 0, max: 4096 }), fc.integer()], { numRuns: 100 })('PI by s at position s m equals plain RoPE at m', (n, d, s, m, seed) => {
    const x = randomMatrix(n, d, rng(seed));
    const pi = applyRope(x, { scaling: { kind: 'linear', factor: s }, positions: Array.from({ length: n }, (_, t) => s * (m + t)) });
    expect(maxAbsDiff(pi, applyRope(x, { offset: m }))).toBeLessThan(1e-9);
  });

  test.prop([fc.integer({ min: 2, max: 64 }).map((h) => 2 * h), fc.double({ min: 1, max: 32, noNaN: true })], { numRuns: 100 })('NTK keeps the fastest pair and slows the slowest by exactly s; factor 1 is plain RoPE', (d, s) => {
    const plain = ropeFrequencies(d);
    const ntk = ropeFrequencies(d, { scaling: { kind: 'ntk', factor: s } });
    expect(ntk[0]).toBe(plain[0]);
    expect(ntk[d / 2 - 1]! / plain[d / 2 - 1]!).toBeCloseTo(1 / s, 10);
    ntk.forEach((t, i) => expect(t).toBeLessThanOrEqual(plain[i]! * (1 + 1e-12)));
    expect(ropeFrequencies(d, { scaling: { kind: 'ntk', factor: 1 } })).toEqual(plain);
    expect(ropeFrequencies(d, { scaling: { kind: 'linear', factor: 1 } })).toEqual(plain);
  });

  it('beyond the trained length L = 2048 (d = 128) plain RoPE meets unseen angles; PI by 4 never does up to 4L; NTK overshoots far less', () => {
    const L = 2048;
    expect(angleOvershoot(L - 1, L, 128)).toBeCloseTo(1, 12);
    expect(angleOvershoot(4 * L - 1, L, 128)).toBeGreaterThan(3.9);
    expect(angleOvershoot(4 * L - 1, L, 128, { scaling: { kind: 'linear', factor: 4 } })).toBeLessThanOrEqual(1.001);
    const ntk = angleOvershoot(4 * L - 1, L, 128, { scaling: { kind: 'ntk', factor: 4 } });
    expect(ntk).toBeGreaterThan(1);
    expect(ntk).toBeLessThan(2);
  });
});

describe('inside multi-head attention (the transformQK hook)', () => {
  /** With RoPE, self-attention cannot tell where the sequence starts: a global position offset changes nothing. */
  const offsetProperty = (rope: (offset: number) => (x: Matrix) => Matrix) =>
    fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 1000 }), fc.integer(), (heads, halfD, n, offset, seed) => {
      const r = rng(seed);
      const w = initMultiHeadAttention({ dModel: 4, numHeads: heads, headDim: 2 * halfD }, r);
      const x = randomMatrix(n, 4, r);
      const at = (o: number) => multiHeadAttention(x, w, { numHeads: heads }, { causal: true, transformQK: rope(o) }).output;
      return maxAbsDiff(at(0), at(offset)) < 1e-9;
    });

  it('RoPE-MHA output does not change when every position is shifted by the same offset', () => {
    fc.assert(offsetProperty((offset) => ropeTransform({ offset })), { numRuns: 60 });
  });

  it('the hook is RoPE itself (with its options), so the layer differs from one without it', () => {
    const x = randomMatrix(5, 4, rng(11));
    expect(ropeTransform({ offset: 3, layout: 'interleaved' })(x)).toEqual(applyRope(x, { offset: 3, layout: 'interleaved' }));
    const w = initMultiHeadAttention({ dModel: 4, numHeads: 2, headDim: 2 }, rng(12));
    const withRope = multiHeadAttention(x, w, { numHeads: 2 }, { causal: true, transformQK: ropeTransform() }).output;
    expect(maxAbsDiff(withRope, multiHeadAttention(x, w, { numHeads: 2 }, { causal: true }).output)).toBeGreaterThan(1e-3);
  });

  it('rejects the mixed-layout RoPE inside the same layer', () => {
    expect(fc.check(offsetProperty((offset) => (x) => applyRopeMixedLayoutVariant(x, { offset })), { numRuns: 60, seed: 10 }).failed).toBe(true);
  });
});

describe('complexity: 2 n d multiply-adds, O(n d)', () => {
  test.prop([fc.integer({ min: 1, max: 64 }), evenDim], { numRuns: 30 })('counted', (n, d) => {
    const ops = { madds: 0 };
    applyRope(matrix(n, d), { ops });
    expect(ops.madds).toBeLessThanOrEqual(2 * n * d);
    expect(ops.madds).toBeGreaterThanOrEqual(n * d);
  });
});

describe('bad input gets a typed error naming the argument and the shape', () => {
  it('an odd head dimension cannot be split into pairs', () => {
    expect(() => applyRope(matrix(2, 5))).toThrow(ArgumentError);
    expect(() => applyRope(matrix(2, 5))).toThrow('x: got shape [2, 5] (odd or zero head dimension 5), expected an even head dimension >= 2');
    expect(() => permuteRopeWeights(matrix(6, 4), 2)).toThrow('w: got shape [6, 4] (head dimension 3 with 2 heads), expected an even head dimension');
  });

  it('positions must match the rows, scaling factors be >= 1, the layout be known', () => {
    expect(() => applyRope(matrix(2, 4), { positions: [1] })).toThrow('positions: got an array of length 1, expected 2 positions, one per row of x');
    expect(() => applyRope(matrix(2, 4), { scaling: { kind: 'linear', factor: 0.5 } })).toThrow('scaling.factor: got 0.5, expected a factor >= 1');
    expect(() => applyRope(matrix(2, 4), { layout: 'neox' as RopeLayout })).toThrow("layout: got \"neox\", expected 'interleaved' or 'half'");
    expect(() => ropeScore([1, 2], [1, 2, 3, 4], 0, 0)).toThrow('k: got an array of length 4, expected length 2 like q');
  });

  it('d must be an even integer >= 2 (>= 4 for NTK), the base > 1, the layout permutation needs heads dividing the rows', () => {
    for (const d of [0, -2, 2.5, 3, Number.NaN]) expect(() => ropeFrequencies(d)).toThrow(/^d: got .*, expected an even head dimension >= 2/);
    expect(() => interleavedToHalfPermutation(0)).toThrow(ArgumentError);
    expect(ropeFrequencies(2)).toEqual(Float64Array.from([1]));
    expect(() => ntkScaledBase(10000, 2, 2)).toThrow('d: got 2, expected d >= 4 for NTK scaling');
    expect(() => ropeFrequencies(2, { scaling: { kind: 'ntk', factor: 2 } })).toThrow('d: got 2, expected d >= 4 for NTK scaling');
    for (const base of [1, 0.5, 0, -10]) expect(() => ropeFrequencies(4, { base })).toThrow(`base: got ${base}, expected a number > 1`);
    expect(() => permuteRopeWeights(matrix(6, 4), 4)).toThrow('w: got shape [6, 4], expected rows divisible by numHeads = 4');
    expect(() => permuteRopeWeights(matrix(4, 4), 0)).toThrow('numHeads: got 0, expected an integer >= 1');
    expect(() => angleOvershoot(10, 1, 4)).toThrow('trainLength: got 1, expected an integer >= 2');
  });

  it('vectors and positions must be array-likes: an ArgumentTypeError names which argument is not', () => {
    for (const bad of [null, 5, 'abcd', {}, undefined]) {
      expect(() => rotate(bad as unknown as number[], 0)).toThrow(ArgumentTypeError);
      expect(() => rotate(bad as unknown as number[], 0)).toThrow(/^v: got .*, expected an array of numbers/);
      expect(() => ropeScore(bad as unknown as number[], [1, 2], 0, 0)).toThrow(/^q: got .*, expected an array of numbers/);
      expect(() => ropeScore([1, 2], bad as unknown as number[], 0, 0)).toThrow(/^k: got .*, expected an array of numbers/);
      expect(() => ropeScoreBound(bad as unknown as number[], [1, 2], 0)).toThrow(/^q: got /);
      expect(() => ropeScoreBound([1, 2], bad as unknown as number[], 0)).toThrow(/^k: got /);
    }
    for (const bad of [null, 5, 'ab']) {
      expect(() => applyRope(matrix(2, 4), { positions: bad as unknown as number[] })).toThrow(ArgumentTypeError);
      expect(() => applyRope(matrix(2, 4), { positions: bad as unknown as number[] })).toThrow(/^positions: got .*, expected an array of positions, one per row/);
    }
    expect(() => ropeScoreBound([1, 2], [1, 2, 3, 4], 0)).toThrow('k: got an array of length 4, expected length 2 like q');
  });
});

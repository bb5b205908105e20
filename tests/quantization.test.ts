/**
 * Answer key for Q33, quantization. Worked examples (Manning's absmax vector, the uint8 ReLU6 grid,
 * MDN's and core-js's Math.f16round vectors, the float16 edges 65504 / 65520 / 65519.99), then the
 * int8 properties (error <= S / 2 in range, 0 exact with a zero point, quantize o dequantize = id
 * on codes, symmetric rounding is odd, the textbook equals the general quantizer, per-channel rows
 * bounded by their own S_c / 2 <= S / 2), float16 and bfloat16 against brute-force oracles (the
 * nearest of all 65,536 values of each format, decoded by a separate decoder in this file; bfloat16
 * also against float32 bits), idempotence and monotonicity, the tfjs twin, memory per format, and
 * the six pitfalls rejected by the properties the right answers pass. Input checks:
 * tests/inputs/quantization.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  asymmetricParams,
  bf16round,
  bfloat16Bits,
  bfloat16BitsOfFloat32,
  bfloat16FromBits,
  channelParams,
  decodeBfloat16,
  decodeFloat16,
  dequantize,
  dequantizeInt8,
  encodeBfloat16,
  encodeFloat16,
  f16round,
  fakeQuantize,
  fakeQuantizePerChannel,
  fakeQuantizePerTensor,
  fakeQuantizeTfMatrix,
  float16Bits,
  float16FromBits,
  INT4,
  INT8,
  intRange,
  paramsFromRange,
  pitfallAsymmetricRealZeroPoint,
  pitfallBfloat16Truncate,
  pitfallF16roundViaFloat32,
  pitfallPerChannelOverColumns,
  pitfallQuantizeMathRound,
  pitfallSymmetricScaleOver128,
  quantError,
  quantize,
  quantizeInt8,
  roundHalfToEven,
  symmetricParams,
  tensorParams,
  UINT8,
  weightBytes,
  type QuantParams,
  type QuantScheme,
} from '../ml/quantization/index.js';
import { fromRows, matrix, type Matrix } from '../core/matrix.js';
import { rejectsPitfall } from './support/answer-key.js';

// ---------------------------------------------------------------- oracles written here

/**
 * The non-negative values of a 16-bit float format (e exponent bits, m fraction bits) in
 * bit-pattern order, decoded by the textbook formula; the last entry is the pattern of +Infinity
 * read as if the exponent were unbounded (2^(bias + 1)): IEEE rounds to it, and it overflows.
 */
function positiveValues(e: number, m: number): number[] {
  const bias = 2 ** (e - 1) - 1;
  const values: number[] = [];
  for (let h = 0; h <= (2 ** e - 1) * 2 ** m; h++) {
    const E = Math.floor(h / 2 ** m);
    const f = h % 2 ** m;
    values.push(E === 0 ? f * 2 ** (1 - bias - m) : (1 + f / 2 ** m) * 2 ** (E - bias));
  }
  return values;
}

const HALF = positiveValues(5, 10);
const BF16 = positiveValues(8, 7);

/** Brute force: the table's nearest value, ties to the even pattern, past the last = Infinity. */
function nearest(x: number, table: readonly number[]): number {
  const sign = x < 0 || Object.is(x, -0) ? -1 : 1;
  const a = Math.abs(x);
  const top = table.length - 1;
  if (a >= table[top]!) return sign * Infinity;
  let lo = 0;
  let hi = top; // table[lo] <= a < table[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (table[mid]! <= a) lo = mid;
    else hi = mid;
  }
  const below = a - table[lo]!;
  const above = table[hi]! - a;
  const i = below < above ? lo : above < below ? hi : lo % 2 === 0 ? lo : hi;
  return i === top ? sign * Infinity : sign * table[i]!;
}

/** Doubles where rounding is hard: exactly on, or a hair off, a midpoint between two neighbours. */
const nearMidpoint = (table: readonly number[]) =>
  fc
    .record({
      h: fc.integer({ min: 0, max: table.length - 2 }),
      k: fc.constantFrom(-1, 0, 1),
      t: fc.integer({ min: 14, max: 50 }),
      negative: fc.boolean(),
    })
    .map(({ h, k, t, negative }) => {
      const mid = (table[h]! + table[h + 1]!) / 2;
      const x = mid + k * mid * 2 ** -t;
      return negative ? -x : x;
    });

const anyDouble = (max: number) => fc.double({ min: -max, max, noNaN: true });

// ---------------------------------------------------------------- worked examples

describe('worked examples', () => {
  it('Manning: absmax 0.5, x = 0.1 -> x / S = 25.4 -> q = 25, x̂ = 25 * 0.5 / 127 ~ 0.0984', () => {
    const { q, scale } = quantizeInt8([0.5, 0.1]);
    expect(scale).toBe(0.5 / 127);
    expect(Array.from(q)).toEqual([127, 25]);
    const xHat = dequantizeInt8(q, scale)[1]!;
    expect(xHat).toBe(25 * (0.5 / 127));
    expect(xHat).toBeCloseTo(0.0984, 4);
  });

  it('the module example: [0.5, 0.1, -0.3] -> [127, 25, -76] in an Int8Array', () => {
    const { q } = quantizeInt8([0.5, 0.1, -0.3]);
    expect(q).toBeInstanceOf(Int8Array);
    expect(Array.from(q)).toEqual([127, 25, -76]);
  });

  it('ReLU6 in uint8: range [0, 6] gives S = 6/255, Z = 0; 0.25 -> 10.625 -> q = 11 -> x̂ ~ 0.2588', () => {
    const p = paramsFromRange(0, 6, UINT8);
    expect(p).toEqual({ scale: 6 / 255, zeroPoint: 0, qMin: 0, qMax: 255 });
    const q = quantize([0.25, 0, 6], p);
    expect(Array.from(q)).toEqual([11, 0, 255]);
    const xHat = dequantize(q, p);
    expect(xHat[0]).toBeCloseTo(0.2588, 4);
    expect(xHat[1]).toBe(0);
  });

  it('round half to even: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, 0.5 -> 0, -3.5 -> -4', () => {
    expect([2.5, 3.5, -2.5, 0.5, -3.5, 2.4, -2.6].map(roundHalfToEven)).toEqual([
      2, 4, -2, 0, -4, 2, -3,
    ]);
  });

  it("MDN's Math.f16round vectors: 5.05 -> 5.05078125, 1.337 -> 1.3369140625, 100000 -> Infinity", () => {
    expect(f16round(5.05)).toBe(5.05078125);
    expect(f16round(-5.05)).toBe(-5.05078125);
    expect(f16round(5.5)).toBe(5.5);
    expect(f16round(1.337)).toBe(1.3369140625);
    expect(f16round(100000)).toBe(Infinity);
  });

  it("core-js's f16round vectors: the smallest subnormal and the ties around it, signed zeros, 1.1", () => {
    const min = 2 ** -24;
    expect(f16round(min)).toBe(min);
    expect(f16round(-min)).toBe(-min);
    expect(Object.is(f16round(min / 2), 0)).toBe(true); // a tie: goes to the even 0
    expect(Object.is(f16round(-min / 2), -0)).toBe(true);
    expect(
      f16round(2.980232238769531911744490042422139897126953655970282852649688720703125e-8),
    ).toBe(min);
    expect(Object.is(f16round(Number.MIN_VALUE), 0)).toBe(true);
    expect(Object.is(f16round(-0), -0)).toBe(true);
    expect(f16round(Number.MAX_VALUE)).toBe(Infinity);
    expect(f16round(-Number.MAX_VALUE)).toBe(-Infinity);
    expect(f16round(1.1)).toBe(1.099609375);
  });

  it('the top of float16: 65504 is exact (0x7bff), 65520 overflows to Infinity, 65519.99 -> 65504', () => {
    expect(f16round(65504)).toBe(65504);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(f16round(65520)).toBe(Infinity);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(f16round(65519.99)).toBe(65504);
    expect(f16round(-65520)).toBe(-Infinity);
    expect(float16FromBits(0x3c00)).toBe(1);
    expect(float16FromBits(0x0001)).toBe(2 ** -24);
    expect(float16FromBits(0x0400)).toBe(2 ** -14);
    expect(float16FromBits(0xfc00)).toBe(-Infinity);
  });

  it('bfloat16 [local]: 1.1 -> 0x3f8d = 1.1015625; 1 + 2^-8 is a tie and goes to even 1; bf16 of 3.4e38 overflows', () => {
    expect(bfloat16Bits(1.1)).toBe(0x3f8d);
    expect(bf16round(1.1)).toBe(1.1015625);
    expect(bf16round(1 + 2 ** -8)).toBe(1);
    expect(bf16round(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(bf16round(3.4e38)).toBe(Infinity);
    expect(bfloat16FromBits(0x7f7f)).toBe((2 - 2 ** -7) * 2 ** 127);
  });
});

// ---------------------------------------------------------------- int8 properties

/**
 * Values for the integer grids. Magnitudes below 1e-30 are made 0: the bounds need S = max |x| /
 * q_max to be a normal float32 and float64 (a subnormal scale has too few bits to hold the grid).
 */
const tame = (x: number) => (Math.abs(x) < 1e-30 ? 0 : x);
const values = fc.array(anyDouble(100).map(tame), { minLength: 1, maxLength: 24 });
const schemes: QuantScheme[] = ['symmetric', 'asymmetric'];

/** Within the grid's range, rounding errs by at most half a step (float slack 1e-9 relative). */
const withinHalfStep = (x: number, xHat: number, scale: number) =>
  Math.abs(x - xHat) <= (scale / 2) * (1 + 1e-9);

/**
 * The symmetric int8 bound: x̂ from `fakeQ` is within S / 2 of x, S = max |x| / 127 (the grid a
 * correct absmax quantizer uses, so every x is in range).
 */
const symmetricBound = (fakeQ: (xs: number[]) => ArrayLike<number>) =>
  fc.property(values, (xs) => {
    const scale = Math.max(...xs.map(Math.abs)) / 127 || 1;
    const xHat = fakeQ(xs);
    return xs.every((x, i) => withinHalfStep(x, xHat[i]!, scale));
  });

describe('int8: the error of a value in range is at most S / 2', () => {
  it('holds for the textbook quantizeInt8 and for the general symmetric grid', () => {
    fc.assert(
      symmetricBound((xs) => {
        const { q, scale } = quantizeInt8(xs);
        return dequantizeInt8(q, scale);
      }),
      { seed: 1, numRuns: 200 },
    );
    fc.assert(
      symmetricBound((xs) => fakeQuantize(xs, symmetricParams(xs))),
      { seed: 2, numRuns: 200 },
    );
  });

  it('rejects S = max |x| / 128 with codes [-128, 127] (pitfallSymmetricScaleOver128): the max is clipped', () => {
    rejectsPitfall(symmetricBound(pitfallSymmetricScaleOver128), { seed: 1, numRuns: 200 });
  });

  test.prop([values, fc.constantFrom(INT8, UINT8, INT4, intRange(12, true))], { numRuns: 200 })(
    'asymmetric grids at 4, 8 and 12 bits: |x - x̂| <= S / 2 for every value (all are in range)',
    (xs, range) => {
      const p = asymmetricParams(xs, range);
      const xHat = fakeQuantize(xs, p);
      xs.forEach((x, i) => expect(withinHalfStep(x, xHat[i]!, p.scale)).toBe(true));
    },
  );

  test.prop([values, fc.integer({ min: 2, max: 16 })], { numRuns: 100 })(
    'outside the range the code clips: a value past the calibrated max comes back as the max',
    (xs, bits) => {
      const p = symmetricParams(xs, bits);
      const big = p.scale * (p.qMax + 2);
      expect(Array.from(quantize([big, -big], p))).toEqual([p.qMax, p.qMin]);
      expect(dequantize(quantize([big], p), p)[0]).toBe(p.scale * p.qMax);
    },
  );
});

/** 0 must come back exactly as 0 (padding, ReLU zeros, sparse weights). */
const zeroExact = (fakeQ: (xs: number[]) => ArrayLike<number>) =>
  fc.property(values, fc.nat(24), (xs, at) => {
    const withZero = [...xs];
    withZero.splice(at % (xs.length + 1), 0, 0);
    const xHat = fakeQ(withZero);
    return withZero.every((x, i) => x !== 0 || xHat[i] === 0);
  });

describe('asymmetric: zero is exactly representable', () => {
  it('holds with the rounded zero point Z = round(q_min - r_min / S), for int8, uint8 and int4', () => {
    for (const range of [INT8, UINT8, INT4])
      fc.assert(
        zeroExact((xs) => fakeQuantize(xs, asymmetricParams(xs, range))),
        { seed: 3, numRuns: 100 },
      );
  });

  it('rejects a zero point left real (pitfallAsymmetricRealZeroPoint): 0 comes back as S (round(Z) - Z)', () => {
    rejectsPitfall(zeroExact(pitfallAsymmetricRealZeroPoint), { seed: 3, numRuns: 100 });
  });
});

/** Random grids and codes inside them. */
const gridAndCodes = fc
  .record({
    bits: fc.integer({ min: 2, max: 16 }),
    signed: fc.boolean(),
    scale: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
    z: fc.double({ min: 0, max: 1, noNaN: true }),
    codes: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
  })
  .map(({ bits, signed, scale, z, codes }) => {
    const { qMin, qMax } = intRange(bits, signed);
    const pick = (u: number) => Math.min(qMax, qMin + Math.floor(u * (qMax - qMin + 1)));
    const params: QuantParams = { scale, zeroPoint: pick(z), qMin, qMax };
    return { params, q: codes.map(pick) };
  });

describe('quantize o dequantize is the identity on codes', () => {
  test.prop([gridAndCodes], { numRuns: 200 })(
    'quantize(dequantize(q)) = q for any grid (any scale, zero point, 2..16 bits) and codes in range',
    ({ params, q }) => {
      expect(Array.from(quantize(dequantize(q, params), params))).toEqual(q);
    },
  );

  test.prop([values, fc.constantFrom(...schemes)], { numRuns: 100 })(
    'fake quantization is idempotent: x̂ is already on the grid',
    (xs, scheme) => {
      const p = tensorParams(xs, scheme);
      const once = fakeQuantize(xs, p);
      expect(Array.from(fakeQuantize(once, p))).toEqual(Array.from(once));
    },
  );
});

/** Symmetric quantization on a fixed grid is odd, q(-x) = -q(x); ties (x = k / 2) test it. */
const oddSymmetric = (quant: (xs: number[], p: QuantParams) => Int32Array) =>
  fc.property(fc.array(fc.integer({ min: -250, max: 250 }), { minLength: 1 }), (ks) => {
    const p: QuantParams = { scale: 1, zeroPoint: 0, qMin: -127, qMax: 127 };
    const xs = ks.map((k) => k / 2);
    const plus = quant(xs, p);
    const minus = quant(
      xs.map((x) => -x),
      p,
    );
    return xs.every((_, i) => plus[i] === -minus[i]!);
  });

describe('symmetric rounding is odd', () => {
  it('holds with round half to even', () => {
    fc.assert(oddSymmetric(quantize), { seed: 4, numRuns: 100 });
  });

  it('rejects Math.round (pitfallQuantizeMathRound): 2.5 -> 3 but -2.5 -> -2', () => {
    rejectsPitfall(oddSymmetric(pitfallQuantizeMathRound), { seed: 4, numRuns: 100 });
  });
});

describe('the textbook answer equals the general quantizer', () => {
  test.prop([values], { numRuns: 200 })(
    'quantizeInt8 = quantize(symmetricParams(x, 8)): the same scale and codes',
    (xs) => {
      const textbook = quantizeInt8(xs);
      const p = symmetricParams(xs, 8);
      expect(textbook.scale).toBe(p.scale);
      expect(Array.from(textbook.q)).toEqual(Array.from(quantize(xs, p)));
    },
  );

  it('an all-zero tensor gets S = 1 and every code 0', () => {
    expect(quantizeInt8([0, 0, -0]).scale).toBe(1);
    expect(Array.from(quantizeInt8([0, 0]).q)).toEqual([0, 0]);
    expect(asymmetricParams([0, 0])).toEqual({ scale: 1, zeroPoint: -128, qMin: -128, qMax: 127 });
  });
});

// ---------------------------------------------------------------- per channel

/** Weights [d_out, d_in] whose rows differ in scale by up to 10^4 (what makes per-channel pay). */
const weights = fc
  .record({
    rows: fc.integer({ min: 1, max: 6 }),
    cols: fc.integer({ min: 1, max: 8 }),
    seed: fc.array(fc.double({ min: -1, max: 1, noNaN: true }).map(tame), {
      minLength: 48,
      maxLength: 48,
    }),
    exponents: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 6, maxLength: 6 }),
  })
  .map(({ rows, cols, seed, exponents }) =>
    matrix(
      rows,
      cols,
      Array.from(
        { length: rows * cols },
        (_, k) => seed[k]! * 10 ** exponents[Math.floor(k / cols)]!,
      ),
    ),
  );

const rowOf = (m: Matrix, c: number) => Array.from(m.data.subarray(c * m.cols, (c + 1) * m.cols));

/** Every row c of x̂ is within S_c / 2 of w's row, S_c = max |w_c| / 127 (its own absmax grid). */
const rowsWithinOwnHalfStep = (fakeQ: (w: Matrix) => Matrix) =>
  fc.property(weights, (w) => {
    const xHat = fakeQ(w);
    for (let c = 0; c < w.rows; c++) {
      const row = rowOf(w, c);
      const sc = Math.max(...row.map(Math.abs)) / 127 || 1;
      const got = rowOf(xHat, c);
      if (!row.every((x, j) => withinHalfStep(x, got[j]!, sc))) return false;
    }
    return true;
  });

describe('per channel: each output row is bounded by its own S_c / 2, never more than the per-tensor S / 2', () => {
  it('holds for fakeQuantizePerChannel (symmetric)', () => {
    fc.assert(rowsWithinOwnHalfStep(fakeQuantizePerChannel), { seed: 5, numRuns: 200 });
  });

  it('rejects scales taken over the columns (pitfallPerChannelOverColumns)', () => {
    rejectsPitfall(rowsWithinOwnHalfStep(pitfallPerChannelOverColumns), { seed: 5, numRuns: 200 });
  });

  test.prop([weights, fc.constantFrom(...schemes)], { numRuns: 200 })(
    'S_c <= S for every row, and row c errs by at most S_c / 2 <= S / 2 (symmetric and asymmetric)',
    (w, scheme) => {
      const perTensor = tensorParams(w.data, scheme);
      const perRow = channelParams(w, scheme);
      const xHat = fakeQuantizePerChannel(w, scheme);
      perRow.forEach((p, c) => {
        // an all-zero row gets S_c = 1 by convention (and errs by 0)
        if (rowOf(w, c).some((x) => x !== 0))
          expect(p.scale).toBeLessThanOrEqual(perTensor.scale * (1 + 1e-12));
        const e = quantError(rowOf(w, c), rowOf(xHat, c)).maxAbs;
        expect(e).toBeLessThanOrEqual((p.scale / 2) * (1 + 1e-9));
      });
    },
  );

  test.prop([weights, fc.constantFrom(...schemes)], { numRuns: 100 })(
    'a single-row weight: per channel is per tensor',
    (w, scheme) => {
      const one = matrix(1, w.cols, rowOf(w, 0));
      expect(Array.from(fakeQuantizePerChannel(one, scheme).data)).toEqual(
        Array.from(fakeQuantizePerTensor(one, scheme).data),
      );
    },
  );

  it('the bound is per row, not per value: on rows [127, 0] and [2, 1] the per-tensor grid (S = 1) happens to be exact on row 2, per channel errs by 1/127', () => {
    const w = fromRows([
      [127, 0],
      [2, 1],
    ]);
    const tensorErr = quantError(rowOf(w, 1), rowOf(fakeQuantizePerTensor(w), 1)).maxAbs;
    const channelErr = quantError(rowOf(w, 1), rowOf(fakeQuantizePerChannel(w), 1)).maxAbs;
    expect(tensorErr).toBe(0);
    expect(channelErr).toBeCloseTo(1 / 127, 12); // 1 / (2 / 127) = 63.5, a tie, goes to 64
    expect(channelErr).toBeLessThanOrEqual(2 / 127 / 2 + 1e-15); // its own bound S_c / 2
  });
});

// ---------------------------------------------------------------- float16

/** f16round agrees with the nearest of all float16 values (ties to even, overflow to Infinity). */
const matchesHalfOracle = (round: (x: number) => number) =>
  fc.property(
    fc.oneof(anyDouble(70_000), anyDouble(1e-3), nearMidpoint(HALF), fc.double({ noNaN: true })),
    (x) => Object.is(round(x), nearest(x, HALF)),
  );

describe('float16 against the brute-force oracle (all 65,536 values)', () => {
  it('f16round is the nearest float16 on doubles near and away from midpoints, subnormals included', () => {
    fc.assert(matchesHalfOracle(f16round), { seed: 6, numRuns: 2000 });
  });

  it('rejects rounding through float32 first (pitfallF16roundViaFloat32): double rounding at midpoints', () => {
    const [x] = rejectsPitfall(matchesHalfOracle(pitfallF16roundViaFloat32), {
      seed: 6,
      numRuns: 2000,
    });
    expect(pitfallF16roundViaFloat32(x)).not.toBe(f16round(x));
  });

  it('the pitfall fails on a hand-made case: 1 + 2^-11 + 2^-40 is just above a midpoint', () => {
    const x = 1 + 2 ** -11 + 2 ** -40;
    expect(f16round(x)).toBe(1 + 2 ** -10);
    expect(pitfallF16roundViaFloat32(x)).toBe(1);
  });

  it('exhaustively: every bit pattern decodes and re-encodes to itself (NaNs aside), and decodes as the oracle table', () => {
    const wrong: number[] = []; // patterns that fail (one expect at the end: 65,536 are fast)
    for (let h = 0; h <= 0xffff; h++) {
      const v = float16FromBits(h);
      const magnitude = h & 0x7fff;
      if (Number.isNaN(v)) {
        if (magnitude <= 0x7c00) wrong.push(h); // only 0x7c01..0x7fff (and negatives) are NaN
      } else if (
        float16Bits(v) !== h ||
        Math.abs(v) !== (magnitude === 0x7c00 ? Infinity : HALF[magnitude])
      )
        wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('exhaustively: every midpoint between neighbouring float16 values rounds to the even pattern', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x7c00; h++) {
      const mid = (HALF[h]! + HALF[h + 1]!) / 2;
      const even = h % 2 === 0 ? h : h + 1;
      if (float16Bits(mid) !== even || float16Bits(-mid) !== (even | 0x8000)) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  test.prop([fc.double({ noNaN: true })], { numRuns: 500 })('f16round is idempotent', (x) => {
    expect(Object.is(f16round(f16round(x)), f16round(x))).toBe(true);
  });

  test.prop([fc.double({ noNaN: true }), fc.double({ noNaN: true })], { numRuns: 500 })(
    'f16round is monotone: x <= y implies f16round(x) <= f16round(y)',
    (a, b) => {
      const [x, y] = a <= b ? [a, b] : [b, a];
      expect(f16round(x)).toBeLessThanOrEqual(f16round(y));
    },
  );

  test.prop([fc.double({ min: 2 ** -14, max: 65504, noNaN: true })], { numRuns: 500 })(
    'in the normal range the relative error is at most 2^-11 (half of eps = 2^-10)',
    (x) => {
      expect(Math.abs(f16round(x) - x)).toBeLessThanOrEqual(2 ** -11 * x);
    },
  );

  test.prop([fc.array(anyDouble(1e5), { maxLength: 20 })], { numRuns: 100 })(
    'encodeFloat16 / decodeFloat16 are the scalar functions applied elementwise',
    (xs) => {
      const bits = encodeFloat16(xs);
      expect(Array.from(bits)).toEqual(xs.map(float16Bits));
      expect(Array.from(decodeFloat16(bits))).toEqual(xs.map(f16round));
    },
  );
});

// ---------------------------------------------------------------- bfloat16

const f32view = new DataView(new ArrayBuffer(4));
/** The float32 whose bits are `h << 16`: what a bfloat16 pattern means, read by the platform. */
function float32OfTopBits(h: number): number {
  f32view.setUint32(0, h * 0x10000);
  return f32view.getFloat32(0);
}

/** bf16round agrees with the nearest of all bfloat16 values. */
const matchesBf16Oracle = (round: (x: number) => number) =>
  fc.property(
    fc.oneof(anyDouble(1e4), nearMidpoint(BF16), fc.float({ noNaN: true }).map(Number)),
    (x) => Object.is(round(x), nearest(x, BF16)),
  );

describe('bfloat16: the top 16 bits of a float32, rounded to nearest even', () => {
  it('bf16round is the nearest of all 65,536 bfloat16 values', () => {
    fc.assert(matchesBf16Oracle(bf16round), { seed: 7, numRuns: 1000 });
  });

  it('rejects chopping the low 16 bits (pitfallBfloat16Truncate): it rounds towards zero', () => {
    rejectsPitfall(matchesBf16Oracle(pitfallBfloat16Truncate), { seed: 7, numRuns: 1000 });
  });

  it('exhaustively: each pattern decodes to the float32 with those top bits, and re-encodes to itself', () => {
    const wrong: number[] = [];
    for (let h = 0; h <= 0xffff; h++) {
      const v = float32OfTopBits(h);
      const ok = Number.isNaN(v)
        ? Number.isNaN(bfloat16FromBits(h))
        : Object.is(bfloat16FromBits(h), v) && bfloat16Bits(v) === h;
      if (!ok) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  test.prop([fc.float({ noNaN: true })], { numRuns: 1000 })(
    'on every float32 the textbook bit trick (u + 0x7fff + lsb) >> 16 equals the direct rounding',
    (x) => {
      expect(bfloat16BitsOfFloat32(x)).toBe(bfloat16Bits(x));
    },
  );

  test.prop([fc.double({ noNaN: true }), fc.double({ noNaN: true })], { numRuns: 300 })(
    'bf16round is idempotent and monotone',
    (a, b) => {
      const [x, y] = a <= b ? [a, b] : [b, a];
      expect(Object.is(bf16round(bf16round(x)), bf16round(x))).toBe(true);
      expect(bf16round(x)).toBeLessThanOrEqual(bf16round(y));
    },
  );

  test.prop([fc.array(anyDouble(1e5), { maxLength: 20 })], { numRuns: 100 })(
    'encodeBfloat16 / decodeBfloat16 are the scalar functions applied elementwise',
    (xs) => {
      const bits = encodeBfloat16(xs);
      expect(Array.from(bits)).toEqual(xs.map(bfloat16Bits));
      expect(Array.from(decodeBfloat16(bits))).toEqual(xs.map(bf16round));
    },
  );
});

// ---------------------------------------------------------------- tfjs

/** How close x / S is to a rounding tie (0.5 past an integer), where float32 and float64 differ. */
const tieDistance = (v: number) => Math.abs(Math.abs(v - Math.floor(v)) - 0.5);

describe('the tfjs fake-quantizer equals the from-scratch one (float32)', () => {
  const f32weights = weights.map((w) => matrix(w.rows, w.cols, Array.from(w.data, Math.fround)));

  test.prop(
    [f32weights, fc.constantFrom(...schemes), fc.constantFrom('tensor', 'channel' as const)],
    { numRuns: 24 },
  )(
    'per tensor and per channel, symmetric and asymmetric: equal to 1e-5 S, except next to a tie',
    async (w, scheme, granularity) => {
      const tf = await fakeQuantizeTfMatrix(w, scheme, granularity);
      const ours =
        granularity === 'tensor'
          ? fakeQuantizePerTensor(w, scheme)
          : fakeQuantizePerChannel(w, scheme);
      const grids =
        granularity === 'tensor'
          ? Array.from({ length: w.rows }, () => tensorParams(w.data, scheme))
          : channelParams(w, scheme);
      for (let i = 0; i < w.data.length; i++) {
        const p = grids[Math.floor(i / w.cols)]!;
        const nearTie =
          tieDistance(w.data[i]! / p.scale) < 1e-3 ||
          tieDistance(p.qMin - Math.min(0, ...w.data) / p.scale) < 1e-3;
        // float32: the grid agrees to 1e-5 of a step, the value to float32's 2^-24 relative
        const tol = 1e-5 * p.scale + 1e-6 * Math.abs(ours.data[i]!);
        if (!nearTie) expect(Math.abs(tf.data[i]! - ours.data[i]!)).toBeLessThanOrEqual(tol);
      }
    },
  );
});

// ---------------------------------------------------------------- memory

describe('memory: bytes per weight', () => {
  it('a 7B model: 28 GB in fp32, 14 GB in fp16 / bf16, 7 GB in int8, 3.5 GB in int4 (GB = 10^9 B)', () => {
    const p = 7_000_000_000;
    expect(['fp32', 'fp16', 'bf16', 'int8', 'int4'].map((f) => weightBytes(p, f as never))).toEqual(
      [28e9, 14e9, 14e9, 7e9, 3.5e9],
    );
  });

  it('an Int8Array of codes holds a quarter of the bytes of the Float32Array it came from', () => {
    const xs = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    expect(quantizeInt8(xs).q.byteLength * 4).toBe(xs.byteLength);
    expect(encodeFloat16(xs).byteLength * 2).toBe(xs.byteLength);
  });
});

/**
 * Answer key for Q13 and Q17, positional encodings. Worked values (sinusoidal row 1, ALiBi slopes
 * for 8 and 12 heads); the sinusoidal shift PE(p + k) = M_k PE(p) checked against a least-squares
 * fit (mathjs) and the per-coordinate-frequency variant rejected by the same property; tfjs
 * agreement for the table and for ALiBi + sliding-window attention; ALiBi and window invariants (the
 * off-by-one window rejected); learned tables cannot extrapolate; the window's work counted as O(n W d).
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as math from 'mathjs';
import {
  addPositions,
  alibiBias,
  alibiSlopes,
  learnedPositionTable,
  sinusoidalEncoding,
  sinusoidalEncodingTf,
  sinusoidalEncodingVariant,
  sinusoidalShift,
  slidingWindow,
  slidingWindowMask,
  type Visibility,
} from '../ml/positional-encoding.js';
import { attention, attentionTf } from '../ml/scaled-dot-product-attention.js';
import { ArgumentError } from '../core/errors.js';
import { fromRows, matmul, matrix, maxAbsDiff, randomMatrix, toRows, transpose, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';

const evenD = fc.integer({ min: 1, max: 16 }).map((h) => 2 * h);
const row = (m: Matrix, i: number) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
const matVec = (m: Matrix, v: number[]) => toRows(m).map((r) => r.reduce((s, x, j) => s + x * v[j]!, 0));

describe('worked examples', () => {
  it('sinusoidal, d = 4: PE(0) = [0, 1, 0, 1], PE(1) = [sin 1, cos 1, sin .01, cos .01] = [0.841471, 0.540302, 0.010000, 0.999950]', () => {
    const pe = sinusoidalEncoding(2, 4);
    expect(row(pe, 0)).toEqual([0, 1, 0, 1]);
    [0.841471, 0.540302, 0.01, 0.99995].forEach((v, j) => expect(row(pe, 1)[j]).toBeCloseTo(v, 6));
  });

  it('ALiBi slopes for 8 heads are 1/2, 1/4, ..., 1/256 (start 2^(-8/8), ratio the same)', () => {
    expect(alibiSlopes(8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => 2 ** -k));
  });

  it('non-power-of-two rule (the authors\' get_slopes): 12 heads = the 8 slopes of 8 heads + slopes 0, 2, 4, 6 of 16 heads', () => {
    const s = alibiSlopes(12);
    expect(s.slice(0, 8)).toEqual(alibiSlopes(8));
    [0.5, 1.5, 2.5, 3.5].forEach((e, i) => expect(s[8 + i]).toBeCloseTo(2 ** -e, 15));
    // 6 heads: 4 slopes of 4 heads (2^-2, 2^-4, 2^-6, 2^-8) + slopes 0 and 2 of 8 heads (2^-1, 2^-3)
    expect(alibiSlopes(6)).toEqual([2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8, 2 ** -1, 2 ** -3]);
  });

  it('ALiBi bias of slope 1/2 over 3 tokens is [[0, -.5, -1], [-.5, 0, -.5], [-1, -.5, 0]]; a window of 2 shows the diagonal and one key back', () => {
    expect(toRows(alibiBias(3, 3, 0.5))).toEqual([[0, -0.5, -1], [-0.5, 0, -0.5], [-1, -0.5, 0]]);
    expect(slidingWindowMask(3, 2)).toEqual([[true, false, false], [true, true, false], [false, true, true]]);
  });
});

describe('sinusoidal: PE(p + k) is a fixed linear map (a rotation) of PE(p)', () => {
  /** The property: for any p, PE(p + k) = M_k PE(p) with M_k built from k alone. */
  const shiftProperty = (encode: (n: number, d: number, options: { offset: number }) => Matrix) =>
    fc.property(evenD, fc.integer({ min: 0, max: 5000 }), fc.integer({ min: -300, max: 300 }), (d, p, k) => {
      const now = row(encode(1, d, { offset: p }), 0);
      const later = row(encode(1, d, { offset: p + k }), 0);
      return matVec(sinusoidalShift(k, d), now).every((x, j) => Math.abs(x - later[j]!) < 1e-8);
    });

  it('holds for the encoding', () => {
    fc.assert(shiftProperty(sinusoidalEncoding), { numRuns: 300 });
  });

  it('rejects the variant that indexes the frequency by coordinate j instead of pair i', () => {
    expect(fc.check(shiftProperty(sinusoidalEncodingVariant), { numRuns: 300, seed: 11 }).failed).toBe(true);
  });

  test.prop([fc.integer({ min: 1, max: 4 }).map((h) => 2 * h), fc.integer({ min: -50, max: 50 }), fc.integer()], { numRuns: 40 })(
    'an independent oracle: M fitted by least squares (mathjs) from 4d random positions equals sinusoidalShift(k)',
    (d, k, seed) => {
      const r = rng(seed);
      const ps = Array.from({ length: 4 * d }, () => r.integer(0, 20000));
      const A = ps.map((p) => row(sinusoidalEncoding(1, d, { offset: p }), 0));
      const B = ps.map((p) => row(sinusoidalEncoding(1, d, { offset: p + k }), 0));
      // A M^T = B  =>  M^T = (A^T A)^-1 A^T B
      const At = math.transpose(A);
      const Mt = math.multiply(math.inv(math.multiply(At, A)), math.multiply(At, B)) as number[][];
      expect(maxAbsDiff(transpose(fromRows(Mt)), sinusoidalShift(k, d))).toBeLessThan(1e-6);
    },
  );

  test.prop([evenD, fc.integer({ min: -1000, max: 1000 })], { numRuns: 100 })('M_k is orthogonal (a rotation) and M_a M_b = M_(a+b)', (d, k) => {
    const m = sinusoidalShift(k, d);
    const identity = matrix(d, d, Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0)));
    expect(maxAbsDiff(matmul(m, transpose(m)), identity)).toBeLessThan(1e-12);
    expect(maxAbsDiff(matmul(sinusoidalShift(3, d), m), sinusoidalShift(k + 3, d))).toBeLessThan(1e-9);
  });

  test.prop([evenD, fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: -100, max: 100 })], { numRuns: 100 })(
    'PE(p) . PE(p + k) = sum_i cos(k w_i) depends on k only (relative information inside an absolute code)',
    (d, p, q, k) => {
      const dot = (a: number) => {
        const pe = sinusoidalEncoding(1, d, { offset: a });
        const pk = sinusoidalEncoding(1, d, { offset: a + k });
        return row(pe, 0).reduce((s, x, j) => s + x * row(pk, 0)[j]!, 0);
      };
      expect(dot(p)).toBeCloseTo(dot(q), 8);
    },
  );
});

describe('from scratch agrees with tfjs (float32) to 1e-4', () => {
  test.prop([fc.integer({ min: 1, max: 32 }), evenD, fc.integer({ min: 0, max: 100 })], { numRuns: 20 })('the sinusoidal table', async (n, d, offset) => {
    expect(maxAbsDiff(sinusoidalEncoding(n, d, { offset }), await sinusoidalEncodingTf(n, d, { offset }))).toBeLessThan(1e-4);
  });

  test.prop([fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 16 }), fc.boolean(), fc.integer({ min: 1, max: 12 }), fc.integer()], { numRuns: 25 })(
    'ALiBi-biased attention with a sliding window or a causal mask',
    async (n, dk, heads, window, w, seed) => {
      const r = rng(seed);
      const [q, k, v] = [randomMatrix(n, dk, r), randomMatrix(n, dk, r), randomMatrix(n, 3, r)];
      const options = { bias: alibiBias(n, n, alibiSlopes(heads)[0]!), visible: window ? slidingWindow(w) : (i: number, j: number) => j <= i };
      expect(maxAbsDiff(attention(q, k, v, options).output, (await attentionTf(q, k, v, options)).output)).toBeLessThan(1e-4);
    },
  );
});

describe('ALiBi invariants', () => {
  test.prop([fc.integer({ min: 1, max: 64 })], { numRuns: 64 })('slopes are distinct, in (0, 1), and geometric when h is a power of two', (h) => {
    const s = alibiSlopes(h);
    expect(s).toHaveLength(h);
    expect(new Set(s).size).toBe(h);
    s.forEach((m) => expect(m > 0 && m < 1).toBe(true));
    if (Number.isInteger(Math.log2(h))) s.forEach((m, i) => expect(m).toBeCloseTo(2 ** ((-8 * (i + 1)) / h), 14));
  });

  test.prop([fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 6 }), fc.double({ min: 0.001, max: 1, noNaN: true })], { numRuns: 100 })(
    'the bias is 0 at distance 0, decreases with distance, and depends only on i - j',
    (n, extra, slope) => {
      const m = n + extra;
      const b = alibiBias(n, m, slope);
      for (let i = 0; i < n; i++) {
        const pos = m - n + i;
        expect(b.data[i * m + pos]).toBe(0);
        for (let j = 1; j <= pos; j++) expect(b.data[i * m + j - 1]!).toBeLessThan(b.data[i * m + j]!);
        if (i > 0) for (let j = 1; j < m; j++) expect(b.data[i * m + j]).toBeCloseTo(b.data[(i - 1) * m + j - 1]!, 12);
      }
    },
  );

  test.prop([fc.integer({ min: 2, max: 10 }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0.01, max: 2, noNaN: true }), fc.integer()], { numRuns: 60 })(
    'with identical keys the causal weights fall off geometrically: w_(j+1) / w_j = e^slope (a recency prior, no learned parameter)',
    (n, dk, slope, seed) => {
      const r = rng(seed);
      const key = Array.from(r.array(dk, () => r.normal()));
      const k = fromRows(Array.from({ length: n }, () => key));
      const { weights } = attention(randomMatrix(n, dk, r), k, randomMatrix(n, 1, r), { bias: alibiBias(n, n, slope), visible: (i, j) => j <= i });
      for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) expect(weights.data[i * n + j + 1]! / weights.data[i * n + j]!).toBeCloseTo(Math.exp(slope), 9);
    },
  );
});

describe('sliding window', () => {
  const windowCase = fc.record({ n: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 12 }), dk: fc.integer({ min: 1, max: 6 }), seed: fc.integer() });
  /** The property: query i sees exactly min(i + 1, W) keys, all in (i - W, i]. */
  const windowProperty = (visible: (w: number) => Visibility) =>
    fc.property(windowCase, ({ n, w, dk, seed }) => {
      const r = rng(seed);
      const { weights } = attention(randomMatrix(n, dk, r), randomMatrix(n, dk, r), randomMatrix(n, 1, r), { visible: visible(w) });
      return Array.from({ length: n }, (_, i) => row(weights, i)).every((ws, i) => ws.filter((x) => x > 0).length === Math.min(i + 1, w) && ws.every((x, j) => x === 0 || (j <= i && j > i - w)));
    });

  it('query i attends to itself and the W - 1 keys before it', () => {
    fc.assert(windowProperty(slidingWindow), { numRuns: 200 });
  });

  it('rejects the off-by-one window j >= i - W (W + 1 keys)', () => {
    const offByOne = (w: number): Visibility => (i, j) => j <= i && j >= i - w;
    expect(fc.check(windowProperty(offByOne), { numRuns: 200, seed: 12 }).failed).toBe(true);
  });

  test.prop([windowCase], { numRuns: 100 })('a window of at least n keys is plain causal attention', ({ n, dk, seed }) => {
    const r = rng(seed);
    const [q, k, v] = [randomMatrix(n, dk, r), randomMatrix(n, dk, r), randomMatrix(n, 2, r)];
    expect(maxAbsDiff(attention(q, k, v, { visible: slidingWindow(n) }).output, attention(q, k, v, { causal: true }).output)).toBeLessThan(1e-12);
  });

  test.prop([windowCase, fc.integer()], { numRuns: 100 })('output i does not change when keys and values outside its window change', ({ n, w, dk, seed }, seed2) => {
    const r = rng(seed);
    const [q, k, v] = [randomMatrix(n, dk, r), randomMatrix(n, dk, r), randomMatrix(n, 2, r)];
    const i = n - 1;
    const scramble = (m: Matrix) => {
      const c = matrix(m.rows, m.cols, m.data);
      const g = rng(seed2);
      for (let j = 0; j <= i - w; j++) for (let col = 0; col < m.cols; col++) c.data[j * m.cols + col] = g.normal();
      return c;
    };
    const before = attention(q, k, v, { visible: slidingWindow(w) }).output;
    const after = attention(q, scramble(k), scramble(v), { visible: slidingWindow(w) }).output;
    expect(row(after, i)).toEqual(row(before, i));
  });

  test.prop([fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 8 })], { numRuns: 40 })('work is at most n W (d_k + d_v) multiply-adds, not n^2', (n, w, d) => {
    const r = rng(n * 31 + w);
    const ops = { madds: 0 };
    attention(randomMatrix(n, d, r), randomMatrix(n, d, r), randomMatrix(n, d, r), { visible: slidingWindow(w), ops });
    expect(ops.madds).toBeLessThanOrEqual(n * Math.min(w, n) * 2 * d);
    expect(ops.madds).toBeGreaterThanOrEqual(n * 2 * d);
  });
});

describe('learned absolute table', () => {
  test.prop([fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 4 }), fc.integer()], { numRuns: 60 })('adds row offset + t of the table to token t; has maxLength x d parameters', (n, d, offset, seed) => {
    const r = rng(seed);
    const table = learnedPositionTable(n + offset, d, r);
    expect(table.data.length).toBe((n + offset) * d);
    const x = randomMatrix(n, d, r);
    const y = addPositions(x, table, offset);
    for (let t = 0; t < n; t++) row(y, t).forEach((v, j) => expect(v).toBeCloseTo(x.data[t * d + j]! + table.data[(offset + t) * d + j]!, 12));
  });

  it('cannot extrapolate: position maxLength has no row (a typed error naming both shapes)', () => {
    const table = learnedPositionTable(4, 3, rng(1));
    expect(() => addPositions(matrix(5, 3), table)).toThrow(ArgumentError);
    expect(() => addPositions(matrix(5, 3), table)).toThrow('x: got shape [5, 3], expected at most 4 rows from offset 0: the table [4, 3] has no position beyond 3');
  });
});

describe('bad input gets a typed error naming the argument and both shapes', () => {
  it('odd widths, mismatched widths and bias shapes', () => {
    expect(() => sinusoidalEncoding(3, 5)).toThrow('d: got 5, expected an even width');
    expect(() => addPositions(matrix(2, 3), matrix(4, 2))).toThrow('table: got shape [4, 2], expected d = 3 columns like x [2, 3]');
    expect(() => attention(matrix(2, 3), matrix(2, 4), matrix(2, 1))).toThrow('k: got shape [2, 4], expected d_k = 3 columns like q [2, 3]');
    expect(() => attention(matrix(2, 3), matrix(3, 3), matrix(3, 1), { bias: matrix(3, 3) })).toThrow('bias: got shape [3, 3], expected shape [2, 3]');
    expect(() => slidingWindow(0)).toThrow('window: got 0, expected an integer >= 1');
    expect(() => alibiSlopes(0)).toThrow('numHeads: got 0, expected an integer >= 1');
  });

  it('negative lengths and offsets, a width below 2, a table too short for the positions asked', () => {
    expect(() => sinusoidalEncoding(-1, 4)).toThrow('n: got -1, expected an integer >= 0');
    expect(() => sinusoidalEncoding(2, 0)).toThrow('d: got 0, expected an integer >= 2');
    expect(() => sinusoidalEncodingVariant(-1, 4)).toThrow('n: got -1, expected an integer >= 0');
    expect(() => learnedPositionTable(0, 4, rng(1))).toThrow('maxLength: got 0, expected an integer >= 1');
    expect(() => learnedPositionTable(4, 0, rng(1))).toThrow('d: got 0, expected an integer >= 1');
    expect(() => addPositions(matrix(2, 3), matrix(4, 3), -1)).toThrow('offset: got -1, expected an integer >= 0');
    expect(() => addPositions(matrix(3, 3), matrix(4, 3), 2)).toThrow('x: got shape [3, 3], expected at most 2 rows from offset 2: the table [4, 3] has no position beyond 3');
    expect(() => alibiBias(-1, 2, 0.5)).toThrow('n: got -1, expected an integer >= 0');
    expect(() => alibiBias(2, -1, 0.5)).toThrow('m: got -1, expected an integer >= 0');
    expect(() => slidingWindowMask(-1, 2)).toThrow('n: got -1, expected an integer >= 0');
  });

  it('the tfjs oracle checks its arguments as well (it builds at least one row)', async () => {
    await expect(sinusoidalEncodingTf(0, 4)).rejects.toThrow('n: got 0, expected an integer >= 1');
    await expect(sinusoidalEncodingTf(2, 3)).rejects.toThrow('d: got 3, expected an even width');
  });
});

describe('the rejected variant is the slip it claims to be', () => {
  it('row p, column j is sin or cos of p * 10000^(-j / d): the cos slot gets its own, faster-decaying frequency', () => {
    const variant = sinusoidalEncodingVariant(3, 4, { offset: 1 });
    for (let p = 0; p < 3; p++) {
      for (let j = 0; j < 4; j++) {
        const angle = (p + 1) * 10000 ** (-j / 4);
        expect(variant.data[p * 4 + j]).toBeCloseTo(j % 2 === 0 ? Math.sin(angle) : Math.cos(angle), 14);
      }
    }
  });
});

/**
 * Answer key for Q13 and Q17, positional encodings. Worked values (sinusoidal row 1, ALiBi slopes
 * for 8, 12 and 6 heads, a bias and a window mask); oracles: the textbook table against the
 * options version and tfjs, the shift PE(p + k) = M_k PE(p) against a least-squares fit (mathjs),
 * the slopes against the authors' get_slopes, ALiBi + window attention against tfjs; invariants of
 * ALiBi, the window and the learned table; the window's work counted as O(n W d); pitfalls
 * rejected: per-coordinate frequencies, the exponent without its 2, geometric slopes for any head
 * count, the bias without the query offset, the off-by-one window.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as math from 'mathjs';
import {
  addPositions,
  alibiAttention,
  alibiAttentionTfMatrix,
  alibiBias,
  alibiHeadBiasesTf,
  alibiSlopes,
  learnedPositionTable,
  pitfallAlibiBiasWithoutQueryOffset,
  pitfallAlibiSlopesGeometricForAnyHeads,
  pitfallSinusoidalExponentWithoutTwo,
  pitfallSinusoidalFrequencyPerCoordinate,
  pitfallSlidingWindowOffByOne,
  sinusoidalEncoding,
  sinusoidalShift,
  sinusoidalTable,
  sinusoidalTableTfMatrix,
  slidingWindow,
  slidingWindowAttentionTf,
  slidingWindowMask,
  type Visibility,
} from '../ml/positional-encoding/index.js';
import { attentionMasked } from '../ml/scaled-dot-product-attention.js';
import { Counter } from '../core/counter.js';
import { fromTensor2d, onMatrices, tensorBackend } from '../core/backend.js';
import {
  fromRows,
  matmul,
  matrix,
  maxAbsDiff,
  randomMatrix,
  toRows,
  transpose,
  type Matrix,
} from '../core/matrix.js';
import { rng } from '../core/random.js';
import { expectArgumentError, rejectsPitfall } from './support/answer-key.js';

const evenD = fc.integer({ min: 1, max: 16 }).map((h) => 2 * h);
const row = (m: Matrix, i: number) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
const matVec = (m: Matrix, v: number[]) =>
  toRows(m).map((r) => r.reduce((s, x, j) => s + x * v[j]!, 0));

/** Row p of a table built by `table(n, d)`. */
type Encoder = (p: number, d: number) => number[];
const rowOfTable =
  (table: (n: number, d: number) => Matrix): Encoder =>
  (p, d) =>
    row(table(p + 1, d), p);
const rowWithOffset: Encoder = (p, d) => row(sinusoidalEncoding(1, d, { offset: p }), 0);

describe('worked examples', () => {
  it('sinusoidal, d = 4: PE(0) = [0, 1, 0, 1], PE(1) = [sin 1, cos 1, sin .01, cos .01] = [0.841471, 0.540302, 0.010000, 0.999950]', () => {
    const pe = sinusoidalTable(2, 4);
    expect(row(pe, 0)).toEqual([0, 1, 0, 1]);
    [0.841471, 0.540302, 0.01, 0.99995].forEach((v, j) => expect(row(pe, 1)[j]).toBeCloseTo(v, 6));
  });

  it('ALiBi slopes for 8 heads are 1/2, 1/4, ..., 1/256 (start 2^(-8/8), ratio the same)', () => {
    expect(alibiSlopes(8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => 2 ** -k));
  });

  it("non-power-of-two rule (the authors' get_slopes): 12 heads = the 8 slopes of 8 heads + slopes 0, 2, 4, 6 of 16 heads", () => {
    const s = alibiSlopes(12);
    expect(s.slice(0, 8)).toEqual(alibiSlopes(8));
    [0.5, 1.5, 2.5, 3.5].forEach((e, i) => expect(s[8 + i]).toBeCloseTo(2 ** -e, 15));
    // 6 heads: 4 slopes of 4 heads (2^-2, 2^-4, 2^-6, 2^-8) + slopes 0 and 2 of 8 heads (2^-1, 2^-3)
    expect(alibiSlopes(6)).toEqual([2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8, 2 ** -1, 2 ** -3]);
  });

  it('ALiBi bias of slope 1/2 over 3 tokens is [[0, -.5, -1], [-.5, 0, -.5], [-1, -.5, 0]]; a window of 2 shows the diagonal and one key back', () => {
    expect(toRows(alibiBias(3, 3, 0.5))).toEqual([
      [0, -0.5, -1],
      [-0.5, 0, -0.5],
      [-1, -0.5, 0],
    ]);
    expect(slidingWindowMask(3, 2)).toEqual([
      [true, false, false],
      [true, true, false],
      [false, true, true],
    ]);
  });

  it('the per-coordinate pitfall is the slip it claims to be: row p, column j is sin or cos of p / 10000^(j / d)', () => {
    const pitfall = pitfallSinusoidalFrequencyPerCoordinate(4, 4);
    for (let p = 1; p < 4; p++) {
      for (let j = 0; j < 4; j++) {
        const angle = p / 10000 ** (j / 4);
        expect(pitfall.data[p * 4 + j]).toBeCloseTo(
          j % 2 === 0 ? Math.sin(angle) : Math.cos(angle),
          14,
        );
      }
    }
  });
});

describe('sinusoidal: the options version and tfjs agree with the textbook table', () => {
  test.prop([fc.integer({ min: 0, max: 40 }), evenD, fc.integer({ min: 0, max: 200 })], {
    numRuns: 100,
  })(
    'sinusoidalEncoding at base 10000 is the textbook table, and its offset o shifts it by o rows exactly',
    (n, d, o) => {
      expect(sinusoidalEncoding(n, d).data).toEqual(sinusoidalTable(n, d).data);
      const shifted = sinusoidalEncoding(n, d, { offset: o });
      const longer = sinusoidalTable(n + o, d);
      expect(Array.from(shifted.data)).toEqual(Array.from(longer.data.subarray(o * d)));
    },
  );

  test.prop([fc.integer({ min: 1, max: 32 }), evenD, fc.integer({ min: 0, max: 100 })], {
    numRuns: 20,
  })('the tfjs table (float32) to 1e-4', async (n, d, offset) => {
    const tfTable = await sinusoidalTableTfMatrix(n, d, { offset });
    expect(maxAbsDiff(sinusoidalEncoding(n, d, { offset }), tfTable)).toBeLessThan(1e-4);
  });
});

describe("sinusoidal: the frequencies are the paper's geometric progression", () => {
  /**
   * The property: the angle per step of pair i, read from row 1 as atan2(PE[1, 2i], PE[1, 2i+1]),
   * is 10000^(-2i/d): wavelengths from 2 pi to 10000 * 2 pi (Vaswani et al., section 3.5).
   */
  const geometricFrequencies = (encode: Encoder) =>
    fc.property(evenD, (d) => {
      const pe1 = encode(1, d);
      for (let i = 0; i < d / 2; i++) {
        expect(Math.atan2(pe1[2 * i]!, pe1[2 * i + 1]!)).toBeCloseTo(10000 ** ((-2 * i) / d), 12);
      }
    });

  it('holds for the textbook table', () => {
    fc.assert(geometricFrequencies(rowOfTable(sinusoidalTable)), { numRuns: 16 });
  });

  it('rejects 10000^(i/d) with the pair index (the 2 dropped)', () => {
    const [d] = rejectsPitfall(
      geometricFrequencies(rowOfTable(pitfallSinusoidalExponentWithoutTwo)),
    );
    expect(d).toBe(4);
  });

  it('rejects the frequency indexed by coordinate j instead of pair i', () => {
    rejectsPitfall(geometricFrequencies(rowOfTable(pitfallSinusoidalFrequencyPerCoordinate)));
  });
});

describe('sinusoidal: PE(p + k) is a fixed linear map (a rotation) of PE(p)', () => {
  /** The property: for any p, PE(p + k) = M_k PE(p) with M_k built from k alone. */
  const shiftProperty = (encode: Encoder, maxP: number) =>
    fc.property(
      evenD,
      fc.integer({ min: 0, max: maxP }),
      fc.integer({ min: 0, max: 300 }),
      (d, p, k) => {
        const predicted = matVec(sinusoidalShift(k, d), encode(p, d));
        const later = encode(p + k, d);
        predicted.forEach((x, j) => expect(Math.abs(x - later[j]!)).toBeLessThan(1e-8));
      },
    );

  it('holds for the textbook table and for the encoding with an offset', () => {
    fc.assert(shiftProperty(rowOfTable(sinusoidalTable), 300), { numRuns: 50 });
    fc.assert(shiftProperty(rowWithOffset, 5000), { numRuns: 300 });
  });

  test.prop([evenD, fc.integer({ min: 0, max: 5000 }), fc.integer({ min: -300, max: -1 })], {
    numRuns: 100,
  })('and for negative offsets k', (d, p, k) => {
    const predicted = matVec(sinusoidalShift(k, d), rowWithOffset(p, d));
    const earlier = rowWithOffset(p + k, d);
    predicted.forEach((x, j) => expect(Math.abs(x - earlier[j]!)).toBeLessThan(1e-8));
  });

  it('rejects the frequency indexed by coordinate j instead of pair i', () => {
    rejectsPitfall(shiftProperty(rowOfTable(pitfallSinusoidalFrequencyPerCoordinate), 300), {
      seed: 11,
    });
  });

  test.prop(
    [
      fc.integer({ min: 1, max: 4 }).map((h) => 2 * h),
      fc.integer({ min: -50, max: 50 }),
      fc.integer(),
    ],
    {
      numRuns: 40,
    },
  )(
    'an independent oracle: M fitted by least squares (mathjs) from 4d random positions equals sinusoidalShift(k)',
    (d, k, seed) => {
      const r = rng(seed);
      const ps = Array.from({ length: 4 * d }, () => r.integer(0, 20000));
      const A = ps.map((p) => rowWithOffset(p, d));
      const B = ps.map((p) => rowWithOffset(p + k, d));
      // A M^T = B  =>  M^T = (A^T A)^-1 A^T B
      const At = math.transpose(A);
      const Mt = math.multiply(math.inv(math.multiply(At, A)), math.multiply(At, B)) as number[][];
      expect(maxAbsDiff(transpose(fromRows(Mt)), sinusoidalShift(k, d))).toBeLessThan(1e-6);
    },
  );

  test.prop([evenD, fc.integer({ min: -1000, max: 1000 })], { numRuns: 100 })(
    'M_k is orthogonal (a rotation) and M_a M_b = M_(a+b)',
    (d, k) => {
      const m = sinusoidalShift(k, d);
      const identity = matrix(
        d,
        d,
        Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0)),
      );
      expect(maxAbsDiff(matmul(m, transpose(m)), identity)).toBeLessThan(1e-12);
      expect(maxAbsDiff(matmul(sinusoidalShift(3, d), m), sinusoidalShift(k + 3, d))).toBeLessThan(
        1e-9,
      );
    },
  );

  test.prop(
    [
      evenD,
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: -100, max: 100 }),
    ],
    {
      numRuns: 100,
    },
  )(
    'PE(p) . PE(p + k) = sum_i cos(k w_i) depends on k only (relative information inside an absolute code)',
    (d, p, q, k) => {
      const dot = (a: number) => {
        const now = rowWithOffset(a, d);
        return rowWithOffset(a + k, d).reduce((s, x, j) => s + x * now[j]!, 0);
      };
      expect(dot(p)).toBeCloseTo(dot(q), 8);
    },
  );
});

describe("ALiBi: slopes against the authors' code, biases and attention against tfjs", () => {
  /** The authors' get_slopes (ofirpress/attention_with_linear_biases), transcribed from Python. */
  function getSlopes(n: number): number[] {
    const powerOf2 = (m: number) => {
      const start = 2 ** -(2 ** -(Math.log2(m) - 3));
      return Array.from({ length: m }, (_, i) => start * start ** i);
    };
    if (Number.isInteger(Math.log2(n))) return powerOf2(n);
    const closest = 2 ** Math.floor(Math.log2(n));
    const everyOther = getSlopes(2 * closest).filter((_, i) => i % 2 === 0);
    return [...powerOf2(closest), ...everyOther.slice(0, n - closest)];
  }
  const matchesAuthors = (slopes: (h: number) => number[]) =>
    fc.property(fc.integer({ min: 1, max: 64 }), (h) => {
      const reference = getSlopes(h);
      expect(slopes(h)).toHaveLength(h);
      slopes(h).forEach((m, i) => expect(m).toBeCloseTo(reference[i]!, 14));
    });

  it('the slopes equal the reference get_slopes for 1 to 64 heads', () => {
    fc.assert(matchesAuthors(alibiSlopes), { numRuns: 64 });
  });

  it('rejects the power-of-two formula applied to every head count', () => {
    const [h] = rejectsPitfall(matchesAuthors(pitfallAlibiSlopesGeometricForAnyHeads));
    expect(Number.isInteger(Math.log2(h))).toBe(false);
  });

  test.prop(
    [
      fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 16 }),
      fc.boolean(),
      fc.integer({ min: 1, max: 12 }),
      fc.integer(),
    ],
    { numRuns: 25 },
  )(
    'ALiBi-biased attention with a sliding window or a causal mask, from scratch vs tfjs to 1e-4',
    async (n, dk, heads, windowed, w, seed) => {
      const r = rng(seed);
      const [q, k, v] = [randomMatrix(n, dk, r), randomMatrix(n, dk, r), randomMatrix(n, 3, r)];
      const slope = alibiSlopes(heads)[0]!;
      const window = windowed ? w : undefined;
      const mine = alibiAttention(q, k, v, slope, window).output;
      expect(maxAbsDiff(mine, await alibiAttentionTfMatrix(q, k, v, slope, window))).toBeLessThan(
        1e-4,
      );
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 1, max: 12 }),
    ],
    { numRuns: 15 },
  )(
    'the tfjs head biases [h, n, m]: head h is alibiBias(n, m, slope_h)',
    async (n, extra, heads) => {
      const m = n + extra;
      const { tf } = await tensorBackend();
      const all = alibiHeadBiasesTf(tf, n, m, heads);
      const slopes = alibiSlopes(heads);
      for (let h = 0; h < heads; h++) {
        const one = await fromTensor2d(
          tf.tidy(() => tf.squeeze(tf.slice(all, [h, 0, 0], [1, n, m]), [0])),
        );
        expect(maxAbsDiff(one, alibiBias(n, m, slopes[h]!))).toBeLessThan(1e-5);
      }
      all.dispose();
    },
  );
});

describe('ALiBi invariants', () => {
  test.prop([fc.integer({ min: 1, max: 64 })], { numRuns: 64 })(
    'slopes are distinct, in (0, 1), and geometric when h is a power of two',
    (h) => {
      const s = alibiSlopes(h);
      expect(s).toHaveLength(h);
      expect(new Set(s).size).toBe(h);
      s.forEach((m) => expect(m > 0 && m < 1).toBe(true));
      if (Number.isInteger(Math.log2(h))) {
        s.forEach((m, i) => expect(m).toBeCloseTo(2 ** ((-8 * (i + 1)) / h), 14));
      }
    },
  );

  /** The property: 0 at each query's own key, decreasing with distance, a function of i - j. */
  const biasProperty = (bias: (n: number, m: number, slope: number) => Matrix) =>
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 0, max: 6 }),
      fc.double({ min: 0.001, max: 1, noNaN: true }),
      (n, extra, slope) => {
        const m = n + extra;
        const b = bias(n, m, slope);
        const at = (i: number, j: number) => b.data[i * m + j]!;
        for (let i = 0; i < n; i++) {
          const pos = m - n + i;
          expect(at(i, pos)).toBe(0);
          for (let j = 1; j <= pos; j++) expect(at(i, j - 1)).toBeLessThan(at(i, j));
          if (i === 0) continue;
          // one query later and one key later: the same distance, the same bias
          for (let j = 1; j < m; j++) expect(at(i, j)).toBeCloseTo(at(i - 1, j - 1), 12);
        }
      },
    );

  it('the bias is 0 at distance 0, decreases with distance, and depends only on i - j', () => {
    fc.assert(biasProperty(alibiBias), { numRuns: 100 });
  });

  it('rejects the bias that puts query i at position i while decoding against a longer cache', () => {
    const [n, extra] = rejectsPitfall(biasProperty(pitfallAlibiBiasWithoutQueryOffset));
    expect([n, extra]).toEqual([1, 1]);
  });

  test.prop(
    [
      fc.integer({ min: 2, max: 10 }),
      fc.integer({ min: 1, max: 4 }),
      fc.double({ min: 0.01, max: 2, noNaN: true }),
      fc.integer(),
    ],
    { numRuns: 60 },
  )(
    'with identical keys the causal weights fall off geometrically: w_(j+1) / w_j = e^slope (a recency prior, no learned parameter)',
    (n, dk, slope, seed) => {
      const r = rng(seed);
      const key = Array.from(r.array(dk, () => r.normal()));
      const k = fromRows(Array.from({ length: n }, () => key));
      const { weights } = alibiAttention(randomMatrix(n, dk, r), k, randomMatrix(n, 1, r), slope);
      for (let i = 1; i < n; i++) {
        for (let j = 0; j < i; j++) {
          expect(weights.data[i * n + j + 1]! / weights.data[i * n + j]!).toBeCloseTo(
            Math.exp(slope),
            9,
          );
        }
      }
    },
  );
});

describe('sliding window', () => {
  const windowCase = fc.record({
    n: fc.integer({ min: 1, max: 12 }),
    w: fc.integer({ min: 1, max: 12 }),
    dk: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer(),
  });
  /** The property: query i sees exactly min(i + 1, W) keys, all in (i - W, i]. */
  const windowProperty = (visible: (w: number) => Visibility) =>
    fc.property(windowCase, ({ n, w, dk, seed }) => {
      const r = rng(seed);
      const [q, k, v] = [randomMatrix(n, dk, r), randomMatrix(n, dk, r), randomMatrix(n, 1, r)];
      const { weights } = attentionMasked(q, k, v, { visible: visible(w) });
      for (let i = 0; i < n; i++) {
        const ws = row(weights, i);
        expect(ws.filter((x) => x > 0).length).toBe(Math.min(i + 1, w));
        ws.forEach((x, j) => expect(x === 0 || (j <= i && j > i - w)).toBe(true));
      }
    });

  it('query i attends to itself and the W - 1 keys before it', () => {
    fc.assert(windowProperty(slidingWindow), { numRuns: 200 });
  });

  it('rejects the off-by-one window j >= i - W (W + 1 keys)', () => {
    rejectsPitfall(windowProperty(pitfallSlidingWindowOffByOne), { numRuns: 200, seed: 12 });
  });

  test.prop([windowCase], { numRuns: 100 })(
    'a window of at least n keys is plain causal attention',
    ({ n, dk, seed }) => {
      const r = rng(seed);
      const [q, k, v] = [randomMatrix(n, dk, r), randomMatrix(n, dk, r), randomMatrix(n, 2, r)];
      const windowed = attentionMasked(q, k, v, { visible: slidingWindow(n) }).output;
      expect(maxAbsDiff(windowed, attentionMasked(q, k, v, { causal: true }).output)).toBeLessThan(
        1e-12,
      );
    },
  );

  test.prop([windowCase, fc.integer()], { numRuns: 100 })(
    'output i does not change when keys and values outside its window change',
    ({ n, w, dk, seed }, seed2) => {
      const r = rng(seed);
      const [q, k, v] = [randomMatrix(n, dk, r), randomMatrix(n, dk, r), randomMatrix(n, 2, r)];
      const i = n - 1;
      const scramble = (m: Matrix) => {
        const c = matrix(m.rows, m.cols, m.data);
        const g = rng(seed2);
        for (let j = 0; j <= i - w; j++) {
          for (let col = 0; col < m.cols; col++) c.data[j * m.cols + col] = g.normal();
        }
        return c;
      };
      const before = attentionMasked(q, k, v, { visible: slidingWindow(w) }).output;
      const after = attentionMasked(q, scramble(k), scramble(v), {
        visible: slidingWindow(w),
      }).output;
      expect(row(after, i)).toEqual(row(before, i));
    },
  );

  test.prop([windowCase], { numRuns: 20 })(
    'the tfjs path (slidingWindowMaskTf through attentionTf) agrees to 1e-4',
    async ({ n, w, dk, seed }) => {
      const r = rng(seed);
      const [q, k, v] = [randomMatrix(n, dk, r), randomMatrix(n, dk, r), randomMatrix(n, 2, r)];
      const mine = attentionMasked(q, k, v, { visible: slidingWindow(w) }).output;
      const theirs = await onMatrices(
        (tf, qT, kT, vT) => slidingWindowAttentionTf(tf, qT, kT, vT, w),
        q,
        k,
        v,
      );
      expect(maxAbsDiff(mine, theirs)).toBeLessThan(1e-4);
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 1, max: 16 }),
      fc.integer({ min: 1, max: 8 }),
    ],
    { numRuns: 40 },
  )('work is at most n W (d_k + d_v) multiply-adds, not n^2', (n, w, d) => {
    const r = rng(n * 31 + w);
    const counter = new Counter();
    const [q, k, v] = [randomMatrix(n, d, r), randomMatrix(n, d, r), randomMatrix(n, d, r)];
    attentionMasked(q, k, v, { visible: slidingWindow(w) }, counter);
    expect(counter.get('madds')).toBeLessThanOrEqual(n * Math.min(w, n) * 2 * d);
    expect(counter.get('madds')).toBeGreaterThanOrEqual(n * 2 * d);
  });
});

describe('learned absolute table', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 0, max: 4 }),
      fc.integer(),
    ],
    { numRuns: 60 },
  )(
    'adds row offset + t of the table to token t; has maxLength x d parameters',
    (n, d, offset, seed) => {
      const r = rng(seed);
      const table = learnedPositionTable(n + offset, d, r);
      expect(table.data.length).toBe((n + offset) * d);
      const x = randomMatrix(n, d, r);
      const y = addPositions(x, table, offset);
      for (let t = 0; t < n; t++) {
        const expected = row(x, t).map((v, j) => v + table.data[(offset + t) * d + j]!);
        row(y, t).forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 12));
      }
    },
  );

  it('cannot extrapolate: position maxLength has no row, so x is rejected', async () => {
    const table = learnedPositionTable(4, 3, rng(1));
    await expectArgumentError(() => addPositions(matrix(5, 3), table), 'x');
    await expectArgumentError(() => addPositions(matrix(3, 3), table, 2), 'x');
  });
});

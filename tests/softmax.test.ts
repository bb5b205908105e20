/**
 * Answer key for the softmax module: worked examples, the from-scratch functions against a
 * brute-force formula (mathjs) and tfjs, the invariants (rows sum to 1, shift invariance,
 * log-softmax = log of softmax, entropy between 0 and ln n, cross-entropy = -log p), masks as
 * -Infinity (a fully masked row gives zeros), the tensor masked softmax against the from-scratch
 * one, and the naive softmax (no max shift) rejected.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as math from 'mathjs';
import {
  crossEntropy,
  entropy,
  logSoftmax,
  logSoftmaxRows,
  logSoftmaxTf,
  maskedSoftmaxTf,
  pitfallSoftmaxWithoutMaxShift,
  rowEntropies,
  softmax,
  softmaxInto,
  softmaxRows,
} from '../ml/softmax.js';
import { tensorBackend } from '../core/backend.js';
import { matrix } from '../core/matrix.js';
import { rejectsPitfall } from './support/answer-key.js';

const logits = (maxLength = 12, range = 30) =>
  fc.array(fc.double({ min: -range, max: range, noNaN: true }), { minLength: 1, maxLength });
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

describe('worked examples', () => {
  it('softmax([1, 0]) = [0.731, 0.269], the logistic sigmoid of 1 and -1', () => {
    const [a, b] = softmax([1, 0]);
    expect(a).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(b).toBeCloseTo(1 / (1 + Math.exp(1)), 12);
  });

  it('logSoftmax([1000, 1000]) = [-ln 2, -ln 2] with no overflow', () => {
    logSoftmax([1000, 1000]).forEach((x) => expect(x).toBeCloseTo(-Math.LN2, 12));
  });

  it('entropy([0.5, 0.5]) = ln 2; entropy of a one-hot is 0', () => {
    expect(entropy([0.5, 0.5])).toBeCloseTo(Math.LN2, 12);
    expect(entropy([0, 1, 0])).toBe(0);
  });

  it('crossEntropy([2, 0], 0) = -ln softmax([2, 0])_0 = 0.127', () => {
    expect(crossEntropy([2, 0], 0)).toBeCloseTo(Math.log(1 + Math.exp(-2)), 12);
    expect(crossEntropy([2, 0], 0)).toBeCloseTo(0.127, 3);
  });

  it('a masked logit (-Infinity) gets weight 0; a fully masked row gets all zeros, not NaN', () => {
    expect(softmax([0, Number.NEGATIVE_INFINITY])).toEqual([1, 0]);
    expect(softmax([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY])).toEqual([0, 0]);
    const out = new Float64Array(2);
    expect(
      softmaxInto(Float64Array.from([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]), out),
    ).toBe(0);
    expect(Array.from(out)).toEqual([0, 0]);
  });
});

describe('oracles', () => {
  test.prop([logits()], { numRuns: 200 })(
    'softmax equals exp(x) / sum exp(x) computed by mathjs (logits within +-30)',
    (x) => {
      const e = x.map((v) => math.exp(v));
      const total = math.sum(e);
      softmax(x).forEach((p, i) => expect(p).toBeCloseTo(e[i]! / total, 12));
    },
  );

  test.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), fc.integer()], {
    numRuns: 30,
  })(
    'tfjs softmax and logSoftmax agree with the row helpers to 1e-5 (float32)',
    async (rows, cols, seed) => {
      const { tf } = await tensorBackend();
      const data = Array.from({ length: rows * cols }, (_, i) => Math.sin(seed + i * 1.7) * 8);
      const m = matrix(rows, cols, data);
      const [p, lp] = tf.tidy(() => {
        const t = tf.tensor2d(data, [rows, cols]);
        return [maskedSoftmaxTf(tf, t).dataSync(), logSoftmaxTf(tf, t).dataSync()];
      });
      softmaxRows(m).data.forEach((x, i) => expect(Math.abs(x - p![i]!)).toBeLessThan(1e-5));
      logSoftmaxRows(m).data.forEach((x, i) => expect(Math.abs(x - lp![i]!)).toBeLessThan(1e-4));
    },
  );

  test.prop(
    [fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), fc.integer(), fc.boolean()],
    { numRuns: 30 },
  )(
    'maskedSoftmaxTf equals softmax with -Infinity at hidden entries (fully hidden rows: zeros)',
    async (rows, cols, seed, hideRow0) => {
      const { tf } = await tensorBackend();
      const data = Array.from({ length: rows * cols }, (_, i) => Math.cos(seed + i * 2.3) * 5);
      const visible = data.map(
        (_, i) => !(hideRow0 && i < cols) && (Math.floor(i / cols) + i) % 3 !== 0,
      );
      const got = tf.tidy(() =>
        maskedSoftmaxTf(
          tf,
          tf.tensor2d(data, [rows, cols]),
          tf.tensor2d(visible, [rows, cols], 'bool'),
        ).dataSync(),
      );
      for (let r = 0; r < rows; r++) {
        const row = data
          .slice(r * cols, (r + 1) * cols)
          .map((x, j) => (visible[r * cols + j] ? x : Number.NEGATIVE_INFINITY));
        softmax(row).forEach((p, j) => expect(Math.abs(p - got[r * cols + j]!)).toBeLessThan(1e-6));
      }
    },
  );
});

describe('invariants', () => {
  test.prop([logits(12, 1e4)], { numRuns: 200 })(
    'weights are in [0, 1] and sum to 1, even for logits of 1e4',
    (x) => {
      const p = softmax(x);
      p.forEach((w) => expect(w >= 0 && w <= 1).toBe(true));
      expect(sum(p)).toBeCloseTo(1, 12);
    },
  );

  test.prop([logits(), fc.double({ min: -1e3, max: 1e3, noNaN: true })], { numRuns: 200 })(
    'shift invariance: softmax(x + c) = softmax(x)',
    (x, c) => {
      const a = softmax(x);
      softmax(x.map((v) => v + c)).forEach((p, i) => expect(p).toBeCloseTo(a[i]!, 9));
    },
  );

  test.prop([logits()], { numRuns: 200 })('log-softmax is the log of softmax', (x) => {
    const p = softmax(x);
    logSoftmax(x).forEach((lp, i) => expect(lp).toBeCloseTo(Math.log(p[i]!), 9));
  });

  test.prop([logits()], { numRuns: 200 })('0 <= entropy(softmax(x)) <= ln n', (x) => {
    const h = entropy(softmax(x));
    expect(h).toBeGreaterThanOrEqual(-1e-12);
    expect(h).toBeLessThanOrEqual(Math.log(x.length) + 1e-12);
  });

  test.prop([logits(), fc.nat()], { numRuns: 200 })(
    'cross-entropy = -log softmax(x)_t >= 0; its mean over targets weighted by p is the entropy',
    (x, tRaw) => {
      const t = tRaw % x.length;
      expect(crossEntropy(x, t)).toBeCloseTo(-Math.log(softmax(x)[t]!), 9);
      expect(crossEntropy(x, t)).toBeGreaterThanOrEqual(0);
      const p = softmax(x);
      expect(sum(p.map((pi, i) => pi * crossEntropy(x, i)))).toBeCloseTo(entropy(p), 9);
    },
  );

  test.prop([fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer()], {
    numRuns: 60,
  })('row helpers apply the vector functions row by row', (rows, cols, seed) => {
    const m = matrix(
      rows,
      cols,
      Array.from({ length: rows * cols }, (_, i) => Math.sin(seed * 7 + i) * 10),
    );
    const p = softmaxRows(m);
    const h = rowEntropies(p);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(m.data.subarray(r * cols, (r + 1) * cols));
      expect(Array.from(p.data.subarray(r * cols, (r + 1) * cols))).toEqual(softmax(row));
      expect(h[r]).toBeCloseTo(entropy(softmax(row)), 12);
      const into = new Float64Array(cols);
      softmaxInto(Float64Array.from(row), into);
      expect(Array.from(into)).toEqual(softmax(row));
    }
  });
});

describe('pitfalls', () => {
  /** The property: softmax of any logits up to +-1e3 is a distribution (finite, sums to 1). */
  const isDistribution = (f: (x: number[]) => number[]) =>
    fc.property(logits(8, 1e3), (x) => {
      const p = f(x);
      return p.every(Number.isFinite) && Math.abs(sum(p) - 1) < 1e-9;
    });

  it('softmax passes: it subtracts the max first', () => {
    fc.assert(isDistribution(softmax), { numRuns: 200, seed: 1 });
  });

  it('rejects the naive softmax exp(x) / sum exp(x): exp(1000) overflows to Infinity and gives NaN', () => {
    rejectsPitfall(isDistribution(pitfallSoftmaxWithoutMaxShift), { numRuns: 200, seed: 1 });
  });
});

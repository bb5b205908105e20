/**
 * Answer key for Q18, normalization. Worked examples by hand; LayerNorm, RMSNorm and BatchNorm
 * against tfjs (tf.moments, tf.rsqrt, tf.batchNorm) on generated shapes and scales, with the three
 * common wrong answers (unbiased variance, eps outside the sqrt, RMSNorm that subtracts the mean)
 * rejected by the same property; the row invariants (zero mean / unit variance, unit RMS, RMSNorm ==
 * LayerNorm on zero-mean rows, scale invariance); Pre-LN vs Post-LN with an identity check; counted
 * operations showing what RMSNorm saves; bad input.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  batchNorm,
  batchNormTf,
  layerNorm,
  layerNormEpsOutsideVariant,
  layerNormTf,
  layerNormUnbiasedVariant,
  postNorm,
  preNorm,
  rmsNorm,
  rmsNormMeanSubtractedVariant,
  rmsNormTf,
  rowMoments,
  type LayerNormOptions,
  type NormCounter,
  type RmsNormOptions,
} from '../ml/normalization.js';
import { ArgumentError } from '../core/errors.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, toRows, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';

/**
 * Rows x = scale * (z + offset) with z ~ N(0, 1): the scale spans 1e-3 .. 10 so that rows with a
 * variance well below eps (where the eps convention matters) and well above it both occur; the
 * offset (a per-row mean) is what separates RMSNorm from LayerNorm.
 */
const normCase = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    d: fc.integer({ min: 1, max: 16 }),
    logScale: fc.double({ min: -3, max: 1, noNaN: true }),
    offset: fc.double({ min: -3, max: 3, noNaN: true }),
    affine: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ n, d, logScale, offset, affine, seed }) => {
    const r = rng(seed);
    const scale = 10 ** logScale;
    const x = randomMatrix(n, d, r, () => scale * (r.normal() + offset));
    const gamma = affine ? r.array(d, () => 0.5 + 1.5 * r.uniform()) : undefined;
    const beta = affine ? r.array(d, () => r.normal()) : undefined;
    return { x, gamma, beta };
  });

/** Rows with variance comfortably above 0, so that eps = 0 is safe and invariants are exact. */
const wellScaled = fc
  .record({ n: fc.integer({ min: 1, max: 6 }), d: fc.integer({ min: 2, max: 24 }), seed: fc.integer(), offset: fc.double({ min: -5, max: 5, noNaN: true }) })
  .map(({ n, d, seed, offset }) => {
    const r = rng(seed);
    const x = randomMatrix(n, d, r, () => r.normal() + offset);
    // force a spread in every row so its variance is bounded away from 0
    for (let i = 0; i < n; i++) x.data[i * d] = (x.data[i * d] as number) + 3;
    return x;
  });

type LayerNormFn = (x: Matrix, options?: LayerNormOptions) => Matrix;
type RmsNormFn = (x: Matrix, options?: RmsNormOptions) => Matrix;

const TOL = 1e-4;

/** The oracle property: the from-scratch LayerNorm (or a variant) agrees with tfjs to 1e-4. */
const layerNormAgrees = (impl: LayerNormFn) =>
  fc.asyncProperty(normCase, async ({ x, gamma, beta }) => {
    const options = { ...(gamma ? { gamma } : {}), ...(beta ? { beta } : {}) };
    return maxAbsDiff(impl(x, options), await layerNormTf(x, options)) < TOL;
  });

const rmsNormAgrees = (impl: RmsNormFn) =>
  fc.asyncProperty(normCase, async ({ x, gamma }) => {
    const options = gamma ? { weight: gamma } : {};
    return maxAbsDiff(impl(x, options), await rmsNormTf(x, options)) < TOL;
  });

/** Runs an async property that should fail: no shrinking (each run calls tfjs), returns whether it failed. */
const rejects = async <T extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<T>) =>
  (await fc.check(property, { numRuns: 60, seed: 7, endOnFailure: true })).failed;

describe('worked examples', () => {
  it('LayerNorm([1, 2, 3]) = [-1.2247, 0, 1.2247]: mean 2, biased variance 2/3', () => {
    const y = layerNorm(fromRows([[1, 2, 3]]), { eps: 0 });
    [-1.2247, 0, 1.2247].forEach((v, j) => expect(y.data[j]).toBeCloseTo(v, 4));
    expect(y.data[2]).toBeCloseTo(1 / Math.sqrt(2 / 3), 12);
  });

  it('RMSNorm([3, 4]) = [0.8485, 1.1314]: RMS = sqrt((9 + 16) / 2) = sqrt(12.5)', () => {
    const y = rmsNorm(fromRows([[3, 4]]), { eps: 0 });
    expect(y.data[0]).toBeCloseTo(3 / Math.sqrt(12.5), 12);
    expect(y.data[1]).toBeCloseTo(1.1314, 4);
  });

  it('with gamma [2, 1, 1] and beta [0, 0, 10]: [-2.4495, 0, 11.2247]', () => {
    const y = layerNorm(fromRows([[1, 2, 3]]), { eps: 0, gamma: [2, 1, 1], beta: [0, 0, 10] });
    [-2.4495, 0, 11.2247].forEach((v, j) => expect(y.data[j]).toBeCloseTo(v, 4));
  });

  it('eps sits inside the sqrt: LayerNorm([0, 2]) with eps 1 is [-1, 1] / sqrt(1 + 1)', () => {
    const y = layerNorm(fromRows([[0, 2]]), { eps: 1 });
    expect(y.data[1]).toBeCloseTo(1 / Math.SQRT2, 12);
    expect(layerNormEpsOutsideVariant(fromRows([[0, 2]]), { eps: 1 }).data[1]).toBeCloseTo(0.5, 12);
  });

  it('BatchNorm normalises columns over the batch: [[1, 10], [3, 30]] -> [[-1, -1], [1, 1]]', () => {
    expect(toRows(batchNorm(fromRows([[1, 10], [3, 30]]), { eps: 0 }))).toEqual([[-1, -1], [1, 1]]);
    expect(toRows(batchNorm(fromRows([[1, 10]]), { eps: 0, running: { mean: [0, 10], variance: [4, 1] } }))).toEqual([[0.5, 0]]);
  });
});

describe('from scratch agrees with tfjs (float32) to 1e-4 on generated shapes and scales', () => {
  it('LayerNorm vs tf.moments + tf.rsqrt', async () => {
    await fc.assert(layerNormAgrees(layerNorm), { numRuns: 25, seed: 3 });
  });

  it('RMSNorm vs tf.mean(tf.square) + tf.rsqrt', async () => {
    await fc.assert(rmsNormAgrees(rmsNorm), { numRuns: 25, seed: 3 });
  });

  test.prop([normCase, fc.boolean()], { numRuns: 20 })('BatchNorm vs tf.moments(axis 0) + tf.batchNorm, training and running statistics', async ({ x, gamma, beta }, useRunning) => {
    const running = useRunning ? { mean: Array.from({ length: x.cols }, (_, j) => j / 3), variance: Array.from({ length: x.cols }, (_, j) => 0.5 + j) } : undefined;
    const options = { ...(gamma ? { gamma } : {}), ...(beta ? { beta } : {}), ...(running ? { running } : {}) };
    expect(maxAbsDiff(batchNorm(x, options), await batchNormTf(x, options))).toBeLessThan(TOL);
  });

  it('rejects LayerNorm with the unbiased variance (divide by d - 1)', async () => {
    expect(await rejects(layerNormAgrees(layerNormUnbiasedVariant))).toBe(true);
  });

  it('rejects LayerNorm with eps outside the sqrt (wrong when the variance is near eps)', async () => {
    expect(await rejects(layerNormAgrees(layerNormEpsOutsideVariant))).toBe(true);
  });

  it('rejects an "RMSNorm" that subtracts the row mean', async () => {
    expect(await rejects(rmsNormAgrees(rmsNormMeanSubtractedVariant))).toBe(true);
  });
});

describe('invariants (eps = 0 so they hold exactly)', () => {
  /** Every LayerNorm row has mean 0 and biased variance 1 before the affine. */
  const zeroMeanUnitVariance = (impl: LayerNormFn) =>
    fc.property(wellScaled, (x) => {
      const { mean, variance } = rowMoments(impl(x, { eps: 0 }));
      return mean.every((m) => Math.abs(m) < 1e-9) && variance.every((v) => Math.abs(v - 1) < 1e-9);
    });

  it('LayerNorm rows have zero mean and unit (biased) variance', () => {
    fc.assert(zeroMeanUnitVariance(layerNorm), { numRuns: 100 });
  });

  it('the unbiased-variance variant fails it: its rows have variance (d - 1) / d', () => {
    expect(fc.check(zeroMeanUnitVariance(layerNormUnbiasedVariant), { numRuns: 100, seed: 1 }).failed).toBe(true);
  });

  test.prop([wellScaled], { numRuns: 100 })('RMSNorm rows have unit root-mean-square', (x) => {
    rowMoments(rmsNorm(x, { eps: 0 })).rms.forEach((r) => expect(r).toBeCloseTo(1, 12));
  });

  test.prop([wellScaled], { numRuns: 100 })('RMSNorm equals LayerNorm on zero-mean rows (and not otherwise)', (x) => {
    const centred = matrix(x.rows, x.cols, x.data);
    const { mean } = rowMoments(x);
    for (let k = 0; k < centred.data.length; k++) centred.data[k] = (centred.data[k] as number) - mean[Math.floor(k / x.cols)]!;
    expect(maxAbsDiff(rmsNorm(centred, { eps: 1e-5 }), layerNorm(centred, { eps: 1e-5 }))).toBeLessThan(1e-9);
  });

  test.prop([wellScaled, fc.double({ min: 1e-3, max: 1e3, noNaN: true })], { numRuns: 100 })('both are invariant to scaling the input by a > 0; LayerNorm also to shifting it', (x, a) => {
    const scaled = matrix(x.rows, x.cols, x.data.map((v) => a * v));
    const shifted = matrix(x.rows, x.cols, x.data.map((v) => v + 7));
    expect(maxAbsDiff(layerNorm(scaled, { eps: 0 }), layerNorm(x, { eps: 0 }))).toBeLessThan(1e-9);
    expect(maxAbsDiff(rmsNorm(scaled, { eps: 0 }), rmsNorm(x, { eps: 0 }))).toBeLessThan(1e-9);
    expect(maxAbsDiff(layerNorm(shifted, { eps: 0 }), layerNorm(x, { eps: 0 }))).toBeLessThan(1e-9);
  });

  it('RMSNorm is NOT shift invariant: [1, 3] and [11, 13] normalise differently', () => {
    expect(maxAbsDiff(rmsNorm(fromRows([[1, 3]])), rmsNorm(fromRows([[11, 13]])))).toBeGreaterThan(0.3);
  });

  test.prop([wellScaled], { numRuns: 50 })('BatchNorm columns have zero mean and unit variance over the batch', (x) => {
    if (x.rows < 2) return;
    const y = batchNorm(x, { eps: 0 });
    for (let j = 0; j < x.cols; j++) {
      const col = Array.from({ length: x.rows }, (_, i) => y.data[i * x.cols + j]!);
      const m = col.reduce((s, v) => s + v, 0) / x.rows;
      const v = col.reduce((s, c) => s + (c - m) ** 2, 0) / x.rows;
      expect(m).toBeCloseTo(0, 9);
      // a constant column would have variance 0; generated columns are not constant
      expect(v).toBeCloseTo(1, 9);
    }
  });
});

describe('Pre-LN vs Post-LN placement', () => {
  const zero = (x: Matrix) => matrix(x.rows, x.cols);
  const norm = (x: Matrix) => layerNorm(x);

  test.prop([wellScaled], { numRuns: 50 })('with a zero sublayer, Pre-LN is the identity and Post-LN is norm(x)', (x) => {
    expect(toRows(preNorm(x, zero, norm))).toEqual(toRows(x));
    expect(maxAbsDiff(postNorm(x, zero, norm), norm(x))).toBe(0);
  });

  test.prop([wellScaled, fc.integer()], { numRuns: 50 })('post: norm(x + f(x)); pre: x + f(norm(x)), for a linear f', (x, seed) => {
    const w = randomMatrix(x.cols, x.cols, rng(seed));
    const f = (h: Matrix) => matrix(h.rows, h.cols, h.data.map((_, k) => {
      const i = Math.floor(k / h.cols);
      const j = k % h.cols;
      let s = 0;
      for (let c = 0; c < h.cols; c++) s += h.data[i * h.cols + c]! * w.data[c * h.cols + j]!;
      return s;
    }));
    const fx = f(x);
    const sum = matrix(x.rows, x.cols, x.data.map((v, k) => v + fx.data[k]!));
    expect(maxAbsDiff(postNorm(x, f, norm), norm(sum))).toBeLessThan(1e-12);
    const fn = f(norm(x));
    expect(maxAbsDiff(preNorm(x, f, norm), matrix(x.rows, x.cols, x.data.map((v, k) => v + fn.data[k]!)))).toBeLessThan(1e-12);
  });

  it('Post-LN outputs always have unit scale; the Pre-LN residual stream grows with depth', () => {
    const r = rng(4);
    let pre = randomMatrix(4, 16, r);
    let post = pre;
    const layers = Array.from({ length: 24 }, () => randomMatrix(16, 16, r, () => r.normal(0, 1 / 4)));
    for (const w of layers) {
      const f = (h: Matrix) => matrix(h.rows, 16, h.data.map((_, k) => {
        let s = 0;
        for (let c = 0; c < 16; c++) s += h.data[Math.floor(k / 16) * 16 + c]! * w.data[c * 16 + (k % 16)]!;
        return s;
      }));
      pre = preNorm(pre, f, rmsNorm);
      post = postNorm(post, f, rmsNorm);
    }
    rowMoments(post).rms.forEach((v) => expect(v).toBeCloseTo(1, 5));
    expect(Math.min(...rowMoments(pre).rms)).toBeGreaterThan(2);
  });
});

describe('complexity: counted operations show what RMSNorm saves', () => {
  test.prop([fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 40 })], { numRuns: 50 })('per row LayerNorm does 2 reductions and 5d flops, RMSNorm 1 and 3d: a 40% saving', (n, d) => {
    const x = randomMatrix(n, d, rng(n * 97 + d));
    const ln: NormCounter = { flops: 0, reductions: 0 };
    const rms: NormCounter = { flops: 0, reductions: 0 };
    layerNorm(x, { ops: ln });
    rmsNorm(x, { ops: rms });
    expect(ln.flops).toBeLessThanOrEqual(5 * n * d);
    expect(rms.flops).toBeLessThanOrEqual(3 * n * d);
    expect(rms.flops / ln.flops).toBeCloseTo(0.6, 12);
    expect(rms.reductions * 2).toBe(ln.reductions);
  });

  it('with the affine step: LayerNorm 7d (gamma and beta), RMSNorm 4d (a gain, no bias)', () => {
    const ln: NormCounter = { flops: 0, reductions: 0 };
    const rms: NormCounter = { flops: 0, reductions: 0 };
    const x = randomMatrix(3, 8, rng(1));
    const ones = new Array<number>(8).fill(1);
    layerNorm(x, { gamma: ones, beta: ones, ops: ln });
    rmsNorm(x, { weight: ones, ops: rms });
    expect([ln.flops, rms.flops]).toEqual([7 * 24, 4 * 24]);
  });
});

describe('bad input gets a typed error naming the argument', () => {
  it('gamma / weight of the wrong length names the shape of x', () => {
    expect(() => layerNorm(matrix(2, 3), { gamma: [1, 1] })).toThrow('gamma: got an array of length 2, expected 3 values, one per column of x [2, 3]');
    expect(() => rmsNorm(matrix(2, 3), { weight: [1] })).toThrow(ArgumentError);
    expect(() => batchNorm(matrix(2, 3), { running: { mean: [0, 0, 0], variance: [1] } })).toThrow('running.variance');
  });

  it('eps must be a finite number >= 0; eps = 0 on a constant row is an error, not NaN', () => {
    expect(() => layerNorm(matrix(1, 2), { eps: -1 })).toThrow('eps: got -1, expected a number >= 0');
    expect(() => layerNorm(fromRows([[2, 2]]), { eps: 0 })).toThrow('x: got row 0 with variance 0, expected every variance > 0 when eps = 0');
    expect(() => rmsNorm(matrix(1, 2), { eps: 0 })).toThrow(ArgumentError);
    expect(layerNorm(fromRows([[2, 2]])).data[0]).toBe(0);
  });

  it('x must be a finite matrix with at least one column', () => {
    expect(() => layerNorm(matrix(2, 0))).toThrow('x: got shape [2, 0], expected at least one column (d >= 1)');
    expect(() => rmsNorm(matrix(1, 1, [Number.NaN]))).toThrow('x[0]: got NaN, expected a finite number');
    expect(() => rmsNorm([[1, 2]] as unknown as Matrix)).toThrow(TypeError);
  });

  it('parameter vectors that are not arrays, an empty batch, a negative running variance', () => {
    expect(() => layerNorm(matrix(2, 3), { beta: 3 as unknown as number[] })).toThrow(/^beta: /);
    expect(() => layerNorm(matrix(2, 3), { gamma: null as unknown as number[] })).toThrow(/^gamma: /);
    expect(() => layerNorm(matrix(2, 3), { gamma: { length: 3 } as unknown as number[] })).toThrow(/^gamma/);
    expect(() => batchNorm(matrix(0, 3))).toThrow('x: got shape [0, 3], expected at least one row to take batch statistics over');
    expect(() => batchNorm(matrix(2, 2), { running: { mean: [0, 0], variance: [1, -0.5] } })).toThrow('running.variance[1]: got -0.5, expected a variance >= 0');
    expect(batchNorm(fromRows([[1, 2]]), { running: { mean: [1, 2], variance: [0, 0] } }).data[0]).toBe(0);
  });
});

describe('the rejected variants compute the slips they are named after', () => {
  // row [1, 2, 3, 4]: mean 2.5, biased variance 1.25, unbiased 5/3, mean square 7.5
  const x = fromRows([[1, 2, 3, 4]]);
  const gamma = [1, 2, 1, 1];
  const beta = [0, 0, 0.5, 0];

  it('unbiased variance: (x - mu) / sqrt(var * d / (d - 1) + eps) * gamma + beta', () => {
    const scale = 1 / Math.sqrt(5 / 3 + 1e-5);
    expect(Array.from(layerNormUnbiasedVariant(x, { gamma, beta }).data)).toEqual([-1.5 * scale, -0.5 * scale * 2, 0.5 * scale + 0.5, 1.5 * scale]);
  });

  it('eps outside the root: (x - mu) / (sqrt(var) + eps)', () => {
    const scale = 1 / (Math.sqrt(1.25) + 0.1);
    expect(Array.from(layerNormEpsOutsideVariant(x, { eps: 0.1 }).data)).toEqual([-1.5 * scale, -0.5 * scale, 0.5 * scale, 1.5 * scale]);
  });

  it('mean-subtracting "RMSNorm" is LayerNorm with RMSNorm\'s eps and its weight as gamma', () => {
    expect(Array.from(rmsNormMeanSubtractedVariant(x, { weight: gamma }).data)).toEqual(Array.from(layerNorm(x, { gamma, eps: 1e-6 }).data));
    expect(Array.from(rmsNormMeanSubtractedVariant(x).data)).toEqual(Array.from(layerNorm(x, { eps: 1e-6 }).data));
  });
});

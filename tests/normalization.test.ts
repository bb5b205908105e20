/**
 * Answer key for Q18, normalization. Worked examples by hand; the textbook layerNorm, rmsNorm and
 * batchNorm against tfjs (tf.moments, tf.rsqrt, tf.batchNorm) on generated shapes and scales, also
 * on [batch, T, d] tensors; the counted kernels equal the textbook ones; the row invariants (zero
 * mean / unit variance, unit RMS, RMSNorm == LayerNorm on zero-mean rows, scale invariance); Pre-LN
 * vs Post-LN with an identity check; counted operations showing what RMSNorm saves; the pitfalls
 * (unbiased variance, eps outside the sqrt, RMSNorm that subtracts the mean, the residual taken
 * after the norm) rejected by the properties the right answers pass. Input checks:
 * tests/inputs/normalization.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  batchNorm,
  batchNormTfMatrix,
  layerNorm,
  layerNormCounted,
  layerNormTf,
  layerNormTfMatrix,
  pitfallLayerNormEpsOutsideRoot,
  pitfallLayerNormUnbiasedVariance,
  pitfallPreNormResidualAfterNorm,
  pitfallRmsNormSubtractingMean,
  postNorm,
  preNorm,
  rmsNorm,
  rmsNormCounted,
  rmsNormTf,
  rmsNormTfMatrix,
  rowMoments,
} from '../ml/normalization.js';
import { tensorBackend } from '../core/backend.js';
import { Counter } from '../core/counter.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, toRows, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall, rejectsPitfallAsync } from './support/answer-key.js';

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
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    d: fc.integer({ min: 2, max: 24 }),
    seed: fc.integer(),
    offset: fc.double({ min: -5, max: 5, noNaN: true }),
  })
  .map(({ n, d, seed, offset }) => {
    const r = rng(seed);
    const x = randomMatrix(n, d, r, () => r.normal() + offset);
    // force a spread in every row so its variance is bounded away from 0
    for (let i = 0; i < n; i++) x.data[i * d] = (x.data[i * d] as number) + 3;
    return x;
  });

type LayerNormFn = (
  x: Matrix,
  gamma?: ArrayLike<number>,
  beta?: ArrayLike<number>,
  eps?: number,
) => Matrix;
type RmsNormFn = (x: Matrix, gain?: ArrayLike<number>, eps?: number) => Matrix;

const TOL = 1e-4;

/** The oracle property: the from-scratch LayerNorm (or a pitfall) agrees with tfjs to 1e-4. */
const layerNormAgrees = (impl: LayerNormFn) =>
  fc.asyncProperty(
    normCase,
    async ({ x, gamma, beta }) =>
      maxAbsDiff(impl(x, gamma, beta), await layerNormTfMatrix(x, gamma, beta)) < TOL,
  );

const rmsNormAgrees = (impl: RmsNormFn) =>
  fc.asyncProperty(
    normCase,
    async ({ x, gamma }) => maxAbsDiff(impl(x, gamma), await rmsNormTfMatrix(x, gamma)) < TOL,
  );

/** A pitfall run of an async property: no shrinking (each run calls tfjs). */
const pitfallRuns = { numRuns: 60, seed: 7, endOnFailure: true };

/** Every LayerNorm row has mean 0 and biased variance 1 before the affine. */
const zeroMeanUnitVariance = (impl: LayerNormFn) =>
  fc.property(wellScaled, (x) => {
    const { mean, variance } = rowMoments(impl(x, undefined, undefined, 0));
    return mean.every((m) => Math.abs(m) < 1e-9) && variance.every((v) => Math.abs(v - 1) < 1e-9);
  });

const zero = (x: Matrix) => matrix(x.rows, x.cols);
const norm = (x: Matrix) => layerNorm(x);

/** The identity-path property: with a zero sublayer, Pre-LN gives back x. */
const identityWhenSilent = (place: typeof preNorm) =>
  fc.property(wellScaled, (x) => maxAbsDiff(place(x, zero, norm), x) === 0);

describe('worked examples', () => {
  it('LayerNorm([1, 2, 3]) = [-1.2247, 0, 1.2247]: mean 2, biased variance 2/3', () => {
    const y = layerNorm(fromRows([[1, 2, 3]]), undefined, undefined, 0);
    [-1.2247, 0, 1.2247].forEach((v, j) => expect(y.data[j]).toBeCloseTo(v, 4));
    expect(y.data[2]).toBeCloseTo(1 / Math.sqrt(2 / 3), 12);
  });

  it('RMSNorm([3, 4]) = [0.8485, 1.1314]: RMS = sqrt((9 + 16) / 2) = sqrt(12.5)', () => {
    const y = rmsNorm(fromRows([[3, 4]]), undefined, 0);
    expect(y.data[0]).toBeCloseTo(3 / Math.sqrt(12.5), 12);
    expect(y.data[1]).toBeCloseTo(1.1314, 4);
  });

  it('with gamma [2, 1, 1] and beta [0, 0, 10]: [-2.4495, 0, 11.2247]', () => {
    const y = layerNorm(fromRows([[1, 2, 3]]), [2, 1, 1], [0, 0, 10], 0);
    [-2.4495, 0, 11.2247].forEach((v, j) => expect(y.data[j]).toBeCloseTo(v, 4));
  });

  it('eps sits inside the sqrt: LayerNorm([0, 2]) with eps 1 is [-1, 1] / sqrt(1 + 1)', () => {
    const y = layerNorm(fromRows([[0, 2]]), undefined, undefined, 1);
    expect(y.data[1]).toBeCloseTo(1 / Math.SQRT2, 12);
    expect(
      pitfallLayerNormEpsOutsideRoot(fromRows([[0, 2]]), undefined, undefined, 1).data[1],
    ).toBeCloseTo(0.5, 12);
  });

  it('BatchNorm normalizes columns over the batch: [[1, 10], [3, 30]] -> [[-1, -1], [1, 1]]', () => {
    expect(
      toRows(
        batchNorm(
          fromRows([
            [1, 10],
            [3, 30],
          ]),
          { eps: 0 },
        ),
      ),
    ).toEqual([
      [-1, -1],
      [1, 1],
    ]);
    expect(
      toRows(
        batchNorm(fromRows([[1, 10]]), { eps: 0, running: { mean: [0, 10], variance: [4, 1] } }),
      ),
    ).toEqual([[0.5, 0]]);
  });
});

describe('oracles: the textbook norms agree with tfjs (float32) to 1e-4 on generated shapes and scales', () => {
  it('LayerNorm vs tf.moments + tf.rsqrt', async () => {
    await fc.assert(layerNormAgrees(layerNorm), { numRuns: 25, seed: 3 });
  });

  it('RMSNorm vs tf.mean(tf.square) + tf.rsqrt', async () => {
    await fc.assert(rmsNormAgrees(rmsNorm), { numRuns: 25, seed: 3 });
  });

  test.prop([normCase, fc.boolean()], { numRuns: 20 })(
    'BatchNorm vs tf.moments(axis 0) + tf.batchNorm, training and running statistics',
    async ({ x, gamma, beta }, useRunning) => {
      const running = useRunning
        ? {
            mean: Array.from({ length: x.cols }, (_, j) => j / 3),
            variance: Array.from({ length: x.cols }, (_, j) => 0.5 + j),
          }
        : undefined;
      const options = {
        ...(gamma ? { gamma } : {}),
        ...(beta ? { beta } : {}),
        ...(running ? { running } : {}),
      };
      expect(maxAbsDiff(batchNorm(x, options), await batchNormTfMatrix(x, options))).toBeLessThan(
        TOL,
      );
    },
  );

  test.prop([fc.integer({ min: 1, max: 3 }), normCase], { numRuns: 10 })(
    'the tensor twins normalize the last axis of [batch, n, d] tensors like the textbook norms on each [n, d]',
    async (batch, { x, gamma, beta }) => {
      const { tf } = await tensorBackend();
      const stacked = tf.tensor3d(Array.from({ length: batch }, () => Array.from(x.data)).flat(), [
        batch,
        x.rows,
        x.cols,
      ]);
      const [ln, rms] = [
        layerNormTf(tf, stacked, gamma, beta),
        rmsNormTf(tf, stacked, gamma && tf.tensor1d(Float32Array.from(gamma))),
      ];
      const [lnData, rmsData] = [await ln.data(), await rms.data()];
      tf.dispose([stacked, ln, rms]);
      const size = x.data.length;
      for (let b = 0; b < batch; b++) {
        expect(
          maxAbsDiff(
            matrix(x.rows, x.cols, lnData.subarray(b * size, (b + 1) * size)),
            layerNorm(x, gamma, beta),
          ),
        ).toBeLessThan(TOL);
        expect(
          maxAbsDiff(
            matrix(x.rows, x.cols, rmsData.subarray(b * size, (b + 1) * size)),
            rmsNorm(x, gamma),
          ),
        ).toBeLessThan(TOL);
      }
    },
  );

  test.prop([normCase], { numRuns: 50 })(
    'the counted kernels equal the textbook norms exactly',
    ({ x, gamma, beta }) => {
      const options = { ...(gamma ? { gamma } : {}), ...(beta ? { beta } : {}) };
      expect(layerNormCounted(x, options, new Counter())).toEqual(layerNorm(x, gamma, beta));
      expect(rmsNormCounted(x, gamma ? { weight: gamma } : {}, new Counter())).toEqual(
        rmsNorm(x, gamma),
      );
    },
  );
});

describe('invariants (eps = 0 so they hold exactly)', () => {
  it('LayerNorm rows have zero mean and unit (biased) variance', () => {
    fc.assert(zeroMeanUnitVariance(layerNorm), { numRuns: 100 });
  });

  test.prop([wellScaled], { numRuns: 100 })('RMSNorm rows have unit root-mean-square', (x) => {
    rowMoments(rmsNorm(x, undefined, 0)).rms.forEach((r) => expect(r).toBeCloseTo(1, 12));
  });

  test.prop([wellScaled], { numRuns: 100 })(
    'RMSNorm equals LayerNorm on zero-mean rows (and not otherwise)',
    (x) => {
      const centred = matrix(x.rows, x.cols, x.data);
      const { mean } = rowMoments(x);
      for (let k = 0; k < centred.data.length; k++)
        centred.data[k] = (centred.data[k] as number) - mean[Math.floor(k / x.cols)]!;
      expect(
        maxAbsDiff(
          rmsNorm(centred, undefined, 1e-5),
          layerNorm(centred, undefined, undefined, 1e-5),
        ),
      ).toBeLessThan(1e-9);
    },
  );

  test.prop([wellScaled, fc.double({ min: 1e-3, max: 1e3, noNaN: true })], { numRuns: 100 })(
    'both are invariant to scaling the input by a > 0; LayerNorm also to shifting it',
    (x, a) => {
      const scaled = matrix(
        x.rows,
        x.cols,
        x.data.map((v) => a * v),
      );
      const shifted = matrix(
        x.rows,
        x.cols,
        x.data.map((v) => v + 7),
      );
      const ln = (m: Matrix) => layerNorm(m, undefined, undefined, 0);
      const rms = (m: Matrix) => rmsNorm(m, undefined, 0);
      expect(maxAbsDiff(ln(scaled), ln(x))).toBeLessThan(1e-9);
      expect(maxAbsDiff(rms(scaled), rms(x))).toBeLessThan(1e-9);
      expect(maxAbsDiff(ln(shifted), ln(x))).toBeLessThan(1e-9);
    },
  );

  it('RMSNorm is NOT shift invariant: [1, 3] and [11, 13] normalize differently', () => {
    expect(maxAbsDiff(rmsNorm(fromRows([[1, 3]])), rmsNorm(fromRows([[11, 13]])))).toBeGreaterThan(
      0.3,
    );
  });

  test.prop([wellScaled], { numRuns: 50 })(
    'BatchNorm columns have zero mean and unit variance over the batch',
    (x) => {
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
    },
  );
});

describe('Pre-LN vs Post-LN placement', () => {
  test.prop([wellScaled], { numRuns: 50 })(
    'with a zero sublayer, Pre-LN is the identity and Post-LN is norm(x)',
    (x) => {
      expect(toRows(preNorm(x, zero, norm))).toEqual(toRows(x));
      expect(maxAbsDiff(postNorm(x, zero, norm), norm(x))).toBe(0);
    },
  );

  it('the identity-path property holds for Pre-LN', () => {
    fc.assert(identityWhenSilent(preNorm), { numRuns: 50 });
  });

  test.prop([wellScaled, fc.integer()], { numRuns: 50 })(
    'post: norm(x + f(x)); pre: x + f(norm(x)), for a linear f',
    (x, seed) => {
      const w = randomMatrix(x.cols, x.cols, rng(seed));
      const f = (h: Matrix) =>
        matrix(
          h.rows,
          h.cols,
          h.data.map((_, k) => {
            const i = Math.floor(k / h.cols);
            const j = k % h.cols;
            let s = 0;
            for (let c = 0; c < h.cols; c++) s += h.data[i * h.cols + c]! * w.data[c * h.cols + j]!;
            return s;
          }),
        );
      const fx = f(x);
      const sum = matrix(
        x.rows,
        x.cols,
        x.data.map((v, k) => v + fx.data[k]!),
      );
      expect(maxAbsDiff(postNorm(x, f, norm), norm(sum))).toBeLessThan(1e-12);
      const fn = f(norm(x));
      expect(
        maxAbsDiff(
          preNorm(x, f, norm),
          matrix(
            x.rows,
            x.cols,
            x.data.map((v, k) => v + fn.data[k]!),
          ),
        ),
      ).toBeLessThan(1e-12);
    },
  );

  it('Post-LN outputs always have unit scale; the Pre-LN residual stream grows with depth', () => {
    const r = rng(4);
    let pre = randomMatrix(4, 16, r);
    let post = pre;
    const layers = Array.from({ length: 24 }, () =>
      randomMatrix(16, 16, r, () => r.normal(0, 1 / 4)),
    );
    for (const w of layers) {
      const f = (h: Matrix) =>
        matrix(
          h.rows,
          16,
          h.data.map((_, k) => {
            let s = 0;
            for (let c = 0; c < 16; c++)
              s += h.data[Math.floor(k / 16) * 16 + c]! * w.data[c * 16 + (k % 16)]!;
            return s;
          }),
        );
      pre = preNorm(pre, f, rmsNorm);
      post = postNorm(post, f, rmsNorm);
    }
    rowMoments(post).rms.forEach((v) => expect(v).toBeCloseTo(1, 5));
    expect(Math.min(...rowMoments(pre).rms)).toBeGreaterThan(2);
  });
});

describe('complexity: counted operations show what RMSNorm saves', () => {
  test.prop([fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 40 })], { numRuns: 50 })(
    'per row LayerNorm does 2 reductions and 5d flops, RMSNorm 1 and 3d: a 40% saving',
    (n, d) => {
      const x = randomMatrix(n, d, rng(n * 97 + d));
      const [ln, rms] = [new Counter(), new Counter()];
      layerNormCounted(x, {}, ln);
      rmsNormCounted(x, {}, rms);
      expect(ln.get('flops')).toBeLessThanOrEqual(5 * n * d);
      expect(rms.get('flops')).toBeLessThanOrEqual(3 * n * d);
      expect(rms.get('flops') / ln.get('flops')).toBeCloseTo(0.6, 12);
      expect(rms.get('reductions') * 2).toBe(ln.get('reductions'));
    },
  );

  it('with the affine step: LayerNorm 7d (gamma and beta), RMSNorm 4d (a gain, no bias)', () => {
    const [ln, rms] = [new Counter(), new Counter()];
    const x = randomMatrix(3, 8, rng(1));
    const ones = new Array<number>(8).fill(1);
    layerNormCounted(x, { gamma: ones, beta: ones }, ln);
    rmsNormCounted(x, { weight: ones }, rms);
    expect([ln.get('flops'), rms.get('flops')]).toEqual([7 * 24, 4 * 24]);
  });
});

describe('pitfalls: each computes the slip it is named after, and the properties above reject it', () => {
  // row [1, 2, 3, 4]: mean 2.5, biased variance 1.25, unbiased 5/3, mean square 7.5
  const x = fromRows([[1, 2, 3, 4]]);
  const gamma = [1, 2, 1, 1];
  const beta = [0, 0, 0.5, 0];

  it('unbiased variance: (x - mu) / sqrt(var * d / (d - 1) + eps) * gamma + beta', () => {
    const scale = 1 / Math.sqrt(5 / 3 + 1e-5);
    expect(Array.from(pitfallLayerNormUnbiasedVariance(x, gamma, beta).data)).toEqual([
      -1.5 * scale,
      -0.5 * scale * 2,
      0.5 * scale + 0.5,
      1.5 * scale,
    ]);
  });

  it('eps outside the root: (x - mu) / (sqrt(var) + eps)', () => {
    const scale = 1 / (Math.sqrt(1.25) + 0.1);
    expect(Array.from(pitfallLayerNormEpsOutsideRoot(x, undefined, undefined, 0.1).data)).toEqual([
      -1.5 * scale,
      -0.5 * scale,
      0.5 * scale,
      1.5 * scale,
    ]);
  });

  it('mean-subtracting "RMSNorm" is LayerNorm with RMSNorm\'s eps and its weight as gamma', () => {
    expect(Array.from(pitfallRmsNormSubtractingMean(x, gamma).data)).toEqual(
      Array.from(layerNorm(x, gamma, undefined, 1e-6).data),
    );
    expect(Array.from(pitfallRmsNormSubtractingMean(x).data)).toEqual(
      Array.from(layerNorm(x, undefined, undefined, 1e-6).data),
    );
  });

  it('rejects LayerNorm with the unbiased variance (divide by d - 1) against tfjs', async () => {
    await rejectsPitfallAsync(layerNormAgrees(pitfallLayerNormUnbiasedVariance), pitfallRuns);
  });

  it('rejects LayerNorm with eps outside the sqrt (wrong when the variance is near eps) against tfjs', async () => {
    await rejectsPitfallAsync(layerNormAgrees(pitfallLayerNormEpsOutsideRoot), pitfallRuns);
  });

  it('rejects an "RMSNorm" that subtracts the row mean against tfjs', async () => {
    await rejectsPitfallAsync(rmsNormAgrees(pitfallRmsNormSubtractingMean), pitfallRuns);
  });

  it('the unbiased variance fails the zero-mean unit-variance invariant: its rows have variance (d - 1) / d', () => {
    rejectsPitfall(zeroMeanUnitVariance(pitfallLayerNormUnbiasedVariance), {
      numRuns: 100,
      seed: 1,
    });
  });

  it('rejects the residual taken after the norm, norm(x) + f(norm(x)): Pre-LN is no longer the identity with a silent sublayer', () => {
    rejectsPitfall(identityWhenSilent(pitfallPreNormResidualAfterNorm), { numRuns: 50, seed: 2 });
  });
});

/**
 * Answer key for Q09, Q11, Q12, scaled dot-product attention. Worked examples (one checked against
 * mathjs); the masked kernel equal to the textbook one without a mask; both against tfjs on
 * generated shapes (the tensor-level twin, with tensor masks, batched and headed); invariants
 * (rows sum to 1, key/value permutation, causality, stability); the additive bias and visibility
 * predicate that ALiBi and sliding windows use; multiply-adds counted against n^2 d; then the
 * rejected pitfalls: the unscaled attention (Q12), the mask applied after the softmax.
 * Input checks: tests/inputs/scaled-dot-product-attention.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as math from 'mathjs';
import {
  attention,
  attentionMasked,
  attentionTf,
  attentionTfMatrix,
  attentionWeightsTf,
  attentionWeightsTfMatrix,
  causalMaskTf,
  paddingMaskTf,
  pitfallMaskAfterSoftmax,
  pitfallUnscaledAttention,
  scalingExperiment,
  slidingWindowMaskTf,
  type AttentionOptions,
  type AttentionResult,
  workedExample,
} from '../ml/scaled-dot-product-attention.js';
import { rowEntropies } from '../ml/softmax.js';
import { tensorBackend } from '../core/backend.js';
import { Counter } from '../core/counter.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, toRows, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

const { q: Q, k: K, v: V } = workedExample();

/** Shapes and data for generated cases: n queries, m keys, widths d_k and d_v, optional masks. */
const attentionCase = fc
  .record({
    n: fc.integer({ min: 1, max: 10 }),
    m: fc.integer({ min: 1, max: 10 }),
    dk: fc.integer({ min: 1, max: 12 }),
    dv: fc.integer({ min: 1, max: 6 }),
    causal: fc.boolean(),
    seed: fc.integer(),
    padded: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
    usePadding: fc.boolean(),
  })
  .map(({ n, m, dk, dv, causal, seed, padded, usePadding }) => {
    const r = rng(seed);
    const rows = causal ? Math.min(n, m) : n;
    const uniform = () => 4 * r.uniform() - 2;
    return {
      q: randomMatrix(rows, dk, r, uniform),
      k: randomMatrix(m, dk, r, uniform),
      v: randomMatrix(m, dv, r, uniform),
      options: { causal, ...(usePadding ? { keyPadding: padded.slice(0, m) } : {}) },
    };
  });

const rowsOf = (m: Matrix, i: number) => m.data.subarray(i * m.cols, (i + 1) * m.cols);
const isMasked = (
  i: number,
  j: number,
  options: { causal?: boolean; keyPadding?: readonly boolean[] },
) => (options.causal === true && j > i) || options.keyPadding?.[j] === true;

describe('worked examples', () => {
  it('one query, two keys: weights softmax([1, 0] / sqrt 2) = [0.670, 0.330], output 1.330', () => {
    const { output, weights } = attention(
      fromRows([[1, 0]]),
      fromRows([
        [1, 0],
        [0, 1],
      ]),
      fromRows([[1], [2]]),
    );
    expect(weights.data[0]).toBeCloseTo(1 / (1 + Math.exp(-1 / Math.SQRT2)), 12);
    expect(output.data[0]).toBeCloseTo(0.67 * 1 + 0.33 * 2, 2);
  });

  it('the 4 x 4 reference case gives O = [[1.2699, .8429], [1, .8112], [1, .5731], [1, .8112]]', () => {
    const expected = [
      [1.2699, 0.8429],
      [1, 0.8112],
      [1, 0.5731],
      [1, 0.8112],
    ];
    toRows(attention(Q, K, V).output).forEach((row, i) =>
      row.forEach((x, j) => expect(x).toBeCloseTo(expected[i]![j]!, 4)),
    );
  });

  it('with the causal mask: [[1, 0], [.3775, .6225], [.8137, .4935], [1, .8112]]', () => {
    const expected = [
      [1, 0],
      [0.3775, 0.6225],
      [0.8137, 0.4935],
      [1, 0.8112],
    ];
    toRows(attentionMasked(Q, K, V, { causal: true }).output).forEach((row, i) =>
      row.forEach((x, j) => expect(x).toBeCloseTo(expected[i]![j]!, 4)),
    );
  });

  it('mathjs computes the same softmax(Q K^T / 2) V to 1e-12', () => {
    const logits = math.multiply(
      math.multiply(toRows(Q), math.transpose(toRows(K))),
      0.5,
    ) as number[][];
    const weights = logits.map((row) => {
      const e = row.map((x) => Math.exp(x));
      const s = math.sum(e);
      return e.map((x) => x / s);
    });
    const reference = fromRows(math.multiply(weights, toRows(V)) as number[][]);
    expect(maxAbsDiff(attention(Q, K, V).output, reference)).toBeLessThan(1e-12);
  });
});

/** The tfjs twin's output and weights, read back as matrices. */
async function viaTf(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  options: AttentionOptions,
): Promise<AttentionResult> {
  return {
    output: await attentionTfMatrix(q, k, v, options),
    weights: await attentionWeightsTfMatrix(q, k, v, options),
  };
}

describe('the masked kernel is the textbook one when nothing is masked', () => {
  test.prop([attentionCase], { numRuns: 100 })(
    'attentionMasked(q, k, v) = attention(q, k, v), output and weights, to 1e-12',
    ({ q, k, v }) => {
      const textbook = attention(q, k, v);
      const masked = attentionMasked(q, k, v);
      expect(maxAbsDiff(masked.output, textbook.output)).toBeLessThan(1e-12);
      expect(maxAbsDiff(masked.weights, textbook.weights)).toBeLessThan(1e-12);
    },
  );
});

describe('from scratch agrees with tfjs (float32) to 1e-5', () => {
  test.prop([attentionCase], { numRuns: 60 })(
    'output and weights, with and without masks',
    async ({ q, k, v, options }) => {
      const mine = attentionMasked(q, k, v, options);
      const theirs = await viaTf(q, k, v, options);
      expect(maxAbsDiff(mine.output, theirs.output)).toBeLessThan(1e-5);
      expect(maxAbsDiff(mine.weights, theirs.weights)).toBeLessThan(1e-5);
    },
  );

  test.prop([attentionCase, fc.integer(), fc.integer({ min: 1, max: 4 })], { numRuns: 40 })(
    'with an additive bias (ALiBi-like) and a visibility predicate (a window)',
    async ({ q, k, v, options }, seed, window) => {
      const biased = {
        ...options,
        bias: randomMatrix(q.rows, k.rows, rng(seed)),
        visible: (i: number, j: number) => Math.abs(i - j) < window,
      };
      const mine = attentionMasked(q, k, v, biased);
      const theirs = await viaTf(q, k, v, biased);
      expect(maxAbsDiff(mine.output, theirs.output)).toBeLessThan(1e-5);
      expect(maxAbsDiff(mine.weights, theirs.weights)).toBeLessThan(1e-5);
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer(),
    ],
    { numRuns: 20 },
  )(
    'batched and headed: attentionTf on [b, h, n, d] equals the from-scratch kernel on every [n, d] slice, causal',
    async (b, h, n, d, seed) => {
      const { tf } = await tensorBackend();
      const r = rng(seed);
      const slices = Array.from(
        { length: b * h },
        () => [randomMatrix(n, d, r), randomMatrix(n, d, r), randomMatrix(n, d, r)] as const,
      );
      const stack = (i: 0 | 1 | 2) =>
        tf.tensor4d(
          slices.flatMap((s) => Array.from(s[i].data)),
          [b, h, n, d],
        );
      const got = tf.tidy(() =>
        attentionTf(tf, stack(0), stack(1), stack(2), { mask: causalMaskTf(tf, n) }).dataSync(),
      );
      slices.forEach(([q, k, v], s) => {
        const expected = attentionMasked(q, k, v, { causal: true }).output;
        expected.data.forEach((x, i) =>
          expect(Math.abs(x - got[s * n * d + i]!)).toBeLessThan(1e-5),
        );
      });
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    ],
    { numRuns: 30 },
  )(
    'the tensor masks equal their predicates: causal j <= i, window i - W < j <= i, padding',
    async (n, m, window, padded) => {
      const { tf } = await tensorBackend();
      const [causal, windowed, padding] = tf.tidy(() => [
        causalMaskTf(tf, n, m).arraySync() as number[][],
        slidingWindowMaskTf(tf, n, m, window).arraySync() as number[][],
        paddingMaskTf(tf, padded.slice(0, m)).arraySync() as number[][],
      ]);
      // tfjs reads bool tensors back as 1 / 0
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          expect(Boolean(causal![i]![j])).toBe(j <= i);
          expect(Boolean(windowed![i]![j])).toBe(j <= i && j > i - window);
        }
      }
      expect(padding![0]!.map(Boolean)).toEqual(padded.slice(0, m).map((p) => !p));
    },
  );

  it('the weights are computed only when asked: attentionWeightsTf alone, attentionTf never reads them back', async () => {
    const { tf } = await tensorBackend();
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const x = tf.randomNormal([6, 4]);
      return [attentionTf(tf, x, x, x), attentionWeightsTf(tf, x, x)];
    });
    expect(out.map((t) => t.shape)).toEqual([
      [6, 4],
      [6, 6],
    ]);
    out.forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('bias and visibility are the same kernel, not a second one', () => {
  test.prop([attentionCase, fc.integer()], { numRuns: 60 })(
    'a bias constant along each row changes nothing (softmax shift invariance)',
    ({ q, k, v, options }, seed) => {
      const r = rng(seed);
      const rowShift = Array.from({ length: q.rows }, () => 5 * r.normal());
      const constant = matrix(
        q.rows,
        k.rows,
        Array.from({ length: q.rows * k.rows }, (_, x) => rowShift[Math.floor(x / k.rows)]!),
      );
      expect(
        maxAbsDiff(
          attentionMasked(q, k, v, { ...options, bias: constant }).weights,
          attentionMasked(q, k, v, options).weights,
        ),
      ).toBeLessThan(1e-12);
    },
  );

  it('a bias of -1e9 on key 0 hides it like a mask; a bias on one key changes the weights', () => {
    const bias = matrix(
      4,
      4,
      Array.from({ length: 16 }, (_, x) => (x % 4 === 0 ? -1e9 : 0)),
    );
    const hidden = attentionMasked(Q, K, V, { bias }).weights;
    toRows(hidden).forEach((row) => expect(row[0]).toBe(0));
    expect(maxAbsDiff(hidden, attention(Q, K, V).weights)).toBeGreaterThan(0.01);
  });

  test.prop([attentionCase], { numRuns: 60 })(
    'visible(i, j) = j <= i is exactly the causal mask; visible = padding flags is exactly keyPadding',
    ({ q, k, v }) => {
      const rows = Math.min(q.rows, k.rows);
      const qc = matrix(rows, q.cols, q.data.subarray(0, rows * q.cols));
      expect(attentionMasked(qc, k, v, { visible: (i, j) => j <= i }).output).toEqual(
        attentionMasked(qc, k, v, { causal: true }).output,
      );
      const padding = Array.from({ length: k.rows }, (_, j) => j % 3 === 1);
      expect(attentionMasked(q, k, v, { visible: (_, j) => !padding[j] }).output).toEqual(
        attentionMasked(q, k, v, { keyPadding: padding }).output,
      );
    },
  );
});

describe('invariants', () => {
  test.prop([attentionCase], { numRuns: 150 })(
    'rows of the weights are >= 0, zero where masked, and sum to 1 (0 if all masked)',
    ({ q, k, v, options }) => {
      const { weights } = attentionMasked(q, k, v, options);
      for (let i = 0; i < weights.rows; i++) {
        const row = rowsOf(weights, i);
        const anyVisible = Array.from({ length: k.rows }, (_, j) => !isMasked(i, j, options)).some(
          Boolean,
        );
        row.forEach((w, j) => {
          expect(w).toBeGreaterThanOrEqual(0);
          if (isMasked(i, j, options)) expect(w).toBe(0);
        });
        expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(anyVisible ? 1 : 0, 12);
      }
    },
  );

  test.prop([attentionCase, fc.integer()], { numRuns: 100 })(
    'permuting keys and values together leaves the output unchanged',
    ({ q, k, v, options }, seed) => {
      const perm = rng(seed).shuffled(Array.from({ length: k.rows }, (_, j) => j));
      const permute = (m: Matrix) => fromRows(perm.map((j) => Array.from(rowsOf(m, j))));
      const padding = options.keyPadding && perm.map((j) => options.keyPadding![j]!);
      const before = attentionMasked(
        q,
        k,
        v,
        options.keyPadding ? { keyPadding: options.keyPadding } : {},
      );
      const after = attentionMasked(
        q,
        permute(k),
        permute(v),
        padding ? { keyPadding: padding } : {},
      );
      expect(maxAbsDiff(before.output, after.output)).toBeLessThan(1e-12);
    },
  );

  test.prop([attentionCase, fc.nat(), fc.integer()], { numRuns: 100 })(
    'causal: output t does not change when keys and values after t change',
    ({ q: anyQ, k, v }, tRaw, seed) => {
      // a causal mask aligns query i with key i, so keep at most m queries
      const q = matrix(
        Math.min(anyQ.rows, k.rows),
        anyQ.cols,
        anyQ.data.subarray(0, Math.min(anyQ.rows, k.rows) * anyQ.cols),
      );
      const t = tRaw % q.rows;
      const r = rng(seed);
      const scramble = (m: Matrix) => {
        const copy = matrix(m.rows, m.cols, m.data);
        for (let i = (t + 1) * m.cols; i < copy.data.length; i++) copy.data[i] = r.normal();
        return copy;
      };
      const before = attentionMasked(q, k, v, { causal: true }).output;
      const after = attentionMasked(q, scramble(k), scramble(v), { causal: true }).output;
      for (let i = 0; i <= t; i++)
        expect(Array.from(rowsOf(after, i))).toEqual(Array.from(rowsOf(before, i)));
    },
  );

  it('logits of 1e3 do not overflow: the softmax subtracts the row max', () => {
    const { output, weights } = pitfallUnscaledAttention(
      fromRows([[1000]]),
      fromRows([[1], [2]]),
      fromRows([[0], [1]]),
    );
    expect(weights.data[1]).toBeCloseTo(1, 12);
    expect(Number.isFinite(output.data[0])).toBe(true);
  });
  // the naive softmax (no max shift) is rejected in tests/softmax.test.ts
});

describe('Q12: why divide by sqrt(d_k)', () => {
  /**
   * The property: with unit-variance q and k, the logits keep unit-scale variance for every d_k and
   * the softmax over 32 keys keeps most of its entropy (>= 60% of ln 32). `scaleFor` is the choice
   * under test.
   */
  const unitScaleProperty = (attend: (q: Matrix, k: Matrix, v: Matrix) => AttentionResult) =>
    fc.property(fc.integer({ min: 16, max: 512 }), fc.integer(), (dk, seed) => {
      const r = rng(seed);
      const keys = 32;
      const q = randomMatrix(1, dk, r);
      const k = randomMatrix(keys, dk, r);
      const entropy = rowEntropies(attend(q, k, matrix(keys, 1)).weights)[0]!;
      return entropy >= 0.6 * Math.log(keys);
    });

  /** The logits themselves: unit-scale variance (< 4) with 1 / sqrt(d_k), for every d_k. */
  const logitVariance = (scale: number, dk: number, seed: number) => {
    const r = rng(seed);
    const q = randomMatrix(1, dk, r);
    const k = randomMatrix(32, dk, r);
    const logits = Array.from({ length: 32 }, (_, j) => {
      let dot = 0;
      for (let c = 0; c < dk; c++) dot += q.data[c]! * k.data[j * dk + c]!;
      return dot * scale;
    });
    return logits.reduce((s, x) => s + x * x, 0) / 32;
  };

  it('holds for the textbook attention (scale 1 / sqrt(d_k)): the logits keep unit variance', () => {
    fc.assert(unitScaleProperty(attention), { numRuns: 40, seed: 12 });
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 512 }),
        fc.integer(),
        (dk, seed) => logitVariance(1 / Math.sqrt(dk), dk, seed) < 4,
      ),
      { numRuns: 40, seed: 12 },
    );
  });

  it('rejects the unscaled attention: logits of variance d_k saturate the softmax', () => {
    rejectsPitfall(unitScaleProperty(pitfallUnscaledAttention), { numRuns: 40, seed: 12 });
  });

  it('measured: Var(q . k) grows like d_k while the scaled score stays near 1', () => {
    const points = scalingExperiment([4, 64, 512], 32, 40, rng(5));
    for (const p of points) {
      expect(p.varianceUnscaled / p.dk).toBeGreaterThan(0.8);
      expect(p.varianceUnscaled / p.dk).toBeLessThan(1.25);
      expect(p.varianceScaled).toBeCloseTo(p.varianceUnscaled / p.dk, 12);
    }
    const [small, , large] = points;
    expect(large!.entropyUnscaled).toBeLessThan(0.3);
    expect(small!.entropyScaled - large!.entropyScaled).toBeLessThan(0.1);
  });
});

describe('complexity: multiply-adds are proportional to n^2 d', () => {
  test.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 32 }), fc.boolean()], {
    numRuns: 60,
  })(
    'n^2 d / 2 <= madds <= 2 n^2 d (d = d_k = d_v; the causal mask does about half)',
    (n, d, causal) => {
      const r = rng(n * 100 + d);
      const counter = new Counter();
      attentionMasked(
        randomMatrix(n, d, r),
        randomMatrix(n, d, r),
        randomMatrix(n, d, r),
        { causal },
        counter,
      );
      expect(counter.get('madds')).toBeLessThanOrEqual(2 * n * n * d);
      expect(counter.get('madds')).toBeGreaterThanOrEqual((n * n * d) / 2);
      if (!causal) expect(counter.get('madds')).toBeGreaterThanOrEqual(2 * n * n * d * 0.99);
    },
  );
});

describe('pitfall: the mask applied after the softmax', () => {
  /** The property: every row that sees a key is a distribution over the visible keys. */
  const rowsAreDistributions = (
    attend: (q: Matrix, k: Matrix, v: Matrix, o: AttentionOptions) => AttentionResult,
  ) =>
    fc.property(attentionCase, ({ q, k, v, options }) => {
      const { weights } = attend(q, k, v, options);
      for (let i = 0; i < weights.rows; i++) {
        const anyVisible = Array.from({ length: k.rows }, (_, j) => !isMasked(i, j, options)).some(
          Boolean,
        );
        const total = rowsOf(weights, i).reduce((s, w) => s + w, 0);
        if (Math.abs(total - (anyVisible ? 1 : 0)) > 1e-9) return false;
      }
      return true;
    });

  it('the masked kernel passes', () => {
    fc.assert(rowsAreDistributions(attentionMasked), { numRuns: 100, seed: 9 });
  });

  it('rejects zeroing the masked weights after the softmax: the rows no longer sum to 1', () => {
    rejectsPitfall(rowsAreDistributions(pitfallMaskAfterSoftmax), { numRuns: 100, seed: 9 });
  });
});

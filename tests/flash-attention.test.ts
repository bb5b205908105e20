/**
 * Answer key for Q24, FlashAttention's tiled attention with the online softmax. A worked example by
 * hand (two keys in two blocks: the rescale by exp(m_old - m_new) is what makes it right); the
 * textbook loop and the tiled kernel equal naive attention for every block size and mask (blocks
 * need not divide n); tfjs (the same tiling in tf ops, masks as tensors) agrees; floats allocated
 * counted: O(n d + B d + B^2) against the naive n m; multiply-adds equal the naive ones; then the
 * online softmax without the rescale rejected by the same property.
 * Input checks: tests/inputs/flash-attention.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  flashAttention,
  flashAttentionFloats,
  flashAttentionTfMatrix,
  flashAttentionTiled,
  naiveAttention,
  naiveAttentionFloats,
  pitfallOnlineSoftmaxWithoutRescale,
  type FlashAttentionOptions,
} from '../ml/flash-attention.js';
import {
  attention,
  attentionMasked,
  attentionTfMatrix,
  workedExample,
} from '../ml/scaled-dot-product-attention.js';
import { Counter } from '../core/counter.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, toRows, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

/** Generated cases: n queries, m keys, widths, block sizes 1..12 (often not dividing n or m), masks. */
const flashCase = (maxLength = 20) =>
  fc
    .record({
      n: fc.integer({ min: 1, max: maxLength }),
      m: fc.integer({ min: 1, max: maxLength }),
      dk: fc.integer({ min: 1, max: 8 }),
      dv: fc.integer({ min: 1, max: 5 }),
      queryBlock: fc.integer({ min: 1, max: 12 }),
      keyBlock: fc.integer({ min: 1, max: 12 }),
      causal: fc.boolean(),
      usePadding: fc.boolean(),
      padded: fc.array(fc.boolean(), { minLength: maxLength, maxLength }),
      spread: fc.constantFrom(1, 4, 30),
      seed: fc.integer(),
    })
    .map(({ n, m, dk, dv, queryBlock, keyBlock, causal, usePadding, padded, spread, seed }) => {
      const r = rng(seed);
      // spread widens the logits so the running max moves a lot between blocks
      const uniform = () => spread * (2 * r.uniform() - 1);
      const rows = causal ? Math.min(n, m) : n;
      const options: FlashAttentionOptions = {
        queryBlock,
        keyBlock,
        causal,
        ...(usePadding ? { keyPadding: padded.slice(0, m) } : {}),
      };
      return {
        q: randomMatrix(rows, dk, r, uniform),
        k: randomMatrix(m, dk, r, uniform),
        v: randomMatrix(m, dv, r, uniform),
        options,
      };
    });

type Tiled = (q: Matrix, k: Matrix, v: Matrix, options: FlashAttentionOptions) => Matrix;

/** The property: tiled output equals naive attention's output within 1e-9 (float64 both). */
const equalsNaive = (tiled: Tiled) =>
  fc.property(flashCase(), ({ q, k, v, options }) => {
    const { queryBlock: _b, keyBlock: _c, ...maskOnly } = options;
    return maxAbsDiff(tiled(q, k, v, options), attentionMasked(q, k, v, maskOnly).output) < 1e-9;
  });

/** The textbook loop (no masks, one block size) as a Tiled kernel: unmasked cases only. */
type Loop = (q: Matrix, k: Matrix, v: Matrix, blockSize?: number) => Matrix;
const unmasked =
  (loop: Loop): Tiled =>
  (q, k, v, options) => {
    const { queryBlock: _b, keyBlock: _c, ...masks } = options;
    // a masked case falls back to the reference itself: the loop takes no masks
    if (options.causal || options.keyPadding?.some(Boolean))
      return attentionMasked(q, k, v, masks).output;
    return loop(q, k, v, options.keyBlock);
  };

describe('worked examples', () => {
  // q = [1], keys [1] and [3], values [10] and [20], scale 1, one key per block
  const q = fromRows([[1]]);
  const k = fromRows([[1], [3]]);
  const v = fromRows([[10], [20]]);

  it('two keys in two blocks: m goes 1 -> 3, so l = e^-2 + 1 and O = 10 e^-2 + 20, output 18.808 = softmax([1, 3]) . [10, 20]', () => {
    const expected = (10 * Math.exp(-2) + 20) / (Math.exp(-2) + 1);
    expect(flashAttentionTiled(q, k, v, { scale: 1, keyBlock: 1 }).data[0]).toBeCloseTo(
      expected,
      12,
    );
    expect(expected).toBeCloseTo(18.808, 3);
    expect(attentionMasked(q, k, v, { scale: 1 }).output.data[0]).toBeCloseTo(expected, 12);
  });

  it('without the rescale the old block keeps weight e^0: (10 + 20) / (1 + 1) = 15, wrong', () => {
    // with q = [1] and d_k = 1 the textbook scale 1 / sqrt(1) is 1 too
    expect(pitfallOnlineSoftmaxWithoutRescale(q, k, v, 1).data[0]).toBeCloseTo(15, 12);
    expect(flashAttention(q, k, v, 1).data[0]).toBeCloseTo(
      (10 * Math.exp(-2) + 20) / (Math.exp(-2) + 1),
      12,
    );
  });

  it('the 4 x 4 reference case in blocks of 3 queries and 2 keys gives O = [[1.2699, .8429], [1, .8112], [1, .5731], [1, .8112]]', () => {
    const { q: Q, k: K, v: V } = workedExample();
    const expected = [
      [1.2699, 0.8429],
      [1, 0.8112],
      [1, 0.5731],
      [1, 0.8112],
    ];
    toRows(flashAttentionTiled(Q, K, V, { queryBlock: 3, keyBlock: 2 })).forEach((row, i) =>
      row.forEach((x, j) => expect(x).toBeCloseTo(expected[i]![j]!, 4)),
    );
    const causal = [
      [1, 0],
      [0.3775, 0.6225],
      [0.8137, 0.4935],
      [1, 0.8112],
    ];
    toRows(flashAttentionTiled(Q, K, V, { queryBlock: 3, keyBlock: 2, causal: true })).forEach(
      (row, i) => row.forEach((x, j) => expect(x).toBeCloseTo(causal[i]![j]!, 4)),
    );
  });

  it('a fully masked row gives zeros, like the naive version', () => {
    const out = flashAttentionTiled(
      fromRows([[1, 2]]),
      fromRows([
        [1, 0],
        [0, 1],
      ]),
      fromRows([[5], [6]]),
      { keyPadding: [true, true], keyBlock: 1 },
    );
    expect(Array.from(out.data)).toEqual([0]);
  });

  it('logits of 1e3 do not overflow: every exp is taken relative to the running max', () => {
    const out = flashAttention(
      fromRows([[1000]]),
      fromRows([[1], [2], [3]]),
      fromRows([[0], [1], [2]]),
      1,
    );
    expect(out.data[0]).toBeCloseTo(2, 12);
  });
});

describe('tiled equals naive attention for every block size and mask', () => {
  it('holds within 1e-9 (block sizes 1..12, n and m up to 20, causal and key padding, logits up to +-900)', () => {
    fc.assert(equalsNaive(flashAttentionTiled), { numRuns: 300, seed: 24 });
  });

  it('the textbook loop holds too on the unmasked cases (one query at a time, key blocks 1..12)', () => {
    fc.assert(equalsNaive(unmasked(flashAttention)), { numRuns: 300, seed: 24 });
  });

  test.prop([flashCase(12)], { numRuns: 100 })(
    'the textbook loop equals the textbook attention without a mask',
    ({ q, k, v, options }) => {
      expect(
        maxAbsDiff(flashAttention(q, k, v, options.keyBlock), attention(q, k, v).output),
      ).toBeLessThan(1e-9);
    },
  );

  test.prop([flashCase(12), fc.integer({ min: 1, max: 12 })], { numRuns: 60 })(
    'the output does not depend on the block sizes',
    ({ q, k, v, options }, other) => {
      const a = flashAttentionTiled(q, k, v, options);
      const b = flashAttentionTiled(q, k, v, {
        ...options,
        queryBlock: other,
        keyBlock: 13 - other,
      });
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-12);
    },
  );

  test.prop([flashCase(12), fc.nat(), fc.integer()], { numRuns: 60 })(
    'causal: output t does not change when keys and values after t change',
    ({ q, k, v, options }, tRaw, seed) => {
      const causal = { ...options, causal: true };
      const qc = matrix(
        Math.min(q.rows, k.rows),
        q.cols,
        q.data.subarray(0, Math.min(q.rows, k.rows) * q.cols),
      );
      const t = tRaw % qc.rows;
      const r = rng(seed);
      const scramble = (x: Matrix) =>
        matrix(
          x.rows,
          x.cols,
          x.data.map((val, i) => (i >= (t + 1) * x.cols ? r.normal() : val)),
        );
      const before = flashAttentionTiled(qc, k, v, causal);
      const after = flashAttentionTiled(qc, scramble(k), scramble(v), causal);
      expect(Array.from(after.data.subarray(0, (t + 1) * v.cols))).toEqual(
        Array.from(before.data.subarray(0, (t + 1) * v.cols)),
      );
    },
  );
});

describe('from scratch agrees with tfjs (float32) to 1e-5', () => {
  test.prop([flashCase(10)], { numRuns: 20 })(
    'flashAttentionTf, the same tiling in tf ops, and attentionTf, the untiled tfjs oracle',
    async ({ q, k, v, options }) => {
      // float32 on logits up to +-900 loses digits to cancellation, so the float32 check uses unit-scale inputs
      const unit = (x: Matrix) =>
        matrix(
          x.rows,
          x.cols,
          x.data.map((val) => Math.tanh(val)),
        );
      const [q1, k1, v1] = [unit(q), unit(k), unit(v)];
      const { queryBlock: _b, keyBlock: _c, ...maskOnly } = options;
      const mine = flashAttentionTiled(q1, k1, v1, options);
      expect(maxAbsDiff(mine, await flashAttentionTfMatrix(q1, k1, v1, options))).toBeLessThan(
        1e-5,
      );
      expect(maxAbsDiff(mine, await attentionTfMatrix(q1, k1, v1, maskOnly))).toBeLessThan(1e-5);
    },
  );
});

describe('memory: floats allocated are O(n d + B d + B^2), not O(n m)', () => {
  test.prop([flashCase()], { numRuns: 100 })(
    'the counter equals the formula, and the same for the naive version (n m + n d_v + m)',
    ({ q, k, v, options }) => {
      const flash = new Counter();
      const naive = new Counter();
      flashAttentionTiled(q, k, v, options, flash);
      const { queryBlock: _b, keyBlock: _c, ...maskOnly } = options;
      const out = naiveAttention(q, k, v, maskOnly, naive);
      expect(flash.get('floats')).toBe(
        flashAttentionFloats(q.rows, k.rows, q.cols, v.cols, options.queryBlock, options.keyBlock),
      );
      expect(naive.get('floats')).toBe(naiveAttentionFloats(q.rows, k.rows, v.cols));
      expect(maxAbsDiff(out, attentionMasked(q, k, v, maskOnly).output)).toBe(0);
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 16 }),
      fc.integer({ min: 1, max: 32 }),
    ],
    { numRuns: 30 },
  )(
    'beyond the [n, d] output, flash allocates at most B^2 + 3 B d + 2 B floats whatever n is (B = block size, d = d_k = d_v)',
    (n, d, block) => {
      const r = rng(n * 31 + d);
      const x = randomMatrix(n, d, r);
      const counter = new Counter();
      flashAttentionTiled(x, x, x, { queryBlock: block, keyBlock: block }, counter);
      expect(counter.get('floats') - n * d).toBeLessThanOrEqual(
        block * block + 3 * block * d + 2 * block,
      );
    },
  );

  it('at n = 4096, d = 64, B = 64: flash allocates 278,656 floats, naive 17,043,456 (61x); at n = 16384 naive would need 2 GiB', () => {
    expect(flashAttentionFloats(4096, 4096, 64, 64)).toBe(4096 * 64 + 64 * 66 + 64 * 128 + 64 * 64);
    expect(flashAttentionFloats(4096, 4096, 64, 64)).toBe(278_656);
    expect(naiveAttentionFloats(4096, 4096, 64)).toBe(17_043_456);
    expect(naiveAttentionFloats(16384, 16384, 64) * 8).toBeGreaterThan(2 * 2 ** 30);
  });

  it('the counters are optional: without them both kernels return the same output as the naive attention', () => {
    const x = randomMatrix(7, 3, rng(5));
    const expected = attentionMasked(x, x, x, { causal: true }).output;
    expect(maxAbsDiff(naiveAttention(x, x, x, { causal: true }), expected)).toBe(0);
    expect(
      maxAbsDiff(
        flashAttentionTiled(x, x, x, { causal: true, queryBlock: 3, keyBlock: 2 }),
        expected,
      ),
    ).toBeLessThan(1e-12);
  });

  it('the wrong idea that the tile alone bounds memory (no n d term) is rejected: the output is n d floats', () => {
    const counter = new Counter();
    const x = randomMatrix(300, 8, rng(3));
    flashAttentionTiled(x, x, x, { queryBlock: 4, keyBlock: 4 }, counter);
    expect(counter.get('floats')).toBeGreaterThan(300 * 8);
  });
});

describe('complexity: the same multiply-adds as the naive version', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 16 }),
      fc.integer({ min: 1, max: 16 }),
      fc.boolean(),
    ],
    { numRuns: 60 },
  )(
    'for n = m and d = d_k = d_v: n^2 d / 2 <= madds <= 2 n^2 d (about 2 n^2 d without a mask), never more than the naive kernel',
    (n, d, block, causal) => {
      const r = rng(n * 100 + d);
      const x = [randomMatrix(n, d, r), randomMatrix(n, d, r), randomMatrix(n, d, r)] as const;
      const counter = new Counter();
      flashAttentionTiled(...x, { causal, queryBlock: block, keyBlock: block }, counter);
      const naive = new Counter();
      attentionMasked(...x, { causal }, naive);
      expect(counter.get('madds')).toBeLessThanOrEqual(2 * n * n * d);
      expect(counter.get('madds')).toBeGreaterThanOrEqual((n * n * d) / 2);
      expect(counter.get('madds')).toBeLessThanOrEqual(naive.get('madds'));
      if (!causal) expect(counter.get('madds')).toBeGreaterThanOrEqual(0.99 * 2 * n * n * d);
    },
  );
});

describe('pitfall: the online softmax without the rescale', () => {
  it('rejects forgetting to rescale l and O by exp(m_old - m_new) when the max grows', () => {
    rejectsPitfall(equalsNaive(unmasked(pitfallOnlineSoftmaxWithoutRescale)), {
      numRuns: 300,
      seed: 24,
    });
  });
});

/**
 * Answer key for Q35 (and the placement side of Q32), tensor parallelism. Worked examples (a
 * two-device MLP by hand, whose all-reduce gives 2 Phi(1) - 1; the bytes of an all-reduce and
 * Megatron-LM's 4 communication operations per layer), the split MLP against the unsplit layer of
 * ml/swiglu.ts for every N dividing the hidden size, the shards reassembling the weights, the ring
 * all-reduce simulated step by step (every device ends with the sum; each sends 2 (N - 1) / N of
 * the buffer), each device's multiply-adds as 1/N of the layer's, the tfjs twin, and the pitfall (A
 * split by rows, GeLU on partial sums) rejected by the same equality. Input checks:
 * tests/inputs/tensor-parallel.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  allReduceBytes,
  allReduceSum,
  pitfallTensorParallelMlpRowSplitA,
  ringAllReduce,
  ringAllReduceBytesPerDevice,
  shardMlp,
  tensorParallelLayerComm,
  tensorParallelMlp,
  tensorParallelMlpCounted,
  tensorParallelMlpInputSplit,
  tensorParallelMlpTfMatrix,
} from '../ml/tensor-parallel.js';
import { denseFfn, geluErf, type ReluFfnWeights } from '../ml/swiglu.js';
import { Counter } from '../core/counter.js';
import {
  fromRows,
  matmul,
  maxAbsDiff,
  randomMatrix,
  transpose,
  type Matrix,
} from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

/** The divisors of m: every legal number of devices. */
const divisors = (m: number) =>
  Array.from({ length: m }, (_, i) => i + 1).filter((k) => m % k === 0);

/**
 * An MLP case: T tokens, d = dMul g, hidden = hMul g (so g divides both), weights with or without
 * biases, and a device count N drawn from the divisors of the hidden size.
 */
const mlpCase = fc
  .record({
    tokens: fc.integer({ min: 1, max: 5 }),
    g: fc.integer({ min: 1, max: 4 }),
    dMul: fc.integer({ min: 1, max: 3 }),
    hMul: fc.integer({ min: 1, max: 4 }),
    biases: fc.boolean(),
    pick: fc.nat(),
    seed: fc.integer(),
  })
  .map(({ tokens, g, dMul, hMul, biases, pick, seed }) => {
    const r = rng(seed);
    const [d, hidden] = [g * dMul, g * hMul];
    const weights: ReluFfnWeights = {
      w1: randomMatrix(hidden, d, r),
      w2: randomMatrix(d, hidden, r),
      ...(biases ? { b1: randomMatrix(1, hidden, r).data, b2: randomMatrix(1, d, r).data } : {}),
    };
    const ns = divisors(hidden);
    return { x: randomMatrix(tokens, d, r), weights, n: ns[pick % ns.length]!, g };
  });

/** The unsplit layer written out with core/matrix products: GeLU(X W1^T + b1) W2^T + b2. */
function bruteForceMlp(x: Matrix, w: ReluFfnWeights): Matrix {
  const z = matmul(x, transpose(w.w1));
  for (let k = 0; k < z.data.length; k++)
    z.data[k] = geluErf(z.data[k]! + (w.b1?.[k % z.cols] ?? 0));
  const y = matmul(z, transpose(w.w2));
  for (let k = 0; k < y.data.length; k++) y.data[k] = y.data[k]! + (w.b2?.[k % y.cols] ?? 0);
  return y;
}

describe('worked examples', () => {
  it('two devices, d = 1, hidden = 2: device 0 gives GeLU(1) = 0.8413, device 1 gives GeLU(-1) = -0.1587, the all-reduce 2 Phi(1) - 1 = 0.6827', () => {
    const x = fromRows([[1]]);
    const weights = { w1: fromRows([[1], [-1]]), w2: fromRows([[1, 1]]) };
    const shards = shardMlp(x, weights, 2);
    expect(shards.map((s) => Array.from(s.w1.data))).toEqual([[1], [-1]]);
    const y = tensorParallelMlp(x, weights, 2).data[0]!;
    expect(y).toBeCloseTo(geluErf(1) + geluErf(-1), 15);
    expect(y).toBeCloseTo(0.682689, 6); // P(|Z| < 1) for a standard normal
    expect(y).toBeCloseTo(denseFfn(x, weights, 'gelu').data[0]!, 15);
  });

  it('one all-reduce of [4096 tokens, d = 4096] in fp16 is 33,554,432 B; a ring of 8 sends 7/4 of it from each device', () => {
    const bytes = allReduceBytes(4096, 4096, 2);
    expect(bytes).toBe(33_554_432);
    expect(ringAllReduceBytesPerDevice(bytes, 8)).toBe(58_720_256);
  });

  it('Megatron-LM: 2 all-reduces per layer forward (attention, MLP), 4 with the backward pass', () => {
    const forward = tensorParallelLayerComm({ tokens: 4096, dModel: 4096, devices: 8 });
    const training = tensorParallelLayerComm({
      tokens: 4096,
      dModel: 4096,
      devices: 8,
      backward: true,
    });
    expect(forward.allReduces).toBe(2);
    expect(training.allReduces).toBe(4);
    expect(forward.bytesSentPerDevice).toBe(117_440_512);
    expect(training.bytesSentPerDevice).toBe(234_881_024);
    expect(
      tensorParallelLayerComm({ tokens: 4096, dModel: 4096, devices: 1 }).bytesSentPerDevice,
    ).toBe(0);
  });
});

/** Split on N devices equals the unsplit layer (denseFfn with exact GeLU) to 1e-12. */
const equalsUnsplit = (split: (x: Matrix, w: ReluFfnWeights, n: number) => Matrix) =>
  fc.property(
    mlpCase.filter(({ n, g }) => n > 1 && g % n === 0),
    ({ x, weights, n }) => maxAbsDiff(split(x, weights, n), denseFfn(x, weights, 'gelu')) < 1e-12,
  );

describe('column-parallel then row-parallel equals the unsplit MLP', () => {
  test.prop([mlpCase], { numRuns: 100 })(
    'for every N dividing the hidden size, with and without biases, to 1e-12 of denseFfn and of the brute force',
    ({ x, weights, n }) => {
      const y = tensorParallelMlp(x, weights, n);
      expect(maxAbsDiff(y, denseFfn(x, weights, 'gelu'))).toBeLessThan(1e-12);
      expect(maxAbsDiff(y, bruteForceMlp(x, weights))).toBeLessThan(1e-12);
    },
  );

  it('holds where the pitfall is tried (N > 1 dividing d and the hidden size)', () => {
    fc.assert(equalsUnsplit(tensorParallelMlp), { seed: 1, numRuns: 100 });
  });

  it('rejects A split by rows with GeLU on the partial sums (pitfallTensorParallelMlpRowSplitA)', () => {
    rejectsPitfall(equalsUnsplit(pitfallTensorParallelMlpRowSplitA), { seed: 1, numRuns: 100 });
  });

  it('A split by rows is right once the partial sums are all-reduced before GeLU (tensorParallelMlpInputSplit)', () => {
    fc.assert(
      equalsUnsplit((x, w, n) => tensorParallelMlpInputSplit(x, w, n)),
      { seed: 2, numRuns: 100 },
    );
  });

  test.prop([mlpCase], { numRuns: 100 })('N = 1 is the unsplit layer exactly', ({ x, weights }) => {
    expect(Array.from(tensorParallelMlp(x, weights, 1).data)).toEqual(
      Array.from(denseFfn(x, weights, 'gelu').data),
    );
  });
});

describe('the shards', () => {
  test.prop([mlpCase], { numRuns: 100 })(
    'reassemble the weights: w1 = rows of the shards stacked, w2 = their columns side by side, each device 1/N of the numbers',
    ({ x, weights, n }) => {
      const shards = shardMlp(x, weights, n);
      const hidden = weights.w1.rows;
      expect(shards).toHaveLength(n);
      expect(Array.from(shards.flatMap((s) => Array.from(s.w1.data)))).toEqual(
        Array.from(weights.w1.data),
      );
      for (let i = 0; i < weights.w2.rows; i++) {
        const row = shards.flatMap((s) =>
          Array.from(s.w2.data.subarray(i * s.w2.cols, (i + 1) * s.w2.cols)),
        );
        expect(row).toEqual(Array.from(weights.w2.data.subarray(i * hidden, (i + 1) * hidden)));
      }
      for (const s of shards)
        expect(s.w1.data.length + s.w2.data.length).toBe((2 * hidden * x.cols) / n);
    },
  );
});

/** N device buffers of one shape. */
const buffersCase = fc
  .record({
    n: fc.integer({ min: 1, max: 7 }),
    rows: fc.integer({ min: 1, max: 4 }),
    cols: fc.integer({ min: 1, max: 9 }),
    seed: fc.integer(),
  })
  .map(({ n, rows, cols, seed }) => {
    const r = rng(seed);
    return Array.from({ length: n }, () => randomMatrix(rows, cols, r));
  });

describe('the ring all-reduce, simulated', () => {
  test.prop([buffersCase], { numRuns: 100 })(
    'every device ends with the same buffer, the sum of all of them (to 1e-12: the order of the additions differs)',
    (partials) => {
      const out = ringAllReduce(partials);
      const sum = allReduceSum(partials);
      expect(out).toHaveLength(partials.length);
      for (const b of out) {
        expect(maxAbsDiff(b, sum)).toBeLessThan(1e-12);
        expect(Array.from(b.data)).toEqual(Array.from(out[0]!.data));
      }
    },
  );

  test.prop([buffersCase], { numRuns: 100 })(
    'each device sends 2 (N - 1) / N of the buffer (exactly when N divides its size), all together 2 (N - 1) buffers',
    (partials) => {
      const n = partials.length;
      const size = partials[0]!.data.length;
      const c = new Counter();
      ringAllReduce(partials, c);
      expect(c.get('sent')).toBe(2 * (n - 1) * size);
      for (let i = 0; i < n; i++) {
        expect(c.get(`sent:${i}`)).toBeLessThanOrEqual(2 * (n - 1) * Math.ceil(size / n));
        if (size % n === 0) expect(c.get(`sent:${i}`)).toBe(ringAllReduceBytesPerDevice(size, n));
      }
    },
  );

  test.prop([fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 1024 })], {
    numRuns: 100,
  })(
    'what a device sends grows with N but stays below twice the buffer: 2 (N - 1) / N < 2',
    (bytes, n) => {
      const sent = ringAllReduceBytesPerDevice(bytes, n);
      expect(sent).toBeLessThan(2 * bytes);
      expect(sent).toBeLessThanOrEqual(ringAllReduceBytesPerDevice(bytes, n + 1));
    },
  );
});

describe('work and communication per device', () => {
  test.prop([mlpCase], { numRuns: 100 })(
    'each device does 2 T d h / N multiply-adds (the whole layer once in total); one all-reduce of T d numbers; the same result',
    ({ x, weights, n }) => {
      const c = new Counter();
      const y = tensorParallelMlpCounted(x, weights, n, c);
      const [t, d, h] = [x.rows, x.cols, weights.w1.rows];
      expect(maxAbsDiff(y, tensorParallelMlp(x, weights, n))).toBeLessThan(1e-12);
      expect(c.get('madds')).toBe(2 * t * d * h);
      for (let i = 0; i < n; i++)
        expect(c.get(`madds:${i}`)).toBeLessThanOrEqual((2 * t * d * h) / n);
      expect(c.get('sent')).toBe(2 * (n - 1) * t * d);
    },
  );

  it('the input split communicates T h + T d numbers (T h all-reduced, T d gathered) against T d: 5x more at h = 4 d', () => {
    const r = rng(3);
    const [t, d, h] = [3, 4, 16];
    const weights = { w1: randomMatrix(h, d, r), w2: randomMatrix(d, h, r) };
    const x = randomMatrix(t, d, r);
    const c = new Counter();
    tensorParallelMlpInputSplit(x, weights, 2, c);
    expect(c.get('allReduced')).toBe(t * h);
    expect(c.get('allGathered')).toBe(t * d);
    expect((c.get('allReduced') + c.get('allGathered')) / (t * d)).toBe(5);
  });
});

describe('from scratch agrees with tfjs (float32)', () => {
  test.prop([mlpCase], { numRuns: 20 })(
    'tensorParallelMlpTf (tf.slice shards, tf.addN as the all-reduce) equals tensorParallelMlp to 1e-4',
    async ({ x, weights, n }) => {
      const tf = await tensorParallelMlpTfMatrix(x, weights, n);
      expect(maxAbsDiff(tf, tensorParallelMlp(x, weights, n))).toBeLessThan(1e-4);
    },
  );
});

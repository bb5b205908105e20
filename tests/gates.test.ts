/**
 * Answer key for the softmax gate shared by MMoE, PLE and mixture-of-experts routing (ml/gates.ts):
 * a worked example, gate weights as a distribution and the output as their weighted sum of the
 * experts (rejecting the gate that divides by the plain sum of the scores), agreement with tfjs,
 * relabelling the experts, counted multiply-adds, and entropy at the two extremes.
 * Input checks: tests/inputs/gates.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Counter } from '../core/counter.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, rowOf, type Matrix } from '../core/matrix.js';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';
import { rng } from '../core/random.js';
import {
  gateEntropies,
  gateLogits,
  meanGate,
  mixExperts,
  pitfallSumNormalizedGate,
  softmaxGate,
  softmaxGateTf,
  type GateResult,
} from '../ml/gates.js';
import { softmaxRows } from '../ml/softmax.js';
import { rejectsPitfall } from './support/answer-key.js';

/** B inputs of width d, a gate over E experts, E expert outputs of width d_e. */
const gateCase = fc
  .record({
    b: fc.integer({ min: 1, max: 6 }),
    d: fc.integer({ min: 1, max: 6 }),
    e: fc.integer({ min: 1, max: 5 }),
    de: fc.integer({ min: 1, max: 4 }),
    scale: fc.constantFrom(0.1, 1, 5),
    seed: fc.integer(),
  })
  .map(({ b, d, e, de, scale, seed }) => {
    const r = rng(seed);
    return {
      x: randomMatrix(b, d, r),
      gate: randomMatrix(e, d, r, () => scale * r.normal()),
      experts: Array.from({ length: e }, () => randomMatrix(b, de, r)),
    };
  });

type Gate = (x: Matrix, gate: Matrix, experts: readonly Matrix[]) => GateResult;

/**
 * The property every gate must have: each row of weights is >= 0 and sums to 1, and the output is
 * sum_e weights_e * expert_e (checked against a separate dot product per coordinate).
 */
const distributionProperty = (gateFn: Gate) =>
  fc.property(gateCase, ({ x, gate, experts }) => {
    const { weights, output } = gateFn(x, gate, experts);
    for (let i = 0; i < x.rows; i++) {
      const w = Array.from(rowOf(weights, i));
      if (w.some((v) => !(v >= 0)) || Math.abs(w.reduce((s, v) => s + v, 0) - 1) > 1e-12)
        return false;
      for (let c = 0; c < output.cols; c++) {
        const expected = w.reduce((s, v, e) => s + v * experts[e]!.data[i * output.cols + c]!, 0);
        if (Math.abs(output.data[i * output.cols + c]! - expected) > 1e-12) return false;
      }
    }
    return true;
  });

describe('worked example', () => {
  it('scores [1, 0] give weights softmax([1, 0]) = [0.731, 0.269] and output 0.731 * 2 + 0.269 * 4 = 2.538', () => {
    const { weights, output } = softmaxGate(
      fromRows([[1, 0]]),
      fromRows([
        [1, 0],
        [0, 0],
      ]),
      [fromRows([[2]]), fromRows([[4]])],
    );
    const g = 1 / (1 + Math.exp(-1));
    expect(weights.data[0]).toBeCloseTo(g, 12);
    expect(weights.data[1]).toBeCloseTo(1 - g, 12);
    expect(output.data[0]).toBeCloseTo(2 * g + 4 * (1 - g), 12);
    expect(output.data[0]).toBeCloseTo(2.538, 3);
  });

  it('gateLogits is x W_g^T: [[1, 2]] against rows [1, 0], [0, 1], [1, 1] scores [1, 2, 3]', () => {
    expect(
      Array.from(
        gateLogits(
          fromRows([[1, 2]]),
          fromRows([
            [1, 0],
            [0, 1],
            [1, 1],
          ]),
        ).data,
      ),
    ).toEqual([1, 2, 3]);
  });
});

describe('gate weights are a distribution and the output is their weighted sum of the experts', () => {
  it('holds for the softmax gate', () => {
    fc.assert(distributionProperty(softmaxGate), { numRuns: 200, seed: 3 });
  });

  test.prop([gateCase], { numRuns: 100 })(
    'every output coordinate lies between the smallest and largest expert output',
    ({ x, gate, experts }) => {
      const { output } = softmaxGate(x, gate, experts);
      output.data.forEach((y, idx) => {
        const values = experts.map((e) => e.data[idx]!);
        expect(y).toBeGreaterThanOrEqual(Math.min(...values) - 1e-12);
        expect(y).toBeLessThanOrEqual(Math.max(...values) + 1e-12);
      });
    },
  );

  test.prop([gateCase, fc.integer()], { numRuns: 100 })(
    'relabelling the experts (gate rows and outputs together) permutes the weights and keeps the output',
    ({ x, gate, experts }, seed) => {
      const perm = rng(seed).shuffled(experts.map((_, e) => e));
      const permutedGate = fromRows(perm.map((e) => Array.from(rowOf(gate, e))));
      const before = softmaxGate(x, gate, experts);
      const after = softmaxGate(
        x,
        permutedGate,
        perm.map((e) => experts[e]!),
      );
      expect(maxAbsDiff(before.output, after.output)).toBeLessThan(1e-12);
      for (let i = 0; i < x.rows; i++)
        perm.forEach((e, j) =>
          expect(after.weights.data[i * perm.length + j]).toBeCloseTo(
            before.weights.data[i * perm.length + e]!,
            14,
          ),
        );
    },
  );

  it('huge scores do not overflow: the gate uses the stable softmaxRows of ml/softmax.ts', () => {
    const w = softmaxRows(fromRows([[1000, 999]]));
    expect(w.data[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    const gated = softmaxGate(fromRows([[1000]]), fromRows([[1], [0.999]]), [
      fromRows([[1]]),
      fromRows([[0]]),
    ]);
    expect(gated.weights.data[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });
});

describe('from scratch agrees with tfjs (float32) to 1e-5', () => {
  test.prop([gateCase], { numRuns: 15 })('weights and output', async ({ x, gate, experts }) => {
    const { tf } = await tensorBackend();
    const [w, o] = tf.tidy(() => {
      const r = softmaxGateTf(
        tf,
        toTensor2d(tf, x),
        toTensor2d(tf, gate),
        experts.map((e) => toTensor2d(tf, e)),
      );
      return [r.weights, r.output];
    });
    const mine = softmaxGate(x, gate, experts);
    expect(maxAbsDiff(mine.weights, await fromTensor2d(w!))).toBeLessThan(1e-5);
    expect(maxAbsDiff(mine.output, await fromTensor2d(o!))).toBeLessThan(1e-5);
  });
});

describe('entropy at the two extremes (Q47)', () => {
  test.prop([fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 5 })], { numRuns: 30 })(
    'a zero gate is uniform: weights 1/E and entropy ln E',
    (e, b) => {
      const weights = softmaxGate(
        randomMatrix(b, 3, rng(e)),
        matrix(e, 3),
        Array.from({ length: e }, () => matrix(b, 1)),
      ).weights;
      weights.data.forEach((w) => expect(w).toBeCloseTo(1 / e, 14));
      gateEntropies(weights).forEach((h) => expect(h).toBeCloseTo(Math.log(e), 12));
      Array.from(meanGate(weights)).forEach((w) => expect(w).toBeCloseTo(1 / e, 14));
    },
  );

  it('a one-hot gate has entropy 0 and its output is that expert (a collapsed gate is one shared bottom)', () => {
    const onehot = fromRows([
      [0, 1, 0],
      [0, 1, 0],
    ]);
    const experts = [fromRows([[1], [2]]), fromRows([[5], [7]]), fromRows([[3], [4]])];
    expect(gateEntropies(onehot)).toEqual([0, 0]);
    expect(Array.from(mixExperts(onehot, experts).data)).toEqual([5, 7]);
  });

  it('meanGate averages the rows: [[1, 0], [0.5, 0.5]] -> [0.75, 0.25]', () => {
    expect(
      Array.from(
        meanGate(
          fromRows([
            [1, 0],
            [0.5, 0.5],
          ]),
        ),
      ),
    ).toEqual([0.75, 0.25]);
  });
});

describe('the pitfall: a gate normalized by the plain sum of its scores', () => {
  it('is rejected by the distribution property (its weights go negative)', () => {
    rejectsPitfall(distributionProperty(pitfallSumNormalizedGate), { numRuns: 200, seed: 3 });
  });

  it('is the plain-sum gate it claims to be: scores [1, 3] give [0.25, 0.75]; scores [1, -2] give [-1, 2]', () => {
    const experts = [fromRows([[10], [10]]), fromRows([[20], [20]])];
    const { weights, output } = pitfallSumNormalizedGate(
      fromRows([[1], [-1]]),
      fromRows([[1], [3]]),
      experts,
    );
    expect(Array.from(weights.data)).toEqual([0.25, 0.75, 0.25, 0.75]);
    expect(Array.from(output.data)).toEqual([17.5, 17.5]);
    const negative = pitfallSumNormalizedGate(fromRows([[1]]), fromRows([[1], [-2]]), [
      fromRows([[10]]),
      fromRows([[20]]),
    ]);
    expect(Array.from(negative.weights.data)).toEqual([-1, 2]);
  });
});

describe('complexity: B d E multiply-adds to score, B E d_e to mix', () => {
  test.prop([gateCase], { numRuns: 50 })('madds <= B E (d + d_e)', ({ x, gate, experts }) => {
    const counter = new Counter();
    softmaxGate(x, gate, experts, counter);
    expect(counter.get('madds')).toBeLessThanOrEqual(
      x.rows * gate.rows * (x.cols + experts[0]!.cols),
    );
  });
});

/**
 * Answer key for Q47 and Q48, shared-bottom and MMoE (ml/mmoe/, with ml/multi-task/); the dense
 * layers it is built of have their own key in tests/mlp.test.ts. Every gate is a distribution, each task's tower reads the
 * gate-weighted sum of the experts, one expert reduces MMoE to shared-bottom, a zero (uniform) gate
 * gives every task the same representation, the from-scratch model agrees with its tfjs twin on
 * generated configurations, the synthetic tasks have the correlation they are built with, training is
 * seeded and lowers the loss, multiply-adds are bounded, and the pitfalls (one gate for every task,
 * plain-sum gates) are rejected by the properties MMoE passes. Input checks: tests/inputs/mmoe.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Counter } from '../core/counter.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, rowOf, type Matrix } from '../core/matrix.js';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';
import { rng } from '../core/random.js';
import * as math from 'mathjs';
import { rocAuc } from '../ml/auc/index.js';
import { gateWeights, mixExperts } from '../ml/gates.js';
import { fromVariables, mlpForward, paramCount, toTensors, toVariables } from '../ml/mlp.js';
import {
  initMmoe,
  mmoeForward,
  mmoeForwardCounted,
  mmoeForwardTfMatrix,
  mmoeModel,
  pitfallMmoeSumNormalizedGates,
  pitfallSharedGateForAllTasks,
  type MmoeConfig,
  type MmoeParams,
} from '../ml/mmoe/index.js';
import {
  initSharedBottom,
  sharedBottomForward,
  sharedBottomModel,
} from '../ml/multi-task/shared-bottom.js';
import { columnCorrelation, gateDistance, gateStats } from '../ml/multi-task/stats.js';
import { orthonormalPair, sliceRows, syntheticTasks } from '../ml/multi-task/synthetic.js';
import { evaluateMultiTask, trainMultiTask } from '../ml/multi-task/train.js';
import { towersForward } from '../ml/multi-task/towers.js';
import { rejectsPitfall } from './support/answer-key.js';

/** Generated MMoE sizes: tasks, experts, expert and tower depths and widths, a batch and a seed. */
const mmoeCase = fc
  .record({
    inputDim: fc.integer({ min: 1, max: 6 }),
    tasks: fc.integer({ min: 1, max: 3 }),
    experts: fc.integer({ min: 1, max: 4 }),
    expertUnits: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 2 }),
    towerUnits: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 2 }),
    batch: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer(),
  })
  .map(({ batch, seed, ...config }) => {
    const r = rng(seed);
    return {
      config: config as MmoeConfig,
      params: initMmoe(config, r),
      x: randomMatrix(batch, config.inputDim, r),
    };
  });

describe('worked examples', () => {
  it('one expert: every gate weight is exactly 1 and MMoE is the shared-bottom model over that expert', () => {
    const params = initMmoe(
      { inputDim: 3, tasks: 2, experts: 1, expertUnits: [4], towerUnits: [2] },
      rng(1),
    );
    const x = fromRows([
      [1, -2, 0.5],
      [0, 1, 1],
    ]);
    const mmoe = mmoeForward(params, x);
    mmoe.gates.forEach((g) => expect(Array.from(g.data)).toEqual([1, 1]));
    expect(
      maxAbsDiff(
        mmoe.logits,
        sharedBottomForward({ bottom: params.experts[0]!, towers: params.towers }, x).logits,
      ),
    ).toBe(0);
  });
});

describe('MMoE invariants', () => {
  /** Every gate row is >= 0 and sums to 1, one gate per task and one column per expert. */
  const gatesAreDistributions = (forward: (params: MmoeParams, x: Matrix) => { gates: Matrix[] }) =>
    fc.property(mmoeCase, ({ config, params, x }) => {
      const { gates } = forward(params, x);
      if (gates.length !== config.tasks) return false;
      return gates.every((g) => {
        if (g.cols !== config.experts) return false;
        return Array.from({ length: g.rows }, (_, i) => Array.from(rowOf(g, i))).every(
          (row) => row.every((w) => w >= 0) && Math.abs(row.reduce((s, w) => s + w, 0) - 1) < 1e-12,
        );
      });
    });

  it('every gate row is >= 0 and sums to 1, one column per expert', () => {
    fc.assert(gatesAreDistributions(mmoeForward), { numRuns: 100, seed: 8 });
  });

  it('rejects gates normalized by the plain sum of their scores (pitfallMmoeSumNormalizedGates)', () => {
    rejectsPitfall(gatesAreDistributions(pitfallMmoeSumNormalizedGates), { numRuns: 100, seed: 8 });
  });

  /** Task k's gate is its own: softmax(x W_gk^T) with task k's W_gk. */
  const gatePerTask = (forward: (params: MmoeParams, x: Matrix) => { gates: Matrix[] }) =>
    fc.property(mmoeCase, ({ params, x }) =>
      forward(params, x).gates.every(
        (g, k) => maxAbsDiff(g, gateWeights(x, params.gates[k]!)) < 1e-12,
      ),
    );

  it("task k's gate weights are softmax(x W_gk^T) with its own gate", () => {
    fc.assert(gatePerTask(mmoeForward), { numRuns: 100, seed: 9 });
  });

  it('rejects one gate shared by every task (pitfallSharedGateForAllTasks)', () => {
    rejectsPitfall(gatePerTask(pitfallSharedGateForAllTasks), { numRuns: 100, seed: 9 });
  });

  test.prop([mmoeCase], { numRuns: 50 })('probabilities lie in (0, 1)', ({ params, x }) => {
    mmoeForward(params, x).probs.data.forEach((p) => expect(p > 0 && p < 1).toBe(true));
  });

  test.prop([mmoeCase], { numRuns: 100 })(
    "task k's tower reads sum_e g_k(x)_e f_e(x): rebuilt by hand from the experts and the gates",
    ({ params, x }) => {
      const { gates, logits } = mmoeForward(params, x);
      const expertOutputs = params.experts.map((layers) => mlpForward(layers, x));
      const byHand = towersForward(
        params.towers,
        gates.map((g) => mixExperts(g, expertOutputs)),
      );
      expect(maxAbsDiff(logits, byHand.logits)).toBeLessThan(1e-12);
    },
  );

  test.prop([mmoeCase], { numRuns: 60 })(
    'with one expert MMoE reduces to shared-bottom exactly',
    ({ config, x }) => {
      const params = initMmoe({ ...config, experts: 1 }, rng(config.inputDim));
      const shared = sharedBottomForward({ bottom: params.experts[0]!, towers: params.towers }, x);
      expect(maxAbsDiff(mmoeForward(params, x).probs, shared.probs)).toBe(0);
    },
  );

  test.prop([mmoeCase], { numRuns: 60 })(
    'Q47: zero gates are uniform (1/E, entropy ln E), every task reads the mean expert: shared-bottom over the averaged experts',
    ({ config, params, x }) => {
      const uniform = { ...params, gates: params.gates.map((g) => matrix(g.rows, g.cols)) };
      const { gates, logits } = mmoeForward(uniform, x);
      for (const g of gates) {
        const stats = gateStats(g);
        expect(stats.meanEntropy).toBeCloseTo(Math.log(config.experts), 12);
        expect(gateDistance(g, gates[0]!)).toBe(0);
      }
      const outputs = params.experts.map((layers) => mlpForward(layers, x));
      const mean = matrix(x.rows, outputs[0]!.cols);
      outputs.forEach((o) => o.data.forEach((v, i) => (mean.data[i]! += v / outputs.length)));
      expect(
        maxAbsDiff(
          logits,
          towersForward(
            params.towers,
            params.towers.map(() => mean),
          ).logits,
        ),
      ).toBeLessThan(1e-12);
    },
  );
});

describe('from scratch agrees with tfjs (float32) to 1e-5', () => {
  test.prop([mmoeCase], { numRuns: 15 })(
    'MMoE logits, probabilities and gates on generated configurations',
    async ({ params, x }) => {
      const mine = mmoeForward(params, x);
      const theirs = await mmoeForwardTfMatrix(params, x);
      expect(maxAbsDiff(mine.logits, theirs.logits)).toBeLessThan(1e-5);
      expect(maxAbsDiff(mine.probs, theirs.probs)).toBeLessThan(1e-5);
      mine.gates.forEach((g, k) => expect(maxAbsDiff(g, theirs.gates[k]!)).toBeLessThan(1e-5));
    },
  );

  it('parameters survive the trip to tfjs variables and back (to float32 rounding), in the same tree', async () => {
    const { tf } = await tensorBackend();
    const params = initMmoe(
      { inputDim: 3, tasks: 2, experts: 2, expertUnits: [4], towerUnits: [] },
      rng(4),
    );
    const back = await fromVariables<typeof params>(toVariables(tf, params));
    expect(paramCount(back)).toBe(paramCount(params));
    expect(maxAbsDiff(back.gates[1]!, params.gates[1]!)).toBeLessThan(1e-7);
    expect(maxAbsDiff(back.towers[0]!.head.weight, params.towers[0]!.head.weight)).toBeLessThan(
      1e-7,
    );
  });
});

describe('initialisation', () => {
  it('parameter count of MMoE: E (d h + h) + T E d + T (h + 1)', () => {
    const [d, h, e, t] = [5, 4, 3, 2];
    expect(
      paramCount(
        initMmoe({ inputDim: d, tasks: t, experts: e, expertUnits: [h], towerUnits: [] }, rng(1)),
      ),
    ).toBe(e * (d * h + h) + t * e * d + t * (h + 1));
  });
});

describe('the synthetic two-task set (MMoE paper, 3.2)', () => {
  it('p = 1 makes the targets equal up to the noise; p = 0 makes them nearly uncorrelated; labels are balanced', () => {
    const same = syntheticTasks({ n: 2000, inputDim: 8, correlation: 1 }, rng(3));
    expect(columnCorrelation(same.targets, 0, 1)).toBeGreaterThan(0.99);
    const apart = syntheticTasks({ n: 2000, inputDim: 8, correlation: 0 }, rng(3));
    expect(Math.abs(columnCorrelation(apart.targets, 0, 1))).toBeLessThan(0.1);
    for (const t of [0, 1])
      expect(
        Array.from({ length: 2000 }, (_, i) => apart.labels.data[i * 2 + t]!).reduce(
          (s, y) => s + y,
          0,
        ),
      ).toBe(1000);
  });

  test.prop([fc.integer({ min: 2, max: 12 }), fc.integer()], { numRuns: 50 })(
    'Gram-Schmidt gives two orthonormal vectors',
    (d, seed) => {
      const [u1, u2] = orthonormalPair(d, rng(seed));
      const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
      expect(dot(u1, u1)).toBeCloseTo(1, 12);
      expect(dot(u2, u2)).toBeCloseTo(1, 12);
      expect(Math.abs(dot(u1, u2))).toBeLessThan(1e-12);
    },
  );

  test.prop([fc.integer()], { numRuns: 10 })('the same seed gives the same data', (seed) => {
    const a = syntheticTasks({ n: 20, inputDim: 3, correlation: 0.5 }, rng(seed));
    const b = syntheticTasks({ n: 20, inputDim: 3, correlation: 0.5 }, rng(seed));
    expect(Array.from(a.targets.data)).toEqual(Array.from(b.targets.data));
  });
});

describe('training (tfjs, Adam, seeded)', () => {
  it('lowers the loss, reproduces itself from the same seed, and beats chance on held-out data', async () => {
    const data = syntheticTasks({ n: 600, inputDim: 4, correlation: 0.5 }, rng(5));
    const train = {
      x: matrix(400, 4, data.x.data.subarray(0, 1600)),
      labels: matrix(400, 2, data.labels.data.subarray(0, 800)),
      targets: data.targets,
    };
    const config = { inputDim: 4, tasks: 2, experts: 2, expertUnits: [4], towerUnits: [] };
    const run = () =>
      trainMultiTask(mmoeModel, initMmoe(config, rng(9)), train, { steps: 40, learningRate: 0.05 });
    const [a, b] = [await run(), await run()];
    expect(a.losses.at(-1)!).toBeLessThan(a.losses[0]! * 0.8);
    expect(a.losses).toEqual(b.losses);
    const test = {
      x: matrix(200, 4, data.x.data.subarray(1600)),
      labels: matrix(200, 2, data.labels.data.subarray(800)),
    };
    evaluateMultiTask(mmoeForward(a.params, test.x), test.labels).auc.forEach((auc) =>
      expect(auc).toBeGreaterThan(0.7),
    );
  });
});

describe('towers, scores and gate distance, worked', () => {
  /** One tower with no hidden layer whose head is z = 100 x: logits follow x exactly. */
  const tower = { hidden: [], head: { weight: fromRows([[100]]), bias: matrix(1, 1) } };

  it('probabilities are sigmoid(logits) and stay exact at logits of -800 and 800', () => {
    const { logits, probs } = towersForward([tower], [fromRows([[-8], [-0.01], [0], [0.02], [8]])]);
    expect(Array.from(logits.data)).toEqual([-800, -1, 0, 2, 800]);
    expect(Array.from(probs.data)).toEqual([0, 1 / (1 + Math.E), 0.5, 1 / (1 + Math.exp(-2)), 1]);
  });

  test.prop(
    [
      fc.array(
        fc.record({ z: fc.double({ min: -15, max: 15, noNaN: true }), y: fc.constantFrom(0, 1) }),
        { minLength: 2, maxLength: 30 },
      ),
    ],
    { numRuns: 100 },
  )(
    'evaluateMultiTask: log loss is -mean(y ln p + (1 - y) ln(1 - p)) and AUC is rocAuc of the logits, per task',
    (rows) => {
      const labels = [...rows.map((r) => r.y), 1, 0];
      const logits = [...rows.map((r) => r.z), 0.5, -0.5];
      const n = labels.length;
      // task 0 as given, task 1 with the logits negated; |z| <= 15 keeps the direct ln(1 - p) accurate
      const result = {
        logits: matrix(
          n,
          2,
          logits.flatMap((z) => [z, -z]),
        ),
        probs: matrix(n, 2),
      };
      const scores = evaluateMultiTask(
        result,
        matrix(
          n,
          2,
          labels.flatMap((y) => [y, y]),
        ),
      );
      [1, -1].forEach((sign, k) => {
        const p = logits.map((z) => 1 / (1 + Math.exp(-sign * z)));
        const direct =
          -labels.reduce(
            (acc, y, i) => acc + (y === 1 ? Math.log(p[i]!) : Math.log(1 - p[i]!)),
            0,
          ) / n;
        expect(scores.logLoss[k]).toBeCloseTo(direct, 9);
        expect(scores.auc[k]).toBe(
          rocAuc(
            labels,
            logits.map((z) => sign * z),
          ),
        );
      });
    },
  );

  it('gateDistance is the total variation per input, averaged: rows [1, 0] vs [0, 1] and equal rows give (1 + 0) / 2', () => {
    expect(
      gateDistance(
        fromRows([
          [1, 0],
          [0.5, 0.5],
        ]),
        fromRows([
          [0, 1],
          [0.5, 0.5],
        ]),
      ),
    ).toBe(0.5);
    expect(gateDistance(fromRows([[0.2, 0.8]]), fromRows([[0.5, 0.5]]))).toBeCloseTo(0.3, 15);
  });

  it('sliceRows keeps rows [from, to) of x, labels and targets together', () => {
    const data = syntheticTasks({ n: 6, inputDim: 2, correlation: 0.5 }, rng(3));
    const part = sliceRows(data, 2, 5);
    expect([part.x.rows, part.labels.rows, part.targets.rows]).toEqual([3, 3, 3]);
    expect(Array.from(part.x.data)).toEqual(Array.from(data.x.data.subarray(4, 10)));
    expect(Array.from(part.targets.data)).toEqual(Array.from(data.targets.data.subarray(4, 10)));
  });

  test.prop([fc.integer({ min: 1, max: 3 }), fc.integer()], { numRuns: 5 })(
    'shared-bottom: from scratch agrees with its tfjs twin to 1e-5',
    async (tasks, seed) => {
      const r = rng(seed);
      const params = initSharedBottom({ inputDim: 3, tasks, expertUnits: [4], towerUnits: [2] }, r);
      const x = randomMatrix(4, 3, r);
      const { tf } = await tensorBackend();
      const t = tf.tidy(() =>
        sharedBottomModel.logitsTf(tf, toTensors(tf, params), toTensor2d(tf, x)),
      );
      expect(maxAbsDiff(sharedBottomForward(params, x).logits, await fromTensor2d(t))).toBeLessThan(
        1e-5,
      );
    },
  );
});

/** The linear map solved exactly from the first d rows of x (mathjs): its prediction for row i. */
function linearFromFirstRows(x: Matrix, y: readonly number[]): (i: number) => number {
  const d = x.cols;
  const w = math.lusolve(
    Array.from({ length: d }, (_, i) => Array.from(rowOf(x, i))),
    y.slice(0, d),
  ) as number[][];
  return (i) => Array.from(rowOf(x, i)).reduce((s, v, j) => s + v * w[j]![0]!, 0);
}

describe('the synthetic tasks are built as the MMoE paper says', () => {
  it('without sines or noise each target is a unit-norm linear function of x, and the two correlate by p', () => {
    const data = syntheticTasks(
      { n: 20_000, inputDim: 4, correlation: 0.6, sines: 0, noise: 0 },
      rng(21),
    );
    const column = (t: number) =>
      Array.from({ length: data.x.rows }, (_, i) => data.targets.data[i * 2 + t]!);
    for (const t of [0, 1]) expect(math.variance(column(t)) as unknown as number).toBeCloseTo(1, 1);
    expect(columnCorrelation(data.targets, 0, 1)).toBeCloseTo(0.6, 1);
    // exactly linear: the weights solved from the first 4 rows predict every other row
    for (const t of [0, 1]) {
      const predict = linearFromFirstRows(data.x, column(t));
      for (let i = 4; i < 200; i++) expect(predict(i)).toBeCloseTo(column(t)[i]!, 8);
    }
  });

  it('with sines the targets are no longer linear in x', () => {
    const data = syntheticTasks(
      { n: 200, inputDim: 4, correlation: 0.6, sines: 10, noise: 0 },
      rng(21),
    );
    const y = Array.from({ length: 200 }, (_, i) => data.targets.data[i * 2]!);
    const predict = linearFromFirstRows(data.x, y);
    const worst = Math.max(...y.slice(4).map((v, i) => Math.abs(predict(i + 4) - v)));
    expect(worst).toBeGreaterThan(0.1);
  });
});

describe('complexity: multiply-adds per example', () => {
  test.prop([mmoeCase], { numRuns: 50 })(
    'at most E expert MLPs + T gates of d E + T mixtures of E d_e + T towers, and the counted forward equals mmoeForward',
    ({ config, params, x }) => {
      const counter = new Counter();
      const counted = mmoeForwardCounted(params, x, counter);
      expect(maxAbsDiff(counted.logits, mmoeForward(params, x).logits)).toBe(0);
      const widths = [config.inputDim, ...config.expertUnits];
      const expert = widths.slice(1).reduce((s, w, i) => s + widths[i]! * w, 0);
      const de = widths.at(-1)!;
      const towerWidths = [de, ...config.towerUnits, 1];
      const tower = towerWidths.slice(1).reduce((s, w, i) => s + towerWidths[i]! * w, 0);
      const bound =
        x.rows *
        (config.experts * expert +
          config.tasks * (config.inputDim * config.experts + config.experts * de + tower));
      expect(counter.get('madds')).toBeLessThanOrEqual(bound);
      expect(counter.get('madds')).toBeGreaterThan(0);
    },
  );
});

/**
 * Answer key for Q47 and Q48, shared-bottom and MMoE (ml/mmoe.ts); the dense layers it is built of
 * have their own key in tests/mlp.test.ts. Every gate is a distribution, each task's tower reads the
 * gate-weighted sum of the experts, one expert reduces MMoE to shared-bottom, a zero (uniform) gate
 * gives every task the same representation, the from-scratch model agrees with its tfjs twin on
 * generated configurations, the synthetic tasks have the correlation they are built with, training is
 * seeded and lowers the loss, multiply-adds are bounded, and bad input gets typed errors.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { ArgumentError } from '../core/errors.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, rowOf, type Matrix } from '../core/matrix.js';
import { tensorBackend } from '../core/backend.js';
import { rng } from '../core/random.js';
import { mixExperts, sumNormalisedGateVariant } from '../ml/gates.js';
import { fromVariables, initMlp, mlpForward, paramCount, toVariables } from '../ml/mlp.js';
import {
  columnCorrelation,
  evaluateMultiTask,
  gateDistance,
  gateStats,
  initMmoe,
  initSharedBottom,
  mmoeForward,
  mmoeModel,
  mmoeTf,
  sharedBottomForward,
  syntheticTasks,
  towersForward,
  trainMultiTask,
  type MmoeConfig,
  type MmoeParams,
} from '../ml/mmoe.js';

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
    return { config: config as MmoeConfig, params: initMmoe(config, r), x: randomMatrix(batch, config.inputDim, r) };
  });

describe('worked examples', () => {
  it('one expert: every gate weight is exactly 1 and MMoE is the shared-bottom model over that expert', () => {
    const params = initMmoe({ inputDim: 3, tasks: 2, experts: 1, expertUnits: [4], towerUnits: [2] }, rng(1));
    const x = fromRows([[1, -2, 0.5], [0, 1, 1]]);
    const mmoe = mmoeForward(params, x);
    mmoe.gates.forEach((g) => expect(Array.from(g.data)).toEqual([1, 1]));
    expect(maxAbsDiff(mmoe.logits, sharedBottomForward({ bottom: params.experts[0]!, towers: params.towers }, x).logits)).toBe(0);
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
        return Array.from({ length: g.rows }, (_, i) => Array.from(rowOf(g, i))).every((row) => row.every((w) => w >= 0) && Math.abs(row.reduce((s, w) => s + w, 0) - 1) < 1e-12);
      });
    });

  /** The wrong MMoE: its gates divide the scores by their plain sum (ml/gates.ts sumNormalisedGateVariant). */
  const mmoeWithSumNormalisedGates = (params: MmoeParams, x: Matrix) => {
    const outputs = params.experts.map((layers) => mlpForward(layers, x));
    return { gates: params.gates.map((g) => sumNormalisedGateVariant(x, g, outputs).weights) };
  };

  it('every gate row is >= 0 and sums to 1, one column per expert', () => {
    fc.assert(gatesAreDistributions(mmoeForward), { numRuns: 100, seed: 8 });
  });

  it('rejects gates normalised by the plain sum of their scores', () => {
    expect(fc.check(gatesAreDistributions(mmoeWithSumNormalisedGates), { numRuns: 100, seed: 8 }).failed).toBe(true);
  });

  test.prop([mmoeCase], { numRuns: 50 })('probabilities lie in (0, 1)', ({ params, x }) => {
    mmoeForward(params, x).probs.data.forEach((p) => expect(p > 0 && p < 1).toBe(true));
  });

  test.prop([mmoeCase], { numRuns: 100 })("task k's tower reads sum_e g_k(x)_e f_e(x): rebuilt by hand from the experts and the gates", ({ params, x }) => {
    const { gates, logits } = mmoeForward(params, x);
    const expertOutputs = params.experts.map((layers) => mlpForward(layers, x));
    const byHand = towersForward(params.towers, gates.map((g) => mixExperts(g, expertOutputs)));
    expect(maxAbsDiff(logits, byHand.logits)).toBeLessThan(1e-12);
  });

  test.prop([mmoeCase], { numRuns: 60 })('with one expert MMoE reduces to shared-bottom exactly', ({ config, x }) => {
    const params = initMmoe({ ...config, experts: 1 }, rng(config.inputDim));
    const shared = sharedBottomForward({ bottom: params.experts[0]!, towers: params.towers }, x);
    expect(maxAbsDiff(mmoeForward(params, x).probs, shared.probs)).toBe(0);
  });

  test.prop([mmoeCase], { numRuns: 60 })('Q47: zero gates are uniform (1/E, entropy ln E), every task reads the mean expert: shared-bottom over the averaged experts', ({ config, params, x }) => {
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
    expect(maxAbsDiff(logits, towersForward(params.towers, params.towers.map(() => mean)).logits)).toBeLessThan(1e-12);
  });
});

describe('from scratch agrees with tfjs (float32) to 1e-5', () => {
  test.prop([mmoeCase], { numRuns: 15 })('MMoE logits, probabilities and gates on generated configurations', async ({ params, x }) => {
    const mine = mmoeForward(params, x);
    const theirs = await mmoeTf(params, x);
    expect(maxAbsDiff(mine.logits, theirs.logits)).toBeLessThan(1e-5);
    expect(maxAbsDiff(mine.probs, theirs.probs)).toBeLessThan(1e-5);
    mine.gates.forEach((g, k) => expect(maxAbsDiff(g, theirs.gates[k]!)).toBeLessThan(1e-5));
  });

  it('parameters survive the trip to tfjs variables and back (to float32 rounding), in the same tree', async () => {
    const { tf } = await tensorBackend();
    const params = initMmoe({ inputDim: 3, tasks: 2, experts: 2, expertUnits: [4], towerUnits: [] }, rng(4));
    const back = await fromVariables<typeof params>(toVariables(tf, params));
    expect(paramCount(back)).toBe(paramCount(params));
    expect(maxAbsDiff(back.gates[1]!, params.gates[1]!)).toBeLessThan(1e-7);
    expect(maxAbsDiff(back.towers[0]!.head.weight, params.towers[0]!.head.weight)).toBeLessThan(1e-7);
  });
});

describe('initialisation', () => {
  it('parameter count of MMoE: E (d h + h) + T E d + T (h + 1)', () => {
    const [d, h, e, t] = [5, 4, 3, 2];
    expect(paramCount(initMmoe({ inputDim: d, tasks: t, experts: e, expertUnits: [h], towerUnits: [] }, rng(1)))).toBe(e * (d * h + h) + t * e * d + t * (h + 1));
  });
});

describe('the synthetic two-task set (MMoE paper, 3.2)', () => {
  it('p = 1 makes the targets equal up to the noise; p = 0 makes them nearly uncorrelated; labels are balanced', () => {
    const same = syntheticTasks({ n: 2000, inputDim: 8, correlation: 1 }, rng(3));
    expect(columnCorrelation(same.targets, 0, 1)).toBeGreaterThan(0.99);
    const apart = syntheticTasks({ n: 2000, inputDim: 8, correlation: 0 }, rng(3));
    expect(Math.abs(columnCorrelation(apart.targets, 0, 1))).toBeLessThan(0.1);
    for (const t of [0, 1]) expect(Array.from({ length: 2000 }, (_, i) => apart.labels.data[i * 2 + t]!).reduce((s, y) => s + y, 0)).toBe(1000);
  });

  test.prop([fc.integer()], { numRuns: 10 })('the same seed gives the same data', (seed) => {
    const a = syntheticTasks({ n: 20, inputDim: 3, correlation: 0.5 }, rng(seed));
    const b = syntheticTasks({ n: 20, inputDim: 3, correlation: 0.5 }, rng(seed));
    expect(Array.from(a.targets.data)).toEqual(Array.from(b.targets.data));
  });
});

describe('training (tfjs, Adam, seeded)', () => {
  it('lowers the loss, reproduces itself from the same seed, and beats chance on held-out data', async () => {
    const data = syntheticTasks({ n: 600, inputDim: 4, correlation: 0.5 }, rng(5));
    const train = { x: matrix(400, 4, data.x.data.subarray(0, 1600)), labels: matrix(400, 2, data.labels.data.subarray(0, 800)), targets: data.targets };
    const config = { inputDim: 4, tasks: 2, experts: 2, expertUnits: [4], towerUnits: [] };
    const run = () => trainMultiTask(mmoeModel, initMmoe(config, rng(9)), train, { steps: 40, learningRate: 0.05 });
    const [a, b] = [await run(), await run()];
    expect(a.losses.at(-1)!).toBeLessThan(a.losses[0]! * 0.8);
    expect(a.losses).toEqual(b.losses);
    const test = { x: matrix(200, 4, data.x.data.subarray(1600)), labels: matrix(200, 2, data.labels.data.subarray(800)) };
    evaluateMultiTask(mmoeForward(a.params, test.x), test.labels).auc.forEach((auc) => expect(auc).toBeGreaterThan(0.7));
  });
});

describe('complexity: multiply-adds per example', () => {
  test.prop([mmoeCase], { numRuns: 50 })('E expert MLPs + T gates of d E + T mixtures of E d_e + T towers, counted', ({ config, params, x }) => {
    const ops = { madds: 0 };
    mmoeForward(params, x, ops);
    const widths = [config.inputDim, ...config.expertUnits];
    const expert = widths.slice(1).reduce((s, w, i) => s + widths[i]! * w, 0);
    const de = widths.at(-1)!;
    const towerWidths = [de, ...config.towerUnits, 1];
    const tower = towerWidths.slice(1).reduce((s, w, i) => s + towerWidths[i]! * w, 0);
    const expected = x.rows * (config.experts * expert + config.tasks * (config.inputDim * config.experts + config.experts * de + tower));
    expect(ops.madds).toBeLessThanOrEqual(expected);
    expect(ops.madds).toBeGreaterThanOrEqual(expected);
  });
});

describe('bad input gets a typed error naming the argument', () => {
  const config = { inputDim: 3, tasks: 2, experts: 2, expertUnits: [4], towerUnits: [2] };
  const params = initMmoe(config, rng(1));

  it('zero experts', () => {
    expect(() => initMmoe({ ...config, experts: 0 }, rng(1))).toThrow('config.experts: got 0, expected an integer >= 1');
    expect(() => mmoeForward({ ...params, experts: [] }, matrix(1, 3))).toThrow('params.experts: got an array of length 0, expected at least one expert');
  });

  it('inputs of the wrong width name x and both shapes', () => {
    expect(() => mmoeForward(params, matrix(2, 5))).toThrow(ArgumentError);
    expect(() => mmoeForward(params, matrix(2, 5))).toThrow('x: got shape [2, 5], expected 3 columns, the input width of experts[0][0].weight [4, 3]');
  });

  it('a gate whose rows do not match the experts, or a gate per task missing', () => {
    const bad = { ...params, gates: [params.gates[0]!, matrix(3, 3)] };
    expect(() => mmoeForward(bad, matrix(1, 3))).toThrow('params.gates[1]: got shape [3, 3], expected 2 rows, one per expert');
    expect(() => mmoeForward({ ...params, gates: [params.gates[0]!] }, matrix(1, 3))).toThrow('params.gates: got an array of length 1, expected 2 gates, one per task tower');
  });

  it('an empty expert width list, a bad correlation, task weights of the wrong length', async () => {
    expect(() => initSharedBottom({ ...config, expertUnits: [] }, rng(1))).toThrow('config.expertUnits: got an array of length 0, expected at least one hidden width');
    expect(() => initMlp(3, [2, 0], rng(1))).toThrow('units[1]: got 0, expected an integer >= 1');
    expect(() => syntheticTasks({ n: 10, inputDim: 3, correlation: 1.5 }, rng(1))).toThrow('correlation: got 1.5, expected a number in [-1, 1]');
    const data = syntheticTasks({ n: 10, inputDim: 3, correlation: 0 }, rng(1));
    await expect(trainMultiTask(mmoeModel, params, data, { taskWeights: [1] })).rejects.toThrow('taskWeights: got an array of length 1, expected 2 weights, one per task');
    expect(() => evaluateMultiTask(mmoeForward(params, data.x), matrix(10, 3) as Matrix)).toThrow('labels: got shape [10, 3], expected shape [10, 2] like the predictions');
  });
});

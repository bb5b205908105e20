/**
 * Answer key for Q46 and Q48, PLE built from CGC levels (ml/ple/): the level-2 table of Q46 as a
 * worked example and checked against real shapes, every gate a distribution of the right width
 * (rejecting the PLE whose task gates also mix the other tasks' experts), the last level's task k
 * independent of the other tasks' experts (same variant rejected), one-level PLE without task
 * experts equal to MMoE with the same weights, agreement with tfjs on generated configurations
 * (tasks, levels, expert counts, widths), and counted multiply-adds. The pitfall is
 * pitfallTaskGateSeesAllExperts. Input checks: tests/inputs/ple.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Counter } from '../core/counter.js';
import {
  fromRows,
  matrix,
  maxAbsDiff,
  randomMatrix,
  rowOf,
  toRows,
  type Matrix,
} from '../core/matrix.js';
import { rng, type Rng } from '../core/random.js';
import { initMlp } from '../ml/mlp.js';
import { initMmoe, mmoeForward } from '../ml/mmoe/index.js';
import {
  initPle,
  pitfallTaskGateSeesAllExperts,
  pleForward,
  pleForwardCounted,
  pleForwardTfMatrix,
  pleFromMmoe,
  pleStructure,
  type PleConfig,
  type PleParams,
  type PleResult,
} from '../ml/ple/index.js';
import { rejectsPitfall } from './support/answer-key.js';

/** Generated PLE sizes: 1-3 tasks, 1-3 levels, 0-2 experts per task, 0-2 shared (at least one per gate). */
const pleCase = fc
  .record({
    inputDim: fc.integer({ min: 1, max: 5 }),
    tasks: fc.integer({ min: 1, max: 3 }),
    levels: fc.integer({ min: 1, max: 3 }),
    specificExperts: fc.integer({ min: 0, max: 2 }),
    sharedExperts: fc.integer({ min: 0, max: 2 }),
    expertUnits: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 2 }),
    towerUnits: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 1 }),
    batch: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer(),
  })
  .filter((c) => c.specificExperts + c.sharedExperts > 0)
  .map(({ batch, seed, ...config }) => {
    const r = rng(seed);
    return {
      config: config as PleConfig,
      params: initPle(config, r),
      x: randomMatrix(batch, config.inputDim, r),
      r,
    };
  });

type PleForward = (params: PleParams, x: Matrix) => PleResult;

/**
 * Parameters for the wrong variant: each task gate gets one row per expert of the level (every
 * task's experts, then the shared ones), keeping its own rows' values where it had them.
 */
function widenTaskGates(params: PleParams, r: Rng): PleParams {
  return {
    ...params,
    levels: params.levels.map((level) => {
      const ss = level.sharedExperts.length;
      return {
        ...level,
        taskGates: level.taskGates.map((gate, k) => {
          const rows = level.taskExperts.flatMap((experts, j) =>
            experts.map((_, e) =>
              j === k
                ? Array.from(rowOf(gate, e))
                : Array.from({ length: gate.cols }, () => r.normal()),
            ),
          );
          for (let s = 0; s < ss; s++)
            rows.push(Array.from(rowOf(gate, level.taskExperts[k]!.length + s)));
          return fromRows(rows);
        }),
      };
    }),
  };
}

/** The parameters a forward pass needs: PLE's own, or widened ones for the variant. */
const paramsFor = (forward: PleForward, params: PleParams, r: Rng) =>
  forward === pleForward ? params : widenTaskGates(params, r);

/** Q46's widths: task gate k mixes S_k + S_s experts, the shared gate sum_k S_k + S_s, none at the last level. */
const gateWidthProperty = (forward: PleForward) =>
  fc.property(pleCase, ({ config, params, x, r }) => {
    const { gates } = forward(paramsFor(forward, params, r), x);
    const { tasks: t, specificExperts: sk, sharedExperts: ss, levels } = config;
    return (
      gates.length === levels &&
      gates.every(
        (g, l) =>
          g.task.length === t &&
          g.task.every((w) => w.cols === sk + ss) &&
          (l === levels - 1 ? g.shared === undefined : g.shared?.cols === t * sk + ss),
      )
    );
  });

/** Task k's output at the last level does not move when another task's specific experts there change. */
const isolationProperty = (forward: PleForward) =>
  fc.property(pleCase, fc.nat(), ({ config, params, x, r }, pick) => {
    if (config.tasks < 2 || config.specificExperts === 0) return true;
    const p = paramsFor(forward, params, r);
    const last = p.levels.length - 1;
    const other = pick % config.tasks;
    const changed: PleParams = {
      ...p,
      levels: p.levels.map((level, l) =>
        l !== last
          ? level
          : {
              ...level,
              taskExperts: level.taskExperts.map((experts, k) =>
                k === other
                  ? experts.map(() =>
                      initMlp(level.taskGates[k]!.cols, config.expertUnits, rng(pick)),
                    )
                  : experts,
              ),
            },
      ),
    };
    const [before, after] = [forward(p, x), forward(changed, x)];
    for (let k = 0; k < config.tasks; k++) {
      if (k === other) continue;
      for (let i = 0; i < x.rows; i++)
        if (before.logits.data[i * config.tasks + k] !== after.logits.data[i * config.tasks + k])
          return false;
    }
    return true;
  });

describe('worked example: Q46, level 2 of a 2-level PLE with 2 tasks, 1 expert each and 1 shared', () => {
  const config: PleConfig = {
    inputDim: 6,
    tasks: 2,
    levels: 2,
    specificExperts: 1,
    sharedExperts: 1,
    expertUnits: [8],
    towerUnits: [4],
  };

  it('level 2: experts read level 1 outputs; each task gate mixes its expert + the shared one; no shared gate', () => {
    const level2 = pleStructure(config).filter((u) => u.level === 2);
    expect(
      level2.map((u) => [
        u.unit,
        u.count,
        u.input,
        u.inputWidth,
        u.mixes,
        u.outputWidth,
        u.activation,
      ]),
    ).toEqual([
      ['task-k experts', 2, 'task-k output of level 1', 8, 0, 8, 'ReLU'],
      ['shared experts', 1, 'shared output of level 1', 8, 0, 8, 'ReLU'],
      ['task-k gate', 2, 'task-k output of level 1', 8, 2, 8, 'softmax (linear, no bias)'],
    ]);
  });

  it('level 1 reads x everywhere and has the shared gate over all 3 experts: 4 units, then 3 at level 2', () => {
    expect(
      pleStructure(config).find((u) => u.level === 1 && u.unit === 'shared gate'),
    ).toMatchObject({ count: 1, input: 'x', inputWidth: 6, mixes: 3 });
    expect(
      pleStructure(config)
        .filter((u) => u.level === 1)
        .map((u) => u.input),
    ).toEqual(['x', 'x', 'x', 'x']);
    expect(pleStructure(config)).toHaveLength(7);
  });

  it('with 3 tasks of 2 experts and 2 shared: 6 task experts, task gates mix 2 + 2, the shared gate 3 * 2 + 2', () => {
    const wider = pleStructure({ ...config, tasks: 3, specificExperts: 2, sharedExperts: 2 });
    expect(wider.find((u) => u.level === 1 && u.unit === 'task-k experts')).toMatchObject({
      count: 6,
    });
    expect(wider.find((u) => u.level === 1 && u.unit === 'task-k gate')).toMatchObject({
      count: 3,
      mixes: 4,
    });
    expect(wider.find((u) => u.level === 1 && u.unit === 'shared gate')).toMatchObject({
      mixes: 8,
    });
  });

  it('the real forward pass has those shapes', () => {
    const params = initPle(config, rng(1));
    const { gates } = pleForward(params, randomMatrix(3, 6, rng(2)));
    expect(gates.map((g) => [g.task.map((w) => w.cols), g.shared?.cols])).toEqual([
      [[2, 2], 3],
      [[2, 2], undefined],
    ]);
    expect(params.levels[1]!.taskGates[0]!.cols).toBe(8);
    expect(params.levels[1]!.sharedGate).toBeUndefined();
  });
});

describe('gates: distributions of the right width (Q46)', () => {
  test.prop([pleCase], { numRuns: 100 })(
    'every gate row of every level is >= 0 and sums to 1',
    ({ params, x }) => {
      for (const level of pleForward(params, x).gates) {
        for (const g of [...level.task, ...(level.shared ? [level.shared] : [])]) {
          for (let i = 0; i < g.rows; i++) {
            const row = Array.from(rowOf(g, i));
            row.forEach((w) => expect(w).toBeGreaterThanOrEqual(0));
            expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
          }
        }
      }
    },
  );

  it('task gates are S_k + S_s wide, the shared gate T S_k + S_s, and the last level has none', () => {
    fc.assert(gateWidthProperty(pleForward), { numRuns: 100, seed: 21 });
  });

  it('the rejected variant is what it claims: with zero task-gate weights, task 0 mixes all 3 experts of the level at 1/3 each', () => {
    const params = initPle(
      {
        inputDim: 2,
        tasks: 2,
        levels: 1,
        specificExperts: 1,
        sharedExperts: 1,
        expertUnits: [3],
        towerUnits: [],
      },
      rng(3),
    );
    const zeroGates = {
      ...params,
      levels: [{ ...params.levels[0]!, taskGates: [matrix(3, 2), matrix(3, 2)] }],
    };
    const { gates } = pitfallTaskGateSeesAllExperts(zeroGates, randomMatrix(2, 2, rng(4)));
    expect(toRows(gates[0]!.task[0]!)).toEqual([
      [1 / 3, 1 / 3, 1 / 3],
      [1 / 3, 1 / 3, 1 / 3],
    ]);
  });

  it('rejects the PLE whose task gates also mix the other tasks experts (its gates are T S_k + S_s wide)', () => {
    rejectsPitfall(gateWidthProperty(pitfallTaskGateSeesAllExperts), { numRuns: 100, seed: 21 });
  });
});

describe("a task never reads another task's experts at the last level", () => {
  it("changing task j's experts of the last level leaves every other task's output bit-for-bit equal", () => {
    fc.assert(isolationProperty(pleForward), { numRuns: 100, seed: 5 });
  });

  it('rejects the variant whose task gates see every expert', () => {
    rejectsPitfall(isolationProperty(pitfallTaskGateSeesAllExperts), { numRuns: 100, seed: 5 });
  });
});

describe('special cases', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer(),
    ],
    { numRuns: 60 },
  )(
    'one-level PLE without task-specific experts equals MMoE with the same weights',
    (d, tasks, experts, seed) => {
      const r = rng(seed);
      const mmoe = initMmoe({ inputDim: d, tasks, experts, expertUnits: [3], towerUnits: [2] }, r);
      const x = randomMatrix(4, d, r);
      const a = mmoeForward(mmoe, x);
      const b = pleForward(pleFromMmoe(mmoe), x);
      expect(maxAbsDiff(a.logits, b.logits)).toBe(0);
      a.gates.forEach((g, k) => expect(maxAbsDiff(g, b.gates[0]!.task[k]!)).toBe(0));
    },
  );

  it('one expert per gate (S_k = 1, S_s = 0) makes every task gate weight exactly 1', () => {
    const params = initPle(
      {
        inputDim: 3,
        tasks: 2,
        levels: 2,
        specificExperts: 1,
        sharedExperts: 0,
        expertUnits: [4],
        towerUnits: [],
      },
      rng(3),
    );
    pleForward(params, randomMatrix(5, 3, rng(4))).gates.forEach((g) =>
      g.task.forEach((w) => expect(Array.from(w.data)).toEqual([1, 1, 1, 1, 1])),
    );
  });
});

describe('from scratch agrees with tfjs (float32) to 1e-5', () => {
  test.prop([pleCase], { numRuns: 15 })(
    'logits, probabilities and every gate on generated configurations (tasks, levels, experts, widths)',
    async ({ params, x }) => {
      const mine = pleForward(params, x);
      const theirs = await pleForwardTfMatrix(params, x);
      expect(maxAbsDiff(mine.logits, theirs.logits)).toBeLessThan(1e-5);
      expect(maxAbsDiff(mine.probs, theirs.probs)).toBeLessThan(1e-5);
      mine.gates.forEach((g, l) => {
        g.task.forEach((w, k) =>
          expect(maxAbsDiff(w, theirs.gates[l]!.task[k]!)).toBeLessThan(1e-5),
        );
        expect(theirs.gates[l]!.shared === undefined).toBe(g.shared === undefined);
        if (g.shared) expect(maxAbsDiff(g.shared, theirs.gates[l]!.shared!)).toBeLessThan(1e-5);
      });
    },
  );
});

describe('complexity: multiply-adds per level', () => {
  test.prop([pleCase], { numRuns: 50 })(
    'bounded by (experts) x (expert cost) + gates + mixtures + towers; the counted forward equals pleForward',
    ({ config, params, x }) => {
      const counter = new Counter();
      const counted = pleForwardCounted(params, x, counter);
      expect(maxAbsDiff(counted.logits, pleForward(params, x).logits)).toBe(0);
      const {
        tasks: t,
        specificExperts: sk,
        sharedExperts: ss,
        levels,
        inputDim,
        expertUnits,
        towerUnits,
      } = config;
      const de = expertUnits.at(-1)!;
      const cost = (widths: number[]) => widths.slice(1).reduce((s, w, i) => s + widths[i]! * w, 0);
      let perExample = t * cost([de, ...towerUnits, 1]);
      for (let l = 0; l < levels; l++) {
        const dIn = l === 0 ? inputDim : de;
        const all = t * sk + ss;
        perExample +=
          all * cost([dIn, ...expertUnits]) +
          t * (sk + ss) * (dIn + de) +
          (l < levels - 1 ? all * (dIn + de) : 0);
      }
      expect(counter.get('madds')).toBeLessThanOrEqual(x.rows * perExample);
      expect(counter.get('madds')).toBeGreaterThan(0);
    },
  );
});

/**
 * PLE's sizes and parameters: CGC levels of task experts, shared experts, task gates and a shared
 * gate (all but the last level), then T towers; `pleFromMmoe` reads MMoE's weights as a one-level
 * PLE without task experts.
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertFunction,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertMatrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertRng, type Rng } from '../../core/random.js';
import { glorotUniform, initMlp, type Dense } from '../mlp.js';
import {
  assertMultiTaskConfig,
  initTowers,
  type MultiTaskConfig,
  type MultiTaskResult,
  type Tower,
} from '../multi-task/towers.js';
import { assertMmoeParams, type MmoeParams } from '../mmoe/params.js';

export interface PleConfig extends MultiTaskConfig {
  /** Number of CGC levels (1 = CGC). */
  levels: number;
  /** S_k: experts of each task, per level (0 allowed). */
  specificExperts: number;
  /** S_s: shared experts per level (0 allowed, but S_k + S_s >= 1). */
  sharedExperts: number;
}

/** One CGC level. */
export interface CgcLevel {
  /** taskExperts[k][j]: the layers of task k's j-th expert. */
  taskExperts: Dense[][][];
  /** sharedExperts[j]: the layers of the j-th shared expert. */
  sharedExperts: Dense[][];
  /** taskGates[k]: [S_k + S_s, d_in], rows in the order (task k's experts, shared experts). */
  taskGates: Matrix[];
  /** [sum_k S_k + S_s, d_in], rows (task 1's, ..., task T's, shared experts); none at the last level. */
  sharedGate?: Matrix;
}

export interface PleParams {
  levels: CgcLevel[];
  towers: Tower[];
}

export interface PleGates {
  /** task[k]: [B, S_k + S_s]. */
  task: Matrix[];
  /** [B, sum_k S_k + S_s]; undefined at the last level. */
  shared?: Matrix;
}

export interface PleResult extends MultiTaskResult {
  /** gates[l]: the gate weights of level l. */
  gates: PleGates[];
}

/** Throws unless `config` holds PLE's sizes: levels >= 1, S_k, S_s >= 0, S_k + S_s >= 1. */
export function assertPleConfig(config: unknown): asserts config is PleConfig {
  assertMultiTaskConfig(config);
  const c = config as PleConfig;
  assertInteger('config.levels', c.levels, { min: 1, max: 16 });
  assertInteger('config.specificExperts', c.specificExperts, { min: 0, max: 64 });
  assertInteger('config.sharedExperts', c.sharedExperts, { min: 0, max: 64 });
  if (c.specificExperts + c.sharedExperts === 0) {
    throw new ArgumentError(
      'config.sharedExperts',
      c.sharedExperts,
      'specificExperts + sharedExperts >= 1: a task gate needs at least one expert',
    );
  }
}

/** Seeded PLE parameters for `config`: every expert an MLP, every gate Glorot-uniform. */
export function initPle(config: PleConfig, rng: Rng): PleParams {
  assertPleConfig(config);
  assertRng('rng', rng);
  const { tasks, specificExperts: sk, sharedExperts: ss } = config;
  const levels: CgcLevel[] = [];
  let width = config.inputDim;
  for (let l = 0; l < config.levels; l++) {
    const expert = () => initMlp(width, config.expertUnits, rng);
    const level: CgcLevel = {
      taskExperts: Array.from({ length: tasks }, () => Array.from({ length: sk }, expert)),
      sharedExperts: Array.from({ length: ss }, expert),
      taskGates: Array.from({ length: tasks }, () => glorotUniform(sk + ss, width, rng)),
    };
    if (l < config.levels - 1) level.sharedGate = glorotUniform(tasks * sk + ss, width, rng);
    levels.push(level);
    width = config.expertUnits.at(-1) as number;
  }
  return { levels, towers: initTowers(width, config, rng) };
}

/** One-level PLE without task-specific experts, whose shared experts, gates and towers are MMoE's. */
export function pleFromMmoe(params: MmoeParams): PleParams {
  assertMmoeParams(params);
  return {
    levels: [
      {
        taskExperts: params.gates.map(() => []),
        sharedExperts: params.experts,
        taskGates: params.gates,
      },
    ],
    towers: params.towers,
  };
}

/** How many rows task gate k of a level has: S_k + S_s for PLE (the pitfall takes every expert). */
export type TaskGateRows = (
  own: number,
  shared: number,
  all: number,
  k: number,
) => [rows: number, what: string];

const pleTaskGateRows: TaskGateRows = (own, shared, _all, k) => [
  own + shared,
  `task ${k}'s ${own} experts and the ${shared} shared experts`,
];

/** Throws unless `params` is a PLE: levels and towers agree on T, every gate has one row per expert. */
export function assertPleParams(params: unknown): asserts params is PleParams {
  assertPleLevels(params, pleTaskGateRows);
}

/** The checks of `assertPleParams`, with the task gates' width given by `taskGateRows`. */
export function assertPleLevels(
  params: unknown,
  taskGateRows: TaskGateRows,
): asserts params is PleParams {
  assertFunction('taskGateRows', taskGateRows);
  assertObject('params', params, 'PLE parameters { levels, towers }');
  const { levels, towers } = params as Partial<PleParams>;
  if (!Array.isArray(levels) || !Array.isArray(towers)) {
    throw new ArgumentTypeError('params', params, 'PLE parameters { levels, towers } (arrays)');
  }
  if (levels.length === 0)
    throw new ArgumentError('params.levels', levels, 'at least one CGC level');
  const tasks = towers.length;
  if (tasks === 0)
    throw new ArgumentError('params.towers', towers, 'one tower per task (at least one)');
  levels.forEach((level, l) => {
    const at = `params.levels[${l}]`;
    assertObject(at, level, 'a CGC level { taskExperts, sharedExperts, taskGates, sharedGate? }');
    if (!Array.isArray(level.taskExperts) || level.taskExperts.length !== tasks) {
      throw new ArgumentError(
        `${at}.taskExperts`,
        level.taskExperts,
        `${tasks} lists of task experts, one per task tower`,
      );
    }
    level.taskExperts.forEach((e, k) => {
      if (!Array.isArray(e))
        throw new ArgumentTypeError(`${at}.taskExperts[${k}]`, e, 'an array of experts');
    });
    if (!Array.isArray(level.sharedExperts))
      throw new ArgumentTypeError(
        `${at}.sharedExperts`,
        level.sharedExperts,
        'an array of experts',
      );
    if (!Array.isArray(level.taskGates) || level.taskGates.length !== tasks) {
      throw new ArgumentError(
        `${at}.taskGates`,
        level.taskGates,
        `${tasks} task gates, one per task`,
      );
    }
    const ss = level.sharedExperts.length;
    const all = level.taskExperts.reduce((n, e) => n + e.length, 0) + ss;
    level.taskGates.forEach((gate, k) => {
      assertMatrix(`${at}.taskGates[${k}]`, gate);
      const sk = (level.taskExperts[k] as Dense[][]).length;
      if (sk + ss === 0) {
        throw new ArgumentError(
          `${at}.taskExperts[${k}]`,
          level.taskExperts[k],
          `at least one expert for task ${k} (its own or shared)`,
        );
      }
      const rule = taskGateRows(sk, ss, all, k);
      if (!Array.isArray(rule) || typeof rule[0] !== 'number') {
        throw new ArgumentTypeError('taskGateRows', rule, 'a function returning [rows, what]');
      }
      const [expected, what] = rule;
      if (gate.rows !== expected) {
        throw new ArgumentError(
          `${at}.taskGates[${k}]`,
          gate,
          `${expected} rows, one per expert it mixes: ${what}`,
          `shape ${shapeOf(gate)}`,
        );
      }
    });
    const last = l === levels.length - 1;
    if (last && level.sharedGate !== undefined) {
      throw new ArgumentError(
        `${at}.sharedGate`,
        level.sharedGate,
        'no shared gate at the last level (nothing reads it)',
        'a shared gate',
      );
    }
    if (!last) {
      assertMatrix(`${at}.sharedGate`, level.sharedGate);
      if (level.sharedGate.rows !== all) {
        throw new ArgumentError(
          `${at}.sharedGate`,
          level.sharedGate,
          `${all} rows, one per expert of the level`,
          `shape ${shapeOf(level.sharedGate)}`,
        );
      }
    }
  });
}

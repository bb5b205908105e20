/**
 * PLE (progressive layered extraction): a stack of CGC (customized gate control) levels, each with
 * task-specific experts and shared experts, from scratch and in tfjs with the same weights.
 * Answers: Q46 (PLE, CGC 多层: what the level-2 gates take and output, which activations, how many
 * experts of each kind) and, with ml/mmoe.ts, Q48 (跷跷板问题: the seesaw problem).
 *
 * One CGC level l with T tasks, S_k experts for task k and S_s shared experts (Tang et al. RecSys'20;
 * DeepCTR `ple.py`):
 *   task-k experts  E_k,j = relu-MLP(in_k)                   S_k of them, read task k's input
 *   shared experts  E_s,j = relu-MLP(in_s)                   S_s of them, read the shared input
 *   task-k gate     out_k = sum softmax(W_k in_k) [E_k,*, E_s,*]       W_k is [S_k + S_s, d_in]
 *   shared gate     out_s = sum softmax(W_s in_s) [E_1,*, ..., E_T,*, E_s,*]   W_s is [sum S_k + S_s, d_in]
 * Level 1 feeds the raw input x to every in_k and to in_s; level l + 1 takes in_k = out_k and
 * in_s = out_s of level l. The last level has no shared gate: its out_k go to the towers.
 * A task gate never sees another task's experts (`pleForwardTaskGateSeesAllVariant` is that mistake).
 *
 * Q46, level 2 (of a 2-level PLE), exactly:
 * - task-k experts (S_k): input = out_k of level 1 (width d_e, the expert width), output d_e, ReLU;
 * - shared experts (S_s): input = out_s of level 1, output d_e, ReLU;
 * - task-k gate: input = out_k of level 1; a bias-free linear layer to S_k + S_s scores, softmax;
 *   output = the gate-weighted sum of task k's S_k experts and the S_s shared experts (width d_e),
 *   which goes to tower k (ReLU layers, then a sigmoid for a click-like task);
 * - no shared gate at level 2 because it is the last level (in a 3-level PLE it would read out_s of
 *   level 1, mix all T S_k + S_s experts of level 2, and feed level 3's shared experts and gate).
 * `pleStructure` prints this table for any configuration; the tests check it against real shapes.
 *
 * Special cases: one level with S_k = 0 is MMoE with the shared experts as its experts
 * (`pleFromMmoe`); one level is CGC.
 *
 * Complexity per example and level: (sum_k S_k + S_s) expert MLPs + gates of d_in (S_k + S_s) and
 * d_in (sum_k S_k + S_s) multiply-adds.
 *
 * @example
 *   const config = { inputDim: 4, tasks: 2, levels: 2, specificExperts: 1, sharedExperts: 2, expertUnits: [8], towerUnits: [4] };
 *   const { probs, gates } = pleForward(initPle(config, rng(1)), randomMatrix(5, 4, rng(2)));
 *   // gates[1].task[0] is [5, 3]: task 0's expert + 2 shared; gates[0].shared is [5, 4]; gates[1].shared is undefined
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import { ArgumentError, ArgumentTypeError, assertInteger } from '../core/errors.js';
import { assertMatrix, shapeOf, type Matrix, type OpCounter } from '../core/matrix.js';
import type { Rng } from '../core/random.js';
import { fromTensor2d, tensorBackend, toTensor2d, type Tf } from '../core/backend.js';
import { softmaxGate, softmaxGateTf } from './gates.js';
import { glorotUniform, initMlp, mlpForward, mlpForwardTf, toTensors, type Dense, type Swap } from './mlp.js';
import { checkMultiTaskConfig, initTowers, towersForward, towersForwardTf, type MmoeParams, type MultiTaskConfig, type MultiTaskModel, type MultiTaskResult, type Tower } from './mmoe.js';

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
  /** [sum_k S_k + S_s, d_in], rows in the order (task 1's, ..., task T's, shared experts); absent at the last level. */
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

function checkPleConfig(config: PleConfig): void {
  checkMultiTaskConfig(config);
  assertInteger('config.levels', config.levels, { min: 1 });
  assertInteger('config.specificExperts', config.specificExperts, { min: 0 });
  assertInteger('config.sharedExperts', config.sharedExperts, { min: 0 });
  if (config.specificExperts + config.sharedExperts === 0) throw new ArgumentError('config.sharedExperts', config.sharedExperts, 'specificExperts + sharedExperts >= 1: a task gate needs at least one expert');
}

export function initPle(config: PleConfig, rng: Rng): PleParams {
  checkPleConfig(config);
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
  return {
    levels: [{ taskExperts: params.gates.map(() => []), sharedExperts: params.experts, taskGates: params.gates }],
    towers: params.towers,
  };
}

function checkPleParams(params: PleParams, taskGateSeesAll: boolean): void {
  if (typeof params !== 'object' || params === null || !Array.isArray(params.levels) || !Array.isArray(params.towers)) {
    throw new ArgumentTypeError('params', params, 'PLE parameters { levels, towers }');
  }
  if (params.levels.length === 0) throw new ArgumentError('params.levels', params.levels, 'at least one CGC level');
  const tasks = params.towers.length;
  if (tasks === 0) throw new ArgumentError('params.towers', params.towers, 'one tower per task (at least one)');
  params.levels.forEach((level, l) => {
    const at = `params.levels[${l}]`;
    if (!Array.isArray(level?.taskExperts) || level.taskExperts.length !== tasks) throw new ArgumentError(`${at}.taskExperts`, level?.taskExperts, `${tasks} lists of task experts, one per task tower`);
    if (!Array.isArray(level.sharedExperts)) throw new ArgumentTypeError(`${at}.sharedExperts`, level.sharedExperts, 'an array of experts');
    if (!Array.isArray(level.taskGates) || level.taskGates.length !== tasks) throw new ArgumentError(`${at}.taskGates`, level.taskGates, `${tasks} task gates, one per task`);
    const ss = level.sharedExperts.length;
    const all = level.taskExperts.reduce((n, e) => n + e.length, 0) + ss;
    level.taskGates.forEach((gate, k) => {
      assertMatrix(`${at}.taskGates[${k}]`, gate);
      const sk = (level.taskExperts[k] as Dense[][]).length;
      if (sk + ss === 0) throw new ArgumentError(`${at}.taskExperts[${k}]`, level.taskExperts[k], `at least one expert for task ${k} (its own or shared)`);
      const expected = taskGateSeesAll ? all : sk + ss;
      const what = taskGateSeesAll ? 'every expert of the level' : `task ${k}'s ${sk} experts and the ${ss} shared experts`;
      if (gate.rows !== expected) throw new ArgumentError(`${at}.taskGates[${k}]`, gate, `${expected} rows, one per expert it mixes: ${what}`, `shape ${shapeOf(gate)}`);
    });
    const last = l === params.levels.length - 1;
    if (last && level.sharedGate !== undefined) throw new ArgumentError(`${at}.sharedGate`, level.sharedGate, 'no shared gate at the last level (nothing reads it)', 'a shared gate');
    if (!last) {
      assertMatrix(`${at}.sharedGate`, level.sharedGate);
      if (level.sharedGate.rows !== all) throw new ArgumentError(`${at}.sharedGate`, level.sharedGate, `${all} rows, one per expert of the level`, `shape ${shapeOf(level.sharedGate)}`);
    }
  });
}

/** The from-scratch forward pass; `taskGateSeesAll` selects the wrong variant. */
function forward(params: PleParams, x: Matrix, taskGateSeesAll: boolean, ops?: OpCounter): PleResult {
  checkPleParams(params, taskGateSeesAll);
  assertMatrix('x', x);
  // level 1: every task input and the shared input are x
  let taskInputs: Matrix[] = params.towers.map(() => x);
  let sharedInput = x;
  const gates: PleGates[] = [];
  params.levels.forEach((level, l) => {
    const at = `levels[${l}]`;
    // expert outputs, [B, d_e] each: task k's experts read task k's input, shared experts the shared input
    const taskOuts = level.taskExperts.map((experts, k) => experts.map((layers, j) => mlpForward(layers, taskInputs[k] as Matrix, ops, `${at}.taskExperts[${k}][${j}]`)));
    const sharedOuts = level.sharedExperts.map((layers, j) => mlpForward(layers, sharedInput, ops, `${at}.sharedExperts[${j}]`));
    const everyExpert = [...taskOuts.flat(), ...sharedOuts];
    // task gate k: softmax over (task k's experts, shared experts), reading task k's input
    const task = level.taskGates.map((gate, k) => softmaxGate(taskInputs[k] as Matrix, gate, taskGateSeesAll ? everyExpert : [...(taskOuts[k] as Matrix[]), ...sharedOuts], ops));
    // shared gate (not at the last level): softmax over every expert, reading the shared input
    const shared = level.sharedGate && softmaxGate(sharedInput, level.sharedGate, everyExpert, ops);
    gates.push({ task: task.map((g) => g.weights), ...(shared ? { shared: shared.weights } : {}) });
    taskInputs = task.map((g) => g.output);
    if (shared) sharedInput = shared.output;
  });
  return { ...towersForward(params.towers, taskInputs, ops), gates };
}

/** PLE from scratch: the CGC levels, then tower k on the last level's task-k output. */
export function pleForward(params: PleParams, x: Matrix, ops?: OpCounter): PleResult {
  return forward(params, x, false, ops);
}

/**
 * WRONG, kept to be rejected by the tests: each task gate mixes every expert of the level (all tasks'
 * specific experts and the shared ones), so task k is driven by the other tasks' experts too and
 * its gate is sum_k S_k + S_s wide. Task gates must be [S_k + S_s, d_in] here.
 */
export function pleForwardTaskGateSeesAllVariant(params: PleParams, x: Matrix): PleResult {
  return forward(params, x, true);
}

/** The tfjs twin of `pleForward`: logits [B, T] and the gates. Call inside tf.tidy. */
export function pleForwardTf(tf: Tf, params: Swap<PleParams, Tensor2D>, x: Tensor2D): { logits: Tensor2D; gates: { task: Tensor2D[]; shared?: Tensor2D }[] } {
  let taskInputs: Tensor2D[] = params.towers.map(() => x);
  let sharedInput = x;
  const gates: { task: Tensor2D[]; shared?: Tensor2D }[] = [];
  for (const level of params.levels) {
    const taskOuts = level.taskExperts.map((experts, k) => experts.map((layers) => mlpForwardTf(tf, layers, taskInputs[k] as Tensor2D)));
    const sharedOuts = level.sharedExperts.map((layers) => mlpForwardTf(tf, layers, sharedInput));
    const task = level.taskGates.map((gate, k) => softmaxGateTf(tf, taskInputs[k] as Tensor2D, gate, [...(taskOuts[k] as Tensor2D[]), ...sharedOuts]));
    const shared = level.sharedGate && softmaxGateTf(tf, sharedInput, level.sharedGate, [...taskOuts.flat(), ...sharedOuts]);
    gates.push({ task: task.map((g) => g.weights), ...(shared ? { shared: shared.weights } : {}) });
    taskInputs = task.map((g) => g.output);
    if (shared) sharedInput = shared.output;
  }
  return { logits: towersForwardTf(tf, params.towers, taskInputs), gates };
}

export const pleModel: MultiTaskModel<PleParams> = {
  name: 'PLE',
  forward: (params, x) => pleForward(params, x),
  logitsTf: (tf, params, x) => pleForwardTf(tf, params, x).logits,
};

/** Runs `pleForwardTf` on float32 tensors and returns matrices: the oracle for `pleForward`. */
export async function pleTf(params: PleParams, x: Matrix): Promise<PleResult> {
  checkPleParams(params, false);
  assertMatrix('x', x);
  const { tf } = await tensorBackend();
  const out = tf.tidy(() => {
    const r = pleForwardTf(tf, toTensors(tf, params), toTensor2d(tf, x));
    return { logits: r.logits, probs: tf.sigmoid(r.logits) as Tensor2D, gates: r.gates };
  });
  const gates: PleGates[] = [];
  for (const g of out.gates) {
    const task = await Promise.all(g.task.map(fromTensor2d));
    gates.push({ task, ...(g.shared ? { shared: await fromTensor2d(g.shared) } : {}) });
  }
  return { logits: await fromTensor2d(out.logits), probs: await fromTensor2d(out.probs), gates };
}

/** One row of Q46's table: a kind of unit in one level. */
export interface PleUnit {
  level: number;
  unit: string;
  count: number;
  input: string;
  inputWidth: number;
  /** For a gate: how many experts it mixes (its softmax width); 0 for experts. */
  mixes: number;
  outputWidth: number;
  activation: string;
}

/** Q46 as data: every expert group and gate of every level, what it reads, mixes and outputs. */
export function pleStructure(config: PleConfig): PleUnit[] {
  checkPleConfig(config);
  const { tasks: t, specificExperts: sk, sharedExperts: ss, levels } = config;
  const de = config.expertUnits.at(-1) as number;
  const units: PleUnit[] = [];
  for (let l = 1; l <= levels; l++) {
    const dIn = l === 1 ? config.inputDim : de;
    const taskIn = l === 1 ? 'x' : `task-k output of level ${l - 1}`;
    const sharedIn = l === 1 ? 'x' : `shared output of level ${l - 1}`;
    units.push({ level: l, unit: 'task-k experts', count: t * sk, input: taskIn, inputWidth: dIn, mixes: 0, outputWidth: de, activation: 'ReLU' });
    units.push({ level: l, unit: 'shared experts', count: ss, input: sharedIn, inputWidth: dIn, mixes: 0, outputWidth: de, activation: 'ReLU' });
    units.push({ level: l, unit: 'task-k gate', count: t, input: taskIn, inputWidth: dIn, mixes: sk + ss, outputWidth: de, activation: 'softmax (linear, no bias)' });
    if (l < levels) units.push({ level: l, unit: 'shared gate', count: 1, input: sharedIn, inputWidth: dIn, mixes: t * sk + ss, outputWidth: de, activation: 'softmax (linear, no bias)' });
  }
  return units;
}

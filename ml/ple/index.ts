/**
 * PLE (progressive layered extraction): a stack of CGC (customized gate control) levels, each with
 * task-specific experts and shared experts, from scratch and in tfjs with the same weights.
 * Answers: Q46 (PLE, CGC 多层: what the level-2 gates take and output, which activations, how many
 * experts of each kind) and, with ml/mmoe/, Q48 (跷跷板问题: the seesaw problem).
 *
 * One CGC level l with T tasks, S_k experts for task k and S_s shared experts (Tang et al. RecSys'20;
 * DeepCTR `ple.py`):
 *   task-k experts  E_k,j = relu-MLP(in_k)                   S_k of them, read task k's input
 *   shared experts  E_s,j = relu-MLP(in_s)                   S_s of them, read the shared input
 *   task-k gate     out_k = sum softmax(W_k in_k) [E_k,*, E_s,*]       W_k is [S_k + S_s, d_in]
 *   shared gate     out_s = sum softmax(W_s in_s) [E_1,*, ..., E_T,*, E_s,*]   W_s is [sum S_k + S_s, d_in]
 * Level 1 feeds the raw input x to every in_k and to in_s; level l + 1 takes in_k = out_k and
 * in_s = out_s of level l. The last level has no shared gate: its out_k go to the towers.
 * A task gate never sees another task's experts (`pitfallTaskGateSeesAllExperts` is that mistake).
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
 * The parts: ./params.ts (sizes, init, checks, pleFromMmoe), ./levels.ts (the level loop shared by
 * the counted forward and the pitfall), ./tf.ts (the tfjs twin), ./structure.ts (Q46's table),
 * ./pitfalls.ts. Towers, data, training and statistics come from ml/multi-task/.
 *
 * Complexity per example and level: (sum_k S_k + S_s) expert MLPs + gates of d_in (S_k + S_s) and
 * d_in (sum_k S_k + S_s) multiply-adds.
 *
 * @example
 *   const config = { inputDim: 4, tasks: 2, levels: 2, specificExperts: 1, sharedExperts: 2,
 *     expertUnits: [8], towerUnits: [4] };
 *   const { probs, gates } = pleForward(initPle(config, rng(1)), randomMatrix(5, 4, rng(2)));
 *   // gates[1].task[0] is [5, 3]: task 0's expert + 2 shared; gates[0].shared is [5, 4];
 *   // gates[1].shared is undefined (the last level has no shared gate)
 */
import type { Counter } from '../../core/counter.js';
import { assertMatrix, type Matrix } from '../../core/matrix.js';
import { softmaxGate } from '../gates.js';
import { mlpForward } from '../mlp.js';
import { towersForward, type MultiTaskModel } from '../multi-task/towers.js';
import { assertPleParams, type PleGates, type PleParams, type PleResult } from './params.js';
import { pleGateRule, runLevels } from './levels.js';
import { pleForwardTf } from './tf.js';

/** PLE: the CGC levels (task and shared experts, task gates, a shared gate), then the towers. */
export function pleForward(params: PleParams, x: Matrix): PleResult {
  assertPleParams(params);
  assertMatrix('x', x);
  // level 1: every task input and the shared input are x
  let taskInputs: Matrix[] = params.towers.map(() => x);
  let sharedInput = x;
  const gates: PleGates[] = [];
  params.levels.forEach((level, l) => {
    const at = `levels[${l}]`;
    // task k's experts read task k's input, the shared experts the shared input: [B, d_e] each
    const own = level.taskExperts.map((experts, k) =>
      experts.map((layers, j) =>
        mlpForward(layers, taskInputs[k]!, `${at}.taskExperts[${k}][${j}]`),
      ),
    );
    const shared = level.sharedExperts.map((layers, j) =>
      mlpForward(layers, sharedInput, `${at}.sharedExperts[${j}]`),
    );
    // task gate k: softmax over (task k's experts, shared experts), reading task k's input
    const task = level.taskGates.map((gate, k) =>
      softmaxGate(taskInputs[k]!, gate, [...own[k]!, ...shared]),
    );
    // shared gate (not at the last level): softmax over every expert, reading the shared input
    const every = [...own.flat(), ...shared];
    const mix = level.sharedGate && softmaxGate(sharedInput, level.sharedGate, every);
    gates.push({ task: task.map((g) => g.weights), ...(mix ? { shared: mix.weights } : {}) });
    taskInputs = task.map((g) => g.output);
    if (mix) sharedInput = mix.output;
  });
  // y_k = sigmoid(h_k(out_k of the last level))
  return { ...towersForward(params.towers, taskInputs), gates };
}

/** `pleForward` that adds its multiply-adds to `counter` ('madds'); the same arithmetic. */
export function pleForwardCounted(params: PleParams, x: Matrix, counter?: Counter): PleResult {
  return runLevels(params, x, pleGateRule, counter);
}

/** PLE as a model the trainer of ml/multi-task/train.ts can fit. */
export const pleModel: MultiTaskModel<PleParams> = {
  name: 'PLE',
  forward: (params, x) => pleForward(params, x),
  logitsTf: (tf, params, x) => pleForwardTf(tf, params, x).logits,
};

export {
  assertPleParams,
  initPle,
  pleFromMmoe,
  type CgcLevel,
  type PleConfig,
  type PleGates,
  type PleParams,
  type PleResult,
} from './params.js';
export { pleForwardTf, pleForwardTfMatrix } from './tf.js';
export { pleStructure, type PleUnit } from './structure.js';
export { pitfallTaskGateSeesAllExperts } from './pitfalls.js';

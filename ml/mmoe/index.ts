/**
 * MMoE (multi-gate mixture-of-experts) for multi-task ranking, from scratch and in tfjs with the
 * same weights. Answers: Q47 (MMOE gate 权重: should the gate weights be uniform, 0.25 each, or
 * skewed?) and, with ml/ple/, Q48 (跷跷板问题: the seesaw problem).
 *
 *   shared-bottom:  y_k = sigmoid(h_k(f(x)))                     one bottom f for every task
 *   MMoE:           y_k = sigmoid(h_k(sum_e g_k(x)_e f_e(x))),  g_k(x) = softmax(W_gk x)
 *                                                                 (Ma et al. KDD'18)
 *
 * Symbols: T tasks, E experts f_e (MLPs with ReLU, shared by all tasks), one gate per task whose
 * W_gk is [E, d] (no bias, as in the paper and DeepCTR), and one tower h_k per task (ReLU MLP, then
 * one logit). Every gate sees the same raw input x. With E = 1 every gate weight is 1 and MMoE is
 * exactly shared-bottom (ml/multi-task/shared-bottom.ts); the gate is ml/gates.ts (`softmaxGate`).
 *
 * Q47 in one line: neither extreme is the goal. A gate that is uniform (0.25 each for 4 experts)
 * for every input and every task gives all tasks the same mixture, so MMoE is a shared-bottom over
 * the averaged experts; a gate collapsed onto one expert for every task is a shared-bottom over that
 * expert. What MMoE buys is gates that differ between tasks (and between inputs): `gateStats`
 * (ml/multi-task/stats.ts) measures per-input entropy, the entropy of the mean gate and how far
 * apart the tasks' gates are.
 *
 * Q48: on weakly correlated tasks a shared bottom has to trade one task against the other (the
 * seesaw); per-task gates (MMoE) and task-specific experts (PLE) give each task room.
 * `syntheticTasks` (ml/multi-task/synthetic.ts) makes two tasks whose correlation is set by p, as
 * in the MMoE paper's synthetic experiment.
 *
 * The parts, one responsibility a file: ./params.ts (sizes, init, checks), ./tf.ts (the tfjs
 * twin), ./pitfalls.ts (one gate for every task; plain-sum gates). What MMoE and PLE share lives in
 * ml/multi-task/: towers, shared-bottom, the synthetic tasks, the training loop, the statistics.
 *
 * Complexity per example: E expert MLPs + T gates of d E multiply-adds + T towers.
 *
 * @example
 *   const config = { inputDim: 4, tasks: 2, experts: 3, expertUnits: [8], towerUnits: [4] };
 *   const params = initMmoe(config, rng(1));
 *   const { probs, gates } = mmoeForward(params, randomMatrix(5, 4, rng(2)));
 *   // probs [5, 2]; gates[k] is [5, 3], each row a distribution over the 3 experts
 */
import type { Counter } from '../../core/counter.js';
import { assertOptionalCounter } from '../../core/counter.js';
import { assertMatrix, type Matrix } from '../../core/matrix.js';
import { softmaxGate } from '../gates.js';
import { mlpForward } from '../mlp.js';
import type { MultiTaskModel } from '../multi-task/towers.js';
import { towersForward } from '../multi-task/towers.js';
import { assertMmoeParams, type MmoeParams, type MmoeResult } from './params.js';
import { mmoeForwardTf } from './tf.js';

/** MMoE: every expert once, then one softmax gate and one tower per task. */
export function mmoeForward(params: MmoeParams, x: Matrix): MmoeResult {
  assertMmoeParams(params);
  assertMatrix('x', x);
  // f_e(x) for every expert: E outputs of [B, d_e]
  const experts = params.experts.map((layers, e) => mlpForward(layers, x, `experts[${e}]`));
  // task k: g_k(x) = softmax(x W_gk^T) [B, E] mixes the same experts into [B, d_e]
  const mixed = params.gates.map((gate) => softmaxGate(x, gate, experts));
  // y_k = sigmoid(h_k(sum_e g_k(x)_e f_e(x))): [B, T]
  const result = towersForward(
    params.towers,
    mixed.map((m) => m.output),
  );
  return { ...result, gates: mixed.map((m) => m.weights) };
}

/** `mmoeForward` that adds its multiply-adds to `counter` ('madds'); the same arithmetic. */
export function mmoeForwardCounted(params: MmoeParams, x: Matrix, counter?: Counter): MmoeResult {
  assertMmoeParams(params);
  assertMatrix('x', x);
  assertOptionalCounter('counter', counter);
  const experts = params.experts.map((layers, e) =>
    mlpForward(layers, x, `experts[${e}]`, counter),
  );
  const mixed = params.gates.map((gate) => softmaxGate(x, gate, experts, counter));
  const result = towersForward(
    params.towers,
    mixed.map((m) => m.output),
    counter,
  );
  return { ...result, gates: mixed.map((m) => m.weights) };
}

/** MMoE as a model the trainer of ml/multi-task/train.ts can fit. */
export const mmoeModel: MultiTaskModel<MmoeParams> = {
  name: 'MMoE',
  forward: (params, x) => mmoeForward(params, x),
  logitsTf: (tf, params, x) => mmoeForwardTf(tf, params, x).logits,
};

export {
  assertMmoeParams,
  initMmoe,
  type MmoeConfig,
  type MmoeParams,
  type MmoeResult,
} from './params.js';
export { mmoeForwardTf, mmoeForwardTfMatrix } from './tf.js';
export { pitfallMmoeSumNormalizedGates, pitfallSharedGateForAllTasks } from './pitfalls.js';

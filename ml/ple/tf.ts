/**
 * PLE on tfjs tensors: the tensor-level twin `pleForwardTf(tf, params, x)` (composed of the MLP,
 * gate and tower twins; valid inside tf.tidy) and its Matrix-level edge.
 */
import { assertObject } from '../../core/errors.js';
import { assertMatrix, type Matrix } from '../../core/matrix.js';
import {
  assertTensor,
  assertTf,
  fromTensor2d,
  tensorBackend,
  toTensor2d,
  type Tensor,
  type Tensor2D,
  type Tf,
} from '../../core/backend.js';
import { softmaxGateTf } from '../gates.js';
import { mlpForwardTf, toTensors, type Swap } from '../mlp.js';
import { towersForwardTf } from '../multi-task/towers.js';
import { assertPleParams, type PleGates, type PleParams, type PleResult } from './params.js';

/** The tfjs twin of `pleForward`: logits [B, T] and the gates of every level. */
export function pleForwardTf(
  tf: Tf,
  params: Swap<PleParams, Tensor>,
  x: Tensor,
): { logits: Tensor2D; gates: { task: Tensor2D[]; shared?: Tensor2D }[] } {
  assertTf('tf', tf);
  assertObject('params', params, 'PLE parameters { levels, towers } of tensors');
  assertTensor('x', x, 2);
  let taskInputs: Tensor[] = params.towers.map(() => x);
  let sharedInput = x;
  const gates: { task: Tensor2D[]; shared?: Tensor2D }[] = [];
  for (const level of params.levels) {
    const own = level.taskExperts.map((experts, k) =>
      experts.map((layers) => mlpForwardTf(tf, layers, taskInputs[k] as Tensor)),
    );
    const shared = level.sharedExperts.map((layers) => mlpForwardTf(tf, layers, sharedInput));
    const task = level.taskGates.map((gate, k) =>
      softmaxGateTf(tf, taskInputs[k] as Tensor, gate, [...(own[k] as Tensor2D[]), ...shared]),
    );
    const mix =
      level.sharedGate &&
      softmaxGateTf(tf, sharedInput, level.sharedGate, [...own.flat(), ...shared]);
    gates.push({ task: task.map((g) => g.weights), ...(mix ? { shared: mix.weights } : {}) });
    taskInputs = task.map((g) => g.output);
    if (mix) sharedInput = mix.output;
  }
  return { logits: towersForwardTf(tf, params.towers, taskInputs), gates };
}

/** Runs `pleForwardTf` on float32 tensors and returns matrices: the oracle for `pleForward`. */
export async function pleForwardTfMatrix(params: PleParams, x: Matrix): Promise<PleResult> {
  assertPleParams(params);
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

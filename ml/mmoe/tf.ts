/**
 * MMoE on tfjs tensors: the tensor-level twin `mmoeForwardTf(tf, params, x)` (composed of the
 * tensor-level MLP, gate and tower twins; valid inside tf.tidy) and its Matrix-level edge.
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
import { assertMmoeParams, type MmoeParams, type MmoeResult } from './params.js';

/** The tfjs twin of `mmoeForward`: logits [B, T] and the gates, each [B, E]. */
export function mmoeForwardTf(
  tf: Tf,
  params: Swap<MmoeParams, Tensor>,
  x: Tensor,
): { logits: Tensor2D; gates: Tensor2D[] } {
  assertTf('tf', tf);
  assertObject('params', params, 'MMoE parameters { experts, gates, towers } of tensors');
  assertTensor('x', x, 2);
  // f_e(x): E outputs of [B, d_e]
  const expertOutputs = params.experts.map((layers) => mlpForwardTf(tf, layers, x));
  // task k: softmax(x W_gk^T) mixes the same experts
  const mixed = params.gates.map((gate) => softmaxGateTf(tf, x, gate, expertOutputs));
  return {
    logits: towersForwardTf(
      tf,
      params.towers,
      mixed.map((m) => m.output),
    ),
    gates: mixed.map((m) => m.weights),
  };
}

/** Runs `mmoeForwardTf` on float32 tensors and returns matrices: the oracle for `mmoeForward`. */
export async function mmoeForwardTfMatrix(params: MmoeParams, x: Matrix): Promise<MmoeResult> {
  assertMmoeParams(params);
  assertMatrix('x', x);
  const { tf } = await tensorBackend();
  const [logits, probs, ...gates] = tf.tidy(() => {
    const out = mmoeForwardTf(tf, toTensors(tf, params), toTensor2d(tf, x));
    return [out.logits, tf.sigmoid(out.logits) as Tensor2D, ...out.gates];
  });
  return {
    logits: await fromTensor2d(logits!),
    probs: await fromTensor2d(probs!),
    gates: await Promise.all(gates.map(fromTensor2d)),
  };
}

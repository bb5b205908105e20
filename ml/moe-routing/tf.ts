/**
 * Top-k softmax routing on tfjs tensors: the tensor-level twin `topKRouteTf(tf, logits, k)`
 * (softmax, tf.topk, renormalise over the chosen; valid inside tf.tidy) and its Matrix edge.
 * Equal to the from-scratch `topKRouteLogits` (the key checks it, float32).
 */
import { ArgumentError } from '../../core/errors.js';
import { assertMatrix, type Matrix } from '../../core/matrix.js';
import {
  assertTensor,
  assertTf,
  tensorBackend,
  toTensor2d,
  type Tensor,
  type Tensor2D,
  type Tf,
} from '../../core/backend.js';
import { maskedSoftmaxTf } from '../softmax.js';
import { assertExperts, assertK } from './routing.js';

/** logits [T, N] -> the chosen experts [T, k] (int32, best first) and their weights [T, k]. */
export function topKRouteTf(
  tf: Tf,
  logits: Tensor,
  k: number,
): { experts: Tensor2D; weights: Tensor2D } {
  assertTf('tf', tf);
  assertTensor('logits', logits, 2);
  const n = logits.shape[1] as number;
  if (n === 0)
    throw new ArgumentError(
      'logits',
      logits,
      'at least one expert (column)',
      `shape [${logits.shape.join(', ')}]`,
    );
  assertK('k', k, n);
  return tf.tidy(() => {
    // p = softmax(h): [T, N]
    const probs = maskedSoftmaxTf(tf, logits);
    // the k largest p and where they are: [T, k] each
    const { values, indices } = tf.topk(probs, k);
    // g = p / sum over the chosen: [T, k] / [T, 1]
    return {
      experts: indices as Tensor2D,
      weights: tf.div(values, tf.sum(values, -1, true)) as Tensor2D,
    };
  });
}

/** Runs `topKRouteTf` on a float32 copy of `logits` and reads the result back as arrays. */
export async function topKRouteTfMatrix(
  logits: Matrix,
  k: number,
): Promise<{ experts: number[][]; weights: number[][] }> {
  assertExperts('logits', logits);
  assertMatrix('logits', logits);
  assertK('k', k, logits.cols);
  const { tf } = await tensorBackend();
  const h = toTensor2d(tf, logits);
  const { experts, weights } = topKRouteTf(tf, h, k);
  const out = {
    experts: (await experts.array()) as number[][],
    weights: (await weights.array()) as number[][],
  };
  tf.dispose([h, experts, weights]);
  return out;
}

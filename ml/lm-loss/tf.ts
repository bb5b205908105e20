/**
 * The next-token loss as tensor-level twins, `(tf, logits, labels) => Tensor`, composable inside
 * tf.tidy, with the log-softmax of ml/softmax.ts (`logSoftmaxTf`); the gradient by tf.grad
 * (automatic differentiation). The Matrix-level wrappers are the edges the agreement properties
 * use.
 */
import { ArgumentError, ArgumentTypeError } from '../../core/errors.js';
import { assertTensor, assertTf, onMatrices, type Tensor, type Tf } from '../../core/backend.js';
import type { Matrix } from '../../core/matrix.js';
import { logSoftmaxTf } from '../softmax.js';
import { IGNORE_INDEX, assertLabels, assertLossInputs } from './inputs.js';

/** Checks logits [T, V] float and labels [T] int32 with values in [0, V) or -100. */
function assertLossTensors(tf: unknown, logits: unknown, labels: unknown): void {
  assertTf('tf', tf);
  assertTensor('logits', logits, 2);
  assertTensor('labels', labels, 1);
  const [T, V] = logits.shape as [number, number];
  if (V === 0) {
    throw new ArgumentError('logits', logits, 'a vocabulary of V >= 1 columns', `shape [${T}, 0]`);
  }
  if (logits.dtype !== 'float32') {
    throw new ArgumentTypeError('logits', logits, 'a float32 tensor [T, V]');
  }
  if (labels.dtype !== 'int32') {
    throw new ArgumentTypeError('labels', labels, 'an int32 tensor [T]');
  }
  // one pass over the T labels: an id out of range would pick a one-hot row of zeros silently
  assertLabels('labels', Array.from(labels.dataSync()), T, V, `logits [${T}, ${V}]`);
}

/**
 * Tensor twin of `nextTokenLoss`: logits [T, V] (float32), labels [T] (int32, -100 ignored) ->
 * the scalar mean loss over counted positions (0 if none).
 */
export function nextTokenLossTf(tf: Tf, logits: Tensor, labels: Tensor): Tensor {
  assertLossTensors(tf, logits, labels);
  const [T, V] = logits.shape as [number, number];
  return tf.tidy(() => {
    // no row has a next token: a zero that still depends on the logits (for tf.grad)
    if (T < 2) return tf.mul(tf.sum(logits), 0);
    // the shift: rows 0 .. T-2 against labels 1 .. T-1
    const z = tf.slice(logits, [0, 0], [T - 1, V]); // [T-1, V]
    const y = tf.slice(labels, [1], [T - 1]); // [T-1]
    const counted = tf.notEqual(y, tf.scalar(IGNORE_INDEX, 'int32')); // [T-1] bool
    // an ignored label picks class 0 and is weighted 0
    const safe = tf.where(counted, y, tf.zerosLike(y));
    // nll_t = -sum_j logSoftmax(z_t)_j onehot(y_t)_j
    const nll = tf.neg(tf.sum(tf.mul(logSoftmaxTf(tf, z), tf.oneHot(safe, V)), 1)); // [T-1]
    const weight = tf.cast(counted, 'float32');
    // the mean over counted positions only
    return tf.div(tf.sum(tf.mul(nll, weight)), tf.maximum(tf.sum(weight), 1));
  });
}

/** Tensor twin of `nextTokenLossGrad`, by tf.grad of `nextTokenLossTf`: [T, V]. */
export function nextTokenLossGradTf(tf: Tf, logits: Tensor, labels: Tensor): Tensor {
  assertLossTensors(tf, logits, labels);
  return tf.tidy(() => tf.grad((z: Tensor) => nextTokenLossTf(tf, z, labels))(logits));
}

/** `nextTokenLoss` computed by `nextTokenLossTf` in float32 (async: reads the scalar back). */
export async function nextTokenLossTfMatrix(
  logits: Matrix,
  labels: readonly number[],
): Promise<number> {
  assertLossInputs(logits, labels);
  const loss = await onMatrices((tf, z) => {
    const y = tf.tensor1d(labels as number[], 'int32');
    // a scalar read back through the rank-2 edge as a [1, 1] matrix
    return tf.reshape(nextTokenLossTf(tf, z, y), [1, 1]);
  }, logits);
  return loss.data[0] as number;
}

/** `nextTokenLossGrad` computed by `nextTokenLossGradTf` (tf.grad) in float32. */
export async function nextTokenLossGradTfMatrix(
  logits: Matrix,
  labels: readonly number[],
): Promise<Matrix> {
  assertLossInputs(logits, labels);
  return onMatrices(
    (tf, z) => nextTokenLossGradTf(tf, z, tf.tensor1d(labels as number[], 'int32')),
    logits,
  );
}

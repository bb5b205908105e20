/**
 * Softmax and the quantities built on it: log-softmax, entropy and cross-entropy. The one softmax
 * of the project: attention, the MoE / MMoE / PLE gates and the LM loss all take theirs from here.
 * Used by Q09-Q12 (attention weights), the gates and Q21 (next-token cross-entropy).
 *
 *   softmax(x)_i     = exp(x_i - max x) / sum_j exp(x_j - max x)      (the max cancels out)
 *   logSoftmax(x)_i  = x_i - max x - log sum_j exp(x_j - max x)       (log-sum-exp, no exp overflow)
 *   entropy(p)       = -sum_i p_i log p_i                              (nats; 0 log 0 = 0)
 *   crossEntropy(x, t) = -logSoftmax(x)_t                              (PyTorch F.cross_entropy)
 *
 * Subtracting the max is what makes it stable: exp(1000) overflows to Infinity, exp(0) does not,
 * and softmax(x + c) = softmax(x) for every constant c. A logit of -Infinity is a masked entry: it
 * gets weight 0, and a row with every entry masked gets all zeros (there is no distribution to take),
 * never NaN. `maskedSoftmaxTf` is the same convention on tensors, for attention masks.
 *
 * Complexity: O(n) per row of n logits, two passes (max, then exp and sum).
 *
 * @example
 *   softmax([1, 0])          // [0.731, 0.269]
 *   logSoftmax([1000, 1000]) // [-0.693, -0.693], no overflow
 *   entropy([0.5, 0.5])      // ln 2 = 0.693
 *   crossEntropy([2, 0], 0)  // -ln softmax([2, 0])_0 = 0.127
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertArrayLike,
  assertInteger,
} from '../core/errors.js';
import { assertMatrix, matrix, type Matrix } from '../core/matrix.js';
import { assertTensor, assertTf, type Tensor, type Tf } from '../core/backend.js';

/** softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x); all -Infinity gives all zeros. */
export function softmax(logits: ArrayLike<number>): number[] {
  assertLogits('logits', logits);
  const max = Array.from(logits).reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  if (max === Number.NEGATIVE_INFINITY) return Array.from(logits, () => 0);
  // exp(x_i - max) <= 1: no overflow
  const e = Array.from(logits, (x) => Math.exp(x - max));
  const sum = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / sum);
}

/** logSoftmax(x)_i = x_i - max x - log sum_j exp(x_j - max x); all -Infinity gives all -Infinity. */
export function logSoftmax(logits: ArrayLike<number>): number[] {
  assertLogits('logits', logits);
  const max = Array.from(logits).reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  if (max === Number.NEGATIVE_INFINITY) return Array.from(logits, () => Number.NEGATIVE_INFINITY);
  const logSum = Math.log(Array.from(logits).reduce((s, x) => s + Math.exp(x - max), 0));
  return Array.from(logits, (x) => x - max - logSum);
}

/** H(p) = -sum_i p_i log p_i in nats, with 0 log 0 = 0. p: probabilities (>= 0). */
export function entropy(p: ArrayLike<number>): number {
  assertProbabilities('p', p);
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    if (pi > 0) h -= pi * Math.log(pi);
  }
  return h;
}

/** -log softmax(logits)_target: the loss of predicting class `target` from `logits`. */
export function crossEntropy(logits: ArrayLike<number>, target: number): number {
  assertLogits('logits', logits);
  assertInteger('target', target, { min: 0, max: logits.length - 1 });
  return -(logSoftmax(logits)[target] as number);
}

// ---- Row-wise over a Matrix [rows, cols]: one distribution per row ----

/**
 * The stable softmax of `logits` written into `out` (same length), unchecked: the inner kernel of
 * `softmaxInto` and `softmaxRows`. Returns the sum before normalizing (0 if all masked).
 */
function softmaxRowInto(logits: ArrayLike<number>, out: Float64Array): number {
  const n = logits.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < n; j++) max = Math.max(max, logits[j] as number);
  if (max === Number.NEGATIVE_INFINITY) {
    out.fill(0, 0, n);
    return 0;
  }
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp((logits[j] as number) - max);
    out[j] = e;
    sum += e;
  }
  for (let j = 0; j < n; j++) out[j] = (out[j] as number) / sum;
  return sum;
}

/**
 * Numerically stable softmax of `logits` written into `out` (a Float64Array of the same length; it
 * may be `logits` itself). -Infinity entries get weight 0; an all -Infinity row gets all zeros.
 * Returns the row sum of exp(x - max) before normalizing (0 for an empty or fully masked row).
 */
export function softmaxInto(logits: Float64Array, out: Float64Array): number {
  if (!(logits instanceof Float64Array))
    throw new ArgumentTypeError('logits', logits, 'a Float64Array');
  if (!(out instanceof Float64Array)) throw new ArgumentTypeError('out', out, 'a Float64Array');
  if (out.length !== logits.length) {
    throw new ArgumentError('out', out, `a Float64Array of ${logits.length} values like logits`);
  }
  const sum = softmaxRowInto(logits, out);
  // a NaN or +Infinity logit shows as a NaN sum or weight: one O(1) look after the kernel
  if (!(sum >= 0) || (sum > 0 && !Number.isFinite(out[0] as number))) {
    throw new ArgumentError('logits', logits, 'numbers that are finite or -Infinity (masked)');
  }
  return sum;
}

/** softmax of every row of `logits` [rows, cols]: each row of the result sums to 1. */
export function softmaxRows(logits: Matrix): Matrix {
  assertMatrixOfLogits('logits', logits);
  const out = matrix(logits.rows, logits.cols);
  for (let i = 0; i < logits.rows; i++) {
    const span = [i * logits.cols, (i + 1) * logits.cols] as const;
    softmaxRowInto(logits.data.subarray(...span), out.data.subarray(...span));
  }
  return out;
}

/** log-softmax of every row of `logits` [rows, cols]. */
export function logSoftmaxRows(logits: Matrix): Matrix {
  assertMatrixOfLogits('logits', logits);
  const out = matrix(logits.rows, logits.cols);
  for (let i = 0; i < logits.rows; i++) {
    const row = logits.data.subarray(i * logits.cols, (i + 1) * logits.cols);
    out.data.set(logSoftmax(row), i * logits.cols);
  }
  return out;
}

/** Shannon entropy (nats) of each row of a matrix of probabilities, e.g. attention weights. */
export function rowEntropies(weights: Matrix): number[] {
  assertMatrix('weights', weights);
  assertProbabilities('weights', weights.data);
  return Array.from({ length: weights.rows }, (_, i) =>
    entropy(weights.data.subarray(i * weights.cols, (i + 1) * weights.cols)),
  );
}

// ---- Tensors ----

/**
 * THE masked softmax on tensors, over the last axis. `visible` (a bool tensor broadcastable to
 * `logits`, true = may be attended to) hides entries before the softmax; a row with nothing
 * visible gets all zeros, not the NaN of softmax(-inf, ..., -inf). Without `visible` it is
 * tf.softmax. Synchronous, valid inside tf.tidy.
 */
export function maskedSoftmaxTf(tf: Tf, logits: Tensor, visible?: Tensor): Tensor {
  assertLogitsTensor(tf, logits);
  if (visible === undefined) return tf.softmax(logits);
  assertVisible('visible', visible, logits.shape);
  return tf.tidy(() => {
    const p = tf.softmax(maskLogitsTf(tf, logits, visible));
    // a row with nothing visible came out uniform: multiply it by 0
    return tf.mul(p, anyVisibleTf(tf, visible));
  });
}

/**
 * The logits with every hidden entry pushed to -FLT_MAX (a finite -3.4e38, so no row becomes NaN):
 * logits + (visible - 1) FLT_MAX, built at the mask's own size and broadcast by the add. Its
 * softmax gives hidden entries weight 0 next to any visible one.
 */
export function maskLogitsTf(tf: Tf, logits: Tensor, visible: Tensor): Tensor {
  assertLogitsTensor(tf, logits);
  assertVisible('visible', visible, logits.shape);
  return tf.tidy(() => tf.add(logits, tf.mul(tf.sub(tf.cast(visible, 'float32'), 1), FLOAT32_MAX)));
}

/** [..., 1] float: 1 where a row of `visible` has any true entry, 0 where it has none. */
export function anyVisibleTf(tf: Tf, visible: Tensor): Tensor {
  assertTf('tf', tf);
  assertTensor('visible', visible);
  if (visible.dtype !== 'bool' || visible.rank === 0) {
    throw new ArgumentTypeError('visible', visible, 'a bool tensor of rank >= 1 (true = visible)');
  }
  return tf.tidy(() => tf.cast(tf.any(visible, -1, true), 'float32'));
}

/** The largest float32: a masked logit of -FLOAT32_MAX stays finite. */
const FLOAT32_MAX = 3.4028234663852886e38;

function assertLogitsTensor(tf: unknown, logits: unknown): asserts logits is Tensor {
  assertTf('tf', tf);
  assertTensor('logits', logits);
  if (logits.rank === 0)
    throw new ArgumentError('logits', logits, 'a tensor of rank >= 1', 'rank 0');
}

/** log-softmax over the last axis: x - logsumexp(x), stable for large logits. */
export function logSoftmaxTf(tf: Tf, logits: Tensor): Tensor {
  assertLogitsTensor(tf, logits);
  return tf.logSoftmax(logits);
}

// ---- Checks ----

/** Throws unless `values` is an array-like of numbers that are finite or -Infinity (masked). */
function assertLogits(argument: string, values: unknown): asserts values is ArrayLike<number> {
  assertArrayLike(argument, values, 'an array of logits (finite numbers or -Infinity)');
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number') throw new ArgumentTypeError(`${argument}[${i}]`, x, 'a number');
    if (!(Number.isFinite(x) || x === Number.NEGATIVE_INFINITY)) {
      throw new ArgumentError(`${argument}[${i}]`, x, 'a finite number or -Infinity (masked)');
    }
  }
}

function assertMatrixOfLogits(argument: string, m: unknown): asserts m is Matrix {
  const candidate = m as Partial<Matrix> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    !(candidate.data instanceof Float64Array)
  ) {
    throw new ArgumentTypeError(argument, m, 'a Matrix { rows, cols, data: Float64Array }');
  }
  const { rows, cols, data } = candidate as Matrix;
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows * cols !== data.length) {
    throw new ArgumentError(argument, m, 'a Matrix whose data has rows * cols values');
  }
  assertLogits(argument, data);
}

function assertProbabilities(argument: string, p: unknown): asserts p is ArrayLike<number> {
  assertArrayLike(argument, p, 'an array of probabilities');
  for (let i = 0; i < p.length; i++) {
    const x = p[i];
    if (typeof x !== 'number') throw new ArgumentTypeError(`${argument}[${i}]`, x, 'a number');
    if (!(x >= 0 && x <= 1))
      throw new ArgumentError(`${argument}[${i}]`, x, 'a probability in [0, 1]');
  }
}

/** Throws unless `visible` is a bool tensor broadcastable to `shape`. */
export function assertVisible(
  argument: string,
  visible: unknown,
  shape: readonly number[],
): asserts visible is Tensor {
  assertTensor(argument, visible);
  assertArray('shape', shape);
  if (visible.dtype !== 'bool') {
    throw new ArgumentTypeError(argument, visible, 'a bool tensor (true = visible)');
  }
  assertBroadcastable(argument, visible, shape);
}

/** Throws unless tensor `t` broadcasts to `shape` (numpy rules, without growing `shape`). */
export function assertBroadcastable(argument: string, t: Tensor, shape: readonly number[]): void {
  assertTensor(argument, t);
  assertArray('shape', shape);
  const ok =
    t.rank <= shape.length &&
    t.shape.every((size, i) => size === 1 || size === shape[shape.length - t.rank + i]);
  if (!ok) {
    throw new ArgumentError(
      argument,
      t,
      `a shape broadcastable to [${shape.join(', ')}]`,
      `shape [${t.shape.join(', ')}]`,
    );
  }
}

// ---- Pitfalls: common wrong answers, kept to be rejected ----

/** Pitfall: exp(x_i) / sum exp(x_j) without subtracting the max: exp(1000) = Infinity gives NaN. */
export function pitfallSoftmaxWithoutMaxShift(logits: ArrayLike<number>): number[] {
  assertLogits('logits', logits);
  const e = Array.from(logits, (x) => Math.exp(x));
  const total = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / total);
}

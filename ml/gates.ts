/**
 * Softmax gates: the one gating helper of the project. A gate scores each expert from the input,
 * turns the scores into a distribution with a softmax, and returns the gate-weighted sum of the
 * expert outputs. MMoE (ml/mmoe/), PLE/CGC (ml/ple/) and mixture-of-experts routing share it.
 * Helper for Q46 (PLE, CGC 多层), Q47 (MMOE gate 权重) and Q48 (跷跷板问题); the softmax itself is
 * ml/softmax.ts (`softmaxRows`, and `maskedSoftmaxTf` on tensors).
 *
 *   g(x) = softmax(x W_g^T)       W_g is [E, d]: one row of scores per expert, no bias
 *   y(x) = sum_e g(x)_e f_e(x)    (Ma et al. KDD'18, eq. 5-6; DeepCTR: Dense(E, no bias, softmax))
 *
 * Symbols: a batch of B inputs x of width d, E experts whose outputs f_e(x) are [B, d_e]; the gate
 * weights are [B, E], each row non-negative and summing to 1 (a softmax, never a plain division by
 * the sum of the scores, which can be negative or zero: `pitfallSumNormalizedGate` is that mistake).
 * `gateLogits` is exported on its own so a router can pick its top-k experts before the softmax.
 *
 * Complexity: scores B d E multiply-adds, the mixture B E d_e; O(B E (d + d_e)) time, O(B E) memory.
 *
 * @example
 *   const x = fromRows([[1, 0]]);
 *   const gate = fromRows([[1, 0], [0, 0]]);            // expert 0 scores x_0, expert 1 scores 0
 *   const { weights, output } = softmaxGate(x, gate, [fromRows([[2]]), fromRows([[4]])]);
 *   // weights [[0.731, 0.269]] = softmax([1, 0]); output [[2.538]] = 0.731 * 2 + 0.269 * 4
 */
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import {
  assertMatrix,
  matmulTransposed,
  matrix,
  rowOf,
  shapeOf,
  type Matrix,
} from '../core/matrix.js';
import { assertTensor, assertTf, type Tensor, type Tensor2D, type Tf } from '../core/backend.js';
import { maskedSoftmaxTf, rowEntropies, softmaxRows } from './softmax.js';

export interface GateResult {
  /** [B, E]: row i is input i's distribution over the experts. */
  weights: Matrix;
  /** [B, d_e]: the gate-weighted sum of the expert outputs. */
  output: Matrix;
}

/** The softmax gate: weights = softmax(x W_g^T) [B, E], output = sum_e weights_e f_e [B, d_e]. */
export function softmaxGate(
  x: Matrix,
  gate: Matrix,
  experts: readonly Matrix[],
  counter?: Counter,
): GateResult {
  // g(x) = softmax(x W_g^T): [B, d] x [E, d]^T -> [B, E]
  const weights = softmaxRows(gateLogits(x, gate, counter));
  // y = sum_e g_e f_e(x): E x [B, d_e] -> [B, d_e]
  return { weights, output: mixExperts(weights, experts, counter) };
}

/** Anything with a 2-D shape: a Matrix, or a tfjs tensor's [rows, cols]. */
interface Shape2d {
  rows: number;
  cols: number;
}

const shapeText = (s: Shape2d) => `[${s.rows}, ${s.cols}]`;
const tensorShape = (t: Tensor): Shape2d => ({
  rows: t.shape[0] as number,
  cols: t.shape[1] as number,
});

/** Throws unless a gate of shape [E, d] can score inputs [B, d]: E >= 1 and the widths agree. */
function assertGateShape(x: Shape2d, gate: Shape2d, xValue: unknown, gateValue: unknown): void {
  if (gate.rows === 0) {
    throw new ArgumentError(
      'gate',
      gateValue,
      'at least one expert (one row of W_g per expert)',
      `shape ${shapeText(gate)}`,
    );
  }
  if (x.cols !== gate.cols) {
    throw new ArgumentError(
      'x',
      xValue,
      `${gate.cols} columns, the input width of gate ${shapeText(gate)}`,
      `shape ${shapeText(x)}`,
    );
  }
}

/** Throws unless `experts` is an array of E outputs of one shape [B, d_e] for weights [B, E]. */
function assertExpertShapes(
  weights: Shape2d,
  expertsValue: unknown,
  shapeOfExpert: (e: unknown, i: number) => Shape2d,
): void {
  if (!Array.isArray(expertsValue))
    throw new ArgumentTypeError('experts', expertsValue, 'an array of expert outputs');
  if (expertsValue.length === 0)
    throw new ArgumentError('experts', expertsValue, 'at least one expert output');
  if (expertsValue.length !== weights.cols) {
    throw new ArgumentError(
      'experts',
      expertsValue,
      `${weights.cols} expert outputs, one per gate weight column of ${shapeText(weights)}`,
    );
  }
  const shapes = expertsValue.map(shapeOfExpert);
  const first = shapes[0] as Shape2d;
  if (first.rows !== weights.rows) {
    throw new ArgumentError(
      'experts[0]',
      expertsValue[0],
      `${weights.rows} rows, one per input like the gate weights ${shapeText(weights)}`,
      `shape ${shapeText(first)}`,
    );
  }
  shapes.forEach((e, i) => {
    if (e.rows !== first.rows || e.cols !== first.cols) {
      throw new ArgumentError(
        `experts[${i}]`,
        expertsValue[i],
        `shape ${shapeText(first)} like experts[0]`,
        `shape ${shapeText(e)}`,
      );
    }
  });
}

/** The expert scores x W_g^T, [B, d] x [E, d]^T -> [B, E], before any softmax. */
export function gateLogits(x: Matrix, gate: Matrix, counter?: Counter): Matrix {
  assertMatrix('x', x);
  assertMatrix('gate', gate);
  assertOptionalCounter('counter', counter);
  assertGateShape(x, gate, x, gate);
  counter?.add('madds', x.rows * gate.rows * x.cols);
  return matmulTransposed(x, gate);
}

/** The gate weights softmax(x W_g^T): [B, E]. */
export function gateWeights(x: Matrix, gate: Matrix, counter?: Counter): Matrix {
  return softmaxRows(gateLogits(x, gate, counter));
}

/** y = sum_e weights[:, e] * experts[e]: weights [B, E], E outputs of [B, d_e] -> [B, d_e]. */
export function mixExperts(weights: Matrix, experts: readonly Matrix[], counter?: Counter): Matrix {
  assertMatrix('weights', weights);
  assertOptionalCounter('counter', counter);
  assertExpertShapes(weights, experts, (e, i) => {
    assertMatrix(`experts[${i}]`, e);
    return e;
  });
  const { rows: b, cols: numExperts } = weights;
  const de = (experts[0] as Matrix).cols;
  const out = matrix(b, de);
  for (let i = 0; i < b; i++) {
    const y = rowOf(out, i);
    for (let e = 0; e < numExperts; e++) {
      // y_i += g_ie * f_e(x_i)
      const g = weights.data[i * numExperts + e] as number;
      const f = rowOf(experts[e] as Matrix, i);
      for (let c = 0; c < de; c++) y[c] = (y[c] as number) + g * (f[c] as number);
    }
  }
  counter?.add('madds', b * numExperts * de);
  return out;
}

/** The gate weights on tensors: softmax(x W_g^T), x [B, d], gate [E, d] -> [B, E]. */
export function gateWeightsTf(tf: Tf, x: Tensor, gate: Tensor): Tensor2D {
  assertTf('tf', tf);
  assertTensor('x', x, 2);
  assertTensor('gate', gate, 2);
  assertGateShape(tensorShape(x), tensorShape(gate), x, gate);
  // [B, d] x [d, E] -> [B, E], then the one softmax of the project
  return maskedSoftmaxTf(tf, tf.matMul(x as Tensor2D, gate as Tensor2D, false, true)) as Tensor2D;
}

/** The mixture on tensors: weights [B, E], E expert outputs [B, d_e] -> [B, d_e]. */
export function mixExpertsTf(tf: Tf, weights: Tensor, experts: readonly Tensor[]): Tensor2D {
  assertTf('tf', tf);
  assertTensor('weights', weights, 2);
  assertExpertShapes(tensorShape(weights), experts, (e, i) => {
    assertTensor(`experts[${i}]`, e, 2);
    return tensorShape(e);
  });
  // stack to [B, E, d_e], weight by [B, E, 1], sum over E -> [B, d_e]
  const stacked = tf.stack(experts as Tensor2D[], 1);
  return tf.sum(tf.mul(stacked, tf.expandDims(weights, 2)), 1) as Tensor2D;
}

/**
 * The softmax gate on tfjs tensors (float32), for models that train; valid inside `tf.tidy`.
 * Composed of `gateWeightsTf` and `mixExpertsTf`; checks the same shapes as `softmaxGate`.
 */
export function softmaxGateTf(
  tf: Tf,
  x: Tensor,
  gate: Tensor,
  experts: readonly Tensor[],
): { weights: Tensor2D; output: Tensor2D } {
  const weights = gateWeightsTf(tf, x, gate);
  return { weights, output: mixExpertsTf(tf, weights, experts) };
}

/** Entropy (nats) of each input's gate distribution: ln E for a uniform gate, 0 for a one-hot one. */
export function gateEntropies(weights: Matrix): number[] {
  return rowEntropies(weights);
}

/** The mean gate distribution over a batch: [E] weights that still sum to 1. */
export function meanGate(weights: Matrix): Float64Array {
  assertMatrix('weights', weights);
  if (weights.rows === 0)
    throw new ArgumentError('weights', weights, 'at least one row', `shape ${shapeOf(weights)}`);
  const out = new Float64Array(weights.cols);
  for (let i = 0; i < weights.rows; i++) {
    const row = rowOf(weights, i);
    for (let e = 0; e < weights.cols; e++)
      out[e] = (out[e] as number) + (row[e] as number) / weights.rows;
  }
  return out;
}

/**
 * Pitfall: normalizes the scores by their plain sum instead of a softmax, weights_e = s_e / sum_j s_j;
 * scores can be negative (so can the weights) or sum to about zero (the weights blow up).
 */
export function pitfallSumNormalizedGate(
  x: Matrix,
  gate: Matrix,
  experts: readonly Matrix[],
): GateResult {
  const logits = gateLogits(x, gate);
  const weights = matrix(logits.rows, logits.cols);
  for (let i = 0; i < logits.rows; i++) {
    const s = rowOf(logits, i);
    const total = s.reduce((a, v) => a + v, 0);
    rowOf(weights, i).set(s.map((v) => v / total));
  }
  if (!weights.data.every(Number.isFinite)) {
    throw new ArgumentError('gate', gate, 'scores whose sum is not 0 (this pitfall divides by it)');
  }
  return { weights, output: mixExperts(weights, experts) };
}

/**
 * The next-token loss with its parts: the per-token losses, how many positions counted, and the
 * gradient with respect to the logits, dL/dlogits_t = (softmax(logits_t) - onehot(y_{t+1})) / |S|
 * for counted rows t, else 0. Equal to the textbook `nextTokenLoss` (the answer key proves it).
 */
import { matrix, type Matrix } from '../../core/matrix.js';
import { softmaxInto } from '../softmax.js';
import { IGNORE_INDEX, assertLossInputs } from './inputs.js';

export interface LmLoss {
  /** Mean negative log-likelihood over the counted positions (0 if none). */
  loss: number;
  /** |S|: how many positions carried loss. */
  count: number;
  /** -log p(label_{t+1}) for each row t; 0 where the row carries no loss. Length T. */
  perToken: Float64Array;
}

/** log sum_j exp(row_j), stable: max + log sum_j exp(row_j - max). Unchecked. */
function logSumExp(row: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < row.length; j++) max = Math.max(max, row[j] as number);
  let sum = 0;
  for (let j = 0; j < row.length; j++) sum += Math.exp((row[j] as number) - max);
  return max + Math.log(sum);
}

/** `nextTokenLoss` with the per-token losses and the count; no array allocated per row. */
export function nextTokenLossBreakdown(logits: Matrix, labels: readonly number[]): LmLoss {
  assertLossInputs(logits, labels);
  const { rows: T, cols: V } = logits;
  const perToken = new Float64Array(T);
  let total = 0;
  let count = 0;
  for (let t = 0; t + 1 < T; t++) {
    const target = labels[t + 1] as number;
    if (target === IGNORE_INDEX) continue;
    const row = logits.data.subarray(t * V, (t + 1) * V);
    // -log softmax(row)[target] = logsumexp(row) - row[target]
    const nll = logSumExp(row) - (row[target] as number);
    perToken[t] = nll;
    total += nll;
    count++;
  }
  return { loss: count === 0 ? 0 : total / count, count, perToken };
}

/** dL/dlogits of `nextTokenLoss`: row t is (softmax(logits_t) - onehot(y_{t+1})) / count, or 0. */
export function nextTokenLossGrad(logits: Matrix, labels: readonly number[]): Matrix {
  assertLossInputs(logits, labels);
  const { rows: T, cols: V } = logits;
  const grad = matrix(T, V);
  let count = 0;
  for (let t = 0; t + 1 < T; t++) if (labels[t + 1] !== IGNORE_INDEX) count++;
  for (let t = 0; t + 1 < T; t++) {
    const target = labels[t + 1] as number;
    if (target === IGNORE_INDEX) continue;
    const g = grad.data.subarray(t * V, (t + 1) * V);
    softmaxInto(logits.data.subarray(t * V, (t + 1) * V), g);
    // softmax - onehot, divided by the number of counted positions (the mean)
    g[target] = (g[target] as number) - 1;
    for (let j = 0; j < V; j++) g[j] = (g[j] as number) / count;
  }
  return grad;
}

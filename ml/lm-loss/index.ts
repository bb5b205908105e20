/**
 * The language-model loss: next-token cross-entropy, its value at initialisation, and the SFT loss
 * mask. Answers: Q21 (LLM 损失函数; 10w 词表初始 loss), Q22 (预训练与 SFT 的不同).
 *
 * The idea: at every position t a causal LM outputs logits over the V vocabulary entries for the
 * NEXT token; the loss is the mean negative log-likelihood of the tokens that actually came next:
 *
 *   L = -(1 / |S|) sum_{t in S} log softmax(logits_t)[labels_{t+1}],
 *   S = { t < T - 1 : labels_{t+1} != -100 }
 *
 * The shift: logits row t is scored against label t + 1 (so row T - 1 has no target). Labels use
 * PyTorch / Hugging Face ignore-index semantics: a label of -100 carries no loss and is left out of
 * the mean (CrossEntropyLoss(ignore_index=-100), reduction 'mean'). With no counted position at
 * all the loss is defined here as 0 (PyTorch would return NaN).
 *
 * Q21, the initial loss: a freshly initialised model has near-zero logits, so its prediction is
 * nearly uniform and the loss is about ln V (11.51 for V = 100,000; `uniformPredictionLoss`).
 * Small random logits of standard deviation s push it up by about s^2 / 2 (`tinyLmInitialLoss`
 * measures it on a tiny tfjs LM).
 *
 * Q22, pre-training vs SFT: the SAME next-token objective. Pre-training scores every token of raw
 * text; SFT sees (prompt, response) pairs and sets the prompt's labels to -100, so only response
 * tokens carry loss and gradient (`sftLabels`).
 *
 * Parts: `nextTokenLoss` (the textbook answer, below); `nextTokenLossBreakdown` and
 * `nextTokenLossGrad` (per-token losses, the count, the gradient (softmax - onehot) / |S|); the
 * tensor twins `nextTokenLossTf` and `nextTokenLossGradTf` (tf.grad); the initial loss; SFT labels;
 * the pitfalls. The log-softmax is the one of ml/softmax.ts.
 *
 * Complexity: O(T V) time for the loss and its gradient (one log-sum-exp per row).
 *
 * @example
 *   nextTokenLoss(fromRows([[0, 0], [0, 0], [5, 5]]), [0, 1, -100]);
 *   // ln 2 = 0.6931: row 0 predicts label 1 at p = 1/2; row 1's target is ignored; row 2 has none
 */
import { rowOf, type Matrix } from '../../core/matrix.js';
import { logSoftmax } from '../softmax.js';
import { IGNORE_INDEX, assertLossInputs } from './inputs.js';

/** Next-token cross-entropy: row t of logits [T, V] scored against labels[t + 1]; -100 ignored. */
export function nextTokenLoss(logits: Matrix, labels: readonly number[]): number {
  assertLossInputs(logits, labels);
  let total = 0;
  let count = 0;
  // the shift: logits row t predicts token t + 1, so the last row has no target
  for (let t = 0; t + 1 < logits.rows; t++) {
    const target = labels[t + 1] as number;
    if (target === IGNORE_INDEX) continue; // no loss, and left out of the mean
    // -log p(target) = -log softmax(logits_t)[target]
    total -= logSoftmax(rowOf(logits, t))[target] as number;
    count++;
  }
  // the mean over counted positions only (0 when there is none)
  return count === 0 ? 0 : total / count;
}

export { IGNORE_INDEX } from './inputs.js';
export * from './breakdown.js';
export * from './sft.js';
export * from './initial-loss.js';
export * from './tf.js';
export * from './pitfalls.js';

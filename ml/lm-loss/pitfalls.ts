/**
 * Common wrong answers to Q21 and Q22, each rejected in the answer key by a property the right
 * answer passes.
 */
import { assertInteger } from '../../core/errors.js';
import { matrix, type Matrix } from '../../core/matrix.js';
import { nextTokenLossBreakdown } from './breakdown.js';
import { IGNORE_INDEX, assertLabels, assertLossInputs } from './inputs.js';

/** Pitfall: forgets the shift, scoring logits row t against labels[t] (the token it was given). */
export function pitfallLossWithoutShift(logits: Matrix, labels: readonly number[]): number {
  assertLossInputs(logits, labels);
  // prepend a dummy label so that row t meets labels[t] in the shifted loss
  const { rows: T, cols: V } = logits;
  const padded = matrix(T + 1, V);
  padded.data.set(logits.data);
  return nextTokenLossBreakdown(padded, [IGNORE_INDEX, ...labels]).loss;
}

/** Pitfall: sums the counted positions but divides by all T - 1, ignored ones included. */
export function pitfallMeanOverIgnoredPositions(logits: Matrix, labels: readonly number[]): number {
  const { loss, count } = nextTokenLossBreakdown(logits, labels);
  return (loss * count) / Math.max(logits.rows - 1, 1);
}

/** Pitfall: the SFT labels without the prompt mask: prompt tokens carry loss too. */
export function pitfallSftLabelsWithoutPromptMask(
  tokens: readonly number[],
  promptLength: number,
): number[] {
  const length = Array.isArray(tokens) ? tokens.length : 0;
  assertLabels('tokens', tokens, length, Number.MAX_SAFE_INTEGER, 'the sequence');
  assertInteger('promptLength', promptLength, { min: 0, max: tokens.length });
  return [...tokens];
}

/** Pitfall: the initial loss in bits, log2 V (16.6 for 100k), where cross-entropy uses nats. */
export function pitfallInitialLossInBits(vocab: number): number {
  assertInteger('vocab', vocab, { min: 1 });
  return Math.log2(vocab);
}

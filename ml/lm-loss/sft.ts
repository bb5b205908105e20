/**
 * Q22: SFT trains on the same next-token loss, with the prompt's labels set to -100 so that only
 * response tokens carry loss and gradient. Pre-training uses the tokens themselves as labels.
 */
import { assertInteger } from '../../core/errors.js';
import { IGNORE_INDEX, assertLabels } from './inputs.js';

/**
 * SFT labels: the tokens, with the first `promptLength` (the prompt, chat template included)
 * replaced by -100.
 */
export function sftLabels(tokens: readonly number[], promptLength: number): number[] {
  assertTokens(tokens);
  assertInteger('promptLength', promptLength, { min: 0, max: tokens.length });
  return tokens.map((token, t) => (t < promptLength ? IGNORE_INDEX : token));
}

/** Token ids: an array of non-negative integers (the vocabulary size is not known here). */
function assertTokens(tokens: unknown): asserts tokens is number[] {
  const length = Array.isArray(tokens) ? tokens.length : 0;
  assertLabels('tokens', tokens, length, Number.MAX_SAFE_INTEGER, 'the sequence');
}

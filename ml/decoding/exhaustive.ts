/**
 * Exhaustive search, the oracle beam search approximates: score every sequence the model can emit
 * (ending at the first eos, or at maxNewTokens without one) and return the best by
 * logProb / length^lengthPenalty, ties to the lexicographically smaller sequence. A prefix of
 * probability 0 is not extended (it cannot be the best). Cost: up to V + V^2 + ... + V^L model
 * calls, so it is bounded to MAX_EXHAUSTIVE_CALLS; for small V and L only.
 */
import { ArgumentError } from '../../core/errors.js';
import { logSoftmax } from '../softmax.js';
import {
  assertDecodingArgs,
  assertLengthPenalty,
  compareHypotheses,
  lengthNormalizedScore,
  nextLogits,
  type Hypothesis,
  type LanguageModel,
} from './model.js';

/** The most prefixes exhaustive search will ask the model about. */
export const MAX_EXHAUSTIVE_CALLS = 2 ** 14;

/** Every sequence, depth first; the best by logProb / length^lengthPenalty. */
export function exhaustiveSearch(
  model: LanguageModel,
  prompt: readonly number[],
  maxNewTokens: number,
  eos: number,
  lengthPenalty = 0,
): Hypothesis {
  assertDecodingArgs(model, prompt, maxNewTokens, eos);
  assertLengthPenalty(lengthPenalty);
  let best: Hypothesis | undefined;
  let calls = 0;
  const visit = (tokens: number[], logProb: number): void => {
    const t = tokens.length;
    if (t > 0 && (tokens[t - 1] === eos || t === maxNewTokens)) {
      const done = { tokens, logProb, score: lengthNormalizedScore(logProb, t, lengthPenalty) };
      if (best === undefined || compareHypotheses(done, best) < 0) best = done;
      return;
    }
    if (++calls > MAX_EXHAUSTIVE_CALLS) {
      throw new ArgumentError(
        'maxNewTokens',
        maxNewTokens,
        `a search of at most ${MAX_EXHAUSTIVE_CALLS} prefixes (it grows as V^maxNewTokens)`,
      );
    }
    const logProbs = logSoftmax(nextLogits(model, [...prompt, ...tokens], prompt.length, eos));
    logProbs.forEach((lp, v) => {
      if (lp > Number.NEGATIVE_INFINITY) visit([...tokens, v], logProb + lp);
    });
  };
  visit([], 0);
  return best as Hypothesis;
}

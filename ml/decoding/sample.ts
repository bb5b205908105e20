/**
 * Sampling: draw the next token from the warped distribution softmax(warpLogits(logits)) with a
 * passed Rng (inverse CDF: the first token whose cumulative probability exceeds u ~ U[0, 1)).
 * With topK = 1 (and no tie at the top) it is greedy decoding; temperature -> 0 approaches it too.
 *
 * Complexity: O(V log V) per step with top-k or top-p (a sort), O(V) without.
 */
import { assertRng, type Rng } from '../../core/random.js';
import { softmax } from '../softmax.js';
import {
  assertDecodingArgs,
  assertProbabilities,
  nextLogits,
  type LanguageModel,
} from './model.js';
import { assertLogits, assertWarpOptions, warpLogits, type WarpOptions } from './warpers.js';

/**
 * One draw from `probs` (probabilities summing to 1): u ~ U[0, sum), the first index whose
 * cumulative probability exceeds u. A token of probability 0 is never drawn.
 */
export function sampleToken(probs: ArrayLike<number>, rng: Rng): number {
  assertProbabilities('probs', probs);
  assertRng('rng', rng);
  let total = 0;
  for (let i = 0; i < probs.length; i++) total += probs[i] as number;
  // scaled by the sum, so rounding in the probabilities cannot walk off the end
  const u = rng.uniform() * total;
  let cum = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i] as number;
    if (p === 0) continue;
    cum += p;
    last = i;
    if (u < cum) return i;
  }
  return last;
}

/** The next token sampled from softmax(warpLogits(logits, options)) (HF's order of warpers). */
export function sampleNext(logits: ArrayLike<number>, rng: Rng, options: WarpOptions = {}): number {
  assertLogits('logits', logits);
  assertRng('rng', rng);
  assertWarpOptions(options);
  return sampleToken(softmax(warpLogits(logits, options)), rng);
}

/**
 * Ancestral sampling: draw each token from the warped next-token distribution until `eos` or
 * `maxNewTokens`. Returns the generated tokens (eos included if drawn).
 */
export function sampleDecode(
  model: LanguageModel,
  prompt: readonly number[],
  maxNewTokens: number,
  eos: number,
  rng: Rng,
  options: WarpOptions = {},
): number[] {
  assertDecodingArgs(model, prompt, maxNewTokens, eos);
  assertRng('rng', rng);
  assertWarpOptions(options);
  const tokens: number[] = [];
  while (tokens.length < maxNewTokens) {
    const next = sampleNext(
      nextLogits(model, [...prompt, ...tokens], prompt.length, eos),
      rng,
      options,
    );
    tokens.push(next);
    if (next === eos) break;
  }
  return tokens;
}

/**
 * The common wrong warpers and samplers, kept to be rejected by the answer key and shown in the
 * notebook. The wrong beam search, `pitfallBeamSearchIgnoresLengthPenalty`, sits at the end of
 * ./index.ts beside the beam search it calls.
 */
import { assertRng, type Rng } from '../../core/random.js';
import { softmax } from '../softmax.js';
import {
  assertLogits,
  assertTemperature,
  assertTopK,
  assertTopP,
  assertWarpOptions,
  descendingOrder,
  warpLogits,
  type WarpOptions,
} from './warpers.js';

/**
 * Pitfall: top-p that keeps only tokens whose cumulative probability, themselves included, stays
 * <= p: the token that crosses p is dropped (HF's shift-right line forgotten), so the nucleus holds
 * less than p. It keeps the top token, as every top-p must.
 */
export function pitfallTopPDropsCrossingToken(logits: ArrayLike<number>, p: number): number[] {
  assertLogits('logits', logits);
  assertTopP('p', p);
  const out = Array.from(logits);
  const probs = softmax(out);
  let cum = 0;
  descendingOrder(out).forEach((i, r) => {
    cum += probs[i] as number;
    if (cum > p && r > 0) out[i] = Number.NEGATIVE_INFINITY;
  });
  return out;
}

/**
 * Pitfall: top-k that keeps exactly k tokens, ties at the k-th value broken by the lower index:
 * the result depends on where a token sits in the vocabulary, not only on its logit.
 */
export function pitfallTopKTiesByIndex(logits: ArrayLike<number>, k: number): number[] {
  assertLogits('logits', logits);
  assertTopK('k', k);
  const keep = new Set(descendingOrder(logits).slice(0, k));
  return Array.from(logits, (x, i) => (keep.has(i) ? x : Number.NEGATIVE_INFINITY));
}

/**
 * Pitfall: temperature applied after the softmax as p_i^(1/T) and not renormalised: the order is
 * right, but the result is no distribution (it sums to less than 1 for T < 1, more for T > 1).
 * Renormalised, p^(1/T) / sum p^(1/T) would equal softmax(logits / T).
 */
export function pitfallTemperatureAfterSoftmax(logits: ArrayLike<number>, t: number): number[] {
  assertLogits('logits', logits);
  assertTemperature('temperature', t);
  return softmax(logits).map((p) => p ** (1 / t));
}

/**
 * Pitfall: sampling from the filtered probabilities without renormalising them: the removed
 * tokens' probabilities are zeroed, u ~ U[0, 1) is compared with a cumulative sum that stops short
 * of 1, and a u beyond it falls through to the last token, removed or not.
 */
export function pitfallSampleWithoutRenormalising(
  logits: ArrayLike<number>,
  rng: Rng,
  options: WarpOptions = {},
): number {
  assertLogits('logits', logits);
  assertRng('rng', rng);
  assertWarpOptions(options);
  const warped = warpLogits(logits, options);
  // softmax of the temperature-scaled logits, with the removed entries zeroed: sums to < 1
  const probs = softmax(
    options.temperature === undefined
      ? logits
      : Array.from(logits, (x) => x / (options.temperature as number)),
  ).map((p, i) => (warped[i] === Number.NEGATIVE_INFINITY ? 0 : p));
  const u = rng.uniform();
  let cum = 0;
  for (let i = 0; i < probs.length; i++) {
    cum += probs[i] as number;
    if (u < cum) return i;
  }
  return probs.length - 1;
}

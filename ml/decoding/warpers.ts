/**
 * Hugging Face's logits warpers, from scratch: each maps next-token logits to logits, with removed
 * tokens set to -Infinity (probability 0 after the softmax, which renormalises what is left).
 *
 *   temperature:  l / T                          (TemperatureLogitsWarper; T -> 0 is greedy)
 *   top-k:        remove l_i < (k-th largest l)  (TopKLogitsWarper: ties at the k-th value kept)
 *   top-p:        keep the smallest most-likely set whose probability reaches p
 *                                                (TopPLogitsWarper; Holtzman et al. 2020)
 *
 * Top-p, two equal forms: `topP` walks the tokens from the most likely down and keeps a token while
 * the mass above it is still < p (so the token crossing p is kept, and the top token always);
 * `topPHf` is HF's TopPLogitsWarper: sort ascending, cumulative probability, remove where
 * cumsum <= 1 - top_p, always keep the last (min_tokens_to_keep = 1). They agree except when a
 * cumulative sum lands on p within rounding (1 - 0.95 is 0.050000000000000044 in doubles).
 * Ties between equal logits are ordered by the lower index first. p = 1 keeps every token, as HF's
 * generate skips the warper when top_p >= 1 (the float walk could otherwise drop a token of
 * probability 1e-17 once the sum has rounded to 1).
 *
 * `warpLogits` applies them in HF's order (generation/utils.py, `_get_logits_processor` and the
 * older `_get_logits_warper`): temperature, then top-k, then top-p. Top-k commutes with temperature
 * (it depends only on the order), top-p does not: p is measured after the temperature.
 *
 * Complexity: temperature O(V); top-k and top-p O(V log V) here (a sort; top-k could be
 * O(V log k) with a heap).
 */
import {
  ArgumentError,
  assertArrayLike,
  assertFinite,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { softmax } from '../softmax.js';
import { assertProbabilities, MAX_VOCAB } from './model.js';

/** The warpers of one sampling step; an omitted one is not applied. */
export interface WarpOptions {
  /** T > 0: logits / T. */
  temperature?: number;
  /** k >= 1: keep the k largest logits (and every logit tied with the k-th). */
  topK?: number;
  /** p in (0, 1]: keep the nucleus of probability >= p. */
  topP?: number;
}

/** temperature: logits / T. T < 1 sharpens the distribution, T > 1 flattens it; order is kept. */
export function temperature(logits: ArrayLike<number>, t: number): number[] {
  assertLogits('logits', logits);
  assertTemperature('temperature', t);
  // l_i / T (a removed token, -Infinity, stays removed)
  const out = Array.from(logits, (x) => x / t);
  const overflow = out.findIndex((x, i) => !Number.isFinite(x) && Number.isFinite(logits[i]));
  if (overflow !== -1) {
    throw new ArgumentError(
      'temperature',
      t,
      `large enough that logits / temperature stays finite (logits[${overflow}] overflows)`,
    );
  }
  return out;
}

/** top-k: every logit below the k-th largest becomes -Infinity; ties with the k-th are kept. */
export function topK(logits: ArrayLike<number>, k: number): number[] {
  assertLogits('logits', logits);
  assertTopK('k', k);
  const out = Array.from(logits);
  if (k >= out.length) return out;
  // the k-th largest value: HF's torch.topk(scores, top_k)[0][..., -1]
  const kth = [...out].sort((a, b) => b - a)[k - 1] as number;
  // remove scores < kth
  return out.map((x) => (x < kth ? Number.NEGATIVE_INFINITY : x));
}

/**
 * top-p (nucleus): from the most likely token down, keep a token while the probability mass above
 * it is still below p; the rest become -Infinity.
 */
export function topP(logits: ArrayLike<number>, p: number): number[] {
  assertLogits('logits', logits);
  assertTopP('p', p);
  const out = Array.from(logits);
  if (p === 1) return out;
  const keep = nucleus(softmax(out), descendingOrder(out), p);
  return out.map((x, i) => (keep[i] ? x : Number.NEGATIVE_INFINITY));
}

/** The nucleus: walking `order` (most likely first), keep tokens while the mass above is < p. */
function nucleus(probs: ArrayLike<number>, order: readonly number[], p: number): boolean[] {
  const keep = new Array<boolean>(probs.length).fill(false);
  let above = 0;
  for (const i of order) {
    // the more likely tokens already hold p: this one and all after it are outside the nucleus
    if (above >= p) break;
    keep[i] = true;
    above += probs[i] as number;
  }
  return keep;
}

/**
 * HF's TopPLogitsWarper: sort ascending, cumulative probability, remove where cumsum <= 1 - p,
 * keep the most likely token always. Equal to `topP` unless a sum lands on p within rounding.
 */
export function topPHf(logits: ArrayLike<number>, p: number): number[] {
  assertLogits('logits', logits);
  assertTopP('p', p);
  const out = Array.from(logits);
  if (p === 1) return out;
  const probs = softmax(out);
  const ascending = descendingOrder(out).reverse();
  let cum = 0;
  ascending.forEach((i, r) => {
    cum += probs[i] as number;
    // sorted_indices_to_remove = cumulative_probs <= (1 - top_p); the last one is always kept
    if (cum <= 1 - p && r < ascending.length - 1) out[i] = Number.NEGATIVE_INFINITY;
  });
  return out;
}

/**
 * top-p on probabilities: the nucleus (as `topP` picks it), renormalised to sum to 1; zero outside.
 * The probabilities must sum to 1.
 */
export function topPProbs(probs: ArrayLike<number>, p: number): number[] {
  assertProbabilities('probs', probs);
  assertTopP('p', p);
  const order = Array.from(probs, (_, i) => i).sort(
    (a, b) => (probs[b] as number) - (probs[a] as number) || a - b,
  );
  const keep = p === 1 ? order.map(() => true) : nucleus(probs, order, p);
  const mass = Array.from(probs).reduce((s, x, i) => (keep[i] ? s + x : s), 0);
  // renormalise: p_i / (mass of the nucleus)
  return Array.from(probs, (x, i) => (keep[i] ? x / mass : 0));
}

/** HF's order: temperature, then top-k, then top-p. */
export function warpLogits(logits: ArrayLike<number>, options: WarpOptions = {}): number[] {
  assertLogits('logits', logits);
  assertWarpOptions(options);
  let out = Array.from(logits);
  if (options.temperature !== undefined) out = temperature(out, options.temperature);
  if (options.topK !== undefined) out = topK(out, options.topK);
  if (options.topP !== undefined) out = topP(out, options.topP);
  return out;
}

/** The distribution sampling draws from: softmax(warpLogits(logits, options)), summing to 1. */
export function warpedDistribution(logits: ArrayLike<number>, options: WarpOptions = {}): number[] {
  return softmax(warpLogits(logits, options));
}

// ---- order and checks ----

/** Token ids from the largest logit to the smallest; equal logits by the lower id first. */
export function descendingOrder(logits: ArrayLike<number>): number[] {
  assertLogits('logits', logits);
  return Array.from(logits, (_, i) => i).sort(
    (a, b) => (logits[b] as number) - (logits[a] as number) || a - b,
  );
}

/** Throws unless `values` is 1..MAX_VOCAB numbers, finite or -Infinity, at least one finite. */
export function assertLogits(
  argument: string,
  values: unknown,
): asserts values is ArrayLike<number> {
  assertArrayLike(argument, values, 'an array of logits (finite numbers or -Infinity)');
  if (values.length < 1 || values.length > MAX_VOCAB)
    throw new ArgumentError(argument, values, `between 1 and ${MAX_VOCAB} logits`);
  let anyFinite = false;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !(Number.isFinite(x) || x === Number.NEGATIVE_INFINITY))
      throw new ArgumentError(`${argument}[${i}]`, x, 'a finite number or -Infinity (removed)');
    anyFinite ||= Number.isFinite(x);
  }
  if (!anyFinite) throw new ArgumentError(argument, values, 'at least one finite logit');
}

/** T: a finite number > 0. */
export function assertTemperature(argument: string, t: unknown): asserts t is number {
  assertFinite(argument, t);
  if (!(t > 0)) throw new ArgumentError(argument, t, 'a temperature > 0 (T -> 0 is greedy)');
}

/** k: an integer >= 1 (k >= V keeps every token). */
export function assertTopK(argument: string, k: unknown): asserts k is number {
  assertInteger(argument, k, { min: 1 });
}

/** p: a number in (0, 1]. */
export function assertTopP(argument: string, p: unknown): asserts p is number {
  assertFinite(argument, p);
  if (!(p > 0 && p <= 1)) throw new ArgumentError(argument, p, 'a probability in (0, 1]');
}

/** Throws unless `options` is a WarpOptions bag with valid (or absent) entries. */
export function assertWarpOptions(options: unknown): asserts options is WarpOptions {
  assertObject('options', options, 'warp options { temperature?, topK?, topP? }');
  const { temperature: t, topK: k, topP: p } = options as WarpOptions;
  if (t !== undefined) assertTemperature('options.temperature', t);
  if (k !== undefined) assertTopK('options.topK', k);
  if (p !== undefined) assertTopP('options.topP', p);
}

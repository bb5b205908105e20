/**
 * The worked tables of decoding, written once: the answer key checks them and the notebook shows
 * them. Each is a `tableModel` over a small vocabulary whose id 0 is <eos>.
 *
 * - `HF_BLOG_WORDS` / `hfBlogModel`: Hugging Face's "How to generate text" toy; after the prompt
 *   "The" (id 1), greedy reads "nice woman" (0.5 x 0.4 = 0.2), beam search of width 2 "dog has"
 *   (0.4 x 0.9 = 0.36).
 * - `beamLosesModel`: tokens <eos>, A, B, C where a beam of 2 drops the greedy path at step 2
 *   (BA = BB = 0.2 beat AA = 0.17) and both fade: beam 0.068 against greedy 0.17.
 * - `lengthPenaltyModel`: two tokens where the raw log-probability prefers ending at once
 *   (p = 0.5) and length normalisation prefers "A A <eos>".
 */
import { tableModel, type LanguageModel } from './model.js';

/** The blog's vocabulary; 0 is <eos> (never likely in its table). */
export const HF_BLOG_WORDS: readonly string[] = Object.freeze([
  '<eos>',
  'The',
  'nice',
  'dog',
  'car',
  'woman',
  'house',
  'guy',
  'has',
  'runs',
  'and',
  'is',
  'drives',
  'turns',
]);

/** A row of probabilities over HF_BLOG_WORDS from a few named ones. */
const row = (m: Record<string, number>) => HF_BLOG_WORDS.map((w) => m[w] ?? 0);

/** The blog's table: after "The", "The nice", "The dog" and "The car". */
export function hfBlogModel(): LanguageModel {
  return tableModel({
    '1': row({ nice: 0.5, dog: 0.4, car: 0.1 }),
    '1 2': row({ woman: 0.4, house: 0.3, guy: 0.3 }),
    '1 3': row({ has: 0.9, runs: 0.05, and: 0.05 }),
    '1 4': row({ is: 0.3, drives: 0.5, turns: 0.2 }),
  });
}

/** 0 = <eos>, 1 = A, 2 = B, 3 = C: greedy A A <eos> (0.17); a beam of 2 keeps BA, BB instead. */
export function beamLosesModel(): LanguageModel {
  const flat = [0, 0.34, 0.33, 0.33];
  return tableModel({
    '': [0, 0.5, 0.4, 0.1],
    '1': [0, 0.34, 0.33, 0.33],
    '2': [0, 0.5, 0.5, 0],
    '3': [1, 0, 0, 0],
    '1 1': [1, 0, 0, 0],
    '2 1': flat,
    '2 2': flat,
  });
}

/** 0 = <eos>, 1 = A: <eos> at once has p 0.5; A A <eos> has 0.5 x 0.95 x 0.95 over 3 tokens. */
export function lengthPenaltyModel(): LanguageModel {
  return tableModel({ '': [0.5, 0.5], '1': [0.05, 0.95], '1 1': [0.95, 0.05] });
}

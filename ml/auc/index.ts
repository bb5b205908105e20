/**
 * ROC AUC: the probability that a random positive is scored above a random negative, a tie counting
 * one half. Answers: Q65 (auc 特别高不是好事: a near-perfect offline AUC usually means a leak).
 *
 *   AUC = U / (n+ n-),  U = sum over (positive i, negative j) of [s_i > s_j] + 1/2 [s_i = s_j]
 *       = (R+ - n+ (n+ + 1) / 2) / (n+ n-)    (Mann-Whitney; R+ = sum of the positives' average ranks)
 *
 * This is the trapezoid area under scikit-learn's `roc_curve`, so it matches `roc_auc_score`:
 * roc_auc_score([0,0,1,1], [.1,.4,.35,.8]) = 0.75. A single class is an error, as in sklearn.
 *
 * - `rocAuc` (the textbook answer, below): average ranks by a comparison sort, then the rank-sum
 *   formula. O(n log n) time, O(n) memory.
 * - `rocAucPairwise`: the definition pair by pair, O(n+ n-): the oracle of the answer key.
 * - `rocAucWeighted`: sample weights (every pair counts w_i w_j), one walk over the sorted groups.
 * - `rocAucRadix`: the engineered O(n) version (radix sort of the scores' 64-bit keys), weighted or
 *   not; the answer key proves it equal to `rocAuc` and `rocAucWeighted`.
 * - Pitfalls (ml/auc/pitfalls.ts): a tie counted 0, ties ranked by their sort position.
 *
 * @example
 *   rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])   // 0.75
 *   rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])    // 0.875: the tied pair counts 1/2
 */
import { assertFiniteArray, assertArrayLike } from '../../core/errors.js';
import { assertAucInputs } from './inputs.js';

/** ROC AUC by Mann-Whitney, from the positives' average ranks (ties counted one half). */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { positives: nPos, negatives: nNeg } = assertAucInputs(labels, scores);
  const ranks = averageRanks(scores);
  // R+ = sum of the positives' average ranks
  let rankSum = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) rankSum += ranks[i] as number;
  // AUC = (R+ - n+ (n+ + 1) / 2) / (n+ n-)
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Average ranks (1-based): tied values all get the mean of the ranks they span. O(n log n). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  assertArrayLike('values', values);
  assertFiniteArray('values', values);
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    // sorted positions i..j hold one tied value: ranks i+1..j+1, mean (i + j) / 2 + 1
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

export { type AucOptions } from './inputs.js';
export { rocAucPairwise, rocAucWeighted } from './weighted.js';
export { rocAucRadix } from './radix.js';
export { pitfallAucIgnoringTies, pitfallAucOrdinalRanks } from './pitfalls.js';

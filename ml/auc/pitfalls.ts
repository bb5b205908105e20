/**
 * The two classic wrong AUCs, kept to be rejected by the answer key's pairwise property and shown in
 * the notebook. Both check their inputs like the right answers.
 */
import { assertAucInputs } from './inputs.js';

/** Pitfall: counts a tied (positive, negative) pair as 0 instead of 1/2 (strict > only). */
export function pitfallAucIgnoringTies(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): number {
  const { positives, negatives } = assertAucInputs(labels, scores);
  let u = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) if (labels[j] === 0 && scores[i]! > scores[j]!) u++;
  }
  return u / (positives * negatives);
}

/** Pitfall: ranks ties by their sort position instead of their average rank (order-dependent). */
export function pitfallAucOrdinalRanks(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): number {
  const { positives, negatives } = assertAucInputs(labels, scores);
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  order.forEach((i, r) => (rankSum += labels[i] === 1 ? r + 1 : 0));
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

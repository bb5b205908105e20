/**
 * ROC AUC with sample weights, and the pairwise definition (the answer key's oracle).
 *   AUC = sum_{i pos, j neg} w_i w_j ([s_i > s_j] + 1/2 [s_i = s_j]) / (W+ W-)
 */
import { ArgumentError, ArgumentTypeError } from '../../core/errors.js';
import { assertAucInputs, assertAucOptions, powerOfTwoScaler, type AucOptions } from './inputs.js';

/** Above this many pairs the O(n+ n-) definition would take seconds: use rocAuc instead. */
const MAX_PAIRS = 2 ** 27;

/**
 * Weighted ROC AUC (sklearn's sample_weight): sort once, then walk the groups of equal scores,
 * U += w+(group) (w-(strictly below) + w-(group) / 2). O(n log n).
 */
export function rocAucWeighted(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  sampleWeight: ArrayLike<number>,
): number {
  if (sampleWeight === undefined) {
    throw new ArgumentTypeError('sampleWeight', sampleWeight, 'an array of weights >= 0');
  }
  const totals = assertAucInputs(labels, scores, sampleWeight);
  // each class's weights rescaled by a power of two (exact), so that U / (W+ W-) stays finite
  const [sp, sn] = [powerOfTwoScaler(totals.maxPositive), powerOfTwoScaler(totals.maxNegative)];
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let u = 0;
  let negativeBelow = 0;
  for (let i = 0; i < n;) {
    let [pos, neg, j] = [0, 0, i];
    for (; j < n && scores[order[j]!] === scores[order[i]!]; j++) {
      const k = order[j]!;
      if (labels[k] === 1) pos += sp(sampleWeight[k]!);
      else neg += sn(sampleWeight[k]!);
    }
    // U += w+(group) (w-(strictly below) + w-(tied) / 2)
    u += pos * (negativeBelow + neg / 2);
    negativeBelow += neg;
    i = j;
  }
  return u / (sp(totals.positives) * sn(totals.negatives));
}

/** The definition, pair by pair, O(n+ n-): for tests and small samples (at most 2^27 pairs). */
export function rocAucPairwise(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: AucOptions = {},
): number {
  assertAucOptions(options);
  const { sampleWeight } = options;
  const totals = assertAucInputs(labels, scores, sampleWeight);
  let nPos = 0;
  for (let i = 0; i < labels.length; i++) nPos += labels[i] === 1 ? 1 : 0;
  if (nPos * (labels.length - nPos) > MAX_PAIRS) {
    throw new ArgumentError(
      'labels',
      labels,
      `at most 2^27 (positive, negative) pairs: use rocAuc`,
    );
  }
  const [sp, sn] = [powerOfTwoScaler(totals.maxPositive), powerOfTwoScaler(totals.maxNegative)];
  const weight = (i: number) =>
    sampleWeight === undefined ? 1 : (labels[i] === 1 ? sp : sn)(sampleWeight[i]!);
  let u = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      const [si, sj] = [scores[i]!, scores[j]!];
      // [s_i > s_j] + 1/2 [s_i = s_j], weighted by w_i w_j
      u += weight(i) * weight(j) * (si > sj ? 1 : si === sj ? 0.5 : 0);
    }
  }
  return u / (sp(totals.positives) * sn(totals.negatives));
}

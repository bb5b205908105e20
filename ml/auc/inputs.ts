/**
 * The input checks every AUC implementation shares (labels 0/1, finite scores, weights >= 0, both
 * classes present), and the exact power-of-two rescaling that keeps weighted sums finite.
 */
import { ArgumentError, ArgumentTypeError, assertFinite, assertObject } from '../../core/errors.js';

export interface AucOptions {
  /** One non-negative weight per sample (sklearn's sample_weight). Every pair (i, j) counts w_i w_j. */
  sampleWeight?: ArrayLike<number>;
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** Throws unless `options` is an object whose `sampleWeight`, if present, is array-like. */
export function assertAucOptions(options: unknown): asserts options is AucOptions {
  assertObject('options', options, 'an options object { sampleWeight? }');
  const w = options['sampleWeight'];
  if (w !== undefined && !isArrayLike(w)) {
    throw new ArgumentTypeError('sampleWeight', w, 'an array of weights >= 0');
  }
}

export interface AucTotals {
  /** Total weight (the count, unweighted) of each class. */
  positives: number;
  negatives: number;
  /** Each class's largest weight (1 unweighted). */
  maxPositive: number;
  maxNegative: number;
}

/**
 * Checks labels (0/1), scores (finite), weights (finite, >= 0) and lengths in one pass; counts both
 * classes. A single class is an error, as in sklearn (the AUC is undefined).
 */
export function assertAucInputs(
  labels: unknown,
  scores: unknown,
  sampleWeight?: unknown,
): AucTotals {
  if (!isArrayLike(labels)) throw new ArgumentTypeError('labels', labels, 'an array of 0/1 labels');
  if (!isArrayLike(scores)) throw new ArgumentTypeError('scores', scores, 'an array of numbers');
  const n = labels.length;
  if (scores.length !== n) throw new ArgumentError('scores', scores, `${n} scores, one per label`);
  if (sampleWeight !== undefined) {
    if (!isArrayLike(sampleWeight)) {
      throw new ArgumentTypeError('sampleWeight', sampleWeight, 'an array of weights >= 0');
    }
    if (sampleWeight.length !== n) {
      throw new ArgumentError('sampleWeight', sampleWeight, `${n} weights, one per label`);
    }
  }
  let positives = 0;
  let negatives = 0;
  let countPositive = 0;
  let maxPositive = 0;
  let maxNegative = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new ArgumentError(`labels[${i}]`, y, 'a label 0 or 1');
    const s = scores[i];
    if (typeof s !== 'number' || !Number.isFinite(s)) {
      throw new ArgumentError(`scores[${i}]`, s, 'a finite number');
    }
    let w = 1;
    if (sampleWeight !== undefined) {
      w = (sampleWeight as ArrayLike<unknown>)[i] as number;
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
        throw new ArgumentError(`sampleWeight[${i}]`, w, 'a finite weight >= 0');
      }
    }
    if (y === 1) {
      countPositive++;
      positives += w;
      if (w > maxPositive) maxPositive = w;
    } else {
      negatives += w;
      if (w > maxNegative) maxNegative = w;
    }
  }
  if (countPositive === 0 || countPositive === n) {
    throw new ArgumentError('labels', labels, 'both classes (0 and 1): ROC AUC needs both');
  }
  if (positives === 0 || negatives === 0) {
    throw new ArgumentError(
      'sampleWeight',
      sampleWeight,
      'a positive total weight for both classes',
    );
  }
  return { positives, negatives, maxPositive, maxNegative };
}

/**
 * w -> w 2^-e with 2^e near `max`: rescales one class's weights exactly (a power of two), so that
 * U / (W+ W-) can neither overflow nor underflow to 0 / 0. The AUC does not change when one class's
 * weights are all multiplied by the same constant.
 */
export function powerOfTwoScaler(max: number): (w: number) => number {
  assertFinite('max', max);
  if (!(max > 0)) throw new ArgumentError('max', max, 'a largest weight > 0');
  const e = Math.floor(Math.log2(max));
  if (e === 0) return (w) => w;
  // two factors, because 2^1074 (for the smallest subnormal) is not a finite double
  const half = Math.trunc(e / 2);
  const f1 = 2 ** -half;
  const f2 = 2 ** -(e - half);
  return (w) => w * f1 * f2;
}

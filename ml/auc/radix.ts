/**
 * ROC AUC in O(n): the engineered alternative to the textbook `rocAuc` (ml/auc/index.ts), equal to
 * it (and to the pairwise definition) by the answer key's properties, with optional sample weights.
 *
 * Sorts the positives' and the negatives' scores separately with an LSD radix sort on their IEEE-754
 * bit patterns (11-bit digits over 64-bit keys, skipping digits every key shares), carrying the
 * weight along, then walks the groups of equal scores:
 *   U += w+(group) (w-(below) + w-(group) / 2),   AUC = U / (W+ W-).
 * O(n) time after the O(n) key transform, O(n) memory (a reused scratch buffer).
 */
import { assertAucInputs, assertAucOptions, powerOfTwoScaler, type AucOptions } from './inputs.js';

/** Reusable scratch space (allocating hundreds of MB per call at n = 10^7 costs more than the sort). */
let scratch: ArrayBuffer | undefined;
function scratchWords(words: number): Uint32Array {
  if (scratch === undefined || scratch.byteLength < 4 * words) scratch = new ArrayBuffer(4 * words);
  return new Uint32Array(scratch, 0, words);
}

/**
 * Records are `width` 32-bit words: [high key, low key] (width 2), or [high key, low key, weight as a
 * float64] (width 4). The key of a double is its bit pattern with every bit flipped if it is negative
 * and only the sign bit flipped otherwise: these 64-bit keys order exactly like the numbers.
 */
const one = new Float64Array(1);
const oneBits = new Uint32Array(one.buffer); // little-endian: [low, high]
function writeKey(recs: Uint32Array, at: number, x: number): void {
  one[0] = x + 0; // -0 + 0 = +0, so that -0 and 0 tie
  const h = oneBits[1] as number;
  const l = oneBits[0] as number;
  // negative: flip every bit; non-negative: flip the sign bit
  recs[at] = h >>> 31 ? ~h >>> 0 : (h | 0x80000000) >>> 0;
  recs[at + 1] = h >>> 31 ? ~l >>> 0 : l;
}

/**
 * Stable LSD radix sort of records [start, end) by their 32-bit word `word`, `bits` bits per digit,
 * using `tmp` (same layout) as the other buffer. A digit that is the same for every key is skipped.
 */
function radixSortRecords(
  recs: Uint32Array,
  tmp: Uint32Array,
  width: 2 | 4,
  word: number,
  start: number,
  end: number,
  bits: number,
): void {
  const radix = 1 << bits;
  const mask = radix - 1;
  const passes = Math.ceil(32 / bits);
  const n = end - start;
  const counts = new Uint32Array(passes * radix);
  if (bits === 11) {
    // 11 + 11 + 10 bits
    for (let i = start; i < end; i++) {
      const k = recs[width * i + word] as number;
      counts[k & mask]!++;
      counts[radix + ((k >>> 11) & mask)]!++;
      counts[2 * radix + (k >>> 22)]!++;
    }
  } else {
    for (let i = start; i < end; i++) {
      const k = recs[width * i + word] as number;
      for (let p = 0, shift = 0; p < passes; p++, shift += bits)
        counts[p * radix + ((k >>> shift) & mask)]!++;
    }
  }
  let src = recs;
  let dst = tmp;
  for (let p = 0, shift = 0; p < passes; p++, shift += bits) {
    const base = p * radix;
    let trivial = false;
    for (let b = 0; b < radix; b++) {
      const c = counts[base + b] as number;
      if (c === n) trivial = true;
      if (c !== 0) break;
    }
    if (trivial) continue;
    // exclusive prefix sums: where each digit's records start (counts reused as offsets)
    for (let b = 0, sum = start; b < radix; b++) {
      const c = counts[base + b] as number;
      counts[base + b] = sum;
      sum += c;
    }
    if (width === 2) {
      for (let i = start; i < end; i++) {
        const to = 2 * counts[base + (((src[2 * i + word] as number) >>> shift) & mask)]!++;
        dst[to] = src[2 * i] as number;
        dst[to + 1] = src[2 * i + 1] as number;
      }
    } else {
      for (let i = start; i < end; i++) {
        const from = 4 * i;
        const to = 4 * counts[base + (((src[from + word] as number) >>> shift) & mask)]!++;
        dst[to] = src[from] as number;
        dst[to + 1] = src[from + 1] as number;
        dst[to + 2] = src[from + 2] as number;
        dst[to + 3] = src[from + 3] as number;
      }
    }
    [src, dst] = [dst, src];
  }
  // after an odd number of passes the sorted range sits in tmp: copy it back
  if (src !== recs) recs.set(src.subarray(width * start, width * end), width * start);
}

/** Insertion sort of records [start, end) by their low key word (for short runs of equal high words). */
function insertionSortByLow(recs: Uint32Array, width: 2 | 4, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const at = width * i;
    const low = recs[at + 1] as number;
    if ((recs[at - width + 1] as number) <= low) continue; // already in place
    const high = recs[at] as number;
    const w0 = recs[at + 2] as number;
    const w1 = recs[at + 3] as number;
    let j = i - 1;
    // shift larger records one slot up
    while (j >= start && (recs[width * j + 1] as number) > low) {
      const from = width * j;
      recs[from + width] = recs[from] as number;
      recs[from + width + 1] = recs[from + 1] as number;
      if (width === 4) {
        recs[from + 6] = recs[from + 2] as number;
        recs[from + 7] = recs[from + 3] as number;
      }
      j--;
    }
    const to = width * (j + 1);
    recs[to] = high;
    recs[to + 1] = low;
    if (width === 4) {
      recs[to + 2] = w0;
      recs[to + 3] = w1;
    }
  }
}

/**
 * Sorts n records by their 64-bit key: an LSD radix sort by the high word over all records (3 passes
 * of 11 bits), then each run of equal high words by the low word (insertion sort when short, 8-bit
 * radix when long). Real scores rarely share a high word, so this costs about 3 passes, not 6.
 */
function sortRecords(recs: Uint32Array, tmp: Uint32Array, width: 2 | 4, n: number): void {
  radixSortRecords(recs, tmp, width, 0, 0, n, 11);
  let i = 0;
  while (i < n) {
    const h = recs[width * i] as number;
    const l = recs[width * i + 1] as number;
    let j = i + 1;
    let sameLow = true;
    while (j < n && recs[width * j] === h) {
      if (recs[width * j + 1] !== l) sameLow = false;
      j++;
    }
    if (!sameLow) {
      if (j - i <= 32) insertionSortByLow(recs, width, i, j);
      else radixSortRecords(recs, tmp, width, 1, i, j, 8);
    }
    i = j;
  }
}

/**
 * ROC AUC in O(n) after validation: the positives' and the negatives' scores are sorted separately
 * (radix sort on their 64-bit keys, see `sortRecords`), then one merge-walk over both lists visits each
 * distinct positive score once: U += w+(score) (w-(below score) + w-(equal score) / 2).
 * Matches sklearn's roc_auc_score for binary 0/1 labels, with optional sample weights.
 */
export function rocAucRadix(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: AucOptions = {},
): number {
  assertAucOptions(options);
  const { sampleWeight } = options;
  const { positives, negatives, maxPositive, maxNegative } = assertAucInputs(
    labels,
    scores,
    sampleWeight,
  );
  const scalePositive = powerOfTwoScaler(maxPositive);
  const scaleNegative = powerOfTwoScaler(maxNegative);
  const n = labels.length;
  const width = sampleWeight === undefined ? 2 : 4;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += labels[i] === 1 ? 1 : 0;
  const nNeg = n - nPos;
  // layout: positives' records, negatives' records, then the temporary buffer
  const words = scratchWords(2 * width * n);
  const pos = words.subarray(0, width * nPos);
  const neg = words.subarray(width * nPos, width * n);
  const tmp = words.subarray(width * n, 2 * width * n);
  const posW = new Float64Array(pos.buffer, pos.byteOffset, pos.length / 2);
  const negW = new Float64Array(neg.buffer, neg.byteOffset, neg.length / 2);
  // a Float64Array's bits can be read in place; anything else goes through a one-element view
  const bits =
    scores instanceof Float64Array
      ? new Uint32Array(scores.buffer, scores.byteOffset, 2 * n)
      : undefined;
  if (bits !== undefined && width === 2) {
    // the hot path, unweighted scores in a Float64Array (the same key as writeKey)
    for (let i = 0, p = 0, q = 0; i < n; i++) {
      let h = bits[2 * i + 1] as number;
      let l = bits[2 * i] as number;
      if (h === 0x80000000 && l === 0) h = 0; // -0 ties with +0
      if (h >>> 31) {
        h = ~h >>> 0;
        l = ~l >>> 0;
      } else h = (h | 0x80000000) >>> 0;
      if (labels[i] === 1) {
        pos[2 * p] = h;
        pos[2 * p++ + 1] = l;
      } else {
        neg[2 * q] = h;
        neg[2 * q++ + 1] = l;
      }
    }
  } else
    for (let i = 0, p = 0, q = 0; i < n; i++) {
      if (labels[i] === 1) {
        writeKey(pos, width * p, scores[i] as number);
        if (width === 4) posW[2 * p + 1] = scalePositive(sampleWeight![i] as number);
        p++;
      } else {
        writeKey(neg, width * q, scores[i] as number);
        if (width === 4) negW[2 * q + 1] = scaleNegative(sampleWeight![i] as number);
        q++;
      }
    }
  sortRecords(pos, tmp, width, nPos);
  sortRecords(neg, tmp, width, nNeg);
  const weightOf = (w: Float64Array, i: number) => (width === 4 ? (w[2 * i + 1] as number) : 1);
  let u = 0;
  let negativeBelow = 0;
  let i = 0;
  let j = 0;
  while (i < nPos) {
    const h = pos[width * i] as number;
    const l = pos[width * i + 1] as number;
    // weight of the positives with this score
    let groupPositive = 0;
    do groupPositive += weightOf(posW, i++);
    while (i < nPos && pos[width * i] === h && pos[width * i + 1] === l);
    // negatives strictly below this score
    while (
      j < nNeg &&
      ((neg[width * j] as number) < h ||
        (neg[width * j] === h && (neg[width * j + 1] as number) < l))
    )
      negativeBelow += weightOf(negW, j++);
    // negatives tied with it
    let k = j;
    let groupNegative = 0;
    while (k < nNeg && neg[width * k] === h && neg[width * k + 1] === l)
      groupNegative += weightOf(negW, k++);
    // U += w+(group) * (w-(strictly below) + w-(tied) / 2)
    u += groupPositive * (negativeBelow + groupNegative / 2);
  }
  // AUC = U / (W+ W-), each class's weights rescaled by a power of two (exact; integers stay integers)
  return u / (scalePositive(positives) * scaleNegative(negatives));
}

/**
 * Reservoir sampling, Algorithm R: k items chosen uniformly at random from a stream whose length is
 * not known in advance, in one pass and O(k) memory.
 * Answers: Q01 (无限流的均匀采样 / 蓄水池).
 *
 * The idea in two lines, counting positions from 0 as the code does: keep items 0..k-1; item i
 * (i >= k) draws a slot j uniform in [0, i], both ends included, and replaces slot j iff j < k,
 * so it enters with probability k / (i + 1). By induction, after i + 1 items every one of them is
 * in the reservoir with probability exactly k / (i + 1).
 *
 * Complexity: O(n) time and O(n) random draws, O(k) memory (the stream is never stored).
 *
 * Named alternatives, each proven equal to Algorithm R in the answer key (same output for the same
 * seed, or the same distribution):
 * - `ReservoirR` (reservoir.ts): the same algorithm fed one item at a time.
 * - `reservoirSampleL`, `ReservoirL`, `sampleArrayL` (algorithm-l.ts): Li (1994) draws the gap to
 *   the next replacement, O(k (1 + log(n / k))) draws; on an array it jumps over the skipped items.
 * - `reservoirSampleAsync` (async.ts): R or L over an async iterable.
 * - `weightedReservoirSample`, `WeightedReservoir` (A-Res), `WeightedReservoirExpJ`,
 *   `KeyedReservoir` (weighted.ts): weighted sampling without replacement (Efraimidis & Spirakis).
 * - `mergeUniform` (merge.ts): two shards' reservoirs merged into a uniform sample of the union.
 * - The common wrong answers, as `pitfall*` functions (pitfalls.ts).
 *
 * @example
 *   reservoirSampleR([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3, rng(7))  // 3 distinct items
 *   reservoirSampleL(lines, 100, rng(7))                           // same law, fewer draws
 */
import { assertInteger, assertIterable } from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';

/** Algorithm R: k items drawn uniformly without replacement from any iterable, in one pass. */
export function reservoirSampleR<T>(stream: Iterable<T>, k: number, rng: Rng): T[] {
  assertIterable('stream', stream);
  assertInteger('k', k, { min: 0 });
  assertRng('rng', rng);
  const reservoir: T[] = [];
  let i = 0; // 0-based position of the current item
  for (const item of stream) {
    if (i < k) {
      reservoir.push(item); // the first k items fill the reservoir
    } else {
      // j uniform in [0, i], both ends included: P(item i enters) = k / (i + 1)
      const j = rng.integer(0, i);
      if (j < k) reservoir[j] = item;
    }
    i++;
  }
  return reservoir;
}

export * from './reservoir.js';
export * from './algorithm-l.js';
export * from './async.js';
export * from './weighted.js';
export * from './merge.js';
export * from './pitfalls.js';

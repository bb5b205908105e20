/**
 * The common wrong answers to Q01, written down so that the answer key can show that the same
 * properties that Algorithm R passes reject them, and the notebook can run them. Positions are
 * counted from 0, as in `reservoirSampleR`.
 */
import { assertInteger, assertIterable } from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';
import { assertWeightedPair, KeyedReservoir } from './weighted.js';
import { assertShardSample, type ShardSample } from './merge.js';

/**
 * Pitfall: item i (0-based) draws its slot from [0, i) instead of [0, i], so it enters with
 * k / i instead of k / (i + 1) and late items are over-represented (the classic off-by-one).
 */
export function pitfallSlotFromExclusiveRange<T>(stream: Iterable<T>, k: number, rng: Rng): T[] {
  assertIterable('stream', stream);
  assertInteger('k', k, { min: 0 });
  assertRng('rng', rng);
  const reservoir: T[] = [];
  let i = 0;
  for (const item of stream) {
    if (i < k) reservoir.push(item);
    else if (k > 0) {
      const j = rng.integer(0, i - 1); // wrong: [0, i) leaves out slot i, should be integer(0, i)
      if (j < k) reservoir[j] = item;
    }
    i++;
  }
  return reservoir;
}

/**
 * Pitfall: the weighted key u * w instead of u^(1/w): heavy items win too often, and the sample is
 * not successive sampling (nor proportional to w).
 */
export function pitfallKeyTimesWeight<T>(
  stream: Iterable<readonly [T, number]>,
  k: number,
  rng: Rng,
): T[] {
  assertIterable('stream', stream, 'an iterable of [item, weight] pairs');
  assertRng('rng', rng);
  const keyed = new KeyedReservoir<T>(k);
  let index = 0;
  for (const pair of stream) {
    assertWeightedPair(pair, index++);
    const [item, weight] = pair as readonly [T, number];
    keyed.offerKeyed(item, Math.log(rng.uniformOpen() * weight)); // wrong: should be log(u) / w
  }
  return keyed.sample();
}

/**
 * Pitfall: merging two shards by a coin per slot, from b with p = n_b / (n_a + n_b): the count
 * taken from b is then binomial, not hypergeometric, and some subsets of the union are too likely.
 */
export function pitfallMergeByCoin<T>(
  a: ShardSample<T>,
  b: ShardSample<T>,
  k: number,
  rng: Rng,
): ShardSample<T> {
  assertInteger('k', k, { min: 0 });
  assertShardSample('a', a, k);
  assertShardSample('b', b, k);
  assertRng('rng', rng);
  const total = a.seen + b.seen;
  const sample: T[] = [];
  for (let slot = 0; slot < Math.min(k, total); slot++) {
    // wrong: an independent coin per slot
    const [first, second] = rng.uniform() < b.seen / total ? [b, a] : [a, b];
    if (slot < first.sample.length) sample.push(first.sample[slot] as T);
    else if (slot < second.sample.length) sample.push(second.sample[slot] as T);
  }
  return { sample, seen: total };
}

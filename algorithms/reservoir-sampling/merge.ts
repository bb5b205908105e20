/**
 * Merging two shards' uniform reservoirs into a uniform sample of the union, exactly, by
 * hypergeometric counts. (For keyed reservoirs, `KeyedReservoir.merge` keeps the top k keys.)
 */
import { ArgumentError, assertArray, assertInteger, assertObject } from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';

/** What a shard reports: its uniform sample and how many items it saw. */
export interface ShardSample<T> {
  sample: readonly T[];
  seen: number;
}

/** Throws unless `shard` is { sample, seen } with min(k, seen) items in its sample. */
export function assertShardSample(
  name: string,
  shard: unknown,
  k: number,
): asserts shard is ShardSample<unknown> {
  assertObject(name, shard, 'a shard sample { sample, seen }');
  assertArray(`${name}.sample`, shard.sample);
  assertInteger(`${name}.seen`, shard.seen, { min: 0 });
  const size = Math.min(k, shard.seen);
  if (shard.sample.length !== size) {
    throw new ArgumentError(`${name}.sample`, shard.sample, `min(k, ${name}.seen) = ${size} items`);
  }
}

/**
 * Merges two uniform reservoirs of the same k into a uniform k-sample of the union, exactly.
 * The number X taken from shard b is Hypergeometric(n_a + n_b, n_b, k): a uniform k-subset of the
 * union has that many items from b. A uniform subset of a uniform sample is uniform, so X items are
 * drawn at random from b's reservoir and k - X from a's. (A per-slot coin with
 * p = n_b / (n_a + n_b) is a common shortcut; it gives X a binomial law and is not exact:
 * `pitfallMergeByCoin`.)
 */
export function mergeUniform<T>(
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
  const take = Math.min(k, total);
  // X ~ Hypergeometric: draw `take` times without replacement from an urn of `total` balls, b.seen
  // of them "b" balls.
  let fromB = 0;
  let bLeft = b.seen;
  for (let left = total, t = 0; t < take; t++, left--) {
    if (rng.integer(1, left) <= bLeft) {
      fromB++;
      bLeft--;
    }
  }
  const pick = (items: readonly T[], count: number) => rng.shuffled(items).slice(0, count);
  return { sample: [...pick(a.sample, take - fromB), ...pick(b.sample, fromB)], seen: total };
}

/**
 * Reservoir sampling over an async iterable (lines of a file, messages of a queue, ...):
 * Algorithm R or L fed one item at a time. For the same seed it returns what the sync version
 * returns.
 */
import { ArgumentTypeError, assertOneOf } from '../../core/errors.js';
import type { Rng } from '../../core/random.js';
import { ReservoirL } from './algorithm-l.js';
import { ReservoirR, type Reservoir } from './reservoir.js';

export type Algorithm = 'R' | 'L';

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x != null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return x != null && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function';
}

/** k uniform items of an async (or sync) iterable, by Algorithm R (default) or L. */
export async function reservoirSampleAsync<T>(
  stream: AsyncIterable<T> | Iterable<T>,
  k: number,
  rng: Rng,
  algorithm: Algorithm = 'R',
): Promise<T[]> {
  if (!isAsyncIterable(stream) && !isIterable(stream)) {
    throw new ArgumentTypeError('stream', stream, 'an iterable or async iterable');
  }
  assertOneOf('algorithm', algorithm, ['R', 'L'] as const);
  const reservoir: Reservoir<T> =
    algorithm === 'R' ? new ReservoirR<T>(k, rng) : new ReservoirL<T>(k, rng);
  for await (const item of stream) reservoir.offer(item);
  return reservoir.sample();
}

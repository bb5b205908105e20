/**
 * Weighted sampling without replacement (Efraimidis & Spirakis 2006). A-Res gives item i the key
 * u^(1 / w_i) and keeps the k largest keys; A-ExpJ samples the same distribution but draws how much
 * weight to skip, like Algorithm L. Inclusion is NOT proportional to w (that holds only for k = 1):
 * it is "successive sampling", as if drawing items one by one with probability w / (weight left).
 * With all weights equal it is a uniform sample, the law of Algorithm R.
 *
 * Complexity: A-Res O(n log k); A-ExpJ O(n + k log k log(n / k)) with O(k log(n / k)) draws.
 */
import { Heap } from 'heap-js';
import {
  ArgumentError,
  ArgumentTypeError,
  assertInteger,
  assertIterable,
  assertOneOf,
} from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';

/** One slot of a keyed reservoir. */
interface Keyed<T> {
  item: T;
  /** Larger is better. For A-Res this is log(u) / w, i.e. log of the key u^(1/w). */
  key: number;
}

/**
 * A reservoir that keeps the k items with the largest keys (a min-heap on the key).
 * With key = log(u) / w it is A-Res; with key = log(u) it is a uniform sample. Because the sample
 * is a function of the keys only, two shards' reservoirs merge exactly: keep the top k of the
 * union.
 */
export class KeyedReservoir<T> {
  seen = 0;
  private readonly heap = new Heap<Keyed<T>>((x, y) => x.key - y.key);

  constructor(readonly k: number) {
    assertInteger('k', k, { min: 0 });
  }

  /** Offers an item whose key is already drawn. */
  offerKeyed(item: T, key: number): void {
    if (typeof key !== 'number') throw new ArgumentTypeError('key', key, 'a number');
    if (Number.isNaN(key)) throw new ArgumentError('key', key, 'a number (not NaN)');
    this.seen++;
    if (this.k === 0) return;
    if (this.heap.size() < this.k) this.heap.push({ item, key });
    else if (key > (this.heap.peek() as Keyed<T>).key) this.heap.replace({ item, key });
  }

  /** The smallest key kept (the threshold a new item must beat), or -Infinity while not full. */
  get threshold(): number {
    if (this.heap.size() < this.k) return Number.NEGATIVE_INFINITY;
    return (this.heap.peek() as Keyed<T>).key;
  }

  /** Kept items with their keys, largest key first. */
  entries(): Keyed<T>[] {
    return this.heap.toArray().sort((x, y) => y.key - x.key);
  }

  sample(): T[] {
    return this.entries().map((e) => e.item);
  }

  /** The reservoir of the union of both streams: the top k keys of the two. */
  static merge<T>(a: KeyedReservoir<T>, b: KeyedReservoir<T>): KeyedReservoir<T> {
    if (!(a instanceof KeyedReservoir)) throw new ArgumentTypeError('a', a, 'a KeyedReservoir');
    if (!(b instanceof KeyedReservoir)) throw new ArgumentTypeError('b', b, 'a KeyedReservoir');
    if (a.k !== b.k) throw new ArgumentError('b.k', b.k, `the same k as a (${a.k})`);
    const merged = new KeyedReservoir<T>(a.k);
    for (const e of [...a.entries(), ...b.entries()]) merged.offerKeyed(e.item, e.key);
    merged.seen = a.seen + b.seen;
    return merged;
  }
}

function assertWeight(weight: unknown, index: number): asserts weight is number {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
    throw new ArgumentError(`weight of item ${index}`, weight, 'a finite number > 0');
  }
}

/** What both weighted reservoirs share: a keyed reservoir, fed by `offer(item, weight)`. */
abstract class KeyedWeightedReservoir<T> {
  readonly keyed: KeyedReservoir<T>;

  constructor(
    readonly k: number,
    protected readonly rng: Rng,
  ) {
    this.keyed = new KeyedReservoir<T>(k);
    assertRng('rng', rng);
  }

  get seen(): number {
    return this.keyed.seen;
  }

  abstract offer(item: T, weight: number): void;

  sample(): T[] {
    return this.keyed.sample();
  }
}

/** A-Res: key log(u) / w for u uniform in (0, 1); keep the k largest. */
export class WeightedReservoir<T> extends KeyedWeightedReservoir<T> {
  offer(item: T, weight: number): void {
    assertWeight(weight, this.keyed.seen);
    // key = u^(1/w), compared in log space: log(u) / w (monotone, and no underflow for large w).
    this.keyed.offerKeyed(item, Math.log(this.rng.uniformOpen()) / weight);
  }
}

/**
 * A-ExpJ: same distribution as A-Res, but once the reservoir is full it draws how much weight to
 * skip, X = log(U) / log(T) with T the smallest key, so only O(k log(n/k)) items draw anything.
 * The item where the skipped weight runs out enters with a key drawn uniform in (T^w, 1), raised
 * to 1/w.
 */
export class WeightedReservoirExpJ<T> extends KeyedWeightedReservoir<T> {
  /** Weight still to skip before the next replacement (valid once full). */
  private toSkip = 0;

  private drawSkip(): void {
    // X_w = log(U) / log(T_w); keys are stored as log T_w.
    this.toSkip = Math.log(this.rng.uniformOpen()) / this.keyed.threshold;
  }

  offer(item: T, weight: number): void {
    assertWeight(weight, this.keyed.seen);
    if (this.k === 0) {
      this.keyed.offerKeyed(item, Number.NEGATIVE_INFINITY);
      return;
    }
    const logT = this.keyed.threshold;
    if (logT === Number.NEGATIVE_INFINITY) {
      // Filling up: ordinary A-Res keys.
      this.keyed.offerKeyed(item, Math.log(this.rng.uniformOpen()) / weight);
      if (this.keyed.threshold !== Number.NEGATIVE_INFINITY) this.drawSkip();
      return;
    }
    this.toSkip -= weight;
    if (this.toSkip > 0) {
      this.keyed.seen++; // skipped: no random draw
      return;
    }
    // t_w = T^w; new key r^(1/w) with r uniform in (t_w, 1), so it beats T.
    const tw = Math.exp(weight * logT);
    const r = tw + (1 - tw) * this.rng.uniformOpen();
    this.keyed.offerKeyed(item, Math.log(r) / weight);
    this.drawSkip();
  }
}

export type WeightedAlgorithm = 'a-res' | 'a-expj';

/** Throws unless `pair` (item `index` of a stream) is [item, weight] with weight finite and > 0. */
export function assertWeightedPair(
  pair: unknown,
  index: number,
): asserts pair is readonly [unknown, number] {
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new ArgumentTypeError(`stream[${index}]`, pair, 'an [item, weight] pair');
  }
  assertWeight(pair[1], index);
}

/**
 * k items without replacement, each draw proportional to weight among those left (successive
 * sampling).
 */
export function weightedReservoirSample<T>(
  stream: Iterable<readonly [T, number]>,
  k: number,
  rng: Rng,
  algorithm: WeightedAlgorithm = 'a-expj',
): T[] {
  assertIterable('stream', stream, 'an iterable of [item, weight] pairs');
  assertOneOf('algorithm', algorithm, ['a-res', 'a-expj'] as const);
  const reservoir =
    algorithm === 'a-res' ? new WeightedReservoir<T>(k, rng) : new WeightedReservoirExpJ<T>(k, rng);
  let index = 0;
  for (const pair of stream) {
    assertWeightedPair(pair, index++);
    reservoir.offer(pair[0] as T, pair[1]);
  }
  return reservoir.sample();
}

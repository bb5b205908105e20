/**
 * Reservoir sampling: k items chosen uniformly at random from a stream whose length is not known in
 * advance, in one pass and O(k) memory.
 * Answers: Q01 (无限流的均匀采样 / 蓄水池).
 *
 * The idea in two lines: keep the first k items; the i-th item (1-based, i > k) replaces a random
 * slot with probability k / i. By induction every item seen so far is in the reservoir with
 * probability exactly k / i.
 *
 * Variants here, side by side:
 * - Algorithm R (Waterman, in Knuth; Vitter 1985): one random integer per item, O(n) draws.
 * - Algorithm L (Li 1994): draws how many items to skip before the next replacement, so it needs
 *   O(k (1 + log(n / k))) random numbers in expectation, and can jump over an array without reading it.
 * - Weighted sampling without replacement (Efraimidis & Spirakis 2006): A-Res gives item i the key
 *   u^(1 / w_i) and keeps the k largest keys; A-ExpJ samples the same distribution but draws how much
 *   weight to skip, like Algorithm L. Note: inclusion is NOT proportional to w (that holds only for
 *   k = 1); it is "successive sampling", as if drawing items one by one with probability w / (remaining weight).
 * - Merging two shards' reservoirs into a uniform sample of the union: exact by hypergeometric counts
 *   (`mergeUniform`), or exact by keys (`KeyedReservoir.merge`).
 *
 * Complexity: R is O(n) time and draws; L is O(n) time to iterate, O(k (1 + log(n/k))) draws
 * (O(k (1 + log(n/k))) time on arrays with `sampleArrayL`); A-Res O(n log k); A-ExpJ O(n + k log k log(n/k)).
 * Memory O(k) for all of them: the stream is consumed lazily and never stored.
 *
 * @example
 *   reservoirSample([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3, rng(7))          // 3 distinct items
 *   await reservoirSampleAsync(lines(file), 100, rng(7), 'L')             // any async iterable
 *   weightedReservoirSample([['a', 995], ['b', 1], ['c', 1]], 2, rng(7))  // 'a' is almost surely in
 */
import { Heap } from 'heap-js';
import { ArgumentError, ArgumentTypeError, assertInteger } from '../core/errors.js';
import type { Rng } from '../core/random.js';

/** A reservoir that is fed one item at a time. */
export interface Reservoir<T> {
  readonly k: number;
  /** Items offered so far. */
  readonly seen: number;
  offer(item: T): void;
  /** A copy of the current sample: min(k, seen) items. */
  sample(): T[];
}

export type Algorithm = 'R' | 'L';

function checkK(k: number): void {
  assertInteger('k', k, { min: 0 });
}

/** Algorithm R: item i (0-based) draws a slot j in [0, i]; it enters iff j < k. */
export class ReservoirR<T> implements Reservoir<T> {
  seen = 0;
  private readonly items: T[] = [];

  constructor(
    readonly k: number,
    private readonly rng: Rng,
  ) {
    checkK(k);
  }

  offer(item: T): void {
    const i = this.seen++; // 0-based position of this item
    if (i < this.k) {
      this.items.push(item);
      return;
    }
    // j uniform in [0, i] INCLUSIVE: P(enter) = k / (i + 1). Drawing from [0, i) is the classic bug.
    const j = this.rng.integer(0, i);
    if (j < this.k) this.items[j] = item;
  }

  sample(): T[] {
    return [...this.items];
  }
}

/**
 * Algorithm L: instead of a coin per item, draw the gap to the next replacement.
 * W is the largest of k uniform "keys" still in the reservoir; the next item whose key beats W comes
 * after a geometric gap floor(log U / log(1 - W)), and then W shrinks by a factor U^(1/k).
 */
export class ReservoirL<T> implements Reservoir<T> {
  seen = 0;
  private readonly items: T[] = [];
  private w = 0;
  /** 0-based position of the next item that enters the reservoir. */
  private next = Number.POSITIVE_INFINITY;

  constructor(
    readonly k: number,
    private readonly rng: Rng,
  ) {
    checkK(k);
    if (k > 0) this.w = Math.exp(Math.log(rng.uniformOpen()) / k);
  }

  private gap(): number {
    // floor(log U / log(1 - W)) items are skipped; log1p keeps precision when W is tiny.
    return Math.floor(Math.log(this.rng.uniformOpen()) / Math.log1p(-this.w));
  }

  offer(item: T): void {
    const i = this.seen++;
    if (i < this.k) {
      this.items.push(item);
      if (i === this.k - 1) this.next = i + this.gap() + 1;
      return;
    }
    if (i !== this.next) return; // skipped without drawing anything
    this.items[this.rng.integer(0, this.k - 1)] = item;
    this.w *= Math.exp(Math.log(this.rng.uniformOpen()) / this.k);
    this.next = i + this.gap() + 1;
  }

  /** How many upcoming items will be ignored: a random-access source may jump over them. */
  get pendingSkip(): number {
    return this.seen < this.k ? 0 : this.next - this.seen;
  }

  /** Records that `count` items were skipped without being offered (count <= pendingSkip). */
  skip(count: number): void {
    assertInteger('count', count, { min: 0, max: this.pendingSkip });
    this.seen += count;
  }

  sample(): T[] {
    return [...this.items];
  }
}

function makeReservoir<T>(algorithm: Algorithm, k: number, rng: Rng): Reservoir<T> {
  if (algorithm === 'R') return new ReservoirR<T>(k, rng);
  if (algorithm === 'L') return new ReservoirL<T>(k, rng);
  throw new ArgumentError('algorithm', algorithm, "'R' or 'L'");
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return x != null && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function';
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x != null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** k items drawn uniformly without replacement from any iterable, in one pass and O(k) memory. */
export function reservoirSample<T>(stream: Iterable<T>, k: number, rng: Rng, algorithm: Algorithm = 'L'): T[] {
  if (!isIterable(stream)) throw new ArgumentTypeError('stream', stream, 'an iterable');
  const reservoir = makeReservoir<T>(algorithm, k, rng);
  for (const item of stream) reservoir.offer(item);
  return reservoir.sample();
}

/** The same over an async iterable (lines of a file, messages of a queue, ...), or a sync one. */
export async function reservoirSampleAsync<T>(stream: AsyncIterable<T> | Iterable<T>, k: number, rng: Rng, algorithm: Algorithm = 'L'): Promise<T[]> {
  if (!isAsyncIterable(stream) && !isIterable(stream)) throw new ArgumentTypeError('stream', stream, 'an iterable or async iterable');
  const reservoir = makeReservoir<T>(algorithm, k, rng);
  for await (const item of stream) reservoir.offer(item);
  return reservoir.sample();
}

/**
 * Algorithm L on an array: jumps over the skipped items instead of visiting them, so the time is
 * O(k (1 + log(n/k))) rather than O(n). `visits` (if given) counts the elements actually read.
 */
export function sampleArrayL<T>(items: readonly T[], k: number, rng: Rng, visits: { count: number } = { count: 0 }): T[] {
  if (!Array.isArray(items)) throw new ArgumentTypeError('items', items, 'an array');
  const reservoir = new ReservoirL<T>(k, rng);
  while (reservoir.seen < items.length) {
    const jump = Math.min(reservoir.pendingSkip, items.length - reservoir.seen);
    reservoir.skip(jump);
    if (reservoir.seen < items.length) {
      visits.count++;
      reservoir.offer(items[reservoir.seen] as T);
    }
  }
  return reservoir.sample();
}

/** What a shard reports: its uniform sample and how many items it saw. */
export interface ShardSample<T> {
  sample: readonly T[];
  seen: number;
}

/**
 * Merges two uniform reservoirs of the same k into a uniform k-sample of the union, exactly.
 * The number X taken from shard b is Hypergeometric(n_a + n_b, n_b, k): a uniform k-subset of the
 * union has that many items from b. A uniform subset of a uniform sample is uniform, so X items are
 * drawn at random from b's reservoir and k - X from a's. (A per-slot coin with p = n_b / (n_a + n_b)
 * is a common shortcut; it gives X a binomial law and is not exact.)
 */
export function mergeUniform<T>(a: ShardSample<T>, b: ShardSample<T>, k: number, rng: Rng): ShardSample<T> {
  checkK(k);
  for (const [name, shard] of [['a', a], ['b', b]] as const) {
    assertInteger(`${name}.seen`, shard.seen, { min: 0 });
    if (shard.sample.length !== Math.min(k, shard.seen)) {
      throw new ArgumentError(`${name}.sample`, shard.sample, `min(k, ${name}.seen) = ${Math.min(k, shard.seen)} items`);
    }
  }
  const total = a.seen + b.seen;
  const take = Math.min(k, total);
  // X ~ Hypergeometric: draw `take` times without replacement from an urn of b.seen "b" balls in `total`.
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

/** One slot of a keyed reservoir. */
interface Keyed<T> {
  item: T;
  /** Larger is better. For A-Res this is log(u) / w, i.e. log of the key u^(1/w). */
  key: number;
}

/**
 * A reservoir that keeps the k items with the largest keys (a min-heap on the key).
 * With key = log(u) / w it is A-Res; with key = log(u) it is a uniform sample. Because the sample is
 * a function of the keys only, two shards' reservoirs merge exactly: keep the top k of the union.
 */
export class KeyedReservoir<T> {
  seen = 0;
  private readonly heap = new Heap<Keyed<T>>((x, y) => x.key - y.key);

  constructor(readonly k: number) {
    checkK(k);
  }

  /** Offers an item whose key is already drawn. */
  offerKeyed(item: T, key: number): void {
    if (Number.isNaN(key)) throw new ArgumentError('key', key, 'a number (not NaN)');
    this.seen++;
    if (this.k === 0) return;
    if (this.heap.size() < this.k) this.heap.push({ item, key });
    else if (key > (this.heap.peek() as Keyed<T>).key) this.heap.replace({ item, key });
  }

  /** The smallest key kept (the threshold a new item must beat), or -Infinity while not full. */
  get threshold(): number {
    return this.heap.size() < this.k ? Number.NEGATIVE_INFINITY : (this.heap.peek() as Keyed<T>).key;
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
    if (a.k !== b.k) throw new ArgumentError('b.k', b.k, `the same k as a (${a.k})`);
    const merged = new KeyedReservoir<T>(a.k);
    for (const e of [...a.entries(), ...b.entries()]) merged.offerKeyed(e.item, e.key);
    merged.seen = a.seen + b.seen;
    return merged;
  }
}

function checkWeight(weight: number, index: number): void {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
    throw new ArgumentError(`weight of item ${index}`, weight, 'a finite number > 0');
  }
}

/** What both weighted reservoirs share: a keyed reservoir underneath, fed by `offer(item, weight)`. */
abstract class KeyedWeightedReservoir<T> {
  readonly keyed: KeyedReservoir<T>;

  constructor(
    readonly k: number,
    protected readonly rng: Rng,
  ) {
    this.keyed = new KeyedReservoir<T>(k);
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
    checkWeight(weight, this.keyed.seen);
    // key = u^(1/w), compared in log space: log(u) / w (monotone, and no underflow for large w).
    this.keyed.offerKeyed(item, Math.log(this.rng.uniformOpen()) / weight);
  }
}

/**
 * A-ExpJ: same distribution as A-Res, but once the reservoir is full it draws how much weight to
 * skip, X = log(U) / log(T) with T the smallest key, so only O(k log(n/k)) items draw anything.
 * The item where the skipped weight runs out enters with a key drawn uniform in (T^w, 1), raised to 1/w.
 */
export class WeightedReservoirExpJ<T> extends KeyedWeightedReservoir<T> {
  /** Weight still to skip before the next replacement (valid once full). */
  private toSkip = 0;

  private drawSkip(): void {
    // X_w = log(U) / log(T_w); keys are stored as log T_w.
    this.toSkip = Math.log(this.rng.uniformOpen()) / this.keyed.threshold;
  }

  offer(item: T, weight: number): void {
    checkWeight(weight, this.keyed.seen);
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

/** k items without replacement, each draw proportional to weight among those left (successive sampling). */
export function weightedReservoirSample<T>(stream: Iterable<readonly [T, number]>, k: number, rng: Rng, algorithm: WeightedAlgorithm = 'a-expj'): T[] {
  if (!isIterable(stream)) throw new ArgumentTypeError('stream', stream, 'an iterable of [item, weight] pairs');
  if (algorithm !== 'a-res' && algorithm !== 'a-expj') throw new ArgumentError('algorithm', algorithm, "'a-res' or 'a-expj'");
  const reservoir = algorithm === 'a-res' ? new WeightedReservoir<T>(k, rng) : new WeightedReservoirExpJ<T>(k, rng);
  for (const [item, weight] of stream) reservoir.offer(item, weight);
  return reservoir.sample();
}

/**
 * Expected number of replacements after the reservoir fills: sum over i = k+1..n of k / i
 * = k (H_n - H_k), about k ln(n / k). Algorithm L draws 3 numbers per replacement plus 2.
 */
export function expectedReplacements(n: number, k: number): number {
  assertInteger('n', n, { min: 0 });
  checkK(k);
  let s = 0;
  for (let i = k + 1; i <= n; i++) s += k / i;
  return s;
}

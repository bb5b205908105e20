/**
 * Algorithm L (Li 1994): the same uniform sample as Algorithm R, but instead of a random number per
 * item it draws how many items to skip before the next replacement. Replacements happen about
 * k (H_n - H_k) ~ k ln(n / k) times and each costs 3 draws, plus 2 at the start, so L needs
 * O(k (1 + log(n / k))) random numbers, and on an array it can jump over the skipped items.
 */
import { assertArray, assertInteger, assertIterable } from '../../core/errors.js';
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import { assertRng, type Rng } from '../../core/random.js';
import type { Reservoir } from './reservoir.js';

/**
 * Algorithm L, incremental. W is the largest of k uniform "keys" still in the reservoir; the next
 * item whose key beats W comes after a geometric gap floor(log U / log(1 - W)), and then W shrinks
 * by a factor U^(1/k).
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
    assertInteger('k', k, { min: 0 });
    assertRng('rng', rng);
    // W = U^(1/k): the largest of k uniform keys
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
    // W <- W U^(1/k)
    this.w *= Math.exp(Math.log(this.rng.uniformOpen()) / this.k);
    this.next = i + this.gap() + 1;
  }

  /** How many upcoming items will be ignored: a random-access source may jump over them. */
  get pendingSkip(): number {
    return this.seen < this.k ? 0 : this.next - this.seen;
  }

  /** Records that `count` items were skipped without being offered (count <= pendingSkip). */
  skip(count: number): void {
    const max = Math.min(this.pendingSkip, Number.MAX_SAFE_INTEGER);
    assertInteger('count', count, { min: 0, max });
    this.seen += count;
  }

  sample(): T[] {
    return [...this.items];
  }
}

/** Algorithm L over any iterable: the same law as `reservoirSampleR`, far fewer random draws. */
export function reservoirSampleL<T>(stream: Iterable<T>, k: number, rng: Rng): T[] {
  assertIterable('stream', stream);
  const reservoir = new ReservoirL<T>(k, rng);
  for (const item of stream) reservoir.offer(item);
  return reservoir.sample();
}

/**
 * Algorithm L on an array: jumps over the skipped items instead of visiting them, so the time is
 * O(k (1 + log(n / k))) rather than O(n). The counter (if given) counts the elements read as
 * 'visits'.
 */
export function sampleArrayL<T>(items: readonly T[], k: number, rng: Rng, counter?: Counter): T[] {
  assertArray('items', items);
  assertOptionalCounter('counter', counter);
  const reservoir = new ReservoirL<T>(k, rng);
  while (reservoir.seen < items.length) {
    const jump = Math.min(reservoir.pendingSkip, items.length - reservoir.seen);
    reservoir.skip(jump);
    if (reservoir.seen < items.length) {
      counter?.add('visits');
      reservoir.offer(items[reservoir.seen] as T);
    }
  }
  return reservoir.sample();
}

/** Below this, harmonic numbers are summed; above it, the asymptotic series is exact to ~1e-17. */
const SERIES_FROM = 64;

/**
 * H_m = ln m + gamma + 1/(2m) - 1/(12m^2) + 1/(120m^4) - 1/(252m^6) + ... (gamma = Euler's
 * constant). Differences H_n - H_k need only the part after ln m + gamma, returned here (for
 * m >= SERIES_FROM).
 */
function harmonicTail(m: number): number {
  const m2 = 1 / (m * m);
  return 1 / (2 * m) - m2 * (1 / 12 - m2 * (1 / 120 - m2 / 252));
}

/** H_n - H_k for 0 <= k <= n, in O(1) time for any n (no loop over n). */
function harmonicDifference(n: number, k: number): number {
  let sum = 0;
  // small terms summed directly: 1/(k+1) + ... up to SERIES_FROM (or n)
  let from = k;
  while (from < n && from < SERIES_FROM) sum += 1 / ++from;
  if (from === n) return sum;
  // H_n - H_from = ln(n / from) + tail(n) - tail(from); log1p keeps precision when n is near from
  return sum + Math.log1p((n - from) / from) + harmonicTail(n) - harmonicTail(from);
}

/**
 * Expected number of replacements after the reservoir fills: sum over 0-based i = k..n-1 of
 * k / (i + 1) = k (H_n - H_k), about k ln(n / k). Algorithm L draws 3 numbers per replacement,
 * plus 2.
 * Computed in O(1) from the asymptotic series of H_n, for any n (no loop over the stream length).
 */
export function expectedReplacements(n: number, k: number): number {
  assertInteger('n', n, { min: 0 });
  assertInteger('k', k, { min: 0 });
  if (k === 0 || k >= n) return 0;
  return k * harmonicDifference(n, k);
}

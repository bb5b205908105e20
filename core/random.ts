/**
 * The one seeded random generator of the project. Every module that needs randomness takes an `Rng`
 * argument; nothing calls `Math.random()`. The same seed gives the same stream on every machine.
 *
 * Built on pure-rand's xoroshiro128+ (fast, 2^128 - 1 period). `draws` counts the raw 32-bit outputs
 * consumed, so algorithms whose point is to use few random numbers (reservoir Algorithm L) can be
 * measured, not just claimed.
 *
 * @example
 *   const r = rng(7);
 *   r.uniform();        // in [0, 1)
 *   r.integer(1, 6);    // a die roll, both ends inclusive
 *   r.normal();         // standard normal
 *   r.shuffle([1, 2, 3]);
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertArrayLike,
  assertFinite,
  assertFunction,
  assertInteger,
} from './errors.js';

/** xoroshiro128+ seeded from a small integer starts with a few poor outputs; skip them once. */
const WARM_UP = 16;

export class Rng {
  /** Number of uniform variates handed out since creation (each `uniform`, `integer`, ... counts one). */
  draws = 0;
  private spareNormal: number | undefined;

  private constructor(private readonly gen: RandomGenerator) {
    const g = gen as Partial<RandomGenerator> | null;
    if (
      g === null ||
      typeof g !== 'object' ||
      typeof g.next !== 'function' ||
      typeof g.clone !== 'function'
    ) {
      throw new ArgumentTypeError('gen', gen, 'a pure-rand generator (make an Rng with rng(seed))');
    }
  }

  static fromSeed(seed: number): Rng {
    assertInteger('seed', seed, { min: -(2 ** 31), max: 2 ** 53 });
    const gen = xoroshiro128plus(seed);
    for (let i = 0; i < WARM_UP; i++) gen.next();
    return new Rng(gen);
  }

  /** An independent copy: same state now, separate streams afterwards. */
  clone(): Rng {
    const copy = new Rng(this.gen.clone());
    copy.spareNormal = this.spareNormal;
    return copy;
  }

  /**
   * A new generator seeded from this one. Use it to give each shard, repeat or worker its own
   * reproducible stream without sharing state.
   */
  fork(): Rng {
    return Rng.fromSeed(this.integer(0, 2 ** 31 - 1));
  }

  /** Uniform in [0, 1), 53 random bits. */
  uniform(): number {
    this.draws++;
    return uniformFloat64(this.gen);
  }

  /** Uniform in (0, 1): safe to take the logarithm of. */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Uniform integer in [min, max], both ends inclusive. */
  integer(min: number, max: number): number {
    assertInteger('min', min);
    assertInteger('max', max);
    if (max < min) throw new ArgumentError('max', max, `an integer >= min (${min})`);
    this.draws++;
    if (max - min <= 0xffffffff) return uniformInt(this.gen, min, max);
    // Wider than 32 bits: scale a 53-bit float (the bias is below 2^-53 * range, negligible here).
    return min + Math.floor(uniformFloat64(this.gen) * (max - min + 1));
  }

  /** Normal(mean, std) by the Marsaglia polar method (two variates per accepted pair, one cached). */
  normal(mean = 0, std = 1): number {
    assertFinite('mean', mean);
    assertFinite('std', std);
    if (std < 0) throw new ArgumentError('std', std, 'a standard deviation >= 0');
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + std * u * f;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    assertArray('items', items);
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.integer(0, i);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A shuffled copy; the input is left alone. */
  shuffled<T>(items: readonly T[]): T[] {
    assertArrayLike('items', items, 'an array');
    return this.shuffle(Array.from(items));
  }

  /** A Float64Array of `n` draws from `sample`, e.g. `r.array(8, () => r.normal())`. */
  array(n: number, sample: () => number): Float64Array {
    assertInteger('n', n, { min: 0, max: 2 ** 27 });
    assertFunction('sample', sample);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = sample();
    return out;
  }
}

/** A seeded generator: `rng(42)`. */
export function rng(seed: number): Rng {
  return Rng.fromSeed(seed);
}

/** Throws unless `value` is an `Rng` (made by `rng(seed)`): a plain object with the same keys is not one. */
export function assertRng(argument: string, value: unknown): asserts value is Rng {
  if (!(value instanceof Rng))
    throw new ArgumentTypeError(argument, value, 'an Rng (from rng(seed))');
}

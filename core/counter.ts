/**
 * The one counter type of the project: how a from-scratch kernel makes its complexity executable.
 * A kernel that takes an optional `Counter` adds what it did, by kind ('madds', 'probes', 'steps',
 * 'visits', 'comparisons', ...), and an answer key asserts a bound on it, never an exact count of
 * one implementation: `expect(c.get('probes')).toBeLessThanOrEqual(2 * Math.log2(n) + 2)`.
 *
 * @example
 *   const c = new Counter();
 *   searchRotatedCounted(nums, target, c);
 *   c.get('probes');   // how many elements the search looked at
 */
import { ArgumentTypeError } from './errors.js';

export class Counter {
  private readonly tally = new Map<string, number>();

  /** Adds `n` (default 1) to the count of `kind`. */
  add(kind: string, n = 1): void {
    this.tally.set(kind, (this.tally.get(kind) ?? 0) + n);
  }

  /** The count of `kind` so far (0 if never added). */
  get(kind: string): number {
    return this.tally.get(kind) ?? 0;
  }

  /** Every kind counted, as a plain record (for tables and notebooks). */
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.tally);
  }
}

/** Throws unless `value` is undefined or a `Counter`. */
export function assertOptionalCounter(
  argument: string,
  value: unknown,
): asserts value is Counter | undefined {
  if (value !== undefined && !(value instanceof Counter)) {
    throw new ArgumentTypeError(argument, value, 'a Counter (new Counter()) or undefined');
  }
}

/**
 * A reservoir fed one item at a time (the shape a service uses: `offer` each event, `sample` when
 * asked), and Algorithm R in that shape. Positions are counted from 0, as in `reservoirSampleR`.
 */
import { assertInteger } from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';

/** A reservoir that is fed one item at a time. */
export interface Reservoir<T> {
  readonly k: number;
  /** Items offered so far. */
  readonly seen: number;
  offer(item: T): void;
  /** A copy of the current sample: min(k, seen) items. */
  sample(): T[];
}

/**
 * Algorithm R, incremental: item i (0-based) draws a slot j in [0, i], both ends included, and
 * enters iff j < k. For the same seed it keeps exactly what `reservoirSampleR` keeps.
 */
export class ReservoirR<T> implements Reservoir<T> {
  seen = 0;
  private readonly items: T[] = [];

  constructor(
    readonly k: number,
    private readonly rng: Rng,
  ) {
    assertInteger('k', k, { min: 0 });
    assertRng('rng', rng);
  }

  offer(item: T): void {
    const i = this.seen++; // 0-based position of this item
    if (i < this.k) {
      this.items.push(item);
      return;
    }
    // j uniform in [0, i]: P(enter) = k / (i + 1).
    const j = this.rng.integer(0, i);
    if (j < this.k) this.items[j] = item;
  }

  sample(): T[] {
    return [...this.items];
  }
}

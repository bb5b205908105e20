/**
 * The k best of n scores, best first, ties broken by the lower index: what every retriever returns.
 * A min-heap of size k keeps the best seen so far (heap-js), so it costs O(n log k), not a full
 * sort's O(n log n).
 *
 * @example
 *   topK([0.2, 0.9, 0.5, 0.9], 2)   // [{ index: 1, score: 0.9 }, { index: 3, score: 0.9 }]
 */
import { Heap } from 'heap-js';
import { ArgumentError, assertArrayLike, assertInteger } from './errors.js';

export interface Scored {
  index: number;
  score: number;
}

/** Worse first: lower score, or the same score at a higher index. */
const worseFirst = (a: Scored, b: Scored) => a.score - b.score || b.index - a.index;

/**
 * The top `k` of `scores` (all of them if k >= n), or only of the indices in `among` when given.
 * NaN scores are rejected: they cannot be ordered.
 */
export function topK(scores: ArrayLike<number>, k: number, among?: Iterable<number>): Scored[] {
  assertArrayLike('scores', scores);
  assertInteger('k', k, { min: 1 });
  const heap = new Heap<Scored>(worseFirst);
  const consider = (index: number) => {
    const score = scores[index];
    if (typeof score !== 'number' || Number.isNaN(score))
      throw new ArgumentError(`scores[${index}]`, score, 'a number that is not NaN');
    if (heap.size() < k) heap.push({ index, score });
    else if (worseFirst(heap.peek() as Scored, { index, score }) < 0)
      heap.replace({ index, score });
  };
  if (among === undefined) for (let i = 0; i < scores.length; i++) consider(i);
  else
    for (const i of among) {
      assertInteger('among[]', i, { min: 0, max: scores.length - 1 });
      consider(i);
    }
  return heap.toArray().sort((a, b) => worseFirst(b, a));
}

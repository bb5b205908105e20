/**
 * Q02 bench: the textbook searchRotated (O(log n)) against the counted, checked
 * searchRotatedCounted (what its checks cost) and a linear scan (indexOf, O(n)) on a rotated sorted
 * array of 10^6 distinct integers, in one describe so vitest prints the ratios.
 * One op = 200 lookups of targets drawn from a seeded generator (half present, half absent).
 */
import { bench, describe } from 'vitest';
import { searchRotated, searchRotatedCounted } from '../algorithms/rotated-array-search.js';
import { rng } from '../core/random.js';

const N = 1_000_000;
const OFFSET = 377_777;
// [2 * OFFSET, ..., 2 * (N - 1), 0, 2, ..., 2 * (OFFSET - 1)]: even values, odd targets absent.
const nums = Array.from({ length: N }, (_, i) => 2 * ((i + OFFSET) % N));
const r = rng(2);
const targets = Array.from({ length: 200 }, () => r.integer(0, 2 * N - 1));

let sink = 0;
describe('rotated-array-search: 200 lookups in a rotated sorted array of 10^6', () => {
  bench(
    'searchRotated (textbook binary search)',
    () => {
      for (const t of targets) sink += searchRotated(nums, t);
    },
    { iterations: 200, time: 0, warmupIterations: 5 },
  );
  bench(
    'searchRotatedCounted (probed values checked)',
    () => {
      for (const t of targets) sink += searchRotatedCounted(nums, t);
    },
    { iterations: 200, time: 0, warmupIterations: 5 },
  );
  bench(
    'linear scan (indexOf)',
    () => {
      for (const t of targets) sink += nums.indexOf(t);
    },
    { iterations: 10, time: 0, warmupIterations: 1 },
  );
});
if (sink === Number.MIN_SAFE_INTEGER) console.log(sink);

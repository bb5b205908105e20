/**
 * Q03 bench: the textbook sliding window (O(n)) and the engineered counted one (either unit)
 * against the naive "from every start, extend until a repeat" (O(n k) for an answer of length k)
 * on 10^4 characters, in one describe so vitest prints the ratios.
 * The text is drawn from 2,000 CJK characters with a seeded generator: from a given start the brute
 * force reads about sqrt(pi * 2000 / 2) + 2/3 = 57 characters before the first repeat (the birthday
 * problem; the notebook counts it), so it does ~57x the reads of the window.
 */
import { bench, describe } from 'vitest';
import {
  longestUniqueSubstring,
  longestUniqueSubstringBruteForce,
  longestUniqueSubstringCounted,
} from '../algorithms/longest-unique-substring.js';
import { rng } from '../core/random.js';

const N = 10_000;
const r = rng(3);
const character = () => String.fromCharCode(0x4e00 + r.integer(0, 1999));
const text = Array.from({ length: N }, character).join('');

const fast = longestUniqueSubstring(text);
const naive = longestUniqueSubstringBruteForce(text);
const agrees = naive.length === fast.length && naive.start === fast.start;
console.log(
  `longest-unique-substring: n = ${N}, answer ${fast.length} (brute force agrees: ${agrees})`,
);

let sink = 0;
describe('longest-unique-substring: 10^4 characters from a 2,000-character alphabet', () => {
  bench(
    'sliding window (textbook)',
    () => {
      sink += longestUniqueSubstring(text).length;
    },
    { iterations: 200, time: 0, warmupIterations: 10 },
  );
  bench(
    'sliding window (counted, code points)',
    () => {
      sink += longestUniqueSubstringCounted(text, 'codepoint').length;
    },
    { iterations: 200, time: 0, warmupIterations: 10 },
  );
  bench(
    'brute force (extend from every start)',
    () => {
      sink += longestUniqueSubstringBruteForce(text).length;
    },
    { iterations: 20, time: 0, warmupIterations: 2 },
  );
});
if (sink < 0) console.log(sink);

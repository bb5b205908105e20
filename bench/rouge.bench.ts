/**
 * Q44 bench: ROUGE-L on 10,000 sentence pairs of 20 to 40 tokens, the textbook full
 * (m + 1) x (n + 1) LCS table against the two-row version (the same O(m n) cells in O(min(m, n))
 * memory). The predictions are noisy copies of the targets (tokens dropped, replaced and
 * inserted), so the LCS is long.
 */
import { bench, describe } from 'vitest';
import { rougeL, rougeLTwoRows } from '../ml/rouge.js';
import { rng } from '../core/random.js';

const PAIRS = 10_000;
const g = rng(44);
const word = () => `w${g.integer(0, 199)}`;
const pairs = Array.from({ length: PAIRS }, () => {
  const target = Array.from({ length: g.integer(20, 40) }, word);
  const prediction: string[] = [];
  for (const t of target) {
    const u = g.uniform();
    if (u < 0.1) continue; // dropped
    prediction.push(u < 0.25 ? word() : t); // replaced or kept
    if (g.uniform() < 0.05) prediction.push(word()); // inserted
  }
  return { target, prediction };
});
const options = { iterations: 10, time: 0, warmupIterations: 2 };

describe(`ROUGE-L on ${PAIRS.toLocaleString('en-US')} pairs of 20-40 tokens`, () => {
  bench(
    'full DP table (textbook)',
    () => {
      for (const { target, prediction } of pairs) rougeL(target, prediction);
    },
    options,
  );
  bench(
    'two rows',
    () => {
      for (const { target, prediction } of pairs) rougeLTwoRows(target, prediction);
    },
    options,
  );
});

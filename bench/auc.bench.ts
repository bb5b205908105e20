/**
 * Q65 bench: ROC AUC at n = 10^6 and 10^7 samples (30% positives, normal scores), the radix-sorted
 * rocAucRadix vs the textbook rocAuc (comparison sort of indices + average ranks). Before the
 * benches it prints rocAucRadix's own time at 10^7 in seconds (median of 3) and checks both agree.
 * (scikit-learn's roc_auc_score takes about 3.5 s at 10^7 on this machine, per the issue.)
 */
import { bench, describe } from 'vitest';
import { rocAuc, rocAucRadix } from '../ml/auc/index.js';
import { rng } from '../core/random.js';

function data(n: number, seed: number): { labels: Uint8Array; scores: Float64Array } {
  const g = rng(seed);
  const labels = new Uint8Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = g.uniform() < 0.3 ? 1 : 0;
    scores[i] = g.normal() + (labels[i] as number);
  }
  return { labels, scores };
}

const big = data(10_000_000, 1);
const times: number[] = [];
let value = 0;
for (let k = 0; k < 3; k++) {
  const t0 = performance.now();
  value = rocAucRadix(big.labels, big.scores);
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
console.log(
  `auc: rocAucRadix at n = 10^7: ${times[1]!.toFixed(3)} s (median of 3; runs ${times.map((t) => t.toFixed(3)).join(', ')}), AUC = ${value.toFixed(6)}`,
);
const small = data(1_000_000, 2);
const gap = Math.abs(rocAucRadix(small.labels, small.scores) - rocAuc(small.labels, small.scores));
console.log(`auc: |rocAucRadix - rocAuc| at n = 10^6: ${gap.toExponential(2)}`);

describe('auc: n = 10^6, radix vs comparison sort with average ranks', () => {
  bench('rocAucRadix (radix)', () => void rocAucRadix(small.labels, small.scores), {
    iterations: 10,
    time: 0,
    warmupIterations: 2,
  });
  bench('rocAuc (comparison sort)', () => void rocAuc(small.labels, small.scores), {
    iterations: 3,
    time: 0,
    warmupIterations: 1,
  });
});

describe('auc: n = 10^7, radix vs comparison sort with average ranks', () => {
  bench('rocAucRadix (radix)', () => void rocAucRadix(big.labels, big.scores), {
    iterations: 3,
    time: 0,
    warmupIterations: 1,
  });
  bench('rocAuc (comparison sort)', () => void rocAuc(big.labels, big.scores), {
    iterations: 1,
    time: 0,
    warmupIterations: 0,
  });
});

/**
 * Q42 bench: BM25 on a generated corpus of 100,000 documents (Zipf-distributed words from a
 * 30,000-word vocabulary, 20 to 120 tokens each). Before the benches it prints the indexing
 * throughput (tokens per second, median of 3 builds); then query latency of the inverted index
 * against the textbook scan (rank_bm25's formula over every document) for 3-word queries.
 */
import { bench, describe } from 'vitest';
import { bm25Scores, buildBm25Index, OKAPI, searchBm25 } from '../ml/bm25/index.js';
import { rng } from '../core/random.js';

const N = 100_000;
const VOCABULARY = 30_000;
const g = rng(42);
// Zipf(1): word w has weight 1 / (w + 1); sampled by inverting the cumulative weights
const cumulative = new Float64Array(VOCABULARY);
for (let w = 0, sum = 0; w < VOCABULARY; w++) cumulative[w] = sum += 1 / (w + 1);
const word = () => {
  const u = g.uniform() * cumulative[VOCABULARY - 1]!;
  let lo = 0;
  let hi = VOCABULARY - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return `w${lo}`;
};
const corpus = Array.from({ length: N }, () => Array.from({ length: g.integer(20, 120) }, word));
const tokens = corpus.reduce((s, d) => s + d.length, 0);

const times: number[] = [];
let index = buildBm25Index(corpus, OKAPI);
for (let k = 0; k < 3; k++) {
  const t0 = performance.now();
  index = buildBm25Index(corpus, OKAPI);
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
console.log(
  `bm25: indexed ${N.toLocaleString('en')} documents (${tokens.toLocaleString('en')} tokens) in ${times[1]!.toFixed(2)} s: ${Math.round((tokens / times[1]! / 1e6) * 10) / 10}M tokens/s, ${Math.round(N / times[1]!).toLocaleString('en')} documents/s (median of 3)`,
);

// queries mix a common, a middling and a rare word, as typed queries do
const queries = Array.from({ length: 50 }, () => [
  `w${g.integer(0, 50)}`,
  `w${g.integer(100, 2000)}`,
  `w${g.integer(5000, VOCABULARY - 1)}`,
]);
let q = 0;
const next = () => queries[q++ % queries.length]!;
const top = searchBm25(index, queries[0]!, 10);
const scan = bm25Scores(corpus, queries[0]!);
const agree = top.every((h) => Math.abs(scan[h.index]! - h.score) < 1e-9);
console.log(`bm25: index and scan agree on the top 10 of a query: ${agree}`);

describe(`bm25: a 3-word query over ${N.toLocaleString('en')} documents`, () => {
  bench('inverted index, top 10', () => void searchBm25(index, next(), 10), {
    iterations: 200,
    time: 0,
    warmupIterations: 10,
  });
  bench('textbook scan (every document)', () => void bm25Scores(corpus, next()), {
    iterations: 3,
    time: 0,
    warmupIterations: 0,
  });
});

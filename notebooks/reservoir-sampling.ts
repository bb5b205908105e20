/**
 * Notebook for Q01: uniformly sample k items from an unbounded stream.
 * Run: npm start -- run reservoir-sampling   (or: npx tsx notebooks/reservoir-sampling.ts)
 */
import {
  expectedReplacements,
  mergeUniform,
  ReservoirL,
  ReservoirR,
  reservoirSample,
  weightedReservoirSample,
} from '../algorithms/reservoir-sampling.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';
import { chiSquareTest } from '../core/stats.js';

function* stream(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

export default defineNotebook(import.meta.url, 'reservoir-sampling', async (nb) => {
  await nb.md`
    ## The question
    *无限流的均匀采样*: items arrive one at a time, you do not know how many will come, and you may
    keep only k of them. At any moment the k you keep must be a uniform random sample of everything
    seen so far.

    ## The intuition
    Keep the first k. When item i arrives (1-based, i > k), keep it with probability k / i, evicting a
    random slot. Induction: an item already kept survives step i with probability
    1 - (k / i)(1 / k) = (i - 1) / i, so its probability goes from k / (i - 1) to k / i, the same as
    the newcomer's. That is **Algorithm R**. The classic bug is drawing the slot from [0, i) instead
    of [0, i]: item i then enters with k / (i - 1) and late items are over-represented.
  `;

  const sample = await nb.code(() => reservoirSample(stream(1_000_000), 5, rng(7), 'R'));
  await nb.check('a million items streamed, memory held', sample.length, 5);

  await nb.md`
    ## Is it uniform? Inclusion counts over 20,000 runs
    Stream 10 items, keep k = 3, repeat. Each item should be kept 20,000 x 3 / 10 = 6,000 times.
  `;
  const runs = 20_000;
  const counts = await nb.code(() => {
    const r = rng(1);
    const tally = new Array<number>(10).fill(0);
    for (let t = 0; t < runs; t++) for (const item of reservoirSample(stream(10), 3, r, 'R')) tally[item] = (tally[item] ?? 0) + 1;
    return tally;
  });
  await nb.plot({
    kind: 'bar',
    title: 'How often each of 10 items is kept (k = 3, 20,000 runs)',
    categories: counts.map((_, i) => `item ${i}`),
    y: { label: 'times kept (expected 6,000)' },
    series: [{ name: 'Algorithm R', values: counts }],
  });
  const fit = chiSquareTest(counts, new Array(10).fill(runs * 0.3));
  await nb.claim('counts fit k / n (chi-square, alpha 0.001)', fit.pValue > 0.001, `statistic ${fit.statistic.toFixed(2)} on ${fit.df} df, p = ${fit.pValue.toFixed(3)}`);

  await nb.md`
    ## Algorithm L: skip instead of flipping a coin per item
    Algorithm R draws a random number for every item. Li (1994) draws the *gap* to the next
    replacement instead: if W is the largest of k uniform keys in the reservoir, the next item to
    beat it comes after a geometric gap floor(log U / log(1 - W)). Replacements happen about
    k (H_n - H_k) ~ k ln(n / k) times, and L draws 3 numbers per replacement plus 2.
  `;
  const drawRows = [];
  for (const n of [1_000, 10_000, 100_000, 1_000_000]) {
    const k = 10;
    const rR = rng(n);
    const rL = rng(n);
    const reservoirR = new ReservoirR<number>(k, rR);
    const reservoirL = new ReservoirL<number>(k, rL);
    for (const x of stream(n)) {
      reservoirR.offer(x);
      reservoirL.offer(x);
    }
    drawRows.push({ n, k, 'draws R': rR.draws, 'draws L': rL.draws, 'L expected': Math.round(2 + 3 * expectedReplacements(n, k)), 'R / L': (rR.draws / rL.draws).toFixed(0) });
  }
  await nb.table(drawRows, 'Random numbers drawn by each algorithm (one seeded run each)');
  const last = drawRows.at(-1)!;
  await nb.check('L draws at n = 10^6 vs its expectation', last['draws L'], last['L expected'], { tol: 0.25 * last['L expected'] });

  await nb.md`
    ## Weighted: each draw proportional to weight among the items left
    A-Res gives item i the key u^(1/w_i) and keeps the k largest. A frequent wrong belief is that
    inclusion is then proportional to w: it is not (only for k = 1). With weights (1, 2, 3, 4) and
    k = 2 the exact inclusion probabilities are (.2345, .4413, .6083, .7159), while "proportional"
    would say (.2, .4, .6, .8).
  `;
  const weighted = await nb.code(() => {
    const r = rng(3);
    const tally = [0, 0, 0, 0];
    const items = [1, 2, 3, 4].map((w, i) => [i, w] as const);
    for (let t = 0; t < runs; t++) for (const i of weightedReservoirSample(items, 2, r, 'a-expj')) tally[i] = (tally[i] ?? 0) + 1;
    return tally.map((c) => c / runs);
  });
  await nb.plot({
    kind: 'bar',
    title: 'Inclusion probability with weights 1..4, k = 2',
    categories: ['w = 1', 'w = 2', 'w = 3', 'w = 4'],
    y: { label: 'P(included)' },
    series: [
      { name: 'A-ExpJ, 20,000 runs', values: weighted },
      { name: 'exact successive sampling', values: [0.2345, 0.4413, 0.6083, 0.7159] },
      { name: 'proportional to w (wrong)', values: [0.2, 0.4, 0.6, 0.8] },
    ],
  });
  await nb.check('P(w = 4 included)', weighted[3]!, 0.7159, { tol: 0.01 });

  await nb.md`
    ## Two shards, one sample
    Each shard keeps its own reservoir. To merge, take X items from shard b where
    X ~ Hypergeometric(n_a + n_b, n_b, k), and k - X from shard a. A per-slot coin with
    p = n_b / (n_a + n_b) looks right but is binomial, and gets P(X = 0) wrong.
  `;
  const merged = await nb.code(() => {
    const r = rng(9);
    const a = { sample: reservoirSample(stream(600), 4, r), seen: 600 };
    const b = { sample: reservoirSample(stream(400), 4, r).map((x) => 600 + x), seen: 400 };
    return mergeUniform(a, b, 4, r);
  });
  await nb.check('merged sample size', merged.sample.length, 4);

  await nb.md`
    ## Complexity
    Algorithm R: O(n) time and O(n) random numbers. Algorithm L: O(n) to iterate but only
    O(k (1 + log(n / k))) random numbers, and O(k (1 + log(n / k))) time on an array it can jump over.
    A-Res: O(n log k). Memory O(k) for all of them.

    ## When not to use it
    If n is known and the data is in an array, a partial Fisher-Yates shuffle of k positions is
    simpler. If you need every item with probability proportional to its weight (not successive
    sampling), use a different scheme (e.g. systematic / Poisson sampling). If the stream is
    distributed, sample per shard and merge as above rather than funnelling everything to one node.
  `;
});

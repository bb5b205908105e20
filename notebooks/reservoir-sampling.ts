/**
 * Notebook for Q01: uniformly sample k items from an unbounded stream.
 * Run: npm start -- run reservoir-sampling   (or: npx tsx notebooks/reservoir-sampling.ts)
 */
import {
  expectedReplacements,
  mergeUniform,
  pitfallSlotFromExclusiveRange,
  reservoirSampleL,
  reservoirSampleR,
  weightedReservoirSample,
} from '../algorithms/reservoir-sampling/index.js';
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
    keep only $k$ of them. At any moment the $k$ you keep must be a uniform random sample of
    everything seen so far.

    ## The intuition
    Count positions from 0, as the code does. Keep items $0, \dots, k - 1$. Item $i \ge k$ draws a
    slot $j$ uniform in $[0, i]$ (both ends included, $i + 1$ choices) and replaces slot $j$ if
    $j < k$: it enters with probability $\frac{k}{i + 1}$. Induction: after items $0..i-1$ each is
    kept with probability $\frac{k}{i}$; an item already kept survives step $i$ with probability
    $1 - \frac{k}{i + 1} \cdot \frac{1}{k} = \frac{i}{i + 1}$, so its probability becomes
    $\frac{k}{i} \cdot \frac{i}{i + 1} = \frac{k}{i + 1}$, the same as the newcomer's. That is
    **Algorithm R**, the answer an interviewer expects:
  `;
  await nb.source('algorithms/reservoir-sampling/index.ts', 'reservoirSampleR');
  await nb.md`
    Run it on a stream of a million items (a generator: nothing is stored), $k = 5$, seed 7:
  `;
  const sample = await nb.code(() => reservoirSampleR(stream(1_000_000), 5, rng(7)));
  await nb.check('a million items streamed, memory held', sample.length, 5);

  await nb.md`
    ## The classic bug: the slot drawn from $[0, i)$
    With 0-based $i$ the draw must include $i$ itself. Drawing $j$ from $[0, i)$ (i.e.
    \`rng.integer(0, i - 1)\`) makes item $i$ enter with $\frac{k}{i}$ instead of
    $\frac{k}{i + 1}$: item $k$ always enters, and late items are over-represented. (Counted from
    1, the same mistake reads "draw from $[1, i - 1]$ instead of $[1, i]$": it is one bug, said once
    here in 0-based terms, like the module.)
  `;
  await nb.source('algorithms/reservoir-sampling/pitfalls.ts', 'pitfallSlotFromExclusiveRange');

  await nb.md`
    ## Is it uniform? Inclusion counts over 20,000 runs
    Stream items $0..9$ ($n = 10$), keep $k = 3$, 20,000 runs from one generator seeded 1, for
    Algorithm R and for the pitfall. Each item should be kept $20000 \cdot \frac{3}{10} = 6000$
    times.
  `;
  const runs = 20_000;
  const tally = (sampler: typeof reservoirSampleR) => {
    const r = rng(1);
    const kept = new Array<number>(10).fill(0);
    for (let t = 0; t < runs; t++) for (const item of sampler(stream(10), 3, r)) kept[item]! += 1;
    return kept;
  };
  const counts = await nb.code(() => tally(reservoirSampleR));
  const wrongCounts = await nb.code(() => tally(pitfallSlotFromExclusiveRange));
  await nb.plot({
    kind: 'bar',
    title: 'How often each of 10 items is kept (k = 3, 20,000 runs)',
    categories: counts.map((_, i) => `item ${i}`),
    y: { label: 'times kept (expected 6,000)' },
    series: [
      { name: 'Algorithm R', values: counts },
      { name: 'slot from [0, i) (pitfall)', values: wrongCounts },
    ],
  });
  const fit = chiSquareTest(counts, new Array(10).fill(runs * 0.3));
  const statistic = fit.statistic.toFixed(2);
  const evidence = `statistic ${statistic} on ${fit.df} df, p = ${fit.pValue.toFixed(3)}`;
  await nb.claim(
    'Algorithm R: counts fit k / n (chi-square, alpha 0.001)',
    fit.pValue > 0.001,
    evidence,
  );
  const misfit = chiSquareTest(wrongCounts, new Array(10).fill(runs * 0.3));
  await nb.claim(
    'the pitfall: counts do not fit (p < 0.001)',
    misfit.pValue < 0.001,
    `p = ${misfit.pValue.toExponential(2)}`,
  );
  // item 9 enters with k / i = 3 / 9 instead of 3 / 10 and is never evicted after: 6,667 times
  const lastKept = wrongCounts[9]!;
  await nb.check('the pitfall keeps the last item 20,000 x 3 / 9 times', lastKept, runs / 3, {
    tol: 300,
  });

  await nb.md`
    ## Algorithm L: skip instead of flipping a coin per item
    Algorithm R draws a random number for every item. Li (1994) draws the *gap* to the next
    replacement instead: if $W$ is the largest of $k$ uniform keys in the reservoir, the next item
    to beat it comes after a geometric gap $\lfloor \log U / \log(1 - W) \rfloor$. Replacements
    happen $\sum_{i=k}^{n-1} \frac{k}{i + 1} = k (H_n - H_k) \approx k \ln \frac{n}{k}$ times,
    and L draws 3 numbers per replacement plus 2. Below: $k = 10$, streams of $n$ items, one run
    each, seeded $n$.
  `;
  const drawRows = [];
  for (const n of [1_000, 10_000, 100_000, 1_000_000]) {
    const k = 10;
    const rR = rng(n);
    const rL = rng(n);
    reservoirSampleR(stream(n), k, rR);
    reservoirSampleL(stream(n), k, rL);
    const expected = Math.round(2 + 3 * expectedReplacements(n, k));
    const ratio = (rR.draws / rL.draws).toFixed(0);
    drawRows.push({
      n,
      k,
      'draws R': rR.draws,
      'draws L': rL.draws,
      'L expected': expected,
      'R / L': ratio,
    });
  }
  await nb.table(drawRows, 'Random numbers drawn by each algorithm (one seeded run each)');
  const last = drawRows.at(-1)!;
  await nb.check('L draws at n = 10^6 vs its expectation', last['draws L'], last['L expected'], {
    tol: 0.25 * last['L expected'],
  });

  await nb.md`
    ## Weighted: each draw proportional to weight among the items left
    A-Res gives item $i$ the key $u^{1 / w_i}$ and keeps the $k$ largest. A frequent wrong belief is
    that inclusion is then proportional to $w$: it is not (only for $k = 1$). With weights
    $(1, 2, 3, 4)$ and $k = 2$ the exact inclusion probabilities are $(.2345, .4413, .6083, .7159)$,
    while "proportional" would say $(.2, .4, .6, .8)$. Below: 20,000 runs of A-ExpJ, seed 3.
  `;
  const weighted = await nb.code(() => {
    const r = rng(3);
    const tally = [0, 0, 0, 0];
    const items = [1, 2, 3, 4].map((w, i) => [i, w] as const);
    for (let t = 0; t < runs; t++) {
      for (const i of weightedReservoirSample(items, 2, r, 'a-expj')) tally[i]! += 1;
    }
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
    Each shard keeps its own reservoir. To merge, take $X$ items from shard b where
    $X \sim \mathrm{Hypergeometric}(n_a + n_b, n_b, k)$, and $k - X$ from shard a. A per-slot coin
    with $p = \frac{n_b}{n_a + n_b}$ (\`pitfallMergeByCoin\`) looks right but makes $X$ binomial,
    and gets $P(X = 0)$ wrong. Below: shards of 600 and 400 items, $k = 4$, seed 9.
  `;
  const merged = await nb.code(() => {
    const r = rng(9);
    const a = { sample: reservoirSampleR(stream(600), 4, r), seen: 600 };
    const b = { sample: reservoirSampleR(stream(400), 4, r).map((x) => 600 + x), seen: 400 };
    return mergeUniform(a, b, 4, r);
  });
  await nb.check('merged sample size', merged.sample.length, 4);

  await nb.md`
    ## Complexity
    Algorithm R: $O(n)$ time and $O(n)$ random numbers. Algorithm L: $O(n)$ to iterate but only
    $O(k (1 + \log \frac{n}{k}))$ random numbers, and that much time on an array it can jump over
    (\`sampleArrayL\`). A-Res: $O(n \log k)$. Memory $O(k)$ for all of them.

    ## When not to use it
    If $n$ is known and the data is in an array, a partial Fisher-Yates shuffle of $k$ positions is
    simpler. If you need every item with probability proportional to its weight (not successive
    sampling), use a different scheme (e.g. systematic / Poisson sampling). If the stream is
    distributed, sample per shard and merge as above rather than funnelling everything to one node.
  `;
});

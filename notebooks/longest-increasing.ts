/**
 * Notebook for Q04: the longest increasing substring (contiguous run) and subsequence.
 * Run: npm start -- run longest-increasing   (or: npx tsx notebooks/longest-increasing.ts)
 */
import {
  longestIncreasingRun,
  longestIncreasingSubsequence,
  longestIncreasingSubsequenceDP,
  longestIncreasingSubsequencePatience,
  longestNonIncreasingSubsequence,
  patienceTails,
  pitfallRunUpdatedOnBreak,
  pitfallTailsAsSubsequence,
} from '../algorithms/longest-increasing.js';
import { Counter } from '../core/counter.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export default defineNotebook(import.meta.url, 'longest-increasing', async (nb) => {
  await nb.md`
    ## The question
    *最长递增子串* (longest increasing substring). Ask first which one is meant:
    - a **substring** is contiguous: the longest strictly increasing run (LeetCode 674), one pass;
    - a **subsequence** may skip elements: the longest increasing subsequence (LIS, LeetCode 300),
      $O(n^2)$ by dynamic programming or $O(n \log n)$ by patience sorting.

    ## The run: one pass
    Walk left to right; the run ending at $i$ continues if $a_i > a_{i-1}$, else it restarts at $i$.
    Compare with the best on every step, not only when a run breaks, or the last run is lost:
  `;
  await nb.source('algorithms/longest-increasing.ts', 'longestIncreasingRun');
  await nb.md`Runs on [1, 3, 5, 4, 7] and on [3, 1, 2, 3, 4], whose longest run is the last one:`;
  const run = await nb.code(() => longestIncreasingRun([1, 3, 5, 4, 7]));
  await nb.check('longest run of [1, 3, 5, 4, 7]', run.length, 3);
  const lastRun = await nb.code(() => longestIncreasingRun([3, 1, 2, 3, 4]));
  await nb.check('the final run counts: [3, 1, 2, 3, 4]', lastRun.length, 4);
  const onBreak = await nb.code(() => pitfallRunUpdatedOnBreak([3, 1, 2, 3, 4]));
  await nb.check('the pitfall that updates only on a break loses it', onBreak.length, 1);

  await nb.md`
    ## The subsequence: $O(n^2)$ first
    $best_i = 1 + \max \{ best_j : j < i, a_j < a_i \}$. Correct, obvious, quadratic.

    ## Patience sorting: $O(n \log n)$
    Keep $tails_L$ = the smallest value that can end an increasing subsequence of length $L + 1$.
    The tails are sorted, so each new $x$ is placed by binary search: it replaces the first tail
    $\ge x$ (lower bound), or extends the list. Lower bound is what makes it **strict**: an equal
    value replaces, it does not extend. Upper bound (first tail $> x$) gives the non-decreasing
    version. Each element also remembers the tail it extended (a predecessor link), so the
    subsequence can be walked back at the end. The answer an interviewer expects:
  `;
  await nb.source('algorithms/longest-increasing.ts', 'longestIncreasingSubsequence');
  await nb.md`Watch the tails evolve on [10, 9, 2, 5, 3, 7, 101, 18]:`;
  const example = [10, 9, 2, 5, 3, 7, 101, 18];
  const trace = example.map((x, i) => {
    const tails = patienceTails(example.slice(0, i + 1)).join(', ');
    return { step: i + 1, x, tails };
  });
  await nb.table(trace, 'tails after each element (strict)');
  const lis = await nb.code(() => longestIncreasingSubsequence(example));
  await nb.check('LIS length', lis.length, 4);
  await nb.check('reconstructed subsequence', lis.values.join(', '), '2, 3, 7, 18');

  await nb.md`
    The tails array has the right *length* but is not an answer: on [3, 4, 1] the tails end as
    (1, 4), and 1 comes after 4 in the input (\`pitfallTailsAsSubsequence\` returns them). The
    predecessor links give a real subsequence. Runs on [3, 4, 1], and on seven 7s strict and
    non-decreasing (\`longestIncreasingSubsequencePatience\`, the engineered version with options):
  `;
  const tailsOnly = pitfallTailsAsSubsequence([3, 4, 1]).values.join(', ');
  await nb.check('tails of [3, 4, 1] (not a subsequence)', tailsOnly, '1, 4');
  const real = longestIncreasingSubsequence([3, 4, 1]).values.join(', ');
  await nb.check('LIS of [3, 4, 1] (a real subsequence)', real, '3, 4');
  const sevens = [7, 7, 7, 7, 7, 7, 7];
  const strictSevens = longestIncreasingSubsequence(sevens).length;
  const looseSevens = longestIncreasingSubsequencePatience(sevens, { strict: false }).length;
  await nb.check(
    'strict vs non-decreasing on seven 7s',
    `${strictSevens} / ${looseSevens}`,
    '1 / 7',
  );

  await nb.md`
    ## Counting comparisons
    The DP compares every pair: $\frac{n(n - 1)}{2}$. Patience sorting does one binary search per
    element over at most $n$ tails: at most $n \lceil \log_2(n + 1) \rceil$. On a random
    permutation the tails stay short (about $2 \sqrt{n}$), so it is cheaper still. Counted with a
    \`Counter\` ('comparisons') on random permutations of $0..n-1$ (seed $n$), for
    $n = 100, 300, 1000, 3000$:
  `;
  const sizes = [100, 300, 1000, 3000];
  const counts = sizes.map((n) => {
    const values = rng(n).shuffled(range(n));
    const [fast, dp] = [new Counter(), new Counter()];
    longestIncreasingSubsequencePatience(values, {}, fast);
    longestIncreasingSubsequenceDP(values, {}, dp);
    return {
      n,
      patience: fast.get('comparisons'),
      dp: dp.get('comparisons'),
      'n(n-1)/2': (n * (n - 1)) / 2,
      'n ceil(log2(n+1))': n * Math.ceil(Math.log2(n + 1)),
    };
  });
  await nb.table(counts, 'comparisons on a random permutation');
  await nb.plot({
    kind: 'line',
    title: 'Comparisons: O(n^2) DP vs O(n log n) patience sorting',
    x: { label: 'n', values: sizes, log: true },
    y: { label: 'comparisons', log: true },
    series: [
      { name: 'DP', values: counts.map((c) => c.dp) },
      { name: 'patience', values: counts.map((c) => c.patience) },
    ],
  });
  await nb.check('DP comparisons at n = 3000', counts.at(-1)!.dp, (3000 * 2999) / 2);
  await nb.claim(
    'patience stays under n ceil(log2(n + 1))',
    counts.every((c) => c.patience <= c['n ceil(log2(n+1))']),
    counts.map((c) => `${c.patience} <= ${c['n ceil(log2(n+1))']}`).join(', '),
  );

  await nb.md`
    ## How long is the LIS of a random permutation?
    Ulam's problem: about $2 \sqrt{n}$, and Baik, Deift and Johansson (1999) showed the
    fluctuations are Tracy–Widom of scale $n^{1/6}$ with mean about $-1.7711$, so
    $E[\mathrm{LIS}] \approx 2 \sqrt{n} - 1.7711 \, n^{1/6}$. Below: 20 random permutations of
    $n = 10^4$ from one generator seeded 10,000.
  `;
  const ulam = await nb.code(() => {
    const r = rng(10_000);
    const n = 10_000;
    let total = 0;
    for (let t = 0; t < 20; t++) total += longestIncreasingSubsequence(r.shuffled(range(n))).length;
    return total / 20;
  });
  await nb.check(
    'mean LIS of 20 random permutations of 10^4',
    ulam,
    2 * Math.sqrt(10_000) - 1.7711 * 10_000 ** (1 / 6),
    { tol: 4 },
  );

  await nb.md`
    ## Erdős–Szekeres
    Every sequence of $n$ numbers has a strictly increasing subsequence of length $r$ or a
    non-increasing one of length $s$ whenever $n > (r - 1)(s - 1)$; in product form,
    $\mathrm{LIS} \cdot \mathrm{LNIS} \ge n$. Patience sorting is the proof: each pile is
    non-increasing, and there are LIS piles. Below: 0..49 twice, shuffled with seed 3.
  `;
  const mixed = rng(3).shuffled([...range(50), ...range(50)]);
  const up = longestIncreasingSubsequence(mixed).length;
  const down = longestNonIncreasingSubsequence(mixed).length;
  await nb.claim(
    'LIS x LNIS >= n on 100 values with duplicates',
    up * down >= mixed.length,
    `${up} x ${down} = ${up * down} >= ${mixed.length}`,
  );

  await nb.md`
    ## Complexity
    Run: $O(n)$ time, $O(1)$ space. LIS: $O(n \log n)$ time, $O(n)$ space (tails + predecessor
    links); the DP is $O(n^2)$ time.

    ## When not to use it
    If the question means the contiguous run, the LIS machinery is the wrong answer. If you must
    count the LIS or list all of them (LeetCode 673), keep the DP or a Fenwick tree over value
    ranks. For a weighted version (maximum-sum increasing subsequence) patience sorting does not
    apply; use a DP with a Fenwick tree / segment tree for max over a prefix of ranks.
  `;
});

/**
 * Notebook for Q06: quicksort.
 * Run: npm start -- run quicksort   (or: npx tsx notebooks/quicksort.ts)
 */
import {
  hoarePartition,
  lomutoPartition,
  pitfallFirstPivot,
  pitfallHoareNoProgress,
  pitfallHoareSkipsSplit,
  pitfallLomutoOnEqualKeys,
  pitfallRecurseBothSides,
  quicksort,
  quicksortWith,
  threeWayPartition,
  type QuicksortOptions,
} from '../algorithms/quicksort/index.js';
import { Counter } from '../core/counter.js';
import { rng } from '../core/random.js';
import { defineNotebook } from '../notebook/index.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Sorts a copy with the engineered quicksortWith and returns the counts. */
function measure(values: number[], options: QuicksortOptions, seed = 1) {
  const counter = new Counter();
  quicksortWith([...values], rng(seed), options, counter);
  return {
    comparisons: counter.get('comparisons'),
    maxDepth: counter.get('maxDepth'),
    heapsorts: counter.get('heapsorts'),
  };
}

export default defineNotebook(import.meta.url, 'quicksort', async (nb) => {
  await nb.md`
    ## The question
    *快速排序*: write quicksort, and be ready for the follow-ups: which partition, which pivot, why is
    it quadratic on sorted input, what about duplicates, how deep does the stack get.

    ## The intuition
    Pick a pivot; move smaller items before it and larger items after it (partition); sort both
    sides. If the pivot lands near the middle, there are about $\log_2 n$ levels of $n$
    comparisons each. If it is always the smallest item, there are $n$ levels:
    $\frac{n(n-1)}{2}$ comparisons.

    ## The answer on the whiteboard
    A random pivot from the passed-in generator, Hoare's two-pointer partition, both sides sorted
    recursively. This is the real function the answer key tests:
  `;
  await nb.source('algorithms/quicksort/index.ts', 'quicksort');
  const textbook = await nb.code(() => quicksort([5, 3, 8, 1, 9, 2, 7], rng(1)));
  await nb.check('quicksort([5, 3, 8, 1, 9, 2, 7], rng(1))', textbook.join(' '), '1 2 3 5 7 8 9');

  await nb.md`
    ## Two partitions
    **Lomuto** keeps a[lo..i) < pivot while j scans, with the pivot at hi, and finally swaps the
    pivot into a[i], its final place: recurse on [lo, p - 1] and [p + 1, hi].
  `;
  const lomuto = await nb.code(() => {
    const a = [3, 8, 2, 5, 1, 4, 7, 6];
    const p = lomutoPartition(a, 0, 7); // pivot 6
    return { p, a };
  });
  await nb.check('Lomuto puts pivot 6 at index p', lomuto.a[lomuto.p]!, 6);

  await nb.md`
    **Hoare** walks two pointers towards each other and swaps the pair that is on the wrong side. It
    returns j with a[lo..j] <= pivot <= a[j+1..hi]: the pivot is *not* necessarily at j. Recurse on
    [lo, j] and [j + 1, hi]. Copying Lomuto's [lo, j - 1] here is the classic bug: it skips a[j]
    (mis-sorts), and [lo, j - 1] with [j, hi] recurses on the same range forever when j = lo.
  `;
  const hoare = await nb.code(() => {
    const a = [3, 8, 2, 5, 1, 4, 7, 6];
    const j = hoarePartition(a, 0, 7); // pivot value 3
    return { j, a, pivotAt: a.indexOf(3) };
  });
  await nb.check('Hoare returns j = 1 while the pivot 3 sits at index', hoare.pivotAt, 4);
  const [left, right] = [hoare.a.slice(0, hoare.j + 1), hoare.a.slice(hoare.j + 1)];
  await nb.claim(
    'everything in [lo, j] <= everything in [j + 1, hi]',
    Math.max(...left) <= Math.min(...right),
    `[${left}] | [${right}]`,
  );
  await nb.md`
    The slip, run: \`pitfallHoareSkipsSplit\` partitions like Hoare but recurses like Lomuto.
  `;
  await nb.source('algorithms/quicksort/pitfalls.ts', 'pitfallHoareSkipsSplit');
  const skipped = await nb.code(() => pitfallHoareSkipsSplit([3, 1, 2]));
  await nb.check(
    'pitfallHoareSkipsSplit([3, 1, 2]) (wrong: 1 is never compared with 2)',
    skipped.join(' '),
    '2 1 3',
  );
  // pitfallHoareNoProgress recurses on [lo, j - 1] and [j, hi]; cut off after 4n + 4 partitions.
  const stuck = await nb.code(() => pitfallHoareNoProgress([3, 1, 2]));
  await nb.check(
    'pitfallHoareNoProgress([3, 1, 2]) (wrong: [1, 3] comes back forever)',
    stuck.join(' '),
    '2 1 3',
  );

  await nb.md`
    ## It sorts like the built-in
    Numbers are compared as numbers: JavaScript's default \`sort()\` compares strings, which is a
    pitfall of its own.
  `;
  const sorted = await nb.code(() => quicksort([10, 9, 1, 100, -3, 9], rng(1)));
  await nb.check('quicksort([10, 9, 1, 100, -3, 9])', sorted.join(', '), '-3, 1, 9, 9, 10, 100');
  await nb.check(
    '[10, 9, 1, 100].sort() (strings!)',
    [10, 9, 1, 100].sort().join(', '),
    '1, 10, 100, 9',
  );
  // Input: 10^5 standard normals from rng(2); the sort draws its pivots from rng(3).
  const random = rng(2);
  const big = Array.from({ length: 100_000 }, () => random.normal());
  const ours = quicksort([...big], rng(3));
  const builtin = [...big].sort((p, q) => p - q);
  await nb.claim(
    '10^5 normals: equal to Array.prototype.sort((a, b) => a - b)',
    ours.every((x, i) => x === builtin[i]),
    'element by element',
  );

  await nb.md`
    ## Why the first-element pivot is quadratic on sorted input
    On sorted input the first item is the minimum, so one side is empty and the other has $n - 1$
    items: $(n - 1) + (n - 2) + \dots + 1 = \frac{n(n-1)}{2}$ comparisons. A random pivot (from
    the passed-in generator) gives about $2 n \ln n \approx 1.39\, n \log_2 n$ on any input, in
    expectation. Inputs below: the sorted arrays $0, 1, \dots, n - 1$, Lomuto partition, no
    insertion-sort cutoff, no introsort, counted by \`quicksortWith\` with a \`Counter\`.
  `;
  const sizes = [250, 500, 1000, 2000, 4000];
  const rows = sizes.map((n) => {
    const first = measure(range(n), {
      partition: 'lomuto',
      pivot: 'first',
      introsort: false,
      insertionThreshold: 1,
    });
    const rand = measure(range(n), {
      partition: 'lomuto',
      pivot: 'random',
      introsort: false,
      insertionThreshold: 1,
    });
    return {
      n,
      'first pivot': first.comparisons,
      'n(n-1)/2': (n * (n - 1)) / 2,
      'random pivot': rand.comparisons,
      '1.39 n log2 n': Math.round(1.39 * n * Math.log2(n)),
    };
  });
  await nb.table(rows, 'Lomuto comparisons on sorted input (no cutoff, no introsort)');
  await nb.plot({
    kind: 'line',
    title: 'Comparisons on sorted input: first-element vs random pivot',
    x: { label: 'n', values: sizes, log: true },
    y: { label: 'comparisons', log: true },
    series: [
      { name: 'first pivot', values: rows.map((r) => r['first pivot']) },
      { name: 'random pivot', values: rows.map((r) => r['random pivot']) },
    ],
  });
  await nb.check(
    'first pivot at n = 4000 (exactly n(n - 1)/2)',
    rows.at(-1)!['first pivot'],
    (4000 * 3999) / 2,
  );
  // The same mistake as the module keeps it: pitfallFirstPivot (insertion-sort cutoff 16 left on).
  const firstPivot = new Counter();
  pitfallFirstPivot(range(4000), firstPivot);
  const ratio = firstPivot.get('comparisons') / ((4000 * 3999) / 2);
  await nb.claim(
    'pitfallFirstPivot on sorted 0..3999: still about n^2 / 2 comparisons',
    ratio > 0.9,
    `${firstPivot.get('comparisons')} = ${ratio.toFixed(3)} n(n - 1)/2`,
  );
  await nb.check(
    'random pivot at n = 4000, vs 1.39 n log2 n',
    rows.at(-1)!['random pivot'],
    rows.at(-1)!['1.39 n log2 n'],
    { tol: 0.2 * rows.at(-1)!['1.39 n log2 n'] },
  );

  await nb.md`
    ## Duplicates: why three-way partition wins
    With $k$ distinct values among $n$ items, Lomuto sends every item equal to the pivot to one
    side, so a block of equal items costs quadratic time (\`pitfallLomutoOnEqualKeys\`). Hoare
    stops on equal items and splits them evenly ($n \log n$). Three-way partition puts all items
    equal to the pivot in their final place at once: one pass per distinct value on each level,
    about $n (\log_2 k + 1)$. Inputs: $n = 10^4$ integers drawn uniformly from $1..k$ with
    \`rng(k)\`, random pivot, no introsort.
  `;
  const allEqual = new Counter();
  pitfallLomutoOnEqualKeys(new Array<number>(2000).fill(1), rng(1), allEqual);
  await nb.check(
    'pitfallLomutoOnEqualKeys on 2000 equal items: comparisons = n(n - 1)/2',
    allEqual.get('comparisons'),
    (2000 * 1999) / 2,
  );
  const n = 10_000;
  const dupRows = [1, 2, 10, 100, 10_000].map((k) => {
    const r = rng(k);
    const values = Array.from({ length: n }, () => r.integer(1, k));
    const count = (partition: 'lomuto' | 'hoare' | 'three-way') =>
      measure(values, { partition, introsort: false }).comparisons;
    return {
      'distinct values k': k,
      lomuto: count('lomuto'),
      hoare: count('hoare'),
      'three-way': count('three-way'),
      'n (log2 k + 1)': Math.round(n * (Math.log2(k) + 1)),
    };
  });
  await nb.table(
    dupRows,
    `comparisons for n = ${n} items with k distinct values (random pivot, no introsort)`,
  );
  await nb.check(
    'three-way on all-equal input: one pass of n comparisons',
    dupRows[0]!['three-way'],
    n,
  );
  await nb.claim(
    'with 10 distinct values three-way needs fewer comparisons than Hoare',
    dupRows[2]!['three-way'] < dupRows[2]!.hoare,
    `${dupRows[2]!['three-way']} vs ${dupRows[2]!.hoare}`,
  );
  const flag = threeWayPartition([2, 3, 2, 1, 2], 0, 4);
  await nb.check('three-way on [2, 3, 2, 1, 2]: the block equal to 2', flag.join('..'), '1..3');

  await nb.md`
    ## The stack: recurse on the smaller side, loop on the larger
    A recursive call on the smaller side gets at most half the items, so the depth is at most
    $\log_2 n + 1$ even when the time is quadratic. Recursing on both sides with a fixed pivot
    makes the depth $n$ on sorted input (\`pitfallRecurseBothSides\`), enough to overflow the call
    stack for $n$ in the tens of thousands. (The textbook recurses on both sides too, but its
    pivot is random: expected depth $O(\log n)$.) Introsort goes one step further: after
    $2 \lfloor \log_2 n \rfloor$ partitioning levels it heapsorts the range, so the time is
    $O(n \log n)$ too. Inputs: sorted $0..n-1$ with the first-item pivot, and a shuffle of it
    (\`rng(n)\`) with a random pivot.
  `;
  const deep = new Counter();
  pitfallRecurseBothSides(range(3000), deep);
  await nb.check('pitfallRecurseBothSides on sorted 0..2999: depth', deep.get('maxDepth'), 3000);
  const depthRows = [1_000, 3_000, 10_000].map((size) => {
    const plain = measure(range(size), { pivot: 'first', introsort: false });
    const intro = measure(range(size), { pivot: 'first' });
    const rand = measure(rng(size).shuffled(range(size)), {});
    return {
      n: size,
      'depth, random input': rand.maxDepth,
      'log2 n + 1': Number((Math.log2(size) + 1).toFixed(1)),
      'depth, sorted + first pivot': plain.maxDepth,
      'comparisons, sorted + first pivot': plain.comparisons,
      'with introsort': intro.comparisons,
      heapsorts: intro.heapsorts,
    };
  });
  await nb.table(
    depthRows,
    'measured recursion depth, and what introsort saves (first pivot on sorted input)',
  );
  await nb.claim(
    'depth <= log2 n + 1 in every row',
    depthRows.every(
      (r) =>
        r['depth, random input'] <= r['log2 n + 1'] &&
        r['depth, sorted + first pivot'] <= r['log2 n + 1'],
    ),
    depthRows
      .map(
        (r) =>
          `${r['depth, random input']}, ${r['depth, sorted + first pivot']} <= ${r['log2 n + 1']}`,
      )
      .join('; '),
  );
  const last = depthRows.at(-1)!;
  await nb.claim(
    'at n = 10^4 introsort turns ~n^2/2 comparisons into O(n log n)',
    last['with introsort'] < 4 * last.n * Math.log2(last.n),
    `${last['comparisons, sorted + first pivot']} -> ${last['with introsort']} (4 n log2 n = ${Math.round(4 * last.n * Math.log2(last.n))})`,
  );

  await nb.md`
    ## Complexity
    Expected $O(n \log n)$ comparisons with a random pivot, $O(n^2)$ worst case without introsort
    and $O(n \log n)$ with it; $O(\log n)$ extra space for the stack. Not stable.

    ## When not to use it
    When you need a stable sort (sort by a second key after a first), use merge sort or the built-in
    \`Array.prototype.sort\`, which has been stable since ES2019 (TimSort in V8) and adapts to runs
    in nearly sorted data. For a typed array in plain numeric order,
    \`TypedArray.prototype.sort\` is as fast (see the bench) and already written. For the k-th
    smallest item or the top k, use
    quickselect (one side only, O(n) expected) or a heap, not a full sort. For data that does not
    fit in memory, an external merge sort.
  `;
});

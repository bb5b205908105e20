/**
 * Notebook for Q02: search a target (and the minimum) in a rotated sorted array.
 * Run: npm start -- run rotated-array-search   (or: npx tsx notebooks/rotated-array-search.ts)
 */
import {
  findMinRotated,
  findMinRotatedWithDuplicates,
  pitfallMinAgainstLeftEnd,
  pitfallStrictHalfTest,
  searchRotated,
  searchRotatedCounted,
  searchRotatedWithDuplicates,
} from '../algorithms/rotated-array-search.js';
import { Counter } from '../core/counter.js';
import { defineNotebook } from '../notebook/index.js';

const rotate = (xs: readonly number[], k: number) => [...xs.slice(k), ...xs.slice(0, k)];
const evens = (n: number) => Array.from({ length: n }, (_, i) => 2 * i);

function probesOf(run: (counter: Counter) => unknown): number {
  const counter = new Counter();
  run(counter);
  return counter.get('probes');
}

export default defineNotebook(import.meta.url, 'rotated-array-search', async (nb) => {
  await nb.md`
    ## The question
    *旋转数组找 target*: a sorted array was rotated at an unknown offset, e.g. [0, 1, 2, 4, 5, 6, 7]
    became [4, 5, 6, 7, 0, 1, 2]. Find a target in O(log n) (LeetCode 33). Follow-ups: values may
    repeat (81, answer true / false), and find the minimum (153, and 154 with repeats).

    ## The intuition
    Cut the window $[lo, hi]$ at $mid$. The drop (7 -> 0 above) is in at most one of the two
    halves, so the other half is sorted, and its two ends say whether the target can be inside it.
    - $nums[lo] \le nums[mid]$: the left half ascends; the target $t$ is there iff
      $nums[lo] \le t < nums[mid]$.
    - otherwise the right half ascends; $t$ is there iff $nums[mid] < t \le nums[hi]$.
    The $\le$ matters: when the window has two elements, $mid = lo$ and the "left half" is one
    element. For the minimum, compare $nums[mid]$ with the **right** end: $nums[mid] > nums[hi]$
    means the drop, and so the minimum, is after $mid$; otherwise the minimum is at $mid$ or before.
    The answer an interviewer expects (LeetCode 33):
  `;
  await nb.source('algorithms/rotated-array-search.ts', 'searchRotated');
  await nb.md`
    Runs on $nums = [4, 5, 6, 7, 0, 1, 2]$ (targets 0, then the minimum), and on
    $[1, 1, 1, 1, 1, 2, 1]$ with repeats, target 2:
  `;

  const found = await nb.code(() => searchRotated([4, 5, 6, 7, 0, 1, 2], 0));
  await nb.check('searchRotated([4, 5, 6, 7, 0, 1, 2], 0)', found, 4);
  const minimum = await nb.code(() => findMinRotated([4, 5, 6, 7, 0, 1, 2]));
  await nb.check('findMinRotated([4, 5, 6, 7, 0, 1, 2])', minimum, 0);
  const hidden = await nb.code(() => searchRotatedWithDuplicates([1, 1, 1, 1, 1, 2, 1], 2));
  await nb.check(
    'with repeats, the 2 hidden behind nums[lo] = nums[mid] = nums[hi] = 1 is found',
    hidden,
    true,
  );

  await nb.md`
    ## Probes: $\log_2 n$ with distinct values, $n$ with an all-equal array
    One probe = one midpoint examined, counted by \`searchRotatedCounted\` (the same search as
    \`searchRotated\`, the answer key proves it, with a \`Counter\`). With distinct values each
    probe halves the window, so at most $\lfloor \log_2 n \rfloor + 1$ probes (the tests assert
    this for $n$ up to 5,000 and every offset). With repeats, $nums[lo] = nums[mid] = nums[hi]$ says
    nothing about where the drop is (in [1, 1, 1, 2, 1] and [1, 2, 1, 1, 1] the probes see the same
    three 1s), so the search can only drop the two ends. On an all-equal array with the target
    absent that is about $n / 2$ probes for 81, and $n - 1$ for 154: the worst case is $O(n)$, and
    no algorithm avoids it (the one different element can be anywhere). Below: $nums$ = the even
    numbers $0, 2, \dots, 2(n - 1)$ rotated by 0, 1, $\lfloor n / 3 \rfloor$ and $n - 1$, every
    target from $-1$ to $2n$; the all-equal arrays are $n$ sevens, target 8.
  `;
  const rows = [];
  for (const n of [16, 64, 256, 1024, 4096, 16384]) {
    // Worst case over every target (present and absent) at a few offsets.
    let worst = 0;
    for (const offset of [0, 1, Math.floor(n / 3), n - 1]) {
      const nums = rotate(evens(n), offset);
      for (let t = -1; t <= 2 * n; t++) {
        worst = Math.max(
          worst,
          probesOf((c) => searchRotatedCounted(nums, t, c)),
        );
      }
    }
    const same = new Array<number>(n).fill(7);
    rows.push({
      n,
      'searchRotated, worst': worst,
      'floor(log2 n) + 1': Math.floor(Math.log2(n)) + 1,
      'with repeats, all equal (81)': probesOf((c) => searchRotatedWithDuplicates(same, 8, c)),
      'min, all equal (154)': probesOf((c) => findMinRotatedWithDuplicates(same, c)),
    });
  }
  await nb.table(
    rows,
    'Probes to search or find the minimum (all-equal arrays are 7s, target 8 absent)',
  );
  await nb.plot({
    kind: 'line',
    title: 'Probes vs n: distinct values (log) against an all-equal array (linear)',
    x: { label: 'n', values: rows.map((r) => r.n), log: true },
    y: { label: 'probes', log: true },
    series: [
      {
        name: 'searchRotated (33), worst over targets',
        values: rows.map((r) => r['searchRotated, worst']),
      },
      {
        name: 'searchRotatedWithDuplicates (81), all equal',
        values: rows.map((r) => r['with repeats, all equal (81)']),
      },
      {
        name: 'findMinRotatedWithDuplicates (154), all equal',
        values: rows.map((r) => r['min, all equal (154)']),
      },
    ],
  });
  const last = rows.at(-1)!;
  await nb.check(
    'worst probes at n = 16384 (distinct) = floor(log2 n) + 1',
    last['searchRotated, worst'],
    15,
  );
  await nb.check(
    'all-equal, n = 16384: LeetCode 81 probes = n / 2',
    last['with repeats, all equal (81)'],
    8192,
  );
  await nb.check(
    'all-equal, n = 16384: LeetCode 154 probes = n - 1',
    last['min, all equal (154)'],
    16383,
  );

  await nb.md`
    ## The two classic wrong answers
    1. \`nums[lo] < nums[mid]\` instead of \`<=\` (\`pitfallStrictHalfTest\`). With two elements
       left, $mid = lo$, the test says "left half not sorted", and the code looks in the wrong half.
    2. For the minimum, comparing $nums[mid]$ with the **left** end (\`pitfallMinAgainstLeftEnd\`).
       $nums[mid] \ge nums[lo]$ is true both when the array is rotated and the drop is after $mid$,
       and when it is not rotated at all, so on [1, 2, 3] it walks right and returns 3.
  `;
  await nb.source('algorithms/rotated-array-search.ts', 'pitfallStrictHalfTest');
  await nb.md`

    Count how often each goes wrong over every rotation of [0, 2, ..., 2(n - 1)], n = 1..8, and
    every target (present or not). The \`<\` bug shows up in only a handful of cases (two-element
    windows that straddle the drop), so a few hand-picked examples miss it easily; a property over
    every offset and every target does not.
  `;
  const wrong = await nb.code(() => {
    let [searches, searchErrors, minimums, minErrors] = [0, 0, 0, 0];
    for (let n = 1; n <= 8; n++) {
      for (let k = 0; k < n; k++) {
        const nums = rotate(evens(n), k);
        for (let t = -1; t <= 2 * n; t++, searches++) {
          if (pitfallStrictHalfTest(nums, t) !== nums.indexOf(t)) searchErrors++;
        }
        minimums++;
        if (pitfallMinAgainstLeftEnd(nums) !== 0) minErrors++;
      }
    }
    return { searches, searchErrors, minimums, minErrors };
  });
  const { searches, searchErrors, minimums, minErrors } = wrong;
  await nb.claim(
    'the `<` pitfall gets some searches wrong',
    searchErrors > 0,
    `${searchErrors} of ${searches} wrong`,
  );
  await nb.claim(
    'the left-end pitfall gets some minimums wrong',
    minErrors > 0,
    `${minErrors} of ${minimums} wrong`,
  );
  await nb.check(
    'smallest counterexample: pitfallStrictHalfTest([3, 1], 1)',
    pitfallStrictHalfTest([3, 1], 1),
    -1,
  );
  await nb.check(
    'offset 0 counterexample: pitfallMinAgainstLeftEnd([1, 2, 3])',
    pitfallMinAgainstLeftEnd([1, 2, 3]),
    3,
  );

  await nb.md`
    ## Bad input
    \`nums\` must be an array and \`target\` an integer (NaN and 1.5 throw) in every version. The
    counted versions also check elements as they are probed, and each probe checks that
    $nums[lo], nums[mid], nums[hi]$ could come from a rotated sorted array (at most one descent
    around lo -> mid -> hi -> lo). That catches a lot of disorder for free, not all of it: an array
    out of order only where the search never looks is not detected (checking every element would be
    $O(n)$); call \`assertRotatedSorted\` first when the input is not trusted.

    ## Complexity
    33 and 153: $O(\log n)$ time, $O(1)$ space. 81 and 154: $O(\log n)$ on most inputs, $O(n)$
    worst case.

    ## When not to use it
    If you search the same array many times, find the rotation once (the index of the minimum,
    $O(\log n)$) and binary-search the right half with an ordinary lower bound; if the array has
    many repeats, a linear scan is simpler and has the same worst case. For one lookup in an
    unsorted array, a scan is $O(n)$ anyway and sorting first would cost $O(n \log n)$.
  `;
});

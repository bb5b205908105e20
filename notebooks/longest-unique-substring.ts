/**
 * Notebook for Q03: the longest substring without repeating characters.
 * Run: npm start -- run longest-unique-substring
 *   (or: npx tsx notebooks/longest-unique-substring.ts)
 */
import {
  longestUniqueSubstring,
  longestUniqueSubstringBruteForce,
  longestUniqueSubstringCounted,
  pitfallStaleLastSeen,
} from '../algorithms/longest-unique-substring.js';
import { Counter } from '../core/counter.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

/** Shows lone surrogates as \uXXXX so a cut emoji is visible instead of a replacement box. */
const visible = (s: string) =>
  s.replace(/[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase()}`);

export default defineNotebook(import.meta.url, 'longest-unique-substring', async (nb) => {
  await nb.md`
    ## The question
    *最长无重复子串*: the length of the longest substring of s with no repeated character
    (LeetCode 3), and here also which substring it is.

    ## The intuition
    Slide a window $[left, right]$ over $s$ and remember where each character was last seen. When
    $s[right]$ was last seen at position $p$ **inside the window** ($p \ge left$), move $left$ to
    $p + 1$: no window starting at or before $p$ can grow past $right$. Each character enters and
    leaves the window once, so the whole scan is $O(n)$. The answer an interviewer expects:
  `;
  await nb.source('algorithms/longest-unique-substring.ts', 'longestUniqueSubstring');
  await nb.md`Runs on "abcabcbb" and "pwwkew" (LeetCode's examples):`;
  const abc = await nb.code(() => longestUniqueSubstring('abcabcbb'));
  await nb.check('"abcabcbb": length', abc.length, 3);
  const pwwkew = await nb.code(() => longestUniqueSubstring('pwwkew'));
  await nb.check('"pwwkew": the window', pwwkew.substring, 'wke');

  await nb.md`
    ## The pitfall: a stale last-seen position
    Forget the $p \ge left$ check and "abba" goes wrong: at the second b, $left$ jumps to 2; at
    the second a, the last a is at 0, *before* the window, but the code sets $left = 1$, moving the
    window backwards over the repeated b, and reports "bba":
  `;
  await nb.source('algorithms/longest-unique-substring.ts', 'pitfallStaleLastSeen');
  const abba = await nb.code(() => ({
    correct: longestUniqueSubstring('abba'),
    withoutCheck: pitfallStaleLastSeen('abba'),
  }));
  await nb.check('"abba" with the check', abba.correct.length, 2);
  await nb.check('"abba" without it (wrong)', abba.withoutCheck.substring, 'bba');

  await nb.md`
    ## What is a character? UTF-16 code units vs code points
    JavaScript strings are UTF-16: \`s.length\` and \`s[i]\` count code units, and an emoji such as
    😀 (U+1F600) is two of them, a surrogate pair D83D DE00. LeetCode measures code units (its inputs
    are ASCII, where the two agree). A reader counts 😀 as one character, which is what code points
    (\`for...of\`, \`[...s]\`) give. The emoji of one Unicode block share their first unit, so in
    UTF-16 mode "😀🙂😃😄" has no repeat-free window longer than 3 units, and that window cuts a pair.
    \`longestUniqueSubstringCounted(s, mode)\` runs the same window in either unit (in 'utf16' mode
    it returns exactly the textbook's window; the answer key proves it). The strings of the table:
    'abba', '😀😀', 'a😀b', '🙂😀', '😀🙂😃😄', '中文中文字'.
  `;
  const rows = ['abba', '😀😀', 'a😀b', '🙂😀', '😀🙂😃😄', '中文中文字'].map((s) => {
    const units = longestUniqueSubstringCounted(s, 'utf16');
    const points = longestUniqueSubstringCounted(s, 'codepoint');
    return {
      s,
      'UTF-16 length': units.length,
      'UTF-16 window': visible(units.substring),
      'code-point length': points.length,
      'code-point window': points.substring,
    };
  });
  await nb.table(rows, 'Both modes on the same strings (a lone surrogate is shown as \\uXXXX)');
  await nb.check('"😀🙂😃😄" in code points', rows[4]!['code-point length'], 4);
  await nb.check(
    '"😀🙂😃😄" in UTF-16 code units (the code-point answer is larger)',
    rows[4]!['UTF-16 length'],
    3,
  );
  await nb.check(
    '"😀😀" in code units: 2 (the pair itself), in code points: 1',
    `${rows[1]!['UTF-16 length']} / ${rows[1]!['code-point length']}`,
    '2 / 1',
  );
  await nb.md`
    Neither mode is "what a user sees": 👍🏽 is two code points (a thumb and a skin tone) and a family
    emoji is several joined by U+200D. For user-perceived characters, split with
    \`Intl.Segmenter\` (granularity 'grapheme') first and run the same window over the pieces.
  `;

  await nb.md`
    ## Why the window beats the brute force, and by how much
    The naive answer extends a window from every start until a repeat: up to $n (k + 1)$ reads for
    an answer of length $k$, against $n$ for the sliding window. On random text over $m$ equally
    likely characters the run from a given start ends at the first repeat, which the birthday
    problem puts at about $\sqrt{\pi m / 2} + \frac{2}{3}$ characters read, so the brute force
    costs about $n \sqrt{\pi m / 2}$: the larger the alphabet, the larger the gap. (The answer
    $k$, the longest run over all starts, is longer than that typical run.) The steps below are
    characters read, counted by a \`Counter\` ('steps'), not timed (see \`npm run bench\` for
    times), on $n = 10{,}000$ random CJK characters drawn from an alphabet of $m$, seed 5.
  `;
  const work = await nb.code(() => {
    const r = rng(5);
    const n = 10_000;
    return [26, 200, 2000, 20000].map((m) => {
      const character = () => String.fromCharCode(0x4e00 + r.integer(0, m - 1));
      const s = Array.from({ length: n }, character).join('');
      const [window, brute] = [new Counter(), new Counter()];
      const k = longestUniqueSubstringCounted(s, 'utf16', window).length;
      longestUniqueSubstringBruteForce(s, 'utf16', brute);
      const [windowSteps, bruteSteps] = [window.get('steps'), brute.get('steps')];
      return {
        alphabet: m,
        'answer k': k,
        'window steps': windowSteps,
        'brute-force steps': bruteSteps,
        'brute / n': bruteSteps / n,
        'birthday sqrt(pi m / 2) + 2/3': Math.sqrt((Math.PI * m) / 2) + 2 / 3,
      };
    });
  });
  await nb.table(work, 'n = 10,000 random characters: answer length k and steps of each method');
  await nb.plot({
    kind: 'bar',
    title: 'Steps on 10,000 random characters, by alphabet size',
    categories: work.map((w) => `m = ${w.alphabet}`),
    y: { label: 'steps' },
    series: [
      { name: 'sliding window', values: work.map((w) => w['window steps']) },
      { name: 'brute force', values: work.map((w) => w['brute-force steps']) },
    ],
  });
  const mid = work[2]!;
  await nb.check(
    'm = 2000: characters read per start by the brute force vs the birthday estimate',
    mid['brute / n'],
    mid['birthday sqrt(pi m / 2) + 2/3'],
    { tol: 0.1 * mid['birthday sqrt(pi m / 2) + 2/3'] },
  );
  const big = work.at(-1)!;
  await nb.claim(
    'with a large alphabet the brute force reads over 10x more characters',
    big['brute-force steps'] > big['window steps'] * 10,
    `${big['brute-force steps']} vs ${big['window steps']} steps (k = ${big['answer k']})`,
  );
  const naive = longestUniqueSubstringBruteForce('pwwkew');
  await nb.check(
    'the brute force gives the same window on "pwwkew"',
    naive.substring,
    pwwkew.substring,
  );

  await nb.md`
    ## Complexity
    $O(n)$ time, $O(\min(n, \text{alphabet}))$ memory for the last-seen positions. The brute force
    is $O(n k)$, $O(n^2)$ when every character differs.

    ## When not to use it
    If the alphabet is tiny and known (say bytes), an array of 256 last-seen positions is faster
    than a Map, same algorithm. If "character" means grapheme, segment first (see above). If you
    need the longest substring with at most K distinct characters, or at most K repeats, the window
    is the same idea but moves left with a count per character rather than a last-seen position.
  `;
});

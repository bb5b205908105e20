/**
 * Answer key for Q03, longest substring without repeating characters (LeetCode 3). Read top-down:
 * worked examples in both modes (UTF-16 code units, Unicode code points), the textbook window and
 * every alternative against a brute force over every substring and against each other, invariants
 * of the returned window, the two modes told apart on astral characters, characters read counted as
 * bounds, then the stale-position pitfall rejected by the same property.
 * Input checks are in tests/inputs/longest-unique-substring.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  longestUniqueSubstring,
  longestUniqueSubstringBruteForce,
  longestUniqueSubstringCounted,
  pitfallStaleLastSeen,
  type CharacterMode,
  type UniqueWindow,
} from '../algorithms/longest-unique-substring.js';
import { Counter } from '../core/counter.js';
import { rejectsPitfall } from './support/answer-key.js';

/** The engineered window in a given mode, without a counter. */
const counted = (s: string, m: CharacterMode = 'utf16') => longestUniqueSubstringCounted(s, m);

/** The characters of s in each mode: code units by split(''), code points by Array.from. */
const charactersOf = (s: string, mode: CharacterMode) =>
  mode === 'utf16' ? s.split('') : Array.from(s);

/**
 * The oracle: try every substring (as a run of characters), keep the leftmost longest with all
 * characters distinct. O(n^3), for short strings only; shares no code with the module.
 */
function oracle(s: string, mode: CharacterMode): Omit<UniqueWindow, 'end'> {
  const chars = charactersOf(s, mode);
  let best = { length: 0, substring: '', start: 0 };
  for (let i = 0; i < chars.length; i++) {
    for (let j = i + 1; j <= chars.length; j++) {
      const piece = chars.slice(i, j);
      if (new Set(piece).size === piece.length && piece.length > best.length) {
        const start = chars.slice(0, i).join('').length;
        best = { length: piece.length, substring: piece.join(''), start };
      }
    }
  }
  return best;
}

/**
 * Letters, BMP characters and emoji that share a high surrogate (U+1F600..), so both modes differ
 * and repeats are frequent.
 */
const units = fc.constantFrom('a', 'b', 'c', 'd', '中', '😀', '🙂', '😃', '𝒳');
const text = fc.string({ unit: units, maxLength: 14 });
const mode = fc.constantFrom<CharacterMode>('utf16', 'codepoint');

type Longest = (s: string, mode: CharacterMode) => UniqueWindow;

/**
 * The property: the answer (length, leftmost window) equals the brute force over every substring,
 * in the given modes (the textbook answer and the pitfall count UTF-16 code units only).
 */
const matchesOracle = (longest: Longest, modes = mode) =>
  fc.property(text, modes, (s, m) => {
    const got = longest(s, m);
    const want = oracle(s, m);
    const sameLength = got.length === want.length;
    return sameLength && got.substring === want.substring && got.start === want.start;
  });
const utf16Only = fc.constant<CharacterMode>('utf16');

describe('worked examples', () => {
  it('"abcabcbb" -> 3 ("abc"), "bbbbb" -> 1, "pwwkew" -> 3 ("wke"), "" -> 0', () => {
    const abc = { length: 3, start: 0, end: 3, substring: 'abc' };
    expect(longestUniqueSubstring('abcabcbb')).toEqual(abc);
    expect(longestUniqueSubstring('bbbbb').length).toBe(1);
    const wke = { length: 3, start: 2, end: 5, substring: 'wke' };
    expect(longestUniqueSubstring('pwwkew')).toEqual(wke);
    expect(longestUniqueSubstring('')).toEqual({ length: 0, start: 0, end: 0, substring: '' });
  });

  it('"abba" -> 2: the first a is before the window when the second a arrives', () => {
    const ab = { length: 2, start: 0, end: 2, substring: 'ab' };
    expect(longestUniqueSubstring('abba')).toEqual(ab);
  });

  it.each([
    ['😀😀', 1, 2],
    ['a😀b', 3, 4],
    ['🙂😀', 2, 3],
    ['😀🙂😃😄', 4, 3],
  ])('%s: %i code points, %i UTF-16 code units', (s, codePoints, codeUnits) => {
    expect(counted(s, 'codepoint').length).toBe(codePoints);
    expect(counted(s, 'utf16').length).toBe(codeUnits);
    expect(longestUniqueSubstring(s).length).toBe(codeUnits); // the textbook counts code units
  });

  it('in code-point mode the window is whole characters; in UTF-16 mode it may cut a surrogate pair', () => {
    expect(counted('😀🙂😃😄', 'codepoint').substring).toBe('😀🙂😃😄');
    const codeUnits = longestUniqueSubstring('😀🙂😃😄');
    expect(codeUnits.substring).toBe('\uDE00\uD83D\uDE42'); // low half of 😀, then 🙂
    expect([codeUnits.start, codeUnits.end]).toEqual([1, 4]);
  });

  it('the stale-position pitfall says 3 on "abba" ("bba")', () => {
    expect(pitfallStaleLastSeen('abba')).toEqual({ length: 3, start: 1, end: 4, substring: 'bba' });
  });
});

describe('oracle: brute force over every substring', () => {
  it('the textbook sliding window gives the same length and leftmost window (UTF-16)', () => {
    fc.assert(
      matchesOracle((s) => longestUniqueSubstring(s), utf16Only),
      { numRuns: 400 },
    );
  });

  it('so does the counted window, in both modes', () => {
    fc.assert(matchesOracle(counted), { numRuns: 400 });
  });

  it('so does the naive extend-until-repeat version (the bench baseline), in both modes', () => {
    fc.assert(
      matchesOracle((s, m) => longestUniqueSubstringBruteForce(s, m)),
      { numRuns: 200 },
    );
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 12 }), mode], { numRuns: 200 })(
    'also on arbitrary code points, lone surrogates included',
    (s, m) => {
      expect(counted(s, m).length).toBe(oracle(s, m).length);
      if (m === 'utf16') expect(longestUniqueSubstring(s).length).toBe(oracle(s, m).length);
    },
  );
});

describe('every alternative equals the textbook answer', () => {
  test.prop([fc.string({ unit: 'binary', maxLength: 200 })], { numRuns: 300 })(
    'in UTF-16 mode the counted window and the brute force return exactly the textbook window',
    (s) => {
      const textbook = longestUniqueSubstring(s);
      expect(longestUniqueSubstringCounted(s, 'utf16', new Counter())).toEqual(textbook);
      expect(longestUniqueSubstringBruteForce(s)).toEqual(textbook);
    },
  );
});

describe('invariants of the returned window', () => {
  test.prop([fc.string({ unit: 'binary', maxLength: 60 }), mode], { numRuns: 300 })(
    'it is a real substring, s.slice(start, end), whose `length` characters are all distinct',
    (s, m) => {
      const w = counted(s, m);
      expect(s.slice(w.start, w.end)).toBe(w.substring);
      const chars = charactersOf(w.substring, m);
      expect(chars).toHaveLength(w.length);
      expect(new Set(chars).size).toBe(w.length);
    },
  );

  test.prop([fc.string({ unit: 'binary', maxLength: 60 }), mode], { numRuns: 300 })(
    'its length is at most the number of distinct characters and at most the number of characters',
    (s, m) => {
      const chars = charactersOf(s, m);
      const { length } = counted(s, m);
      expect(length).toBeLessThanOrEqual(new Set(chars).size);
      expect(length).toBeLessThanOrEqual(chars.length);
      if (chars.length > 0) expect(length).toBeGreaterThanOrEqual(1);
    },
  );

  test.prop([text, text, mode], { numRuns: 300 })(
    'appending characters never makes the answer shorter',
    (s, more, m) => {
      expect(counted(s + more, m).length).toBeGreaterThanOrEqual(counted(s, m).length);
    },
  );

  const bmp = fc.constantFrom('a', 'b', 'c', 'é', '中', 'ß', ' ');
  test.prop([fc.string({ unit: bmp, maxLength: 40 })], { numRuns: 200 })(
    'without astral characters the two modes agree exactly',
    (s) => {
      expect(counted(s, 'codepoint')).toEqual(counted(s, 'utf16'));
    },
  );

  const emojiOfOneBlock = fc.constantFrom('😀', '🙂', '😃', '😄', '😅');
  test.prop([fc.array(emojiOfOneBlock, { minLength: 2, maxLength: 30 })], { numRuns: 200 })(
    'on 2+ emoji of one block, UTF-16 mode never exceeds 3 units (they share a high surrogate)',
    (emoji) => {
      const s = emoji.join('');
      expect(longestUniqueSubstring(s).length).toBeLessThanOrEqual(3);
      expect(counted(s, 'codepoint').length).toBe(oracle(s, 'codepoint').length);
    },
  );
});

describe('complexity: characters read, counted', () => {
  test.prop([fc.string({ unit: 'binary', maxLength: 300 }), mode], { numRuns: 200 })(
    'the sliding window reads each character at most once; the brute force at most n (k + 1) times',
    (s, m) => {
      const n = charactersOf(s, m).length;
      const [window, brute] = [new Counter(), new Counter()];
      const { length: k } = longestUniqueSubstringCounted(s, m, window);
      longestUniqueSubstringBruteForce(s, m, brute);
      expect(window.get('steps')).toBeLessThanOrEqual(n);
      expect(brute.get('steps')).toBeLessThanOrEqual(n * (k + 1));
      expect(brute.get('steps')).toBeGreaterThanOrEqual(n);
    },
  );

  it("all-distinct text is the brute force's worst case: at least n (n + 1) / 2 reads, against n", () => {
    const s = Array.from({ length: 500 }, (_, i) => String.fromCharCode(0x4e00 + i)).join('');
    const [window, brute] = [new Counter(), new Counter()];
    longestUniqueSubstringCounted(s, 'utf16', window);
    longestUniqueSubstringBruteForce(s, 'utf16', brute);
    expect(window.get('steps')).toBeLessThanOrEqual(500);
    expect(brute.get('steps')).toBeGreaterThanOrEqual((500 * 501) / 2);
  });
});

describe('the common wrong answer is rejected by the same property', () => {
  it('the window without `last[c] >= left` (a stale position pulls left back) fails the oracle', () => {
    const property = matchesOracle((s) => pitfallStaleLastSeen(s), utf16Only);
    rejectsPitfall(property, { numRuns: 400, seed: 3 });
  });
});

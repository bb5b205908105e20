/**
 * Answer key for Q03, longest substring without repeating characters (LeetCode 3). Read top-down:
 * worked examples in both modes (UTF-16 code units, Unicode code points), the sliding window against
 * a brute force over every substring, invariants of the returned window, the two modes told apart on
 * astral characters, the stale-position variant rejected by the same property, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  longestUniqueSubstring,
  longestUniqueSubstringBruteForce,
  longestUniqueSubstringStaleVariant,
  type CharacterMode,
  type UniqueWindow,
} from '../algorithms/longest-unique-substring.js';
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';

/** The characters of s in each mode: code units by split(''), code points by Array.from. */
const charactersOf = (s: string, mode: CharacterMode) => (mode === 'utf16' ? s.split('') : Array.from(s));

/**
 * The oracle: try every substring (as a run of characters), keep the leftmost longest with all
 * characters distinct. O(n^3), for short strings only; shares no code with the module.
 */
function oracle(s: string, mode: CharacterMode): { length: number; substring: string; start: number } {
  const chars = charactersOf(s, mode);
  let best = { length: 0, substring: '', start: 0 };
  for (let i = 0; i < chars.length; i++) {
    for (let j = i + 1; j <= chars.length; j++) {
      const piece = chars.slice(i, j);
      if (new Set(piece).size === piece.length && piece.length > best.length) {
        best = { length: piece.length, substring: piece.join(''), start: chars.slice(0, i).join('').length };
      }
    }
  }
  return best;
}

/** Letters, BMP characters and emoji that share a high surrogate (U+1F600..), so both modes differ and repeats are frequent. */
const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', '中', '😀', '🙂', '😃', '𝒳'), maxLength: 14 });
const mode = fc.constantFrom<CharacterMode>('utf16', 'codepoint');

type Longest = (s: string, mode: CharacterMode) => UniqueWindow;

/** The property: the answer (length, leftmost window) equals the brute force over every substring. */
const matchesOracle = (longest: Longest) =>
  fc.property(text, mode, (s, m) => {
    const got = longest(s, m);
    const want = oracle(s, m);
    return got.length === want.length && got.substring === want.substring && got.start === want.start;
  });

describe('worked examples', () => {
  it('"abcabcbb" -> 3 ("abc"), "bbbbb" -> 1, "pwwkew" -> 3 ("wke"), "" -> 0', () => {
    expect(longestUniqueSubstring('abcabcbb')).toEqual({ length: 3, start: 0, end: 3, substring: 'abc' });
    expect(longestUniqueSubstring('bbbbb').length).toBe(1);
    expect(longestUniqueSubstring('pwwkew')).toEqual({ length: 3, start: 2, end: 5, substring: 'wke' });
    expect(longestUniqueSubstring('')).toEqual({ length: 0, start: 0, end: 0, substring: '' });
  });

  it('"abba" -> 2: the first a is before the window when the second a arrives', () => {
    expect(longestUniqueSubstring('abba')).toEqual({ length: 2, start: 0, end: 2, substring: 'ab' });
  });

  it.each([
    ['😀😀', 1, 2],
    ['a😀b', 3, 4],
    ['🙂😀', 2, 3],
    ['😀🙂😃😄', 4, 3],
  ])('%s: %i code points, %i UTF-16 code units', (s, codePoints, codeUnits) => {
    expect(longestUniqueSubstring(s, 'codepoint').length).toBe(codePoints);
    expect(longestUniqueSubstring(s, 'utf16').length).toBe(codeUnits);
    expect(longestUniqueSubstring(s).length).toBe(codeUnits); // utf16 is the default, as on LeetCode
  });

  it('in code-point mode the window is whole characters; in UTF-16 mode it may cut a surrogate pair', () => {
    expect(longestUniqueSubstring('😀🙂😃😄', 'codepoint').substring).toBe('😀🙂😃😄');
    const units = longestUniqueSubstring('😀🙂😃😄', 'utf16');
    expect(units.substring).toBe('\uDE00\uD83D\uDE42'); // low half of 😀, then 🙂
    expect([units.start, units.end]).toEqual([1, 4]);
  });

  it('the stale variant says 3 on "abba"', () => {
    expect(longestUniqueSubstringStaleVariant('abba').length).toBe(3);
  });
});

describe('oracle: brute force over every substring, both modes', () => {
  it('the sliding window gives the same length and the same leftmost window', () => {
    fc.assert(matchesOracle(longestUniqueSubstring), { numRuns: 400 });
  });

  it('so does the naive extend-until-repeat version (the bench baseline)', () => {
    fc.assert(matchesOracle(longestUniqueSubstringBruteForce), { numRuns: 200 });
  });

  it('the variant without `last[c] >= left` is rejected by the same property', () => {
    expect(fc.check(matchesOracle(longestUniqueSubstringStaleVariant), { numRuns: 400, seed: 3 }).failed).toBe(true);
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 12 }), mode], { numRuns: 200 })('also on arbitrary code points, lone surrogates included', (s, m) => {
    expect(longestUniqueSubstring(s, m).length).toBe(oracle(s, m).length);
  });
});

describe('invariants of the returned window', () => {
  test.prop([fc.string({ unit: 'binary', maxLength: 60 }), mode], { numRuns: 300 })(
    'it is a real substring, s.slice(start, end), whose `length` characters are all distinct',
    (s, m) => {
      const w = longestUniqueSubstring(s, m);
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
      const { length } = longestUniqueSubstring(s, m);
      expect(length).toBeLessThanOrEqual(new Set(chars).size);
      expect(length).toBeLessThanOrEqual(chars.length);
      if (chars.length > 0) expect(length).toBeGreaterThanOrEqual(1);
    },
  );

  test.prop([text, text, mode], { numRuns: 300 })('appending characters never makes the answer shorter', (s, more, m) => {
    expect(longestUniqueSubstring(s + more, m).length).toBeGreaterThanOrEqual(longestUniqueSubstring(s, m).length);
  });

  test.prop([fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '中', 'ß', ' '), maxLength: 40 })], { numRuns: 200 })(
    'without astral characters the two modes agree exactly',
    (s) => {
      expect(longestUniqueSubstring(s, 'codepoint')).toEqual(longestUniqueSubstring(s, 'utf16'));
    },
  );

  test.prop([fc.array(fc.constantFrom('😀', '🙂', '😃', '😄', '😅'), { minLength: 2, maxLength: 30 })], { numRuns: 200 })(
    'on strings of 2+ emoji from one block, UTF-16 mode never exceeds 3 units (they share a high surrogate)',
    (emoji) => {
      const s = emoji.join('');
      expect(longestUniqueSubstring(s, 'utf16').length).toBeLessThanOrEqual(3);
      expect(longestUniqueSubstring(s, 'codepoint').length).toBe(oracle(s, 'codepoint').length);
    },
  );
});

describe('complexity: characters read, counted', () => {
  test.prop([fc.string({ unit: 'binary', maxLength: 300 }), mode], { numRuns: 200 })(
    'the sliding window reads each character exactly once; the brute force at most n (k + 1) times',
    (s, m) => {
      const n = charactersOf(s, m).length;
      const [window, brute] = [{ steps: 0 }, { steps: 0 }];
      const { length: k } = longestUniqueSubstring(s, m, window);
      longestUniqueSubstringBruteForce(s, m, brute);
      expect(window.steps).toBe(n);
      expect(brute.steps).toBeLessThanOrEqual(n * (k + 1));
      expect(brute.steps).toBeGreaterThanOrEqual(n);
    },
  );

  it('all-distinct text is the brute force\'s worst case: n (n + 1) / 2 reads against n', () => {
    const s = Array.from({ length: 500 }, (_, i) => String.fromCharCode(0x4e00 + i)).join('');
    const [window, brute] = [{ steps: 0 }, { steps: 0 }];
    longestUniqueSubstring(s, 'utf16', window);
    longestUniqueSubstringBruteForce(s, 'utf16', brute);
    expect(window.steps).toBe(500);
    expect(brute.steps).toBe((500 * 501) / 2);
  });
});

describe('bad input gets a typed error naming the argument', () => {
  it('s must be a string', () => {
    expect(() => longestUniqueSubstring(42 as unknown as string)).toThrow(ArgumentTypeError);
    expect(() => longestUniqueSubstring(42 as unknown as string)).toThrow('s: got 42, expected a string');
    expect(() => longestUniqueSubstring(['a', 'b'] as unknown as string)).toThrow('s: got an array of length 2, expected a string');
    expect(() => longestUniqueSubstringBruteForce(null as unknown as string)).toThrow(ArgumentTypeError);
  });

  it("mode must be 'utf16' or 'codepoint'", () => {
    expect(() => longestUniqueSubstring('abc', 'grapheme' as CharacterMode)).toThrow(ArgumentError);
    expect(() => longestUniqueSubstring('abc', 'grapheme' as CharacterMode)).toThrow("mode: got \"grapheme\", expected 'utf16' or 'codepoint'");
  });
});

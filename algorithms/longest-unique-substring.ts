/**
 * The longest substring without a repeated character, with the window itself, not only its length.
 * Answers: Q03 (最长无重复子串), LeetCode 3.
 *
 * The idea in two lines: slide a window [left, right]; remember where each character was last
 * seen, and when s[right] was last seen INSIDE the window (last >= left), move left just past it.
 * The check `last >= left` is the whole trick: a stale position before the window must not pull left back.
 *
 * What is a "character"? Two modes, because the answers differ on emoji and other astral characters:
 * - 'utf16' (default): UTF-16 code units, what `s.length` and `s[i]` count and what LeetCode measures.
 *   An astral character such as "😀" is two units (a surrogate pair), and all of U+1F600..U+1F64F
 *   share the first one, so "😀🙂" has no repeat-free window longer than 3 units and a window may
 *   cut a pair in half.
 * - 'codepoint': Unicode code points, what `for...of` and `[...s]` iterate and what a reader expects:
 *   "😀🙂" is 2 distinct characters. (Neither mode is user-perceived characters: "👍🏽" is two code
 *   points; segment with Intl.Segmenter first if graphemes are what you mean.)
 *
 * The window returned is the leftmost longest one; `start` and `end` are UTF-16 offsets in both
 * modes, so `s.slice(start, end)` is always the window, and `length` is counted in the mode's unit.
 *
 * Complexity: O(n) time (each character is read once, enters and leaves the window once),
 * O(min(n, alphabet)) extra memory for the last-seen positions. Pass a `StepCounter` to count reads:
 * exactly n for the window, up to n (k + 1) for the brute force with an answer of length k.
 *
 * @example
 *   longestUniqueSubstring('abcabcbb')              // { length: 3, start: 0, end: 3, substring: 'abc' }
 *   longestUniqueSubstring('abba').length           // 2 (not 3: the first 'a' is stale)
 *   longestUniqueSubstring('😀🙂', 'codepoint').length // 2
 *   longestUniqueSubstring('😀🙂').length              // 3 (UTF-16 code units)
 */
import { ArgumentError, ArgumentTypeError } from '../core/errors.js';

export type CharacterMode = 'utf16' | 'codepoint';

/** Counts characters read (one step = one character looked at). Incremented, never reset. */
export interface StepCounter {
  steps: number;
}

export interface UniqueWindow {
  /** Characters in the window, counted in the mode's unit (code units or code points). */
  length: number;
  /** UTF-16 offsets: s.slice(start, end) is the window. */
  start: number;
  end: number;
  substring: string;
}

function check(s: unknown, mode: unknown): asserts s is string {
  if (typeof s !== 'string') throw new ArgumentTypeError('s', s, 'a string');
  if (mode !== 'utf16' && mode !== 'codepoint') throw new ArgumentError('mode', mode, "'utf16' or 'codepoint'");
}

/** The character at UTF-16 offset i in the mode's unit: [its key, its width in code units]. */
function characterAt(s: string, i: number, mode: CharacterMode): [key: number, width: number] {
  if (mode === 'utf16') return [s.charCodeAt(i), 1];
  const cp = s.codePointAt(i) as number; // a lone surrogate comes back as itself, width 1
  return [cp, cp > 0xffff ? 2 : 1];
}

function slidingWindow(s: string, mode: CharacterMode, staleCheck: boolean, counter?: StepCounter): UniqueWindow {
  // Where each character was last seen: its index (in characters) and its UTF-16 offset.
  const lastIndex = new Map<number, number>();
  const lastOffset = new Map<number, number>();
  let [left, leftOffset] = [0, 0]; // the window starts at character `left`, UTF-16 offset `leftOffset`
  let best: UniqueWindow = { length: 0, start: 0, end: 0, substring: '' };
  for (let right = 0, offset = 0; offset < s.length; right++) {
    const [key, width] = characterAt(s, offset, mode);
    if (counter) counter.steps++;
    const seen = lastIndex.get(key);
    // Only a copy inside the window is a repeat: last[c] >= left. Without the check, "abba" moves
    // left back to 1 at the second 'a' and reports "bba".
    if (seen !== undefined && (!staleCheck || seen >= left)) {
      left = seen + 1;
      leftOffset = (lastOffset.get(key) as number) + width; // the copy had the same width
    }
    lastIndex.set(key, right);
    lastOffset.set(key, offset);
    offset += width;
    if (right - left + 1 > best.length) best = { length: right - left + 1, start: leftOffset, end: offset, substring: '' };
  }
  best.substring = s.slice(best.start, best.end);
  return best;
}

/** LeetCode 3 with the window: the leftmost longest substring of s with no repeated character. O(n). */
export function longestUniqueSubstring(s: string, mode: CharacterMode = 'utf16', counter?: StepCounter): UniqueWindow {
  check(s, mode);
  return slidingWindow(s, mode, true, counter);
}

/**
 * The naive answer, for comparison: from every start, extend until a character repeats.
 * O(n k) time for an answer of length k (O(n^2) when all characters differ).
 */
export function longestUniqueSubstringBruteForce(s: string, mode: CharacterMode = 'utf16', counter?: StepCounter): UniqueWindow {
  check(s, mode);
  let best: UniqueWindow = { length: 0, start: 0, end: 0, substring: '' };
  for (let start = 0; start < s.length; start += characterAt(s, start, mode)[1]) {
    const seen = new Set<number>();
    let end = start;
    while (end < s.length) {
      const [key, width] = characterAt(s, end, mode);
      if (counter) counter.steps++;
      if (seen.has(key)) break;
      seen.add(key);
      end += width;
    }
    if (seen.size > best.length) best = { length: seen.size, start, end, substring: '' };
  }
  best.substring = s.slice(best.start, best.end);
  return best;
}

/**
 * WRONG, kept to be rejected by the tests: the sliding window without the `last[c] >= left` check.
 * A stale position from before the window moves left backwards: on "abba" it returns 3 ("bba").
 */
export function longestUniqueSubstringStaleVariant(s: string, mode: CharacterMode = 'utf16'): UniqueWindow {
  check(s, mode);
  return slidingWindow(s, mode, false);
}

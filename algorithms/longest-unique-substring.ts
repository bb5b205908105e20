/**
 * The longest substring without a repeated character, with the window itself, not only its length.
 * Answers: Q03 (最长无重复子串), LeetCode 3.
 *
 * The idea in two lines: slide a window [left, right]; remember where each character was last
 * seen, and when s[right] was last seen INSIDE the window (last >= left), move left just past it.
 * The check `last >= left` is the whole trick: a stale position before the window must not pull
 * left back.
 *
 * Complexity: O(n) time (each character is read once, enters and leaves the window once),
 * O(min(n, alphabet)) extra memory for the last-seen positions.
 *
 * `longestUniqueSubstring` is the textbook answer, in UTF-16 code units (what `s.length` and
 * `s[i]` count and what LeetCode measures). Named alternatives follow, proven equal to it in the
 * answer key:
 * - `longestUniqueSubstringCounted(s, mode, counter?)`: the same window with characters read
 *   counted ('steps'), in either unit:
 *   - 'utf16': code units, as the textbook. An astral character such as "😀" is two units (a
 *     surrogate pair), and all of U+1F600..U+1F64F share the first one, so "😀🙂" has no
 *     repeat-free window longer than 3 units and a window may cut a pair in half.
 *   - 'codepoint': Unicode code points, what `for...of` and `[...s]` iterate and what a reader
 *     expects: "😀🙂" is 2 distinct characters. (Neither mode is user-perceived characters: "👍🏽" is
 *     two code points; segment with Intl.Segmenter first if graphemes are what you mean.)
 * - `longestUniqueSubstringBruteForce`: from every start, extend until a repeat (O(n k)).
 * - `pitfallStaleLastSeen`: the window without `last >= left`, a common wrong answer.
 *
 * Every version returns the leftmost longest window; `start` and `end` are UTF-16 offsets in both
 * modes, so `s.slice(start, end)` is always the window, and `length` is counted in the mode's unit.
 *
 * @example
 *   longestUniqueSubstring('abcabcbb')      // { length: 3, start: 0, end: 3, substring: 'abc' }
 *   longestUniqueSubstring('abba').length   // 2 (not 3: the first 'a' is stale)
 *   longestUniqueSubstringCounted('😀🙂', 'codepoint').length // 2
 *   longestUniqueSubstring('😀🙂').length                     // 3 (UTF-16 code units)
 */
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { ArgumentTypeError, assertOneOf } from '../core/errors.js';

export interface UniqueWindow {
  /** Characters in the window, counted in the mode's unit (code units or code points). */
  length: number;
  /** UTF-16 offsets: s.slice(start, end) is the window. */
  start: number;
  end: number;
  substring: string;
}

/** LeetCode 3 with the window: the leftmost longest substring of s with no repeated character. */
export function longestUniqueSubstring(s: string): UniqueWindow {
  assertString(s);
  const last = new Map<string, number>(); // where each character was last seen
  let left = 0; // the window is s[left..right]
  let [start, end] = [0, 0]; // the best window so far, s.slice(start, end)
  for (let right = 0; right < s.length; right++) {
    const seen = last.get(s[right]!);
    // Only a copy inside the window is a repeat: a stale one before `left` must not pull it back.
    if (seen !== undefined && seen >= left) left = seen + 1;
    last.set(s[right]!, right);
    if (right + 1 - left > end - start) [start, end] = [left, right + 1];
  }
  return { length: end - start, start, end, substring: s.slice(start, end) };
}

export type CharacterMode = 'utf16' | 'codepoint';

function assertString(s: unknown): asserts s is string {
  if (typeof s !== 'string') throw new ArgumentTypeError('s', s, 'a string');
}

function assertArguments(s: unknown, mode: unknown, counter: unknown): asserts s is string {
  assertString(s);
  assertOneOf('mode', mode, ['utf16', 'codepoint'] as const);
  assertOptionalCounter('counter', counter);
}

/** The character at UTF-16 offset i in the mode's unit: [its key, its width in code units]. */
function characterAt(s: string, i: number, mode: CharacterMode): [key: number, width: number] {
  if (mode === 'utf16') return [s.charCodeAt(i), 1];
  const cp = s.codePointAt(i) as number; // a lone surrogate comes back as itself, width 1
  return [cp, cp > 0xffff ? 2 : 1];
}

/**
 * The sliding window in either unit, characters read counted ('steps', one per character looked
 * at). In 'utf16' mode it returns exactly what `longestUniqueSubstring` returns.
 */
export function longestUniqueSubstringCounted(
  s: string,
  mode: CharacterMode = 'utf16',
  counter?: Counter,
): UniqueWindow {
  assertArguments(s, mode, counter);
  // Where each character was last seen: its index (in characters) and its UTF-16 offset.
  const lastIndex = new Map<number, number>();
  const lastOffset = new Map<number, number>();
  // the window starts at character `left`, UTF-16 offset `leftOffset`
  let [left, leftOffset] = [0, 0];
  let best: UniqueWindow = { length: 0, start: 0, end: 0, substring: '' };
  for (let right = 0, offset = 0; offset < s.length; right++) {
    const [key, width] = characterAt(s, offset, mode);
    counter?.add('steps');
    const seen = lastIndex.get(key);
    // Only a copy inside the window is a repeat: last[c] >= left.
    if (seen !== undefined && seen >= left) {
      left = seen + 1;
      leftOffset = (lastOffset.get(key) as number) + width; // the copy had the same width
    }
    lastIndex.set(key, right);
    lastOffset.set(key, offset);
    offset += width;
    const length = right - left + 1;
    if (length > best.length) best = { length, start: leftOffset, end: offset, substring: '' };
  }
  best.substring = s.slice(best.start, best.end);
  return best;
}

/**
 * The naive answer, for comparison: from every start, extend until a character repeats.
 * O(n k) time for an answer of length k (O(n^2) when all characters differ).
 */
export function longestUniqueSubstringBruteForce(
  s: string,
  mode: CharacterMode = 'utf16',
  counter?: Counter,
): UniqueWindow {
  assertArguments(s, mode, counter);
  let best: UniqueWindow = { length: 0, start: 0, end: 0, substring: '' };
  for (let start = 0; start < s.length; start += characterAt(s, start, mode)[1]) {
    const seen = new Set<number>();
    let end = start;
    while (end < s.length) {
      const [key, width] = characterAt(s, end, mode);
      counter?.add('steps');
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
 * Pitfall: the sliding window without the `last >= left` check. A stale position from before the
 * window moves left backwards: on "abba" it returns 3 ("bba").
 */
export function pitfallStaleLastSeen(s: string): UniqueWindow {
  assertString(s);
  const last = new Map<string, number>();
  let left = 0;
  let [start, end] = [0, 0];
  for (let right = 0; right < s.length; right++) {
    const seen = last.get(s[right]!);
    if (seen !== undefined) left = seen + 1; // wrong: a copy before `left` is not in the window
    last.set(s[right]!, right);
    if (right + 1 - left > end - start) [start, end] = [left, right + 1];
  }
  return { length: end - start, start, end, substring: s.slice(start, end) };
}

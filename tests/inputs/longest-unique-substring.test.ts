/**
 * Input checks of Q03's module: each bad call is rejected with the project's error class and the
 * name of the argument at fault (whole messages are not pinned).
 */
import { describe } from 'vitest';
import {
  longestUniqueSubstring,
  longestUniqueSubstringBruteForce,
  longestUniqueSubstringCounted,
  pitfallStaleLastSeen,
} from '../../algorithms/longest-unique-substring.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { badCalls } from '../support/answer-key.js';

const junk = (x: unknown) => x as never;

for (const [name, longest] of [
  ['longestUniqueSubstring', longestUniqueSubstring],
  ['longestUniqueSubstringCounted', longestUniqueSubstringCounted],
  ['longestUniqueSubstringBruteForce', longestUniqueSubstringBruteForce],
  ['pitfallStaleLastSeen', pitfallStaleLastSeen],
] as const) {
  describe(name, () => {
    badCalls([
      ['s a number', () => longest(junk(42)), 's', ArgumentTypeError],
      ['s an array of characters', () => longest(junk(['a', 'b'])), 's', ArgumentTypeError],
      ['s null', () => longest(junk(null)), 's', ArgumentTypeError],
    ]);
  });
}

for (const [name, longest] of [
  ['longestUniqueSubstringCounted', longestUniqueSubstringCounted],
  ['longestUniqueSubstringBruteForce', longestUniqueSubstringBruteForce],
] as const) {
  describe(`${name}: mode and counter`, () => {
    badCalls([
      ["mode 'grapheme'", () => longest('abc', junk('grapheme')), 'mode'],
      ['mode null', () => longest('abc', junk(null)), 'mode'],
      [
        'a counter of the wrong kind',
        () => longest('abc', 'utf16', junk({ steps: 0 })),
        'counter',
        ArgumentTypeError,
      ],
    ]);
  });
}

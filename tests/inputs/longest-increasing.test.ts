/**
 * Input checks of Q04's module: each bad call is rejected with the project's error class and the
 * name of the argument at fault (whole messages are not pinned).
 */
import { describe } from 'vitest';
import {
  longestIncreasingRun,
  longestIncreasingRunCounted,
  longestIncreasingSubsequence,
  longestIncreasingSubsequenceDP,
  longestIncreasingSubsequencePatience,
  longestNonIncreasingSubsequence,
  patienceTails,
  pitfallRunUpdatedOnBreak,
  pitfallTailsAsSubsequence,
  pitfallUpperBoundForStrict,
} from '../../algorithms/longest-increasing.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { badCalls } from '../support/answer-key.js';

const junk = (x: unknown) => x as never;

for (const [name, longest] of [
  ['longestIncreasingRun', longestIncreasingRun],
  ['longestIncreasingSubsequence', longestIncreasingSubsequence],
  ['longestIncreasingRunCounted', longestIncreasingRunCounted],
  ['longestIncreasingSubsequencePatience', longestIncreasingSubsequencePatience],
  ['longestIncreasingSubsequenceDP', longestIncreasingSubsequenceDP],
  ['longestNonIncreasingSubsequence', longestNonIncreasingSubsequence],
  ['patienceTails', patienceTails],
  ['pitfallUpperBoundForStrict', pitfallUpperBoundForStrict],
  ['pitfallTailsAsSubsequence', pitfallTailsAsSubsequence],
  ['pitfallRunUpdatedOnBreak', pitfallRunUpdatedOnBreak],
] as const) {
  describe(name, () => {
    badCalls([
      ['a string', () => longest(junk('123')), 'values', ArgumentTypeError],
      ['null', () => longest(junk(null)), 'values', ArgumentTypeError],
      ['a NaN element', () => longest([1, Number.NaN, 2]), 'values[1]'],
      ['a NaN in a Float64Array', () => longest(new Float64Array([0, 1, Number.NaN])), 'values[2]'],
      ['a string element', () => longest([1, junk('2')]), 'values[1]', ArgumentTypeError],
      ['a BigInt64Array', () => longest(junk(new BigInt64Array(2))), 'values', ArgumentTypeError],
    ]);
  });
}

for (const [name, longest] of [
  ['longestIncreasingRunCounted', longestIncreasingRunCounted],
  ['longestIncreasingSubsequencePatience', longestIncreasingSubsequencePatience],
  ['longestIncreasingSubsequenceDP', longestIncreasingSubsequenceDP],
] as const) {
  describe(`${name}: options and counter`, () => {
    badCalls([
      ['options null', () => longest([1], junk(null)), 'options', ArgumentTypeError],
      [
        'strict as a string',
        () => longest([1], junk({ strict: 'no' })),
        'options.strict',
        ArgumentTypeError,
      ],
      [
        'a counter of the wrong kind',
        () => longest([1], {}, junk({ comparisons: 0 })),
        'counter',
        ArgumentTypeError,
      ],
    ]);
  });
}

describe('bounded work', () => {
  badCalls([
    [
      'the O(n^2) DP on more than 2^14 values',
      () => longestIncreasingSubsequenceDP(new Float64Array(2 ** 14 + 1)),
      'values',
    ],
    [
      'patienceTails with options of the wrong kind',
      () => patienceTails([1], junk(3)),
      'options',
      ArgumentTypeError,
    ],
    [
      'longestNonIncreasingSubsequence with a bad counter',
      () => longestNonIncreasingSubsequence([1], junk({})),
      'counter',
      ArgumentTypeError,
    ],
  ]);
});

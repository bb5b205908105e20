/** Input checks of quicksort (algorithms/quicksort/): each bad call names its argument, typed. */
import { describe } from 'vitest';
import {
  choosePivot,
  hoarePartition,
  introsort,
  lomutoPartition,
  medianOfThree,
  pitfallFirstPivot,
  pitfallHoareNoProgress,
  pitfallHoareSkipsSplit,
  pitfallLomutoOnEqualKeys,
  pitfallRecurseBothSides,
  quicksort,
  quicksortWith,
  threeWayPartition,
  type QuicksortOptions,
} from '../../algorithms/quicksort/index.js';
import { Counter } from '../../core/counter.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { rng } from '../../core/random.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;

describe('every sort rejects the same bad arrays', () => {
  const sorts = {
    quicksort: (v: number[]) => quicksort(v, rng(1)),
    introsort: (v: number[]) => introsort(v, rng(1)),
    quicksortWith: (v: number[]) => quicksortWith(v, rng(1)),
    pitfallHoareSkipsSplit,
    pitfallHoareNoProgress,
    pitfallLomutoOnEqualKeys: (v: number[]) => pitfallLomutoOnEqualKeys(v, rng(1)),
    pitfallFirstPivot: (v: number[]) => pitfallFirstPivot(v),
    pitfallRecurseBothSides: (v: number[]) => pitfallRecurseBothSides(v),
  };
  for (const [name, sort] of Object.entries(sorts)) {
    describe(name, () => {
      badCalls([
        ['not an array', () => sort(junk('321')), 'values', ArgumentTypeError],
        ['null', () => sort(junk(null)), 'values', ArgumentTypeError],
        ['a NaN element', () => sort([3, Number.NaN, 1]), 'values[1]'],
        ['a string element', () => sort(junk([1, 'a'])), 'values[1]', ArgumentTypeError],
        [
          'an array-like object',
          () => sort(junk({ length: 2, 0: 1, 1: 2 })),
          'values',
          ArgumentTypeError,
        ],
      ]);
    });
  }
  describe('typed arrays', () => {
    badCalls([
      [
        'a NaN in a Float32Array',
        () => quicksort(new Float32Array([1, Number.NaN]), rng(1)),
        'values[1]',
      ],
    ]);
  });
});

describe('the generator, the options and the counter', () => {
  const opts = (o: unknown) => junk<QuicksortOptions>(o);
  badCalls([
    [
      'quicksort without an rng',
      () => quicksort([1, 2], junk(undefined)),
      'rng',
      ArgumentTypeError,
    ],
    [
      'quicksort with a look-alike rng',
      () => quicksort([1, 2], junk({ integer: () => 0 })),
      'rng',
      ArgumentTypeError,
    ],
    ['introsort without an rng', () => introsort([1, 2], junk(null)), 'rng', ArgumentTypeError],
    [
      'an unknown partition',
      () => quicksortWith([1, 2], rng(1), opts({ partition: 'bentley' })),
      'options.partition',
    ],
    [
      'an unknown pivot rule',
      () => quicksortWith([1, 2], rng(1), opts({ pivot: 'last' })),
      'options.pivot',
    ],
    [
      'a comparator that is not a function',
      () => quicksortWith([1, 2], rng(1), opts({ compare: 1 })),
      'options.compare',
      ArgumentTypeError,
    ],
    [
      'a comparator returning NaN',
      () => quicksortWith([1, 2, 3], rng(1), { compare: () => Number.NaN }),
      'options.compare',
    ],
    [
      'a comparator returning a string',
      () => quicksortWith([1, 2, 3], rng(1), opts({ compare: () => '1' })),
      'options.compare',
    ],
    [
      'an inconsistent comparator (x < x)',
      () => quicksortWith([3, 1, 2], rng(1), { compare: () => -1, insertionThreshold: 1 }),
      'options.compare',
    ],
    [
      'the same for three-way',
      () =>
        quicksortWith([3, 1, 2], rng(1), {
          compare: () => -1,
          partition: 'three-way',
          insertionThreshold: 1,
        }),
      'options.compare',
    ],
    [
      'a threshold of 0',
      () => quicksortWith([1, 2], rng(1), { insertionThreshold: 0 }),
      'options.insertionThreshold',
    ],
    [
      'a threshold of 1.5',
      () => quicksortWith([1, 2], rng(1), { insertionThreshold: 1.5 }),
      'options.insertionThreshold',
    ],
    [
      'introsort that is not a boolean',
      () => quicksortWith([1, 2], rng(1), opts({ introsort: 1 })),
      'options.introsort',
      ArgumentTypeError,
    ],
    [
      'options that are not an object',
      () => quicksortWith([1, 2], rng(1), opts(3)),
      'options',
      ArgumentTypeError,
    ],
    ['null options', () => quicksortWith([1, 2], rng(1), opts(null)), 'options', ArgumentTypeError],
    [
      'a counter that is not a Counter',
      () => quicksortWith([1, 2], rng(1), {}, junk({ add: () => 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'introsort with a bad counter',
      () => introsort([1, 2], rng(1), junk({})),
      'counter',
      ArgumentTypeError,
    ],
    [
      'a pitfall with a bad counter',
      () => pitfallRecurseBothSides([1, 2], junk(new Map())),
      'counter',
      ArgumentTypeError,
    ],
    [
      'a pitfall without an rng',
      () => pitfallLomutoOnEqualKeys([1, 2], junk(undefined), new Counter()),
      'rng',
      ArgumentTypeError,
    ],
  ]);
});

describe('partitions and pivot rules: bounds inside the array (junk bounds once grew it forever)', () => {
  const partitions = { lomutoPartition, hoarePartition, threeWayPartition };
  for (const [name, partition] of Object.entries(partitions)) {
    describe(name, () => {
      badCalls([
        ['lo below 0', () => partition([1, 2, 3], -1, 2), 'lo'],
        ['hi past the end', () => partition([1, 2, 3], 0, 3), 'hi'],
        ['hi huge', () => partition([1, 2, 3], 0, 2 ** 31), 'hi'],
        ['hi below lo', () => partition([1, 2, 3], 2, 1), 'hi'],
        ['a fractional lo', () => partition([1, 2, 3], 0.5, 2), 'lo'],
        ['a NaN hi', () => partition([1, 2, 3], 0, Number.NaN), 'hi'],
        ['a string lo', () => partition([1, 2, 3], junk('0'), 2), 'lo', ArgumentTypeError],
        ['an empty array (no range at all)', () => partition([], 0, 0), 'lo'],
        ['a NaN element', () => partition([1, Number.NaN], 0, 1), 'values[1]'],
        [
          'a comparator that is not a function',
          () => partition([1, 2], 0, 1, junk(null)),
          'compare',
          ArgumentTypeError,
        ],
      ]);
    });
  }
  badCalls([
    ['medianOfThree: hi past the end', () => medianOfThree([1, 2], 0, 2), 'hi'],
    ['choosePivot: an unknown rule', () => choosePivot([1, 2], 0, 1, junk('last'), rng(1)), 'rule'],
    [
      'choosePivot: no rng',
      () => choosePivot([1, 2], 0, 1, 'random', junk(undefined)),
      'rng',
      ArgumentTypeError,
    ],
  ]);
});

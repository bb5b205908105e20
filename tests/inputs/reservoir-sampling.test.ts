/**
 * Input checks of Q01's module: each bad call is rejected with the project's error class and the
 * name of the argument at fault (whole messages are not pinned).
 */
import { describe } from 'vitest';
import {
  expectedReplacements,
  KeyedReservoir,
  mergeUniform,
  pitfallKeyTimesWeight,
  pitfallMergeByCoin,
  pitfallSlotFromExclusiveRange,
  ReservoirL,
  ReservoirR,
  reservoirSampleAsync,
  reservoirSampleL,
  reservoirSampleR,
  sampleArrayL,
  WeightedReservoir,
  WeightedReservoirExpJ,
  weightedReservoirSample,
} from '../../algorithms/reservoir-sampling/index.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { rng, type Rng } from '../../core/random.js';
import { badCalls } from '../support/answer-key.js';

const junk = (x: unknown) => x as never;
const fakeRng: Rng = junk({ integer: () => 0, uniform: () => 0.5, uniformOpen: () => 0.5 });
const shard = (sample: number[], seen: number) => ({ sample, seen });

describe('the textbook answer and the samplers of the same shape', () => {
  for (const [name, sample] of [
    ['reservoirSampleR', reservoirSampleR],
    ['reservoirSampleL', reservoirSampleL],
    ['pitfallSlotFromExclusiveRange', pitfallSlotFromExclusiveRange],
  ] as const) {
    describe(name, () => {
      badCalls([
        ['a null stream', () => sample(junk(null), 1, rng(1)), 'stream', ArgumentTypeError],
        ['a number as the stream', () => sample(junk(42), 1, rng(1)), 'stream', ArgumentTypeError],
        ['k < 0', () => sample([1], -1, rng(1)), 'k'],
        ['k = 1.5', () => sample([1], 1.5, rng(1)), 'k'],
        ['k as a string', () => sample([1], junk('2'), rng(1)), 'k', ArgumentTypeError],
        ['a plain object as the rng', () => sample([1, 2], 1, fakeRng), 'rng', ArgumentTypeError],
        ['no rng', () => sample([1, 2], 1, junk(undefined)), 'rng', ArgumentTypeError],
      ]);
    });
  }
});

describe('reservoirs fed one item at a time', () => {
  badCalls([
    ['ReservoirR with k = -1', () => new ReservoirR(-1, rng(1)), 'k'],
    [
      'ReservoirR with a plain-object rng',
      () => new ReservoirR(2, fakeRng),
      'rng',
      ArgumentTypeError,
    ],
    ['ReservoirL with k = NaN', () => new ReservoirL(Number.NaN, rng(1)), 'k'],
    ['ReservoirL with no rng', () => new ReservoirL(2, junk(null)), 'rng', ArgumentTypeError],
    ['ReservoirL skipping more than pending', () => new ReservoirL(2, rng(1)).skip(1), 'count'],
    ['ReservoirL skipping -1', () => new ReservoirL(0, rng(1)).skip(-1), 'count'],
  ]);
});

describe('sampleArrayL and reservoirSampleAsync', () => {
  badCalls([
    [
      'sampleArrayL on a string',
      () => sampleArrayL(junk('abc'), 1, rng(1)),
      'items',
      ArgumentTypeError,
    ],
    ['sampleArrayL with k = -2', () => sampleArrayL([1], -2, rng(1)), 'k'],
    [
      'sampleArrayL with a counter of the wrong kind',
      () => sampleArrayL([1], 1, rng(1), junk({ count: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'reservoirSampleAsync on a number',
      () => reservoirSampleAsync(junk(7), 1, rng(1)),
      'stream',
      ArgumentTypeError,
    ],
    [
      'reservoirSampleAsync with algorithm Z',
      () => reservoirSampleAsync([1], 1, rng(1), junk('Z')),
      'algorithm',
    ],
    ['reservoirSampleAsync with k = 0.5', () => reservoirSampleAsync([1], 0.5, rng(1)), 'k'],
    [
      'reservoirSampleAsync with a plain-object rng',
      () => reservoirSampleAsync([1], 1, fakeRng),
      'rng',
      ArgumentTypeError,
    ],
  ]);
});

describe('weighted sampling', () => {
  const bad = (w: number) => () =>
    weightedReservoirSample(
      [
        ['a', 1],
        ['b', w],
      ],
      1,
      rng(1),
    );
  badCalls([
    ['a zero weight', bad(0), 'weight of item 1'],
    ['a negative weight', bad(-1), 'weight of item 1'],
    ['a NaN weight', bad(Number.NaN), 'weight of item 1'],
    ['an infinite weight', bad(Number.POSITIVE_INFINITY), 'weight of item 1'],
    [
      'an element that is not a pair',
      () => weightedReservoirSample(junk([3]), 1, rng(1)),
      'stream[0]',
      ArgumentTypeError,
    ],
    [
      'a stream that is not iterable',
      () => weightedReservoirSample(junk(null), 1, rng(1)),
      'stream',
      ArgumentTypeError,
    ],
    [
      'an unknown algorithm',
      () => weightedReservoirSample([], 1, rng(1), junk('a-chao')),
      'algorithm',
    ],
    ['a plain-object rng', () => weightedReservoirSample([], 1, fakeRng), 'rng', ArgumentTypeError],
    [
      'WeightedReservoir.offer with weight -2',
      () => new WeightedReservoir<string>(1, rng(1)).offer('a', -2),
      'weight of item 0',
    ],
    [
      'WeightedReservoirExpJ.offer with weight NaN',
      () => new WeightedReservoirExpJ<string>(1, rng(1)).offer('a', Number.NaN),
      'weight of item 0',
    ],
    ['WeightedReservoir with k = -1', () => new WeightedReservoir(-1, rng(1)), 'k'],
    ['KeyedReservoir with k = 1.5', () => new KeyedReservoir(1.5), 'k'],
    ['a NaN key', () => new KeyedReservoir(1).offerKeyed('a', Number.NaN), 'key'],
    [
      'a string key',
      () => new KeyedReservoir(1).offerKeyed('a', junk('1')),
      'key',
      ArgumentTypeError,
    ],
    [
      'merging reservoirs of different k',
      () => KeyedReservoir.merge(new KeyedReservoir(1), new KeyedReservoir(2)),
      'b.k',
    ],
    [
      'merging with something that is not a reservoir',
      () => KeyedReservoir.merge(new KeyedReservoir(1), junk({ k: 1 })),
      'b',
      ArgumentTypeError,
    ],
    [
      'pitfallKeyTimesWeight with a bad pair',
      () => pitfallKeyTimesWeight(junk([null]), 1, rng(1)),
      'stream[0]',
      ArgumentTypeError,
    ],
  ]);
});

describe('merging shards', () => {
  for (const [name, merge] of [
    ['mergeUniform', mergeUniform],
    ['pitfallMergeByCoin', pitfallMergeByCoin],
  ] as const) {
    describe(name, () => {
      badCalls([
        [
          'a sample without min(k, seen) items',
          () => merge(shard([1], 5), shard([2, 3], 2), 2, rng(1)),
          'a.sample',
        ],
        ['a negative seen', () => merge(shard([], 0), shard([], -1), 2, rng(1)), 'b.seen'],
        ['a null shard', () => merge(junk(null), shard([], 0), 2, rng(1)), 'a', ArgumentTypeError],
        [
          'a sample that is not an array',
          () => merge(junk({ sample: 'ab', seen: 2 }), shard([], 0), 2, rng(1)),
          'a.sample',
          ArgumentTypeError,
        ],
        ['k = -1', () => merge(shard([], 0), shard([], 0), -1, rng(1)), 'k'],
        [
          'a plain-object rng',
          () => merge(shard([], 0), shard([], 0), 1, fakeRng),
          'rng',
          ArgumentTypeError,
        ],
      ]);
    });
  }
});

describe('expectedReplacements', () => {
  badCalls([
    ['n < 0', () => expectedReplacements(-1, 1), 'n'],
    ['n = 1.5', () => expectedReplacements(1.5, 1), 'n'],
    ['n beyond 2^53', () => expectedReplacements(2 ** 60, 1), 'n'],
    ['k as a string', () => expectedReplacements(10, junk('3')), 'k', ArgumentTypeError],
  ]);
});

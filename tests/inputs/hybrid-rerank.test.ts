/** Input checks of fusion and re-ranking (ml/hybrid-rerank.ts). */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import {
  fuseScoredLists,
  maximalMarginalRelevance,
  pairScore,
  reciprocalRankFusion,
  weightedRankFusion,
  rerank,
} from '../../ml/hybrid-rerank.js';
import { badCalls } from '../support/answer-key.js';

const asAny = (v: unknown) => v as never;

describe('reciprocalRankFusion and fuseScoredLists', () => {
  badCalls([
    [
      'rankings not an array',
      () => reciprocalRankFusion(asAny('ab')),
      'rankings',
      ArgumentTypeError,
    ],
    [
      'a list not an array',
      () => reciprocalRankFusion(asAny([['a'], 3])),
      'rankings[1]',
      ArgumentTypeError,
    ],
    [
      'an id that is an object',
      () => reciprocalRankFusion(asAny([[{}]])),
      'rankings[0][0]',
      ArgumentTypeError,
    ],
    ['a NaN id', () => reciprocalRankFusion([[NaN]]), 'rankings[0][0]'],
    ['an id twice in one list', () => reciprocalRankFusion([['a', 'b', 'a']]), 'rankings[0][2]'],
    ['k < 0', () => reciprocalRankFusion([['a']], -1), 'k'],
    ['k NaN', () => reciprocalRankFusion([['a']], NaN), 'k'],
    ['weights of the wrong length', () => weightedRankFusion([['a'], ['b']], [1]), 'weights'],
    ['a negative weight', () => weightedRankFusion([['a']], [-1]), 'weights[0]'],
    ['a NaN weight', () => weightedRankFusion([['a']], [NaN]), 'weights[0]'],
    [
      'a scored item without a score',
      () => fuseScoredLists(asAny([[{ id: 1 }]])),
      'lists[0][0].score',
      ArgumentTypeError,
    ],
    [
      'a scored item that is a number',
      () => fuseScoredLists(asAny([[1]])),
      'lists[0][0]',
      ArgumentTypeError,
    ],
  ]);
});

describe('pairScore and rerank', () => {
  badCalls([
    ['an empty query', () => pairScore([], ['a']), 'query'],
    [
      'a query token not a string',
      () => pairScore(asAny([1]), ['a']),
      'query[0]',
      ArgumentTypeError,
    ],
    ['doc not an array', () => pairScore(['a'], asAny('a')), 'doc', ArgumentTypeError],
    ['a candidate outside the documents', () => rerank(['a'], [['a']], [1], 1), 'candidates[0]'],
    ['k = 0', () => rerank(['a'], [['a']], [0], 0), 'k'],
  ]);
});

describe('maximalMarginalRelevance', () => {
  const sim = () => 0;
  badCalls([
    [
      'relevance not array-like',
      () => maximalMarginalRelevance(asAny(1), sim, 0.5, 1),
      'relevance',
      ArgumentTypeError,
    ],
    ['a NaN relevance', () => maximalMarginalRelevance([0.1, NaN], sim, 0.5, 1), 'relevance[1]'],
    [
      'similarity not a function',
      () => maximalMarginalRelevance([1], asAny(0), 0.5, 1),
      'similarity',
      ArgumentTypeError,
    ],
    ['lambda > 1', () => maximalMarginalRelevance([1], sim, 1.5, 1), 'lambda'],
    ['k = 0', () => maximalMarginalRelevance([1], sim, 0.5, 0), 'k'],
    [
      'a similarity that returns NaN',
      () => maximalMarginalRelevance([1, 2], () => NaN, 0.5, 2),
      /^similarity\(/,
    ],
  ]);
});

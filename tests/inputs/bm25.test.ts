/** Input checks of BM25 (ml/bm25/) and the shared top-k (core/top-k.ts). */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { topK } from '../../core/top-k.js';
import {
  analyze,
  bm25ScoreAll,
  bm25Scores,
  buildBm25Index,
  LUCENE,
  searchBm25,
  tokenizeChinese,
  tokenizeEnglish,
} from '../../ml/bm25/index.js';
import { badCalls } from '../support/answer-key.js';

const corpus = [['a', 'b'], ['c']];
const index = buildBm25Index(corpus, LUCENE);
const asAny = (v: unknown) => v as never;

describe('bm25Scores', () => {
  badCalls([
    ['an empty corpus', () => bm25Scores([], ['a']), 'corpus'],
    [
      'a corpus that is not an array',
      () => bm25Scores(asAny('a b'), ['a']),
      'corpus',
      ArgumentTypeError,
    ],
    [
      'a document that is not an array',
      () => bm25Scores(asAny([['a'], 'b']), ['a']),
      'corpus[1]',
      ArgumentTypeError,
    ],
    [
      'a token that is not a string',
      () => bm25Scores(asAny([['a', 3]]), ['a']),
      'corpus[0][1]',
      ArgumentTypeError,
    ],
    ['an empty query', () => bm25Scores(corpus, []), 'query'],
    ['k1 < 0', () => bm25Scores(corpus, ['a'], -1), 'k1'],
    ['b > 1', () => bm25Scores(corpus, ['a'], 1.5, 1.2), 'b'],
    ['b NaN', () => bm25Scores(corpus, ['a'], 1.5, NaN), 'b'],
    ['epsilon < 0', () => bm25Scores(corpus, ['a'], 1.5, 0.75, -0.1), 'epsilon'],
  ]);
});

describe('buildBm25Index, bm25ScoreAll, searchBm25', () => {
  badCalls([
    ['an empty corpus', () => buildBm25Index([]), 'corpus'],
    [
      'unknown variant',
      () => buildBm25Index(corpus, asAny({ ...LUCENE, variant: 'bm11' })),
      'params.variant',
    ],
    ['params not an object', () => buildBm25Index(corpus, asAny(1.2)), 'params', ArgumentTypeError],
    ['k1 NaN', () => buildBm25Index(corpus, { ...LUCENE, k1: NaN }), 'params.k1'],
    ['b < 0', () => buildBm25Index(corpus, { ...LUCENE, b: -0.1 }), 'params.b'],
    ['not an index', () => bm25ScoreAll(asAny({}), ['a']), 'index', ArgumentTypeError],
    ['an empty query', () => searchBm25(index, [], 3), 'query'],
    [
      'a query that is a string',
      () => searchBm25(index, asAny('a'), 3),
      'query',
      ArgumentTypeError,
    ],
    ['k = 0', () => searchBm25(index, ['a'], 0), 'k'],
    ['k not an integer', () => searchBm25(index, ['a'], 1.5), 'k'],
    [
      'counter not a Counter',
      () => searchBm25(index, ['a'], 1, asAny({})),
      'counter',
      ArgumentTypeError,
    ],
  ]);
});

describe('tokenisers', () => {
  badCalls([
    ['English text not a string', () => tokenizeEnglish(asAny(3)), 'text', ArgumentTypeError],
    ['Chinese text not a string', () => tokenizeChinese(asAny(null)), 'text', ArgumentTypeError],
    ['analyser text not a string', () => analyze(asAny(['a'])), 'text', ArgumentTypeError],
  ]);
});

describe('topK', () => {
  badCalls([
    ['scores not array-like', () => topK(asAny(3), 1), 'scores', ArgumentTypeError],
    ['k = 0', () => topK([1, 2], 0), 'k'],
    ['a NaN score', () => topK([1, NaN], 2), 'scores[1]'],
    ['an index outside the scores', () => topK([1, 2], 1, [5]), 'among[]'],
  ]);
});

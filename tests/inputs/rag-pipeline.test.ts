/** Input checks of the RAG pipeline (ml/rag-pipeline/). */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import {
  assemblePrompt,
  buildRagIndex,
  meanReciprocalRank,
  ragPrompt,
  recallAtK,
  retrieveChunks,
} from '../../ml/rag-pipeline/index.js';
import { badCalls } from '../support/answer-key.js';

const asAny = (v: unknown) => v as never;
const docs = [{ source: 'a', text: 'The cache keeps keys and values.' }];
const index = buildRagIndex(docs, { size: 10, overlap: 0 });

describe('assemblePrompt', () => {
  badCalls([
    [
      'question not a string',
      () => assemblePrompt(asAny(1), [], 100),
      'question',
      ArgumentTypeError,
    ],
    ['an empty question', () => assemblePrompt('  ', [], 100), 'question'],
    [
      'chunks not an array',
      () => assemblePrompt('q?', asAny('c'), 100),
      'rankedChunks',
      ArgumentTypeError,
    ],
    [
      'a chunk not a string',
      () => assemblePrompt('q?', asAny(['a', 2]), 100),
      'rankedChunks[1]',
      ArgumentTypeError,
    ],
    ['budget 0', () => assemblePrompt('q?', [], 0), 'budget'],
    ['budget not an integer', () => assemblePrompt('q?', [], 50.5), 'budget'],
    ['a budget below instruction and question', () => assemblePrompt('q?', [], 10), 'budget'],
  ]);
});

describe('buildRagIndex, retrieveChunks, ragPrompt', () => {
  badCalls([
    ['an empty corpus', () => buildRagIndex([], { size: 10, overlap: 0 }), 'documents'],
    [
      'documents not an array',
      () => buildRagIndex(asAny('text'), { size: 10, overlap: 0 }),
      'documents',
      ArgumentTypeError,
    ],
    [
      'a document without text',
      () => buildRagIndex(asAny([{ source: 'a' }]), { size: 10, overlap: 0 }),
      'documents[0].text',
      ArgumentTypeError,
    ],
    [
      'a document without a source',
      () => buildRagIndex(asAny([{ text: 'a' }]), { size: 10, overlap: 0 }),
      'documents[0].source',
      ArgumentTypeError,
    ],
    [
      'only blank text',
      () => buildRagIndex([{ source: 'a', text: '   ' }], { size: 10, overlap: 0 }),
      'documents',
    ],
    [
      'chunk size not above the overlap',
      () => buildRagIndex(docs, { size: 5, overlap: 5 }),
      'options.overlap',
    ],
    ['chunk size 0', () => buildRagIndex(docs, { size: 0, overlap: 0 }), 'options.size'],
    ['chunking not an object', () => buildRagIndex(docs, asAny(10)), 'chunking', ArgumentTypeError],
    [
      'embed not a function',
      () => buildRagIndex(docs, { size: 10, overlap: 0 }, asAny(1)),
      'embed',
      ArgumentTypeError,
    ],
    ['an empty query', () => retrieveChunks(index, '', 3), 'query'],
    ['a query not a string', () => retrieveChunks(index, asAny(3), 3), 'query', ArgumentTypeError],
    ['k = 0', () => retrieveChunks(index, 'cache', 0), 'k'],
    ['not an index', () => retrieveChunks(asAny({}), 'cache', 1), 'index', ArgumentTypeError],
    ['budget too small in ragPrompt', () => ragPrompt(index, 'cache?', 1, 5), 'budget'],
  ]);
});

describe('recallAtK and meanReciprocalRank', () => {
  const rel = [new Set([1])];
  badCalls([
    ['no queries', () => recallAtK([], [], 1), 'ranked'],
    ['one relevant set too few', () => recallAtK([[1], [2]], rel, 1), 'relevant'],
    [
      'relevant not a Set',
      () => meanReciprocalRank([[1]], asAny([[1]])),
      'relevant[0]',
      ArgumentTypeError,
    ],
    [
      'a ranking not an array',
      () => meanReciprocalRank(asAny([1]), rel),
      'ranked[0]',
      ArgumentTypeError,
    ],
    ['k = 0', () => recallAtK([[1]], rel, 0), 'k'],
  ]);
});

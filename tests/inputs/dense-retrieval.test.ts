/** Input checks of dense retrieval (ml/dense-retrieval/): typed errors naming the argument. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { fromRows, matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { tensorBackend } from '../../core/backend.js';
import {
  BGE_SMALL_EN_V15,
  bertParamCount,
  biEncoderFromParameters,
  contrastiveLoss,
  denseSearch,
  encodeTexts,
  encodeTextsReference,
  exportBiEncoder,
  fitTfidf,
  fitVocabulary,
  importBiEncoder,
  initBiEncoder,
  lookupTf,
  pitfallEncodeWithoutPaddingMask,
  pitfallTopKTiesToLaterIndex,
  sparseDot,
  sparseToDense,
  tfidfScores,
  tfidfSearch,
  tfidfVectors,
  tokenIds,
  tokenize,
  topKBySorting,
  topKCosine,
  topKInnerProduct,
  topKInnerProductBatch,
  topKInnerProductCounted,
  topKInnerProductTf,
  topKScores,
  trainBiEncoder,
  type BiEncoderConfig,
} from '../../ml/dense-retrieval/index.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const { tf } = await tensorBackend();
const vocabulary = fitVocabulary(['kv cache 缓存', 'lora rank'], { maxLength: 8 });
const config: BiEncoderConfig = { dModel: 8, numHeads: 2, ffnHidden: 8, numLayers: 1 };
const encoder = initBiEncoder(vocabulary, config, rng(1));
const index = encodeTexts(tf, encoder, ['kv cache', 'lora']);
const vectors = fromRows([
  [1, 0],
  [0, 1],
]);
const model = fitTfidf(['alpha beta', 'gamma']);
const docs = tfidfVectors(model, ['alpha beta', 'gamma']);
const pairs = [{ query: 'kv', passage: 'kv cache' }];

describe('tokens and vocabularies', () => {
  badCalls([
    ['an empty corpus', () => fitVocabulary([]), 'texts'],
    ['a corpus without a single token', () => fitVocabulary(['', '?!']), 'texts'],
    [
      'a text that is not a string',
      () => fitVocabulary(['a', junk(3)]),
      'texts[1]',
      ArgumentTypeError,
    ],
    ['texts that are not an array', () => fitVocabulary(junk('a b')), 'texts', ArgumentTypeError],
    ['max length 0', () => fitVocabulary(['a'], { maxLength: 0 }), 'options.maxLength'],
    ['a negative max length', () => fitVocabulary(['a'], { maxLength: -4 }), 'options.maxLength'],
    [
      'a fractional max length',
      () => fitVocabulary(['a'], { maxLength: 2.5 }),
      'options.maxLength',
    ],
    ['a max length past 512', () => fitVocabulary(['a'], { maxLength: 513 }), 'options.maxLength'],
    ['min count 0', () => fitVocabulary(['a'], { minCount: 0 }), 'options.minCount'],
    [
      'a vocabulary too small for the special tokens',
      () => fitVocabulary(['a'], { maxSize: 2 }),
      'options.maxSize',
    ],
    [
      'bigrams that are not a boolean',
      () => fitVocabulary(['a'], junk({ cjkBigrams: 'yes' })),
      'options.cjkBigrams',
      ArgumentTypeError,
    ],
    [
      'no token seen twice with min count 2',
      () => fitVocabulary(['a b'], { minCount: 2 }),
      'texts',
    ],
    ['tokenizing a number', () => tokenize(junk(5)), 'text', ArgumentTypeError],
    ['empty queries for token ids', () => tokenIds(vocabulary, []), 'texts'],
    [
      'a vocabulary without [CLS]',
      () => tokenIds(junk({ ...vocabulary, tokens: ['[PAD]', '[UNK]', 'x'] }), ['a']),
      'vocabulary.tokens[2]',
    ],
    [
      'a vocabulary with a token twice',
      () => tokenIds(junk({ ...vocabulary, tokens: [...vocabulary.tokens, 'kv'] }), ['a']),
      /^vocabulary\.tokens\[/,
    ],
    [
      'a vocabulary of max length 0',
      () => tokenIds(junk({ ...vocabulary, maxLength: 0 }), ['a']),
      'vocabulary.maxLength',
    ],
    [
      'a vocabulary that is null',
      () => tokenIds(junk(null), ['a']),
      'vocabulary',
      ArgumentTypeError,
    ],
  ]);
});

describe('top-k', () => {
  for (const [name, topK] of [
    ['topKBySorting', topKBySorting],
    ['topKInnerProduct', topKInnerProduct],
    ['topKCosine', topKCosine],
    ['pitfallTopKTiesToLaterIndex', pitfallTopKTiesToLaterIndex],
  ] as const) {
    describe(name, () => {
      badCalls([
        ['k = 0', () => topK([1, 0], vectors, 0), 'k'],
        ['a negative k', () => topK([1, 0], vectors, -1), 'k'],
        ['a fractional k', () => topK([1, 0], vectors, 1.5), 'k'],
        ['k that is a string', () => topK([1, 0], vectors, junk('2')), 'k', ArgumentTypeError],
        ['an empty index', () => topK([1, 0], matrix(0, 2), 1), 'vectors'],
        ['an empty query', () => topK([], matrix(2, 0), 1), 'query'],
        ['a query of the wrong width', () => topK([1, 0, 0], vectors, 1), 'query'],
        ['a NaN in the query', () => topK([Number.NaN, 0], vectors, 1), 'query[0]'],
        ['a NaN in the index', () => topK([1, 0], matrix(1, 2, [Number.NaN, 0]), 1), 'vectors'],
        [
          'an index that is nested arrays',
          () => topK([1, 0], junk([[1, 0]]), 1),
          'vectors',
          ArgumentTypeError,
        ],
      ]);
    });
  }
  badCalls([
    [
      'a counter that is not a Counter',
      () => topKInnerProductCounted([1, 0], vectors, 1, junk({})),
      'counter',
      ArgumentTypeError,
    ],
    [
      'a batch of queries of the wrong width',
      () => topKInnerProductBatch(matrix(1, 3), vectors, 1),
      'query',
    ],
    ['an empty batch of queries', () => topKInnerProductBatch(matrix(0, 2), vectors, 1), 'queries'],
    ['a NaN score', () => topKScores([1, Number.NaN], 1), 'scores[1]'],
    ['k = 0 for scores', () => topKScores([1, 2], 0), 'k'],
    ['tf: k = 0', () => topKInnerProductTf(tf, tf.zeros([1, 2]), tf.zeros([3, 2]), 0), 'k'],
    [
      'tf: queries of the wrong width',
      () => topKInnerProductTf(tf, tf.zeros([1, 3]), tf.zeros([3, 2]), 1),
      'queries',
    ],
    [
      'tf: an empty index',
      () => topKInnerProductTf(tf, tf.zeros([1, 2]), tf.zeros([0, 2]), 1),
      'vectors',
    ],
    [
      'tf: a plain object for tf',
      () => topKInnerProductTf(junk({}), tf.zeros([1, 2]), tf.zeros([3, 2]), 1),
      'tf',
      ArgumentTypeError,
    ],
  ]);
});

describe('TF-IDF', () => {
  badCalls([
    ['an empty corpus', () => fitTfidf([]), 'texts'],
    ['a corpus without a token', () => fitTfidf(['', '...']), 'texts'],
    [
      'smoothIdf that is not a boolean',
      () => fitTfidf(['a'], junk({ smoothIdf: 1 })),
      'options.smoothIdf',
      ArgumentTypeError,
    ],
    ['an empty query', () => tfidfSearch(model, docs, '', 2), 'query'],
    ['a query of punctuation only', () => tfidfSearch(model, docs, ' ?! ', 2), 'query'],
    [
      'a query that is not a string',
      () => tfidfSearch(model, docs, junk(['alpha']), 2),
      'query',
      ArgumentTypeError,
    ],
    ['k = 0', () => tfidfSearch(model, docs, 'alpha', 0), 'k'],
    ['a fractional k', () => tfidfSearch(model, docs, 'alpha', 0.5), 'k'],
    ['an empty document list', () => tfidfSearch(model, [], 'alpha', 1), 'documents'],
    [
      'a model that is not one',
      () => tfidfVectors(junk({ terms: ['a'], idf: [] }), ['a']),
      'model.idf',
    ],
    [
      'a sparse vector with unsorted indices',
      () =>
        sparseDot({ indices: new Int32Array([2, 1]), values: new Float64Array([1, 1]) }, docs[0]!),
      'a.indices',
    ],
    [
      'a sparse vector of plain arrays',
      () => tfidfScores(junk({ indices: [0], values: [1] }), docs),
      'query.indices',
      ArgumentTypeError,
    ],
    ['a dense width below the largest index', () => sparseToDense(docs[0]!, 1), 'width'],
  ]);
});

describe('the bi-encoder', () => {
  badCalls([
    [
      'heads that do not divide the width',
      () => initBiEncoder(vocabulary, { ...config, numHeads: 3 }, rng(1)),
      'config.numHeads',
    ],
    [
      'zero layers',
      () => initBiEncoder(vocabulary, { ...config, numLayers: 0 }, rng(1)),
      'config.numLayers',
    ],
    [
      'a plain object for the rng',
      () => initBiEncoder(vocabulary, config, junk({ normal: () => 0 })),
      'rng',
      ArgumentTypeError,
    ],
    [
      'a model too large for a tiny encoder',
      () =>
        initBiEncoder(
          vocabulary,
          { ...config, dModel: 4096, numHeads: 1, ffnHidden: 16_384 },
          rng(1),
        ),
      'config',
    ],
    ['empty queries to encode', () => encodeTexts(tf, encoder, []), 'texts'],
    [
      'a text that is not a string',
      () => encodeTexts(tf, encoder, [junk(1)]),
      'texts[0]',
      ArgumentTypeError,
    ],
    ['batch size 0', () => encodeTexts(tf, encoder, ['kv'], { batchSize: 0 }), 'options.batchSize'],
    [
      'a weight of the wrong shape',
      () =>
        encodeTexts(
          tf,
          { ...encoder, weights: { ...encoder.weights, tokenEmbedding: matrix(3, 8) } },
          ['kv'],
        ),
      'encoder.weights.tokenEmbedding',
    ],
    [
      'an encoder that is null',
      () => encodeTexts(tf, junk(null), ['kv']),
      'encoder',
      ArgumentTypeError,
    ],
    [
      'a plain object for tf',
      () => encodeTexts(junk({}), encoder, ['kv']),
      'tf',
      ArgumentTypeError,
    ],
    ['the reference on empty queries', () => encodeTextsReference(encoder, []), 'texts'],
    ['an empty search query', () => denseSearch(tf, encoder, index, '', 1), 'query'],
    ['a search query of spaces', () => denseSearch(tf, encoder, index, '   ', 1), 'query'],
    ['k = 0 in a search', () => denseSearch(tf, encoder, index, 'kv', 0), 'k'],
    [
      'an index of the wrong width (dimension mismatch)',
      () => denseSearch(tf, encoder, matrix(2, 4), 'kv', 1),
      'query',
    ],
    [
      'the pitfall checks its texts too',
      () => pitfallEncodeWithoutPaddingMask(tf, encoder, []),
      'texts',
    ],
    [
      'ids outside the table',
      () => lookupTf(tf, tf.zeros([3, 2]), tf.tensor1d([0, 3], 'int32')),
      'ids[1]',
    ],
    [
      'float ids',
      () => lookupTf(tf, tf.zeros([3, 2]), tf.tensor1d([0, 1])),
      'ids',
      ArgumentTypeError,
    ],
    [
      'parameters of the wrong length',
      () => biEncoderFromParameters(config, vocabulary, () => [1, 2]),
      'parameters.tokenEmbedding',
    ],
  ]);
});

describe('training', () => {
  badCalls([
    ['no pairs', () => trainBiEncoder(tf, encoder, [], {}, rng(1)), 'pairs'],
    [
      'a pair without a passage',
      () => trainBiEncoder(tf, encoder, [junk({ query: 'kv' })], {}, rng(1)),
      'pairs[0].passage',
      ArgumentTypeError,
    ],
    [
      'a hard negative equal to the positive',
      () =>
        trainBiEncoder(
          tf,
          encoder,
          [{ query: 'kv', passage: 'kv cache', negatives: ['kv cache'] }],
          {},
          rng(1),
        ),
      'pairs[0].negatives[0]',
    ],
    [
      'temperature 0',
      () => trainBiEncoder(tf, encoder, pairs, { temperature: 0 }, rng(1)),
      'options.temperature',
    ],
    [
      'a negative temperature',
      () => trainBiEncoder(tf, encoder, pairs, { temperature: -0.05 }, rng(1)),
      'options.temperature',
    ],
    [
      'a learning rate of 0',
      () => trainBiEncoder(tf, encoder, pairs, { learningRate: 0 }, rng(1)),
      'options.learningRate',
    ],
    [
      'a fractional number of steps',
      () => trainBiEncoder(tf, encoder, pairs, { steps: 1.5 }, rng(1)),
      'options.steps',
    ],
    [
      'batch size 0',
      () => trainBiEncoder(tf, encoder, pairs, { batchSize: 0 }, rng(1)),
      'options.batchSize',
    ],
    [
      'a plain object for the rng',
      () => trainBiEncoder(tf, encoder, pairs, {}, junk({})),
      'rng',
      ArgumentTypeError,
    ],
    [
      'the loss at temperature 0',
      () => contrastiveLoss(tf, encoder, pairs, { temperature: 0 }),
      'options.temperature',
    ],
    ['the loss of no pairs', () => contrastiveLoss(tf, encoder, [], {}), 'pairs'],
  ]);
});

describe('export, import and counting', () => {
  const json = exportBiEncoder(encoder);
  badCalls([
    ['another format', () => importBiEncoder({ ...json, format: 'onnx' }), 'json.format'],
    [
      'a missing parameter',
      () =>
        importBiEncoder({ ...json, parameters: { ...json.parameters, tokenEmbedding: undefined } }),
      'json.parameters.tokenEmbedding',
      ArgumentTypeError,
    ],
    [
      'a parameter too short',
      () => importBiEncoder({ ...json, parameters: { ...json.parameters, tokenEmbedding: [1] } }),
      'parameters.tokenEmbedding',
    ],
    [
      'a vocabulary whose max length is 0',
      () => importBiEncoder({ ...json, vocabulary: { ...json.vocabulary, maxLength: 0 } }),
      'vocabulary.maxLength',
    ],
    ['a string instead of JSON', () => importBiEncoder('{}'), 'json', ArgumentTypeError],
    [
      'BERT sizes with 0 layers',
      () => bertParamCount({ ...BGE_SMALL_EN_V15, layers: 0 }),
      'sizes.layers',
    ],
    [
      'BERT sizes without a pooler flag',
      () => bertParamCount(junk({ ...BGE_SMALL_EN_V15, pooler: 'yes' })),
      'sizes.pooler',
      ArgumentTypeError,
    ],
  ]);
});

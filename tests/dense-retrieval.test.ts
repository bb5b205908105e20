/**
 * Answer key for Q41 (index; embeddings) and Q43 (BGE's structure), dense retrieval. Worked
 * examples (the tokenizer, scikit-learn's published TF-IDF table, the parameter counts of
 * bge-small / base / large from their configs, the top-k @example), then the properties: top-k is
 * the exact top-k of a brute-force sort with ties broken by the lower index (heap, batch and tfjs
 * twins agree), inner product ranks as cosine on unit vectors, the encoder's vectors have unit
 * norm and do not depend on their batch (the padding mask), the batched tfjs encoder equals the
 * float64 one-text-at-a-time reference built on `blockForward` and `blockTf`, the embedding
 * lookup's hand-written gradient equals a one-hot matMul's, export / import is exact, the counts
 * match the allocated weights, training lowers the in-batch loss (seeded, a few steps) and a hard
 * negative can only raise it, TF-IDF vectors are unit and a document scores itself highest among
 * distinct documents; the work of top-k as a counted bound; and the pitfalls (no padding mask, no
 * normalization, unnormalized TF-IDF, ties to the later index) rejected by the same properties.
 * Input checks: tests/inputs/dense-retrieval.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  BGE_BASE_EN_V15,
  BGE_LARGE_EN_V15,
  BGE_SMALL_EN_V15,
  CLS_ID,
  PAD_ID,
  UNK_ID,
  bertBlockConfig,
  bertLayerTf,
  bertParamCount,
  biEncoderParamCount,
  biEncoderParameters,
  biEncoderTensors,
  contrastiveLoss,
  disposeBiEncoderTensors,
  encodeTexts,
  encodeTextsReference,
  exportBiEncoder,
  fitTfidf,
  fitVocabulary,
  importBiEncoder,
  initBiEncoder,
  lookupTf,
  pitfallEncodeWithoutNormalization,
  pitfallEncodeWithoutPaddingMask,
  pitfallTfidfVectorsUnnormalized,
  pitfallTopKTiesToLaterIndex,
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
  topKInnerProductTfMatrix,
  topKScores,
  trainBiEncoder,
  type BiEncoderConfig,
  type Hit,
  type SparseVector,
  type TfidfModel,
  type TrainingPair,
} from '../ml/dense-retrieval/index.js';
import { blockTf } from '../ml/transformer-block.js';
import { l2NormalizeRows } from '../ml/contrastive.js';
import { Counter } from '../core/counter.js';
import { tensorBackend } from '../core/backend.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

const { tf } = await tensorBackend();

const WORDS = ['kv', 'cache', 'attention', 'lora', 'rank', 'bge', 'cls', 'top', 'k', 'heap'];
const HAN = ['模', '型', '结', '构', '检', '索', '缓', '存'];
/** A short text of English words and Han characters. */
const textArb = fc
  .array(fc.constantFrom(...WORDS, ...HAN), { minLength: 0, maxLength: 14 })
  .map((tokens) => tokens.join(' '));

const CORPUS = [
  'KV cache stores keys and values 缓存',
  'LoRA trains a low rank update 低秩',
  'BGE pools the CLS token 模型结构',
  'top k retrieval with a heap 检索',
  ...WORDS,
  ...HAN,
];
const VOCAB = fitVocabulary(CORPUS, { maxLength: 16 });
const SMALL: BiEncoderConfig = { dModel: 16, numHeads: 2, ffnHidden: 32, numLayers: 1 };
const ENCODER = initBiEncoder(VOCAB, SMALL, rng(7));
const DEEP = initBiEncoder(VOCAB, { ...SMALL, numLayers: 2 }, rng(8));

/** Vectors with many ties: small integer entries. */
const tiedCase = fc
  .record({
    n: fc.integer({ min: 1, max: 30 }),
    d: fc.integer({ min: 1, max: 4 }),
    k: fc.integer({ min: 1, max: 35 }),
    seed: fc.integer(),
  })
  .map(({ n, d, k, seed }) => {
    const g = rng(seed);
    const vectors = randomMatrix(n, d, g, () => g.integer(-2, 2));
    const query = Array.from({ length: d }, () => g.integer(-2, 2));
    return { vectors, query, k };
  });

const rowNorms = (m: Matrix) =>
  Array.from({ length: m.rows }, (_, i) =>
    Math.hypot(...m.data.subarray(i * m.cols, (i + 1) * m.cols)),
  );

describe('worked examples', () => {
  it('tokens: lower-cased English words, one token per Han character, optional bigrams', () => {
    expect(tokenize('BGE 模型结构')).toEqual(['bge', '模', '型', '结', '构']);
    expect(tokenize('BGE 模型', { cjkBigrams: true })).toEqual(['bge', '模', '型', '模型']);
    expect(tokenize('KV-cache的作用?')).toEqual(['kv', 'cache', '的', '作', '用']);
    expect(tokenize('')).toEqual([]);
  });

  it('a vocabulary: [PAD], [UNK], [CLS] first, then by count and code point; ids padded and truncated', () => {
    const v = fitVocabulary(['b a a', 'c a b'], { maxLength: 3 });
    expect(v.tokens).toEqual(['[PAD]', '[UNK]', '[CLS]', 'a', 'b', 'c']);
    const { ids, width, lengths } = tokenIds(v, ['a', 'z b c', 'c']);
    expect(width).toBe(3);
    expect(Array.from(lengths)).toEqual([2, 3, 2]);
    expect(Array.from(ids)).toEqual([CLS_ID, 3, PAD_ID, CLS_ID, UNK_ID, 4, CLS_ID, 5, PAD_ID]);
  });

  it("scikit-learn's TF-IDF example (counts [[3,0,1],[2,0,0],[3,0,0],[4,0,0],[3,2,0],[3,0,2]]), to its 8 decimals", () => {
    const counts = [
      [3, 0, 1],
      [2, 0, 0],
      [3, 0, 0],
      [4, 0, 0],
      [3, 2, 0],
      [3, 0, 2],
    ];
    const texts = counts.map((c) =>
      ['apple', 'banana', 'cherry'].flatMap((t, j) => new Array<string>(c[j]!).fill(t)).join(' '),
    );
    const dense = (model: TfidfModel) =>
      tfidfVectors(model, texts).map((v) =>
        Array.from(sparseToDense(v, 3), (x) => Number(x.toFixed(8))),
      );
    const smooth = fitTfidf(texts);
    expect(smooth.terms).toEqual(['apple', 'banana', 'cherry']);
    expect(smooth.idf.map((x) => Number(x.toFixed(8)))).toEqual([1, 2.25276297, 1.84729786]);
    expect(dense(smooth)).toEqual([
      [0.85151335, 0, 0.52433293],
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [0.55422893, 0.83236428, 0],
      [0.63035731, 0, 0.77630514],
    ]);
    const plain = fitTfidf(texts, { smoothIdf: false });
    expect(plain.idf.map((x) => Number(x.toFixed(8)))).toEqual([1, 2.79175947, 2.09861229]);
    expect(dense(plain)).toEqual([
      [0.81940995, 0, 0.57320793],
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [0.47330339, 0.88089948, 0],
      [0.58149261, 0, 0.81355169],
    ]);
  });

  it('BGE from its configs: small 33,360,000 (33.4M), base 109,482,240 (109M), large 335,141,888 (335M)', () => {
    const small = bertParamCount(BGE_SMALL_EN_V15);
    expect(small.total).toBe(33_360_000);
    expect((small.total / 1e6).toFixed(1)).toBe('33.4');
    expect(small.embeddings).toBe((30_522 + 512 + 2) * 384 + 2 * 384);
    // one layer: 4 (d^2 + d) attention + 2 d f + f + d FFN + 2 LayerNorms of 2 d
    expect(small.perLayer).toBe(4 * (384 ** 2 + 384) + 2 * 384 * 1536 + 1536 + 384 + 4 * 384);
    expect(bertParamCount(BGE_BASE_EN_V15).total).toBe(109_482_240);
    expect(bertParamCount(BGE_LARGE_EN_V15).total).toBe(335_141_888);
    // without the pooler BGE never uses
    expect(bertParamCount({ ...BGE_SMALL_EN_V15, pooler: false }).total).toBe(33_212_160);
  });

  it('top-k by sorting: [1, 0] against three rows, k = 2; the tie at 0.6 goes to the lower index', () => {
    const vectors = fromRows([
      [0.6, 0.8],
      [1, 0],
      [0.6, -0.8],
    ]);
    const expected = [
      { index: 1, score: 1 },
      { index: 0, score: 0.6 },
    ];
    expect(topKBySorting([1, 0], vectors, 2)).toEqual(expected);
    expect(topKInnerProduct([1, 0], vectors, 2)).toEqual(expected);
    expect(topKInnerProduct([1, 0], vectors, 10)).toHaveLength(3);
  });
});

/** The heap (or any top-k) equals the brute-force sort exactly, ties included. */
const exactTopK = (topK: (q: ArrayLike<number>, v: Matrix, k: number) => Hit[]) =>
  fc.property(tiedCase, ({ vectors, query, k }) => {
    expect(topK(query, vectors, k)).toEqual(topKBySorting(query, vectors, k));
  });

describe('top-k: the exact top-k of a brute-force scan, ties broken by the lower index', () => {
  it('the heap equals sorting on vectors with many ties', () => {
    fc.assert(exactTopK(topKInnerProduct), { numRuns: 200 });
  });

  test.prop([tiedCase, fc.integer({ min: 1, max: 4 })], { numRuns: 60 })(
    'the batch version is the single one per query; topKScores of the scores is the same list',
    ({ vectors, k, query }, q) => {
      const g = rng(q);
      const queries = randomMatrix(q, vectors.cols, g, () => g.integer(-2, 2));
      const batch = topKInnerProductBatch(queries, vectors, k);
      batch.forEach((hits, r) =>
        expect(hits).toEqual(
          topKInnerProduct(
            queries.data.subarray(r * vectors.cols, (r + 1) * vectors.cols),
            vectors,
            k,
          ),
        ),
      );
      const scores = Array.from({ length: vectors.rows }, (_, i) =>
        query.reduce((s, x, j) => s + x * vectors.data[i * vectors.cols + j]!, 0),
      );
      expect(topKScores(scores, k)).toEqual(topKBySorting(query, vectors, k));
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 10 }),
      fc.integer(),
    ],
    { numRuns: 25 },
  )(
    'tfjs (matMul + tf.topk) finds the same scores, and the same rows where no two are within 1e-3',
    async (n, d, k, seed) => {
      const g = rng(seed);
      const vectors = randomMatrix(n, d, g);
      const queries = randomMatrix(2, d, g);
      const viaTf = await topKInnerProductTfMatrix(queries, vectors, k);
      viaTf.forEach((hits, r) => {
        const exact = topKInnerProduct(queries.data.subarray(r * d, (r + 1) * d), vectors, k);
        expect(hits).toHaveLength(exact.length);
        hits.forEach((h, c) => {
          expect(Math.abs(h.score - exact[c]!.score)).toBeLessThan(
            1e-4 * Math.max(1, Math.abs(exact[c]!.score)),
          );
          const gapBefore = c === 0 ? Infinity : exact[c - 1]!.score - exact[c]!.score;
          const gapAfter = c + 1 < exact.length ? exact[c]!.score - exact[c + 1]!.score : Infinity;
          if (Math.min(gapBefore, gapAfter) > 1e-3) expect(h.index).toBe(exact[c]!.index);
        });
      });
    },
  );

  test.prop(
    [
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 10 }),
      fc.integer(),
    ],
    {
      numRuns: 100,
    },
  )('on unit-norm vectors, retrieval by inner product is retrieval by cosine', (n, d, k, seed) => {
    const g = rng(seed);
    const vectors = l2NormalizeRows(randomMatrix(n, d, g));
    const query = l2NormalizeRows(randomMatrix(1, d, g)).data;
    const ip = topKInnerProduct(query, vectors, k);
    const cos = topKCosine(query, vectors, k);
    expect(cos.map((h) => h.index)).toEqual(ip.map((h) => h.index));
    cos.forEach((h, i) => expect(h.score).toBeCloseTo(ip[i]!.score, 12));
  });

  it('but not on unnormalized vectors: a long vector wins by its length', () => {
    const vectors = fromRows([
      [1, 0],
      [3, 3],
    ]);
    expect(topKInnerProduct([1, 0], vectors, 1)[0]!.index).toBe(1);
    expect(topKCosine([1, 0], vectors, 1)[0]!.index).toBe(0);
  });
});

describe('complexity: one scan, O(n d) multiply-adds and O(n log k) heap comparisons', () => {
  test.prop([tiedCase], { numRuns: 100 })(
    'madds = n d and comparisons <= n (1 + 2 ceil(log2(k + 1))); the counted search is the search',
    ({ vectors, query, k }) => {
      const c = new Counter();
      expect(topKInnerProductCounted(query, vectors, k, c)).toEqual(
        topKInnerProduct(query, vectors, k),
      );
      const n = vectors.rows;
      expect(c.get('madds')).toBe(n * vectors.cols);
      expect(c.get('comparisons')).toBeLessThanOrEqual(n * (1 + 2 * Math.ceil(Math.log2(k + 1))));
    },
  );
});

/** Every vector has unit norm. */
const unitNorm = (encode: (texts: string[]) => Matrix) =>
  fc.property(fc.array(textArb, { minLength: 1, maxLength: 6 }), (texts) =>
    rowNorms(encode(texts)).every((norm) => Math.abs(norm - 1) < 1e-5),
  );

/** A text's vector does not depend on the other texts of its batch (their padding). */
const batchIndependent = (encode: (texts: string[]) => Matrix) =>
  fc.property(textArb, fc.array(textArb, { minLength: 1, maxLength: 4 }), (text, others) => {
    const alone = encode([text]);
    const withLonger = encode([text, `${others.join(' ')} ${WORDS.join(' ')}`]);
    return maxAbsDiff(alone, matrix(1, alone.cols, withLonger.data.subarray(0, alone.cols))) < 1e-5;
  });

describe('the bi-encoder', () => {
  it('its vectors have unit norm', () => {
    fc.assert(
      unitNorm((t) => encodeTexts(tf, ENCODER, t)),
      { numRuns: 25 },
    );
  });

  it("a text's vector does not depend on its batch: the padding is masked", () => {
    fc.assert(
      batchIndependent((t) => encodeTexts(tf, ENCODER, t)),
      { numRuns: 25 },
    );
  });

  test.prop([fc.array(textArb, { minLength: 1, maxLength: 8 })], { numRuns: 15 })(
    'the batched tfjs encoder equals the float64 reference (blockForward, one text at a time), 1e-4',
    (texts) => {
      for (const encoder of [ENCODER, DEEP])
        expect(
          maxAbsDiff(
            encodeTexts(tf, encoder, texts, { batchSize: 3 }),
            encodeTextsReference(encoder, texts),
          ),
        ).toBeLessThan(1e-4);
    },
  );

  it("its layer is ml/transformer-block.ts's post-norm block: bertLayerTf equals blockTf with bertBlockConfig", () => {
    const { tensors, byName } = biEncoderTensors(tf, ENCODER);
    try {
      const gap = tf.tidy(() => {
        const x = tf.randomNormal([3, 5, SMALL.dModel], 0, 1, 'float32', 3);
        const visible = tf.tensor3d(
          [
            [[true, true, true, false, false]],
            [[true, true, true, true, true]],
            [[true, false, false, false, false]],
          ],
          [3, 1, 5],
          'bool',
        );
        const ours = bertLayerTf(tf, x, tensors.blocks[0]!, SMALL, tf.expandDims(visible, 1));
        const theirs = blockTf(tf, x, tensors.blocks[0]!, bertBlockConfig(SMALL), {
          mask: visible,
        });
        return tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]!;
      });
      expect(gap).toBeLessThan(1e-5);
    } finally {
      disposeBiEncoderTensors(tf, byName);
    }
  });

  it('the embedding lookup differentiates like a one-hot matMul (the gradient training uses)', () => {
    const [viaLookup, viaOneHot] = tf.tidy(() => {
      const table = tf.randomNormal([6, 3], 0, 1, 'float32', 1);
      const ids = tf.tensor1d([4, 0, 4, 4, 2], 'int32');
      const weights = tf.randomNormal([5, 3], 0, 1, 'float32', 2);
      const a = tf.grad((t) => tf.sum(tf.mul(lookupTf(tf, t, ids), weights)))(table);
      const b = tf.grad((t) =>
        tf.sum(tf.mul(tf.matMul(tf.cast(tf.oneHot(ids, 6), 'float32'), t), weights)),
      )(table);
      return [Array.from(a.dataSync()), Array.from(b.dataSync())];
    });
    viaLookup.forEach((v, i) => expect(v).toBeCloseTo(viaOneHot[i]!, 6));
  });

  test.prop(
    [
      fc.array(textArb, { minLength: 1, maxLength: 5 }),
      fc.array(textArb, { minLength: 1, maxLength: 5 }),
    ],
    {
      numRuns: 15,
    },
  )(
    'on its own vectors, inner-product retrieval ranks as cosine retrieval',
    (queries, passages) => {
      const index = encodeTexts(tf, ENCODER, passages);
      const q = encodeTexts(tf, ENCODER, queries);
      for (let r = 0; r < q.rows; r++) {
        const query = q.data.subarray(r * q.cols, (r + 1) * q.cols);
        const k = passages.length;
        expect(topKCosine(query, index, k).map((h) => h.index)).toEqual(
          topKInnerProduct(query, index, k).map((h) => h.index),
        );
      }
    },
  );

  it('counts: biEncoderParamCount is the number of floats initBiEncoder allocates', () => {
    for (const encoder of [ENCODER, DEEP]) {
      const allocated = biEncoderParameters(encoder).reduce((s, p) => s + p.values.length, 0);
      expect(biEncoderParamCount(encoder.config, encoder.vocabulary)).toBe(allocated);
    }
  });

  it('export -> JSON -> import gives the same encoder, to the last bit', () => {
    const back = importBiEncoder(JSON.parse(JSON.stringify(exportBiEncoder(DEEP))));
    expect(Array.from(encodeTexts(tf, back, CORPUS).data)).toEqual(
      Array.from(encodeTexts(tf, DEEP, CORPUS).data),
    );
    expect(back.vocabulary.tokens).toEqual(DEEP.vocabulary.tokens);
  });
});

/** Twelve pairs with distinct queries and passages: a word and a phrase that contains it. */
const PAIRS: TrainingPair[] = [
  ['kv', 'KV cache stores keys and values 缓存'],
  ['lora', 'LoRA trains a low rank update 低秩'],
  ['bge', 'BGE pools the CLS token 模型结构'],
  ['heap', 'top k retrieval with a heap 检索'],
  ['缓存', 'cache'],
  ['模型', 'bge cls'],
  ['检索', 'top k'],
  ['attention', 'attention'],
  ['rank', 'lora rank'],
  ['cls', 'cls 模'],
  ['结构', '结 构'],
  ['存', '缓 存 kv'],
].map(([query, passage]) => ({ query: query!, passage: passage! }));

describe('training with in-batch negatives', () => {
  it('lowers the in-batch contrastive loss (seeded, 12 steps), leaves the input encoder alone, replays exactly', async () => {
    const before = contrastiveLoss(tf, ENCODER, PAIRS, { batchSize: 12 });
    const snapshot = Array.from(ENCODER.weights.tokenEmbedding.data);
    const options = { steps: 12, batchSize: 12, learningRate: 0.01 };
    const first = await trainBiEncoder(tf, ENCODER, PAIRS, options, rng(4));
    const after = contrastiveLoss(tf, first.encoder, PAIRS, { batchSize: 12 });
    expect(after).toBeLessThan(0.7 * before);
    expect(Array.from(ENCODER.weights.tokenEmbedding.data)).toEqual(snapshot);
    const again = await trainBiEncoder(tf, ENCODER, PAIRS, options, rng(4));
    expect(again.losses).toEqual(first.losses);
    expect(
      rowNorms(encodeTexts(tf, first.encoder, CORPUS)).every((v) => Math.abs(v - 1) < 1e-5),
    ).toBe(true);
  });

  it('a hard negative (an extra column) can only raise the loss; training with them runs', async () => {
    const withNegatives = PAIRS.map((p, i) => ({
      ...p,
      negatives: [PAIRS[(i + 1) % PAIRS.length]!.passage + ' 存'],
    }));
    const plain = contrastiveLoss(tf, ENCODER, PAIRS, { batchSize: 6 });
    expect(contrastiveLoss(tf, ENCODER, withNegatives, { batchSize: 6 })).toBeGreaterThan(plain);
    const { losses } = await trainBiEncoder(
      tf,
      ENCODER,
      withNegatives,
      { steps: 2, batchSize: 6 },
      rng(1),
    );
    expect(losses).toHaveLength(2);
  });
});

/** Small corpora of distinct documents over a few terms with repeats. */
const corpusArb = fc.uniqueArray(
  fc
    .array(fc.constantFrom('alpha', 'beta', 'gamma', 'delta', '模', '型'), {
      minLength: 1,
      maxLength: 9,
    })
    .map((t) => t.join(' ')),
  { minLength: 2, maxLength: 8 },
);

/** Each document scores itself at least as high as any other, strictly unless their vectors are equal. */
const scoresItselfHighest = (vectorize: (model: TfidfModel, texts: string[]) => SparseVector[]) =>
  fc.property(corpusArb, (texts) => {
    const model = fitTfidf(texts);
    const vectors = vectorize(model, texts);
    return vectors.every((v, i) => {
      const scores = tfidfScores(v, vectors);
      return Array.from(scores).every((s, j) => {
        if (j === i) return true;
        const same =
          maxAbsDiff(
            matrix(1, model.terms.length, sparseToDense(v, model.terms.length)),
            matrix(1, model.terms.length, sparseToDense(vectors[j]!, model.terms.length)),
          ) < 1e-12;
        return same ? s <= scores[i]! + 1e-12 : s < scores[i]! - 1e-12;
      });
    });
  });

describe('TF-IDF', () => {
  it('a document scores itself highest among distinct documents (ties only with an equal vector)', () => {
    fc.assert(scoresItselfHighest(tfidfVectors), { numRuns: 150 });
  });

  test.prop([corpusArb], { numRuns: 80 })(
    'vectors have unit norm, and sparse scoring ranks as the dense inner-product index',
    (texts) => {
      const model = fitTfidf(texts);
      const vectors = tfidfVectors(model, texts);
      vectors.forEach((v) => expect(Math.hypot(...v.values)).toBeCloseTo(1, 12));
      const width = model.terms.length;
      const dense = matrix(
        texts.length,
        width,
        vectors.flatMap((v) => Array.from(sparseToDense(v, width))),
      );
      const query = texts[0]!;
      const k = Math.min(3, texts.length);
      const sparse = tfidfSearch(model, vectors, query, k);
      const viaIndex = topKInnerProduct(
        sparseToDense(tfidfVectors(model, [query])[0]!, width),
        dense,
        k,
      );
      expect(sparse.map((h) => h.index)).toEqual(viaIndex.map((h) => h.index));
      sparse.forEach((h, i) => expect(h.score).toBeCloseTo(viaIndex[i]!.score, 12));
    },
  );

  it('a query of unknown words scores 0 everywhere (the top k are then the first k by index)', () => {
    const model = fitTfidf(['alpha beta', 'gamma']);
    const hits = tfidfSearch(model, tfidfVectors(model, ['alpha beta', 'gamma']), 'zeta', 2);
    expect(hits).toEqual([
      { index: 0, score: 0 },
      { index: 1, score: 0 },
    ]);
  });
});

describe('pitfalls', () => {
  it('encoding without the padding mask: a vector changes with the longest text of its batch', () => {
    rejectsPitfall(
      batchIndependent((t) => pitfallEncodeWithoutPaddingMask(tf, ENCODER, t)),
      { numRuns: 25 },
    );
  });

  it('encoding without the L2 normalization: vectors are not unit', () => {
    rejectsPitfall(
      unitNorm((t) => pitfallEncodeWithoutNormalization(tf, ENCODER, t)),
      { numRuns: 25 },
    );
  });

  it('TF-IDF without the L2 normalization: a longer document outscores the query document itself', () => {
    rejectsPitfall(scoresItselfHighest(pitfallTfidfVectorsUnnormalized), { numRuns: 150 });
  });

  it('ties to the later index: not the top-k of the brute-force sort', () => {
    rejectsPitfall(exactTopK(pitfallTopKTiesToLaterIndex), { numRuns: 200 });
  });
});

/**
 * Dense retrieval with a BGE-shaped bi-encoder, beside a TF-IDF baseline, and exact top-k by inner
 * product. Answers: Q41 (索引, embedding: how passages are embedded and indexed), Q43 (BGE 模型结构).
 *
 * The idea: one encoder maps a query and a passage, separately, to unit vectors; relevance is
 * their inner product (= cosine), so the passages are encoded once, offline, into an index, and a
 * query costs one forward pass plus a scan (or an approximate nearest-neighbour search).
 *
 *   e(text) = normalize(BERT(text)[CLS])           BGE: CLS pooling, L2-normalized output
 *   score(q, p) = e(q) . e(p)                        the index is a matrix of rows e(p)
 *   top-k(q) = the k rows of largest score           exact: score all, keep the best k
 *   training: InfoNCE over in-batch (and hard) negatives, L = -log softmax(e(q) . e(p_j) / T)_+
 *
 * Q43, BGE's structure (Xiao et al., C-Pack, 2023, and FlagEmbedding): a BERT encoder (bge-small
 * 12 x 384, bge-base 12 x 768, bge-large 24 x 1024; 33.4M, 109M, 335M parameters), pre-trained
 * with RetroMAE, then contrastively fine-tuned on pairs with in-batch negatives and mined hard
 * negatives at a low temperature (0.02 in FlagEmbedding's fine-tuning scripts); the embedding is
 * the last hidden state of [CLS], L2-normalized; for retrieval a query gets an instruction prefix
 * (English v1.5: "Represent this sentence for searching relevant passages: "; Chinese:
 * "为这个句子生成表示以用于检索相关文章："), passages none.
 *
 * The parts, one responsibility a file: ./tokenize.ts (words and Han characters, a fitted
 * vocabulary with [PAD], [UNK], [CLS], a max length), ./encoder.ts (the encoder from the
 * transformer family's pieces, its tfjs forward and a float64 reference, BERT / BGE parameter
 * counts, `encodeTexts`, `denseSearch`), ./train.ts (in-batch-negative training with
 * ml/contrastive.ts's `infoNceTf`), ./io.ts (plain JSON weights), ./tfidf.ts (the baseline),
 * ./top-k.ts (heap top-k, cosine top-k, the tfjs matMul + tf.topk twin), ./pitfalls.ts.
 *
 * Conventions: ties in every top-k are broken by index, the lower first; k > n returns all n.
 * Complexity: encoding O(n L (L d + d f)) per layer; exact search O(n d + n log k) per query
 * (sort: O(n d + n log n)); an index of n vectors of width d holds n d floats.
 *
 * @example
 *   topKBySorting([1, 0], fromRows([[0.6, 0.8], [1, 0], [0.6, -0.8]]), 2)
 *   // [{ index: 1, score: 1 }, { index: 0, score: 0.6 }]: ties broken by the lower index
 *   const vocabulary = fitVocabulary(passages, { maxLength: 48 });
 *   const encoder = initBiEncoder(vocabulary, TINY_BI_ENCODER, rng(1));
 *   const trained = (await trainBiEncoder(tf, encoder, pairs, { steps: 60 }, rng(2))).encoder;
 *   const index = encodeTexts(tf, trained, passages);          // [n, d], unit rows
 *   denseSearch(tf, trained, index, 'what is a KV cache', 5);   // the 5 best rows
 */
import type { Matrix } from '../../core/matrix.js';
import { assertRetrievalInputs, type Hit } from './top-k.js';
import { innerProduct } from './kernels.js';

/** Exact top-k, the whiteboard way: score every vector by q . v_i, sort best first, take k. */
export function topKBySorting(query: ArrayLike<number>, vectors: Matrix, k: number): Hit[] {
  const n = assertRetrievalInputs(query, vectors, k);
  // score every vector: s_i = q . v_i
  const hits = Array.from({ length: n }, (_, i) => ({
    index: i,
    score: innerProduct(query, vectors, i),
  }));
  // best first; of two equal scores the lower index first
  hits.sort((a, b) => b.score - a.score || a.index - b.index);
  return hits.slice(0, k);
}

export * from './tokenize.js';
export * from './top-k.js';
export * from './tfidf.js';
export * from './encoder.js';
export * from './train.js';
export * from './io.js';
export * from './pitfalls.js';

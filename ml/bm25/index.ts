/**
 * BM25: score a document by how often it holds each query term, damped so repeats saturate,
 * normalised by its length against the average, and weighted by how rare the term is (idf).
 * Answers: Q42 (关键词检索和重排: the keyword half; fusion and re-ranking are ml/hybrid-rerank.ts).
 *
 *   score(D, Q) = sum over q in Q of idf(q) f(q, D) (k1 + 1) / (f(q, D) + k1 (1 - b + b |D| / avgdl))
 *
 * Symbols: f(q, D) the count of q in D, |D| the length of D in tokens, avgdl the mean length, N the
 * number of documents and n(q) how many hold q. Two conventions are named in params.ts: `OKAPI`
 * (rank_bm25's BM25Okapi: idf ln((N - n + 0.5) / (n + 0.5)), negative values floored at 0.25 x the
 * mean idf, k1 = 1.5, b = 0.75) and `LUCENE` (idf ln(1 + (N - n + 0.5) / (n + 0.5)), no (k1 + 1),
 * k1 = 1.2). k1 sets how fast repeats saturate (the term part never exceeds idf (k1 + 1)); b = 0
 * ignores length, b = 1 normalises fully. A term repeated in the query counts again (rank_bm25).
 * rank_bm25's floor is 0.25 x the mean idf, itself negative when most terms are common, so there a
 * common term still lowers a score; Lucene's idf is positive by construction.
 *
 * In this folder: the textbook `bm25Scores` below (every document, every query term: a scan);
 * inverted-index.ts (`buildBm25Index`, `searchBm25`, `bm25ScoreAll`: only the postings of the
 * query's terms); tokenize.ts (English words, Chinese bigrams, the mixed analyser with common
 * words removed); pitfalls.ts.
 *
 * Complexity: textbook O(N |Q| avg|D|) per query; the index O(sum of n(q)) per query after an
 * O(total tokens) build, which is what makes keyword search over millions of chunks instant.
 *
 * @example
 *   bm25Scores([['a', 'b', 'c'], ['a', 'a', 'd'], ['b', 'e']], ['a', 'e'])
 *   // [0.0242, 0.0351, 0.5756]: 'a' is in 2 of 3 documents, so its idf is floored to 0.0255
 */
import { ArgumentError, assertFinite } from '../../core/errors.js';
import { assertCorpus, assertQuery } from './params.js';

/** rank_bm25's BM25Okapi, written out: the score of every document of `corpus` for `query`. */
export function bm25Scores(
  corpus: readonly (readonly string[])[],
  query: readonly string[],
  k1 = 1.5,
  b = 0.75,
  epsilon = 0.25,
): number[] {
  assertBm25Arguments(corpus, query, k1, b, epsilon);
  const N = corpus.length;
  const avgdl = corpus.reduce((sum, doc) => sum + doc.length, 0) / N;
  // document frequency: in how many documents each term occurs
  const df = new Map<string, number>();
  for (const doc of corpus) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
  // Robertson's idf; negative for a term in over half the documents, then floored
  const idf = new Map([...df].map(([t, n]) => [t, Math.log((N - n + 0.5) / (n + 0.5))]));
  const floor = (epsilon * [...idf.values()].reduce((s, v) => s + v, 0)) / idf.size;
  for (const [t, v] of idf) if (v < 0) idf.set(t, floor);
  return corpus.map((doc) => {
    let score = 0;
    for (const q of query) {
      const f = doc.filter((t) => t === q).length;
      if (f === 0) continue;
      score += (idf.get(q)! * f * (k1 + 1)) / (f + k1 * (1 - b + (b * doc.length) / avgdl));
    }
    return score;
  });
}

function assertBm25Arguments(
  corpus: unknown,
  query: unknown,
  k1: unknown,
  b: unknown,
  epsilon: unknown,
): void {
  assertCorpus('corpus', corpus);
  assertQuery('query', query);
  assertNonNegative('k1', k1);
  assertNonNegative('b', b, 1);
  assertNonNegative('epsilon', epsilon);
}

function assertNonNegative(argument: string, value: unknown, max = Infinity): void {
  assertFinite(argument, value);
  if (value < 0 || value > max)
    throw new ArgumentError(argument, value, max === Infinity ? '>= 0' : `in [0, ${max}]`);
}

export {
  buildBm25Index,
  bm25ScoreAll,
  searchBm25,
  type Bm25Index,
  type Posting,
} from './inverted-index.js';
export { LUCENE, OKAPI, type Bm25Params } from './params.js';
export {
  analyze,
  CHINESE_STOPWORDS,
  ENGLISH_STOPWORDS,
  segmentChinese,
  tokenizeChinese,
  tokenizeEnglish,
  tokenizeMixed,
} from './tokenize.js';
export { pitfallLinearTermFrequency, pitfallRobertsonIdfWithoutFloor } from './pitfalls.js';

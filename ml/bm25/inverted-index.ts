/**
 * The engineered BM25: an inverted index (term -> the documents holding it and how often), so a
 * query touches only the postings of its own terms instead of every document. Equal to the
 * textbook `bm25Scores` (the answer key checks it on random corpora); builds in O(total tokens),
 * answers in O(sum of the query terms' document frequencies + m log k) for m matching documents.
 *
 * @example
 *   const index = buildBm25Index([['a', 'b', 'c'], ['a', 'a', 'd'], ['b', 'e']], LUCENE);
 *   searchBm25(index, ['a', 'e'], 2)   // [{ index: 2, score: 0.4966 }, { index: 1, score: 0.2838 }]
 */
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import { assertInteger, ArgumentTypeError } from '../../core/errors.js';
import { topK, type Scored } from '../../core/top-k.js';
import {
  assertCorpus,
  assertParams,
  assertQuery,
  OKAPI,
  rawIdf,
  saturation,
  type Bm25Params,
} from './params.js';

/** The documents holding one term, in increasing order, with the term's count in each. */
export interface Posting {
  docs: Int32Array;
  counts: Int32Array;
}

export interface Bm25Index {
  readonly params: Bm25Params;
  readonly docCount: number;
  readonly docLengths: Int32Array;
  readonly avgdl: number;
  readonly postings: ReadonlyMap<string, Posting>;
  /** Final idf per indexed term (Okapi's floor applied). */
  readonly idf: ReadonlyMap<string, number>;
}

/** Index a tokenised corpus under one convention (default Okapi, as rank_bm25). */
export function buildBm25Index(
  corpus: readonly (readonly string[])[],
  params: Bm25Params = OKAPI,
): Bm25Index {
  assertCorpus('corpus', corpus);
  assertParams('params', params);
  const docLengths = Int32Array.from(corpus, (doc) => doc.length);
  const building = new Map<string, { docs: number[]; counts: number[] }>();
  corpus.forEach((doc, d) => {
    for (const term of doc) {
      let p = building.get(term);
      if (p === undefined) building.set(term, (p = { docs: [], counts: [] }));
      // documents come in order, so a term seen again in the same document is the last posting
      if (p.docs[p.docs.length - 1] === d) p.counts[p.counts.length - 1]!++;
      else (p.docs.push(d), p.counts.push(1));
    }
  });
  const postings = new Map<string, Posting>();
  for (const [term, p] of building)
    postings.set(term, { docs: Int32Array.from(p.docs), counts: Int32Array.from(p.counts) });
  const N = corpus.length;
  const idf = new Map<string, number>();
  for (const [term, p] of postings) idf.set(term, rawIdf(params.variant, N, p.docs.length));
  if (params.variant === 'okapi' && idf.size > 0) {
    // rank_bm25: the mean is over every term's raw idf, negatives included
    let sum = 0;
    for (const v of idf.values()) sum += v;
    const floor = (params.epsilon * sum) / idf.size;
    for (const [term, v] of idf) if (v < 0) idf.set(term, floor);
  }
  const total = docLengths.reduce((s, l) => s + l, 0);
  return { params, docCount: N, docLengths, avgdl: total / N, postings, idf };
}

function assertIndex(argument: string, index: unknown): asserts index is Bm25Index {
  const i = index as Partial<Bm25Index> | null;
  if (
    i === null ||
    typeof i !== 'object' ||
    !(i.postings instanceof Map) ||
    !(i.idf instanceof Map) ||
    !(i.docLengths instanceof Int32Array)
  )
    throw new ArgumentTypeError(argument, index, 'an index from buildBm25Index');
}

/** Scores every document (0 where no query term occurs); repeated query terms count again. */
export function bm25ScoreAll(
  index: Bm25Index,
  query: readonly string[],
  counter?: Counter,
): Float64Array {
  assertIndex('index', index);
  assertQuery('query', query);
  assertOptionalCounter('counter', counter);
  return accumulate(index, query, [], counter);
}

/** Adds every query term's part to its documents' scores; `touched` collects them, once each. */
function accumulate(
  index: Bm25Index,
  query: readonly string[],
  touched: number[],
  counter?: Counter,
): Float64Array {
  const scores = new Float64Array(index.docCount);
  const seen = new Uint8Array(index.docCount);
  for (const term of query) {
    const posting = index.postings.get(term);
    if (posting === undefined) continue;
    const idf = index.idf.get(term) as number;
    counter?.add('postings', posting.docs.length);
    for (let j = 0; j < posting.docs.length; j++) {
      const d = posting.docs[j]!;
      const f = posting.counts[j]!;
      scores[d] = scores[d]! + idf * saturation(index.params, f, index.docLengths[d]!, index.avgdl);
      if (seen[d] === 0) ((seen[d] = 1), touched.push(d));
    }
  }
  return scores;
}

/** The k best documents holding at least one query term, best first, ties by lower index. */
export function searchBm25(
  index: Bm25Index,
  query: readonly string[],
  k: number,
  counter?: Counter,
): Scored[] {
  assertIndex('index', index);
  assertQuery('query', query);
  assertInteger('k', k, { min: 1 });
  assertOptionalCounter('counter', counter);
  const touched: number[] = [];
  const scores = accumulate(index, query, touched, counter);
  return touched.length === 0 ? [] : topK(scores, k, touched);
}

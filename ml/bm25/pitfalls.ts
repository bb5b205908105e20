/**
 * Common wrong answers to "write BM25", each rejected in tests/bm25.test.ts by the property the
 * right answer passes.
 */
import { assertCorpus, assertQuery } from './params.js';

function okapiLike(
  corpus: readonly (readonly string[])[],
  query: readonly string[],
  idfOf: (n: number, N: number) => number,
  termPart: (f: number, norm: number, k1: number, b: number) => number,
): number[] {
  assertCorpus('corpus', corpus);
  assertQuery('query', query);
  const N = corpus.length;
  const avgdl = corpus.reduce((s, d) => s + d.length, 0) / N;
  const df = new Map<string, number>();
  for (const doc of corpus) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
  return corpus.map((doc) =>
    query.reduce((score, q) => {
      const f = doc.filter((t) => t === q).length;
      if (f === 0) return score;
      return score + idfOf(df.get(q)!, N) * termPart(f, doc.length / avgdl, 1.5, 0.75);
    }, 0),
  );
}

const okapiTerm = (f: number, norm: number, k1: number, b: number) =>
  (f * (k1 + 1)) / (f + k1 * (1 - b + b * norm));

/**
 * Pitfall: Robertson's idf ln((N - n + 0.5) / (n + 0.5)) without a floor: a term in more than
 * half of the documents gets a negative weight, so holding it LOWERS a document's score.
 */
export function pitfallRobertsonIdfWithoutFloor(
  corpus: readonly (readonly string[])[],
  query: readonly string[],
): number[] {
  return okapiLike(corpus, query, (n, N) => Math.log((N - n + 0.5) / (n + 0.5)), okapiTerm);
}

/**
 * Pitfall: the term part without saturation, f (k1 + 1) / (k1 (1 - b + b |D| / avgdl)): TF-IDF
 * in disguise, where one word repeated many times outweighs every other term.
 */
export function pitfallLinearTermFrequency(
  corpus: readonly (readonly string[])[],
  query: readonly string[],
): number[] {
  return okapiLike(
    corpus,
    query,
    (n, N) => Math.max(Math.log((N - n + 0.5) / (n + 0.5)), 0.01),
    (f, norm, k1, b) => (f * (k1 + 1)) / (k1 * (1 - b + b * norm)),
  );
}

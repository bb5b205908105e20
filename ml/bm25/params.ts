/**
 * The two BM25 conventions in use, and the checks shared by the textbook scorer and the index.
 *
 * - `OKAPI` follows rank_bm25's BM25Okapi: Robertson's idf ln((N - n + 0.5) / (n + 0.5)), which is
 *   negative for a term in more than half of the documents, replaced there by epsilon times the
 *   mean idf of the corpus (epsilon = 0.25); k1 = 1.5, b = 0.75; the (k1 + 1) factor kept.
 * - `LUCENE` follows Lucene's BM25Similarity (since 8.0): idf ln(1 + (N - n + 0.5) / (n + 0.5)),
 *   always positive; k1 = 1.2, b = 0.75; no (k1 + 1) factor (it scales every score alike, so it
 *   never changed a ranking; LUCENE-8563 removed it). Lucene also stores document lengths lossily
 *   in one byte; here lengths are exact.
 * @internal
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertFinite,
  assertObject,
  assertOneOf,
} from '../../core/errors.js';

export interface Bm25Params {
  variant: 'okapi' | 'lucene';
  /** Term-frequency saturation: the larger, the longer repeated terms keep adding. */
  k1: number;
  /** Length normalisation, 0 (none) to 1 (full). */
  b: number;
  /** Okapi only: a negative idf becomes epsilon x the corpus's mean idf. */
  epsilon: number;
}

export const OKAPI: Bm25Params = { variant: 'okapi', k1: 1.5, b: 0.75, epsilon: 0.25 };
export const LUCENE: Bm25Params = { variant: 'lucene', k1: 1.2, b: 0.75, epsilon: 0 };

/** A corpus is at least one document, each an array of string tokens (possibly empty). */
export function assertCorpus(
  argument: string,
  corpus: unknown,
): asserts corpus is readonly (readonly string[])[] {
  assertArray(argument, corpus);
  if (corpus.length === 0)
    throw new ArgumentError(argument, corpus, 'at least one document (an empty corpus)');
  corpus.forEach((doc, d) => assertTokens(`${argument}[${d}]`, doc));
}

export function assertTokens(argument: string, tokens: unknown): asserts tokens is string[] {
  assertArray(argument, tokens);
  tokens.forEach((t, i) => {
    if (typeof t !== 'string') throw new ArgumentTypeError(`${argument}[${i}]`, t, 'a string');
  });
}

/** A query is a non-empty array of tokens. */
export function assertQuery(argument: string, query: unknown): asserts query is string[] {
  assertTokens(argument, query);
  if (query.length === 0)
    throw new ArgumentError(argument, query, 'at least one token (an empty query matches nothing)');
}

export function assertParams(argument: string, params: unknown): asserts params is Bm25Params {
  assertObject(argument, params, 'BM25 parameters { variant, k1, b, epsilon }');
  assertOneOf(`${argument}.variant`, params['variant'], ['okapi', 'lucene'] as const);
  assertFinite(`${argument}.k1`, params['k1']);
  if ((params['k1'] as number) < 0) throw new ArgumentError(`${argument}.k1`, params['k1'], '>= 0');
  assertFinite(`${argument}.b`, params['b']);
  const b = params['b'] as number;
  if (b < 0 || b > 1) throw new ArgumentError(`${argument}.b`, b, 'a number in [0, 1]');
  assertFinite(`${argument}.epsilon`, params['epsilon']);
  if ((params['epsilon'] as number) < 0)
    throw new ArgumentError(`${argument}.epsilon`, params['epsilon'], '>= 0');
}

/** idf of a term found in n of N documents, before Okapi's floor. */
export function rawIdf(variant: Bm25Params['variant'], N: number, n: number): number {
  const ratio = (N - n + 0.5) / (n + 0.5);
  return variant === 'lucene' ? Math.log(1 + ratio) : Math.log(ratio);
}

/** The term-frequency part: f (k1 + 1) / (f + k1 (1 - b + b dl / avgdl)), Lucene without k1 + 1. */
export function saturation(params: Bm25Params, f: number, dl: number, avgdl: number): number {
  const { k1, b } = params;
  const norm = avgdl > 0 ? dl / avgdl : 1;
  const top = params.variant === 'okapi' ? f * (k1 + 1) : f;
  return top / (f + k1 * (1 - b + b * norm));
}

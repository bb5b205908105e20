/**
 * The sparse baseline: TF-IDF vectors, L2-normalized, scored by inner product (= cosine).
 *
 *   w(t, d) = tf(t, d) idf(t),   idf(t) = ln((1 + N) / (1 + df(t))) + 1      (smooth, the default)
 *                                idf(t) = ln(N / df(t)) + 1                  (smoothIdf: false)
 *   v(d) = w(., d) / |w(., d)|_2
 *
 * Conventions of scikit-learn's TfidfVectorizer (norm='l2', smooth_idf=True, sublinear_tf=False:
 * tf is the raw count; sublinearTf uses 1 + ln(count)), with this module's tokenizer instead of
 * sklearn's token pattern (which drops one-character tokens, and so every Chinese character).
 * Terms are the tokens of the fitted corpus in code-point order; a query's unknown terms are
 * dropped, so a query with none scores 0 against everything. Vectors are sparse: ascending term
 * ids and their weights. Complexity: fitting O(total tokens); a score O(nnz(q) + nnz(d)).
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertBoolean,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertArgumentName, assertTexts, tokenize } from './tokenize.js';
import { topKScores, type Hit } from './top-k.js';

/** A sparse vector: `values[j]` is coordinate `indices[j]`; indices ascending, no repeats. */
export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

export interface TfidfModel {
  /** Term id -> term, in code-point order. */
  readonly terms: readonly string[];
  /** idf per term id. */
  readonly idf: readonly number[];
  /** The number of documents fitted. */
  readonly documents: number;
  readonly cjkBigrams: boolean;
  readonly sublinearTf: boolean;
}

export interface TfidfOptions {
  /** idf = ln((1 + N) / (1 + df)) + 1 (default true) or ln(N / df) + 1. */
  smoothIdf?: boolean;
  /** tf = 1 + ln(count) instead of count (default false). */
  sublinearTf?: boolean;
  /** Index pairs of adjacent Han characters too (default false). */
  cjkBigrams?: boolean;
}

/** Fits the terms and their idf on a corpus of at least one document with at least one token. */
export function fitTfidf(texts: readonly string[], options: TfidfOptions = {}): TfidfModel {
  const docs = assertTexts('texts', texts);
  assertObject('options', options, 'TF-IDF options { smoothIdf?, sublinearTf?, cjkBigrams? }');
  const { smoothIdf = true, sublinearTf = false, cjkBigrams = false } = options;
  assertBoolean('options.smoothIdf', smoothIdf);
  assertBoolean('options.sublinearTf', sublinearTf);
  assertBoolean('options.cjkBigrams', cjkBigrams);
  // df(t): the number of documents holding t at least once
  const df = new Map<string, number>();
  for (const doc of docs)
    for (const t of new Set(tokenize(doc, { cjkBigrams }))) df.set(t, (df.get(t) ?? 0) + 1);
  if (df.size === 0) throw new ArgumentError('texts', texts, 'a corpus with at least one token');
  const terms = [...df.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = docs.length;
  const idf = terms.map((t) => {
    const d = df.get(t)!;
    return smoothIdf ? Math.log((1 + n) / (1 + d)) + 1 : Math.log(n / d) + 1;
  });
  return { terms, idf, documents: n, cjkBigrams, sublinearTf };
}

const termIndex = new WeakMap<object, Map<string, number>>();

/** Throws unless `model` is a TfidfModel; returns its term -> id map (built once). */
function assertTfidfModel(model: unknown): Map<string, number> {
  assertObject('model', model, 'a TfidfModel from fitTfidf');
  const cached = termIndex.get(model);
  if (cached) return cached;
  const { terms, idf, documents, cjkBigrams, sublinearTf } = model;
  assertArray('model.terms', terms);
  assertArray('model.idf', idf);
  if (idf.length !== terms.length)
    throw new ArgumentError('model.idf', idf, `${terms.length} values, one per term`);
  assertInteger('model.documents', documents, { min: 1 });
  assertBoolean('model.cjkBigrams', cjkBigrams);
  assertBoolean('model.sublinearTf', sublinearTf);
  const map = new Map<string, number>();
  terms.forEach((t, i) => {
    if (typeof t !== 'string') throw new ArgumentTypeError(`model.terms[${i}]`, t, 'a string');
    const w = idf[i];
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0)
      throw new ArgumentError(`model.idf[${i}]`, w, 'a finite idf > 0');
    map.set(t, i);
  });
  termIndex.set(model, map);
  return map;
}

/** The weights tf(t, d) idf(t) of one text over the model's terms, before normalization. */
function rawWeights(model: TfidfModel, index: Map<string, number>, text: string): SparseVector {
  const counts = new Map<number, number>();
  for (const t of tokenize(text, { cjkBigrams: model.cjkBigrams })) {
    const id = index.get(t);
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const indices = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
  const values = Float64Array.from(indices, (id) => {
    const c = counts.get(id)!;
    return (model.sublinearTf ? 1 + Math.log(c) : c) * model.idf[id]!;
  });
  return { indices, values };
}

/** v / |v|_2 (the zero vector stays zero). */
function normalized(v: SparseVector): SparseVector {
  let sum = 0;
  for (const x of v.values) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm > 0 ? { indices: v.indices, values: v.values.map((x) => x / norm) } : v;
}

/** The L2-normalized TF-IDF vector of each text (unknown terms dropped). */
export function tfidfVectors(model: TfidfModel, texts: readonly string[]): SparseVector[] {
  const index = assertTfidfModel(model);
  return assertTexts('texts', texts).map((t) => normalized(rawWeights(model, index, t)));
}

/** The unnormalized weights tf idf, for the pitfall that forgets the L2 normalization. */
export function tfidfWeightsUnnormalized(
  model: TfidfModel,
  texts: readonly string[],
): SparseVector[] {
  const index = assertTfidfModel(model);
  return assertTexts('texts', texts).map((t) => rawWeights(model, index, t));
}

/** Throws unless `v` is a SparseVector with ascending indices and finite values. */
export function assertSparseVector(argument: string, v: unknown): asserts v is SparseVector {
  assertArgumentName(argument);
  assertObject(argument, v, 'a SparseVector { indices: Int32Array, values: Float64Array }');
  const { indices, values } = v;
  if (!(indices instanceof Int32Array))
    throw new ArgumentTypeError(`${argument}.indices`, indices, 'an Int32Array');
  if (!(values instanceof Float64Array))
    throw new ArgumentTypeError(`${argument}.values`, values, 'a Float64Array');
  if (values.length !== indices.length)
    throw new ArgumentError(`${argument}.values`, values, `${indices.length} values like indices`);
  for (let j = 0; j < indices.length; j++) {
    if (indices[j]! < 0 || (j > 0 && indices[j]! <= indices[j - 1]!))
      throw new ArgumentError(`${argument}.indices`, indices, 'ascending ids >= 0 without repeats');
    if (!Number.isFinite(values[j]!))
      throw new ArgumentError(`${argument}.values[${j}]`, values[j], 'a finite number');
  }
}

/** a . b of two sparse vectors by merging their ascending indices. */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  assertSparseVector('a', a);
  assertSparseVector('b', b);
  return dot(a, b);
}

function dot(a: SparseVector, b: SparseVector): number {
  let s = 0;
  for (let i = 0, j = 0; i < a.indices.length && j < b.indices.length;) {
    const [x, y] = [a.indices[i]!, b.indices[j]!];
    if (x === y) s += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return s;
}

/** The inner product of a query vector with every document vector. */
export function tfidfScores(query: SparseVector, documents: readonly SparseVector[]): Float64Array {
  assertSparseVector('query', query);
  const docs: unknown = documents;
  assertArray('documents', docs);
  if (docs.length === 0) throw new ArgumentError('documents', docs, 'a non-empty corpus');
  docs.forEach((d, i) => assertSparseVector(`documents[${i}]`, d));
  return Float64Array.from(documents, (d) => dot(query, d));
}

/** A sparse vector as a dense row of `width` numbers (for an inner-product index). */
export function sparseToDense(v: SparseVector, width: number): Float64Array {
  assertSparseVector('v', v);
  assertInteger('width', width, { min: 1, max: 2 ** 24 });
  const last = v.indices[v.indices.length - 1];
  if (last !== undefined && last >= width)
    throw new ArgumentError('width', width, `more than the largest index ${last}`);
  const out = new Float64Array(width);
  v.indices.forEach((id, j) => (out[id] = v.values[j]!));
  return out;
}

/**
 * The top k documents for a query text by TF-IDF cosine (ties: lower index first). The query
 * must hold at least one token; if none of them is a known term every score is 0.
 */
export function tfidfSearch(
  model: TfidfModel,
  documents: readonly SparseVector[],
  query: string,
  k: number,
): Hit[] {
  assertTfidfModel(model);
  if (typeof query !== 'string') throw new ArgumentTypeError('query', query, 'a string');
  assertInteger('k', k, { min: 1 });
  if (tokenize(query, { cjkBigrams: model.cjkBigrams }).length === 0)
    throw new ArgumentError('query', query, 'a query with at least one word or character');
  const [q] = tfidfVectors(model, [query]);
  return topKScores(tfidfScores(q!, documents), k);
}

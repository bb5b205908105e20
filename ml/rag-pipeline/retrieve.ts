/**
 * The engineered pipeline around `assemblePrompt`: chunk and index documents once
 * (`buildRagIndex`), retrieve by BM25 and, when an embedding function is given, by inner product,
 * fused by reciprocal rank (`retrieveChunks`); index.ts's `ragPrompt` puts them in a prompt.
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertFunction,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { topK } from '../../core/top-k.js';
import { analyze, buildBm25Index, LUCENE, searchBm25, type Bm25Index } from '../bm25/index.js';
import { recursiveChunks, tokenLength } from '../chunking/index.js';
import { reciprocalRankFusion } from '../hybrid-rerank.js';

export interface RagDocument {
  /** Where the text comes from (a file, a notebook id): what a citation points at. */
  source: string;
  text: string;
}

export interface RagChunk {
  source: string;
  text: string;
  /** [start, end) in the source document's text. */
  start: number;
  end: number;
}

/** Embeds texts as unit vectors, one Float32Array each (ml/dense-retrieval/ `encodeTexts`). */
export type Embed = (texts: readonly string[]) => Float32Array[];

export interface RagIndex {
  chunks: readonly RagChunk[];
  bm25: Bm25Index;
  dense?: { embed: Embed; vectors: Float32Array[] };
}

/** Chunks every document (recursive splitting, sizes in tokens) and indexes the chunks. */
export function buildRagIndex(
  documents: readonly RagDocument[],
  chunking: { size: number; overlap: number },
  embed?: Embed,
): RagIndex {
  assertArray('documents', documents);
  if (documents.length === 0)
    throw new ArgumentError('documents', documents, 'at least one document');
  documents.forEach((d, i) => {
    assertObject(`documents[${i}]`, d, '{ source, text }');
    if (typeof d['source'] !== 'string')
      throw new ArgumentTypeError(`documents[${i}].source`, d['source'], 'a string');
    if (typeof d['text'] !== 'string')
      throw new ArgumentTypeError(`documents[${i}].text`, d['text'], 'a string');
  });
  assertObject('chunking', chunking, '{ size, overlap }');
  if (embed !== undefined) assertFunction('embed', embed);
  const chunks: RagChunk[] = documents.flatMap((d) =>
    recursiveChunks(d.text, { size: chunking.size, overlap: chunking.overlap, length: tokenLength })
      .filter((c) => c.text.trim() !== '')
      .map((c) => ({ source: d.source, text: c.text, start: c.start, end: c.end })),
  );
  if (chunks.length === 0) throw new ArgumentError('documents', documents, 'some text to chunk');
  const bm25 = buildBm25Index(
    chunks.map((c) => analyze(c.text)),
    LUCENE,
  );
  return embed
    ? { chunks, bm25, dense: { embed, vectors: embed(chunks.map((c) => c.text)) } }
    : { chunks, bm25 };
}

function assertIndex(index: unknown): asserts index is RagIndex {
  assertObject('index', index, 'an index from buildRagIndex');
  if (!Array.isArray(index['chunks']) || typeof index['bm25'] !== 'object')
    throw new ArgumentTypeError('index', index, 'an index from buildRagIndex');
}

/** The k best chunk indices for `query`: BM25 (and dense) lists fused by RRF, best first. */
export function retrieveChunks(index: RagIndex, query: string, k: number): number[] {
  assertIndex(index);
  if (typeof query !== 'string') throw new ArgumentTypeError('query', query, 'a string');
  if (query.trim() === '') throw new ArgumentError('query', query, 'a non-empty query');
  assertInteger('k', k, { min: 1 });
  const lists: number[][] = [];
  const tokens = analyze(query);
  if (tokens.length > 0) lists.push(searchBm25(index.bm25, tokens, 4 * k).map((h) => h.index));
  if (index.dense) {
    const [q] = index.dense.embed([query]);
    const scores = index.dense.vectors.map((v) => v.reduce((s, x, i) => s + x * q![i]!, 0));
    lists.push(topK(scores, 4 * k).map((h) => h.index));
  }
  return reciprocalRankFusion(lists)
    .slice(0, k)
    .map((f) => f.id);
}

/**
 * What a chunking costs, for Q41's 4-million-character corpus: how many chunks, how many characters
 * are stored and embedded (the overlap is paid again in every chunk), the dense index in bytes and
 * the postings a keyword (BM25) index holds.
 *
 *   chunks(n) = 0 if n = 0;  1 if n <= size;  else 1 + ceil((n - size) / (size - overlap))
 *   stored(n) = n + (chunks - 1) overlap         (consecutive windows share exactly `overlap`)
 *   dense index = vectors x dim x bytes per value  (4 for float32)
 *   postings = sum over chunks of the distinct terms of the chunk
 */
import { ArgumentTypeError, assertFunction, assertInteger } from '../../core/errors.js';
import { assertChunks, assertWindow, type Chunk } from './text.js';

/** The number of fixed-size windows over n code points (what `fixedSizeChunks` returns). */
export function fixedChunkCount(n: number, size: number, overlap = 0): number {
  assertInteger('n', n, { min: 0 });
  assertWindow(size, overlap);
  if (n === 0) return 0;
  if (n <= size) return 1;
  // the first window covers `size`; each further one adds `size - overlap` new code points
  return 1 + Math.ceil((n - size) / (size - overlap));
}

/** Code points stored (and embedded) by fixed-size windows: the text plus one overlap per seam. */
export function fixedStoredLength(n: number, size: number, overlap = 0): number {
  const chunks = fixedChunkCount(n, size, overlap);
  return chunks === 0 ? 0 : n + (chunks - 1) * overlap;
}

/** Bytes of a flat dense index: vectors x dim x bytesPerValue (4 for float32, 2 for float16). */
export function denseIndexBytes(vectors: number, dim: number, bytesPerValue = 4): number {
  assertInteger('vectors', vectors, { min: 0 });
  assertInteger('dim', dim, { min: 1 });
  assertInteger('bytesPerValue', bytesPerValue, { min: 1, max: 8 });
  return vectors * dim * bytesPerValue;
}

/** Postings of an inverted index over the chunks: each chunk's distinct terms, summed. */
export function postingsCount(
  chunks: readonly Chunk[],
  terms: (text: string) => readonly string[],
): number {
  assertChunks('chunks', chunks);
  assertFunction('terms', terms, 'a function (text) => string[]');
  let postings = 0;
  for (const c of chunks) {
    const list: unknown = terms(c.text);
    if (!Array.isArray(list) || list.some((t) => typeof t !== 'string'))
      throw new ArgumentTypeError('terms', list, 'a function that returns an array of strings');
    postings += new Set(list).size;
  }
  return postings;
}

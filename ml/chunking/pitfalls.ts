/**
 * The common wrong chunkers, kept to be rejected by the answer key and shown in the notebook. Each
 * checks its arguments like the right answers.
 */
import { assertObject } from '../../core/errors.js';
import {
  assertChunkText,
  assertWindow,
  codePointLength,
  codePointOffsets,
  type Chunk,
} from './text.js';

/** Windows of `size` code points starting every `stride` code points (the shared loop). */
function windows(text: string, size: number, stride: number): Chunk[] {
  const at = codePointOffsets(text);
  const n = at.length - 1;
  const chunks: Chunk[] = [];
  for (let i = 0; i < n; i += stride) {
    const j = Math.min(i + size, n);
    chunks.push({ text: text.slice(at[i]!, at[j]!), start: at[i]!, end: at[j]! });
    if (j === n) break;
  }
  return chunks;
}

/** Pitfall: stride = size, the overlap ignored: windows touch but never share anything. */
export function pitfallStrideIgnoresOverlap(text: string, size: number, overlap = 0): Chunk[] {
  assertChunkText('text', text);
  assertWindow(size, overlap);
  return windows(text, size, size);
}

/** Pitfall: stride = overlap (at least 1, so it ends): windows crawl, repeating most text. */
export function pitfallStrideEqualsOverlap(text: string, size: number, overlap = 0): Chunk[] {
  assertChunkText('text', text);
  assertWindow(size, overlap);
  return windows(text, size, Math.max(1, overlap));
}

/** Pitfall: windows of UTF-16 code units, text.slice(i, i + size): an emoji is cut in half. */
export function pitfallCodeUnitChunks(text: string, size: number, overlap = 0): Chunk[] {
  assertChunkText('text', text);
  assertWindow(size, overlap);
  const chunks: Chunk[] = [];
  for (let i = 0; i < text.length; i += size - overlap) {
    const end = Math.min(i + size, text.length);
    chunks.push({ text: text.slice(i, end), start: i, end });
    if (end === text.length) break;
  }
  return chunks;
}

/** Split at the first separator that occurs, dropping it; merge parts back up to `size`. */
function dropSplit(text: string, separators: readonly string[], size: number): string[] {
  if (codePointLength(text) <= size) return [text];
  const i = separators.findIndex((s) => s === '' || text.includes(s));
  const sep = separators[i] ?? '';
  const parts = sep === '' ? Array.from(text) : text.split(sep);
  const out: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length > 0) out.push(current.join(sep));
    current = [];
  };
  for (const part of parts) {
    if (codePointLength(part) > size) {
      flush();
      out.push(...dropSplit(part, separators.slice(i + 1), size));
    } else if (codePointLength([...current, part].join(sep)) > size) {
      flush();
      current = [part];
    } else current.push(part);
  }
  flush();
  return out;
}

/**
 * Pitfall: recursive splitting with String.split, which drops the separator at every chunk
 * boundary, and stripped chunks (LangChain's keep_separator=False, strip_whitespace=True): the
 * offsets are found with indexOf, but the dropped separators are in no chunk and the text cannot be
 * rebuilt.
 */
export function pitfallRecursiveDroppingSeparators(
  text: string,
  options: { size: number },
): Chunk[] {
  assertChunkText('text', text);
  assertObject('options', options, 'an options object { size }');
  assertWindow(options.size, 0, 'options.');
  const chunks: Chunk[] = [];
  let from = 0;
  for (const raw of dropSplit(text, ['\n\n', '\n', ' ', ''], options.size)) {
    const piece = raw.trim();
    if (piece === '') continue;
    // where the piece is: LangChain's add_start_index searches for it the same way
    const start = text.indexOf(piece, from);
    chunks.push({ text: piece, start, end: start + piece.length });
    from = start + piece.length;
  }
  return chunks;
}

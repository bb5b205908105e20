/**
 * Fixed-size windows counted in word-level tokens instead of code points: the same stride
 * size - overlap, over the token spans of `tokenOffsets` (a token with the whitespace after it).
 */
import { assertChunkText, assertWindow, tokenOffsets, type Chunk } from './text.js';

/**
 * Windows of `size` word-level tokens, each starting `size - overlap` tokens after the last: a
 * chunk holds whole tokens and the whitespace after them, so the chunks tile the text and
 * consecutive ones share exactly `overlap` tokens.
 */
export function fixedSizeTokenChunks(text: string, size: number, overlap = 0): Chunk[] {
  assertChunkText('text', text);
  assertWindow(size, overlap);
  // at[i] = where token span i starts; at[n] = text.length
  const at = tokenOffsets(text);
  const n = at.length - 1;
  const chunks: Chunk[] = [];
  for (let i = 0; i < n; i += size - overlap) {
    const j = Math.min(i + size, n);
    chunks.push({ text: text.slice(at[i]!, at[j]!), start: at[i]!, end: at[j]! });
    if (j === n) break;
  }
  return chunks;
}

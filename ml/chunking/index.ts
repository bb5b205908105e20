/**
 * Chunking for retrieval: cut a corpus into pieces small enough to embed and retrieve, without
 * losing a character. Answers: Q41 (分块策略: how to chunk a corpus of 4 million characters).
 *
 * The textbook answer is a fixed window with overlap: chunks of `size` characters, each starting
 * `stride = size - overlap` characters after the previous one, so the text around every seam is
 * whole in at least one chunk:
 *
 *   chunk i = text[i stride, i stride + size),   count = 1 + ceil((n - size) / stride)  (n > size)
 *
 * 4,000,000 characters at size 512, overlap 51 (10%): 8,677 chunks, 4,442,476 characters embedded.
 *
 * Better boundaries: `recursiveChunks` cuts on a hierarchy (paragraph "\n\n", line "\n", sentence,
 * word " ", code point) and merges small pieces up to the limit, as LangChain's
 * RecursiveCharacterTextSplitter does; `sentenceChunks` packs whole Chinese and English sentences
 * (。！？；… and . ! ? before a space or the end). Sizes are in code points by default or in any
 * unit a length function measures (`tokenLength`: word-level tokens; `utf8Length`: bytes);
 * `fixedSizeTokenChunks` is the fixed window counted in tokens.
 *
 * Conventions: every chunk carries its text and its [start, end) offsets in UTF-16 code units
 * (`text.slice(start, end)`), so `rebuildText(chunks)` (drop each overlap, concatenate) gives the
 * original back exactly; a character is a code point, and no chunk starts or ends inside a
 * surrogate pair (an emoji is never split; a cluster of several code points, such as a flag or a
 * skin-toned emoji, may be cut between them); a unit that cannot be broken below the limit is kept
 * whole and flagged `oversize`.
 *
 * The parts: ./text.ts (chunk type, code points, length functions, checks, rebuild), ./fixed.ts
 * (token windows), ./recursive.ts (recursive and sentence chunks), ./costs.ts (chunk counts,
 * stored characters, index bytes, postings), ./pitfalls.ts (stride = size, stride = overlap,
 * code-unit windows, dropped separators).
 *
 * Complexity: fixed windows O(n + stored); recursive splitting O(n x levels) for the cuts and the
 * length calls (counted: `recursiveChunks(text, options, counter)` measures at most
 * (levels + 1) n code units), the merge O(pieces).
 *
 * @example
 *   fixedSizeChunks('abcdefgh', 4, 1)
 *   // [{ text: 'abcd', start: 0, end: 4 }, { text: 'defg', start: 3, end: 7 },
 *   //  { text: 'gh', start: 6, end: 8 }]
 *   recursiveChunks('One. Two.\n\nThree.', { size: 10 }).map((c) => c.text)
 *   // ['One. Two.\n\n', 'Three.']: the chunk ends at the paragraph break
 */
import { assertChunkText, assertWindow, codePointOffsets, type Chunk } from './text.js';

/** Windows of `size` code points, each `size - overlap` after the last. */
export function fixedSizeChunks(text: string, size: number, overlap = 0): Chunk[] {
  assertChunkText('text', text);
  assertWindow(size, overlap); // size >= 1, 0 <= overlap < size
  // at[i] = offset of code point i, at[n] = text.length: no cut in a pair
  const at = codePointOffsets(text);
  const n = at.length - 1;
  // consecutive windows share exactly `overlap` code points
  const stride = size - overlap;
  const chunks: Chunk[] = [];
  for (let i = 0; i < n; i += stride) {
    // code points [i, i + size), fewer in the last window
    const [start, end] = [at[i]!, at[Math.min(i + size, n)]!];
    chunks.push({ text: text.slice(start, end), start, end });
    if (end === text.length) break; // this window reached the end
  }
  return chunks;
}

export {
  codePointLength,
  codePointOffsets,
  insideSurrogatePair,
  rebuildText,
  tokenLength,
  tokenOffsets,
  utf8Length,
  type Chunk,
  type LengthFunction,
  type SplitChunk,
} from './text.js';
export { fixedSizeTokenChunks } from './fixed.js';
export {
  DEFAULT_SEPARATORS,
  LANGCHAIN_SEPARATORS,
  recursiveChunks,
  SENTENCE_END,
  sentenceChunks,
  splitSentences,
  type RecursiveOptions,
  type SentenceOptions,
  type Separator,
} from './recursive.js';
export { denseIndexBytes, fixedChunkCount, fixedStoredLength, postingsCount } from './costs.js';
export {
  pitfallCodeUnitChunks,
  pitfallRecursiveDroppingSeparators,
  pitfallStrideEqualsOverlap,
  pitfallStrideIgnoresOverlap,
} from './pitfalls.js';

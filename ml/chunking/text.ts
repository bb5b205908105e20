/**
 * What every chunker shares: the chunk type, code points (so a surrogate pair, an emoji, is never
 * cut), the checks of a window (size, overlap), the length functions (code points, word-level
 * tokens, UTF-8 bytes) and the rebuild of the text from its chunks.
 *
 * Offsets are UTF-16 code units, the indices of a JavaScript string: a chunk's text is always
 * `original.slice(start, end)`. Sizes are measured by a length function, code points by default.
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertFunction,
  assertInteger,
} from '../../core/errors.js';

/** A piece of the original text and where it sits: `text === original.slice(start, end)`. */
export interface Chunk {
  readonly text: string;
  /** UTF-16 offset of the first code unit (inclusive). */
  readonly start: number;
  /** UTF-16 offset after the last code unit (exclusive). */
  readonly end: number;
}

/** A chunk of a splitter that may meet a unit it cannot break: `oversize` says it is one. */
export interface SplitChunk extends Chunk {
  /** True when the chunk is longer than the limit: a single unit that no separator could break. */
  readonly oversize: boolean;
}

/** Measures a piece of text in the unit of the limit (code points, tokens, bytes ...). */
export type LengthFunction = (text: string) => number;

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Is offset i between the two halves of a surrogate pair (a cut there breaks a character)? */
export function insideSurrogatePair(text: string, i: number): boolean {
  return i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
}

/** The number of code points (what Python's len counts): an emoji is 1, a lone surrogate 1. */
export function codePointLength(text: string): number {
  assertChunkText('text', text);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    n++;
    if (isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1))) i++;
  }
  return n;
}

/** The UTF-16 offset of every code point, then text.length: [0, ..., text.length], length n + 1. */
export function codePointOffsets(text: string): number[] {
  assertChunkText('text', text);
  const at: number[] = [];
  for (let i = 0; i < text.length; i++) {
    at.push(i);
    if (isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1))) i++;
  }
  at.push(text.length);
  return at;
}

/** The number of UTF-8 bytes: a limit some vector stores and APIs count in. */
export function utf8Length(text: string): number {
  assertChunkText('text', text);
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isHigh(c) && isLow(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return bytes;
}

/**
 * One word-level token: a CJK character (Han, kana), a run of other letters, digits or '_', or any
 * other non-space code point (punctuation, an emoji). Whitespace is no token.
 */
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}`;
const TOKEN = new RegExp(String.raw`[${CJK}]|(?:(?![${CJK}])[\p{L}\p{N}\p{M}_])+|\S`, 'gu');

/**
 * Word-level tokens: one per CJK character, English word, number or symbol; spaces count 0. A
 * tokenizer-free stand-in for a model's token count (a BPE spends about 1.3 tokens on an English
 * word and 1 to 2 on a Chinese character). It never counts a whole above the sum of its parts, so
 * a chunk whose pieces add up to at most the limit is within the limit.
 */
export function tokenLength(text: string): number {
  assertChunkText('text', text);
  let n = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.exec(text) !== null) n++;
  return n;
}

/**
 * The token boundaries of `tokenLength` as a tiling of the text: offsets [0, ..., text.length], one
 * span per token, each token's span running over the whitespace after it (leading whitespace joins
 * the first token). Whitespace-only text is one span; the empty text none.
 */
export function tokenOffsets(text: string): number[] {
  assertChunkText('text', text);
  const at: number[] = [0];
  TOKEN.lastIndex = 0;
  let first = true;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    // a token starts a new span, except the first one (the span from 0 already holds it)
    if (!first) at.push(m.index);
    first = false;
  }
  if (text.length > 0) at.push(text.length);
  return at;
}

/** Throws unless `value` is a string. */
export function assertChunkText(argument: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new ArgumentTypeError(argument, value, 'a string');
}

/** Throws unless size >= 1 and 0 <= overlap < size, integers (the names carry the prefix). */
export function assertWindow(size: unknown, overlap: unknown, prefix = ''): void {
  assertChunkText('prefix', prefix);
  assertInteger(`${prefix}size`, size, { min: 1 });
  assertInteger(`${prefix}overlap`, overlap, { min: 0 });
  if (overlap >= size) {
    throw new ArgumentError(
      `${prefix}overlap`,
      overlap,
      `an integer below the size (${size}): the stride size - overlap must be at least 1`,
    );
  }
}

/** Calls `length` on `piece` and throws unless it returned a finite number >= 0. */
export function measure(length: LengthFunction, piece: string, argument: string): number {
  assertChunkText('argument', argument);
  assertFunction(argument, length, 'a function (text) => number');
  assertChunkText('piece', piece);
  const n: unknown = length(piece);
  if (typeof n !== 'number')
    throw new ArgumentTypeError(argument, n, 'a length function that returns a number');
  if (!Number.isFinite(n) || n < 0)
    throw new ArgumentError(argument, n, 'a length function that returns a finite number >= 0');
  return n;
}

/** Throws unless `chunks` is an array of chunks: string text, 0 <= start, end = start + length. */
export function assertChunks(argument: string, chunks: unknown): asserts chunks is Chunk[] {
  assertArray(argument, chunks);
  chunks.forEach((c, i) => {
    const name = `${argument}[${i}]`;
    if (c === null || typeof c !== 'object')
      throw new ArgumentTypeError(name, c, 'a chunk { text, start, end }');
    const { text, start, end } = c as Partial<Chunk>;
    assertChunkText(`${name}.text`, text);
    assertInteger(`${name}.start`, start, { min: 0 });
    assertInteger(`${name}.end`, end, { min: start });
    if (end - start !== text.length)
      throw new ArgumentError(`${name}.end`, end, `start + text.length = ${start + text.length}`);
  });
}

/**
 * The text back from its chunks: each chunk's text without the part the previous chunk already
 * covered (the overlap), concatenated. Equal to the original when the chunks cover it in order
 * without gaps; a gap is simply missing from the result.
 */
export function rebuildText(chunks: readonly Chunk[]): string {
  assertChunks('chunks', chunks);
  let out = '';
  let covered = 0;
  for (const c of chunks) {
    // drop [c.start, covered): the overlap with what is already rebuilt
    out += c.text.slice(Math.max(0, covered - c.start));
    covered = Math.max(covered, c.end);
  }
  return out;
}

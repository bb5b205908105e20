/**
 * Tokens for the bi-encoder and for TF-IDF, and a vocabulary fitted on the given texts.
 *
 *   tokenize('BGE 模型结构')                       // ['bge', '模', '型', '结', '构']
 *   tokenize('BGE 模型', { cjkBigrams: true })    // ['bge', '模', '型', '模型']
 *
 * English: lower-cased runs of [a-z0-9] (the convention of ml/bm25/tokenize.ts and rouge-score).
 * Chinese: every Han character is a token (a character vocabulary needs no segmenter and covers
 * every word made of known characters); with `cjkBigrams` each run of Han characters also gives
 * its adjacent pairs, after its characters. Everything else (punctuation, spaces) separates.
 * A vocabulary is a plain, JSON-able object: `tokens[id]`, with the special tokens [PAD] = 0,
 * [UNK] = 1 and [CLS] = 2 first, then the fitted tokens by count (descending, then code-point
 * order), and the maximum number of ids per text, [CLS] included. Complexity: O(length of text).
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertBoolean,
  assertInteger,
  assertObject,
} from '../../core/errors.js';

/** Han characters: CJK unified ideographs, extension A and the compatibility block. */
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;
const WORD = /[a-z0-9]/;

export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;
export const SPECIAL_TOKENS: readonly string[] = ['[PAD]', '[UNK]', '[CLS]'];

/** The most characters all the texts of one call may hold (a bound, not a plan). */
const MAX_CHARS = 2 ** 24;
/** The longest sequence the bi-encoder reads (BERT's 512). */
export const MAX_SEQUENCE_LENGTH = 512;

export interface TokenizeOptions {
  /** Also emit each pair of adjacent Han characters (default false). */
  cjkBigrams?: boolean;
}

function assertTokenizeOptions(options: unknown): boolean {
  assertObject('options', options, 'tokenizer options { cjkBigrams? }');
  const bigrams = options['cjkBigrams'] ?? false;
  assertBoolean('options.cjkBigrams', bigrams);
  return bigrams;
}

/** English words and Chinese characters (and their bigrams if asked), in text order. */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  if (typeof text !== 'string') throw new ArgumentTypeError('text', text, 'a string');
  if (text.length > MAX_CHARS)
    throw new ArgumentError('text', text, `at most ${MAX_CHARS} characters`);
  return tokensOf(text, assertTokenizeOptions(options));
}

/** The unchecked scanner behind `tokenize`. */
function tokensOf(text: string, bigrams: boolean): string[] {
  const out: string[] = [];
  let word = '';
  let run: string[] = [];
  const flushRun = () => {
    out.push(...run);
    if (bigrams) for (let i = 0; i + 1 < run.length; i++) out.push(run[i]! + run[i + 1]!);
    run = [];
  };
  for (const ch of text.toLowerCase()) {
    if (WORD.test(ch)) {
      if (run.length) flushRun();
      word += ch;
      continue;
    }
    if (word) out.push(word);
    word = '';
    if (HAN.test(ch)) run.push(ch);
    else if (run.length) flushRun();
  }
  if (word) out.push(word);
  if (run.length) flushRun();
  return out;
}

/** Throws unless `argument` (the name an error will carry) is a string. */
export function assertArgumentName(argument: unknown): asserts argument is string {
  if (typeof argument !== 'string')
    throw new ArgumentTypeError(
      'argument',
      argument,
      'the name of the argument checked (a string)',
    );
}

/** Throws unless `texts` is an array of strings of bounded total length; names the bad one. */
export function assertTexts(argument: string, texts: unknown, nonEmpty = true): string[] {
  assertArgumentName(argument);
  assertArray(argument, texts);
  if (nonEmpty && texts.length === 0) throw new ArgumentError(argument, texts, 'at least one text');
  let chars = 0;
  texts.forEach((t, i) => {
    if (typeof t !== 'string') throw new ArgumentTypeError(`${argument}[${i}]`, t, 'a string');
    chars += t.length;
  });
  if (chars > MAX_CHARS)
    throw new ArgumentError(argument, texts, `at most ${MAX_CHARS} characters in all`);
  return texts as string[];
}

/** A fitted vocabulary: plain data, safe to JSON.stringify. */
export interface Vocabulary {
  /** tokens[id]; ids 0, 1, 2 are [PAD], [UNK], [CLS]. */
  readonly tokens: readonly string[];
  /** Ids per text, [CLS] included: longer texts are truncated. */
  readonly maxLength: number;
  readonly cjkBigrams: boolean;
}

export interface VocabularyOptions {
  /** Ids per text including [CLS] (default 64, at most 512). */
  maxLength?: number;
  /** Keep tokens seen at least this often (default 1). */
  minCount?: number;
  /** At most this many tokens, the special ones included (default 30,522, BERT's). */
  maxSize?: number;
  cjkBigrams?: boolean;
}

/** The vocabulary of `texts`: special tokens, then every token seen >= minCount times. */
export function fitVocabulary(
  texts: readonly string[],
  options: VocabularyOptions = {},
): Vocabulary {
  const all = assertTexts('texts', texts);
  assertObject(
    'options',
    options,
    'vocabulary options { maxLength?, minCount?, maxSize?, cjkBigrams? }',
  );
  const { maxLength = 64, minCount = 1, maxSize = 30_522 } = options;
  assertInteger('options.maxLength', maxLength, { min: 1, max: MAX_SEQUENCE_LENGTH });
  assertInteger('options.minCount', minCount, { min: 1 });
  assertInteger('options.maxSize', maxSize, { min: SPECIAL_TOKENS.length, max: 2 ** 20 });
  const cjkBigrams = assertTokenizeOptions(options);
  const counts = new Map<string, number>();
  for (const text of all)
    for (const t of tokensOf(text, cjkBigrams)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const kept = [...counts]
    .filter(([, c]) => c >= minCount)
    .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, maxSize - SPECIAL_TOKENS.length)
    .map(([t]) => t);
  if (kept.length === 0)
    throw new ArgumentError('texts', texts, `at least one token seen ${minCount} time(s)`);
  return { tokens: [...SPECIAL_TOKENS, ...kept], maxLength, cjkBigrams };
}

const indexOf = new WeakMap<object, Map<string, number>>();

/** Throws unless `vocabulary` is a Vocabulary; returns its token -> id map (built once). */
export function assertVocabulary(argument: string, vocabulary: unknown): Map<string, number> {
  assertArgumentName(argument);
  assertObject(argument, vocabulary, 'a Vocabulary { tokens, maxLength, cjkBigrams }');
  const cached = indexOf.get(vocabulary);
  if (cached) return cached;
  const { tokens, maxLength, cjkBigrams } = vocabulary;
  assertArray(`${argument}.tokens`, tokens);
  if (tokens.length > 2 ** 20)
    throw new ArgumentError(`${argument}.tokens`, tokens, 'at most 2^20 tokens');
  SPECIAL_TOKENS.forEach((s, id) => {
    if (tokens[id] !== s)
      throw new ArgumentError(`${argument}.tokens[${id}]`, tokens[id], `the special token ${s}`);
  });
  assertInteger(`${argument}.maxLength`, maxLength, { min: 1, max: MAX_SEQUENCE_LENGTH });
  assertBoolean(`${argument}.cjkBigrams`, cjkBigrams);
  const map = new Map<string, number>();
  tokens.forEach((t, id) => {
    if (typeof t !== 'string')
      throw new ArgumentTypeError(`${argument}.tokens[${id}]`, t, 'a string');
    if (map.has(t))
      throw new ArgumentError(`${argument}.tokens[${id}]`, t, 'a token not listed twice');
    map.set(t, id);
  });
  indexOf.set(vocabulary, map);
  return map;
}

/** Token ids of a batch, padded to its longest text: `ids[i * width + t]`, [CLS] first. */
export interface TokenIds {
  ids: Int32Array;
  /** Ids per row: the longest text of the batch, at most maxLength. */
  width: number;
  /** Real ids per row ([CLS] included); the rest of the row is [PAD]. */
  lengths: Int32Array;
}

/** [CLS] then each token's id ([UNK] if unknown), truncated to maxLength and padded with [PAD]. */
export function tokenIds(vocabulary: Vocabulary, texts: readonly string[]): TokenIds {
  const index = assertVocabulary('vocabulary', vocabulary);
  const all = assertTexts('texts', texts);
  const rows = all.map((text) => {
    const ids = [CLS_ID];
    for (const t of tokensOf(text, vocabulary.cjkBigrams)) {
      if (ids.length >= vocabulary.maxLength) break;
      ids.push(index.get(t) ?? UNK_ID);
    }
    return ids;
  });
  const width = rows.reduce((w, r) => Math.max(w, r.length), 1);
  const ids = new Int32Array(rows.length * width); // PAD_ID = 0 everywhere else
  rows.forEach((r, i) => ids.set(r, i * width));
  return { ids, width, lengths: Int32Array.from(rows, (r) => r.length) };
}

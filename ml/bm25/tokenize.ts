/**
 * Tokenisers for BM25: English as lower-cased words, Chinese as character bigrams (the way Lucene's
 * CJKBigramFilter indexes text without a dictionary), and a mixed analyser for queries people type
 * (English terms written inside Chinese, short forms, question ids) that also drops common words.
 *
 *   tokenizeEnglish('Top-K and KV cache')   // ['top', 'k', 'and', 'kv', 'cache']
 *   tokenizeChinese('旋转数组')              // ['旋转', '转数', '数组']
 *   analyze('为什么用 KV cache 的')           // ['kv', 'cache']: "为什么", "的" are common words
 *
 * A lone CJK character between non-CJK text is kept as a unigram (bigrams need two). Why bigrams: a
 * Chinese word is usually two characters, and every two-character word of the text is among its
 * bigrams, so recall is high without a segmenter; the price is some bigrams that are not words
 * (转数 above), which BM25's idf makes cheap because they are rare in queries. Node's built-in
 * `Intl.Segmenter('zh', { granularity: 'word' })` is the dictionary alternative (`segmentChinese`),
 * compared in the notebook. Complexity: O(length of the text).
 */
import { ArgumentTypeError } from '../../core/errors.js';

/** Han characters (CJK unified ideographs, extension A and the compatibility block). */
const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/gu;
const CJK_SPLIT = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)/u;
const STARTS_CJK = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;

function assertText(argument: string, text: unknown): asserts text is string {
  if (typeof text !== 'string') throw new ArgumentTypeError(argument, text, 'a string');
}

/** English: lower-case, then every run of [a-z0-9] is a word (as rouge-score and many BM25 setups). */
export function tokenizeEnglish(text: string): string[] {
  assertText('text', text);
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/** The bigrams of one run of CJK characters; a run of one character is its own token. */
function bigramsOf(run: string): string[] {
  const chars = [...run];
  if (chars.length < 2) return chars;
  return chars.slice(1).map((c, i) => `${chars[i]}${c}`);
}

/** Chinese: the character bigrams of every run of CJK characters; other text is ignored. */
export function tokenizeChinese(text: string): string[] {
  assertText('text', text);
  return [...text.matchAll(CJK_RUN)].flatMap((m) => bigramsOf(m[0]));
}

/** Chinese words by ICU's dictionary segmenter (built into Node), word-like segments only. */
export function segmentChinese(text: string): string[] {
  assertText('text', text);
  const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
  return [...text.matchAll(CJK_RUN)].flatMap((m) =>
    [...segmenter.segment(m[0])].filter((s) => s.isWordLike).map((s) => s.segment),
  );
}

/** Both: English words and Chinese bigrams, in the order they occur. */
export function tokenizeMixed(text: string): string[] {
  assertText('text', text);
  const tokens: string[] = [];
  // split keeps the CJK runs (the capture group) between the other pieces
  for (const part of text.toLowerCase().split(CJK_SPLIT)) {
    if (STARTS_CJK.test(part)) tokens.push(...bigramsOf(part));
    else tokens.push(...(part.match(/[a-z0-9]+/g) ?? []));
  }
  return tokens;
}

/**
 * Words too common to match on their own: English function and question words, and the Chinese
 * question words and particles that every question in the bank shares.
 */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be by can do does for from how i in is it its me my of on or so that the ' +
    'their them there these they this to vs was we what when where which who why will with you ' +
    'your explain tell about between difference'
  ).split(' '),
);

/** Longest first, so 为什么 is removed before 什么. */
export const CHINESE_STOPWORDS: readonly string[] = [
  '为什么',
  '怎么样',
  '是什么',
  '有什么',
  '什么',
  '怎么',
  '如何',
  '哪些',
  '一下',
  '一个',
  '区别',
  '以及',
  '还是',
  '我们',
  '可以',
  '的',
  '了',
  '是',
  '吗',
  '呢',
  '吧',
  '和',
  '与',
  '及',
  '或',
  '在',
  '有',
  '用',
  '我',
  '你',
  '这',
  '那',
  '把',
  '被',
  '讲',
  '说',
  '请',
];

/**
 * The analyser the project's search uses: common words out (English words by
 * `ENGLISH_STOPWORDS`; Chinese stop phrases cut the CJK runs, so no bigram spans them), then
 * `tokenizeMixed`. `analyze('the')` and `analyze('的')` are empty: such a query matches nothing.
 */
export function analyze(text: string): string[] {
  assertText('text', text);
  let cut = text.toLowerCase();
  for (const stop of CHINESE_STOPWORDS) cut = cut.split(stop).join(' ');
  return tokenizeMixed(cut).filter((t) => !ENGLISH_STOPWORDS.has(t));
}

/**
 * ROUGE: how much of a reference text a generated text recovers, counted in shared n-grams
 * (ROUGE-N) or in the longest common subsequence of tokens (ROUGE-L). Answers: Q44 (ROUGE 指标怎么
 * 计算; the notebook also covers the other metrics for judging fine-tuning and RAG).
 *
 *   ROUGE-N:  overlap = sum over n-grams g of min(count_target(g), count_prediction(g))  (clipped)
 *             P = overlap / #prediction n-grams,  R = overlap / #target n-grams
 *   ROUGE-L:  L = |LCS(target tokens, prediction tokens)|  (dynamic programming, O(m n))
 *             P = L / |prediction|,  R = L / |target|
 *   F = 2 P R / (P + R), and 0 when P + R = 0
 *
 * Conventions: those of Google's rouge-score package (google-research rouge/rouge_scorer.py,
 * tokenize.py, scoring.py), default options: the text is lower-cased, every run of characters
 * outside [a-z0-9] becomes a space (so accented letters and all Chinese text are DROPPED), tokens
 * are split on whitespace, no stemming (use_stemmer=False); n-gram counts are clipped; the
 * denominators are max(count, 1), so an empty side scores 0; ROUGE-L is 0 when either side has no
 * token; the argument order is score(target, prediction), reference first. rougeLsum is the
 * package's summary-level LCS: texts split on "\n", the union of the LCSs of each target sentence
 * with every prediction sentence, hits clipped by token counts. `cjkTokenize` is the variant the
 * package lacks: every CJK character (Han, kana) is a token, [a-z0-9] runs stay words.
 *
 * In this file: `rougeN` (the textbook answer, on tokens), `lcsTable` (the textbook full table),
 * `lcsLength` and `rougeL`; `lcsLengthTwoRows` and `rougeLTwoRows` (the same LCS in two rows,
 * O(min(m, n)) memory, counted); `rougeLsum`; the tokenizers and
 * `rougeScore(target, prediction, options)`, which mirrors RougeScorer.score; the pitfalls
 * (unclipped counts, LCS on characters, swapped arguments).
 *
 * Complexity: ROUGE-N O(m + n) with hashing; ROUGE-L O(m n) time, O(m n) memory for the table and
 * O(min(m, n)) for two rows.
 *
 * @example
 *   rougeScore('The quick brown fox jumps over the lazy dog',
 *              'The quick brown dog jumps on the log.')
 *   // rouge1 P 6/8 R 6/9 F .7059; rouge2 P 2/7 R 2/8 F .2667; rougeL P 5/8 R 5/9 F .5882
 *   rougeN(['the', 'cat'], ['the', 'the', 'the'], 1) // P 1/3: 'the' counts once (clipped)
 */
import { ArgumentError, ArgumentTypeError, assertArray, assertObject } from '../core/errors.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';

/** Precision, recall and F-measure, as rouge-score's Score(precision, recall, fmeasure). */
export interface RougeScore {
  readonly precision: number;
  readonly recall: number;
  readonly fmeasure: number;
}

/** ROUGE-N on token lists: the clipped n-gram overlap over each side's number of n-grams. */
export function rougeN(
  target: readonly string[],
  prediction: readonly string[],
  n: number,
): RougeScore {
  assertTokens('target', target);
  assertTokens('prediction', prediction);
  assertN('n', n);
  const t = ngramCounts(target, n);
  const p = ngramCounts(prediction, n);
  // overlap = sum_g min(count_t(g), count_p(g)): a repeated n-gram counts at most as often as
  // the other side has it (clipping)
  let overlap = 0;
  for (const [gram, count] of t) overlap += Math.min(count, p.get(gram) ?? 0);
  // P = overlap / #prediction n-grams, R = overlap / #target n-grams (max(., 1) as rouge-score)
  const predictionGrams = Math.max(prediction.length - n + 1, 0);
  const targetGrams = Math.max(target.length - n + 1, 0);
  return score(overlap / Math.max(predictionGrams, 1), overlap / Math.max(targetGrams, 1));
}

/** How often each n-gram occurs; an n-gram's key is its tokens as JSON (unambiguous). */
function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = JSON.stringify(tokens.slice(i, i + n));
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

/** F = 2 P R / (P + R), 0 when P + R = 0 (rouge-score's scoring.fmeasure). */
export function fMeasure(precision: number, recall: number): number {
  for (const [name, v] of [
    ['precision', precision],
    ['recall', recall],
  ] as const) {
    if (typeof v !== 'number') throw new ArgumentTypeError(name, v, 'a number in [0, 1]');
    if (!(v >= 0 && v <= 1)) throw new ArgumentError(name, v, 'a number in [0, 1]');
  }
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

const score = (precision: number, recall: number): RougeScore => ({
  precision,
  recall,
  fmeasure: fMeasure(precision, recall),
});

const ZERO: RougeScore = Object.freeze({ precision: 0, recall: 0, fmeasure: 0 });

/**
 * The textbook LCS table: L[i][j] = |LCS(a[0..i), b[0..j))|, (m + 1) x (n + 1) entries, row 0 and
 * column 0 zero.
 */
export function lcsTable(a: readonly string[], b: readonly string[]): Int32Array[] {
  assertTokens('a', a);
  assertTokens('b', b);
  assertLcsWork(a.length, b.length, 'b');
  const L = Array.from({ length: a.length + 1 }, () => new Int32Array(b.length + 1));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      // equal last tokens extend the diagonal; otherwise drop the last token of a or of b
      L[i]![j] =
        a[i - 1] === b[j - 1] ? L[i - 1]![j - 1]! + 1 : Math.max(L[i - 1]![j]!, L[i]![j - 1]!);
    }
  }
  return L;
}

/** The length of a longest common subsequence: the corner L[m][n] of the table. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  assertTokens('a', a);
  assertTokens('b', b);
  return lcsTable(a, b)[a.length]![b.length]!;
}

/** ROUGE-L on token lists: P = LCS / |prediction|, R = LCS / |target|; 0 if either is empty. */
export function rougeL(target: readonly string[], prediction: readonly string[]): RougeScore {
  assertTokens('target', target);
  assertTokens('prediction', prediction);
  if (target.length === 0 || prediction.length === 0) return ZERO;
  const lcs = lcsLength(target, prediction);
  return score(lcs / prediction.length, lcs / target.length);
}

/**
 * The same LCS length keeping only two rows of the table, each as long as the shorter list:
 * O(m n) time, O(min(m, n)) memory. `counter` gets 'cells' (table cells computed, m n) and
 * 'memory' (table entries allocated, 2 (min(m, n) + 1)).
 */
export function lcsLengthTwoRows(
  a: readonly string[],
  b: readonly string[],
  counter?: Counter,
): number {
  assertTokens('a', a);
  assertTokens('b', b);
  assertLcsWork(a.length, b.length, 'b');
  assertOptionalCounter('counter', counter);
  // the row runs along the shorter list; LCS is symmetric
  const [outer, inner] = a.length >= b.length ? [a, b] : [b, a];
  let prev = new Int32Array(inner.length + 1); // row i - 1 of the table
  let cur = new Int32Array(inner.length + 1); // row i; cur[0] stays 0
  counter?.add('memory', 2 * (inner.length + 1));
  for (const x of outer) {
    for (let j = 1; j <= inner.length; j++)
      cur[j] = x === inner[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    [prev, cur] = [cur, prev];
    counter?.add('cells', inner.length);
  }
  return prev[inner.length]!;
}

/** ROUGE-L with the two-row LCS: equal to `rougeL`. */
export function rougeLTwoRows(
  target: readonly string[],
  prediction: readonly string[],
  counter?: Counter,
): RougeScore {
  assertTokens('target', target);
  assertTokens('prediction', prediction);
  assertOptionalCounter('counter', counter);
  if (target.length === 0 || prediction.length === 0) return ZERO;
  const lcs = lcsLengthTwoRows(target, prediction, counter);
  return score(lcs / prediction.length, lcs / target.length);
}

/** One LCS of ref and can as indices into ref, read back as rouge-score's _backtrack_norec does. */
function lcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const L = lcsTable(ref, can);
  const out: number[] = [];
  for (let i = ref.length, j = can.length; i > 0 && j > 0;) {
    if (ref[i - 1] === can[j - 1]) {
      out.push(--i);
      j--;
    } else if (L[i]![j - 1]! > L[i - 1]![j]!) j--;
    else i--;
  }
  return out.reverse();
}

/**
 * Summary-level ROUGE-L (rougeLsum, Lin 2004 section 3.2 as rouge-score implements it): for every
 * target sentence, the union of its LCSs with each prediction sentence; a hit is counted only while
 * the token is still unused on both sides. P = hits / prediction tokens, R = hits / target tokens.
 */
export function rougeLsum(
  targetSentences: readonly (readonly string[])[],
  predictionSentences: readonly (readonly string[])[],
): RougeScore {
  assertSentences('targetSentences', targetSentences);
  assertSentences('predictionSentences', predictionSentences);
  const m = targetSentences.reduce((s, x) => s + x.length, 0);
  const n = predictionSentences.reduce((s, x) => s + x.length, 0);
  if (m === 0 || n === 0) return ZERO;
  assertLcsWork(m, n, 'predictionSentences'); // the pairwise tables add up to about m n cells
  const unusedT = new Map<string, number>();
  const unusedP = new Map<string, number>();
  for (const s of targetSentences) for (const t of s) unusedT.set(t, (unusedT.get(t) ?? 0) + 1);
  for (const s of predictionSentences) for (const t of s) unusedP.set(t, (unusedP.get(t) ?? 0) + 1);
  let hits = 0;
  for (const r of targetSentences) {
    // union LCS: the target positions on an LCS with any prediction sentence, in order
    const union = new Set<number>();
    for (const c of predictionSentences) {
      for (const i of lcsIndices(r, c)) union.add(i);
    }
    for (const i of [...union].sort((x, y) => x - y)) {
      const t = r[i] as string;
      if ((unusedT.get(t) ?? 0) > 0 && (unusedP.get(t) ?? 0) > 0) {
        hits++;
        unusedT.set(t, unusedT.get(t)! - 1);
        unusedP.set(t, unusedP.get(t)! - 1);
      }
    }
  }
  return score(hits / n, hits / m);
}

/** A tokenizer: text in, tokens out. */
export type Tokenizer = (text: string) => string[];

/**
 * rouge-score's default tokenizer (no stemmer): lower-case, every run outside [a-z0-9] becomes a
 * space, split on whitespace, keep the [a-z0-9]+ tokens. Chinese text gives no token at all.
 */
export function rougeTokenize(text: string): string[] {
  assertText('text', text);
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(/\s+/)
    .filter((t) => /^[a-z0-9]+$/.test(t));
}

/**
 * The character-level variant for Chinese (and Japanese): lower-case, then every Han or kana
 * character is a token and every [a-z0-9]+ run a word; everything else is dropped as in
 * rouge-score. On text without CJK characters it equals `rougeTokenize`.
 */
export function cjkTokenize(text: string): string[] {
  assertText('text', text);
  return (
    text
      .toLowerCase()
      .match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[a-z0-9]+/gu) ?? []
  );
}

export type RougeType = `rouge${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}` | 'rougeL' | 'rougeLsum';

export interface RougeOptions {
  /** Which scores: 'rouge1' to 'rouge9', 'rougeL', 'rougeLsum'. Default rouge1, rouge2, rougeL. */
  types?: readonly string[];
  /** Default `rougeTokenize` (rouge-score's); `cjkTokenize` for Chinese. */
  tokenizer?: Tokenizer;
}

/**
 * rouge-score's RougeScorer(types).score(target, prediction): the reference FIRST. Each type is
 * computed on the tokens of `tokenizer`; rougeLsum splits both texts on "\n" first (empty lines
 * dropped).
 */
export function rougeScore(
  target: string,
  prediction: string,
  options: RougeOptions = {},
): Record<string, RougeScore> {
  assertText('target', target);
  assertText('prediction', prediction);
  assertObject('options', options, 'an options object { types?, tokenizer? }');
  const { types = ['rouge1', 'rouge2', 'rougeL'], tokenizer = rougeTokenize } = options;
  assertArray('options.types', types);
  if (typeof tokenizer !== 'function')
    throw new ArgumentTypeError('options.tokenizer', tokenizer, 'a function (text) => string[]');
  const tokenize = (text: string) => {
    const tokens: unknown = tokenizer(text);
    if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string'))
      throw new ArgumentTypeError('options.tokenizer', tokens, 'a tokenizer returning string[]');
    return tokens as string[];
  };
  const kinds = types.map((type, i) => rougeKind(type, `options.types[${i}]`));
  const t = tokenize(target);
  const p = tokenize(prediction);
  const sentences = (text: string) =>
    text
      .split('\n')
      .filter((s) => s.length > 0)
      .map(tokenize);
  const result: Record<string, RougeScore> = {};
  kinds.forEach((kind, i) => {
    const type = types[i] as string;
    if (kind === 'L') result[type] = rougeL(t, p);
    else if (kind === 'Lsum') result[type] = rougeLsum(sentences(target), sentences(prediction));
    else result[type] = rougeN(t, p, kind);
  });
  return result;
}

/** 'rouge1'..'rouge9' -> n, 'rougeL' -> 'L', 'rougeLsum' -> 'Lsum'; otherwise an ArgumentError. */
function rougeKind(type: unknown, argument: string): number | 'L' | 'Lsum' {
  if (type === 'rougeL') return 'L';
  if (type === 'rougeLsum') return 'Lsum';
  const expected = "'rouge1' to 'rouge9' (n >= 1), 'rougeL' or 'rougeLsum'";
  if (typeof type !== 'string') throw new ArgumentTypeError(argument, type, expected);
  const match = /^rouge([0-9])$/.exec(type);
  if (!match || match[1] === '0') throw new ArgumentError(argument, type, expected);
  return Number(match[1]);
}

/** Above this many table cells an LCS would take seconds: refused instead. */
const MAX_LCS_CELLS = 2 ** 26;

function assertLcsWork(m: number, n: number, argument: string): void {
  if ((m + 1) * (n + 1) > MAX_LCS_CELLS) {
    throw new ArgumentError(
      argument,
      n,
      `token lists whose (m + 1)(n + 1) is at most ${MAX_LCS_CELLS}`,
      `${m} x ${n} tokens`,
    );
  }
}

function assertText(argument: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new ArgumentTypeError(argument, value, 'a string');
}

function assertN(argument: string, n: unknown): asserts n is number {
  if (typeof n !== 'number') throw new ArgumentTypeError(argument, n, 'an integer n >= 1');
  if (!Number.isSafeInteger(n) || n < 1) throw new ArgumentError(argument, n, 'an integer n >= 1');
}

/** Throws unless `value` is an array of strings (tokens); names the first bad index. */
function assertTokens(argument: string, value: unknown): asserts value is string[] {
  assertArray(argument, value);
  value.forEach((t, i) => {
    if (typeof t !== 'string')
      throw new ArgumentTypeError(`${argument}[${i}]`, t, 'a token (string)');
  });
}

function assertSentences(argument: string, value: unknown): asserts value is string[][] {
  assertArray(argument, value);
  value.forEach((s, i) => assertTokens(`${argument}[${i}]`, s));
}

/** Pitfall: unclipped counts: every prediction n-gram found in the target counts, however often. */
export function pitfallRougeNUnclipped(
  target: readonly string[],
  prediction: readonly string[],
  n: number,
): RougeScore {
  assertTokens('target', target);
  assertTokens('prediction', prediction);
  assertN('n', n);
  const t = ngramCounts(target, n);
  let overlap = 0;
  for (const [gram, count] of ngramCounts(prediction, n)) if (t.has(gram)) overlap += count;
  const predictionGrams = Math.max(prediction.length - n + 1, 1);
  const targetGrams = Math.max(target.length - n + 1, 1);
  const [precision, recall] = [overlap / predictionGrams, overlap / targetGrams];
  const f = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure: f };
}

/** Pitfall: ROUGE-L on the characters of the lower-cased strings instead of on word tokens. */
export function pitfallRougeLOnCharacters(target: string, prediction: string): RougeScore {
  assertText('target', target);
  assertText('prediction', prediction);
  return rougeL(Array.from(target.toLowerCase()), Array.from(prediction.toLowerCase()));
}

/** Pitfall: the arguments swapped, score(prediction, target): precision and recall trade places. */
export function pitfallRougeNSwapped(
  target: readonly string[],
  prediction: readonly string[],
  n: number,
): RougeScore {
  assertTokens('target', target);
  assertTokens('prediction', prediction);
  return rougeN(prediction, target, n);
}

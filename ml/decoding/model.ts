/**
 * What decoding talks to: a language model is a function from a prefix of token ids (the prompt
 * and what has been generated so far) to the next token's logits over a vocabulary of V ids, or a
 * small table of next-token probabilities (`tableModel`). The checks every decoder shares live
 * here: the model's output is V numbers, finite or -Infinity (probability 0), at least one finite;
 * every id of the prompt and the end-of-sequence id are below V.
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertArrayLike,
  assertFinite,
  assertFunction,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { logSoftmax } from '../softmax.js';

/** prefix (token ids) -> logits of the next token, one per vocabulary id. */
export type LanguageModel = (prefix: readonly number[]) => ArrayLike<number>;

/** A decoded sequence: the generated tokens (the end-of-sequence id included if emitted). */
export interface Hypothesis {
  tokens: number[];
  /** log p(tokens | prompt) = sum of the log-probabilities of each generated token. */
  logProb: number;
  /** logProb / length^lengthPenalty: what beam search and exhaustive search maximise. */
  score: number;
}

/** Longest generation accepted: every decoder calls the model at most this often per beam. */
export const MAX_NEW_TOKENS = 1024;
/** Largest vocabulary accepted from a model. */
export const MAX_VOCAB = 2 ** 20;
const MAX_PROMPT = 2 ** 16;
/** Probabilities passed in must sum to 1 within this (numpy's multinomial checks about 1e-8). */
export const SUM_TOLERANCE = 1e-6;

/** The checks of every decoder: a model, a prompt of token ids, maxNewTokens >= 1, an eos id. */
export function assertDecodingArgs(
  model: unknown,
  prompt: unknown,
  maxNewTokens: unknown,
  eos: unknown,
): asserts prompt is number[] {
  assertModelAndPrompt(model, prompt, eos);
  assertInteger('maxNewTokens', maxNewTokens, { min: 1, max: MAX_NEW_TOKENS });
}

/** A model (a function), a prompt of token ids (possibly empty) and an end-of-sequence id. */
function assertModelAndPrompt(
  model: unknown,
  prompt: unknown,
  eos: unknown,
): asserts prompt is number[] {
  assertFunction('model', model, 'a language model: (prefix: number[]) => next-token logits');
  assertArray('prompt', prompt);
  if (prompt.length > MAX_PROMPT)
    throw new ArgumentError('prompt', prompt, `at most ${MAX_PROMPT} token ids`);
  prompt.forEach((t, i) => assertInteger(`prompt[${i}]`, t, { min: 0, max: MAX_VOCAB - 1 }));
  assertInteger('eos', eos, { min: 0, max: MAX_VOCAB - 1 });
}

/**
 * The model's next-token logits for `prefix` (whose first `promptLength` ids are the prompt),
 * checked: V numbers, each finite or -Infinity, at least one finite, and every id of the prefix and
 * `eos` below V. Returns a plain copy.
 */
export function nextLogits(
  model: LanguageModel,
  prefix: readonly number[],
  promptLength: number,
  eos: number,
): number[] {
  assertModelAndPrompt(model, prefix, eos);
  assertInteger('promptLength', promptLength, { min: 0, max: prefix.length });
  return callModel(model, prefix, promptLength, eos);
}

/** `nextLogits` without the checks of its own arguments (the decoders have made them). */
function callModel(
  model: LanguageModel,
  prefix: readonly number[],
  promptLength: number,
  eos: number,
): number[] {
  const out: unknown = model(Object.freeze([...prefix]));
  assertArrayLike('model', out, 'a function returning next-token logits (an array of numbers)');
  const v = out.length;
  if (v < 1 || v > MAX_VOCAB)
    throw new ArgumentError('model', out, `between 1 and ${MAX_VOCAB} next-token logits`);
  const logits = new Array<number>(v);
  let anyFinite = false;
  for (let i = 0; i < v; i++) {
    const x = out[i];
    if (typeof x !== 'number')
      throw new ArgumentTypeError('model', x, `logits that are numbers (entry ${i})`);
    if (!(Number.isFinite(x) || x === Number.NEGATIVE_INFINITY))
      throw new ArgumentError('model', x, `logits that are finite or -Infinity (entry ${i})`);
    anyFinite ||= Number.isFinite(x);
    logits[i] = x;
  }
  if (!anyFinite) throw new ArgumentError('model', out, 'at least one finite logit');
  if (eos >= v) throw new ArgumentError('eos', eos, `a token id < V = ${v}`);
  prefix.forEach((t, i) => {
    if (t < v) return;
    if (i < promptLength) throw new ArgumentError(`prompt[${i}]`, t, `a token id < V = ${v}`);
    throw new ArgumentError(
      'model',
      out,
      `the same vocabulary at every step (V = ${v} < ${t + 1})`,
    );
  });
  return logits;
}

/** log p(tokens | prompt): the sum of log softmax(model(prefix))[token] along the sequence. */
export function sequenceLogProb(
  model: LanguageModel,
  prompt: readonly number[],
  tokens: readonly number[],
  eos: number,
): number {
  assertModelAndPrompt(model, prompt, eos);
  assertArray('tokens', tokens);
  if (tokens.length > MAX_NEW_TOKENS)
    throw new ArgumentError('tokens', tokens, `at most ${MAX_NEW_TOKENS} token ids`);
  let logProb = 0;
  tokens.forEach((t, i) => {
    assertInteger(`tokens[${i}]`, t, { min: 0 });
    const logits = nextLogits(model, [...prompt, ...tokens.slice(0, i)], prompt.length, eos);
    if (t >= logits.length)
      throw new ArgumentError(`tokens[${i}]`, t, `a token id < V = ${logits.length}`);
    logProb += logSoftmax(logits)[t] as number;
  });
  return logProb;
}

/**
 * HF's beam score: logProb / length^lengthPenalty (`BeamHypotheses.add`), length = the number of
 * generated tokens, the end-of-sequence token included. lengthPenalty 0 is the raw log-probability.
 */
export function lengthNormalizedScore(
  logProb: number,
  length: number,
  lengthPenalty: number,
): number {
  if (!(typeof logProb === 'number' && (Number.isFinite(logProb) || logProb === -Infinity)))
    throw new ArgumentError('logProb', logProb, 'a log-probability: finite or -Infinity');
  if (logProb > 0) throw new ArgumentError('logProb', logProb, 'a log-probability <= 0');
  assertInteger('length', length, { min: 1 });
  assertLengthPenalty(lengthPenalty);
  return logProb / length ** lengthPenalty;
}

/** Throws unless lengthPenalty is a finite number in [-10, 10]. */
export function assertLengthPenalty(lengthPenalty: unknown): asserts lengthPenalty is number {
  assertFinite('lengthPenalty', lengthPenalty);
  if (Math.abs(lengthPenalty) > 10)
    throw new ArgumentError('lengthPenalty', lengthPenalty, 'a number in [-10, 10]');
}

/**
 * Better hypothesis first: higher score, then (ties) the lexicographically smaller token sequence,
 * a prefix before its extensions. The one order of beam search, exhaustive search and greedy.
 */
export function compareHypotheses(
  a: Pick<Hypothesis, 'tokens' | 'score'>,
  b: Pick<Hypothesis, 'tokens' | 'score'>,
): number {
  for (const [name, h] of [
    ['a', a],
    ['b', b],
  ] as const) {
    assertObject(name, h, 'a hypothesis { tokens, score }');
    assertArray(`${name}.tokens`, h.tokens);
    if (typeof h.score !== 'number' || Number.isNaN(h.score))
      throw new ArgumentTypeError(`${name}.score`, h.score, 'a number (not NaN)');
  }
  return compareUnchecked(a, b);
}

/** `compareHypotheses` for the decoders' own sorts (their hypotheses are well formed). */
function compareUnchecked(
  a: Pick<Hypothesis, 'tokens' | 'score'>,
  b: Pick<Hypothesis, 'tokens' | 'score'>,
): number {
  if (a.score !== b.score) return a.score > b.score ? -1 : 1;
  const n = Math.min(a.tokens.length, b.tokens.length);
  for (let i = 0; i < n; i++)
    if (a.tokens[i] !== b.tokens[i]) return Number(a.tokens[i]) - Number(b.tokens[i]);
  return a.tokens.length - b.tokens.length;
}

/** Throws unless `probs` is V >= 1 probabilities in [0, 1] summing to 1 (within SUM_TOLERANCE). */
export function assertProbabilities(
  argument: string,
  probs: unknown,
): asserts probs is ArrayLike<number> {
  assertArrayLike(argument, probs, 'an array of probabilities');
  if (probs.length < 1 || probs.length > MAX_VOCAB)
    throw new ArgumentError(argument, probs, `between 1 and ${MAX_VOCAB} probabilities`);
  let sum = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (typeof p !== 'number') throw new ArgumentTypeError(`${argument}[${i}]`, p, 'a number');
    if (!(p >= 0 && p <= 1))
      throw new ArgumentError(`${argument}[${i}]`, p, 'a probability in [0, 1]');
    sum += p;
  }
  if (Math.abs(sum - 1) > SUM_TOLERANCE)
    throw new ArgumentError(argument, probs, `probabilities that sum to 1 (they sum to ${sum})`);
}

/**
 * A language model read from a table of next-token probabilities: keys are prefixes written as
 * token ids joined by spaces ('' for the empty prefix, '1 2' for [1, 2]), values the next-token
 * distribution over V ids (probability 0 becomes logit -Infinity). A prefix missing from the table
 * is rejected when asked for.
 *
 * @example
 *   const model = tableModel({ '': [0, 0.6, 0.4], '1': [1, 0, 0], '2': [1, 0, 0] });
 *   model([1]) // [0, -Infinity, -Infinity]: after token 1 the sequence ends (token 0)
 */
export function tableModel(table: Readonly<Record<string, readonly number[]>>): LanguageModel {
  assertObject('table', table, 'a table { prefix: next-token probabilities }');
  const rows = new Map<string, number[]>();
  let v = -1;
  for (const [key, probs] of Object.entries(table)) {
    assertProbabilities(`table['${key}']`, probs);
    if (v !== -1 && probs.length !== v)
      throw new ArgumentError(`table['${key}']`, probs, `${v} probabilities like the other rows`);
    v = probs.length;
    if (!/^(\d+( \d+)*)?$/.test(key))
      throw new ArgumentError('table', key, "prefix keys like '', '3' or '3 1 4'");
    rows.set(key, Array.from(probs, Math.log));
  }
  if (v === -1) throw new ArgumentError('table', table, 'at least one row');
  for (const key of rows.keys()) {
    for (const id of key === '' ? [] : key.split(' ').map(Number))
      if (id >= v) throw new ArgumentError('table', key, `prefixes of token ids < V = ${v}`);
  }
  return (prefix) => {
    assertArray('prefix', prefix);
    const row = rows.get(prefix.join(' '));
    if (row === undefined)
      throw new ArgumentError('table', `[${prefix.join(', ')}]`, 'a row for every prefix asked');
    return [...row];
  };
}

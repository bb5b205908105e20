/**
 * Input table for ml/decoding/: each bad call, the argument it is rejected for, and the class.
 * Temperatures <= 0, p outside (0, 1], k <= 0 or fractional, beam widths <= 0, probabilities
 * that do not sum to 1, maxNewTokens <= 0, token ids out of range, and models that return junk.
 */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { rng, type Rng } from '../../core/random.js';
import { tensorBackend, type Tensor, type Tf } from '../../core/backend.js';
import {
  beamSearch,
  exhaustiveSearch,
  greedyDecode,
  lengthNormalizedScore,
  pitfallBeamSearchIgnoresLengthPenalty,
  pitfallSampleWithoutRenormalising,
  pitfallTemperatureAfterSoftmax,
  pitfallTopKTiesByIndex,
  pitfallTopPDropsCrossingToken,
  sampleDecode,
  sampleNext,
  sampleToken,
  sequenceLogProb,
  tableModel,
  temperature,
  temperatureTf,
  topK,
  topKMaskTf,
  topP,
  topPHf,
  topPMaskTf,
  topPProbs,
  warpLogits,
  warpLogitsTf,
  warpLogitsTfMatrix,
  type LanguageModel,
  type WarpOptions,
} from '../../ml/decoding/index.js';
import { badCalls } from '../support/answer-key.js';

const { tf } = await tensorBackend();
const junk = <T>(v: unknown) => v as T;
/** V = 3: token 0 is eos, then a flat distribution. */
const model: LanguageModel = () => [0, 0, 0];
const logits = [2, 1, 0];
const x = tf.tensor2d([[2, 1, 0]]);

describe('warpers: temperature, k, p', () => {
  badCalls([
    ['temperature 0', () => temperature(logits, 0), 'temperature'],
    ['a negative temperature', () => temperature(logits, -1), 'temperature'],
    ['a NaN temperature', () => temperature(logits, Number.NaN), 'temperature'],
    [
      'a temperature string',
      () => temperature(logits, junk('1')),
      'temperature',
      ArgumentTypeError,
    ],
    ['a temperature so small that l / T overflows', () => temperature([1], 1e-320), 'temperature'],
    ['k = 0', () => topK(logits, 0), 'k'],
    ['k < 0', () => topK(logits, -2), 'k'],
    ['a fractional k', () => topK(logits, 1.5), 'k'],
    ['k as a string', () => topK(logits, junk('2')), 'k', ArgumentTypeError],
    ['p = 0', () => topP(logits, 0), 'p'],
    ['p > 1', () => topP(logits, 1.5), 'p'],
    ['p < 0 (HF form)', () => topPHf(logits, -0.1), 'p'],
    ['an infinite p', () => topPHf(logits, Number.POSITIVE_INFINITY), 'p'],
    [
      'options.temperature = 0',
      () => warpLogits(logits, { temperature: 0 }),
      'options.temperature',
    ],
    ['options.topK = 0', () => warpLogits(logits, { topK: 0 }), 'options.topK'],
    ['options.topK fractional', () => warpLogits(logits, { topK: 2.5 }), 'options.topK'],
    ['options.topP = 1.01', () => warpLogits(logits, { topP: 1.01 }), 'options.topP'],
    ['options that are null', () => warpLogits(logits, junk(null)), 'options', ArgumentTypeError],
  ]);
});

describe('logits and probabilities', () => {
  badCalls([
    ['no logits', () => topK([], 1), 'logits'],
    ['a NaN logit', () => topP([0, Number.NaN], 0.5), 'logits[1]'],
    ['a +Infinity logit', () => temperature([Number.POSITIVE_INFINITY], 1), 'logits[0]'],
    ['every logit -Infinity', () => topK([-Infinity, -Infinity], 1), 'logits'],
    ['logits that are a string', () => topK(junk('123'), 1), 'logits', ArgumentTypeError],
    ['probabilities summing to 0.9', () => topPProbs([0.5, 0.4], 0.9), 'probs'],
    ['probabilities summing to 1.1', () => sampleToken([0.5, 0.6], rng(1)), 'probs'],
    ['a negative probability', () => sampleToken([-0.5, 1.5], rng(1)), 'probs[0]'],
    ['no probabilities', () => sampleToken([], rng(1)), 'probs'],
    [
      'a plain object for the rng',
      () => sampleToken([1], junk<Rng>({ uniform: () => 0.5 })),
      'rng',
      ArgumentTypeError,
    ],
    [
      'sampleNext without an Rng',
      () => sampleNext(logits, junk(undefined)),
      'rng',
      ArgumentTypeError,
    ],
    ['sampleNext with p = 0', () => sampleNext(logits, rng(1), { topP: 0 }), 'options.topP'],
    ['a table row that does not sum to 1', () => tableModel({ '': [0.5, 0.4] }), "table['']"],
    [
      'a table of rows of two lengths',
      () => tableModel({ '': [1, 0], '1': [1, 0, 0] }),
      /^table\['/,
    ],
    ['a table key that is no prefix', () => tableModel({ a: [1, 0] }), 'table'],
    ['a table key with an id >= V', () => tableModel({ '': [1, 0], '5': [1, 0] }), 'table'],
    ['an empty table', () => tableModel({}), 'table'],
    [
      'a prefix missing from the table',
      () => greedyDecode(tableModel({ '': [0, 1] }), [], 2, 0),
      'table',
    ],
  ]);
});

describe('search: beam width, maxNewTokens, token ids, the model', () => {
  badCalls([
    ['beam width 0', () => beamSearch(model, [], 0, 3, 0), 'beamWidth'],
    ['a negative beam width', () => beamSearch(model, [], -1, 3, 0), 'beamWidth'],
    ['a fractional beam width', () => beamSearch(model, [], 1.5, 3, 0), 'beamWidth'],
    ['a beam width of 2^31', () => beamSearch(model, [], 2 ** 31, 3, 0), 'beamWidth'],
    ['maxNewTokens 0 (greedy)', () => greedyDecode(model, [], 0, 0), 'maxNewTokens'],
    ['maxNewTokens -1 (beam)', () => beamSearch(model, [], 2, -1, 0), 'maxNewTokens'],
    ['maxNewTokens 0 (sampling)', () => sampleDecode(model, [], 0, 0, rng(1)), 'maxNewTokens'],
    [
      'maxNewTokens 2^31 (exhaustive)',
      () => exhaustiveSearch(model, [], 2 ** 31, 0),
      'maxNewTokens',
    ],
    [
      'an exhaustive search too large (3^11 prefixes)',
      () => exhaustiveSearch(() => [0, 0, 0, 0], [], 12, 0),
      'maxNewTokens',
    ],
    ['a prompt id >= V', () => greedyDecode(model, [1, 5], 2, 0), 'prompt[1]'],
    ['a negative prompt id', () => beamSearch(model, [-1], 2, 2, 0), 'prompt[0]'],
    ['a fractional prompt id', () => greedyDecode(model, [0.5], 2, 0), 'prompt[0]'],
    [
      'a prompt that is not an array',
      () => greedyDecode(model, junk('12'), 2, 0),
      'prompt',
      ArgumentTypeError,
    ],
    ['eos >= V', () => greedyDecode(model, [], 2, 3), 'eos'],
    ['a negative eos', () => beamSearch(model, [], 2, 2, -1), 'eos'],
    ['a scored token >= V', () => sequenceLogProb(model, [], [1, 7], 0), 'tokens[1]'],
    ['a NaN length penalty', () => beamSearch(model, [], 2, 2, 0, Number.NaN), 'lengthPenalty'],
    ['a length penalty of 100', () => exhaustiveSearch(model, [], 2, 0, 100), 'lengthPenalty'],
    ['a length of 0 to normalise by', () => lengthNormalizedScore(-1, 0, 1), 'length'],
    ['a positive log-probability', () => lengthNormalizedScore(0.5, 2, 1), 'logProb'],
    [
      'a model that is not a function',
      () => greedyDecode(junk([0, 1]), [], 2, 0),
      'model',
      ArgumentTypeError,
    ],
    [
      'a model returning nothing',
      () => greedyDecode(() => junk(undefined), [], 2, 0),
      'model',
      ArgumentTypeError,
    ],
    ['a model returning no logits', () => beamSearch(() => [], [], 2, 2, 0), 'model'],
    ['a model returning NaN', () => greedyDecode(() => [0, Number.NaN], [], 2, 0), 'model'],
    [
      'a model returning strings',
      () => greedyDecode(() => junk(['a', 'b']), [], 2, 0),
      'model',
      ArgumentTypeError,
    ],
    [
      'a model returning only -Infinity',
      () => sampleDecode(() => [-Infinity], [], 2, 0, rng(1)),
      'model',
    ],
    [
      'a model whose vocabulary shrinks',
      () => greedyDecode((p) => (p.length === 0 ? [0, 0, 5] : [0, 1]), [], 3, 0),
      'model',
    ],
    [
      'sampling without an Rng',
      () => sampleDecode(model, [], 2, 0, junk({})),
      'rng',
      ArgumentTypeError,
    ],
  ]);
});

describe('pitfalls check their arguments too', () => {
  badCalls([
    ['top-p pitfall, p = 0', () => pitfallTopPDropsCrossingToken(logits, 0), 'p'],
    ['top-k pitfall, k = 0', () => pitfallTopKTiesByIndex(logits, 0), 'k'],
    ['temperature pitfall, T = 0', () => pitfallTemperatureAfterSoftmax(logits, 0), 'temperature'],
    [
      'beam pitfall, width 0',
      () => pitfallBeamSearchIgnoresLengthPenalty(model, [], 0, 2, 0, 1),
      'beamWidth',
    ],
    [
      'sampling pitfall, a plain rng',
      () => pitfallSampleWithoutRenormalising(logits, junk({})),
      'rng',
      ArgumentTypeError,
    ],
    [
      'sampling pitfall, k = 0',
      () => pitfallSampleWithoutRenormalising(logits, rng(1), junk<WarpOptions>({ topK: 0 })),
      'options.topK',
    ],
  ]);
});

describe('tfjs twins', () => {
  badCalls([
    ['temperatureTf, T = 0', () => temperatureTf(tf, x, 0), 'temperature'],
    ['topKMaskTf, k = 0', () => topKMaskTf(tf, x, 0), 'k'],
    ['topKMaskTf, fractional k', () => topKMaskTf(tf, x, 1.5), 'k'],
    ['topPMaskTf, p = 0', () => topPMaskTf(tf, x, 0), 'p'],
    ['topPMaskTf, p = 2', () => topPMaskTf(tf, x, 2), 'p'],
    ['a plain object for tf', () => topKMaskTf(junk<Tf>({}), x, 1), 'tf', ArgumentTypeError],
    ['logits of rank 1', () => temperatureTf(tf, tf.tensor1d([1, 2]), 1), 'logits'],
    ['int32 logits', () => topPMaskTf(tf, tf.tensor2d([[1, 2]], [1, 2], 'int32'), 0.5), 'logits'],
    [
      'logits that are an array',
      () => warpLogitsTf(tf, junk<Tensor>([[1, 2]]), {}),
      'logits',
      ArgumentTypeError,
    ],
    ['warpLogitsTf, topP = 0', () => warpLogitsTf(tf, x, { topP: 0 }), 'options.topP'],
    ['a Matrix with no rows', () => warpLogitsTfMatrix(matrix(0, 3), { topK: 1 }), 'logits'],
    [
      'a Matrix edge with k = 0',
      () => warpLogitsTfMatrix(matrix(1, 3), { topK: 0 }),
      'options.topK',
    ],
  ]);
});

/**
 * Decoding a language model: greedy search, beam search, and sampling through Hugging Face's
 * logits warpers. Answers: Q30 (贪心搜索 vs 束搜索: greedy vs beam search, and sampling).
 *
 * The idea: a model gives p(y_t | prompt, y_<t); a decoder turns it into a sequence. Greedy takes
 * the argmax at every step; beam search keeps the B best partial sequences, so a token that looks
 * worse now but leads somewhere better survives; sampling draws from the (warped) distribution.
 *
 *   greedy:  y_t = argmax_v p(v | prompt, y_<t)
 *   beam:    keep the B best y_1..y_t by log p(y_1..y_t) = sum_s log p(y_s | prompt, y_<s);
 *            return the finished one maximising score = log p(y) / |y|^lengthPenalty
 *
 * Conventions (and whose): the model is a function prefix -> next-token logits (./model.ts; a
 * small table with `tableModel`); `eos` ends a hypothesis, and `maxNewTokens` ends every one. The
 * score is HF's `BeamHypotheses.add`, sum_logprobs / generated_len ** length_penalty, with
 * |y| = the generated tokens, eos included (HF's generated_len = cur_len + 1 - decoder_prompt_len
 * when eos is chosen; older versions divided by the whole hypothesis, prompt included, the
 * hyp.shape[-1] branch HF keeps "for retrocompatibility").
 * lengthPenalty defaults to 0 here (the raw log-probability; HF's default is 1.0). A hypothesis
 * that emits eos leaves the beam but used one of the B slots, so the beam shrinks and width 1 is
 * exactly greedy (HF instead refills the beam with the B best non-eos candidates, and runs plain
 * greedy search for num_beams = 1). Candidates of probability 0 are never kept. Ties: the first
 * maximum (torch.argmax), and between hypotheses the lexicographically smaller sequence.
 *
 * Parts: ./model.ts (the model type, checks, `tableModel`, `sequenceLogProb`, the length-normalised
 * score), ./warpers.ts (temperature, top-k, top-p as HF applies them), ./sample.ts (sampling with a
 * passed Rng), ./exhaustive.ts (the oracle: every sequence), ./tf.ts (tfjs twins of the warpers on
 * [batch, vocab] logits), ./pitfalls.ts (the common wrong answers).
 *
 * Complexity per generated token: greedy one model call and O(V); beam search B model calls and a
 * sort of B V candidates, O(B V log(B V)); exhaustive search V^L sequences in all.
 *
 * @example
 *   // Hugging Face's "How to generate text" toy: 1 'nice' .5, 2 'dog' .4, 3 'car' .1, then ...
 *   greedyDecode(model, [THE], 2, EOS)     // [nice, woman]: p = 0.5 x 0.4 = 0.2
 *   beamSearch(model, [THE], 2, 2, EOS)    // [dog, has]: p = 0.4 x 0.9 = 0.36
 */
import { assertInteger } from '../../core/errors.js';
import { logSoftmax } from '../softmax.js';
import {
  assertDecodingArgs,
  assertLengthPenalty,
  compareHypotheses,
  lengthNormalizedScore,
  nextLogits,
  type Hypothesis,
  type LanguageModel,
} from './model.js';

/** Greedy search: the most likely next token, step by step, until eos or maxNewTokens. */
export function greedyDecode(
  model: LanguageModel,
  prompt: readonly number[],
  maxNewTokens: number,
  eos: number,
): number[] {
  assertDecodingArgs(model, prompt, maxNewTokens, eos);
  const tokens: number[] = [];
  while (tokens.length < maxNewTokens) {
    const logits = nextLogits(model, [...prompt, ...tokens], prompt.length, eos);
    // y_t = argmax_v logits_v (the first maximum, like torch.argmax)
    const next = logits.reduce((best, x, v) => (x > (logits[best] as number) ? v : best), 0);
    tokens.push(next);
    if (next === eos) break;
  }
  return tokens;
}

/** The widest beam accepted. */
export const MAX_BEAM_WIDTH = 4096;

/** Beam search: keep the beamWidth best partial sequences; the best finished one by its score. */
export function beamSearch(
  model: LanguageModel,
  prompt: readonly number[],
  beamWidth: number,
  maxNewTokens: number,
  eos: number,
  lengthPenalty = 0,
): Hypothesis {
  assertDecodingArgs(model, prompt, maxNewTokens, eos);
  assertInteger('beamWidth', beamWidth, { min: 1, max: MAX_BEAM_WIDTH });
  assertLengthPenalty(lengthPenalty);
  let beams: Hypothesis[] = [{ tokens: [], logProb: 0, score: 0 }];
  const finished: Hypothesis[] = [];
  for (let t = 1; t <= maxNewTokens && beams.length > 0; t++) {
    // every beam times every token: log p(y_1..y_t) = log p(y_1..y_t-1) + log p(y_t | y_<t)
    const candidates = beams.flatMap(({ tokens, logProb }) =>
      logSoftmax(nextLogits(model, [...prompt, ...tokens], prompt.length, eos))
        .map((lp, v) => ({ tokens: [...tokens, v], logProb: logProb + lp, score: logProb + lp }))
        .filter((c) => c.logProb > Number.NEGATIVE_INFINITY),
    );
    // the beamWidth best; all have length t, so ranking by log p is ranking by the score
    const kept = candidates.sort(compareHypotheses).slice(0, beamWidth);
    // a hypothesis ends at eos or at maxNewTokens; the others stay in the beam
    for (const h of kept) {
      if (h.tokens[t - 1] === eos || t === maxNewTokens)
        finished.push({ ...h, score: lengthNormalizedScore(h.logProb, t, lengthPenalty) });
    }
    beams = kept.filter((h) => h.tokens[t - 1] !== eos);
  }
  // score = log p(y) / |y|^lengthPenalty (HF BeamHypotheses.add)
  return finished.sort(compareHypotheses)[0] as Hypothesis;
}

export {
  assertDecodingArgs,
  compareHypotheses,
  lengthNormalizedScore,
  MAX_NEW_TOKENS,
  nextLogits,
  sequenceLogProb,
  SUM_TOLERANCE,
  tableModel,
  type Hypothesis,
  type LanguageModel,
} from './model.js';
export {
  descendingOrder,
  temperature,
  topK,
  topP,
  topPHf,
  topPProbs,
  warpedDistribution,
  warpLogits,
  type WarpOptions,
} from './warpers.js';
export { sampleDecode, sampleNext, sampleToken } from './sample.js';
export { beamLosesModel, HF_BLOG_WORDS, hfBlogModel, lengthPenaltyModel } from './worked.js';
export { exhaustiveSearch, MAX_EXHAUSTIVE_CALLS } from './exhaustive.js';
export { temperatureTf, topKMaskTf, topPMaskTf, warpLogitsTf, warpLogitsTfMatrix } from './tf.js';
export {
  pitfallSampleWithoutRenormalising,
  pitfallTemperatureAfterSoftmax,
  pitfallTopKTiesByIndex,
  pitfallTopPDropsCrossingToken,
} from './pitfalls.js';

// ---- Pitfall (the wrong warpers and samplers are in ./pitfalls.ts) ----

/**
 * Pitfall: beam search asked for a length penalty that still picks the finished hypothesis by its
 * raw log-probability: short hypotheses win, as without normalisation (the score is reported as if
 * it had been normalised).
 */
export function pitfallBeamSearchIgnoresLengthPenalty(
  model: LanguageModel,
  prompt: readonly number[],
  beamWidth: number,
  maxNewTokens: number,
  eos: number,
  lengthPenalty = 0,
): Hypothesis {
  assertDecodingArgs(model, prompt, maxNewTokens, eos);
  assertInteger('beamWidth', beamWidth, { min: 1, max: MAX_BEAM_WIDTH });
  assertLengthPenalty(lengthPenalty);
  const raw = beamSearch(model, prompt, beamWidth, maxNewTokens, eos, 0);
  return { ...raw, score: lengthNormalizedScore(raw.logProb, raw.tokens.length, lengthPenalty) };
}

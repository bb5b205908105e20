/**
 * Notebook for Q30: greedy vs beam search, and sampling with temperature, top-k and top-p.
 * Run: npm start -- run decoding   (or: npx tsx notebooks/decoding.ts)
 */
import { rng } from '../core/random.js';
import { defineNotebook } from '../notebook/index.js';
import { entropy, softmax } from '../ml/softmax.js';
import {
  beamLosesModel,
  beamSearch,
  exhaustiveSearch,
  greedyDecode,
  HF_BLOG_WORDS,
  hfBlogModel,
  lengthPenaltyModel,
  pitfallBeamSearchIgnoresLengthPenalty,
  pitfallSampleWithoutRenormalising,
  pitfallTemperatureAfterSoftmax,
  pitfallTopKTiesByIndex,
  pitfallTopPDropsCrossingToken,
  sampleDecode,
  sampleNext,
  sequenceLogProb,
  temperature,
  topK,
  topP,
  topPHf,
  topPProbs,
  warpedDistribution,
  type LanguageModel,
} from '../ml/decoding/index.js';

const HF_WORDS = HF_BLOG_WORDS;

/** A row of probabilities over `words` from a few named ones. */
const rowOf = (words: readonly string[], m: Record<string, number>) => words.map((w) => m[w] ?? 0);

/** A bigram model: the next word's probabilities depend on the last word only. */
function bigramModel(words: readonly string[], next: Record<string, Record<string, number>>) {
  const logits = Object.fromEntries(
    Object.entries(next).map(([w, m]) => [w, rowOf(words, m).map(Math.log)]),
  );
  const model: LanguageModel = (prefix) => logits[words[prefix.at(-1) as number] as string]!;
  return model;
}

const STORY = ['.', 'the', 'cat', 'sat', 'on', 'mat', 'and', 'dog', 'ran', 'home'];
const storyModel = bigramModel(STORY, {
  the: { cat: 0.45, dog: 0.35, mat: 0.2 },
  cat: { sat: 0.5, ran: 0.3, and: 0.2 },
  sat: { on: 0.6, and: 0.3, '.': 0.1 },
  on: { the: 0.7, home: 0.3 },
  dog: { ran: 0.5, sat: 0.3, and: 0.2 },
  ran: { home: 0.4, on: 0.3, and: 0.3 },
  and: { the: 0.6, ran: 0.2, sat: 0.2 },
  mat: { '.': 0.3, and: 0.7 },
  home: { '.': 0.3, and: 0.7 },
  '.': { '.': 1 },
});

/** Share of repeated trigrams: 1 - distinct / total (0 = no trigram twice). */
function repeatedTrigrams(tokens: readonly number[]): number {
  const grams = tokens.slice(2).map((_, i) => tokens.slice(i, i + 3).join(' '));
  return grams.length === 0 ? 0 : 1 - new Set(grams).size / grams.length;
}

const f3 = (x: number) => x.toFixed(3);
/** How many tokens a warper left (logits not -Infinity). */
const kept = (warped: readonly number[]) => warped.filter(Number.isFinite).length;

export default defineNotebook(import.meta.url, 'decoding', async (nb) => {
  await nb.md`
    ## The question
    *贪心搜索 vs 束搜索*: how do greedy search and beam search turn a language model into
    text, when is beam search better, and where do sampling, temperature, top-k and top-p come in?

    ## The intuition
    A model gives the next token's distribution p(y_t | prompt, y_<t). **Greedy** takes the most
    likely token every time: fast, but short-sighted, because a likely first word can lead to
    unlikely continuations. **Beam search** keeps the B best partial sequences at every step, so
    a second-best word whose continuation is very likely survives. **Sampling** draws the next
    token at random from the (reshaped) distribution, which is what open-ended generation wants.

    The whiteboard answers, read from ml/decoding/index.ts:
  `;
  await nb.source('ml/decoding/index.ts', 'greedyDecode');
  await nb.source('ml/decoding/index.ts', 'beamSearch');
  await nb.md(String.raw`
    ## The formulas
    Greedy:

    $$y_t = \arg\max_v p(v \mid x, y_{<t})$$

    Beam search ranks partial sequences by their log-probability and returns the finished one
    with the best score:

    $$\log p(y \mid x) = \sum_t \log p(y_t \mid x, y_{<t}), \qquad
    \text{score}(y) = \frac{\log p(y \mid x)}{|y|^{\alpha}}$$

    The score is Hugging Face's (BeamHypotheses.add): $|y|$ counts the generated tokens, eos
    included; $\alpha$ is length_penalty (0 = the raw log-probability, used here by default;
    HF's default is 1.0). Sampling draws $y_t \sim \operatorname{softmax}(w(\ell))$ where the
    warpers $w$ act on the logits $\ell$ in HF's order: temperature $\ell / T$, then top-k
    (drop $\ell_i$ below the k-th largest, ties kept), then top-p (keep the smallest set of
    most likely tokens whose probability reaches p, the token that crosses p included).
  `);

  await nb.md`
    ## A tiny run: Hugging Face's toy table
    Inputs: the prompt "The", two new tokens, the table of the HF blog post "How to generate text":
    after "The": nice .5, dog .4, car .1; after "The nice": woman .4, house .3, guy .3; after
    "The dog": has .9, runs .05, and .05; after "The car": is .3, drives .5, turns .2.
  `;
  const hf = hfBlogModel();
  const say = (tokens: readonly number[]) => tokens.map((t) => HF_WORDS[t]).join(' ');
  const greedy = await nb.code(() => greedyDecode(hf, [1], 2, 0));
  const beam = await nb.code(() => beamSearch(hf, [1], 2, 2, 0));
  const best = exhaustiveSearch(hf, [1], 2, 0);
  await nb.table(
    [
      {
        decoder: 'greedy',
        text: `The ${say(greedy)}`,
        p: Math.exp(sequenceLogProb(hf, [1], greedy, 0)),
      },
      { decoder: 'beam search, B = 2', text: `The ${say(beam.tokens)}`, p: Math.exp(beam.logProb) },
      {
        decoder: 'every sequence (exhaustive)',
        text: `The ${say(best.tokens)}`,
        p: Math.exp(best.logProb),
      },
    ].map((r) => ({ ...r, p: f3(r.p) })),
    'What each decoder returns on the toy table',
  );
  await nb.check(
    'greedy: p(The nice woman) = 0.5 x 0.4 (HF blog)',
    f3(Math.exp(sequenceLogProb(hf, [1], greedy, 0))),
    '0.200',
  );
  await nb.check(
    'beam search B = 2: p(The dog has) = 0.4 x 0.9 (HF blog)',
    f3(Math.exp(beam.logProb)),
    '0.360',
  );
  await nb.check('beam search found the best sequence of all', say(best.tokens), say(beam.tokens));
  await nb.md`
    Greedy commits to "nice" (0.5) and is stuck with a flat continuation (0.4 at best); beam
    search also keeps "dog" (0.4), whose continuation "has" is nearly certain (0.9).

    Sampling the same table 1,000 times (rng(1), no warper) returns each sequence about as often
    as its probability, so the beam's answer comes out 36% of the time and greedy's 20%:
  `;
  const draws = await nb.code(() => {
    const r = rng(1);
    const counts = new Map<string, number>();
    for (let s = 0; s < 1000; s++) {
      const text = say(sampleDecode(hf, [1], 2, 0, r));
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    return counts;
  });
  const share = (text: string) => (draws.get(text) ?? 0) / 1000;
  await nb.claim(
    'sampled frequencies match the probabilities (within 0.04)',
    Math.abs(share('dog has') - 0.36) < 0.04 && Math.abs(share('nice woman') - 0.2) < 0.04,
    `dog has ${f3(share('dog has'))} (0.36), nice woman ${f3(share('nice woman'))} (0.2)`,
  );

  await nb.md`
    ## Beam search is not always better than greedy
    The blog says beam search "will always find an output sequence with higher probability than
    greedy search". Not so: a beam can drop the greedy path. Inputs: tokens <eos>, A, B, C; at
    the start A .5, B .4, C .1; after A: A .34, B .33, C .33; after AA: <eos> 1; after B: A .5,
    B .5; after BA and BB: a flat .34 / .33 / .33. At step 2, BA and BB (0.2 each) push AA (0.17)
    out of a beam of 2, and both fade.
  `;
  const trap = beamLosesModel();
  const trapGreedy = greedyDecode(trap, [], 3, 0);
  const trapBeam = beamSearch(trap, [], 2, 3, 0);
  const pGreedy = Math.exp(sequenceLogProb(trap, [], trapGreedy, 0));
  await nb.check('greedy: A A <eos>, p = 0.5 x 0.34', f3(pGreedy), '0.170');
  await nb.check(
    'beam B = 2: B A A, p = 0.4 x 0.5 x 0.34',
    f3(Math.exp(trapBeam.logProb)),
    '0.068',
  );
  await nb.check(
    'beam B = 3 keeps A A and finds it',
    f3(Math.exp(beamSearch(trap, [], 3, 3, 0).logProb)),
    '0.170',
  );

  await nb.md`
    ## The length penalty
    Every token multiplies in a probability below 1, so the raw log-probability favours short
    outputs. Inputs: <eos> .5 or A .5 first; after A: A .95; after A A: <eos> .95. Raw, "<eos>"
    (0.5) beats "A A <eos>" (0.451); divided by the length (length_penalty 1), -0.693 / 1 loses to
    -0.796 / 3 = -0.265. A beam search that ignores the penalty it was given keeps the short one.
  `;
  const short = lengthPenaltyModel();
  const rows = [0, 1].map((lp) => ({
    'length penalty': lp,
    'beam search': beamSearch(short, [], 2, 3, 0, lp).tokens.join(' '),
    exhaustive: exhaustiveSearch(short, [], 3, 0, lp).tokens.join(' '),
    'pitfall (penalty ignored)': pitfallBeamSearchIgnoresLengthPenalty(
      short,
      [],
      2,
      3,
      0,
      lp,
    ).tokens.join(' '),
  }));
  await nb.table(rows, 'Winner by length penalty (0 = <eos>, 1 = A)');
  await nb.check('length penalty 1: A A <eos>', rows[1]!['beam search'], '1 1 0');

  await nb.md`
    ## The warpers
    Top-p on the probabilities [.5, .3, .15, .03, .02] at p = 0.95: the first three reach 0.95,
    so they are kept and renormalised by 0.95. HF's form (sort ascending, remove where the
    cumulative sum is <= 1 - p = 0.050000000000000044) removes .02 and .03 (0.05).
  `;
  const probs = [0.5, 0.3, 0.15, 0.03, 0.02];
  const nucleus = await nb.code(() => topPProbs(probs, 0.95));
  await nb.check(
    'renormalised nucleus, 3 decimals',
    nucleus.map(f3).join(' '),
    '0.526 0.316 0.158 0.000 0.000',
  );
  const logits = probs.map(Math.log);
  await nb.check('HF form on logits keeps the same three', kept(topPHf(logits, 0.95)), 3);
  await nb.table(
    [
      { warper: 'none', dist: warpedDistribution(logits) },
      { warper: 'T = 0.5', dist: warpedDistribution(logits, { temperature: 0.5 }) },
      { warper: 'T = 2', dist: warpedDistribution(logits, { temperature: 2 }) },
      { warper: 'top-k 2', dist: warpedDistribution(logits, { topK: 2 }) },
      { warper: 'top-p 0.9', dist: warpedDistribution(logits, { topP: 0.9 }) },
      {
        warper: 'T 0.5, top-p 0.9',
        dist: warpedDistribution(logits, { temperature: 0.5, topP: 0.9 }),
      },
    ].map(({ warper, dist }) => ({
      warper,
      distribution: dist.map((x) => x.toFixed(2)).join(' '),
      sum: f3(dist.reduce((s, x) => s + x, 0)),
    })),
    'The warped distribution softmax(w(log p)); every row sums to 1',
  );
  await nb.md`
    Temperature keeps the order and reshapes (T < 1 sharpens, T > 1 flattens); applied before
    top-p it changes which tokens reach p, which is why the order of warpers matters. Top-k keeps
    every token tied with the k-th value: topK([3, 2, 2, 0], 2) keeps three.
  `;
  await nb.check('top-k ties kept', kept(topK([3, 2, 2, 0], 2)), 3);
  await nb.check(
    'the pitfall that breaks ties by index keeps two',
    kept(pitfallTopKTiesByIndex([3, 2, 2, 0], 2)),
    2,
  );
  const wrongT = pitfallTemperatureAfterSoftmax(logits, 0.5);
  await nb.claim(
    'p^(1/T) without renormalising is no distribution',
    Math.abs(wrongT.reduce((s, x) => s + x, 0) - 1) > 0.1,
    `sums to ${f3(wrongT.reduce((s, x) => s + x, 0))}; softmax(l / T) sums to 1`,
  );
  const crossing = pitfallTopPDropsCrossingToken(logits, 0.9);
  await nb.claim(
    'top-p 0.9 that drops the crossing token holds less than p',
    crossing.filter(Number.isFinite).length === 2,
    `keeps 2 tokens, mass 0.8 < 0.9; topP keeps ${kept(topP(logits, 0.9))}`,
  );

  await nb.md`
    ## Top-p adapts to the distribution, top-k does not
    Inputs: 50 logits z_i = -0.15 i (a smooth tail), reshaped by temperatures from 0.1 to 8 to get
    distributions from peaked to flat. Top-k always keeps k; the nucleus grows with the entropy:
  `;
  const z = Array.from({ length: 50 }, (_, i) => -0.15 * i);
  const temps = [0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8];
  const sizes = temps.map((t) => {
    const scaled = temperature(z, t);
    return {
      h: entropy(softmax(scaled)),
      p9: kept(topP(scaled, 0.9)),
      p5: kept(topP(scaled, 0.5)),
    };
  });
  await nb.plot({
    kind: 'line',
    title: 'Tokens kept by top-p against the entropy of the distribution (V = 50)',
    x: { label: 'entropy (nats)', values: sizes.map((s) => Number(s.h.toFixed(3))) },
    y: { label: 'tokens kept' },
    series: [
      { name: 'top-p 0.9', values: sizes.map((s) => s.p9) },
      { name: 'top-p 0.5', values: sizes.map((s) => s.p5) },
      { name: 'top-k 10', values: sizes.map(() => 10) },
    ],
  });
  await nb.claim(
    'the nucleus grows with the entropy',
    sizes.every((s, i) => i === 0 || s.p9 >= sizes[i - 1]!.p9),
    `top-p 0.9 keeps ${sizes[0]!.p9} token(s) at H = ${sizes[0]!.h.toFixed(2)}, ` +
      `${sizes.at(-1)!.p9} at H = ${sizes.at(-1)!.h.toFixed(2)} (ln 50 = 3.91)`,
  );
  const sampled = new Set(
    Array.from({ length: 200 }, (_, i) => sampleNext(logits, rng(i), { topK: 2 })),
  );
  await nb.check(
    'sampling after top-k 2 draws only the two kept tokens',
    [...sampled].sort().join(' '),
    '0 1',
  );
  const fellThrough = new Set(
    Array.from({ length: 200 }, (_, i) =>
      pitfallSampleWithoutRenormalising(logits, rng(i), { topK: 2 }),
    ),
  );
  await nb.claim(
    'sampling without renormalising draws a removed token',
    fellThrough.has(4),
    `tokens drawn: ${[...fellThrough].sort().join(' ')} (u beyond 0.8 falls through to the last)`,
  );

  await nb.md`
    ## When not to use beam search: open-ended text
    Beam search and greedy maximise probability, and for open-ended generation (stories, dialogue)
    the most probable text is dull and repetitive; Holtzman et al. (ICLR 2020) show that human text
    is not the most probable text and that likelihood-maximising decoders fall into loops. Inputs:
    a bigram model over ${STORY.length} words where the likeliest next words form the loop
    "the cat sat on the ..."; prompt "the", 24 new tokens, "." ends. Beam search uses B = 4 and
    length penalty 1 (HF's default); sampling uses top-p 0.9, 20 runs.
  `;
  const say2 = (tokens: readonly number[]) => tokens.map((t) => STORY[t]).join(' ');
  const perToken = (tokens: readonly number[]) =>
    sequenceLogProb(storyModel, [1], tokens, 0) / tokens.length;
  const gText = greedyDecode(storyModel, [1], 24, 0);
  const bText = beamSearch(storyModel, [1], 4, 24, 0, 1).tokens;
  const samples = Array.from({ length: 20 }, (_, i) =>
    sampleDecode(storyModel, [1], 24, 0, rng(100 + i), { topP: 0.9 }),
  );
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  await nb.code(() => say2(gText));
  await nb.code(() => say2(samples[0]!));
  await nb.table(
    [
      {
        decoder: 'greedy',
        tokens: gText.length,
        rep: repeatedTrigrams(gText),
        lp: perToken(gText),
        distinct: 1,
      },
      {
        decoder: 'beam B = 4',
        tokens: bText.length,
        rep: repeatedTrigrams(bText),
        lp: perToken(bText),
        distinct: 1,
      },
      {
        decoder: 'top-p 0.9 (mean of 20)',
        tokens: mean(samples.map((s) => s.length)),
        rep: mean(samples.map(repeatedTrigrams)),
        lp: mean(samples.map(perToken)),
        distinct: new Set(samples.map((s) => s.join(' '))).size,
      },
    ].map((r) => ({
      decoder: r.decoder,
      tokens: r.tokens.toFixed(1),
      'repeated trigrams': f3(r.rep),
      'log p / token': f3(r.lp),
      'distinct texts': r.distinct,
    })),
    'Likelihood against variety on the loop model',
  );
  await nb.claim(
    'greedy and beam loop; sampling repeats less and varies',
    repeatedTrigrams(gText) > 0.5 &&
      repeatedTrigrams(bText) > 0.5 &&
      mean(samples.map(repeatedTrigrams)) < repeatedTrigrams(gText),
    `repeated trigrams: greedy ${f3(repeatedTrigrams(gText))}, ` +
      `beam ${f3(repeatedTrigrams(bText))}, top-p ${f3(mean(samples.map(repeatedTrigrams)))}`,
  );
  await nb.md`
    The likelihood-maximisers win on log p per token and lose on everything a reader notices.
    Beam search fits tasks whose output is pinned down by the input and whose length is
    predictable (translation, summarisation, speech recognition); for open-ended text use
    sampling with top-p (or top-k) and a temperature, or penalise repeated n-grams.

    ## Complexity
    Per generated token: greedy one model call and an O(V) argmax; beam search B model calls and
    a sort of B V candidates; top-k and top-p a sort, O(V log V). Exhaustive search is V^L.
  `;
});

/**
 * Notebook for Q44: how ROUGE is computed, and which metrics judge fine-tuning and RAG.
 * Run: npm start -- run rouge   (or: npx tsx notebooks/rouge.ts)
 */
import { Counter } from '../core/counter.js';
import { fromRows } from '../core/matrix.js';
import { nextTokenLoss } from '../ml/lm-loss/index.js';
import {
  cjkTokenize,
  lcsLength,
  lcsLengthTwoRows,
  lcsTable,
  pitfallRougeLOnCharacters,
  pitfallRougeNSwapped,
  pitfallRougeNUnclipped,
  rougeN,
  rougeScore,
  rougeTokenize,
  type RougeScore,
} from '../ml/rouge.js';
import { defineNotebook } from '../notebook/index.js';

const f4 = (x: number) => x.toFixed(4);
const prf = (s: RougeScore) => `${f4(s.precision)} / ${f4(s.recall)} / ${f4(s.fmeasure)}`;

/** SQuAD's answer normalisation: lower-case, no punctuation, no articles, single spaces. */
const squadTokens = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter((w) => w !== '' && !['a', 'an', 'the'].includes(w));

export default defineNotebook(import.meta.url, 'rouge', async (nb) => {
  await nb.md`
    ## The question
    Q44: which metrics judge a fine-tuned model and a RAG system, and how is ROUGE
    computed? (*ROUGE 指标怎么计算*)

    ## The idea
    ROUGE (Lin 2004) asks how much of a reference the generated text recovers:
    ROUGE-N counts shared n-grams, ROUGE-L the longest common subsequence of
    words (in order, gaps allowed). Each gives a precision (over the prediction),
    a recall (over the reference) and their harmonic mean F.
  `;
  await nb.md(String.raw`
    $$\text{overlap}_N = \sum_{g} \min\big(c_{\text{ref}}(g),\, c_{\text{pred}}(g)\big)$$

    $$P = \frac{\text{overlap}_N}{\#\text{pred } N\text{-grams}}, \quad R = \frac{\text{overlap}_N}{\#\text{ref } N\text{-grams}}$$

    $$F = \frac{2 P R}{P + R}, \qquad \text{ROUGE-L:}\ P = \frac{|\text{LCS}|}{|\text{pred}|}$$

    and $R = |\text{LCS}| / |\text{ref}|$ for ROUGE-L.

    The min clips a repeated n-gram to the count the other side has. Conventions
    of Google's rouge-score: lower-case, every run outside [a-z0-9] becomes a
    space, no stemming, score(target, prediction) with the reference first. The
    whiteboard answer, from ml/rouge.ts:
  `);
  await nb.source('ml/rouge.ts', 'rougeN');
  await nb.md`
    Inputs: the pair of rouge-score's RougeScorer docstring, target "The quick
    brown fox jumps over the lazy dog", prediction "The quick brown dog jumps on
    the log." (9 and 8 tokens).
  `;
  const target = 'The quick brown fox jumps over the lazy dog';
  const prediction = 'The quick brown dog jumps on the log.';
  const scores = await nb.code(() => rougeScore(target, prediction));
  await nb.table(
    Object.entries(scores).map(([type, s]) => ({
      type,
      'P / R / F': prf(s),
      expected: {
        rouge1: '6/8, 6/9',
        rouge2: '2/7, 2/8',
        rougeL: '5/8, 5/9',
      }[type],
    })),
    'The docstring pair: precision, recall, F',
  );
  await nb.check('rouge1 P / R / F', prf(scores.rouge1!), '0.7500 / 0.6667 / 0.7059');
  await nb.check('rouge2 P / R / F', prf(scores.rouge2!), '0.2857 / 0.2500 / 0.2667');
  await nb.check('rougeL P / R / F', prf(scores.rougeL!), '0.6250 / 0.5556 / 0.5882');

  await nb.md`
    ## ROUGE-L: the LCS by dynamic programming
    L[i][j] is the LCS of the first i reference words and the first j predicted
    words: one more than the diagonal when the words match, otherwise the better
    of dropping one word. The table, read from ml/rouge.ts, and its values on the
    pair (rows: target words, columns: prediction words):
  `;
  await nb.source('ml/rouge.ts', 'lcsTable');
  const [t, p] = [rougeTokenize(target), rougeTokenize(prediction)];
  const table = lcsTable(t, p);
  await nb.table(
    t.map((word, i) => ({
      '': word,
      ...Object.fromEntries(
        p.map((w, j) => [`${w}${p.indexOf(w) < j ? "'" : ''}`, table[i + 1]![j + 1]]),
      ),
    })),
    'L[i][j] for the docstring pair (the corner is the LCS)',
  );
  await nb.check('the LCS: the quick brown jumps the', lcsLength(t, p), 5);
  const counter = new Counter();
  await nb.check(
    'two rows of 9 entries give the same LCS as the 10 x 9 table',
    lcsLengthTwoRows(t, p, counter),
    5,
  );
  await nb.check('entries held by the two-row version', counter.get('memory'), 2 * (8 + 1));
  await nb.md`
    The table needs (m + 1)(n + 1) entries; only the previous row is ever read, so
    two rows of min(m, n) + 1 suffice (\`lcsLengthTwoRows\`, proven equal in the
    answer key). Both are O(m n) time; bench/rouge.bench.ts times them on 10,000
    pairs of 20 to 40 words, where dropping the table's allocations made the
    two-row version several times faster.

    ## Published numbers: ROUGE-1.5.5 and rougeLsum
    rouge-score's tests pin the scores of the original Perl ROUGE-1.5.5 on their
    test data (random strings); line 2 of target.txt against line 2 of
    prediction.txt gives rouge1 R .40476, P .65385, F .50000. rougeLsum splits on
    "\n" and unions the LCSs of each reference sentence with every predicted one.
  `;
  const line2 = rougeScore(
    'KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing ' +
      "sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing " +
      "tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu " +
      "pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN",
    'n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed ' +
      "HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD",
    { types: ['rouge1'] },
  ).rouge1!;
  await nb.check(
    'ROUGE-1.5.5, line 2: R / P / F to 5 places',
    [line2.recall, line2.precision, line2.fmeasure].map((v) => v.toFixed(5)).join(' / '),
    '0.40476 / 0.65385 / 0.50000',
  );
  const lsum = await nb.code(
    () =>
      rougeScore('w1 w2 w3 w4 w5', 'w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5', { types: ['rougeLsum'] })
        .rougeLsum!,
  );
  await nb.check(
    'rougeLsum R / P (rouge-score test: 0.8, 0.4)',
    `${lsum.recall} / ${lsum.precision}`,
    '0.8 / 0.4',
  );

  await nb.md`
    ## Chinese: the package drops it
    Every character outside [a-z0-9] becomes a space, so a Chinese sentence has no
    token and scores 0 even against itself. The variant here keeps every CJK
    character as a token (English words stay words). Inputs: 今天天气很好 against
    今天天气不错.
  `;
  await nb.code(() => rougeTokenize('今天天气很好'));
  await nb.check(
    "rouge-score's tokenizer: identical Chinese texts, rouge1 F",
    rougeScore('今天天气很好', '今天天气很好').rouge1!.fmeasure,
    0,
  );
  const zh = rougeScore('今天天气很好', '今天天气不错', { tokenizer: cjkTokenize });
  await nb.check(
    'cjkTokenize: rouge1 P / R / F (4 of 6 characters)',
    prf(zh.rouge1!),
    '0.6667 / 0.6667 / 0.6667',
  );
  await nb.check('cjkTokenize: rouge2 F (3 of 5 bigrams)', f4(zh.rouge2!.fmeasure), '0.6000');

  await nb.md`
    ## The pitfalls
    Inputs: target "the cat sat on the mat"; a prediction that repeats "the"; two
    sentences with no word in common; the docstring pair with its arguments
    swapped.
  `;
  const ref = rougeTokenize('the cat sat on the mat');
  const spam = rougeTokenize('the the the the the the the the');
  const pitfalls = [
    {
      pitfall: 'unclipped counts, "the" x 8',
      right: prf(rougeN(ref, spam, 1)),
      wrong: prf(pitfallRougeNUnclipped(ref, spam, 1)),
    },
    {
      pitfall: 'LCS of characters',
      right: prf(rougeScore('cats eat fish', 'bats hate sushi', { types: ['rougeL'] }).rougeL!),
      wrong: prf(pitfallRougeLOnCharacters('cats eat fish', 'bats hate sushi')),
    },
    {
      pitfall: 'score(prediction, target)',
      right: prf(rougeN(t, p, 1)),
      wrong: prf(pitfallRougeNSwapped(t, p, 1)),
    },
  ];
  await nb.table(pitfalls, 'Right and wrong (P / R / F)');
  const unclipped = pitfallRougeNUnclipped(ref, spam, 1).recall;
  await nb.claim(
    'unclipped: recall above 1 (8 matches for 6 reference words, 2 of them "the")',
    unclipped > 1,
    `recall ${f4(unclipped)}, clipped ${f4(rougeN(ref, spam, 1).recall)}`,
  );
  const byCharacters = pitfallRougeLOnCharacters('cats eat fish', 'bats hate sushi').fmeasure;
  await nb.claim(
    'characters: unrelated sentences look similar',
    byCharacters > 0.5,
    `F ${f4(byCharacters)} on characters, 0 on words`,
  );

  await nb.md`
    ## The first half of Q44: metrics for fine-tuning and RAG
    Each with a small example computed here (the reference answer, where one is
    needed, is the gold text a human wrote).

    **Fine-tuning, intrinsic: loss and perplexity.** The mean next-token negative
    log-likelihood on held-out text, and its exponential. Inputs: a model giving
    the four reference tokens probabilities 0.5, 0.25, 0.8, 0.1 (logits [ln p,
    ln(1 - p)] over a two-word vocabulary, scored by ml/lm-loss).
  `;
  const probs = [0.5, 0.25, 0.8, 0.1];
  const logits = fromRows([...probs.map((q) => [Math.log(q), Math.log(1 - q)]), [0, 0]]);
  const loss = await nb.code(() => nextTokenLoss(logits, [0, 0, 0, 0, 0]));
  const meanNll = -probs.reduce((s, q) => s + Math.log(q), 0) / probs.length;
  await nb.check('loss = mean(-ln p)', loss, meanNll, { tol: 1e-12 });
  await nb.check(
    'perplexity = exp(loss) = (0.5 x 0.25 x 0.8 x 0.1)^(-1/4)',
    Math.exp(loss),
    0.01 ** -0.25,
    {
      tol: 1e-9,
    },
  );

  await nb.md`
    **Extractive QA: exact match and token F1** (SQuAD: lower-case, no
    punctuation, no articles). Token F1 is ROUGE-1 F on those tokens. Inputs:
    gold "Eiffel Tower", answer "the Eiffel Tower, in Paris".
  `;
  const [gold, answer] = [squadTokens('Eiffel Tower'), squadTokens('the Eiffel Tower, in Paris')];
  await nb.check('exact match', gold.join(' ') === answer.join(' ') ? 1 : 0, 0);
  await nb.check('token F1 = rouge1 F: P 2/4, R 2/2', rougeN(gold, answer, 1).fmeasure, 2 / 3, {
    tol: 1e-15,
  });

  await nb.md(String.raw`
    **BLEU against ROUGE.** BLEU (Papineni et al. 2002) is precision-oriented:
    the geometric mean of clipped n-gram precisions (ROUGE-N's precisions) times a
    brevity penalty $\mathrm{BP} = \min(1, e^{1 - r/c})$ that stops short outputs
    from gaming precision; ROUGE is recall-oriented (did the summary cover the
    reference?). Sentence BLEU-2 on the docstring pair, uniform weights, no
    smoothing ($c$ = 8 predicted, $r$ = 9 reference words):
  `);
  const bleu2 = await nb.code(() => {
    const [p1, p2] = [rougeN(t, p, 1).precision, rougeN(t, p, 2).precision];
    const brevity = Math.min(1, Math.exp(1 - t.length / p.length));
    return brevity * Math.sqrt(p1 * p2);
  });
  await nb.check(
    'BLEU-2 = e^(-1/8) sqrt(6/8 x 2/7)',
    bleu2,
    Math.exp(-1 / 8) * Math.sqrt((6 / 8) * (2 / 7)),
    {
      tol: 1e-15,
    },
  );

  await nb.md`
    **RAG, retrieval: context precision and recall.** Of the k chunks retrieved,
    how many are relevant (precision@k), and how many of the relevant chunks were
    found (recall@k); rank-aware versions average the precision at each relevant
    hit (average precision) or take 1 / rank of the first (MRR). Inputs: retrieved
    [c3, c7, c1, c9], relevant {c1, c3, c4}.
  `;
  const retrieved = ['c3', 'c7', 'c1', 'c9'];
  const relevant = new Set(['c1', 'c3', 'c4']);
  const hits = retrieved.map((c) => relevant.has(c));
  const precisionAtK = hits.filter(Boolean).length / retrieved.length;
  const recallAtK = hits.filter(Boolean).length / relevant.size;
  const precisions = hits.flatMap((h, i) =>
    h ? [hits.slice(0, i + 1).filter(Boolean).length / (i + 1)] : [],
  );
  const averagePrecision = precisions.reduce((s, x) => s + x, 0) / precisions.length;
  await nb.check('precision@4 = 2/4', precisionAtK, 0.5);
  await nb.check('recall@4 = 2/3', recallAtK, 2 / 3, { tol: 1e-15 });
  await nb.check('average precision over the hits = (1/1 + 2/3) / 2', averagePrecision, 5 / 6, {
    tol: 1e-15,
  });
  await nb.check('MRR = 1 / rank of the first hit', 1 / (hits.indexOf(true) + 1), 1);

  await nb.md`
    **RAG, generation: faithfulness (groundedness) and answer relevance.**
    Faithfulness asks whether every claim of the answer is supported by the
    retrieved context, whatever the reference says; answer relevance whether the
    answer addresses the question. Judges are NLI models or an LLM; a lexical
    stand-in computed here: a sentence is supported when 80% of its words are in
    the context (ROUGE-1 precision of the sentence against the context), and
    relevance is the share of the question's content words that the answer
    covers. Inputs below.
  `;
  const context =
    'The Eiffel Tower was completed in 1889 for the World Fair. ' +
    'It is 330 metres tall and stands in Paris.';
  const question = 'When was the Eiffel Tower completed?';
  const ragAnswer =
    'The Eiffel Tower was completed in 1889. It stands in Paris. It was painted gold in 2020.';
  const supported = ragAnswer
    .split(/(?<=\.)\s+/)
    .map((s) => rougeN(rougeTokenize(context), rougeTokenize(s), 1).precision >= 0.8);
  await nb.code(() => supported);
  await nb.check(
    'faithfulness: supported sentences / sentences',
    supported.filter(Boolean).length / supported.length,
    2 / 3,
    {
      tol: 1e-15,
    },
  );
  const content = squadTokens(question).filter((w) => !['when', 'was', 'is'].includes(w));
  const relevance = rougeN(content, squadTokens(ragAnswer), 1).recall;
  await nb.check(
    'answer relevance: question words covered (eiffel, tower, completed)',
    relevance,
    1,
  );

  await nb.md`
    **Human or LLM-as-judge.** For open-ended answers no overlap metric is enough:
    people (or a strong LLM with a rubric) rate answers or pick the better of two.
    An LLM judge is checked against human labels before it is trusted; agreement
    beyond chance is Cohen's kappa = (p_o - p_e) / (1 - p_e). Inputs: 10 answers
    labelled good / bad by a person and by a judge that disagrees on two.
  `;
  const human = [1, 1, 0, 1, 0, 1, 1, 0, 1, 1];
  const judge = [1, 1, 0, 1, 1, 1, 1, 0, 0, 1];
  const kappa = await nb.code(() => {
    const po = human.filter((h, i) => h === judge[i]).length / human.length;
    const yes = (xs: number[]) => xs.filter((x) => x === 1).length / xs.length;
    const pe = yes(human) * yes(judge) + (1 - yes(human)) * (1 - yes(judge));
    return (po - pe) / (1 - pe);
  });
  await nb.check('kappa: p_o = 0.8, p_e = 0.58', kappa, (0.8 - 0.58) / (1 - 0.58), { tol: 1e-12 });
  await nb.md`
    A kappa near 0.5 is moderate agreement: such a judge needs a better rubric
    (or position swapping, since LLM judges favour the first answer and longer
    ones) before its scores replace a person's.
  `;
  await nb.table(
    [
      {
        stage: 'LM',
        metric: 'loss, perplexity',
        needs: 'held-out text',
        here: f4(Math.exp(loss)),
      },
      {
        stage: 'QA',
        metric: 'exact match, token F1',
        needs: 'gold answers',
        here: `0, ${f4(2 / 3)}`,
      },
      {
        stage: 'summary',
        metric: 'ROUGE-1/2/L, BLEU',
        needs: 'references',
        here: `${f4(scores.rougeL!.fmeasure)}, ${f4(bleu2)}`,
      },
      {
        stage: 'search',
        metric: 'context P@k, R@k, AP, MRR',
        needs: 'relevance labels',
        here: `0.5, ${f4(2 / 3)}, ${f4(5 / 6)}, 1`,
      },
      { stage: 'RAG', metric: 'faithfulness', needs: 'the context', here: f4(2 / 3) },
      {
        stage: 'RAG',
        metric: 'answer relevance',
        needs: 'the question',
        here: f4(relevance),
      },
      {
        stage: 'any',
        metric: 'human / LLM judge',
        needs: 'a rubric, labels',
        here: `kappa ${f4(kappa)}`,
      },
    ],
    'Which metric judges what (values from the examples above)',
  );

  await nb.md`
    ## Complexity
    ROUGE-N is O(m + n) with a hash of n-gram counts; ROUGE-L is O(m n) time, with
    O(m n) memory for the table or O(min(m, n)) for two rows.

    ## When not to use it
    ROUGE rewards shared words, not meaning: a paraphrase scores low, a fluent
    answer that copies the reference's words but reverses its claim scores high.
    Use it for summaries and answers with a reference (tracking a fine-tune, a
    regression test); for factuality use faithfulness against the context, and
    for open answers a judged comparison. For Chinese, tokenize by character (or
    by a word segmenter) first: rouge-score's default returns 0.
  `;
});

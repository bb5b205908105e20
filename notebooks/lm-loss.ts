/**
 * Notebook for Q21 and Q22: the LLM loss, its value at initialisation, and what SFT changes.
 * Run: npm start -- run lm-loss
 */
import {
  IGNORE_INDEX,
  nextTokenLoss,
  nextTokenLossBreakdown,
  nextTokenLossGrad,
  nextTokenLossGradTfMatrix,
  nextTokenLossTfMatrix,
  pitfallInitialLossInBits,
  pitfallLossWithoutShift,
  pitfallMeanOverIgnoredPositions,
  pitfallSftLabelsWithoutPromptMask,
  sftLabels,
  tinyLmInitialLoss,
  uniformPredictionLoss,
} from '../ml/lm-loss/index.js';
import { tensorBackend } from '../core/backend.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

export default defineNotebook(import.meta.url, 'lm-loss', async (nb) => {
  await nb.md(String.raw`
    ## The questions
    *LLM 损失函数; 10w 词表初始 loss* (Q21): what loss trains an LLM, and what is it at the start
    with a 100,000-token vocabulary? *预训练与 SFT 的不同* (Q22): how does the objective differ
    between pre-training and supervised fine-tuning?

    ## Next-token cross-entropy
    A causal LM reads tokens $x_0 \dots x_{T-1}$; at position $t$ its logits (a row of $V$ numbers)
    are a guess at the *next* token. The loss is the mean negative log-likelihood
    $$L = -\frac{1}{|S|} \sum_{t \in S} \log \mathrm{softmax}(z_t)_{y_{t+1}}, \quad
    S = \{ t < T - 1 : y_{t+1} \ne -100 \}$$
    Logits row $t$ is scored against token $t + 1$ (**the shift**), and the last row has no
    target. Labels equal to **-100** are skipped and left out of the mean (PyTorch's
    ignore_index, as Hugging Face uses it). The whole answer, with the log-softmax of
    ml/softmax.ts:
  `);
  await nb.source('ml/lm-loss/index.ts', 'nextTokenLoss');
  await nb.table(
    ['<s>', 'The', 'cat', 'sat'].map((token, t, all) => ({
      position: t,
      'input token': token,
      'target of this row': all[t + 1] ?? '(none)',
    })),
    'The shift: the model at position t is graded on token t + 1',
  );
  const example = await nb.code(() =>
    nextTokenLoss(
      fromRows([
        [0, 0],
        [0, 0],
        [5, 5],
      ]),
      [0, 1, -100],
    ),
  );
  await nb.check('loss of a uniform guess over 2 tokens = ln 2', example, Math.LN2);

  const { name } = await tensorBackend();
  const r = rng(21);
  const logits = randomMatrix(12, 50, r, () => 2 * r.normal());
  const labels = Array.from({ length: 12 }, (_, t) => (t < 4 ? IGNORE_INDEX : r.integer(0, 49)));
  const lossTf = await nextTokenLossTfMatrix(logits, labels);
  const lossGap = Math.abs(nextTokenLoss(logits, labels) - lossTf);
  const gradTf = await nextTokenLossGradTfMatrix(logits, labels);
  const gradGap = maxAbsDiff(nextTokenLossGrad(logits, labels), gradTf);
  await nb.md(String.raw`
    The gradient with respect to the logits is
    $$\frac{\partial L}{\partial z_t} =
    \frac{\mathrm{softmax}(z_t) - \mathrm{onehot}(y_{t+1})}{|S|}$$
    on counted rows, and 0 on rows that carry no loss. Checked against TensorFlow.js (backend
    **${name}**): the tensor twin nextTokenLossTf (logSoftmaxTf and a one-hot pick) for the loss,
    tf.grad of it for the gradient, on 12 positions x 50 tokens with logits of std 2 and the first
    4 labels set to -100:
  `);
  await nb.claim(
    'loss and gradient agree with tfjs',
    lossGap < 1e-5 && gradGap < 1e-6,
    `|loss difference| = ${lossGap.toExponential(2)}, ` +
      `max |gradient difference| = ${gradGap.toExponential(2)}`,
  );

  await nb.md(String.raw`
    ## Q21: the loss at initialisation is about $\ln V$
    Weights start small (std 0.02), so the logits are all close to 0 and softmax is close to
    uniform: every token gets probability about $1/V$, and $-\log(1/V) = \ln V$. For $V = 100{,}000$
    that is **$\ln 100000 = 11.51$** nats. Small random logits of std $s$ add about $s^2 / 2$.
  `);
  const lnV = await nb.code(() => uniformPredictionLoss(100_000));
  await nb.check('ln(100,000)', lnV, 11.512925465, { tol: 1e-9 });
  await nb.md`
    A tiny LM built and run in tfjs (embedding, one causal mixing layer, final RMS norm, output
    head), every weight N(0, 0.02^2), on 64 random tokens:
  `;
  const init = await nb.code(() =>
    tinyLmInitialLoss({ vocab: 100_000, dModel: 16, seqLen: 64 }, rng(100)),
  );
  await nb.check('initial loss with V = 100,000 (ln V = 11.5129)', init.loss, Math.log(100_000), {
    tol: 0.05,
  });
  const vocabs = [10, 100, 1000, 10_000, 100_000];
  const losses: number[] = [];
  for (const V of vocabs) {
    losses.push((await tinyLmInitialLoss({ vocab: V, dModel: 16, seqLen: 64 }, rng(V))).loss);
  }
  await nb.plot({
    kind: 'line',
    title: 'Initial loss of a fresh tiny LM (d = 16, 64 tokens, seed V) vs vocabulary size',
    x: { label: 'V', values: vocabs, log: true },
    y: { label: 'loss (nats)' },
    series: [
      { name: 'measured (tfjs)', values: losses },
      { name: 'ln V', values: vocabs.map(Math.log) },
    ],
  });
  await nb.claim(
    'every measured initial loss is within 0.05 of ln V',
    losses.every((l, i) => Math.abs(l - Math.log(vocabs[i]!)) < 0.05),
    losses.map((l, i) => `${vocabs[i]}: ${l.toFixed(3)}`).join(', '),
  );
  await nb.md(String.raw`
    The answer is in nats because cross-entropy uses the natural log; $\log_2 V = 16.6$ bits
    (pitfallInitialLossInBits) is the same uncertainty in other units, but not what a training
    log prints:
  `);
  await nb.check('pitfallInitialLossInBits(100,000)', pitfallInitialLossInBits(100_000), 16.61, {
    tol: 0.01,
  });
  await nb.md`
    An initial loss far above ln V means the logits are not small: a too-large init, or a missing
    scale on the output head. Well below ln V at step 0 usually means the targets leaked into the
    inputs (for example a missing shift or causal mask).

    ## Q22: pre-training vs SFT
    The objective is the **same** next-token cross-entropy. What differs is the data and the mask:
    pre-training scores every token of raw text; SFT trains on (prompt, response) pairs rendered
    with a chat template, and sets the prompt's labels to -100 so that only the response is
    learned. Tokens 11..14 are the prompt, 21..23 the response:
  `;
  const tokens = [11, 12, 13, 14, 21, 22, 23];
  const labelsSft = await nb.code(() => sftLabels(tokens, 4));
  const lm = randomMatrix(7, 30, r);
  const pre = nextTokenLossBreakdown(lm, tokens);
  const sft = nextTokenLossBreakdown(lm, labelsSft);
  await nb.table(
    tokens.map((_, t) => ({
      row: t,
      'predicts token': tokens[t + 1] ?? '-',
      'pre-training loss': t + 1 < tokens.length ? pre.perToken[t]!.toFixed(3) : '-',
      'SFT loss':
        t + 1 < tokens.length && labelsSft[t + 1] !== IGNORE_INDEX
          ? sft.perToken[t]!.toFixed(3)
          : 'masked',
    })),
    'Random logits [7, 30]; prompt = first 4 tokens (11..14), response = 21..23',
  );
  await nb.check('SFT counts only the 3 response tokens', sft.count, 3);
  const changed = matrix(7, 30, lm.data);
  for (let j = 0; j < 30; j++) changed.data[30 + j] = 10 * r.normal();
  const sameLoss = nextTokenLoss(changed, labelsSft) === nextTokenLoss(lm, labelsSft);
  const gradChanged = nextTokenLossGrad(changed, labelsSft);
  const gradGapSft = maxAbsDiff(gradChanged, nextTokenLossGrad(lm, labelsSft));
  const sameGrad = gradGapSft === 0;
  const unmasked = pitfallSftLabelsWithoutPromptMask(tokens, 4);
  await nb.claim(
    "changing a prompt row's logits (row 1) changes neither the SFT loss nor its gradient",
    sameLoss && sameGrad,
    `loss ${sft.loss.toFixed(6)} before and after; without the mask ` +
      `(pitfallSftLabelsWithoutPromptMask) it moves from ` +
      `${nextTokenLoss(lm, unmasked).toFixed(3)} to ${nextTokenLoss(changed, unmasked).toFixed(3)}`,
  );

  await nb.md`
    ## Two wrong answers
    Forgetting the shift (pitfallLossWithoutShift) trains the model to copy its input; dividing the
    summed loss by every position, masked ones included (pitfallMeanOverIgnoredPositions), shrinks
    the loss, and its gradient, by the fraction that is masked. On the SFT example above:
  `;
  await nb.table([
    { version: 'correct', loss: sft.loss.toFixed(4) },
    {
      version: 'no shift (row t vs token t)',
      loss: pitfallLossWithoutShift(lm, labelsSft).toFixed(4),
    },
    {
      version: 'mean over all 6 positions',
      loss: pitfallMeanOverIgnoredPositions(lm, labelsSft).toFixed(4),
    },
  ]);
  await nb.check(
    'mean-over-all pitfall = correct * 3 / 6',
    pitfallMeanOverIgnoredPositions(lm, labelsSft),
    sft.loss / 2,
    { tol: 1e-12 },
  );

  await nb.md(String.raw`
    ## Cost and when not to use it
    $O(T V)$ per sequence: one log-sum-exp per position. With $V$ = 100k-150k the logits tensor is
    the largest activation of a small model, which is why training code computes the loss in chunks
    or fused with the output projection. Plain token-mean cross-entropy is not the only choice: some
    SFT setups average per sequence first (so long answers do not dominate), and preference tuning
    (DPO, RLHF) optimises a different objective on top of the SFT model.
  `);
});

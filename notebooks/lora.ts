/**
 * Notebook for Q25, Q26: how many parameters LoRA trains, and why a low-rank update is enough.
 * Run: npm start -- run lora   (or: npx tsx notebooks/lora.ts)
 */
import * as math from 'mathjs';
import {
  adaptedShapes,
  fitLowRankUpdate,
  formatMillions,
  fullParamCount,
  GPT3_175B,
  initLora,
  loraDelta,
  loraForward,
  loraForwardTfMatrix,
  pitfallLoraParamCountWithoutB,
  pitfallLoraScaledByAlpha,
  loraParamCount,
  mergeLora,
  numericalRank,
  unmergeLora,
} from '../ml/lora.js';
import { tensorBackend } from '../core/backend.js';
import { matmul, matrix, maxAbsDiff, randomMatrix, toRows, type Matrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

/** Best rank-r relative error (Eckart-Young) from the singular values, via mathjs eigs of M M^T. */
function eckartYoung(m: Matrix, r: number): number {
  const rows = toRows(m);
  const s2 = (math.eigs(math.multiply(rows, math.transpose(rows)) as number[][]).values as number[])
    .map((v) => Math.max(0, v))
    .sort((a, b) => b - a);
  const total = s2.reduce((s, v) => s + v, 0);
  return Math.sqrt(s2.slice(r).reduce((s, v) => s + v, 0) / total);
}

export default defineNotebook(import.meta.url, 'lora', async (nb) => {
  await nb.md`
    ## The question
    *LoRA 参数量*: what is LoRA, and how many parameters does it train for two 10,000 x 10,000
    layers at r = 100? *为什么 LoRA 能 work*: why does such a small update suffice?

    ## The idea
    Keep the pretrained W [d_out, d_in] frozen and learn a low-rank change:
  `;
  await nb.md(String.raw`
    $$h = W x + \frac{\alpha}{r} B A x, \qquad A \in \mathbb{R}^{r \times d_{in}},\ B \in \mathbb{R}^{d_{out} \times r}$$
    Only A and B train: $r (d_{in} + d_{out})$ numbers per adapted matrix instead of
    $d_{in} d_{out}$. B starts at zero, so at step 0 the model is exactly the pretrained one. The
    whiteboard answer, read from ml/lora.ts (rows of x are tokens, so $W x$ is written $x W^T$):
  `);
  await nb.source('ml/lora.ts', 'loraForward');
  await nb.md`Inputs: two 10,000 x 10,000 layers at r = 100 (Q25).`;
  const q25 = await nb.code(() =>
    loraParamCount(
      [
        { dIn: 10_000, dOut: 10_000 },
        { dIn: 10_000, dOut: 10_000 },
      ],
      100,
    ),
  );
  await nb.check('trainable parameters, 2 x 100 x (10,000 + 10,000)', q25, 4_000_000);
  await nb.check(
    'fraction of the 200,000,000 full parameters',
    q25 /
      fullParamCount([
        { dIn: 10_000, dOut: 10_000 },
        { dIn: 10_000, dOut: 10_000 },
      ]),
    0.02,
  );
  const slip = await nb.code(() =>
    pitfallLoraParamCountWithoutB(
      [
        { dIn: 10_000, dOut: 10_000 },
        { dIn: 10_000, dOut: 10_000 },
      ],
      100,
    ),
  );
  await nb.check('the pitfall that counts only A gives half', slip, 2_000_000);
  await nb.md`
    The common slip is counting only A (r d_in = 2,000,000 here): both factors train.

    ## The LoRA paper's GPT-3 budgets
    GPT-3 175B has 96 layers of width d_model = 12,288. Adapting W_q and W_v gives
    96 x 2 x 2 x 12,288 x r = 4,718,592 r parameters (shown in millions, rounded half-up to one decimal):
  `;
  const gpt3 = adaptedShapes(GPT3_175B, ['q', 'v']);
  const budgets = [1, 2, 4, 8, 64].map((r) => ({ r, count: loraParamCount(gpt3, r) }));
  await nb.table(
    budgets.map(({ r, count }) => ({
      r,
      'trainable parameters': count.toLocaleString('en-US'),
      millions: formatMillions(count),
      'of W_q, W_v': `${((100 * count) / fullParamCount(gpt3)).toFixed(3)}%`,
    })),
    'LoRA on W_q and W_v of GPT-3 175B',
  );
  await nb.check(
    'r = 1, 4, 8 (the paper: 4.7M, 18.9M, 37.7M)',
    [1, 4, 8].map((r) => formatMillions(loraParamCount(gpt3, r))).join(', '),
    '4.7M, 18.9M, 37.7M',
  );

  await nb.md`
    ## The layer: init, merge, unmerge
    Inputs: a small layer from rng(7), d_in = 6, d_out = 5, r = 2, alpha = 4, and a batch of 3
    rows. At initialisation the output is the base
    output; after "training" (here: a random B) merging W' = W + (alpha/r) B A gives the same output
    with no extra cost at inference, and unmerging gives W back.
  `;
  const g = rng(7);
  const x = randomMatrix(3, 6, g);
  const fresh = initLora(randomMatrix(5, 6, g), { r: 2, alpha: 4 }, g);
  await nb.check(
    'B = 0 at init: max |LoRA(x) - W x|',
    maxAbsDiff(loraForward(fresh, x), loraForward({ ...fresh, merged: true }, x)),
    0,
  );
  const trained = { ...fresh, b: randomMatrix(5, 2, g) };
  const merged = mergeLora(trained);
  await nb.code(() => mergeLora(trained).w);
  const mergeGap = maxAbsDiff(loraForward(merged, x), loraForward(trained, x));
  await nb.claim(
    'merged and unmerged outputs agree',
    mergeGap < 1e-12,
    `max |difference| = ${mergeGap.toExponential(2)} < 1e-12`,
  );
  const roundTrip = maxAbsDiff(unmergeLora(merged).w, trained.w);
  await nb.claim(
    'unmerge(merge(W)) = W',
    roundTrip < 1e-12,
    `max |difference| = ${roundTrip.toExponential(2)} < 1e-12`,
  );
  await nb.check('rank of the update (alpha/r) B A', numericalRank(loraDelta(trained)), 2);
  const { name } = await tensorBackend();
  const gap = maxAbsDiff(await loraForwardTfMatrix(trained, x), loraForward(trained, x));
  await nb.claim(
    `tfjs (${name}, float32) computes the same forward pass`,
    gap < 1e-4,
    `max |difference| = ${gap.toExponential(2)} < 1e-4`,
  );

  await nb.md(String.raw`
    ## The pitfall: scaling by $\alpha$ instead of $\frac{\alpha}{r}$
    The $\frac{1}{r}$ keeps the update's size independent of the rank: stacking the same adapter
    twice (rank $2r$, $B' A' = 2 B A$) gives the same layer. Scaled by $\alpha$ alone, the update
    doubles, so every change of r would need a new learning rate. Inputs: the trained layer above.
  `);
  const stacked = {
    ...trained,
    a: matrix(4, 6, [...trained.a.data, ...trained.a.data]),
    b: matrix(
      5,
      4,
      toRows(trained.b).flatMap((row) => [...row, ...row]),
    ),
    r: 4,
  };
  const sameLayer = await nb.code(() =>
    maxAbsDiff(loraForward(stacked, x), loraForward(trained, x)),
  );
  await nb.claim(
    'alpha / r: the rank-4 stack is the same layer',
    sameLayer < 1e-12,
    `max |difference| = ${sameLayer.toExponential(2)}`,
  );
  const wrongScale = maxAbsDiff(
    pitfallLoraScaledByAlpha(stacked, x),
    pitfallLoraScaledByAlpha(trained, x),
  );
  await nb.claim(
    'scaled by alpha alone: it is not',
    wrongScale > 0.1,
    `max |difference| = ${wrongScale.toFixed(3)}`,
  );

  await nb.md`
    ## Q26: why a low-rank update works
    The paper's finding is that the change fine-tuning makes, ΔW, has a low *intrinsic rank*: a
    handful of directions carry it. If that is true, B A with small r can represent it exactly; if
    the change were full-rank, a rank-r adapter could only approximate it (no better than the
    Eckart-Young bound, the tail of ΔW's singular values).

    Experiment (tfjs, Adam, 200 steps, d = 16): fit the adapter alone to two targets, a ΔW of true
    rank 3 and a random full-rank ΔW, and record the final relative error ||B A - ΔW|| / ||ΔW|| for
    each r.
  `;
  const d = 16;
  const trueRank = 3;
  const t = rng(1);
  const lowRank = matmul(randomMatrix(d, trueRank, t), randomMatrix(trueRank, d, t));
  const fullRank = randomMatrix(d, d, t);
  const ranks = [1, 2, 3, 4, 6, 8, 12];
  const fits = await nb.code(async () => {
    const rows = [];
    for (const r of ranks) {
      const low = await fitLowRankUpdate(lowRank, r, rng(r), { steps: 200 });
      const full = await fitLowRankUpdate(fullRank, r, rng(r), { steps: 200 });
      rows.push({
        r,
        lowRank: low.relativeError,
        fullRank: full.relativeError,
        bestFull: eckartYoung(fullRank, r),
      });
    }
    return rows;
  });
  await nb.plot({
    kind: 'line',
    title: 'Final relative error of a rank-r adapter (tfjs, 200 Adam steps, d = 16)',
    x: { label: 'r', values: ranks },
    y: { label: '||BA - ΔW|| / ||ΔW||' },
    series: [
      { name: 'ΔW of rank 3', values: fits.map((f) => f.lowRank) },
      { name: 'full-rank ΔW', values: fits.map((f) => f.fullRank) },
      { name: 'full-rank: best possible (Eckart-Young)', values: fits.map((f) => f.bestFull) },
    ],
  });
  const at = (r: number) => fits.find((f) => f.r === r)!;
  await nb.claim(
    'the rank-3 change collapses at r = 3',
    at(2).lowRank > 0.1 && at(3).lowRank < 0.01,
    `error ${at(2).lowRank.toFixed(3)} at r = 2, ${at(3).lowRank.toExponential(1)} at r = 3`,
  );
  await nb.claim(
    'the full-rank change decays slowly: still > 25% off at r = 6',
    at(6).fullRank > 0.25,
    `error ${at(6).fullRank.toFixed(3)} at r = 6, ${at(12).fullRank.toFixed(3)} at r = 12`,
  );
  const worstGap = Math.max(...fits.map((f) => f.fullRank - f.bestFull));
  await nb.claim(
    'Adam gets within 0.05 of the Eckart-Young optimum at every r',
    worstGap < 0.05,
    `largest gap ${worstGap.toFixed(4)}`,
  );

  await nb.md`
    ## Complexity
    Training memory and optimizer state scale with r (d_in + d_out) instead of d_in d_out; the
    unmerged forward adds r (d_in + d_out) multiply-adds per token, and after merging it adds nothing.

    ## When not to use it
    When the task really needs a high-rank change (a new language, a large domain shift, a lot of
    new knowledge), a small r underfits, as the full-rank curve shows: raise r, adapt more matrices
    (MLP too), or fine-tune fully. Merged weights serve one adapter; to serve many adapters at once,
    keep them unmerged.
  `;
});

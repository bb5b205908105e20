/**
 * Notebook for Q18: normalization in the Transformer, RMSNorm vs LayerNorm, where the norm goes.
 * Run: npm start -- run normalization
 */
import {
  batchNorm,
  layerNorm,
  layerNormCounted,
  layerNormTfMatrix,
  pitfallLayerNormEpsOutsideRoot,
  pitfallLayerNormUnbiasedVariance,
  pitfallPreNormResidualAfterNorm,
  pitfallRmsNormSubtractingMean,
  postNorm,
  preNorm,
  rmsNorm,
  rmsNormCounted,
  rmsNormTfMatrix,
  rowMoments,
} from '../ml/normalization.js';
import { Counter } from '../core/counter.js';
import { tensorBackend } from '../core/backend.js';
import { fromRows, matmul, matrix, maxAbsDiff, randomMatrix, type Matrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

export default defineNotebook(import.meta.url, 'normalization', async (nb) => {
  await nb.md(String.raw`
    ## The question
    *transformer 归一化; RMSNorm 公式.* Which normalization does a Transformer use, what is the
    RMSNorm formula, and what does it buy over LayerNorm?

    ## The formulas
    Each row is one token's vector of $d$ features; both norms work on one row at a time.

    - **LayerNorm**: $y = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} \odot \gamma + \beta$, with
      $\mu = \frac{1}{d}\sum_j x_j$ and $\sigma^2 = \frac{1}{d}\sum_j (x_j - \mu)^2$
    - **RMSNorm**: $y = \frac{x}{\sqrt{\frac{1}{d}\sum_j x_j^2 + \epsilon}} \odot g$ (no mean, no bias)
    - **BatchNorm** (the CNN one): the same as LayerNorm but per feature, over the *batch*.

    Conventions as in PyTorch: the variance is the biased one (divide by $d$), $\epsilon$ sits inside
    the square root, $\epsilon = 10^{-5}$ for LayerNorm; LLaMA-style RMSNorm uses $10^{-6}$ (Llama 2's
    config: $10^{-5}$). The two answers, as the module writes them:
  `);
  await nb.source('ml/normalization.ts', 'layerNorm');
  await nb.source('ml/normalization.ts', 'rmsNorm');
  await nb.md(
    String.raw`Run on the row $[1, 2, 3]$ and on $[3, 4]$, without gains, with $\epsilon = 0$:`,
  );
  const ln = await nb.code(() => layerNorm(fromRows([[1, 2, 3]]), undefined, undefined, 0));
  await nb.check('LayerNorm([1, 2, 3])[2] = 1 / sqrt(2/3)', ln.data[2]!, 1.224745, { tol: 1e-6 });
  const rms = await nb.code(() => rmsNorm(fromRows([[3, 4]]), undefined, 0));
  await nb.check('RMSNorm([3, 4])[0] = 3 / sqrt(12.5)', rms.data[0]!, 0.848528, { tol: 1e-6 });

  const { name } = await tensorBackend();
  const r = rng(18);
  const x = randomMatrix(32, 64, r, () => 0.5 * r.normal() + 2);
  const gap = Math.max(
    maxAbsDiff(layerNorm(x), await layerNormTfMatrix(x)),
    maxAbsDiff(rmsNorm(x), await rmsNormTfMatrix(x)),
  );
  await nb.md(String.raw`
    The same norms in TensorFlow.js (backend **${name}**, float32: tf.moments, tf.rsqrt) on a random
    32 x 64 batch (entries $0.5 z + 2$, $z \sim N(0, 1)$, seed 18), default eps and no gains:
  `);
  await nb.claim(
    'from scratch and tfjs agree',
    gap < 1e-4,
    `max |difference| = ${gap.toExponential(2)} < 1e-4`,
  );

  await nb.md(String.raw`
    ## What each norm guarantees
    LayerNorm rows come out with mean 0 and variance 1 (before $\gamma, \beta$); RMSNorm rows with
    root-mean-square 1. On a row whose mean is already 0 the two are the same function, which is
    the RMSNorm paper's argument: re-centring contributes little, re-scaling is what matters.
    Both ignore a positive rescaling of the input, $x \to a x$. Checked on the same 32 x 64 batch,
    with $\epsilon = 0$:
  `);
  const m = rowMoments(layerNorm(x, undefined, undefined, 0));
  await nb.check('largest |row mean| after LayerNorm', Math.max(...m.mean.map(Math.abs)), 0, {
    tol: 1e-12,
  });
  await nb.check(
    'largest |row variance - 1| after LayerNorm',
    Math.max(...m.variance.map((v) => Math.abs(v - 1))),
    0,
    { tol: 1e-12 },
  );
  await nb.check(
    'largest |row RMS - 1| after RMSNorm',
    Math.max(...rowMoments(rmsNorm(x, undefined, 0)).rms.map((v) => Math.abs(v - 1))),
    0,
    { tol: 1e-12 },
  );
  const centred = matrix(
    x.rows,
    x.cols,
    x.data.map((v, k) => v - rowMoments(x).mean[Math.floor(k / x.cols)]!),
  );
  await nb.check(
    'RMSNorm vs LayerNorm on zero-mean rows: max |difference|',
    maxAbsDiff(rmsNorm(centred, undefined, 1e-5), layerNorm(centred, undefined, undefined, 1e-5)),
    0,
    { tol: 1e-12 },
  );
  await nb.check(
    'RMSNorm(100 x) vs RMSNorm(x), eps = 0: max |difference|',
    maxAbsDiff(
      rmsNorm(
        matrix(
          x.rows,
          x.cols,
          x.data.map((v) => 100 * v),
        ),
        undefined,
        0,
      ),
      rmsNorm(x, undefined, 0),
    ),
    0,
    { tol: 1e-12 },
  );

  await nb.md`
    ## What RMSNorm saves
    LayerNorm needs two reductions per row (the mean, then the variance of the centred row) and a
    subtraction; RMSNorm one reduction (the mean of squares). Counting elementwise operations on
    the 32 x 64 batch (no affine step):
  `;
  const [lnOps, rmsOps] = [new Counter(), new Counter()];
  layerNormCounted(x, {}, lnOps);
  rmsNormCounted(x, {}, rmsOps);
  await nb.table([
    {
      norm: 'LayerNorm',
      'flops per element': lnOps.get('flops') / x.data.length,
      'reductions per row': lnOps.get('reductions') / x.rows,
    },
    {
      norm: 'RMSNorm',
      'flops per element': rmsOps.get('flops') / x.data.length,
      'reductions per row': rmsOps.get('reductions') / x.rows,
    },
  ]);
  await nb.check('RMSNorm flops / LayerNorm flops', rmsOps.get('flops') / lnOps.get('flops'), 0.6);
  await nb.md`
    Norms are memory-bound, so fewer passes over the row matter more than fewer flops: the bench
    (\`npx vitest bench --run bench/normalization.bench.ts\`, 4096 x 4096) measured RMSNorm about 2x
    faster than LayerNorm in one run here. In a fused GPU kernel the gain is smaller (the RMSNorm paper
    reports 7%-64% less time than LayerNorm across its models).

    ## Conventions that change the numbers
    Two easy slips: dividing by d - 1 (the unbiased variance, \`torch.var\`'s default but not
    LayerNorm's: \`pitfallLayerNormUnbiasedVariance\`), and adding eps outside the square root
    (\`pitfallLayerNormEpsOutsideRoot\`). On the row [0, 0.004, 0.008], whose variance is close to
    eps, the second one is far off:
  `;
  const small = fromRows([[0, 0.004, 0.008]]);
  const rows = [
    { variant: 'correct: biased variance, eps inside sqrt', out: layerNorm(small).data[2]! },
    {
      variant: 'pitfall: unbiased variance (d - 1)',
      out: pitfallLayerNormUnbiasedVariance(small).data[2]!,
    },
    {
      variant: 'pitfall: eps outside the sqrt',
      out: pitfallLayerNormEpsOutsideRoot(small).data[2]!,
    },
    {
      variant: 'pitfall: "RMSNorm" that subtracts the mean',
      out: pitfallRmsNormSubtractingMean(small).data[2]!,
    },
    { variant: 'RMSNorm (no mean)', out: rmsNorm(small).data[2]! },
  ];
  await nb.table(
    rows.map((row) => ({ ...row, out: row.out.toFixed(4) })),
    'LayerNorm([0, 0.004, 0.008])[2], eps = 1e-5 (row variance 1.07e-5)',
  );
  await nb.check(
    'correct value = 0.004 / sqrt(1.0667e-5 + 1e-5)',
    rows[0]!.out,
    0.004 / Math.sqrt((2 * 0.004 ** 2) / 3 + 1e-5),
    { tol: 1e-12 },
  );

  await nb.md(String.raw`
    ## Where the norm goes: Post-LN vs Pre-LN
    As functions of a sublayer f (attention or FFN):

    - **Post-LN** (original Transformer): $y = \mathrm{norm}(x + f(x))$
    - **Pre-LN** (GPT-2, LLaMA, Qwen): $y = x + f(\mathrm{norm}(x))$

    Pre-LN leaves an identity path from the input to the output of the whole stack, so gradients
    reach early layers undamped and training is stable without a long warm-up; a final norm is then
    needed before the output head. Post-LN renormalizes the residual stream after every layer. Below,
    24 random linear sublayers $f(h) = h W$, $W$ of $64 \times 64$ entries $N(0, 1/64)$, on 8 random
    tokens of width 64; we follow the RMS of the residual stream through depth:
  `);
  const depth = 24;
  const layers = Array.from({ length: depth }, () =>
    randomMatrix(64, 64, r, () => r.normal(0, 1 / 8)),
  );
  let pre: Matrix = randomMatrix(8, 64, r);
  let post = pre;
  const preRms: number[] = [];
  const postRms: number[] = [];
  for (const w of layers) {
    const f = (h: Matrix) => matmul(h, w);
    pre = preNorm(pre, f, (h) => rmsNorm(h));
    post = postNorm(post, f, (h) => rmsNorm(h));
    preRms.push(rowMoments(pre).rms.reduce((s, v) => s + v, 0) / pre.rows);
    postRms.push(rowMoments(post).rms.reduce((s, v) => s + v, 0) / post.rows);
  }
  await nb.plot({
    kind: 'line',
    title: 'Mean RMS of the residual stream after each layer',
    x: { label: 'layer', values: Array.from({ length: depth }, (_, i) => i + 1) },
    y: { label: 'RMS', log: true },
    series: [
      { name: 'Pre-LN: x + f(norm(x))', values: preRms },
      { name: 'Post-LN: norm(x + f(x))', values: postRms },
    ],
  });
  await nb.check('Post-LN stream RMS after 24 layers', postRms.at(-1)!, 1, { tol: 1e-4 });
  await nb.claim(
    'the Pre-LN stream grows with depth (hence the final norm)',
    preRms.at(-1)! > 2 * preRms[0]!,
    `RMS ${preRms[0]!.toFixed(2)} after layer 1, ${preRms.at(-1)!.toFixed(2)} after layer 24`,
  );
  const zero = (h: Matrix) => matrix(h.rows, h.cols);
  await nb.check(
    'Pre-LN with a zero sublayer is the identity: max |y - x|',
    maxAbsDiff(
      preNorm(x, zero, (h) => layerNorm(h)),
      x,
    ),
    0,
  );
  const slip = maxAbsDiff(
    pitfallPreNormResidualAfterNorm(x, zero, (h) => layerNorm(h)),
    x,
  );
  await nb.claim(
    'the pitfall norm(x) + f(norm(x)) is not: the identity path is gone',
    slip > 0.1,
    `max |y - x| = ${slip.toFixed(3)}`,
  );

  await nb.md`
    ## Why not BatchNorm in a Transformer
    BatchNorm normalizes each feature over the batch, so a token's output depends on the other
    sequences in the batch (and on padding), and inference must switch to running statistics.
    LayerNorm and RMSNorm look at one token only:
  `;
  const batchA = randomMatrix(4, 8, r);
  const batchB = matrix(4, 8, batchA.data);
  for (let k = 8; k < batchB.data.length; k++) batchB.data[k] = 5 * r.normal();
  const tokenBn = maxAbsDiff(
    matrix(1, 8, batchNorm(batchA).data.subarray(0, 8)),
    matrix(1, 8, batchNorm(batchB).data.subarray(0, 8)),
  );
  const tokenLn = maxAbsDiff(
    matrix(1, 8, layerNorm(batchA).data.subarray(0, 8)),
    matrix(1, 8, layerNorm(batchB).data.subarray(0, 8)),
  );
  await nb.claim(
    'changing the other rows moves token 0 under BatchNorm only',
    tokenBn > 0.1 && tokenLn === 0,
    `BatchNorm moves it by ${tokenBn.toFixed(3)}, LayerNorm by ${tokenLn}`,
  );

  await nb.md`
    ## When not to use which
    - RMSNorm is the default for new decoder LLMs (LLaMA, Qwen, Mistral); keep LayerNorm when you
      load a model trained with it (BERT, GPT-2): the two are not interchangeable after training.
    - BatchNorm fits CNNs with large fixed batches, not variable-length sequences.
    - Post-LN can reach slightly better quality in shallow models but needs warm-up and careful
      initialisation when deep; Pre-LN is the safe default.
    - Complexity: O(n d) for every norm; it is never the bottleneck in FLOPs, only in memory traffic.
  `;
});

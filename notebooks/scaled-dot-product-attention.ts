/**
 * Notebook for Q09, Q11, Q12: self-attention in code, its formula, and why it divides by sqrt(d_k).
 * Run: npm start -- run scaled-dot-product-attention
 */
import {
  attention,
  attentionMasked,
  attentionTfMatrix,
  pitfallMaskAfterSoftmax,
  pitfallUnscaledAttention,
  scalingExperiment,
  workedExample,
} from '../ml/scaled-dot-product-attention.js';
import { rowEntropies } from '../ml/softmax.js';
import { tensorBackend } from '../core/backend.js';
import { Counter } from '../core/counter.js';
import { maxAbsDiff, randomMatrix, toRows, type Matrix } from '../core/matrix.js';
import type { Plot } from '../notebook/plot.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

/** The 4 x 4 attention weights of this notebook as a query x key heatmap. */
const weightsHeatmap = (title: string, weights: Matrix): Plot => ({
  kind: 'heatmap',
  title,
  rows: { label: 'query', names: ['q0', 'q1', 'q2', 'q3'] },
  cols: { label: 'key', names: ['k0', 'k1', 'k2', 'k3'] },
  values: toRows(weights),
});

export default defineNotebook(import.meta.url, 'scaled-dot-product-attention', async (nb) => {
  await nb.md`
    ## The question
    *手写 self attention 及时间复杂度; Attention 运算公式; 为什么除以根号 dk.* Write attention, give
    its cost, and explain the 1/sqrt(d_k).

    ## The formula
    $$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V$$
    $Q$ is $[n, d_k]$ (one row per query), $K$ is $[m, d_k]$, $V$ is $[m, d_v]$. Row $i$ of the
    softmax is a probability distribution over the $m$ keys, and output row $i$ is the matching
    weighted average of the rows of $V$. In self-attention $Q$, $K$ and $V$ are three linear
    projections of the same sequence.

    ## The answer, as on a whiteboard
    This is the module's own \`attention\`, read from ml/scaled-dot-product-attention.ts when this
    notebook runs:
  `;
  await nb.source('ml/scaled-dot-product-attention.ts', 'attention');
  await nb.md`
    The inputs of the runs below: $n = m = 4$ queries and keys of width $d_k = 4$ (so the scale is
    $1 / \sqrt{4} = 1/2$) and values of width $d_v = 2$:
  `;

  const { q: Q, k: K, v: V } = workedExample();
  await nb.code(() => ({ Q: toRows(Q), K: toRows(K), V: toRows(V) }));
  const full = await nb.code(() => attention(Q, K, V));
  await nb.check('output[0][0], d_k = 4 so the scale is 1/2', full.output.data[0]!, 1.2699, {
    tol: 5e-5,
  });
  await nb.plot(weightsHeatmap('Attention weights, no mask (each row sums to 1)', full.weights));

  await nb.md`
    ## Causal mask: a decoder must not look ahead
    Set the logit of key $j$ to $-\infty$ for every query $i < j$ *before* the softmax; the softmax
    then gives those keys weight exactly 0 and renormalizes over the rest. Masks, a bias and another
    scale are the engineered kernel \`attentionMasked\` (same Q, K, V as above):
  `;
  const causal = await nb.code(() => attentionMasked(Q, K, V, { causal: true }));
  await nb.check('causal output[1][0]', causal.output.data[2]!, 0.3775, { tol: 5e-5 });
  await nb.plot(
    weightsHeatmap('Attention weights with the causal mask (upper triangle is 0)', causal.weights),
  );
  await nb.md`
    The common wrong answer zeroes the masked weights *after* the softmax
    (\`pitfallMaskAfterSoftmax\`): the rows no longer sum to 1.
  `;
  const wrongRows = await nb.code(() =>
    toRows(pitfallMaskAfterSoftmax(Q, K, V, { causal: true }).weights).map((row) =>
      row.reduce((a, b) => a + b, 0),
    ),
  );
  await nb.claim(
    'the mask-after-softmax pitfall breaks the row sums',
    wrongRows.some((s) => Math.abs(s - 1) > 1e-6),
    `row sums ${wrongRows.map((s) => s.toFixed(3)).join(', ')}`,
  );

  const { name } = await tensorBackend();
  const r = rng(1);
  const [q, k, v] = [randomMatrix(64, 32, r), randomMatrix(64, 32, r), randomMatrix(64, 16, r)];
  const gap = maxAbsDiff(
    await attentionTfMatrix(q, k, v, { causal: true }),
    attentionMasked(q, k, v, { causal: true }).output,
  );
  await nb.md`
    The same computation in TensorFlow.js (backend: **${name}**, float32), the tensor-level twin
    \`attentionTf\` with the mask built as a tensor (\`causalMaskTf\`), on random inputs: q and k
    $[64, 32]$, v $[64, 16]$, entries $N(0, 1)$ from rng(1), causal:
  `;
  await nb.claim(
    'from scratch and tfjs agree',
    gap < 1e-5,
    `max |difference| = ${gap.toExponential(2)} < 1e-5`,
  );

  await nb.md`
    ## Why divide by $\sqrt{d_k}$?
    Take $q$ and $k$ with independent entries of mean 0 and variance 1. Then
    $q \cdot k = \sum_c q_c k_c$ is a sum of $d_k$ independent terms of variance 1, so
    $\mathrm{Var}(q \cdot k) = d_k$. Without scaling, the logits of a wide head are huge, the
    softmax becomes nearly one-hot, and its gradient $p_i (\delta_{ij} - p_j)$ is nearly zero
    everywhere: training stalls. Dividing by $\sqrt{d_k}$ brings the variance back to 1 whatever
    the width. Measured over 32 keys and 200 random queries per width ($d_k$ from 1 to 1024, entries
    $N(0, 1)$ from rng(12)):
  `;
  const points = scalingExperiment([1, 4, 16, 64, 256, 1024], 32, 200, rng(12));
  await nb.table(
    points.map((p) => ({
      d_k: p.dk,
      'Var(q.k)': p.varianceUnscaled.toFixed(1),
      'Var(q.k / sqrt d_k)': p.varianceScaled.toFixed(3),
      'entropy unscaled / ln 32': p.entropyUnscaled.toFixed(3),
      'entropy scaled / ln 32': p.entropyScaled.toFixed(3),
    })),
    'What we see: the unscaled variance tracks d_k; the scaled one stays near 1',
  );
  await nb.check(
    'Var(q.k) / d_k at d_k = 1024 (theory: 1)',
    points.at(-1)!.varianceUnscaled / 1024,
    1,
    { tol: 0.15 },
  );
  await nb.plot({
    kind: 'line',
    title: 'Softmax entropy over 32 keys, as a fraction of the maximum ln 32',
    x: { label: 'd_k', values: points.map((p) => p.dk), log: true },
    y: { label: 'entropy / ln 32' },
    series: [
      { name: 'scaled by 1/sqrt(d_k)', values: points.map((p) => p.entropyScaled) },
      { name: 'unscaled', values: points.map((p) => p.entropyUnscaled) },
    ],
  });
  await nb.md`The wrong answer, \`pitfallUnscaledAttention\`, on one query and 32 keys of width 1024:`;
  const oneHot = rowEntropies(
    pitfallUnscaledAttention(
      randomMatrix(1, 1024, r),
      randomMatrix(32, 1024, r),
      randomMatrix(32, 1, r),
    ).weights,
  )[0]!;
  await nb.claim(
    'unscaled attention at d_k = 1024 is nearly one-hot',
    oneHot < 0.2 * Math.log(32),
    `entropy ${oneHot.toFixed(3)} nats, under 20% of the maximum ln 32 = ${Math.log(32).toFixed(3)}`,
  );

  const counter = new Counter();
  attentionMasked(
    randomMatrix(128, 64, r),
    randomMatrix(128, 64, r),
    randomMatrix(128, 64, r),
    {},
    counter,
  );
  await nb.md`
    ## Complexity
    $Q K^\top$ costs $n m d_k$ multiply-adds and weights $\times V$ another $n m d_v$, so
    self-attention is $O(n^2 d)$ time and $O(n^2)$ memory for the weight matrix. Counted at
    $n = 128$, $d = 64$ (random inputs):
  `;
  await nb.check('multiply-adds = 2 n^2 d', counter.get('madds'), 2 * 128 * 128 * 64);
  await nb.md`
    The $n^2$ is why long context is expensive (Q23) and why FlashAttention (Q24) tiles the
    computation so that the $n \times n$ matrix never exists in memory.

    ## When not to use it
    The from-scratch loops are for reading and checking; for real workloads use a fused kernel
    (tfjs matMul here, FlashAttention on a GPU). For very long sequences, consider linear or sparse
    attention variants, or a sliding window, when the task allows.
  `;
});

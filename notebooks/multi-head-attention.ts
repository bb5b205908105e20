/**
 * Notebook for Q10: what multi-head attention is, shape by shape, and MQA / GQA as the same layer
 * with fewer key/value heads.
 * Run: npm start -- run multi-head-attention
 */
import {
  attendHeads,
  initMultiHeadAttention,
  mergeHeads,
  mhaParamCount,
  multiHeadAttention,
  multiHeadAttentionMasked,
  multiHeadAttentionTfMatrix,
  pitfallFourSquaresParamCount,
  pitfallSplitHeadsWithoutTranspose,
  splitHeads,
} from '../ml/multi-head-attention.js';
import { attention } from '../ml/scaled-dot-product-attention.js';
import { tensorBackend } from '../core/backend.js';
import { Counter } from '../core/counter.js';
import { fromRows, linear, maxAbsDiff, randomMatrix, shapeOf, toRows } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

export default defineNotebook(import.meta.url, 'multi-head-attention', async (nb) => {
  await nb.md`
    ## The question
    *什么是 MHA?* What is multi-head attention, and how do MQA and GQA change it?

    ## The idea
    One attention head computes one weighted average per token, so it can follow one kind of
    relation at a time. Multi-head attention runs $h$ smaller heads side by side, each on its own
    learned projection of the tokens into a $d_{head} = d_{model} / h$ dimensional subspace, then
    concatenates their outputs and mixes them with $W_O$:

    $$\mathrm{MultiHead}(X) = \mathrm{Concat}(\mathrm{head}_1, \dots, \mathrm{head}_h) W_O^\top, \quad
    \mathrm{head}_i = \mathrm{Attention}(X W_{Q,i}^\top, X W_{K,i}^\top, X W_{V,i}^\top)$$

    The cost is about that of one full-width head ($h$ heads of width $d_{model} / h$), but the
    model can attend to $h$ different things at once (one head to the previous token, one to the
    subject, ...).

    ## The answer, as on a whiteboard
    The module's own \`multiHeadAttention\`, read from ml/multi-head-attention.ts when this runs:
  `;
  await nb.source('ml/multi-head-attention.ts', 'multiHeadAttention');
  await nb.md`
    ## Shape by shape
    Weights are in PyTorch nn.Linear layout $[d_{out}, d_{in}]$: $y = x W^\top$. The inputs: $n = 5$
    tokens with $d_{model} = 8$, entries $N(0, 1)$ from rng(7), and $h = 4$ heads of width 2 with
    fresh weights $N(0, 1/d_{in})$ from the same generator.
  `;
  const r = rng(7);
  const x = randomMatrix(5, 8, r);
  const w = initMultiHeadAttention({ dModel: 8, numHeads: 4 }, r);
  const shapes = await nb.code(() => {
    const q = linear(x, w.wq); //                        [n, d_model] -> [n, h d_head]
    const heads = splitHeads(q, 4); //                   [n, h d_head] -> h x [n, d_head]
    const k = splitHeads(linear(x, w.wk), 4);
    const v = splitHeads(linear(x, w.wv), 4);
    const { outputs } = attendHeads(heads, k, v); //     per head softmax(q k^T / sqrt(d_head)) v
    const merged = mergeHeads(outputs); //               h x [n, d_head] -> [n, h d_head]
    const out = linear(merged, w.wo); //                 [n, h d_head] -> [n, d_model]
    return {
      x: shapeOf(x),
      q: shapeOf(q),
      oneHead: shapeOf(heads[0]!),
      merged: shapeOf(merged),
      out: shapeOf(out),
    };
  });
  await nb.check('output shape', shapes.out, '[5, 8]');
  const full = multiHeadAttentionMasked(x, w, { numHeads: 4 }, { causal: true });
  await nb.plot({
    kind: 'heatmap',
    title: 'Causal attention weights of head 0 (random weights): each head has its own pattern',
    rows: { label: 'query', names: ['t0', 't1', 't2', 't3', 't4'] },
    cols: { label: 'key', names: ['t0', 't1', 't2', 't3', 't4'] },
    values: toRows(full.weights[0]!),
  });

  await nb.md`
    The common wrong split reshapes the $[n, h d_{head}]$ buffer to $[h, n, d_{head}]$ without the
    transpose (\`pitfallSplitHeadsWithoutTranspose\`): head 0 then holds tokens 0 and 1 mixed, not
    columns 0..1 of every token.
  `;
  const q0 = linear(x, w.wq);
  const wrongHead = pitfallSplitHeadsWithoutTranspose(q0, 4)[0]!;
  await nb.claim(
    'the reshape-only split differs from the real split',
    maxAbsDiff(wrongHead, splitHeads(q0, 4)[0]!) > 1e-3,
    `max |difference| of head 0 = ${maxAbsDiff(wrongHead, splitHeads(q0, 4)[0]!).toFixed(3)}`,
  );

  await nb.md`
    ## Sanity: one head with identity projections is plain attention
    With $h = 1$ and $W_Q = W_K = W_V = W_O = I$, MHA must reduce to
    $\mathrm{softmax}(X X^\top / \sqrt{d}) X$ (the same x as above, $d = 8$).
  `;
  const I = fromRows(
    Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i === j ? 1 : 0))),
  );
  const gap = maxAbsDiff(
    multiHeadAttention(x, { wq: I, wk: I, wv: I, wo: I }, { numHeads: 1 }).output,
    attention(x, x, x).output,
  );
  await nb.check('max |MHA(h = 1, I) - attention(X, X, X)|', gap, 0, { tol: 1e-12 });

  await nb.md`
    ## MQA and GQA: share key/value heads
    At inference the keys and values of every past token are cached (the KV cache), and that cache,
    not the arithmetic, limits batch size and context. Multi-query attention (Shazeer 2019) keeps $h$
    query heads but only **one** key/value head; grouped-query attention (Ainslie et al. 2023) keeps
    $h_{kv}$ heads, each shared by a group of $h / h_{kv}$ consecutive query heads (query head $i$
    reads kv head $\lfloor i / (h / h_{kv}) \rfloor$, HF's repeat_kv). In this module it is the same
    function with numKvHeads < numHeads; $W_K$ and $W_V$ shrink to $[h_{kv} d_{head}, d_{model}]$.
    Here: the same x, 4 query heads and 2 kv heads, causal.
  `;
  const gqa = initMultiHeadAttention({ dModel: 8, numHeads: 4, numKvHeads: 2 }, r);
  const gqaOut = multiHeadAttentionMasked(
    x,
    gqa,
    { numHeads: 4, numKvHeads: 2 },
    { causal: true },
  ).output;
  await nb.code(() => ({
    wq: shapeOf(gqa.wq),
    wk: shapeOf(gqa.wk),
    wv: shapeOf(gqa.wv),
    output: shapeOf(gqaOut),
  }));
  // GQA = MHA with each kv head's rows repeated for its group
  const repeat = (m: typeof gqa.wk) =>
    fromRows(
      toRows(m).flatMap((_, i, rows) =>
        i % 2 === 0 ? [rows[i]!, rows[i + 1]!, rows[i]!, rows[i + 1]!] : [],
      ),
    );
  const asMha = multiHeadAttentionMasked(
    x,
    { ...gqa, wk: repeat(gqa.wk), wv: repeat(gqa.wv) },
    { numHeads: 4 },
    { causal: true },
  ).output;
  await nb.check('max |GQA - MHA with repeated K/V weights|', maxAbsDiff(gqaOut, asMha), 0, {
    tol: 1e-12,
  });

  const config = { dModel: 8192, numHeads: 64, headDim: 128 };
  const rows = [64, 8, 1].map((numKvHeads) => ({
    variant: numKvHeads === 64 ? 'MHA' : numKvHeads === 1 ? 'MQA' : 'GQA',
    h_kv: numKvHeads,
    'params (millions)': (mhaParamCount({ ...config, numKvHeads }) / 1e6).toFixed(1),
    'KV cache per token per layer (fp16 bytes)': 2 * numKvHeads * 128 * 2,
  }));
  await nb.table(rows, 'A 70B-class layer: d_model 8192, 64 query heads of width 128');
  await nb.check(
    'MHA params = 4 d_model^2',
    mhaParamCount({ ...config, numKvHeads: 64 }),
    4 * 8192 ** 2,
  );
  await nb.check(
    'GQA with 8 kv heads: d (64 + 16) 128 + 64 * 128 * d',
    mhaParamCount({ ...config, numKvHeads: 8 }),
    150_994_944,
  );
  const fourSquares = pitfallFourSquaresParamCount({ ...config, numKvHeads: 8 });
  await nb.claim(
    'the 4 d_model^2 rule of thumb (pitfallFourSquaresParamCount) overcounts GQA',
    fourSquares > 150_994_944,
    `${fourSquares.toLocaleString('en-US')} > 150,994,944`,
  );
  await nb.plot({
    kind: 'bar',
    title: 'KV cache bytes per token per layer (fp16): GQA-8 is 8x smaller than MHA',
    categories: rows.map((row) => `${row.variant} (h_kv = ${row.h_kv})`),
    y: { label: 'bytes' },
    series: [
      {
        name: 'KV cache',
        values: rows.map((row) => row['KV cache per token per layer (fp16 bytes)']),
      },
    ],
  });

  const { name } = await tensorBackend();
  const big = initMultiHeadAttention({ dModel: 64, numHeads: 8, numKvHeads: 2, bias: true }, r);
  const xs = randomMatrix(32, 64, r);
  const tfGap = maxAbsDiff(
    await multiHeadAttentionTfMatrix(xs, big, { numHeads: 8, numKvHeads: 2 }, { causal: true }),
    multiHeadAttentionMasked(xs, big, { numHeads: 8, numKvHeads: 2 }, { causal: true }).output,
  );
  await nb.md`
    The same layer in TensorFlow.js (backend **${name}**, float32), \`multiHeadAttentionTf\`: heads
    as a tensor axis, query heads grouped against their kv head by broadcasting, composed of
    \`attentionTf\`. Inputs: 32 tokens of $N(0, 1)$, $d_{model} = 64$, 8 query heads, 2 kv heads,
    biases, causal:
  `;
  await nb.claim(
    'from scratch and tfjs agree',
    tfGap < 1e-4,
    `max |difference| = ${tfGap.toExponential(2)} < 1e-4`,
  );

  const counter = new Counter();
  multiHeadAttentionMasked(
    randomMatrix(64, 32, r),
    initMultiHeadAttention({ dModel: 32, numHeads: 4 }, r),
    { numHeads: 4 },
    {},
    counter,
  );
  await nb.md`
    ## Complexity
    Projections cost $n \, d_{model} (2h + 2h_{kv}) d_{head}$ multiply-adds and attention
    $2 h n^2 d_{head}$: with $d_{head} = d_{model} / h$ that is $O(n d^2 + n^2 d)$, the same as one
    wide head. Counted at $n = 64$, $d = 32$, $h = 4$ (random inputs):
  `;
  await nb.check(
    'multiply-adds = 4 n d^2 + 2 n^2 d',
    counter.get('madds'),
    4 * 64 * 32 ** 2 + 2 * 64 ** 2 * 32,
  );
  await nb.md`
    ## When not to use it
    The per-head loop is for reading. Real kernels batch the heads into one [h, n, d_head] tensor
    (as the tfjs version does) and fuse the softmax (FlashAttention). For serving long contexts,
    prefer GQA (or MQA) for its KV cache, or latent-compressed KV (DeepSeek MLA); too few kv heads
    can cost quality (Ainslie et al. find GQA close to MHA quality, MQA somewhat below); many recent
    models use 8 kv heads.
  `;
});

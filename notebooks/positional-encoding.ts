/**
 * Notebook for Q13 and Q17: absolute vs relative position encodings, and the ways to implement
 * them (sinusoidal, learned, ALiBi, RoPE, sliding-window masks).
 * Run: npm start -- run positional-encoding
 */
import {
  addPositions,
  alibiBias,
  alibiSlopes,
  learnedPositionTable,
  sinusoidalEncoding,
  sinusoidalEncodingTf,
  sinusoidalShift,
  slidingWindow,
  slidingWindowMask,
} from '../ml/positional-encoding.js';
import { attention, attentionTf } from '../ml/scaled-dot-product-attention.js';
import { tensorBackend } from '../core/backend.js';
import { fromRows, maxAbsDiff, randomMatrix, rowOf, toRows } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

export default defineNotebook(import.meta.url, 'positional-encoding', async (nb) => {
  await nb.md`
    ## The questions
    *相对/绝对位置编码异同* (Q13): how do absolute and relative position encodings differ, and what do
    they look like? *位置编码的实现方式* (Q17): what are the ways to give a Transformer positions?

    ## Why anything is needed
    Attention is a weighted average whose weights depend on content only: permute the tokens and the
    outputs are permuted the same way. Without positions, "dog bites man" and "man bites dog" are the
    same bag of tokens.
  `;
  const r = rng(5);
  const [x, perm] = [randomMatrix(5, 4, r), [3, 0, 4, 1, 2]];
  const permuted = fromRows(perm.map((i) => Array.from(rowOf(x, i))));
  const out = attention(x, x, x).output;
  const outPermuted = attention(permuted, permuted, permuted).output;
  const gap = Math.max(...perm.map((i, t) => Math.max(...Array.from(rowOf(outPermuted, t), (v, c) => Math.abs(v - out.data[i * 4 + c]!)))));
  await nb.check('max |attention(P x) - P attention(x)| (no positions: order is invisible)', gap, 0, { tol: 1e-12 });

  await nb.md`
    ## Two families (Q13)
    **Absolute**: give each position p a vector and add it to the token embedding at the input
    (sinusoidal, learned). Simple, but the model must *learn* to compare positions, and a position it
    never saw is out of distribution (a learned table has no row for it at all).

    **Relative**: leave the tokens alone and make the *score* between query i and key j depend on
    i - j (T5 bucketed biases, ALiBi's linear bias, RoPE's rotation). Translation-invariant by
    construction, which is what language mostly needs, and kinder to lengths beyond training.
  `;
  await nb.table(
    [
      { method: 'sinusoidal', kind: 'absolute, fixed', where: 'added to the input', parameters: 'none', 'beyond training length': 'defined, but unseen inputs', used_by: 'original Transformer' },
      { method: 'learned table', kind: 'absolute, learned', where: 'added to the input', parameters: 'L_max x d', 'beyond training length': 'impossible (no row)', used_by: 'BERT, GPT-2' },
      { method: 'relative bias (T5)', kind: 'relative, learned', where: 'added to the logits', parameters: 'buckets x heads', 'beyond training length': 'far distances share a bucket', used_by: 'T5' },
      { method: 'ALiBi', kind: 'relative, fixed', where: 'added to the logits', parameters: 'none', 'beyond training length': 'extrapolates (the paper\'s claim)', used_by: 'BLOOM, MPT' },
      { method: 'RoPE', kind: 'relative via absolute rotation', where: 'rotates q and k', parameters: 'none', 'beyond training length': 'needs PI / NTK / YaRN', used_by: 'LLaMA, Qwen, Mistral' },
      { method: 'sliding window', kind: 'a mask, not an encoding', where: 'hides keys', parameters: 'none', 'beyond training length': 'bounded cost O(n W d)', used_by: 'Longformer, Mistral' },
    ],
    'Ways to implement position information (Q17)',
  );

  await nb.md`
    ## Sinusoidal
    PE(p, 2i) = sin(p w_i), PE(p, 2i+1) = cos(p w_i), w_i = 10000^(-2i/d): one circle per pair, with
    wavelengths from 2 pi up to 10000 * 2 pi tokens.
  `;
  const pe = await nb.code(() => sinusoidalEncoding(2, 4));
  await nb.check('PE(1) in d = 4: first coordinate sin 1', pe.data[4]!, Math.sin(1));
  const table = sinusoidalEncoding(24, 16);
  await nb.plot({
    kind: 'heatmap',
    title: 'Sinusoidal table, 24 positions x 16 dims: fast pairs on the left, slow pairs on the right',
    rows: { label: 'position', names: Array.from({ length: 24 }, (_, p) => `p${p}`) },
    cols: { label: 'dim', names: Array.from({ length: 16 }, (_, j) => `${j}`) },
    values: toRows(table),
  });
  await nb.md`
    Why sines and cosines: sin((p + k) w) and cos((p + k) w) are a rotation through k w of
    (sin p w, cos p w), so **PE(p + k) = M_k PE(p)** with M_k depending only on k: the offset is a
    fixed linear map the attention projections can learn. Checked at p = 1234, k = 17, d = 16:
  `;
  const shifted = sinusoidalShift(17, 16);
  const now = Array.from(rowOf(sinusoidalEncoding(1, 16, { offset: 1234 }), 0));
  const later = Array.from(rowOf(sinusoidalEncoding(1, 16, { offset: 1251 }), 0));
  const predicted = toRows(shifted).map((row) => row.reduce((s, v, j) => s + v * now[j]!, 0));
  await nb.check('max |M_17 PE(1234) - PE(1251)|', Math.max(...predicted.map((v, j) => Math.abs(v - later[j]!))), 0, { tol: 1e-9 });
  const offsets = Array.from({ length: 101 }, (_, k) => k);
  const dots = offsets.map((k) => {
    const a = rowOf(sinusoidalEncoding(1, 64, { offset: 500 }), 0);
    const b = rowOf(sinusoidalEncoding(1, 64, { offset: 500 + k }), 0);
    return a.reduce((s, v, j) => s + v * b[j]!, 0);
  });
  await nb.plot({
    kind: 'line',
    title: 'PE(p) . PE(p + k) for d = 64: depends on k only, largest at k = 0',
    x: { label: 'offset k', values: offsets },
    y: { label: 'dot product' },
    series: [{ name: 'p = 500', values: dots }],
  });
  await nb.check('PE(p) . PE(p) = d / 2 (each pair has norm 1)', dots[0]!, 32);

  await nb.md`
    ## Learned table
    A trainable [L_max, d] matrix, one row per position. It can fit anything, but position L_max has
    no row: this is the clearest case of "absolute does not extrapolate".
  `;
  const learned = learnedPositionTable(8, 4, r);
  let message = '';
  try {
    addPositions(randomMatrix(9, 4, r), learned);
  } catch (error) {
    message = (error as Error).message;
  }
  await nb.claim('nine tokens do not fit an 8-row table', message.includes('no position beyond 7'), message);

  await nb.md`
    ## ALiBi
    No encoding at all on the tokens: each head h adds -m_h (i - j) to its logits. Slopes are a
    geometric sequence: for h heads (a power of two) m_k = 2^(-8k/h), so 8 heads use 1/2 ... 1/256:
    some heads look far, some only at neighbours. For other head counts the authors' rule takes the
    slopes of the nearest lower power of two p, then every other slope of 2p heads.
  `;
  const slopes = await nb.code(() => ({ h8: alibiSlopes(8), h12: alibiSlopes(12) }));
  await nb.check('12 heads: the 9th slope is 2^-0.5 (slope 0 of 16 heads)', slopes.h12[8]!, 2 ** -0.5);
  await nb.plot({
    kind: 'heatmap',
    title: 'ALiBi bias of the steepest head (m = 1/2) over 8 tokens, causal part',
    rows: { label: 'query', names: Array.from({ length: 8 }, (_, i) => `q${i}`) },
    cols: { label: 'key', names: Array.from({ length: 8 }, (_, j) => `k${j}`) },
    values: toRows(alibiBias(8, 8, 0.5)).map((row, i) => row.map((v, j) => (j <= i ? v : 0))),
  });
  const key = [0.3, -0.2, 0.9];
  const same = fromRows(Array.from({ length: 6 }, () => key));
  const w = attention(randomMatrix(6, 3, r), same, randomMatrix(6, 1, r), { bias: alibiBias(6, 6, 0.5), visible: (i, j) => j <= i }).weights;
  await nb.check('identical keys: weight ratio of neighbours = e^(1/2) (a pure recency prior)', w.data[5 * 6 + 5]! / w.data[5 * 6 + 4]!, Math.exp(0.5), { tol: 1e-9 });

  await nb.md`
    ## Sliding window
    Not an encoding but a locality mask: query i sees only keys i - W < j <= i. Cost drops from
    O(n^2 d) to O(n W d), and stacking L layers still lets information travel L W tokens.
  `;
  await nb.plot({
    kind: 'heatmap',
    title: 'Sliding-window mask, W = 3 (1 = visible)',
    rows: { label: 'query', names: Array.from({ length: 8 }, (_, i) => `q${i}`) },
    cols: { label: 'key', names: Array.from({ length: 8 }, (_, j) => `k${j}`) },
    values: slidingWindowMask(8, 3).map((row) => row.map(Number)),
  });
  const [n, d] = [256, 16];
  const [q, k, v] = [randomMatrix(n, d, r), randomMatrix(n, d, r), randomMatrix(n, d, r)];
  const windowed = { madds: 0 };
  const full = { madds: 0 };
  attention(q, k, v, { visible: slidingWindow(32), ops: windowed });
  attention(q, k, v, { visible: (i, j) => j <= i, ops: full });
  await nb.table([{ n, d, window: 32, 'causal madds': full.madds, 'window madds': windowed.madds, ratio: (full.madds / windowed.madds).toFixed(2) }], 'Counted work');
  await nb.check('window work = (sum over queries of min(i + 1, 32)) * 2d', windowed.madds, (32 * 33) / 2 * 2 * d + (n - 32) * 32 * 2 * d);

  const { name } = await tensorBackend();
  const tableGap = maxAbsDiff(sinusoidalEncoding(128, 64), await sinusoidalEncodingTf(128, 64));
  const options = { bias: alibiBias(n, n, 1 / 16), visible: slidingWindow(32) };
  const attnGap = maxAbsDiff(attention(q, k, v, options).output, (await attentionTf(q, k, v, options)).output);
  await nb.md`TensorFlow.js (backend **${name}**, float32) computes the same table and the same ALiBi + window attention:`;
  await nb.claim('from scratch and tfjs agree', tableGap < 1e-4 && attnGap < 1e-4, `sinusoidal table ${tableGap.toExponential(2)}, ALiBi + window attention ${attnGap.toExponential(2)} (both < 1e-4)`);

  await nb.md`
    ## When not to use which
    A learned table only for fixed, short inputs (BERT's 512). Sinusoidal encodings are mostly of
    historical and teaching interest now. For decoder LLMs the choice is RoPE (with scaling for
    long context, see the rope notebook) or ALiBi; a sliding window is a cost measure, combined with
    one of them, and it loses exact long-range lookups that full attention keeps.
  `;
});

/**
 * Notebook for Q13 and Q17: absolute vs relative position encodings, and the ways to implement
 * them (sinusoidal, learned, ALiBi, RoPE, sliding-window masks).
 * Run: npm start -- run positional-encoding
 */
import {
  addPositions,
  alibiAttention,
  alibiAttentionTfMatrix,
  alibiBias,
  alibiSlopes,
  learnedPositionTable,
  pitfallAlibiBiasWithoutQueryOffset,
  pitfallAlibiSlopesGeometricForAnyHeads,
  pitfallSinusoidalExponentWithoutTwo,
  pitfallSinusoidalFrequencyPerCoordinate,
  pitfallSlidingWindowOffByOne,
  sinusoidalEncoding,
  sinusoidalShift,
  sinusoidalTable,
  sinusoidalTableTfMatrix,
  slidingWindow,
  slidingWindowMask,
} from '../ml/positional-encoding/index.js';
import { attention, attentionMasked } from '../ml/scaled-dot-product-attention.js';
import { Counter } from '../core/counter.js';
import { tensorBackend } from '../core/backend.js';
import { fromRows, maxAbsDiff, randomMatrix, rowOf, toRows, type Matrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

/** Largest |M_k PE(p) - PE(p + k)| for row p of `table` (a table of p + k + 1 rows). */
type Table = (n: number, d: number) => Matrix;

function shiftGap(table: Table, p: number, k: number, d: number): number {
  const pe = table(p + k + 1, d);
  const now = Array.from(rowOf(pe, p));
  const later = Array.from(rowOf(pe, p + k));
  const shift = toRows(sinusoidalShift(k, d));
  const predicted = shift.map((r) => r.reduce((s, v, j) => s + v * now[j]!, 0));
  return Math.max(...predicted.map((v, j) => Math.abs(v - later[j]!)));
}

export default defineNotebook(import.meta.url, 'positional-encoding', async (nb) => {
  await nb.md`
    ## The questions
    *相对/绝对位置编码异同* (Q13): how do absolute and relative position encodings differ, and what
    do they look like? *位置编码的实现方式* (Q17): what are the ways to give a Transformer positions?

    ## Why anything is needed
    Attention is a weighted average whose weights depend on content only: permute the tokens and the
    outputs are permuted the same way. Without positions, "dog bites man" and "man bites dog" are
    the same bag of tokens. Five random 4-dimensional tokens x, and the same tokens in the order
    3, 0, 4, 1, 2:
  `;
  const r = rng(5);
  const [x, perm] = [randomMatrix(5, 4, r), [3, 0, 4, 1, 2]];
  const permuted = fromRows(perm.map((i) => Array.from(rowOf(x, i))));
  const out = attention(x, x, x).output;
  const outPermuted = attention(permuted, permuted, permuted).output;
  const gap = Math.max(
    ...perm.map((i, t) =>
      Math.max(...Array.from(rowOf(outPermuted, t), (v, c) => Math.abs(v - out.data[i * 4 + c]!))),
    ),
  );
  await nb.check('max |attention(P x) - P attention(x)| (order is invisible)', gap, 0, {
    tol: 1e-12,
  });

  await nb.md(String.raw`
    ## The textbook answer: the sinusoidal table
    $$PE_{(pos, 2i)} = \sin\left(\frac{pos}{10000^{2i/d}}\right), \qquad
    PE_{(pos, 2i+1)} = \cos\left(\frac{pos}{10000^{2i/d}}\right)$$
    one circle per pair $(2i, 2i+1)$, with wavelengths from $2\pi$ up to $10000 \cdot 2\pi$ tokens,
    added to the token embeddings at the input. As written in ml/positional-encoding/index.ts:
  `);
  await nb.source('ml/positional-encoding/index.ts', 'sinusoidalTable');
  const pe = await nb.code(() => sinusoidalTable(2, 4));
  await nb.check('PE(1) in d = 4: first coordinate sin 1', pe.data[4]!, Math.sin(1));

  await nb.md`
    ## Two families (Q13)
    **Absolute**: give each position p a vector and add it to the token embedding at the input
    (sinusoidal, learned). Simple, but the model must *learn* to compare positions, and a position
    it never saw is out of distribution (a learned table has no row for it at all).

    **Relative**: leave the tokens alone and make the *score* between query i and key j depend on
    i - j (T5 bucketed biases, ALiBi's linear bias, RoPE's rotation). Translation-invariant by
    construction, which is what language mostly needs, and kinder to lengths beyond training.
  `;
  await nb.table(
    [
      {
        method: 'sinusoidal',
        kind: 'absolute, fixed',
        where: 'added to the input',
        parameters: 'none',
        'beyond training length': 'defined, but unseen inputs',
        used_by: 'original Transformer',
      },
      {
        method: 'learned table',
        kind: 'absolute, learned',
        where: 'added to the input',
        parameters: 'L_max x d',
        'beyond training length': 'impossible (no row)',
        used_by: 'BERT, GPT-2',
      },
      {
        method: 'relative bias (T5)',
        kind: 'relative, learned',
        where: 'added to the logits',
        parameters: 'buckets x heads',
        'beyond training length': 'far distances share a bucket',
        used_by: 'T5',
      },
      {
        method: 'ALiBi',
        kind: 'relative, fixed',
        where: 'added to the logits',
        parameters: 'none',
        'beyond training length': "extrapolates (the paper's claim)",
        used_by: 'BLOOM, MPT',
      },
      {
        method: 'RoPE',
        kind: 'relative via absolute rotation',
        where: 'rotates q and k',
        parameters: 'none',
        'beyond training length': 'needs PI / NTK / YaRN',
        used_by: 'LLaMA, Qwen, Mistral',
      },
      {
        method: 'sliding window',
        kind: 'a mask, not an encoding',
        where: 'hides keys',
        parameters: 'none',
        'beyond training length': 'bounded cost O(n W d)',
        used_by: 'Longformer, Mistral',
      },
    ],
    'Ways to implement position information (Q17)',
  );

  const table = sinusoidalTable(24, 16);
  await nb.plot({
    kind: 'heatmap',
    title: 'sinusoidalTable(24, 16): fast pairs on the left, slow pairs on the right',
    rows: { label: 'position', names: Array.from({ length: 24 }, (_, p) => `p${p}`) },
    cols: { label: 'dim', names: Array.from({ length: 16 }, (_, j) => `${j}`) },
    values: toRows(table),
  });
  await nb.md(String.raw`
    Why sines and cosines: $\sin((p + k) \omega)$ and $\cos((p + k) \omega)$ are a rotation through
    $k \omega$ of $(\sin p \omega, \cos p \omega)$, so **$PE(p + k) = M_k \, PE(p)$** with $M_k$
    depending only on $k$: the offset is a fixed linear map the attention projections can learn.
    Checked at $p = 1234$, $k = 17$, $d = 16$:
  `);
  await nb.check('max |M_17 PE(1234) - PE(1251)|', shiftGap(sinusoidalTable, 1234, 17, 16), 0, {
    tol: 1e-9,
  });
  await nb.md(String.raw`
    Two common slips break it. Indexing the frequency by the coordinate $j$ instead of the pair
    (pitfallSinusoidalFrequencyPerCoordinate, $10000^{j/d}$) gives the cos slot its own frequency,
    so a pair is no longer a circle and no fixed $M_k$ exists; dropping the 2 of $2i$
    (pitfallSinusoidalExponentWithoutTwo, $10000^{i/d}$) keeps the circles but the slowest
    wavelength is $2\pi \cdot 100$ instead of $2\pi \cdot 10000$ (in $d = 16$: pair 7 turns by
    $10000^{-7/16} = 0.018$ per step, not $10000^{-14/16} = 0.00032$):
  `);
  const perCoordinateGap = shiftGap(pitfallSinusoidalFrequencyPerCoordinate, 1234, 17, 16);
  await nb.claim(
    'the per-coordinate pitfall is no fixed rotation of itself',
    perCoordinateGap > 0.1,
    `max |M_17 PE(1234) - PE(1251)| = ${perCoordinateGap.toFixed(3)}`,
  );
  const slowest = (t: Matrix) => Math.atan2(t.data[16 + 14]!, t.data[16 + 15]!);
  await nb.check(
    'angle per step of the slowest pair (i = 7, d = 16), textbook',
    slowest(sinusoidalTable(2, 16)),
    10000 ** (-14 / 16),
  );
  await nb.check(
    'the same angle without the 2',
    slowest(pitfallSinusoidalExponentWithoutTwo(2, 16)),
    10000 ** (-7 / 16),
  );
  const offsets = Array.from({ length: 101 }, (_, k) => k);
  const dots = offsets.map((k) => {
    const a = rowOf(sinusoidalEncoding(1, 64, { offset: 500 }), 0);
    const b = rowOf(sinusoidalEncoding(1, 64, { offset: 500 + k }), 0);
    return a.reduce((s, v, j) => s + v * b[j]!, 0);
  });
  await nb.plot({
    kind: 'line',
    title: 'PE(p) . PE(p + k) for d = 64, p = 500: depends on k only, largest at k = 0',
    x: { label: 'offset k', values: offsets },
    y: { label: 'dot product' },
    series: [{ name: 'p = 500', values: dots }],
  });
  await nb.check('PE(p) . PE(p) = d / 2 (each pair has norm 1)', dots[0]!, 32);

  await nb.md`
    ## Learned table
    A trainable [L_max, d] matrix, one row per position. It can fit anything, but position L_max
    has no row: this is the clearest case of "absolute does not extrapolate". An 8 x 4 table and
    nine tokens:
  `;
  const learned = learnedPositionTable(8, 4, r);
  let message = '';
  try {
    addPositions(randomMatrix(9, 4, r), learned);
  } catch (error) {
    message = (error as Error).message;
  }
  const noRow = message.includes('no position beyond 7');
  await nb.claim('nine tokens do not fit an 8-row table', noRow, message);

  await nb.md(String.raw`
    ## ALiBi
    No encoding at all on the tokens: head $h$ adds $-m_h \, |i - j|$ to its logits. Slopes are a
    geometric sequence: for $h$ heads (a power of two) $m_k = 2^{-8k/h}$, so 8 heads use
    $\frac{1}{2} \dots \frac{1}{256}$: some heads look far, some only at neighbours. For other head
    counts the authors' rule takes the slopes of the nearest lower power of two $p$, then every
    other slope of $2p$ heads.
  `);
  const slopes = await nb.code(() => ({ h8: alibiSlopes(8), h12: alibiSlopes(12) }));
  await nb.check('12 heads: the 9th slope is 2^-0.5 (slope 0 of 16)', slopes.h12[8]!, 2 ** -0.5);
  const naive12 = pitfallAlibiSlopesGeometricForAnyHeads(12);
  await nb.md(String.raw`
    The formula $2^{-8k/h}$ applied to 12 heads (pitfallAlibiSlopesGeometricForAnyHeads) gives
    other slopes than the ones BLOOM-style checkpoints were trained with:
  `);
  await nb.table(
    slopes.h12.map((m, h) => ({
      head: h,
      "authors' rule": m.toFixed(5),
      '2^(-8k/12)': naive12[h]!.toFixed(5),
    })),
    'ALiBi slopes for 12 heads',
  );
  await nb.plot({
    kind: 'heatmap',
    title: 'alibiBias(8, 8, 1/2): the steepest head over 8 tokens, causal part',
    rows: { label: 'query', names: Array.from({ length: 8 }, (_, i) => `q${i}`) },
    cols: { label: 'key', names: Array.from({ length: 8 }, (_, j) => `k${j}`) },
    values: toRows(alibiBias(8, 8, 0.5)).map((row, i) => row.map((v, j) => (j <= i ? v : 0))),
  });
  await nb.md`
    With six identical keys (0.3, -0.2, 0.9), random queries and slope 1/2, the causal weights fall
    off by a factor e^(1/2) per step back: a pure recency prior.
  `;
  const key = [0.3, -0.2, 0.9];
  const same = fromRows(Array.from({ length: 6 }, () => key));
  const w = alibiAttention(randomMatrix(6, 3, r), same, randomMatrix(6, 1, r), 0.5).weights;
  const ratio = w.data[5 * 6 + 5]! / w.data[5 * 6 + 4]!;
  await nb.check('identical keys: weight ratio of neighbours = e^(1/2)', ratio, Math.exp(0.5), {
    tol: 1e-9,
  });
  await nb.md`
    Decoding one new token against a cache of 5 keys, the query sits at position 4, the last key:
    its bias must be 0 there. Placing it at position 0 (pitfallAlibiBiasWithoutQueryOffset) makes
    the oldest key the closest:
  `;
  const decode = await nb.code(() => ({
    right: Array.from(alibiBias(1, 5, 0.5).data),
    pitfall: Array.from(pitfallAlibiBiasWithoutQueryOffset(1, 5, 0.5).data),
  }));
  await nb.check('bias of the newest key (right answer)', decode.right[4]!, 0);
  await nb.check('bias of the newest key with the pitfall: -1/2 * 4', decode.pitfall[4]!, -2);

  await nb.md(String.raw`
    ## Sliding window
    Not an encoding but a locality mask: query $i$ sees only keys $i - W < j \le i$. Cost drops
    from $O(n^2 d)$ to $O(n W d)$, and stacking $L$ layers still lets information travel $L W$
    tokens. Writing $j \ge i - W$ (pitfallSlidingWindowOffByOne) shows $W + 1$ keys.
  `);
  await nb.plot({
    kind: 'heatmap',
    title: 'slidingWindowMask(8, 3) (1 = visible)',
    rows: { label: 'query', names: Array.from({ length: 8 }, (_, i) => `q${i}`) },
    cols: { label: 'key', names: Array.from({ length: 8 }, (_, j) => `k${j}`) },
    values: slidingWindowMask(8, 3).map((row) => row.map(Number)),
  });
  const offByOne = pitfallSlidingWindowOffByOne(3);
  const seenByLast = Array.from({ length: 8 }, (_, j) => j).filter((j) => offByOne(7, j)).length;
  await nb.check('keys query 7 sees with the off-by-one window W = 3', seenByLast, 4);
  const [n, d] = [256, 16];
  const [q, k, v] = [randomMatrix(n, d, r), randomMatrix(n, d, r), randomMatrix(n, d, r)];
  const windowed = new Counter();
  const full = new Counter();
  attentionMasked(q, k, v, { visible: slidingWindow(32) }, windowed);
  attentionMasked(q, k, v, { causal: true }, full);
  await nb.table(
    [
      {
        n,
        d,
        window: 32,
        'causal madds': full.get('madds'),
        'window madds': windowed.get('madds'),
        ratio: (full.get('madds') / windowed.get('madds')).toFixed(2),
      },
    ],
    'Counted work on random q, k, v of 256 x 16',
  );
  await nb.check(
    'window work = (sum over queries of min(i + 1, 32)) * 2d',
    windowed.get('madds'),
    ((32 * 33) / 2) * 2 * d + (n - 32) * 32 * 2 * d,
  );

  const { name } = await tensorBackend();
  const tableGap = maxAbsDiff(sinusoidalTable(128, 64), await sinusoidalTableTfMatrix(128, 64));
  const mine = alibiAttention(q, k, v, 1 / 16, 32).output;
  const attnGap = maxAbsDiff(mine, await alibiAttentionTfMatrix(q, k, v, 1 / 16, 32));
  await nb.md`
    TensorFlow.js (backend **${name}**, float32) computes the same 128 x 64 table
    (sinusoidalTableTf) and the same ALiBi attention of slope 1/16 inside a window of 32 on the
    q, k, v above (alibiAttentionTf: the bias and slidingWindowMaskTf passed to attentionTf):
  `;
  await nb.claim(
    'from scratch and tfjs agree',
    tableGap < 1e-4 && attnGap < 1e-4,
    `sinusoidal table ${tableGap.toExponential(2)}, ALiBi + window attention ` +
      `${attnGap.toExponential(2)} (both < 1e-4)`,
  );

  await nb.md`
    ## When not to use which
    A learned table only for fixed, short inputs (BERT's 512). Sinusoidal encodings are mostly of
    historical and teaching interest now. For decoder LLMs the choice is RoPE (with scaling for
    long context, see the rope notebook) or ALiBi; a sliding window is a cost measure, combined with
    one of them, and it loses exact long-range lookups that full attention keeps.
  `;
});

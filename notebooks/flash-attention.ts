/**
 * Notebook for Q24: FlashAttention's tiled attention with the online softmax, equal to the naive
 * version for any block size, with O(n d + B^2) memory instead of O(n^2).
 * Run: npm start -- run flash-attention
 */
import {
  flashAttention,
  flashAttentionFloats,
  flashAttentionTfMatrix,
  flashAttentionTiled,
  naiveAttention,
  naiveAttentionFloats,
  pitfallOnlineSoftmaxWithoutRescale,
} from '../ml/flash-attention.js';
import { attention, attentionMasked } from '../ml/scaled-dot-product-attention.js';
import { tensorBackend } from '../core/backend.js';
import { Counter } from '../core/counter.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

export default defineNotebook(import.meta.url, 'flash-attention', async (nb) => {
  await nb.md`
    ## The question
    *flash attention.* How does FlashAttention speed up training and serving, and why is it exact
    rather than an approximation?

    ## The idea
    Naive attention writes the n x n score matrix to memory, softmaxes it, and reads it back to
    multiply by V. On a GPU that traffic to HBM, not the arithmetic, is the bottleneck, and the
    matrix is O(n^2) memory. FlashAttention never forms it: it loads a block of B_r queries and a
    block of B_c keys/values into on-chip SRAM, computes that tile of scores, and folds it into a
    running result. The softmax needs the whole row, so it keeps per query a **running max** $m$ and
    a **running sum** $\ell$ and rescales what it has when the max grows (the online softmax):

    $$m_{new} = \max(m_{old}, \max_j S_j), \quad
    \ell_{new} = e^{m_{old} - m_{new}} \ell_{old} + \sum_j e^{S_j - m_{new}}, \quad
    O_{new} = e^{m_{old} - m_{new}} O_{old} + e^{S_j - m_{new}} V_j$$

    and the output is $O / \ell$. Every term ends up multiplied by $e^{-m_{final}}$, the same as
    subtracting the row max up front: the result is exactly $\mathrm{softmax}(S) V$.

    ## The answer, as on a whiteboard
    The module's own \`flashAttention\` (one query row at a time against key blocks), read from
    ml/flash-attention.ts when this runs:
  `;
  await nb.source('ml/flash-attention.ts', 'flashAttention');

  // one query against three keys arriving one block at a time
  const q = fromRows([[1]]);
  const k = fromRows([[1], [3], [2]]);
  const v = fromRows([[10], [20], [30]]);
  const prefix = (j: number) =>
    [matrix(j, 1, k.data.subarray(0, j)), matrix(j, 1, v.data.subarray(0, j))] as const;
  await nb.md`
    A stream of three keys with scores 1, 3, 2 ($q = [1]$, keys $[1], [3], [2]$, so $d_k = 1$ and the
    scale $1 / \sqrt{1}$ is 1) and values 10, 20, 30, one key per block.
    After each block the normalized running output O / l is the attention over the keys seen so far:
  `;
  await nb.table(
    [1, 2, 3].map((j) => {
      const [kj, vj] = prefix(j);
      return {
        'keys seen': j,
        'running max m': Math.max(...Array.from(kj.data)),
        'tiled O / l': flashAttention(q, kj, vj, 1).data[0]!.toFixed(4),
        'naive softmax over the prefix': attention(q, kj, vj).output.data[0]!.toFixed(4),
        'no rescale (pitfall)': pitfallOnlineSoftmaxWithoutRescale(q, kj, vj, 1).data[0]!.toFixed(
          4,
        ),
      };
    }),
    'The max moves from 1 to 3 at the second key: without exp(m_old - m_new) the first key keeps too much weight',
  );
  const tiled = await nb.code(() => flashAttention(q, k, v, 1));
  await nb.check(
    'tiled output over all three keys equals naive',
    tiled.data[0]!,
    attention(q, k, v).output.data[0]!,
    { tol: 1e-12 },
  );

  await nb.md`
    ## Any block size, any mask
    The engineered kernel \`flashAttentionTiled\` tiles queries too ($B_r$ rows) and takes masks.
    Inputs: random $37 \times 16$ queries, keys and values ($N(0, 1)$ from rng(24)), causal, with
    block sizes that do not divide 37; the wrong loop (no rescale) runs unmasked against the
    unmasked naive answer:
  `;
  const r = rng(24);
  const [Q, K, V] = [randomMatrix(37, 16, r), randomMatrix(37, 16, r), randomMatrix(37, 16, r)];
  const naive = attentionMasked(Q, K, V, { causal: true }).output;
  const unmasked = attention(Q, K, V).output;
  const rows = [1, 5, 8, 13, 64].map((block) => ({
    'B_r = B_c': block,
    'max |tiled - naive|': maxAbsDiff(
      flashAttentionTiled(Q, K, V, { causal: true, queryBlock: block, keyBlock: block }),
      naive,
    ).toExponential(1),
    'max |no-rescale - naive|': maxAbsDiff(
      pitfallOnlineSoftmaxWithoutRescale(Q, K, V, block),
      unmasked,
    ).toExponential(1),
  }));
  await nb.table(
    rows,
    'Tiled equals naive to rounding for every block size; the pitfall is wrong unless one block holds every key',
  );
  await nb.claim(
    'tiled equals naive at every block size',
    rows.every((row) => Number(row['max |tiled - naive|']) < 1e-12),
    'all differences < 1e-12',
  );

  const { name } = await tensorBackend();
  const gap = maxAbsDiff(
    await flashAttentionTfMatrix(Q, K, V, { causal: true, queryBlock: 8, keyBlock: 5 }),
    flashAttentionTiled(Q, K, V, { causal: true, queryBlock: 8, keyBlock: 5 }),
  );
  await nb.md`The same tiling written with TensorFlow.js ops (backend **${name}**, float32, the causal mask a tensor sliced per tile), same inputs, $B_r = 8$, $B_c = 5$:`;
  await nb.claim(
    'from scratch and tfjs agree',
    gap < 1e-5,
    `max |difference| = ${gap.toExponential(2)} < 1e-5`,
  );

  await nb.md`
    ## Memory: $O(n d + B^2)$ instead of $O(n^2)$
    Both kernels take a \`Counter\` that adds every Float64 they allocate as 'floats'. Naive: the
    $n \times n$ weight matrix, the $n \times d$ output and a logits row. Tiled: the output, $m$ and
    $\ell$ for one query block, the Q, K and V tiles, and one $B_r \times B_c$ score tile (here
    $n = 256$ random tokens, $d = 64$, $B = 64$).
  `;
  const ns = [256, 1024, 4096, 16384];
  const counted = new Counter();
  const x = randomMatrix(256, 64, r);
  flashAttentionTiled(x, x, x, {}, counted);
  await nb.check(
    'counted floats at n = 256 equal the formula',
    counted.get('floats'),
    flashAttentionFloats(256, 256, 64, 64),
  );
  const naiveCounted = new Counter();
  naiveAttention(x, x, x, {}, naiveCounted);
  await nb.check(
    'naive counted floats at n = 256 equal n^2 + n d + n',
    naiveCounted.get('floats'),
    naiveAttentionFloats(256, 256, 64),
  );
  await nb.table(
    ns.map((n) => ({
      n,
      'naive MiB': ((naiveAttentionFloats(n, n, 64) * 8) / 2 ** 20).toFixed(1),
      'tiled MiB': ((flashAttentionFloats(n, n, 64, 64) * 8) / 2 ** 20).toFixed(2),
      ratio: (naiveAttentionFloats(n, n, 64) / flashAttentionFloats(n, n, 64, 64)).toFixed(0),
    })),
    'At n = 16384 the naive weight matrix alone is 16384^2 x 8 bytes = 2 GiB',
  );
  await nb.plot({
    kind: 'line',
    title: 'Float64 values allocated per call (d = 64, B = 64)',
    x: { label: 'n', values: ns, log: true },
    y: { label: 'floats', log: true },
    series: [
      { name: 'naive: n^2 + n d + n', values: ns.map((n) => naiveAttentionFloats(n, n, 64)) },
      {
        name: 'tiled: n d + B(2 + d) + 2 B d + B^2',
        values: ns.map((n) => flashAttentionFloats(n, n, 64, 64)),
      },
    ],
  });

  const ops = new Counter();
  const naiveOps = new Counter();
  flashAttentionTiled(x, x, x, { queryBlock: 32, keyBlock: 48 }, ops);
  attentionMasked(x, x, x, {}, naiveOps);
  await nb.md`
    ## Time
    The same multiply-adds as the naive version ($2 n^2 d$ without a mask), so on a CPU the two take
    about the same time: FlashAttention's speed-up on a GPU comes from reading and writing HBM
    $O(n^2 d^2 / M)$ times instead of $O(n d + n^2)$ ($M$ = SRAM size), not from fewer FLOPs. The bench
    (bench/flash-attention.bench.ts) times both up to n = 4096 (16384 with BAGU_BENCH_LARGE=1).
  `;
  await nb.check(
    'tiled multiply-adds at n = 256, d = 64 equal the naive count',
    ops.get('madds'),
    naiveOps.get('madds'),
  );

  await nb.md`
    ## When not to use it
    For short sequences (n of a few hundred) the score matrix is small and a plain fused softmax is
    as fast. The from-scratch loops here show the algorithm, not the speed: the win needs a kernel
    that keeps tiles in fast memory (CUDA FlashAttention, or PyTorch's scaled_dot_product_attention
    picking it). If you need the attention weights themselves (visualisation, some distillation
    losses), FlashAttention never materialises them. The backward pass recomputes the tiles from
    the saved m and l instead of storing the n x n matrix: more FLOPs, less memory traffic.
  `;
});

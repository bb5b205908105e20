/**
 * Notebook for Q14, Q15, Q16: the structure of RoPE in both layouts, why its scores are relative,
 * its long-term decay, and what happens beyond the training length (PI and NTK scaling).
 * Run: npm start -- run rope
 */
import {
  angleOvershoot,
  applyRope,
  interleavedToHalfPermutation,
  pairIndices,
  permuteRopeWeights,
  pitfallMixedLayoutRope,
  pitfallUnpermutedRopeWeights,
  relativeDecayBound,
  rope,
  ropeFrequencies,
  ropeScore,
  ropeTfMatrix,
} from '../ml/rope.js';
import { tensorBackend } from '../core/backend.js';
import {
  fromRows,
  linear,
  matmulTransposed,
  maxAbsDiff,
  randomMatrix,
  type Matrix,
} from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

export default defineNotebook(import.meta.url, 'rope', async (nb) => {
  await nb.md(String.raw`
    ## The questions
    *RoPE 的结构* (Q14): what does rotary position embedding compute? *RoPE 外推性* (Q15): why does it
    extrapolate better than absolute encodings, and why is it "unbounded in theory"? *RoPE 兼具绝对与
    相对位置* (Q16): how is it absolute and relative at once?

    ## Structure (Q14)
    Split a query or key of width $d$ (one head) into $d/2$ pairs and treat each pair as a point in
    the plane. At position $m$, turn pair $i$ by the angle $m\theta_i$, with
    $\theta_i = 10000^{-2i/d}$: pair 0 turns 1 radian per token, the last pair about $10^{-4}$
    radian per token:

    $$\begin{pmatrix} y_{2i} \\ y_{2i+1} \end{pmatrix} = \begin{pmatrix} \cos m\theta_i & -\sin m\theta_i \\ \sin m\theta_i & \cos m\theta_i \end{pmatrix} \begin{pmatrix} x_{2i} \\ x_{2i+1} \end{pmatrix}$$

    Nothing is added to the token; nothing is learned. It is applied to q and k (not v) inside
    every attention layer. The whole answer, as the module writes it (row $m$ of x is position $m$):
  `);
  await nb.source('ml/rope.ts', 'rope');
  await nb.md(String.raw`
    Run on two copies of the token $[1, 0, 1, 0]$ ($d = 4$, so $\theta = [1, 0.01]$), at positions 0
    and 1: row 0 is unchanged, row 1 turns its pairs by 1 and 0.01 radian.
  `);
  const textbook = await nb.code(() =>
    rope(
      fromRows([
        [1, 0, 1, 0],
        [1, 0, 1, 0],
      ]),
    ),
  );
  await nb.check('rope, position 1: x0 = cos 1', textbook.data[4]!, Math.cos(1));
  await nb.check('rope, position 1: x1 = sin 1', textbook.data[5]!, Math.sin(1));

  await nb.md`
    Which coordinates form a pair is a convention, and the two conventions are both in wide use
    (\`applyRope\` takes a \`layout\`; the default is HF's 'half'):
  `;
  const d = 8;
  await nb.table(
    Array.from({ length: d / 2 }, (_, i) => ({
      pair: i,
      'theta_i (d = 8)': ropeFrequencies(d)[i]!.toPrecision(4),
      'interleaved (Meta LLaMA, GPT-J)': `(x${pairIndices(i, d, 'interleaved').join(', x')})`,
      'half / rotate_half (HF LLaMA, Qwen2, GPT-NeoX)': `(x${pairIndices(i, d, 'half').join(', x')})`,
    })),
    'Which coordinates turn together',
  );
  await nb.md`The token $[1, 0, 1, 0]$ at position 1, in each layout:`;
  const inter = await nb.code(() =>
    applyRope(fromRows([[1, 0, 1, 0]]), { layout: 'interleaved', positions: [1] }),
  );
  await nb.check('interleaved, position 1: x0 = cos 1', inter.data[0]!, Math.cos(1));
  const half = await nb.code(() =>
    applyRope(fromRows([[1, 0, 1, 0]]), { layout: 'half', positions: [1] }),
  );
  await nb.check('half, position 1: x0 = cos 1 - sin 1', half.data[0]!, -0.301169, { tol: 1e-6 });

  await nb.md(String.raw`
    ## Absolute in, relative out (Q16)
    Each vector is rotated by its own **absolute** position. But a rotation by $m$ followed by the
    transpose of a rotation by $n$ is a rotation by $n - m$, so

    $$\langle R_m q, R_n k \rangle = q^\top R_m^\top R_n k = q^\top R_{n-m} k:$$

    the attention score sees only the **relative** offset. No learned table, no $n \times n$ bias
    matrix. Inputs: $q = [0.3, -1.2, 0.7, 2]$, $k = [1.1, 0.4, -0.5, 0.9]$, interleaved layout.
  `);
  const q = [0.3, -1.2, 0.7, 2];
  const k = [1.1, 0.4, -0.5, 0.9];
  const s31 = ropeScore(q, k, 3, 1, { layout: 'interleaved' });
  const s75 = await nb.code(() => ropeScore(q, k, 7, 5, { layout: 'interleaved' }));
  await nb.check('<R3 q, R1 k> = <R7 q, R5 k> (offset 2 both times)', s75, s31, { tol: 1e-12 });
  await nb.check('the same score', s31, 2.854118, { tol: 1e-6 });

  await nb.md(String.raw`
    ## Converting between the layouts, and the pitfall
    Meta's checkpoints pair $(x_0, x_1)$, HF's code pairs $(x_0, x_{d/2})$. HF's conversion script
    permutes the rows of every head of $W_Q$ and $W_K$ by $P = (0, 2, 4, \ldots, 1, 3, 5, \ldots)$,
    so that $q_{half} = P q_{interleaved}$ and $\mathrm{half}(P q) = P\,\mathrm{interleaved}(q)$:
    same scores. Forget the permutation ('pitfallUnpermutedRopeWeights') and the model rotates
    pairs it was never trained on. A subtler bug ('pitfallMixedLayoutRope') mixes the two inside
    one implementation: adjacent pairs, but angles read from the half layout's cos/sin table, so the
    two members of a pair turn by different angles. That is not a rotation, and the score is no
    longer relative. Inputs below: one head of width 8, $W_Q, W_K$ random $8 \times 16$, six random
    tokens of width 16 (seed 3), positions 0..5.
  `);
  const r = rng(3);
  await nb.code(() => interleavedToHalfPermutation(8));
  const headScores = (x: Matrix, wq: Matrix, wk: Matrix, rope: (m: Matrix) => Matrix) =>
    matmulTransposed(rope(linear(x, wq)), rope(linear(x, wk)));
  const [wq, wk, x] = [randomMatrix(8, 16, r), randomMatrix(8, 16, r), randomMatrix(6, 16, r)];
  const original = headScores(x, wq, wk, (m) => applyRope(m, { layout: 'interleaved' }));
  const converted = headScores(x, permuteRopeWeights(wq, 1), permuteRopeWeights(wk, 1), (m) =>
    applyRope(m, { layout: 'half' }),
  );
  const [wqRaw, wkRaw] = [pitfallUnpermutedRopeWeights(wq, 1), pitfallUnpermutedRopeWeights(wk, 1)];
  const unconverted = headScores(x, wqRaw, wkRaw, (m) => applyRope(m, { layout: 'half' }));
  await nb.check(
    'max |scores(Meta weights, interleaved) - scores(permuted weights, half)|',
    maxAbsDiff(original, converted),
    0,
    { tol: 1e-12 },
  );
  const wrongGap = maxAbsDiff(original, unconverted);
  await nb.claim(
    'without the permutation the scores change',
    wrongGap > 0.1,
    `max |difference| = ${wrongGap.toFixed(3)}`,
  );
  const mixed = (m: number, n: number) => {
    const a = pitfallMixedLayoutRope(fromRows([q]), { positions: [m] });
    const b = pitfallMixedLayoutRope(fromRows([k]), { positions: [n] });
    return a.data.reduce((s, v, j) => s + v * b.data[j]!, 0);
  };
  await nb.claim(
    'the mixed-layout pitfall is not relative',
    Math.abs(mixed(3, 1) - mixed(7, 5)) > 1e-3,
    `<R3 q, R1 k> = ${mixed(3, 1).toFixed(6)} but <R7 q, R5 k> = ${mixed(7, 5).toFixed(6)}`,
  );

  await nb.md(String.raw`
    ## Long-term decay
    RoFormer (sec. 3.4.3) writes the score as $\sum_i h_i e^{\mathrm{i}(m-n)\theta_i}$ over complex
    pairs and bounds it by summation by parts:
    $|\mathrm{score}| \le \max_i |h_{i+1} - h_i| \sum_j |S_j|$, with
    $S_j = \sum_{i<j} e^{\mathrm{i}(m-n)\theta_i}$. The second factor depends only on the distance,
    and it decays (with ripples): far tokens *can* score high, but the ceiling comes down. (It is a
    bound, not a promise that every score shrinks.) Plotted for $d = 128$, distances 0 to 1000:
  `);
  const distances = Array.from({ length: 201 }, (_, i) => i * 5);
  const bound = distances.map((dist) => relativeDecayBound(128, dist));
  await nb.plot({
    kind: 'line',
    title: 'RoFormer decay factor (1 / (d/2)) sum_j |S_j|, d = 128',
    x: { label: 'relative distance m - n', values: distances },
    y: { label: 'bound factor' },
    series: [{ name: 'd = 128, base 10000', values: bound }],
  });
  await nb.check('factor at distance 0 = (d/2 + 1) / 2', bound[0]!, 32.5);
  await nb.claim(
    'the factor has come down by 3x at distance 500',
    bound[100]! < bound[0]! / 3,
    `${bound[100]!.toFixed(2)} at 500 vs ${bound[0]!.toFixed(2)} at 0`,
  );

  await nb.md(String.raw`
    ## Beyond the training length (Q15)
    "Unbounded in theory": the rotation is defined for every position, never blows up (norms are
    preserved), and the score is exactly relative, so nothing in the formula stops at the training
    length L. A learned absolute table simply has no row L; a sinusoidal encoding is added to the
    token and shifts its input distribution.

    "Not in practice": pair $i$ completes a turn every $2\pi / \theta_i$ tokens. The fast pairs
    turn many times within $L$, so every angle has been seen in training. The slow pairs
    ($L\theta_i < 2\pi$) have only ever seen angles up to $(L - 1)\theta_i$; past $L$ they show
    angles the trained weights have never met, and attention degrades. The measure below is the
    worst ratio (angle now) / (largest angle seen in training) over those slow pairs, for $d = 128$
    and $L = 2048$, at positions $L - 1$, $2L$ and $4L - 1$:

    - **Position interpolation** (PI, Chen et al. 2023) divides positions by $s = L' / L$: every
      angle stays in the trained range, at the price of crowding neighbours (fine-tuning recovers it).
    - **NTK-aware scaling** raises the base to $b\,s^{d/(d-2)}$: the slowest pair turns exactly $s$
      times slower (PI's effect there) while the fast pairs, which carry local order, barely change.
  `);
  const L = 2048;
  const rows = [L - 1, 2 * L, 4 * L - 1].map((p) => ({
    position: p,
    'plain RoPE': angleOvershoot(p, L, 128).toFixed(3),
    'PI, s = 4': angleOvershoot(p, L, 128, { scaling: { kind: 'linear', factor: 4 } }).toFixed(3),
    'NTK, s = 4': angleOvershoot(p, L, 128, { scaling: { kind: 'ntk', factor: 4 } }).toFixed(3),
  }));
  await nb.table(
    rows,
    'Worst angle overshoot of the slow pairs (<= 1: all angles seen in training)',
  );
  await nb.check(
    'plain RoPE at 4L - 1: angles about 4x the trained range',
    angleOvershoot(4 * L - 1, L, 128),
    4,
    { tol: 0.01 },
  );
  await nb.check(
    'PI at 4L - 1: inside the trained range',
    angleOvershoot(4 * L - 1, L, 128, { scaling: { kind: 'linear', factor: 4 } }),
    1,
    { tol: 0.001 },
  );
  const ntk = angleOvershoot(4 * L - 1, L, 128, { scaling: { kind: 'ntk', factor: 4 } });
  await nb.claim(
    'NTK at 4L - 1: overshoot between PI and plain',
    ntk > 1 && ntk < 2,
    `${ntk.toFixed(3)}: the middle pairs still extrapolate a little`,
  );

  const qv = Array.from(r.array(128, () => r.normal()));
  const span = Array.from({ length: 161 }, (_, i) => i * 51);
  const curve = (scaling?: { kind: 'linear' | 'ntk'; factor: number }) =>
    span.map((dist) => ropeScore(qv, qv, dist, 0, scaling ? { scaling } : {}) / 128);
  await nb.plot({
    kind: 'line',
    title: 'Score <RoPE(q, m), RoPE(q, 0)> / d for a random q, trained length L = 2048, out to 4L',
    x: { label: 'distance m', values: span },
    y: { label: 'score / d' },
    series: [
      { name: 'plain RoPE', values: curve() },
      { name: 'PI, s = 4', values: curve({ kind: 'linear', factor: 4 }) },
      { name: 'NTK, s = 4', values: curve({ kind: 'ntk', factor: 4 }) },
    ],
  });
  await nb.check(
    'PI at distance 4 * 2000 scores what plain RoPE scores at 2000',
    ropeScore(qv, qv, 8000, 0, { scaling: { kind: 'linear', factor: 4 } }),
    ropeScore(qv, qv, 2000, 0),
    { tol: 1e-9 },
  );

  const { name } = await tensorBackend();
  const xs = randomMatrix(64, 64, r);
  const gaps = await Promise.all(
    (['interleaved', 'half'] as const).map(async (layout) => {
      const options = { layout, offset: 100 };
      return maxAbsDiff(applyRope(xs, options), await ropeTfMatrix(xs, options));
    }),
  );
  await nb.md`TensorFlow.js (backend **${name}**, float32), written HF-style as x cos + rotate(x) sin, on 64 tokens of width 64 at positions 100..163:`;
  await nb.claim(
    'from scratch and tfjs agree in both layouts',
    Math.max(...gaps) < 1e-4,
    `max |difference| = ${gaps.map((g) => g.toExponential(2)).join(', ')} < 1e-4`,
  );

  await nb.md`
    ## Complexity
    $O(n d)$ per sequence: $d/2$ rotations of 4 multiply-adds per token, no parameters, fused into the
    q/k projection in practice (cos/sin tables cached per position).

    ## When not to use it
    Encoder-only models with short fixed lengths gain little over a learned table. For lengths far
    beyond training, RoPE alone is not enough: use PI / NTK / YaRN with some fine-tuning, or ALiBi-
    style biases. And never load weights trained in one layout with code written for the other
    without HF's permutation.
  `;
});

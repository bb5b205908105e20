/**
 * Notebook for Q19: the SwiGLU formula, its relatives, and why LLaMA's FFN is 11008 wide.
 * Run: npm start -- run swiglu
 */
import {
  ffnParamCount,
  geglu,
  geluErf,
  geluTanh,
  initGatedFfn,
  llamaHiddenSize,
  pitfallLlamaHiddenSizeRoundedDown,
  pitfallSwigluGateAfterProduct,
  relu,
  silu,
  swiglu,
  swigluTfMatrix,
} from '../ml/swiglu.js';
import { tensorBackend } from '../core/backend.js';
import { Counter } from '../core/counter.js';
import { fromRows, maxAbsDiff, randomMatrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

export default defineNotebook(import.meta.url, 'swiglu', async (nb) => {
  await nb.md(String.raw`
    ## The question
    *SwiGLU 公式.* Write the SwiGLU feed-forward network and say why LLaMA uses it.

    ## The formula
    The original Transformer FFN is two projections with a ReLU between them, hidden size $4d$:
    $\mathrm{FFN}(x) = \max(0, x W_1^\top + b_1) W_2^\top + b_2$. A *gated* FFN (Shazeer 2020, "GLU
    Variants Improve Transformer") computes two projections of x and lets one gate the other:

    $$\mathrm{SwiGLU}(x) = \big(\mathrm{SiLU}(x W_{gate}^\top) \odot x W_{up}^\top\big) W_{down}^\top, \qquad \mathrm{SiLU}(z) = z\,\sigma(z)$$

    (Swish with $\beta = 1$), and no biases. GeGLU is the same with GELU as the gate. Weights are
    stored as in PyTorch's nn.Linear, $[d_{out}, d_{in}]$: w1 ($W_{gate}$, gate_proj) and w3
    ($W_{up}$, up_proj) are [hidden, d], w2 ($W_{down}$, down_proj) is [d, hidden]. The answer, as
    the module writes it:
  `);
  await nb.source('ml/swiglu.ts', 'swiglu');
  await nb.md`
    Run on one token $x = [1, 2]$ with $W_{gate} = [1, 0]$ (the gate reads $x_0$), $W_{up} = [0, 1]$
    (the up value is $x_1$) and $W_{down} = [[1], [1]]$ (copy to both outputs):
  `;
  const y = await nb.code(() =>
    swiglu(fromRows([[1, 2]]), {
      w1: fromRows([[1, 0]]),
      w3: fromRows([[0, 1]]),
      w2: fromRows([[1], [1]]),
    }),
  );
  await nb.check('the gate SiLU(1) = 0.7311 times the up value 2', y.data[0]!, 2 * silu(1));
  const slip = pitfallSwigluGateAfterProduct(fromRows([[1, 2]]), {
    w1: fromRows([[1, 0]]),
    w3: fromRows([[0, 1]]),
    w2: fromRows([[1], [1]]),
  });
  await nb.md(String.raw`
    The common slip puts the gate after the product, $\mathrm{SiLU}(x W_{gate}^\top \odot x W_{up}^\top)$
    ('pitfallSwigluGateAfterProduct'): on the same input it gives SiLU(1 * 2) = SiLU(2), not SiLU(1) * 2.
  `);
  await nb.claim(
    'the gate-after-product pitfall gives a different output',
    Math.abs(slip.data[0]! - y.data[0]!) > 0.1,
    `SiLU(2) = ${slip.data[0]!.toFixed(4)} vs SiLU(1) * 2 = ${y.data[0]!.toFixed(4)}`,
  );

  const zs = Array.from({ length: 41 }, (_, i) => -4 + i * 0.2);
  await nb.plot({
    kind: 'line',
    title: 'Gate activations',
    x: { label: 'z', values: zs },
    y: { label: 'activation' },
    series: [
      { name: 'ReLU', values: zs.map(relu) },
      { name: 'SiLU = z sigmoid(z)', values: zs.map(silu) },
      { name: 'GELU (exact)', values: zs.map(geluErf) },
    ],
  });
  await nb.md(String.raw`
    The gates on $z \in [-4, 4]$: SiLU is smooth and lets small negative values through (its minimum
    is -0.2785 at z = -1.2785), so the gate has a gradient everywhere, unlike ReLU's dead zone.

    ## Exact GELU or the tanh approximation?
    GELU(z) = z * Phi(z) = 0.5 z (1 + erf(z / sqrt 2)) exactly (PyTorch's default); GPT-2 used the
    approximation 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))). The module's GeGLU uses the exact
    form unless given approximate: 'tanh'. At z = 1:
  `);
  await nb.check('exact GELU(1) = Phi(1)', geluErf(1), 0.8413447460685429, { tol: 1e-15 });
  await nb.check('tanh-approximate GELU(1)', geluTanh(1), 0.8411919906082768, { tol: 1e-15 });
  const worst = Math.max(
    ...Array.from({ length: 1201 }, (_, i) =>
      Math.abs(geluErf(-6 + i / 100) - geluTanh(-6 + i / 100)),
    ),
  );
  await nb.claim(
    'the two differ by under 5e-4 anywhere',
    worst < 5e-4,
    `max |exact - tanh| on [-6, 6] = ${worst.toExponential(2)}`,
  );

  await nb.md(String.raw`
    ## The hidden size that keeps the parameter count
    The ReLU FFN has 2 matrices of $d \times 4d$: $8 d^2$ parameters. A gated FFN has 3 matrices of
    $d \times h$, so $h = \frac{2}{3} 4d = \frac{8d}{3}$ keeps the count. LLaMA's FeedForward takes
    $\lfloor 8d/3 \rfloor$ and rounds it **up** to a multiple of 256 (multiple_of), for fast matrix
    kernels. For d = 4096:
  `);
  const hidden = await nb.code(() => llamaHiddenSize(4096));
  await nb.check('hidden size for d = 4096 (Llama 7B intermediate_size)', hidden, 11008);
  await nb.check(
    'the pitfall that rounds down gives 10752 instead',
    pitfallLlamaHiddenSizeRoundedDown(4096),
    10752,
  );
  const dims = [1024, 2048, 4096, 5120, 8192];
  const rows = dims.map((d) => {
    const h = llamaHiddenSize(d);
    const reluParams = ffnParamCount('relu', d, 4 * d);
    const gatedParams = ffnParamCount('gated', d, h);
    return {
      d,
      'ReLU hidden 4d': 4 * d,
      'SwiGLU hidden': h,
      'ReLU params': reluParams,
      'SwiGLU params': gatedParams,
      'relative gap': `${((100 * (gatedParams - reluParams)) / reluParams).toFixed(2)}%`,
    };
  });
  await nb.table(rows, 'Parameters per FFN (no biases): 2 d (4d) vs 3 d h');
  const gap4096 =
    (ffnParamCount('gated', 4096, 11008) - ffnParamCount('relu', 4096, 16384)) /
    ffnParamCount('relu', 4096, 16384);
  await nb.check('relative gap at d = 4096 (rounding up adds 86 hidden units)', gap4096, 0.0078125);
  await nb.md`
    Models with grouped-query attention save attention parameters, and Llama 2 70B spends them back
    with \`ffn_dim_multiplier\` 1.3 and \`multiple_of\` 4096:
  `;
  await nb.check(
    'Llama 2 70B hidden size (d = 8192)',
    llamaHiddenSize(8192, { ffnDimMultiplier: 1.3, multipleOf: 4096 }),
    28672,
  );

  const { name } = await tensorBackend();
  const r = rng(19);
  const x = randomMatrix(16, 64, r);
  const w = initGatedFfn(64, llamaHiddenSize(64, { multipleOf: 32 }), r);
  const gap = maxAbsDiff(swiglu(x, w), await swigluTfMatrix(x, w));
  await nb.md`
    The same SwiGLU in TensorFlow.js (backend **${name}**, float32) on 16 random tokens (seed 19),
    d = 64, hidden ${w.w1.rows} (LLaMA's rule with multiple_of 32), weights N(0, 1/d):
  `;
  await nb.claim(
    'from scratch and tfjs agree',
    gap < 1e-4,
    `max |difference| = ${gap.toExponential(2)} < 1e-4`,
  );

  const ops = new Counter();
  geglu(x, w, 'none', ops);
  await nb.md`
    ## Cost
    Three projections instead of two, on a smaller hidden size: $3 n d h$ multiply-adds for n tokens,
    which at $h = 8d/3$ equals the ReLU FFN's $2 n d (4d)$. Counted for GeGLU on the same 16 tokens:
  `;
  await nb.check('multiply-adds = 3 n d h', ops.get('madds'), 3 * 16 * 64 * w.w1.rows);
  await nb.md`
    ## When not to use it
    Gating wins on language-model quality at equal parameters and compute (Shazeer's table; every
    LLaMA / Qwen / Mistral FFN), but it needs three matrix reads instead of two per token, which
    matters in memory-bound decoding; for a small model or a non-language task a plain ReLU / GELU
    MLP is simpler and often just as good. Keep the activation a model was trained with: SiLU and
    GELU are not interchangeable after training.
  `;
});

/**
 * Notebook for Q20: what LLaMA / Qwen changed in the Transformer block, the two blocks built from
 * the same parts, exact parameter totals for GPT-2 small and Llama-2-7B, and a tiny forward pass.
 * Run: npm start -- run transformer-block
 */
import {
  GPT2_SMALL,
  LLAMA2_7B,
  QWEN2_0_5B,
  blockForward,
  blockParamCount,
  blockTfMatrix,
  initBlock,
  modelParamCount,
  originalBlockConfig,
  pitfallBlockParamCountRuleOfThumb,
  pitfallPreNormBlockResidualAfterNorm,
  pitfallSwappedNormPlacement,
  qwenBlockConfig,
  type BlockConfig,
  type BlockWeights,
} from '../ml/transformer-block.js';
import { addPositions, sinusoidalEncoding } from '../ml/positional-encoding/index.js';
import { tensorBackend } from '../core/backend.js';
import { matrix, maxAbsDiff, randomMatrix, toRows } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

/** One row per switch of a BlockConfig, read off the config itself. */
function describeParts(config: BlockConfig): Record<string, string> {
  const h = config.numHeads;
  const hkv = config.numKvHeads ?? h;
  return {
    'norm placement':
      config.placement === 'post' ? 'post-norm: norm(x + f(x))' : 'pre-norm: x + f(norm(x))',
    norm: config.norm === 'layer' ? 'LayerNorm (gain + bias)' : 'RMSNorm (gain only)',
    FFN:
      config.ffn === 'swiglu'
        ? 'SwiGLU, 3 matrices, no biases'
        : `${FFN_NAMES[config.ffn]}, 2 matrices${config.ffnBias === false ? '' : ' + biases'}`,
    attention: hkv === h ? `MHA, ${h} heads` : `GQA, ${h} query / ${hkv} kv heads`,
    'attention biases':
      config.attentionBias === 'all'
        ? 'q, k, v, o'
        : config.attentionBias === 'qkv'
          ? 'q, k, v (no o)'
          : 'none',
    positions: config.rope
      ? 'RoPE on q, k inside attention'
      : 'added to the input, outside the block',
  };
}

const FFN_NAMES = { relu: 'ReLU', gelu: 'GELU', 'gelu-tanh': 'GELU (tanh)' } as const;

export default defineNotebook(import.meta.url, 'transformer-block', async (nb) => {
  await nb.md(String.raw`
    ## The question
    *Qwen 结构改进.* What does a Qwen (LLaMA-family) block change compared with the original
    Transformer block, and why?

    ## Two blocks, one set of parts
    As in the papers, with $x$ the residual stream:

    - original (post-LN): $h = \mathrm{LN}(x + \mathrm{MHA}(x))$, $\;y = \mathrm{LN}(h + \mathrm{FFN}(h))$
    - LLaMA / Qwen (pre-LN): $h = x + \mathrm{GQA}(\mathrm{RMSNorm}(x))$, $\;y = h + \mathrm{SwiGLU}(\mathrm{RMSNorm}(h))$

    The module's forward is those two lines, with the parts the config picks:
  `);
  await nb.source('ml/transformer-block.ts', 'blockForward');
  await nb.md`
    The parts come from the project's own modules: multiHeadAttentionMasked (with GQA and RoPE as its
    per-head hook), layerNorm / rmsNorm, denseFfn (ReLU or GELU) / swiglu; the tensor twin blockTf is
    composed the same way of their twins. Here are the two configs at d = 896 (Qwen2-0.5B's width,
    14 heads, 2 kv heads, FFN 4864) next to the original at the same width (FFN 4 d):
  `;
  const original = originalBlockConfig({ dModel: 896, numHeads: 14, ffnHidden: 4 * 896 });
  const qwen = QWEN2_0_5B.block;
  const a = describeParts(original);
  const b = describeParts(qwen);
  await nb.table(
    Object.keys(a).map((part) => ({
      part,
      'original (Vaswani et al. 2017)': a[part],
      'Qwen2 / LLaMA': b[part],
    })),
    'The two blocks side by side',
  );
  const [po, pq] = [blockParamCount(original), blockParamCount(qwen)];
  await nb.table(
    [
      { piece: 'attention', original: po.attention, 'Qwen2 / LLaMA': pq.attention },
      { piece: 'FFN', original: po.ffn, 'Qwen2 / LLaMA': pq.ffn },
      { piece: 'norms', original: po.norms, 'Qwen2 / LLaMA': pq.norms },
      { piece: 'total per block', original: po.total, 'Qwen2 / LLaMA': pq.total },
    ],
    'Parameters per block at d = 896: GQA cuts the k and v projections to 2 / 14; the SwiGLU FFN is 3 x 896 x 4864',
  );
  await nb.md`
    Why each change: **pre-norm** leaves an identity path from input to output, so gradients reach
    early layers in a deep stack without a learning-rate warm-up dance (the price: the residual
    stream grows, so a final norm is needed). **RMSNorm** drops the mean and the bias (fewer
    reductions, same quality). **SwiGLU** gates the FFN and wins at equal parameters. **RoPE**
    encodes relative position inside attention and needs no table. **GQA** shares key/value heads
    and shrinks the KV cache by h / h_kv (7x here). **Biases** are gone, except Qwen2 keeps them on
    q, k, v.

    ## Parameter totals, exactly
    The counter works from a config. What each count includes: GPT-2 small has a learned table of
    1024 positions, a final LayerNorm and an output head tied to the token embedding (counted once);
    Llama-2-7B has no biases, RMSNorm gains, vocab 32000, FFN 11008, and an untied lm_head.
  `;
  const models = [
    { name: 'GPT-2 small', config: GPT2_SMALL, published: 124_439_808 },
    { name: 'Llama-2-7B', config: LLAMA2_7B, published: 6_738_415_616 },
    { name: 'Qwen2-0.5B', config: QWEN2_0_5B, published: undefined },
  ];
  await nb.table(
    models.map(({ name, config, published }) => {
      const c = modelParamCount(config);
      return {
        model: name,
        'token embedding': c.tokenEmbedding,
        positions: c.positionEmbedding,
        'blocks (L x per block)': `${config.numLayers} x ${c.perBlock.total}`,
        'final norm': c.finalNorm,
        'lm head': c.lmHead === 0 ? 'tied' : c.lmHead,
        total: c.total,
        published: published ?? '0.49B (card)',
      };
    }),
    'Parameter counts from the config',
  );
  const gpt2 = await nb.code(() => modelParamCount(GPT2_SMALL).total);
  await nb.check('GPT-2 small total', gpt2, 124_439_808);
  const llama = await nb.code(() => modelParamCount(LLAMA2_7B).total);
  await nb.check('Llama-2-7B total', llama, 6_738_415_616);
  const rule = GPT2_SMALL.numLayers * pitfallBlockParamCountRuleOfThumb(GPT2_SMALL.block);
  await nb.md`
    The rule of thumb $12 L d^2$ ($4 d^2$ attention + $8 d^2$ FFN per block, the pitfall
    pitfallBlockParamCountRuleOfThumb) gives ${rule.toLocaleString('en-US')} for GPT-2's blocks,
    ${(modelParamCount(GPT2_SMALL).blocks - rule).toLocaleString('en-US')} short: it forgets the
    $13 d$ biases and norm parameters per block. Good for estimates, not for "exactly".
  `;

  await nb.md`
    ## A tiny forward pass
    Inputs: d = 8, 4 query heads (2 kv heads in Qwen2), FFN 32 = 4 d for the original and 16 for
    SwiGLU, five random tokens (seed 20), causal. The original block gets sinusoidal positions added
    to its input (outside the block); the Qwen block rotates q and k. Each is run from scratch
    (Float64 loops through the part modules) and as blockTf, composed of the parts' tensor twins,
    float32.
  `;
  const r = rng(20);
  const tiny = { dModel: 8, numHeads: 4, ffnHidden: 16 };
  const blocks = [
    { name: 'original', config: originalBlockConfig({ ...tiny, ffnHidden: 32 }) },
    { name: 'Qwen2', config: qwenBlockConfig({ ...tiny, numKvHeads: 2 }) },
  ];
  const tokens = randomMatrix(5, 8, r);
  const { name: backend } = await tensorBackend();
  const rows = [];
  const pitfallRows = [];
  let lastQwen: { x: typeof tokens; w: BlockWeights; config: BlockConfig } | undefined;
  for (const { name, config } of blocks) {
    const x = config.rope ? tokens : addPositions(tokens, sinusoidalEncoding(5, 8));
    const w = initBlock(config, r);
    const mine = blockForward(x, w, config, { causal: true });
    const theirs = await blockTfMatrix(x, w, config, { causal: true });
    if (config.rope) lastQwen = { x, w, config };
    pitfallRows.push({
      block: name,
      'max |swapped placement - right|': maxAbsDiff(
        pitfallSwappedNormPlacement(x, w, config, { causal: true }),
        mine,
      ).toFixed(3),
    });
    rows.push({
      block: name,
      'output row 4 (first 4 of 8)': toRows(mine)[4]!
        .slice(0, 4)
        .map((v) => v.toFixed(4))
        .join(', '),
      'max |from scratch - tfjs|': maxAbsDiff(mine, theirs).toExponential(2),
    });
    await nb.claim(
      `${name} block: from scratch and tfjs (${backend}) agree`,
      maxAbsDiff(mine, theirs) < 1e-4,
      `max |difference| = ${maxAbsDiff(mine, theirs).toExponential(2)} < 1e-4`,
    );
    // causal: changing the last token leaves rows 0..3 as they were
    const changed = matrix(
      5,
      8,
      x.data.map((v, i) => (i >= 32 ? v + 1 : v)),
    );
    const again = blockForward(changed, w, config, { causal: true });
    await nb.claim(
      `${name} block is causal`,
      maxAbsDiff(
        matrix(4, 8, again.data.subarray(0, 32)),
        matrix(4, 8, mine.data.subarray(0, 32)),
      ) === 0,
      'rows 0..3 unchanged when token 4 changes',
    );
  }
  await nb.table(rows, 'Tiny forward pass, causal');

  await nb.md(String.raw`
    ## Pitfalls: where the norm goes
    Two slips an interviewer listens for. Swapping the placement (pitfallSwappedNormPlacement:
    writing the original block as $x + f(\mathrm{norm}(x))$, or LLaMA's as $\mathrm{norm}(x + f(x))$)
    runs the same weights through a different function. And a pre-norm block whose residual
    starts from the normalized input (pitfallPreNormBlockResidualAfterNorm,
    $\mathrm{norm}(x) + f(\mathrm{norm}(x))$) loses the identity path: with both sublayers silenced
    (zero output projections) the right block gives back x exactly, the slip does not.
  `);
  await nb.table(pitfallRows, 'The same tiny runs with the placement swapped');
  if (lastQwen) {
    const { x, w, config } = lastQwen;
    const zero = (m: { rows: number; cols: number }) => matrix(m.rows, m.cols);
    const silent: BlockWeights = {
      ...w,
      attention: { ...w.attention, wo: zero(w.attention.wo) },
      ffn: { ...w.ffn, w2: zero(w.ffn.w2) },
    };
    await nb.check(
      'Qwen2 block with silenced sublayers: max |y - x|',
      maxAbsDiff(blockForward(x, silent, config), x),
      0,
    );
    const slip = maxAbsDiff(pitfallPreNormBlockResidualAfterNorm(x, silent, config), x);
    await nb.claim(
      'the residual-after-norm pitfall does not give back x',
      slip > 0.1,
      `max |y - x| = ${slip.toFixed(3)}`,
    );
  }

  await nb.md`
    ## When not to use the original block
    Post-norm is rarely used for deep decoders today: it needs warm-up and careful init beyond a
    few dozen layers (it can still win at small depth, and DeepNet-style scaling rescues it). Keep
    learned absolute positions only when sequences never exceed the training length. And the
    parameter counter counts weights only: memory at training time is dominated by optimizer state
    and activations, and at inference by the KV cache (see long-context).
  `;
});

/**
 * Notebook for Q23: what limits the input length of an LLM, and how long-context models get past
 * it.
 * Run: npm start -- run long-context
 */
import {
  LLAMA2_7B,
  REMEDIES,
  attentionFlops,
  contextLimits,
  crossoverLength,
  kvCacheBytes,
  kvCacheBytesPerToken,
  linearFlops,
  pitfallAttentionFlopsFullSquare,
  pitfallKvCacheKeysOnly,
  pitfallKvCacheWithQueryHeads,
  scoreMatrixBytes,
  type Deployment,
  type LongContextOptions,
  type ModelConfig,
} from '../ml/long-context.js';
import { attentionMasked } from '../ml/scaled-dot-product-attention.js';
import { Counter } from '../core/counter.js';
import { randomMatrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

const GiB = 2 ** 30;

export default defineNotebook(import.meta.url, 'long-context', async (nb) => {
  await nb.md(String.raw`
    ## The question
    *限制输入长度的因素; 长上下文.* What limits how long an LLM's input can be, and how do
    current models handle long context?

    ## Three walls
    1. **Compute**: attention compares every query with every earlier key, $O(n^2 d)$ per layer,
       while the projections and FFN are $O(n d^2)$. Past $n \approx 12 d$ the quadratic term
       dominates.
    2. **Memory**: every token keeps its keys and values in every layer (the KV cache),
       $2 \cdot L \cdot h_{kv} \cdot d_h \cdot b$ bytes per token; and a naive kernel materialises
       an $n \times n$ score matrix per head.
    3. **Position**: a model trained on $L_{train}$ positions has never seen a relative distance
       beyond it; RoPE extrapolates poorly past it, so quality collapses even when the hardware
       copes.

    ## The textbook calculators
    With $L$ layers, $h$ query heads, $h_{kv}$ key/value heads of width $d_h$, $b$ bytes per
    element and batch $B$, a causal prefill of $n$ tokens costs
    $$\text{FLOPs}_{attn} = 2 \cdot 2 d_h \cdot \frac{n (n + 1)}{2} \cdot h \cdot L \cdot B$$
    (two products, $Q K^T$ and weights $\times V$; 2 FLOPs per multiply-add), holds
    $$\text{KV bytes} = 2 \cdot L \cdot h_{kv} \cdot d_h \cdot b \cdot n \cdot B$$
    and a naive kernel holds $B \cdot h \cdot n^2 \cdot b$ bytes of scores for one layer.
    The code, read from ml/long-context.ts:
  `);
  await nb.source('ml/long-context.ts', 'attentionFlops');
  await nb.source('ml/long-context.ts', 'kvCacheBytes');
  await nb.source('ml/long-context.ts', 'scoreMatrixBytes');
  await nb.md`
    Llama-2-7B (MHA, 32 layers, $d = 4096$ as 32 heads of 128, fp16, trained on 4096 positions):
  `;
  const perToken = await nb.code(() => kvCacheBytesPerToken(LLAMA2_7B));
  await nb.check('KV cache per token = 2 * 32 layers * 4096 * 2 bytes (512 KiB)', perToken, 524288);
  const cache2048 = await nb.code(() => kvCacheBytes(LLAMA2_7B, 2048) / GiB);
  await nb.check('KV cache for 2048 tokens, GiB', cache2048, 1);
  await nb.md`
    Caching only the keys (pitfallKvCacheKeysOnly, the factor 2 for K and V forgotten) halves it:
  `;
  const keysOnly = await nb.code(() => pitfallKvCacheKeysOnly(LLAMA2_7B, 2048) / GiB);
  await nb.check('keys-only pitfall for 2048 tokens, GiB', keysOnly, 0.5);

  const tiny: ModelConfig = {
    layers: 2,
    dModel: 16,
    heads: 4,
    kvHeads: 2,
    headDim: 4,
    dtypeBytes: 2,
    batch: 1,
    trainedContext: 64,
  };
  const r = rng(23);
  const counter = new Counter();
  for (let k = 0; k < tiny.layers * tiny.heads; k++) {
    const [q, key, v] = [randomMatrix(40, 4, r), randomMatrix(40, 4, r), randomMatrix(40, 4, r)];
    attentionMasked(q, key, v, { causal: true }, counter);
  }
  await nb.md`
    The FLOP formula is checked against a brute-force count: the from-scratch causal attention
    kernel (attentionMasked in ml/scaled-dot-product-attention.ts) run once per layer and head
    of a tiny model (2 layers, 4 heads of width 4, 2 KV heads) on $n = 40$ random tokens, counting
    its multiply-adds. Counting all $n^2$ pairs (pitfallAttentionFlopsFullSquare) is the
    common slip: a causal mask halves the work.
  `;
  const kernelFlops = 2 * counter.get('madds');
  const flops40 = await nb.code(() => attentionFlops(tiny, 40));
  await nb.check('attentionFlops(tiny, 40) vs 2 * the kernel count', flops40, kernelFlops);
  await nb.claim(
    'the full-square count is wrong by a factor 2n / (n + 1)',
    pitfallAttentionFlopsFullSquare(tiny, 40) !== kernelFlops,
    `full square ${pitfallAttentionFlopsFullSquare(tiny, 40)} vs kernel ${kernelFlops}`,
  );

  const lengths = [1024, 4096, 16_384, 65_536, 262_144, 1_048_576];
  await nb.table(
    lengths.map((n) => ({
      n,
      'KV cache (GiB)': (kvCacheBytes(LLAMA2_7B, n) / GiB).toFixed(2),
      'naive scores, one layer (GiB)': (scoreMatrixBytes(LLAMA2_7B, n) / GiB).toFixed(2),
      'attention TFLOP': (attentionFlops(LLAMA2_7B, n) / 1e12).toFixed(1),
      'projection + FFN TFLOP': (linearFlops(LLAMA2_7B, n) / 1e12).toFixed(1),
    })),
    'Llama-2-7B, batch 1, one causal prefill of n tokens',
  );
  await nb.plot({
    kind: 'line',
    title: 'Llama-2-7B prefill: memory and FLOPs vs context length',
    x: { label: 'context length n', values: lengths, log: true },
    y: { label: 'GiB or TFLOP', log: true },
    series: [
      { name: 'KV cache (GiB)', values: lengths.map((n) => kvCacheBytes(LLAMA2_7B, n) / GiB) },
      {
        name: 'naive n x n scores, one layer (GiB)',
        values: lengths.map((n) => scoreMatrixBytes(LLAMA2_7B, n) / GiB),
      },
      {
        name: 'attention (TFLOP)',
        values: lengths.map((n) => attentionFlops(LLAMA2_7B, n) / 1e12),
      },
      {
        name: 'projections + FFN (TFLOP)',
        values: lengths.map((n) => linearFlops(LLAMA2_7B, n) / 1e12),
      },
    ],
  });
  const crossover = crossoverLength(LLAMA2_7B);
  await nb.claim(
    'attention FLOPs overtake the rest near n = 12 d',
    Math.abs(crossover / 4096 - 12) < 1,
    `crossover at n = ${crossover} = ${(crossover / 4096).toFixed(2)} d`,
  );

  await nb.md`
    ## Which wall comes first
    Put the model on one 80 GB accelerator (13.5 GB of fp16 weights, 200 TFLOP/s sustained) and
    allow 10 s to read the prompt. Then switch the remedies on one at a time:
  `;
  const gpu: Deployment = {
    memoryBytes: 80e9,
    weightBytes: 13.5e9,
    flopsPerSecond: 200e12,
    prefillSeconds: 10,
  };
  const gqa8 = { ...LLAMA2_7B, kvHeads: 8 };
  const scenarios: { name: string; config: ModelConfig; options: LongContextOptions }[] = [
    { name: 'as trained', config: LLAMA2_7B, options: {} },
    { name: '+ RoPE scaling x32', config: LLAMA2_7B, options: { ropeScale: 32 } },
    { name: '+ FlashAttention', config: LLAMA2_7B, options: { ropeScale: 32, flash: true } },
    { name: '+ GQA (8 KV heads)', config: gqa8, options: { ropeScale: 32, flash: true } },
    {
      name: '+ sliding window 4096',
      config: gqa8,
      options: { ropeScale: 32, flash: true, window: 4096 },
    },
  ];
  const results = scenarios.map((s) => ({ ...s, limits: contextLimits(s.config, gpu, s.options) }));
  const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'unbounded');
  await nb.table(
    results.map(({ name, config, options, limits }) => ({
      scenario: name,
      'kv heads': config.kvHeads,
      options: JSON.stringify(options),
      compute: fmt(limits.compute),
      memory: fmt(limits.memory),
      position: fmt(limits.position),
      'binding wall': limits.binding,
      'max context': fmt(limits.maxContext),
    })),
    'contextLimits(config, gpu, options) for each scenario',
  );
  await nb.check('as trained, the binding wall', results[0]!.limits.binding, 'position');
  await nb.check('with RoPE scaling, the binding wall', results[1]!.limits.binding, 'memory');
  const [memRope, memFlash, memGqa] = [1, 2, 3].map((i) => results[i]!.limits.memory) as [
    number,
    number,
    number,
  ];
  await nb.claim(
    'FlashAttention then GQA each raise the memory wall',
    memFlash > memRope && memGqa > memFlash,
    `${fmt(memRope)} -> ${fmt(memFlash)} -> ${fmt(memGqa)} tokens`,
  );
  await nb.check('GQA with 8 KV heads: KV bytes per token', kvCacheBytesPerToken(gqa8), 131072);
  await nb.md`
    Sizing that cache with the query heads (pitfallKvCacheWithQueryHeads, the MHA formula
    applied to a GQA model) overstates it by $h / h_{kv} = 32 / 8 = 4$:
  `;
  const overstated = await nb.code(
    () => pitfallKvCacheWithQueryHeads(gqa8, 4096) / kvCacheBytes(gqa8, 4096),
  );
  await nb.check('query-heads pitfall / right answer, 4096 tokens', overstated, 4);
  await nb.check('with FlashAttention, the binding wall', results[2]!.limits.binding, 'compute');
  const [gqaLimits, windowLimits] = [results[3]!.limits, results[4]!.limits];
  await nb.claim(
    'a sliding window lifts the compute wall past the scaled positions',
    windowLimits.compute > gqaLimits.compute && windowLimits.binding === 'position',
    `compute ${fmt(gqaLimits.compute)} -> ${fmt(windowLimits.compute)} tokens; ` +
      `position binds at ${fmt(windowLimits.position)}`,
  );
  await nb.md(String.raw`
    With RoPE scaling the naive $n \times n$ scores are the first thing to break memory (48 GiB for
    one layer at 28k tokens). FlashAttention removes them and compute binds: the prompt's $O(n^2)$
    attention no longer fits the 10 s budget. GQA divides the KV cache (now the memory wall) by 4.
    A sliding window makes attention $O(n W)$ and caps the cache, at the price of not attending
    beyond $W$ tokens directly, and position is the wall again.

    ## The remedies and where they live
  `);
  await nb.table(
    REMEDIES.map((remedy) => ({
      remedy: remedy.name,
      'wall it moves': remedy.limits.join(', '),
      effect: remedy.effect,
      module: remedy.module,
      'knob here': remedy.knob,
    })),
  );
  await nb.md`
    Other long-context tools work on the data side: continued pre-training on long documents at
    the new length (needed after RoPE scaling), retrieval instead of a longer window (see the RAG
    family), KV-cache quantisation (dtypeBytes 1) and paged KV memory for serving many requests.

    ## When not to use this calculator
    It counts the matrix products and the cache, not kernel efficiency, other activations,
    communication between GPUs or the decode phase, whose cost per token is dominated by reading the
    weights and the KV cache. Use it for orders of magnitude and for which wall binds, not for
    latency predictions. And a model that *accepts* a long context may still not *use* it well:
    that is an evaluation question (needle-in-a-haystack, long-document QA), not an arithmetic one.
  `;
});

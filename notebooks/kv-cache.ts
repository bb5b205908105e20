/**
 * Notebook for Q27: why a KV cache, the decode step that uses it, how big it is (OPT-13B and
 * Llama-2 checked), what it saves (counted multiply-adds by length), how to make it smaller, and
 * when it does not help.
 * Run: npm start -- run kv-cache
 */
import {
  LLAMA2_70B_KV,
  LLAMA2_7B_KV,
  OPT_13B_KV,
  decodeStep,
  emptyKvCache,
  generateCached,
  generateRecomputed,
  initDecoderStack,
  kvBytesPerToken,
  kvCacheTotalBytes,
  pitfallDecodeStepForgetsToAppend,
  pitfallDecodeStepPositionZero,
  pitfallKvBytesPerTokenQueryHeads,
  type BlockKvCache,
  type KvCacheShape,
} from '../ml/kv-cache/index.js';
import {
  LLAMA2_7B,
  blockForward,
  initBlock,
  modelParamCount,
  llamaBlockConfig,
  type BlockConfig,
  type BlockWeights,
} from '../ml/transformer-block.js';
import { Counter } from '../core/counter.js';
import { matrix, maxAbsDiff, randomMatrix, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { defineNotebook } from '../notebook/index.js';

type Step = typeof decodeStep;

/** Every row of x through `step` from an empty cache; the output rows stacked and the cache. */
function decodeAll(step: Step, x: Matrix, weights: BlockWeights, config: BlockConfig) {
  let cache: BlockKvCache = emptyKvCache(config);
  const out = matrix(x.rows, x.cols);
  for (let i = 0; i < x.rows; i++) {
    const token = matrix(1, x.cols, x.data.subarray(i * x.cols, (i + 1) * x.cols));
    const r = step(token, cache, weights, config);
    out.data.set(r.output.data, i * x.cols);
    cache = r.cache;
  }
  return { out, cache };
}

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;

export default defineNotebook(import.meta.url, 'kv-cache', async (nb) => {
  await nb.md`
    ## The question
    *KV Cache 作用与优化*: why does LLM inference keep a KV cache, and what are the ways to
    make it cheaper?

    ## Why a cache
    A decoder generates one token at a time, and token t attends to the keys and values of
    tokens 0 .. t. With a causal mask nobody attends to the future, so the keys and values of
    tokens 0 .. t-1 (in every layer) are exactly what they were at the previous step. A decoder
    without a cache recomputes all of them at every step: generating n tokens pushes
    1 + 2 + ... + n = n (n + 1) / 2 token-rows through every layer, and attention alone costs
    O(n^3 d). Keeping K and V costs memory and turns each step into one row of work.

    ## The textbook step
    Compute q, k, v of the new token only, append k and v to the cache, and let the new query
    attend over the whole cache (no mask: it is all in the past). The rest of the block (norms,
    residuals, FFN) is the project's own, from ml/transformer-block.ts:
  `;
  await nb.source('ml/kv-cache/index.ts', 'decodeStep');
  await nb.md(String.raw`
    Per head, at position $t$ (keys rotated by RoPE at their own positions when they were cached):
    $$K \leftarrow [K; k_t], \qquad V \leftarrow [V; v_t]$$

    then
    $$o_t = \mathrm{softmax}\!\left(\frac{q_t K^\top}{\sqrt{d_h}}\right) V$$

    ## A tiny run: cached steps against the full forward
    Inputs: a LLaMA block (RMSNorm, RoPE, SwiGLU) with d_model = 16, 4 query heads and 2 KV heads
    (GQA), weights from rng(1), and 8 random tokens from rng(2). Decoding them one by one must give
    the rows of blockForward(x, causal), the full recomputation.
  `);
  const config = llamaBlockConfig({ dModel: 16, numHeads: 4, numKvHeads: 2, ffnHidden: 32 });
  const weights = initBlock(config, rng(1));
  const x = randomMatrix(8, 16, rng(2));
  const full = blockForward(x, weights, config, { causal: true });
  const { out, cache } = decodeAll(decodeStep, x, weights, config);
  const gap = await nb.code(() => maxAbsDiff(out, full));
  await nb.check('max |cached step - full forward| over the 8 rows', gap, 0, { tol: 1e-12 });
  await nb.check(
    'cache after 8 tokens: kv heads x [tokens, d_h]',
    cache.keys.map((k) => `[${k.rows}, ${k.cols}]`).join(' '),
    '[8, 4] [8, 4]',
  );
  const zero = maxAbsDiff(decodeAll(pitfallDecodeStepPositionZero, x, weights, config).out, full);
  const forgot = maxAbsDiff(
    decodeAll(pitfallDecodeStepForgetsToAppend, x, weights, config).out,
    full,
  );
  await nb.md`
    Two classic wrong steps. Restarting RoPE at position 0 for each new token (as if every
    step were a fresh sequence of one) puts all keys at the same position; forgetting to write
    k and v back leaves the cache empty, so each token sees only itself:
  `;
  await nb.claim(
    'RoPE restarted at 0: rows differ',
    zero > 1e-3,
    `max |diff| = ${zero.toFixed(3)}`,
  );
  await nb.claim(
    'k, v never appended: rows differ',
    forgot > 1e-3,
    `max |diff| = ${forgot.toFixed(3)}`,
  );

  await nb.md(String.raw`
    ## How big it is
    Every layer keeps a key and a value of $h_{kv} d_h$ numbers per token:
    $$\text{bytes/token} = 2 \times L \times h_{kv} \times d_h \times \text{bytes per element}$$
    and the total is that times the cached length (capped by a sliding window) times the batch.
    Inputs: the configs from the models' config.json on the HF hub (fp16). OPT-13B: 40 layers,
    hidden 5120 = 40 heads x 128. Llama-2-7B: 32 layers, 32 heads x 128. Llama-2-70B: 80 layers,
    64 query heads, 8 KV heads x 128. The PagedAttention paper (Kwon et al. 2023, sec. 3) quotes
    "800 KB" a token for OPT-13B and "as much as 1.6 GB" for its 2048-token limit.
  `);
  const opt = await nb.code(() => kvBytesPerToken(OPT_13B_KV));
  await nb.check('OPT-13B bytes per token, 2 x 40 x 5120 x 2', opt, 819_200);
  await nb.check('OPT-13B in KiB (the paper: 800 KB)', opt / KIB, 800);
  await nb.check(
    'OPT-13B, 2048 tokens, in MiB ("1.6 GB")',
    kvCacheTotalBytes(OPT_13B_KV, 2048) / MIB,
    1600,
  );
  await nb.check('Llama-2-7B bytes per token', kvBytesPerToken(LLAMA2_7B_KV), 524_288);
  await nb.check('Llama-2-70B bytes per token (GQA)', kvBytesPerToken(LLAMA2_70B_KV), 327_680);
  await nb.check(
    'Llama-2-70B counted with its 64 query heads (pitfall)',
    pitfallKvBytesPerTokenQueryHeads(LLAMA2_70B_KV),
    2_621_440,
  );
  await nb.md`
    The 70B model needs less cache per token than the 7B one: GQA shares each KV head among 8
    query heads. The table applies each switch to the Llama-2-7B shape (32 layers, 32 heads of
    128), one at a time, at 4,096 and 32,768 tokens for one sequence:
  `;
  const variants: { variant: string; shape: KvCacheShape }[] = [
    { variant: 'MHA, fp16 (Llama-2-7B)', shape: LLAMA2_7B_KV },
    { variant: 'GQA, 8 KV heads', shape: { ...LLAMA2_7B_KV, numKvHeads: 8 } },
    { variant: 'MQA, 1 KV head', shape: { ...LLAMA2_7B_KV, numKvHeads: 1 } },
    { variant: 'MHA, int8 K/V', shape: { ...LLAMA2_7B_KV, dtype: 'int8' } },
    { variant: 'MHA, int4 K/V', shape: { ...LLAMA2_7B_KV, dtype: 'int4' } },
    { variant: 'MHA, window 4,096', shape: { ...LLAMA2_7B_KV, window: 4096 } },
    { variant: 'Llama-2-70B (GQA-8)', shape: LLAMA2_70B_KV },
  ];
  await nb.table(
    variants.map(({ variant, shape }) => ({
      variant,
      'bytes/token': kvBytesPerToken(shape),
      '4,096 tokens': gib(kvCacheTotalBytes(shape, 4096)),
      '32,768 tokens': gib(kvCacheTotalBytes(shape, 32_768)),
    })),
    'KV cache of one sequence (int4 without its scales)',
  );

  await nb.md`
    ## What the cache saves, counted
    Inputs: a stack of 2 such blocks (d_model = 16, GQA 4 / 2, SwiGLU 32, weights from rng(3)), a
    1-token prompt from rng(4), n generated tokens, each fed back as the next input. The Counter
    adds the multiply-adds of the projections, of attention (q . k and weights x V) and of the
    FFN. With the cache, token t costs one row of projections and t + 1 keys of attention;
    recomputing costs the whole prefix again at every step.
  `;
  const stack = initDecoderStack(config, 2, rng(3));
  const prompt = randomMatrix(1, 16, rng(4));
  const lengths = [8, 16, 32, 64];
  const count = (generate: typeof generateCached, n: number) => {
    const counter = new Counter();
    return { rows: generate(prompt, n, stack, counter), counter };
  };
  await nb.code(() => ({
    cached: count(generateCached, 64).counter.toJSON(),
    recomputed: count(generateRecomputed, 64).counter.toJSON(),
  }));
  const costs = lengths.map((n) => {
    const [a, b] = [count(generateCached, n), count(generateRecomputed, n)];
    return { n, withCache: a.counter, without: b.counter, gap: maxAbsDiff(a.rows, b.rows) };
  });
  await nb.table(
    costs.map(({ n, withCache, without }) => ({
      n,
      'attn, cache': withCache.get('madds.attention'),
      'attn, none': without.get('madds.attention'),
      'all, cache': withCache.get('madds'),
      'all, none': without.get('madds'),
      ratio: `${(without.get('madds') / withCache.get('madds')).toFixed(1)}x`,
    })),
    'Multiply-adds of generating n tokens, with and without the cache',
  );
  await nb.plot({
    kind: 'line',
    title: 'Multiply-adds of generating n tokens (log scale)',
    x: { label: 'n', values: lengths, log: true },
    y: { label: 'multiply-adds', log: true },
    series: [
      { name: 'with the cache', values: costs.map((c) => c.withCache.get('madds')) },
      { name: 'recomputing', values: costs.map((c) => c.without.get('madds')) },
    ],
  });
  const last = costs[costs.length - 1] as (typeof costs)[number];
  await nb.claim(
    'both loops generate the same rows',
    costs.every((c) => c.gap < 1e-9),
    `max |diff| = ${Math.max(...costs.map((c) => c.gap)).toExponential(1)}`,
  );
  await nb.check(
    'attention ratio at n = 64: n(n+1)(n+2)/3 over n(n+1), i.e. (n + 2) / 3',
    last.without.get('madds.attention') / last.withCache.get('madds.attention'),
    22,
    { tol: 1e-9 },
  );
  await nb.check(
    'projection ratio at n = 64: n (n + 1) / 2 token-rows over n, i.e. (n + 1) / 2',
    last.without.get('madds.projections') / last.withCache.get('madds.projections'),
    32.5,
    { tol: 1e-9 },
  );
  await nb.md`
    The attention ratio is exactly (n + 2) / 3 and the projections' ratio (n + 1) / 2: the cache
    turns O(n^2 d^2 + n^3 d) into O(n d^2 + n^2 d). In wall time the bench
    (bench/kv-cache.bench.ts) sees the same trend: tens of times faster at 256 tokens.

    ## Making the cache smaller
    - **MQA / GQA** (Shazeer 2019; Ainslie et al. 2023): fewer KV heads, h / h_kv times less
      cache; Llama-2-70B uses 8 KV heads for 64 query heads.
    - **Quantised K/V**: int8 halves the fp16 cache, int4 quarters it (plus small scales), at
      some accuracy cost that grows with lower bits.
    - **Sliding window** (Mistral-style): keep the last W tokens only; the cache stops growing,
      and tokens further back are reached only through the layers stacked below.
    - **Paging** (PagedAttention, vLLM): store the cache in fixed-size blocks with a block table,
      so memory is not reserved for the maximum length and prefixes can be shared; see the
      paged-attention concept. Prefix caching reuses the K/V of a shared prompt across requests.
    - Beyond these: evicting unimportant tokens, offloading to CPU memory, sharing K/V across
      layers, or low-rank latent K/V (DeepSeek's MLA).

    ## When the cache does not help
    - **Training and prefill**: the whole sequence goes through once, in parallel; there is
      nothing to reuse (the cache is filled by the prefill, and pays off only in later steps).
    - **Bidirectional encoders** (BERT): a new token changes every earlier token's output, so
      earlier keys and values above the first layer are not fixed. Inputs: the same block and
      tokens, without the causal mask, on 7 and on 8 tokens:
  `;
  const seven = matrix(7, 16, x.data.subarray(0, 7 * 16));
  const rowsOfFirst7 = (m: Matrix) => matrix(7, 16, m.data.subarray(0, 7 * 16));
  const bidirectional = maxAbsDiff(
    blockForward(seven, weights, config),
    rowsOfFirst7(blockForward(x, weights, config)),
  );
  const causal = maxAbsDiff(
    blockForward(seven, weights, config, { causal: true }),
    rowsOfFirst7(full),
  );
  await nb.claim(
    'bidirectional: the 8th token changes the first 7 outputs',
    bidirectional > 1e-3,
    `max |diff| = ${bidirectional.toFixed(3)}`,
  );
  await nb.check('causal: the first 7 outputs do not move', causal, 0, { tol: 1e-12 });
  await nb.md`
    - **Short outputs**: one token (a classification, a score) is a single prefill.
    - **Memory-bound serving**: the cache grows with length x batch; Llama-2-7B at 4,096 tokens
      and batch 8 holds 16 GiB of cache, more than its fp16 weights (6,738,415,616 parameters x 2
      bytes, counted by ml/transformer-block.ts). Then memory, not compute, limits the batch, and
      the optimisations above matter as much as the cache itself.

    Complexity: a cached step costs O(d^2 + t d) per layer, the cache O(L h_kv d_h t) memory.
  `;
  const cacheBytes = kvCacheTotalBytes(LLAMA2_7B_KV, 4096, 8);
  await nb.check('Llama-2-7B cache, 4,096 tokens x batch 8, in GiB', cacheBytes / GIB, 16);
  const weightBytes = 2 * modelParamCount(LLAMA2_7B).total;
  await nb.claim(
    'that cache outweighs the fp16 weights',
    cacheBytes > weightBytes,
    `${gib(cacheBytes)} > ${gib(weightBytes)}`,
  );
});

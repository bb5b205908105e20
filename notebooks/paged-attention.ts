/**
 * Notebook for Q28 (Prefix Cache: what it is, how a provider turns it on) and Q29 (how vLLM speeds
 * up inference): paged KV memory, sharing with copy-on-write, prefix caching, and a seeded serving
 * simulation.
 * Run: npm start -- run paged-attention   (or: npx tsx notebooks/paged-attention.ts)
 */
import {
  appendToken,
  BlockManager,
  kvMemoryWaste,
  pagedKv,
  pitfallForkWithoutRefCounts,
  pitfallPrefixHashesWithoutParent,
  prefixBlockHashes,
  readTokens,
  replayWithPrefixCache,
  sampleRequests,
  sharedPromptWorkload,
  simulateServing,
  type ReservationPolicy,
} from '../ml/paged-attention/index.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

export default defineNotebook(import.meta.url, 'paged-attention', async (nb) => {
  await nb.md`
    ## The question
    *Prefix Cache*: what is a prefix cache, and how does a provider turn it on?
    *vLLM 提速原理*: how does vLLM speed up inference?

    ## The idea
    Every token a model has seen keeps its keys and values in every layer (the KV cache):
    for OPT-13B, 2 x 5120 x 40 layers x 2 bytes = 800 KB per token, 1.6 GB for 2048 tokens.
    Serving systems before vLLM gave each request one contiguous slab sized for the longest
    possible output, so most of that memory was reserved but empty, and the batch (the
    throughput of a memory-bound decode step) was capped by it.

    PagedAttention (Kwon et al., SOSP 2023) pages the KV cache like virtual memory: blocks
    of B tokens (vLLM's default B = 16) allocated when needed, found through a per-sequence
    block table. Blocks can be shared by reference count: parallel samples, beam search and
    requests with a common prefix point at the same physical blocks.
  `;
  await nb.md(String.raw`
    ## The textbook answer
    Token $p$ of a sequence lives in physical block $\text{table}[\lfloor p / B \rfloor]$ at slot
    $p$ mod $B$. Appending writes the next slot of the last block, or, when that block is full,
    maps a new logical block to a free physical one. Read from ml/paged-attention/index.ts:
  `);
  await nb.source('ml/paged-attention/index.ts', 'appendToken');
  await nb.source('ml/paged-attention/index.ts', 'readTokens');
  await nb.md(String.raw`
    ## Formulas
    $$\text{blocks}(n) = \lceil n / B \rceil, \qquad \text{waste}(n) = B \lceil n / B \rceil - n < B$$
    For prefix caching, a FULL block is keyed by a hash chained through its parents, so that a
    key names the whole prefix (the K, V of a token depend on every token before it):
    $$h_0 = \text{sha256}(\text{root} \mid t_0 \dots t_{B-1}), \qquad h_i = \text{sha256}(h_{i-1} \mid t_{iB} \dots t_{iB+B-1})$$
    A new request reuses the longest run of cached blocks at the start of its prompt; the last
    prompt token is always computed (its query gives the next token's logits).

    ## A tiny run
    Inputs: 6 physical blocks of B = 4; sequence 0 gets 6 tokens, sequence 1 gets 3, appended
    in turns.
  `);
  const kv = await nb.code(() => {
    let memory = pagedKv(6, 4);
    for (let i = 0; i < 6; i++) {
      memory = appendToken(memory, 0, 10 + i);
      if (i < 3) memory = appendToken(memory, 1, 20 + i);
    }
    return memory;
  });
  await nb.check('block table of sequence 0', JSON.stringify(kv.tables.get(0)), '[0,2]');
  await nb.check('block table of sequence 1', JSON.stringify(kv.tables.get(1)), '[1]');
  await nb.check(
    'sequence 0 read back through its table',
    readTokens(kv, 0).join(' '),
    '10 11 12 13 14 15',
  );
  await nb.check(
    'blocks of sequence 0 = ceil(6 / 4); free blocks left',
    `${kv.tables.get(0)?.length}, ${kv.free.length}`,
    `${Math.ceil(6 / 4)}, ${6 - 3}`,
  );

  await nb.md`
    ## Sharing: parallel samples and copy-on-write
    The engineered BlockManager (ml/paged-attention/block-manager.ts) adds reference counts.
    Inputs: a 10-token prompt, B = 4, forked into 3 samples that each append one different token.
    A fork copies the block table and increments the counts; the first write into the shared
    partial block copies it first (copy-on-write); full blocks stay shared.
  `;
  const m = new BlockManager(16, 4);
  const samples = await nb.code(() => {
    m.allocate(0, range(100, 10));
    m.fork(0, 1);
    m.fork(0, 2);
    const writes = [0, 1, 2].map((s) => m.append(s, 200 + s));
    return {
      tables: [0, 1, 2].map((s) => m.blockTable(s)),
      copiedFrom: writes.map((w) => w.copiedFrom ?? '-'),
    };
  });
  await nb.check(
    'reference count of the two full prompt blocks',
    `${m.state.blocks[0]?.refCount}, ${m.state.blocks[1]?.refCount}`,
    '3, 3',
  );
  await nb.check('copied from (per sample)', samples.copiedFrom.join(', '), '2, 2, -');
  await nb.check(
    'blocks used: 2 shared + 3 partial, against 3 x 3 unshared',
    m.usedBlockCount(),
    5,
  );
  await nb.check(
    'sample 2 reads back its own tokens',
    m.tokens(2).slice(8).join(' '),
    '108 109 202',
  );
  await nb.md`
    The pitfall: fork without counting references (pitfallForkWithoutRefCounts). Freeing the
    parent then returns blocks the child still reads, and the next request overwrites them.
  `;
  const corrupted = await nb.code(() => {
    const w = new BlockManager(4, 4);
    w.allocate(0, range(100, 8));
    pitfallForkWithoutRefCounts(w, 0, 1);
    w.free(0);
    w.allocate(2, range(900, 8));
    return w.tokens(1).join(' ');
  });
  await nb.claim(
    'the child of the wrong fork lost its prompt',
    corrupted !== range(100, 8).join(' '),
    `child reads ${corrupted}`,
  );

  await nb.md`
    ## The prefix cache
    Inputs: B = 4, a 20-token system prompt shared by two users. The second request finds the
    5 full blocks of the first in the cache and computes only its own tokens.
  `;
  const system = range(1, 20);
  const hit = await nb.code(() => {
    const c = new BlockManager(32, 4, { prefixCaching: true });
    c.allocate(0, [...system, 501, 502, 503]);
    return c.allocate(1, [...system, 601, 602]).cachedTokens;
  });
  await nb.check('tokens reused by the second user', hit, 20);
  await nb.md`
    The pitfall: hashing a block without its parent (pitfallPrefixHashesWithoutParent). The
    block [1, 2, 3, 4] after [9, 9, 9, 9] is not the block [1, 2, 3, 4] at the start (its K and
    V saw other tokens), yet the unchained keys are equal:
  `;
  const collide = await nb.code(() => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8];
    const b = [9, 9, 9, 9, 1, 2, 3, 4];
    return {
      chained: prefixBlockHashes(a, 4)[0] === prefixBlockHashes(b, 4)[1],
      unchained:
        pitfallPrefixHashesWithoutParent(a, 4)[0] === pitfallPrefixHashesWithoutParent(b, 4)[1],
    };
  });
  await nb.check('chained keys equal', collide.chained, false);
  await nb.check('unchained keys equal (a false hit)', collide.unchained, true);

  await nb.md`
    ## Simulation 1: how much KV memory does pre-allocation waste? (Q29)
    Inputs: 500 requests from rng(2023); prompt and output lengths are 1 + geometric with the
    means of the paper's ShareGPT trace (161 and 338 tokens, Fig. 11), cut at 2048 (OPT's
    context). At each decoding step a request holds prompt + t tokens. The policies are the
    paper's baselines: reserve the maximum length (Orca (Max)), the output rounded up to a
    power of two (Orca (Pow2)), the exact final length (Orca (Oracle), impossible in practice),
    and paging with B = 16. The model has no external fragmentation (no allocator holes), so
    its pre-allocation waste is a lower bound.
  `;
  const requests = sampleRequests(500, {}, rng(2023));
  const options = { maxLength: 2048, blockSize: 16 };
  const paper: Record<ReservationPolicy, number> = {
    max: 0.204,
    pow2: 0.268,
    oracle: 0.382,
    paged: 0.963,
  };
  const names: Record<ReservationPolicy, string> = {
    max: 'Max (2048)',
    pow2: 'Pow2',
    oracle: 'Oracle',
    paged: 'paged B=16',
  };
  const policies: ReservationPolicy[] = ['max', 'pow2', 'oracle', 'paged'];
  const paged = await nb.code(() => kvMemoryWaste(requests, 'paged', options));
  const waste = policies.map((policy) => ({ policy, ...kvMemoryWaste(requests, policy, options) }));
  await nb.table(
    waste.map((w) => ({
      policy: names[w.policy],
      tokens: pct(w.tokenStateFraction),
      'fill later': pct(w.reservationFraction),
      'never used': pct(w.internalFraction),
      wasted: pct(w.wastedFraction),
      'paper: tokens': pct(paper[w.policy]),
    })),
    'Share of reserved KV memory (our simulation; the paper measured Fig. 2 on OPT-13B)',
  );
  await nb.plot({
    kind: 'bar',
    title: 'Where the reserved KV memory goes (500 simulated requests)',
    categories: policies.map((p) => names[p]),
    y: { label: 'share of reserved slots' },
    series: [
      { name: 'token states', values: waste.map((w) => w.tokenStateFraction) },
      { name: 'reserved for later tokens', values: waste.map((w) => w.reservationFraction) },
      { name: 'never used', values: waste.map((w) => w.internalFraction) },
    ],
  });
  const at = (p: ReservationPolicy) => waste.find((w) => w.policy === p)!;
  await nb.claim(
    'Max wastes within the 60% - 80% the vLLM blog reports for existing systems',
    at('max').wastedFraction > 0.6 && at('max').wastedFraction < 0.8,
    `${pct(at('max').wastedFraction)} wasted (paper, Fig. 2: ${pct(1 - paper.max)})`,
  );
  await nb.claim(
    'paging wastes under 4% (the blog: "under 4%"; Fig. 2: 3.7%)',
    at('paged').wastedFraction < 0.04,
    `${pct(at('paged').wastedFraction)} wasted`,
  );
  const steps = requests.reduce((s, r) => s + r.outputLength, 0);
  const pagedWaste = (paged.reservedSlotSteps - paged.usedSlotSteps) / steps;
  await nb.check(
    'mean empty slots per sequence when paged, theory (B - 1) / 2',
    pagedWaste,
    (16 - 1) / 2,
    { tol: 0.5 },
  );
  await nb.claim(
    'Pow2 and Oracle waste less here than in the paper: we model no external fragmentation',
    at('pow2').wastedFraction < 1 - paper.pow2 && at('oracle').wastedFraction < 1 - paper.oracle,
    `Pow2 ${pct(at('pow2').wastedFraction)}, Oracle ${pct(at('oracle').wastedFraction)}; ` +
      'the paper counts 41.6% and 36.6% external fragmentation for them',
  );

  await nb.md(String.raw`
    ## Simulation 2: prefix-cache hits for shared system prompts (Q28)
    Inputs: 100 requests from rng(7), each starting with one of k system prompts of S = 200
    random tokens, then a user part (mean 40 tokens) and an output (mean 40), served one after
    another through a prefix-caching BlockManager with B = 16, for several memory sizes. With
    room for everything, every request but the first of each of the k system prompts drawn reuses
    $\lfloor S / B \rfloor B = 192$ tokens, so the hit rate is about
    $\frac{n - k}{n} \cdot \frac{192}{\text{mean prompt length}}$. When memory is short, LRU
    eviction drops the blocks of the system prompts used least recently.
  `);
  const memories = [48, 96, 192, 1024];
  const tenants = [1, 4, 16];
  const workloadOf = (k: number) =>
    sharedPromptWorkload(
      100,
      { systemPrompts: k, systemPromptLength: 200, meanSuffix: 40, meanOutput: 40 },
      rng(7),
    );
  await nb.code(() => replayWithPrefixCache(workloadOf(4), 96, 16).hitRate);
  const replays = tenants.map((k) => {
    const workload = workloadOf(k);
    const runs = memories.map((blocks) => replayWithPrefixCache(workload, blocks, 16));
    const drawn = new Set(workload.map((r) => r.systemPrompt)).size;
    const meanPrompt = workload.reduce((s, r) => s + r.prompt.length, 0) / workload.length;
    return { k, runs, theory: ((100 - drawn) / 100) * (192 / meanPrompt) };
  });
  await nb.table(
    replays.map((r) => ({
      'system prompts': r.k,
      ...Object.fromEntries(
        memories.map((blocks, i) => [`${blocks} blocks`, pct(r.runs[i]?.hitRate ?? 0)]),
      ),
    })),
    'Prefix-cache hit rate (prompt tokens reused) by KV memory',
  );
  await nb.plot({
    kind: 'line',
    title: 'Prefix-cache hit rate against KV memory (100 requests, S = 200, B = 16)',
    x: { label: 'KV memory (blocks of 16 tokens)', values: memories, log: true },
    y: { label: 'prompt tokens reused' },
    series: replays.map((r) => ({
      name: `${r.k} system prompt${r.k > 1 ? 's' : ''}`,
      values: r.runs.map((run) => run.hitRate),
    })),
  });
  for (const r of replays) {
    await nb.check(
      `k = ${r.k}, room for all: hit rate against (n - k) / n x 192 / mean prompt`,
      r.runs[r.runs.length - 1]?.hitRate ?? 0,
      r.theory,
      { tol: 0.005 },
    );
  }
  const many = replays[2]!.runs;
  await nb.claim(
    'with 16 system prompts and 48 blocks, LRU eviction costs most of the hits',
    many[0]!.hitRate < 0.5 * many[many.length - 1]!.hitRate,
    `${pct(many[0]!.hitRate)} at 48 blocks (${many[0]!.evictions} evictions), ` +
      `${pct(many[many.length - 1]!.hitRate)} with room for all`,
  );

  await nb.md`
    ## Simulation 3: continuous against static batching (Q29)
    Inputs: the first 150 requests above, all waiting at time 0, and 15,728 KV slots (the
    paper's OPT-13B on one A100-40GB, Table 1). A step yields one token per running sequence
    and costs the same whatever the batch (decoding is memory-bound), so tokens per step is the
    throughput and also the mean batch. Static batching runs a batch until all of it finishes;
    continuous batching admits and retires requests every step. Pre-allocation is a block of
    2048 slots per request (7 fit); paging uses B = 16 and preempts the newest request when a
    block is missing (first come, first served, as in vLLM).
  `;
  const served = requests.slice(0, 150);
  const configs = [
    { name: 'static, pre-allocated', blockSize: 2048, batching: 'static' as const },
    { name: 'continuous, pre-allocated', blockSize: 2048, batching: 'continuous' as const },
    { name: 'static, paged', blockSize: 16, batching: 'static' as const },
    { name: 'continuous, paged', blockSize: 16, batching: 'continuous' as const },
  ];
  const serve = (blockSize: number, batching: 'static' | 'continuous') =>
    simulateServing(served, { slots: 15_728, blockSize, batching });
  await nb.code(() => serve(16, 'continuous'));
  const serving = configs.map((c) => ({ ...c, result: serve(c.blockSize, c.batching) }));
  await nb.table(
    serving.map(({ name, result }) => ({
      scheduler: name,
      'tokens / step': result.tokensPerStep.toFixed(2),
      'requests / 1000 steps': (1000 * result.requestsPerStep).toFixed(1),
      preemptions: result.preemptions,
      'KV token share': pct(result.tokenStateFraction),
    })),
    '150 ShareGPT-like requests, 15,728 KV slots',
  );
  await nb.plot({
    kind: 'bar',
    title: 'Throughput: tokens per step under the same KV memory',
    categories: serving.map((s) => s.name),
    y: { label: 'tokens per step' },
    series: [{ name: 'tokens per step', values: serving.map((s) => s.result.tokensPerStep) }],
  });
  const tps = serving.map((s) => s.result.tokensPerStep);
  const [staticMax, contMax, staticPaged, contPaged] = tps as [number, number, number, number];
  await nb.claim(
    'pre-allocated, continuous batching runs at most 7 sequences (paper Fig. 13a, Orca (Max): 7.00)',
    contMax <= 7,
    `${contMax.toFixed(2)} tokens per step (the last requests run alone)`,
  );
  await nb.claim(
    'each idea helps on its own: continuous > static, paged > pre-allocated',
    contMax > staticMax && staticPaged > staticMax && contPaged > Math.max(contMax, staticPaged),
    serving.map((s, i) => `${s.name} ${(tps[i] as number).toFixed(2)}`).join('; '),
  );
  await nb.claim(
    'paging multiplies the continuous batch (paper: 2.7x - 8x the request rate of Orca (Max))',
    contPaged / contMax > 2.7,
    `${(contPaged / contMax).toFixed(1)}x; ${(contPaged / staticMax).toFixed(1)}x over static ` +
      'pre-allocated batches (a throughput ratio in a toy, not a latency-bound request rate)',
  );
  await nb.check(
    "the serving run's KV token share equals Simulation 1's formula on its requests",
    serving[3]!.result.tokenStateFraction,
    kvMemoryWaste(served, 'paged', options).tokenStateFraction,
  );

  await nb.md`
    ## Q28: how a provider turns prefix caching on
    - vLLM: \`enable_prefix_caching=True\` in \`LLM(...)\`, \`--enable-prefix-caching\` for the
      server (on by default in the V1 engine); blocks are hashed with SHA-256 when
      multi-tenant collisions matter, and a per-request \`cache_salt\` isolates tenants.
    - OpenAI's API: automatic for prompts of 1024 tokens or more, hits in 128-token steps.
    - Anthropic's API: explicit \`cache_control\` breakpoints mark the prefix to cache.
    - In all of them the shared part (system prompt, tools, documents) must come first and be
      byte-identical: one changed early token changes every later block hash.

    ## Q29: how vLLM speeds up inference
    PagedAttention removes most of the KV waste, so more sequences fit in a batch;
    continuous (iteration-level) batching keeps that batch full; reference-counted sharing
    (parallel sampling, beam search, prefix caching) stores common blocks once and skips their
    prefill. Optimised kernels, CUDA graphs, chunked prefill, quantisation and speculative
    decoding add to it; they are outside this simulation.

    ## Complexity
    Append O(1) (plus O(B) when a block fills and is hashed, or is copied); fork and free
    O(len / B), no token copied; a prefix lookup O(len) to hash plus O(len / B) probes.

    ## When not to use it
    Paging costs an indirection in the attention kernel (the paper: 20-26% higher attention
    kernel latency than FasterTransformer's), paid back only when memory limits the batch: a
    single short request gains nothing. Prefix caching needs shared, stable prefixes: a
    timestamp or user id at the start of the prompt makes every request miss, and a shared
    cache across tenants leaks timing (use a cache salt). And the two wrong caches: a block
    hashed without its parent gives false hits, a cached partial block a key that goes stale
    as the block fills (see the pitfalls).
  `;
});

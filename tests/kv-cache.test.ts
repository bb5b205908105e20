/**
 * Answer key for Q27, the KV cache. Worked examples: the published per-token sizes of OPT-13B
 * (819,200 B, the PagedAttention paper's "800 KB" and "1.6 GB" for 2048 tokens), Llama-2-7B
 * (524,288 B) and Llama-2-70B (327,680 B, GQA), matched exactly, and the switches (MQA, int8 /
 * int4, a sliding window). Properties against independent oracles: decoding token by token with
 * the cache equals the project's own block (`blockForward`, causal) row by row for random configs
 * (post / pre-norm, every FFN, MHA / GQA / MQA, RoPE), any chunking of the prefill too, a stack's
 * cached generation equals recomputing everything, the tensor twin equals `blockTf`; the
 * calculator equals the bytes the cache really holds and ml/long-context.ts's independent
 * formula. Complexity as counted bounds: with the cache O(n^2 d) attention and O(n d^2)
 * projections, without it O(n^3 d). Pitfalls (RoPE positions restarted at 0, k / v never written
 * back, re-projecting every cached token's K and V, bytes from the query heads) rejected by the
 * properties the right answers pass. Input checks: tests/inputs/kv-cache.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  LLAMA2_70B_KV,
  LLAMA2_7B_KV,
  OPT_13B_KV,
  KV_BYTES_PER_ELEMENT,
  KV_DTYPES,
  decodeSequenceTfMatrix,
  decodeStep,
  emptyKvCache,
  emptyStackCache,
  extendCache,
  generateCached,
  generateRecomputed,
  initDecoderStack,
  kvBytesPerToken,
  kvCacheTotalBytes,
  kvShapeOf,
  pitfallDecodeStepForgetsToAppend,
  pitfallDecodeStepPositionZero,
  pitfallGenerateRecomputingKv,
  pitfallKvBytesPerTokenQueryHeads,
  stackExtend,
  stackForward,
  type BlockKvCache,
  type DecoderStack,
  type KvCacheShape,
} from '../ml/kv-cache/index.js';
import {
  LLAMA2_7B,
  blockForward,
  blockTfMatrix,
  initBlock,
  llamaBlockConfig,
  type BlockConfig,
  type BlockWeights,
} from '../ml/transformer-block.js';
import { kvCacheBytes as longContextKvBytes } from '../ml/long-context.js';
import { Counter } from '../core/counter.js';
import { matrix, maxAbsDiff, randomMatrix, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

const KIB = 1024;
const MIB = 1024 * 1024;

/** Small random block configs: both placements and norms, every FFN, MHA/GQA/MQA, RoPE. */
const blockConfig = fc
  .record({
    numKvHeads: fc.integer({ min: 1, max: 3 }),
    group: fc.integer({ min: 1, max: 3 }),
    halfHeadDim: fc.integer({ min: 1, max: 2 }),
    ffnHidden: fc.integer({ min: 1, max: 8 }),
    placement: fc.constantFrom('post' as const, 'pre' as const),
    norm: fc.constantFrom('layer' as const, 'rms' as const),
    ffn: fc.constantFrom('relu' as const, 'gelu' as const, 'gelu-tanh' as const, 'swiglu' as const),
    attentionBias: fc.constantFrom('all' as const, 'qkv' as const, 'none' as const),
    rope: fc.constantFrom(
      false as const,
      { layout: 'half' as const },
      { layout: 'interleaved' as const, base: 100 },
    ),
  })
  .map(({ numKvHeads, group, halfHeadDim, ffn, ...rest }): BlockConfig => {
    const numHeads = numKvHeads * group;
    return {
      dModel: numHeads * 2 * halfHeadDim,
      numHeads,
      numKvHeads,
      ffn,
      ...(ffn === 'swiglu' ? {} : { ffnBias: true }),
      ...rest,
    };
  });

/** A block, its weights and a sequence of n tokens. */
const blockCase = fc
  .record({ config: blockConfig, n: fc.integer({ min: 1, max: 6 }), seed: fc.integer() })
  .map(({ config, n, seed }) => {
    const r = rng(seed);
    return { config, weights: initBlock(config, r), x: randomMatrix(n, config.dModel, r) };
  });

/** Row i of x as a [1, d] matrix. */
const rowOf = (x: Matrix, i: number): Matrix =>
  matrix(1, x.cols, x.data.subarray(i * x.cols, (i + 1) * x.cols));

const stackRows = (rows: readonly Matrix[]): Matrix =>
  matrix(
    rows.reduce((s, r) => s + r.rows, 0),
    rows[0]?.cols ?? 0,
    rows.flatMap((r) => [...r.data]),
  );

type Step = (
  x: Matrix,
  cache: BlockKvCache,
  weights: BlockWeights,
  config: BlockConfig,
) => { output: Matrix; cache: BlockKvCache };

/** Every row of x through `step` in turn, from an empty cache: the outputs stacked [n, d]. */
function decodeRows(step: Step, x: Matrix, weights: BlockWeights, config: BlockConfig): Matrix {
  let cache = emptyKvCache(config);
  const rows: Matrix[] = [];
  for (let i = 0; i < x.rows; i++) {
    const r = step(rowOf(x, i), cache, weights, config);
    rows.push(r.output);
    cache = r.cache;
  }
  return stackRows(rows);
}

/** The property: decoding token by token with `step` gives the rows of the full causal forward. */
const cachedEqualsFull = (step: Step) =>
  fc.property(blockCase, ({ config, weights, x }) => {
    const full = blockForward(x, weights, config, { causal: true });
    expect(maxAbsDiff(decodeRows(step, x, weights, config), full)).toBeLessThan(1e-10);
  });

const shapeCase = fc.record({
  config: blockConfig,
  layers: fc.integer({ min: 1, max: 3 }),
  t: fc.integer({ min: 1, max: 5 }),
  dtype: fc.constantFrom(...KV_DTYPES),
  seed: fc.integer(),
});

/** Bytes per token x t = the elements the caches hold after t tokens x bytes per element. */
const holdsWhatItSays = (perToken: (shape: KvCacheShape) => number) =>
  fc.property(shapeCase, ({ config, layers, t, dtype, seed }) => {
    const r = rng(seed);
    const stack = initDecoderStack(config, layers, r);
    const { caches } = stackExtend(
      randomMatrix(t, config.dModel, r),
      emptyStackCache(stack),
      stack,
    );
    const elements = caches.reduce(
      (s, c) => s + [...c.keys, ...c.values].reduce((e, m) => e + m.data.length, 0),
      0,
    );
    const shape = kvShapeOf(config, layers, dtype);
    return (
      perToken(shape) * t === elements * KV_BYTES_PER_ELEMENT[dtype] &&
      kvCacheTotalBytes(shape, t) === elements * KV_BYTES_PER_ELEMENT[dtype]
    );
  });

type Generate = (prompt: Matrix, steps: number, stack: DecoderStack, counter?: Counter) => Matrix;

const costCase = fc
  .record({
    config: blockConfig,
    layers: fc.integer({ min: 1, max: 2 }),
    n: fc.integer({ min: 1, max: 12 }),
    seed: fc.integer(),
  })
  .map(({ config, layers, n, seed }) => {
    const r = rng(seed);
    return {
      stack: initDecoderStack(config, layers, r),
      prompt: randomMatrix(1, config.dModel, r),
      n,
    };
  });

/** Sizes of a stack: L, h, h_kv, d_h, d and the projection multiply-adds of one token. */
function dims(stack: DecoderStack) {
  const { dModel: d, numHeads: h, numKvHeads: hkv = h } = stack.config;
  const dh = stack.config.headDim ?? d / h;
  return { L: stack.layers.length, h, dh, perToken: d * (h + 2 * hkv) * dh + h * dh * d };
}

/**
 * With the cache, N = n tokens processed once each (1-token prompt): projections at most
 * N L (d (h + 2 h_kv) d_h + h d_h d) = O(n d^2), attention at most 2 L h d_h (1 + 2 + ... + N) =
 * L h d_h N (N + 1) = O(n^2 d); the FFN at most N L (2 or 3) d f.
 */
const cacheCost = (generate: Generate) =>
  fc.property(costCase, ({ stack, prompt, n }) => {
    const c = new Counter();
    generate(prompt, n, stack, c);
    const { L, h, dh, perToken } = dims(stack);
    expect(c.get('madds.projections')).toBeLessThanOrEqual(n * L * perToken);
    expect(c.get('madds.attention')).toBeLessThanOrEqual(L * h * dh * n * (n + 1));
    const ffnWidth = stack.config.ffnHidden * (stack.config.ffn === 'swiglu' ? 3 : 2);
    expect(c.get('madds.ffn')).toBeLessThanOrEqual(n * L * ffnWidth * stack.config.dModel);
  });

describe('worked examples: published KV-cache sizes, exactly', () => {
  it('OPT-13B: 2 x 40 x 5120 x 2 = 819,200 B (800 KiB); 2048 tokens 1600 MiB ("1.6 GB")', () => {
    expect(kvBytesPerToken(OPT_13B_KV)).toBe(819_200);
    expect(kvBytesPerToken(OPT_13B_KV) / KIB).toBe(800);
    expect(kvCacheTotalBytes(OPT_13B_KV, 2048)).toBe(1_677_721_600);
    expect(kvCacheTotalBytes(OPT_13B_KV, 2048) / MIB).toBe(1600);
  });

  it('Llama-2-7B: 2 x 32 x 32 x 128 x 2 B = 524,288 B, also from the project ModelConfig', () => {
    expect(kvBytesPerToken(LLAMA2_7B_KV)).toBe(524_288);
    expect(kvBytesPerToken(kvShapeOf(LLAMA2_7B.block, LLAMA2_7B.numLayers))).toBe(524_288);
    expect(kvCacheTotalBytes(LLAMA2_7B_KV, 4096)).toBe(2 * 1024 * MIB);
  });

  it('Llama-2-70B (GQA, 8 KV heads): 2 x 80 x 8 x 128 x 2 = 327,680 B, 1/8 of MHA', () => {
    expect(kvBytesPerToken(LLAMA2_70B_KV)).toBe(327_680);
    expect(pitfallKvBytesPerTokenQueryHeads(LLAMA2_70B_KV)).toBe(2_621_440);
  });

  it('Llama-2-7B: GQA-8 131,072, MQA 16,384, fp32 1,048,576, int8 262,144, int4 131,072', () => {
    expect(kvBytesPerToken({ ...LLAMA2_7B_KV, numKvHeads: 8 })).toBe(131_072);
    expect(kvBytesPerToken({ ...LLAMA2_7B_KV, numKvHeads: 1 })).toBe(16_384);
    expect(kvBytesPerToken({ ...LLAMA2_7B_KV, dtype: 'fp32' })).toBe(1_048_576);
    expect(kvBytesPerToken({ ...LLAMA2_7B_KV, dtype: 'bf16' })).toBe(524_288);
    expect(kvBytesPerToken({ ...LLAMA2_7B_KV, dtype: 'int8' })).toBe(262_144);
    expect(kvBytesPerToken({ ...LLAMA2_7B_KV, dtype: 'int4' })).toBe(131_072);
  });

  it('a 4096-token window caps a 32,768-token Llama-2-7B cache at 2 GiB; batch 8 is 16 GiB', () => {
    const windowed = { ...LLAMA2_7B_KV, window: 4096 };
    expect(kvCacheTotalBytes(windowed, 32_768)).toBe(2_147_483_648);
    expect(kvCacheTotalBytes(windowed, 32_768, 8)).toBe(17_179_869_184);
    expect(kvCacheTotalBytes(LLAMA2_7B_KV, 32_768)).toBe(17_179_869_184);
    expect(kvCacheTotalBytes(windowed, 1000)).toBe(1000 * 524_288);
  });

  it('the @example: two steps of a GQA block = rows 0, 1 of blockForward; cache 2 x [2, 2]', () => {
    const config = llamaBlockConfig({ dModel: 8, numHeads: 4, numKvHeads: 2, ffnHidden: 16 });
    const weights = initBlock(config, rng(1));
    const x = randomMatrix(2, 8, rng(2));
    const first = decodeStep(rowOf(x, 0), emptyKvCache(config), weights, config);
    const second = decodeStep(rowOf(x, 1), first.cache, weights, config);
    const full = blockForward(x, weights, config, { causal: true });
    expect(maxAbsDiff(stackRows([first.output, second.output]), full)).toBeLessThan(1e-12);
    expect(second.cache.length).toBe(2);
    expect(second.cache.keys.map((k) => [k.rows, k.cols])).toEqual([
      [2, 2],
      [2, 2],
    ]);
  });
});

describe('decoding with the cache equals full recomputation', () => {
  it('decodeStep, row by row, gives the rows of blockForward (causal) for random blocks', () => {
    fc.assert(cachedEqualsFull(decodeStep), { numRuns: 60 });
  });

  it('holds for MHA, GQA and MQA on a LLaMA block with RoPE over 10 positions', () => {
    for (const numKvHeads of [4, 2, 1]) {
      const config = llamaBlockConfig({ dModel: 16, numHeads: 4, numKvHeads, ffnHidden: 8 });
      const weights = initBlock(config, rng(numKvHeads));
      const x = randomMatrix(10, 16, rng(10 + numKvHeads));
      const full = blockForward(x, weights, config, { causal: true });
      expect(maxAbsDiff(decodeRows(decodeStep, x, weights, config), full)).toBeLessThan(1e-12);
    }
  });

  test.prop([blockCase, fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 })], {
    numRuns: 50,
  })(
    'extendCache over any chunking of the sequence (prefill, then steps) equals blockForward',
    ({ config, weights, x }, sizes) => {
      const full = blockForward(x, weights, config, { causal: true });
      let cache = emptyKvCache(config);
      const rows: Matrix[] = [];
      for (let start = 0, c = 0; start < x.rows; c++) {
        const m = Math.min(sizes[c] as number, x.rows - start);
        const chunk = matrix(m, x.cols, x.data.subarray(start * x.cols, (start + m) * x.cols));
        const r = extendCache(chunk, cache, weights, config);
        rows.push(r.output);
        cache = r.cache;
        start += m;
      }
      expect(maxAbsDiff(stackRows(rows), full)).toBeLessThan(1e-10);
      expect(cache.length).toBe(x.rows);
    },
  );

  test.prop([blockCase], { numRuns: 40 })(
    'extendCache of one token is decodeStep: the same output and cache',
    ({ config, weights, x }) => {
      const prefix = extendCache(x, emptyKvCache(config), weights, config).cache;
      const token = rowOf(x, 0);
      const a = extendCache(token, prefix, weights, config);
      const b = decodeStep(token, prefix, weights, config);
      expect(maxAbsDiff(a.output, b.output)).toBe(0);
      a.cache.keys.forEach((k, g) => expect(maxAbsDiff(k, b.cache.keys[g] as Matrix)).toBe(0));
      a.cache.values.forEach((v, g) => expect(maxAbsDiff(v, b.cache.values[g] as Matrix)).toBe(0));
    },
  );

  const stackCase = fc
    .record({
      config: blockConfig,
      layers: fc.integer({ min: 1, max: 3 }),
      p: fc.integer({ min: 1, max: 3 }),
      steps: fc.integer({ min: 1, max: 5 }),
      seed: fc.integer(),
    })
    .map(({ config, layers, p, steps, seed }) => {
      const r = rng(seed);
      const stack = initDecoderStack(config, layers, r);
      return { stack, prompt: randomMatrix(p, config.dModel, r), steps };
    });

  test.prop([stackCase], { numRuns: 30 })(
    'a stack: generateCached equals generateRecomputed and the full forward of the fed sequence',
    ({ stack, prompt, steps }) => {
      const cached = generateCached(prompt, steps, stack);
      expect(maxAbsDiff(cached, generateRecomputed(prompt, steps, stack))).toBeLessThan(1e-9);
      // the sequence fed in: the prompt, then every generated row but the last
      const fed = stackRows([
        prompt,
        matrix(steps - 1, prompt.cols, cached.data.subarray(0, (steps - 1) * prompt.cols)),
      ]);
      const full = stackForward(fed, stack);
      const tail = matrix(steps, prompt.cols, full.data.subarray((prompt.rows - 1) * prompt.cols));
      expect(maxAbsDiff(cached, tail)).toBeLessThan(1e-9);
    },
  );

  test.prop([blockCase], { numRuns: 5 })(
    'the tensor twin decodeStepTf, stepped through x, equals blockTf (causal) in float32',
    async ({ config, weights, x }) => {
      const twin = await decodeSequenceTfMatrix(x, weights, config);
      expect(
        maxAbsDiff(twin, await blockTfMatrix(x, weights, config, { causal: true })),
      ).toBeLessThan(1e-4);
      expect(maxAbsDiff(twin, blockForward(x, weights, config, { causal: true }))).toBeLessThan(
        1e-4,
      );
    },
  );
});

describe('the calculator: what the cache really holds', () => {
  it('kvBytesPerToken x t = the K and V elements the caches hold x bytes per element', () => {
    fc.assert(holdsWhatItSays(kvBytesPerToken), { numRuns: 60 });
  });

  const sizes = fc.record({
    numLayers: fc.integer({ min: 1, max: 96 }),
    numKvHeads: fc.integer({ min: 1, max: 16 }),
    group: fc.integer({ min: 1, max: 8 }),
    headDim: fc.integer({ min: 1, max: 256 }),
    dtype: fc.constantFrom(...KV_DTYPES),
    seqLen: fc.integer({ min: 0, max: 10_000 }),
    batch: fc.integer({ min: 1, max: 64 }),
  });

  test.prop([sizes])(
    'linear in layers, kv heads, head_dim, length and batch; MQA = MHA / h; int4 = fp16 / 4',
    (s) => {
      const shape: KvCacheShape = { ...s, numHeads: s.numKvHeads * s.group };
      const per = kvBytesPerToken(shape);
      expect(kvCacheTotalBytes(shape, s.seqLen, s.batch)).toBe(per * s.seqLen * s.batch);
      expect(kvBytesPerToken({ ...shape, numLayers: 2 * s.numLayers })).toBe(2 * per);
      expect(kvBytesPerToken({ ...shape, numKvHeads: 1 }) * s.numKvHeads).toBe(per);
      const mha = kvBytesPerToken({ ...shape, numKvHeads: shape.numHeads });
      expect(kvBytesPerToken({ ...shape, numKvHeads: 1 }) * shape.numHeads).toBe(mha);
      const fp16 = kvBytesPerToken({ ...shape, dtype: 'fp16' });
      expect(kvBytesPerToken({ ...shape, dtype: 'int4' }) * 4).toBe(fp16);
    },
  );

  test.prop([sizes, fc.integer({ min: 1, max: 10_000 })])(
    'a sliding window W caches min(n, W) tokens: flat past W',
    (s, window) => {
      const shape: KvCacheShape = { ...s, numHeads: s.numKvHeads * s.group };
      const windowed = kvCacheTotalBytes({ ...shape, window }, s.seqLen, s.batch);
      expect(windowed).toBe(kvCacheTotalBytes(shape, Math.min(s.seqLen, window), s.batch));
      expect(kvCacheTotalBytes({ ...shape, window }, s.seqLen + window, s.batch)).toBe(
        kvCacheTotalBytes(shape, window, s.batch),
      );
    },
  );

  test.prop([sizes.filter((s) => s.dtype !== 'int4')])(
    'agrees with the independent formula of ml/long-context.ts',
    (s) => {
      const bytes = KV_BYTES_PER_ELEMENT[s.dtype];
      const shape: KvCacheShape = { ...s, numHeads: s.numKvHeads * s.group };
      const other = longContextKvBytes(
        {
          layers: s.numLayers,
          dModel: shape.numHeads * s.headDim,
          heads: shape.numHeads,
          kvHeads: s.numKvHeads,
          headDim: s.headDim,
          dtypeBytes: bytes,
          batch: s.batch,
          trainedContext: 4096,
        },
        s.seqLen,
      );
      expect(kvCacheTotalBytes(shape, s.seqLen, s.batch)).toBe(other);
    },
  );
});

describe('complexity: counted multiply-adds of generating n tokens', () => {
  it('generateCached: O(n d^2) projections and O(n^2 d) attention', () => {
    fc.assert(cacheCost(generateCached), { numRuns: 40 });
  });

  test.prop([costCase], { numRuns: 30 })(
    'generateRecomputed: attention >= L h d_h n (n+1) (n+2) / 3 = O(n^3 d), (n+2)/3 x cached',
    ({ stack, prompt, n }) => {
      const [cached, recomputed] = [new Counter(), new Counter()];
      generateCached(prompt, n, stack, cached);
      generateRecomputed(prompt, n, stack, recomputed);
      const { L, h, dh } = dims(stack);
      // step s recomputes s tokens: s (s + 1) / 2 causal (query, key) pairs of 2 d_h per head
      const cubic = (L * h * dh * n * (n + 1) * (n + 2)) / 3;
      expect(recomputed.get('madds.attention')).toBeGreaterThanOrEqual(0.999 * cubic);
      const ratio = recomputed.get('madds.attention') / cached.get('madds.attention');
      expect(ratio).toBeGreaterThanOrEqual(0.999 * ((n + 2) / 3));
      expect(recomputed.get('madds')).toBeGreaterThanOrEqual(cached.get('madds'));
    },
  );

  it('recomputing every step is rejected by the cached bound (a counterexample)', () => {
    rejectsPitfall(cacheCost(generateRecomputed), { numRuns: 40 });
  });
});

describe('pitfalls, rejected by the properties the right answers pass', () => {
  it('RoPE positions restarted at 0 for each new token (pitfallDecodeStepPositionZero)', () => {
    rejectsPitfall(cachedEqualsFull(pitfallDecodeStepPositionZero), { numRuns: 200 });
  });

  it('k and v attended to but never written back (pitfallDecodeStepForgetsToAppend)', () => {
    rejectsPitfall(cachedEqualsFull(pitfallDecodeStepForgetsToAppend), { numRuns: 100 });
  });

  it('re-projecting every K, V (pitfallGenerateRecomputingKv): right values, cost rejected', () => {
    const stack = initDecoderStack(
      llamaBlockConfig({ dModel: 8, numHeads: 4, numKvHeads: 2, ffnHidden: 8 }),
      2,
      rng(5),
    );
    const prompt = randomMatrix(2, 8, rng(6));
    const right = generateCached(prompt, 5, stack);
    expect(maxAbsDiff(pitfallGenerateRecomputingKv(prompt, 5, stack), right)).toBeLessThan(1e-12);
    rejectsPitfall(cacheCost(pitfallGenerateRecomputingKv), { numRuns: 60 });
  });

  it('bytes per token from the query heads (pitfallKvBytesPerTokenQueryHeads)', () => {
    rejectsPitfall(holdsWhatItSays(pitfallKvBytesPerTokenQueryHeads), { numRuns: 60 });
  });
});

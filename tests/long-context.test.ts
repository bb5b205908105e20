/**
 * Answer key for Q23, long context. Worked examples: KV-cache bytes against published numbers
 * (Llama-2-7B fp16: 512 KiB per token; OPT-13B: 800 KB) and attention FLOPs by hand. Oracles: a
 * brute-force cache built from typed arrays, the count of the from-scratch attention kernel, a
 * brute-force pair count with a sliding window. The remedies equal the textbook when switched off.
 * Invariants: linear and quadratic growth, the limits (binding = smallest, each remedy moves its
 * wall, binary search agrees with the boundary). Pitfalls rejected: the KV cache sized with query
 * heads or keys only, causal cost counted as n^2.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  LLAMA2_7B,
  REMEDIES,
  attentionFlops,
  attentionFlopsWindowed,
  contextLimits,
  crossoverLength,
  kvCacheBytes,
  kvCacheBytesPerToken,
  kvCacheBytesWindowed,
  linearFlops,
  pitfallAttentionFlopsFullSquare,
  pitfallKvCacheKeysOnly,
  pitfallKvCacheWithQueryHeads,
  scoreMatrixBytes,
  scoreMatrixBytesWindowed,
  visiblePairs,
  type Deployment,
  type ModelConfig,
} from '../ml/long-context.js';
import { attentionMasked } from '../ml/scaled-dot-product-attention.js';
import { Counter } from '../core/counter.js';
import { randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

/** Small configs: heads a multiple of kvHeads (MHA, GQA or MQA). */
const configCase = fc
  .record({
    layers: fc.integer({ min: 1, max: 4 }),
    kvHeads: fc.integer({ min: 1, max: 4 }),
    group: fc.integer({ min: 1, max: 4 }),
    headDim: fc.integer({ min: 1, max: 8 }),
    dtypeBytes: fc.constantFrom(1, 2, 4),
    batch: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ layers, kvHeads, group, headDim, dtypeBytes, batch }): ModelConfig => ({
    layers,
    heads: kvHeads * group,
    kvHeads,
    headDim,
    dModel: kvHeads * group * headDim,
    dtypeBytes,
    batch,
    trainedContext: 64,
  }));

/** A typed array whose elements take `bytes` bytes, as a KV-cache slot of that dtype would. */
const slot = (bytes: number, length: number) =>
  bytes === 1
    ? new Int8Array(length)
    : bytes === 2
      ? new Uint16Array(length)
      : new Float32Array(length);

/** Brute force: decode n tokens, appending K and V for every layer and KV head; sum the bytes held. */
function bruteForceKvBytes(config: ModelConfig, n: number, window?: number): number {
  const width = config.kvHeads * config.headDim;
  let held: ArrayBufferView[][] = Array.from({ length: config.batch * config.layers }, () => []);
  for (let t = 0; t < n; t++) {
    held = held.map((cache) => {
      const next = [...cache, slot(config.dtypeBytes, width), slot(config.dtypeBytes, width)];
      // a sliding window evicts the oldest token's K and V
      return window !== undefined && next.length > 2 * window ? next.slice(2) : next;
    });
  }
  return held.flat().reduce((s, a) => s + a.byteLength, 0);
}

const kvMatchesBruteForce = (kv: (config: ModelConfig, n: number) => number) =>
  fc.property(configCase, fc.integer({ min: 0, max: 12 }), (config, n) => {
    expect(kv(config, n)).toBe(bruteForceKvBytes(config, n));
  });

/** Runs the from-scratch causal attention kernel per layer, batch element and head; sums its count. */
function kernelMadds(config: ModelConfig, n: number, seed: number): number {
  const r = rng(seed);
  const counter = new Counter();
  for (let k = 0; k < config.layers * config.batch * config.heads; k++) {
    const d = config.headDim;
    const [q, key, v] = [randomMatrix(n, d, r), randomMatrix(n, d, r), randomMatrix(n, d, r)];
    attentionMasked(q, key, v, { causal: true }, counter);
  }
  return counter.get('madds');
}

/** The property: attention FLOPs are 2 per multiply-add that the kernel itself counts. */
const flopsMatchKernel = (flops: (config: ModelConfig, n: number) => number) =>
  fc.property(configCase, fc.integer({ min: 1, max: 10 }), fc.integer(), (config, n, seed) => {
    expect(flops(config, n)).toBe(2 * kernelMadds(config, n, seed));
  });

describe('worked examples: published numbers', () => {
  it('Llama-2-7B fp16: 2 * 32 layers * 4096 * 2 bytes = 524,288 B = 512 KiB per token', () => {
    expect(kvCacheBytesPerToken(LLAMA2_7B)).toBe(524_288);
    expect(kvCacheBytesPerToken(LLAMA2_7B) / 1024).toBe(512);
  });

  it('Llama-2-7B: 2048 tokens take 1 GiB (1.07 GB), the full 4096 context 2 GiB', () => {
    expect(kvCacheBytes(LLAMA2_7B, 2048)).toBe(2 ** 30);
    expect(kvCacheBytes(LLAMA2_7B, 4096)).toBe(2 ** 31);
  });

  it('OPT-13B (40 layers, d = 5120, fp16): 819,200 B per token, the PagedAttention paper\'s "800 KB"', () => {
    const opt13b = {
      layers: 40,
      dModel: 5120,
      heads: 40,
      kvHeads: 40,
      headDim: 128,
      dtypeBytes: 2,
      batch: 1,
      trainedContext: 2048,
    };
    expect(kvCacheBytesPerToken(opt13b)).toBe(819_200);
  });

  it('GQA: Llama-3-8B (32 layers, 8 KV heads of 128, bf16) needs 131,072 B per token, 1/4 of Llama-2-7B', () => {
    expect(kvCacheBytesPerToken({ ...LLAMA2_7B, kvHeads: 8 })).toBe(131_072);
  });

  it('Llama-2-7B: 4096 causal tokens cost 2 * 32 * 32 * (4096 * 4097 / 2) * 256 FLOPs = 2.20e12 in attention', () => {
    expect(attentionFlops(LLAMA2_7B, 4096)).toBe(2 * 32 * 32 * ((4096 * 4097) / 2) * 256);
    // the linear part: 2 FLOPs per weight per token, 32 layers of 4 * 4096^2 + 3 * 4096 * 11008
    expect(linearFlops(LLAMA2_7B, 1)).toBe(2 * 32 * (4 * 4096 ** 2 + 3 * 4096 * 11008));
  });

  const tiny: ModelConfig = {
    layers: 2,
    dModel: 8,
    heads: 2,
    kvHeads: 1,
    headDim: 4,
    dtypeBytes: 2,
    batch: 1,
    trainedContext: 64,
  };

  it('linear FLOPs = 2 * layers * n * batch * (Q and O: 2 d h d_h, K and V: 2 d kv d_h, FFN: 2 d 4d by default)', () => {
    const perLayer = 2 * 8 * 2 * 4 + 2 * 8 * 1 * 4 + 2 * 8 * 32;
    expect(linearFlops(tiny, 10)).toBe(2 * perLayer * 2 * 10);
    expect(linearFlops({ ...tiny, batch: 3 }, 10)).toBe(3 * linearFlops(tiny, 10));
    const gated = 2 * (2 * 8 * 2 * 4 + 2 * 8 * 1 * 4 + 3 * 8 * 16) * 2 * 10;
    expect(linearFlops({ ...tiny, ffnHidden: 16, gatedFfn: true }, 10)).toBe(gated);
  });

  it('the naive score matrix is batch * heads * n * min(n, W) * dtypeBytes', () => {
    expect(scoreMatrixBytes(tiny, 10)).toBe(2 * 10 * 10 * 2);
    expect(scoreMatrixBytesWindowed(tiny, 10, 4)).toBe(2 * 10 * 4 * 2);
    expect(scoreMatrixBytesWindowed(tiny, 10, 40)).toBe(2 * 10 * 10 * 2);
    expect(scoreMatrixBytes({ ...tiny, batch: 3 }, 10)).toBe(3 * 2 * 10 * 10 * 2);
  });

  it('weights larger than the memory leave room for no context at all', () => {
    const small = { memoryBytes: 100, weightBytes: 200, flopsPerSecond: 1e12, prefillSeconds: 1 };
    expect(contextLimits(tiny, small).memory).toBe(0);
  });
});

describe('oracles: a brute-force cache, the kernel count, a brute-force pair count', () => {
  it('KV bytes = 2 * layers * kvHeads * headDim * n * batch * dtypeBytes, as a cache of typed arrays holds', () => {
    fc.assert(kvMatchesBruteForce(kvCacheBytes), { numRuns: 100 });
  });

  test.prop([configCase, fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 6 })], {
    numRuns: 100,
  })('a sliding window keeps the last W tokens', (config, n, window) => {
    expect(kvCacheBytesWindowed(config, n, window)).toBe(bruteForceKvBytes(config, n, window));
  });

  it('attention FLOPs are 2 per multiply-add the from-scratch causal kernel counts (layers, batch, heads)', () => {
    fc.assert(flopsMatchKernel(attentionFlops), { numRuns: 60 });
  });

  test.prop([fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 70 })], { numRuns: 200 })(
    'visible pairs with a window = brute-force count of (i, j) with i - W < j <= i',
    (n, window) => {
      let pairs = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) if (j > i - window) pairs++;
      expect(visiblePairs(n, window)).toBe(pairs);
      if (window >= n) expect(visiblePairs(n, window)).toBe(visiblePairs(n));
    },
  );
});

describe('the remedies equal the textbook when they change nothing', () => {
  test.prop([configCase, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 100 })], {
    numRuns: 100,
  })(
    'a window of at least n keys: windowed FLOPs, cache and scores equal the textbook ones',
    (config, n, extra) => {
      const w = n + 1 + extra;
      expect(attentionFlopsWindowed(config, n, w)).toBe(attentionFlops(config, n));
      expect(kvCacheBytesWindowed(config, n, w)).toBe(kvCacheBytes(config, n));
      expect(scoreMatrixBytesWindowed(config, n, w)).toBe(scoreMatrixBytes(config, n));
    },
  );

  test.prop([configCase, fc.integer({ min: 0, max: 1000 })], { numRuns: 100 })(
    'the KV cache is bytes per token * n * batch; attention FLOPs are 4 d_h * visible pairs * heads * layers * batch',
    (config, n) => {
      expect(kvCacheBytes(config, n)).toBe(kvCacheBytesPerToken(config) * n * config.batch);
      const perPair = 4 * config.headDim * config.heads * config.layers * config.batch;
      expect(attentionFlops(config, n)).toBe(perPair * visiblePairs(n));
    },
  );
});

describe('invariants: growth with n', () => {
  test.prop([configCase, fc.integer({ min: 0, max: 1000 })], { numRuns: 100 })(
    'the cache is linear in n; MQA (kvHeads = 1) is heads times smaller than MHA',
    (config, n) => {
      expect(kvCacheBytes(config, 2 * n)).toBe(2 * kvCacheBytes(config, n));
      const mha = { ...config, kvHeads: config.heads };
      const mqa = { ...config, kvHeads: 1 };
      expect(kvCacheBytes(mha, n)).toBe(config.heads * kvCacheBytes(mqa, n));
    },
  );

  test.prop([fc.integer({ min: 1000, max: 100_000 })], { numRuns: 50 })(
    'quadratic without a window (doubling n gives ~4x), linear with one (~2x)',
    (n) => {
      expect(attentionFlops(LLAMA2_7B, 2 * n) / attentionFlops(LLAMA2_7B, n)).toBeCloseTo(4, 2);
      const windowed = (m: number) => attentionFlopsWindowed(LLAMA2_7B, m, 64);
      expect(windowed(2 * n) / windowed(n)).toBeCloseTo(2, 1);
    },
  );

  it('the quadratic term overtakes the linear one near n = 12 d for Llama-2-7B', () => {
    const n = crossoverLength(LLAMA2_7B);
    expect(attentionFlops(LLAMA2_7B, n)).toBeLessThanOrEqual(linearFlops(LLAMA2_7B, n));
    expect(attentionFlops(LLAMA2_7B, n + 1)).toBeGreaterThan(linearFlops(LLAMA2_7B, n + 1));
    expect(n / 4096).toBeGreaterThan(10);
    expect(n / 4096).toBeLessThan(14);
  });
});

describe('invariants: which wall comes first', () => {
  const a100: Deployment = {
    memoryBytes: 80e9,
    weightBytes: 13.5e9,
    flopsPerSecond: 200e12,
    prefillSeconds: 10,
  };

  it('Llama-2-7B on an 80 GB GPU, batch 1: the 4096 trained positions bind first', () => {
    const limits = contextLimits(LLAMA2_7B, a100);
    expect(limits.binding).toBe('position');
    expect(limits.maxContext).toBe(4096);
  });

  it('with RoPE scaling 32x, memory binds: the naive n x n scores; FlashAttention removes them, then the KV cache', () => {
    const scaled = contextLimits(LLAMA2_7B, a100, { ropeScale: 32 });
    expect(scaled.binding).toBe('memory');
    const flash = contextLimits(LLAMA2_7B, a100, { ropeScale: 32, flash: true });
    expect(flash.memory).toBeGreaterThan(scaled.memory);
    expect(flash.memory).toBe(Math.floor((80e9 - 13.5e9) / 524_288));
  });

  it('a budget met exactly fits: compute and memory set to what n = 1000 needs give limits of exactly 1000', () => {
    const flops = attentionFlops(LLAMA2_7B, 1000) + linearFlops(LLAMA2_7B, 1000);
    const bytes = kvCacheBytes(LLAMA2_7B, 1000) + scoreMatrixBytes(LLAMA2_7B, 1000);
    const limits = contextLimits(LLAMA2_7B, {
      memoryBytes: bytes + 1e9,
      weightBytes: 1e9,
      flopsPerSecond: flops / 2,
      prefillSeconds: 2,
    });
    expect(limits.compute).toBe(1000);
    expect(limits.memory).toBe(1000);
    // a tie between compute and memory names the first of compute, memory, position
    expect([limits.binding, limits.maxContext]).toEqual(['compute', 1000]);
  });

  const deploymentCase = fc.record({
    memoryBytes: fc.double({ min: 1e9, max: 1e12, noNaN: true }),
    weightBytes: fc.double({ min: 0, max: 1e9, noNaN: true }),
    flopsPerSecond: fc.double({ min: 1e12, max: 1e16, noNaN: true }),
    prefillSeconds: fc.double({ min: 0.1, max: 100, noNaN: true }),
  });
  const windowCase = fc.option(fc.integer({ min: 128, max: 8192 }), { nil: undefined });

  test.prop([deploymentCase, fc.boolean(), windowCase], { numRuns: 100 })(
    'each limit is the exact boundary of its constraint, and the binding one is the smallest',
    (deployment, flash, window) => {
      const options = { flash, ...(window !== undefined ? { window } : {}) };
      const limits = contextLimits(LLAMA2_7B, deployment, options);
      const kv = (n: number) =>
        window === undefined
          ? kvCacheBytes(LLAMA2_7B, n)
          : kvCacheBytesWindowed(LLAMA2_7B, n, window);
      const scores = (n: number) =>
        window === undefined
          ? scoreMatrixBytes(LLAMA2_7B, n)
          : scoreMatrixBytesWindowed(LLAMA2_7B, n, window);
      const flops = (n: number) =>
        window === undefined
          ? attentionFlops(LLAMA2_7B, n)
          : attentionFlopsWindowed(LLAMA2_7B, n, window);
      const free = deployment.memoryBytes - deployment.weightBytes;
      const memoryFits = (n: number) => kv(n) + (flash ? 0 : scores(n)) <= free;
      const budget = deployment.flopsPerSecond * deployment.prefillSeconds;
      const computeFits = (n: number) => flops(n) + linearFlops(LLAMA2_7B, n) <= budget;
      // with a window and FlashAttention memory stops growing with n: no memory limit at all
      if (Number.isFinite(limits.memory)) {
        expect(memoryFits(limits.memory) && !memoryFits(limits.memory + 1)).toBe(true);
      } else expect(window !== undefined && flash && memoryFits(2 ** 50)).toBe(true);
      expect(computeFits(limits.compute) && !computeFits(limits.compute + 1)).toBe(true);
      expect(limits.maxContext).toBe(Math.min(limits.compute, limits.memory, limits.position));
      expect(limits[limits.binding]).toBe(limits.maxContext);
    },
  );

  test.prop([deploymentCase, fc.integer({ min: 1, max: 32 })], { numRuns: 50 })(
    'every remedy moves its wall outward, never inward',
    (deployment, s) => {
      const base = contextLimits(LLAMA2_7B, deployment);
      const flash = contextLimits(LLAMA2_7B, deployment, { flash: true });
      expect(flash.memory).toBeGreaterThanOrEqual(base.memory);
      const gqa = contextLimits({ ...LLAMA2_7B, kvHeads: 8 }, deployment);
      expect(gqa.memory).toBeGreaterThanOrEqual(base.memory);
      expect(contextLimits(LLAMA2_7B, deployment, { ropeScale: s }).position).toBe(4096 * s);
      const windowed = contextLimits(LLAMA2_7B, deployment, { window: 1024 });
      expect(windowed.compute).toBeGreaterThanOrEqual(base.compute);
    },
  );

  it('every remedy names the module that implements it, and every wall has a remedy', () => {
    expect(REMEDIES.map((r) => r.module).sort()).toEqual([
      'ml/flash-attention.ts',
      'ml/multi-head-attention.ts',
      'ml/positional-encoding/index.ts',
      'ml/rope.ts',
    ]);
    for (const wall of ['compute', 'memory', 'position'] as const) {
      expect(REMEDIES.some((r) => r.limits.includes(wall))).toBe(true);
    }
  });
});

describe('pitfalls rejected by the properties the textbook passes', () => {
  it('rejects sizing the cache with query heads (wrong for GQA / MQA)', () => {
    const [config] = rejectsPitfall(kvMatchesBruteForce(pitfallKvCacheWithQueryHeads), {
      seed: 23,
    });
    expect(config.kvHeads).toBeLessThan(config.heads);
  });

  it('rejects caching only the keys (the factor 2 for K and V forgotten)', () => {
    rejectsPitfall(kvMatchesBruteForce(pitfallKvCacheKeysOnly), { seed: 23 });
  });

  it('rejects counting causal attention as the full n^2', () => {
    const [, n] = rejectsPitfall(flopsMatchKernel(pitfallAttentionFlopsFullSquare), {
      numRuns: 60,
      seed: 23,
    });
    expect(n).toBeGreaterThanOrEqual(2);
  });
});

/**
 * Answer key for Q20, the LLaMA / Qwen block against the original Transformer block. Published
 * parameter totals reproduced exactly (GPT-2 small, Llama-2-7B; Qwen2-0.5B against its rounded
 * card numbers); the counter equals a count of the block's actual weight arrays for random configs;
 * the from-scratch block agrees with the tensor twin blockTf (composed of the parts' twins), also
 * on [batch, n, d] tensors; the block is built from the project's parts (same output as composing
 * them by hand); pre-norm vs post-norm differ, and each has its own invariant (pre-norm with silent
 * sublayers is the identity; post-norm rows are normalized); causality; the pitfalls (the 12 d^2
 * rule of thumb, the residual taken after the norm, pre/post placement swapped) rejected by the
 * properties the right answers pass. Input checks: tests/inputs/transformer-block.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  GPT2_SMALL,
  LLAMA2_7B,
  QWEN2_0_5B,
  blockForward,
  blockParamCount,
  blockTf,
  blockTfMatrix,
  blockWeightsTf,
  initBlock,
  initModel,
  llamaBlockConfig,
  modelParamCount,
  originalBlockConfig,
  pitfallBlockParamCountRuleOfThumb,
  pitfallPreNormBlockResidualAfterNorm,
  pitfallSwappedNormPlacement,
  qwenBlockConfig,
  type BlockConfig,
  type BlockForwardOptions,
  type BlockWeights,
  type ModelConfig,
} from '../ml/transformer-block.js';
import { multiHeadAttentionMasked } from '../ml/multi-head-attention.js';
import { rmsNorm, layerNorm } from '../ml/normalization.js';
import {
  denseFfn,
  swiglu,
  reluFfn,
  type GatedFfnWeights,
  type ReluFfnWeights,
} from '../ml/swiglu.js';
import { applyRope } from '../ml/rope.js';
import { tensorBackend } from '../core/backend.js';
import { addMatrices, matrix, maxAbsDiff, randomMatrix, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

/** Random small block configs mixing every switch: placement, norm, FFN, biases, GQA, RoPE. */
const blockConfig = fc
  .record({
    numKvHeads: fc.integer({ min: 1, max: 3 }),
    group: fc.integer({ min: 1, max: 3 }),
    halfHeadDim: fc.integer({ min: 1, max: 3 }),
    ffnHidden: fc.integer({ min: 1, max: 12 }),
    placement: fc.constantFrom('post' as const, 'pre' as const),
    norm: fc.constantFrom('layer' as const, 'rms' as const),
    ffn: fc.constantFrom('relu' as const, 'gelu' as const, 'gelu-tanh' as const, 'swiglu' as const),
    attentionBias: fc.constantFrom('all' as const, 'qkv' as const, 'none' as const),
    ffnBias: fc.boolean(),
    rope: fc.constantFrom(
      false as const,
      { layout: 'half' as const },
      { layout: 'interleaved' as const, base: 100 },
    ),
  })
  .map(({ numKvHeads, group, halfHeadDim, ffn, ffnBias, ...rest }): BlockConfig => {
    const numHeads = numKvHeads * group;
    return {
      dModel: numHeads * 2 * halfHeadDim,
      numHeads,
      numKvHeads,
      ffn,
      ...(ffn === 'swiglu' ? {} : { ffnBias }),
      ...rest,
    };
  });

const blockCase = fc
  .record({
    config: blockConfig,
    n: fc.integer({ min: 1, max: 6 }),
    causal: fc.boolean(),
    offset: fc.integer({ min: 0, max: 20 }),
    seed: fc.integer(),
  })
  .map(({ config, n, causal, offset, seed }) => {
    const r = rng(seed);
    return {
      config,
      weights: initBlock(config, r),
      x: randomMatrix(n, config.dModel, r),
      options: { causal, offset },
    };
  });

/**
 * The oracle for parameter counts: add up the length of every Float64Array reachable from the
 * weights.
 */
function countArrays(tree: unknown): number {
  if (tree instanceof Float64Array) return tree.length;
  if (Array.isArray(tree)) return tree.reduce((s: number, t) => s + countArrays(t), 0);
  if (tree !== null && typeof tree === 'object')
    return Object.values(tree).reduce((s: number, t) => s + countArrays(t), 0);
  return 0;
}

describe('published parameter totals, exactly', () => {
  it('GPT-2 small: 124,439,808 = token table 50257 x 768 + 1024 learned positions x 768 + 12 blocks x (12 d^2 + 13 d) + final LayerNorm 2 d; head tied', () => {
    const count = modelParamCount(GPT2_SMALL);
    expect(count.total).toBe(124_439_808);
    expect(count.tokenEmbedding).toBe(38_597_376);
    expect(count.positionEmbedding).toBe(786_432);
    expect(count.perBlock.total).toBe(12 * 768 ** 2 + 13 * 768);
    expect(count.finalNorm).toBe(1536);
    expect(count.lmHead).toBe(0);
  });

  it('Llama-2-7B: 6,738,415,616 = 32 blocks x (4 d^2 + 3 d 11008 + 2 d) + embedding and untied lm_head 32000 x 4096 each + final RMSNorm 4096; no biases', () => {
    const count = modelParamCount(LLAMA2_7B);
    expect(count.total).toBe(6_738_415_616);
    expect(count.perBlock).toEqual({
      attention: 4 * 4096 ** 2,
      ffn: 3 * 4096 * 11008,
      norms: 2 * 4096,
      total: 202_383_360,
    });
    expect(count.tokenEmbedding).toBe(131_072_000);
    expect(count.lmHead).toBe(131_072_000);
    expect(count.finalNorm).toBe(4096);
  });

  it("tying Llama-2-7B's head (a common slip) gives 6,607,343,616, not the published total", () => {
    expect(modelParamCount({ ...LLAMA2_7B, tiedEmbeddings: true }).total).toBe(6_607_343_616);
  });

  it("Qwen2-0.5B (GQA 14 / 2 heads, q/k/v biases, tied): 494,032,768, the card's 0.49B total and 0.36B non-embedding", () => {
    const count = modelParamCount(QWEN2_0_5B);
    expect(count.total).toBe(494_032_768);
    expect(Math.round(count.total / 1e7) / 100).toBe(0.49);
    expect(Math.round(count.nonEmbedding / 1e7) / 100).toBe(0.36);
    // the q/k/v biases: (14 + 2 + 2) x 64 = 1152 per layer
    const noBias = modelParamCount({
      ...QWEN2_0_5B,
      block: { ...QWEN2_0_5B.block, attentionBias: 'none' },
    });
    expect(count.total - noBias.total).toBe(24 * 1152);
  });
});

describe('the counter equals a count of the actual weight arrays', () => {
  /**
   * The property: for random configs, the formula equals the number of floats initBlock allocates.
   */
  const countsMatch = (counter: (c: BlockConfig) => number) =>
    fc.property(
      blockConfig,
      fc.integer(),
      (config, seed) => counter(config) === countArrays(initBlock(config, rng(seed))),
    );

  it('for every block config (placement, norm, FFN, biases, GQA)', () => {
    fc.assert(
      countsMatch((c) => blockParamCount(c).total),
      { numRuns: 200, seed: 20 },
    );
  });

  test.prop(
    [
      blockConfig,
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 0, max: 8 }),
      fc.boolean(),
      fc.boolean(),
      fc.integer(),
    ],
    { numRuns: 60 },
  )(
    'for whole tiny models (embeddings, positions, final norm, tied or untied head)',
    (block, numLayers, vocabSize, learnedPositions, tiedEmbeddings, finalNorm, seed) => {
      const config: ModelConfig = {
        block,
        numLayers,
        vocabSize,
        learnedPositions,
        tiedEmbeddings,
        finalNorm,
      };
      expect(modelParamCount(config).total).toBe(countArrays(initModel(config, rng(seed))));
    },
  );
});

describe('from scratch agrees with the tensor twin (float32) to 1e-4', () => {
  test.prop([blockCase], { numRuns: 25 })(
    "blockForward vs blockTf (composed of the parts' twins), every switch, causal or not, RoPE offsets",
    async ({ config, weights, x, options }) => {
      expect(
        maxAbsDiff(
          blockForward(x, weights, config, options),
          await blockTfMatrix(x, weights, config, options),
        ),
      ).toBeLessThan(1e-4);
    },
  );

  test.prop([blockCase, fc.integer({ min: 1, max: 3 }), fc.integer()], { numRuns: 8 })(
    'blockTf on a [batch, n, d] tensor maps every sequence like blockForward on its [n, d] matrix',
    async ({ config, weights, x, options }, batch, seed) => {
      const { tf } = await tensorBackend();
      const r = rng(seed);
      const xs = Array.from({ length: batch }, (_, b) =>
        b === 0 ? x : randomMatrix(x.rows, x.cols, r),
      );
      const y = tf.tidy(() =>
        blockTf(
          tf,
          tf.tensor3d(
            xs.flatMap((m) => Array.from(m.data)),
            [batch, x.rows, x.cols],
          ),
          blockWeightsTf(tf, weights),
          config,
          options,
        ),
      );
      const data = await y.data();
      y.dispose();
      const size = x.data.length;
      xs.forEach((m, b) =>
        expect(
          maxAbsDiff(
            matrix(x.rows, x.cols, data.subarray(b * size, (b + 1) * size)),
            blockForward(m, weights, config, options),
          ),
        ).toBeLessThan(1e-4),
      );
    },
  );
});

describe('built from the parts', () => {
  it('the LLaMA block equals composing rmsNorm, multiHeadAttention with RoPE, and swiglu by hand', () => {
    const config = qwenBlockConfig({ dModel: 8, numHeads: 4, numKvHeads: 2, ffnHidden: 12 });
    const w = initBlock(config, rng(1));
    const x = randomMatrix(5, 8, rng(2));
    const rope = (head: Matrix) => applyRope(head, { layout: 'half', offset: 3 });
    const attn = (t: Matrix) =>
      multiHeadAttentionMasked(
        t,
        w.attention,
        { numHeads: 4, numKvHeads: 2 },
        { causal: true, transformQK: rope },
      ).output;
    const h = addMatrices(x, attn(rmsNorm(x, w.norm1.weight)));
    const expected = addMatrices(h, swiglu(rmsNorm(h, w.norm2.weight), w.ffn as GatedFfnWeights));
    expect(
      maxAbsDiff(blockForward(x, w, config, { causal: true, offset: 3 }), expected),
    ).toBeLessThan(1e-12);
  });

  it('the original block equals LayerNorm(x + MHA(x)) then LayerNorm(h + ReLU FFN(h))', () => {
    const config = originalBlockConfig({ dModel: 6, numHeads: 2, ffnHidden: 24 });
    const w = initBlock(config, rng(3));
    const x = randomMatrix(4, 6, rng(4));
    const ln = (t: Matrix, n: typeof w.norm1) => layerNorm(t, n.weight, n.bias);
    const h = ln(
      addMatrices(x, multiHeadAttentionMasked(x, w.attention, { numHeads: 2 }).output),
      w.norm1,
    );
    const expected = ln(addMatrices(h, reluFfn(h, w.ffn as ReluFfnWeights)), w.norm2);
    expect(maxAbsDiff(blockForward(x, w, config), expected)).toBeLessThan(1e-12);
  });
});

/**
 * Weights with the attention output projection and the FFN's last layer zeroed: both sublayers
 * return 0.
 */
function silenced(weights: BlockWeights): BlockWeights {
  const zero = (m: Matrix) => matrix(m.rows, m.cols);
  const ffn = {
    ...weights.ffn,
    w2: zero(weights.ffn.w2),
    ...('b2' in weights.ffn && weights.ffn.b2
      ? { b2: new Float64Array(weights.ffn.b2.length) }
      : {}),
  };
  const attention = {
    ...weights.attention,
    wo: zero(weights.attention.wo),
    ...(weights.attention.bo ? { bo: new Float64Array(weights.attention.bo.length) } : {}),
  };
  return { ...weights, attention, ffn };
}

type Forward = (x: Matrix, w: BlockWeights, c: BlockConfig, o?: BlockForwardOptions) => Matrix;

/** The parts composed by hand for any config: the papers' two arrangements written out. */
function composedByHand(
  x: Matrix,
  w: BlockWeights,
  c: BlockConfig,
  o: BlockForwardOptions = {},
): Matrix {
  const rope = c.rope
    ? (head: Matrix) => applyRope(head, { ...c.rope, offset: o.offset ?? 0 })
    : undefined;
  const attn = (t: Matrix) =>
    multiHeadAttentionMasked(t, w.attention, c, {
      causal: o.causal ?? false,
      ...(rope ? { transformQK: rope } : {}),
    }).output;
  const ffn = (t: Matrix) =>
    c.ffn === 'swiglu'
      ? swiglu(t, w.ffn as GatedFfnWeights)
      : denseFfn(t, w.ffn as ReluFfnWeights, c.ffn);
  const eps = c.eps ?? (c.norm === 'layer' ? 1e-5 : 1e-6);
  const norm = (t: Matrix, n: BlockWeights['norm1']) =>
    c.norm === 'layer' ? layerNorm(t, n.weight, n.bias, eps) : rmsNorm(t, n.weight, eps);
  if (c.placement === 'pre') {
    const h = addMatrices(x, attn(norm(x, w.norm1)));
    return addMatrices(h, ffn(norm(h, w.norm2)));
  }
  const h = norm(addMatrices(x, attn(x)), w.norm1);
  return norm(addMatrices(h, ffn(h)), w.norm2);
}

/** The composition property: a forward equals the parts composed by hand, for every switch. */
const composesTheParts = (forward: Forward) =>
  fc.property(
    blockCase,
    ({ config, weights, x, options }) =>
      maxAbsDiff(
        forward(x, weights, config, options),
        composedByHand(x, weights, config, options),
      ) < 1e-12,
  );

describe('the block composes the parts for every switch', () => {
  it('blockForward equals the parts composed by hand (placement, norm, FFN, biases, GQA, RoPE)', () => {
    fc.assert(composesTheParts(blockForward), { numRuns: 60, seed: 21 });
  });
});

describe('pre-norm vs post-norm', () => {
  const preCase = blockCase.map((c) => ({
    ...c,
    config: { ...c.config, placement: 'pre' as const },
  }));

  /**
   * The property: with both sublayers silenced, a pre-norm block is the identity (the residual path
   * is clean).
   */
  const identityWhenSilent = (forward: (x: Matrix, w: BlockWeights, c: BlockConfig) => Matrix) =>
    fc.property(
      preCase,
      ({ config, weights, x }) => maxAbsDiff(forward(x, silenced(weights), config), x) < 1e-12,
    );

  it('pre-norm with silent sublayers returns x unchanged', () => {
    fc.assert(
      identityWhenSilent((x, w, c) => blockForward(x, w, c)),
      { numRuns: 100, seed: 7 },
    );
  });

  test.prop([blockCase.filter(({ config }) => config.norm === 'layer' && config.dModel >= 2)], {
    numRuns: 60,
  })(
    'post-LN output rows are normalized: (out - beta) / gamma has mean 0 and variance ~1',
    ({ config, weights, x }) => {
      const out = blockForward(x, weights, { ...config, placement: 'post' });
      const { weight, bias } = weights.norm2;
      for (let i = 0; i < out.rows; i++) {
        const z = Array.from(
          { length: out.cols },
          (_, j) => (out.data[i * out.cols + j]! - bias![j]!) / weight[j]!,
        );
        const mean = z.reduce((s, v) => s + v, 0) / z.length;
        const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
        expect(Math.abs(mean)).toBeLessThan(1e-9);
        // eps = 1e-5 inside the root: the variance is var / (var + eps), just under 1 unless the row
        // is nearly constant
        expect(variance).toBeLessThanOrEqual(1 + 1e-9);
      }
    },
  );

  test.prop([blockCase], { numRuns: 60 })(
    'the same weights in pre and post order give different outputs',
    ({ config, weights, x }) => {
      const pre = blockForward(x, weights, { ...config, placement: 'pre' });
      const post = blockForward(x, weights, { ...config, placement: 'post' });
      expect(maxAbsDiff(pre, post)).toBeGreaterThan(1e-3);
    },
  );
});

describe('causality', () => {
  test.prop([blockCase, fc.nat(), fc.integer()], { numRuns: 60 })(
    'with the causal mask, output row t does not change when tokens after t change',
    ({ config, weights, x, options }, tRaw, seed) => {
      const t = tRaw % x.rows;
      const r = rng(seed);
      const changed = matrix(
        x.rows,
        x.cols,
        x.data.map((v, i) => (i >= (t + 1) * x.cols ? r.normal() : v)),
      );
      const before = blockForward(x, weights, config, { ...options, causal: true });
      const after = blockForward(changed, weights, config, { ...options, causal: true });
      expect(Array.from(after.data.subarray(0, (t + 1) * x.cols))).toEqual(
        Array.from(before.data.subarray(0, (t + 1) * x.cols)),
      );
    },
  );

  it('without the mask the first row does see later tokens (so the property above can fail)', () => {
    const config = llamaBlockConfig({ dModel: 4, numHeads: 2, ffnHidden: 8 });
    const w = initBlock(config, rng(5));
    const x = randomMatrix(3, 4, rng(6));
    const changed = matrix(
      3,
      4,
      x.data.map((v, i) => (i >= 4 ? v + 1 : v)),
    );
    const row0 = (m: Matrix) => Array.from(blockForward(m, w, config).data.subarray(0, 4));
    expect(row0(changed)).not.toEqual(row0(x));
  });
});

describe('pitfalls, rejected by the properties above', () => {
  const countsMatch = (counter: (c: BlockConfig) => number) =>
    fc.property(
      blockConfig,
      fc.integer(),
      (config, seed) => counter(config) === countArrays(initBlock(config, rng(seed))),
    );

  it('the 4 d^2 + 2 d f rule is exact only without biases and norms: GPT-2 small blocks differ by 13 d per layer', () => {
    expect(
      blockParamCount(GPT2_SMALL.block).total - pitfallBlockParamCountRuleOfThumb(GPT2_SMALL.block),
    ).toBe(13 * 768);
  });

  it('the weight-array count rejects the 4 d^2 + 2 d f rule of thumb (no biases, norms, GQA or third SwiGLU matrix)', () => {
    rejectsPitfall(countsMatch(pitfallBlockParamCountRuleOfThumb), { numRuns: 200, seed: 20 });
  });

  it('the identity property rejects taking the residual after the norm, norm(x) + f(norm(x))', () => {
    const preCase = blockCase.map((c) => ({
      ...c,
      config: { ...c.config, placement: 'pre' as const },
    }));
    const identityWhenSilent = (forward: Forward) =>
      fc.property(
        preCase,
        ({ config, weights, x }) => maxAbsDiff(forward(x, silenced(weights), config), x) < 1e-12,
      );
    rejectsPitfall(identityWhenSilent(pitfallPreNormBlockResidualAfterNorm), {
      numRuns: 100,
      seed: 7,
    });
  });

  it('the composition property rejects the pre/post placement swapped (post-LN written as x + f(norm(x)), or the reverse)', () => {
    rejectsPitfall(composesTheParts(pitfallSwappedNormPlacement), { numRuns: 60, seed: 21 });
  });
});

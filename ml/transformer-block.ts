/**
 * A Transformer block assembled from the project's parts, in the two arrangements interviewers
 * compare: the original post-norm block and the LLaMA / Qwen pre-norm block, plus a parameter
 * counter that reproduces published model totals exactly.
 * Answers: Q20 (Qwen 结构改进).
 *
 *   original (Vaswani et al. 2017):  h = LayerNorm(x + MHA(x));  out = LayerNorm(h + FFN_ReLU(h))
 *   LLaMA / Qwen2:                   h = x + GQA(RMSNorm(x), RoPE);    out = h + SwiGLU(RMSNorm(h))
 *
 * The parts come from their own modules and are not re-implemented here: multi-head / grouped-query
 * attention (ml/multi-head-attention.ts), RoPE (ml/rope.ts), LayerNorm / RMSNorm
 * (ml/normalization.ts), the ReLU / GELU FFN and SwiGLU (ml/swiglu.ts). A `BlockConfig` picks one
 * option per part, so the two blocks (and GPT-2's pre-LayerNorm block, and Qwen2's q/k/v biases)
 * are the same code with different switches. Positions: the original block and GPT-2 add sinusoidal
 * or learned positions to the input outside the block (ml/positional-encoding.ts); LLaMA / Qwen
 * rotate q and k inside attention. The tensor twin `blockTf` is composed only of the parts' twins
 * (`multiHeadAttentionTf` with `ropeTf` as its rotary hook, `layerNormTf` / `rmsNormTf`, `swigluTf`
 * / `denseFfnTf`).
 *
 * What changed from the original to LLaMA / Qwen and why: pre-norm keeps an identity residual path
 * (stable deep training, no warm-up gymnastics); RMSNorm drops the mean and bias (cheaper, as
 * good); SwiGLU's gate beats ReLU at equal parameters (hidden 2/3 * 4d); RoPE gives relative
 * positions and no position table; GQA shares key/value heads to shrink the KV cache; no biases
 * except Qwen2's on q, k, v; an untied output head (LLaMA) or a tied one (GPT-2, small Qwen2).
 *
 * Parameters of one block, d = d_model, h / h_kv heads of width d_h, FFN hidden f:
 *   attention  d (h + 2 h_kv) d_h + h d_h d  (+ (h + 2 h_kv) d_h for q/k/v biases, + d for the o
 *     bias)
 *   FFN        ReLU: 2 d f (+ f + d biases);  SwiGLU: 3 d f
 *   norms      LayerNorm 2 d each (gain, bias), RMSNorm d each (gain), two per block
 * A model adds the token embedding V d, a learned position table P d if any, a final norm, and an
 * output head V d unless tied to the embedding.
 *
 * Complexity of a forward pass over n tokens: O(n d (h + h_kv) d_h + n d f) for the projections and
 * O(h n^2 d_h) for attention.
 *
 * @example
 *   modelParamCount(GPT2_SMALL).total    // 124_439_808
 *   modelParamCount(LLAMA2_7B).total     // 6_738_415_616
 *   const config = llamaBlockConfig({ dModel: 8, numHeads: 4, numKvHeads: 2, ffnHidden: 16 });
 *   blockForward(randomMatrix(5, 8, rng(1)), initBlock(config, rng(2)), config, { causal: true
 *     });  // [5, 8]
 */
import {
  ArgumentError,
  assertBoolean,
  assertFinite,
  assertInteger,
  assertObject,
  assertOneOf,
} from '../core/errors.js';
import { addMatrices, assertMatrix, randomMatrix, shapeOf, type Matrix } from '../core/matrix.js';
import { assertRng, type Rng } from '../core/random.js';
import { assertTensor, assertTf, onMatrices, type Tensor, type Tf } from '../core/backend.js';
import {
  initMultiHeadAttention,
  multiHeadAttentionMasked,
  multiHeadAttentionTf,
  type MhaTensorWeights,
  type MhaWeights,
} from './multi-head-attention.js';
import { paddingMaskTf } from './scaled-dot-product-attention.js';
import {
  LAYER_NORM_EPS,
  RMS_NORM_EPS,
  layerNorm,
  layerNormTf,
  pitfallPreNormResidualAfterNorm,
  postNorm,
  preNorm,
  rmsNorm,
  rmsNormTf,
  type RowMap,
} from './normalization.js';
import {
  denseFfn,
  denseFfnTf,
  ffnParamCount,
  initGatedFfn,
  initReluFfn,
  swiglu,
  swigluTf,
  type GatedFfnTensors,
  type GatedFfnWeights,
  type ReluFfnTensors,
  type ReluFfnWeights,
} from './swiglu.js';
import { applyRope, ropeTf, type RopeOptions } from './rope.js';

/**
 * One block over x [n, d] -> [n, d], as in the papers:
 *   pre-norm (GPT-2, LLaMA):  h = x + Attn(Norm1(x)),  out = h + FFN(Norm2(h))
 *   post-norm (original):     h = Norm1(x + Attn(x)),  out = Norm2(h + FFN(h))
 * with Attn, FFN and the norms the parts this config picks (`blockSublayers`).
 */
export function blockForward(
  x: Matrix,
  weights: BlockWeights,
  config: BlockConfig,
  options: BlockForwardOptions = {},
): Matrix {
  const { attention, ffn, norm1, norm2 } = blockSublayers(weights, config, options);
  assertBlockInput(x, config);
  if (config.placement === 'pre') {
    const h = addMatrices(x, attention(norm1(x)));
    return addMatrices(h, ffn(norm2(h)));
  }
  const h = norm1(addMatrices(x, attention(x)));
  return norm2(addMatrices(h, ffn(h)));
}

/** RoPE settings a block carries (positions come with the input: `BlockForwardOptions.offset`). */
export type BlockRope = Omit<RopeOptions, 'positions' | 'offset'>;

/** One switch per part of the block. */
export interface BlockConfig {
  /** d_model, the width of the residual stream. */
  dModel: number;
  /** h, query heads. */
  numHeads: number;
  /** h_kv, key/value heads (GQA); must divide h. Default h. */
  numKvHeads?: number;
  /** d_h; default d_model / h, which must then divide evenly. */
  headDim?: number;
  /** f, the FFN hidden width (4 d in the original, 11008 for d = 4096 in LLaMA). */
  ffnHidden: number;
  /** 'post': norm(x + f(x)) (original); 'pre': x + f(norm(x)) (GPT-2, LLaMA). */
  placement: 'post' | 'pre';
  /** 'layer': LayerNorm with gain and bias; 'rms': RMSNorm with a gain only. */
  norm: 'layer' | 'rms';
  /**
   * 'relu': max(0, x W1^T + b1) W2^T + b2 (original); 'gelu' / 'gelu-tanh': the same with exact or
   * tanh GELU (BERT / GPT-2); 'swiglu': (SiLU(x W1^T) ⊙ x W3^T) W2^T, no biases (LLaMA, Qwen).
   */
  ffn: 'relu' | 'gelu' | 'gelu-tanh' | 'swiglu';
  /**
   * Which attention projections have biases: 'all' (original, GPT-2), 'qkv' (Qwen2), 'none'
   * (LLaMA).
   */
  attentionBias: 'all' | 'qkv' | 'none';
  /** Biases in the ReLU FFN; default true. Not allowed with SwiGLU. */
  ffnBias?: boolean;
  /** Rotate q and k per head with RoPE (LLaMA / Qwen); false or absent for none. */
  rope?: BlockRope | false;
  /** Norm epsilon; default 1e-5 for LayerNorm, 1e-6 for RMSNorm. */
  eps?: number;
}

/** A whole decoder-only model, for counting parameters. */
export interface ModelConfig {
  block: BlockConfig;
  numLayers: number;
  vocabSize: number;
  /** Rows of a learned absolute position table (GPT-2: 1024); 0 for sinusoidal or RoPE. */
  learnedPositions: number;
  /**
   * The output head reuses the token embedding (GPT-2, small Qwen2) or has its own V x d matrix
   * (LLaMA).
   */
  tiedEmbeddings: boolean;
  /** A norm after the last block (of the block's norm kind). */
  finalNorm: boolean;
}

/** Gain (LayerNorm gamma, RMSNorm weight) and, for LayerNorm, bias beta. */
export interface NormWeights {
  weight: Float64Array;
  bias?: Float64Array;
}

export interface BlockWeights {
  attention: MhaWeights;
  ffn: ReluFfnWeights | GatedFfnWeights;
  /** The norm around attention (before it in pre-norm, after the residual sum in post-norm). */
  norm1: NormWeights;
  /** The norm around the FFN. */
  norm2: NormWeights;
}

export interface ModelWeights {
  /** [V, d] */
  tokenEmbedding: Matrix;
  /** [P, d] if the model has a learned position table. */
  positionEmbedding?: Matrix;
  blocks: BlockWeights[];
  finalNorm?: NormWeights;
  /** [V, d] unless tied to the token embedding. */
  lmHead?: Matrix;
}

export interface BlockForwardOptions {
  /** Decoder mask: token t attends to tokens <= t. */
  causal?: boolean;
  /** keyPadding[j] = true hides token j from every query. */
  keyPadding?: readonly boolean[];
  /** Position of the first row for RoPE (e.g. a KV-cache length). Default 0. */
  offset?: number;
}

// ---------------------------------------------------------------------------------------------
// The configurations.

type Sizes = Pick<BlockConfig, 'dModel' | 'numHeads' | 'ffnHidden'> &
  Partial<Pick<BlockConfig, 'numKvHeads' | 'headDim'>>;

/** The original block: post-LayerNorm, ReLU FFN with biases, MHA with biases, no RoPE. */
export function originalBlockConfig(sizes: Sizes): BlockConfig {
  return {
    ...sizes,
    placement: 'post',
    norm: 'layer',
    ffn: 'relu',
    attentionBias: 'all',
    ffnBias: true,
    rope: false,
  };
}

/**
 * GPT-2's block: pre-LayerNorm, a two-matrix FFN with biases and tanh GELU ("gelu_new"), attention
 * with biases.
 */
export function gpt2BlockConfig(sizes: Sizes): BlockConfig {
  return {
    ...sizes,
    placement: 'pre',
    norm: 'layer',
    ffn: 'gelu-tanh',
    attentionBias: 'all',
    ffnBias: true,
    rope: false,
  };
}

/**
 * LLaMA's block: pre-RMSNorm, RoPE (rotate-half layout, as in HF), SwiGLU, GQA when numKvHeads <
 * numHeads, no biases.
 */
export function llamaBlockConfig(sizes: Sizes, rope: BlockRope = {}): BlockConfig {
  return { ...sizes, placement: 'pre', norm: 'rms', ffn: 'swiglu', attentionBias: 'none', rope };
}

/** Qwen2's block: LLaMA's plus biases on the q, k and v projections (none on o). */
export function qwenBlockConfig(sizes: Sizes, rope: BlockRope = {}): BlockConfig {
  return { ...llamaBlockConfig(sizes, rope), attentionBias: 'qkv' };
}

/**
 * GPT-2 small (124M): 12 layers, d = 768, 12 heads, FFN 3072, vocab 50257, 1024 learned positions,
 * final LayerNorm, output head tied to the token embedding (so counted once).
 */
export const GPT2_SMALL: ModelConfig = {
  block: gpt2BlockConfig({ dModel: 768, numHeads: 12, ffnHidden: 3072 }),
  numLayers: 12,
  vocabSize: 50257,
  learnedPositions: 1024,
  tiedEmbeddings: true,
  finalNorm: true,
};

/**
 * Llama-2-7B: 32 layers, d = 4096, 32 heads (no GQA at 7B), SwiGLU hidden 11008, vocab 32000, no
 * biases, RMSNorm gains, final RMSNorm, untied lm_head, RoPE (no position table).
 */
export const LLAMA2_7B: ModelConfig = {
  block: llamaBlockConfig({ dModel: 4096, numHeads: 32, ffnHidden: 11008 }),
  numLayers: 32,
  vocabSize: 32000,
  learnedPositions: 0,
  tiedEmbeddings: false,
  finalNorm: true,
};

/**
 * Qwen2-0.5B (from its config.json): 24 layers, d = 896, 14 heads, 2 key/value heads (d_h = 64),
 * SwiGLU hidden 4864, vocab 151936, q/k/v biases, tied embeddings. Published as 0.49B total,
 * 0.36B non-embedding.
 */
export const QWEN2_0_5B: ModelConfig = {
  block: qwenBlockConfig(
    { dModel: 896, numHeads: 14, numKvHeads: 2, ffnHidden: 4864 },
    { base: 1_000_000 },
  ),
  numLayers: 24,
  vocabSize: 151936,
  learnedPositions: 0,
  tiedEmbeddings: true,
  finalNorm: true,
};

/** Sizes above this are refused: a config is a description, and 2^30 is past any real model. */
const MAX_SIZE = 2 ** 30;
/** At most this many floats are allocated by initBlock / initModel. */
const MAX_INIT = 2 ** 25;

/**
 * Validates a block config (heads dividing the width, kv heads dividing heads, known part names)
 * and returns the head sizes and eps. Errors name the argument and the value it must agree with.
 */
export function assertBlockConfig(config: BlockConfig): {
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  eps: number;
} {
  assertObject('config', config, 'a BlockConfig object');
  const { dModel, numHeads, numKvHeads = numHeads, ffnHidden } = config;
  assertInteger('dModel', dModel, { min: 1, max: MAX_SIZE });
  assertInteger('numHeads', numHeads, { min: 1, max: MAX_SIZE });
  assertInteger('numKvHeads', numKvHeads, { min: 1, max: numHeads });
  if (numHeads % numKvHeads !== 0)
    throw new ArgumentError('numKvHeads', numKvHeads, `a divisor of numHeads = ${numHeads}`);
  let headDim: number;
  if (config.headDim !== undefined) {
    assertInteger('headDim', config.headDim, { min: 1, max: MAX_SIZE });
    headDim = config.headDim;
  } else {
    if (dModel % numHeads !== 0)
      throw new ArgumentError(
        'numHeads',
        numHeads,
        `a divisor of dModel = ${dModel} (or pass headDim)`,
      );
    headDim = dModel / numHeads;
  }
  assertInteger('ffnHidden', ffnHidden, { min: 1, max: MAX_SIZE });
  assertOneOf('placement', config.placement, ['post', 'pre']);
  assertOneOf('norm', config.norm, ['layer', 'rms']);
  assertOneOf('ffn', config.ffn, ['relu', 'gelu', 'gelu-tanh', 'swiglu']);
  assertOneOf('attentionBias', config.attentionBias, ['all', 'qkv', 'none']);
  if (config.ffnBias !== undefined) assertBoolean('ffnBias', config.ffnBias);
  if (config.ffn === 'swiglu' && config.ffnBias === true) {
    throw new ArgumentError(
      'ffnBias',
      true,
      "false: the SwiGLU FFN has no biases (ffn = 'swiglu')",
    );
  }
  if (config.rope !== undefined && config.rope !== false) {
    assertObject('rope', config.rope, 'RoPE settings { layout?, base?, scaling? } or false');
    if (headDim % 2 !== 0) {
      throw new ArgumentError(
        'headDim',
        headDim,
        `an even head width for RoPE (d_model ${dModel} / ${numHeads} heads = ${headDim})`,
      );
    }
  }
  const eps = config.eps ?? (config.norm === 'layer' ? LAYER_NORM_EPS : RMS_NORM_EPS);
  assertFinite('eps', eps);
  if (eps < 0) throw new ArgumentError('eps', eps, 'a finite number >= 0');
  return { numHeads, numKvHeads, headDim, eps };
}

function assertModelConfig(config: ModelConfig): void {
  assertObject('config', config, 'a ModelConfig object');
  assertBlockConfig(config.block);
  assertInteger('numLayers', config.numLayers, { min: 1, max: MAX_SIZE });
  assertInteger('vocabSize', config.vocabSize, { min: 1, max: MAX_SIZE });
  assertInteger('learnedPositions', config.learnedPositions, { min: 0, max: MAX_SIZE });
  assertBoolean('tiedEmbeddings', config.tiedEmbeddings);
  assertBoolean('finalNorm', config.finalNorm);
}

/** x is a Matrix [n, d_model]. */
function assertBlockInput(x: unknown, config: BlockConfig): asserts x is Matrix {
  assertMatrix('x', x);
  if (x.cols !== config.dModel) {
    throw new ArgumentError(
      'x',
      x,
      `d_model = ${config.dModel} columns (config.dModel)`,
      `shape ${shapeOf(x)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Counting parameters.

export interface BlockParamCount {
  attention: number;
  ffn: number;
  norms: number;
  total: number;
}

/** Parameters of one block by formula (see the module comment). */
export function blockParamCount(config: BlockConfig): BlockParamCount {
  const { numHeads: h, numKvHeads: hkv, headDim: dh } = assertBlockConfig(config);
  const d = config.dModel;
  // projections d (h + 2 h_kv) d_h + h d_h d, then the biases this config has
  const qkvBiases = (h + 2 * hkv) * dh;
  const biases =
    config.attentionBias === 'all' ? qkvBiases + d : config.attentionBias === 'qkv' ? qkvBiases : 0;
  const attention = d * (h + 2 * hkv) * dh + h * dh * d + biases;
  const ffn =
    config.ffn === 'swiglu'
      ? ffnParamCount('gated', d, config.ffnHidden)
      : ffnParamCount('relu', d, config.ffnHidden, { bias: config.ffnBias ?? true });
  const norms = 2 * normParamCount(config);
  return { attention, ffn, norms, total: attention + ffn + norms };
}

/** One norm: LayerNorm 2 d (gain and bias), RMSNorm d (gain). */
function normParamCount(config: BlockConfig): number {
  return config.norm === 'layer' ? 2 * config.dModel : config.dModel;
}

export interface ModelParamCount {
  tokenEmbedding: number;
  positionEmbedding: number;
  perBlock: BlockParamCount;
  blocks: number;
  finalNorm: number;
  /** 0 when tied to the token embedding. */
  lmHead: number;
  /** Everything above. */
  total: number;
  /**
   * total minus token and position embeddings (the head is counted when untied), as model cards
   * quote it.
   */
  nonEmbedding: number;
}

/** Parameters of a whole model: embeddings + L blocks + final norm + untied head. */
export function modelParamCount(config: ModelConfig): ModelParamCount {
  assertModelConfig(config);
  const d = config.block.dModel;
  const perBlock = blockParamCount(config.block);
  const tokenEmbedding = config.vocabSize * d;
  const positionEmbedding = config.learnedPositions * d;
  const blocks = config.numLayers * perBlock.total;
  const finalNorm = config.finalNorm ? normParamCount(config.block) : 0;
  const lmHead = config.tiedEmbeddings ? 0 : config.vocabSize * d;
  const total = tokenEmbedding + positionEmbedding + blocks + finalNorm + lmHead;
  const nonEmbedding = total - tokenEmbedding - positionEmbedding;
  return {
    tokenEmbedding,
    positionEmbedding,
    perBlock,
    blocks,
    finalNorm,
    lmHead,
    total,
    nonEmbedding,
  };
}

// ---------------------------------------------------------------------------------------------
// Weights and the parts of the forward pass, from scratch.

/** A norm's weights: gain 1 + N(0, 0.1^2) and, for LayerNorm, bias N(0, 0.1^2). */
function initNorm(config: BlockConfig, rng: Rng): NormWeights {
  const small = () => rng.normal(0, 0.1);
  const weight = rng.array(config.dModel, () => 1 + small());
  return config.norm === 'layer' ? { weight, bias: rng.array(config.dModel, small) } : { weight };
}

/**
 * Random weights for a block: every matrix N(0, 1/d_in) and, unlike a training init, biases
 * N(0, 0.1^2) and norm gains 1 + N(0, 0.1^2), so a forward pass exercises every parameter.
 */
export function initBlock(config: BlockConfig, rng: Rng): BlockWeights {
  const { numHeads, numKvHeads, headDim } = assertBlockConfig(config);
  assertRng('rng', rng);
  if (blockParamCount(config).total > MAX_INIT)
    throw new ArgumentError(
      'config',
      config,
      `a block of at most ${MAX_INIT} parameters to initialize`,
    );
  const d = config.dModel;
  const small = () => rng.normal(0, 0.1);
  const attention = initMultiHeadAttention(
    { dModel: d, numHeads, numKvHeads, headDim, bias: config.attentionBias !== 'none' },
    rng,
  );
  for (const b of [attention.bq, attention.bk, attention.bv, attention.bo])
    if (b) (b as Float64Array).forEach((_, i, a) => (a[i] = small()));
  if (config.attentionBias === 'qkv') delete attention.bo;
  let ffn: ReluFfnWeights | GatedFfnWeights;
  if (config.ffn === 'swiglu') ffn = initGatedFfn(d, config.ffnHidden, rng);
  else {
    const relu: ReluFfnWeights = initReluFfn(d, config.ffnHidden, rng);
    if (config.ffnBias === false) {
      delete relu.b1;
      delete relu.b2;
    }
    ffn = relu;
  }
  return { attention, ffn, norm1: initNorm(config, rng), norm2: initNorm(config, rng) };
}

/** Random weights for a whole (tiny) model, every array the counter counts. */
export function initModel(config: ModelConfig, rng: Rng): ModelWeights {
  assertModelConfig(config);
  assertRng('rng', rng);
  if (modelParamCount(config).total > MAX_INIT)
    throw new ArgumentError(
      'config',
      config,
      `a model of at most ${MAX_INIT} parameters to initialize`,
    );
  const { dModel: d } = config.block;
  const table = (rows: number) => randomMatrix(rows, d, rng, () => rng.normal(0, 0.02));
  const model: ModelWeights = {
    tokenEmbedding: table(config.vocabSize),
    blocks: Array.from({ length: config.numLayers }, () => initBlock(config.block, rng)),
  };
  if (config.learnedPositions > 0) model.positionEmbedding = table(config.learnedPositions);
  if (config.finalNorm) model.finalNorm = initNorm(config.block, rng);
  if (!config.tiedEmbeddings) model.lmHead = table(config.vocabSize);
  return model;
}

function assertBlockWeights(
  weights: unknown,
  config: BlockConfig,
): asserts weights is BlockWeights {
  assertObject('weights', weights, 'BlockWeights { attention, ffn, norm1, norm2 }');
  assertObject('weights.ffn', weights['ffn'], 'FFN weights');
  if (config.ffn === 'swiglu' && !('w3' in (weights['ffn'] as object))) {
    throw new ArgumentError(
      'weights.ffn',
      weights['ffn'],
      "SwiGLU weights { w1, w3, w2 } for ffn = 'swiglu'",
    );
  }
  for (const name of ['norm1', 'norm2'])
    assertObject(`weights.${name}`, weights[name], '{ weight, bias? }');
}

function assertForwardOptions(options: unknown): asserts options is BlockForwardOptions {
  assertObject('options', options, 'forward options { causal?, keyPadding?, offset? }');
  if (options['causal'] !== undefined) assertBoolean('options.causal', options['causal']);
  if (options['offset'] !== undefined) assertFinite('options.offset', options['offset']);
}

/** The block's four pieces as row maps [n, d] -> [n, d]: attention, FFN and the two norms. */
export function blockSublayers(
  weights: BlockWeights,
  config: BlockConfig,
  options: BlockForwardOptions = {},
): { attention: RowMap; ffn: RowMap; norm1: RowMap; norm2: RowMap } {
  const { numHeads, numKvHeads, eps } = assertBlockConfig(config);
  assertBlockWeights(weights, config);
  assertForwardOptions(options);
  const { causal = false, keyPadding, offset = 0 } = options;
  const rope = config.rope ? { ...config.rope, offset } : undefined;
  const masks = {
    causal,
    ...(keyPadding ? { keyPadding } : {}),
    ...(rope ? { transformQK: (head: Matrix) => applyRope(head, rope) } : {}),
  };
  const attention: RowMap = (x) =>
    multiHeadAttentionMasked(x, weights.attention, { numHeads, numKvHeads }, masks).output;
  const ffn: RowMap = (x) =>
    config.ffn === 'swiglu'
      ? swiglu(x, weights.ffn as GatedFfnWeights)
      : denseFfn(x, weights.ffn as ReluFfnWeights, config.ffn);
  const norm = (w: NormWeights): RowMap =>
    config.norm === 'layer'
      ? (x) => layerNorm(x, w.weight, w.bias, eps)
      : (x) => rmsNorm(x, w.weight, eps);
  return { attention, ffn, norm1: norm(weights.norm1), norm2: norm(weights.norm2) };
}

// ---------------------------------------------------------------------------------------------
// The tensor twin, composed of the parts' twins.

/** A norm's weights for the twin: tensors [d] or arrays. */
export interface NormTensorWeights {
  weight: Tensor | ArrayLike<number>;
  bias?: Tensor | ArrayLike<number>;
}

/** A block's weights as tensors, for `blockTf`. */
export interface BlockTensorWeights {
  attention: MhaTensorWeights;
  ffn: GatedFfnTensors | ReluFfnTensors;
  norm1: NormTensorWeights;
  norm2: NormTensorWeights;
}

export interface BlockTfOptions {
  /** Decoder mask: token t attends to tokens <= t. */
  causal?: boolean;
  /** A bool tensor broadcastable to [..., n, n] (true = visible), e.g. `paddingMaskTf`. */
  mask?: Tensor;
  /** Position of the first token for RoPE (e.g. a KV-cache length). Default 0. */
  offset?: number;
}

/**
 * The block on tensors, x [..., n, d_model] -> [..., n, d_model], composed only of the parts'
 * twins: `multiHeadAttentionTf` (with `ropeTf` as its rotary hook when the config has RoPE),
 * `layerNormTf` / `rmsNormTf`, `swigluTf` / `denseFfnTf`, and the residual sums. Synchronous.
 */
export function blockTf(
  tf: Tf,
  x: Tensor,
  weights: BlockTensorWeights,
  config: BlockConfig,
  options: BlockTfOptions = {},
): Tensor {
  assertTf('tf', tf);
  const { numHeads, numKvHeads, eps } = assertBlockConfig(config);
  assertTensor('x', x);
  if (x.rank < 2 || x.shape[x.rank - 1] !== config.dModel) {
    throw new ArgumentError(
      'x',
      x,
      `a tensor [..., n, ${config.dModel}] (config.dModel)`,
      `shape [${x.shape.join(', ')}]`,
    );
  }
  assertObject('weights', weights, 'BlockTensorWeights { attention, ffn, norm1, norm2 }');
  for (const name of ['attention', 'ffn', 'norm1', 'norm2'] as const)
    assertObject(`weights.${name}`, weights[name], 'an object of tensors');
  assertObject('options', options, 'options { causal?, mask?, offset? }');
  const { causal = false, mask, offset = 0 } = options as BlockTfOptions;
  assertBoolean('options.causal', causal);
  assertFinite('options.offset', offset);
  const rope = config.rope ? { ...config.rope, offset } : undefined;
  const rotary = rope && ((t: Tf, head: Tensor) => ropeTf(t, head, rope));
  const attention = (t: Tensor) =>
    multiHeadAttentionTf(tf, t, weights.attention, {
      numHeads,
      numKvHeads,
      causal,
      ...(mask === undefined ? {} : { mask }),
      ...(rotary && { rotary }),
    });
  const ffn = (t: Tensor) =>
    config.ffn === 'swiglu'
      ? swigluTf(tf, t, weights.ffn as GatedFfnTensors)
      : denseFfnTf(tf, t, weights.ffn as ReluFfnTensors, config.ffn);
  const norm = (t: Tensor, w: NormTensorWeights) =>
    config.norm === 'layer'
      ? layerNormTf(tf, t, w.weight, w.bias, eps)
      : rmsNormTf(tf, t, w.weight, eps);
  return tf.tidy(() => {
    if (config.placement === 'pre') {
      // h = x + Attn(Norm1(x)); out = h + FFN(Norm2(h))
      const h = tf.add(x, attention(norm(x, weights.norm1)));
      return tf.add(h, ffn(norm(h, weights.norm2)));
    }
    // h = Norm1(x + Attn(x)); out = Norm2(h + FFN(h))
    const h = norm(tf.add(x, attention(x)), weights.norm1);
    return norm(tf.add(h, ffn(h)), weights.norm2);
  });
}

/** A block's Matrix weights as tensors (float32); call inside tf.tidy, or dispose them. */
export function blockWeightsTf(tf: Tf, weights: BlockWeights): BlockTensorWeights {
  assertTf('tf', tf);
  assertObject('weights', weights, 'BlockWeights { attention, ffn, norm1, norm2 }');
  const matrixTensor = (name: string, m: unknown) => {
    assertMatrix(name, m);
    return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
  };
  const vector = (v: ArrayLike<number> | undefined) =>
    v === undefined ? undefined : tf.tensor1d(Float32Array.from(v));
  const tensors = (prefix: string, group: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(group)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [
          k,
          k.startsWith('w') ? matrixTensor(`${prefix}.${k}`, v) : vector(v as ArrayLike<number>),
        ]),
    );
  for (const name of ['attention', 'ffn', 'norm1', 'norm2'] as const)
    assertObject(`weights.${name}`, weights[name], 'an object');
  return {
    attention: tensors(
      'weights.attention',
      weights.attention as unknown as Record<string, unknown>,
    ) as unknown as MhaTensorWeights,
    ffn: tensors('weights.ffn', weights.ffn as unknown as Record<string, unknown>) as unknown as
      GatedFfnTensors | ReluFfnTensors,
    norm1: weights.norm1,
    norm2: weights.norm2,
  };
}

/**
 * `blockForward` computed by `blockTf` in float32: the Matrix-level edge for the agreement
 * properties (converts x and the weights, runs the twin, reads the [n, d] result back).
 */
export function blockTfMatrix(
  x: Matrix,
  weights: BlockWeights,
  config: BlockConfig,
  options: BlockForwardOptions = {},
): Promise<Matrix> {
  blockSublayers(weights, config, options);
  assertBlockInput(x, config);
  const { causal = false, keyPadding, offset = 0 } = options;
  if (keyPadding !== undefined && (!Array.isArray(keyPadding) || keyPadding.length !== x.rows)) {
    throw new ArgumentError(
      'keyPadding',
      keyPadding,
      `an array of ${x.rows} booleans, one per token`,
    );
  }
  return onMatrices((tf, t) => {
    const mask =
      keyPadding === undefined
        ? undefined
        : paddingMaskTf(
            tf,
            keyPadding.map((p) => p === true),
          );
    return blockTf(tf, t, blockWeightsTf(tf, weights), config, {
      causal,
      offset,
      ...(mask && { mask }),
    });
  }, x);
}

// ---------------------------------------------------------------------------------------------
// Pitfalls: common wrong answers, rejected by the properties the right ones pass.

/** Pitfall: 4 d^2 + 2 d f taken as exact: no biases, norm gains, GQA K/V sizes, SwiGLU's W_up. */
export function pitfallBlockParamCountRuleOfThumb(config: BlockConfig): number {
  assertBlockConfig(config);
  return 4 * config.dModel ** 2 + 2 * config.dModel * config.ffnHidden;
}

/** Pitfall: a pre-norm block with its residuals taken after the norms, norm(x) + f(norm(x)). */
export function pitfallPreNormBlockResidualAfterNorm(
  x: Matrix,
  weights: BlockWeights,
  config: BlockConfig,
  options: BlockForwardOptions = {},
): Matrix {
  const { attention, ffn, norm1, norm2 } = blockSublayers(weights, config, options);
  assertBlockInput(x, config);
  return pitfallPreNormResidualAfterNorm(
    pitfallPreNormResidualAfterNorm(x, attention, norm1),
    ffn,
    norm2,
  );
}

/** Pitfall: post-norm and pre-norm swapped: the same weights through the other arrangement. */
export function pitfallSwappedNormPlacement(
  x: Matrix,
  weights: BlockWeights,
  config: BlockConfig,
  options: BlockForwardOptions = {},
): Matrix {
  const { attention, ffn, norm1, norm2 } = blockSublayers(weights, config, options);
  assertBlockInput(x, config);
  const place = config.placement === 'pre' ? postNorm : preNorm;
  return place(place(x, attention, norm1), ffn, norm2);
}

/**
 * A Transformer block assembled from the project's parts, in the two arrangements interviewers
 * compare: the original post-norm block and the LLaMA / Qwen pre-norm block, plus a parameter
 * counter that reproduces published model totals exactly.
 * Answers: Q20 (Qwen 结构改进).
 *
 *   original (Vaswani et al. 2017):  h = LayerNorm(x + MHA(x));        out = LayerNorm(h + FFN_ReLU(h))
 *   LLaMA / Qwen2:                   h = x + GQA(RMSNorm(x), RoPE);    out = h + SwiGLU(RMSNorm(h))
 *
 * The parts come from their own modules and are not re-implemented here: multi-head / grouped-query
 * attention (ml/multi-head-attention.ts), RoPE (ml/rope.ts), LayerNorm / RMSNorm and the pre/post
 * placement (ml/normalization.ts), the ReLU FFN and SwiGLU (ml/swiglu.ts). A `BlockConfig` picks one
 * option per part, so the two blocks (and GPT-2's pre-LayerNorm block, and Qwen2's q/k/v biases) are
 * the same code with different switches. Positions: the original block and GPT-2 add sinusoidal or
 * learned positions to the input outside the block (ml/positional-encoding.ts); LLaMA / Qwen rotate
 * q and k inside attention.
 *
 * What changed from the original to LLaMA / Qwen and why: pre-norm keeps an identity residual path
 * (stable deep training, no warm-up gymnastics); RMSNorm drops the mean and bias (cheaper, as good);
 * SwiGLU's gate beats ReLU at equal parameters (hidden 2/3 * 4d); RoPE gives relative positions and
 * no position table; GQA shares key/value heads to shrink the KV cache; no biases except Qwen2's on
 * q, k, v; an untied output head (LLaMA) or a tied one (GPT-2, small Qwen2).
 *
 * Parameters of one block, d = d_model, h / h_kv heads of width d_h, FFN hidden f:
 *   attention  d (h + 2 h_kv) d_h + h d_h d   (+ (h + 2 h_kv) d_h for q/k/v biases, + d for the o bias)
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
 *   blockForward(randomMatrix(5, 8, rng(1)), initBlock(config, rng(2)), config, { causal: true });   // [5, 8]
 */
import { ArgumentError, ArgumentTypeError, assertInteger } from '../core/errors.js';
import { assertMatrix, randomMatrix, shapeOf, type Matrix, type OpCounter } from '../core/matrix.js';
import type { Rng } from '../core/random.js';
import type { Tensor } from '@tensorflow/tfjs';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';
import { initMultiHeadAttention, kvHeadOf, mhaParamCount, multiHeadAttention, type MhaWeights } from './multi-head-attention.js';
import { LAYER_NORM_EPS, RMS_NORM_EPS, layerNorm, postNorm, preNorm, rmsNorm, type RowMap } from './normalization.js';
import { denseActivationTf, denseFfn, ffnParamCount, initGatedFfn, initReluFfn, swiglu, type GatedFfnWeights, type ReluFfnWeights } from './swiglu.js';
import { pairIndices, ropeFrequencies, ropeTransform, type RopeOptions } from './rope.js';


/** RoPE settings a block carries (positions come with the input: `BlockForwardOptions.offset`). */
export type BlockRope = Omit<RopeOptions, 'positions' | 'offset' | 'ops'>;

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
  /** Which attention projections have biases: 'all' (original, GPT-2), 'qkv' (Qwen2), 'none' (LLaMA). */
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
  /** The output head reuses the token embedding (GPT-2, small Qwen2) or has its own V x d matrix (LLaMA). */
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
  ops?: OpCounter;
}

// ---------------------------------------------------------------------------------------------
// The configurations.

type Sizes = Pick<BlockConfig, 'dModel' | 'numHeads' | 'ffnHidden'> & Partial<Pick<BlockConfig, 'numKvHeads' | 'headDim'>>;

/** The original block: post-LayerNorm, ReLU FFN with biases, MHA with biases, no RoPE. */
export function originalBlockConfig(sizes: Sizes): BlockConfig {
  return { ...sizes, placement: 'post', norm: 'layer', ffn: 'relu', attentionBias: 'all', ffnBias: true, rope: false };
}

/** GPT-2's block: pre-LayerNorm, a two-matrix FFN with biases and tanh GELU ("gelu_new"), attention with biases. */
export function gpt2BlockConfig(sizes: Sizes): BlockConfig {
  return { ...sizes, placement: 'pre', norm: 'layer', ffn: 'gelu-tanh', attentionBias: 'all', ffnBias: true, rope: false };
}

/** LLaMA's block: pre-RMSNorm, RoPE (rotate-half layout, as in HF), SwiGLU, GQA when numKvHeads < numHeads, no biases. */
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
  block: qwenBlockConfig({ dModel: 896, numHeads: 14, numKvHeads: 2, ffnHidden: 4864 }, { base: 1_000_000 }),
  numLayers: 24,
  vocabSize: 151936,
  learnedPositions: 0,
  tiedEmbeddings: true,
  finalNorm: true,
};

function oneOf<T extends string>(argument: string, value: unknown, options: readonly T[]): asserts value is T {
  if (!options.includes(value as T)) throw new ArgumentError(argument, value, `one of ${options.map((o) => `'${o}'`).join(', ')}`);
}

/**
 * Validates a block config (heads dividing the width, kv heads dividing heads, known part names)
 * and returns the head sizes. Errors name the argument and the value it must agree with.
 */
export function checkBlockConfig(config: BlockConfig): { numHeads: number; numKvHeads: number; headDim: number; eps: number } {
  if (config === null || typeof config !== 'object') throw new ArgumentTypeError('config', config, 'a BlockConfig object');
  const { dModel, numHeads, numKvHeads = numHeads, ffnHidden } = config;
  // mhaParamCount validates dModel, numHeads | dModel (unless headDim), numKvHeads | numHeads
  mhaParamCount({ dModel, numHeads, numKvHeads, ...(config.headDim !== undefined ? { headDim: config.headDim } : {}) });
  const headDim = config.headDim ?? dModel / numHeads;
  assertInteger('ffnHidden', ffnHidden, { min: 1 });
  oneOf('placement', config.placement, ['post', 'pre']);
  oneOf('norm', config.norm, ['layer', 'rms']);
  oneOf('ffn', config.ffn, ['relu', 'gelu', 'gelu-tanh', 'swiglu']);
  oneOf('attentionBias', config.attentionBias, ['all', 'qkv', 'none']);
  if (config.ffn === 'swiglu' && config.ffnBias === true) throw new ArgumentError('ffnBias', true, "false: the SwiGLU FFN has no biases (ffn = 'swiglu')");
  if (config.rope && headDim % 2 !== 0) throw new ArgumentError('headDim', headDim, `an even head width for RoPE (d_model ${dModel} / ${numHeads} heads = ${headDim})`);
  const eps = config.eps ?? (config.norm === 'layer' ? LAYER_NORM_EPS : RMS_NORM_EPS);
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new ArgumentError('eps', eps, 'a finite number >= 0');
  return { numHeads, numKvHeads, headDim, eps };
}

function checkModelConfig(config: ModelConfig): void {
  if (config === null || typeof config !== 'object') throw new ArgumentTypeError('config', config, 'a ModelConfig object');
  checkBlockConfig(config.block);
  assertInteger('numLayers', config.numLayers, { min: 1 });
  assertInteger('vocabSize', config.vocabSize, { min: 1 });
  assertInteger('learnedPositions', config.learnedPositions, { min: 0 });
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
  const { numHeads: h, numKvHeads: hkv, headDim: dh } = checkBlockConfig(config);
  const d = config.dModel;
  // projections d (h + 2 h_kv) d_h + h d_h d, then the biases this config has
  const qkvBiases = (h + 2 * hkv) * dh;
  const biases = config.attentionBias === 'all' ? qkvBiases + d : config.attentionBias === 'qkv' ? qkvBiases : 0;
  const attention = mhaParamCount({ dModel: d, numHeads: h, numKvHeads: hkv, headDim: dh }) + biases;
  const ffn = config.ffn === 'swiglu' ? ffnParamCount('gated', d, config.ffnHidden) : ffnParamCount('relu', d, config.ffnHidden, { bias: config.ffnBias ?? true });
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
  /** total minus token and position embeddings (the head is counted when untied), as model cards quote it. */
  nonEmbedding: number;
}

/** Parameters of a whole model: embeddings + L blocks + final norm + untied head. */
export function modelParamCount(config: ModelConfig): ModelParamCount {
  checkModelConfig(config);
  const d = config.block.dModel;
  const perBlock = blockParamCount(config.block);
  const tokenEmbedding = config.vocabSize * d;
  const positionEmbedding = config.learnedPositions * d;
  const blocks = config.numLayers * perBlock.total;
  const finalNorm = config.finalNorm ? normParamCount(config.block) : 0;
  const lmHead = config.tiedEmbeddings ? 0 : config.vocabSize * d;
  const total = tokenEmbedding + positionEmbedding + blocks + finalNorm + lmHead;
  return { tokenEmbedding, positionEmbedding, perBlock, blocks, finalNorm, lmHead, total, nonEmbedding: total - tokenEmbedding - positionEmbedding };
}

/**
 * WRONG, the back-of-envelope rule taken as exact: 4 d^2 for attention plus 2 d f for the FFN
 * (12 d^2 with f = 4 d). It forgets biases, norm gains, GQA's smaller K/V projections and SwiGLU's
 * third matrix.
 */
export function blockParamCountApproxVariant(config: BlockConfig): number {
  return 4 * config.dModel ** 2 + 2 * config.dModel * config.ffnHidden;
}

// ---------------------------------------------------------------------------------------------
// Weights and the forward pass, from scratch.

/**
 * Random weights for a block: every matrix N(0, 1/d_in) and, unlike a training init, biases
 * N(0, 0.1^2) and norm gains 1 + N(0, 0.1^2), so a forward pass exercises every parameter.
 */
export function initBlock(config: BlockConfig, rng: Rng): BlockWeights {
  const { numHeads, numKvHeads, headDim } = checkBlockConfig(config);
  const d = config.dModel;
  const small = () => rng.normal(0, 0.1);
  const attention = initMultiHeadAttention({ dModel: d, numHeads, numKvHeads, headDim, bias: config.attentionBias !== 'none' }, rng);
  for (const b of [attention.bq, attention.bk, attention.bv, attention.bo]) if (b) (b as Float64Array).forEach((_, i, a) => (a[i] = small()));
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
  const norm = (): NormWeights => ({ weight: rng.array(d, () => 1 + small()), ...(config.norm === 'layer' ? { bias: rng.array(d, small) } : {}) });
  return { attention, ffn, norm1: norm(), norm2: norm() };
}

/** Random weights for a whole (tiny) model, every array the counter counts. */
export function initModel(config: ModelConfig, rng: Rng): ModelWeights {
  checkModelConfig(config);
  const { dModel: d } = config.block;
  const table = (rows: number) => randomMatrix(rows, d, rng, () => rng.normal(0, 0.02));
  const model: ModelWeights = {
    tokenEmbedding: table(config.vocabSize),
    blocks: Array.from({ length: config.numLayers }, () => initBlock(config.block, rng)),
  };
  if (config.learnedPositions > 0) model.positionEmbedding = table(config.learnedPositions);
  if (config.finalNorm) model.finalNorm = initBlock(config.block, rng).norm1;
  if (!config.tiedEmbeddings) model.lmHead = table(config.vocabSize);
  return model;
}

/** The block's four pieces as row maps [n, d] -> [n, d]: attention, FFN and the two norms. */
export function blockSublayers(weights: BlockWeights, config: BlockConfig, options: BlockForwardOptions = {}): { attention: RowMap; ffn: RowMap; norm1: RowMap; norm2: RowMap } {
  const { numHeads, numKvHeads, eps } = checkBlockConfig(config);
  const { causal = false, keyPadding, offset = 0, ops } = options;
  const transformQK = config.rope ? ropeTransform({ ...config.rope, offset }) : undefined;
  const attention: RowMap = (x) =>
    multiHeadAttention(x, weights.attention, { numHeads, numKvHeads }, { causal, ...(keyPadding ? { keyPadding } : {}), ...(transformQK ? { transformQK } : {}), ...(ops ? { ops } : {}) }).output;
  const ffn: RowMap = (x) => {
    if (config.ffn === 'swiglu') {
      if (!('w3' in weights.ffn)) throw new ArgumentError('weights.ffn', weights.ffn, "SwiGLU weights { w1, w3, w2 } for ffn = 'swiglu'");
      return swiglu(x, weights.ffn, ops);
    }
    return denseFfn(x, weights.ffn, config.ffn, ops);
  };
  const norm = (w: NormWeights): RowMap =>
    config.norm === 'layer' ? (x) => layerNorm(x, { gamma: w.weight, ...(w.bias ? { beta: w.bias } : {}), eps }) : (x) => rmsNorm(x, { weight: w.weight, eps });
  return { attention, ffn, norm1: norm(weights.norm1), norm2: norm(weights.norm2) };
}

/**
 * One block over x [n, d] -> [n, d], from scratch:
 *   post: h = norm1(x + attention(x)),  out = norm2(h + ffn(h))
 *   pre:  h = x + attention(norm1(x)),  out = h + ffn(norm2(h))
 */
export function blockForward(x: Matrix, weights: BlockWeights, config: BlockConfig, options: BlockForwardOptions = {}): Matrix {
  checkBlockConfig(config);
  assertMatrix('x', x);
  if (x.cols !== config.dModel) throw new ArgumentError('x', x, `d_model = ${config.dModel} columns (config.dModel)`, `shape ${shapeOf(x)}`);
  const { attention, ffn, norm1, norm2 } = blockSublayers(weights, config, options);
  const place = config.placement === 'pre' ? preNorm : postNorm;
  const h = place(x, attention, norm1);
  return place(h, ffn, norm2);
}

// ---------------------------------------------------------------------------------------------
// The same block with tfjs ops (float32): the oracle.

const f32 = (a: ArrayLike<number>) => Float32Array.from(a);

/**
 * The block written with tf ops end to end: batched heads by reshape/transpose, GQA by gathering
 * key/value heads, RoPE by cos/sin tables, tf.moments LayerNorm, rsqrt RMSNorm, and the FFNs.
 */
export async function blockForwardTf(x: Matrix, weights: BlockWeights, config: BlockConfig, options: Omit<BlockForwardOptions, 'ops'> = {}): Promise<Matrix> {
  const { numHeads: h, numKvHeads: hkv, headDim: dh, eps } = checkBlockConfig(config);
  assertMatrix('x', x);
  if (x.cols !== config.dModel) throw new ArgumentError('x', x, `d_model = ${config.dModel} columns (config.dModel)`, `shape ${shapeOf(x)}`);
  const { causal = false, keyPadding, offset = 0 } = options;
  const n = x.rows;
  if (keyPadding !== undefined && keyPadding.length !== n) throw new ArgumentError('keyPadding', keyPadding, `an array of ${n} booleans, one per token`);
  const { tf } = await tensorBackend();
  const w = weights;

  // RoPE for [n, d_h] heads: y = x cos + (x R) sin
  const rope = config.rope ? ropeTables(n, dh, offset, config.rope) : undefined;
  const visible = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) visible[i * n + j] = (causal && j > i) || keyPadding?.[j] ? 0 : 1;

  const out = tf.tidy(() => {
    const linearTf = (input: Tensor, m: Matrix, b?: ArrayLike<number>) => {
      const y = tf.matMul(input, toTensor2d(tf, m), false, true);
      return b === undefined ? y : tf.add(y, tf.tensor1d(f32(b)));
    };
    const normTf = (t: Tensor, nw: NormWeights): Tensor => {
      if (config.norm === 'layer') {
        const { mean, variance } = tf.moments(t, 1, true);
        const z = tf.mul(tf.sub(t, mean), tf.rsqrt(tf.add(variance, eps)));
        return tf.add(tf.mul(z, tf.tensor1d(f32(nw.weight))), tf.tensor1d(f32(nw.bias ?? new Float64Array(nw.weight.length))));
      }
      return tf.mul(tf.mul(t, tf.rsqrt(tf.add(tf.mean(tf.square(t), 1, true), eps))), tf.tensor1d(f32(nw.weight)));
    };
    // [n, heads d_h] -> [heads, n, d_h], rotated if RoPE
    const heads = (t: Tensor, count: number): Tensor => {
      const split = tf.transpose(tf.reshape(t, [n, count, dh]), [1, 0, 2]);
      if (!rope) return split;
      // x R per row: [count, n, d_h] -> [count n, d_h] x [d_h, d_h] -> [count, n, d_h]
      const rotated = tf.reshape(tf.matMul(tf.reshape(split, [count * n, dh]), tf.tensor2d(rope.rotate, [dh, dh])), [count, n, dh]);
      return tf.add(tf.mul(split, tf.tensor2d(rope.cos, [n, dh])), tf.mul(rotated, tf.tensor2d(rope.sin, [n, dh])));
    };
    const attentionTf = (t: Tensor): Tensor => {
      const a = w.attention;
      const q = heads(linearTf(t, a.wq, a.bq), h);
      // GQA: query head i reads kv head floor(i / (h / h_kv)); [h_kv, n, d_h] -> [h, n, d_h]
      const group = tf.tensor1d(Array.from({ length: h }, (_, i) => kvHeadOf(i, h, hkv)), 'int32');
      const k = tf.gather(heads(linearTf(t, a.wk, a.bk), hkv), group, 0);
      const v = tf.gather(tf.transpose(tf.reshape(linearTf(t, a.wv, a.bv), [n, hkv, dh]), [1, 0, 2]), group, 0);
      // [h, n, d_h] x [h, d_h, n] -> [h, n, n], masked, softmax; fully masked rows -> 0
      const logits = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh));
      const mask = tf.broadcastTo(tf.tensor3d(visible, [1, n, n]), [h, n, n]);
      const p = tf.mul(tf.softmax(tf.where(tf.cast(mask, 'bool'), logits, tf.fill([h, n, n], -1e30))), tf.cast(tf.greater(tf.sum(mask, 2, true), 0), 'float32'));
      // [h, n, d_h] -> [n, h d_h] -> [n, d]
      const merged = tf.reshape(tf.transpose(tf.matMul(p, v), [1, 0, 2]), [n, h * dh]);
      return linearTf(merged, a.wo, a.bo);
    };
    const ffnTf = (t: Tensor): Tensor => {
      if (config.ffn === 'swiglu') {
        const g = w.ffn as GatedFfnWeights;
        const gate = linearTf(t, g.w1);
        return linearTf(tf.mul(tf.mul(gate, tf.sigmoid(gate)), linearTf(t, g.w3)), g.w2);
      }
      const r = w.ffn as ReluFfnWeights;
      return linearTf(denseActivationTf(tf, linearTf(t, r.w1, r.b1), config.ffn), r.w2, r.b2);
    };
    const xt = toTensor2d(tf, x);
    if (config.placement === 'pre') {
      const hidden = tf.add(xt, attentionTf(normTf(xt, w.norm1)));
      return tf.add(hidden, ffnTf(normTf(hidden, w.norm2)));
    }
    const hidden = normTf(tf.add(xt, attentionTf(xt)), w.norm1);
    return normTf(tf.add(hidden, ffnTf(hidden)), w.norm2);
  });
  return fromTensor2d(out);
}

/**
 * RoPE for tf: cos / sin tables [n, d_h] (each pair's angle (offset + t) theta_i on both of its
 * coordinates) and the rotation as a signed permutation R [d_h, d_h], (x R)_a = -x_b, (x R)_b = x_a,
 * using rope.ts's frequencies and pairing.
 */
function ropeTables(n: number, dh: number, offset: number, rope: BlockRope) {
  const theta = ropeFrequencies(dh, rope);
  const rotate = new Float32Array(dh * dh);
  const cos = new Float32Array(n * dh);
  const sin = new Float32Array(n * dh);
  for (let i = 0; i < dh / 2; i++) {
    const [a, b] = pairIndices(i, dh, rope.layout ?? 'half');
    rotate[b * dh + a] = -1;
    rotate[a * dh + b] = 1;
    for (let t = 0; t < n; t++) {
      const angle = (offset + t) * (theta[i] as number);
      cos[t * dh + a] = cos[t * dh + b] = Math.cos(angle);
      sin[t * dh + a] = sin[t * dh + b] = Math.sin(angle);
    }
  }
  return { rotate, cos, sin };
}

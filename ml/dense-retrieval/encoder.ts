/**
 * The bi-encoder in the shape of BGE: a BERT encoder (token + learned position embeddings, a
 * LayerNorm, post-norm Transformer layers with GELU and biases, no causal mask), the hidden state
 * of [CLS] as the text's vector, L2-normalized. Built from the transformer family's pieces: the
 * layer is ml/transformer-block.ts's post-norm block with `bertBlockConfig` (`blockForward` in the
 * float64 reference; on tensors `bertLayerTf`, composed of `attentionTf` with a padding mask,
 * `layerNormTf` and `denseFfnTf`, and equal to `blockTf`, see its comment for why it is not
 * `blockTf` itself), `learnedPositionTable` (ml/positional-encoding/), `l2NormalizeTf`
 * (ml/contrastive.ts). BERT's token-type embeddings and pooler are left out: BGE pools [CLS]
 * directly and never uses them (they are still counted in `bertParamCount` for the published
 * checkpoints). LayerNorm eps 1e-12 as in BERT.
 *
 *   h_0 = LayerNorm(E_tok[ids] + E_pos[0 .. L))          [B, L, d]
 *   h_l = PostNormBlock_l(h_{l-1}, keys at [PAD] hidden)  (ml/transformer-block.ts)
 *   e   = h_L[:, 0] / |h_L[:, 0]|                          [B, d], the [CLS] row, unit norm
 *
 * `encodeTexts` batches texts of similar length together (less padding) and returns the rows in
 * the order given; a text's vector does not depend on its batch (the mask hides the padding).
 * `encodeTextsReference` is the same forward from scratch in float64, one text at a time.
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertMatrix, matrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertRng, type Rng } from '../../core/random.js';
import { assertTensor, assertTf, type Tensor, type Tf } from '../../core/backend.js';
import {
  blockForward,
  blockParamCount,
  type BlockConfig,
  type BlockTensorWeights,
  type BlockWeights,
  type NormWeights,
} from '../transformer-block.js';
import { layerNorm, layerNormTf } from '../normalization.js';
import { learnedPositionTable } from '../positional-encoding/index.js';
import { attentionTf, paddingMaskTf } from '../scaled-dot-product-attention.js';
import type { ReluFfnTensors } from '../swiglu.js';
import { l2NormalizeRows, l2NormalizeTf } from '../contrastive.js';
import {
  assertTexts,
  assertVocabulary,
  tokenIds,
  tokenize,
  type TokenIds,
  type Vocabulary,
} from './tokenize.js';
import { topKInnerProduct, type Hit } from './top-k.js';

/** The sizes of the encoder; the vocabulary gives V and the maximum length L. */
export interface BiEncoderConfig {
  /** d, the width of every hidden state and of the output vector. */
  dModel: number;
  numHeads: number;
  /** The FFN's hidden width (4 d in BERT). */
  ffnHidden: number;
  numLayers: number;
}

/** The tiny default: one layer of width 32, 2 heads, FFN 64 (trains in seconds on wasm). */
export const TINY_BI_ENCODER: BiEncoderConfig = {
  dModel: 32,
  numHeads: 2,
  ffnHidden: 64,
  numLayers: 1,
};

export interface BiEncoderWeights {
  /** [V, d] */
  tokenEmbedding: Matrix;
  /** [L, d], one learned row per position. */
  positionEmbedding: Matrix;
  /** The LayerNorm over the summed embeddings. */
  embeddingNorm: NormWeights;
  /** Post-norm BERT layers (`bertBlockConfig`). */
  blocks: BlockWeights[];
}

/** A bi-encoder: its sizes, the vocabulary it reads and its weights. Plain data. */
export interface BiEncoder {
  readonly config: BiEncoderConfig;
  readonly vocabulary: Vocabulary;
  readonly weights: BiEncoderWeights;
}

/** BERT's LayerNorm epsilon (layer_norm_eps in its config.json). */
export const BERT_LAYER_NORM_EPS = 1e-12;

/** A BERT layer as a BlockConfig: post-norm LayerNorm, GELU (erf) FFN with biases, MHA biases. */
export function bertBlockConfig(config: BiEncoderConfig): BlockConfig {
  assertBiEncoderConfig(config);
  return {
    dModel: config.dModel,
    numHeads: config.numHeads,
    ffnHidden: config.ffnHidden,
    placement: 'post',
    norm: 'layer',
    ffn: 'gelu',
    attentionBias: 'all',
    ffnBias: true,
    rope: false,
    eps: BERT_LAYER_NORM_EPS,
  };
}

/** Above this many parameters `initBiEncoder` refuses (a tiny model is the point). */
const MAX_PARAMETERS = 2 ** 24;

export function assertBiEncoderConfig(config: unknown): asserts config is BiEncoderConfig {
  assertObject('config', config, 'a BiEncoderConfig { dModel, numHeads, ffnHidden, numLayers }');
  assertInteger('config.dModel', config['dModel'], { min: 1, max: 4096 });
  assertInteger('config.numHeads', config['numHeads'], { min: 1, max: 256 });
  assertInteger('config.ffnHidden', config['ffnHidden'], { min: 1, max: 16_384 });
  assertInteger('config.numLayers', config['numLayers'], { min: 1, max: 48 });
  if ((config['dModel'] as number) % (config['numHeads'] as number) !== 0)
    throw new ArgumentError('config.numHeads', config['numHeads'], 'a divisor of config.dModel');
}

// ---------------------------------------------------------------- the parameters, by name

/** One parameter: its name (the path in BiEncoderWeights), shape and values (row-major). */
export interface NamedParameter {
  name: string;
  shape: number[];
  values: Float64Array;
}

/**
 * Builds BiEncoderWeights by asking `visit(name, shape)` for every parameter, in a fixed order.
 * The one place that lists the parameters: init, export, import and training all go through it.
 */
function schema(
  config: BiEncoderConfig,
  vocabSize: number,
  maxLength: number,
  visit: (name: string, shape: number[]) => Float64Array,
): BiEncoderWeights {
  const { dModel: d, ffnHidden: f } = config;
  const mat = (name: string, rows: number, cols: number): Matrix => ({
    rows,
    cols,
    data: visit(name, [rows, cols]),
  });
  const norm = (name: string): NormWeights => ({
    weight: visit(`${name}.weight`, [d]),
    bias: visit(`${name}.bias`, [d]),
  });
  return {
    tokenEmbedding: mat('tokenEmbedding', vocabSize, d),
    positionEmbedding: mat('positionEmbedding', maxLength, d),
    embeddingNorm: norm('embeddingNorm'),
    blocks: Array.from({ length: config.numLayers }, (_, i) => {
      const p = `blocks.${i}`;
      return {
        attention: {
          wq: mat(`${p}.attention.wq`, d, d),
          wk: mat(`${p}.attention.wk`, d, d),
          wv: mat(`${p}.attention.wv`, d, d),
          wo: mat(`${p}.attention.wo`, d, d),
          bq: visit(`${p}.attention.bq`, [d]),
          bk: visit(`${p}.attention.bk`, [d]),
          bv: visit(`${p}.attention.bv`, [d]),
          bo: visit(`${p}.attention.bo`, [d]),
        },
        ffn: {
          w1: mat(`${p}.ffn.w1`, f, d),
          b1: visit(`${p}.ffn.b1`, [f]),
          w2: mat(`${p}.ffn.w2`, d, f),
          b2: visit(`${p}.ffn.b2`, [d]),
        },
        norm1: norm(`${p}.norm1`),
        norm2: norm(`${p}.norm2`),
      };
    }),
  };
}

/** Every leaf of the weights (Matrix data or a Float64Array) by its dotted path. */
function leaves(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value instanceof Float64Array) out.set(path, value);
  else if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}.${i}`, out));
  else if (value !== null && typeof value === 'object') {
    const m = value as Partial<Matrix>;
    if (m.data instanceof Float64Array && typeof m.rows === 'number') out.set(path, value);
    else for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  }
  return out;
}

/**
 * Checks an encoder (config, vocabulary, every weight's shape and finiteness) and returns its
 * parameters by name, values shared with the encoder (no copy), in the schema's order.
 */
export function biEncoderParameters(encoder: BiEncoder): NamedParameter[] {
  assertObject('encoder', encoder, 'a BiEncoder { config, vocabulary, weights }');
  assertBiEncoderConfig(encoder.config);
  assertVocabulary('encoder.vocabulary', encoder.vocabulary);
  assertObject('encoder.weights', encoder.weights, 'BiEncoderWeights');
  const found = leaves(encoder.weights, '', new Map());
  const list: NamedParameter[] = [];
  const { tokens, maxLength } = encoder.vocabulary;
  schema(encoder.config, tokens.length, maxLength, (name, shape) => {
    const argument = `encoder.weights.${name}`;
    const leaf = found.get(name);
    const size = shape.reduce((a, b) => a * b, 1);
    let values: Float64Array;
    if (shape.length === 2) {
      assertMatrix(argument, leaf);
      if (leaf.rows !== shape[0] || leaf.cols !== shape[1])
        throw new ArgumentError(
          argument,
          leaf,
          `shape [${shape.join(', ')}]`,
          `shape ${shapeOf(leaf)}`,
        );
      values = leaf.data;
    } else {
      if (!(leaf instanceof Float64Array))
        throw new ArgumentTypeError(argument, leaf, `a Float64Array of ${size} values`);
      if (leaf.length !== size) throw new ArgumentError(argument, leaf, `${size} values`);
      for (let i = 0; i < size; i++)
        if (!Number.isFinite(leaf[i]!))
          throw new ArgumentError(`${argument}[${i}]`, leaf[i], 'a finite number');
      values = leaf;
    }
    list.push({ name, shape, values });
    return values;
  });
  return list;
}

/** An encoder assembled from values by name (each checked for its length). */
export function biEncoderFromParameters(
  config: BiEncoderConfig,
  vocabulary: Vocabulary,
  values: (name: string, shape: number[]) => ArrayLike<number>,
): BiEncoder {
  assertBiEncoderConfig(config);
  assertVocabulary('vocabulary', vocabulary);
  if (typeof values !== 'function')
    throw new ArgumentTypeError('values', values, 'a function (name, shape) => values');
  assertSize(config, vocabulary);
  const weights = schema(config, vocabulary.tokens.length, vocabulary.maxLength, (name, shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const given = values(name, shape);
    if (given === null || typeof given !== 'object' || given.length !== size)
      throw new ArgumentError(
        `parameters.${name}`,
        given,
        `${size} numbers (shape [${shape.join(', ')}])`,
      );
    const out = Float64Array.from(given);
    for (let i = 0; i < size; i++)
      if (!Number.isFinite(out[i]!))
        throw new ArgumentError(`parameters.${name}[${i}]`, given[i], 'a finite number');
    return out;
  });
  return { config: { ...config }, vocabulary, weights };
}

function assertSize(config: BiEncoderConfig, vocabulary: Vocabulary): void {
  const count = biEncoderParamCount(config, vocabulary);
  if (count > MAX_PARAMETERS)
    throw new ArgumentError(
      'config',
      config,
      `at most ${MAX_PARAMETERS} parameters (this: ${count})`,
    );
}

/**
 * Fresh weights from `rng`: embeddings N(0, 0.02^2) (BERT's initializer_range; positions by
 * `learnedPositionTable`), projections N(0, 1 / d_in), biases 0, LayerNorm gains 1.
 */
export function initBiEncoder(
  vocabulary: Vocabulary,
  config: BiEncoderConfig,
  rng: Rng,
): BiEncoder {
  assertVocabulary('vocabulary', vocabulary);
  assertBiEncoderConfig(config);
  assertRng('rng', rng);
  assertSize(config, vocabulary);
  const positions = learnedPositionTable(vocabulary.maxLength, config.dModel, rng);
  return biEncoderFromParameters(config, vocabulary, (name, shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (name === 'positionEmbedding') return positions.data;
    if (name === 'tokenEmbedding') return rng.array(size, () => rng.normal(0, 0.02));
    // LayerNorm gains are the only parameters named *.weight; every other vector is a bias
    if (name.endsWith('.weight')) return new Float64Array(size).fill(1);
    if (shape.length === 1) return new Float64Array(size);
    // a projection [d_out, d_in]
    return rng.array(size, () => rng.normal(0, 1 / Math.sqrt(shape[1]!)));
  });
}

// ---------------------------------------------------------------- counting (Q43)

/** A BERT encoder's sizes, as in its config.json. */
export interface BertSizes {
  vocabSize: number;
  /** max_position_embeddings */
  maxPositions: number;
  /** type_vocab_size (segment embeddings; 2 in BERT, 0 for none) */
  typeVocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  /** BertModel's pooler (a d x d dense layer on [CLS]); in the checkpoints, unused by BGE. */
  pooler: boolean;
}

export interface BertParamCount {
  /** (V + P + T) d + 2 d for the embedding LayerNorm. */
  embeddings: number;
  /** One layer, by `blockParamCount` of `bertBlockConfig`: 4 d^2 + 4 d + 2 d f + f + d + 4 d. */
  perLayer: number;
  layers: number;
  /** d^2 + d, or 0. */
  pooler: number;
  total: number;
}

/** Parameters of a BERT encoder: embeddings, layers (as ml/transformer-block.ts counts), pooler. */
export function bertParamCount(sizes: BertSizes): BertParamCount {
  assertObject('sizes', sizes, 'BERT sizes { vocabSize, maxPositions, ... }');
  for (const key of [
    'vocabSize',
    'maxPositions',
    'hidden',
    'layers',
    'heads',
    'intermediate',
  ] as const)
    assertInteger(`sizes.${key}`, sizes[key], { min: 1, max: 2 ** 20 });
  assertInteger('sizes.typeVocabSize', sizes.typeVocabSize, { min: 0, max: 2 ** 20 });
  if (typeof sizes.pooler !== 'boolean')
    throw new ArgumentTypeError('sizes.pooler', sizes.pooler, 'true or false');
  const d = sizes.hidden;
  const embeddings = (sizes.vocabSize + sizes.maxPositions + sizes.typeVocabSize) * d + 2 * d;
  const perLayer = blockParamCount(
    bertBlockConfig({
      dModel: d,
      numHeads: sizes.heads,
      ffnHidden: sizes.intermediate,
      numLayers: 1,
    }),
  ).total;
  const pooler = sizes.pooler ? d * d + d : 0;
  const layers = sizes.layers * perLayer;
  return { embeddings, perLayer, layers, pooler, total: embeddings + layers + pooler };
}

/**
 * bge-small-en-v1.5 (config.json): 12 layers, hidden 384, 12 heads, intermediate 1536, the
 * bert-base-uncased vocabulary of 30,522, 512 positions, 2 token types; the checkpoint keeps
 * BertModel's pooler. Its model card says 33.4M parameters.
 */
export const BGE_SMALL_EN_V15: BertSizes = {
  vocabSize: 30_522,
  maxPositions: 512,
  typeVocabSize: 2,
  hidden: 384,
  layers: 12,
  heads: 12,
  intermediate: 1536,
  pooler: true,
};

/** bge-base-en-v1.5: BERT-base sizes, 12 layers, 768, 12 heads, 3072 (109M on its card). */
export const BGE_BASE_EN_V15: BertSizes = { ...BGE_SMALL_EN_V15, hidden: 768, intermediate: 3072 };

/** bge-large-en-v1.5: BERT-large sizes, 24 layers, 1024, 16 heads, 4096 (335M on its card). */
export const BGE_LARGE_EN_V15: BertSizes = {
  ...BGE_SMALL_EN_V15,
  hidden: 1024,
  layers: 24,
  heads: 16,
  intermediate: 4096,
};

/** Parameters of a bi-encoder of this config over this vocabulary (no token types, no pooler). */
export function biEncoderParamCount(config: BiEncoderConfig, vocabulary: Vocabulary): number {
  assertBiEncoderConfig(config);
  assertVocabulary('vocabulary', vocabulary);
  return bertParamCount({
    vocabSize: vocabulary.tokens.length,
    maxPositions: vocabulary.maxLength,
    typeVocabSize: 0,
    hidden: config.dModel,
    layers: config.numLayers,
    heads: config.numHeads,
    intermediate: config.ffnHidden,
    pooler: false,
  }).total;
}

// ---------------------------------------------------------------- the forward pass, tfjs

/** The weights as tensors (or tf.variables for training), for the tensor-level forward. */
export interface BiEncoderTensors {
  tokenEmbedding: Tensor;
  positionEmbedding: Tensor;
  embeddingNorm: { weight: Tensor; bias: Tensor };
  blocks: BlockTensorWeights[];
}

/**
 * The encoder's weights as float32 tensors (`variables`: tf.variable, to train them), by name and
 * in the BiEncoderWeights shape. The caller disposes them (`disposeBiEncoderTensors`).
 */
export function biEncoderTensors(
  tf: Tf,
  encoder: BiEncoder,
  variables = false,
): { tensors: BiEncoderTensors; byName: Map<string, Tensor> } {
  assertTf('tf', tf);
  const parameters = biEncoderParameters(encoder);
  if (typeof variables !== 'boolean')
    throw new ArgumentTypeError('variables', variables, 'true or false');
  const byName = new Map<string, Tensor>();
  for (const p of parameters) {
    const t = tf.tensor(Float32Array.from(p.values), p.shape, 'float32');
    byName.set(p.name, variables ? tf.variable(t, true, undefined, 'float32') : t);
    if (variables) t.dispose();
  }
  const { tokens, maxLength } = encoder.vocabulary;
  // the same schema, now returning the tensors (the Float64Array slots are only placeholders)
  const placeholder = new Map<Float64Array, string>();
  const shape = schema(encoder.config, tokens.length, maxLength, (name) => {
    const slot = new Float64Array(0);
    placeholder.set(slot, name);
    return slot;
  });
  const swap = (v: unknown): unknown => {
    if (v instanceof Float64Array) return byName.get(placeholder.get(v)!);
    const m = v as Matrix;
    if (m.data instanceof Float64Array && typeof m.rows === 'number') return swap(m.data);
    if (Array.isArray(v)) return v.map(swap);
    return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, swap(x)]));
  };
  return { tensors: swap(shape) as BiEncoderTensors, byName };
}

/**
 * table[ids], int32 ids [N] -> [N, d], by tf.gather, with its gradient written out as a
 * scatter-add of dy into the rows of the ids (tf.scatterND sums repeated ids): tfjs's own gradient
 * of gather needs the UnsortedSegmentSum kernel, which the wasm backend does not have.
 */
export function lookupTf(tf: Tf, table: Tensor, ids: Tensor): Tensor {
  assertTf('tf', tf);
  assertTensor('table', table, 2);
  assertTensor('ids', ids, 1);
  if (ids.dtype !== 'int32') throw new ArgumentTypeError('ids', ids, 'an int32 tensor [N]');
  const rows = table.shape[0] as number;
  const outside = ids.dataSync().findIndex((id) => id < 0 || id >= rows);
  if (outside >= 0) throw new ArgumentError(`ids[${outside}]`, ids, `ids in [0, ${rows})`);
  const shape = table.shape as [number, number];
  const lookup = tf.customGrad(((t: Tensor, i: Tensor, save: (saved: Tensor[]) => void) => {
    save([i]);
    return {
      value: tf.gather(t, i),
      // d table[v] = sum of dy over the positions whose id is v; the ids get no gradient
      gradFunc: (dy: Tensor, saved: Tensor[]) => [
        tf.scatterND(tf.reshape(saved[0]!, [-1, 1]), dy, shape),
        tf.zerosLike(saved[0]!),
      ],
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]);
  return lookup(table, ids);
}

/** [B, L] token ids -> LayerNorm(E_tok[ids] + E_pos[0 .. L)), [B, L, d]. */
export function embedTokensTf(tf: Tf, tensors: BiEncoderTensors, ids: Tensor): Tensor {
  assertTf('tf', tf);
  assertObject('tensors', tensors, 'BiEncoderTensors');
  assertTensor('ids', ids, 2);
  assertTensor('tensors.positionEmbedding', tensors.positionEmbedding, 2);
  const [maxLength, d] = tensors.positionEmbedding.shape as [number, number];
  const length = ids.shape[1] as number;
  if (ids.dtype !== 'int32') throw new ArgumentTypeError('ids', ids, 'an int32 tensor [B, L]');
  if (length < 1 || length > maxLength) {
    throw new ArgumentError(
      'ids',
      ids,
      `a tensor [B, L] with 1 <= L <= ${maxLength}`,
      `shape [${ids.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    // E_tok[ids] [B, L, d] + E_pos[0 .. L) [L, d] (broadcast over the batch)
    const tokens = tf.reshape(lookupTf(tf, tensors.tokenEmbedding, tf.reshape(ids, [-1])), [
      ids.shape[0] as number,
      length,
      d,
    ]);
    const positions = tf.slice(tensors.positionEmbedding, [0, 0], [length, d]);
    const { weight, bias } = tensors.embeddingNorm;
    return layerNormTf(tf, tf.add(tokens, positions), weight, bias, BERT_LAYER_NORM_EPS);
  });
}

/**
 * x W^T + b for x [N, d_in] and W [d_out, d_in] (nn.Linear), with every transpose explicit in the
 * value and in the hand-written gradient (dx = dy W, dW = dy^T x): tfjs-wasm's matMul runs its
 * fast path only without transposeA / transposeB, 3 to 4 times faster here.
 */
export function linearTf(tf: Tf, x: Tensor, w: Tensor, bias?: Tensor): Tensor {
  assertTf('tf', tf);
  assertTensor('x', x, 2);
  assertTensor('w', w, 2);
  if (x.shape[1] !== w.shape[1])
    throw new ArgumentError('w', w, `[d_out, ${x.shape[1]}]`, `shape [${w.shape.join(', ')}]`);
  if (bias !== undefined) {
    assertTensor('bias', bias, 1);
    if (bias.shape[0] !== w.shape[0])
      throw new ArgumentError('bias', bias, `${w.shape[0]} values`, `shape [${bias.shape}]`);
  }
  const product = tf.customGrad(((a: Tensor, b: Tensor, save: (saved: Tensor[]) => void) => {
    save([a, b]);
    return {
      // [N, d_in] x [d_in, d_out]
      value: tf.matMul(a, tf.transpose(b)),
      gradFunc: (dy: Tensor, [sa, sb]: Tensor[]) => [
        tf.matMul(dy, sb!), // [N, d_out] x [d_out, d_in]
        tf.matMul(tf.transpose(dy), sa!), // [d_out, N] x [N, d_in]
      ],
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]);
  return tf.tidy(() => {
    const y = product(x, w);
    return bias === undefined ? y : tf.add(y, bias);
  });
}

/**
 * One BERT layer on a batch x [B, L, d], post-norm as `blockTf` computes it with
 * `bertBlockConfig`: h = LayerNorm(x + MHA(x)), out = LayerNorm(h + FFN_GELU(h)), keys hidden
 * where `visible` ([B, 1, 1, L] bool) is false. Attention is `attentionTf` over [B, h, L, d_h],
 * the norms `layerNormTf`; the projections and the FFN run on the flattened tokens [B L, d]
 * through `linearTf`. Not `blockTf` itself, for two reasons of tfjs (the key checks the two are
 * equal): the gradient of a matMul that broadcasts a rank-2 weight over a batch comes out with
 * the batch's shape (so `multiHeadAttentionTf` on rank-3 input cannot be trained), and
 * transposeB matMuls are slow on wasm.
 */
export function bertLayerTf(
  tf: Tf,
  x: Tensor,
  layer: BlockTensorWeights,
  config: BiEncoderConfig,
  visible?: Tensor,
): Tensor {
  assertTf('tf', tf);
  assertBiEncoderConfig(config);
  assertTensor('x', x, 3);
  const [b, n, d] = x.shape as [number, number, number];
  if (d !== config.dModel)
    throw new ArgumentError('x', x, `a tensor [B, L, ${config.dModel}]`, `shape [${x.shape}]`);
  assertObject('layer', layer, 'BlockTensorWeights { attention, ffn, norm1, norm2 }');
  const h = config.numHeads;
  const dh = d / h;
  const { attention: w, norm1, norm2 } = layer;
  const ffn = layer.ffn as ReluFfnTensors;
  const vector = (v: Tensor | ArrayLike<number> | undefined) =>
    v === undefined || (v as Tensor).dataSync
      ? (v as Tensor | undefined)
      : tf.tensor1d(Array.from(v as ArrayLike<number>));
  return tf.tidy(() => {
    // [B, L, d] -> [B L, d]: every token through the same linear maps
    const flat = tf.reshape(x, [b * n, d]);
    // [B L, d] -> [B, L, h, d_h] -> [B, h, L, d_h]
    const split = (t: Tensor) => tf.transpose(tf.reshape(t, [b, n, h, dh]), [0, 2, 1, 3]);
    const [q, k, v] = [
      split(linearTf(tf, flat, w.wq, w.bq)),
      split(linearTf(tf, flat, w.wk, w.bk)),
      split(linearTf(tf, flat, w.wv, w.bv)),
    ];
    const heads = attentionTf(tf, q, k, v, visible === undefined ? {} : { mask: visible });
    // [B, h, L, d_h] -> [B, L, h, d_h] -> [B L, d]
    const merged = tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [b * n, d]);
    // post-norm: h = LN(x + Attn(x))
    const eps = BERT_LAYER_NORM_EPS;
    const h1 = layerNormTf(
      tf,
      tf.add(flat, linearTf(tf, merged, w.wo, w.bo)),
      norm1.weight,
      norm1.bias,
      eps,
    );
    // FFN(h) = GELU(h W1^T + b1) W2^T + b2, GELU(z) = z (1 + erf(z / sqrt 2)) / 2
    const z = linearTf(tf, h1, ffn.w1, vector(ffn.b1));
    const gelu = tf.mul(tf.mul(z, 0.5), tf.add(1, tf.erf(tf.div(z, Math.SQRT2))));
    const f = linearTf(tf, gelu, ffn.w2, vector(ffn.b2));
    // out = LN(h + FFN(h)), back to [B, L, d]
    return tf.reshape(layerNormTf(tf, tf.add(h1, f), norm2.weight, norm2.bias, eps), [b, n, d]);
  });
}

/** The layers over x [B, L, d]; `visible` hides keys ([B, 1, 1, L] bool, true = seen). */
export function encoderLayersTf(
  tf: Tf,
  tensors: BiEncoderTensors,
  config: BiEncoderConfig,
  x: Tensor,
  visible?: Tensor,
): Tensor {
  assertTf('tf', tf);
  assertObject('tensors', tensors, 'BiEncoderTensors');
  assertBiEncoderConfig(config);
  if (!Array.isArray(tensors.blocks) || tensors.blocks.length !== config.numLayers)
    throw new ArgumentError(
      'tensors.blocks',
      tensors.blocks,
      `${config.numLayers} layers (config.numLayers)`,
    );
  // not causal: every token sees every token that is not padding
  return tf.tidy(() =>
    tensors.blocks.reduce((hidden, layer) => bertLayerTf(tf, hidden, layer, config, visible), x),
  );
}

/** The [CLS] row of every sequence: x [B, L, d] -> [B, d]. */
export function clsPoolTf(tf: Tf, x: Tensor): Tensor {
  assertTf('tf', tf);
  assertTensor('x', x, 3);
  const [b, , d] = x.shape as [number, number, number];
  return tf.tidy(() => tf.reshape(tf.slice(x, [0, 0, 0], [b, 1, d]), [b, d]));
}

/**
 * The whole encoder on tensors: ids [B, L] int32 and padding [B, L] bool (true = [PAD]) ->
 * unit vectors [B, d]. Composes with tf.grad (training differentiates through it).
 */
export function biEncoderTf(
  tf: Tf,
  tensors: BiEncoderTensors,
  config: BiEncoderConfig,
  ids: Tensor,
  padding: Tensor,
): Tensor {
  assertTf('tf', tf);
  assertTensor('padding', padding, 2);
  assertTensor('ids', ids, 2);
  if (
    padding.dtype !== 'bool' ||
    padding.shape[0] !== ids.shape[0] ||
    padding.shape[1] !== ids.shape[1]
  )
    throw new ArgumentError('padding', padding, `a bool tensor [${ids.shape.join(', ')}] like ids`);
  return tf.tidy(() => {
    // keys that are not [PAD]: [B, L] -> [B, 1, L] -> [B, 1, 1, L], broadcast over heads, queries
    const visible = tf.expandDims(paddingMaskTf(tf, padding), 1);
    const x = embedTokensTf(tf, tensors, ids);
    const h = encoderLayersTf(tf, tensors, config, x, visible);
    return l2NormalizeTf(tf, clsPoolTf(tf, h));
  });
}

/** Token ids and their padding flags as tensors [B, L] (int32, bool). */
export function batchTensors(tf: Tf, batch: TokenIds): { ids: Tensor; padding: Tensor } {
  assertTf('tf', tf);
  assertObject('batch', batch, 'TokenIds { ids, width, lengths }');
  const { ids, width, lengths } = batch;
  if (!(ids instanceof Int32Array) || !(lengths instanceof Int32Array))
    throw new ArgumentTypeError('batch', batch, 'TokenIds from tokenIds()');
  assertInteger('batch.width', width, { min: 1 });
  if (ids.length !== lengths.length * width)
    throw new ArgumentError('batch.ids', ids, `${lengths.length * width} ids (rows x width)`);
  const rows = lengths.length;
  const pad = new Uint8Array(rows * width);
  for (let i = 0; i < rows; i++) for (let t = lengths[i]!; t < width; t++) pad[i * width + t] = 1;
  return {
    ids: tf.tensor2d(ids, [rows, width], 'int32'),
    padding: tf.tensor2d(pad, [rows, width], 'bool'),
  };
}

/** Disposes every tensor of `biEncoderTensors`. */
export function disposeBiEncoderTensors(tf: Tf, byName: Map<string, Tensor>): void {
  assertTf('tf', tf);
  if (!(byName instanceof Map)) throw new ArgumentTypeError('byName', byName, 'the byName map');
  tf.dispose([...byName.values()]);
}

export interface EncodeOptions {
  /** Texts per forward pass (default 128). */
  batchSize?: number;
}

/**
 * The unit vector of every text, [n, d], rows in the order of `texts` (float32 values). Texts are
 * grouped by length so a batch carries little padding. An empty string encodes as [CLS] alone.
 */
export function encodeTexts(
  tf: Tf,
  encoder: BiEncoder,
  texts: readonly string[],
  options: EncodeOptions = {},
): Matrix {
  assertTf('tf', tf);
  biEncoderParameters(encoder);
  const all = assertTexts('texts', texts);
  assertObject('options', options, 'encode options { batchSize? }');
  const { batchSize = 128 } = options;
  assertInteger('options.batchSize', batchSize, { min: 1, max: 4096 });
  const { vocabulary, config } = encoder;
  // sort by token count (stable), so texts of similar length share a batch
  const lengths = all.map((t) => tokenize(t, { cjkBigrams: vocabulary.cjkBigrams }).length);
  const order = all.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const out = matrix(all.length, config.dModel);
  const { tensors, byName } = biEncoderTensors(tf, encoder);
  try {
    for (let start = 0; start < order.length; start += batchSize) {
      const rows = order.slice(start, start + batchSize);
      const batch = tokenIds(
        vocabulary,
        rows.map((i) => all[i]!),
      );
      const values = tf.tidy(() => {
        const { ids, padding } = batchTensors(tf, batch);
        return biEncoderTf(tf, tensors, config, ids, padding);
      });
      const data = values.dataSync();
      values.dispose();
      rows.forEach((i, r) =>
        out.data.set(data.subarray(r * config.dModel, (r + 1) * config.dModel), i * config.dModel),
      );
    }
  } finally {
    disposeBiEncoderTensors(tf, byName);
  }
  return out;
}

/**
 * The same vectors from scratch in float64, one text at a time (no padding at all): the embedding
 * sum, `layerNorm`, `blockForward` per layer, the [CLS] row, `l2NormalizeRows`. The oracle of
 * `encodeTexts`.
 */
export function encodeTextsReference(encoder: BiEncoder, texts: readonly string[]): Matrix {
  biEncoderParameters(encoder);
  const all = assertTexts('texts', texts);
  const { config, vocabulary, weights } = encoder;
  const d = config.dModel;
  const blockConfig = bertBlockConfig(config);
  const out = matrix(all.length, d);
  all.forEach((text, i) => {
    const { ids, width } = tokenIds(vocabulary, [text]);
    // x_t = E_tok[id_t] + E_pos[t], [L, d]
    const x = matrix(width, d);
    for (let t = 0; t < width; t++)
      for (let j = 0; j < d; j++)
        x.data[t * d + j] =
          weights.tokenEmbedding.data[ids[t]! * d + j]! +
          weights.positionEmbedding.data[t * d + j]!;
    let h = layerNorm(
      x,
      weights.embeddingNorm.weight,
      weights.embeddingNorm.bias,
      BERT_LAYER_NORM_EPS,
    );
    for (const block of weights.blocks) h = blockForward(h, block, blockConfig);
    // the [CLS] row, L2-normalized
    out.data.set(l2NormalizeRows(matrix(1, d, h.data.subarray(0, d))).data, i * d);
  });
  return out;
}

/** The top k rows of `vectors` (an index of `encodeTexts` output) for a query text. */
export function denseSearch(
  tf: Tf,
  encoder: BiEncoder,
  vectors: Matrix,
  query: string,
  k: number,
): Hit[] {
  if (typeof query !== 'string') throw new ArgumentTypeError('query', query, 'a string');
  assertInteger('k', k, { min: 1 });
  if (tokenize(query).length === 0)
    throw new ArgumentError('query', query, 'a query with at least one word or character');
  const q = encodeTexts(tf, encoder, [query]);
  return topKInnerProduct(q.data, vectors, k);
}

/**
 * Multi-head attention: h attention heads, each on its own learned projection of the tokens, then
 * concatenated and projected back. Multi-query (MQA) and grouped-query attention (GQA) are the same
 * function with fewer key/value heads, each shared by a group of query heads.
 * Answers: Q10 (什么是 MHA).
 *
 *   MultiHead(X) = Concat(head_1, ..., head_h) W_O^T
 *   head_i       = Attention(X W_Q,i^T, X W_K,g(i)^T, X W_V,g(i)^T)         (Vaswani et al. 2017, sec. 3.2.2)
 *
 * Symbols: n tokens of width d_model; h query heads of width d_head (usually d_model / h); h_kv
 * key/value heads with h_kv dividing h, so each serves a group of h / h_kv query heads:
 * g(i) = floor(i / (h / h_kv)) (HF `repeat_kv`: kv head 0 serves query heads 0 .. h/h_kv - 1).
 * h_kv = h is MHA, h_kv = 1 is MQA (Shazeer 2019), anything between is GQA (Ainslie et al. 2023).
 *
 * Layout (PyTorch nn.Linear, HF q_proj/k_proj/v_proj/o_proj): every weight is [d_out, d_in], y = x W^T + b.
 *   wq: [h d_head, d_model]      wk, wv: [h_kv d_head, d_model]      wo: [d_model, h d_head]
 * Rows c d_head .. (c + 1) d_head - 1 of wq belong to head c: that is what "split heads" means.
 *
 * Parameters: d_model (h + 2 h_kv) d_head for the input projections, h d_head d_model for the output,
 * plus h d_head + 2 h_kv d_head + d_model biases if used. With h_kv = h and d_head = d_model / h: 4 d_model^2.
 *
 * Complexity for n tokens: projections n d_model (2 h + 2 h_kv) d_head multiply-adds, attention
 * 2 h n^2 d_head; GQA shrinks the K/V projections and, above all, the KV cache by h / h_kv.
 *
 * The textbook `multiHeadAttention` comes first: project, split heads, attend, merge, project.
 * `multiHeadAttentionMasked` adds masks, cross-attention, a `Counter` and the per-head hook
 * `transformQK(x, role, head)` where RoPE goes (or compose the exported pieces `linear`,
 * `splitHeads`, `attendHeads`, `mergeHeads` yourself). `multiHeadAttentionTf` is the tensor-level
 * twin, composed of `attentionTf`, with heads as a tensor axis and GQA by broadcasting.
 * Wrong answers kept to be rejected: `pitfallSplitHeadsWithoutTranspose`, `pitfallTiledKvGroups`,
 * `pitfallFourSquaresParamCount`.
 *
 * @example
 *   const w = initMultiHeadAttention({ dModel: 8, numHeads: 4, numKvHeads: 2 }, rng(1));
 *   const { output, weights } = multiHeadAttention(randomMatrix(5, 8, rng(2)), w, { numHeads: 4, numKvHeads: 2 });
 *   // output [5, 8]; weights: 4 matrices [5, 5], one per query head
 *   mhaParamCount({ dModel: 512, numHeads: 8 })   // 1_048_576 = 4 * 512^2
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertFunction,
  assertInteger,
  assertObject,
  assertOptionalVector,
} from '../core/errors.js';
import {
  assertMatrix,
  linear,
  matrix,
  randomMatrix,
  shapeOf,
  type Matrix,
} from '../core/matrix.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { assertRng, type Rng } from '../core/random.js';
import { assertTensor, assertTf, onMatrices, type Tensor, type Tf } from '../core/backend.js';
import {
  attention,
  attentionMasked,
  attentionTf,
  causalMaskTf,
  paddingMaskTf,
  type AttentionOptions,
  type AttentionResult,
} from './scaled-dot-product-attention.js';
import { assertVisible } from './softmax.js';

/** How many heads: the weights alone cannot tell h from d_head. */
export interface MhaConfig {
  /** h, the number of query heads. */
  numHeads: number;
  /** h_kv, the number of key/value heads; must divide h. Default h (MHA); 1 is MQA. */
  numKvHeads?: number;
}

/** The four projections in nn.Linear layout [d_out, d_in], with optional biases (Qwen2: q/k/v biases, no o bias). */
export interface MhaWeights {
  /** [h d_head, d_model] */
  wq: Matrix;
  /** [h_kv d_head, d_model] */
  wk: Matrix;
  /** [h_kv d_head, d_model] */
  wv: Matrix;
  /** [d_model, h d_head] */
  wo: Matrix;
  /** length h d_head */
  bq?: ArrayLike<number>;
  /** length h_kv d_head */
  bk?: ArrayLike<number>;
  /** length h_kv d_head */
  bv?: ArrayLike<number>;
  /** length d_model */
  bo?: ArrayLike<number>;
}

/** Everything needed to build or count a layer. */
export interface MhaShape extends MhaConfig {
  dModel: number;
  /** d_head; default d_model / h (which must then divide evenly). */
  headDim?: number;
  /** Biases on all four projections. Default false. */
  bias?: boolean;
}

/** The sizes a set of weights implies, after validation. */
export interface MhaDims {
  dModel: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
}

/**
 * Transforms one head's queries [n, d_head] or keys [m, d_head] before attention (RoPE rotates them
 * by position here). `head` is the query head index for 'q' and the key/value head index for 'k'.
 * Must return the same shape.
 */
export type QKTransform = (x: Matrix, role: 'q' | 'k', head: number) => Matrix;

export interface MhaOptions extends Pick<AttentionOptions, 'causal' | 'keyPadding'> {
  /** Keys and values come from this [m, d_model] sequence instead of x (cross-attention). */
  context?: Matrix;
  /** Applied to every query head and every key head between projection and attention (RoPE). */
  transformQK?: QKTransform;
}

export interface MhaResult {
  /** [n, d_model] */
  output: Matrix;
  /** One [n, m] attention-weight matrix per query head. */
  weights: Matrix[];
}

/**
 * MultiHead(X) = Concat(head_1, ..., head_h) W_O^T with head_i = Attention(X W_Q,i^T, X W_K,g(i)^T,
 * X W_V,g(i)^T), as on a whiteboard (g(i) = i for MHA). x is [n, d_model].
 */
export function multiHeadAttention(x: Matrix, weights: MhaWeights, config: MhaConfig): MhaResult {
  assertNoOptions(arguments.length, 'multiHeadAttentionMasked');
  const { numHeads, numKvHeads } = assertMhaInputs(x, weights, config, {});
  // project, then split: [n, d_model] -> [n, h d_head] -> h x [n, d_head] (h_kv for keys, values)
  const q = splitHeads(linear(x, weights.wq, weights.bq), numHeads);
  const k = splitHeads(linear(x, weights.wk, weights.bk), numKvHeads);
  const v = splitHeads(linear(x, weights.wv, weights.bv), numKvHeads);
  // attend: query head i reads key/value head g(i) -> h x [n, d_head]
  const heads = q.map((qi, i) => {
    const g = kvHeadOf(i, numHeads, numKvHeads);
    return attention(qi, k[g] as Matrix, v[g] as Matrix);
  });
  // merge and project back: h x [n, d_head] -> [n, h d_head] -> [n, d_model]
  const output = linear(mergeHeads(heads.map((h) => h.output)), weights.wo, weights.bo);
  return { output, weights: heads.map((h) => h.weights) };
}

// ---- The engineered layer: masks, cross-attention, the RoPE hook, counted ----

/** Throws if a textbook function got a fourth argument: options belong to the engineered one. */
function assertNoOptions(count: number, alternative: string): void {
  if (count > 3)
    throw new ArgumentError(
      'options',
      count,
      `no options here: use ${alternative} for masks and hooks`,
    );
}

/** Validates x, the weights, the config and the options; returns the sizes and the key source. */
function assertMhaInputs(x: Matrix, weights: MhaWeights, config: MhaConfig, options: MhaOptions) {
  const dims = mhaDims(weights, config);
  assertMatrix('x', x);
  assertObject(
    'options',
    options as unknown,
    'an options object { causal?, keyPadding?, context?, transformQK? }',
  );
  const { context, transformQK } = options;
  if (context !== undefined) assertMatrix('context', context);
  const source = context ?? x;
  if (x.cols !== dims.dModel) {
    throw new ArgumentError(
      'x',
      x,
      `d_model = ${dims.dModel} columns like wq ${shapeOf(weights.wq)}`,
      `shape ${shapeOf(x)}`,
    );
  }
  if (source.cols !== dims.dModel) {
    throw new ArgumentError(
      'context',
      source,
      `d_model = ${dims.dModel} columns like x ${shapeOf(x)}`,
      `shape ${shapeOf(source)}`,
    );
  }
  if (transformQK !== undefined)
    assertFunction('transformQK', transformQK as unknown, 'a function (x, role, head) => Matrix');
  return { ...dims, source };
}

/**
 * Multi-head (or grouped-query, or multi-query) attention with masks (`causal`, `keyPadding`),
 * cross-attention (`context`), the per-head hook `transformQK` (RoPE) and a Counter of
 * multiply-adds ('madds'). Equal to `multiHeadAttention` with no options.
 */
export function multiHeadAttentionMasked(
  x: Matrix,
  weights: MhaWeights,
  config: MhaConfig,
  options: MhaOptions = {},
  counter?: Counter,
): MhaResult {
  const { numHeads, numKvHeads, source } = assertMhaInputs(x, weights, config, options);
  assertOptionalCounter('counter', counter);
  const { transformQK } = options;
  // project, then split: [n, d_model] -> [n, h d_head] -> h x [n, d_head]; keys and values -> h_kv x [m, d_head]
  let q = splitHeads(linear(x, weights.wq, weights.bq, counter, 'wq'), numHeads);
  let k = splitHeads(linear(source, weights.wk, weights.bk, counter, 'wk'), numKvHeads);
  const v = splitHeads(linear(source, weights.wv, weights.bv, counter, 'wv'), numKvHeads);
  if (transformQK) {
    const apply = (heads: Matrix[], role: 'q' | 'k') =>
      heads.map((head, i) => {
        const out = transformQK(head, role, i);
        if (out?.rows !== head.rows || out.cols !== head.cols) {
          const shown = out?.rows === undefined ? undefined : `shape ${shapeOf(out)}`;
          throw new ArgumentError(
            'transformQK',
            out,
            `a ${role} head of shape ${shapeOf(head)}`,
            shown,
          );
        }
        return out;
      });
    q = apply(q, 'q');
    k = apply(k, 'k');
  }
  // per head: softmax(q_i k_g(i)^T / sqrt(d_head) + mask) v_g(i) -> h x [n, d_head]
  const { causal, keyPadding } = options;
  const masks: AttentionOptions = {
    ...(causal ? { causal: true } : {}),
    ...(keyPadding ? { keyPadding } : {}),
  };
  const attended = attendHeads(q, k, v, masks, counter);
  // merge and project back: h x [n, d_head] -> [n, h d_head] -> [n, d_model]
  const output = linear(mergeHeads(attended.outputs), weights.wo, weights.bo, counter, 'wo');
  return { output, weights: attended.weights };
}

/** h and h_kv from a config, validated: h_kv must divide h. */
function headCounts(config: MhaConfig): { numHeads: number; numKvHeads: number } {
  if (config === null || typeof config !== 'object')
    throw new ArgumentTypeError('config', config, 'an object { numHeads, numKvHeads? }');
  const { numHeads, numKvHeads = numHeads } = config;
  assertInteger('numHeads', numHeads, { min: 1 });
  assertInteger('numKvHeads', numKvHeads, { min: 1 });
  if (numHeads % numKvHeads !== 0) {
    throw new ArgumentError(
      'numKvHeads',
      numKvHeads,
      `a divisor of numHeads = ${numHeads}, so every key/value head serves the same number of query heads`,
    );
  }
  return { numHeads, numKvHeads };
}

function headDimOf(shape: MhaShape): number {
  assertObject(
    'shape',
    shape as unknown,
    'an object { dModel, numHeads, numKvHeads?, headDim?, bias? }',
  );
  assertInteger('dModel', shape.dModel, { min: 1 });
  const { numHeads } = headCounts(shape);
  if (shape.headDim !== undefined) {
    assertInteger('headDim', shape.headDim, { min: 1 });
    return shape.headDim;
  }
  if (shape.dModel % numHeads !== 0) {
    throw new ArgumentError(
      'numHeads',
      numHeads,
      `a divisor of dModel = ${shape.dModel} (or pass headDim), since d_head = d_model / h`,
    );
  }
  return shape.dModel / numHeads;
}

function assertBias(name: string, b: ArrayLike<number> | undefined, w: Matrix): void {
  assertOptionalVector(
    name,
    b,
    w.rows,
    `${w.rows} values, one per row of ${name.replace('b', 'w')} ${shapeOf(w)}`,
  );
}

/**
 * Validates the four weights against each other and the head counts, and returns d_model, h, h_kv
 * and d_head. Every mismatch names both shapes.
 */
export function mhaDims(weights: MhaWeights, config: MhaConfig): MhaDims {
  const { numHeads, numKvHeads } = headCounts(config);
  if (weights === null || typeof weights !== 'object')
    throw new ArgumentTypeError('weights', weights, 'an object { wq, wk, wv, wo }');
  const { wq, wk, wv, wo } = weights;
  assertMatrix('wq', wq);
  assertMatrix('wk', wk);
  assertMatrix('wv', wv);
  assertMatrix('wo', wo);
  const dModel = wq.cols;
  if (wq.rows % numHeads !== 0)
    throw new ArgumentError(
      'wq',
      wq,
      `h d_head rows with h = numHeads = ${numHeads} dividing them`,
      `shape ${shapeOf(wq)}`,
    );
  const headDim = wq.rows / numHeads;
  if (headDim === 0) throw new ArgumentError('wq', wq, 'd_head >= 1', `shape ${shapeOf(wq)}`);
  // d_k of the queries (wq rows / h) must equal d_k of the keys (wk rows / h_kv)
  const kvRows = numKvHeads * headDim;
  if (wk.rows !== kvRows || wk.cols !== dModel) {
    throw new ArgumentError(
      'wk',
      wk,
      `[h_kv d_head, d_model] = [${numKvHeads} * ${headDim}, ${dModel}], d_k = ${headDim} like wq ${shapeOf(wq)} split in ${numHeads} heads`,
      `shape ${shapeOf(wk)}`,
    );
  }
  if (wv.rows !== kvRows || wv.cols !== dModel)
    throw new ArgumentError(
      'wv',
      wv,
      `shape [${kvRows}, ${dModel}] like wk ${shapeOf(wk)}`,
      `shape ${shapeOf(wv)}`,
    );
  if (wo.rows !== dModel || wo.cols !== wq.rows)
    throw new ArgumentError(
      'wo',
      wo,
      `[d_model, h d_head] = [${dModel}, ${wq.rows}] to map the concatenated heads of wq ${shapeOf(wq)} back`,
      `shape ${shapeOf(wo)}`,
    );
  assertBias('bq', weights.bq, wq);
  assertBias('bk', weights.bk, wk);
  assertBias('bv', weights.bv, wv);
  assertBias('bo', weights.bo, wo);
  return { dModel, numHeads, numKvHeads, headDim };
}

/**
 * Fresh weights: entries N(0, 1 / d_in) (so projections keep unit scale), biases zero if asked.
 */
export function initMultiHeadAttention(shape: MhaShape, rng: Rng): MhaWeights {
  const headDim = headDimOf(shape);
  const { numHeads, numKvHeads } = headCounts(shape);
  const { dModel, bias = false } = shape;
  if (typeof bias !== 'boolean') throw new ArgumentTypeError('bias', bias, 'true or false');
  assertRng('rng', rng);
  if (mhaParamCount(shape) > 2 ** 27)
    throw new ArgumentError('shape', shape, 'at most 2^27 parameters');
  const init = (rows: number, cols: number) =>
    randomMatrix(rows, cols, rng, () => rng.normal(0, 1 / Math.sqrt(cols)));
  const weights: MhaWeights = {
    wq: init(numHeads * headDim, dModel),
    wk: init(numKvHeads * headDim, dModel),
    wv: init(numKvHeads * headDim, dModel),
    wo: init(dModel, numHeads * headDim),
  };
  if (bias) {
    weights.bq = new Float64Array(numHeads * headDim);
    weights.bk = new Float64Array(numKvHeads * headDim);
    weights.bv = new Float64Array(numKvHeads * headDim);
    weights.bo = new Float64Array(dModel);
  }
  return weights;
}

/** The parameter count by formula: d_model (h + 2 h_kv) d_head + h d_head d_model (+ (h + 2 h_kv) d_head + d_model biases). */
export function mhaParamCount(shape: MhaShape): number {
  const dh = headDimOf(shape);
  const { numHeads: h, numKvHeads: hkv } = headCounts(shape);
  const d = shape.dModel;
  const projections = d * (h + 2 * hkv) * dh + h * dh * d;
  return projections + (shape.bias ? (h + 2 * hkv) * dh + d : 0);
}

/** [n, h d_head] -> h matrices [n, d_head]: columns c d_head .. (c+1) d_head - 1 are head c. */
export function splitHeads(x: Matrix, numHeads: number): Matrix[] {
  assertMatrix('x', x);
  assertInteger('numHeads', numHeads, { min: 1 });
  if (x.cols % numHeads !== 0)
    throw new ArgumentError(
      'x',
      x,
      `a width divisible by numHeads = ${numHeads}`,
      `shape ${shapeOf(x)}`,
    );
  const dh = x.cols / numHeads;
  return Array.from({ length: numHeads }, (_, c) => {
    const head = matrix(x.rows, dh);
    // head[t] = x[t, c dh : (c+1) dh]
    for (let t = 0; t < x.rows; t++)
      head.data.set(x.data.subarray(t * x.cols + c * dh, t * x.cols + (c + 1) * dh), t * dh);
    return head;
  });
}

/** h matrices [n, d_head] -> [n, h d_head], head c in columns c d_head .. (c+1) d_head - 1 (Concat). */
export function mergeHeads(heads: readonly Matrix[]): Matrix {
  if (!Array.isArray(heads) || heads.length === 0)
    throw new ArgumentTypeError('heads', heads, 'a non-empty array of [n, d_head] matrices');
  assertMatrix('heads[0]', heads[0]);
  const { rows: n, cols: dh } = heads[0] as Matrix;
  const out = matrix(n, heads.length * dh);
  heads.forEach((head, c) => {
    assertMatrix(`heads[${c}]`, head);
    if (head.rows !== n || head.cols !== dh)
      throw new ArgumentError(
        `heads[${c}]`,
        head,
        `shape [${n}, ${dh}] like heads[0]`,
        `shape ${shapeOf(head)}`,
      );
    for (let t = 0; t < n; t++)
      out.data.set(head.data.subarray(t * dh, (t + 1) * dh), t * out.cols + c * dh);
  });
  return out;
}

/** g(i): the key/value head that query head i reads, with h / h_kv consecutive query heads per group. */
export function kvHeadOf(head: number, numHeads: number, numKvHeads: number): number {
  headCounts({ numHeads, numKvHeads });
  assertInteger('head', head, { min: 0, max: numHeads - 1 });
  return Math.floor(head / (numHeads / numKvHeads));
}

/**
 * Scaled dot-product attention per query head, each reading its group's key/value head.
 * q: h heads [n, d_head]; k, v: h_kv heads [m, d_head]. Returns h outputs [n, d_head] and weights [n, m].
 */
export function attendHeads(
  q: readonly Matrix[],
  k: readonly Matrix[],
  v: readonly Matrix[],
  options: AttentionOptions = {},
  counter?: Counter,
): { outputs: Matrix[]; weights: Matrix[] } {
  assertArray('q', q);
  assertArray('k', k);
  assertArray('v', v);
  if (k.length === 0 || k.length !== v.length || q.length % k.length !== 0) {
    throw new ArgumentError(
      'k',
      k,
      `as many key heads as value heads (${v.length}), dividing the ${q.length} query heads`,
      `${k.length} heads`,
    );
  }
  assertOptionalCounter('counter', counter);
  const outputs: Matrix[] = [];
  const weights: Matrix[] = [];
  q.forEach((qi, i) => {
    const g = kvHeadOf(i, q.length, k.length);
    const r: AttentionResult = attentionMasked(
      qi,
      k[g] as Matrix,
      v[g] as Matrix,
      options,
      counter,
    );
    outputs.push(r.output);
    weights.push(r.weights);
  });
  return { outputs, weights };
}

// ---- Tensor-level twin: (tf, x, weights, config) => Tensor ----

/** The four projections as tensors, nn.Linear layout [d_out, d_in], biases rank 1. */
export interface MhaTensorWeights {
  wq: Tensor;
  wk: Tensor;
  wv: Tensor;
  wo: Tensor;
  bq?: Tensor;
  bk?: Tensor;
  bv?: Tensor;
  bo?: Tensor;
}

export interface MhaTfConfig extends MhaConfig {
  /** Query i sees keys j <= i. */
  causal?: boolean;
  /** A bool tensor broadcastable to [..., n, m] (true = visible), e.g. `paddingMaskTf`. */
  mask?: Tensor;
  /** Keys and values come from this [..., m, d_model] tensor instead of x (cross-attention). */
  context?: Tensor;
  /** Applied to q [..., h, n, d_head] and k [..., h_kv, m, d_head] before attention (RoPE). */
  rotary?: (tf: Tf, t: Tensor, role: 'q' | 'k') => Tensor;
}

function assertWeightTensor(
  name: string,
  t: unknown,
  rows: number | undefined,
  cols: number,
): asserts t is Tensor {
  assertTensor(name, t, 2);
  const [r, c] = t.shape as [number, number];
  if ((rows !== undefined && r !== rows) || c !== cols || r === 0) {
    throw new ArgumentError(
      name,
      t,
      `shape [${rows ?? 'h d_head'}, ${cols}]`,
      `shape [${t.shape.join(', ')}]`,
    );
  }
}

function assertBiasTensor(name: string, b: unknown, length: number): void {
  if (b === undefined) return;
  assertTensor(name, b, 1);
  if (b.shape[0] !== length)
    throw new ArgumentError(name, b, `${length} values`, `shape [${b.shape.join(', ')}]`);
}

/**
 * Multi-head, grouped-query or multi-query attention on tensors: x [..., n, d_model] ->
 * [..., n, d_model], composed of `attentionTf`. Heads are an axis ([..., h, n, d_head]); GQA
 * reshapes the query heads to [..., h_kv, h / h_kv, n, d_head] against key/value heads
 * [..., h_kv, 1, m, d_head], so each group reads its own key/value head by broadcasting.
 */
export function multiHeadAttentionTf(
  tf: Tf,
  x: Tensor,
  weights: MhaTensorWeights,
  config: MhaTfConfig,
): Tensor {
  assertTf('tf', tf);
  assertTensor('x', x);
  if (x.rank < 2)
    throw new ArgumentError(
      'x',
      x,
      'a tensor [..., n, d_model] of rank >= 2',
      `shape [${x.shape.join(', ')}]`,
    );
  const { numHeads: h, numKvHeads: hkv } = headCounts(config);
  assertObject('weights', weights as unknown, 'an object { wq, wk, wv, wo } of tensors');
  const dModel = x.shape[x.rank - 1] as number;
  assertWeightTensor('wq', weights.wq, undefined, dModel);
  const qRows = weights.wq.shape[0] as number;
  if (qRows % h !== 0)
    throw new ArgumentError(
      'wq',
      weights.wq,
      `h d_head rows with h = numHeads = ${h} dividing them`,
      `shape [${weights.wq.shape.join(', ')}]`,
    );
  const dh = qRows / h;
  assertWeightTensor('wk', weights.wk, hkv * dh, dModel);
  assertWeightTensor('wv', weights.wv, hkv * dh, dModel);
  assertWeightTensor('wo', weights.wo, dModel, qRows);
  assertBiasTensor('bq', weights.bq, qRows);
  assertBiasTensor('bk', weights.bk, hkv * dh);
  assertBiasTensor('bv', weights.bv, hkv * dh);
  assertBiasTensor('bo', weights.bo, dModel);
  const { causal = false, mask, context, rotary } = config;
  if (typeof causal !== 'boolean') throw new ArgumentTypeError('causal', causal, 'true or false');
  if (context !== undefined) {
    assertTensor('context', context, x.rank);
    if (context.shape[context.rank - 1] !== dModel) {
      throw new ArgumentError(
        'context',
        context,
        `d_model = ${dModel} values per token like x`,
        `shape [${context.shape.join(', ')}]`,
      );
    }
  }
  const source = context ?? x;
  const batch = x.shape.slice(0, -2);
  const n = x.shape[x.rank - 2] as number;
  const m = source.shape[source.rank - 2] as number;
  if (mask !== undefined) assertVisible('mask', mask, [...batch, n, m]);
  if (rotary !== undefined)
    assertFunction('rotary', rotary as unknown, 'a function (tf, t, role) => Tensor');
  return tf.tidy(() => {
    // y = x W^T + b
    const proj = (t: Tensor, w: Tensor, b?: Tensor) => {
      const y = tf.matMul(t, w, false, true);
      return b === undefined ? y : tf.add(y, b);
    };
    // [..., T, H d_head] -> [..., T, H, d_head] -> [..., H, T, d_head]
    const split = (t: Tensor, heads: number) => {
      const T = t.shape[t.rank - 2] as number;
      const r = t.rank + 1;
      const perm = [...Array.from({ length: r - 3 }, (_, i) => i), r - 2, r - 3, r - 1];
      return tf.transpose(tf.reshape(t, [...batch, T, heads, dh]), perm);
    };
    let q = split(proj(x, weights.wq, weights.bq), h);
    let k = split(proj(source, weights.wk, weights.bk), hkv);
    const v = split(proj(source, weights.wv, weights.bv), hkv);
    if (rotary) {
      q = rotary(tf, q, 'q');
      k = rotary(tf, k, 'k');
    }
    // groups: q [..., h_kv, h / h_kv, n, d_head] against k, v [..., h_kv, 1, m, d_head]
    const q5 = tf.reshape(q, [...batch, hkv, h / hkv, n, dh]);
    const [k5, v5] = [k, v].map((t) => tf.expandDims(t, -3)) as [Tensor, Tensor];
    // masks [..., n, m] -> [..., 1, 1, n, m], broadcast over heads and groups
    const masks: Tensor[] = [];
    if (causal) masks.push(causalMaskTf(tf, n, m));
    if (mask) {
      const full = tf.reshape(mask, [...Array(x.rank - mask.rank).fill(1), ...mask.shape]);
      masks.push(tf.reshape(full, [...full.shape.slice(0, -2), 1, 1, ...full.shape.slice(-2)]));
    }
    const visible =
      masks.length === 2 ? tf.logicalAnd(masks[0] as Tensor, masks[1] as Tensor) : masks[0];
    const attended = attentionTf(tf, q5, k5, v5, visible === undefined ? {} : { mask: visible });
    // [..., h_kv, g, n, d_head] -> [..., h, n, d_head] -> [..., n, h, d_head] -> [..., n, h d_head]
    const r = batch.length + 3;
    const perm = [...Array.from({ length: r - 3 }, (_, i) => i), r - 2, r - 3, r - 1];
    const merged = tf.reshape(tf.transpose(tf.reshape(attended, [...batch, h, n, dh]), perm), [
      ...batch,
      n,
      h * dh,
    ]);
    return proj(merged, weights.wo, weights.bo);
  });
}

/**
 * `multiHeadAttentionMasked(...).output` computed by `multiHeadAttentionTf` in float32: the
 * Matrix-level wrapper for the agreement properties (no transformQK; use `rotary` on tensors).
 */
export async function multiHeadAttentionTfMatrix(
  x: Matrix,
  weights: MhaWeights,
  config: MhaConfig,
  options: Omit<MhaOptions, 'transformQK'> = {},
): Promise<Matrix> {
  const { numHeads, numKvHeads, source } = assertMhaInputs(x, weights, config, options);
  const { causal = false, keyPadding, context } = options;
  if (causal && x.rows > source.rows) {
    throw new ArgumentError(
      'x',
      x,
      `at most ${source.rows} queries for a causal mask over ${source.rows} keys`,
      `shape ${shapeOf(x)}`,
    );
  }
  if (
    keyPadding !== undefined &&
    (!Array.isArray(keyPadding) || keyPadding.length !== source.rows)
  ) {
    throw new ArgumentError(
      'keyPadding',
      keyPadding,
      `an array of ${source.rows} booleans, one per key`,
    );
  }
  const { wq, wk, wv, wo } = weights;
  const inputs = context === undefined ? [x, wq, wk, wv, wo] : [x, wq, wk, wv, wo, context];
  return onMatrices(
    (tf, xT, wqT, wkT, wvT, woT, contextT) => {
      const bias = (b: ArrayLike<number> | undefined) =>
        b === undefined ? undefined : tf.tensor1d(Float32Array.from(b));
      const [bq, bk, bv, bo] = [weights.bq, weights.bk, weights.bv, weights.bo].map(bias);
      const w = {
        wq: wqT,
        wk: wkT,
        wv: wvT,
        wo: woT,
        ...(bq && { bq }),
        ...(bk && { bk }),
        ...(bv && { bv }),
        ...(bo && { bo }),
      } as MhaTensorWeights;
      const mask =
        keyPadding === undefined
          ? undefined
          : paddingMaskTf(
              tf,
              keyPadding.map((p) => p === true),
            );
      return multiHeadAttentionTf(tf, xT as Tensor, w, {
        numHeads,
        numKvHeads,
        causal,
        ...(mask && { mask }),
        ...(contextT && { context: contextT }),
      });
    },
    ...inputs,
  );
}

// ---- Pitfalls: common wrong answers, kept to be rejected ----

/**
 * Pitfall: "split heads" as a reshape of the [n, h d_head] buffer to [h, n, d_head] without the
 * transpose: head c gets a block of the flat buffer that mixes tokens.
 */
export function pitfallSplitHeadsWithoutTranspose(y: Matrix, numHeads: number): Matrix[] {
  assertMatrix('y', y);
  assertInteger('numHeads', numHeads, { min: 1 });
  if (y.cols % numHeads !== 0)
    throw new ArgumentError(
      'y',
      y,
      `a width divisible by numHeads = ${numHeads}`,
      `shape ${shapeOf(y)}`,
    );
  const d = y.cols / numHeads;
  return Array.from({ length: numHeads }, (_, c) =>
    matrix(y.rows, d, y.data.subarray(c * y.rows * d, (c + 1) * y.rows * d)),
  );
}

/**
 * Pitfall: GQA groups tiled, query head i reading key/value head i mod h_kv instead of
 * floor(i / (h / h_kv)): wrong for weights laid out like HF's repeat_kv.
 */
export function pitfallTiledKvGroups(
  q: readonly Matrix[],
  k: readonly Matrix[],
  v: readonly Matrix[],
  options: AttentionOptions = {},
): { outputs: Matrix[]; weights: Matrix[] } {
  assertArray('q', q);
  assertArray('k', k);
  assertArray('v', v);
  if (k.length === 0 || k.length !== v.length)
    throw new ArgumentError(
      'k',
      k,
      `as many key heads as value heads (${v.length}), at least 1`,
      `${k.length} heads`,
    );
  const results = q.map((qi, i) =>
    attentionMasked(qi, k[i % k.length] as Matrix, v[i % v.length] as Matrix, options),
  );
  return { outputs: results.map((r) => r.output), weights: results.map((r) => r.weights) };
}

/** Pitfall: the textbook 4 d_model h d_head parameter count, which forgets that GQA shrinks W_K and W_V. */
export function pitfallFourSquaresParamCount(shape: MhaShape): number {
  const dh = headDimOf(shape);
  const { numHeads: h } = headCounts(shape);
  const d = shape.dModel;
  return 4 * d * h * dh + (shape.bias ? 3 * h * dh + d : 0);
}

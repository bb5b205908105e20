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
 * RoPE and other per-head position tricks go between projection and attention: pass
 * `transformQK(x, role, head)`, or compose the exported pieces (`linear`, `splitHeads`,
 * `attendHeads`, `mergeHeads`) yourself.
 *
 * @example
 *   const w = initMultiHeadAttention({ dModel: 8, numHeads: 4, numKvHeads: 2 }, rng(1));
 *   const { output, weights } = multiHeadAttention(randomMatrix(5, 8, rng(2)), w, { numHeads: 4, numKvHeads: 2 }, { causal: true });
 *   // output [5, 8]; weights: 4 matrices [5, 5], one per query head
 *   mhaParamCount({ dModel: 512, numHeads: 8 })   // 1_048_576 = 4 * 512^2
 */
import { ArgumentError, ArgumentTypeError, assertInteger, assertOptionalVector } from '../core/errors.js';
import { assertMatrix, linear, matrix, randomMatrix, shapeOf, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/random.js';
import type { Tensor2D } from '@tensorflow/tfjs';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';
import { attention, type AttentionOptions } from './scaled-dot-product-attention.js';

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

export interface MhaOptions extends Pick<AttentionOptions, 'causal' | 'keyPadding' | 'ops'> {
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

/** h and h_kv from a config, validated: h_kv must divide h. */
function headCounts(config: MhaConfig): { numHeads: number; numKvHeads: number } {
  if (config === null || typeof config !== 'object') throw new ArgumentTypeError('config', config, 'an object { numHeads, numKvHeads? }');
  const { numHeads, numKvHeads = numHeads } = config;
  assertInteger('numHeads', numHeads, { min: 1 });
  assertInteger('numKvHeads', numKvHeads, { min: 1 });
  if (numHeads % numKvHeads !== 0) {
    throw new ArgumentError('numKvHeads', numKvHeads, `a divisor of numHeads = ${numHeads}, so every key/value head serves the same number of query heads`);
  }
  return { numHeads, numKvHeads };
}

function headDimOf(shape: MhaShape): number {
  assertInteger('dModel', shape.dModel, { min: 1 });
  const { numHeads } = headCounts(shape);
  if (shape.headDim !== undefined) {
    assertInteger('headDim', shape.headDim, { min: 1 });
    return shape.headDim;
  }
  if (shape.dModel % numHeads !== 0) {
    throw new ArgumentError('numHeads', numHeads, `a divisor of dModel = ${shape.dModel} (or pass headDim), since d_head = d_model / h`);
  }
  return shape.dModel / numHeads;
}

function assertBias(name: string, b: ArrayLike<number> | undefined, w: Matrix): void {
  assertOptionalVector(name, b, w.rows, `${w.rows} values, one per row of ${name.replace('b', 'w')} ${shapeOf(w)}`);
}

/**
 * Validates the four weights against each other and the head counts, and returns d_model, h, h_kv
 * and d_head. Every mismatch names both shapes.
 */
export function mhaDims(weights: MhaWeights, config: MhaConfig): MhaDims {
  const { numHeads, numKvHeads } = headCounts(config);
  if (weights === null || typeof weights !== 'object') throw new ArgumentTypeError('weights', weights, 'an object { wq, wk, wv, wo }');
  const { wq, wk, wv, wo } = weights;
  assertMatrix('wq', wq);
  assertMatrix('wk', wk);
  assertMatrix('wv', wv);
  assertMatrix('wo', wo);
  const dModel = wq.cols;
  if (wq.rows % numHeads !== 0) throw new ArgumentError('wq', wq, `h d_head rows with h = numHeads = ${numHeads} dividing them`, `shape ${shapeOf(wq)}`);
  const headDim = wq.rows / numHeads;
  if (headDim === 0) throw new ArgumentError('wq', wq, 'd_head >= 1', `shape ${shapeOf(wq)}`);
  // d_k of the queries (wq rows / h) must equal d_k of the keys (wk rows / h_kv)
  const kvRows = numKvHeads * headDim;
  if (wk.rows !== kvRows || wk.cols !== dModel) {
    throw new ArgumentError('wk', wk, `[h_kv d_head, d_model] = [${numKvHeads} * ${headDim}, ${dModel}], d_k = ${headDim} like wq ${shapeOf(wq)} split in ${numHeads} heads`, `shape ${shapeOf(wk)}`);
  }
  if (wv.rows !== kvRows || wv.cols !== dModel) throw new ArgumentError('wv', wv, `shape [${kvRows}, ${dModel}] like wk ${shapeOf(wk)}`, `shape ${shapeOf(wv)}`);
  if (wo.rows !== dModel || wo.cols !== wq.rows) throw new ArgumentError('wo', wo, `[d_model, h d_head] = [${dModel}, ${wq.rows}] to map the concatenated heads of wq ${shapeOf(wq)} back`, `shape ${shapeOf(wo)}`);
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
  const init = (rows: number, cols: number) => randomMatrix(rows, cols, rng, () => rng.normal(0, 1 / Math.sqrt(cols)));
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
  assertInteger('numHeads', numHeads, { min: 1 });
  if (x.cols % numHeads !== 0) throw new ArgumentError('x', x, `a width divisible by numHeads = ${numHeads}`, `shape ${shapeOf(x)}`);
  const dh = x.cols / numHeads;
  return Array.from({ length: numHeads }, (_, c) => {
    const head = matrix(x.rows, dh);
    // head[t] = x[t, c dh : (c+1) dh]
    for (let t = 0; t < x.rows; t++) head.data.set(x.data.subarray(t * x.cols + c * dh, t * x.cols + (c + 1) * dh), t * dh);
    return head;
  });
}

/** h matrices [n, d_head] -> [n, h d_head], head c in columns c d_head .. (c+1) d_head - 1 (Concat). */
export function mergeHeads(heads: readonly Matrix[]): Matrix {
  if (!Array.isArray(heads) || heads.length === 0) throw new ArgumentTypeError('heads', heads, 'a non-empty array of [n, d_head] matrices');
  const { rows: n, cols: dh } = heads[0] as Matrix;
  const out = matrix(n, heads.length * dh);
  heads.forEach((head, c) => {
    if (head.rows !== n || head.cols !== dh) throw new ArgumentError(`heads[${c}]`, head, `shape [${n}, ${dh}] like heads[0]`, `shape ${shapeOf(head)}`);
    for (let t = 0; t < n; t++) out.data.set(head.data.subarray(t * dh, (t + 1) * dh), t * out.cols + c * dh);
  });
  return out;
}

/** g(i): the key/value head that query head i reads, with h / h_kv consecutive query heads per group. */
export function kvHeadOf(head: number, numHeads: number, numKvHeads: number): number {
  return Math.floor(head / (numHeads / numKvHeads));
}

/**
 * Scaled dot-product attention per query head, each reading its group's key/value head.
 * q: h heads [n, d_head]; k, v: h_kv heads [m, d_head]. Returns h outputs [n, d_head] and weights [n, m].
 */
export function attendHeads(q: readonly Matrix[], k: readonly Matrix[], v: readonly Matrix[], options: AttentionOptions = {}): { outputs: Matrix[]; weights: Matrix[] } {
  if (k.length === 0 || k.length !== v.length || q.length % k.length !== 0) {
    throw new ArgumentError('k', k, `as many key heads as value heads (${v.length}), dividing the ${q.length} query heads`, `${k.length} heads`);
  }
  const outputs: Matrix[] = [];
  const weights: Matrix[] = [];
  q.forEach((qi, i) => {
    const g = kvHeadOf(i, q.length, k.length);
    const r = attention(qi, k[g] as Matrix, v[g] as Matrix, options);
    outputs.push(r.output);
    weights.push(r.weights);
  });
  return { outputs, weights };
}

/** Multi-head (or grouped-query, or multi-query) attention, from scratch. x is [n, d_model]. */
export function multiHeadAttention(x: Matrix, weights: MhaWeights, config: MhaConfig, options: MhaOptions = {}): MhaResult {
  const { numHeads, numKvHeads, dModel } = mhaDims(weights, config);
  assertMatrix('x', x);
  const source = options.context ?? x;
  if (options.context !== undefined) assertMatrix('context', options.context);
  if (x.cols !== dModel) throw new ArgumentError('x', x, `d_model = ${dModel} columns like wq ${shapeOf(weights.wq)}`, `shape ${shapeOf(x)}`);
  if (source.cols !== dModel) throw new ArgumentError('context', source, `d_model = ${dModel} columns like x ${shapeOf(x)}`, `shape ${shapeOf(source)}`);
  const { ops, transformQK } = options;
  // project, then split: [n, d_model] -> [n, h d_head] -> h x [n, d_head]; keys and values -> h_kv x [m, d_head]
  let q = splitHeads(linear(x, weights.wq, weights.bq, ops, 'wq'), numHeads);
  let k = splitHeads(linear(source, weights.wk, weights.bk, ops, 'wk'), numKvHeads);
  const v = splitHeads(linear(source, weights.wv, weights.bv, ops, 'wv'), numKvHeads);
  if (transformQK) {
    const apply = (heads: Matrix[], role: 'q' | 'k') =>
      heads.map((head, i) => {
        const out = transformQK(head, role, i);
        if (out?.rows !== head.rows || out.cols !== head.cols) throw new ArgumentError('transformQK', out, `a ${role} head of shape ${shapeOf(head)}`, out?.rows === undefined ? undefined : `shape ${shapeOf(out)}`);
        return out;
      });
    q = apply(q, 'q');
    k = apply(k, 'k');
  }
  // per head: softmax(q_i k_g(i)^T / sqrt(d_head) + mask) v_g(i) -> h x [n, d_head]
  const attended = attendHeads(q, k, v, { ...(options.causal ? { causal: true } : {}), ...(options.keyPadding ? { keyPadding: options.keyPadding } : {}), ...(ops ? { ops } : {}) });
  // merge and project back: h x [n, d_head] -> [n, h d_head] -> [n, d_model]
  const output = linear(mergeHeads(attended.outputs), weights.wo, weights.bo, ops, 'wo');
  return { output, weights: attended.weights };
}

/**
 * The same layer in tfjs (float32), batched over heads with reshapes and transposes instead of
 * loops: the oracle for `multiHeadAttention`. `transformQK` is not supported here.
 */
export async function multiHeadAttentionTf(x: Matrix, weights: MhaWeights, config: MhaConfig, options: Omit<MhaOptions, 'transformQK' | 'ops'> = {}): Promise<Matrix> {
  const { numHeads: h, numKvHeads: hkv, headDim: dh, dModel } = mhaDims(weights, config);
  assertMatrix('x', x);
  const source = options.context ?? x;
  assertMatrix('context', source);
  if (x.cols !== dModel || source.cols !== dModel) throw new ArgumentError('x', x, `d_model = ${dModel} columns like wq ${shapeOf(weights.wq)}`, `shape ${shapeOf(x)}`);
  const n = x.rows;
  const m = source.rows;
  if (options.causal && n > m) throw new ArgumentError('x', x, `at most ${m} queries for a causal mask over ${m} keys`, `shape ${shapeOf(x)}`);
  if (options.keyPadding !== undefined && options.keyPadding.length !== m) throw new ArgumentError('keyPadding', options.keyPadding, `an array of ${m} booleans, one per key`);
  const { tf } = await tensorBackend();
  const visible = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) visible[i * m + j] = (options.causal && j > i) || options.keyPadding?.[j] ? 0 : 1;
  const out = tf.tidy(() => {
    // y = x W^T + b
    const proj = (input: Tensor2D, w: Matrix, b: ArrayLike<number> | undefined): Tensor2D => {
      const y = tf.matMul(input, toTensor2d(tf, w), false, true) as Tensor2D;
      return b === undefined ? y : (tf.add(y, tf.tensor1d(Float32Array.from(b))) as Tensor2D);
    };
    const xT = toTensor2d(tf, x);
    const sourceT = options.context ? toTensor2d(tf, source) : xT;
    // [n, h dh] -> [n, h, dh] -> [h, n, dh]
    const q = tf.transpose(tf.reshape(proj(xT, weights.wq, weights.bq), [n, h, dh]), [1, 0, 2]);
    // [m, h_kv dh] -> [h_kv, m, dh] -> repeat each kv head h / h_kv times -> [h, m, dh]
    const repeatKv = (t: Tensor2D) => {
      const heads = tf.transpose(tf.reshape(t, [m, hkv, dh]), [1, 0, 2]);
      const index = tf.tensor1d(Array.from({ length: h }, (_, i) => kvHeadOf(i, h, hkv)), 'int32');
      return tf.gather(heads, index, 0);
    };
    const k = repeatKv(proj(sourceT, weights.wk, weights.bk));
    const v = repeatKv(proj(sourceT, weights.wv, weights.bv));
    // [h, n, dh] x [h, dh, m] -> [h, n, m]
    const logits = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh));
    // hidden keys: add -1e30 (broadcast over heads); a query with no visible key gets zero weights
    const mask = tf.tensor3d(visible, [1, n, m]);
    const rowVisible = tf.cast(tf.greater(tf.sum(mask, 2, true), 0), 'float32');
    const p = tf.mul(tf.softmax(tf.add(logits, tf.mul(tf.sub(1, mask), -1e30))), rowVisible);
    // [h, n, m] x [h, m, dh] -> [h, n, dh] -> [n, h, dh] -> [n, h dh] -> [n, d_model]
    const heads: Tensor2D = tf.reshape(tf.transpose(tf.matMul(p, v), [1, 0, 2]), [n, h * dh]);
    return proj(heads, weights.wo, weights.bo);
  });
  return fromTensor2d(out);
}

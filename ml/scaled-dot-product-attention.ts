/**
 * Scaled dot-product attention: every query takes a weighted average of the values, weighted by a
 * softmax over how well it matches each key.
 * Answers: Q09 (手写 self attention 及时间复杂度), Q11 (Attention 运算公式), Q12 (为什么除以根号 dk).
 *
 *   Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V          (Vaswani et al. 2017, eq. 1)
 *
 * Symbols: n queries and m keys; Q is [n, d_k], K is [m, d_k], V is [m, d_v]; the output is [n, d_v].
 * Self-attention is the case Q, K, V all computed from the same sequence (n = m).
 *
 * Why 1 / sqrt(d_k) (Q12): if the entries of q and k are independent with mean 0 and variance 1,
 * q . k is a sum of d_k such products, so it has mean 0 and variance d_k. Without scaling the logits
 * grow like sqrt(d_k), the softmax saturates to one-hot and its gradients vanish; dividing by
 * sqrt(d_k) keeps the logits at unit variance for every width. `scalingExperiment` measures this;
 * `pitfallUnscaledAttention` is the wrong answer.
 *
 * The textbook `attention` comes first. `attentionMasked` is the engineered kernel: masks (causal,
 * key padding, any visibility predicate), an additive bias (ALiBi), another scale, and a `Counter`
 * of multiply-adds. Masked logits are -Infinity before the softmax, never zeroed after it
 * (`pitfallMaskAfterSoftmax`). A query row with every key masked gets zero weights and a zero
 * output (FlashAttention's convention), not NaN. `attentionTf` is the tensor-level twin for batched
 * and headed tensors, with masks built as tensors (`causalMaskTf`, `slidingWindowMaskTf`,
 * `paddingMaskTf`).
 *
 * Complexity: Q K^T is n m d_k multiply-adds and weights x V is n m d_v, so O(n^2 d) time for
 * self-attention, and O(n m) memory for the weight matrix (what FlashAttention avoids).
 *
 * @example
 *   const { output, weights } = attention(fromRows([[1, 0]]), fromRows([[1, 0], [0, 1]]), fromRows([[1], [2]]));
 *   // weights [[0.670, 0.330]] = softmax([1, 0] / sqrt 2); output [[1.330]]
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertFinite,
  assertFunction,
  assertInteger,
  assertObject,
} from '../core/errors.js';
import {
  assertMatrix,
  fromRows,
  matmul,
  matmulTransposed,
  matrix,
  shapeOf,
  type Matrix,
} from '../core/matrix.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { assertRng, type Rng } from '../core/random.js';
import { assertTensor, assertTf, onMatrices, type Tensor, type Tf } from '../core/backend.js';
import {
  anyVisibleTf,
  assertBroadcastable,
  assertVisible,
  maskLogitsTf,
  maskedSoftmaxTf,
  rowEntropies,
  softmaxInto,
  softmaxRows,
} from './softmax.js';

export interface AttentionResult {
  /** [n, d_v] */
  output: Matrix;
  /** [n, m]: row i is the distribution of query i over the keys. */
  weights: Matrix;
}

/** softmax(Q K^T / sqrt(d_k)) V, as on a whiteboard. */
export function attention(q: Matrix, k: Matrix, v: Matrix): AttentionResult {
  assertAttentionInputs(q, k, v, noOptions(arguments.length));
  // scores = Q K^T / sqrt(d_k): [n, d_k] x [d_k, m] -> [n, m]
  const scores = matmulTransposed(q, k);
  const scale = 1 / Math.sqrt(q.cols);
  for (let i = 0; i < scores.data.length; i++) scores.data[i] = (scores.data[i] as number) * scale;
  // weights = softmax of each row: query i's distribution over the m keys
  const weights = softmaxRows(scores);
  // output = weights V: [n, m] x [m, d_v] -> [n, d_v]
  return { output: matmul(weights, v), weights };
}

// ---- The engineered kernel: masks, bias, scale, counted ----

export interface AttentionOptions {
  /** Query i may only attend to keys j <= i. Needs n <= m; query i is aligned with key i. */
  causal?: boolean;
  /** keyPadding[j] = true hides key j from every query (a padded position). Length m. */
  keyPadding?: readonly boolean[];
  /** visible(i, j) = false hides key j from query i: any mask, e.g. a sliding window. */
  visible?: (i: number, j: number) => boolean;
  /** [n, m], added to the scaled logits before the softmax: a position bias such as ALiBi. */
  bias?: Matrix;
  /** Multiplies the logits; defaults to 1 / sqrt(d_k). */
  scale?: number;
}

/** Masks and options belong to `attentionMasked`: the textbook call takes exactly q, k, v. */
function noOptions(count: number): AttentionOptions {
  if (count > 3)
    throw new ArgumentError(
      'options',
      count,
      'no options: attentionMasked takes masks, bias and scale',
    );
  return {};
}

/** The largest n m (weights) or row count a from-scratch kernel accepts: 2^27 values. */
const MAX_ELEMENTS = 2 ** 27;

/**
 * Validates shapes and masks once, for every attention kernel (the textbook one, the masked one,
 * the tiled FlashAttention, the biased attention of ALiBi). Returns n, m, d_k, d_v, the scale and
 * `sees(i, j)`, whether query i may see key j under every mask given.
 */
export function assertAttentionInputs(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  options: AttentionOptions = {},
) {
  assertMatrix('q', q);
  assertMatrix('k', k);
  assertMatrix('v', v);
  assertObject(
    'options',
    options as unknown,
    'an options object { causal?, keyPadding?, visible?, bias?, scale? }',
  );
  if (q.cols !== k.cols)
    throw new ArgumentError(
      'k',
      k,
      `d_k = ${q.cols} columns like q ${shapeOf(q)}`,
      `shape ${shapeOf(k)}`,
    );
  if (v.rows !== k.rows)
    throw new ArgumentError(
      'v',
      v,
      `${k.rows} rows, one per key of k ${shapeOf(k)}`,
      `shape ${shapeOf(v)}`,
    );
  if (q.cols === 0) throw new ArgumentError('q', q, 'd_k >= 1', `shape ${shapeOf(q)}`);
  if (q.rows * k.rows > MAX_ELEMENTS) {
    throw new ArgumentError(
      'q',
      q,
      `n m <= 2^27 query-key pairs with k ${shapeOf(k)}`,
      `shape ${shapeOf(q)}`,
    );
  }
  const { causal = false, keyPadding, visible, bias } = options;
  if (typeof causal !== 'boolean') throw new ArgumentTypeError('causal', causal, 'true or false');
  if (keyPadding !== undefined) {
    assertArray('keyPadding', keyPadding);
    if (keyPadding.length !== k.rows) {
      throw new ArgumentError(
        'keyPadding',
        keyPadding,
        `an array of ${k.rows} booleans, one per key`,
      );
    }
  }
  if (causal && q.rows > k.rows) {
    throw new ArgumentError(
      'q',
      q,
      `at most ${k.rows} queries for a causal mask over ${k.rows} keys`,
      `shape ${shapeOf(q)}`,
    );
  }
  if (visible !== undefined)
    assertFunction('visible', visible as unknown, 'a function (i, j) => boolean');
  if (bias !== undefined) {
    assertMatrix('bias', bias);
    if (bias.rows !== q.rows || bias.cols !== k.rows) {
      throw new ArgumentError(
        'bias',
        bias,
        `shape [${q.rows}, ${k.rows}] (queries x keys)`,
        `shape ${shapeOf(bias)}`,
      );
    }
  }
  const scale = options.scale ?? 1 / Math.sqrt(q.cols);
  assertFinite('scale', scale);
  const sees = (i: number, j: number) =>
    !(
      (causal && j > i) ||
      keyPadding?.[j] === true ||
      (visible !== undefined && visible(i, j) !== true)
    );
  return { n: q.rows, m: k.rows, dk: q.cols, dv: v.cols, scale, causal, keyPadding, sees, bias };
}

/**
 * softmax(Q K^T * scale + bias + mask) V, from scratch on Float64Arrays: the textbook `attention`
 * with masks, a bias and a counter of multiply-adds ('madds'). Equal to `attention` with no options.
 */
export function attentionMasked(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  options: AttentionOptions = {},
  counter?: Counter,
): AttentionResult {
  const { n, m, dk, dv, scale, sees, bias } = assertAttentionInputs(q, k, v, options);
  assertOptionalCounter('counter', counter);
  const weights = matrix(n, m);
  const output = matrix(n, dv);
  const logits = new Float64Array(m);
  let madds = 0;
  for (let i = 0; i < n; i++) {
    // logits[j] = (q_i . k_j) * scale + bias_ij, or -Infinity where masked
    for (let j = 0; j < m; j++) {
      if (!sees(i, j)) {
        logits[j] = Number.NEGATIVE_INFINITY;
        continue;
      }
      let dot = 0;
      for (let c = 0; c < dk; c++)
        dot += (q.data[i * dk + c] as number) * (k.data[j * dk + c] as number);
      madds += dk;
      logits[j] = dot * scale + (bias === undefined ? 0 : (bias.data[i * m + j] as number));
    }
    // weights_i = softmax(logits)
    const row = weights.data.subarray(i * m, (i + 1) * m);
    softmaxInto(logits, row);
    // output_i = sum_j weights_ij v_j (i-j-c order: the inner loop walks rows of V and O)
    const out = output.data.subarray(i * dv, (i + 1) * dv);
    for (let j = 0; j < m; j++) {
      const w = row[j] as number;
      if (w === 0) continue; // masked (or underflowed) keys contribute nothing
      for (let c = 0, vj = j * dv; c < dv; c++)
        out[c] = (out[c] as number) + w * (v.data[vj + c] as number);
      madds += dv;
    }
  }
  counter?.add('madds', madds);
  return { output, weights };
}

// ---- Tensor-level twins: (tf, ...tensors, options?) => Tensor ----

export interface AttentionTfOptions {
  /** A bool tensor broadcastable to [..., n, m]: true where a query may see a key. */
  mask?: Tensor;
  /** A float tensor broadcastable to [..., n, m], added to the scaled logits (ALiBi). */
  bias?: Tensor;
  /** Multiplies the logits; defaults to 1 / sqrt(d_k). */
  scale?: number;
}

/** Shapes of q [..., n, d_k], k [..., m, d_k] and v [..., m, d_v] checked against each other. */
function assertAttentionTensors(
  tf: unknown,
  q: unknown,
  k: unknown,
  v: unknown | undefined,
  options: unknown,
) {
  assertTf('tf', tf);
  assertTensor('q', q);
  assertTensor('k', k);
  if (v !== undefined) assertTensor('v', v);
  assertObject('options', options, 'an options object { mask?, bias?, scale? }');
  const shape = (t: Tensor) => `shape [${t.shape.join(', ')}]`;
  if (q.rank < 2) throw new ArgumentError('q', q, 'a tensor [..., n, d_k] of rank >= 2', shape(q));
  if (k.rank !== q.rank) throw new ArgumentError('k', k, `rank ${q.rank} like q`, shape(k));
  const dk = q.shape[q.rank - 1] as number;
  const n = q.shape[q.rank - 2] as number;
  const m = k.shape[k.rank - 2] as number;
  if (k.shape[k.rank - 1] !== dk)
    throw new ArgumentError('k', k, `d_k = ${dk} like q ${shape(q)}`, shape(k));
  if (dk === 0) throw new ArgumentError('q', q, 'd_k >= 1', shape(q));
  const batch = q.shape.slice(0, -2);
  const batchOk = (t: Tensor) =>
    t.shape.slice(0, -2).every((s, i) => s === batch[i] || s === 1 || batch[i] === 1);
  if (!batchOk(k))
    throw new ArgumentError('k', k, `batch dimensions broadcastable with q ${shape(q)}`, shape(k));
  if (v !== undefined) {
    if (v.rank !== q.rank) throw new ArgumentError('v', v, `rank ${q.rank} like q`, shape(v));
    if (v.shape[v.rank - 2] !== m)
      throw new ArgumentError('v', v, `m = ${m} rows like k ${shape(k)}`, shape(v));
    if (!batchOk(v))
      throw new ArgumentError(
        'v',
        v,
        `batch dimensions broadcastable with q ${shape(q)}`,
        shape(v),
      );
  }
  const { mask, bias, scale = 1 / Math.sqrt(dk) } = options as AttentionTfOptions;
  // the broadcast batch shape of q, k and v
  const outer = batch.map((s, i) =>
    Math.max(s, k.shape[i] as number, v === undefined ? 1 : (v.shape[i] as number)),
  );
  const scores = [...outer, n, m];
  if (mask !== undefined) assertVisible('mask', mask, scores);
  if (bias !== undefined) {
    assertTensor('bias', bias);
    assertBroadcastable('bias', bias, scores);
  }
  assertFinite('scale', scale);
  return { mask, bias, scale, outer };
}

/**
 * t with its batch dimensions broadcast to `outer` (a copy only when they differ): tfjs's wasm
 * batched matMul does not broadcast a batch dimension of 1 against a larger one correctly.
 */
function withBatch(tf: Tf, t: Tensor, outer: readonly number[]): Tensor {
  const same = outer.every((s, i) => t.shape[i] === s);
  return same ? t : tf.broadcastTo(t, [...outer, ...t.shape.slice(-2)]);
}

/** The attention weights only: maskedSoftmax(Q K^T * scale + bias, mask), [..., n, m]. */
export function attentionWeightsTf(
  tf: Tf,
  q: Tensor,
  k: Tensor,
  options: AttentionTfOptions = {},
): Tensor {
  const { mask, bias, scale, outer } = assertAttentionTensors(tf, q, k, undefined, options);
  return tf.tidy(() =>
    weightsUnchecked(tf, withBatch(tf, q, outer), withBatch(tf, k, outer), mask, bias, scale),
  );
}

/** (Q * scale) K^T + bias: the logits [..., n, m], the scale folded into Q (an [n, d_k] op, not [n, m]). */
function logitsOf(tf: Tf, q: Tensor, k: Tensor, bias: Tensor | undefined, scale: number): Tensor {
  // [..., n, d_k] x [..., d_k, m] -> [..., n, m]
  const scores = tf.matMul(tf.mul(q, tf.scalar(scale)), k, false, true);
  return bias === undefined ? scores : tf.add(scores, bias);
}

function weightsUnchecked(
  tf: Tf,
  q: Tensor,
  k: Tensor,
  mask: Tensor | undefined,
  bias: Tensor | undefined,
  scale: number,
): Tensor {
  return tf.tidy(() => maskedSoftmaxTf(tf, logitsOf(tf, q, k, bias, scale), mask));
}

/**
 * The tensor-level twin of `attentionMasked`: q [..., n, d_k], k [..., m, d_k], v [..., m, d_v]
 * (leading batch / head dimensions broadcast) -> [..., n, d_v]. Synchronous, valid in tf.tidy.
 * Without a mask it is exactly the three ops (q * scale) K^T, softmax, x V.
 */
export function attentionTf(
  tf: Tf,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionTfOptions = {},
): Tensor {
  const { mask, bias, scale, outer } = assertAttentionTensors(tf, q, k, v, options);
  return tf.tidy(() => {
    const [qb, kb, vb] = [q, k, v].map((t) => withBatch(tf, t, outer)) as [Tensor, Tensor, Tensor];
    const logits = logitsOf(tf, qb, kb, bias, scale);
    // weights = softmax over the keys, hidden keys at -FLT_MAX: [..., n, m]
    const weights = tf.softmax(mask === undefined ? logits : maskLogitsTf(tf, logits, mask));
    // [..., n, m] x [..., m, d_v] -> [..., n, d_v]
    const output = tf.matMul(weights, vb);
    // a query that sees no key gets a zero output: fixed on [..., n, d_v], not on the weights
    return mask === undefined ? output : tf.mul(output, anyVisibleTf(tf, mask));
  });
}

function assertMaskSize(n: unknown, m: unknown): asserts n is number {
  assertInteger('n', n, { min: 0 });
  assertInteger('m', m, { min: 0 });
  if (n * m > MAX_ELEMENTS) throw new ArgumentError('m', m, `n m <= 2^27 with n = ${n}`);
}

/**
 * The 4 x 4 worked case that the notebook and the answer keys of attention and FlashAttention all
 * run: q, k [4, 4] (so the scale is 1/2) and v [4, 2]. Its attention output starts
 * [[1.2699, 0.8429], [1, 0.8112], ...]. Fresh matrices on every call.
 */
export function workedExample(): { q: Matrix; k: Matrix; v: Matrix } {
  return {
    q: fromRows([
      [1, 0, 2, 0],
      [0, 1, 1, 0],
      [1, 1, 0, 1],
      [0, 2, 1, 1],
    ]),
    k: fromRows([
      [2, 1, 0, 0],
      [0, 1, 1, 0],
      [1, 0, 1, 1],
      [0, 0, 2, 1],
    ]),
    v: fromRows([
      [1, 0],
      [0, 1],
      [1, 1],
      [2, 1],
    ]),
  };
}

/**
 * The offsets i - j of every query i and key j, [n, 1] - [1, m] -> [n, m], by one broadcast
 * subtraction. In float32 while every index is exact in it (below 2^24): on the wasm backend a
 * float32 subtraction followed by a same-shape comparison is about 20x faster than comparing
 * broadcast int32 ranges (3.2 s against 0.16 s at n = m = 4096).
 */
function offsetsTf(tf: Tf, n: number, m: number): Tensor {
  const dtype = Math.max(n, m) <= 2 ** 24 ? 'float32' : 'int32';
  const i = tf.reshape(tf.range(0, n, 1, dtype), [n, 1]);
  const j = tf.reshape(tf.range(0, m, 1, dtype), [1, m]);
  return tf.sub(i, j);
}

/** [n, m] bool: query i sees key j iff j <= i (query i aligned with key i). No loop over pairs. */
export function causalMaskTf(tf: Tf, n: number, m: number = n): Tensor {
  assertTf('tf', tf);
  assertMaskSize(n, m);
  // i - j >= 0
  return tf.tidy(() => tf.greaterEqual(offsetsTf(tf, n, m), 0));
}

/** [n, m] bool: query i sees key j iff i - window < j <= i (the last `window` keys, itself included). */
export function slidingWindowMaskTf(tf: Tf, n: number, m: number, window: number): Tensor {
  assertTf('tf', tf);
  assertMaskSize(n, m);
  assertInteger('window', window, { min: 1 });
  return tf.tidy(() => {
    // 0 <= i - j < window
    const offset = offsetsTf(tf, n, m);
    return tf.logicalAnd(tf.greaterEqual(offset, 0), tf.less(offset, window));
  });
}

/**
 * [..., 1, m] bool from key padding flags [..., m] (true = padded): every query sees the keys that
 * are not padding. Takes a bool tensor or an array of booleans.
 */
export function paddingMaskTf(tf: Tf, keyPadding: Tensor | readonly boolean[]): Tensor {
  assertTf('tf', tf);
  if (Array.isArray(keyPadding)) {
    keyPadding.forEach((b, j) => {
      if (typeof b !== 'boolean')
        throw new ArgumentTypeError(`keyPadding[${j}]`, b, 'true or false');
    });
    if (keyPadding.length > MAX_ELEMENTS)
      throw new ArgumentError('keyPadding', keyPadding, 'at most 2^27 flags');
    return tf.tidy(() =>
      tf.reshape(tf.logicalNot(tf.tensor1d(keyPadding as boolean[], 'bool')), [
        1,
        keyPadding.length,
      ]),
    );
  }
  assertTensor('keyPadding', keyPadding);
  if (keyPadding.dtype !== 'bool' || keyPadding.rank < 1) {
    throw new ArgumentTypeError(
      'keyPadding',
      keyPadding,
      'a bool tensor [..., m] or an array of booleans',
    );
  }
  const t = keyPadding;
  return tf.tidy(() => tf.expandDims(tf.logicalNot(t), -2));
}

// ---- Matrix-level twins: thin wrappers for the agreement properties ----

/** The masks of `AttentionOptions` as one bool tensor [n, m] (undefined when nothing is masked). */
function maskOf(
  tf: Tf,
  n: number,
  m: number,
  options: AttentionOptions,
  sees: (i: number, j: number) => boolean,
): Tensor | undefined {
  const masks: Tensor[] = [];
  if (options.causal) masks.push(causalMaskTf(tf, n, m));
  if (options.keyPadding)
    masks.push(
      paddingMaskTf(
        tf,
        options.keyPadding.map((b) => b === true),
      ),
    );
  if (options.visible) {
    // a JavaScript predicate can only be asked pair by pair: the one loop over n m, at the Matrix edge
    const flags = new Uint8Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) flags[i * m + j] = sees(i, j) ? 1 : 0;
    masks.push(tf.tensor2d(flags, [n, m], 'bool'));
  }
  return masks.reduce<Tensor | undefined>(
    (all, x) => (all === undefined ? x : tf.logicalAnd(all, x)),
    undefined,
  );
}

/** `attentionMasked(...).output` computed by `attentionTf` in float32 (async: reads the result back). */
export async function attentionTfMatrix(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  options: AttentionOptions = {},
): Promise<Matrix> {
  const { n, m, scale, sees, bias } = assertAttentionInputs(q, k, v, options);
  const inputs = bias === undefined ? [q, k, v] : [q, k, v, bias];
  return onMatrices(
    (tf, qT, kT, vT, biasT) => {
      const mask = maskOf(tf, n, m, options, sees);
      return attentionTf(tf, qT as Tensor, kT as Tensor, vT as Tensor, {
        scale,
        ...(mask ? { mask } : {}),
        ...(biasT ? { bias: biasT } : {}),
      });
    },
    ...inputs,
  );
}

/** `attentionMasked(...).weights` computed by `attentionWeightsTf` in float32. */
export async function attentionWeightsTfMatrix(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  options: AttentionOptions = {},
): Promise<Matrix> {
  const { n, m, scale, sees, bias } = assertAttentionInputs(q, k, v, options);
  const inputs = bias === undefined ? [q, k] : [q, k, bias];
  return onMatrices(
    (tf, qT, kT, biasT) => {
      const mask = maskOf(tf, n, m, options, sees);
      return attentionWeightsTf(tf, qT as Tensor, kT as Tensor, {
        scale,
        ...(mask ? { mask } : {}),
        ...(biasT ? { bias: biasT } : {}),
      });
    },
    ...inputs,
  );
}

// ---- Q12 as an experiment ----

export interface ScalingPoint {
  dk: number;
  /** Empirical variance of q . k over the trials: theory says d_k. */
  varianceUnscaled: number;
  /** Empirical variance of q . k / sqrt(d_k): theory says 1. */
  varianceScaled: number;
  /** Mean softmax entropy over `keys` keys, as a fraction of the uniform maximum ln(keys). */
  entropyUnscaled: number;
  entropyScaled: number;
}

/**
 * Q12 as an experiment: for each d_k draw q and `keys` keys with iid N(0, 1) entries, and measure
 * the variance of the dot products and the softmax entropy with and without 1/sqrt(d_k).
 */
export function scalingExperiment(
  dks: readonly number[],
  keys: number,
  trials: number,
  rng: Rng,
): ScalingPoint[] {
  assertArray('dks', dks);
  dks.forEach((dk, i) => assertInteger(`dks[${i}]`, dk, { min: 1, max: 4096 }));
  assertInteger('keys', keys, { min: 2, max: 4096 });
  assertInteger('trials', trials, { min: 2, max: 10_000 });
  assertRng('rng', rng);
  const work = dks.reduce((s, dk) => s + dk, 0) * keys * trials;
  if (work > MAX_ELEMENTS)
    throw new ArgumentError('trials', trials, `sum(dks) keys trials <= 2^27 (got ${work})`);
  return dks.map((dk) => {
    const dots: number[] = [];
    let hUnscaled = 0;
    let hScaled = 0;
    for (let t = 0; t < trials; t++) {
      const q = matrix(
        1,
        dk,
        rng.array(dk, () => rng.normal()),
      );
      const k = matrix(
        keys,
        dk,
        rng.array(keys * dk, () => rng.normal()),
      );
      const v = matrix(keys, 1);
      hUnscaled += rowEntropies(pitfallUnscaledAttention(q, k, v).weights)[0] as number;
      hScaled += rowEntropies(attention(q, k, v).weights)[0] as number;
      for (let j = 0; j < keys; j++) {
        let dot = 0;
        for (let c = 0; c < dk; c++) dot += (q.data[c] as number) * (k.data[j * dk + c] as number);
        dots.push(dot);
      }
    }
    const mean = dots.reduce((s, x) => s + x, 0) / dots.length;
    const variance = dots.reduce((s, x) => s + (x - mean) ** 2, 0) / (dots.length - 1);
    const maxH = Math.log(keys);
    return {
      dk,
      varianceUnscaled: variance,
      varianceScaled: variance / dk,
      entropyUnscaled: hUnscaled / trials / maxH,
      entropyScaled: hScaled / trials / maxH,
    };
  });
}

// ---- Pitfalls: common wrong answers, kept to be rejected ----

/** Pitfall: softmax(Q K^T) V without the 1 / sqrt(d_k): logits of variance d_k saturate the softmax. */
export function pitfallUnscaledAttention(q: Matrix, k: Matrix, v: Matrix): AttentionResult {
  return attentionMasked(q, k, v, { scale: 1 });
}

/**
 * Pitfall: masks applied after the softmax (masked weights set to 0, rows not renormalized), so a
 * query's weights no longer sum to 1 and hidden keys still shape the visible weights.
 */
export function pitfallMaskAfterSoftmax(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  options: AttentionOptions = {},
): AttentionResult {
  const { n, m, sees } = assertAttentionInputs(q, k, v, options);
  const { causal: _c, keyPadding: _p, visible: _v, ...unmasked } = options;
  const { weights } = attentionMasked(q, k, v, unmasked);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) if (!sees(i, j)) weights.data[i * m + j] = 0;
  return { output: matmul(weights, v), weights };
}

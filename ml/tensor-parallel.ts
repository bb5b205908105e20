/**
 * Tensor parallelism, Megatron-LM style: split each weight matrix of a layer across N devices so
 * that each device computes a slice, and pay with an all-reduce. Answers: Q35 (张量并行: it splits
 * matrices and adds communication) and the placement side of Q32 (a model that does not fit one
 * machine's device is cut across devices).
 *
 *   MLP (Shoeybi et al. 2019):  Y = GeLU(X A) B,  A = [A_1 | ... | A_N] by columns,
 *                                                  B = [B_1; ...; B_N] by rows
 *   device i:    Y_i = GeLU(X A_i) B_i           no communication: GeLU is elementwise, so it
 *                                                 acts on each column block of X A on its own
 *   all-reduce:  Y = sum_i Y_i                    one per MLP in the forward pass ("g"), and one
 *                                                 on the gradient of X in the backward pass ("f")
 *
 * The attention block splits the same way (heads by columns of W_q, W_k, W_v; W_o by rows), so a
 * transformer layer has 2 all-reduces of [tokens, d_model] in the forward pass and 4 with the
 * backward (Megatron-LM, Figure 4). A ring all-reduce of M bytes sends 2 (N - 1) / N M bytes from
 * each device (a reduce-scatter and an all-gather of N - 1 steps each): `ringAllReduce` simulates
 * it and counts. Splitting A by ROWS instead (X by columns) leaves partial sums of X A that must be
 * added BEFORE GeLU: GeLU(sum) != sum GeLU, so without an extra, four-times larger all-reduce the
 * result is wrong (`pitfallTensorParallelMlpRowSplitA`).
 *
 * Conventions: weights in nn.Linear layout, w1 = A^T [hidden, d], w2 = B^T [d, hidden] (the
 * ReLU/GELU FFN of ml/swiglu.ts, whose `denseFfn(x, weights, 'gelu')` is the unsplit layer). A's
 * column blocks are w1's row blocks, B's row blocks are w2's column blocks; b1 splits with A, b2 is
 * added once after the all-reduce. GeLU is the exact erf form. N must divide the hidden size.
 *
 * Complexity: each device does 1/N of the 2 T d h multiply-adds (T tokens) and holds 1/N of the
 * weights; communication per MLP is one all-reduce of T d numbers, independent of N.
 *
 * @example
 *   const y = tensorParallelMlp(x, { w1, w2 }, 4);   // equals denseFfn(x, { w1, w2 }, 'gelu')
 *   allReduceBytes(4096, 4096, 2)                    // 33_554_432 B of fp16 per all-reduce
 */
import {
  ArgumentError,
  assertArray,
  assertBoolean,
  assertInteger,
  assertObject,
  assertOptionalVector,
} from '../core/errors.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { assertMatrix, linear, matrix, shapeOf, type Matrix } from '../core/matrix.js';
import {
  assertTensor,
  assertTf,
  onMatrices,
  type Tensor,
  type Tensor2D,
  type Tf,
} from '../core/backend.js';
import { geluErf, type ReluFfnWeights } from './swiglu.js';

/** Y = GeLU(X A) B on N devices: A split by columns, B by rows, one all-reduce (sum) at the end. */
export function tensorParallelMlp(x: Matrix, weights: ReluFfnWeights, n: number): Matrix {
  const shards = shardMlp(x, weights, n);
  const partials = shards.map((s) => {
    // device i: H_i = GeLU(X A_i + b1_i), [T, d] -> [T, h / N]   (column-parallel)
    const h = linear(x, s.w1, s.b1);
    for (let k = 0; k < h.data.length; k++) h.data[k] = geluErf(h.data[k]!);
    // Y_i = H_i B_i, [T, h / N] -> [T, d]: a partial sum of Y   (row-parallel)
    return linear(h, s.w2);
  });
  // the all-reduce: Y = sum_i Y_i, and b2 once after it
  return addBias(allReduceSum(partials), weights.b2);
}

/** What device i holds of the MLP: rows i h/N .. (i+1) h/N of w1 and b1, the same columns of w2. */
export interface MlpShard {
  /** A_i^T, [h / N, d] */
  w1: Matrix;
  /** length h / N */
  b1?: Float64Array;
  /** B_i^T, [d, h / N] */
  w2: Matrix;
}

/** Above this many multiply-adds (or elements) a call would not return within a second. */
const MAX_WORK = 2 ** 27;
/** At most this many simulated devices. */
const MAX_DEVICES = 4096;

/** Checks x [T, d] against w1 [h, d], w2 [d, h] and the optional biases; returns d and h. */
function assertMlp(x: unknown, weights: unknown): { d: number; hidden: number } {
  assertMatrix('x', x);
  assertObject('weights', weights, 'MLP weights { w1, b1?, w2, b2? }');
  const { w1, w2, b1, b2 } = weights as Partial<ReluFfnWeights>;
  assertMatrix('weights.w1', w1);
  assertMatrix('weights.w2', w2);
  const d = x.cols;
  const hidden = w1.rows;
  if (w1.cols !== d)
    throw new ArgumentError(
      'weights.w1',
      w1,
      `[hidden, ${d}]: d = ${d} columns like x ${shapeOf(x)}`,
      `shape ${shapeOf(w1)}`,
    );
  if (w2.rows !== d || w2.cols !== hidden)
    throw new ArgumentError(
      'weights.w2',
      w2,
      `[${d}, ${hidden}] to map hidden ${hidden} back to d = ${d}`,
      `shape ${shapeOf(w2)}`,
    );
  assertOptionalVector('weights.b1', b1, hidden, `${hidden} values, one per row of w1`);
  assertOptionalVector('weights.b2', b2, d, `${d} values, one per row of w2`);
  if (x.rows * d * hidden > MAX_WORK)
    throw new ArgumentError('x', x, `T d h <= ${MAX_WORK} multiply-adds`, `shape ${shapeOf(x)}`);
  return { d, hidden };
}

function assertDevices(n: unknown, divides: number, what: string): asserts n is number {
  assertInteger('n', n, { min: 1, max: MAX_DEVICES });
  if (divides % n !== 0)
    throw new ArgumentError('n', n, `a number of devices that divides ${what} = ${divides}`);
}

/** Rows [from, to) of m. */
function rowBlock(m: Matrix, from: number, to: number): Matrix {
  return matrix(to - from, m.cols, m.data.subarray(from * m.cols, to * m.cols));
}

/** Columns [from, to) of m. */
function columnBlock(m: Matrix, from: number, to: number): Matrix {
  const out = matrix(m.rows, to - from);
  for (let i = 0; i < m.rows; i++)
    out.data.set(m.data.subarray(i * m.cols + from, i * m.cols + to), i * (to - from));
  return out;
}

/**
 * Splits the MLP over n devices (A by columns = w1 by rows, B by rows = w2 by columns); n must
 * divide the hidden size. `x` is only checked against the weights.
 */
export function shardMlp(x: Matrix, weights: ReluFfnWeights, n: number): MlpShard[] {
  const { hidden } = assertMlp(x, weights);
  assertDevices(n, hidden, 'the hidden size');
  const part = hidden / n;
  return Array.from({ length: n }, (_, i) => {
    const [from, to] = [i * part, (i + 1) * part];
    const b1 = weights.b1 ? Float64Array.from(weights.b1).subarray(from, to) : undefined;
    return {
      w1: rowBlock(weights.w1, from, to),
      ...(b1 ? { b1 } : {}),
      w2: columnBlock(weights.w2, from, to),
    };
  });
}

function assertPartials(partials: unknown): asserts partials is Matrix[] {
  assertArray('partials', partials);
  if (partials.length === 0 || partials.length > MAX_DEVICES)
    throw new ArgumentError('partials', partials, `1 to ${MAX_DEVICES} matrices, one per device`);
  partials.forEach((p, i) => assertMatrix(`partials[${i}]`, p));
  const first = partials[0] as Matrix;
  partials.forEach((p, i) => {
    const m = p as Matrix;
    if (m.rows !== first.rows || m.cols !== first.cols)
      throw new ArgumentError(
        `partials[${i}]`,
        m,
        `shape ${shapeOf(first)} like partials[0]`,
        `shape ${shapeOf(m)}`,
      );
  });
  if (partials.length * first.data.length > MAX_WORK)
    throw new ArgumentError('partials', partials, `devices x elements <= ${MAX_WORK}`);
}

/** The all-reduce (sum) as one result: every device ends with this same matrix. */
export function allReduceSum(partials: readonly Matrix[]): Matrix {
  assertPartials(partials);
  const out = matrix(partials[0]!.rows, partials[0]!.cols);
  for (const p of partials)
    for (let k = 0; k < out.data.length; k++) out.data[k] = out.data[k]! + p.data[k]!;
  return out;
}

function addBias(y: Matrix, bias: ArrayLike<number> | undefined): Matrix {
  if (bias === undefined) return y;
  for (let i = 0; i < y.rows; i++)
    for (let j = 0; j < y.cols; j++) y.data[i * y.cols + j] = y.data[i * y.cols + j]! + bias[j]!;
  return y;
}

/**
 * A ring all-reduce of N devices' buffers, step by step: the buffer is cut in N chunks; in N - 1
 * reduce-scatter steps device i sends chunk (i - s) mod N to device i + 1, which adds it, so
 * device i ends holding the full sum of chunk (i + 1) mod N; in N - 1 all-gather steps the summed
 * chunks go round. Returns every device's final buffer; counts the elements each device sends into
 * `counter` as 'sent' (all devices) and 'sent:<i>' (device i).
 */
export function ringAllReduce(partials: readonly Matrix[], counter?: Counter): Matrix[] {
  assertPartials(partials);
  assertOptionalCounter('counter', counter);
  const n = partials.length;
  const size = partials[0]!.data.length;
  const buffers = partials.map((p) => Float64Array.from(p.data));
  // chunk c is [start(c), start(c + 1))
  const start = (c: number) => Math.floor((c * size) / n);
  const chunkOf = (c: number) => ((c % n) + n) % n;
  for (const phase of ['reduce-scatter', 'all-gather'] as const) {
    for (let s = 0; s < n - 1; s++) {
      // every device sends one chunk to its right neighbour at once: read them all, then write
      const messages = buffers.map((buffer, i) => {
        const c = chunkOf(phase === 'reduce-scatter' ? i - s : i + 1 - s);
        const [k0, k1] = [start(c), start(c + 1)];
        counter?.add('sent', k1 - k0);
        counter?.add(`sent:${i}`, k1 - k0);
        return { to: buffers[(i + 1) % n]!, k0, data: buffer.slice(k0, k1) };
      });
      // reduce-scatter adds the chunk in, all-gather overwrites with the finished sum
      for (const { to, k0, data } of messages)
        data.forEach((v, j) => {
          to[k0 + j] = phase === 'reduce-scatter' ? to[k0 + j]! + v : v;
        });
    }
  }
  return buffers.map((b) => matrix(partials[0]!.rows, partials[0]!.cols, b));
}

/** `tensorParallelMlp` with a ring all-reduce, counting each device's multiply-adds and sends. */
export function tensorParallelMlpCounted(
  x: Matrix,
  weights: ReluFfnWeights,
  n: number,
  counter?: Counter,
): Matrix {
  assertOptionalCounter('counter', counter);
  const shards = shardMlp(x, weights, n);
  const partials = shards.map((s, i) => {
    const h = linear(x, s.w1, s.b1);
    for (let k = 0; k < h.data.length; k++) h.data[k] = geluErf(h.data[k]!);
    // [T, d] x [h/N, d]^T and [T, h/N] x [d, h/N]^T: 2 T d h / N multiply-adds on device i
    counter?.add(`madds:${i}`, 2 * x.rows * x.cols * s.w1.rows);
    counter?.add('madds', 2 * x.rows * x.cols * s.w1.rows);
    return linear(h, s.w2);
  });
  return addBias(ringAllReduce(partials, counter)[0]!, weights.b2);
}

/**
 * The correct input-split MLP, for comparison: A split by rows (X by columns), the partial sums of
 * X A all-reduced BEFORE GeLU ([T, h] numbers, h = 4 d usually), then B split by columns and the
 * output blocks all-gathered ([T, d]). Counts 'allReduced' and 'allGathered' elements.
 */
export function tensorParallelMlpInputSplit(
  x: Matrix,
  weights: ReluFfnWeights,
  n: number,
  counter?: Counter,
): Matrix {
  const { d, hidden } = assertMlp(x, weights);
  assertDevices(n, d, 'd_model');
  assertOptionalCounter('counter', counter);
  const part = d / n;
  // device i: Z_i = X[:, block i] A[block i, :], a partial sum [T, h]
  const z = allReduceSum(
    Array.from({ length: n }, (_, i) =>
      linear(
        columnBlock(x, i * part, (i + 1) * part),
        columnBlock(weights.w1, i * part, (i + 1) * part),
      ),
    ),
  );
  counter?.add('allReduced', x.rows * hidden);
  // after the extra all-reduce every device has Z, applies b1 and GeLU, and computes its block of
  // output features with B's columns; an all-gather of [T, d] gives everyone Y
  const h = addBias(z, weights.b1);
  for (let k = 0; k < h.data.length; k++) h.data[k] = geluErf(h.data[k]!);
  counter?.add('allGathered', x.rows * d);
  return linear(h, weights.w2, weights.b2);
}

// ---------------------------------------------------------------- communication volume

/** Bytes of one all-reduce of a [tokens, d_model] activation: tokens d_model bytesPerElement. */
export function allReduceBytes(tokens: number, dModel: number, bytesPerElement = 2): number {
  assertInteger('tokens', tokens, { min: 1 });
  assertInteger('dModel', dModel, { min: 1 });
  assertInteger('bytesPerElement', bytesPerElement, { min: 1, max: 16 });
  return tokens * dModel * bytesPerElement;
}

/** What each device sends in a ring all-reduce of `bytes`: 2 (N - 1) / N bytes. */
export function ringAllReduceBytesPerDevice(bytes: number, n: number): number {
  assertInteger('bytes', bytes, { min: 0 });
  assertInteger('n', n, { min: 1, max: MAX_DEVICES });
  return (2 * (n - 1) * bytes) / n;
}

export interface LayerCommOptions {
  /** Tokens in the micro-batch: batch size times sequence length. */
  tokens: number;
  dModel: number;
  /** Tensor-parallel degree N. */
  devices: number;
  /** 2 for fp16 / bf16 (default). */
  bytesPerElement?: number;
  /** Count the backward pass too (training): 4 all-reduces per layer instead of 2. */
  backward?: boolean;
}

export interface LayerComm {
  /** All-reduces per layer: attention and MLP, forward (2) or forward and backward (4). */
  allReduces: number;
  /** Bytes of one all-reduce of [tokens, d_model]. */
  bytesPerAllReduce: number;
  /** Bytes each device sends per layer with ring all-reduces. */
  bytesSentPerDevice: number;
}

/** Communication of one tensor-parallel transformer layer (Megatron-LM's f and g operators). */
export function tensorParallelLayerComm(options: LayerCommOptions): LayerComm {
  const given: unknown = options;
  assertObject('options', given, '{ tokens, dModel, devices, bytesPerElement?, backward? }');
  const { tokens, dModel, devices, bytesPerElement = 2, backward = false } = options;
  assertInteger('options.devices', devices, { min: 1, max: MAX_DEVICES });
  assertBoolean('options.backward', backward);
  const bytesPerAllReduce = allReduceBytes(tokens, dModel, bytesPerElement);
  // g after attention and after the MLP in the forward pass; their conjugates f in the backward
  const allReduces = backward ? 4 : 2;
  return {
    allReduces,
    bytesPerAllReduce,
    bytesSentPerDevice: allReduces * ringAllReduceBytesPerDevice(bytesPerAllReduce, devices),
  };
}

// ---------------------------------------------------------------- tfjs

/** MLP weight tensors in nn.Linear layout: w1 [h, d], w2 [d, h], optional b1 [h], b2 [d]. */
export interface MlpTensors {
  w1: Tensor;
  w2: Tensor;
  b1?: Tensor;
  b2?: Tensor;
}

/**
 * The tensor-level twin: x [T, d] -> [T, d], computed as N column/row shards (tf.slice), their
 * partial outputs summed with tf.addN (the all-reduce), b2 added once. Valid inside tf.tidy.
 */
export function tensorParallelMlpTf(tf: Tf, x: Tensor, weights: MlpTensors, n: number): Tensor2D {
  assertTf('tf', tf);
  assertTensor('x', x, 2);
  assertObject('weights', weights, 'MLP weight tensors { w1, w2, b1?, b2? }');
  assertTensor('weights.w1', weights.w1, 2);
  assertTensor('weights.w2', weights.w2, 2);
  const [hidden, d] = weights.w1.shape as [number, number];
  if (x.shape[1] !== d)
    throw new ArgumentError('x', x, `[T, ${d}] like w1 [${hidden}, ${d}]`, `shape [${x.shape}]`);
  if (weights.w2.shape[0] !== d || weights.w2.shape[1] !== hidden)
    throw new ArgumentError('weights.w2', weights.w2, `shape [${d}, ${hidden}]`);
  if (weights.b1 !== undefined) assertTensor('weights.b1', weights.b1, 1);
  if (weights.b2 !== undefined) assertTensor('weights.b2', weights.b2, 1);
  if (weights.b1 !== undefined && weights.b1.shape[0] !== hidden)
    throw new ArgumentError('weights.b1', weights.b1, `shape [${hidden}]`);
  if (weights.b2 !== undefined && weights.b2.shape[0] !== d)
    throw new ArgumentError('weights.b2', weights.b2, `shape [${d}]`);
  assertDevices(n, hidden, 'the hidden size');
  const part = hidden / n;
  return tf.tidy(() => {
    const partials = Array.from({ length: n }, (_, i) => {
      // device i: GeLU(x A_i + b1_i) B_i with A_i^T = w1[i part : (i+1) part, :]
      const w1i = tf.slice(weights.w1, [i * part, 0], [part, d]);
      const w2i = tf.slice(weights.w2, [0, i * part], [d, part]);
      let z = tf.matMul(x, w1i, false, true);
      if (weights.b1) z = tf.add(z, tf.slice(weights.b1, [i * part], [part]));
      // exact GeLU: 0.5 z (1 + erf(z / sqrt 2))
      const h = tf.mul(tf.mul(z, 0.5), tf.add(1, tf.erf(tf.div(z, Math.SQRT2))));
      return tf.matMul(h, w2i, false, true);
    });
    const y = tf.addN(partials);
    return (weights.b2 ? tf.add(y, weights.b2) : y) as Tensor2D;
  });
}

/** `tensorParallelMlpTf` on matrices (biases as arrays): the tfjs oracle of the split. */
export async function tensorParallelMlpTfMatrix(
  x: Matrix,
  weights: ReluFfnWeights,
  n: number,
): Promise<Matrix> {
  const { d, hidden } = assertMlp(x, weights);
  assertDevices(n, hidden, 'the hidden size');
  const b1 = matrix(1, hidden, weights.b1 ?? new Float64Array(hidden));
  const b2 = matrix(1, d, weights.b2 ?? new Float64Array(d));
  return onMatrices(
    (tf, xt, w1, w2, b1t, b2t) =>
      tensorParallelMlpTf(
        tf,
        xt,
        { w1, w2, b1: tf.reshape(b1t, [hidden]), b2: tf.reshape(b2t, [d]) },
        n,
      ),
    x,
    weights.w1,
    weights.w2,
    b1,
    b2,
  );
}

// ---------------------------------------------------------------- pitfalls

/**
 * Pitfall: A split by rows (X by columns, d / N features per device) and GeLU applied to each
 * device's partial sum X_i A_i before the all-reduce: GeLU(sum_i Z_i) != sum_i GeLU(Z_i).
 */
export function pitfallTensorParallelMlpRowSplitA(
  x: Matrix,
  weights: ReluFfnWeights,
  n: number,
): Matrix {
  const { d } = assertMlp(x, weights);
  assertDevices(n, d, 'd_model');
  const part = d / n;
  const partials = Array.from({ length: n }, (_, i) => {
    // device i: Z_i = X[:, block i] A[block i, :] (+ b1 on device 0), GeLU on the PARTIAL sum
    const z = linear(
      columnBlock(x, i * part, (i + 1) * part),
      columnBlock(weights.w1, i * part, (i + 1) * part),
      i === 0 ? weights.b1 : undefined,
    );
    for (let k = 0; k < z.data.length; k++) z.data[k] = geluErf(z.data[k]!);
    return linear(z, weights.w2);
  });
  return addBias(allReduceSum(partials), weights.b2);
}

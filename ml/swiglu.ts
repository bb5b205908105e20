/**
 * SwiGLU and its relatives: the gated feed-forward networks of LLaMA / Qwen, next to the ReLU FFN
 * of the original Transformer. Answers: Q19 (SwiGLU 公式).
 *
 * A gated FFN multiplies two projections of the token, one passed through an activation (the gate),
 * then projects back. With three matrices instead of two, the hidden size shrinks to 2/3 of 4d so
 * the parameter count stays that of the ReLU FFN.
 *
 *   ReLU FFN(x) = max(0, x W1^T + b1) W2^T + b2                 (Vaswani et al. 2017, hidden 4d)
 *   SwiGLU(x)   = (SiLU(x W1^T) ⊙ x W3^T) W2^T,  SiLU(z) = z sigmoid(z) = Swish with beta = 1
 *   GeGLU(x)    = (GELU(x W1^T) ⊙ x W3^T) W2^T                   (Shazeer 2020, "GLU Variants")
 *
 * Layout (PyTorch nn.Linear, Meta LLaMA names): every weight is [d_out, d_in] and y = x W^T.
 *   w1: [hidden, d]  gate projection   (HF gate_proj)
 *   w3: [hidden, d]  up projection     (HF up_proj)
 *   w2: [d, hidden]  down projection   (HF down_proj)
 * No biases in the gated FFNs (LLaMA); the ReLU FFN takes optional biases.
 *
 * GELU: `geluErf` is the exact x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (PyTorch's default,
 * approximate='none'); `geluTanh` is the tanh approximation 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)))
 * (approximate='tanh', GPT-2). GELU(1) = 0.841345 exact, 0.841192 with tanh. GeGLU uses the exact one
 * unless told otherwise.
 *
 * Hidden size (LLaMA's FeedForward): h = int(2 * 4d / 3), times ffn_dim_multiplier if given
 * (truncated), then rounded UP to a multiple of `multiple_of` (256): d = 4096 gives 11008.
 *
 * Complexity: a gated FFN is 3 n d h multiply-adds for n tokens (the ReLU FFN 2 n d h); parameters
 * 3 d h vs 2 d h (+ h + d biases).
 *
 * @example
 *   llamaHiddenSize(4096);                                                   // 11008
 *   swiglu(fromRows([[1, 2]]), { w1: fromRows([[1, 0]]), w3: fromRows([[0, 1]]), w2: fromRows([[1], [1]]) });
 *   // [[1.4621, 1.4621]] = SiLU(1) * 2 = 0.7311 * 2, copied to both outputs
 */
import { erf } from 'mathjs';
import { ArgumentError, assertInteger, assertOptionalVector } from '../core/errors.js';
import { assertMatrix, linear, matmulTransposed, matrix, randomMatrix, shapeOf, type Matrix, type OpCounter } from '../core/matrix.js';
import type { Rng } from '../core/random.js';
import { fromTensor2d, tensorBackend, toTensor2d, type Tf } from '../core/backend.js';

/** The three bias-free projections of a gated FFN, in nn.Linear layout [d_out, d_in]. */
export interface GatedFfnWeights {
  /** Gate projection, [hidden, d]. */
  w1: Matrix;
  /** Up projection, [hidden, d]. */
  w3: Matrix;
  /** Down projection, [d, hidden]. */
  w2: Matrix;
}

/** The original Transformer FFN, in nn.Linear layout, with optional biases. */
export interface ReluFfnWeights {
  /** [hidden, d] */
  w1: Matrix;
  /** length hidden */
  b1?: ArrayLike<number>;
  /** [d, hidden] */
  w2: Matrix;
  /** length d */
  b2?: ArrayLike<number>;
}

/** Which GELU: 'none' = exact erf form (PyTorch default), 'tanh' = the tanh approximation. */
export type GeluApproximation = 'none' | 'tanh';

/** SiLU = Swish_1: z * sigmoid(z) = z / (1 + e^-z). */
export function silu(z: number): number {
  return z / (1 + Math.exp(-z));
}

/** Exact GELU: z * Phi(z) = 0.5 z (1 + erf(z / sqrt 2)). */
export function geluErf(z: number): number {
  return 0.5 * z * (1 + erf(z / Math.SQRT2));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The tanh approximation of GELU (Hendrycks & Gimpel): 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))). */
export function geluTanh(z: number): number {
  return 0.5 * z * (1 + Math.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z ** 3)));
}

export function relu(z: number): number {
  return Math.max(0, z);
}

/** Checks x [n, d] against an up weight [hidden, d] and a down weight [d, hidden]; returns hidden. */
function checkShapes(x: Matrix, up: Matrix, upName: string, down: Matrix, downName: string): number {
  assertMatrix('x', x);
  assertMatrix(upName, up);
  assertMatrix(downName, down);
  if (up.cols !== x.cols) throw new ArgumentError(upName, up, `[hidden, ${x.cols}]: d_in = ${x.cols} columns like x ${shapeOf(x)}`, `shape ${shapeOf(up)}`);
  if (down.rows !== x.cols || down.cols !== up.rows) {
    throw new ArgumentError(downName, down, `[${x.cols}, ${up.rows}] to map hidden ${up.rows} of ${upName} ${shapeOf(up)} back to d = ${x.cols}`, `shape ${shapeOf(down)}`);
  }
  return up.rows;
}

function checkGated(x: Matrix, weights: GatedFfnWeights): number {
  const hidden = checkShapes(x, weights.w1, 'weights.w1', weights.w2, 'weights.w2');
  assertMatrix('weights.w3', weights.w3);
  if (weights.w3.rows !== weights.w1.rows || weights.w3.cols !== weights.w1.cols) {
    throw new ArgumentError('weights.w3', weights.w3, `shape ${shapeOf(weights.w1)} like weights.w1`, `shape ${shapeOf(weights.w3)}`);
  }
  return hidden;
}

/**
 * The generic gated FFN (GLU family): (act(x W1^T) ⊙ x W3^T) W2^T, from scratch. `swiglu` and
 * `geglu` are this with act = SiLU and act = GELU.
 */
export function gatedFfn(x: Matrix, weights: GatedFfnWeights, act: (z: number) => number, ops?: OpCounter): Matrix {
  checkGated(x, weights);
  // [n, d] x [hidden, d]^T -> [n, hidden], twice
  const gate = matmulTransposed(x, weights.w1, ops);
  const up = matmulTransposed(x, weights.w3, ops);
  // h = act(gate) ⊙ up, elementwise on [n, hidden]
  const h = matrix(gate.rows, gate.cols);
  for (let i = 0; i < h.data.length; i++) h.data[i] = act(gate.data[i] as number) * (up.data[i] as number);
  // [n, hidden] x [d, hidden]^T -> [n, d]
  return matmulTransposed(h, weights.w2, ops);
}

/** SwiGLU FFN (LLaMA, Qwen): (SiLU(x W1^T) ⊙ x W3^T) W2^T. x [n, d] -> [n, d]. */
export function swiglu(x: Matrix, weights: GatedFfnWeights, ops?: OpCounter): Matrix {
  return gatedFfn(x, weights, silu, ops);
}

/** GeGLU FFN: (GELU(x W1^T) ⊙ x W3^T) W2^T, exact erf GELU unless approximate = 'tanh'. */
export function geglu(x: Matrix, weights: GatedFfnWeights, options: { approximate?: GeluApproximation; ops?: OpCounter } = {}): Matrix {
  return gatedFfn(x, weights, options.approximate === 'tanh' ? geluTanh : geluErf, options.ops);
}

/** The activation of the two-matrix FFN: ReLU (original Transformer), exact GELU (BERT) or tanh GELU (GPT-2). */
export type DenseActivation = 'relu' | 'gelu' | 'gelu-tanh';

const DENSE_ACTIVATIONS: Record<DenseActivation, (z: number) => number> = { relu, gelu: geluErf, 'gelu-tanh': geluTanh };

/** The two-matrix FFN: act(x W1^T + b1) W2^T + b2, x [n, d] -> [n, d]; act is ReLU unless told otherwise. */
export function denseFfn(x: Matrix, weights: ReluFfnWeights, activation: DenseActivation = 'relu', ops?: OpCounter): Matrix {
  const hidden = checkShapes(x, weights.w1, 'weights.w1', weights.w2, 'weights.w2');
  const act = DENSE_ACTIVATIONS[activation];
  if (act === undefined) throw new ArgumentError('activation', activation, `one of ${Object.keys(DENSE_ACTIVATIONS).join(', ')}`);
  assertOptionalVector('weights.b1', weights.b1, hidden, `${hidden} values`);
  assertOptionalVector('weights.b2', weights.b2, x.cols, `${x.cols} values`);
  // [n, d] -> [n, hidden], + b1, then the activation
  const h = linear(x, weights.w1, weights.b1, ops, 'weights.w1');
  for (let i = 0; i < h.data.length; i++) h.data[i] = act(h.data[i] as number);
  // [n, hidden] -> [n, d], + b2
  return linear(h, weights.w2, weights.b2, ops, 'weights.w2');
}

/** The original Transformer FFN: max(0, x W1^T + b1) W2^T + b2. x [n, d] -> [n, d]. */
export function reluFfn(x: Matrix, weights: ReluFfnWeights, ops?: OpCounter): Matrix {
  return denseFfn(x, weights, 'relu', ops);
}

/**
 * LLaMA's FFN hidden size: int(2 * 4d / 3), times ffnDimMultiplier (truncated) if given, rounded up
 * to a multiple of `multipleOf`. 4096 -> 11008 (Llama 7B); 8192 with 1.3 and 4096 -> 28672 (Llama 2 70B).
 */
export function llamaHiddenSize(d: number, options: { multipleOf?: number; ffnDimMultiplier?: number } = {}): number {
  const { multipleOf = 256, ffnDimMultiplier } = options;
  assertInteger('d', d, { min: 1 });
  assertInteger('multipleOf', multipleOf, { min: 1 });
  let hidden = Math.trunc((2 * 4 * d) / 3);
  if (ffnDimMultiplier !== undefined) {
    if (!(ffnDimMultiplier > 0) || !Number.isFinite(ffnDimMultiplier)) throw new ArgumentError('ffnDimMultiplier', ffnDimMultiplier, 'a finite number > 0');
    hidden = Math.trunc(ffnDimMultiplier * hidden);
  }
  return multipleOf * Math.ceil(hidden / multipleOf);
}

/** Parameters of one FFN: gated = 3 d h; relu = 2 d h, plus h + d with biases. */
export function ffnParamCount(kind: 'gated' | 'relu', d: number, hidden: number, options: { bias?: boolean } = {}): number {
  assertInteger('d', d, { min: 1 });
  assertInteger('hidden', hidden, { min: 1 });
  if (kind === 'gated') return 3 * d * hidden;
  if (kind === 'relu') return 2 * d * hidden + (options.bias ? hidden + d : 0);
  throw new ArgumentError('kind', kind, "'gated' or 'relu'");
}

/** Random gated FFN weights, N(0, std^2) entries (default std = 1 / sqrt(d)). */
export function initGatedFfn(d: number, hidden: number, rng: Rng, std = 1 / Math.sqrt(d)): GatedFfnWeights {
  assertInteger('d', d, { min: 1 });
  assertInteger('hidden', hidden, { min: 1 });
  const sample = () => rng.normal(0, std);
  return { w1: randomMatrix(hidden, d, rng, sample), w3: randomMatrix(hidden, d, rng, sample), w2: randomMatrix(d, hidden, rng, sample) };
}

/** Random ReLU FFN weights and biases, N(0, std^2) entries (default std = 1 / sqrt(d)). */
export function initReluFfn(d: number, hidden: number, rng: Rng, std = 1 / Math.sqrt(d)): Required<ReluFfnWeights> {
  assertInteger('d', d, { min: 1 });
  assertInteger('hidden', hidden, { min: 1 });
  const sample = () => rng.normal(0, std);
  return { w1: randomMatrix(hidden, d, rng, sample), b1: rng.array(hidden, sample), w2: randomMatrix(d, hidden, rng, sample), b2: rng.array(d, sample) };
}

// ---------------------------------------------------------------------------------------------
// The oracle: the same FFNs in tfjs (float32).

/** GELU from tfjs primitives (tfjs has no gelu op): tf.erf for the exact form, tf.tanh for the approximation. */
function geluTf(tf: Tf, z: ReturnType<Tf['tensor']>, approximate: GeluApproximation) {
  if (approximate === 'tanh') return tf.mul(tf.mul(z, 0.5), tf.add(1, tf.tanh(tf.mul(SQRT_2_OVER_PI, tf.add(z, tf.mul(0.044715, tf.pow(z, 3)))))));
  return tf.mul(tf.mul(z, 0.5), tf.add(1, tf.erf(tf.div(z, Math.SQRT2))));
}

async function gatedFfnTf(x: Matrix, weights: GatedFfnWeights, act: 'silu' | GeluApproximation): Promise<Matrix> {
  checkGated(x, weights);
  const { tf } = await tensorBackend();
  const y = tf.tidy(() => {
    const t = toTensor2d(tf, x);
    // matMul(x, W, false, true) = x W^T
    const gate = tf.matMul(t, toTensor2d(tf, weights.w1), false, true);
    const up = tf.matMul(t, toTensor2d(tf, weights.w3), false, true);
    const activated = act === 'silu' ? tf.mul(gate, tf.sigmoid(gate)) : geluTf(tf, gate, act);
    return tf.matMul(tf.mul(activated, up), toTensor2d(tf, weights.w2), false, true);
  });
  return fromTensor2d(y);
}

/** SwiGLU in tfjs: SiLU as gate * tf.sigmoid(gate). */
export function swigluTf(x: Matrix, weights: GatedFfnWeights): Promise<Matrix> {
  return gatedFfnTf(x, weights, 'silu');
}

/** GeGLU in tfjs, exact (tf.erf) or tanh GELU. */
export function gegluTf(x: Matrix, weights: GatedFfnWeights, options: { approximate?: GeluApproximation } = {}): Promise<Matrix> {
  return gatedFfnTf(x, weights, options.approximate ?? 'none');
}

/** The two-matrix FFN in tfjs (tf.relu, or GELU written with tf.erf / tf.tanh). */
export async function denseFfnTf(x: Matrix, weights: ReluFfnWeights, activation: DenseActivation = 'relu'): Promise<Matrix> {
  const hidden = checkShapes(x, weights.w1, 'weights.w1', weights.w2, 'weights.w2');
  const { tf } = await tensorBackend();
  const y = tf.tidy(() => {
    const b1 = tf.tensor1d(Float32Array.from(weights.b1 ?? new Array<number>(hidden).fill(0)));
    const b2 = tf.tensor1d(Float32Array.from(weights.b2 ?? new Array<number>(x.cols).fill(0)));
    const h = denseActivationTf(tf, tf.add(tf.matMul(toTensor2d(tf, x), toTensor2d(tf, weights.w1), false, true), b1), activation);
    return tf.add(tf.matMul(h, toTensor2d(tf, weights.w2), false, true), b2);
  });
  return fromTensor2d(y);
}

/** The activation of `denseFfn` on a tensor. */
export function denseActivationTf(tf: Tf, z: ReturnType<Tf['tensor']>, activation: DenseActivation) {
  if (activation === 'relu') return tf.relu(z);
  return geluTf(tf, z, activation === 'gelu-tanh' ? 'tanh' : 'none');
}

/** The ReLU FFN in tfjs. */
export function reluFfnTf(x: Matrix, weights: ReluFfnWeights): Promise<Matrix> {
  return denseFfnTf(x, weights, 'relu');
}

// ---------------------------------------------------------------------------------------------
// Common wrong answers.

/** WRONG: Swish applied to the product instead of gating: SiLU(x W1^T ⊙ x W3^T) W2^T. */
export function swigluGateAfterProductVariant(x: Matrix, weights: GatedFfnWeights): Matrix {
  checkGated(x, weights);
  const gate = matmulTransposed(x, weights.w1);
  const up = matmulTransposed(x, weights.w3);
  const h = matrix(gate.rows, gate.cols, gate.data.map((g, i) => silu(g * (up.data[i] as number))));
  return matmulTransposed(h, weights.w2);
}

/** WRONG: hidden = 2/3 of 4d rounded DOWN to a multiple (LLaMA rounds up): 4096 -> 10752, not 11008. */
export function llamaHiddenSizeRoundDownVariant(d: number, multipleOf = 256): number {
  return multipleOf * Math.floor(Math.trunc((8 * d) / 3) / multipleOf);
}

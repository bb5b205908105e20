/**
 * SwiGLU and its relatives: the gated feed-forward networks of LLaMA / Qwen, next to the ReLU FFN
 * of the original Transformer. Answers: Q19 (SwiGLU 公式).
 *
 * A gated FFN multiplies two projections of the token, one passed through an activation (the gate),
 * then projects back. With three matrices instead of two, the hidden size shrinks to 2/3 of 4d so
 * the parameter count stays that of the ReLU FFN.
 *
 *   ReLU FFN(x) = max(0, x W1^T + b1) W2^T + b2                   (Vaswani et al. 2017, hidden 4d)
 *   SwiGLU(x)   = (SiLU(x W_gate^T) ⊙ x W_up^T) W_down^T,  SiLU(z) = z sigmoid(z) (Swish, beta = 1)
 *   GeGLU(x)    = (GELU(x W_gate^T) ⊙ x W_up^T) W_down^T            (Shazeer 2020, "GLU Variants")
 *
 * Layout (PyTorch nn.Linear, Meta LLaMA names): every weight is [d_out, d_in] and y = x W^T.
 *   w1: [hidden, d]  gate projection W_gate   (HF gate_proj)
 *   w3: [hidden, d]  up projection W_up       (HF up_proj)
 *   w2: [d, hidden]  down projection W_down   (HF down_proj)
 * No biases in the gated FFNs (LLaMA); the ReLU FFN takes optional biases.
 *
 * GELU: `geluErf` is the exact x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (PyTorch's default,
 * approximate='none'); `geluTanh` is 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))) (approximate=
 * 'tanh', GPT-2). GELU(1) = 0.841345 exact, 0.841192 with tanh. GeGLU uses the exact one
 * unless told.
 *
 * Hidden size (LLaMA's FeedForward): h = int(2 * 4d / 3), times ffn_dim_multiplier if given
 * (truncated), then rounded UP to a multiple of `multiple_of` (256): d = 4096 gives 11008.
 *
 * The textbook answer is `swiglu`; `gatedFfn` (any gate, counted), `geglu`, `denseFfn` / `reluFfn`
 * follow, then the tensor twins `swigluTf`, `gegluTf`, `reluFfnTf`, `denseFfnTf` (x [..., d])
 * and the pitfalls.
 *
 * Complexity: a gated FFN is 3 n d h multiply-adds for n tokens (the ReLU FFN 2 n d h); parameters
 * 3 d h vs 2 d h (+ h + d biases).
 *
 * @example
 *   llamaHiddenSize(4096);                                                   // 11008
 *   const weights = { w1: fromRows([[1, 0]]), w3: fromRows([[0, 1]]), w2: fromRows([[1], [1]]) };
 *   swiglu(fromRows([[1, 2]]), weights);
 *   // [[1.4621, 1.4621]] = SiLU(1) * 2 = 0.7311 * 2, copied to both outputs
 */
import {
  ArgumentError,
  assertBoolean,
  assertFinite,
  assertInteger,
  assertObject,
  assertOneOf,
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
import { assertRng, type Rng } from '../core/random.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { assertTensor, assertTf, onMatrices, type Tensor, type Tf } from '../core/backend.js';

/** SwiGLU FFN (LLaMA, Qwen), x [n, d] -> [n, d]: (SiLU(x W_gate^T) ⊙ x W_up^T) W_down^T. */
export function swiglu(x: Matrix, weights: GatedFfnWeights): Matrix {
  assertGatedFfn(x, weights);
  const { w1: wGate, w3: wUp, w2: wDown } = weights;
  // [n, d] -> [n, hidden], twice: gate = x W_gate^T, up = x W_up^T
  const gate = linear(x, wGate);
  const up = linear(x, wUp);
  // h = SiLU(gate) ⊙ up, elementwise on [n, hidden]
  const h = matrix(gate.rows, gate.cols);
  for (let i = 0; i < h.data.length; i++)
    h.data[i] = siluOf(gate.data[i] as number) * (up.data[i] as number);
  // [n, hidden] -> [n, d]: y = h W_down^T
  return linear(h, wDown);
}

/** The three bias-free projections of a gated FFN, in nn.Linear layout [d_out, d_in]. */
export interface GatedFfnWeights {
  /** Gate projection W_gate, [hidden, d]. */
  w1: Matrix;
  /** Up projection W_up, [hidden, d]. */
  w3: Matrix;
  /** Down projection W_down, [d, hidden]. */
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
const APPROXIMATIONS: readonly GeluApproximation[] = ['none', 'tanh'];

// ---------------------------------------------------------------------------------------------
// Activations: a checked public entry each, and the unchecked one the loops call.

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * erf(z) = (2 / sqrt(pi)) e^{-z^2} sum_n z (2 z^2)^n / (2n + 1)!!: every term has the sign of z,
 * so nothing cancels and the sum is accurate to a few ulps; |z| >= 6 is +-1 in double precision.
 */
function erf(z: number): number {
  if (Math.abs(z) >= 6) return Math.sign(z);
  const twoZ2 = 2 * z * z;
  let term = z;
  let sum = z;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= twoZ2 / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
}

const siluOf = (z: number) => z / (1 + Math.exp(-z));
const geluErfOf = (z: number) => 0.5 * z * (1 + erf(z / Math.SQRT2));
const geluTanhOf = (z: number) =>
  0.5 * z * (1 + Math.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z ** 3)));
const reluOf = (z: number) => Math.max(0, z);

/** SiLU = Swish_1: z * sigmoid(z) = z / (1 + e^-z). */
export function silu(z: number): number {
  assertFinite('z', z);
  return siluOf(z);
}

/** Exact GELU: z * Phi(z) = 0.5 z (1 + erf(z / sqrt 2)). */
export function geluErf(z: number): number {
  assertFinite('z', z);
  return geluErfOf(z);
}

/** The tanh approximation of GELU: 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))). */
export function geluTanh(z: number): number {
  assertFinite('z', z);
  return geluTanhOf(z);
}

export function relu(z: number): number {
  assertFinite('z', z);
  return reluOf(z);
}

// ---------------------------------------------------------------------------------------------
// Shape checks, once at entry.

/**
 * Checks x [n, d] against an up weight [hidden, d] and a down weight [d, hidden]; returns hidden.
 */
function assertShapes(
  x: unknown,
  up: unknown,
  upName: string,
  down: unknown,
  downName: string,
): number {
  assertMatrix('x', x);
  assertMatrix(upName, up);
  assertMatrix(downName, down);
  if (up.cols !== x.cols) {
    const expected = `[hidden, ${x.cols}]: d_in = ${x.cols} columns like x ${shapeOf(x)}`;
    throw new ArgumentError(upName, up, expected, `shape ${shapeOf(up)}`);
  }
  if (down.rows !== x.cols || down.cols !== up.rows) {
    const expected = `[${x.cols}, ${up.rows}] to map hidden ${up.rows} of ${upName} ${shapeOf(up)} back to d = ${x.cols}`;
    throw new ArgumentError(downName, down, expected, `shape ${shapeOf(down)}`);
  }
  return up.rows;
}

function assertGatedFfn(x: unknown, weights: unknown): asserts weights is GatedFfnWeights {
  assertObject('weights', weights, 'gated FFN weights { w1, w3, w2 }');
  const w = weights as Partial<GatedFfnWeights>;
  assertShapes(x, w.w1, 'weights.w1', w.w2, 'weights.w2');
  assertMatrix('weights.w3', w.w3);
  const [w1, w3] = [w.w1 as Matrix, w.w3];
  if (w3.rows !== w1.rows || w3.cols !== w1.cols) {
    throw new ArgumentError(
      'weights.w3',
      w3,
      `shape ${shapeOf(w1)} like weights.w1`,
      `shape ${shapeOf(w3)}`,
    );
  }
}

function assertReluFfn(x: unknown, weights: unknown): asserts weights is ReluFfnWeights {
  assertObject('weights', weights, 'FFN weights { w1, b1?, w2, b2? }');
  const w = weights as Partial<ReluFfnWeights>;
  const hidden = assertShapes(x, w.w1, 'weights.w1', w.w2, 'weights.w2');
  assertOptionalVector('weights.b1', w.b1, hidden, `${hidden} values`);
  assertOptionalVector('weights.b2', w.b2, (x as Matrix).cols, `${(x as Matrix).cols} values`);
}

// ---------------------------------------------------------------------------------------------
// Engineered versions: any gate, counted multiply-adds.

/**
 * The generic gated FFN (GLU family): (act(x W1^T) ⊙ x W3^T) W2^T, from scratch, counting its
 * multiply-adds as 'madds'. `swiglu` and `geglu` are this with act = SiLU and act = GELU.
 */
export function gatedFfn(
  x: Matrix,
  weights: GatedFfnWeights,
  act: (z: number) => number,
  counter?: Counter,
): Matrix {
  assertGatedFfn(x, weights);
  if (typeof act !== 'function') throw new ArgumentError('act', act, 'an activation z => number');
  assertOptionalCounter('counter', counter);
  // [n, d] x [hidden, d]^T -> [n, hidden], twice
  const gate = linear(x, weights.w1, undefined, counter);
  const up = linear(x, weights.w3, undefined, counter);
  // h = act(gate) ⊙ up, elementwise on [n, hidden]
  const h = matrix(gate.rows, gate.cols);
  for (let i = 0; i < h.data.length; i++)
    h.data[i] = act(gate.data[i] as number) * (up.data[i] as number);
  // [n, hidden] x [d, hidden]^T -> [n, d]
  return linear(h, weights.w2, undefined, counter);
}

/** GeGLU FFN: (GELU(x W1^T) ⊙ x W3^T) W2^T, exact erf GELU unless approximate = 'tanh'. */
export function geglu(
  x: Matrix,
  weights: GatedFfnWeights,
  approximate: GeluApproximation = 'none',
  counter?: Counter,
): Matrix {
  assertOneOf('approximate', approximate, APPROXIMATIONS);
  return gatedFfn(x, weights, approximate === 'tanh' ? geluTanhOf : geluErfOf, counter);
}

/** The two-matrix FFN's activation: ReLU (original), exact GELU (BERT), tanh GELU (GPT-2). */
export type DenseActivation = 'relu' | 'gelu' | 'gelu-tanh';

const DENSE_ACTIVATIONS: Record<DenseActivation, (z: number) => number> = {
  relu: reluOf,
  gelu: geluErfOf,
  'gelu-tanh': geluTanhOf,
};
const DENSE_NAMES = Object.keys(DENSE_ACTIVATIONS) as DenseActivation[];

/** The two-matrix FFN: act(x W1^T + b1) W2^T + b2, x [n, d] -> [n, d]; act ReLU by default. */
export function denseFfn(
  x: Matrix,
  weights: ReluFfnWeights,
  activation: DenseActivation = 'relu',
  counter?: Counter,
): Matrix {
  assertReluFfn(x, weights);
  assertOneOf('activation', activation, DENSE_NAMES);
  assertOptionalCounter('counter', counter);
  const act = DENSE_ACTIVATIONS[activation];
  // [n, d] -> [n, hidden], + b1, then the activation
  const h = linear(x, weights.w1, weights.b1, counter, 'weights.w1');
  for (let i = 0; i < h.data.length; i++) h.data[i] = act(h.data[i] as number);
  // [n, hidden] -> [n, d], + b2
  return linear(h, weights.w2, weights.b2, counter, 'weights.w2');
}

/** The original Transformer FFN: max(0, x W1^T + b1) W2^T + b2. x [n, d] -> [n, d]. */
export function reluFfn(x: Matrix, weights: ReluFfnWeights, counter?: Counter): Matrix {
  return denseFfn(x, weights, 'relu', counter);
}

// ---------------------------------------------------------------------------------------------
// Sizes, counts, initial weights.

/** Sizes above this are refused (a size calculator or an allocation past it is a bug). */
const MAX_SIZE = 2 ** 30;
/** At most this many floats per initialized matrix. */
const MAX_WEIGHTS = 2 ** 25;

function assertSizeOptions(
  options: unknown,
): asserts options is { multipleOf?: number; ffnDimMultiplier?: number } {
  assertObject('options', options, '{ multipleOf?, ffnDimMultiplier? }');
}

/**
 * LLaMA's FFN hidden size: int(2 * 4d / 3), times ffnDimMultiplier (truncated) if given, rounded up
 * to a multiple of `multipleOf`. 4096 -> 11008 (Llama 7B); 8192 with 1.3 and 4096 -> 28672
 * (Llama 2 70B).
 */
export function llamaHiddenSize(
  d: number,
  options: { multipleOf?: number; ffnDimMultiplier?: number } = {},
): number {
  assertInteger('d', d, { min: 1, max: MAX_SIZE });
  assertSizeOptions(options);
  const { multipleOf = 256, ffnDimMultiplier } = options;
  assertInteger('multipleOf', multipleOf, { min: 1, max: MAX_SIZE });
  let hidden = Math.trunc((2 * 4 * d) / 3);
  if (ffnDimMultiplier !== undefined) {
    assertFinite('ffnDimMultiplier', ffnDimMultiplier);
    if (!(ffnDimMultiplier > 0) || ffnDimMultiplier > 1e6) {
      throw new ArgumentError('ffnDimMultiplier', ffnDimMultiplier, 'a finite number in (0, 1e6]');
    }
    hidden = Math.trunc(ffnDimMultiplier * hidden);
  }
  return multipleOf * Math.ceil(hidden / multipleOf);
}

/** Parameters of one FFN: gated = 3 d h; relu = 2 d h, plus h + d with biases. */
export function ffnParamCount(
  kind: 'gated' | 'relu',
  d: number,
  hidden: number,
  options: { bias?: boolean } = {},
): number {
  assertOneOf('kind', kind, ['gated', 'relu']);
  assertInteger('d', d, { min: 1, max: MAX_SIZE });
  assertInteger('hidden', hidden, { min: 1, max: MAX_SIZE });
  assertObject('options', options, '{ bias? }');
  if (options.bias !== undefined) assertBoolean('options.bias', options.bias);
  if (kind === 'gated') return 3 * d * hidden;
  return 2 * d * hidden + (options.bias ? hidden + d : 0);
}

/**
 * Checks the arguments of the initializers; returns the standard deviation (default 1 / sqrt(d)).
 */
function assertInit(d: unknown, hidden: unknown, rng: unknown, std: unknown): number {
  assertInteger('d', d, { min: 1, max: MAX_WEIGHTS });
  assertInteger('hidden', hidden, { min: 1, max: MAX_WEIGHTS });
  if (d * hidden > MAX_WEIGHTS)
    throw new ArgumentError('hidden', hidden, `d * hidden <= ${MAX_WEIGHTS} (d = ${d})`);
  assertRng('rng', rng);
  if (std === undefined) return 1 / Math.sqrt(d);
  assertFinite('std', std);
  if (std < 0) throw new ArgumentError('std', std, 'a standard deviation >= 0');
  return std;
}

/** Random gated FFN weights, N(0, std^2) entries (default std = 1 / sqrt(d)). */
export function initGatedFfn(d: number, hidden: number, rng: Rng, std?: number): GatedFfnWeights {
  const sd = assertInit(d, hidden, rng, std);
  const sample = () => rng.normal(0, sd);
  return {
    w1: randomMatrix(hidden, d, rng, sample),
    w3: randomMatrix(hidden, d, rng, sample),
    w2: randomMatrix(d, hidden, rng, sample),
  };
}

/** Random ReLU FFN weights and biases, N(0, std^2) entries (default std = 1 / sqrt(d)). */
export function initReluFfn(
  d: number,
  hidden: number,
  rng: Rng,
  std?: number,
): Required<ReluFfnWeights> {
  const sd = assertInit(d, hidden, rng, std);
  const sample = () => rng.normal(0, sd);
  return {
    w1: randomMatrix(hidden, d, rng, sample),
    b1: rng.array(hidden, sample),
    w2: randomMatrix(d, hidden, rng, sample),
    b2: rng.array(d, sample),
  };
}

// ---------------------------------------------------------------------------------------------
// Tensor twins (float32): x [..., d], weights as tensors in nn.Linear layout; synchronous,
// composable, valid inside tf.tidy.

/** Gated FFN weights as tensors: w1 (gate) and w3 (up) [hidden, d], w2 (down) [d, hidden]. */
export interface GatedFfnTensors {
  w1: Tensor;
  w3: Tensor;
  w2: Tensor;
}

/** Two-matrix FFN weights as tensors; biases as tensors [hidden] / [d] or arrays. */
export interface ReluFfnTensors {
  w1: Tensor;
  b1?: Tensor | ArrayLike<number>;
  w2: Tensor;
  b2?: Tensor | ArrayLike<number>;
}

function isTensor(v: unknown): v is Tensor {
  return v !== null && typeof v === 'object' && 'dataSync' in v && 'shape' in v;
}

const shapeText = (t: Tensor) => `shape [${t.shape.join(', ')}]`;

/** Checks tf, x [..., d] and a rank-2 tensor [rows, cols]; returns d. */
function assertTfFfnInput(tf: unknown, x: unknown): number {
  assertTf('tf', tf);
  assertTensor('x', x);
  const d = x.shape[x.rank - 1];
  if (x.rank < 1 || d === undefined || d < 1)
    throw new ArgumentError('x', x, 'a tensor [..., d] with d >= 1', shapeText(x));
  return d;
}

function assertWeightTensor(
  argument: string,
  w: unknown,
  rows: number | undefined,
  cols: number,
): Tensor {
  assertTensor(argument, w, 2);
  const [r, c] = w.shape as [number, number];
  if ((rows !== undefined && r !== rows) || c !== cols) {
    throw new ArgumentError(argument, w, `shape [${rows ?? 'hidden'}, ${cols}]`, shapeText(w));
  }
  return w;
}

function assertBiasTensor(argument: string, b: unknown, length: number): void {
  if (b === undefined) return;
  if (isTensor(b)) {
    if (b.rank !== 1 || b.shape[0] !== length)
      throw new ArgumentError(argument, b, `a tensor of shape [${length}]`, shapeText(b));
    return;
  }
  assertOptionalVector(argument, b, length, `${length} values (or a tensor [${length}])`);
}

/** x [..., d] W^T for W [d_out, d]: flattens the leading axes, multiplies, restores them. */
function linearTf(tf: Tf, x: Tensor, w: Tensor, bias?: Tensor | ArrayLike<number>): Tensor {
  const lead = x.shape.slice(0, -1);
  const d = x.shape[x.rank - 1] as number;
  // [..., d] -> [m, d] x [d_out, d]^T -> [m, d_out] -> [..., d_out]
  const y = tf.matMul(tf.reshape(x, [-1, d]), w, false, true);
  const withBias =
    bias === undefined
      ? y
      : tf.add(y, isTensor(bias) ? bias : tf.tensor1d(Float32Array.from(bias)));
  return tf.reshape(withBias, [...lead, w.shape[0] as number]);
}

/** GELU from tfjs primitives (no gelu op): tf.erf for the exact form, tf.tanh for the other. */
function geluTf(tf: Tf, z: Tensor, approximate: GeluApproximation): Tensor {
  if (approximate === 'tanh') {
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(z, tf.mul(0.044715, tf.pow(z, 3))));
    return tf.mul(tf.mul(z, 0.5), tf.add(1, tf.tanh(inner)));
  }
  return tf.mul(tf.mul(z, 0.5), tf.add(1, tf.erf(tf.div(z, Math.SQRT2))));
}

function assertGatedTensors(
  tf: unknown,
  x: unknown,
  weights: unknown,
): asserts weights is GatedFfnTensors {
  const d = assertTfFfnInput(tf, x);
  assertObject('weights', weights, 'gated FFN weight tensors { w1, w3, w2 }');
  const w1 = assertWeightTensor('weights.w1', weights['w1'], undefined, d);
  const hidden = w1.shape[0] as number;
  assertWeightTensor('weights.w3', weights['w3'], hidden, d);
  assertWeightTensor('weights.w2', weights['w2'], d, hidden);
}

function gatedFfnTf(
  tf: Tf,
  x: Tensor,
  weights: GatedFfnTensors,
  gate: 'silu' | GeluApproximation,
): Tensor {
  return tf.tidy(() => {
    const g = linearTf(tf, x, weights.w1);
    const activated = gate === 'silu' ? tf.mul(g, tf.sigmoid(g)) : geluTf(tf, g, gate);
    return linearTf(tf, tf.mul(activated, linearTf(tf, x, weights.w3)), weights.w2);
  });
}

/** SwiGLU in tfjs: SiLU as gate * tf.sigmoid(gate). x [..., d] -> [..., d]. */
export function swigluTf(tf: Tf, x: Tensor, weights: GatedFfnTensors): Tensor {
  assertGatedTensors(tf, x, weights);
  return gatedFfnTf(tf, x, weights, 'silu');
}

/** GeGLU in tfjs, exact (tf.erf) or tanh GELU. x [..., d] -> [..., d]. */
export function gegluTf(
  tf: Tf,
  x: Tensor,
  weights: GatedFfnTensors,
  approximate: GeluApproximation = 'none',
): Tensor {
  assertGatedTensors(tf, x, weights);
  assertOneOf('approximate', approximate, APPROXIMATIONS);
  return gatedFfnTf(tf, x, weights, approximate);
}

/** The two-matrix FFN in tfjs (tf.relu, or GELU with tf.erf / tf.tanh). x [..., d] -> [..., d]. */
export function denseFfnTf(
  tf: Tf,
  x: Tensor,
  weights: ReluFfnTensors,
  activation: DenseActivation = 'relu',
): Tensor {
  const d = assertTfFfnInput(tf, x);
  assertObject('weights', weights, 'FFN weight tensors { w1, b1?, w2, b2? }');
  const w1 = assertWeightTensor('weights.w1', weights.w1, undefined, d);
  const hidden = w1.shape[0] as number;
  assertWeightTensor('weights.w2', weights.w2, d, hidden);
  assertBiasTensor('weights.b1', weights.b1, hidden);
  assertBiasTensor('weights.b2', weights.b2, d);
  assertOneOf('activation', activation, DENSE_NAMES);
  return tf.tidy(() => {
    const z = linearTf(tf, x, weights.w1, weights.b1);
    const h =
      activation === 'relu'
        ? tf.relu(z)
        : geluTf(tf, z, activation === 'gelu-tanh' ? 'tanh' : 'none');
    return linearTf(tf, h, weights.w2, weights.b2);
  });
}

/** The ReLU FFN in tfjs. */
export function reluFfnTf(tf: Tf, x: Tensor, weights: ReluFfnTensors): Tensor {
  return denseFfnTf(tf, x, weights, 'relu');
}

/** `swigluTf` on matrices: the edge for Matrix code and the agreement properties. */
export function swigluTfMatrix(x: Matrix, weights: GatedFfnWeights): Promise<Matrix> {
  assertGatedFfn(x, weights);
  return onMatrices(
    (tf, t, w1, w3, w2) => swigluTf(tf, t, { w1, w3, w2 } as GatedFfnTensors),
    x,
    weights.w1,
    weights.w3,
    weights.w2,
  );
}

/** `gegluTf` on matrices. */
export function gegluTfMatrix(
  x: Matrix,
  weights: GatedFfnWeights,
  approximate: GeluApproximation = 'none',
): Promise<Matrix> {
  assertGatedFfn(x, weights);
  assertOneOf('approximate', approximate, APPROXIMATIONS);
  return onMatrices(
    (tf, t, w1, w3, w2) => gegluTf(tf, t, { w1, w3, w2 } as GatedFfnTensors, approximate),
    x,
    weights.w1,
    weights.w3,
    weights.w2,
  );
}

/** `denseFfnTf` on matrices (biases as arrays). */
export function denseFfnTfMatrix(
  x: Matrix,
  weights: ReluFfnWeights,
  activation: DenseActivation = 'relu',
): Promise<Matrix> {
  assertReluFfn(x, weights);
  assertOneOf('activation', activation, DENSE_NAMES);
  const { b1, b2 } = weights;
  const run = (tf: Tf, t: Tensor, w1: Tensor, w2: Tensor) =>
    denseFfnTf(tf, t, { w1, w2, ...(b1 ? { b1 } : {}), ...(b2 ? { b2 } : {}) }, activation);
  return onMatrices(
    (tf, t, w1, w2) => run(tf, t, w1 as Tensor, w2 as Tensor),
    x,
    weights.w1,
    weights.w2,
  );
}

/** `reluFfnTf` on matrices. */
export function reluFfnTfMatrix(x: Matrix, weights: ReluFfnWeights): Promise<Matrix> {
  return denseFfnTfMatrix(x, weights, 'relu');
}

// ---------------------------------------------------------------------------------------------
// Pitfalls: common wrong answers, rejected by the properties the right ones pass.

/** Pitfall: Swish applied to the product instead of gating it: SiLU(x W1^T ⊙ x W3^T) W2^T. */
export function pitfallSwigluGateAfterProduct(x: Matrix, weights: GatedFfnWeights): Matrix {
  assertGatedFfn(x, weights);
  const gate = linear(x, weights.w1);
  const up = linear(x, weights.w3);
  const h = matrix(
    gate.rows,
    gate.cols,
    gate.data.map((g, i) => siluOf(g * (up.data[i] as number))),
  );
  return linear(h, weights.w2);
}

/** Pitfall: 2/3 of 4d rounded DOWN to the multiple (LLaMA rounds up): 4096 -> 10752, not 11008. */
export function pitfallLlamaHiddenSizeRoundedDown(d: number, multipleOf = 256): number {
  assertInteger('d', d, { min: 1, max: MAX_SIZE });
  assertInteger('multipleOf', multipleOf, { min: 1, max: MAX_SIZE });
  return multipleOf * Math.floor(Math.trunc((8 * d) / 3) / multipleOf);
}

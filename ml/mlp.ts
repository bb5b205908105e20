/**
 * Dense layers and small multi-layer perceptrons, from scratch and in tfjs, with the same weights:
 * the plumbing of the ranking models (the experts and towers of shared-bottom, MMoE and PLE).
 *
 *   dense(x) = x W^T + b        W is [d_out, d_in] (PyTorch's nn.Linear layout), b is [1, d_out]
 *   mlp(x)   = relu(dense_L(... relu(dense_1(x))))   ReLU after every layer, as DeepCTR's DNN
 *
 * `mlpForward` (below) is the whole forward pass; the tfjs twins `denseForwardTf` / `mlpForwardTf`
 * are tensor-level, (tf, layer(s), x) => Tensor, and compose inside tf.tidy.
 *
 * Weights start Glorot-uniform from a passed-in `Rng` (limit sqrt(6 / (d_in + d_out)), biases 0), so a
 * from-scratch model and its tfjs twin start identical and a seed fixes the whole run.
 * A model's parameters are a plain tree of matrices (`ParamTree`); `toVariables` turns it into tfjs
 * variables to train and `fromVariables` brings the trained values back.
 *
 * Complexity: a dense layer is B d_in d_out multiply-adds for a batch of B.
 *
 * @example
 *   const layer = initDense(3, 2, rng(1));     // W [2, 3] Glorot-uniform, b = 0
 *   mlpForward([layer], fromRows([[1, 2, 3]])); // [1, 2], every entry >= 0 (ReLU)
 */
import type { Rank, Variable } from '@tensorflow/tfjs';
import {
  ArgumentError,
  ArgumentTypeError,
  assertBoolean,
  assertFunction,
  assertInteger,
  assertObject,
} from '../core/errors.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import {
  assertMatrix,
  linear,
  matrix,
  randomMatrix,
  shapeOf,
  type Matrix,
} from '../core/matrix.js';
import { assertRng, type Rng } from '../core/random.js';
import {
  assertTensor,
  assertTf,
  fromTensor2d,
  tensorBackend,
  toTensor2d,
  type Tensor,
  type Tensor2D,
  type Tf,
} from '../core/backend.js';

/** One dense layer: weight [d_out, d_in], bias [1, d_out]. `T` is Matrix from scratch, Tensor2D in tfjs. */
export interface Dense<T = Matrix> {
  weight: T;
  bias: T;
}

/** ReLU after every layer (DeepCTR's DNN): x [B, d_in] -> [B, units.at(-1)]. */
export function mlpForward(
  layers: readonly Dense[],
  x: Matrix,
  name = 'mlp',
  counter?: Counter,
): Matrix {
  if (!Array.isArray(layers)) throw new ArgumentTypeError(name, layers, 'an array of dense layers');
  // h_0 = x, h_{i+1} = relu(h_i W_i^T + b_i)
  return layers.reduce((h, layer, i) => denseForward(layer, h, true, `${name}[${i}]`, counter), x);
}

/** x W^T + b, then ReLU if asked. x [B, d_in] -> [B, d_out]. */
export function denseForward(
  layer: Dense,
  x: Matrix,
  relu: boolean,
  name = 'layer',
  counter?: Counter,
): Matrix {
  assertObject(name, layer, 'a dense layer { weight, bias }');
  assertMatrix('x', x);
  assertMatrix(`${name}.weight`, layer.weight);
  assertMatrix(`${name}.bias`, layer.bias);
  assertBoolean('relu', relu);
  assertOptionalCounter('counter', counter);
  const { weight, bias } = layer;
  if (x.cols !== weight.cols) {
    throw new ArgumentError(
      'x',
      x,
      `${weight.cols} columns, the input width of ${name}.weight ${shapeOf(weight)}`,
      `shape ${shapeOf(x)}`,
    );
  }
  if (bias.rows !== 1 || bias.cols !== weight.rows) {
    throw new ArgumentError(
      `${name}.bias`,
      bias,
      `shape [1, ${weight.rows}]`,
      `shape ${shapeOf(bias)}`,
    );
  }
  // y = x W^T + b: [B, d_in] x [d_in, d_out] -> [B, d_out]
  const out = linear(x, weight, bias.data, undefined, `${name}.weight`);
  counter?.add('madds', x.rows * weight.cols * weight.rows);
  if (relu)
    for (let i = 0; i < out.data.length; i++) out.data[i] = Math.max(0, out.data[i] as number);
  return out;
}

/** Above this many entries a weight matrix is a typo, not a model that fits here. */
const MAX_ENTRIES = 2 ** 27;

/** A Glorot-uniform [rows, cols] matrix: U(-l, l), l = sqrt(6 / (rows + cols)). */
export function glorotUniform(rows: number, cols: number, rng: Rng): Matrix {
  assertInteger('rows', rows, { min: 1 });
  assertInteger('cols', cols, { min: 1 });
  assertRng('rng', rng);
  if (rows * cols > MAX_ENTRIES)
    throw new ArgumentError('rows', rows, `rows * cols <= ${MAX_ENTRIES} (cols = ${cols})`);
  const limit = Math.sqrt(6 / (rows + cols));
  return randomMatrix(rows, cols, rng, () => (2 * rng.uniform() - 1) * limit);
}

/** A dense layer d_in -> d_out with Glorot-uniform weights and zero bias. */
export function initDense(dIn: number, dOut: number, rng: Rng): Dense {
  assertInteger('dIn', dIn, { min: 1 });
  assertInteger('dOut', dOut, { min: 1 });
  return { weight: glorotUniform(dOut, dIn, rng), bias: matrix(1, dOut) };
}

/** Layers dIn -> units[0] -> units[1] -> ... (an empty `units` gives no layer: the identity). */
export function initMlp(dIn: number, units: readonly number[], rng: Rng): Dense[] {
  assertInteger('dIn', dIn, { min: 1 });
  if (!Array.isArray(units))
    throw new ArgumentTypeError('units', units, 'an array of layer widths');
  assertRng('rng', rng);
  units.forEach((u, i) => assertInteger(`units[${i}]`, u, { min: 1 }));
  const layers: Dense[] = [];
  let width = dIn;
  units.forEach((u) => {
    layers.push(initDense(width, u, rng));
    width = u;
  });
  return layers;
}

/** The output width of an MLP on inputs of width dIn. */
export function mlpWidth(dIn: number, layers: readonly Dense[]): number {
  assertInteger('dIn', dIn, { min: 0 });
  if (!Array.isArray(layers))
    throw new ArgumentTypeError('layers', layers, 'an array of dense layers');
  if (layers.length === 0) return dIn;
  const last = layers.at(-1) as Dense;
  assertObject(`layers[${layers.length - 1}]`, last, 'a dense layer { weight, bias }');
  assertMatrix(`layers[${layers.length - 1}].weight`, last.weight);
  return last.weight.rows;
}

/** Throws unless `layer` is a tfjs dense layer: weight [d_out, d_in] and bias [1, d_out] tensors. */
function assertDenseTf(name: string, layer: unknown): asserts layer is Dense<Tensor2D> {
  assertObject(name, layer, 'a dense layer { weight, bias } of tensors');
  assertTensor(`${name}.weight`, layer['weight'], 2);
  assertTensor(`${name}.bias`, layer['bias'], 2);
}

/** The tfjs twin of `denseForward`: (tf, layer, x [B, d_in]) -> [B, d_out]; valid inside tf.tidy. */
export function denseForwardTf(tf: Tf, layer: Dense<Tensor>, x: Tensor, relu: boolean): Tensor2D {
  assertTf('tf', tf);
  assertDenseTf('layer', layer);
  assertTensor('x', x, 2);
  assertBoolean('relu', relu);
  const [dOut, dIn] = layer.weight.shape;
  if (x.shape[1] !== dIn) {
    throw new ArgumentError(
      'x',
      x,
      `${dIn} columns, the input width of layer.weight [${dOut}, ${dIn}]`,
      `shape [${x.shape.join(', ')}]`,
    );
  }
  // [B, d_in] x [d_in, d_out] + [1, d_out]
  const y = tf.add(tf.matMul(x as Tensor2D, layer.weight, false, true), layer.bias) as Tensor2D;
  return relu ? tf.relu(y) : y;
}

/** The tfjs twin of `mlpForward`: ReLU after every layer. */
export function mlpForwardTf(tf: Tf, layers: readonly Dense<Tensor>[], x: Tensor): Tensor2D {
  assertTf('tf', tf);
  if (!Array.isArray(layers))
    throw new ArgumentTypeError('layers', layers, 'an array of dense layers');
  assertTensor('x', x, 2);
  return layers.reduce<Tensor2D>((h, layer) => denseForwardTf(tf, layer, h, true), x as Tensor2D);
}

/** The Matrix-level edge of `mlpForwardTf` (float32): the oracle for `mlpForward`. */
export async function mlpForwardTfMatrix(layers: readonly Dense[], x: Matrix): Promise<Matrix> {
  mlpForward(layers, x); // the same checks as the from-scratch pass
  const { tf } = await tensorBackend();
  return fromTensor2d(tf.tidy(() => mlpForwardTf(tf, toTensors(tf, layers), toTensor2d(tf, x))));
}

/** A tree of parameters: leaves are matrices (or tensors), inner nodes arrays and plain objects. */
export type ParamTree<T> =
  T | undefined | readonly ParamTree<T>[] | { readonly [key: string]: ParamTree<T> };

/** Replaces every matrix type in a parameter tree type by `T` (Matrix -> Tensor2D). */
export type Swap<P, T> = P extends Matrix
  ? T
  : P extends readonly (infer U)[]
    ? Swap<U, T>[]
    : P extends object
      ? { [K in keyof P]: Swap<P[K], T> }
      : P;

const isMatrix = (v: unknown): v is Matrix =>
  typeof v === 'object' && v !== null && (v as Matrix).data instanceof Float64Array;

/** Deeper than this, a parameter tree is a cycle or junk, not a model. */
const MAX_DEPTH = 64;

/** Maps every leaf of a parameter tree, keeping its shape (arrays stay arrays, objects objects). */
export function mapParams<A, B>(
  tree: unknown,
  isLeaf: (v: unknown) => v is A,
  f: (leaf: A) => B,
): unknown {
  assertFunction('isLeaf', isLeaf);
  assertFunction('f', f);
  return mapTree(tree, isLeaf, f, 0);
}

function mapTree<A, B>(
  tree: unknown,
  isLeaf: (v: unknown) => v is A,
  f: (leaf: A) => B,
  depth: number,
): unknown {
  if (depth > MAX_DEPTH)
    throw new ArgumentError('params', tree, `a tree at most ${MAX_DEPTH} levels deep (no cycles)`);
  if (tree === undefined) return undefined;
  if (isLeaf(tree)) return f(tree);
  if (Array.isArray(tree)) return tree.map((t) => mapTree(t, isLeaf, f, depth + 1));
  if (typeof tree === 'object' && tree !== null) {
    return Object.fromEntries(
      Object.entries(tree).map(([k, v]) => [k, mapTree(v, isLeaf, f, depth + 1)]),
    );
  }
  throw new ArgumentTypeError('params', tree, 'a tree of matrices, arrays and objects');
}

/** Every leaf of a parameter tree, in a fixed order. */
export function leaves<T>(tree: unknown, isLeaf: (v: unknown) => v is T): T[] {
  const out: T[] = [];
  mapParams(tree, isLeaf, (leaf) => void out.push(leaf));
  return out;
}

/** Number of trainable numbers in a parameter tree of matrices. */
export function paramCount(params: unknown): number {
  return leaves(params, isMatrix).reduce((n, m) => n + m.data.length, 0);
}

/** Throws unless every leaf of `params` is a Matrix of finite entries. */
function assertParamTree(params: unknown): void {
  leaves(params, isMatrix).forEach((m, i) => assertMatrix(`params (leaf ${i})`, m));
}

/** Float32 constant tensors for a parameter tree (for a tfjs forward pass without training). */
export function toTensors<P>(tf: Tf, params: P): Swap<P, Tensor2D> {
  assertTf('tf', tf);
  assertParamTree(params);
  return mapParams(params, isMatrix, (m) => toTensor2d(tf, m)) as Swap<P, Tensor2D>;
}

/** Trainable tfjs variables for a parameter tree. Dispose them with `disposeTree`. */
export function toVariables<P>(tf: Tf, params: P): Swap<P, Variable<Rank.R2>> {
  assertTf('tf', tf);
  assertParamTree(params);
  return mapParams(params, isMatrix, (m) => tf.variable(toTensor2d(tf, m))) as Swap<
    P,
    Variable<Rank.R2>
  >;
}

const isTensor = (v: unknown): v is Tensor2D =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Tensor2D).dataSync === 'function' &&
  Array.isArray((v as Tensor2D).shape);

/** The values of a tree of tensors back as matrices (the tensors are disposed). */
export async function fromVariables<P>(
  tree: Swap<P, Variable<Rank.R2>> | Swap<P, Tensor2D>,
): Promise<P> {
  const tensors = leaves(tree, isTensor);
  const values = new Map<Tensor2D, Matrix>();
  for (const t of tensors) values.set(t, await fromTensor2d(t));
  return mapParams(tree, isTensor, (t) => values.get(t) as Matrix) as P;
}

/** Disposes every tensor of a tree. */
export function disposeTree(tf: Tf, tree: unknown): void {
  assertTf('tf', tf);
  tf.dispose(leaves(tree, isTensor));
}

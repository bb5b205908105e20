/**
 * Dense layers and small multi-layer perceptrons, from scratch and in tfjs, with the same weights:
 * the plumbing of the ranking models (the experts and towers of shared-bottom, MMoE and PLE).
 *
 *   dense(x) = x W^T + b        W is [d_out, d_in] (PyTorch's nn.Linear layout), b is [1, d_out]
 *   mlp(x)   = relu(dense_L(... relu(dense_1(x))))   ReLU after every layer, as DeepCTR's DNN
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
import type { Rank, Tensor2D, Variable } from '@tensorflow/tfjs';
import { ArgumentError, ArgumentTypeError, assertInteger } from '../core/errors.js';
import { assertMatrix, linear, matrix, randomMatrix, shapeOf, type Matrix, type OpCounter } from '../core/matrix.js';
import type { Rng } from '../core/random.js';
import { fromTensor2d, toTensor2d, type Tf } from '../core/backend.js';

/** One dense layer: weight [d_out, d_in], bias [1, d_out]. `T` is Matrix from scratch, Tensor2D in tfjs. */
export interface Dense<T = Matrix> {
  weight: T;
  bias: T;
}

/** A Glorot-uniform [rows, cols] matrix: U(-l, l), l = sqrt(6 / (rows + cols)). */
export function glorotUniform(rows: number, cols: number, rng: Rng): Matrix {
  assertInteger('rows', rows, { min: 1 });
  assertInteger('cols', cols, { min: 1 });
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
  if (!Array.isArray(units)) throw new ArgumentTypeError('units', units, 'an array of layer widths');
  const layers: Dense[] = [];
  let width = dIn;
  units.forEach((u, i) => {
    assertInteger(`units[${i}]`, u, { min: 1 });
    layers.push(initDense(width, u, rng));
    width = u;
  });
  return layers;
}

/** The output width of an MLP on inputs of width dIn. */
export function mlpWidth(dIn: number, layers: readonly Dense[]): number {
  return layers.length ? (layers.at(-1) as Dense).weight.rows : dIn;
}

/** x W^T + b, then ReLU if asked. x [B, d_in] -> [B, d_out]. */
export function denseForward(layer: Dense, x: Matrix, relu: boolean, ops?: OpCounter, name = 'layer'): Matrix {
  assertMatrix('x', x);
  assertMatrix(`${name}.weight`, layer.weight);
  assertMatrix(`${name}.bias`, layer.bias);
  if (x.cols !== layer.weight.cols) throw new ArgumentError('x', x, `${layer.weight.cols} columns, the input width of ${name}.weight ${shapeOf(layer.weight)}`, `shape ${shapeOf(x)}`);
  if (layer.bias.rows !== 1 || layer.bias.cols !== layer.weight.rows) throw new ArgumentError(`${name}.bias`, layer.bias, `shape [1, ${layer.weight.rows}]`, `shape ${shapeOf(layer.bias)}`);
  const out = linear(x, layer.weight, layer.bias.data, ops, `${name}.weight`);
  if (relu) for (let i = 0; i < out.data.length; i++) out.data[i] = Math.max(0, out.data[i] as number);
  return out;
}

/** ReLU after every layer (DeepCTR's DNN). */
export function mlpForward(layers: readonly Dense[], x: Matrix, ops?: OpCounter, name = 'mlp'): Matrix {
  return layers.reduce((h, layer, i) => denseForward(layer, h, true, ops, `${name}[${i}]`), x);
}

/** The tfjs twin of `denseForward`; call inside `tf.tidy`. */
export function denseForwardTf(tf: Tf, layer: Dense<Tensor2D>, x: Tensor2D, relu: boolean): Tensor2D {
  // [B, d_in] x [d_in, d_out] + [1, d_out]
  const y = tf.add(tf.matMul(x, layer.weight, false, true), layer.bias) as Tensor2D;
  return relu ? tf.relu(y) : y;
}

/** The tfjs twin of `mlpForward`. */
export function mlpForwardTf(tf: Tf, layers: readonly Dense<Tensor2D>[], x: Tensor2D): Tensor2D {
  return layers.reduce((h, layer) => denseForwardTf(tf, layer, h, true), x);
}

/** A tree of parameters: leaves are matrices (or tensors), inner nodes arrays and plain objects. */
export type ParamTree<T> = T | undefined | readonly ParamTree<T>[] | { readonly [key: string]: ParamTree<T> };

/** Replaces every matrix type in a parameter tree type by `T` (Matrix -> Tensor2D). */
export type Swap<P, T> = P extends Matrix ? T : P extends readonly (infer U)[] ? Swap<U, T>[] : P extends object ? { [K in keyof P]: Swap<P[K], T> } : P;

const isMatrix = (v: unknown): v is Matrix => typeof v === 'object' && v !== null && (v as Matrix).data instanceof Float64Array;

/** Maps every leaf of a parameter tree, keeping its shape (arrays stay arrays, objects objects). */
export function mapParams<A, B>(tree: unknown, isLeaf: (v: unknown) => v is A, f: (leaf: A) => B): unknown {
  if (tree === undefined) return undefined;
  if (isLeaf(tree)) return f(tree);
  if (Array.isArray(tree)) return tree.map((t) => mapParams(t, isLeaf, f));
  if (typeof tree === 'object' && tree !== null) return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, mapParams(v, isLeaf, f)]));
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

/** Float32 constant tensors for a parameter tree (for a tfjs forward pass without training). */
export function toTensors<P>(tf: Tf, params: P): Swap<P, Tensor2D> {
  return mapParams(params, isMatrix, (m) => toTensor2d(tf, m)) as Swap<P, Tensor2D>;
}

/** Trainable tfjs variables for a parameter tree. Dispose them with `disposeTree`. */
export function toVariables<P>(tf: Tf, params: P): Swap<P, Variable<Rank.R2>> {
  return mapParams(params, isMatrix, (m) => tf.variable(toTensor2d(tf, m))) as Swap<P, Variable<Rank.R2>>;
}

const isTensor = (v: unknown): v is Tensor2D => typeof v === 'object' && v !== null && typeof (v as Tensor2D).dataSync === 'function' && Array.isArray((v as Tensor2D).shape);

/** The values of a tree of tensors back as matrices (the tensors are disposed). */
export async function fromVariables<P>(tree: Swap<P, Variable<Rank.R2>> | Swap<P, Tensor2D>): Promise<P> {
  const tensors = leaves(tree, isTensor);
  const values = new Map<Tensor2D, Matrix>();
  for (const t of tensors) values.set(t, await fromTensor2d(t));
  return mapParams(tree, isTensor, (t) => values.get(t) as Matrix) as P;
}

/** Disposes every tensor of a tree. */
export function disposeTree(tf: Tf, tree: unknown): void {
  tf.dispose(leaves(tree, isTensor));
}

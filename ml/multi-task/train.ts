/**
 * The training loop and the scores of the multi-task models: full-batch Adam in tfjs on the sum of
 * the tasks' weighted log losses, then per-task AUC and log loss (one row of Q48's comparison).
 *
 *   loss = sum_k w_k mean_i BCE(y_ik, sigmoid(z_ik)),  BCE with logits = max(z, 0) - z y + log(1 + e^-|z|)
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertFinite,
  assertFunction,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertMatrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { tensorBackend, toTensor2d, type Tensor2D } from '../../core/backend.js';
import type { Scalar } from '@tensorflow/tfjs';
import { rocAuc } from '../auc/index.js';
import { disposeTree, fromVariables, toVariables, type Swap } from '../mlp.js';
import { assertMultiTaskData, type MultiTaskData } from './synthetic.js';
import type { MultiTaskModel, MultiTaskResult } from './towers.js';

export interface TrainOptions {
  /** Full-batch Adam steps (default 200). */
  steps?: number;
  /** Adam learning rate (default 0.02). */
  learningRate?: number;
  /** Weight of each task's mean log loss in the total (default 1 each); [1, 0] trains task 0 alone. */
  taskWeights?: readonly number[];
}

export interface TrainResult<P> {
  params: P;
  /** The weighted training loss before each step, and after the last. */
  losses: number[];
}

/** Throws unless `model` has a name, a forward and a tfjs logits function. */
function assertModel(model: unknown): asserts model is MultiTaskModel<unknown> {
  assertObject('model', model, 'a MultiTaskModel { name, forward, logitsTf }');
  assertFunction('model.forward', model['forward']);
  assertFunction('model.logitsTf', model['logitsTf']);
}

/**
 * Fits a multi-task model with tfjs (Adam, full batch, float32 on the chosen backend). Deterministic
 * for fixed parameters and data: the only randomness is in the initial parameters.
 */
export async function trainMultiTask<P>(
  model: MultiTaskModel<P>,
  params: P,
  data: MultiTaskData,
  options: TrainOptions = {},
): Promise<TrainResult<P>> {
  assertModel(model);
  assertMultiTaskData(data);
  const given: unknown = options;
  assertObject('options', given);
  const { steps = 200, learningRate = 0.02 } = options;
  assertInteger('steps', steps, { min: 0, max: 100_000 });
  assertFinite('learningRate', learningRate);
  const tasks = data.labels.cols;
  const taskWeights = options.taskWeights ?? Array.from({ length: tasks }, () => 1);
  if (!Array.isArray(taskWeights))
    throw new ArgumentTypeError('taskWeights', taskWeights, 'an array of numbers');
  if (taskWeights.length !== tasks)
    throw new ArgumentError('taskWeights', taskWeights, `${tasks} weights, one per task`);
  taskWeights.forEach((w, k) => assertFinite(`taskWeights[${k}]`, w));
  // the from-scratch forward checks the parameters against the data before any tensor is made
  const check = model.forward(params, data.x);
  if (check.logits.cols !== tasks) {
    throw new ArgumentError(
      'data.labels',
      data.labels,
      `${check.logits.cols} columns, one per task of the model`,
      `shape ${shapeOf(data.labels)}`,
    );
  }
  const { tf } = await tensorBackend();
  const variables = toVariables(tf, params);
  const x = toTensor2d(tf, data.x);
  const y = toTensor2d(tf, data.labels);
  const weights = tf.tensor1d(Float32Array.from(taskWeights));
  // BCE with logits, stable form; mean over rows, weighted sum over tasks
  const loss = () =>
    tf.tidy(() => {
      const z = model.logitsTf(tf, variables as unknown as Swap<P, Tensor2D>, x);
      const bce = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
      return tf.sum(tf.mul(tf.mean(bce, 0), weights)) as Scalar;
    });
  const optimizer = tf.train.adam(learningRate);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const value = optimizer.minimize(loss, true) as Scalar;
    losses.push((await value.data())[0] as number);
    value.dispose();
  }
  const final = loss();
  losses.push((await final.data())[0] as number);
  tf.dispose([final, x, y, weights]);
  optimizer.dispose();
  const trained = await fromVariables<P>(variables);
  disposeTree(tf, variables);
  return { params: trained, losses };
}

export interface TaskScores {
  /** ROC AUC per task. */
  auc: number[];
  /** Mean log loss per task (natural log). */
  logLoss: number[];
}

/** Per-task AUC and log loss of a model's logits on a data set's labels. */
export function evaluateMultiTask(result: MultiTaskResult, labels: Matrix): TaskScores {
  assertObject('result', result, 'a forward result { logits, probs }');
  assertMatrix('result.logits', result.logits);
  assertMatrix('labels', labels);
  const { logits } = result;
  if (labels.rows !== logits.rows || labels.cols !== logits.cols) {
    throw new ArgumentError(
      'labels',
      labels,
      `shape ${shapeOf(logits)} like the predictions`,
      `shape ${shapeOf(labels)}`,
    );
  }
  const tasks = labels.cols;
  const column = (m: Matrix, k: number) =>
    Float64Array.from({ length: m.rows }, (_, i) => m.data[i * tasks + k] as number);
  const auc: number[] = [];
  const logLoss: number[] = [];
  for (let k = 0; k < tasks; k++) {
    const y = column(labels, k);
    const z = column(logits, k);
    auc.push(rocAuc(y, z));
    let s = 0;
    for (let i = 0; i < y.length; i++) {
      const zi = z[i] as number;
      // BCE with logits: max(z, 0) - z y + log(1 + e^-|z|)
      s += Math.max(zi, 0) - zi * (y[i] as number) + Math.log1p(Math.exp(-Math.abs(zi)));
    }
    logLoss.push(s / y.length);
  }
  return { auc, logLoss };
}

export interface FitAndScore<P> {
  name: string;
  params: P;
  losses: number[];
  /** The trained model on the test inputs. */
  test: MultiTaskResult;
  scores: TaskScores;
}

/** Trains on `train`, then scores per task on `test`: one row of a Q48 comparison. */
export async function fitAndScore<P>(
  name: string,
  model: MultiTaskModel<P>,
  params: P,
  train: MultiTaskData,
  test: MultiTaskData,
  options: TrainOptions = {},
): Promise<FitAndScore<P>> {
  if (typeof name !== 'string') throw new ArgumentTypeError('name', name, 'a string');
  assertMultiTaskData(test);
  const fitted = await trainMultiTask(model, params, train, options);
  const result = model.forward(fitted.params, test.x);
  return {
    name,
    params: fitted.params,
    losses: fitted.losses,
    test: result,
    scores: evaluateMultiTask(result, test.labels),
  };
}

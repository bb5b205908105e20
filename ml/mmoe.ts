/**
 * Shared-bottom and MMoE (multi-gate mixture-of-experts) for multi-task ranking, from scratch and in
 * tfjs with the same weights, plus a seeded two-task data set, a short tfjs training run and gate
 * statistics. Answers: Q47 (MMOE gate 权重: should the gate weights be uniform, 0.25 each, or skewed?)
 * and, with ml/ple.ts, Q48 (跷跷板问题: the seesaw problem).
 *
 *   shared-bottom:  y_k = sigmoid(h_k(f(x)))                                one bottom f for every task
 *   MMoE:           y_k = sigmoid(h_k(sum_e g_k(x)_e f_e(x))),  g_k(x) = softmax(W_gk x)   (Ma et al. KDD'18)
 *
 * Symbols: T tasks, E experts f_e (MLPs with ReLU, shared by all tasks), one gate per task whose W_gk
 * is [E, d] (no bias, as in the paper and DeepCTR), and one tower h_k per task (ReLU MLP, then one
 * logit). Every gate sees the same raw input x. With E = 1 every gate weight is 1 and MMoE is exactly
 * shared-bottom; the gate helper is ml/gates.ts (`softmaxGate`).
 *
 * Q47 in one line: neither extreme is the goal. A gate that is uniform (0.25 each for 4 experts) for
 * every input and every task gives all tasks the same mixture, so MMoE is a shared-bottom over the
 * averaged experts; a gate collapsed onto one expert for every task is a shared-bottom over that expert.
 * What MMoE buys is gates that differ between tasks (and between inputs). `gateStats` measures the
 * per-sample entropy, the entropy of the mean gate and how far apart the tasks' gates are.
 *
 * Q48: on weakly correlated tasks a shared bottom has to trade one task against the other (improving
 * one loss moves the shared weights against the other: the seesaw); per-task gates (MMoE) and
 * task-specific experts (PLE) give each task room. `syntheticTasks` generates two tasks whose
 * correlation is set by p, as in the MMoE paper's synthetic experiment.
 *
 * Complexity per example: E expert MLPs + T gates of d E multiply-adds + T towers.
 *
 * @example
 *   const config = { inputDim: 4, tasks: 2, experts: 3, expertUnits: [8], towerUnits: [4] };
 *   const params = initMmoe(config, rng(1));
 *   const { probs, gates } = mmoeForward(params, randomMatrix(5, 4, rng(2)));
 *   // probs [5, 2]; gates[k] is [5, 3], each row a distribution over the 3 experts
 */
import type { Scalar, Tensor2D } from '@tensorflow/tfjs';
import { ArgumentError, ArgumentTypeError, assertFinite, assertInteger } from '../core/errors.js';
import { assertMatrix, matrix, rowOf, shapeOf, type Matrix, type OpCounter } from '../core/matrix.js';
import type { Rng } from '../core/random.js';
import { fromTensor2d, tensorBackend, toTensor2d, type Tf } from '../core/backend.js';
import { rocAuc } from './auc/index.js';
import { gateEntropies, meanGate, softmaxGate, softmaxGateTf } from './gates.js';
import { denseForward, denseForwardTf, disposeTree, fromVariables, glorotUniform, initDense, initMlp, mlpForward, mlpForwardTf, mlpWidth, toTensors, toVariables, type Dense, type Swap } from './mlp.js';

/** A task tower: ReLU hidden layers, then one linear logit. */
export interface Tower<T = Matrix> {
  hidden: Dense<T>[];
  head: Dense<T>;
}

/** Sizes shared by the multi-task models. */
export interface MultiTaskConfig {
  inputDim: number;
  tasks: number;
  /** Hidden widths of each expert (or of the shared bottom); every layer has a ReLU. */
  expertUnits: readonly number[];
  /** Hidden widths of each tower before its logit. */
  towerUnits: readonly number[];
}

export interface MmoeConfig extends MultiTaskConfig {
  experts: number;
}

export interface SharedBottomParams {
  bottom: Dense[];
  towers: Tower[];
}

export interface MmoeParams {
  /** experts[e]: the layers of expert e. */
  experts: Dense[][];
  /** gates[k]: W_gk, [E, d_in], no bias. */
  gates: Matrix[];
  towers: Tower[];
}

/** What every multi-task forward pass returns. */
export interface MultiTaskResult {
  /** [B, T]: one logit per task. */
  logits: Matrix;
  /** [B, T]: sigmoid of the logits. */
  probs: Matrix;
}

export interface MmoeResult extends MultiTaskResult {
  /** gates[k]: [B, E], task k's weights over the experts for each input. */
  gates: Matrix[];
}

/** A model the trainer can fit: a from-scratch forward and its tfjs twin over the same parameters. */
export interface MultiTaskModel<P> {
  name: string;
  forward(params: P, x: Matrix): MultiTaskResult;
  /** Logits [B, T] on tensors; called inside tf.tidy. */
  logitsTf(tf: Tf, params: Swap<P, Tensor2D>, x: Tensor2D): Tensor2D;
}

/** Validates the sizes common to every multi-task model. */
export function checkMultiTaskConfig(config: MultiTaskConfig): void {
  if (typeof config !== 'object' || config === null) throw new ArgumentTypeError('config', config, 'an object with inputDim, tasks, expertUnits, towerUnits');
  assertInteger('config.inputDim', config.inputDim, { min: 1 });
  assertInteger('config.tasks', config.tasks, { min: 1 });
  if (!Array.isArray(config.expertUnits) || config.expertUnits.length === 0) throw new ArgumentError('config.expertUnits', config.expertUnits, 'at least one hidden width');
  if (!Array.isArray(config.towerUnits)) throw new ArgumentTypeError('config.towerUnits', config.towerUnits, 'an array of hidden widths');
}

/** T towers on inputs of width dIn. */
export function initTowers(dIn: number, config: MultiTaskConfig, rng: Rng): Tower[] {
  return Array.from({ length: config.tasks }, () => {
    const hidden = initMlp(dIn, config.towerUnits, rng);
    return { hidden, head: initDense(mlpWidth(dIn, hidden), 1, rng) };
  });
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Tower k on input k: logits [B, T] and probabilities. */
export function towersForward(towers: readonly Tower[], inputs: readonly Matrix[], ops?: OpCounter): MultiTaskResult {
  if (!Array.isArray(towers) || towers.length === 0) throw new ArgumentError('towers', towers, 'one tower per task (at least one)');
  if (!Array.isArray(inputs) || inputs.length !== towers.length) throw new ArgumentError('inputs', inputs, `${towers.length} task inputs, one per tower`);
  const b = (inputs[0] as Matrix).rows;
  const logits = matrix(b, towers.length);
  towers.forEach((tower, k) => {
    const h = mlpForward(tower.hidden, inputs[k] as Matrix, ops, `towers[${k}].hidden`);
    const z = denseForward(tower.head, h, false, ops, `towers[${k}].head`);
    if (z.rows !== b) throw new ArgumentError(`inputs[${k}]`, inputs[k], `${b} rows like inputs[0]`, `shape ${shapeOf(inputs[k] as Matrix)}`);
    for (let i = 0; i < b; i++) logits.data[i * towers.length + k] = z.data[i] as number;
  });
  return { logits, probs: matrix(b, towers.length, logits.data.map(sigmoid)) };
}

/** The tfjs twin of `towersForward`: logits [B, T]. */
export function towersForwardTf(tf: Tf, towers: readonly Tower<Tensor2D>[], inputs: readonly Tensor2D[]): Tensor2D {
  return tf.concat(towers.map((tower, k) => denseForwardTf(tf, tower.head, mlpForwardTf(tf, tower.hidden, inputs[k] as Tensor2D), false)), 1);
}

// ---------------------------------------------------------------- shared-bottom

export function initSharedBottom(config: MultiTaskConfig, rng: Rng): SharedBottomParams {
  checkMultiTaskConfig(config);
  const bottom = initMlp(config.inputDim, config.expertUnits, rng);
  return { bottom, towers: initTowers(mlpWidth(config.inputDim, bottom), config, rng) };
}

/** y_k = sigmoid(h_k(f(x))): every task reads the same bottom output. */
export function sharedBottomForward(params: SharedBottomParams, x: Matrix, ops?: OpCounter): MultiTaskResult {
  const shared = mlpForward(params.bottom, x, ops, 'bottom');
  return towersForward(params.towers, params.towers.map(() => shared), ops);
}

export const sharedBottomModel: MultiTaskModel<SharedBottomParams> = {
  name: 'shared-bottom',
  forward: (params, x) => sharedBottomForward(params, x),
  logitsTf: (tf, params, x) => {
    const shared = mlpForwardTf(tf, params.bottom, x);
    return towersForwardTf(tf, params.towers, params.towers.map(() => shared));
  },
};

// ---------------------------------------------------------------- MMoE

export function initMmoe(config: MmoeConfig, rng: Rng): MmoeParams {
  checkMultiTaskConfig(config);
  assertInteger('config.experts', config.experts, { min: 1 });
  const experts = Array.from({ length: config.experts }, () => initMlp(config.inputDim, config.expertUnits, rng));
  const gates = Array.from({ length: config.tasks }, () => glorotUniform(config.experts, config.inputDim, rng));
  return { experts, gates, towers: initTowers(mlpWidth(config.inputDim, experts[0] as Dense[]), config, rng) };
}

function checkMmoeParams(params: MmoeParams): void {
  if (typeof params !== 'object' || params === null || !Array.isArray(params.experts) || !Array.isArray(params.gates) || !Array.isArray(params.towers)) {
    throw new ArgumentTypeError('params', params, 'MMoE parameters { experts, gates, towers }');
  }
  if (params.experts.length === 0) throw new ArgumentError('params.experts', params.experts, 'at least one expert');
  if (params.gates.length !== params.towers.length) throw new ArgumentError('params.gates', params.gates, `${params.towers.length} gates, one per task tower`);
  params.gates.forEach((g, k) => {
    assertMatrix(`params.gates[${k}]`, g);
    if (g.rows !== params.experts.length) throw new ArgumentError(`params.gates[${k}]`, g, `${params.experts.length} rows, one per expert`, `shape ${shapeOf(g)}`);
  });
}

/** Every expert once, then one softmax gate and one tower per task. */
export function mmoeForward(params: MmoeParams, x: Matrix, ops?: OpCounter): MmoeResult {
  checkMmoeParams(params);
  assertMatrix('x', x);
  // f_e(x) for every expert: E outputs of [B, d_e]
  const expertOutputs = params.experts.map((layers, e) => mlpForward(layers, x, ops, `experts[${e}]`));
  // task k: softmax(x W_gk^T) mixes the same experts
  const mixed = params.gates.map((gate) => softmaxGate(x, gate, expertOutputs, ops));
  return { ...towersForward(params.towers, mixed.map((m) => m.output), ops), gates: mixed.map((m) => m.weights) };
}

/** The tfjs twin of `mmoeForward`: logits [B, T] and the gates. */
export function mmoeForwardTf(tf: Tf, params: Swap<MmoeParams, Tensor2D>, x: Tensor2D): { logits: Tensor2D; gates: Tensor2D[] } {
  const expertOutputs = params.experts.map((layers) => mlpForwardTf(tf, layers, x));
  const mixed = params.gates.map((gate) => softmaxGateTf(tf, x, gate, expertOutputs));
  return { logits: towersForwardTf(tf, params.towers, mixed.map((m) => m.output)), gates: mixed.map((m) => m.weights) };
}

export const mmoeModel: MultiTaskModel<MmoeParams> = {
  name: 'MMoE',
  forward: (params, x) => mmoeForward(params, x),
  logitsTf: (tf, params, x) => mmoeForwardTf(tf, params, x).logits,
};

/** Runs `mmoeForwardTf` on float32 tensors and returns matrices: the oracle for `mmoeForward`. */
export async function mmoeTf(params: MmoeParams, x: Matrix): Promise<MmoeResult> {
  checkMmoeParams(params);
  assertMatrix('x', x);
  const { tf } = await tensorBackend();
  const [logits, probs, ...gates] = tf.tidy(() => {
    const out = mmoeForwardTf(tf, toTensors(tf, params), toTensor2d(tf, x));
    return [out.logits, tf.sigmoid(out.logits) as Tensor2D, ...out.gates];
  });
  return { logits: await fromTensor2d(logits!), probs: await fromTensor2d(probs!), gates: await Promise.all(gates.map(fromTensor2d)) };
}

// ---------------------------------------------------------------- data, training, evaluation

export interface MultiTaskData {
  /** [n, d] inputs. */
  x: Matrix;
  /** [n, T] 0/1 labels. */
  labels: Matrix;
  /** [n, T] the regression targets the labels were thresholded from. */
  targets: Matrix;
}

export interface SyntheticOptions {
  n: number;
  inputDim: number;
  /** p in [-1, 1]: the cosine between the two tasks' weight vectors. */
  correlation: number;
  /** Number of sine terms (the paper: 10). */
  sines?: number;
  /** Standard deviation of the additive noise (the paper: 0.1, variance 0.01). */
  noise?: number;
}

/**
 * Two tasks with a controlled relatedness, after the MMoE paper's synthetic set (Ma et al. 2018, 3.2):
 * orthonormal u1, u2; w1 = u1, w2 = p u1 + sqrt(1 - p^2) u2; x ~ N(0, I);
 * y_t = w_t . x + sum_j sin(alpha_j w_t . x + beta_j) + eps with alpha, beta ~ N(0, 1) shared by
 * both tasks. Labels are y_t above its median (so both classes are balanced), for AUC and log loss.
 */
export function syntheticTasks(options: SyntheticOptions, rng: Rng): MultiTaskData {
  const { n, inputDim: d, correlation: p, sines = 10, noise = 0.1 } = options;
  assertInteger('n', n, { min: 2 });
  assertInteger('inputDim', d, { min: 2 });
  assertFinite('correlation', p);
  if (Math.abs(p) > 1) throw new ArgumentError('correlation', p, 'a number in [-1, 1]');
  assertInteger('sines', sines, { min: 0 });
  assertFinite('noise', noise);
  // u1, u2: Gram-Schmidt on two Gaussian vectors
  const u1 = rng.array(d, () => rng.normal());
  const u2 = rng.array(d, () => rng.normal());
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
  const n1 = Math.sqrt(dot(u1, u1));
  u1.forEach((v, i) => (u1[i] = v / n1));
  const proj = dot(u2, u1);
  u2.forEach((v, i) => (u2[i] = v - proj * (u1[i] as number)));
  const n2 = Math.sqrt(dot(u2, u2));
  u2.forEach((v, i) => (u2[i] = v / n2));
  const w = [u1, u1.map((v, i) => p * v + Math.sqrt(1 - p * p) * (u2[i] as number))];
  const alpha = rng.array(sines, () => rng.normal());
  const beta = rng.array(sines, () => rng.normal());
  const x = matrix(n, d, rng.array(n * d, () => rng.normal()));
  const targets = matrix(n, 2);
  for (let i = 0; i < n; i++) {
    const xi = rowOf(x, i);
    w.forEach((wt, t) => {
      const s = dot(wt, xi);
      let y = s + noise * rng.normal();
      for (let j = 0; j < sines; j++) y += Math.sin((alpha[j] as number) * s + (beta[j] as number));
      targets.data[i * 2 + t] = y;
    });
  }
  const labels = matrix(n, 2);
  for (let t = 0; t < 2; t++) {
    const column = Array.from({ length: n }, (_, i) => targets.data[i * 2 + t] as number).sort((a, b) => a - b);
    const median = ((column[(n - 1) >> 1] as number) + (column[n >> 1] as number)) / 2;
    for (let i = 0; i < n; i++) labels.data[i * 2 + t] = (targets.data[i * 2 + t] as number) > median ? 1 : 0;
  }
  return { x, labels, targets };
}

/** Rows [from, to) of a data set (a train/test split). */
export function sliceRows(data: MultiTaskData, from: number, to: number): MultiTaskData {
  const take = (m: Matrix) => matrix(to - from, m.cols, m.data.subarray(from * m.cols, to * m.cols));
  return { x: take(data.x), labels: take(data.labels), targets: take(data.targets) };
}

/** Pearson correlation of two columns of a matrix. */
export function columnCorrelation(m: Matrix, a: number, b: number): number {
  const col = (j: number) => Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j] as number);
  const [xa, xb] = [col(a), col(b)];
  const mean = (v: number[]) => v.reduce((s, y) => s + y, 0) / v.length;
  const [ma, mb] = [mean(xa), mean(xb)];
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < xa.length; i++) {
    const [da, db] = [(xa[i] as number) - ma, (xb[i] as number) - mb];
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

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

/**
 * Fits a multi-task model with tfjs (Adam, full batch, float32 on the chosen backend):
 * loss = sum_k w_k mean_i BCE(labels_ik, sigmoid(logits_ik)). Deterministic for fixed parameters
 * and data: the only randomness is in the initial parameters, which come from a seeded `Rng`.
 */
export async function trainMultiTask<P>(model: MultiTaskModel<P>, params: P, data: MultiTaskData, options: TrainOptions = {}): Promise<TrainResult<P>> {
  const { steps = 200, learningRate = 0.02 } = options;
  assertInteger('steps', steps, { min: 0 });
  assertFinite('learningRate', learningRate);
  const tasks = data.labels.cols;
  const taskWeights = options.taskWeights ?? Array.from({ length: tasks }, () => 1);
  if (!Array.isArray(taskWeights) || taskWeights.length !== tasks) throw new ArgumentError('taskWeights', taskWeights, `${tasks} weights, one per task`);
  taskWeights.forEach((w, k) => assertFinite(`taskWeights[${k}]`, w));
  if (data.x.rows !== data.labels.rows) throw new ArgumentError('data.labels', data.labels, `${data.x.rows} rows like data.x ${shapeOf(data.x)}`, `shape ${shapeOf(data.labels)}`);
  const { tf } = await tensorBackend();
  const variables = toVariables(tf, params);
  const x = toTensor2d(tf, data.x);
  const y = toTensor2d(tf, data.labels);
  const weights = tf.tensor1d(Float32Array.from(taskWeights));
  // BCE with logits, stable form: max(z, 0) - z y + log(1 + exp(-|z|)); mean over rows, weighted sum over tasks
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

/** Per-task AUC and log loss of a model's probabilities on a data set. */
export function evaluateMultiTask(result: MultiTaskResult, labels: Matrix): TaskScores {
  assertMatrix('labels', labels);
  if (labels.rows !== result.probs.rows || labels.cols !== result.probs.cols) throw new ArgumentError('labels', labels, `shape ${shapeOf(result.probs)} like the predictions`, `shape ${shapeOf(labels)}`);
  const tasks = labels.cols;
  const column = (m: Matrix, k: number) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * tasks + k] as number);
  const auc: number[] = [];
  const logLoss: number[] = [];
  for (let k = 0; k < tasks; k++) {
    const y = column(labels, k);
    const z = column(result.logits, k);
    auc.push(rocAuc(y, z));
    let s = 0;
    for (let i = 0; i < y.length; i++) {
      const zi = z[i] as number;
      s += Math.max(zi, 0) - zi * (y[i] as number) + Math.log1p(Math.exp(-Math.abs(zi)));
    }
    logLoss.push(s / y.length);
  }
  return { auc, logLoss };
}

export interface GateStats {
  /** Mean over inputs of the entropy of that input's gate (nats); ln E when uniform everywhere. */
  meanEntropy: number;
  /** Entropy of the gate averaged over inputs (nats): low means the task uses few experts overall. */
  entropyOfMean: number;
  /** The gate averaged over inputs, [E]. */
  meanWeights: Float64Array;
}

/** Q47's measurements for one task's gate weights [B, E]. */
export function gateStats(weights: Matrix): GateStats {
  const entropies = gateEntropies(weights);
  const meanWeights = meanGate(weights);
  const entropyOfMean = gateEntropies(matrix(1, meanWeights.length, meanWeights))[0] as number;
  return { meanEntropy: entropies.reduce((s, h) => s + h, 0) / entropies.length, entropyOfMean, meanWeights };
}

/** Total-variation distance between two tasks' gates, averaged over inputs: 0 when they mix the same. */
export function gateDistance(a: Matrix, b: Matrix): number {
  assertMatrix('a', a);
  assertMatrix('b', b);
  if (a.rows !== b.rows || a.cols !== b.cols) throw new ArgumentError('b', b, `shape ${shapeOf(a)} like a`, `shape ${shapeOf(b)}`);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs((a.data[i] as number) - (b.data[i] as number));
  return s / 2 / a.rows;
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
export async function fitAndScore<P>(name: string, model: MultiTaskModel<P>, params: P, train: MultiTaskData, test: MultiTaskData, options: TrainOptions = {}): Promise<FitAndScore<P>> {
  const fitted = await trainMultiTask(model, params, train, options);
  const result = model.forward(fitted.params, test.x);
  return { name, params: fitted.params, losses: fitted.losses, test: result, scores: evaluateMultiTask(result, test.labels) };
}

/**
 * Knowledge distillation (Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural
 * Network", arXiv 1503.02531): train a student on a teacher's softened outputs. Answers: Q34
 * (蒸馏损失函数: teacher and student, the loss functions, distillation against fine-tuning).
 *
 *   L = alpha T^2 KL(softmax(t / T) || softmax(s / T)) + (1 - alpha) CE(softmax(s), y)
 *
 * Symbols: s the student's logits, t the teacher's, y the hard label, T > 0 the temperature
 * (T > 1 softens both distributions so the small probabilities, the "dark knowledge" of which wrong
 * classes are nearly right, carry signal), alpha in [0, 1] the weight of the soft term. The soft
 * term is taken at temperature T for BOTH models; the hard term at T = 1.
 *
 * Why T^2: d/ds KL(softmax(t/T) || softmax(s/T)) = (softmax(s/T) - softmax(t/T)) / T, and for large
 * T (zero-mean logits) softmax(z/T) ~ (1 + z/T) / N, so the gradient is ~ (s - t) / (N T^2). It
 * shrinks as 1/T^2; multiplying the soft loss by T^2 keeps its gradient's scale as T changes, so
 * the balance with the hard term does not depend on T (Hinton et al., section 2).
 *
 * Conventions: KL form (0 when the student matches the teacher); the soft cross-entropy
 * -sum p_t log softmax(s/T) differs from it by T^2 H(softmax(t/T)), a constant in s, so the
 * gradients agree (`softCrossEntropy`). alpha weighs the soft term, following Hinton's "weighted
 * average of the two objectives", with most weight on the soft one. Batches average over rows.
 * The KL comes from ml/kl-divergence.ts, the cross-entropy and softmax from ml/softmax.ts.
 *
 * Distillation against fine-tuning: fine-tuning adapts a model to a task from labelled data (the
 * hard labels: one bit of "right class" per example); distillation transfers another model's
 * behaviour, its whole distribution over classes or tokens, usually into a smaller model. They
 * combine: alpha = 0 is fine-tuning on labels, alpha = 1 pure distillation.
 *
 * In this file: the textbook `distillationLoss` (one example); `softTargetLoss`,
 * `softCrossEntropy`, `softTargetGradient`; batches (`distillationLossRows`, its analytic
 * gradient); the tfjs twin `distillationLossTf` on [batch, classes] and its tf.grad; a tiny
 * experiment (a Bayes teacher on Gaussian blobs, a linear student trained on labels or on the
 * teacher); the pitfalls (no T^2, temperature on the teacher only).
 *
 * Complexity: O(C) per example for C classes (two softmaxes and a KL).
 *
 * @example
 *   distillationLoss([2, 1, 0], [2, 1, 0], 0, 4, 1)     // 0: the student copies the teacher
 *   softTargetGradient([1, 0, 0], [0, 1, 0], 20)         // ~ (s - t - mean(s - t)) / 3
 *   distillationLoss([0, 0, 0], [5, 0, 0], 0, 2, 0.9)    // 0.9 * 4 * KL + 0.1 * ln 3
 */
import type { Scalar } from '@tensorflow/tfjs';
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertArrayLike,
  assertFinite,
  assertInteger,
  assertObject,
} from '../core/errors.js';
import { assertMatrix, matrix, shapeOf, type Matrix } from '../core/matrix.js';
import { assertRng, type Rng } from '../core/random.js';
import {
  assertTensor,
  assertTf,
  fromTensor2d,
  tensorBackend,
  toTensor2d,
  type Tensor,
  type Tf,
} from '../core/backend.js';
import { assertDistribution, klFromLogits, klFromLogitsTf } from './kl-divergence.js';
import { crossEntropy, logSoftmax, logSoftmaxTf, softmax } from './softmax.js';

/** One example: alpha T^2 KL(softmax(t/T) || softmax(s/T)) + (1 - alpha) CE(softmax(s), y). */
export function distillationLoss(
  student: readonly number[],
  teacher: readonly number[],
  label: number,
  temperature: number,
  alpha: number,
): number {
  assertExample(student, teacher, label, temperature, alpha);
  const T = temperature;
  // soft term: teacher and student both softened by T
  const soft = klFromLogits(
    teacher.map((z) => z / T),
    student.map((z) => z / T),
  );
  // hard term: the usual cross-entropy with the label, at T = 1
  const hard = crossEntropy(student, label);
  // T^2 keeps the soft gradients' scale independent of T
  return alpha * T * T * soft + (1 - alpha) * hard;
}

// ---------------------------------------------------------------- checks

/** Above this many classes a call is a mistake, not a plan. */
const MAX_CLASSES = 2 ** 24;
/** Logits and temperatures are kept within these bounds so that z / T and T^2 KL stay finite. */
const MAX_LOGIT = 1e6;
const MIN_T = 1e-6;
const MAX_T = 1e6;

function assertLogitVector(argument: string, z: unknown): asserts z is number[] {
  assertArrayLike(argument, z, 'an array of logits');
  if (z.length === 0 || z.length > MAX_CLASSES) {
    throw new ArgumentError(argument, z, `1 to ${MAX_CLASSES} logits`);
  }
  for (let i = 0; i < z.length; i++) {
    const x = z[i];
    if (typeof x !== 'number') throw new ArgumentTypeError(`${argument}[${i}]`, x, 'a number');
    if (!(Math.abs(x) <= MAX_LOGIT)) {
      throw new ArgumentError(`${argument}[${i}]`, x, `a finite logit, |z| <= ${MAX_LOGIT}`);
    }
  }
}

function assertTemperature(temperature: unknown): asserts temperature is number {
  assertFinite('temperature', temperature);
  if (!(temperature > 0)) throw new ArgumentError('temperature', temperature, 'a temperature > 0');
  // z / T and T^2 must stay finite
  if (temperature < MIN_T || temperature > MAX_T) {
    throw new ArgumentError('temperature', temperature, `a temperature in [${MIN_T}, ${MAX_T}]`);
  }
}

function assertAlpha(alpha: unknown): asserts alpha is number {
  assertFinite('alpha', alpha);
  if (!(alpha >= 0 && alpha <= 1)) {
    throw new ArgumentError('alpha', alpha, 'a weight in [0, 1] (the soft term gets alpha)');
  }
}

function assertPair(student: unknown, teacher: unknown): asserts student is number[] {
  assertLogitVector('student', student);
  assertLogitVector('teacher', teacher);
  if (teacher.length !== student.length) {
    throw new ArgumentError(
      'teacher',
      teacher,
      `${student.length} logits like student`,
      `${teacher.length} logits`,
    );
  }
}

function assertExample(
  student: unknown,
  teacher: unknown,
  label: unknown,
  temperature: unknown,
  alpha: unknown,
): void {
  assertPair(student, teacher);
  assertInteger('label', label, { min: 0, max: student.length - 1 });
  assertTemperature(temperature);
  assertAlpha(alpha);
}

// ---------------------------------------------------------------- the soft term

/** The soft term alone, scaled: T^2 KL(softmax(t/T) || softmax(s/T)). */
export function softTargetLoss(
  student: readonly number[],
  teacher: readonly number[],
  temperature: number,
): number {
  assertPair(student, teacher);
  assertTemperature(temperature);
  const T = temperature;
  return (
    T *
    T *
    klFromLogits(
      teacher.map((z) => z / T),
      student.map((z) => z / T),
    )
  );
}

/**
 * The soft cross-entropy against given soft targets p (probabilities, e.g. a teacher's softened
 * outputs stored offline): -sum_c p_c log softmax(s / T)_c, unscaled. With p = softmax(t / T),
 * T^2 times it is `softTargetLoss` + T^2 H(p): the same gradient in s.
 */
export function softCrossEntropy(
  student: readonly number[],
  targets: readonly number[],
  temperature: number,
): number {
  assertLogitVector('student', student);
  assertDistribution('targets', targets);
  if (targets.length !== student.length) {
    throw new ArgumentError(
      'targets',
      targets,
      `${student.length} probabilities like student`,
      `${targets.length}`,
    );
  }
  assertTemperature(temperature);
  const logQ = logSoftmax(student.map((z) => z / temperature));
  return -targets.reduce((sum, p, c) => (p === 0 ? sum : sum + p * (logQ[c] as number)), 0);
}

/**
 * d/ds of the scaled soft term T^2 KL(softmax(t/T) || softmax(s/T)): T (softmax(s/T) -
 * softmax(t/T)), i.e. T^2 times the unscaled (softmax(s/T) - softmax(t/T)) / T.
 */
export function softTargetGradient(
  student: readonly number[],
  teacher: readonly number[],
  temperature: number,
): number[] {
  assertPair(student, teacher);
  assertTemperature(temperature);
  const T = temperature;
  const q = softmax(student.map((z) => z / T));
  const p = softmax(teacher.map((z) => z / T));
  return q.map((qc, c) => T * (qc - (p[c] as number)));
}

// ---------------------------------------------------------------- batches

function assertBatch(
  student: unknown,
  teacher: unknown,
  labels: unknown,
  temperature: unknown,
  alpha: unknown,
): asserts labels is number[] {
  assertMatrix('student', student);
  assertMatrix('teacher', teacher);
  if (teacher.rows !== student.rows || teacher.cols !== student.cols) {
    throw new ArgumentError(
      'teacher',
      teacher,
      `shape ${shapeOf(student)} like student`,
      `shape ${shapeOf(teacher)}`,
    );
  }
  if (student.rows === 0 || student.cols === 0) {
    throw new ArgumentError(
      'student',
      student,
      'at least one row of at least one class',
      `shape ${shapeOf(student)}`,
    );
  }
  assertArray('labels', labels);
  if (labels.length !== student.rows) {
    throw new ArgumentError(
      'labels',
      labels,
      `one label per row (${student.rows})`,
      `${labels.length} labels`,
    );
  }
  labels.forEach((y, i) => assertInteger(`labels[${i}]`, y, { min: 0, max: student.cols - 1 }));
  assertTemperature(temperature);
  assertAlpha(alpha);
}

const rowOf = (m: Matrix, i: number) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));

/** The batch loss: the mean over rows of `distillationLoss`, student and teacher [B, C]. */
export function distillationLossRows(
  student: Matrix,
  teacher: Matrix,
  labels: readonly number[],
  temperature: number,
  alpha: number,
): number {
  assertBatch(student, teacher, labels, temperature, alpha);
  let total = 0;
  for (let i = 0; i < student.rows; i++) {
    total += distillationLoss(rowOf(student, i), rowOf(teacher, i), labels[i]!, temperature, alpha);
  }
  return total / student.rows;
}

/**
 * d/d student of `distillationLossRows`, by hand: row i is
 * (alpha T (softmax(s_i/T) - softmax(t_i/T)) + (1 - alpha) (softmax(s_i) - onehot(y_i))) / B.
 */
export function distillationLossGrad(
  student: Matrix,
  teacher: Matrix,
  labels: readonly number[],
  temperature: number,
  alpha: number,
): Matrix {
  assertBatch(student, teacher, labels, temperature, alpha);
  const { rows: B, cols: C } = student;
  const out = matrix(B, C);
  for (let i = 0; i < B; i++) {
    const soft = softTargetGradient(rowOf(student, i), rowOf(teacher, i), temperature);
    const q = softmax(rowOf(student, i));
    for (let c = 0; c < C; c++) {
      const hard = (q[c] as number) - (c === labels[i] ? 1 : 0);
      out.data[i * C + c] = (alpha * (soft[c] as number) + (1 - alpha) * hard) / B;
    }
  }
  return out;
}

// ---------------------------------------------------------------- tfjs

function assertBatchTensors(
  tf: unknown,
  student: unknown,
  teacher: unknown,
  labels: unknown,
  temperature: unknown,
  alpha: unknown,
): void {
  assertTf('tf', tf);
  assertTensor('student', student, 2);
  assertTensor('teacher', teacher, 2);
  const [B, C] = student.shape as [number, number];
  if (teacher.shape[0] !== B || teacher.shape[1] !== C) {
    throw new ArgumentError(
      'teacher',
      teacher,
      `shape [${B}, ${C}] like student`,
      `shape [${teacher.shape.join(', ')}]`,
    );
  }
  if (B === 0 || C === 0)
    throw new ArgumentError(
      'student',
      student,
      'at least one row and one class',
      `shape [${B}, ${C}]`,
    );
  assertTensor('labels', labels, 1);
  if (labels.shape[0] !== B || labels.dtype !== 'int32') {
    throw new ArgumentError(
      'labels',
      labels,
      `an int32 tensor [${B}]`,
      `${labels.dtype} [${labels.shape.join(', ')}]`,
    );
  }
  assertTemperature(temperature);
  assertAlpha(alpha);
}

/**
 * The tensor twin: student, teacher [B, C] (float32) and labels [B] (int32) -> the scalar mean
 * over rows of alpha T^2 KL(softmax(t/T) || softmax(s/T)) + (1 - alpha) CE(s, y), the KL by
 * `klFromLogitsTf`. Differentiable in the student by tf.grad; synchronous, valid in tf.tidy.
 */
export function distillationLossTf(
  tf: Tf,
  student: Tensor,
  teacher: Tensor,
  labels: Tensor,
  temperature: number,
  alpha: number,
): Tensor {
  assertBatchTensors(tf, student, teacher, labels, temperature, alpha);
  const C = student.shape[1] as number;
  const T = temperature;
  return tf.tidy(() => {
    // [B]: the soft term per row, both sides at temperature T
    const soft = klFromLogitsTf(tf, tf.div(teacher, T), tf.div(student, T));
    // [B]: -log softmax(s)_y at T = 1
    const hard = tf.neg(tf.sum(tf.mul(logSoftmaxTf(tf, student), tf.oneHot(labels, C)), 1));
    return tf.mean(tf.add(tf.mul(soft, alpha * T * T), tf.mul(hard, 1 - alpha)));
  });
}

/** d/d student of `distillationLossTf`, by tf.grad: [B, C]. */
export function distillationLossGradTf(
  tf: Tf,
  student: Tensor,
  teacher: Tensor,
  labels: Tensor,
  temperature: number,
  alpha: number,
): Tensor {
  assertBatchTensors(tf, student, teacher, labels, temperature, alpha);
  return tf.tidy(() =>
    tf.grad((s: Tensor) => distillationLossTf(tf, s, teacher, labels, temperature, alpha))(student),
  );
}

/** `distillationLossRows` computed by `distillationLossTf` (float32). */
export async function distillationLossTfMatrix(
  student: Matrix,
  teacher: Matrix,
  labels: readonly number[],
  temperature: number,
  alpha: number,
): Promise<number> {
  assertBatch(student, teacher, labels, temperature, alpha);
  const { tf } = await tensorBackend();
  const loss = tf.tidy(() =>
    distillationLossTf(
      tf,
      toTensor2d(tf, student),
      toTensor2d(tf, teacher),
      tf.tensor1d(labels as number[], 'int32'),
      temperature,
      alpha,
    ),
  );
  const value = (await loss.data())[0] as number;
  loss.dispose();
  return value;
}

/** `distillationLossGrad` computed by tf.grad of `distillationLossTf` (float32). */
export async function distillationLossGradTfMatrix(
  student: Matrix,
  teacher: Matrix,
  labels: readonly number[],
  temperature: number,
  alpha: number,
): Promise<Matrix> {
  assertBatch(student, teacher, labels, temperature, alpha);
  const { tf } = await tensorBackend();
  return fromTensor2d(
    tf.tidy(() =>
      distillationLossGradTf(
        tf,
        toTensor2d(tf, student),
        toTensor2d(tf, teacher),
        tf.tensor1d(labels as number[], 'int32'),
        temperature,
        alpha,
      ),
    ),
  );
}

// ---------------------------------------------------------------- experiment: distil or fine-tune

/** A classification task whose teacher knows the true posterior. */
export interface BlobTask {
  /** [n, 2] training inputs and their sampled labels */
  xTrain: Matrix;
  yTrain: number[];
  /** [m, 2] held-out inputs and labels */
  xTest: Matrix;
  yTest: number[];
  /** The teacher's logits on each set: the Bayes log-posterior (up to a constant per row). */
  teacherTrain: Matrix;
  teacherTest: Matrix;
}

export interface BlobTaskOptions {
  train: number;
  test: number;
  /** Classes, their means evenly on the unit circle (default 3). */
  classes?: number;
  /** The standard deviation of every blob (default 0.8: the classes overlap). */
  spread?: number;
}

/**
 * Gaussian blobs in 2-D, equal priors and covariance spread^2 I: the Bayes posterior is
 * softmax(W x + b) with W_k = mu_k / spread^2 and b_k = -|mu_k|^2 / (2 spread^2), so a linear
 * student can match the teacher exactly, and any gap is what its training signal failed to convey.
 */
export function blobTask(options: BlobTaskOptions, rng: Rng): BlobTask {
  const given: unknown = options;
  assertObject('options', given, 'task options { train, test, classes?, spread? }');
  const { train, test, classes = 3, spread = 0.8 } = options;
  assertInteger('options.train', train, { min: 1, max: 100_000 });
  assertInteger('options.test', test, { min: 1, max: 100_000 });
  assertInteger('options.classes', classes, { min: 2, max: 64 });
  assertFinite('options.spread', spread);
  if (!(spread >= 0.05 && spread <= 10))
    throw new ArgumentError('options.spread', spread, 'a spread in [0.05, 10]');
  assertRng('rng', rng);
  const means = Array.from(
    { length: classes },
    (_, k) =>
      [Math.cos((2 * Math.PI * k) / classes), Math.sin((2 * Math.PI * k) / classes)] as const,
  );
  const s2 = spread * spread;
  const make = (n: number) => {
    const x = matrix(n, 2);
    const y: number[] = [];
    const teacher = matrix(n, classes);
    for (let i = 0; i < n; i++) {
      const k = rng.integer(0, classes - 1);
      const [mx, my] = means[k]!;
      const px = mx + spread * rng.normal();
      const py = my + spread * rng.normal();
      x.data[2 * i] = px;
      x.data[2 * i + 1] = py;
      y.push(k);
      // log posterior up to a constant: (mu_c . x - |mu_c|^2 / 2) / spread^2
      means.forEach(([cx, cy], c) => {
        teacher.data[i * classes + c] = (cx * px + cy * py - (cx * cx + cy * cy) / 2) / s2;
      });
    }
    return { x, y, teacher };
  };
  const tr = make(train);
  const te = make(test);
  return {
    xTrain: tr.x,
    yTrain: tr.y,
    xTest: te.x,
    yTest: te.y,
    teacherTrain: tr.teacher,
    teacherTest: te.teacher,
  };
}

/** A linear softmax student: logits = x W^T + b, W [C, d] (PyTorch layout), b [C]. */
export interface LinearStudent {
  w: Matrix;
  b: number[];
}

export interface StudentTraining {
  /** Weight of the soft term: 0 trains on the labels only (fine-tuning), 1 on the teacher only. */
  alpha: number;
  temperature: number;
  /** Full-batch Adam steps (default 200) at `learningRate` (default 0.05). */
  steps?: number;
  learningRate?: number;
}

/** Trains a linear student on the task's training set with the distillation loss (tfjs, Adam). */
export async function trainStudent(
  task: BlobTask,
  training: StudentTraining,
  rng: Rng,
): Promise<LinearStudent> {
  assertTask(task);
  const given: unknown = training;
  assertObject('training', given, 'training options { alpha, temperature, steps?, learningRate? }');
  const { alpha, temperature, steps = 200, learningRate = 0.05 } = training;
  assertAlpha(alpha);
  assertTemperature(temperature);
  assertInteger('training.steps', steps, { min: 1, max: 10_000 });
  assertFinite('training.learningRate', learningRate);
  if (!(learningRate > 0 && learningRate <= 10))
    throw new ArgumentError('training.learningRate', learningRate, 'a rate in (0, 10]');
  assertRng('rng', rng);
  const C = task.teacherTrain.cols;
  const d = task.xTrain.cols;
  const { tf } = await tensorBackend();
  const w = tf.variable(
    tf.tensor2d(
      Float32Array.from({ length: C * d }, () => 0.01 * rng.normal()),
      [C, d],
    ),
  );
  const b = tf.variable(tf.zeros([C]));
  const x = toTensor2d(tf, task.xTrain);
  const t = toTensor2d(tf, task.teacherTrain);
  const y = tf.tensor1d(task.yTrain, 'int32');
  const optimizer = tf.train.adam(learningRate);
  // logits [n, C] = x W^T + b
  const loss = () =>
    distillationLossTf(
      tf,
      tf.add(tf.matMul(x, w, false, true), b),
      t,
      y,
      temperature,
      alpha,
    ) as Scalar;
  for (let s = 0; s < steps; s++) tf.tidy(() => void optimizer.minimize(loss, false, [w, b]));
  const student: LinearStudent = {
    w: await fromTensor2d(tf.clone(w)),
    b: Array.from(await b.data()),
  };
  tf.dispose([w, b, x, t, y]);
  optimizer.dispose();
  return student;
}

function assertTask(task: unknown): asserts task is BlobTask {
  assertObject('task', task, 'a task from blobTask');
  for (const key of ['xTrain', 'xTest', 'teacherTrain', 'teacherTest'] as const)
    assertMatrix(`task.${key}`, task[key]);
  const t = task as unknown as BlobTask;
  assertArray('task.yTrain', t.yTrain);
  assertArray('task.yTest', t.yTest);
  const C = t.teacherTrain.cols;
  if (
    t.teacherTrain.rows !== t.xTrain.rows ||
    t.yTrain.length !== t.xTrain.rows ||
    t.teacherTest.rows !== t.xTest.rows ||
    t.yTest.length !== t.xTest.rows ||
    t.teacherTest.cols !== C ||
    t.xTest.cols !== t.xTrain.cols ||
    C < 2 ||
    t.xTrain.rows === 0 ||
    t.xTest.rows === 0
  ) {
    throw new ArgumentError('task', task, 'inputs, labels and teacher logits of matching sizes');
  }
  [...t.yTrain, ...t.yTest].forEach((k, i) =>
    assertInteger(`task labels[${i}]`, k, { min: 0, max: C - 1 }),
  );
}

/** How a student does on held-out data. */
export interface StudentReport {
  /** Fraction of test labels predicted (argmax). */
  accuracy: number;
  /** Mean -log softmax(logits)_y on the test labels. */
  nll: number;
  /** Mean KL(teacher || student) on the test inputs, at T = 1. */
  klToTeacher: number;
}

/** Accuracy, test NLL and the mean KL from the teacher, for a linear student. */
export function evaluateStudent(student: LinearStudent, task: BlobTask): StudentReport {
  assertTask(task);
  assertObject('student', student, 'a linear student { w, b }');
  assertMatrix('student.w', student.w);
  const C = task.teacherTest.cols;
  const d = task.xTest.cols;
  if (student.w.rows !== C || student.w.cols !== d) {
    throw new ArgumentError(
      'student.w',
      student.w,
      `shape [${C}, ${d}]`,
      `shape ${shapeOf(student.w)}`,
    );
  }
  assertArrayLike('student.b', student.b);
  if (student.b.length !== C) throw new ArgumentError('student.b', student.b, `${C} biases`);
  for (let c = 0; c < C; c++) assertFinite(`student.b[${c}]`, student.b[c]);
  let correct = 0;
  let nll = 0;
  let kl = 0;
  const m = task.xTest.rows;
  for (let i = 0; i < m; i++) {
    const x = rowOf(task.xTest, i);
    const logits = Array.from(
      { length: C },
      (_, c) => student.b[c]! + x.reduce((s, xj, j) => s + xj * student.w.data[c * d + j]!, 0),
    );
    const y = task.yTest[i]!;
    if (logits.indexOf(Math.max(...logits)) === y) correct++;
    nll += crossEntropy(logits, y);
    kl += klFromLogits(rowOf(task.teacherTest, i), logits);
  }
  return { accuracy: correct / m, nll: nll / m, klToTeacher: kl / m };
}

// ---------------------------------------------------------------- pitfalls

/**
 * Pitfall: the soft term without T^2, alpha KL(...) + (1 - alpha) CE: its gradient shrinks as
 * 1/T^2, so raising T silently hands the loss to the hard term.
 */
export function pitfallDistillationWithoutTSquared(
  student: readonly number[],
  teacher: readonly number[],
  label: number,
  temperature: number,
  alpha: number,
): number {
  assertExample(student, teacher, label, temperature, alpha);
  const T = temperature;
  const soft = klFromLogits(
    teacher.map((z) => z / T),
    student.map((z) => z / T),
  );
  return alpha * soft + (1 - alpha) * crossEntropy(student, label);
}

/**
 * Pitfall: softens the teacher but not the student, KL(softmax(t/T) || softmax(s)): a student
 * that copies the teacher's logits is still penalised.
 */
export function pitfallTemperatureOnTeacherOnly(
  student: readonly number[],
  teacher: readonly number[],
  label: number,
  temperature: number,
  alpha: number,
): number {
  assertExample(student, teacher, label, temperature, alpha);
  const T = temperature;
  const soft = klFromLogits(
    teacher.map((z) => z / T),
    student,
  );
  return alpha * T * T * soft + (1 - alpha) * crossEntropy(student, label);
}

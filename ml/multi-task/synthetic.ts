/**
 * The MMoE paper's synthetic two-task set (Ma et al. KDD'18, 3.2): two regression tasks whose
 * relatedness is set by one number p, thresholded at their medians into balanced 0/1 labels.
 *
 *   u1, u2 orthonormal (Gram-Schmidt);  w1 = u1,  w2 = p u1 + sqrt(1 - p^2) u2
 *   y_t = w_t . x + sum_j sin(alpha_j w_t . x + beta_j) + eps,   x ~ N(0, I), alpha, beta ~ N(0, 1)
 */
import { ArgumentError, assertFinite, assertInteger, assertObject } from '../../core/errors.js';
import { assertMatrix, matrix, rowOf, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertRng, type Rng } from '../../core/random.js';

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

const dot = (a: Float64Array, b: Float64Array) =>
  a.reduce((s, v, i) => s + v * (b[i] as number), 0);

/**
 * Two orthonormal vectors of length d by Gram-Schmidt on two Gaussian draws:
 * u1 = a / |a|, u2 = (b - (b . u1) u1) / |b - (b . u1) u1|. Redraws in the (measure-zero) case of
 * a degenerate pair.
 */
export function orthonormalPair(d: number, rng: Rng): [Float64Array, Float64Array] {
  assertInteger('d', d, { min: 2, max: 2 ** 20 });
  assertRng('rng', rng);
  for (;;) {
    const u1 = rng.array(d, () => rng.normal());
    const u2 = rng.array(d, () => rng.normal());
    const n1 = Math.sqrt(dot(u1, u1));
    u1.forEach((v, i) => (u1[i] = v / n1));
    // u2 -= (u2 . u1) u1, then normalize
    const proj = dot(u2, u1);
    u2.forEach((v, i) => (u2[i] = v - proj * (u1[i] as number)));
    const n2 = Math.sqrt(dot(u2, u2));
    if (n1 > 1e-12 && n2 > 1e-12) {
      u2.forEach((v, i) => (u2[i] = v / n2));
      return [u1, u2];
    }
  }
}

/** Above this many entries (n d), the data set would not fit or would take seconds. */
const MAX_ENTRIES = 2 ** 25;

/** Two tasks with a controlled relatedness p; labels are y_t above its median (balanced). */
export function syntheticTasks(options: SyntheticOptions, rng: Rng): MultiTaskData {
  const given: unknown = options;
  assertObject('options', given, 'an object { n, inputDim, correlation, sines?, noise? }');
  const { n, inputDim: d, correlation: p, sines = 10, noise = 0.1 } = options;
  assertInteger('n', n, { min: 2 });
  assertInteger('inputDim', d, { min: 2 });
  if (n * d > MAX_ENTRIES) throw new ArgumentError('n', n, `n * inputDim <= ${MAX_ENTRIES}`);
  assertFinite('correlation', p);
  if (Math.abs(p) > 1) throw new ArgumentError('correlation', p, 'a number in [-1, 1]');
  assertInteger('sines', sines, { min: 0, max: 1000 });
  assertFinite('noise', noise);
  assertRng('rng', rng);
  const [u1, u2] = orthonormalPair(d, rng);
  const w = [u1, u1.map((v, i) => p * v + Math.sqrt(1 - p * p) * (u2[i] as number))];
  const alpha = rng.array(sines, () => rng.normal());
  const beta = rng.array(sines, () => rng.normal());
  const x = matrix(
    n,
    d,
    rng.array(n * d, () => rng.normal()),
  );
  const targets = matrix(n, 2);
  for (let i = 0; i < n; i++) {
    const xi = rowOf(x, i);
    w.forEach((wt, t) => {
      // y_t = w_t . x + eps + sum_j sin(alpha_j w_t . x + beta_j)
      const s = dot(wt, xi);
      let y = s + noise * rng.normal();
      for (let j = 0; j < sines; j++) y += Math.sin((alpha[j] as number) * s + (beta[j] as number));
      targets.data[i * 2 + t] = y;
    });
  }
  const labels = matrix(n, 2);
  for (let t = 0; t < 2; t++) {
    const column = Array.from({ length: n }, (_, i) => targets.data[i * 2 + t] as number).sort(
      (a, b) => a - b,
    );
    const median = ((column[(n - 1) >> 1] as number) + (column[n >> 1] as number)) / 2;
    for (let i = 0; i < n; i++)
      labels.data[i * 2 + t] = (targets.data[i * 2 + t] as number) > median ? 1 : 0;
  }
  return { x, labels, targets };
}

/** Throws unless `data` is { x, labels, targets? } with one row of each per example. */
export function assertMultiTaskData(data: unknown): asserts data is MultiTaskData {
  assertObject('data', data, 'a data set { x, labels, targets }');
  assertMatrix('data.x', data['x']);
  assertMatrix('data.labels', data['labels']);
  const x = data['x'];
  const labels = data['labels'];
  if (x.rows !== labels.rows) {
    throw new ArgumentError(
      'data.labels',
      labels,
      `${x.rows} rows like data.x ${shapeOf(x)}`,
      `shape ${shapeOf(labels)}`,
    );
  }
}

/** Rows [from, to) of a data set (a train/test split). */
export function sliceRows(data: MultiTaskData, from: number, to: number): MultiTaskData {
  assertMultiTaskData(data);
  assertMatrix('data.targets', data.targets);
  assertInteger('from', from, { min: 0, max: data.x.rows });
  assertInteger('to', to, { min: from, max: data.x.rows });
  const take = (m: Matrix) =>
    matrix(to - from, m.cols, m.data.subarray(from * m.cols, to * m.cols));
  return { x: take(data.x), labels: take(data.labels), targets: take(data.targets) };
}

/**
 * Contrastive losses: InfoNCE and CLIP's symmetric loss over a similarity matrix and a temperature.
 * Answers: Q38 (CLIP; 多模态对齐: how CLIP aligns images and texts).
 *
 * The idea: a batch holds n matching pairs (image i, text i). Score every image against every text,
 * S [n, n]; each row is an n-way classification "which text is mine?" whose answer is the
 * diagonal, and each column the same question from the text's side. Training pulls the diagonal up
 * and pushes the rest of its row and column down, so the two encoders meet in one space.
 *
 *   S_ij = cos(a_i, b_j) = a_i . b_j / (|a_i| |b_j|)      (embeddings L2-normalized first)
 *   logits = S / temperature                              (CLIP: S exp(t), t = ln(1 / 0.07) at init)
 *   InfoNCE  L_row = -(1/n) sum_i log softmax(logits_i)_i  (rows: image -> text)
 *   CLIP     L = (L_row(logits) + L_row(logits^T)) / 2     (plus columns: text -> image)
 *
 * Conventions (Radford et al. 2021, Figure 3, and openai/CLIP's model.py): rows are images
 * (`logits_per_image`), columns texts (`logits_per_text` is the transpose), labels = arange(n), the
 * two cross-entropies are means over the batch and the loss is their average. CLIP learns
 * t = log(1 / temperature) and multiplies by exp(t); here the temperature is passed and divides
 * (`temperatureFromLogitScale` converts; 0.07 is CLIP's initial value). Normalization follows
 * PyTorch's F.normalize: x / max(|x|, 1e-12), so a zero row stays zero instead of becoming NaN.
 * `infoNce` also takes a rectangular S [n, m], m >= n: the extra columns are extra negatives
 * (hard negatives in retrieval); the positive of row i is still column i.
 *
 * Facts worth knowing: with all logits equal the loss is ln n (a uniform guess among n); the loss
 * falls as a diagonal entry rises or an off-diagonal one falls; it is unchanged by adding a
 * constant to S; and InfoNCE bounds the mutual information of the two views,
 * I(x; y) >= ln n - L_row (van den Oord et al. 2018), so a larger batch allows a tighter bound.
 * The gradient with respect to S is ((P_row - I) + (P_col - I)) / (2 n temperature), P_row / P_col
 * the softmax over rows / columns of the logits (`clipLossGradient`).
 *
 * In this file: the textbook `clipLoss` first; then `infoNce` and its bound, the least loss unit
 * vectors allow (`clipLossFloor`), the embedding versions (`clipLossFromEmbeddings`, counted),
 * the gradient, the tfjs twins `infoNceTf`,
 * `clipLossFromSimilarityTf` and `clipLossTf` (they compose with tf.grad: what training uses),
 * their Matrix edges, and the pitfalls: one direction only, embeddings not normalized, the
 * temperature multiplied instead of divided.
 *
 * Complexity: O(n^2) for the loss from S (one log-sum-exp per row and per column), O(n^2 d) to
 * build S from n embeddings of width d.
 *
 * @example
 *   clipLoss(fromRows([[1, 0], [0, 1]]), 1)     // ln(1 + e^-1) = 0.3133 in both directions
 *   clipLoss(fromRows([[5, 5], [5, 5]]), 0.07)  // ln 2: nothing tells the pairs apart
 */
import { ArgumentError, ArgumentTypeError, assertFinite } from '../core/errors.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import {
  assertMatrix,
  matmulTransposed,
  matrix,
  shapeOf,
  transpose,
  type Matrix,
} from '../core/matrix.js';
import {
  assertTensor,
  assertTf,
  fromTensor2d,
  onMatrices,
  tensorBackend,
  toTensor2d,
  type Tensor,
  type Tf,
} from '../core/backend.js';
import { crossEntropy, softmaxRows } from './softmax.js';

/**
 * CLIP's loss from a similarity matrix S [n, n] (row i: image i against every text; column j:
 * text j against every image): logits = S / temperature, then the mean cross-entropy over rows
 * and over columns with the diagonal as labels, averaged.
 */
export function clipLoss(similarity: Matrix, temperature: number): number {
  const n = assertSquareSimilarity(similarity, temperature);
  const s = (i: number, j: number) => similarity.data[i * n + j]! / temperature;
  let imageToText = 0;
  let textToImage = 0;
  for (let i = 0; i < n; i++) {
    // row i: image i picks its text among the n texts; column i: text i picks its image (label i)
    const row = Array.from({ length: n }, (_, j) => s(i, j));
    const column = Array.from({ length: n }, (_, j) => s(j, i));
    imageToText += crossEntropy(row, i);
    textToImage += crossEntropy(column, i);
  }
  // (CE over rows + CE over columns) / 2, each a mean over the batch
  return (imageToText / n + textToImage / n) / 2;
}

/** Above this many entries a similarity matrix would not be scored within a second. */
const MAX_ENTRIES = 2 ** 22;
/** Above this many multiply-adds similarities from embeddings would not return within a second. */
const MAX_WORK = 2 ** 26;

/** Throws unless `temperature` is a finite number > 0. */
function assertTemperature(temperature: unknown): asserts temperature is number {
  assertFinite('temperature', temperature);
  if (temperature <= 0) throw new ArgumentError('temperature', temperature, 'a number > 0');
}

/** Throws unless every S_ij / temperature is finite (a tiny temperature can overflow). */
function assertFiniteLogits(similarity: Matrix, temperature: number): void {
  let largest = 0;
  for (const v of similarity.data) largest = Math.max(largest, Math.abs(v));
  if (!Number.isFinite(largest / temperature)) {
    throw new ArgumentError(
      'temperature',
      temperature,
      `a temperature for which similarity / temperature is finite (max |S| = ${largest})`,
    );
  }
}

/**
 * Checks S [n, m] (n >= 1 rows, m >= n columns: column i is row i's positive, the rest are
 * negatives; `square` asks for m = n) and the temperature; returns n.
 */
function assertSimilarity(similarity: unknown, temperature: unknown, square: boolean): number {
  assertMatrix('similarity', similarity);
  assertTemperature(temperature);
  const { rows: n, cols: m } = similarity;
  if (n === 0) {
    throw new ArgumentError(
      'similarity',
      similarity,
      'at least one pair (a non-empty matrix)',
      `shape ${shapeOf(similarity)}`,
    );
  }
  if (square ? m !== n : m < n) {
    const expected = square
      ? `a square matrix [n, n]: n pairs, the positives on the diagonal`
      : `m >= n columns [n, m]: column i is row i's positive, the rest negatives`;
    throw new ArgumentError('similarity', similarity, expected, `shape ${shapeOf(similarity)}`);
  }
  if (n * m > MAX_ENTRIES) {
    throw new ArgumentError(
      'similarity',
      similarity,
      `at most ${MAX_ENTRIES} entries`,
      `shape ${shapeOf(similarity)}`,
    );
  }
  assertFiniteLogits(similarity, temperature);
  return n;
}

function assertSquareSimilarity(similarity: unknown, temperature: unknown): number {
  return assertSimilarity(similarity, temperature, true);
}

/**
 * InfoNCE, one direction: the mean over rows i of -log softmax(S_i / temperature)_i. S is [n, m]
 * with m >= n: the positive of row i is column i, every other column a negative (the other
 * in-batch positives, and any hard negatives appended as extra columns).
 */
export function infoNce(similarity: Matrix, temperature: number): number {
  const n = assertSimilarity(similarity, temperature, false);
  const m = similarity.cols;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: m }, (_, j) => similarity.data[i * m + j]! / temperature);
    total += crossEntropy(row, i);
  }
  return total / n;
}

/** The lower bound InfoNCE gives on the mutual information of the two views: ln n - loss (nats). */
export function infoNceLowerBound(loss: number, batchSize: number): number {
  assertFinite('loss', loss);
  if (loss < 0) throw new ArgumentError('loss', loss, 'a loss >= 0 (a cross-entropy)');
  assertFinite('batchSize', batchSize);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new ArgumentError('batchSize', batchSize, 'an integer >= 1');
  return Math.log(batchSize) - loss;
}

/**
 * The least CLIP loss that n pairs of unit vectors allow at this temperature:
 * ln(1 + (n - 1) exp(-n / ((n - 1) temperature))). Cosines lie in [-1, 1], so the logits lie in
 * [-1 / T, 1 / T]; by Jensen's inequality the mean gap S_ij - S_ii (j != i) cannot go below
 * -n / (n - 1), and the regular simplex (S_ii = 1, S_ij = -1 / (n - 1), possible when d >= n - 1)
 * reaches it. At T = 1 and n = 8 no model can score below 1.17; at T = 0.07 the floor is ~1e-6.
 */
export function clipLossFloor(n: number, temperature: number): number {
  assertFinite('n', n);
  if (!Number.isSafeInteger(n) || n < 1) throw new ArgumentError('n', n, 'an integer >= 1');
  assertTemperature(temperature);
  if (n === 1) return 0;
  // every off-diagonal gap at its mean -n / (n - 1), in logits -n / ((n - 1) T)
  return Math.log1p((n - 1) * Math.exp(-n / ((n - 1) * temperature)));
}

// ---------------------------------------------------------------- temperature

/** CLIP's initial temperature (its logit scale starts at ln(1 / 0.07)). */
export const CLIP_INITIAL_TEMPERATURE = 0.07;

/** CLIP learns t and multiplies the similarities by exp(t): that is a temperature of exp(-t). */
export function temperatureFromLogitScale(logitScale: number): number {
  assertFinite('logitScale', logitScale);
  const temperature = Math.exp(-logitScale);
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new ArgumentError('logitScale', logitScale, 'a logit scale with 0 < exp(-t) < Infinity');
  return temperature;
}

// ---------------------------------------------------------------- from embeddings

/** Each row divided by its L2 norm, as F.normalize does: x / max(|x|, 1e-12) (zero rows stay 0). */
export function l2NormalizeRows(m: Matrix): Matrix {
  assertMatrix('m', m);
  const out = matrix(m.rows, m.cols, m.data);
  for (let i = 0; i < m.rows; i++) {
    const row = out.data.subarray(i * m.cols, (i + 1) * m.cols);
    // |x| = sqrt(sum x^2), scaled first so that huge entries do not overflow
    let scale = 0;
    for (const v of row) scale = Math.max(scale, Math.abs(v));
    if (scale === 0) continue;
    let sum = 0;
    for (const v of row) sum += (v / scale) ** 2;
    const norm = Math.max(scale * Math.sqrt(sum), NORMALIZE_EPS);
    for (let j = 0; j < row.length; j++) row[j] = row[j]! / norm;
  }
  return out;
}

/** F.normalize's default eps. */
const NORMALIZE_EPS = 1e-12;

/** Throws unless a [n, d] and b [n, d] are two batches of n >= 1 paired embeddings. */
function assertPairedEmbeddings(a: unknown, b: unknown): void {
  assertMatrix('a', a);
  assertMatrix('b', b);
  if (a.rows === 0 || a.cols === 0) {
    throw new ArgumentError('a', a, 'a non-empty batch [n, d]', `shape ${shapeOf(a)}`);
  }
  if (b.rows !== a.rows || b.cols !== a.cols) {
    throw new ArgumentError(
      'b',
      b,
      `shape ${shapeOf(a)} like a: pair i is (a_i, b_i), both of width d`,
      `shape ${shapeOf(b)}`,
    );
  }
  if (a.rows * a.rows * a.cols > MAX_WORK) {
    throw new ArgumentError('a', a, `n^2 d <= ${MAX_WORK}`, `shape ${shapeOf(a)}`);
  }
}

/** S_ij = cos(a_i, b_j): rows of a and b L2-normalized, then a b^T, [n, d] x [m, d] -> [n, m]. */
export function cosineSimilarityMatrix(a: Matrix, b: Matrix, counter?: Counter): Matrix {
  assertMatrix('a', a);
  assertMatrix('b', b);
  assertOptionalCounter('counter', counter);
  if (b.cols !== a.cols) {
    throw new ArgumentError(
      'b',
      b,
      `${a.cols} columns like a ${shapeOf(a)}`,
      `shape ${shapeOf(b)}`,
    );
  }
  if (a.rows * b.rows * a.cols > MAX_WORK) {
    throw new ArgumentError('b', b, `n m d <= ${MAX_WORK}`, `shape ${shapeOf(b)}`);
  }
  // normalizing costs about one multiply-add per entry of a and of b
  counter?.add('madds', (a.rows + b.rows) * a.cols);
  return matmulTransposed(l2NormalizeRows(a), l2NormalizeRows(b), counter);
}

/**
 * CLIP's loss from paired embeddings a [n, d] (images) and b [n, d] (texts): normalize the rows,
 * S = a b^T (cosines), then `clipLoss(S, temperature)`.
 */
export function clipLossFromEmbeddings(a: Matrix, b: Matrix, temperature: number): number {
  assertPairedEmbeddings(a, b);
  assertTemperature(temperature);
  return clipLoss(cosineSimilarityMatrix(a, b), temperature);
}

/**
 * `clipLossFromEmbeddings` that counts its work into `counter`: 'madds' for the similarities
 * (n^2 d, plus the normalization) and 'exps' for the exponentials of the two softmaxes (2 n^2).
 */
export function clipLossFromEmbeddingsCounted(
  a: Matrix,
  b: Matrix,
  temperature: number,
  counter?: Counter,
): number {
  assertPairedEmbeddings(a, b);
  assertTemperature(temperature);
  assertOptionalCounter('counter', counter);
  const similarity = cosineSimilarityMatrix(a, b, counter);
  // one exp per entry for the row softmaxes and one for the column softmaxes
  counter?.add('exps', 2 * similarity.rows * similarity.cols);
  return clipLoss(similarity, temperature);
}

// ---------------------------------------------------------------- gradient

/**
 * dL/dS of `clipLoss`: ((P_row - I) + (P_col - I)) / (2 n temperature), P_row the softmax of each
 * row of S / temperature and P_col that of each column. Its entries sum to 0 (adding a constant to
 * S changes nothing) and it is what gradient descent on the similarities follows.
 */
export function clipLossGradient(similarity: Matrix, temperature: number): Matrix {
  const n = assertSquareSimilarity(similarity, temperature);
  const logits = matrix(
    n,
    n,
    similarity.data.map((v) => v / temperature),
  );
  const pRow = softmaxRows(logits);
  // the column softmax is the row softmax of the transpose, transposed back
  const pCol = transpose(softmaxRows(transpose(logits)));
  const grad = matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const eye = i === j ? 1 : 0;
      grad.data[k] = (pRow.data[k]! - eye + (pCol.data[k]! - eye)) / (2 * n * temperature);
    }
  }
  return grad;
}

// ---------------------------------------------------------------- tfjs

/** A temperature for the twins: a number > 0, or a scalar tensor (e.g. exp(-t) of a learnt t). */
export type Temperature = number | Tensor;

function assertTemperatureTf(temperature: unknown): void {
  if (typeof temperature === 'number') {
    assertTemperature(temperature);
    return;
  }
  if (temperature === null || typeof temperature !== 'object') {
    throw new ArgumentTypeError('temperature', temperature, 'a number > 0 or a scalar tensor');
  }
  assertTensor('temperature', temperature, 0);
}

/** Checks a similarity tensor [n, m], n >= 1 and m >= n (m = n when `square`). */
function assertSimilarityTensor(similarity: unknown, square: boolean): void {
  assertTensor('similarity', similarity, 2);
  const [n, m] = similarity.shape as [number, number];
  if (n === 0 || (square ? m !== n : m < n)) {
    throw new ArgumentError(
      'similarity',
      similarity,
      square ? 'a square tensor [n, n], n >= 1' : 'a tensor [n, m] with 1 <= n <= m',
      `shape [${n}, ${m}]`,
    );
  }
}

/**
 * InfoNCE on tensors: similarity [n, m] (m >= n, positive of row i at column i) -> the scalar
 * mean over rows of -log softmax(similarity / temperature)_i. Composes with tf.grad.
 */
export function infoNceTf(tf: Tf, similarity: Tensor, temperature: Temperature): Tensor {
  assertTf('tf', tf);
  assertSimilarityTensor(similarity, false);
  assertTemperatureTf(temperature);
  const [n, m] = similarity.shape as [number, number];
  return tf.tidy(() => {
    // logits = S / temperature, [n, m]
    const logits = tf.div(similarity, temperature);
    // -log softmax(logits_i)_i, picked by the [n, m] identity: the diagonal labels 0 .. n-1
    const labels = tf.eye(n, m);
    const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), labels), 1));
    return tf.mean(nll);
  });
}

/** CLIP's loss on a similarity tensor [n, n]: (infoNce(S) + infoNce(S^T)) / 2. */
export function clipLossFromSimilarityTf(
  tf: Tf,
  similarity: Tensor,
  temperature: Temperature,
): Tensor {
  assertTf('tf', tf);
  assertSimilarityTensor(similarity, true);
  assertTemperatureTf(temperature);
  return tf.tidy(() =>
    // rows: image -> text; the transpose's rows: text -> image
    tf.div(
      tf.add(
        infoNceTf(tf, similarity, temperature),
        infoNceTf(tf, tf.transpose(similarity), temperature),
      ),
      2,
    ),
  );
}

/** Rows divided by max(|row|, 1e-12) on tensors [..., d] (F.normalize); differentiable. */
export function l2NormalizeTf(tf: Tf, x: Tensor): Tensor {
  assertTf('tf', tf);
  assertTensor('x', x);
  if (x.rank < 1)
    throw new ArgumentError('x', x, 'a tensor [..., d] of rank >= 1', `rank ${x.rank}`);
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.sum(tf.square(x), -1, true));
    return tf.div(x, tf.maximum(norm, NORMALIZE_EPS));
  });
}

/**
 * CLIP's loss on paired embeddings a [n, d] (images) and b [n, d] (texts): normalize the rows,
 * S = a b^T, `clipLossFromSimilarityTf`. A scalar tensor; tf.grad of it is what training follows.
 */
export function clipLossTf(tf: Tf, a: Tensor, b: Tensor, temperature: Temperature): Tensor {
  assertTf('tf', tf);
  assertTensor('a', a, 2);
  assertTensor('b', b, 2);
  if (a.shape[0] === 0 || a.shape[1] === 0)
    throw new ArgumentError('a', a, 'a non-empty batch [n, d]', `shape [${a.shape.join(', ')}]`);
  if (b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[1]) {
    throw new ArgumentError(
      'b',
      b,
      `shape [${a.shape.join(', ')}] like a: pair i is (a_i, b_i)`,
      `shape [${b.shape.join(', ')}]`,
    );
  }
  assertTemperatureTf(temperature);
  return tf.tidy(() => {
    // S = normalize(a) normalize(b)^T, [n, d] x [d, n] -> [n, n]
    const similarity = tf.matMul(l2NormalizeTf(tf, a), l2NormalizeTf(tf, b), false, true);
    return clipLossFromSimilarityTf(tf, similarity, temperature);
  });
}

/** `clipLossFromEmbeddings` computed by `clipLossTf` in float32 (the agreement edge). */
export async function clipLossTfMatrix(a: Matrix, b: Matrix, temperature: number): Promise<number> {
  assertPairedEmbeddings(a, b);
  assertTemperature(temperature);
  const out = await onMatrices(
    (tf, at, bt) => tf.reshape(clipLossTf(tf, at, bt, temperature), [1, 1]),
    a,
    b,
  );
  return out.data[0] as number;
}

/** `infoNce` computed by `infoNceTf` in float32. */
export async function infoNceTfMatrix(similarity: Matrix, temperature: number): Promise<number> {
  assertSimilarity(similarity, temperature, false);
  const out = await onMatrices(
    (tf, s) => tf.reshape(infoNceTf(tf, s, temperature), [1, 1]),
    similarity,
  );
  return out.data[0] as number;
}

/** dL/dS of CLIP's loss by tf.grad of `clipLossFromSimilarityTf` (float32): what training uses. */
export async function clipLossGradientTfMatrix(
  similarity: Matrix,
  temperature: number,
): Promise<Matrix> {
  assertSquareSimilarity(similarity, temperature);
  const { tf } = await tensorBackend();
  const grad = tf.tidy(() =>
    tf.grad((s: Tensor) => clipLossFromSimilarityTf(tf, s, temperature))(
      toTensor2d(tf, similarity),
    ),
  );
  return fromTensor2d(grad);
}

// ---------------------------------------------------------------- pitfalls

/** Pitfall: only the image -> text direction (rows); the loss is no longer symmetric in the two. */
export function pitfallClipLossRowsOnly(similarity: Matrix, temperature: number): number {
  assertSquareSimilarity(similarity, temperature);
  return infoNce(similarity, temperature);
}

/** Pitfall: raw dot products of unnormalized embeddings: a longer vector wins by its length. */
export function pitfallClipLossWithoutNormalization(
  a: Matrix,
  b: Matrix,
  temperature: number,
): number {
  assertPairedEmbeddings(a, b);
  assertTemperature(temperature);
  const similarity = matmulTransposed(a, b);
  if (!similarity.data.every(Number.isFinite))
    throw new ArgumentError('a', a, 'embeddings whose dot products with b are finite');
  return clipLoss(similarity, temperature);
}

/** Pitfall: logits = S * temperature: a smaller temperature then flattens instead of sharpening. */
export function pitfallClipLossTemperatureMultiplied(
  similarity: Matrix,
  temperature: number,
): number {
  const n = assertSquareSimilarity(similarity, temperature);
  const scaled = matrix(
    n,
    n,
    similarity.data.map((v) => v * temperature),
  );
  if (!scaled.data.every(Number.isFinite))
    throw new ArgumentError(
      'temperature',
      temperature,
      'a temperature with finite S * temperature',
    );
  return clipLoss(scaled, 1);
}

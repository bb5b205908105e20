/**
 * The language-model loss: next-token cross-entropy, its value at initialisation, and the SFT loss
 * mask. Answers: Q21 (LLM 损失函数; 10w 词表初始 loss), Q22 (预训练与 SFT 的不同).
 *
 * A causal LM reads tokens x_0 .. x_{T-1} and, at every position t, outputs logits over the V
 * vocabulary entries for the NEXT token. The loss is the mean negative log-likelihood of the tokens
 * that actually came next:
 *
 *   L = -(1 / |S|) sum_{t in S} log softmax(logits_t)[labels_{t+1}],   S = { t < T-1 : labels_{t+1} != -100 }
 *
 * The shift: logits row t is scored against label t+1 (so row T-1 has no target). Labels use
 * PyTorch / Hugging Face ignore-index semantics: a label of -100 carries no loss and is left out of
 * the mean (CrossEntropyLoss(ignore_index=-100), reduction 'mean'). With no counted position at
 * all the loss is defined here as 0 with count 0 (PyTorch would return NaN).
 *
 * Q21, the initial loss: a freshly initialised model has near-zero logits, so its prediction is
 * nearly uniform and the loss is about ln V (11.51 for V = 100,000). Small random logits of standard
 * deviation s push it up by about s^2 / 2 (E[log sum e^z] for z ~ N(0, s^2)).
 *
 * Q22, pre-training vs SFT: the SAME next-token objective. Pre-training scores every token of raw
 * text; SFT sees (prompt, response) pairs and sets the prompt's labels to -100, so only response
 * tokens carry loss and gradient (`sftLabels`).
 *
 * Gradient: dL/dlogits_t = (softmax(logits_t) - onehot(labels_{t+1})) / |S| for t in S, else 0.
 *
 * Complexity: O(T V) time for the loss and its gradient (one log-sum-exp per row).
 *
 * @example
 *   causalLmLoss(fromRows([[0, 0], [0, 0], [5, 5]]), [0, 1, -100]);
 *   // { loss: ln 2 = 0.6931, count: 1 }: row 0 predicts label 1; row 1's target is ignored; row 2 has no next token
 */
import { ArgumentError, ArgumentTypeError, assertInteger } from '../core/errors.js';
import { assertMatrix, matrix, shapeOf, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/random.js';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';
import { softmaxInto } from './scaled-dot-product-attention.js';

/** The label value that carries no loss (PyTorch CrossEntropyLoss's default ignore_index). */
export const IGNORE_INDEX = -100;

export interface LmLoss {
  /** Mean negative log-likelihood over the counted positions (0 if none). */
  loss: number;
  /** |S|: how many positions carried loss. */
  count: number;
  /** -log p(label_{t+1}) for each row t; 0 where the row carries no loss. Length T. */
  perToken: Float64Array;
}

/** Checks logits [T, V] against labels (length T, each in [0, V) or -100). */
function checkInputs(logits: Matrix, labels: readonly number[]): void {
  assertMatrix('logits', logits);
  if (!Array.isArray(labels)) throw new ArgumentTypeError('labels', labels, 'an array of token ids');
  if (logits.cols === 0) throw new ArgumentError('logits', logits, 'a vocabulary of V >= 1 columns', `shape ${shapeOf(logits)}`);
  if (labels.length !== logits.rows) {
    throw new ArgumentError('labels', labels, `${logits.rows} labels, one per row of logits ${shapeOf(logits)}`);
  }
  labels.forEach((y, t) => {
    if (y === IGNORE_INDEX) return;
    if (!Number.isInteger(y) || y < 0 || y >= logits.cols) throw new ArgumentError(`labels[${t}]`, y, `a token id in [0, ${logits.cols}) or ${IGNORE_INDEX} (ignored)`);
  });
}

/** log sum_j exp(row_j), stable: max + log sum exp(row_j - max). */
function logSumExp(row: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < row.length; j++) max = Math.max(max, row[j] as number);
  let sum = 0;
  for (let j = 0; j < row.length; j++) sum += Math.exp((row[j] as number) - max);
  return max + Math.log(sum);
}

/**
 * Next-token cross-entropy of a causal LM: logits row t is scored against labels[t + 1]; labels of
 * -100 are skipped and not counted in the mean.
 */
export function causalLmLoss(logits: Matrix, labels: readonly number[]): LmLoss {
  checkInputs(logits, labels);
  const { rows: T, cols: V } = logits;
  const perToken = new Float64Array(T);
  let total = 0;
  let count = 0;
  // the shift: position t predicts token t + 1, so the last row has no target
  for (let t = 0; t + 1 < T; t++) {
    const target = labels[t + 1] as number;
    if (target === IGNORE_INDEX) continue;
    const row = logits.data.subarray(t * V, (t + 1) * V);
    // -log softmax(row)[target] = logsumexp(row) - row[target]
    const nll = logSumExp(row) - (row[target] as number);
    perToken[t] = nll;
    total += nll;
    count++;
  }
  return { loss: count === 0 ? 0 : total / count, count, perToken };
}

/** dL/dlogits for `causalLmLoss`: row t is (softmax(logits_t) - onehot(labels[t+1])) / count, or 0. */
export function causalLmLossGrad(logits: Matrix, labels: readonly number[]): Matrix {
  checkInputs(logits, labels);
  const { rows: T, cols: V } = logits;
  const grad = matrix(T, V);
  let count = 0;
  for (let t = 0; t + 1 < T; t++) if (labels[t + 1] !== IGNORE_INDEX) count++;
  for (let t = 0; t + 1 < T; t++) {
    const target = labels[t + 1] as number;
    if (target === IGNORE_INDEX) continue;
    const g = grad.data.subarray(t * V, (t + 1) * V);
    softmaxInto(logits.data.subarray(t * V, (t + 1) * V), g);
    g[target] = (g[target] as number) - 1;
    for (let j = 0; j < V; j++) g[j] = (g[j] as number) / count;
  }
  return grad;
}

/**
 * SFT labels: the tokens themselves, with the first `promptLength` (the prompt, chat template
 * included) replaced by -100 so that only response tokens carry loss. Pre-training uses the tokens
 * unchanged.
 */
export function sftLabels(tokens: readonly number[], promptLength: number): number[] {
  if (!Array.isArray(tokens)) throw new ArgumentTypeError('tokens', tokens, 'an array of token ids');
  assertInteger('promptLength', promptLength, { min: 0, max: tokens.length });
  return tokens.map((token, t) => (t < promptLength ? IGNORE_INDEX : token));
}

// ---------------------------------------------------------------------------------------------
// The oracle: the same loss and its gradient in tfjs.

/** Builds the tfjs loss as a function of the logits tensor: shift, log-softmax, one-hot pick, masked mean. */
async function tfLossFn(logits: Matrix, labels: readonly number[]) {
  const { tf } = await tensorBackend();
  const T = logits.rows;
  const V = logits.cols;
  // targets[t] = labels[t + 1]; weight 0 where ignored or where t = T - 1
  const targets = new Int32Array(T);
  const weights = new Float32Array(T);
  for (let t = 0; t + 1 < T; t++) {
    const y = labels[t + 1] as number;
    if (y !== IGNORE_INDEX) {
      targets[t] = y;
      weights[t] = 1;
    }
  }
  const count = weights.reduce((s, w) => s + w, 0);
  const fn = (z: ReturnType<typeof tf.tensor2d>) => {
    const oneHot = tf.oneHot(tf.tensor1d(targets, 'int32'), V); // [T, V]
    const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), oneHot), 1)); // [T]
    return tf.div(tf.sum(tf.mul(nll, tf.tensor1d(weights))), Math.max(count, 1));
  };
  return { tf, fn, T, V };
}

/** `causalLmLoss` computed by tfjs (float32): tf.logSoftmax and a one-hot pick, masked mean. */
export async function causalLmLossTf(logits: Matrix, labels: readonly number[]): Promise<number> {
  checkInputs(logits, labels);
  const { tf, fn } = await tfLossFn(logits, labels);
  const loss = tf.tidy(() => fn(toTensor2d(tf, logits)));
  const value = (await loss.data())[0] as number;
  loss.dispose();
  return value;
}

/** The gradient of the tfjs loss with respect to the logits, by tf.grad (automatic differentiation). */
export async function causalLmLossGradTf(logits: Matrix, labels: readonly number[]): Promise<Matrix> {
  checkInputs(logits, labels);
  const { tf, fn } = await tfLossFn(logits, labels);
  const grad = tf.tidy(() => tf.grad((z) => fn(z as ReturnType<typeof tf.tensor2d>))(toTensor2d(tf, logits)));
  return fromTensor2d(grad);
}

// ---------------------------------------------------------------------------------------------
// Q21: the initial loss of a freshly initialised tiny LM, built and run in tfjs.

export interface TinyLmOptions {
  vocab: number;
  /** Model width d (default 64). */
  dModel?: number;
  /** Tokens in the sequence (default 32). */
  seqLen?: number;
  /** Standard deviation of every weight at initialisation (default 0.02, as GPT-2 / LLaMA). */
  initStd?: number;
}

export interface InitialLoss {
  /** The next-token loss computed by tfjs. */
  loss: number;
  /** The same logits through the from-scratch `causalLmLoss`. */
  lossFromScratch: number;
  /** ln V: the loss of the uniform prediction. */
  lnV: number;
  /** Standard deviation of the logits: theory says loss ≈ ln V + logitStd^2 / 2. */
  logitStd: number;
}

/**
 * Builds a tiny causal LM in tfjs (token embedding, one residual causal-mean mixing layer with a
 * tanh MLP, a final RMS norm and an untied output head), initialises every weight N(0, initStd^2),
 * runs it on a random token sequence and returns its next-token loss next to ln V.
 */
export async function tinyLmInitialLoss(options: TinyLmOptions, rng: Rng): Promise<InitialLoss> {
  const { vocab: V, dModel: d = 64, seqLen: T = 32, initStd = 0.02 } = options;
  assertInteger('vocab', V, { min: 2 });
  assertInteger('dModel', d, { min: 1 });
  assertInteger('seqLen', T, { min: 2 });
  if (!(initStd > 0) || !Number.isFinite(initStd)) throw new ArgumentError('initStd', initStd, 'a finite number > 0');
  const tokens = Array.from({ length: T }, () => rng.integer(0, V - 1));
  // every weight N(0, initStd^2), drawn from the caller's generator
  const weights = (rows: number, cols: number) => tf.tensor2d(Float32Array.from(rng.array(rows * cols, () => rng.normal(0, initStd))), [rows, cols]);
  const { tf } = await tensorBackend();
  const logitsT = tf.tidy(() => {
    const embedding = weights(V, d); // [V, d]
    const wMlp = weights(d, d);
    const head = weights(V, d); // nn.Linear layout [V, d]
    const x = tf.gather(embedding, tf.tensor1d(tokens, 'int32')); // [T, d]
    // causal mixing: position t averages positions 0..t (a stand-in for attention at init)
    const causalMean = tf.div(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), tf.range(1, T + 1).reshape([T, 1]));
    const h = tf.add(x, tf.tanh(tf.matMul(tf.matMul(causalMean, x), wMlp))); // [T, d]
    const normed = tf.mul(h, tf.rsqrt(tf.add(tf.mean(tf.square(h), 1, true), 1e-6)));
    return tf.matMul(normed, head, false, true); // [T, V]
  });
  const logits = await fromTensor2d(logitsT);
  const loss = await causalLmLossTf(logits, tokens);
  const mean = logits.data.reduce((s, v) => s + v, 0) / logits.data.length;
  const logitStd = Math.sqrt(logits.data.reduce((s, v) => s + (v - mean) ** 2, 0) / logits.data.length);
  return { loss, lossFromScratch: causalLmLoss(logits, tokens).loss, lnV: Math.log(V), logitStd };
}

// ---------------------------------------------------------------------------------------------
// Common wrong answers.

/** WRONG: forgets the shift, scoring logits row t against labels[t] (the token the model was given). */
export function causalLmLossNoShiftVariant(logits: Matrix, labels: readonly number[]): LmLoss {
  checkInputs(logits, labels);
  // prepend a dummy label so that row t meets labels[t] in causalLmLoss's shifted loop
  const { rows: T, cols: V } = logits;
  const padded = matrix(T + 1, V);
  padded.data.set(logits.data);
  return causalLmLoss(padded, [IGNORE_INDEX, ...labels]);
}

/** WRONG: sums the counted positions but divides by all T - 1 positions, masked ones included. */
export function causalLmLossMeanOverAllVariant(logits: Matrix, labels: readonly number[]): LmLoss {
  const right = causalLmLoss(logits, labels);
  return { ...right, loss: (right.loss * right.count) / Math.max(logits.rows - 1, 1) };
}

/** WRONG SFT labels: ignores the prompt mask, so prompt tokens carry loss too (the pre-training labels). */
export function sftLabelsAllTokensVariant(tokens: readonly number[], promptLength: number): number[] {
  assertInteger('promptLength', promptLength, { min: 0, max: tokens.length });
  return [...tokens];
}

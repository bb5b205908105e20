/**
 * KL divergence, exactly and by Monte-Carlo. Answers: Q37 (GRPO 公式, clip, KL 散度: "the KL
 * formula"), and is the KL of ml/grpo.ts (the k3 penalty) and ml/distillation.ts (the soft loss).
 *
 *   KL(p || q) = sum_x p(x) log(p(x) / q(x))  >= 0, = 0 iff p = q      (nats; 0 log 0 = 0)
 *   CE(p, q)   = -sum_x p(x) log q(x) = H(p) + KL(p || q)
 *
 * KL is not symmetric: KL(p || q) weighs the log-ratio by p, so it is infinite wherever p puts mass
 * and q puts none, and KL(q || p) is in general another number (`pitfallKlSwapped`).
 *
 * Estimators (Schulman, "Approximating KL Divergence", 2020): to estimate KL(q || p) from samples
 * x ~ q when only log p(x) and log q(x) are at hand (an RL policy's token log-probs), with
 * r = p(x) / q(x):
 *
 *   k1 = -log r                unbiased, high variance (negative for about half the samples)
 *   k2 = (log r)^2 / 2         biased (an f-divergence equal to KL to second order), low variance
 *   k3 = (r - 1) - log r       unbiased (E_q[r] = 1), >= 0 per sample (log r <= r - 1), low var.
 *
 * Conventions: every function here takes (logP, logQ) or (p, q) in that order and samples come from
 * the SECOND distribution's side of the estimator, i.e. `estimateKl(q, p, n, rng)` draws x ~ q and
 * estimates `klDivergence(q, p)`, as Schulman writes KL[q, p]. In GRPO, q = pi_theta (the policy
 * that sampled the tokens) and p = pi_ref: k3 = exp(ref - logp) - (ref - logp) - 1, as DeepSeekMath
 * writes its KL term and TRL's GRPOTrainer computes it (`k3(logpRef, logp)`).
 *
 * PyTorch's F.kl_div(input, target) (log_target = False) takes input = log q (LOG-probabilities)
 * and target = p, and computes sum target (log target - input): KL(p || q), with p second. Its
 * reduction 'batchmean' divides by the batch size (the true mean KL per row); 'mean' divides by
 * every element, batch x vocab (`torchKlDiv`; pitfalls `pitfallKlDivWithProbabilities`,
 * `pitfallKlDivMeanReduction`).
 *
 * Schulman's Gaussian check: q = N(0, 1), p = N(mu, 1), so log r = mu x - mu^2 / 2, distributed
 * N(-mu^2 / 2, mu^2), and KL = mu^2 / 2 (0.005 at mu = 0.1). Closed forms, derived here
 * (`gaussianEstimatorMoments`): std(k1) = mu, E[k2] = mu^2/2 + mu^4/8, var(k2) = mu^4/2 + mu^6/4,
 * var(k3) = e^(mu^2) - 1 - mu^2.
 * His table (10M samples) printed bias/true, stdev/true = k1: 0, 20; k2: 0.002, 1.42; k3: 0, 1.42
 * at mu = 0.1 and k1: 0, 2; k2: 0.25, 1.73; k3: 0, 1.7 at mu = 1 (`SCHULMAN_TABLE`).
 *
 * In this file: the textbook `klDivergence`; `klFromLogits` and its rows and tfjs twins
 * (`klFromLogitsTf` on [batch, vocab]); `batchKl` and the PyTorch emulation `torchKlDiv`; k1, k2,
 * k3 (and `k3Tf`); categorical sampling and `estimateKl`; the Gaussian setup; the pitfalls.
 *
 * Complexity: exact KL O(V); a Monte-Carlo estimate from n samples O(V + n log V) and n uniform
 * draws (inverse CDF by binary search on the cumulative sums).
 *
 * @example
 *   klDivergence([0.36, 0.48, 0.16], [1 / 3, 1 / 3, 1 / 3]) // 0.0852996 (Kullback 1959, ex. 2.1)
 *   klDivergence([1 / 3, 1 / 3, 1 / 3], [0.36, 0.48, 0.16]) // 0.097455: not symmetric
 *   k3(Math.log(0.2), Math.log(0.5))                        // 0.2 / 0.5 - 1 - log 0.4 = 0.316
 *   estimateKl(q, p, 100_000, rng(1), 'k3')                 // ~ klDivergence(q, p)
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArrayLike,
  assertFinite,
  assertInteger,
  assertOneOf,
} from '../core/errors.js';
import { assertMatrix, assertMatrixShape, shapeOf, type Matrix } from '../core/matrix.js';
import { assertRng, type Rng } from '../core/random.js';
import { mean, std } from '../core/stats.js';
import {
  assertTensor,
  assertTf,
  tensorBackend,
  toTensor2d,
  type Tensor,
  type Tf,
} from '../core/backend.js';
import { logSoftmax, logSoftmaxTf, softmax } from './softmax.js';

/** KL(p || q) = sum_i p_i log(p_i / q_i) in nats: 0 where p_i = 0, Infinity where only q_i = 0. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  assertDistribution('p', p);
  assertDistribution('q', q);
  assertSameLength('q', q, p.length, 'p');
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    // 0 log(0 / q_i) = 0: an outcome p never produces costs nothing
    if (pi === 0) continue;
    // p produces an outcome q calls impossible
    if (qi === 0) return Number.POSITIVE_INFINITY;
    // p_i log(p_i / q_i)
    kl += pi * Math.log(pi / qi);
  }
  return kl;
}

/** The tolerance on sum p = 1 (float sums of normalised arrays are off by ~1e-16 per entry). */
export const SUM_TOLERANCE = 1e-6;

/** Above this many entries a distribution is a mistake, not a plan. */
const MAX_LENGTH = 2 ** 24;

/** Throws unless `p` is a non-empty array of probabilities in [0, 1] summing to 1 (within 1e-6). */
export function assertDistribution(argument: string, p: unknown): asserts p is ArrayLike<number> {
  assertArrayLike(argument, p, 'an array of probabilities that sums to 1');
  if (p.length === 0 || p.length > MAX_LENGTH) {
    throw new ArgumentError(argument, p, `1 to ${MAX_LENGTH} probabilities that sum to 1`);
  }
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const x = p[i];
    if (typeof x !== 'number') throw new ArgumentTypeError(`${argument}[${i}]`, x, 'a number');
    if (!(x >= 0 && x <= 1)) {
      throw new ArgumentError(`${argument}[${i}]`, x, 'a probability in [0, 1]');
    }
    sum += x;
  }
  if (Math.abs(sum - 1) > SUM_TOLERANCE) {
    throw new ArgumentError(
      argument,
      p,
      `probabilities that sum to 1 (within ${SUM_TOLERANCE})`,
      `a sum of ${sum}`,
    );
  }
}

function assertSameLength(argument: string, values: ArrayLike<unknown>, n: number, like: string) {
  if (values.length !== n) {
    throw new ArgumentError(
      argument,
      values,
      `${n} entries like ${like}`,
      `${values.length} entries`,
    );
  }
}

/** Throws unless `values` is a non-empty array of numbers that are finite or -Infinity. */
function assertLogits(argument: string, values: unknown): asserts values is ArrayLike<number> {
  assertArrayLike(argument, values, 'an array of logits (finite numbers or -Infinity)');
  if (values.length === 0 || values.length > MAX_LENGTH) {
    throw new ArgumentError(argument, values, `1 to ${MAX_LENGTH} logits`);
  }
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number') throw new ArgumentTypeError(`${argument}[${i}]`, x, 'a number');
    if (!(Number.isFinite(x) || x === Number.NEGATIVE_INFINITY)) {
      throw new ArgumentError(`${argument}[${i}]`, x, 'a finite number or -Infinity (masked)');
    }
  }
  if (!Array.from(values).some((x) => x !== Number.NEGATIVE_INFINITY)) {
    throw new ArgumentError(argument, values, 'at least one finite logit (a distribution)');
  }
}

// ---------------------------------------------------------------- from logits

/**
 * KL(softmax(pLogits) || softmax(qLogits)) by log-softmax (no exp overflow):
 * sum_i p_i (log p_i - log q_i). A -Infinity logit is a masked class (probability 0).
 */
export function klFromLogits(pLogits: ArrayLike<number>, qLogits: ArrayLike<number>): number {
  assertLogits('pLogits', pLogits);
  assertLogits('qLogits', qLogits);
  assertSameLength('qLogits', qLogits, pLogits.length, 'pLogits');
  const p = softmax(pLogits);
  const logP = logSoftmax(pLogits);
  const logQ = logSoftmax(qLogits);
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    if (pi === 0) continue;
    const lq = logQ[i] as number;
    if (lq === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
    kl += pi * ((logP[i] as number) - lq);
  }
  // the terms are exact up to rounding; a p = q row gives exactly 0
  return kl;
}

function assertSameShapeMatrices(a: string, m: Matrix, b: string, like: Matrix): void {
  if (m.rows !== like.rows || m.cols !== like.cols) {
    throw new ArgumentError(a, m, `shape ${shapeOf(like)} like ${b}`, `shape ${shapeOf(m)}`);
  }
}

/** KL of each row: pLogits, qLogits [batch, vocab] -> KL(softmax(p_b) || softmax(q_b)) per row. */
export function klFromLogitsRows(pLogits: Matrix, qLogits: Matrix): number[] {
  assertMatrix('pLogits', pLogits);
  assertMatrix('qLogits', qLogits);
  assertSameShapeMatrices('qLogits', qLogits, 'pLogits', pLogits);
  if (pLogits.cols === 0)
    throw new ArgumentError('pLogits', pLogits, 'a vocabulary of >= 1 columns');
  const { rows, cols } = pLogits;
  return Array.from({ length: rows }, (_, b) =>
    klFromLogits(
      pLogits.data.subarray(b * cols, (b + 1) * cols),
      qLogits.data.subarray(b * cols, (b + 1) * cols),
    ),
  );
}

/**
 * The tensor twin: pLogits, qLogits [batch, vocab] (float32) -> [batch], row b holding
 * KL(softmax(p_b) || softmax(q_b)) = sum_v softmax(p_b)_v (logSoftmax(p_b)_v - logSoftmax(q_b)_v).
 * Synchronous, valid inside tf.tidy and under tf.grad.
 */
export function klFromLogitsTf(tf: Tf, pLogits: Tensor, qLogits: Tensor): Tensor {
  assertTf('tf', tf);
  assertTensor('pLogits', pLogits, 2);
  assertTensor('qLogits', qLogits, 2);
  if (pLogits.shape[0] !== qLogits.shape[0] || pLogits.shape[1] !== qLogits.shape[1]) {
    throw new ArgumentError(
      'qLogits',
      qLogits,
      `shape [${pLogits.shape.join(', ')}] like pLogits`,
      `shape [${qLogits.shape.join(', ')}]`,
    );
  }
  if (pLogits.shape[1] === 0) {
    throw new ArgumentError('pLogits', pLogits, 'a vocabulary of >= 1 columns', 'shape [B, 0]');
  }
  return tf.tidy(() => {
    // [B, V] log-probabilities of both, by the project's log-softmax
    const logP = logSoftmaxTf(tf, pLogits);
    const logQ = logSoftmaxTf(tf, qLogits);
    // sum_v p_v (log p_v - log q_v): [B, V] -> [B]
    return tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), -1);
  });
}

/** `klFromLogitsRows` computed by `klFromLogitsTf` (float32): the tfjs oracle for the rows. */
export async function klFromLogitsTfMatrix(pLogits: Matrix, qLogits: Matrix): Promise<number[]> {
  assertMatrix('pLogits', pLogits);
  assertMatrix('qLogits', qLogits);
  assertSameShapeMatrices('qLogits', qLogits, 'pLogits', pLogits);
  if (pLogits.cols === 0)
    throw new ArgumentError('pLogits', pLogits, 'a vocabulary of >= 1 columns');
  const { tf } = await tensorBackend();
  const out = tf.tidy(() => klFromLogitsTf(tf, toTensor2d(tf, pLogits), toTensor2d(tf, qLogits)));
  const values = Array.from(await out.data());
  out.dispose();
  return values;
}

// ---------------------------------------------------------------- batches and PyTorch's kl_div

/** Throws unless `m` is a Matrix whose every row is a distribution (>= 1 column). */
function assertRowDistributions(argument: string, m: unknown): asserts m is Matrix {
  assertMatrixShape(argument, m);
  if (m.cols === 0 || m.rows === 0) {
    throw new ArgumentError(
      argument,
      m,
      'at least one row of at least one probability',
      `shape ${shapeOf(m)}`,
    );
  }
  for (let b = 0; b < m.rows; b++) {
    assertDistribution(`${argument}[${b}]`, m.data.subarray(b * m.cols, (b + 1) * m.cols));
  }
}

/**
 * The mean KL over a batch: (1 / B) sum_b KL(p_b || q_b) for p, q [B, V] whose rows are
 * distributions. What F.kl_div(q.log(), p, reduction = 'batchmean') returns.
 */
export function batchKl(p: Matrix, q: Matrix): number {
  assertRowDistributions('p', p);
  assertRowDistributions('q', q);
  assertSameShapeMatrices('q', q, 'p', p);
  let total = 0;
  for (let b = 0; b < p.rows; b++) {
    const span = [b * p.cols, (b + 1) * p.cols] as const;
    total += klDivergence(p.data.subarray(...span), q.data.subarray(...span));
  }
  return total / p.rows;
}

/** The reductions of PyTorch's F.kl_div that this emulation offers. */
export type KlDivReduction = 'batchmean' | 'mean' | 'sum';
const REDUCTIONS: readonly KlDivReduction[] = ['batchmean', 'mean', 'sum'];

/**
 * PyTorch's F.kl_div(input, target, reduction, log_target = False), written out: pointwise
 * target (log target - input), 0 where target = 0, then summed and divided by the batch size
 * ('batchmean'), by every element B V ('mean') or by nothing ('sum'). `input` is meant to hold
 * LOG-probabilities log q [B, V] (finite or -Infinity) and `target` probabilities p [B, V].
 */
export function torchKlDiv(input: Matrix, target: Matrix, reduction: KlDivReduction): number {
  assertMatrixShape('input', input);
  for (let i = 0; i < input.data.length; i++) {
    const x = input.data[i] as number;
    if (!(Number.isFinite(x) || x === Number.NEGATIVE_INFINITY)) {
      throw new ArgumentError(`input[${i}]`, x, 'a log-probability (finite or -Infinity)');
    }
  }
  assertRowDistributions('target', target);
  assertSameShapeMatrices('input', input, 'target', target);
  assertOneOf('reduction', reduction, REDUCTIONS);
  let sum = 0;
  for (let i = 0; i < target.data.length; i++) {
    const t = target.data[i] as number;
    // xlogy convention: a zero target contributes 0, whatever the input
    if (t === 0) continue;
    sum += t * (Math.log(t) - (input.data[i] as number));
  }
  if (reduction === 'batchmean') return sum / target.rows;
  if (reduction === 'mean') return sum / target.data.length;
  return sum;
}

// ---------------------------------------------------------------- Schulman's estimators

function assertLogPair(logP: unknown, logQ: unknown): asserts logP is number {
  if (typeof logP !== 'number') throw new ArgumentTypeError('logP', logP, 'a number');
  if (!(Number.isFinite(logP) || logP === Number.NEGATIVE_INFINITY)) {
    throw new ArgumentError('logP', logP, 'log p(x): a finite number or -Infinity (p(x) = 0)');
  }
  // x ~ q: q(x) > 0, so log q(x) is finite
  assertFinite('logQ', logQ);
}

/** k1 = -log r = log q(x) - log p(x), for x ~ q: unbiased for KL(q || p), high variance. */
export function k1(logP: number, logQ: number): number {
  assertLogPair(logP, logQ);
  return KERNEL.k1(logP - logQ);
}

/** k2 = (log r)^2 / 2, r = p(x) / q(x), x ~ q: >= 0, low variance, biased (an f-divergence). */
export function k2(logP: number, logQ: number): number {
  assertLogPair(logP, logQ);
  return KERNEL.k2(logP - logQ);
}

/**
 * k3 = (r - 1) - log r, r = p(x) / q(x), x ~ q: unbiased for KL(q || p) (E_q[r] = 1), >= 0 for
 * every sample (log r <= r - 1), and 0 exactly when log p(x) = log q(x).
 */
export function k3(logP: number, logQ: number): number {
  assertLogPair(logP, logQ);
  return KERNEL.k3(logP - logQ);
}

/** The three estimators as functions of log r, unchecked: the loops below call these. */
const KERNEL = {
  // -log r
  k1: (logR: number) => -logR,
  // (log r)^2 / 2
  k2: (logR: number) => (logR * logR) / 2,
  // expm1(log r) - log r = (r - 1) - log r, accurate when r is near 1; an infinite log-ratio
  // (p(x) = 0, or an overflow) is an infinite penalty, not inf - inf
  k3: (logR: number) =>
    Number.isFinite(logR) ? Math.expm1(logR) - logR : Number.POSITIVE_INFINITY,
} as const;

/**
 * k3 on tensors, elementwise: logP, logQ of the same shape -> exp(logP - logQ) - 1 - (logP - logQ).
 * GRPO's per-token KL is k3Tf(tf, logpRef, logp).
 */
export function k3Tf(tf: Tf, logP: Tensor, logQ: Tensor): Tensor {
  assertTf('tf', tf);
  assertTensor('logP', logP);
  assertTensor('logQ', logQ);
  if (logP.shape.length !== logQ.shape.length || logP.shape.some((s, i) => s !== logQ.shape[i])) {
    throw new ArgumentError(
      'logQ',
      logQ,
      `shape [${logP.shape.join(', ')}] like logP`,
      `shape [${logQ.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const logR = tf.sub(logP, logQ);
    return tf.sub(tf.expm1(logR), logR);
  });
}

export type KlEstimator = 'k1' | 'k2' | 'k3';
const ESTIMATORS: readonly KlEstimator[] = ['k1', 'k2', 'k3'];

/** The largest sample count one call draws (about a second of work). */
export const MAX_SAMPLES = 2 ** 22;

function assertSamples(n: unknown): asserts n is number {
  assertInteger('n', n, { min: 1, max: MAX_SAMPLES });
}

/** Cumulative sums of q (the last forced to 1): the table inverse-CDF sampling searches. */
function cumulative(q: ArrayLike<number>): Float64Array {
  const c = new Float64Array(q.length);
  let s = 0;
  for (let i = 0; i < q.length; i++) c[i] = s += q[i] as number;
  // rounding leaves the sum a hair off 1: past the last positive entry every u lands there
  let last = q.length - 1;
  while (last > 0 && q[last] === 0) last--;
  for (let i = last; i < q.length; i++) c[i] = Number.POSITIVE_INFINITY;
  return c;
}

/** The smallest index i with u < c[i] (binary search; c is non-decreasing, its tail Infinity). */
function inverseCdf(c: Float64Array, u: number): number {
  let lo = 0;
  let hi = c.length - 1;
  // invariant: the answer is in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u < (c[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** n indices drawn from the categorical distribution q by inverse CDF: one uniform draw each. */
export function sampleCategorical(q: ArrayLike<number>, n: number, rng: Rng): Int32Array {
  assertDistribution('q', q);
  assertSamples(n);
  assertRng('rng', rng);
  const c = cumulative(q);
  const out = new Int32Array(n);
  for (let s = 0; s < n; s++) out[s] = inverseCdf(c, rng.uniform());
  return out;
}

/**
 * The n per-sample values of one estimator of KL(q || p): x_s ~ q, value k(log p(x_s), log q(x_s)).
 * Their mean is the estimate; their spread is the estimator's standard deviation.
 */
export function klEstimates(
  q: ArrayLike<number>,
  p: ArrayLike<number>,
  n: number,
  rng: Rng,
  estimator: KlEstimator = 'k3',
): Float64Array {
  assertDistribution('q', q);
  assertDistribution('p', p);
  assertSameLength('p', p, q.length, 'q');
  assertSamples(n);
  assertRng('rng', rng);
  assertOneOf('estimator', estimator, ESTIMATORS);
  const k = KERNEL[estimator];
  // log r per outcome; only outcomes with q(x) > 0 are ever drawn
  const logR = Array.from(p, (px, x) => Math.log(px) - Math.log(q[x] as number));
  const xs = sampleCategorical(q, n, rng);
  return Float64Array.from(xs, (x) => k(logR[x] as number));
}

/** The Monte-Carlo estimate of KL(q || p) from n samples x ~ q: the mean of `klEstimates`. */
export function estimateKl(
  q: ArrayLike<number>,
  p: ArrayLike<number>,
  n: number,
  rng: Rng,
  estimator: KlEstimator = 'k3',
): number {
  const values = klEstimates(q, p, n, rng, estimator);
  let s = 0;
  for (const v of values) s += v;
  return s / n;
}

// ---------------------------------------------------------------- Schulman's Gaussian setup

/** |mu| beyond this makes e^(log r) overflow in k3 for plausible x; the setup is for small KL. */
const MAX_MU = 10;

function assertMu(mu: unknown): asserts mu is number {
  assertFinite('mu', mu);
  if (Math.abs(mu) > MAX_MU) throw new ArgumentError('mu', mu, `|mu| <= ${MAX_MU}`);
}

/** log r = log N(x; mu, 1) - log N(x; 0, 1) = mu x - mu^2 / 2 (p = N(mu, 1), q = N(0, 1)). */
export function gaussianLogRatio(x: number, mu: number): number {
  assertFinite('x', x);
  assertMu(mu);
  return mu * x - (mu * mu) / 2;
}

/** One row of the bias / variance table: both relative to the true KL, as Schulman prints them. */
export interface EstimatorRow {
  estimator: KlEstimator;
  /** (E[k] - KL) / KL */
  biasOverTrue: number;
  /** std(k) / KL, the standard deviation of ONE sample's value */
  stdOverTrue: number;
}

/**
 * The exact bias and standard deviation of k1, k2, k3 (relative to KL = mu^2 / 2) for
 * q = N(0, 1), p = N(mu, 1), from log r ~ N(-mu^2 / 2, mu^2): closed forms, no sampling.
 */
export function gaussianEstimatorMoments(mu: number): EstimatorRow[] {
  assertMu(mu);
  if (mu === 0)
    throw new ArgumentError('mu', mu, 'mu != 0 (KL = 0 leaves nothing to be relative to)');
  const s2 = mu * mu;
  const kl = s2 / 2;
  return [
    // k1 = -log r ~ N(mu^2 / 2, mu^2)
    { estimator: 'k1', biasOverTrue: 0, stdOverTrue: Math.sqrt(s2) / kl },
    // k2 = (log r)^2 / 2: E = (s^2 + m^2) / 2, var = (2 s^4 + 4 m^2 s^2) / 4, m = -s^2 / 2
    {
      estimator: 'k2',
      biasOverTrue: (s2 * s2) / 8 / kl,
      stdOverTrue: Math.sqrt((s2 * s2) / 2 + (s2 * s2 * s2) / 4) / kl,
    },
    // k3 = e^Y - 1 - Y: var = (e^(s^2) - 1) + s^2 - 2 cov(e^Y, Y), cov = s^2
    { estimator: 'k3', biasOverTrue: 0, stdOverTrue: Math.sqrt(Math.expm1(s2) - s2) / kl },
  ];
}

/**
 * Schulman's experiment: n samples x ~ q = N(0, 1), each estimator's per-sample values from
 * log r = mu x - mu^2 / 2, and their mean and standard deviation relative to KL = mu^2 / 2.
 */
export function gaussianEstimatorTable(mu: number, n: number, rng: Rng): EstimatorRow[] {
  assertMu(mu);
  if (mu === 0)
    throw new ArgumentError('mu', mu, 'mu != 0 (KL = 0 leaves nothing to be relative to)');
  assertSamples(n);
  if (n < 2) throw new ArgumentError('n', n, 'at least 2 samples (a standard deviation)');
  assertRng('rng', rng);
  const kl = (mu * mu) / 2;
  // log r = mu x - mu^2 / 2 for x ~ N(0, 1)
  const logR = rng.array(n, () => mu * rng.normal() - kl);
  return ESTIMATORS.map((estimator) => {
    const values = Float64Array.from(logR, KERNEL[estimator]);
    return {
      estimator,
      biasOverTrue: (mean(values) - kl) / kl,
      stdOverTrue: std(values) / kl,
    };
  });
}

/** Schulman's published table (bias/true, stdev/true; 10M samples in his run), by mu. */
export const SCHULMAN_TABLE: Readonly<Record<'0.1' | '1', readonly EstimatorRow[]>> = {
  '0.1': [
    { estimator: 'k1', biasOverTrue: 0, stdOverTrue: 20 },
    { estimator: 'k2', biasOverTrue: 0.002, stdOverTrue: 1.42 },
    { estimator: 'k3', biasOverTrue: 0, stdOverTrue: 1.42 },
  ],
  '1': [
    { estimator: 'k1', biasOverTrue: 0, stdOverTrue: 2 },
    { estimator: 'k2', biasOverTrue: 0.25, stdOverTrue: 1.73 },
    { estimator: 'k3', biasOverTrue: 0, stdOverTrue: 1.7 },
  ],
};

// ---------------------------------------------------------------- pitfalls

/** Pitfall: KL with its arguments swapped, sum q log(q / p) when KL(p || q) was asked for. */
export function pitfallKlSwapped(p: ArrayLike<number>, q: ArrayLike<number>): number {
  assertDistribution('p', p);
  assertDistribution('q', q);
  assertSameLength('q', q, p.length, 'p');
  return klDivergence(q, p);
}

/**
 * Pitfall: F.kl_div(q, p, reduction = 'batchmean') with q passed as probabilities instead of
 * log-probabilities: sum p (log p - q) / B, which is neither KL nor >= 0.
 */
export function pitfallKlDivWithProbabilities(p: Matrix, q: Matrix): number {
  assertRowDistributions('p', p);
  assertRowDistributions('q', q);
  assertSameShapeMatrices('q', q, 'p', p);
  return torchKlDiv(q, p, 'batchmean');
}

/** Pitfall: F.kl_div(q.log(), p, reduction = 'mean'): divides by B V elements, not by B rows. */
export function pitfallKlDivMeanReduction(p: Matrix, q: Matrix): number {
  assertRowDistributions('p', p);
  assertRowDistributions('q', q);
  assertSameShapeMatrices('q', q, 'p', p);
  const logQ = { ...q, data: Float64Array.from(q.data, Math.log) };
  return torchKlDiv(logQ, p, 'mean');
}

/**
 * Pitfall: k3 with the ratio flipped, r = q(x) / p(x): exp(logQ - logP) - 1 - (logQ - logP). Still
 * >= 0, but its mean under x ~ q is E_q[q / p] - 1 - KL(q || p), not KL(q || p).
 */
export function pitfallK3FlippedRatio(logP: number, logQ: number): number {
  assertLogPair(logP, logQ);
  const logR = logQ - logP;
  if (!Number.isFinite(logR)) return Number.POSITIVE_INFINITY;
  return Math.expm1(logR) - logR;
}

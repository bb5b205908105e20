/**
 * GRPO (Group Relative Policy Optimization, Shao et al., DeepSeekMath, arXiv 2402.03300): PPO's
 * clipped objective with the value network replaced by a group baseline. Answers: Q37 (GRPO 公式,
 * clip, KL 散度: the formula, why clip, why a KL term).
 *
 * For one prompt q, sample G outputs o_1..o_G from pi_old and score them r_1..r_G. With outcome
 * rewards every token of o_i gets the same advantage, the reward normalised within the group:
 *
 *   A_i = (r_i - mean(r)) / std(r)
 *   J   = 1/G sum_i 1/|o_i| sum_t [ min(rho_it A_i, clip(rho_it, 1 - eps, 1 + eps) A_i)
 *                                   - beta KL_it ],
 *   rho_it = pi_theta(o_it | q, o_i,<t) / pi_old(o_it | q, o_i,<t),
 *   KL_it  = pi_ref / pi_theta - log(pi_ref / pi_theta) - 1   (Schulman's k3, ml/kl-divergence.ts)
 *
 * and the loss minimised is -J. Why clip: the samples came from pi_old, so the surrogate rho A is
 * only trustworthy near rho = 1; the min with the clipped term removes any gain from moving rho
 * past 1 + eps (A > 0) or below 1 - eps (A < 0), so one batch cannot push the policy far (the
 * per-token term never exceeds A + eps |A|). Why a KL term: it keeps pi_theta near pi_ref (the SFT
 * model), against reward hacking and drift; GRPO puts it in the loss per token, not in the reward.
 *
 * Conventions chosen, and whose they are:
 * - std: the SAMPLE standard deviation (divides by G - 1), as torch's `.std()` in Hugging Face
 *   TRL's GRPOTrainer (`rewards.view(-1, G).std(dim=1)`, read at commit 000bb3db of
 *   huggingface/trl). TRL then divides by (std + 1e-4); the textbook `groupAdvantages` uses no
 *   epsilon and instead gives a group of equal rewards (std = 0) advantage 0 exactly, which is
 *   what TRL's epsilon produces too (0 / 1e-4). `groupAdvantagesWith` offers population std, the
 *   1e-4 epsilon (`TRL_ADVANTAGES`) and no scaling (Dr. GRPO). A single output gets advantage 0.
 * - aggregation: DeepSeekMath's 1/G sum_i 1/|o_i| sum_t (TRL's loss_type = 'grpo'): the mean over
 *   each output's tokens, then over the group. Token-mean over the whole group (TRL's 'bnpo') is
 *   `pitfallTokenMeanAggregation` here, because it is not this formula.
 * - KL: k3 with q = pi_theta, p = pi_ref, i.e. k3(logpRef, logp) =
 *   exp(ref - logp) - (ref - logp) - 1
 *   as TRL computes it; beta = 0 drops the term (and the reference model) entirely.
 * - Symbols: eps is the clip range (in [0, 1)), beta the KL weight (>= 0). Log-probabilities are
 *   per token, finite and <= 0, and each log-ratio within +-600 so that exp stays finite.
 *
 * In this file: `groupAdvantages` and `grpoObjective` (the textbook), `grpoLoss` = -J,
 * `clippedSurrogate` (one token), `groupAdvantagesWith`, `grpoObjectiveFromAdvantages`, the
 * analytic gradient `grpoLossGrad`, the counted objective, the tfjs twin `grpoLossTf` on [G, T]
 * tensors with a mask (and its Matrix edges), and the pitfalls.
 *
 * Complexity: O(sum_i |o_i|) per group given the log-probabilities; producing them costs one
 * forward pass of each of pi_theta, pi_old and pi_ref over the G outputs.
 *
 * @example
 *   groupAdvantages([1, 0, 0, 1])                              // [0.866, -0.866, -0.866, 0.866]
 *   groupAdvantagesWith([1, 0, 0, 1], { std: 'population' })   // [1, -1, -1, 1]
 *   groupAdvantages([1, 1, 1])                                 // [0, 0, 0], never NaN
 *   grpoObjective(outputs, [1, 0, 0, 1], 0.2, 0.04)            // J; grpoLoss gives -J
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertArrayLike,
  assertFinite,
  assertObject,
  assertOneOf,
} from '../core/errors.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { matrix, type Matrix } from '../core/matrix.js';
import { assertTensor, assertTf, tensorBackend, type Tensor, type Tf } from '../core/backend.js';
import { k3, k3Tf } from './kl-divergence.js';

/** A_i = (r_i - mean r) / std r, sample std (G - 1); equal rewards (std = 0) give 0, never NaN. */
export function groupAdvantages(rewards: readonly number[]): number[] {
  assertRewards(rewards);
  const G = rewards.length;
  // one output, or all equal: no output is better than another
  if (G === 1 || rewards.every((r) => r === rewards[0])) return rewards.map(() => 0);
  // A is scale-free: dividing by max |r| first keeps tiny or huge rewards from under/overflowing
  const scale = Math.max(...rewards.map(Math.abs));
  const x = rewards.map((r) => r / scale);
  const mean = x.reduce((s, v) => s + v, 0) / G;
  // the sample standard deviation, as torch's .std() in TRL
  const std = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / (G - 1));
  // (not reached for distinct rewards, but a 0 / 0 must never escape)
  if (!(std > 0)) return rewards.map(() => 0);
  return x.map((v) => (v - mean) / std);
}

/**
 * J = 1/G sum_i 1/|o_i| sum_t [min(rho A_i, clip(rho, 1 - eps, 1 + eps) A_i) - beta k3], with the
 * group advantages of `rewards`. Maximise it (or minimise `grpoLoss` = -J).
 */
export function grpoObjective(
  outputs: readonly GrpoOutput[],
  rewards: readonly number[],
  epsilon: number,
  beta: number,
): number {
  assertGrpoInputs(outputs, rewards, epsilon, beta, 'rewards');
  const advantages = groupAdvantages(rewards);
  let total = 0;
  outputs.forEach((o, i) => {
    let sum = 0;
    for (let t = 0; t < o.logp.length; t++) {
      // rho = pi_theta / pi_old, from log-probabilities
      const rho = Math.exp(o.logp[t]! - o.logpOld[t]!);
      // the clipped surrogate; minus beta k3(pi_ref / pi_theta), dropped when beta = 0
      const kl = beta === 0 ? 0 : beta * k3(o.logpRef[t]!, o.logp[t]!);
      sum += clippedSurrogate(rho, advantages[i]!, epsilon) - kl;
    }
    // 1/|o_i| sum_t, then 1/G sum_i
    total += sum / o.logp.length;
  });
  return total / outputs.length;
}

/** One sampled output o_i: its per-token log-probabilities under the three models. */
export interface GrpoOutput {
  /** log pi_theta(o_t | q, o_<t), t = 0 .. |o_i| - 1: the policy being trained */
  readonly logp: readonly number[];
  /** log pi_old: the policy that sampled o_i (equal to logp on the first step of a batch) */
  readonly logpOld: readonly number[];
  /** log pi_ref: the frozen reference (the SFT model) */
  readonly logpRef: readonly number[];
}

/** The loss a trainer minimises: -J (`grpoObjective` with the sign turned). */
export function grpoLoss(
  outputs: readonly GrpoOutput[],
  rewards: readonly number[],
  epsilon: number,
  beta: number,
): number {
  return -grpoObjective(outputs, rewards, epsilon, beta);
}

/**
 * One token's clipped surrogate, min(rho A, clip(rho, 1 - eps, 1 + eps) A) for rho > 0. Never
 * above rho A (pessimistic) nor above A + eps |A| (the clip caps the gain); equal to rho A while
 * rho is in [1 - eps, 1 + eps]. A = 0 gives 0 for any rho (also rho = Infinity).
 */
export function clippedSurrogate(ratio: number, advantage: number, epsilon: number): number {
  if (typeof ratio !== 'number') throw new ArgumentTypeError('ratio', ratio, 'a number > 0');
  if (!(ratio > 0)) throw new ArgumentError('ratio', ratio, 'a probability ratio > 0');
  assertFinite('advantage', advantage);
  assertEpsilon(epsilon);
  // A = 0 is 0 for any ratio (and keeps Infinity * 0 out)
  if (advantage === 0) return advantage;
  const clipped = Math.min(Math.max(ratio, 1 - epsilon), 1 + epsilon);
  return Math.min(ratio * advantage, clipped * advantage);
}

// ---------------------------------------------------------------- checks

/** Rewards beyond this overflow the variance; no reward model produces them. */
const MAX_REWARD = 1e100;
/** Advantages and beta beyond this, with ratios up to e^600, would overflow to inf - inf. */
const MAX_ADVANTAGE = 1e6;
const MAX_BETA = 1e6;
/** |log pi_theta - log pi_old| and |log pi_ref - log pi_theta| beyond this overflow exp. */
export const MAX_LOG_RATIO = 600;
/** A group of this many outputs, or this many tokens in total, is a mistake, not a plan. */
const MAX_GROUP = 2 ** 20;
const MAX_TOKENS = 2 ** 24;

function assertEpsilon(epsilon: unknown): asserts epsilon is number {
  assertFinite('epsilon', epsilon);
  if (!(epsilon >= 0 && epsilon < 1)) {
    throw new ArgumentError('epsilon', epsilon, 'a clip range in [0, 1) (1 - epsilon > 0)');
  }
}

function assertBeta(beta: unknown): asserts beta is number {
  assertFinite('beta', beta);
  if (!(beta >= 0 && beta <= MAX_BETA))
    throw new ArgumentError('beta', beta, `a KL weight in [0, ${MAX_BETA}]`);
}

/** Throws unless `values` is a group of 1 to 2^20 finite numbers, |value| <= `max`. */
function assertGroupValues(
  argument: string,
  values: unknown,
  max = MAX_REWARD,
): asserts values is number[] {
  assertArray(argument, values);
  if (values.length === 0)
    throw new ArgumentError(argument, values, 'a group of at least one output');
  if (values.length > MAX_GROUP)
    throw new ArgumentError(argument, values, `at most ${MAX_GROUP} outputs`);
  values.forEach((r, i) => {
    assertFinite(`${argument}[${i}]`, r);
    if (Math.abs(r) > max) throw new ArgumentError(`${argument}[${i}]`, r, `|value| <= ${max}`);
  });
}

function assertRewards(rewards: unknown): asserts rewards is number[] {
  assertGroupValues('rewards', rewards);
}

/** Throws unless `values` holds `length` finite log-probabilities (<= 0). */
function assertLogProbs(
  argument: string,
  values: unknown,
  length?: number,
): asserts values is number[] {
  assertArrayLike(argument, values, 'an array of per-token log-probabilities');
  if (values.length === 0)
    throw new ArgumentError(argument, values, 'an output of at least one token');
  if (length !== undefined && values.length !== length) {
    throw new ArgumentError(
      argument,
      values,
      `${length} tokens like logp`,
      `${values.length} tokens`,
    );
  }
  for (let t = 0; t < values.length; t++) {
    const x = values[t];
    if (typeof x !== 'number') throw new ArgumentTypeError(`${argument}[${t}]`, x, 'a number');
    if (!(Number.isFinite(x) && x <= 0)) {
      throw new ArgumentError(`${argument}[${t}]`, x, 'a log-probability: finite and <= 0');
    }
  }
}

/** Throws unless `outputs` is a group of outputs whose three log-prob arrays agree in length. */
export function assertGrpoOutputs(outputs: unknown): asserts outputs is GrpoOutput[] {
  assertArray('outputs', outputs);
  if (outputs.length === 0)
    throw new ArgumentError('outputs', outputs, 'a group of at least one output');
  if (outputs.length > MAX_GROUP)
    throw new ArgumentError('outputs', outputs, `at most ${MAX_GROUP} outputs`);
  let tokens = 0;
  outputs.forEach((o, i) => {
    assertObject(`outputs[${i}]`, o, 'an output { logp, logpOld, logpRef }');
    assertLogProbs(`outputs[${i}].logp`, o['logp']);
    const n = (o['logp'] as number[]).length;
    assertLogProbs(`outputs[${i}].logpOld`, o['logpOld'], n);
    assertLogProbs(`outputs[${i}].logpRef`, o['logpRef'], n);
    const [lp, old, ref] = [o['logp'], o['logpOld'], o['logpRef']] as number[][];
    for (let t = 0; t < n; t++) {
      if (Math.abs(lp![t]! - old![t]!) > MAX_LOG_RATIO) {
        throw new ArgumentError(
          `outputs[${i}].logpOld[${t}]`,
          old![t],
          `within ${MAX_LOG_RATIO} of logp[${t}] = ${lp![t]} (exp(log rho) stays finite)`,
        );
      }
      if (Math.abs(ref![t]! - lp![t]!) > MAX_LOG_RATIO) {
        throw new ArgumentError(
          `outputs[${i}].logpRef[${t}]`,
          ref![t],
          `within ${MAX_LOG_RATIO} of logp[${t}] = ${lp![t]} (exp(ref - logp) stays finite)`,
        );
      }
    }
    tokens += n;
  });
  if (tokens > MAX_TOKENS)
    throw new ArgumentError('outputs', outputs, `at most ${MAX_TOKENS} tokens in all`);
}

function assertGrpoInputs(
  outputs: unknown,
  perOutput: unknown,
  epsilon: unknown,
  beta: unknown,
  perOutputName: 'rewards' | 'advantages',
): asserts outputs is GrpoOutput[] {
  assertGrpoOutputs(outputs);
  assertGroupValues(
    perOutputName,
    perOutput,
    perOutputName === 'rewards' ? MAX_REWARD : MAX_ADVANTAGE,
  );
  if (perOutput.length !== outputs.length) {
    throw new ArgumentError(
      perOutputName,
      perOutput,
      `one value per output (${outputs.length})`,
      `${perOutput.length} values`,
    );
  }
  assertEpsilon(epsilon);
  assertBeta(beta);
}

// ---------------------------------------------------------------- engineered forms

/** How the advantages are scaled: TRL's default is { std: 'sample', epsilon: 1e-4 }. */
export interface AdvantageOptions {
  /** 'sample' divides by G - 1 (torch .std()), 'population' by G, 'none' skips it (Dr. GRPO). */
  std?: 'sample' | 'population' | 'none';
  /** Added to the std before dividing, (r - mean) / (std + epsilon); default 0. */
  epsilon?: number;
}

/** TRL's GRPOTrainer: (r - mean) / (torch .std() + 1e-4). */
export const TRL_ADVANTAGES: Readonly<Required<AdvantageOptions>> = {
  std: 'sample',
  epsilon: 1e-4,
};

/**
 * Group advantages under a chosen convention: (r - mean) / (std + epsilon). Whatever the
 * convention, a group of equal rewards gets 0 (never 0 / 0), and so does a single output.
 */
export function groupAdvantagesWith(
  rewards: readonly number[],
  options: AdvantageOptions = {},
): number[] {
  assertRewards(rewards);
  const given: unknown = options;
  assertObject('options', given, 'advantage options { std?, epsilon? }');
  const { std: kind = 'sample', epsilon = 0 } = options;
  assertOneOf('options.std', kind, ['sample', 'population', 'none'] as const);
  assertFinite('options.epsilon', epsilon);
  if (epsilon < 0) throw new ArgumentError('options.epsilon', epsilon, 'an epsilon >= 0');
  const G = rewards.length;
  if (G === 1 || rewards.every((r) => r === rewards[0])) return rewards.map(() => 0);
  // computed on r / max |r| (see groupAdvantages); 'none' scales back, epsilon is in reward units
  const scale = Math.max(...rewards.map(Math.abs));
  const x = rewards.map((r) => r / scale);
  const mean = x.reduce((s, v) => s + v, 0) / G;
  if (kind === 'none') return x.map((v) => (v - mean) * scale);
  const squares = x.reduce((s, v) => s + (v - mean) ** 2, 0);
  const std = Math.sqrt(squares / (kind === 'sample' ? G - 1 : G));
  if (!(std > 0)) return rewards.map(() => 0);
  // (r - mean) / (std + epsilon) = (x - mean_x) / (std_x + epsilon / scale)
  return x.map((v) => (v - mean) / (std + epsilon / scale));
}

/** J from given advantages (one per output): the form the tfjs twin and the gradient share. */
export function grpoObjectiveFromAdvantages(
  outputs: readonly GrpoOutput[],
  advantages: readonly number[],
  epsilon: number,
  beta: number,
): number {
  assertGrpoInputs(outputs, advantages, epsilon, beta, 'advantages');
  return objectiveKernel(outputs, advantages, epsilon, beta);
}

/** The objective over checked inputs; `counter` gets one 'tokens' per per-token term. */
function objectiveKernel(
  outputs: readonly GrpoOutput[],
  advantages: readonly number[],
  epsilon: number,
  beta: number,
  counter?: Counter,
): number {
  let total = 0;
  outputs.forEach((o, i) => {
    let sum = 0;
    for (let t = 0; t < o.logp.length; t++) {
      const rho = Math.exp(o.logp[t]! - o.logpOld[t]!);
      const kl = beta === 0 ? 0 : beta * k3(o.logpRef[t]!, o.logp[t]!);
      sum += clippedSurrogate(rho, advantages[i]!, epsilon) - kl;
    }
    counter?.add('tokens', o.logp.length);
    total += sum / o.logp.length;
  });
  return total / outputs.length;
}

/** `grpoObjective` that counts its per-token terms into `counter` ('tokens'): sum_i |o_i|. */
export function grpoObjectiveCounted(
  outputs: readonly GrpoOutput[],
  rewards: readonly number[],
  epsilon: number,
  beta: number,
  counter?: Counter,
): number {
  assertGrpoInputs(outputs, rewards, epsilon, beta, 'rewards');
  assertOptionalCounter('counter', counter);
  return objectiveKernel(outputs, groupAdvantages(rewards), epsilon, beta, counter);
}

/**
 * d(-J)/d logp_it, by hand: -(1 / (G |o_i|)) [rho A_i 1{the unclipped term is the min}
 * - beta (1 - pi_ref / pi_theta)]. The clipped branch is constant in logp, so a token whose ratio
 * left the clip range on the side that would help gets no gradient.
 */
export function grpoLossGrad(
  outputs: readonly GrpoOutput[],
  advantages: readonly number[],
  epsilon: number,
  beta: number,
): number[][] {
  assertGrpoInputs(outputs, advantages, epsilon, beta, 'advantages');
  const G = outputs.length;
  return outputs.map((o, i) => {
    const a = advantages[i]!;
    const scale = 1 / (G * o.logp.length);
    return o.logp.map((lp, t) => {
      const rho = Math.exp(lp - o.logpOld[t]!);
      const clipped = Math.min(Math.max(rho, 1 - epsilon), 1 + epsilon);
      // d(rho A)/d logp = rho A, live only while rho A is the smaller term
      const surrogate = a !== 0 && rho * a <= clipped * a ? rho * a : 0;
      // d k3(ref, logp)/d logp = 1 - exp(ref - logp)
      const kl = beta === 0 ? 0 : beta * -Math.expm1(o.logpRef[t]! - lp);
      const g = surrogate - kl;
      // 0 rather than -0 where no term is live
      return g === 0 ? 0 : -scale * g;
    });
  });
}

// ---------------------------------------------------------------- tfjs

/**
 * The tensor twin of `grpoLoss` on padded tensors: logp, logpOld, logpRef, mask [G, T] (float32,
 * mask 1 on real tokens and 0 on padding; padded log-probs must be finite, e.g. 0), advantages
 * [G] -> the scalar -J, each output averaged over its own tokens, then over the group.
 * Differentiable in logp by tf.grad; synchronous, valid inside tf.tidy.
 */
export function grpoLossTf(
  tf: Tf,
  logp: Tensor,
  logpOld: Tensor,
  logpRef: Tensor,
  advantages: Tensor,
  mask: Tensor,
  epsilon: number,
  beta: number,
): Tensor {
  assertTf('tf', tf);
  assertTensor('logp', logp, 2);
  const [G, T] = logp.shape as [number, number];
  for (const [name, t] of [
    ['logpOld', logpOld],
    ['logpRef', logpRef],
    ['mask', mask],
  ] as const) {
    assertTensor(name, t, 2);
    if (t.shape[0] !== G || t.shape[1] !== T) {
      throw new ArgumentError(
        name,
        t,
        `shape [${G}, ${T}] like logp`,
        `shape [${t.shape.join(', ')}]`,
      );
    }
  }
  assertTensor('advantages', advantages, 1);
  if (advantages.shape[0] !== G) {
    throw new ArgumentError(
      'advantages',
      advantages,
      `shape [${G}], one per output`,
      `shape [${advantages.shape.join(', ')}]`,
    );
  }
  if (G === 0 || T === 0)
    throw new ArgumentError(
      'logp',
      logp,
      'at least one output and one token',
      `shape [${G}, ${T}]`,
    );
  assertEpsilon(epsilon);
  assertBeta(beta);
  return tf.tidy(() => {
    // A_i broadcast over the tokens of o_i: [G] -> [G, 1]
    const a = tf.reshape(advantages, [G, 1]);
    // rho = exp(logp - logpOld), [G, T]
    const rho = tf.exp(tf.sub(logp, logpOld));
    // min(rho A, clip(rho, 1 - eps, 1 + eps) A)
    const surrogate = tf.minimum(
      tf.mul(rho, a),
      tf.mul(tf.clipByValue(rho, 1 - epsilon, 1 + epsilon), a),
    );
    // - beta k3(pi_ref / pi_theta), per token
    const perToken =
      beta === 0 ? surrogate : tf.sub(surrogate, tf.mul(k3Tf(tf, logpRef, logp), beta));
    // 1/|o_i| sum_t over real tokens: [G, T] -> [G]
    const lengths = tf.maximum(tf.sum(mask, 1), 1);
    const perOutput = tf.div(tf.sum(tf.mul(perToken, mask), 1), lengths);
    // -J = -(1/G) sum_i
    return tf.neg(tf.mean(perOutput));
  });
}

/** Pads a group's three log-prob arrays and its mask to [G, T_max] matrices (padding 0). */
export function padOutputs(outputs: readonly GrpoOutput[]): {
  logp: Matrix;
  logpOld: Matrix;
  logpRef: Matrix;
  mask: Matrix;
} {
  assertGrpoOutputs(outputs);
  const G = outputs.length;
  const T = Math.max(...outputs.map((o) => o.logp.length));
  const [logp, logpOld, logpRef, mask] = [matrix(G, T), matrix(G, T), matrix(G, T), matrix(G, T)];
  outputs.forEach((o, i) => {
    logp.data.set(o.logp, i * T);
    logpOld.data.set(o.logpOld, i * T);
    logpRef.data.set(o.logpRef, i * T);
    mask.data.fill(1, i * T, i * T + o.logp.length);
  });
  return { logp, logpOld, logpRef, mask };
}

/** `grpoLossTf` on a group of outputs (padded) with given advantages: the float32 oracle. */
export async function grpoLossTfValue(
  outputs: readonly GrpoOutput[],
  advantages: readonly number[],
  epsilon: number,
  beta: number,
): Promise<number> {
  assertGrpoInputs(outputs, advantages, epsilon, beta, 'advantages');
  const { tf } = await tensorBackend();
  const padded = padOutputs(outputs);
  const loss = tf.tidy(() => {
    const [lp, old, ref, m] = [padded.logp, padded.logpOld, padded.logpRef, padded.mask].map((x) =>
      tf.tensor2d(Float32Array.from(x.data), [x.rows, x.cols]),
    ) as [Tensor, Tensor, Tensor, Tensor];
    return grpoLossTf(tf, lp, old, ref, tf.tensor1d(advantages as number[]), m, epsilon, beta);
  });
  const value = (await loss.data())[0] as number;
  loss.dispose();
  return value;
}

/** d(-J)/d logp by tf.grad of `grpoLossTf`, unpadded: one array per output (float32). */
export async function grpoLossGradTf(
  outputs: readonly GrpoOutput[],
  advantages: readonly number[],
  epsilon: number,
  beta: number,
): Promise<number[][]> {
  assertGrpoInputs(outputs, advantages, epsilon, beta, 'advantages');
  const { tf } = await tensorBackend();
  const padded = padOutputs(outputs);
  const grad = tf.tidy(() => {
    const [lp, old, ref, m] = [padded.logp, padded.logpOld, padded.logpRef, padded.mask].map((x) =>
      tf.tensor2d(Float32Array.from(x.data), [x.rows, x.cols]),
    ) as [Tensor, Tensor, Tensor, Tensor];
    const a = tf.tensor1d(advantages as number[]);
    return tf.grad((x: Tensor) => grpoLossTf(tf, x, old, ref, a, m, epsilon, beta))(lp);
  });
  const data = await grad.data();
  grad.dispose();
  const T = padded.logp.cols;
  return outputs.map((o, i) => Array.from(data.subarray(i * T, i * T + o.logp.length)));
}

// ---------------------------------------------------------------- pitfalls

/**
 * Pitfall: divides by the POPULATION std (G) where the sample std (G - 1, torch .std(), TRL) is
 * claimed: every advantage comes out sqrt(G / (G - 1)) times too large.
 */
export function pitfallGroupAdvantagesPopulationStd(rewards: readonly number[]): number[] {
  assertRewards(rewards);
  return groupAdvantagesWith(rewards, { std: 'population' });
}

/** Pitfall: (r - mean) / std with no guard: a group of equal rewards gives 0 / 0 = NaN. */
export function pitfallGroupAdvantagesUnguarded(rewards: readonly number[]): number[] {
  assertRewards(rewards);
  const G = rewards.length;
  const mean = rewards.reduce((s, r) => s + r, 0) / G;
  const std = Math.sqrt(rewards.reduce((s, r) => s + (r - mean) ** 2, 0) / (G - 1));
  return rewards.map((r) => (r - mean) / std);
}

/** Pitfall: rho A with no clip: one batch can buy unbounded gain by moving rho far from 1. */
export function pitfallSurrogateWithoutClip(
  ratio: number,
  advantage: number,
  epsilon: number,
): number {
  clippedSurrogate(ratio, advantage, epsilon);
  return advantage === 0 ? advantage : ratio * advantage;
}

/** Pitfall: clip(rho, 1 - eps, 1 + eps) A without the min: optimistic where rho A is lower. */
export function pitfallSurrogateClipWithoutMin(
  ratio: number,
  advantage: number,
  epsilon: number,
): number {
  clippedSurrogate(ratio, advantage, epsilon);
  return Math.min(Math.max(ratio, 1 - epsilon), 1 + epsilon) * advantage;
}

/**
 * Pitfall: the mean over all tokens of the group (TRL's 'bnpo', DAPO's choice) where
 * DeepSeekMath's 1/G sum_i 1/|o_i| sum_t is claimed: long outputs then weigh more.
 */
export function pitfallTokenMeanAggregation(
  outputs: readonly GrpoOutput[],
  rewards: readonly number[],
  epsilon: number,
  beta: number,
): number {
  assertGrpoInputs(outputs, rewards, epsilon, beta, 'rewards');
  const advantages = groupAdvantages(rewards);
  let sum = 0;
  let tokens = 0;
  outputs.forEach((o, i) => {
    // one output at a time, summed rather than averaged
    sum += objectiveKernel([o], [advantages[i]!], epsilon, beta) * o.logp.length;
    tokens += o.logp.length;
  });
  return sum / tokens;
}

/** Pitfall: returns +J as the loss to minimise, so training lowers the reward. */
export function pitfallLossSign(
  outputs: readonly GrpoOutput[],
  rewards: readonly number[],
  epsilon: number,
  beta: number,
): number {
  return grpoObjective(outputs, rewards, epsilon, beta);
}

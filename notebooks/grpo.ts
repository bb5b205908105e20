/**
 * Notebook for Q37: the GRPO formula, why the clip, why the KL term.
 * Run: npm start -- run grpo
 */
import {
  clippedSurrogate,
  groupAdvantages,
  groupAdvantagesWith,
  grpoLossGrad,
  grpoLossGradTf,
  grpoLossTfValue,
  grpoObjective,
  pitfallTokenMeanAggregation,
  TRL_ADVANTAGES,
  type GrpoOutput,
} from '../ml/grpo.js';
import { klDivergence } from '../ml/kl-divergence.js';
import { logSoftmax, softmax } from '../ml/softmax.js';
import { tensorBackend } from '../core/backend.js';
import { rng, type Rng } from '../core/random.js';
import { defineNotebook } from '../notebook/index.js';

/** One draw from a categorical distribution. */
function draw(p: readonly number[], r: Rng): number {
  let u = r.uniform();
  for (let i = 0; i < p.length - 1; i++) if ((u -= p[i]!) < 0) return i;
  return p.length - 1;
}

/**
 * GRPO on a one-token "answer" bandit: the policy is softmax(theta) over K answers, a verifier
 * gives 1 to the correct ones. Each step samples a group of G answers, takes the group advantages
 * and the loss gradient d(-J)/d logp from ml/grpo.ts, and chains it to theta through
 * d logp_a / d theta = onehot(a) - softmax(theta). Returns the expected reward and
 * KL(pi_theta || pi_ref) after each step.
 */
function banditRun(beta: number, steps: number, seed: number) {
  const refLogits = [0.5, -1.5, 0.3, -0.5, 0];
  const correct = new Set([1, 3]);
  const piRef = softmax(refLogits);
  const logRef = logSoftmax(refLogits);
  const theta = [...refLogits];
  const r = rng(seed);
  const G = 8;
  const trace: { reward: number; kl: number }[] = [];
  for (let s = 0; s < steps; s++) {
    const pi = softmax(theta);
    const logPi = logSoftmax(theta);
    const answers = Array.from({ length: G }, () => draw(pi, r));
    const rewards = answers.map((a) => (correct.has(a) ? 1 : 0));
    const outputs: GrpoOutput[] = answers.map((a) => ({
      logp: [logPi[a]!],
      logpOld: [logPi[a]!],
      logpRef: [logRef[a]!],
    }));
    const grad = grpoLossGrad(outputs, groupAdvantages(rewards), 0.2, beta);
    answers.forEach((a, i) => {
      const g = grad[i]![0]!;
      for (let k = 0; k < theta.length; k++) {
        theta[k] = theta[k]! - 2 * g * ((k === a ? 1 : 0) - pi[k]!);
      }
    });
    const now = softmax(theta);
    trace.push({
      reward: now.reduce((sum, p, k) => sum + (correct.has(k) ? p : 0), 0),
      kl: klDivergence(now, piRef),
    });
  }
  return { trace, piRef, final: softmax(theta) };
}

export default defineNotebook(import.meta.url, 'grpo', async (nb) => {
  await nb.md(String.raw`
    ## The question
    *GRPO 公式, clip, KL 散度* (Q37): write the GRPO objective; why is the ratio clipped; why is
    there a KL term (and what is the KL formula, see the kl-divergence notebook)?

    ## The idea
    PPO needs a value network to say how good an answer is. GRPO (DeepSeekMath) drops it: for a
    prompt, sample a group of G answers from the current policy, score them, and use each
    answer's reward relative to its group as the advantage of all its tokens:
    $$A_i = \frac{r_i - \mathrm{mean}(r)}{\mathrm{std}(r)}$$

    Better-than-average answers are pushed up, worse ones down, and a group where every answer
    scored the same teaches nothing (advantage 0). Here std is the **sample** standard deviation
    (G - 1), as torch's .std() in TRL's GRPOTrainer; TRL adds 1e-4 to it, the textbook guards the
    zero instead:
  `);
  await nb.source('ml/grpo.ts', 'groupAdvantages');
  await nb.md(String.raw`
    The objective averages a clipped, ratio-weighted advantage over each answer's tokens, then over
    the group, minus a KL penalty to a frozen reference model; the loss is its negative:
    $$J = \frac{1}{G} \sum_{i=1}^{G} \frac{1}{|o_i|} \sum_{t=1}^{|o_i|} \Big[
      \min\big(\rho_{i,t} A_i,\ \mathrm{clip}(\rho_{i,t}, 1-\varepsilon, 1+\varepsilon)
      A_i\big) - \beta\, D_{i,t} \Big]$$

    with $\rho = \pi_\theta / \pi_{old}$ per token and
    $D = \pi_{ref}/\pi_\theta - \log(\pi_{ref}/\pi_\theta) - 1$ (Schulman's k3).
  `);
  await nb.source('ml/grpo.ts', 'grpoObjective');

  await nb.md`
    ## A tiny run: rewards [1, 0, 0, 1]
    Two of four answers are right. The conventions people mix up:
  `;
  const rewards = [1, 0, 0, 1];
  const sample = await nb.code(() => groupAdvantages(rewards));
  const population = groupAdvantagesWith(rewards, { std: 'population' });
  const trl = groupAdvantagesWith(rewards, TRL_ADVANTAGES);
  await nb.table(
    [
      { convention: 'sample std (G - 1), the textbook here', 'A of a right answer': sample[0]! },
      { convention: 'population std (G)', 'A of a right answer': population[0]! },
      { convention: 'TRL: sample std + 1e-4', 'A of a right answer': trl[0]! },
      {
        convention: 'Dr. GRPO: no scaling',
        'A of a right answer': groupAdvantagesWith(rewards, { std: 'none' })[0]!,
      },
    ],
    'The same group under four conventions',
  );
  await nb.check('sample std: sqrt(3) / 2', Number(sample[0]!.toFixed(4)), 0.866);
  await nb.check('population std: exactly 1', population.join(', '), '1, -1, -1, 1');
  await nb.check(
    'equal rewards [1, 1, 1]: advantage 0, no NaN',
    groupAdvantages([1, 1, 1]).join(', '),
    '0, 0, 0',
  );
  await nb.md`
    The advantages always sum to 0, so when the policy has not moved yet (rho = 1 on every
    token) the objective itself is 0: the signal is all in its gradient.
  `;

  await nb.md(String.raw`
    ## Why clip
    The answers were sampled from $\pi_{old}$, so $\rho A$ is a good estimate of the gain only
    while $\rho$ stays near 1. The min with the clipped term takes away any *extra* gain from
    pushing $\rho$ past $1 + \varepsilon$ (for $A > 0$) or below $1 - \varepsilon$ (for
    $A < 0$): once there, the gradient is 0, so several optimisation passes over one batch
    cannot run the policy far from the one that produced the data. It is one-sided: making a bad
    answer *more* likely keeps its full penalty. Inputs: one token, $\varepsilon = 0.2$.
  `);
  const ratios = [0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2];
  await nb.plot({
    kind: 'line',
    title: 'Per-token term min(rho A, clip(rho, 0.8, 1.2) A) against rho',
    x: { label: 'rho = pi_theta / pi_old', values: ratios },
    y: { label: 'term' },
    series: [
      { name: 'A = +1', values: ratios.map((r) => clippedSurrogate(r, 1, 0.2)) },
      { name: 'A = -1', values: ratios.map((r) => clippedSurrogate(r, -1, 0.2)) },
      { name: 'unclipped rho A, A = +1', values: ratios },
    ],
  });
  const capPos = Math.max(...ratios.map((r) => clippedSurrogate(r, 1, 0.2)));
  const capNeg = Math.max(...ratios.map((r) => clippedSurrogate(r, -1, 0.2)));
  await nb.check('A = +1: the term never exceeds (1 + eps) A', capPos, 1.2);
  await nb.check('A = -1: the term never exceeds (1 - eps) A', capNeg, -0.8);
  await nb.check('A = -1 at rho = 2: the penalty is kept, rho A', clippedSurrogate(2, -1, 0.2), -2);

  await nb.md(String.raw`
    ## Why a KL term
    The reward is all the policy is trained on; left alone it drifts as far from the SFT model as
    the reward allows (and exploits whatever the reward gets wrong). $-\beta D$ pulls it back
    toward $\pi_{ref}$, per token, inside the loss rather than folded into the reward. A toy:
    one-token answers from softmax over 5 answers, answers 1 and 3 are right, groups of 8, 60 steps,
    the gradient of ml/grpo.ts chained to the logits. What we see after training:
  `);
  const runs = [0, 0.05, 0.2].map((beta) => ({ beta, ...banditRun(beta, 60, 3) }));
  await nb.table(
    runs.map(({ beta, trace }) => ({
      beta,
      'reward after 10 steps': trace[9]!.reward,
      'reward after 60': trace[59]!.reward,
      'KL(pi || pi_ref) after 60': trace[59]!.kl,
    })),
    'Expected reward and distance from the reference (same seed)',
  );
  const [free, , tight] = runs;
  const refReward = tight!.piRef[1]! + tight!.piRef[3]!;
  await nb.claim(
    'a larger beta keeps the policy nearer the reference',
    tight!.trace[59]!.kl < free!.trace[59]!.kl,
    `KL ${tight!.trace[59]!.kl.toFixed(3)} at beta = 0.2, ${free!.trace[59]!.kl.toFixed(3)} at 0`,
  );
  await nb.claim(
    'and still learns: the expected reward rises above the reference policy',
    tight!.trace[59]!.reward > refReward,
    `${tight!.trace[59]!.reward.toFixed(3)} vs ${refReward.toFixed(3)} under pi_ref`,
  );

  await nb.md`
    ## Pitfalls: the aggregation and the sign
    DeepSeekMath averages over each answer's tokens and then over answers, so every answer weighs
    1/G whatever its length. Averaging over all tokens of the group (TRL's 'bnpo', DAPO's choice)
    is a different objective: a long answer weighs more. Inputs: a right answer of 1 token and a
    wrong answer of 4 tokens, each token already moved to rho = 1.1, eps = 0.2, and log pi_ref
    0.3 below log pi_theta.
  `;
  const up = Math.log(1.1);
  const outputs: GrpoOutput[] = [
    { logp: [-1], logpOld: [-1 - up], logpRef: [-1.3] },
    { logp: [-1, -1, -1, -1], logpOld: Array(4).fill(-1 - up), logpRef: [-1.3, -1.3, -1.3, -1.3] },
  ];
  const perOutput = grpoObjective(outputs, [1, 0], 0.2, 0);
  const tokenMean = pitfallTokenMeanAggregation(outputs, [1, 0], 0.2, 0);
  await nb.check('per-output mean: (1.1 A - 1.1 A) / 2 = 0', perOutput, 0, { tol: 1e-12 });
  await nb.check(
    'token mean: (1.1 A - 4 x 1.1 A) / 5, the long wrong answer dominates',
    tokenMean,
    (1.1 * Math.SQRT1_2 * (1 - 4)) / 5,
  );
  await nb.md`
    The optimiser minimises the loss, which is -J: a loss equal to J trains the model away from
    the reward. The hand gradient of -J is negative on the tokens of the right answer (raise their
    probability) and positive on the wrong one:
  `;
  const grad = await nb.code(() => grpoLossGrad(outputs, groupAdvantages([1, 0]), 0.2, 0));
  await nb.claim(
    'd(-J)/d logp < 0 for the right answer, > 0 for the wrong one',
    grad[0]!.every((g) => g < 0) && grad[1]!.every((g) => g > 0),
    `${grad[0]![0]!.toFixed(4)} and ${grad[1]![0]!.toFixed(4)}`,
  );
  const { name } = await tensorBackend();
  const a = groupAdvantages([1, 0]);
  const viaTf = await grpoLossTfValue(outputs, a, 0.2, 0.04);
  const gradTf = await grpoLossGradTf(outputs, a, 0.2, 0.04);
  const handB = grpoLossGrad(outputs, a, 0.2, 0.04);
  const gap = Math.max(
    ...gradTf.flatMap((row, i) => row.map((g, t) => Math.abs(g - handB[i]![t]!))),
  );
  await nb.check(
    `tfjs (${name}) loss on padded [2, 4] tensors with a mask, beta = 0.04`,
    viaTf,
    -grpoObjective(outputs, [1, 0], 0.2, 0.04),
    { tol: 1e-5 },
  );
  await nb.claim(
    'tf.grad agrees with the hand gradient',
    gap < 1e-5,
    `max |difference| = ${gap.toExponential(2)}`,
  );

  await nb.md`
    ## Complexity
    Given the per-token log-probabilities, O(sum_i |o_i|) per group; getting them costs a forward
    pass of the policy, the old policy (only when one batch is reused for several steps) and the
    reference over all G answers. No value network is trained or stored.

    ## When not to use it
    Every prompt costs G samples, and prompts whose group all agree (all right or all wrong) give
    zero advantage and no gradient. Outcome rewards give every token of an answer the same credit.
    Dividing by the group's std weighs prompts by how split their group is (the Dr. GRPO argument,
    which TRL's documentation cites, for not scaling). When a learned per-token value is cheap and
    accurate, PPO's critic can give finer credit than a group baseline.
  `;
});

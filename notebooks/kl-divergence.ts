/**
 * Notebook for Q37's KL formula: exact KL, its asymmetry, PyTorch's kl_div conventions, and
 * Schulman's k1, k2, k3 estimators with their bias and variance.
 * Run: npm start -- run kl-divergence
 */
import {
  batchKl,
  estimateKl,
  gaussianEstimatorMoments,
  gaussianEstimatorTable,
  k1,
  k2,
  k3,
  klDivergence,
  klFromLogitsRows,
  klFromLogitsTfMatrix,
  pitfallKlDivMeanReduction,
  pitfallKlDivWithProbabilities,
  SCHULMAN_TABLE,
  torchKlDiv,
} from '../ml/kl-divergence.js';
import { entropy } from '../ml/softmax.js';
import { tensorBackend } from '../core/backend.js';
import { fromRows, randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { defineNotebook } from '../notebook/index.js';

export default defineNotebook(import.meta.url, 'kl-divergence', async (nb) => {
  await nb.md(String.raw`
    ## The question
    *GRPO 公式, clip, KL 散度* (Q37), the KL part: write down the KL divergence, say why it is
    not symmetric, and say how GRPO and PPO-style trainers estimate it from the sampled tokens
    alone.

    ## The idea
    KL(p || q) is the extra cost, in nats, of coding outcomes of p with a code built for q: the
    expectation under p of the log-ratio. It is never negative, and it is 0 only when p = q:
    $$\mathrm{KL}(p  \Vert  q) = \sum_x p(x) \log \frac{p(x)}{q(x)}, \qquad
    \mathrm{CE}(p, q) = H(p) + \mathrm{KL}(p  \Vert  q)$$
    The whiteboard answer, read from ml/kl-divergence.ts:
  `);
  await nb.source('ml/kl-divergence.ts', 'klDivergence');

  await nb.md`
    ## A worked case: binomial against uniform
    Kullback's example 2.1 (the one Wikipedia shows): P = binomial(2, 0.4) = [0.36, 0.48, 0.16]
    against the uniform Q on three outcomes.
  `;
  const pq = await nb.code(() => klDivergence([0.36, 0.48, 0.16], [1 / 3, 1 / 3, 1 / 3]));
  const qp = await nb.code(() => klDivergence([1 / 3, 1 / 3, 1 / 3], [0.36, 0.48, 0.16]));
  await nb.check('KL(P || Q), published 0.0852996', Number(pq.toFixed(7)), 0.0852996);
  await nb.check('KL(Q || P), published 0.097455', Number(qp.toFixed(6)), 0.097455);
  await nb.claim(
    'not symmetric: the two directions differ',
    Math.abs(pq - qp) > 0.01,
    `${pq.toFixed(4)} vs ${qp.toFixed(4)}`,
  );
  const ce = -[0.36, 0.48, 0.16].reduce((s, p) => s + p * Math.log(1 / 3), 0);
  await nb.check('CE(P, Q) = H(P) + KL(P || Q)', ce, entropy([0.36, 0.48, 0.16]) + pq);
  await nb.md`
    The direction matters most at the edges: KL(p || q) is infinite when q gives 0 to an outcome
    p produces, and ignores outcomes p never produces.
  `;
  await nb.check('KL([0.5, 0.5] || [1, 0])', String(klDivergence([0.5, 0.5], [1, 0])), 'Infinity');
  await nb.check('KL([1, 0] || [0.5, 0.5]) = ln 2', klDivergence([1, 0], [0.5, 0.5]), Math.LN2);

  await nb.md(String.raw`
    ## From logits, and PyTorch's kl_div
    Models hand out logits, so KL is taken through log-softmax (no exp overflow). The tfjs twin
    does the same on a [batch, vocab] tensor. Inputs: two random [4, 6] logit matrices.
  `);
  const g = rng(5);
  const a = randomMatrix(4, 6, g);
  const b = randomMatrix(4, 6, g);
  const rows = await nb.code(() => klFromLogitsRows(a, b));
  const { name } = await tensorBackend();
  const viaTf = await klFromLogitsTfMatrix(a, b);
  const gap = Math.max(...viaTf.map((v, i) => Math.abs(v - rows[i]!)));
  await nb.claim(
    `tfjs (${name}, float32) gives the same rows`,
    gap < 1e-4,
    `max |difference| = ${gap.toExponential(2)}`,
  );
  await nb.md(String.raw`
    PyTorch's F.kl_div(input, target) computes $\sum \text{target} (\log \text{target} -
    \text{input})$: **input must be log q**, target is p, and the result is KL(p || q) with p
    second. Its reduction 'batchmean' divides by the batch size, which is the mean KL per row;
    'mean' divides by every element, B V. Inputs: P and its uniform Q above as a batch of one row.
  `);
  const p1 = fromRows([[0.36, 0.48, 0.16]]);
  const q1 = fromRows([[1 / 3, 1 / 3, 1 / 3]]);
  const logQ1 = fromRows([[Math.log(1 / 3), Math.log(1 / 3), Math.log(1 / 3)]]);
  await nb.table(
    [
      { call: "kl_div(q.log(), p, 'batchmean')", value: torchKlDiv(logQ1, p1, 'batchmean') },
      { call: 'batchKl(p, q)', value: batchKl(p1, q1) },
      { call: "kl_div(q.log(), p, 'mean')", value: pitfallKlDivMeanReduction(p1, q1) },
      { call: "kl_div(q, p, 'batchmean')", value: pitfallKlDivWithProbabilities(p1, q1) },
    ],
    "The right call, and the two slips ('mean' is off by V = 3; probabilities give nonsense)",
  );
  await nb.check(
    "'mean' is 'batchmean' divided by V = 3",
    pitfallKlDivMeanReduction(p1, q1),
    batchKl(p1, q1) / 3,
  );

  await nb.md(String.raw`
    ## Estimating KL from samples: Schulman's k1, k2, k3
    In RL on an LLM we do not sum over the vocabulary of every position; we have the sampled
    tokens $x \sim q$ and their log-probabilities under two models. With $r = p(x) / q(x)$:
    $$k_1 = -\log r, \qquad k_2 = \tfrac{1}{2} (\log r)^2, \qquad k_3 = (r - 1) - \log r$$

    All three estimate $\mathrm{KL}(q  \Vert  p)$. $k_1$ is unbiased but negative whenever
    $p(x) > q(x)$; $k_3$ adds $r - 1$, whose mean under q is 0, so it stays unbiased, and it is
    $\ge 0$ for every sample because $\log r \le r - 1$. In GRPO $q = \pi_\theta$ and
    $p = \pi_{ref}$.
  `);
  await nb.source('ml/kl-divergence.ts', 'k3');
  const lp = Math.log(0.2);
  const lq = Math.log(0.5);
  await nb.table(
    [
      { estimator: 'k1 = -log r', 'value at r = 0.4': k1(lp, lq) },
      { estimator: 'k2 = (log r)^2 / 2', 'value at r = 0.4': k2(lp, lq) },
      { estimator: 'k3 = (r - 1) - log r', 'value at r = 0.4': k3(lp, lq) },
      { estimator: 'k1 at r = 2.5 (p, q swapped)', 'value at r = 0.4': k1(lq, lp) },
    ],
    'One sample each: k1 can be negative, k2 and k3 cannot',
  );
  const q = [0.2, 0.5, 0.3];
  const p = [0.4, 0.4, 0.2];
  const exact = klDivergence(q, p);
  const est = await nb.code(() => estimateKl(q, p, 50_000, rng(2), 'k3'));
  await nb.check('k3 from 50,000 samples x ~ q vs exact KL(q || p)', est, exact, { tol: 0.003 });

  await nb.md(String.raw`
    ## Schulman's table: q = N(0, 1), p = N(mu, 1)
    Here $\log r = \mu x - \mu^2/2$ with $x \sim N(0, 1)$, so $\mathrm{KL} = \mu^2 / 2$ (0.005 at
    $\mu = 0.1$) and every moment has a closed form (derived in the module). His table, from 10M
    samples, beside the closed forms and a seeded run of 50,000:
  `);
  const n = 50_000;
  const biasRows = [];
  const stdRows = [];
  let worstBias = 0;
  for (const mu of [0.1, 1] as const) {
    const closed = gaussianEstimatorMoments(mu);
    const sampled = gaussianEstimatorTable(mu, n, rng(7));
    const published = SCHULMAN_TABLE[String(mu) as '0.1' | '1'];
    for (let i = 0; i < 3; i++) {
      const [c, s, pub] = [closed[i]!, sampled[i]!, published[i]!];
      biasRows.push({
        mu,
        estimator: c.estimator,
        'his table': pub.biasOverTrue,
        exact: Number(c.biasOverTrue.toFixed(4)),
        [`sampled, n = ${n}`]: Number(s.biasOverTrue.toFixed(4)),
      });
      stdRows.push({
        mu,
        estimator: c.estimator,
        'his table': pub.stdOverTrue,
        exact: Number(c.stdOverTrue.toFixed(3)),
        [`sampled, n = ${n}`]: Number(s.stdOverTrue.toFixed(3)),
      });
      // how many standard errors of an n-sample mean the sampled bias is from the exact one
      const se = c.stdOverTrue / Math.sqrt(n);
      worstBias = Math.max(worstBias, Math.abs(s.biasOverTrue - c.biasOverTrue) / se);
    }
  }
  await nb.table(biasRows, 'Bias relative to the true KL, (E[k] - KL) / KL');
  await nb.table(stdRows, 'Standard deviation of one sample relative to the true KL');
  await nb.claim(
    'every sampled bias is within 4 standard errors of the closed form',
    worstBias < 4,
    `worst: ${worstBias.toFixed(2)} standard errors (std / KL / sqrt(n))`,
  );
  const m01 = gaussianEstimatorMoments(0.1);
  const m1 = gaussianEstimatorMoments(1);
  await nb.check(
    'closed forms at mu = 0.1, rounded: std/true of k1, k2, k3',
    [Math.round(m01[0]!.stdOverTrue), ...[1, 2].map((i) => m01[i]!.stdOverTrue.toFixed(2))].join(
      ', ',
    ),
    '20, 1.42, 1.42',
  );
  await nb.check(
    'closed forms at mu = 1, rounded: k2 bias, std/true of k1, k2, k3',
    [
      m1[1]!.biasOverTrue.toFixed(2),
      Math.round(m1[0]!.stdOverTrue),
      m1[1]!.stdOverTrue.toFixed(2),
      m1[2]!.stdOverTrue.toFixed(1),
    ].join(', '),
    '0.25, 2, 1.73, 1.7',
  );
  await nb.md`
    One number differs: k2's bias at mu = 0.1 is mu^2 / 4 = 0.0025 exactly, and his table prints
    0.002. A 10M-sample mean of k2 has a standard error of 1.418 / sqrt(10^7) = 0.00045 relative
    to the KL, so 0.002 is about one standard error from 0.0025: a sampled value, not a
    contradiction.
  `;

  const mus = [0.05, 0.1, 0.2, 0.5, 1, 1.5, 2];
  const moments = mus.map((mu) => gaussianEstimatorMoments(mu));
  await nb.plot({
    kind: 'line',
    title: 'Std of one sample / true KL, q = N(0,1), p = N(mu,1) (closed forms)',
    x: { label: 'mu', values: mus },
    y: { label: 'std / KL', log: true },
    series: ['k1', 'k2', 'k3'].map((k, i) => ({
      name: k,
      values: moments.map((rowsAtMu) => rowsAtMu[i]!.stdOverTrue),
    })),
  });
  await nb.claim(
    'k1 is 2 / mu times the KL: hopeless when the policies are close',
    Math.abs(moments[0]![0]!.stdOverTrue - 40) < 1e-9,
    `std/true ${moments[0]![0]!.stdOverTrue.toFixed(1)} at mu = 0.05`,
  );

  await nb.md`
    ## Complexity
    Exact KL is O(V) per distribution; a Monte-Carlo estimate from n samples is O(n) evaluations
    of two log-probabilities, whatever the size of the space, which is why RL trainers use it.

    ## When not to use it
    The estimators need x ~ q: with samples from another policy they need importance weights. An
    unbiased value is not an unbiased gradient: putting k3 into a loss and differentiating it is a
    modelling choice (GRPO makes it), not a consequence of the table. When both distributions are
    at hand (distillation over a vocabulary), take the exact KL from the logits instead.
  `;
});

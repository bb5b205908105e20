/**
 * Notebook for Q47 (MMoE gate weights: uniform or skewed?) and Q48 (the seesaw problem).
 * Run: npm start -- run mmoe   (or: npx tsx notebooks/mmoe.ts)
 */
import { tensorBackend } from '../core/backend.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';
import { gateEntropies, mixExperts } from '../ml/gates.js';
import { mlpForward } from '../ml/mlp.js';
import {
  initMmoe,
  mmoeForward,
  mmoeForwardTfMatrix,
  mmoeModel,
  pitfallSharedGateForAllTasks,
  type MmoeResult,
} from '../ml/mmoe/index.js';
import {
  initSharedBottom,
  sharedBottomForward,
  sharedBottomModel,
} from '../ml/multi-task/shared-bottom.js';
import { columnCorrelation, gateDistance, gateStats } from '../ml/multi-task/stats.js';
import { sliceRows, syntheticTasks } from '../ml/multi-task/synthetic.js';
import { fitAndScore } from '../ml/multi-task/train.js';
import { towersForward } from '../ml/multi-task/towers.js';

const f3 = (v: number) => v.toFixed(3);

export default defineNotebook(import.meta.url, 'mmoe', async (nb) => {
  await nb.md`
    ## The questions
    *MMOE gate 权重: 是均匀的好 (0.25 each) 还是不均匀的好?* Should an MMoE gate spread its weight
    evenly over 4 experts or concentrate it? *跷跷板问题:* what is the seesaw problem of multi-task
    learning, and what do MMoE and PLE do about it?

    ## The model
    Shared-bottom: every task's tower reads the same bottom network, y_k = sigmoid(h_k(f(x))).
    MMoE (Ma et al., KDD 2018) replaces the bottom by E experts f_1..f_E and gives **each task its own
    gate** g_k(x) = softmax(W_gk x), with W_gk of shape [E, d] and no bias:

    The gate is the shared helper \`softmaxGate\` of ml/gates.ts (softmax over expert scores, then the
    weighted sum of the expert outputs). Every gate sees the same raw x; what differs between tasks
    is W_gk.
  `;
  await nb.md(String.raw`
    $$g_k(x) = \mathrm{softmax}(W_{gk} x), \qquad y_k = \sigma\Big(h_k\big(\textstyle\sum_e g_k(x)_e f_e(x)\big)\Big)$$
    The whiteboard answer, read from ml/mmoe/index.ts:
  `);
  await nb.source('ml/mmoe/index.ts', 'mmoeForward');
  await nb.md`
    Inputs: config { inputDim: 4, tasks: 2, experts: 3, expertUnits: [6], towerUnits: [4] }, weights
    from rng(1), a batch x of 3 standard normal rows from rng(2).
  `;

  const config = { inputDim: 4, tasks: 2, experts: 3, expertUnits: [6], towerUnits: [4] };
  const params = initMmoe(config, rng(1));
  const x = randomMatrix(3, 4, rng(2));
  const out = await nb.code(() => mmoeForward(params, x));
  await nb.check(
    'gate weights of task 0, input 0, sum to 1',
    out.gates[0]!.data.subarray(0, 3).reduce((s, w) => s + w, 0),
    1,
    { tol: 1e-12 },
  );
  const { name } = await tensorBackend();
  const gap = maxAbsDiff(out.logits, (await mmoeForwardTfMatrix(params, x)).logits);
  await nb.claim(
    `the tfjs twin (backend ${name}, float32) computes the same logits`,
    gap < 1e-5,
    `max |difference| = ${gap.toExponential(2)} < 1e-5`,
  );

  await nb.md`
    ## The pitfall: one gate for every task
    A common wrong MMoE keeps one gate (here task 0's) for all tasks: every tower then reads the same
    mixture, and the "multi-gate" part is gone. Same inputs as above:
  `;
  const wrong = await nb.code(() =>
    pitfallSharedGateForAllTasks(params, x).gates.map((g) => g.data[0]),
  );
  await nb.claim(
    "the pitfall's task-1 gate is task 0's, MMoE's is its own",
    wrong[1] === wrong[0] && out.gates[1]!.data[0] !== out.gates[0]!.data[0],
    `pitfall: ${wrong.map((w) => w!.toFixed(4)).join(' = ')}; MMoE: ${out.gates[0]!.data[0]!.toFixed(4)} vs ${out.gates[1]!.data[0]!.toFixed(4)}`,
  );

  const one = initMmoe({ ...config, experts: 1 }, rng(3));
  const sameAsShared = maxAbsDiff(
    mmoeForward(one, x).probs,
    sharedBottomForward({ bottom: one.experts[0]!, towers: one.towers }, x).probs,
  );
  await nb.md`With a single expert every softmax weight is exactly 1, so MMoE *is* shared-bottom:`;
  await nb.check('max |MMoE(E = 1) - shared-bottom| over the batch', sameAsShared, 0);

  await nb.md`
    ## Q47: the two extremes are both shared-bottom
    A **uniform** gate (0.25 each for 4 experts, for every input and every task) gives every task the
    same mixture, the mean of the experts: the towers all read one shared representation, which is
    shared-bottom with a wider bottom. A **collapsed** gate (all weight on one expert, for every task)
    is shared-bottom over that one expert. Zeroing W_g gives exactly the uniform gate:
  `;
  const uniform = { ...params, gates: params.gates.map((g) => matrix(g.rows, g.cols)) };
  const u = mmoeForward(uniform, x);
  const expertOutputs = params.experts.map((layers) => mlpForward(layers, x));
  const meanExpert = mixExperts(matrix(3, 3, new Float64Array(9).fill(1 / 3)), expertOutputs);
  await nb.check(
    'entropy of a uniform gate over 3 experts = ln 3',
    gateEntropies(u.gates[0]!)[0]!,
    Math.log(3),
    { tol: 1e-12 },
  );
  await nb.check(
    'uniform gates: MMoE = towers on the mean expert (max |difference|)',
    maxAbsDiff(u.logits, towersForward(params.towers, [meanExpert, meanExpert]).logits),
    0,
    { tol: 1e-12 },
  );
  const collapsed = mixExperts(
    fromRows([
      [0, 1, 0],
      [0, 1, 0],
      [0, 1, 0],
    ]),
    expertOutputs,
  );
  await nb.check(
    'collapsed gate (one-hot on expert 1): its mixture is expert 1 (max |difference|)',
    maxAbsDiff(collapsed, expertOutputs[1]!),
    0,
  );

  await nb.md`
    So the useful gate is neither: what MMoE adds over shared-bottom is that **task gates differ
    from each other** (tasks weight the experts differently) and **depend on x** (different inputs
    use different experts). Three numbers per task say which regime a trained gate is in:
    the mean per-input entropy (ln E = 1.386 for E = 4 when uniform, 0 when one-hot), the entropy
    of the gate averaged over inputs (low means the task uses few experts overall: a collapse), and
    the distance between the two tasks' gates (total variation, 0 = same mixture).

    ## A seeded two-task set and a short training run
    The MMoE paper's synthetic tasks: orthonormal u1, u2, w1 = u1, w2 = p u1 + sqrt(1 - p^2) u2,
    y_t = w_t . x + sum_j sin(alpha_j w_t . x + beta_j) + noise; the label is y_t above its median.
    p sets how related the tasks are. To make the competition for shared capacity visible in a run
    of seconds, every expert (and the shared bottom) has **one** hidden unit; towers have 8. Adam,
    full batch, 150 steps, tfjs on ${name}; weights start from the project's seeded Rng.
  `;
  const data = (p: number) => {
    const all = syntheticTasks({ n: 6000, inputDim: 8, correlation: p, noise: 1 }, rng(7));
    return { all, train: sliceRows(all, 0, 4000), test: sliceRows(all, 4000, 6000) };
  };
  const base = { inputDim: 8, tasks: 2, towerUnits: [8] };
  const options = { steps: 150, learningRate: 0.02 };
  const unrelated = data(0);
  const related = data(0.9);
  await nb.table(
    [
      {
        p: 0,
        'corr(y1, y2)': f3(columnCorrelation(unrelated.all.targets, 0, 1)),
        'corr(labels)': f3(columnCorrelation(unrelated.all.labels, 0, 1)),
      },
      {
        p: 0.9,
        'corr(y1, y2)': f3(columnCorrelation(related.all.targets, 0, 1)),
        'corr(labels)': f3(columnCorrelation(related.all.labels, 0, 1)),
      },
    ],
    'How related the two tasks are',
  );

  const runAll = async (d: ReturnType<typeof data>) => {
    const sb = (units: number) => initSharedBottom({ ...base, expertUnits: [units] }, rng(11));
    return {
      single0: await fitAndScore('single-task 0', sharedBottomModel, sb(1), d.train, d.test, {
        ...options,
        taskWeights: [1, 0],
      }),
      single1: await fitAndScore('single-task 1', sharedBottomModel, sb(1), d.train, d.test, {
        ...options,
        taskWeights: [0, 1],
      }),
      shared: await fitAndScore(
        'shared-bottom, width 1',
        sharedBottomModel,
        sb(1),
        d.train,
        d.test,
        options,
      ),
      wide: await fitAndScore(
        'shared-bottom, width 4',
        sharedBottomModel,
        sb(4),
        d.train,
        d.test,
        options,
      ),
      mmoe: await fitAndScore(
        'MMoE, 4 experts of width 1',
        mmoeModel,
        initMmoe({ ...base, experts: 4, expertUnits: [1] }, rng(11)),
        d.train,
        d.test,
        options,
      ),
    };
  };
  const r0 = await runAll(unrelated);
  const r9 = await runAll(related);
  const rows = (p: number, r: typeof r0) =>
    Object.values(r).map((run) => ({
      p,
      model: run.name,
      'AUC task 0': f3(run.scores.auc[0]!),
      'AUC task 1': f3(run.scores.auc[1]!),
      'log loss 0': f3(run.scores.logLoss[0]!),
      'log loss 1': f3(run.scores.logLoss[1]!),
    }));
  await nb.table(
    [...rows(0, r0), ...rows(0.9, r9)],
    'Held-out AUC and log loss per task (single-task rows: only that task is trained; its other column is not meaningful)',
  );

  await nb.md`## Q47: what the trained gates look like`;
  const gates = (r: { test: unknown }) => (r.test as MmoeResult).gates;
  const g0 = gates(r0.mmoe);
  const g9 = gates(r9.mmoe);
  const stats = [
    ...g0.map((g, k) => ({ p: 0, k, g })),
    ...g9.map((g, k) => ({ p: 0.9, k, g })),
  ].map(({ p, k, g }) => {
    const s = gateStats(g);
    return {
      p,
      task: k,
      'mean entropy': f3(s.meanEntropy),
      'entropy of mean gate': f3(s.entropyOfMean),
      'mean weights': Array.from(s.meanWeights).map(f3).join(' '),
    };
  });
  await nb.table(
    stats,
    `Per-task gate statistics on the test set (uniform: ${f3(Math.log(4))} nats)`,
  );
  const apart0 = gateDistance(g0[0]!, g0[1]!);
  const apart9 = gateDistance(g9[0]!, g9[1]!);
  await nb.table([
    { p: 0, 'TV distance between the tasks gates': f3(apart0) },
    { p: 0.9, 'TV distance between the tasks gates': f3(apart9) },
  ]);
  await nb.plot({
    kind: 'heatmap',
    title: 'Mean gate weight per task and expert (p = 0)',
    rows: { label: 'task', names: ['task 0', 'task 1'] },
    cols: { label: 'expert', names: ['e0', 'e1', 'e2', 'e3'] },
    values: g0.map((g) => Array.from(gateStats(g).meanWeights)),
  });
  const s00 = gateStats(g0[0]!);
  const s01 = gateStats(g0[1]!);
  await nb.claim(
    'p = 0: the trained gates are skewed per input (mean entropy well under ln 4) but not collapsed overall',
    Math.max(s00.meanEntropy, s01.meanEntropy) < 0.8 * Math.log(4) &&
      Math.min(s00.entropyOfMean, s01.entropyOfMean) > 0.5 * Math.log(4),
    `mean entropy ${f3(s00.meanEntropy)}, ${f3(s01.meanEntropy)} < ${f3(0.8 * Math.log(4))}; entropy of the mean gate ${f3(s00.entropyOfMean)}, ${f3(s01.entropyOfMean)} > ${f3(0.5 * Math.log(4))}`,
  );
  await nb.claim(
    'p = 0: the two tasks mix the experts differently',
    apart0 > 0.1,
    `TV distance ${f3(apart0)} > 0.1`,
  );

  await nb.md`
    **Answer to Q47.** Uniform 0.25 everywhere is not the goal, and neither is a hard one-hot: both
    make every task read the same representation. Skewed *per input* and *different per task* is what
    a working MMoE gate looks like, and what this run shows. The gates also differ between tasks at
    p = 0.9 (see the distance table), so the distance between gates is not a measure of how related
    the tasks are. A gate whose average weight piles onto one expert for every task (entropy of the
    mean gate near 0) is the failure to watch for (gate polarisation); remedies in use include
    dropout on the gate outputs (YouTube's multitask ranker, Zhao et al. RecSys 2019), a penalty
    that balances the mean gate weights, or experts owned by each task (PLE).

    ## Q48: the seesaw
  `;
  const drop = (r: typeof r0, k: 0 | 1) =>
    (k === 0 ? r.single0 : r.single1).scores.auc[k]! - r.shared.scores.auc[k]!;
  const worse = drop(r0, 0) > drop(r0, 1) ? 0 : 1;
  const seesaw = drop(r0, worse);
  const mmoeGap = Math.max(
    r0.single0.scores.auc[0]! - r0.mmoe.scores.auc[0]!,
    r0.single1.scores.auc[1]! - r0.mmoe.scores.auc[1]!,
  );
  await nb.claim(
    'p = 0, shared-bottom of width 1: one task keeps its single-task AUC and the other loses a lot (the seesaw)',
    seesaw > 0.1 && Math.min(drop(r0, 0), drop(r0, 1)) < 0.02,
    `task ${worse} AUC ${f3(r0.shared.scores.auc[worse]!)} vs ${f3((worse === 0 ? r0.single0 : r0.single1).scores.auc[worse]!)} single-task (drop ${f3(seesaw)}); the other task drops ${f3(Math.min(drop(r0, 0), drop(r0, 1)))}`,
  );
  await nb.claim(
    'p = 0, MMoE with experts of the same width: both tasks within 0.03 AUC of single-task',
    mmoeGap < 0.03,
    `largest drop ${f3(mmoeGap)}`,
  );
  const related9 = Math.max(drop(r9, 0), drop(r9, 1));
  await nb.claim(
    'p = 0.9: the same narrow shared-bottom serves both tasks (no seesaw when tasks agree)',
    related9 < 0.03,
    `largest drop vs single-task ${f3(related9)}`,
  );
  await nb.plot({
    kind: 'bar',
    title: 'Held-out AUC per task, p = 0 (unrelated tasks)',
    categories: ['single-task', 'shared-bottom w=1', 'shared-bottom w=4', 'MMoE 4 x w=1'],
    y: { label: 'AUC' },
    series: [0, 1].map((k) => ({
      name: `task ${k}`,
      values: [
        (k === 0 ? r0.single0 : r0.single1).scores.auc[k]!,
        r0.shared.scores.auc[k]!,
        r0.wide.scores.auc[k]!,
        r0.mmoe.scores.auc[k]!,
      ],
    })),
  });
  await nb.md`
    **Answer to Q48.** The seesaw: when tasks share parameters and pull them in different directions,
    training improves one task at the other's expense, so the multi-task model is better than
    single-task on one task and worse on the other. Here it shows at p = 0 as a narrow shared bottom
    that serves one task and abandons the other, and disappears at p = 0.9. MMoE with experts of the
    same width lets each task choose its own mixture and keeps both near single-task. This run is
    small: a shared bottom of width 4 also fixes it here, because two tasks need only two directions,
    so it says "a task-specific route through shared capacity removes this conflict", not "MMoE beats
    any shared-bottom". PLE (Q46) adds experts each task owns, the next step when gates alone cannot
    separate the tasks.

    ## Complexity
    Per example: E expert MLPs, T gates of d E multiply-adds, T mixtures of E d_e, T towers; the
    gates are cheap next to the experts.

    ## When not to use it
    With one task, or tasks that agree (p near 1), shared-bottom is as good and simpler. If the gates
    collapse onto one expert, MMoE has become shared-bottom at a higher cost: check the gate
    entropies before claiming the experts specialise. For strongly conflicting tasks, PLE's
    task-specific experts (ml/ple/) are the usual next step.
  `;
});

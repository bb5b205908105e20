/**
 * Notebook for Q31 (DeepSeek's MoE routing), Q32 (serving an MoE with limited resources: where the
 * experts go) and Q39 (is a trained MoE healthy?).
 * Run: npm start -- run moe-routing   (or: npx tsx notebooks/moe-routing.ts)
 */
import { Counter } from '../core/counter.js';
import { fromRows, randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { tensorBackend } from '../core/backend.js';
import { defineNotebook } from '../notebook/index.js';
import {
  applyCapacity,
  DEEPSEEK_V3,
  deepseekMoeForward,
  deepseekV3Route,
  expertCapacity,
  expertCombinations,
  expertLoad,
  expertUtilisation,
  fineGrainedLayer,
  initMoeLayer,
  pitfallBiasUpdateTowardsLoad,
  pitfallCapacityFromTopOne,
  pitfallTopKWithoutRenormalising,
  pitfallV3WeightsFromBiasedScores,
  placeExperts,
  roundRobinPlacement,
  simulateBiasBalancing,
  switchLoss,
  topKRoute,
  topKRouteLogits,
  topKRouteTfMatrix,
  type UtilisationStats,
} from '../ml/moe-routing/index.js';

const f2 = (v: number) => v.toFixed(2);
const f3 = (v: number) => v.toFixed(3);
const sum = (v: readonly number[]) => v.reduce((s, x) => s + x, 0);
const meanOf = (v: readonly number[]) => sum(v) / v.length;

export default defineNotebook(import.meta.url, 'moe-routing', async (nb) => {
  await nb.md`
    ## The questions
    - Q31 *Deepseek MOE 路由机制*: how does DeepSeek's MoE route tokens to experts?
    - Q32 *资源有限的 moe 服务*: serving an MoE with limited resources; which
      experts go on which machine? (The tensor-parallel side: notebook
      tensor-parallel.)
    - Q39 *验证 moe 模型是否有效*: how do you check that a trained MoE works?

    ## The idea
    An MoE layer replaces one feed-forward network by N experts and a router.
    The router scores each token against every expert, keeps the k best and
    mixes their outputs. Parameters grow with N; compute grows only with k.
    Everything else is about keeping the router honest: spreading the load so
    that no expert is swamped or starved.
  `;
  await nb.md(String.raw`
    $$p = \mathrm{softmax}(x W_g^T), \qquad g_e = \frac{p_e}{\sum_{j \in \mathrm{TopK}(p)} p_j}, \qquad y = \sum_{e \in \mathrm{TopK}(p)} g_e E_e(x)$$

    The whiteboard answer, read from ml/moe-routing/index.ts. The softmax
    comes from the gate that MMoE and PLE use (ml/gates.ts):
  `);
  await nb.source('ml/moe-routing/index.ts', 'topKRoute');
  await nb.md`
    Inputs: one token x = [1, 0] and a gate whose three rows score it 2, 1
    and 0; k = 2.
  `;
  const x1 = fromRows([[1, 0]]);
  const gate3 = fromRows([
    [2, 0],
    [1, 0],
    [0, 0],
  ]);
  const routed = await nb.code(() => {
    const { experts, weights } = topKRoute(x1, gate3, 2);
    return { experts, weights: weights.map((w) => w.map(f3)) };
  });
  await nb.check('chosen experts', routed.experts.join(' '), '0,1');
  await nb.check(
    'weights = softmax([2, 1]), summing to 1',
    sum(topKRoute(x1, gate3, 2).weights[0]!),
    1,
    { tol: 1e-12 },
  );
  const kept = pitfallTopKWithoutRenormalising(x1, gate3, 2).weights[0]!;
  await nb.claim(
    'the pitfall keeps the full softmax p_e: they sum to less than 1',
    sum(kept) < 0.95,
    `${kept.map(f3).join(' + ')} = ${f3(sum(kept))}`,
  );
  const { name } = await tensorBackend();
  const h = randomMatrix(6, 8, rng(1));
  const tfRoute = await topKRouteTfMatrix(h, 3);
  const ours = topKRouteLogits(h, 3);
  const gap = Math.max(
    ...tfRoute.weights.flatMap((w, t) => w.map((v, j) => Math.abs(v - ours.weights[t]![j]!))),
  );
  await nb.claim(
    `tfjs (tf.topk on ${name}, float32) routes 6 tokens the same way`,
    JSON.stringify(tfRoute.experts) === JSON.stringify(ours.experts) && gap < 1e-5,
    `same experts; max |weight difference| = ${gap.toExponential(1)}`,
  );

  await nb.md`
    ## Keeping the load balanced: the Switch loss and expert capacity
    Left alone, a router collapses: popular experts get more tokens, train
    more, get more popular. The Switch Transformer adds a loss (alpha = 0.01)
    and gives every expert a fixed buffer, the capacity:
  `;
  await nb.md(String.raw`
    $$\mathcal{L}_{aux} = \alpha N \sum_{i=1}^{N} f_i P_i, \qquad \mathrm{capacity} = \Big\lceil \frac{k T}{N} \cdot \mathrm{capacity\ factor} \Big\rceil$$

    $f_i$ is the fraction of the $T k$ assignments sent to expert $i$ and $P_i$
    its mean router probability. Switch writes the capacity for k = 1; with
    top-k, each token makes k assignments, so the buffer is k times larger.
  `);
  const balanced = {
    scores: fromRows([
      [0.25, 0.25, 0.25, 0.25],
      [0.25, 0.25, 0.25, 0.25],
      [0.25, 0.25, 0.25, 0.25],
      [0.25, 0.25, 0.25, 0.25],
    ]),
    experts: [[0], [1], [2], [3]],
    weights: [[1], [1], [1], [1]],
  };
  await nb.check('Switch loss at perfect balance, N = 4, f = P = 1/4', switchLoss(balanced), 0.01);
  const lean = topKRouteLogits(
    fromRows([
      [0.1, 0],
      [0.1, 0],
      [0.1, 0],
      [-5, 5],
      [-5, 5],
    ]),
    1,
  );
  await nb.md`
    It is exactly alpha when f or P is uniform, but it is not a lower bound:
    below, three tokens barely prefer expert 0 (p = 0.52) and two are sure of
    expert 1, so f leans to expert 0 while P leans to expert 1.
  `;
  await nb.check('loss / alpha for 3 lukewarm + 2 sure tokens', switchLoss(lean) / 0.01, 0.926, {
    tol: 5e-4,
  });
  const tokens = randomMatrix(64, 8, rng(3));
  for (let t = 0; t < 64; t++) tokens.data[t * 8] = tokens.data[t * 8]! + 1.5;
  const capRun = topKRouteLogits(tokens, 2);
  const cap = expertCapacity(64, 8, 1.25, 2);
  const capped = applyCapacity(capRun, cap);
  await nb.md`
    Inputs: 64 tokens, 8 experts, top-2, capacity factor 1.25; the logits are
    standard normal with expert 0 raised by 1.5, so it is over-subscribed.
  `;
  await nb.table(
    expertLoad(capRun).map((l, e) => ({
      expert: e,
      routed: l,
      capacity: cap,
      processed: capped.processed[e],
      dropped: Math.max(0, l - cap),
    })),
    `capacity = ceil(2 x 64 / 8 x 1.25) = ${cap}`,
  );
  await nb.check(
    'dropped = sum max(0, load - capacity)',
    capped.dropped,
    sum(capped.load.map((l) => Math.max(0, l - cap))),
  );
  await nb.check(
    'the pitfall capacity from k = 1 is half the room',
    pitfallCapacityFromTopOne(64, 8, 1.25, 2),
    10,
  );

  await nb.md(String.raw`
    ## Q31: DeepSeek's routing
    **DeepSeekMoE** (2024) changes what the experts are. $K_s$ **shared experts**
    see every token and hold common knowledge; the **routed experts** are
    **fine-grained**: each of N experts is split into m experts of 1/m the
    width and m K of them are active. The compute is the same, the choice of
    combinations explodes:
  `);
  await nb.check('C(16, 2): top-2 of 16 experts', expertCombinations(16, 2), 120);
  await nb.check(
    'C(64, 8): each split in 4, top-8 (DeepSeekMoE paper)',
    expertCombinations(64, 8),
    4_426_165_368,
  );
  await nb.md(String.raw`
    **DeepSeek-V3** changes how the router scores and balances:
    $$s_i = \sigma(x e_i^T), \quad \mathrm{chosen} = \mathrm{TopK}(s_i + b_i), \quad g_i = \rho \frac{s_i}{\sum_{j \in \mathrm{chosen}} s_j}$$

    Sigmoid affinities replace the softmax; a per-expert bias $b_i$ is added
    **only to choose** the experts; the weights come from the unbiased $s$,
    renormalised over the chosen, times the route scale $\rho$. After every
    step $b_i$ drops by $\gamma$ if expert $i$ was overloaded and rises by
    $\gamma$ if underloaded: no auxiliary loss, no gradient. Experts also
    sit in groups and a token may only use its best few groups (which bounds
    how many machines it talks to). Ours, following the official inference
    code (deepseek-ai/DeepSeek-V3, inference/model.py, Gate.forward):
  `);
  await nb.source('ml/moe-routing/deepseek.ts', 'deepseekV3Route');
  await nb.table(
    [
      { setting: 'routed experts', value: DEEPSEEK_V3.routedExperts },
      { setting: 'shared experts', value: DEEPSEEK_V3.sharedExperts },
      { setting: 'active routed experts k', value: DEEPSEEK_V3.k },
      {
        setting: 'groups / kept per token',
        value: `${DEEPSEEK_V3.groups} / ${DEEPSEEK_V3.topGroups}`,
      },
      { setting: 'route scale', value: DEEPSEEK_V3.routeScale },
    ],
    'DeepSeek-V3 (inference/configs/config_671B.json)',
  );
  await nb.md`
    Inputs: one token, logits [3, -3, 2, 1.5] for 4 experts, k = 2, and a bias
    of +1 on expert 1 (as if it had been starved for a while).
  `;
  const h4 = fromRows([[3, -3, 2, 1.5]]);
  const withBias = await nb.code(() => {
    const r = deepseekV3Route(h4, [0, 1, 0, 0], { k: 2 });
    return { experts: r.experts[0], weights: r.weights[0]!.map(f3) };
  });
  await nb.check('the bias gets expert 1 chosen', withBias.experts!.join(','), '1,0');
  const right = deepseekV3Route(h4, [0, 1, 0, 0], { k: 2 }).weights[0]![0]!;
  const wrong = pitfallV3WeightsFromBiasedScores(h4, [0, 1, 0, 0], { k: 2 }).weights[0]![0]!;
  await nb.claim(
    'its weight is still its own affinity share; from s + b it would be 52%',
    right < 0.05 && wrong > 0.5,
    `s1 / (s0 + s1) = ${f3(right)}; the pitfall (s1 + b1) / ... = ${f3(wrong)}`,
  );
  const hg = fromRows([[3, -3, 2, 1.5, 0, -1, 2.5, -5]]);
  const grouped = deepseekV3Route(hg, new Array(8).fill(0), { k: 2, groups: 4, topGroups: 2 });
  const plain = deepseekV3Route(hg, new Array(8).fill(0), { k: 2 });
  await nb.md`
    Group-limited: 8 experts in 4 groups of 2, each token keeps 2 groups
    (ranked by the sum of their two best scores). Expert 6 is the second best
    overall, but its partner is weak, so its group is dropped:
  `;
  await nb.check(
    'chosen without / with the group limit',
    `${plain.experts[0]!.join(',')} / ${grouped.experts[0]!.join(',')}`,
    '0,6 / 0,2',
  );
  const layer = initMoeLayer({ d: 4, hidden: 8, shared: 1, routed: 4 }, rng(4));
  const xs = randomMatrix(5, 4, rng(5));
  const coarseCount = new Counter();
  const fineCount = new Counter();
  const coarse = deepseekMoeForward(layer, xs, { k: 2, routeScale: 1 }, coarseCount);
  const fine = deepseekMoeForward(
    fineGrainedLayer(layer, 4),
    xs,
    { k: 8, routeScale: 4 },
    fineCount,
  );
  const fineGap = Math.max(...coarse.output.data.map((v, i) => Math.abs(v - fine.output.data[i]!)));
  await nb.md`
    The layer: 1 shared and 4 routed SwiGLU experts of width 8 (d = 4),
    against the same layer split into 16 experts of width 2 with k = 8 and a
    route scale 4 times larger (each chosen expert's weight is spread over its
    4 pieces). The pieces of the chosen experts are chosen together, so:
  `;
  await nb.claim(
    'the fine-grained layer computes the coarse one',
    fineGap < 1e-12,
    `max |difference| over 5 tokens = ${fineGap.toExponential(1)}`,
  );
  await nb.check(
    'expert multiply-adds of the fine layer = the coarse one',
    fineCount.get('madds'),
    coarseCount.get('madds'),
  );
  await nb.md`
    (Trained, the pieces drift apart and are chosen apart: that freedom is
    the point. The router's own cost grows m-fold, N d to m N d: small.)

    ## The bias at work: a seeded run
    A skewed token stream: 16 experts, top-2, 256 tokens a step, logits
    N(0, 1) plus a popularity from +1 (expert 0) to -1 (expert 15). Each step
    routes with the current bias and then updates it with gamma = 0.02. We
    plot max load / mean load (1 is perfect balance).
  `;
  const stream = { experts: 16, k: 2, tokens: 256, steps: 60, gamma: 0.02, skew: 1 };
  const runs = {
    'gamma = 0.02': simulateBiasBalancing(stream, rng(7)).imbalance,
    'gamma = 0': simulateBiasBalancing({ ...stream, gamma: 0 }, rng(7)).imbalance,
    'sign flipped': simulateBiasBalancing(stream, rng(7), pitfallBiasUpdateTowardsLoad).imbalance,
  };
  await nb.md`The bias it learns, expert 0 (hottest) to expert 15 (coldest):`;
  await nb.code(() => Array.from(simulateBiasBalancing(stream, rng(7)).bias, f2).join(' '));
  await nb.plot({
    kind: 'line',
    title: 'max load / mean load per step (16 experts, top-2)',
    x: { label: 'step', values: runs['gamma = 0.02'].map((_, i) => i) },
    y: { label: 'max / mean' },
    series: Object.entries(runs).map(([label, values]) => ({ name: label, values })),
  });
  const start = meanOf(runs['gamma = 0.02'].slice(0, 5));
  const end = meanOf(runs['gamma = 0.02'].slice(-10));
  await nb.claim(
    'the bias shrinks the imbalance (last 10 steps vs first 5)',
    end < 0.8 * start,
    `${f2(start)} -> ${f2(end)}; gamma = 0 stays at ${f2(meanOf(runs['gamma = 0'].slice(-10)))}`,
  );
  await nb.md`
    The floor is not 1: 32 tokens per expert is a small sample, and the max of
    16 noisy counts sits above the mean. The flipped sign feeds the hot experts.

    ## Q32: experts on devices with limited memory
    Expert parallelism puts different experts on different devices and sends
    each token to the devices of its experts (an all-to-all). The slowest
    device sets the step time, so what matters is the **max device load**.
    From routing statistics (here: the loads of the gamma = 0 run, a skewed
    router) we decide: if memory is short, **offload** the coldest experts to
    host memory; if there are spare slots, **replicate** the hottest (DeepSeek-V3
    deploys such redundant experts, see deepseek-ai/EPLB); then deal the
    copies, heaviest first, in rounds of one per device. Round-robin by
    expert id is the baseline.
  `;
  const statsLoad = simulateBiasBalancing({ ...stream, gamma: 0, steps: 4 }, rng(8)).loads;
  // expert ids carry no popularity in a real model: shuffle them
  const load = rng(10).shuffled(statsLoad[0]!.map((_, e) => sum(statsLoad.map((l) => l[e]!))));
  const setups = [
    { devices: 8, slots: 1, note: 'short: 8 offloaded' },
    { devices: 8, slots: 2, note: 'exact fit' },
    { devices: 8, slots: 3, note: '8 spare slots' },
  ];
  await nb.table(
    setups.map(({ devices, slots, note }) => {
      const greedy = placeExperts(load, { devices, slots });
      const naive = roundRobinPlacement(load, { devices, slots });
      return {
        memory: `${devices} x ${slots} (${note})`,
        'load-aware max': f2(greedy.maxDeviceLoad),
        'round-robin max': f2(naive.maxDeviceLoad),
        'host load (ours / rr)': `${greedy.hostLoad} / ${naive.hostLoad}`,
      };
    }),
    `16 experts, total load ${sum(load)}, ideal per device ${sum(load) / 8}`,
  );
  await nb.md`
    Read the rows together. Short of memory (8 x 1), keeping the hottest
    experts on the devices makes the busiest device the hottest expert, but
    it sends the host (CPU memory, PCIe: the slow path) 3-4x fewer tokens
    than keeping experts by id. With exactly enough slots, sorting alone
    already helps. With spare slots, copies of the hot experts split their
    load and bring the max close to the ideal 256:
  `;
  const spare = placeExperts(load, { devices: 8, slots: 3 });
  const exact = placeExperts(load, { devices: 8, slots: 2 });
  const naive = roundRobinPlacement(load, { devices: 8, slots: 3 });
  await nb.plot({
    kind: 'bar',
    title: 'Load per device, 8 devices x 3 slots',
    categories: spare.deviceLoad.map((_, d) => `dev ${d}`),
    y: { label: 'tokens' },
    series: [
      { name: 'load-aware', values: spare.deviceLoad },
      { name: 'round-robin', values: naive.deviceLoad },
    ],
  });
  await nb.claim(
    'spare slots: replicating hot experts lowers the max device load',
    spare.maxDeviceLoad < exact.maxDeviceLoad,
    `${f2(exact.maxDeviceLoad)} (exact fit) -> ${f2(spare.maxDeviceLoad)} (8 copies)`,
  );
  const largest = Math.max(...spare.devices.flat().map((c) => c.load));
  await nb.claim(
    'dealing sorted copies in rounds: devices differ by <= the largest copy',
    spare.maxDeviceLoad - Math.min(...spare.deviceLoad) <= largest,
    `spread ${f2(spare.maxDeviceLoad - Math.min(...spare.deviceLoad))} <= ${f2(largest)}`,
  );
  await nb.md`
    The load-aware placement is not always better than round-robin (on
    [2, 3, 2, 3, 2] over 2 x 3 slots round-robin happens to be perfect, 6 vs
    6.5: the key shows it), but it is bounded: no device exceeds the average by
    more than one copy. Beyond placement, limited resources also mean:
    quantise the experts (int8 / int4 weights), keep the KV cache small, batch
    tokens per expert, and overlap the all-to-all with compute.

    ## Q39: is this MoE healthy?
    First look at the router on held-out tokens. Three routers from the run
    above: after bias balancing (last step), without it (last step), and a
    badly collapsed one (popularity skew 4, no balancing). The dropped rate
    applies a capacity factor of 1.25.
  `;
  const collapse = simulateBiasBalancing({ ...stream, skew: 4, gamma: 0, steps: 1 }, rng(9));
  const routers: [string, number[]][] = [
    ['balanced (bias)', simulateBiasBalancing(stream, rng(7)).loads.at(-1)!],
    ['skewed (no bias)', simulateBiasBalancing({ ...stream, gamma: 0 }, rng(7)).loads.at(-1)!],
    ['collapsed', collapse.loads[0]!],
  ];
  const capacity = expertCapacity(256, 16, 1.25, 2);
  const health = routers.map(([label, l]) => {
    const dropped = sum(l.map((v) => Math.max(0, v - capacity)));
    return { label, stats: expertUtilisation(l, dropped, 0.1) };
  });
  const healthy = (s: UtilisationStats) =>
    s.maxOverMean < 1.5 &&
    s.normalisedEntropy > 0.95 &&
    s.dead.length === 0 &&
    s.droppedRate < 0.05;
  await nb.table(
    health.map(({ label, stats }) => ({
      router: label,
      'max/mean': f2(stats.maxOverMean),
      CV: f2(stats.cv),
      'H / ln N': f3(stats.normalisedEntropy),
      dead: stats.dead.length,
      dropped: `${(100 * stats.droppedRate).toFixed(1)}%`,
      healthy: healthy(stats) ? 'yes' : 'no',
    })),
    'dead: load <= 10% of mean. healthy: max/mean < 1.5, H/lnN > 0.95, no dead, drops < 5%',
  );
  await nb.check(
    'verdicts: balanced, skewed, collapsed',
    health.map((r) => (healthy(r.stats) ? 'yes' : 'no')).join(' '),
    'yes no no',
  );
  await nb.md`
    The thresholds are ours, not a standard: watch the trend over training and
    per layer. Balance is necessary, not sufficient (a random router is
    balanced and useless), so the rest of the check is about quality:
    - compare with a **dense model of the same active compute** (and one of the
      same total parameters) on held-out loss and downstream tasks;
    - replace the learned router by a random one: a useful router loses more;
    - **ablate** experts one at a time: a specialised expert hurts some
      domains (code, maths, a language) much more than others;
    - check that routing is **specialised and stable**: different domains use
      different experts, and the same token routes consistently.

    ## Complexity
    Router O(T N d) plus a top-k per token; experts O(T k cost(E)) instead of
    O(T N cost(E)) for a dense mixture. Memory holds all N experts: that is
    why placement, offloading and quantisation are the serving questions.

    ## When not to use it
    When memory, not compute, is the limit (a small GPU at batch size 1): an
    MoE's parameters must all be resident or fetched, and a dense model of the
    same memory is often better. With tiny batches the experts see few tokens
    each, so the all-to-all and per-expert kernel launches dominate.
  `;
});

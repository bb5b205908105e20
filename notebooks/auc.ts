/**
 * Notebook for Q65: ROC AUC, computed fast and right, and why a near-perfect offline AUC is a warning.
 * Run: npm start -- run auc   (or: npx tsx notebooks/auc.ts)
 */
import {
  pitfallAucIgnoringTies,
  pitfallAucOrdinalRanks,
  rocAuc,
  rocAucPairwise,
  rocAucRadix,
} from '../ml/auc/index.js';
import { fitLogisticRegression, selectColumns } from '../ml/permutation-importance/index.js';
import { singleFeatureAuc } from '../ml/permutation-importance/single-feature-auc.js';
import { matrix, type Matrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

/** Daily logs: 3 honest features, and a "leak" that in the logs is written after the outcome is known. */
function makeLogs(
  days: number,
  perDay: number,
  seed: number,
  leakKnown: (day: number) => boolean,
): { x: Matrix; labels: number[]; day: number[] } {
  const g = rng(seed);
  const n = days * perDay;
  const x = matrix(n, 4);
  const labels: number[] = [];
  const day: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = Math.floor(i / perDay);
    const f = [g.normal(), g.normal(), g.normal()];
    const z = 0.9 * f[0]! + 0.5 * f[1]! - 0.4 * f[2]! - 1;
    const y = g.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    // leak: e.g. "refund requested within 7 days", filled in by the logging job once the outcome is
    // known; at prediction time (later days) the future has not happened, so it is only noise
    const leak = leakKnown(d) ? 1.5 * y + 0.5 * g.normal() : 0.5 * g.normal();
    x.data.set([...f, leak], i * 4);
    labels.push(y);
    day.push(d);
  }
  return { x, labels, day };
}

const rowsWhere = (m: Matrix, keep: boolean[]) => {
  const idx = keep.flatMap((k, i) => (k ? [i] : []));
  const out = matrix(idx.length, m.cols);
  idx.forEach((i, r) => out.data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols));
  return out;
};

export default defineNotebook(import.meta.url, 'auc', async (nb) => {
  await nb.md(String.raw`
    ## The question
    *auc 特别高不是好事*: why is a very high AUC not good news?

    ## What AUC is
    $\mathrm{AUC} = P(s_i > s_j)$ for a random positive $i$ and a random negative $j$, a tie counting
    $\frac{1}{2}$. Equivalently (Mann-Whitney)
    $$\mathrm{AUC} = \frac{R_+ - n_+ (n_+ + 1) / 2}{n_+ n_-}$$
    with $R_+$ the sum of the positives' *average* ranks; it is the area under the ROC curve that
    scikit-learn's roc_auc_score integrates. The whiteboard answer, read from ml/auc/index.ts:
  `);
  await nb.source('ml/auc/index.ts', 'rocAuc');
  await nb.source('ml/auc/index.ts', 'averageRanks');
  await nb.md`Inputs: labels [0, 0, 1, 1] and scores [0.1, 0.4, 0.35, 0.8] (sklearn's documented example).`;
  const a = await nb.code(() => rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]));
  await nb.check("sklearn's documented example", a, 0.75);
  await nb.md`Inputs: labels [0, 1, 0, 1], scores [0.5, 0.5, 0.2, 0.9]: one tied pair (0.5, 0.5).`;
  const tie = await nb.code(() => rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]));
  await nb.check('with a tied pair: (1/2 + 1 + 1 + 1) / 4', tie, 0.875);
  await nb.md(String.raw`
    ## The two classic bugs
    Dropping the $\frac{1}{2}$ for ties, or ranking ties by their sort position (the answer then
    depends on the input order). Both are written down as pitfalls, on the same inputs:
  `);
  const bugs = await nb.code(() => ({
    ignoringTies: pitfallAucIgnoringTies([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]),
    ordinalRanks: pitfallAucOrdinalRanks([1, 0], [3, 3]),
    ordinalRanksSwapped: pitfallAucOrdinalRanks([0, 1], [3, 3]),
  }));
  await nb.check('a tie counted 0 gives 3 / 4 instead of 3.5 / 4', bugs.ignoringTies, 0.75);
  await nb.claim(
    'ordinal ranks depend on the order of two tied samples',
    bugs.ordinalRanks !== bugs.ordinalRanksSwapped,
    `${bugs.ordinalRanks} vs ${bugs.ordinalRanksSwapped}`,
  );
  await nb.md(String.raw`
    ## Fast, and still right
    rocAucRadix sorts the scores' 64-bit keys with a radix sort, so it is $O(n)$ after reading the
    data; the textbook rank version and the $O(n_+ n_-)$ definition agree. Inputs: 2,000 seeded
    labels (rng(2)), scores $\mathrm{round}(4 (z + y)) / 4$ with $z \sim N(0, 1)$, so many ties:
  `);
  const g = rng(2);
  const labels = Array.from({ length: 2000 }, () => g.integer(0, 1));
  const scores = labels.map((y) => Math.round(4 * (g.normal() + y)) / 4); // rounded: many ties
  const textbook = rocAuc(labels, scores);
  await nb.check(
    'rocAuc vs the pairwise count, 2,000 samples with many ties',
    textbook,
    rocAucPairwise(labels, scores),
    { tol: 1e-12 },
  );
  await nb.check('rocAucRadix vs the textbook rocAuc', rocAucRadix(labels, scores), textbook, {
    tol: 1e-12,
  });
  await nb.claim(
    'ignoring ties is visibly wrong on these rounded scores',
    textbook - pitfallAucIgnoringTies(labels, scores) > 0.02,
    `${textbook.toFixed(4)} vs ${pitfallAucIgnoringTies(labels, scores).toFixed(4)}`,
  );

  await nb.md`
    ## Q65: a leak looks like a great model
    Inputs: sixty days of seeded logs (rng(3) and rng(4)), 200 rows a day. Three honest features carry a modest signal. A fourth column was filled in by
    the logging pipeline *after* the outcome was known (a refund requested in the next 7 days, a
    post-click dwell time, a status field updated later). In the logs it nearly equals the label; at
    prediction time it does not exist yet. Train on days 0-44, validate offline on a random 20% of
    those days, then score the later days 45-59 as they would look at prediction time.
  `;
  const logs = makeLogs(45, 200, 3, () => true);
  const later = makeLogs(15, 200, 4, () => false);
  const split = rng(5);
  const isValid = logs.labels.map(() => split.uniform() < 0.2);
  const trainX = rowsWhere(
    logs.x,
    isValid.map((v) => !v),
  );
  const trainY = logs.labels.filter((_, i) => !isValid[i]);
  const validX = rowsWhere(logs.x, isValid);
  const validY = logs.labels.filter((_, i) => isValid[i]);
  const honestCols = [0, 1, 2];
  const results = await nb.code(() => {
    const leaky = fitLogisticRegression(trainX, trainY, { steps: 200 });
    const honest = fitLogisticRegression(selectColumns(trainX, honestCols), trainY, { steps: 200 });
    return {
      leakyOffline: rocAuc(validY, leaky.predict(validX)),
      leakyLater: rocAuc(later.labels, leaky.predict(later.x)),
      honestOffline: rocAuc(validY, honest.predict(selectColumns(validX, honestCols))),
      honestLater: rocAuc(later.labels, honest.predict(selectColumns(later.x, honestCols))),
    };
  });
  await nb.plot({
    kind: 'bar',
    title: 'AUC offline (random split of days 0-44) and on the later days 45-59',
    categories: ['offline', 'later days'],
    y: { label: 'ROC AUC' },
    series: [
      { name: 'with the leaked column', values: [results.leakyOffline, results.leakyLater] },
      { name: 'honest features only', values: [results.honestOffline, results.honestLater] },
    ],
  });
  await nb.claim(
    'the leaky model looks near-perfect offline',
    results.leakyOffline > 0.97,
    `offline AUC ${results.leakyOffline.toFixed(3)}`,
  );
  await nb.claim(
    'and collapses on the later split, below the honest model',
    results.leakyLater < results.honestLater - 0.05,
    `later AUC ${results.leakyLater.toFixed(3)} vs honest ${results.honestLater.toFixed(3)}`,
  );
  await nb.claim(
    'the honest model holds up: offline and later within 0.03',
    Math.abs(results.honestOffline - results.honestLater) < 0.03,
    `${results.honestOffline.toFixed(3)} offline, ${results.honestLater.toFixed(3)} later`,
  );
  const single = singleFeatureAuc(logs.x, logs.labels);
  await nb.table(
    ['honest 1', 'honest 2', 'honest 3', 'leak'].map((name, j) => ({
      feature: name,
      'single-feature AUC': single[j]!.toFixed(3),
    })),
    'The tell: one column alone separates the classes almost perfectly',
  );
  await nb.claim(
    'a single column with AUC > 0.95 flags the leak',
    single[3]! > 0.95 && Math.max(single[0]!, 1 - single[2]!) < 0.8,
    `leak ${single[3]!.toFixed(3)}, best honest ${Math.max(single[0]!, single[1]!, 1 - single[2]!).toFixed(3)}`,
  );
  await nb.md(String.raw`
    So when the AUC is "too good": check each feature's single-feature AUC and its timestamp (was it
    known at prediction time?), validate on a *later* period rather than a random split, and look for
    duplicated users or ids across the split. Other causes of a too-high AUC: an easy task definition
    (e.g. negatives that are trivially different), or labels derived from a feature.

    ## Complexity
    $O(n \log n)$ by a comparison sort (rocAuc); $O(n)$ after the data are read with the radix sort
    of the keys (rocAucRadix).
    The bench (bench/auc.bench.ts) prints the time at 10^7 samples.

    ## When not to use AUC
    When calibrated probabilities matter (AUC ignores any monotone change of the scores: check log
    loss or calibration too), when only the top of the list matters or positives are very rare (PR
    AUC, precision at k), and when the ranking that matters is within each user (a per-user AUC).
  `);
});

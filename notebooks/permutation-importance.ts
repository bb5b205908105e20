/**
 * Notebook for Q64 and Q73: measure feature importance by shuffling a column, and use it to drop
 * features so that the model fits faster.
 * Run: npm start -- run permutation-importance   (or: npx tsx notebooks/permutation-importance.ts)
 */
import {
  fitLogisticRegression,
  permutationImportance,
  pitfallShuffledLabels,
  selectColumns,
  type Model,
} from '../ml/permutation-importance/index.js';
import {
  orientationFree,
  singleFeatureAuc,
} from '../ml/permutation-importance/single-feature-auc.js';
import { rocAuc } from '../ml/auc/index.js';
import { Counter } from '../core/counter.js';
import { at, randomMatrix, type Matrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng, type Rng } from '../core/random.js';

/** True effects: two strong, two weak, eight pure noise columns. */
const BETA = [2, -1.5, 0.5, 0.35, 0, 0, 0, 0, 0, 0, 0, 0];
const NAMES = BETA.map(
  (b, j) => `x${j}${b === 0 ? '' : b >= 1 || b <= -1 ? ' (strong)' : ' (weak)'}`,
);

function planted(n: number, g: Rng): { x: Matrix; labels: number[] } {
  const x = randomMatrix(n, BETA.length, g);
  const labels = Array.from({ length: n }, (_, i) => {
    const z = BETA.reduce((s, b, j) => s + b * at(x, i, j), 0);
    return g.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  });
  return { x, labels };
}

export default defineNotebook(import.meta.url, 'permutation-importance', async (nb) => {
  await nb.md(String.raw`
    ## The question
    *特征重要度评测*: how do you measure how much a model relies on each feature? And *加速模型拟合*:
    how can that make fitting faster?

    ## Permutation importance
    Take the fitted model and a held-out set. Score it (AUC here). Shuffle one column, which keeps
    its distribution but cuts its link to the label, and score again. The **drop**
    $$I_j = s(f, X, y) - s(f, X_{\pi(j)}, y)$$
    is that feature's importance; repeat the shuffle $R$ times and report mean and standard
    deviation (scikit-learn's permutation_importance does exactly this, with $R = 5$). No refitting
    is needed, and it works for any model. The textbook answer, read from the module:
  `);
  await nb.source('ml/permutation-importance/index.ts', 'permutationImportance');
  await nb.md(String.raw`
    Inputs: 3,000 training and 3,000 held-out rows (rng(1)) of 12 standard normal columns,
    $y \sim \mathrm{Bernoulli}(\sigma(x \cdot \beta))$ with $\beta$ = [${BETA.join(', ')}]; a logistic
    regression fitted for 150 steps; shuffles from rng(2).
  `);
  const g = rng(1);
  const train = planted(3000, g);
  const valid = planted(3000, g);
  const model = fitLogisticRegression(train.x, train.labels, { steps: 150 });
  const result = await nb.code(() =>
    permutationImportance(model.predict, valid.x, valid.labels, rng(2), 5),
  );
  await nb.plot({
    kind: 'bar',
    title: 'Permutation importance on held-out data (AUC drop, mean of 5 shuffles)',
    categories: NAMES,
    y: { label: 'baseline AUC - shuffled AUC' },
    series: [{ name: 'mean drop', values: Array.from(result.mean) }],
  });
  const single = orientationFree(singleFeatureAuc(valid.x, valid.labels));
  await nb.table(
    NAMES.map((name, j) => ({
      feature: name,
      'true beta': BETA[j]!,
      'importance mean': result.mean[j]!.toFixed(4),
      std: result.std[j]!.toFixed(4),
      'single-feature AUC (either direction)': single[j]!.toFixed(3),
    })),
    `Baseline AUC ${result.baseline.toFixed(3)}`,
  );
  const noiseMax = Math.max(...Array.from(result.mean.subarray(4)));
  await nb.claim(
    'strong > weak > every noise column',
    Math.min(result.mean[0]!, result.mean[1]!) > Math.max(result.mean[2]!, result.mean[3]!) &&
      Math.min(result.mean[2]!, result.mean[3]!) > noiseMax,
    `weakest strong ${Math.min(result.mean[0]!, result.mean[1]!).toFixed(4)}, weak ${Math.min(result.mean[2]!, result.mean[3]!).toFixed(4)}, largest noise ${noiseMax.toFixed(4)}`,
  );
  const negatives = Array.from(result.mean.subarray(4)).filter((v) => v < 0).length;
  await nb.md`
    Noise columns hover around 0, and some are slightly **negative** (${negatives} of 8 here): the
    shuffle happened to help. That is normal; read an importance together with its std.

    ## A column the model ignores scores exactly 0
    If the model never reads column j, shuffling it changes no prediction, so the drop is exactly 0
    in every repeat. (A classic wrong implementation shuffles the labels instead: then every column
    gets a non-zero random "importance"; it is written down as pitfallShuffledLabels.) Inputs: the
    held-out set above and a model that reads only x0; shuffles from rng(3).
  `;
  const onlyFirst: Model = (x) => Float64Array.from({ length: x.rows }, (_, i) => at(x, i, 0));
  const ignored = await nb.code(
    () => permutationImportance(onlyFirst, valid.x, valid.labels, rng(3)).mean,
  );
  await nb.check(
    'importance of x1..x11 under a model that reads only x0',
    Math.max(...Array.from(ignored.subarray(1), Math.abs)),
    0,
  );
  const wrong = await nb.code(
    () => pitfallShuffledLabels(onlyFirst, valid.x, valid.labels, rng(3)).mean,
  );
  await nb.claim(
    'the pitfall gives the ignored columns a non-zero importance',
    Math.max(...Array.from(wrong.subarray(1), Math.abs)) > 0,
    `largest |importance| of x1..x11: ${Math.max(...Array.from(wrong.subarray(1), Math.abs)).toFixed(4)}`,
  );

  await nb.md(String.raw`
    ## What single-feature AUC misses: interactions
    Inputs: 3,000 rows of two normal columns (rng(4)), $y = [x_0 x_1 + 0.3 \epsilon > 0]$, and the
    model $f(x) = x_0 x_1$. If the label depends on x0 * x1, neither feature separates the classes alone (AUC near 1/2), yet a
    model that uses the product depends on both entirely. Permutation importance sees it.
  `);
  const h = rng(4);
  const xi = randomMatrix(3000, 2, h);
  const yi = Array.from({ length: 3000 }, (_, i) =>
    at(xi, i, 0) * at(xi, i, 1) + 0.3 * h.normal() > 0 ? 1 : 0,
  );
  const product: Model = (x) =>
    Float64Array.from({ length: x.rows }, (_, i) => at(x, i, 0) * at(x, i, 1));
  const inter = permutationImportance(product, xi, yi, rng(5));
  const singleInter = orientationFree(singleFeatureAuc(xi, yi));
  await nb.claim(
    'single-feature AUC near 1/2 for both, permutation importance large for both',
    Math.max(...singleInter) < 0.55 && Math.min(...inter.mean) > 0.3,
    `single-feature AUC ${Array.from(singleInter, (v) => v.toFixed(3)).join(', ')}; importance ${Array.from(inter.mean, (v) => v.toFixed(3)).join(', ')}`,
  );

  await nb.md`
    ## Q73: drop what does not matter, fit faster
    Keep the features whose importance is clearly above noise (mean - 2 std > 0.002), refit on those
    only, and compare held-out AUC and the cost of the fit (gradient descent costs $2 n d$ multiply-adds
    per step, so it scales with the number of columns d).
  `;
  const keep = Array.from(result.mean.keys()).filter(
    (j) => result.mean[j]! - 2 * result.std[j]! > 0.002,
  );
  const allOps = new Counter();
  const fewOps = new Counter();
  fitLogisticRegression(train.x, train.labels, { steps: 150 }, allOps);
  const small = fitLogisticRegression(
    selectColumns(train.x, keep),
    train.labels,
    { steps: 150 },
    fewOps,
  );
  const smallAuc = rocAuc(valid.labels, small.predict(selectColumns(valid.x, keep)));
  await nb.table(
    [
      {
        model: `all ${BETA.length} features`,
        'held-out AUC': result.baseline.toFixed(4),
        'fit multiply-adds': allOps.get('madds').toLocaleString('en-US'),
      },
      {
        model: `kept ${keep.length}: ${keep.map((j) => `x${j}`).join(', ')}`,
        'held-out AUC': smallAuc.toFixed(4),
        'fit multiply-adds': fewOps.get('madds').toLocaleString('en-US'),
      },
    ],
    'Feature selection by permutation importance',
  );
  await nb.check('features kept (the four with a real effect)', keep.join(','), '0,1,2,3');
  await nb.claim(
    'held-out AUC within 0.005 of the full model, at a third of the fitting cost',
    Math.abs(smallAuc - result.baseline) < 0.005 && fewOps.get('madds') * 3 === allOps.get('madds'),
    `AUC ${smallAuc.toFixed(4)} vs ${result.baseline.toFixed(4)}; cost ratio ${allOps.get('madds') / fewOps.get('madds')}`,
  );
  await nb.md(String.raw`
    Other ways to fit faster on fewer dimensions: project to a low-dimensional space (PCA, random
    projection), subsample rows or use negative downsampling, or warm-start from the previous model.

    ## Complexity
    $F$ columns $\times$ $R$ repeats model evaluations on the held-out set, plus one AUC each:
    $O(F R (\text{predict} + n \log n))$.

    ## When not to use it
    Correlated features share credit: shuffling one of two copies barely hurts because the model can
    lean on the other, so both look unimportant (drop or group them together), and a shuffle makes
    unrealistic rows. Measured on the training set it rewards what the model overfits; use held-out
    data. For a per-prediction explanation use gradients or Shapley values instead.
  `);
});

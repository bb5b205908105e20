/**
 * Notebook for Q64 (single-feature AUC): screen each feature by the AUC it reaches on its own.
 * Run: npm start -- run single-feature-auc   (or: npx tsx notebooks/single-feature-auc.ts)
 */
import {
  orientationFree,
  pitfallSingleFeatureAucIgnoringTies,
  singleFeatureAuc,
} from '../ml/permutation-importance/single-feature-auc.js';
import { rocAuc } from '../ml/auc/index.js';
import { at, matrix } from '../core/matrix.js';
import { defineNotebook } from '../notebook/index.js';
import { rng } from '../core/random.js';

const NAMES = [
  'helps',
  'hurts (reversed)',
  'weak',
  'noise',
  'copy of helps',
  'x0 * x1 partner A',
  'x0 * x1 partner B',
  'leak',
];

export default defineNotebook(import.meta.url, 'single-feature-auc', async (nb) => {
  await nb.md(String.raw`
    ## The question
    *特征重要度评测*, the quickest answer: use each feature alone as the score and compute its AUC.
    No model, O(n) per feature (one AUC), and it reads like a probability: how often a random positive
    has a larger value of this feature than a random negative:
    $$\mathrm{AUC}_j = P(x_{ij} > x_{kj}) + \tfrac{1}{2} P(x_{ij} = x_{kj})$$
    for a random positive $i$ and negative $k$. The textbook answer, read from the module:

    ## Direction matters
    An AUC below 1/2 means the feature works reversed (larger values mean *less* likely positive).
    singleFeatureAuc reports the AUC as is; orientationFree maps it to $\max(\mathrm{AUC}, 1 - \mathrm{AUC})$,
    the strength whatever the direction, for ranking features.
  `);
  await nb.source('ml/permutation-importance/single-feature-auc.ts', 'singleFeatureAuc');
  await nb.md`
    Inputs: 4,000 seeded rows (rng(1)) of the eight columns named below; the label is
    Bernoulli(sigmoid(1.2 x0 - x1 + 0.3 x2 + 2 pA pB)), the copy is x0 + 0.01 noise, the leak y + 0.3 noise.
  `;
  const g = rng(1);
  const n = 4000;
  const x = matrix(n, NAMES.length);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, c, d, p, q] = [
      g.normal(),
      g.normal(),
      g.normal(),
      g.normal(),
      g.normal(),
      g.normal(),
    ];
    const z = 1.2 * a - 1.0 * b + 0.3 * c + 2 * p * q;
    const y = g.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    labels.push(y);
    x.data.set([a, b, c, d, a + 0.01 * g.normal(), p, q, y + 0.3 * g.normal()], i * NAMES.length);
  }
  const aucs = await nb.code(() => singleFeatureAuc(x, labels));
  const free = orientationFree(aucs);
  await nb.plot({
    kind: 'bar',
    title: 'Single-feature AUC (0.5 = no signal; below 0.5 = reversed)',
    categories: NAMES,
    y: { label: 'AUC' },
    series: [
      { name: 'AUC', values: Array.from(aucs) },
      { name: 'max(AUC, 1 - AUC)', values: Array.from(free) },
    ],
  });
  await nb.check(
    'the reversed feature: AUC(x) = 1 - AUC(-x)',
    aucs[1]!,
    1 -
      rocAuc(
        labels,
        Array.from({ length: n }, (_, i) => -at(x, i, 1)),
      ),
    { tol: 1e-12 },
  );
  await nb.claim(
    '"hurts" is below 1/2, its orientation-free value above',
    aucs[1]! < 0.4 && free[1]! > 0.6,
    `AUC ${aucs[1]!.toFixed(3)}, max(AUC, 1 - AUC) ${free[1]!.toFixed(3)}`,
  );
  await nb.claim(
    'noise sits at 1/2',
    Math.abs(aucs[3]! - 0.5) < 0.03,
    `AUC ${aucs[3]!.toFixed(3)}`,
  );

  await nb.md(String.raw`
    ## What it cannot see
    - **Redundancy**: "copy of helps" scores as high as "helps"; together they carry one feature's
      worth of information, and the screen cannot tell.
    - **Interactions**: the label depends on x0 * x1 (partners A and B), yet each partner alone is
      at AUC near 1/2. A model with the product uses both heavily; permutation importance on that
      model sees it, the single-feature screen does not.
    - **A leak** shows up as a single feature near 1: a red flag (Q65), not a great feature.

    ## The pitfall: ties
    A binary or rounded feature has many ties. Counting a tied (positive, negative) pair as 0
    instead of $\frac{1}{2}$ makes it look weaker than it is; a constant column then scores 0, not
    $\frac{1}{2}$. Inputs: the same table with every value rounded to an integer.
  `);
  const rounded = matrix(
    n,
    NAMES.length,
    x.data.map((v) => Math.round(v)),
  );
  const right = singleFeatureAuc(rounded, labels);
  const wrong = await nb.code(() => pitfallSingleFeatureAucIgnoringTies(rounded, labels));
  await nb.claim(
    'ignoring ties lowers every rounded column',
    Array.from(wrong).every((w, j) => w < right[j]!),
    `"helps": ${right[0]!.toFixed(3)} right, ${wrong[0]!.toFixed(3)} with ties as 0`,
  );
  await nb.claim(
    'the copy scores like the original',
    Math.abs(aucs[4]! - aucs[0]!) < 0.01,
    `${aucs[0]!.toFixed(3)} vs ${aucs[4]!.toFixed(3)}`,
  );
  await nb.claim(
    'interaction partners look useless alone',
    Math.max(free[5]!, free[6]!) < 0.56,
    `${free[5]!.toFixed(3)}, ${free[6]!.toFixed(3)}`,
  );
  await nb.claim('the leak is near-perfect alone', aucs[7]! > 0.95, `AUC ${aucs[7]!.toFixed(3)}`);
  await nb.md(String.raw`
    ## Complexity
    One AUC per column: $O(F n \log n)$ with a comparison sort ($O(F n)$ with the radix-sorted AUC).

    ## When not to use it
    As the final word on importance: it ignores interactions, redundancy and what the model actually
    uses. It is a fast first screen (and a leak detector); then measure the model with permutation
    importance on held-out data.
  `);
});

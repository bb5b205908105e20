/**
 * Notebook for Q38: CLIP's contrastive loss and how it aligns two modalities.
 * Run: npm start -- run contrastive
 */
import type { Scalar } from '@tensorflow/tfjs';
import {
  CLIP_INITIAL_TEMPERATURE,
  clipLoss,
  clipLossFloor,
  clipLossGradient,
  clipLossGradientTfMatrix,
  clipLossTf,
  infoNce,
  infoNceLowerBound,
  pitfallClipLossRowsOnly,
  pitfallClipLossTemperatureMultiplied,
  pitfallClipLossWithoutNormalization,
  temperatureFromLogitScale,
  clipLossFromEmbeddings,
  cosineSimilarityMatrix,
} from '../ml/contrastive.js';
import { tensorBackend, toTensor2d, fromTensor2d } from '../core/backend.js';
import {
  fromRows,
  matmulTransposed,
  matrix,
  maxAbsDiff,
  randomMatrix,
  toRows,
  transpose,
  type Matrix,
} from '../core/matrix.js';
import { rng, type Rng } from '../core/random.js';
import { defineNotebook } from '../notebook/index.js';

/** n pairs from latents z_i: "images" x_i = A z_i + noise, "texts" y_i = B z_i + noise. */
function toyPairs(n: number, mixA: Matrix, mixB: Matrix, g: Rng): { x: Matrix; y: Matrix } {
  const z = randomMatrix(n, mixA.cols, g);
  const noisy = (m: Matrix) =>
    matrix(
      m.rows,
      m.cols,
      m.data.map((v) => v + 0.05 * g.normal()),
    );
  return { x: noisy(matmulTransposed(z, mixA)), y: noisy(matmulTransposed(z, mixB)) };
}

/** Rows whose diagonal entry is the largest of the row (image i finds text i). */
function diagonalWins(s: Matrix): number {
  return toRows(s).filter((row, i) => row.every((v, j) => j === i || v < row[i]!)).length;
}

export default defineNotebook(import.meta.url, 'contrastive', async (nb) => {
  await nb.md`
    ## The question
    *CLIP; 多模态对齐* (Q38): how does CLIP align images and texts in one space, and what does
    its loss look like?

    ## The idea
    Two encoders, one per modality, each followed by a linear projection to the same width d.
    A batch holds n matching pairs. Score every image against every text: an n x n matrix S of
    cosine similarities. Row i asks "which of the n texts belongs to image i?", column i asks
    "which of the n images belongs to text i?", and in both the answer is the diagonal. The loss
    is a cross-entropy over the rows plus one over the columns: the positives are pulled up, the
    n - 1 in-batch negatives of each row and column pushed down. No labels are needed beyond
    the pairing itself. The whiteboard answer, read from ml/contrastive.ts:
  `;
  await nb.source('ml/contrastive.ts', 'clipLoss');
  await nb.md(String.raw`
    ## Formulas
    With $\hat a_i = a_i / \lVert a_i \rVert$ and $\hat b_j = b_j / \lVert b_j \rVert$:
    $$S_{ij} = \hat a_i \cdot \hat b_j, \qquad z = S / \tau$$
    $$L_{\text{row}} = -\frac{1}{n} \sum_i \log \frac{e^{z_{ii}}}{\sum_j e^{z_{ij}}}, \qquad
    L_{\text{col}} = -\frac{1}{n} \sum_j \log \frac{e^{z_{jj}}}{\sum_i e^{z_{ij}}}, \qquad
    L = \tfrac{1}{2} (L_{\text{row}} + L_{\text{col}})$$
    $L_{\text{row}}$ alone is InfoNCE (van den Oord et al. 2018), which bounds the mutual
    information of the two views: $I(x; y) \ge \ln n - L_{\text{row}}$.

    ## CLIP's Figure 3, in our words
    The paper's pseudocode is a dozen lines. Encode the images and the texts; multiply each by
    its projection matrix; L2-normalize the rows; take the product of the two, scaled by
    $e^{t}$ with a learnt $t$ (a temperature $\tau = e^{-t}$, starting at 0.07); use
    arange(n) as the labels; take the cross-entropy along one axis and along the other; average
    the two. Our module does the same with the temperature passed in and dividing:
  `);
  const t0 = temperatureFromLogitScale(Math.log(1 / 0.07));
  await nb.check("CLIP's initial temperature, exp(-ln(1 / 0.07))", t0, CLIP_INITIAL_TEMPERATURE);

  await nb.md`
    ## Two numbers to know
    Inputs: S = I (2 x 2) at temperature 1, and any matrix whose entries are all equal.
  `;
  const identity = await nb.code(() =>
    clipLoss(
      fromRows([
        [1, 0],
        [0, 1],
      ]),
      1,
    ),
  );
  await nb.check('S = I, T = 1: ln(1 + e^-1)', identity, Math.log1p(Math.exp(-1)), { tol: 1e-14 });
  const flat = await nb.code(() => clipLoss(matrix(8, 8, new Array(64).fill(0.3)), 0.07));
  await nb.check('8 x 8, all logits equal: ln 8 (a uniform guess)', flat, Math.log(8), {
    tol: 1e-12,
  });

  await nb.md`
    ## A tiny alignment of two toy modalities
    Eight hidden "concepts" z_i in R^3. Modality A sees x_i = M_A z_i + noise in R^6, modality
    B sees y_i = M_B z_i + noise in R^5, through different random mixing matrices, so the raw
    vectors cannot be compared. We learn two projections W_A [4, 6] and W_B [4, 5] with the
    tfjs twin clipLossTf and Adam (rng(3) for everything, 150 steps, learning rate 0.05), once at
    temperature 0.1 and once at 1, then score 8 fresh pairs of the same kind that training never
    saw.
  `;
  const { tf } = await tensorBackend();
  const g = rng(3);
  const mixA = randomMatrix(6, 3, g);
  const mixB = randomMatrix(5, 3, g);
  const train = toyPairs(8, mixA, mixB, g);
  const heldOut = toyPairs(8, mixA, mixB, g);
  const initA = randomMatrix(4, 6, g, () => g.normal(0, 1 / Math.sqrt(6)));
  const initB = randomMatrix(4, 5, g, () => g.normal(0, 1 / Math.sqrt(5)));

  /** Adam on W_A, W_B; returns the loss before every step and after the last, and the weights. */
  const fit = async (temperature: number, steps: number) => {
    const wa = tf.variable(toTensor2d(tf, initA));
    const wb = tf.variable(toTensor2d(tf, initB));
    const [x, y] = [toTensor2d(tf, train.x), toTensor2d(tf, train.y)];
    const optimizer = tf.train.adam(0.05);
    // embeddings x W_A^T [8, 4] and y W_B^T [8, 4], then CLIP's loss
    const loss = () =>
      clipLossTf(
        tf,
        tf.matMul(x, wa, false, true),
        tf.matMul(y, wb, false, true),
        temperature,
      ) as Scalar;
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      const value = optimizer.minimize(loss, true, [wa, wb]) as Scalar;
      losses.push(value.dataSync()[0] as number);
      value.dispose();
    }
    const final = tf.tidy(loss);
    losses.push(final.dataSync()[0] as number);
    const weights = { a: await fromTensor2d(wa.clone()), b: await fromTensor2d(wb.clone()) };
    tf.dispose([wa, wb, x, y, final]);
    optimizer.dispose();
    return { losses, ...weights };
  };
  const embed = (m: Matrix, w: Matrix) => matmulTransposed(m, w);
  const trained = await fit(0.1, 150);
  const warm = await fit(1, 150);
  await nb.code(() => ({
    'T = 0.1': { before: trained.losses[0], after: trained.losses.at(-1) },
    'T = 1': { before: warm.losses[0], after: warm.losses.at(-1) },
  }));
  const sTrain = cosineSimilarityMatrix(embed(train.x, trained.a), embed(train.y, trained.b));
  const sHeld = cosineSimilarityMatrix(embed(heldOut.x, trained.a), embed(heldOut.y, trained.b));
  const sBefore = cosineSimilarityMatrix(embed(train.x, initA), embed(train.y, initB));
  await nb.plot({
    kind: 'heatmap',
    title: 'Cosine similarity of held-out images (rows) and texts (columns), T = 0.1',
    rows: { label: 'image', names: Array.from({ length: 8 }, (_, i) => `x${i}`) },
    cols: { label: 'text', names: Array.from({ length: 8 }, (_, i) => `y${i}`) },
    values: toRows(sHeld),
  });
  const lossNow = clipLossFromEmbeddings(embed(train.x, trained.a), embed(train.y, trained.b), 0.1);
  await nb.claim(
    'training lowers the loss (tfjs) and float64 agrees with its last value',
    trained.losses.at(-1)! < 0.1 * trained.losses[0]! &&
      Math.abs(lossNow - trained.losses.at(-1)!) < 1e-4,
    `${trained.losses[0]!.toFixed(3)} -> ${trained.losses.at(-1)!.toFixed(4)} ` +
      `(float64: ${lossNow.toFixed(4)})`,
  );
  await nb.claim(
    'the diagonal wins every row and column on the training pairs',
    diagonalWins(sTrain) === 8 && diagonalWins(transpose(sTrain)) === 8,
    `rows ${diagonalWins(sTrain)} / 8, columns ${diagonalWins(transpose(sTrain))} / 8 ` +
      `(before training: rows ${diagonalWins(sBefore)} / 8)`,
  );
  await nb.claim(
    'and on 8 held-out pairs it wins most rows: the projections, not the pairs, were learnt',
    diagonalWins(sHeld) >= 6,
    `held-out rows won ${diagonalWins(sHeld)} / 8, columns ${diagonalWins(transpose(sHeld))} / 8`,
  );
  const mi = infoNceLowerBound(infoNce(sTrain, 0.1), 8);
  await nb.claim(
    'InfoNCE bound on the training batch: I >= ln 8 - L_row, near ln 8 = 2.079 nats',
    mi > 0.9 * Math.log(8),
    `ln 8 - L = ${mi.toFixed(3)} nats`,
  );

  await nb.md`
    ## The role of the temperature
    Cosines live in [-1, 1], so the logits live in [-1 / T, 1 / T]: the temperature caps how
    confident the model may be. Eight unit vectors can do no better than the regular simplex
    (cosine 1 with the partner, -1/7 with the others), which gives a floor of
    ln(1 + 7 exp(-8 / (7 T))): 1.17 at T = 1, about 1e-6 at 0.07. At T = 1 the run stalls on
    that floor, whatever the encoders learn; at T = 0.1 the loss can keep falling. A low
    temperature also focuses the gradient on the hardest negatives (the softmax weights the
    most similar wrong pairs most). Too low, and the logits grow so sharp that training becomes
    unstable, which is why CLIP learns T and clips the scale 1 / T at 100.
  `;
  const steps = Array.from({ length: 16 }, (_, i) => i * 10);
  await nb.plot({
    kind: 'line',
    title: 'CLIP loss while training the toy projections (Adam, 150 steps)',
    x: { label: 'step', values: steps },
    y: { label: 'loss' },
    series: [
      { name: 'T = 0.1', values: steps.map((s) => trained.losses[s]!) },
      { name: 'T = 1', values: steps.map((s) => warm.losses[s]!) },
      { name: 'floor at T = 1', values: steps.map(() => clipLossFloor(8, 1)) },
    ],
  });
  const floorWarm = clipLossFloor(8, 1);
  await nb.claim(
    'at T = 1 the loss ends just above its floor, far above the T = 0.1 run',
    warm.losses.at(-1)! >= floorWarm && warm.losses.at(-1)! < floorWarm + 0.3,
    `T = 1: ${warm.losses.at(-1)!.toFixed(3)} (floor ${floorWarm.toFixed(3)}); ` +
      `T = 0.1: ${trained.losses.at(-1)!.toFixed(4)}`,
  );
  const temperatures = [2, 1, 0.5, 0.1, 0.07, 0.01];
  await nb.table(
    temperatures.map((t) => ({
      T: t,
      'loss of the trained S': clipLoss(sTrain, t).toPrecision(4),
      'floor for 8 unit pairs': clipLossFloor(8, t).toExponential(2),
      'multiplied instead (pitfall)': pitfallClipLossTemperatureMultiplied(sTrain, t).toPrecision(
        4,
      ),
    })),
    'The same trained similarities scored at several temperatures',
  );
  await nb.md`
    Dividing by T sharpens as T falls; multiplying by it (the pitfall in the last column) does
    the opposite, drives every row towards ln 8 = 2.079, and reads the table upside down:
    multiplying at T is dividing at 1 / T.

    ## The gradient training follows
    dL/dS = ((P_row - I) + (P_col - I)) / (2 n T): negative on the diagonal (raise it), positive
    elsewhere (lower it), in proportion to how much probability each wrong pair takes. tf.grad of
    the tfjs twin gives the same matrix.
  `;
  const gradGap = maxAbsDiff(
    await clipLossGradientTfMatrix(sBefore, 0.1),
    clipLossGradient(sBefore, 0.1),
  );
  await nb.claim(
    'tf.grad of clipLossFromSimilarityTf = the hand formula (untrained S, T = 0.1)',
    gradGap < 1e-5,
    `max |difference| = ${gradGap.toExponential(2)}`,
  );

  await nb.md`
    ## The pitfalls
    Inputs: the trained pairs above at T = 0.1, then the same with image 0's embedding
    scaled by 10.
  `;
  const [ea, eb] = [embed(train.x, trained.a), embed(train.y, trained.b)];
  await nb.claim(
    'rows only (one direction): not symmetric, the loss of S and of S^T differ',
    pitfallClipLossRowsOnly(sTrain, 0.1) !== pitfallClipLossRowsOnly(transpose(sTrain), 0.1) &&
      clipLoss(sTrain, 0.1) === clipLoss(transpose(sTrain), 0.1),
    `rows only: ${pitfallClipLossRowsOnly(sTrain, 0.1).toFixed(4)} vs ` +
      `${pitfallClipLossRowsOnly(transpose(sTrain), 0.1).toFixed(4)}; ` +
      `CLIP: ${clipLoss(sTrain, 0.1).toFixed(4)} both ways`,
  );
  const longer = matrix(
    ea.rows,
    ea.cols,
    ea.data.map((v, k) => (k < ea.cols ? 10 * v : v)),
  );
  const plain = clipLossFromEmbeddings(longer, eb, 0.1) - clipLossFromEmbeddings(ea, eb, 0.1);
  const raw =
    pitfallClipLossWithoutNormalization(longer, eb, 0.1) -
    pitfallClipLossWithoutNormalization(ea, eb, 0.1);
  await nb.claim(
    'no normalization: a 10x longer vector changes the loss (normalized: no change)',
    Math.abs(plain) < 1e-12 && Math.abs(raw) > 1e-3,
    `change ${raw.toExponential(2)} without, ${plain.toExponential(1)} with normalization`,
  );

  await nb.md`
    ## Complexity
    Building S costs n^2 d multiply-adds and the loss n^2 exponentials per direction: the
    batch is the set of negatives, so CLIP's batch of 32,768 buys 32,767 negatives per pair
    at a quadratic price (it shards S across devices).

    ## When not to use it
    When the batch is small the negatives are few and easy, and the bound ln n - L is loose:
    add hard negatives (as retrieval models do), a memory bank, or use a pairwise loss such as
    SigLIP's sigmoid, which does not need the whole row. When pairs are noisy (a caption that
    does not describe its image), every such pair is a false positive and another row's true
    match a false negative. And a contrastive space says "similar", not "equal": it is not a
    classifier's calibrated probability.
  `;
});

/**
 * Answer key for Q38, contrastive losses (InfoNCE, CLIP). Worked examples (S = I at temperature 1,
 * equal logits give ln n, CLIP's initial temperature), the loss against an independent assembly of
 * ml/softmax.ts cross-entropies over rows and over columns and against tfjs, the invariants
 * (symmetric under swapping the modalities, ln n for equal logits, unchanged by a constant shift,
 * never worse when a diagonal entry rises or an off-diagonal one falls, sharper at a lower
 * temperature when the diagonal dominates, blind to the length of an embedding), the gradient
 * (by hand, by finite differences and by tf.grad), InfoNCE's bound on a source of known mutual
 * information, the floor that unit vectors allow (reached by the simplex), the work as a counted
 * bound, and the three pitfalls (rows only, no normalization, the temperature multiplied) rejected
 * by the properties the right answer passes.
 * Input checks: tests/inputs/contrastive.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  CLIP_INITIAL_TEMPERATURE,
  clipLoss,
  clipLossFromEmbeddings,
  clipLossFloor,
  clipLossFromEmbeddingsCounted,
  clipLossGradient,
  clipLossGradientTfMatrix,
  clipLossTf,
  clipLossTfMatrix,
  cosineSimilarityMatrix,
  infoNce,
  infoNceLowerBound,
  infoNceTfMatrix,
  l2NormalizeRows,
  pitfallClipLossRowsOnly,
  pitfallClipLossTemperatureMultiplied,
  pitfallClipLossWithoutNormalization,
  temperatureFromLogitScale,
} from '../ml/contrastive.js';
import { crossEntropy } from '../ml/softmax.js';
import { Counter } from '../core/counter.js';
import { tensorBackend, toTensor2d } from '../core/backend.js';
import {
  fromRows,
  matrix,
  maxAbsDiff,
  randomMatrix,
  toRows,
  transpose,
  type Matrix,
} from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

type SimilarityLoss = (similarity: Matrix, temperature: number) => number;

const temperatureArb = fc.double({ min: 0.05, max: 3, noNaN: true });

/** A random similarity matrix S [n, n] (entries N(0, scale^2)) and a temperature. */
const similarityCase = fc
  .record({
    n: fc.integer({ min: 1, max: 7 }),
    scale: fc.double({ min: 0.1, max: 3, noNaN: true }),
    temperature: temperatureArb,
    seed: fc.integer(),
  })
  .map(({ n, scale, temperature, seed }) => {
    const g = rng(seed);
    return { similarity: randomMatrix(n, n, g, () => scale * g.normal()), temperature, g };
  });

/** Paired embeddings a, b [n, d]. */
const embeddingCase = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    d: fc.integer({ min: 1, max: 6 }),
    temperature: temperatureArb,
    seed: fc.integer(),
  })
  .map(({ n, d, temperature, seed }) => {
    const g = rng(seed);
    return { a: randomMatrix(n, d, g), b: randomMatrix(n, d, g), temperature, g };
  });

/**
 * A matrix whose diagonal strictly wins its row and its column: every off-diagonal entry is at
 * least `margin` below both diagonal entries it competes with.
 */
const dominantCase = fc
  .record({
    n: fc.integer({ min: 2, max: 6 }),
    margin: fc.double({ min: 0.2, max: 1, noNaN: true }),
    temperature: fc.double({ min: 0.5, max: 2, noNaN: true }),
    seed: fc.integer(),
  })
  .map(({ n, margin, temperature, seed }) => {
    const g = rng(seed);
    const diag = Array.from({ length: n }, () => g.normal());
    const s = matrix(n, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        s.data[i * n + j] =
          i === j ? diag[i]! : Math.min(diag[i]!, diag[j]!) - margin - 2 * g.uniform();
    return { similarity: s, temperature };
  });

/** The oracle: ml/softmax.ts cross-entropies over the rows and the columns of S / temperature. */
function rowsAndColumns(similarity: Matrix, temperature: number): { rows: number; cols: number } {
  const mean = (m: Matrix) =>
    toRows(m).reduce(
      (s, row, i) =>
        s +
        crossEntropy(
          row.map((v) => v / temperature),
          i,
        ),
      0,
    ) / m.rows;
  return { rows: mean(similarity), cols: mean(transpose(similarity)) };
}

const withEntry = (m: Matrix, i: number, j: number, v: number): Matrix => {
  const out = matrix(m.rows, m.cols, m.data);
  out.data[i * m.cols + j] = v;
  return out;
};

describe('worked examples', () => {
  it('S = I at temperature 1: each row and each column scores -log(e / (e + 1)) = ln(1 + e^-1) = 0.3133', () => {
    const s = fromRows([
      [1, 0],
      [0, 1],
    ]);
    expect(clipLoss(s, 1)).toBeCloseTo(Math.log1p(Math.exp(-1)), 14);
    expect(clipLoss(s, 1)).toBeCloseTo(0.31326168751822286, 14);
    expect(infoNce(s, 1)).toBeCloseTo(Math.log1p(Math.exp(-1)), 14);
  });

  it('all logits equal gives ln n, whatever the value and the temperature (ln 2 for [[5, 5], [5, 5]] at 0.07)', () => {
    expect(
      clipLoss(
        fromRows([
          [5, 5],
          [5, 5],
        ]),
        0.07,
      ),
    ).toBeCloseTo(Math.LN2, 14);
    for (const n of [1, 2, 3, 8, 32])
      expect(clipLoss(matrix(n, n, new Array(n * n).fill(0.3)), 0.5)).toBeCloseTo(Math.log(n), 12);
  });

  it("CLIP's logit scale starts at ln(1 / 0.07), a temperature of 0.07", () => {
    expect(temperatureFromLogitScale(Math.log(1 / 0.07))).toBeCloseTo(CLIP_INITIAL_TEMPERATURE, 15);
    expect(temperatureFromLogitScale(0)).toBe(1);
  });

  it('a hard negative as an extra column raises InfoNCE: [[2, 0, 1.5]] scores more than [[2, 0]]', () => {
    const plain = infoNce(fromRows([[2, 0]]), 1);
    const harder = infoNce(fromRows([[2, 0, 1.5]]), 1);
    expect(plain).toBeCloseTo(Math.log1p(Math.exp(-2)), 14);
    expect(harder).toBeCloseTo(Math.log(1 + Math.exp(-2) + Math.exp(-0.5)), 14);
    expect(harder).toBeGreaterThan(plain);
  });
});

describe('oracle: cross-entropy over rows and over columns (ml/softmax.ts)', () => {
  test.prop([similarityCase], { numRuns: 80 })(
    'clipLoss = (mean row CE + mean column CE) / 2 and infoNce = the mean row CE, to 1e-12',
    ({ similarity, temperature }) => {
      const { rows, cols } = rowsAndColumns(similarity, temperature);
      expect(clipLoss(similarity, temperature)).toBeCloseTo((rows + cols) / 2, 12);
      expect(infoNce(similarity, temperature)).toBeCloseTo(rows, 12);
    },
  );

  test.prop([embeddingCase], { numRuns: 30 })(
    'tfjs (clipLossTf, float32) computes the same loss from embeddings, to 1e-4 relative',
    async ({ a, b, temperature }) => {
      const exact = clipLossFromEmbeddings(a, b, temperature);
      const tf32 = await clipLossTfMatrix(a, b, temperature);
      expect(Math.abs(tf32 - exact)).toBeLessThan(1e-4 * Math.max(1, exact));
    },
  );

  test.prop(
    [fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 4 }), temperatureArb, fc.integer()],
    { numRuns: 30 },
  )(
    'tfjs infoNceTf agrees on rectangular S [n, n + extra] (hard negatives), to 1e-4 relative',
    async (n, extra, temperature, seed) => {
      const s = randomMatrix(n, n + extra, rng(seed));
      const exact = infoNce(s, temperature);
      expect(Math.abs((await infoNceTfMatrix(s, temperature)) - exact)).toBeLessThan(
        1e-4 * Math.max(1, exact),
      );
    },
  );
});

/** Swapping the modalities (S -> S^T) gives the same loss. */
const symmetricUnderSwap = (loss: SimilarityLoss) =>
  fc.property(
    similarityCase,
    ({ similarity, temperature }) =>
      loss(similarity, temperature) === loss(transpose(similarity), temperature),
  );

/** On a dominant diagonal, halving the temperature sharpens the softmaxes and lowers the loss. */
const sharperAtLowerTemperature = (loss: SimilarityLoss) =>
  fc.property(dominantCase, ({ similarity, temperature }) => {
    const warm = loss(similarity, temperature);
    const cold = loss(similarity, temperature / 2);
    return cold < warm;
  });

/** Rescaling each embedding by a positive factor leaves the loss alone: only angles count. */
const blindToLength = (loss: (a: Matrix, b: Matrix, t: number) => number) =>
  fc.property(embeddingCase, ({ a, b, temperature, g }) => {
    const stretch = (m: Matrix) => {
      const out = matrix(m.rows, m.cols, m.data);
      for (let i = 0; i < m.rows; i++) {
        const f = 0.2 + 5 * g.uniform();
        for (let j = 0; j < m.cols; j++) out.data[i * m.cols + j]! *= f;
      }
      return out;
    };
    return Math.abs(loss(stretch(a), stretch(b), temperature) - loss(a, b, temperature)) < 1e-10;
  });

describe('invariants', () => {
  it('symmetric under swapping the modalities, exactly: clipLoss(S^T) = clipLoss(S)', () => {
    fc.assert(symmetricUnderSwap(clipLoss), { numRuns: 100 });
  });

  test.prop(
    [fc.integer({ min: 1, max: 40 }), fc.double({ min: -5, max: 5, noNaN: true }), temperatureArb],
    {
      numRuns: 60,
    },
  )('equal logits give ln n', (n, value, temperature) => {
    expect(clipLoss(matrix(n, n, new Array(n * n).fill(value)), temperature)).toBeCloseTo(
      Math.log(n),
      12,
    );
  });

  test.prop([similarityCase, fc.double({ min: -10, max: 10, noNaN: true })], { numRuns: 60 })(
    'adding a constant to every similarity changes nothing (softmax is shift-invariant)',
    ({ similarity, temperature }, c) => {
      const shifted = matrix(
        similarity.rows,
        similarity.cols,
        similarity.data.map((v) => v + c),
      );
      expect(clipLoss(shifted, temperature)).toBeCloseTo(clipLoss(similarity, temperature), 10);
    },
  );

  test.prop([similarityCase, fc.double({ min: 0, max: 3, noNaN: true }), fc.nat(), fc.nat()], {
    numRuns: 100,
  })(
    'raising a diagonal entry never raises the loss; lowering an off-diagonal one never raises it',
    ({ similarity, temperature }, delta, p, q) => {
      const n = similarity.rows;
      const [i, j] = [p % n, q % n];
      const before = clipLoss(similarity, temperature);
      const v = similarity.data[i * n + j]!;
      const after = clipLoss(
        withEntry(similarity, i, j, i === j ? v + delta : v - delta),
        temperature,
      );
      expect(after).toBeLessThanOrEqual(before + 1e-12);
    },
  );

  it('on a dominant diagonal a lower temperature gives a lower loss', () => {
    fc.assert(sharperAtLowerTemperature(clipLoss), { numRuns: 100 });
  });

  test.prop([dominantCase], { numRuns: 50 })(
    'the loss is >= 0 and goes to 0 as the temperature goes to 0 on a dominant diagonal',
    ({ similarity, temperature }) => {
      expect(clipLoss(similarity, temperature)).toBeGreaterThanOrEqual(0);
      expect(clipLoss(similarity, 1e-3)).toBeLessThan(1e-30);
    },
  );

  test.prop([embeddingCase], { numRuns: 80 })(
    'unit vectors cannot score below clipLossFloor(n, T): logits live in [-1 / T, 1 / T]',
    ({ a, b, temperature }) => {
      const floor = clipLossFloor(a.rows, temperature);
      expect(clipLossFromEmbeddings(a, b, temperature)).toBeGreaterThanOrEqual(floor - 1e-12);
      // and training a or b towards b itself gets no lower than the floor either
      expect(clipLossFromEmbeddings(b, b, temperature)).toBeGreaterThanOrEqual(floor - 1e-12);
    },
  );

  test.prop([fc.integer({ min: 2, max: 9 }), temperatureArb], { numRuns: 40 })(
    'the regular simplex (S_ii = 1, S_ij = -1 / (n - 1)) reaches the floor exactly',
    (n, temperature) => {
      // rows e_i - (1/n) 1 in R^n: unit after normalizing, pairwise cosine -1 / (n - 1)
      const simplex = matrix(n, n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) simplex.data[i * n + j] = (i === j ? 1 : 0) - 1 / n;
      expect(clipLossFromEmbeddings(simplex, simplex, temperature)).toBeCloseTo(
        clipLossFloor(n, temperature),
        12,
      );
    },
  );

  it('from embeddings: rescaling any embedding by a positive factor changes nothing', () => {
    fc.assert(blindToLength(clipLossFromEmbeddings), { numRuns: 100 });
  });

  test.prop([embeddingCase], { numRuns: 60 })(
    'normalized rows have unit norm (zero rows stay zero), and cosines lie in [-1, 1]',
    ({ a, b }) => {
      const withZero = withEntry(a, 0, 0, 0);
      for (let j = 0; j < a.cols; j++) withZero.data[j] = 0;
      const unit = l2NormalizeRows(withZero);
      toRows(unit).forEach((row, i) => {
        const norm = Math.hypot(...row);
        expect(norm).toBeCloseTo(i === 0 ? 0 : 1, 12);
      });
      for (const c of cosineSimilarityMatrix(a, b).data)
        expect(Math.abs(c)).toBeLessThan(1 + 1e-12);
    },
  );
});

describe('the gradient (what training follows)', () => {
  test.prop([similarityCase], { numRuns: 40 })(
    'the hand gradient ((P_row - I) + (P_col - I)) / (2 n T) equals central finite differences',
    ({ similarity, temperature }) => {
      const grad = clipLossGradient(similarity, temperature);
      const h = 1e-6;
      for (let k = 0; k < similarity.data.length; k++) {
        const up = matrix(similarity.rows, similarity.cols, similarity.data);
        const down = matrix(similarity.rows, similarity.cols, similarity.data);
        up.data[k]! += h;
        down.data[k]! -= h;
        const numeric = (clipLoss(up, temperature) - clipLoss(down, temperature)) / (2 * h);
        expect(Math.abs(grad.data[k]! - numeric)).toBeLessThan(
          1e-5 * Math.max(1, Math.abs(numeric)),
        );
      }
    },
  );

  test.prop([similarityCase], { numRuns: 25 })(
    'tf.grad of clipLossFromSimilarityTf equals the hand gradient (float32, 5e-4 of its largest entry)',
    async ({ similarity, temperature }) => {
      const grad = clipLossGradient(similarity, temperature);
      const scale = Math.max(...Array.from(grad.data, Math.abs), 1e-3);
      const tfGrad = await clipLossGradientTfMatrix(similarity, temperature);
      expect(maxAbsDiff(tfGrad, grad) / scale).toBeLessThan(5e-4);
    },
  );

  test.prop([similarityCase], { numRuns: 60 })(
    'its entries sum to 0; diagonal entries are <= 0 and off-diagonal ones >= 0',
    ({ similarity, temperature }) => {
      const grad = clipLossGradient(similarity, temperature);
      const n = similarity.rows;
      expect(Math.abs(grad.data.reduce((s, v) => s + v, 0))).toBeLessThan(1e-12 / temperature);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          if (i === j) expect(grad.data[i * n + j]).toBeLessThanOrEqual(0);
          else expect(grad.data[i * n + j]).toBeGreaterThanOrEqual(0);
    },
  );

  it('tf.grad through clipLossTf reaches the embeddings: it equals finite differences of the float64 loss', async () => {
    const { tf } = await tensorBackend();
    const g = rng(5);
    const a = randomMatrix(4, 3, g);
    const b = randomMatrix(4, 3, g);
    const t = 0.5;
    const grad = tf.tidy(() =>
      Array.from(
        tf
          .grad((x) => clipLossTf(tf, x, toTensor2d(tf, b), t))(toTensor2d(tf, a))
          .dataSync(),
      ),
    );
    const h = 1e-6;
    for (let k = 0; k < a.data.length; k++) {
      const up = matrix(4, 3, a.data);
      const down = matrix(4, 3, a.data);
      up.data[k]! += h;
      down.data[k]! -= h;
      const numeric =
        (clipLossFromEmbeddings(up, b, t) - clipLossFromEmbeddings(down, b, t)) / (2 * h);
      expect(grad[k]!).toBeCloseTo(numeric, 4);
    }
  });
});

describe("InfoNCE's bound: I(x; y) >= ln n - L", () => {
  it('on y = x uniform over K symbols (I = ln K), the mean loss of 300 seeded batches is >= ln n - ln K', () => {
    const g = rng(17);
    for (const [n, K] of [
      [8, 4],
      [16, 8],
      [4, 16],
    ] as const) {
      let total = 0;
      const batches = 300;
      for (let b = 0; b < batches; b++) {
        const x = Array.from({ length: n }, () => g.integer(0, K - 1));
        // critic: 10 when the symbols match, 0 otherwise
        const s = matrix(n, n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) s.data[i * n + j] = x[i] === x[j] ? 10 : 0;
        total += infoNce(s, 1);
      }
      const bound = infoNceLowerBound(total / batches, n);
      expect(bound).toBeLessThanOrEqual(Math.log(K));
      // and the critic is good: the bound is not vacuous when n > K
      if (n > K) expect(bound).toBeGreaterThan(0);
    }
  });
});

describe('complexity: O(n^2 d) to build S, O(n^2) exponentials for the loss', () => {
  test.prop([embeddingCase], { numRuns: 60 })(
    'madds <= n^2 d + 2 n d and exps <= 2 n^2; the counted loss is the loss',
    ({ a, b, temperature }) => {
      const c = new Counter();
      const [n, d] = [a.rows, a.cols];
      expect(clipLossFromEmbeddingsCounted(a, b, temperature, c)).toBe(
        clipLossFromEmbeddings(a, b, temperature),
      );
      expect(c.get('madds')).toBeGreaterThanOrEqual(n * n * d);
      expect(c.get('madds')).toBeLessThanOrEqual(n * n * d + 2 * n * d);
      expect(c.get('exps')).toBeLessThanOrEqual(2 * n * n);
    },
  );
});

describe('pitfalls', () => {
  it('rows only (image -> text alone) is not symmetric under swapping the modalities', () => {
    rejectsPitfall(symmetricUnderSwap(pitfallClipLossRowsOnly), { numRuns: 100 });
  });

  it('without normalization, a longer embedding changes the loss', () => {
    rejectsPitfall(blindToLength(pitfallClipLossWithoutNormalization), { numRuns: 100 });
  });

  it('the temperature multiplied: halving it flattens the softmaxes and raises the loss', () => {
    rejectsPitfall(sharperAtLowerTemperature(pitfallClipLossTemperatureMultiplied), {
      numRuns: 100,
    });
  });
});

/**
 * Answer key for Q34, knowledge distillation (ml/distillation.ts). Worked examples: a student that
 * copies its teacher has soft loss 0; a uniform student against a confident teacher, by hand.
 * Properties against independent oracles: the loss equals alpha T^2 (soft cross-entropy - H) +
 * (1 - alpha) CE built from the project's entropy, softmax and kl-divergence pieces; the gradient
 * T (softmax(s/T) - softmax(t/T)) against finite differences, and tf.grad of the unscaled KL
 * (ml/kl-divergence.ts's tfjs twin) equal to (softmax(s/T) - softmax(t/T)) / T; Hinton's
 * high-temperature limit (s - t) / N; the T^2 factor keeping gradient norms within a bounded ratio
 * for T in [2, 20] while the unscaled ones fall as 1 / T^2. The batch loss and its gradient against
 * tfjs. Distillation against fine-tuning: a seeded tfjs run where the student trained on the
 * teacher's soft targets ends nearer the teacher and with a lower test NLL than one trained on the
 * labels. Pitfalls (no T^2, temperature on the teacher only) rejected by the same properties.
 * Input checks: tests/inputs/distillation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  blobTask,
  distillationLoss,
  distillationLossGrad,
  distillationLossGradTfMatrix,
  distillationLossRows,
  distillationLossTfMatrix,
  evaluateStudent,
  pitfallDistillationWithoutTSquared,
  pitfallTemperatureOnTeacherOnly,
  softCrossEntropy,
  softTargetGradient,
  softTargetLoss,
  trainStudent,
} from '../ml/distillation.js';
import { klDivergence, klFromLogitsTf } from '../ml/kl-divergence.js';
import { crossEntropy, entropy, softmax } from '../ml/softmax.js';
import { tensorBackend, type Tensor } from '../core/backend.js';
import { matrix, maxAbsDiff } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { rejectsPitfall } from './support/answer-key.js';

type Loss = (s: number[], t: number[], y: number, T: number, alpha: number) => number;

const logits = (n: number, bound = 3) =>
  fc.array(fc.double({ min: -bound, max: bound, noNaN: true }), { minLength: n, maxLength: n });

/** A student and a teacher over the same 2 to 8 classes, a label, T and alpha. */
const exampleArb = fc.integer({ min: 2, max: 8 }).chain((n) =>
  fc.record({
    s: logits(n),
    t: logits(n),
    y: fc.integer({ min: 0, max: n - 1 }),
    T: fc.double({ min: 0.5, max: 20, noNaN: true }),
    alpha: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
);

/** Central finite differences of f at s. */
function numericGrad(f: (s: number[]) => number, s: number[], h = 1e-5): number[] {
  return s.map((_, c) => {
    const up = s.map((v, k) => (k === c ? v + h : v));
    const down = s.map((v, k) => (k === c ? v - h : v));
    return (f(up) - f(down)) / (2 * h);
  });
}

const norm = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));

/** s and t differ by more than a constant shift (softmax ignores shifts): some centred gap > 0.1. */
const differ = ({ s, t }: { s: number[]; t: number[] }) => {
  const d = s.map((v, c) => v - t[c]!);
  const mean = d.reduce((a, x) => a + x, 0) / d.length;
  return d.some((x) => Math.abs(x - mean) > 0.1);
};

describe('worked examples', () => {
  it('a student that copies the teacher has soft loss 0, so with alpha = 1 the loss is 0', () => {
    expect(distillationLoss([2, 1, 0], [2, 1, 0], 0, 4, 1)).toBe(0);
    expect(softTargetLoss([2, 1, 0], [2, 1, 0], 4)).toBe(0);
  });

  it('a uniform student against teacher [5, 0, 0] at T = 2, alpha = 0.9: 0.9 * 4 * (ln 3 - H(p)) + 0.1 * ln 3', () => {
    // p = softmax([2.5, 0, 0]); KL(p || uniform) = ln 3 - H(p)
    const e = Math.exp(2.5);
    const p = [e / (e + 2), 1 / (e + 2), 1 / (e + 2)];
    const h = -p.reduce((s, x) => s + x * Math.log(x), 0);
    const want = 0.9 * 4 * (Math.log(3) - h) + 0.1 * Math.log(3);
    expect(distillationLoss([0, 0, 0], [5, 0, 0], 0, 2, 0.9)).toBeCloseTo(want, 12);
  });

  it('alpha = 0 is plain cross-entropy on the label (fine-tuning); alpha = 1 the soft term alone', () => {
    const [s, t] = [
      [0.3, -1, 2],
      [1, 0.5, -0.2],
    ];
    expect(distillationLoss(s, t, 2, 3, 0)).toBe(crossEntropy(s, 2));
    expect(distillationLoss(s, t, 2, 3, 1)).toBeCloseTo(softTargetLoss(s, t, 3), 15);
  });
});

describe('the loss against independent pieces', () => {
  test.prop([exampleArb], { numRuns: 100, seed: 1 })(
    'equals alpha T^2 (softCE - H(p_T)) + (1 - alpha) CE, and alpha T^2 KL of the two softmaxes + (1 - alpha) CE',
    ({ s, t, y, T, alpha }) => {
      const pT = softmax(t.map((z) => z / T));
      const qT = softmax(s.map((z) => z / T));
      const hard = crossEntropy(s, y);
      const loss = distillationLoss(s, t, y, T, alpha);
      expect(loss).toBeCloseTo(
        alpha * T * T * (softCrossEntropy(s, pT, T) - entropy(pT)) + (1 - alpha) * hard,
        9,
      );
      expect(loss).toBeCloseTo(alpha * T * T * klDivergence(pT, qT) + (1 - alpha) * hard, 9);
    },
  );

  /** A student equal to its teacher pays nothing on the soft side, at any temperature. */
  const copyIsFree = (loss: Loss) =>
    fc.property(exampleArb, ({ t, y, T }) => Math.abs(loss(t, t, y, T, 1)) < 1e-12);

  it('a student equal to the teacher has zero soft loss at every T', () => {
    fc.assert(copyIsFree(distillationLoss), { seed: 2, numRuns: 100 });
  });

  it('rejects the temperature on the teacher only (pitfallTemperatureOnTeacherOnly)', () => {
    rejectsPitfall(copyIsFree(pitfallTemperatureOnTeacherOnly), { seed: 2, numRuns: 100 });
  });
});

describe('gradients', () => {
  test.prop([exampleArb], { numRuns: 100, seed: 3 })(
    'd/ds T^2 KL = T (softmax(s/T) - softmax(t/T)), against finite differences; T^2 softCE has the same gradient',
    ({ s, t, T }) => {
      const g = softTargetGradient(s, t, T);
      const fd = numericGrad((x) => softTargetLoss(x, t, T), s);
      g.forEach((v, c) => expect(Math.abs(v - fd[c]!)).toBeLessThan(1e-5 * (1 + T)));
      const pT = softmax(t.map((z) => z / T));
      const fdCe = numericGrad((x) => T * T * softCrossEntropy(x, pT, T), s);
      g.forEach((v, c) => expect(Math.abs(v - fdCe[c]!)).toBeLessThan(1e-5 * (1 + T)));
    },
  );

  test.prop([exampleArb], { numRuns: 20, seed: 4 })(
    'tf.grad of the unscaled KL (klFromLogitsTf) is (softmax(s/T) - softmax(t/T)) / T, to 1e-5',
    async ({ s, t, T }) => {
      const { tf } = await tensorBackend();
      const n = s.length;
      const grad = tf.tidy(() => {
        const teacher = tf.tensor2d(t, [1, n]);
        const kl = (x: Tensor) => tf.sum(klFromLogitsTf(tf, tf.div(teacher, T), tf.div(x, T)));
        return tf.grad(kl)(tf.tensor2d(s, [1, n]));
      });
      const seen = Array.from(await grad.data());
      grad.dispose();
      const q = softmax(s.map((z) => z / T));
      const p = softmax(t.map((z) => z / T));
      seen.forEach((v, c) => expect(Math.abs(v - (q[c]! - p[c]!) / T)).toBeLessThan(1e-5));
    },
  );

  test.prop([exampleArb], { numRuns: 100, seed: 5 })(
    "Hinton's high-temperature limit: at T = 10,000 the scaled gradient is (s - t - mean(s - t)) / N to 1e-3",
    ({ s, t }) => {
      const n = s.length;
      const d = s.map((v, c) => v - t[c]!);
      const mean = d.reduce((a, x) => a + x, 0) / n;
      softTargetGradient(s, t, 10_000).forEach((v, c) =>
        expect(v).toBeCloseTo((d[c]! - mean) / n, 3),
      );
    },
  );

  const TEMPERATURES = [2, 4, 8, 12, 16, 20];
  /** The soft loss's gradient (alpha = 1, finite differences) keeps its norm within 4x for T in [2, 20]. */
  const scaleKept = (loss: Loss) =>
    fc.property(exampleArb.filter(differ), ({ s, t, y }) => {
      const norms = TEMPERATURES.map((T) => norm(numericGrad((x) => loss(x, t, y, T, 1), s)));
      return Math.max(...norms) / Math.min(...norms) < 4;
    });

  it('with T^2 the soft gradient keeps its scale: norms within a factor 4 over T in [2, 20]', () => {
    fc.assert(scaleKept(distillationLoss), { seed: 6, numRuns: 60 });
  });

  it('rejects the loss without T^2 (pitfallDistillationWithoutTSquared): its gradient falls as 1/T^2', () => {
    rejectsPitfall(scaleKept(pitfallDistillationWithoutTSquared), { seed: 6, numRuns: 60 });
  });

  test.prop([exampleArb.filter(differ)], {
    numRuns: 60,
    seed: 7,
  })(
    'unscaled, the gradient (softmax(s/T) - softmax(t/T)) / T falls by more than 25x from T = 2 to T = 20 (1/T^2 is 100x)',
    ({ s, t }) => {
      const unscaled = (T: number) => norm(softTargetGradient(s, t, T)) / (T * T);
      expect(unscaled(2) / unscaled(20)).toBeGreaterThan(25);
    },
  );
});

describe('batches and tfjs', () => {
  const batchArb = fc
    .record({ b: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 2, max: 6 }) })
    .chain(({ b, c }) =>
      fc.record({
        s: logits(b * c),
        t: logits(b * c),
        y: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: b, maxLength: b }),
        T: fc.double({ min: 0.5, max: 10, noNaN: true }),
        alpha: fc.double({ min: 0, max: 1, noNaN: true }),
        shape: fc.constant([b, c] as const),
      }),
    );

  test.prop([batchArb], { numRuns: 50, seed: 8 })(
    'the batch loss is the mean of the rows, and its hand gradient matches finite differences',
    ({ s, t, y, T, alpha, shape: [b, c] }) => {
      const S = matrix(b, c, s);
      const Tm = matrix(b, c, t);
      let want = 0;
      for (let i = 0; i < b; i++)
        want += distillationLoss(
          s.slice(i * c, (i + 1) * c),
          t.slice(i * c, (i + 1) * c),
          y[i]!,
          T,
          alpha,
        );
      expect(distillationLossRows(S, Tm, y, T, alpha)).toBeCloseTo(want / b, 12);
      const fd = numericGrad((x) => distillationLossRows(matrix(b, c, x), Tm, y, T, alpha), s);
      Array.from(distillationLossGrad(S, Tm, y, T, alpha).data).forEach((v, k) =>
        expect(Math.abs(v - fd[k]!)).toBeLessThan(1e-5 * (1 + T)),
      );
    },
  );

  test.prop([batchArb], { numRuns: 15, seed: 9 })(
    'distillationLossTf and its tf.grad equal the from-scratch loss and hand gradient (float32)',
    async ({ s, t, y, T, alpha, shape: [b, c] }) => {
      const S = matrix(b, c, s);
      const Tm = matrix(b, c, t);
      const scratch = distillationLossRows(S, Tm, y, T, alpha);
      expect(Math.abs((await distillationLossTfMatrix(S, Tm, y, T, alpha)) - scratch)).toBeLessThan(
        1e-4 * (1 + scratch),
      );
      const grad = await distillationLossGradTfMatrix(S, Tm, y, T, alpha);
      expect(maxAbsDiff(grad, distillationLossGrad(S, Tm, y, T, alpha))).toBeLessThan(
        1e-5 * (1 + T),
      );
    },
  );
});

describe('distillation against fine-tuning (seeded tfjs run)', () => {
  it('from 24 labelled points, the student trained on the teacher ends nearer it and with a lower test NLL than one trained on the labels', async () => {
    const task = blobTask({ train: 24, test: 1000 }, rng(1));
    const onLabels = evaluateStudent(
      await trainStudent(task, { alpha: 0, temperature: 1, steps: 40, learningRate: 0.15 }, rng(2)),
      task,
    );
    const distilled = evaluateStudent(
      await trainStudent(task, { alpha: 1, temperature: 2, steps: 40, learningRate: 0.15 }, rng(2)),
      task,
    );
    expect(distilled.klToTeacher).toBeLessThan(onLabels.klToTeacher / 10);
    expect(distilled.nll).toBeLessThan(onLabels.nll);
    // the teacher is the Bayes posterior: no student beats its accuracy by more than noise
    expect(distilled.accuracy).toBeGreaterThan(0.7);
  });
});

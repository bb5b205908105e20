/**
 * Notebook for Q34: the distillation loss (teacher, student, temperature, T^2), and distillation
 * against fine-tuning on a tiny seeded tfjs experiment.
 * Run: npm start -- run distillation
 */
import {
  blobTask,
  distillationLoss,
  evaluateStudent,
  pitfallTemperatureOnTeacherOnly,
  softTargetGradient,
  trainStudent,
} from '../ml/distillation.js';
import { softmax } from '../ml/softmax.js';
import { tensorBackend } from '../core/backend.js';
import { rng } from '../core/random.js';
import { defineNotebook } from '../notebook/index.js';

const norm = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));

export default defineNotebook(import.meta.url, 'distillation', async (nb) => {
  await nb.md(String.raw`
    ## The question
    *蒸馏损失函数* (Q34): what are the teacher and the student, what loss trains the student,
    and how does distillation differ from fine-tuning?

    ## The idea
    A large trained teacher gives, for every input, a whole distribution over classes (or next
    tokens). Its small probabilities say which wrong answers are nearly right, information a hard
    label does not carry. The student (usually smaller) is trained to match that distribution,
    softened by a temperature $T > 1$ on both sides, and, with a lower weight, the true labels
    (Hinton, Vinyals and Dean, 2015):
    $$L = \alpha\, T^2\, \mathrm{KL}\big(\mathrm{softmax}(t/T) \Vert \mathrm{softmax}(s/T)\big)
      + (1 - \alpha)\, \mathrm{CE}\big(\mathrm{softmax}(s), y\big)$$

    The whiteboard answer, read from ml/distillation.ts (the KL from ml/kl-divergence.ts):
  `);
  await nb.source('ml/distillation.ts', 'distillationLoss');

  await nb.md`
    A tiny run. Inputs: a student that knows nothing (logits [0, 0, 0]) against a confident
    teacher [5, 0, 0], label 0, T = 2, alpha = 0.9.
  `;
  const loss = await nb.code(() => distillationLoss([0, 0, 0], [5, 0, 0], 0, 2, 0.9));
  // by hand: p = softmax([2.5, 0, 0]), KL(p || uniform) = ln 3 - H(p), CE = ln 3
  const e = Math.exp(2.5);
  const p = [e / (e + 2), 1 / (e + 2), 1 / (e + 2)];
  const h = -p.reduce((a, x) => a + x * Math.log(x), 0);
  await nb.check(
    'we see the loss; expected 0.9 * 4 * (ln 3 - H(p)) + 0.1 * ln 3',
    loss,
    0.9 * 4 * (Math.log(3) - h) + 0.1 * Math.log(3),
  );

  await nb.md`
    ## What the temperature does
    Inputs: teacher logits [5, 3, 0, -2] (class 0 is right, class 1 is a near miss).
  `;
  const teacher = [5, 3, 0, -2];
  await nb.table(
    [1, 2, 5].map((T) => {
      const p = softmax(teacher.map((z) => z / T));
      return {
        T,
        'p(right)': p[0]!,
        'p(near miss)': p[1]!,
        'p(far)': p[2]!,
        'p(farthest)': p[3]!,
      };
    }),
    'softmax(t / T): higher T shows which wrong class is nearly right',
  );
  await nb.check(
    'at T = 1 the near miss gets e^-2 of the right class',
    softmax(teacher)[1]! / softmax(teacher)[0]!,
    Math.exp(-2),
  );

  await nb.md(String.raw`
    ## Why $T^2$
    The gradient of the unscaled soft term is $(\mathrm{softmax}(s/T) - \mathrm{softmax}(t/T)) / T$,
    and for large T, $\mathrm{softmax}(z/T) \approx (1 + z/T)/N$, so it is about
    $(s - t)/(N T^2)$: it shrinks as $1/T^2$. Multiplying the soft loss by $T^2$ keeps its
    gradient's size as T changes, so changing T does not silently re-weight it against the hard
    term. Inputs: student [1.2, -0.3, 0.5, -1.4] against teacher [-0.5, 0.9, 0.1, -0.5].
  `);
  const s = [1.2, -0.3, 0.5, -1.4];
  const t = [-0.5, 0.9, 0.1, -0.5];
  const temps = [1, 2, 4, 8, 12, 16, 20];
  await nb.code(() => softTargetGradient(s, t, 2));
  const scaled = temps.map((T) => norm(softTargetGradient(s, t, T)));
  const unscaled = scaled.map((g, i) => g / temps[i]! ** 2);
  await nb.plot({
    kind: 'line',
    title: 'Norm of the soft-loss gradient in the student logits',
    x: { label: 'T', values: temps },
    y: { label: '||gradient||', log: true },
    series: [
      { name: 'T^2 KL (Hinton)', values: scaled },
      { name: 'KL without T^2', values: unscaled },
    ],
  });
  const at = (T: number) => temps.indexOf(T);
  await nb.claim(
    'with T^2 the norm stays within 10% from T = 2 to T = 20',
    Math.max(...scaled.slice(1)) / Math.min(...scaled.slice(1)) < 1.1,
    `${scaled[at(2)]!.toFixed(4)} at T = 2, ${scaled[at(20)]!.toFixed(4)} at T = 20`,
  );
  const fall = unscaled[at(2)]! / unscaled[at(20)]!;
  await nb.claim(
    'without it, the norm falls about 100x from T = 2 to T = 20 (1/T^2)',
    fall > 90,
    `${fall.toFixed(1)}x`,
  );
  const d = s.map((v, c) => v - t[c]!);
  const dMean = d.reduce((a, x) => a + x, 0) / d.length;
  const limit = d.map((x) => (x - dMean) / d.length);
  const far = softTargetGradient(s, t, 10_000);
  await nb.claim(
    "Hinton's limit: at T = 10,000 the scaled gradient is (s - t - mean) / N",
    Math.max(...far.map((g, c) => Math.abs(g - limit[c]!))) < 1e-4,
    `[${far.map((g) => g.toFixed(4)).join(', ')}]`,
  );

  await nb.md`
    ## The pitfall: a temperature on the teacher only
    Softening the teacher but not the student compares two different temperatures: even a
    student that copies the teacher's logits is penalised, so the optimum is not the teacher.
  `;
  await nb.check(
    'right: a copy of the teacher costs 0 at T = 4',
    distillationLoss(t, t, 0, 4, 1),
    0,
  );
  await nb.claim(
    'teacher-only temperature: the copy still costs',
    pitfallTemperatureOnTeacherOnly(t, t, 0, 4, 1) > 0.1,
    `loss ${pitfallTemperatureOnTeacherOnly(t, t, 0, 4, 1).toFixed(4)}`,
  );

  await nb.md`
    ## Distillation against fine-tuning: a tiny seeded experiment
    Three overlapping Gaussian classes in 2-D. The teacher is the exact Bayes posterior (what a
    large, well-trained model approximates); the student is a linear softmax classifier, which can
    represent that posterior exactly. It sees only 24 labelled training points and is trained with
    tfjs (Adam, 80 full-batch steps, same seed) either on the labels (alpha = 0: fine-tuning) or
    on the teacher's soft targets (alpha = 1, T = 2). Scored on 1,000 held-out points.
  `;
  const { name } = await tensorBackend();
  const task = blobTask({ train: 24, test: 1000 }, rng(1));
  const training = { steps: 80, learningRate: 0.1 };
  const onLabels = evaluateStudent(
    await trainStudent(task, { alpha: 0, temperature: 1, ...training }, rng(2)),
    task,
  );
  const distilled = evaluateStudent(
    await trainStudent(task, { alpha: 1, temperature: 2, ...training }, rng(2)),
    task,
  );
  await nb.table(
    [
      ['trained on labels', onLabels] as const,
      ['distilled from the teacher', distilled] as const,
    ].map(([student, r]) => ({
      student,
      accuracy: r.accuracy,
      'test NLL': r.nll,
      'KL(teacher || student)': r.klToTeacher,
    })),
    `Held-out scores of the two students (tfjs on ${name})`,
  );
  await nb.claim(
    'the distilled student is far nearer the teacher',
    distilled.klToTeacher < onLabels.klToTeacher / 10,
    `KL ${distilled.klToTeacher.toExponential(2)} vs ${onLabels.klToTeacher.toFixed(4)}`,
  );
  await nb.claim(
    'and its held-out NLL is lower',
    distilled.nll < onLabels.nll,
    `${distilled.nll.toFixed(4)} vs ${onLabels.nll.toFixed(4)}`,
  );
  await nb.md`
    Each training point gives the distilled student a whole posterior (two free numbers per point
    here) instead of one sampled label, so 24 points pin the posterior down; the labels alone
    leave a student that is still far from it after the same number of steps.

    ## What each is for
    Fine-tuning adapts a model to a task or domain from labelled data (ground truth, the target
    of the task). Distillation transfers a trained model's behaviour, its full output
    distribution, into another, usually smaller and cheaper model; it needs the teacher's outputs
    (offline stored soft targets or the teacher run alongside), not more labels. They combine:
    the alpha mix trains on both, and sequence-level distillation of LLMs fine-tunes a student on
    text the teacher generated.

    ## Complexity
    O(C) per example for C classes; the teacher's forward pass (or the storage of its soft
    targets) is the real cost.

    ## When not to use it
    Without a teacher that is better than the student on the task, there is nothing to transfer.
    A teacher that is confidently wrong is copied faithfully. When the student can be as large as
    needed and labels are plentiful, plain fine-tuning is simpler.
  `;
});

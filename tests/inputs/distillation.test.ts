/** Input checks of distillation (ml/distillation.ts): every bad call names its argument. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { tensorBackend } from '../../core/backend.js';
import {
  blobTask,
  distillationLoss,
  distillationLossGrad,
  distillationLossGradTf,
  distillationLossGradTfMatrix,
  distillationLossRows,
  distillationLossTf,
  distillationLossTfMatrix,
  evaluateStudent,
  pitfallDistillationWithoutTSquared,
  pitfallTemperatureOnTeacherOnly,
  softCrossEntropy,
  softTargetGradient,
  softTargetLoss,
  trainStudent,
  type StudentTraining,
} from '../../ml/distillation.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const S = [1, 0, -1];
const T3 = [0.5, 0.5, 0];
const { tf } = await tensorBackend();
const task = blobTask({ train: 4, test: 4 }, rng(1));

describe('one example', () => {
  for (const loss of [
    distillationLoss,
    pitfallDistillationWithoutTSquared,
    pitfallTemperatureOnTeacherOnly,
  ]) {
    badCalls([
      ['temperature 0', () => loss(S, T3, 0, 0, 0.5), 'temperature'],
      ['a negative temperature', () => loss(S, T3, 0, -2, 0.5), 'temperature'],
      [
        'an infinite temperature',
        () => loss(S, T3, 0, Number.POSITIVE_INFINITY, 0.5),
        'temperature',
      ],
      [
        'a temperature of 1e9 (T^2 overflows the scale)',
        () => loss(S, T3, 0, 1e9, 0.5),
        'temperature',
      ],
      ['alpha = 1.5', () => loss(S, T3, 0, 2, 1.5), 'alpha'],
      ['alpha = -0.1', () => loss(S, T3, 0, 2, -0.1), 'alpha'],
      ['a label out of range', () => loss(S, T3, 3, 2, 0.5), 'label'],
      ['a fractional label', () => loss(S, T3, 0.5, 2, 0.5), 'label'],
      ['teacher and student of different lengths', () => loss(S, [0, 1], 0, 2, 0.5), 'teacher'],
      ['a NaN student logit', () => loss([Number.NaN, 0, 0], T3, 0, 2, 0.5), 'student[0]'],
      ['a logit of 1e300', () => loss(S, [1e300, 0, 0], 0, 2, 0.5), 'teacher[0]'],
      ['no classes', () => loss([], [], 0, 2, 0.5), 'student'],
      [
        'a student that is not an array',
        () => loss(junk(1), T3, 0, 2, 0.5),
        'student',
        ArgumentTypeError,
      ],
      [
        'a temperature that is a string',
        () => loss(S, T3, 0, junk('2'), 0.5),
        'temperature',
        ArgumentTypeError,
      ],
    ]);
  }
  badCalls([
    ['soft loss at T = 0', () => softTargetLoss(S, T3, 0), 'temperature'],
    ['gradient with mismatched lengths', () => softTargetGradient(S, [1], 2), 'teacher'],
    ['soft targets that do not sum to 1', () => softCrossEntropy(S, [0.5, 0.4, 0], 2), 'targets'],
    ['a negative soft target', () => softCrossEntropy(S, [0.6, 0.6, -0.2], 2), 'targets[2]'],
    ['soft targets of another length', () => softCrossEntropy(S, [0.5, 0.5], 2), 'targets'],
  ]);
});

describe('batches and tfjs', () => {
  const s = matrix(2, 3, [1, 0, -1, 0, 0, 0]);
  for (const f of [
    distillationLossRows,
    distillationLossGrad,
    distillationLossTfMatrix,
    distillationLossGradTfMatrix,
  ]) {
    badCalls([
      ['a teacher of another shape', () => f(s, matrix(2, 2), [0, 1], 2, 0.5), 'teacher'],
      ['one label for two rows', () => f(s, s, [0], 2, 0.5), 'labels'],
      ['a label out of range', () => f(s, s, [0, 3], 2, 0.5), 'labels[1]'],
      ['an empty batch', () => f(matrix(0, 3), matrix(0, 3), [], 2, 0.5), 'student'],
      ['temperature 0', () => f(s, s, [0, 1], 0, 0.5), 'temperature'],
      ['alpha = 2', () => f(s, s, [0, 1], 2, 2), 'alpha'],
      [
        'a nested array for a Matrix',
        () => f(junk([[1, 0, -1]]), s, [0], 2, 0.5),
        'student',
        ArgumentTypeError,
      ],
    ]);
  }
  const t = (shape: number[]) => tf.zeros(shape);
  const y = (n: number) => tf.zeros([n], 'int32');
  for (const f of [distillationLossTf, distillationLossGradTf]) {
    badCalls([
      [
        'a plain object for tf',
        () => f(junk({}), t([2, 3]), t([2, 3]), y(2), 2, 0.5),
        'tf',
        ArgumentTypeError,
      ],
      [
        'a teacher tensor of another shape',
        () => f(tf, t([2, 3]), t([2, 2]), y(2), 2, 0.5),
        'teacher',
      ],
      ['float labels', () => f(tf, t([2, 3]), t([2, 3]), t([2]), 2, 0.5), 'labels'],
      ['labels of another length', () => f(tf, t([2, 3]), t([2, 3]), y(3), 2, 0.5), 'labels'],
      ['rank-1 student logits', () => f(tf, t([3]), t([2, 3]), y(2), 2, 0.5), 'student'],
      ['temperature -1', () => f(tf, t([2, 3]), t([2, 3]), y(2), -1, 0.5), 'temperature'],
    ]);
  }
});

describe('the experiment', () => {
  badCalls([
    ['zero training points', () => blobTask({ train: 0, test: 4 }, rng(1)), 'options.train'],
    ['one class', () => blobTask({ train: 4, test: 4, classes: 1 }, rng(1)), 'options.classes'],
    ['a spread of 0', () => blobTask({ train: 4, test: 4, spread: 0 }, rng(1)), 'options.spread'],
    ['no rng', () => blobTask({ train: 4, test: 4 }, junk(undefined)), 'rng', ArgumentTypeError],
    [
      'training at temperature 0',
      () => trainStudent(task, { alpha: 1, temperature: 0 }, rng(1)),
      'temperature',
    ],
    [
      'training with alpha 2',
      () => trainStudent(task, { alpha: 2, temperature: 1 }, rng(1)),
      'alpha',
    ],
    [
      'zero steps',
      () => trainStudent(task, { alpha: 1, temperature: 1, steps: 0 }, rng(1)),
      'training.steps',
    ],
    [
      'a negative learning rate',
      () => trainStudent(task, { alpha: 1, temperature: 1, learningRate: -1 }, rng(1)),
      'training.learningRate',
    ],
    [
      'training options that are null',
      () => trainStudent(task, junk<StudentTraining>(null), rng(1)),
      'training',
      ArgumentTypeError,
    ],
    [
      'a task with labels missing',
      () => trainStudent({ ...task, yTrain: [0] }, { alpha: 1, temperature: 1 }, rng(1)),
      'task',
    ],
    [
      'a student of the wrong width',
      () => evaluateStudent({ w: matrix(3, 3), b: [0, 0, 0] }, task),
      'student.w',
    ],
    [
      'a student with too few biases',
      () => evaluateStudent({ w: matrix(3, 2), b: [0] }, task),
      'student.b',
    ],
  ]);
});

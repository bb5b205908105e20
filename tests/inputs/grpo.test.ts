/** Input checks of GRPO (ml/grpo.ts): every bad call names its argument with a typed error. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { tensorBackend } from '../../core/backend.js';
import {
  clippedSurrogate,
  groupAdvantages,
  groupAdvantagesWith,
  grpoLoss,
  grpoLossGrad,
  grpoLossGradTf,
  grpoLossTf,
  grpoLossTfValue,
  grpoObjective,
  grpoObjectiveCounted,
  grpoObjectiveFromAdvantages,
  padOutputs,
  pitfallGroupAdvantagesPopulationStd,
  pitfallGroupAdvantagesUnguarded,
  pitfallLossSign,
  pitfallSurrogateClipWithoutMin,
  pitfallSurrogateWithoutClip,
  pitfallTokenMeanAggregation,
  type AdvantageOptions,
  type GrpoOutput,
} from '../../ml/grpo.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const out = (n: number): GrpoOutput => ({
  logp: Array.from({ length: n }, () => -1),
  logpOld: Array.from({ length: n }, () => -1.1),
  logpRef: Array.from({ length: n }, () => -0.9),
});
const group = [out(2), out(3)];
const { tf } = await tensorBackend();

describe('group advantages', () => {
  for (const advantages of [
    groupAdvantages,
    pitfallGroupAdvantagesPopulationStd,
    pitfallGroupAdvantagesUnguarded,
  ]) {
    badCalls([
      ['a group of size 0', () => advantages([]), 'rewards'],
      ['a NaN reward', () => advantages([1, Number.NaN]), 'rewards[1]'],
      ['an infinite reward', () => advantages([Number.POSITIVE_INFINITY, 0]), 'rewards[0]'],
      ['a reward of 1e300', () => advantages([1e300, 0]), 'rewards[0]'],
      ['rewards that are not an array', () => advantages(junk(3)), 'rewards', ArgumentTypeError],
      [
        'a reward that is a string',
        () => advantages(junk(['1', 0])),
        'rewards[0]',
        ArgumentTypeError,
      ],
    ]);
  }
  badCalls([
    [
      'an unknown std',
      () => groupAdvantagesWith([1, 0], { std: junk<AdvantageOptions['std']>('biased') }),
      'options.std',
    ],
    [
      'a negative epsilon',
      () => groupAdvantagesWith([1, 0], { epsilon: -1e-4 }),
      'options.epsilon',
    ],
    [
      'options that are null',
      () => groupAdvantagesWith([1, 0], junk(null)),
      'options',
      ArgumentTypeError,
    ],
  ]);
});

describe('the clipped surrogate', () => {
  for (const surrogate of [
    clippedSurrogate,
    pitfallSurrogateWithoutClip,
    pitfallSurrogateClipWithoutMin,
  ]) {
    badCalls([
      ['epsilon = 1 (1 - epsilon = 0)', () => surrogate(1, 1, 1), 'epsilon'],
      ['epsilon = -0.1', () => surrogate(1, 1, -0.1), 'epsilon'],
      ['epsilon = NaN', () => surrogate(1, 1, Number.NaN), 'epsilon'],
      ['a ratio of 0', () => surrogate(0, 1, 0.2), 'ratio'],
      ['a negative ratio', () => surrogate(-1, 1, 0.2), 'ratio'],
      ['a ratio that is a string', () => surrogate(junk('1'), 1, 0.2), 'ratio', ArgumentTypeError],
      ['an infinite advantage', () => surrogate(1, Number.NEGATIVE_INFINITY, 0.2), 'advantage'],
    ]);
  }
});

describe('the objective and the loss', () => {
  for (const objective of [
    grpoObjective,
    grpoLoss,
    pitfallTokenMeanAggregation,
    pitfallLossSign,
    grpoObjectiveCounted,
  ]) {
    badCalls([
      ['a group of size 0', () => objective([], [], 0.2, 0.04), 'outputs'],
      ['one reward for two outputs', () => objective(group, [1], 0.2, 0.04), 'rewards'],
      ['epsilon = 1', () => objective(group, [1, 0], 1, 0.04), 'epsilon'],
      ['epsilon = 1.5', () => objective(group, [1, 0], 1.5, 0.04), 'epsilon'],
      ['a negative beta', () => objective(group, [1, 0], 0.2, -0.04), 'beta'],
      [
        'an output of zero tokens',
        () => objective([out(0), out(1)], [1, 0], 0.2, 0.04),
        'outputs[0].logp',
      ],
      [
        'logpOld shorter than logp',
        () => objective([{ ...out(2), logpOld: [-1] }, out(1)], [1, 0], 0.2, 0.04),
        'outputs[0].logpOld',
      ],
      [
        'a positive log-probability',
        () => objective([out(1), { ...out(2), logpRef: [-1, 0.5] }], [1, 0], 0.2, 0.04),
        'outputs[1].logpRef[1]',
      ],
      [
        'a NaN log-probability',
        () => objective([{ ...out(1), logp: [Number.NaN] }, out(1)], [1, 0], 0.2, 0.04),
        'outputs[0].logp[0]',
      ],
      [
        'a log-ratio of 1000 (exp overflows)',
        () => objective([{ ...out(1), logpOld: [-1001] }, out(1)], [1, 0], 0.2, 0.04),
        'outputs[0].logpOld[0]',
      ],
      [
        'an output that is null',
        () => objective([junk(null), out(1)], [1, 0], 0.2, 0.04),
        'outputs[0]',
        ArgumentTypeError,
      ],
      [
        'outputs that are not an array',
        () => objective(junk(out(1)), [1], 0.2, 0.04),
        'outputs',
        ArgumentTypeError,
      ],
    ]);
  }
  badCalls([
    [
      'a counter that is not a Counter',
      () => grpoObjectiveCounted(group, [1, 0], 0.2, 0, junk({})),
      'counter',
      ArgumentTypeError,
    ],
    [
      'an advantage of 1e9',
      () => grpoObjectiveFromAdvantages(group, [1e9, 0], 0.2, 0),
      'advantages[0]',
    ],
    ['advantages of the wrong count', () => grpoLossGrad(group, [1, 0, 0], 0.2, 0), 'advantages'],
    ['padding a group of size 0', () => padOutputs([]), 'outputs'],
  ]);
});

describe('tfjs', () => {
  const t = (shape: number[]) => tf.zeros(shape);
  badCalls([
    [
      'a plain object for tf',
      () => grpoLossTf(junk({}), t([2, 3]), t([2, 3]), t([2, 3]), t([2]), t([2, 3]), 0.2, 0),
      'tf',
      ArgumentTypeError,
    ],
    [
      'logpOld of another shape',
      () => grpoLossTf(tf, t([2, 3]), t([2, 2]), t([2, 3]), t([2]), t([2, 3]), 0.2, 0),
      'logpOld',
    ],
    [
      'a mask of another shape',
      () => grpoLossTf(tf, t([2, 3]), t([2, 3]), t([2, 3]), t([2]), t([3, 2]), 0.2, 0),
      'mask',
    ],
    [
      'advantages of rank 2',
      () => grpoLossTf(tf, t([2, 3]), t([2, 3]), t([2, 3]), t([2, 1]), t([2, 3]), 0.2, 0),
      'advantages',
    ],
    [
      'one advantage for two outputs',
      () => grpoLossTf(tf, t([2, 3]), t([2, 3]), t([2, 3]), t([1]), t([2, 3]), 0.2, 0),
      'advantages',
    ],
    [
      'logp of rank 1',
      () => grpoLossTf(tf, t([3]), t([2, 3]), t([2, 3]), t([2]), t([2, 3]), 0.2, 0),
      'logp',
    ],
    [
      'a group of size 0',
      () => grpoLossTf(tf, t([0, 3]), t([0, 3]), t([0, 3]), t([0]), t([0, 3]), 0.2, 0),
      'logp',
    ],
    [
      'epsilon = 1',
      () => grpoLossTf(tf, t([2, 3]), t([2, 3]), t([2, 3]), t([2]), t([2, 3]), 1, 0),
      'epsilon',
    ],
    [
      'the value edge checks the rewards count',
      () => grpoLossTfValue(group, [1], 0.2, 0),
      'advantages',
    ],
    ['the gradient edge checks beta', () => grpoLossGradTf(group, [1, 0], 0.2, Number.NaN), 'beta'],
  ]);
});

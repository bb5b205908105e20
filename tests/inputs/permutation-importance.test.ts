/**
 * Input checks of permutation importance (ml/permutation-importance/): every bad call names its
 * argument with a typed error. Single-feature AUC has its own table (single-feature-auc.test.ts).
 */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { at, matrix, type Matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import {
  fitLogisticRegression,
  permutationImportance,
  permutationImportanceWithOptions,
  permuteColumn,
  pitfallShuffledLabels,
  selectColumns,
  type Model,
} from '../../ml/permutation-importance/index.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const x = matrix(4, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
const y = [0, 1, 0, 1];
const first: Model = (m: Matrix) => Float64Array.from({ length: m.rows }, (_, i) => at(m, i, 0));

describe('permutationImportance (and the pitfall, which checks the same)', () => {
  for (const importance of [permutationImportance, pitfallShuffledLabels]) {
    badCalls([
      ['labels of the wrong length', () => importance(first, x, [0, 1, 0], rng(1)), 'labels'],
      ['zero repeats', () => importance(first, x, y, rng(1), 0), 'nRepeats'],
      [
        '2^31 repeats (would not return)',
        () => importance(first, x, y, rng(1), 2 ** 31),
        'nRepeats',
      ],
      ['a fractional repeat count', () => importance(first, x, y, rng(1), 1.5), 'nRepeats'],
      [
        'a model that is not a function',
        () => importance(junk('model'), x, y, rng(1)),
        'model',
        ArgumentTypeError,
      ],
      [
        'labels that are a string',
        () => importance(first, x, junk('0101'), rng(1)),
        'labels',
        ArgumentTypeError,
      ],
      [
        'x that is not a Matrix',
        () => importance(first, junk({ rows: 4 }), y, rng(1)),
        'x',
        ArgumentTypeError,
      ],
      [
        'a plain object for the rng',
        () => importance(first, x, y, junk({ integer: () => 0 })),
        'rng',
        ArgumentTypeError,
      ],
      [
        'a model returning the wrong number of scores',
        () => importance(() => [0.5], x, y, rng(1)),
        'model',
      ],
      [
        'a model returning null',
        () =>
          importance(
            junk(() => null),
            x,
            y,
            rng(1),
          ),
        'model',
      ],
      ['a label other than 0/1', () => importance(first, x, [0, 1, 2, 1], rng(1)), 'labels[2]'],
    ]);
  }
});

describe('permutationImportanceWithOptions', () => {
  badCalls([
    [
      'a column out of range',
      () => permutationImportanceWithOptions(first, x, y, rng(1), { columns: [0, 2] }),
      'columns[1]',
    ],
    [
      'columns that are not an array',
      () => permutationImportanceWithOptions(first, x, y, rng(1), { columns: junk(1) }),
      'columns',
      ArgumentTypeError,
    ],
    [
      'a negative sample weight',
      () => permutationImportanceWithOptions(first, x, y, rng(1), { sampleWeight: [1, 1, -1, 1] }),
      'sampleWeight[2]',
    ],
    [
      'a scoring that is not a function',
      () => permutationImportanceWithOptions(first, x, y, rng(1), { scoring: junk(3) }),
      'scoring',
      ArgumentTypeError,
    ],
    [
      'a scoring that returns NaN',
      () => permutationImportanceWithOptions(first, x, y, rng(1), { scoring: () => Number.NaN }),
      'scoring',
    ],
    [
      'options that are not an object',
      () => permutationImportanceWithOptions(first, x, y, rng(1), junk('five')),
      'options',
      ArgumentTypeError,
    ],
    [
      'zero repeats',
      () => permutationImportanceWithOptions(first, x, y, rng(1), { nRepeats: 0 }),
      'nRepeats',
    ],
  ]);
});

describe('permuteColumn and selectColumns', () => {
  badCalls([
    ['a column out of range', () => permuteColumn(x, 2, rng(1)), 'column'],
    ['a plain object for the rng', () => permuteColumn(x, 0, junk({})), 'rng', ArgumentTypeError],
    ['keep out of range', () => selectColumns(x, [1, 2]), 'keep[1]'],
    ['keep that is not an array', () => selectColumns(x, junk('01')), 'keep', ArgumentTypeError],
  ]);
});

describe('fitLogisticRegression', () => {
  badCalls([
    ['a label other than 0/1', () => fitLogisticRegression(x, [0, 1, 2, 1]), 'labels[2]'],
    ['zero steps', () => fitLogisticRegression(x, y, { steps: 0 }), 'steps'],
    [
      '2^31 steps (would not return)',
      () => fitLogisticRegression(x, y, { steps: 2 ** 31 }),
      'steps',
    ],
    [
      'a NaN learning rate',
      () => fitLogisticRegression(x, y, { learningRate: Number.NaN }),
      'learningRate',
    ],
    [
      'a counter that is not a Counter',
      () => fitLogisticRegression(x, y, {}, junk({ madds: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'predicting on the wrong width',
      () => fitLogisticRegression(x, y, { steps: 1 }).predict(matrix(1, 3)),
      'x',
    ],
  ]);
});

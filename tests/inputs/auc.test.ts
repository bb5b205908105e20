/** Input checks of ROC AUC (ml/auc/): every bad call names its argument with a typed error. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import {
  averageRanks,
  pitfallAucIgnoringTies,
  pitfallAucOrdinalRanks,
  rocAuc,
  rocAucPairwise,
  rocAucRadix,
  rocAucWeighted,
} from '../../ml/auc/index.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;

describe('rocAuc and every alternative reject the same bad labels and scores', () => {
  const versions = {
    rocAuc,
    rocAucRadix,
    rocAucPairwise,
    pitfallAucIgnoringTies,
    pitfallAucOrdinalRanks,
  };
  for (const [name, auc] of Object.entries(versions)) {
    describe(name, () => {
      badCalls([
        [
          'a single class (AUC undefined, as in sklearn)',
          () => auc([1, 1, 1], [0.1, 0.2, 0.3]),
          'labels',
        ],
        ['a label other than 0/1', () => auc([0, 2], [0.1, 0.2]), 'labels[1]'],
        ['a NaN score', () => auc([0, 1], [0.1, Number.NaN]), 'scores[1]'],
        ['an infinite score', () => auc([0, 1], [Number.POSITIVE_INFINITY, 0]), 'scores[0]'],
        ['fewer scores than labels', () => auc([0, 1, 1], [0.1, 0.2]), 'scores'],
        [
          'labels that are a string',
          () => auc(junk('01'), [0.1, 0.2]),
          'labels',
          ArgumentTypeError,
        ],
        ['scores that are a string', () => auc([0, 1], junk('01')), 'scores', ArgumentTypeError],
        ['null labels', () => auc(junk(null), [0.1]), 'labels', ArgumentTypeError],
        ['a string score', () => auc([0, 1], junk([0.1, '0.2'])), 'scores[1]'],
      ]);
    });
  }
});

describe('sample weights', () => {
  badCalls([
    ['a negative weight', () => rocAucWeighted([0, 1], [0.1, 0.2], [1, -1]), 'sampleWeight[1]'],
    ['a NaN weight', () => rocAucWeighted([0, 1], [0.1, 0.2], [1, Number.NaN]), 'sampleWeight[1]'],
    ['too few weights', () => rocAucWeighted([0, 1], [0.1, 0.2], [1]), 'sampleWeight'],
    [
      'zero total weight for a class',
      () => rocAucWeighted([0, 1], [0.1, 0.2], [0, 1]),
      'sampleWeight',
    ],
    [
      'no weights at all',
      () => rocAucWeighted([0, 1], [0.1, 0.2], junk(undefined)),
      'sampleWeight',
      ArgumentTypeError,
    ],
    [
      'radix: weights that are a string',
      () => rocAucRadix([0, 1], [0.1, 0.2], { sampleWeight: junk('11') }),
      'sampleWeight',
      ArgumentTypeError,
    ],
    [
      'radix: a negative weight',
      () => rocAucRadix([0, 1], [0.1, 0.2], { sampleWeight: [1, -1] }),
      'sampleWeight[1]',
    ],
    [
      'radix: options that are not an object',
      () => rocAucRadix([0, 1], [0.1, 0.2], junk(3)),
      'options',
      ArgumentTypeError,
    ],
    [
      'pairwise: a negative weight',
      () => rocAucPairwise([0, 1], [0.1, 0.2], { sampleWeight: [-1, 1] }),
      'sampleWeight[0]',
    ],
    [
      'pairwise: null options',
      () => rocAucPairwise([0, 1], [0.1, 0.2], junk(null)),
      'options',
      ArgumentTypeError,
    ],
  ]);
});

describe('averageRanks', () => {
  badCalls([
    ['values that are not an array', () => averageRanks(junk(5)), 'values', ArgumentTypeError],
    ['a NaN value', () => averageRanks([1, Number.NaN]), 'values[1]'],
  ]);
});

/**
 * Input checks of single-feature AUC (ml/permutation-importance/single-feature-auc.ts): every bad
 * call names its argument with a typed error.
 */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import {
  orientationFree,
  pitfallSingleFeatureAucIgnoringTies,
  singleFeatureAuc,
  singleFeatureAucWeighted,
} from '../../ml/permutation-importance/single-feature-auc.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const x = matrix(4, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
const y = [0, 1, 0, 1];

describe('single-feature AUC', () => {
  for (const single of [singleFeatureAuc, pitfallSingleFeatureAucIgnoringTies]) {
    badCalls([
      ['a label other than 0/1', () => single(x, [0, 1, 2, 1]), 'labels[2]'],
      ['a single class', () => single(x, [1, 1, 1, 1]), 'labels'],
      ['labels of the wrong length', () => single(x, [0, 1]), 'labels'],
      ['a NaN feature', () => single(matrix(2, 1, [Number.NaN, 1]), [0, 1]), 'x[0]'],
      ['x that is null', () => single(junk(null), [0, 1]), 'x', ArgumentTypeError],
    ]);
  }
  badCalls([
    [
      'weighted: a negative weight',
      () => singleFeatureAucWeighted(x, y, [1, 1, -1, 1]),
      'sampleWeight[2]',
    ],
    [
      'weighted: no weights',
      () => singleFeatureAucWeighted(x, y, junk(undefined)),
      'sampleWeight',
      ArgumentTypeError,
    ],
    ['orientationFree of a string', () => orientationFree(junk('0.5')), 'aucs', ArgumentTypeError],
    ['orientationFree of NaN', () => orientationFree([Number.NaN]), 'aucs[0]'],
  ]);
});

/** Input checks of the contrastive losses (ml/contrastive.ts): typed errors naming the argument. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { fromRows, matrix } from '../../core/matrix.js';
import { tensorBackend } from '../../core/backend.js';
import {
  clipLoss,
  clipLossFloor,
  clipLossFromEmbeddings,
  clipLossFromEmbeddingsCounted,
  clipLossFromSimilarityTf,
  clipLossGradient,
  clipLossGradientTfMatrix,
  clipLossTf,
  clipLossTfMatrix,
  cosineSimilarityMatrix,
  infoNce,
  infoNceLowerBound,
  infoNceTf,
  infoNceTfMatrix,
  l2NormalizeRows,
  l2NormalizeTf,
  pitfallClipLossRowsOnly,
  pitfallClipLossTemperatureMultiplied,
  pitfallClipLossWithoutNormalization,
  temperatureFromLogitScale,
} from '../../ml/contrastive.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const { tf } = await tensorBackend();
const eye = fromRows([
  [1, 0],
  [0, 1],
]);
const a = fromRows([
  [1, 2],
  [3, 4],
]);

describe('losses from a similarity matrix', () => {
  for (const [name, loss] of [
    ['clipLoss', clipLoss],
    ['clipLossGradient', clipLossGradient],
    ['pitfallClipLossRowsOnly', pitfallClipLossRowsOnly],
    ['pitfallClipLossTemperatureMultiplied', pitfallClipLossTemperatureMultiplied],
  ] as const) {
    describe(name, () => {
      badCalls([
        ['an empty batch (0 x 0)', () => loss(matrix(0, 0), 1), 'similarity'],
        ['a non-square matrix', () => loss(matrix(2, 3), 1), 'similarity'],
        ['temperature 0', () => loss(eye, 0), 'temperature'],
        ['a negative temperature', () => loss(eye, -0.07), 'temperature'],
        ['a NaN temperature', () => loss(eye, Number.NaN), 'temperature'],
        ['a string temperature', () => loss(eye, junk('0.07')), 'temperature', ArgumentTypeError],
        ['nested arrays for S', () => loss(junk([[1]]), 1), 'similarity', ArgumentTypeError],
        [
          'a NaN similarity',
          () => loss(junk({ rows: 1, cols: 1, data: new Float64Array([Number.NaN]) }), 1),
          'similarity[0]',
        ],
      ]);
    });
  }
  badCalls([
    ['a temperature so small that S / T overflows', () => clipLoss(eye, 1e-320), 'temperature'],
    ['infoNce with fewer columns than rows', () => infoNce(matrix(3, 2), 1), 'similarity'],
    ['infoNce on an empty batch', () => infoNce(matrix(0, 4), 1), 'similarity'],
    ['infoNce at temperature 0', () => infoNce(eye, 0), 'temperature'],
    [
      'a matrix too large to score in a second',
      () => clipLoss(matrix(2049, 2049), 1),
      'similarity',
    ],
    ['a negative loss for the bound', () => infoNceLowerBound(-1, 4), 'loss'],
    ['a batch size of 0 for the bound', () => infoNceLowerBound(1, 0), 'batchSize'],
    ['a fractional batch size', () => infoNceLowerBound(1, 2.5), 'batchSize'],
    ['a floor for 0 pairs', () => clipLossFloor(0, 1), 'n'],
    ['a floor at temperature 0', () => clipLossFloor(4, 0), 'temperature'],
    ['an infinite logit scale', () => temperatureFromLogitScale(Infinity), 'logitScale'],
    ['a logit scale whose exp(-t) overflows', () => temperatureFromLogitScale(-1000), 'logitScale'],
  ]);
});

describe('losses from embeddings', () => {
  for (const [name, loss] of [
    ['clipLossFromEmbeddings', clipLossFromEmbeddings],
    ['clipLossFromEmbeddingsCounted', clipLossFromEmbeddingsCounted],
    ['pitfallClipLossWithoutNormalization', pitfallClipLossWithoutNormalization],
  ] as const) {
    describe(name, () => {
      badCalls([
        ['an empty batch', () => loss(matrix(0, 2), matrix(0, 2), 1), 'a'],
        ['embeddings of width 0', () => loss(matrix(2, 0), matrix(2, 0), 1), 'a'],
        ['b of another width (dimension mismatch)', () => loss(a, matrix(2, 3), 1), 'b'],
        ['b with another batch size', () => loss(a, matrix(3, 2), 1), 'b'],
        ['temperature 0', () => loss(a, a, 0), 'temperature'],
        [
          'a Matrix-like without Float64Array data',
          () => loss(junk({ rows: 1, cols: 1, data: [1] }), a, 1),
          'a',
          ArgumentTypeError,
        ],
      ]);
    });
  }
  badCalls([
    [
      'a counter that is not a Counter',
      () => clipLossFromEmbeddingsCounted(a, a, 1, junk({})),
      'counter',
      ArgumentTypeError,
    ],
    ['cosines of mismatched widths', () => cosineSimilarityMatrix(a, matrix(2, 3)), 'b'],
    [
      'cosines with a junk counter',
      () => cosineSimilarityMatrix(a, a, junk(new Map())),
      'counter',
      ArgumentTypeError,
    ],
    [
      'normalizing something that is not a Matrix',
      () => l2NormalizeRows(junk([1, 2])),
      'm',
      ArgumentTypeError,
    ],
    [
      'unnormalized dot products that overflow',
      () => pitfallClipLossWithoutNormalization(fromRows([[1e300]]), fromRows([[1e300]]), 1),
      'a',
    ],
  ]);
});

describe('tfjs twins', () => {
  const s = tf.tensor2d([1, 0, 0, 1], [2, 2]);
  badCalls([
    ['a plain object for tf', () => infoNceTf(junk({}), s, 1), 'tf', ArgumentTypeError],
    [
      'a Matrix instead of a tensor',
      () => infoNceTf(tf, junk(eye), 1),
      'similarity',
      ArgumentTypeError,
    ],
    ['a rank-1 similarity', () => infoNceTf(tf, tf.tensor1d([1, 2]), 1), 'similarity'],
    ['fewer columns than rows', () => infoNceTf(tf, tf.zeros([3, 2]), 1), 'similarity'],
    ['an empty similarity tensor', () => infoNceTf(tf, tf.zeros([0, 2]), 1), 'similarity'],
    ['temperature 0', () => infoNceTf(tf, s, 0), 'temperature'],
    ['a rank-1 temperature tensor', () => infoNceTf(tf, s, tf.tensor1d([1, 2])), 'temperature'],
    ['a string temperature', () => infoNceTf(tf, s, junk('1')), 'temperature', ArgumentTypeError],
    [
      'CLIP on a non-square tensor',
      () => clipLossFromSimilarityTf(tf, tf.zeros([2, 3]), 1),
      'similarity',
    ],
    ['a negative temperature for CLIP', () => clipLossFromSimilarityTf(tf, s, -1), 'temperature'],
    ['b of another width', () => clipLossTf(tf, s, tf.zeros([2, 3]), 1), 'b'],
    ['b of another batch size', () => clipLossTf(tf, s, tf.zeros([3, 2]), 1), 'b'],
    ['an empty batch', () => clipLossTf(tf, tf.zeros([0, 2]), tf.zeros([0, 2]), 1), 'a'],
    ['a rank-3 a', () => clipLossTf(tf, tf.zeros([1, 2, 2]), s, 1), 'a'],
    ['normalizing a scalar', () => l2NormalizeTf(tf, tf.scalar(1)), 'x'],
    ['the Matrix edge checks b', () => clipLossTfMatrix(a, matrix(2, 3), 1), 'b'],
    ['the Matrix edge checks the temperature', () => infoNceTfMatrix(eye, 0), 'temperature'],
    [
      'the gradient edge checks the shape',
      () => clipLossGradientTfMatrix(matrix(2, 3), 1),
      'similarity',
    ],
  ]);
});

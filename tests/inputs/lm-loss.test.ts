/**
 * Input table for ml/lm-loss/: each bad call, the argument it is rejected for, the class.
 */
import { describe } from 'vitest';
import {
  nextTokenLoss,
  nextTokenLossBreakdown,
  nextTokenLossGrad,
  nextTokenLossGradTf,
  nextTokenLossTf,
  nextTokenLossTfMatrix,
  pitfallInitialLossInBits,
  pitfallLossWithoutShift,
  pitfallSftLabelsWithoutPromptMask,
  sftLabels,
  tinyLmInitialLoss,
  uniformPredictionLoss,
  type TinyLmOptions,
} from '../../ml/lm-loss/index.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix, type Matrix } from '../../core/matrix.js';
import { rng, type Rng } from '../../core/random.js';
import { tensorBackend, type Tensor, type Tf } from '../../core/backend.js';
import { badCalls } from '../support/answer-key.js';

const { tf } = await tensorBackend();
const junk = <T>(v: unknown) => v as T;

describe('logits and labels', () => {
  badCalls([
    ['labels one per row of logits', () => nextTokenLoss(matrix(4, 10), [1, 2, 3]), 'labels'],
    ['a label >= V', () => nextTokenLoss(matrix(3, 10), [1, 10, 2]), 'labels[1]'],
    ['a label of -1', () => nextTokenLossBreakdown(matrix(3, 10), [1, -1, 2]), 'labels[1]'],
    ['a fractional label', () => nextTokenLossGrad(matrix(3, 10), [1, 2.5, 2]), 'labels[1]'],
    ['a string label', () => nextTokenLoss(matrix(2, 10), junk([1, '2'])), 'labels[1]'],
    [
      'labels not an array',
      () => nextTokenLoss(matrix(2, 10), junk('12')),
      'labels',
      ArgumentTypeError,
    ],
    [
      'logits not a Matrix',
      () => nextTokenLoss(junk<Matrix>([[0, 0]]), [0]),
      'logits',
      ArgumentTypeError,
    ],
    ['logits with V = 0', () => nextTokenLoss(matrix(2, 0), [IGNORE, IGNORE]), 'logits'],
    ['a pitfall checks too', () => pitfallLossWithoutShift(matrix(2, 3), [0]), 'labels'],
    [
      'the Matrix-level twin checks before tfjs',
      () => nextTokenLossTfMatrix(matrix(2, 3), [0, 3]),
      'labels[1]',
    ],
  ]);
});

const IGNORE = -100;

describe('tensors', () => {
  const logits = () => tf.zeros([3, 4]);
  const labels = () => tf.tensor1d([0, 1, 2], 'int32');
  badCalls([
    [
      'tf a plain object',
      () => nextTokenLossTf(junk<Tf>({}), logits(), labels()),
      'tf',
      ArgumentTypeError,
    ],
    ['logits of rank 1', () => nextTokenLossTf(tf, tf.zeros([4]), labels()), 'logits'],
    [
      'logits an array',
      () => nextTokenLossTf(tf, junk<Tensor>([[0]]), labels()),
      'logits',
      ArgumentTypeError,
    ],
    [
      'labels float32',
      () => nextTokenLossTf(tf, logits(), tf.tensor1d([0, 1, 2])),
      'labels',
      ArgumentTypeError,
    ],
    [
      'labels of the wrong length',
      () => nextTokenLossTf(tf, logits(), tf.tensor1d([0, 1], 'int32')),
      'labels',
    ],
    [
      'a label >= V in the tensor',
      () => nextTokenLossGradTf(tf, logits(), tf.tensor1d([0, 4, 1], 'int32')),
      'labels[1]',
    ],
    [
      'logits int32',
      () => nextTokenLossTf(tf, tf.zeros([3, 4], 'int32'), labels()),
      'logits',
      ArgumentTypeError,
    ],
  ]);
});

describe('SFT labels and the initial loss', () => {
  badCalls([
    ['a prompt longer than the sequence', () => sftLabels([1, 2], 3), 'promptLength'],
    ['a fractional prompt length', () => sftLabels([1, 2], 0.5), 'promptLength'],
    ['tokens not an array', () => sftLabels(junk('ab'), 1), 'tokens', ArgumentTypeError],
    ['a negative token', () => sftLabels([1, -2], 1), 'tokens[1]'],
    [
      'the pitfall checks its prompt length',
      () => pitfallSftLabelsWithoutPromptMask([1], 2),
      'promptLength',
    ],
    ['uniformPredictionLoss vocab 0', () => uniformPredictionLoss(0), 'vocab'],
    ['uniformPredictionLoss vocab fractional', () => uniformPredictionLoss(2.5), 'vocab'],
    ['pitfallInitialLossInBits vocab 0', () => pitfallInitialLossInBits(0), 'vocab'],
    ['a vocabulary of 1', () => tinyLmInitialLoss({ vocab: 1 }, rng(1)), 'options.vocab'],
    [
      'an init std of 0',
      () => tinyLmInitialLoss({ vocab: 10, initStd: 0 }, rng(1)),
      'options.initStd',
    ],
    [
      'a sequence of 1 token',
      () => tinyLmInitialLoss({ vocab: 10, seqLen: 1 }, rng(1)),
      'options.seqLen',
    ],
    [
      '2^31 vocabulary entries',
      () => tinyLmInitialLoss({ vocab: 2 ** 31 }, rng(1)),
      'options.vocab',
    ],
    [
      'options null',
      () => tinyLmInitialLoss(junk<TinyLmOptions>(null), rng(1)),
      'options',
      ArgumentTypeError,
    ],
    [
      'a plain object for the Rng',
      () => tinyLmInitialLoss({ vocab: 10 }, junk<Rng>({})),
      'rng',
      ArgumentTypeError,
    ],
  ]);
});

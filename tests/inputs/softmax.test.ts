/** Input checks of ml/softmax.ts: each bad call, the argument it names and the error class. */
import { describe } from 'vitest';
import {
  anyVisibleTf,
  crossEntropy,
  entropy,
  logSoftmax,
  logSoftmaxRows,
  logSoftmaxTf,
  maskLogitsTf,
  maskedSoftmaxTf,
  rowEntropies,
  softmax,
  softmaxInto,
  softmaxRows,
} from '../../ml/softmax.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { tensorBackend, type Tensor, type Tf } from '../../core/backend.js';
import { matrix, type Matrix } from '../../core/matrix.js';
import { badCalls } from '../support/answer-key.js';

const { tf } = await tensorBackend();
const t23 = tf.zeros([2, 3]);
const junkTf = { mul: 1 } as unknown as Tf;

describe('vectors', () => {
  badCalls([
    ['logits not an array', () => softmax(null as never), 'logits', ArgumentTypeError],
    ['a NaN logit', () => softmax([0, Number.NaN]), 'logits[1]'],
    ['a +Infinity logit', () => logSoftmax([Number.POSITIVE_INFINITY]), 'logits[0]'],
    ['a string logit', () => softmax(['1'] as never), 'logits[0]', ArgumentTypeError],
    ['a negative probability', () => entropy([-0.1, 1.1]), 'p[0]'],
    ['a probability above 1', () => entropy([2]), 'p[0]'],
    ['p not an array', () => entropy(3 as never), 'p', ArgumentTypeError],
    ['target past the last class', () => crossEntropy([1, 2], 2), 'target'],
    ['a fractional target', () => crossEntropy([1, 2], 0.5), 'target'],
    ['no classes', () => crossEntropy([], 0), 'target'],
  ]);
});

describe('rows of a Matrix', () => {
  badCalls([
    [
      'softmaxInto logits not a Float64Array',
      () => softmaxInto([1, 2] as never, new Float64Array(2)),
      'logits',
      ArgumentTypeError,
    ],
    [
      'softmaxInto out not a Float64Array',
      () => softmaxInto(new Float64Array(2), null as never),
      'out',
      ArgumentTypeError,
    ],
    [
      'softmaxInto out of another length',
      () => softmaxInto(new Float64Array(2), new Float64Array(3)),
      'out',
    ],
    [
      'softmaxInto a NaN logit',
      () => softmaxInto(Float64Array.from([0, Number.NaN]), new Float64Array(2)),
      'logits',
    ],
    [
      'softmaxRows not a Matrix',
      () => softmaxRows({ rows: 1 } as Matrix),
      'logits',
      ArgumentTypeError,
    ],
    [
      'softmaxRows rows * cols != data length',
      () => softmaxRows({ rows: 2, cols: 2, data: new Float64Array(3) }),
      'logits',
    ],
    [
      'logSoftmaxRows a NaN entry',
      () => logSoftmaxRows(matrix(1, 2, [0, Number.NaN])),
      'logits[1]',
    ],
    ['rowEntropies of negative weights', () => rowEntropies(matrix(1, 2, [-1, 2])), 'weights[0]'],
    ['rowEntropies of null', () => rowEntropies(null as never), 'weights', ArgumentTypeError],
  ]);
});

describe('tensors', () => {
  badCalls([
    ['tf not the tfjs namespace', () => maskedSoftmaxTf(junkTf, t23), 'tf', ArgumentTypeError],
    [
      'logits not a tensor',
      () => maskedSoftmaxTf(tf, [[1, 2]] as unknown as Tensor),
      'logits',
      ArgumentTypeError,
    ],
    ['logits of rank 0', () => maskedSoftmaxTf(tf, tf.scalar(1)), 'logits'],
    [
      'visible not bool',
      () => maskedSoftmaxTf(tf, t23, tf.ones([2, 3])),
      'visible',
      ArgumentTypeError,
    ],
    [
      'visible not broadcastable',
      () => maskedSoftmaxTf(tf, t23, tf.ones([3, 3], 'bool')),
      'visible',
    ],
    [
      'visible of a higher rank',
      () => maskLogitsTf(tf, t23, tf.ones([1, 2, 3], 'bool')),
      'visible',
    ],
    ['anyVisibleTf of a float tensor', () => anyVisibleTf(tf, t23), 'visible', ArgumentTypeError],
    ['logSoftmaxTf with junk tf', () => logSoftmaxTf(null as never, t23), 'tf', ArgumentTypeError],
    [
      'logSoftmaxTf of a plain array',
      () => logSoftmaxTf(tf, [1, 2] as never),
      'logits',
      ArgumentTypeError,
    ],
  ]);
});

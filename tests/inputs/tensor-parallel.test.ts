/** Input checks of tensor parallelism (ml/tensor-parallel.ts): each bad call names its argument. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { tensorBackend } from '../../core/backend.js';
import {
  allReduceBytes,
  allReduceSum,
  pitfallTensorParallelMlpRowSplitA,
  ringAllReduce,
  ringAllReduceBytesPerDevice,
  shardMlp,
  tensorParallelLayerComm,
  tensorParallelMlp,
  tensorParallelMlpCounted,
  tensorParallelMlpInputSplit,
  tensorParallelMlpTf,
  tensorParallelMlpTfMatrix,
} from '../../ml/tensor-parallel.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
// d = 2, hidden = 4
const weights = { w1: matrix(4, 2), w2: matrix(2, 4) };
const x = matrix(3, 2);
const { tf } = await tensorBackend();
const tensors = { w1: tf.zeros([4, 2]), w2: tf.zeros([2, 4]) };

describe('the split MLP', () => {
  badCalls([
    ['N = 0 devices', () => tensorParallelMlp(x, weights, 0), 'n'],
    ['N < 0', () => tensorParallelMlp(x, weights, -2), 'n'],
    ['a fractional N', () => tensorParallelMlp(x, weights, 1.5), 'n'],
    ['N = 3 does not divide hidden = 4', () => tensorParallelMlp(x, weights, 3), 'n'],
    ['N = 8 > hidden = 4', () => shardMlp(x, weights, 8), 'n'],
    ['N that is a string', () => tensorParallelMlp(x, weights, junk('2')), 'n', ArgumentTypeError],
    ['x of the wrong width', () => tensorParallelMlp(matrix(3, 3), weights, 2), 'weights.w1'],
    [
      'w2 of the wrong shape',
      () => tensorParallelMlp(x, { ...weights, w2: matrix(4, 2) }, 2),
      'weights.w2',
    ],
    [
      'b1 of the wrong length',
      () => tensorParallelMlp(x, { ...weights, b1: [1, 2] }, 2),
      'weights.b1',
    ],
    [
      'b2 holding NaN',
      () => tensorParallelMlp(x, { ...weights, b2: [0, Number.NaN] }, 2),
      'weights.b2[1]',
    ],
    [
      'weights that are null',
      () => tensorParallelMlp(x, junk(null), 2),
      'weights',
      ArgumentTypeError,
    ],
    [
      'x that is nested arrays',
      () => tensorParallelMlp(junk([[1, 2]]), weights, 2),
      'x',
      ArgumentTypeError,
    ],
    [
      'a counter that is not a Counter',
      () => tensorParallelMlpCounted(x, weights, 2, junk({})),
      'counter',
      ArgumentTypeError,
    ],
    [
      'the input split: N = 3 does not divide d = 2',
      () => tensorParallelMlpInputSplit(x, weights, 3),
      'n',
    ],
    [
      'the pitfall: N = 4 does not divide d = 2',
      () => pitfallTensorParallelMlpRowSplitA(x, weights, 4),
      'n',
    ],
  ]);
});

describe('all-reduce and its volume', () => {
  badCalls([
    ['no device', () => allReduceSum([]), 'partials'],
    [
      'partials that are not an array',
      () => allReduceSum(junk(matrix(1, 1))),
      'partials',
      ArgumentTypeError,
    ],
    [
      'partials of different shapes',
      () => ringAllReduce([matrix(1, 2), matrix(2, 1)]),
      'partials[1]',
    ],
    [
      'a partial that is not a Matrix',
      () => ringAllReduce([matrix(1, 1), junk({})]),
      'partials[1]',
      ArgumentTypeError,
    ],
    ['zero tokens', () => allReduceBytes(0, 4096), 'tokens'],
    ['a fractional d_model', () => allReduceBytes(8, 4.5), 'dModel'],
    ['zero bytes per element', () => allReduceBytes(8, 8, 0), 'bytesPerElement'],
    ['negative bytes', () => ringAllReduceBytesPerDevice(-1, 4), 'bytes'],
    ['zero devices in a ring', () => ringAllReduceBytesPerDevice(10, 0), 'n'],
    [
      'options that are null',
      () => tensorParallelLayerComm(junk(null)),
      'options',
      ArgumentTypeError,
    ],
    [
      'zero devices in a layer',
      () => tensorParallelLayerComm({ tokens: 8, dModel: 8, devices: 0 }),
      'options.devices',
    ],
    [
      'backward that is not a boolean',
      () => tensorParallelLayerComm({ tokens: 8, dModel: 8, devices: 2, backward: junk(1) }),
      'options.backward',
      ArgumentTypeError,
    ],
  ]);
});

describe('tfjs', () => {
  badCalls([
    [
      'a plain object for tf',
      () => tensorParallelMlpTf(junk({}), tf.zeros([3, 2]), tensors, 2),
      'tf',
      ArgumentTypeError,
    ],
    ['x of rank 1', () => tensorParallelMlpTf(tf, tf.zeros([2]), tensors, 2), 'x'],
    ['x of the wrong width', () => tensorParallelMlpTf(tf, tf.zeros([3, 3]), tensors, 2), 'x'],
    [
      'w2 of the wrong shape',
      () => tensorParallelMlpTf(tf, tf.zeros([3, 2]), { ...tensors, w2: tf.zeros([4, 2]) }, 2),
      'weights.w2',
    ],
    [
      'b1 of the wrong length',
      () => tensorParallelMlpTf(tf, tf.zeros([3, 2]), { ...tensors, b1: tf.zeros([3]) }, 2),
      'weights.b1',
    ],
    [
      'N = 3 does not divide hidden = 4',
      () => tensorParallelMlpTf(tf, tf.zeros([3, 2]), tensors, 3),
      'n',
    ],
    ['the Matrix edge checks n', () => tensorParallelMlpTfMatrix(x, weights, 0), 'n'],
  ]);
});

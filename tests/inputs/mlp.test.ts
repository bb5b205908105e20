/** Input checks of the dense layers and parameter trees (ml/mlp.ts). */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { tensorBackend, toTensor2d } from '../../core/backend.js';
import {
  denseForward,
  denseForwardTf,
  glorotUniform,
  initDense,
  initMlp,
  mapParams,
  mlpForward,
  mlpForwardTf,
  mlpWidth,
  paramCount,
  toTensors,
} from '../../ml/mlp.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const layer = initDense(3, 2, rng(1));
const { tf } = await tensorBackend();
const cyclic: Record<string, unknown> = {};
cyclic['self'] = cyclic;

describe('sizes and initialization', () => {
  badCalls([
    ['zero rows', () => glorotUniform(0, 3, rng(1)), 'rows'],
    ['zero columns', () => glorotUniform(3, 0, rng(1)), 'cols'],
    ['2^31 x 2^31 entries', () => glorotUniform(2 ** 31, 2 ** 31, rng(1)), 'rows'],
    [
      'a plain object for the rng',
      () => glorotUniform(2, 2, junk({ uniform: () => 0.5 })),
      'rng',
      ArgumentTypeError,
    ],
    ['dIn = 0', () => initDense(0, 2, rng(1)), 'dIn'],
    ['dOut = 0', () => initDense(2, 0, rng(1)), 'dOut'],
    ['units that are a string', () => initMlp(2, junk('4'), rng(1)), 'units', ArgumentTypeError],
    ['a zero width', () => initMlp(2, [4, 0], rng(1)), 'units[1]'],
    ['a fractional dIn', () => initMlp(2.5, [4], rng(1)), 'dIn'],
    ['layers that are not an array', () => mlpWidth(3, junk(null)), 'layers', ArgumentTypeError],
  ]);
});

describe('forward passes', () => {
  badCalls([
    ['inputs of the wrong width', () => denseForward(layer, matrix(1, 4), true), 'x'],
    [
      'a bias of the wrong width',
      () => denseForward({ ...layer, bias: matrix(1, 3) }, matrix(1, 3), true),
      'layer.bias',
    ],
    [
      'a bias with two rows',
      () => denseForward({ ...layer, bias: matrix(2, 2) }, matrix(1, 3), true),
      'layer.bias',
    ],
    [
      'a bad bias in layer 1 of an MLP',
      () => mlpForward([layer, { ...initDense(2, 2, rng(2)), bias: matrix(1, 1) }], matrix(1, 3)),
      'mlp[1].bias',
    ],
    [
      'a layer that is null',
      () => denseForward(junk(null), matrix(1, 3), true),
      'layer',
      ArgumentTypeError,
    ],
    [
      'relu that is not a boolean',
      () => denseForward(layer, matrix(1, 3), junk('yes')),
      'relu',
      ArgumentTypeError,
    ],
    [
      'layers that are not an array',
      () => mlpForward(junk({}), matrix(1, 3)),
      'mlp',
      ArgumentTypeError,
    ],
    [
      'a counter that is not a Counter',
      () => denseForward(layer, matrix(1, 3), true, 'layer', junk({ madds: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'tfjs: a plain object for tf',
      () => denseForwardTf(junk({}), junk(layer), toTensor2d(tf, matrix(1, 3)), true),
      'tf',
      ArgumentTypeError,
    ],
    [
      'tfjs: a Matrix layer',
      () => denseForwardTf(tf, junk(layer), toTensor2d(tf, matrix(1, 3)), true),
      'layer.weight',
      ArgumentTypeError,
    ],
    [
      'tfjs: inputs of the wrong width',
      () => mlpForwardTf(tf, toTensors(tf, [layer]), toTensor2d(tf, matrix(1, 4))),
      'x',
    ],
    [
      'tfjs: x that is a Matrix',
      () => mlpForwardTf(tf, [], junk(matrix(1, 3))),
      'x',
      ArgumentTypeError,
    ],
  ]);
});

describe('parameter trees', () => {
  badCalls([
    ['a leaf that is a number', () => paramCount({ a: 3 }), 'params', ArgumentTypeError],
    ['a cycle', () => paramCount(cyclic), 'params'],
    [
      'isLeaf that is not a function',
      () => mapParams({}, junk(1), (v) => v),
      'isLeaf',
      ArgumentTypeError,
    ],
    ['a plain object for tf', () => toTensors(junk({}), [layer]), 'tf', ArgumentTypeError],
  ]);
});

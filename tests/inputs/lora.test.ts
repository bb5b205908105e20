/** Input checks of LoRA (ml/lora.ts): every bad call names its argument with a typed error. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { tensorBackend, toTensor2d } from '../../core/backend.js';
import {
  adaptedShapes,
  fitLowRankUpdate,
  formatMillions,
  GPT3_175B,
  initLora,
  loraDelta,
  loraForward,
  loraForwardCounted,
  loraForwardTf,
  loraForwardTfMatrix,
  loraParamCount,
  mergeLora,
  numericalRank,
  pitfallLoraParamCountWithoutB,
  pitfallLoraScaledByAlpha,
  unmergeLora,
  type LinearShape,
  type LoraTarget,
} from '../../ml/lora.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const TEN_K: LinearShape = { dIn: 10_000, dOut: 10_000 };
const layer = initLora(matrix(3, 4), { r: 2 }, rng(1));
const { tf } = await tensorBackend();

describe('counting', () => {
  for (const count of [loraParamCount, pitfallLoraParamCountWithoutB]) {
    badCalls([
      ['rank zero', () => count([TEN_K], 0), 'r'],
      ['a negative rank', () => count([TEN_K], -4), 'r'],
      ['a rank that is a string', () => count([TEN_K], junk('4')), 'r', ArgumentTypeError],
      ['d_in = 0', () => count([{ dIn: 0, dOut: 3 }], 1), 'shapes[0].dIn'],
      ['a shape that is null', () => count([junk(null)], 1), 'shapes[0]', ArgumentTypeError],
      ['shapes that are not an array', () => count(junk('q'), 1), 'shapes', ArgumentTypeError],
    ]);
  }
  badCalls([
    ['an unknown target', () => adaptedShapes(GPT3_175B, [junk<LoraTarget>('qq')]), 'targets'],
    ['no target', () => adaptedShapes(GPT3_175B, []), 'targets'],
    [
      '2^31 layers (would not return)',
      () => adaptedShapes({ layers: 2 ** 31, dModel: 8 }, ['q']),
      'config.layers',
    ],
    ['a config that is null', () => adaptedShapes(junk(null), ['q']), 'config', ArgumentTypeError],
    ['a fractional count', () => formatMillions(1.5), 'count'],
  ]);
});

describe('the adapted layer', () => {
  badCalls([
    ['a fractional rank', () => initLora(matrix(2, 2), { r: 1.5 }, rng(1)), 'r'],
    [
      'options that are null',
      () => initLora(matrix(2, 2), junk(null), rng(1)),
      'options',
      ArgumentTypeError,
    ],
    [
      'a plain object for the rng',
      () => initLora(matrix(2, 2), { r: 1 }, junk({ uniform: () => 0.5 })),
      'rng',
      ArgumentTypeError,
    ],
    ['an empty weight', () => initLora(matrix(0, 2), { r: 1 }, rng(1)), 'w'],
    [
      'a rank of 2^20 on a wide weight',
      () => initLora(matrix(1, 1000), { r: 2 ** 20 }, rng(1)),
      'r',
    ],
    ['x of the wrong width', () => loraForward(layer, matrix(1, 3)), 'x'],
    ['B of the wrong shape', () => loraForward({ ...layer, b: matrix(3, 3) }, matrix(1, 4)), 'b'],
    ['A of the wrong shape', () => loraForward({ ...layer, a: matrix(2, 3) }, matrix(1, 4)), 'a'],
    [
      'a layer that is null',
      () => loraForward(junk(null), matrix(1, 4)),
      'layer',
      ArgumentTypeError,
    ],
    [
      'merged that is not a boolean',
      () => loraForward({ ...layer, merged: junk('no') }, matrix(1, 4)),
      'merged',
      ArgumentTypeError,
    ],
    ['a NaN alpha', () => loraDelta({ ...layer, alpha: Number.NaN }), 'alpha'],
    [
      'a counter that is not a Counter',
      () => loraForwardCounted(layer, matrix(1, 4), junk({ madds: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    ['merging twice', () => mergeLora(mergeLora(layer)), 'layer'],
    ['unmerging an unmerged layer', () => unmergeLora(layer), 'layer'],
    ['the pitfall checks x too', () => pitfallLoraScaledByAlpha(layer, matrix(1, 3)), 'x'],
  ]);
});

describe('tfjs, the trainer and the rank', () => {
  badCalls([
    [
      'a plain object for tf',
      () => loraForwardTf(junk({}), toTensor2d(tf, matrix(1, 4)), toTensor2d(tf, layer.w)),
      'tf',
      ArgumentTypeError,
    ],
    [
      'x that is a Matrix',
      () => loraForwardTf(tf, junk(matrix(1, 4)), toTensor2d(tf, layer.w)),
      'x',
      ArgumentTypeError,
    ],
    [
      'x of the wrong width',
      () => loraForwardTf(tf, toTensor2d(tf, matrix(1, 3)), toTensor2d(tf, layer.w)),
      'x',
    ],
    [
      'A without B',
      () =>
        loraForwardTf(
          tf,
          toTensor2d(tf, matrix(1, 4)),
          toTensor2d(tf, layer.w),
          toTensor2d(tf, layer.a),
        ),
      'b',
      ArgumentTypeError,
    ],
    ['the Matrix edge checks x', () => loraForwardTfMatrix(layer, matrix(1, 3)), 'x'],
    ['a zero target', () => fitLowRankUpdate(matrix(2, 2), 1, rng(1)), 'target'],
    [
      'zero steps',
      () => fitLowRankUpdate(matrix(2, 2, [1, 0, 0, 1]), 1, rng(1), { steps: 0 }),
      'steps',
    ],
    [
      'a plain object for the rng',
      () => fitLowRankUpdate(matrix(2, 2, [1, 0, 0, 1]), 1, junk({})),
      'rng',
      ArgumentTypeError,
    ],
    ['a negative tolerance', () => numericalRank(matrix(2, 2), -1), 'relTol'],
    [
      'a rank of something that is not a Matrix',
      () => numericalRank(junk([[1]])),
      'm',
      ArgumentTypeError,
    ],
  ]);
});

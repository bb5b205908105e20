/**
 * Input checks of MMoE (ml/mmoe/) and the multi-task parts it is built with (ml/multi-task/):
 * every bad call names its argument with a typed error.
 */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { fromRows, matrix, type Matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { tensorBackend, toTensor2d } from '../../core/backend.js';
import { toTensors } from '../../ml/mlp.js';
import {
  initMmoe,
  mmoeForward,
  mmoeForwardCounted,
  mmoeForwardTf,
  mmoeForwardTfMatrix,
  mmoeModel,
  pitfallSharedGateForAllTasks,
} from '../../ml/mmoe/index.js';
import { initSharedBottom, sharedBottomForward } from '../../ml/multi-task/shared-bottom.js';
import { columnCorrelation, gateDistance, gateStats } from '../../ml/multi-task/stats.js';
import { orthonormalPair, sliceRows, syntheticTasks } from '../../ml/multi-task/synthetic.js';
import { evaluateMultiTask, trainMultiTask } from '../../ml/multi-task/train.js';
import { towersForward } from '../../ml/multi-task/towers.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const config = { inputDim: 3, tasks: 2, experts: 2, expertUnits: [4], towerUnits: [2] };
const params = initMmoe(config, rng(1));
const data = syntheticTasks({ n: 10, inputDim: 3, correlation: 0 }, rng(1));
const { tf } = await tensorBackend();

describe('configs and parameters', () => {
  badCalls([
    ['zero experts', () => initMmoe({ ...config, experts: 0 }, rng(1)), 'config.experts'],
    ['2^31 experts', () => initMmoe({ ...config, experts: 2 ** 31 }, rng(1)), 'config.experts'],
    ['a null config', () => initMmoe(junk(null), rng(1)), 'config', ArgumentTypeError],
    ['inputDim = 0', () => initMmoe({ ...config, inputDim: 0 }, rng(1)), 'config.inputDim'],
    ['tasks = 0', () => initMmoe({ ...config, tasks: 0 }, rng(1)), 'config.tasks'],
    [
      'a fractional width',
      () => initMmoe({ ...config, expertUnits: [2.5] }, rng(1)),
      'config.expertUnits[0]',
    ],
    [
      'towerUnits that are a number',
      () => initMmoe({ ...config, towerUnits: junk(2) }, rng(1)),
      'config.towerUnits',
      ArgumentTypeError,
    ],
    [
      'no expert width',
      () => initSharedBottom({ ...config, expertUnits: [] }, rng(1)),
      'config.expertUnits',
    ],
    [
      'a plain object for the rng',
      () => initMmoe(config, junk({ uniform: () => 0.5 })),
      'rng',
      ArgumentTypeError,
    ],
    [
      'no experts in the params',
      () => mmoeForward({ ...params, experts: [] }, matrix(1, 3)),
      'params.experts',
    ],
    [
      'a gate whose rows do not match the experts',
      () => mmoeForward({ ...params, gates: [params.gates[0]!, matrix(3, 3)] }, matrix(1, 3)),
      'params.gates[1]',
    ],
    [
      'a gate per task missing',
      () => mmoeForward({ ...params, gates: [params.gates[0]!] }, matrix(1, 3)),
      'params.gates',
    ],
    ['null params', () => mmoeForward(junk(null), matrix(1, 3)), 'params', ArgumentTypeError],
    [
      'params that are a string',
      () => mmoeForward(junk('mmoe'), matrix(1, 3)),
      'params',
      ArgumentTypeError,
    ],
    [
      'params without experts',
      () => mmoeForward(junk({ gates: params.gates, towers: params.towers }), matrix(1, 3)),
      'params',
      ArgumentTypeError,
    ],
    [
      'params without gates',
      () => mmoeForward(junk({ experts: params.experts, towers: params.towers }), matrix(1, 3)),
      'params',
      ArgumentTypeError,
    ],
    [
      'params without towers',
      () => mmoeForward(junk({ experts: params.experts, gates: params.gates }), matrix(1, 3)),
      'params',
      ArgumentTypeError,
    ],
    [
      'the pitfall checks the same params',
      () => pitfallSharedGateForAllTasks(junk(null), matrix(1, 3)),
      'params',
      ArgumentTypeError,
    ],
  ]);
});

describe('inputs', () => {
  badCalls([
    ['inputs of the wrong width', () => mmoeForward(params, matrix(2, 5)), 'x'],
    [
      'x that is not a Matrix',
      () => mmoeForward(params, junk([[1, 2, 3]])),
      'x',
      ArgumentTypeError,
    ],
    [
      'a counter that is not a Counter',
      () => mmoeForwardCounted(params, matrix(1, 3), junk({ madds: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'tfjs: a plain object for tf',
      () => mmoeForwardTf(junk({}), junk(params), toTensor2d(tf, matrix(1, 3))),
      'tf',
      ArgumentTypeError,
    ],
    [
      'tfjs: x that is a Matrix',
      () => mmoeForwardTf(tf, toTensors(tf, params), junk(matrix(1, 3))),
      'x',
      ArgumentTypeError,
    ],
    ['tfjs edge: inputs of the wrong width', () => mmoeForwardTfMatrix(params, matrix(1, 4)), 'x'],
    [
      'shared-bottom: null params',
      () => sharedBottomForward(junk(null), matrix(1, 3)),
      'params',
      ArgumentTypeError,
    ],
  ]);
});

describe('towers', () => {
  badCalls([
    ['no towers', () => towersForward([], []), 'towers'],
    ['one input for two towers', () => towersForward(params.towers, [matrix(1, 4)]), 'inputs'],
    [
      'inputs with different rows',
      () => towersForward(params.towers, [matrix(1, 4), matrix(2, 4)]),
      'inputs[1]',
    ],
    [
      'an input that is not a Matrix',
      () => towersForward(params.towers, [matrix(1, 4), junk(null)]),
      'inputs[1]',
      ArgumentTypeError,
    ],
  ]);
});

describe('the synthetic tasks', () => {
  badCalls([
    [
      'a correlation above 1',
      () => syntheticTasks({ n: 10, inputDim: 3, correlation: 1.5 }, rng(1)),
      'correlation',
    ],
    ['n = 1', () => syntheticTasks({ n: 1, inputDim: 3, correlation: 0 }, rng(1)), 'n'],
    [
      'inputDim = 1',
      () => syntheticTasks({ n: 10, inputDim: 1, correlation: 0 }, rng(1)),
      'inputDim',
    ],
    [
      'negative sines',
      () => syntheticTasks({ n: 10, inputDim: 3, correlation: 0, sines: -1 }, rng(1)),
      'sines',
    ],
    ['2^31 rows', () => syntheticTasks({ n: 2 ** 31, inputDim: 3, correlation: 0 }, rng(1)), 'n'],
    [
      'options that are null',
      () => syntheticTasks(junk(null), rng(1)),
      'options',
      ArgumentTypeError,
    ],
    [
      'a plain object for the rng',
      () => syntheticTasks({ n: 10, inputDim: 3, correlation: 0 }, junk({})),
      'rng',
      ArgumentTypeError,
    ],
    ['Gram-Schmidt in one dimension', () => orthonormalPair(1, rng(1)), 'd'],
    ['a slice past the end', () => sliceRows(data, 2, 11), 'to'],
    ['a slice that ends before it starts', () => sliceRows(data, 5, 2), 'to'],
  ]);
});

describe('training and scores', () => {
  badCalls([
    [
      'task weights of the wrong length',
      () => trainMultiTask(mmoeModel, params, data, { taskWeights: [1] }),
      'taskWeights',
    ],
    ['negative steps', () => trainMultiTask(mmoeModel, params, data, { steps: -1 }), 'steps'],
    [
      'a NaN task weight',
      () => trainMultiTask(mmoeModel, params, data, { taskWeights: [1, Number.NaN] }),
      'taskWeights[1]',
    ],
    [
      'labels with fewer rows than x',
      () => trainMultiTask(mmoeModel, params, { ...data, labels: matrix(9, 2) }),
      'data.labels',
    ],
    [
      'a model without forward',
      () => trainMultiTask(junk<typeof mmoeModel>({}), params, data),
      'model.forward',
      ArgumentTypeError,
    ],
    [
      'a model that is null',
      () => trainMultiTask(junk<typeof mmoeModel>(null), params, data),
      'model',
      ArgumentTypeError,
    ],
    [
      'labels with a third task',
      () => evaluateMultiTask(mmoeForward(params, data.x), matrix(10, 3)),
      'labels',
    ],
    [
      'labels with a missing row',
      () => evaluateMultiTask(mmoeForward(params, data.x), matrix(9, 2)),
      'labels',
    ],
    [
      'a result that is null',
      () => evaluateMultiTask(junk(null), matrix(9, 2)),
      'result',
      ArgumentTypeError,
    ],
  ]);
});

describe('statistics', () => {
  const twoColumns = (rows: number[][]): Matrix => fromRows(rows);
  badCalls([
    ['gates of different widths', () => gateDistance(matrix(2, 2), matrix(2, 3)), 'b'],
    ['gates of different rows', () => gateDistance(matrix(2, 2), matrix(3, 2)), 'b'],
    ['an empty batch', () => gateDistance(matrix(0, 2), matrix(0, 2)), 'a'],
    ['gate stats of an empty batch', () => gateStats(matrix(0, 3)), 'weights'],
    [
      'Pearson of a constant column (0 / 0)',
      () =>
        columnCorrelation(
          twoColumns([
            [1, 2],
            [1, 3],
            [1, 5],
          ]),
          0,
          1,
        ),
      'a',
    ],
    [
      'Pearson of a constant second column',
      () =>
        columnCorrelation(
          twoColumns([
            [1, 2],
            [2, 2],
          ]),
          0,
          1,
        ),
      'b',
    ],
    ['Pearson of one row', () => columnCorrelation(twoColumns([[1, 2]]), 0, 1), 'm'],
    [
      'a column out of range',
      () =>
        columnCorrelation(
          twoColumns([
            [1, 2],
            [2, 3],
          ]),
          0,
          2,
        ),
      'b',
    ],
  ]);
});

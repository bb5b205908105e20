/** Input checks of PLE (ml/ple/): every bad call names its argument with a typed error. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { tensorBackend, toTensor2d } from '../../core/backend.js';
import {
  initPle,
  pitfallTaskGateSeesAllExperts,
  pleForward,
  pleForwardCounted,
  pleForwardTf,
  pleForwardTfMatrix,
  pleFromMmoe,
  pleStructure,
  type PleConfig,
  type PleParams,
} from '../../ml/ple/index.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const config: PleConfig = {
  inputDim: 3,
  tasks: 2,
  levels: 2,
  specificExperts: 1,
  sharedExperts: 1,
  expertUnits: [4],
  towerUnits: [],
};
const params = initPle(config, rng(1));
const [level0, level1] = [params.levels[0]!, params.levels[1]!];
const withLevel0 = (l: object) => junk<PleParams>({ ...params, levels: [l, level1] });
const empty = {
  ...level0,
  taskExperts: [[], []],
  sharedExperts: [],
  taskGates: [matrix(0, 3), matrix(0, 3)],
  sharedGate: matrix(0, 3),
};
const { tf } = await tensorBackend();

describe('configs', () => {
  badCalls([
    [
      'no expert for a gate',
      () => initPle({ ...config, specificExperts: 0, sharedExperts: 0 }, rng(1)),
      'config.sharedExperts',
    ],
    ['zero levels', () => initPle({ ...config, levels: 0 }, rng(1)), 'config.levels'],
    ['2^31 levels', () => initPle({ ...config, levels: 2 ** 31 }, rng(1)), 'config.levels'],
    ['zero levels in the table', () => pleStructure({ ...config, levels: 0 }), 'config.levels'],
    [
      'negative task experts',
      () => initPle({ ...config, specificExperts: -1 }, rng(1)),
      'config.specificExperts',
    ],
    [
      'negative shared experts in the table',
      () => pleStructure({ ...config, sharedExperts: -1 }),
      'config.sharedExperts',
    ],
    [
      'negative shared experts',
      () => initPle({ ...config, sharedExperts: -1 }, rng(1)),
      'config.sharedExperts',
    ],
    [
      'negative task experts in the table',
      () => pleStructure({ ...config, specificExperts: -1 }),
      'config.specificExperts',
    ],
    [
      'no expert in the table',
      () => pleStructure({ ...config, specificExperts: 0, sharedExperts: 0 }),
      'config.sharedExperts',
    ],
    ['a null config', () => pleStructure(junk(null)), 'config', ArgumentTypeError],
    ['a plain object for the rng', () => initPle(config, junk({})), 'rng', ArgumentTypeError],
    ['MMoE params that are null', () => pleFromMmoe(junk(null)), 'params', ArgumentTypeError],
  ]);
});

describe('parameters', () => {
  const wideGates = { ...level0, taskGates: [matrix(3, 3), matrix(3, 3)] };
  badCalls([
    [
      'a task with no expert at a level',
      () => pleForward(withLevel0(empty), matrix(1, 3)),
      'params.levels[0].taskExperts[0]',
    ],
    [
      "task gates over every expert (the pitfall's width)",
      () => pleForward(withLevel0(wideGates), matrix(1, 3)),
      'params.levels[0].taskGates[0]',
    ],
    [
      "the pitfall given PLE's own gate widths",
      () => pitfallTaskGateSeesAllExperts(params, matrix(1, 3)),
      'params.levels[0].taskGates[0]',
    ],
    [
      'a shared gate at the last level',
      () =>
        pleForward(
          { ...params, levels: [level0, { ...level1, sharedGate: matrix(3, 4) }] },
          matrix(1, 3),
        ),
      'params.levels[1].sharedGate',
    ],
    [
      'a shared gate one row short',
      () => pleForward(withLevel0({ ...level0, sharedGate: matrix(2, 3) }), matrix(1, 3)),
      'params.levels[0].sharedGate',
    ],
    [
      'no shared gate before the last level',
      () => pleForward(withLevel0({ ...level0, sharedGate: undefined }), matrix(1, 3)),
      'params.levels[0].sharedGate',
      ArgumentTypeError,
    ],
    [
      'levels for two tasks, one tower',
      () => pleForward({ ...params, towers: params.towers.slice(1) }, matrix(1, 3)),
      'params.levels[0].taskExperts',
    ],
    ['no level', () => pleForward({ ...params, levels: [] }, matrix(1, 3)), 'params.levels'],
    ['no tower', () => pleForward({ ...params, towers: [] }, matrix(1, 3)), 'params.towers'],
    ['null params', () => pleForward(junk(null), matrix(1, 3)), 'params', ArgumentTypeError],
    [
      'params that are a string',
      () => pleForward(junk('ple'), matrix(1, 3)),
      'params',
      ArgumentTypeError,
    ],
    [
      'params without towers',
      () => pleForward(junk({ levels: params.levels }), matrix(1, 3)),
      'params',
      ArgumentTypeError,
    ],
    [
      'params without levels',
      () => pleForward(junk({ towers: params.towers }), matrix(1, 3)),
      'params',
      ArgumentTypeError,
    ],
    [
      'levels that are a string',
      () => pleForward(junk({ levels: 'x', towers: params.towers }), matrix(1, 3)),
      'params',
      ArgumentTypeError,
    ],
    [
      'a level that is null',
      () => pleForward(withLevel0(junk(null)), matrix(1, 3)),
      'params.levels[0]',
      ArgumentTypeError,
    ],
    [
      'a level without task experts',
      () => pleForward(withLevel0({ ...level0, taskExperts: undefined }), matrix(1, 3)),
      'params.levels[0].taskExperts',
    ],
    [
      'a level without shared experts',
      () => pleForward(withLevel0({ ...level0, sharedExperts: undefined }), matrix(1, 3)),
      'params.levels[0].sharedExperts',
      ArgumentTypeError,
    ],
    [
      'a level without task gates',
      () => pleForward(withLevel0({ ...level0, taskGates: undefined }), matrix(1, 3)),
      'params.levels[0].taskGates',
    ],
    [
      'one task gate for two tasks',
      () => pleForward(withLevel0({ ...level0, taskGates: [level0.taskGates[0]] }), matrix(1, 3)),
      'params.levels[0].taskGates',
    ],
  ]);
});

describe('inputs', () => {
  badCalls([
    ['inputs of the wrong width', () => pleForward(params, matrix(2, 5)), 'x'],
    ['x that is not a Matrix', () => pleForward(params, junk('x')), 'x', ArgumentTypeError],
    [
      'a counter that is not a Counter',
      () => pleForwardCounted(params, matrix(1, 3), junk({ madds: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'tfjs: a plain object for tf',
      () => pleForwardTf(junk({}), junk(params), toTensor2d(tf, matrix(1, 3))),
      'tf',
      ArgumentTypeError,
    ],
    ['tfjs edge: inputs of the wrong width', () => pleForwardTfMatrix(params, matrix(1, 4)), 'x'],
  ]);
});

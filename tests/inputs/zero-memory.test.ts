/** Input checks of ZeRO memory (ml/zero-memory.ts): every bad call names its argument. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import {
  formatGB,
  gigabytes,
  maxParameters,
  modelStateBytes,
  partitionedKinds,
  pitfallZeroMemoryWithoutMasterCopy,
  pitfallZeroStage3CommunicationLikeDataParallel,
  zeroCollectives,
  zeroCommunicationVolume,
  zeroDeviceBytes,
  zeroMemoryPerDevice,
  zeroRingVolume,
  type TrainingState,
  type ZeroStage,
} from '../../ml/zero-memory.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;

describe('memory per device', () => {
  badCalls([
    ['zero parameters', () => zeroMemoryPerDevice(0, 8, 1), 'psi'],
    ['a negative parameter count', () => zeroMemoryPerDevice(-7.5e9, 8, 1), 'psi'],
    ['a NaN parameter count', () => zeroMemoryPerDevice(Number.NaN, 8, 1), 'psi'],
    ['10^16 parameters', () => zeroMemoryPerDevice(1e16, 8, 1), 'psi'],
    [
      'a parameter count that is a string',
      () => zeroMemoryPerDevice(junk('7.5e9'), 8, 1),
      'psi',
      ArgumentTypeError,
    ],
    ['N_d = 0', () => zeroMemoryPerDevice(1e9, 0, 1), 'nd'],
    ['a fractional N_d', () => zeroMemoryPerDevice(1e9, 2.5, 1), 'nd'],
    ['stage 4', () => zeroMemoryPerDevice(1e9, 8, junk<ZeroStage>(4)), 'stage'],
    ['stage "1"', () => zeroMemoryPerDevice(1e9, 8, junk<ZeroStage>('1')), 'stage'],
    ['stage -1 for the kinds', () => partitionedKinds(junk<ZeroStage>(-1)), 'stage'],
    ['no states', () => modelStateBytes(1e9, 8, 1, []), 'states'],
    [
      'states that are not an array',
      () => modelStateBytes(1e9, 8, 1, junk({})),
      'states',
      ArgumentTypeError,
    ],
    [
      'an unknown kind',
      () =>
        modelStateBytes(1e9, 8, 1, [
          junk<TrainingState>({ name: 'x', kind: 'activations', bytes: 2 }),
        ]),
      'states[0].kind',
    ],
    [
      'negative bytes',
      () => modelStateBytes(1e9, 8, 1, [{ name: 'x', kind: 'optimizer', bytes: -4 }]),
      'states[0].bytes',
    ],
    [
      'a state that is null',
      () => modelStateBytes(1e9, 8, 1, [junk(null)]),
      'states[0]',
      ArgumentTypeError,
    ],
    ['a fractional psi for the walk', () => zeroDeviceBytes(10.5, 2, 1), 'psi'],
    ['a walk too long to finish', () => zeroDeviceBytes(1e9, 64, 1), 'psi'],
    ['the pitfall checks N_d', () => pitfallZeroMemoryWithoutMasterCopy(1e9, -1, 1), 'nd'],
  ]);
});

describe('communication and sizes', () => {
  badCalls([
    ['zero parameters to communicate', () => zeroCommunicationVolume(0, 1), 'psi'],
    ['stage 5 collectives', () => zeroCollectives(1e9, junk<ZeroStage>(5)), 'stage'],
    ['a ring of zero devices', () => zeroRingVolume(1e9, 0, 3), 'nd'],
    [
      'the pitfall checks the stage',
      () => pitfallZeroStage3CommunicationLikeDataParallel(1e9, junk<ZeroStage>(9)),
      'stage',
    ],
    ['negative bytes to format', () => formatGB(-1), 'bytes'],
    ['infinite bytes', () => gigabytes(Infinity), 'bytes'],
    ['bytes that are a string', () => formatGB(junk('1')), 'bytes', ArgumentTypeError],
    ['a device of zero bytes', () => maxParameters(0, 8, 1), 'deviceBytes'],
    ['maxParameters checks N_d', () => maxParameters(32e9, 0, 1), 'nd'],
  ]);
});

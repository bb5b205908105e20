/**
 * Input checks for ml/rope.ts: each bad call is rejected with the project's error class, naming the
 * argument. (Moved from the answer key, which keeps only what RoPE computes.)
 */
import { describe } from 'vitest';
import {
  angleOvershoot,
  applyRope,
  interleavedToHalf,
  interleavedToHalfPermutation,
  ntkScaledBase,
  pairIndices,
  permuteRopeWeights,
  pitfallMixedLayoutRope,
  relativeDecayBound,
  rope,
  ropeFrequencies,
  ropeScore,
  ropeScoreBound,
  ropeTf,
  ropeTfMatrix,
  rotate,
  type RopeLayout,
} from '../../ml/rope.js';
import { tensorBackend } from '../../core/backend.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix, type Matrix } from '../../core/matrix.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;

describe('x: a finite matrix with an even width >= 2', () => {
  badCalls([
    ['an odd width cannot be split into pairs', () => applyRope(matrix(2, 5)), 'x'],
    ['a zero width', () => rope(matrix(2, 0)), 'x'],
    ['not a Matrix', () => rope(junk<Matrix>([[1, 2]])), 'x', ArgumentTypeError],
    ['null', () => applyRope(junk<Matrix>(null)), 'x', ArgumentTypeError],
    ['a NaN entry', () => rope(matrix(1, 2, [Number.NaN, 0])), 'x[0]'],
    ['the layout converters check x too', () => interleavedToHalf(matrix(1, 3)), 'x'],
    ['the mixed-layout pitfall checks x too', () => pitfallMixedLayoutRope(matrix(1, 3)), 'x'],
  ]);
});

describe('options: positions, offset, layout, base, scaling', () => {
  badCalls([
    [
      'positions must match the rows',
      () => applyRope(matrix(2, 4), { positions: [1] }),
      'positions',
    ],
    [
      'positions null',
      () => applyRope(matrix(2, 4), { positions: junk<number[]>(null) }),
      'positions',
      ArgumentTypeError,
    ],
    [
      'positions a number',
      () => applyRope(matrix(2, 4), { positions: junk<number[]>(5) }),
      'positions',
      ArgumentTypeError,
    ],
    [
      'positions a string',
      () => applyRope(matrix(2, 4), { positions: junk<number[]>('ab') }),
      'positions',
      ArgumentTypeError,
    ],
    [
      'a NaN position',
      () => applyRope(matrix(2, 4), { positions: [0, Number.NaN] }),
      'positions[1]',
    ],
    ['an infinite offset', () => applyRope(matrix(2, 4), { offset: Infinity }), 'offset'],
    [
      'an unknown layout',
      () => applyRope(matrix(2, 4), { layout: junk<RopeLayout>('neox') }),
      'layout',
    ],
    [
      'options not an object',
      () => applyRope(matrix(2, 4), junk<object>(3)),
      'options',
      ArgumentTypeError,
    ],
    [
      'a scaling factor below 1',
      () => applyRope(matrix(2, 4), { scaling: { kind: 'linear', factor: 0.5 } }),
      'scaling.factor',
    ],
    [
      'an unknown scaling kind',
      () => ropeFrequencies(4, { scaling: junk({ kind: 'yarn' }) }),
      'scaling.kind',
    ],
    [
      'scaling not an object',
      () => ropeFrequencies(4, { scaling: junk(null) }),
      'scaling',
      ArgumentTypeError,
    ],
    ['base 1', () => ropeFrequencies(4, { base: 1 }), 'base'],
    ['base 0.5', () => ropeFrequencies(4, { base: 0.5 }), 'base'],
    ['base 0', () => ropeFrequencies(4, { base: 0 }), 'base'],
    ['base -10', () => ropeFrequencies(4, { base: -10 }), 'base'],
  ]);
});

describe('d: an even integer in [2, 2^20] (>= 4 for NTK)', () => {
  badCalls([
    ['d = 0', () => ropeFrequencies(0), 'd'],
    ['d = -2', () => ropeFrequencies(-2), 'd'],
    ['d = 2.5', () => ropeFrequencies(2.5), 'd'],
    ['d = 3', () => ropeFrequencies(3), 'd'],
    ['d = NaN', () => ropeFrequencies(Number.NaN), 'd'],
    ['d = 2^31 would allocate 2^30 frequencies', () => relativeDecayBound(2 ** 31, 1), 'd'],
    ['the permutation of d = 0', () => interleavedToHalfPermutation(0), 'd'],
    ['NTK at d = 2', () => ntkScaledBase(10000, 2, 2), 'd'],
    [
      'NTK scaling at d = 2',
      () => ropeFrequencies(2, { scaling: { kind: 'ntk', factor: 2 } }),
      'd',
    ],
    ['a pair index past d/2', () => pairIndices(2, 4, 'half'), 'i'],
    ['a pair of an unknown layout', () => pairIndices(0, 4, junk<RopeLayout>('neox')), 'layout'],
  ]);
});

describe('weights, heads and lengths', () => {
  badCalls([
    ['an odd head width from the heads', () => permuteRopeWeights(matrix(6, 4), 2), 'w'],
    ['heads not dividing the rows', () => permuteRopeWeights(matrix(6, 4), 4), 'w'],
    ['zero heads', () => permuteRopeWeights(matrix(4, 4), 0), 'numHeads'],
    ['a training length below 2', () => angleOvershoot(10, 1, 4), 'trainLength'],
    ['an infinite position', () => angleOvershoot(Infinity, 8, 4), 'position'],
    ['an infinite distance', () => relativeDecayBound(4, Infinity), 'distance'],
  ]);
});

describe('vectors: array-likes of one length, finite', () => {
  const notVectors: [string, unknown][] = [
    ['null', null],
    ['5', 5],
    ['a string', 'abcd'],
    ['{}', {}],
    ['undefined', undefined],
  ];
  badCalls(
    notVectors.flatMap(([what, bad]) => [
      [`rotate(${what})`, () => rotate(junk<number[]>(bad), 0), 'v', ArgumentTypeError] as const,
      [
        `ropeScore q = ${what}`,
        () => ropeScore(junk<number[]>(bad), [1, 2], 0, 0),
        'q',
        ArgumentTypeError,
      ] as const,
      [
        `ropeScore k = ${what}`,
        () => ropeScore([1, 2], junk<number[]>(bad), 0, 0),
        'k',
        ArgumentTypeError,
      ] as const,
      [
        `ropeScoreBound q = ${what}`,
        () => ropeScoreBound(junk<number[]>(bad), [1, 2], 0),
        'q',
        ArgumentTypeError,
      ] as const,
      [
        `ropeScoreBound k = ${what}`,
        () => ropeScoreBound([1, 2], junk<number[]>(bad), 0),
        'k',
        ArgumentTypeError,
      ] as const,
    ]),
  );
  badCalls([
    ['k longer than q in the score', () => ropeScore([1, 2], [1, 2, 3, 4], 0, 0), 'k'],
    ['k longer than q in the bound', () => ropeScoreBound([1, 2], [1, 2, 3, 4], 0), 'k'],
    ['an odd vector in the bound', () => ropeScoreBound([1, 2, 3], [1, 2, 3], 0), 'q'],
    ['a NaN coordinate', () => rotate([1, Number.NaN], 0), 'v[1]'],
    ['an infinite position', () => rotate([1, 0], Infinity), 'position'],
  ]);
});

describe('the tensor twin: tf, a tensor [..., T, d] with an even d', () => {
  badCalls([
    [
      'tf not the namespace',
      () => ropeTf(junk({ matMul: 1 }), junk(null)),
      'tf',
      ArgumentTypeError,
    ],
    [
      'x not a tensor',
      async () => ropeTf((await tensorBackend()).tf, junk([1, 2])),
      'x',
      ArgumentTypeError,
    ],
    [
      'x of rank 1',
      async () => {
        const { tf } = await tensorBackend();
        return tf.tidy(() => ropeTf(tf, tf.tensor1d([1, 2])));
      },
      'x',
    ],
    [
      'x of odd width',
      async () => {
        const { tf } = await tensorBackend();
        return tf.tidy(() => ropeTf(tf, tf.zeros([2, 3])));
      },
      'x',
    ],
    [
      'positions of the wrong length',
      async () => {
        const { tf } = await tensorBackend();
        return tf.tidy(() => ropeTf(tf, tf.zeros([2, 2, 4]), { positions: [0] }));
      },
      'positions',
    ],
    ['the Matrix twin checks x before loading tfjs', () => ropeTfMatrix(matrix(2, 3)), 'x'],
  ]);
});

/**
 * Answer key for ml/mlp.ts, the dense-layer plumbing of shared-bottom, MMoE and PLE: a worked dense
 * layer, from scratch against tfjs for one layer and for a whole MLP, Glorot-uniform bounds, the
 * parameter-tree helpers (count, map, tfjs variables and back, dispose) on nested trees, and the
 * counted cost. Input checks: tests/inputs/mlp.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { Tensor2D } from '../core/backend.js';
import { Counter } from '../core/counter.js';
import { fromRows, matrix, maxAbsDiff, randomMatrix, type Matrix } from '../core/matrix.js';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';
import { rng } from '../core/random.js';
import {
  denseForward,
  denseForwardTf,
  disposeTree,
  fromVariables,
  glorotUniform,
  initDense,
  initMlp,
  leaves,
  mapParams,
  mlpForward,
  mlpForwardTf,
  mlpForwardTfMatrix,
  mlpWidth,
  paramCount,
  toTensors,
  toVariables,
} from '../ml/mlp.js';

const isMatrix = (v: unknown): v is Matrix =>
  typeof v === 'object' && v !== null && (v as Matrix).data instanceof Float64Array;

/** A tree with every kind of node: an object, an array, an undefined hole, nested matrices. */
const nestedTree = () => ({
  a: matrix(2, 3, [1, 2, 3, 4, 5, 6]),
  b: [matrix(1, 4), undefined, { c: matrix(5, 1) }],
});

describe('worked examples', () => {
  it('a dense layer is x W^T + b, then ReLU: [1, 2] through W = [[1, 1], [1, -1]], b = [0, 0.5] gives [3, 0]', () => {
    const layer = {
      weight: fromRows([
        [1, 1],
        [1, -1],
      ]),
      bias: fromRows([[0, 0.5]]),
    };
    expect(Array.from(denseForward(layer, fromRows([[1, 2]]), true).data)).toEqual([3, 0]);
    expect(Array.from(denseForward(layer, fromRows([[1, 2]]), false).data)).toEqual([3, -0.5]);
  });

  it('initMlp(3, [4, 2]) is W [4, 3] then W [2, 4] with zero biases; no units is the identity', () => {
    const layers = initMlp(3, [4, 2], rng(1));
    expect(layers.map((l) => [l.weight.rows, l.weight.cols, l.bias.rows, l.bias.cols])).toEqual([
      [4, 3, 1, 4],
      [2, 4, 1, 2],
    ]);
    layers.forEach((l) => expect(Array.from(l.bias.data).every((v) => v === 0)).toBe(true));
    expect(mlpWidth(3, layers)).toBe(2);
    expect(mlpWidth(3, [])).toBe(3);
    const x = fromRows([[1, -2, 3]]);
    expect(mlpForward([], x)).toBe(x);
  });
});

describe('from scratch agrees with tfjs (float32) to 1e-5', () => {
  test.prop(
    [fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.integer()],
    { numRuns: 10 },
  )('a dense layer', async (dIn, dOut, relu, seed) => {
    const r = rng(seed);
    const layer = { ...initDense(dIn, dOut, r), bias: randomMatrix(1, dOut, r) };
    const x = randomMatrix(4, dIn, r);
    const { tf } = await tensorBackend();
    const t = tf.tidy(() =>
      denseForwardTf(
        tf,
        { weight: toTensor2d(tf, layer.weight), bias: toTensor2d(tf, layer.bias) },
        toTensor2d(tf, x),
        relu,
      ),
    );
    expect(maxAbsDiff(denseForward(layer, x, relu), await fromTensor2d(t))).toBeLessThan(1e-5);
  });

  test.prop(
    [
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
      fc.integer(),
    ],
    { numRuns: 10 },
  )('an MLP with ReLU after every layer', async (dIn, units, seed) => {
    const r = rng(seed);
    const layers = initMlp(dIn, units, r).map((l) => ({
      ...l,
      bias: randomMatrix(1, l.bias.cols, r),
    }));
    const x = randomMatrix(3, dIn, r);
    const { tf } = await tensorBackend();
    const t = tf.tidy(() => mlpForwardTf(tf, toTensors(tf, layers), toTensor2d(tf, x)));
    expect(maxAbsDiff(mlpForward(layers, x), await fromTensor2d(t))).toBeLessThan(1e-5);
  });
});

describe('initialisation', () => {
  test.prop([fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer()], {
    numRuns: 50,
  })('Glorot-uniform entries lie in [-l, l], l = sqrt(6 / (rows + cols))', (rows, cols, seed) => {
    const limit = Math.sqrt(6 / (rows + cols));
    glorotUniform(rows, cols, rng(seed)).data.forEach((v) =>
      expect(Math.abs(v)).toBeLessThanOrEqual(limit),
    );
  });
});

describe('parameter trees', () => {
  it('paramCount adds the entries of every matrix however deep: 6 + 4 + 5', () => {
    expect(paramCount(nestedTree())).toBe(15);
    expect(paramCount(undefined)).toBe(0);
  });

  it('mapParams keeps the shape of the tree (objects, arrays, holes) and leaves lists matrices in order', () => {
    expect(mapParams(nestedTree(), isMatrix, (m) => m.rows)).toEqual({
      a: 2,
      b: [1, undefined, { c: 5 }],
    });
    expect(leaves(nestedTree(), isMatrix).map((m) => m.cols)).toEqual([3, 4, 1]);
  });

  it('a tree of matrices goes to tfjs variables and back in the same shape, to float32 rounding', async () => {
    const { tf } = await tensorBackend();
    const tree = nestedTree();
    const back = await fromVariables<typeof tree>(toVariables(tf, tree));
    expect(mapParams(back, isMatrix, (m) => [m.rows, m.cols])).toEqual({
      a: [2, 3],
      b: [[1, 4], undefined, { c: [5, 1] }],
    });
    expect(maxAbsDiff(back.a, tree.a)).toBe(0);
  });

  it('disposeTree frees every tensor of the tree', async () => {
    const { tf } = await tensorBackend();
    const before = tf.memory().numTensors;
    const tensors = toTensors(tf, nestedTree());
    expect(tf.memory().numTensors).toBe(before + 3);
    disposeTree(tf, tensors);
    expect(tf.memory().numTensors).toBe(before);
    expect(
      leaves<Tensor2D>(
        tensors,
        (v): v is Tensor2D => typeof v === 'object' && v !== null && 'isDisposed' in v,
      ).every((t) => t.isDisposed),
    ).toBe(true);
  });
});

describe('complexity', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer(),
    ],
    { numRuns: 30 },
  )('an MLP costs at most B sum_l d_l d_{l+1} multiply-adds', (dIn, units, b, seed) => {
    const r = rng(seed);
    const counter = new Counter();
    mlpForward(initMlp(dIn, units, r), randomMatrix(b, dIn, r), 'mlp', counter);
    const widths = [dIn, ...units];
    const bound = b * widths.slice(1).reduce((s, w, i) => s + widths[i]! * w, 0);
    expect(counter.get('madds')).toBeLessThanOrEqual(bound);
  });
});

describe('the Matrix-level edge of the tfjs twin', () => {
  it('mlpForwardTfMatrix equals mlpForward to 1e-5', async () => {
    const r = rng(3);
    const layers = initMlp(3, [4, 2], r);
    const x = randomMatrix(2, 3, r);
    expect(maxAbsDiff(await mlpForwardTfMatrix(layers, x), mlpForward(layers, x))).toBeLessThan(
      1e-5,
    );
  });
});

/**
 * The foundation's shared pieces: the seeded generator, the error vocabulary, the chi-square test,
 * the matrix helpers, plots and the notebook kit.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  ArgumentError,
  ArgumentTypeError,
  assertArrayLike,
  assertComparableArray,
  assertInteger,
  assertOptionalVector,
  describeValue,
} from '../core/errors.js';
import * as math from 'mathjs';
import {
  addMatrices,
  fromRows,
  linear,
  matmul,
  matmulTransposed,
  matrix,
  randomMatrix,
  toRows,
  transpose,
} from '../core/matrix.js';
import { Counter } from '../core/counter.js';
import {
  formatNumber,
  groupDigits,
  Notebook,
  NotebookCheckError,
  show,
  type Cell,
  type Renderer,
} from '../notebook/kit.js';
import { defineNotebook } from '../notebook/index.js';
import { plotToSvg, plotToText, type Plot } from '../notebook/plot.js';
import { rng } from '../core/random.js';
import { chiSquareTest, mean, std } from '../core/stats.js';
import { tensorBackend } from '../core/backend.js';
import { expectArgumentError } from './support/answer-key.js';

describe('rng: the one seeded generator', () => {
  test.prop([fc.integer()], { numRuns: 50 })(
    'the same seed gives the same stream; clone continues it',
    (seed) => {
      const a = rng(seed);
      const b = rng(seed);
      const xs = [a.uniform(), a.integer(-5, 5), a.normal()];
      expect([b.uniform(), b.integer(-5, 5), b.normal()]).toEqual(xs);
      const c = a.clone();
      expect(c.uniform()).toBe(a.uniform());
    },
  );

  test.prop([fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.nat({ max: 2000 })], {
    numRuns: 200,
  })('integer(min, max) stays in [min, max]', (seed, min, width) => {
    const r = rng(seed);
    for (let i = 0; i < 20; i++) {
      const x = r.integer(min, min + width);
      expect(Number.isInteger(x) && x >= min && x <= min + width).toBe(true);
    }
  });

  test.prop([fc.integer(), fc.array(fc.integer(), { maxLength: 50 })], { numRuns: 100 })(
    'shuffled returns a permutation and leaves the input alone',
    (seed, items) => {
      const copy = [...items];
      const out = rng(seed).shuffled(items);
      expect(items).toEqual(copy);
      expect([...out].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
    },
  );

  it('uniform is uniform on 10 bins and normal has mean 0, sd 1 (20,000 draws)', () => {
    const r = rng(99);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const b = Math.floor(r.uniform() * 10);
      bins[b] = (bins[b] ?? 0) + 1;
    }
    expect(chiSquareTest(bins, new Array(10).fill(2000)).pValue).toBeGreaterThan(0.001);
    const z = r.array(20_000, () => r.normal());
    expect(Math.abs(mean(z))).toBeLessThan(0.03);
    expect(Math.abs(std(z) - 1)).toBeLessThan(0.03);
  });

  it('a biased die is rejected by the same chi-square check', () => {
    const r = rng(99);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const b = Math.min(9, Math.floor(r.uniform() ** 1.1 * 10));
      bins[b] = (bins[b] ?? 0) + 1;
    }
    expect(chiSquareTest(bins, new Array(10).fill(2000)).pValue).toBeLessThan(0.001);
  });

  it('counts draws and rejects bad arguments', async () => {
    const r = rng(1);
    r.uniform();
    r.integer(0, 3);
    expect(r.draws).toBe(2);
    await expectArgumentError(() => r.integer(5, 1), 'max');
    await expectArgumentError(() => rng(1.5), 'seed');
    await expectArgumentError(() => r.normal(0, -1), 'std');
  });
});

describe('errors name the argument, the value and what was expected', () => {
  it.each([
    [
      () => assertInteger('k', -1, { min: 0 }),
      ArgumentError,
      'k: got -1, expected an integer >= 0',
    ],
    [
      () => assertInteger('k', 'x', { min: 0, max: 3 }),
      ArgumentTypeError,
      'k: got "x", expected an integer in [0, 3]',
    ],
    [
      () => matrix(2, 2, [1, 2, 3]),
      ArgumentError,
      'data: got an array of length 3, expected 4 values for a 2 x 2 matrix',
    ],
    [
      () => fromRows([[1, 2], [3]]),
      ArgumentError,
      'rows[1]: got an array of length 1, expected an array of length 2 like rows[0]',
    ],
  ])('%#', (fn, type, message) => {
    expect(fn).toThrow(type);
    expect(fn).toThrow(message);
  });

  it('assertComparableArray takes number arrays and numeric typed arrays, not NaN, and names the bad index', () => {
    expect(() => assertComparableArray('values', [1, -Infinity, 0])).not.toThrow();
    expect(() => assertComparableArray('values', new Int8Array(3))).not.toThrow();
    expect(() => assertComparableArray('values', { length: 0 })).toThrow(
      'values: got an Object, expected an array of numbers or a numeric typed array',
    );
    expect(() => assertComparableArray('values', new BigInt64Array(1))).toThrow(ArgumentTypeError);
    expect(() => assertComparableArray('values', [1, 2, Number.NaN])).toThrow(
      'values[2]: got NaN, expected a number that is not NaN (NaN cannot be ordered)',
    );
    expect(() => assertComparableArray('xs', [null])).toThrow('xs[0]: got null, expected a number');
  });

  it('optional vectors (biases, norm gains): undefined, or an array-like of the right length of finite numbers', () => {
    const check = (value: unknown) => () => assertOptionalVector('b', value, 2, '2 values');
    for (const ok of [undefined, [1, 2], new Float32Array(2)]) expect(check(ok)).not.toThrow();
    for (const notArray of [null, 3, 'ab', { rows: 2 }])
      expect(check(notArray)).toThrow(ArgumentTypeError);
    expect(check('ab')).toThrow('b: got "ab", expected 2 values');
    expect(check([1])).toThrow(ArgumentError);
    expect(check([1])).toThrow('b: got an array of length 1, expected 2 values');
    expect(check([1, Number.NaN])).toThrow('b[1]: got NaN, expected a finite number');
    expect(() => assertArrayLike('v', { length: 0 })).not.toThrow();
  });

  it('describeValue keeps messages short', () => {
    expect(describeValue('x'.repeat(100))).toHaveLength(42);
    expect(describeValue(new Float64Array(3))).toBe('a Float64Array of length 3');
  });
});

describe('stats', () => {
  it('chi-square: statistic 20.515 on 5 df has p = 0.001', () => {
    // observed vs expected chosen so that the statistic is 20.515, the 0.999 quantile of chi-square(5)
    const expected = [100, 100, 100, 100, 100, 100];
    const d = Math.sqrt((20.515 * 100) / 2);
    const result = chiSquareTest([100 + d, 100 - d, 100, 100, 100, 100], expected);
    expect(result.statistic).toBeCloseTo(20.515, 9);
    expect(result.pValue).toBeCloseTo(0.001, 5);
  });
});

describe('matrix', () => {
  test.prop([
    fc.array(
      fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 3, maxLength: 3 }),
      { maxLength: 6 },
    ),
  ])('toRows(fromRows(x)) = x', (rows) => {
    expect(toRows(fromRows(rows))).toEqual(rows);
  });

  it('a worked product: [[1, 2], [3, 4]] [[5, 6], [7, 8]] = [[19, 22], [43, 50]]', () => {
    expect(
      toRows(
        matmul(
          fromRows([
            [1, 2],
            [3, 4],
          ]),
          fromRows([
            [5, 6],
            [7, 8],
          ]),
        ),
      ),
    ).toEqual([
      [19, 22],
      [43, 50],
    ]);
  });

  const shapes = fc.record({
    n: fc.integer({ min: 1, max: 6 }),
    k: fc.integer({ min: 1, max: 6 }),
    m: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer(),
  });
  test.prop([shapes], { numRuns: 60 })(
    'matmul and matmulTransposed agree with mathjs and count n k m multiply-adds',
    ({ n, k, m, seed }) => {
      const g = rng(seed);
      const a = randomMatrix(n, k, g);
      const b = randomMatrix(k, m, g);
      const expected = math.multiply(toRows(a), toRows(b)) as number[][];
      const ops = new Counter();
      const viaT = matmulTransposed(a, transpose(b), ops);
      [matmul(a, b, ops), viaT].forEach((c) =>
        toRows(c).forEach((row, i) =>
          row.forEach((x, j) => expect(x).toBeCloseTo(expected[i]![j]!, 10)),
        ),
      );
      expect(ops.get('madds')).toBe(2 * n * k * m);
      expect(transpose(transpose(a))).toEqual(a);
    },
  );

  it('addMatrices adds elementwise ([[1, 2]] + [[3, -5]] = [[4, -3]]) and names b on a mismatch', async () => {
    expect(toRows(addMatrices(fromRows([[1, 2]]), fromRows([[3, -5]])))).toEqual([[4, -3]]);
    await expectArgumentError(() => addMatrices(matrix(2, 3), matrix(3, 2)), 'b');
  });

  it('linear is x W^T + b in nn.Linear layout: [[1, 2]] with W = [[1, 0], [1, 1], [0, 2]], b = [0, 0, 1] gives [[1, 3, 5]]', async () => {
    const ops = new Counter();
    expect(
      toRows(
        linear(
          fromRows([[1, 2]]),
          fromRows([
            [1, 0],
            [1, 1],
            [0, 2],
          ]),
          [0, 0, 1],
          ops,
        ),
      ),
    ).toEqual([[1, 3, 5]]);
    expect(ops.get('madds')).toBe(6);
    await expectArgumentError(
      () => linear(matrix(2, 3), matrix(4, 2), undefined, undefined, 'wq'),
      'wq',
    );
    await expectArgumentError(() => linear(matrix(2, 3), matrix(4, 3), [1, 2]), 'w bias');
  });

  it('mismatched inner sizes name b', async () => {
    await expectArgumentError(() => matmul(matrix(2, 3), matrix(2, 3)), 'b');
    await expectArgumentError(() => matmulTransposed(matrix(2, 3), matrix(2, 4)), 'b');
  });
});

const plots: Plot[] = [
  {
    kind: 'line',
    title: 'line',
    x: { label: 'x', values: [1, 2, 4] },
    y: { label: 'y', log: true },
    series: [
      { name: 'a', values: [1, 10, 100] },
      { name: 'b', values: [2, 3, 4] },
    ],
  },
  {
    kind: 'scatter',
    title: 'scatter',
    x: { label: 'x', values: [0, 1] },
    y: { label: 'y' },
    series: [{ name: 'a', values: [0, 1] }],
  },
  {
    kind: 'bar',
    title: 'bar',
    categories: ['p', 'q'],
    y: { label: 'v' },
    series: [{ name: 'a', values: [1, -2] }],
  },
  {
    kind: 'heatmap',
    title: 'heat',
    rows: { label: 'r', names: ['r0', 'r1'] },
    cols: { label: 'c', names: ['c0', 'c1', 'c2'] },
    values: [
      [0, 0.5, 1],
      [1, 0.5, 0],
    ],
  },
];

describe('plots render as text and as SVG', () => {
  it('series keep apart without colour: a symbol each, a legend, and a note when one hides another', () => {
    const text = plotToText(
      {
        kind: 'line',
        title: 'two curves, one under the other',
        x: { label: 'x', values: [1, 2, 3] },
        y: { label: 'y' },
        series: [
          { name: 'a', values: [1, 2, 3] },
          { name: 'b', values: [3, 2, 1] },
          { name: 'c', values: [1.001, 2, 3] },
        ],
      },
      false,
      60,
    );
    expect(text).toContain('legend: * a   o b   x c');
    expect(text).toContain('"c" lies under "a"');
    expect(text).not.toContain('"b" lies under');
    expect(text.split('\n').every((l) => l.length <= 60)).toBe(true);
  });

  it('small heatmaps show their values; signed ones get a two-sided scale', () => {
    const heat = (values: number[][]): Plot => ({
      kind: 'heatmap',
      title: 'h',
      rows: { label: 'r', names: values.map((_, i) => `r${i}`) },
      cols: { label: 'c', names: (values[0] ?? []).map((_, j) => `c${j}`) },
      values,
    });
    expect(plotToText(heat([[0.25, 0.75]]))).toMatch(/r0\s+0\.25\s+0\.75/);
    const big = Array.from({ length: 9 }, (_, i) =>
      Array.from({ length: 9 }, (_, j) => Math.sin(i - j)),
    );
    expect(plotToText(heat(big))).toContain('two-sided');
    expect(plotToText(heat(big.map((r) => r.map(Math.abs))))).not.toContain('two-sided');
  });

  it.each(plots.map((p) => [p.kind, p] as const))('%s', async (_, plot) => {
    expect(plotToText(plot)).toContain(plot.title);
    expect(await plotToSvg(plot)).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });

  it('a series of the wrong length is rejected', async () => {
    const bad: Plot = {
      kind: 'bar',
      title: 't',
      categories: ['a', 'b'],
      y: { label: 'v' },
      series: [{ name: 's', values: [1] }],
    };
    await expectArgumentError(() => plotToText(bad), 'plot.series "s"');
  });
});

describe('numbers print one way', () => {
  it.each([
    ['we see 1707593 vs 10000 steps (k = 488)', 'we see 1,707,593 vs 10,000 steps (k = 488)'],
    ['4,718,592 beside 3214848', '4,718,592 beside 3,214,848'],
    ['10000^(2i/d), 1.234567, 1e10000, x12345', '10000^(2i/d), 1.234567, 1e10000, x12345'],
  ])('groupDigits(%j) is %j', (text, grouped) => {
    expect(groupDigits(text)).toBe(grouped);
  });

  it('formatNumber groups integers of five or more digits and keeps 6 significant digits', () => {
    expect([
      formatNumber(4718592),
      formatNumber(8192),
      formatNumber(2 / 3),
      formatNumber(-12345),
    ]).toEqual(['4,718,592', '8192', '0.666667', '-12,345']);
  });
});

describe('the notebook kit', () => {
  const collect = (): Renderer & { cells: Cell[] } => {
    const cells: Cell[] = [];
    return { cells, begin() {}, cell: (c) => void cells.push(c), end() {} };
  };

  it('md trims indentation; code shows the real source and the value; check compares within tol', async () => {
    const renderer = collect();
    const nb = new Notebook(renderer, new URL(import.meta.url).pathname);
    await nb.md`
      ## Title
      text ${1 / 3}
    `;
    const value = await nb.code(() => [1, 2, 3].map((x) => x * 2));
    await nb.check('close', 0.1 + 0.2, 0.3);
    await nb.check('far', 1, 2, { tol: 0.5 });
    expect(value).toEqual([2, 4, 6]);
    expect(renderer.cells[0]).toEqual({ kind: 'markdown', text: '## Title\ntext 0.333333' });
    expect(renderer.cells[1]).toEqual({
      kind: 'code',
      source: '[1, 2, 3].map((x) => x * 2)',
      output: '[ 2, 4, 6 ]',
    });
    expect(renderer.cells.slice(2).map((c) => c.kind === 'check' && c.match)).toEqual([
      true,
      false,
    ]);
  });

  it('show prints matrices as rounded rows', () => {
    expect(show({ m: fromRows([[1 / 3, 2]]) })).toBe('{ m: [ [ 0.333333, 2 ] ] }');
  });

  it('a failed check makes the notebook reject with NotebookCheckError after rendering everything', async () => {
    const definition = defineNotebook(import.meta.url, 'reservoir-sampling', async (nb) => {
      await nb.check('wrong on purpose', 1, 2);
      await nb.md('after the failure');
    });
    const renderer = collect();
    await expect(definition.run(renderer)).rejects.toThrow(NotebookCheckError);
    expect(renderer.cells.at(-1)).toEqual({ kind: 'markdown', text: 'after the failure' });
  });

  it('an unknown concept id is rejected', async () => {
    await expectArgumentError(() => defineNotebook(import.meta.url, 'nope', () => {}), 'id');
  });
});

describe('tensor backend', () => {
  it('picks a backend, says which and why, and the same one every time', async () => {
    const a = await tensorBackend();
    expect(['tensorflow', 'wasm', 'cpu']).toContain(a.name);
    expect(a.reason.length).toBeGreaterThan(0);
    expect(a.tf.getBackend()).toBe(a.name);
    expect(await tensorBackend()).toBe(a);
  });
});

/**
 * A row-major matrix on a Float64Array: the common currency of the from-scratch tensor code.
 * Deliberately tiny: shape, data, a few constructors and checks. The maths of each concept lives in
 * its own module, written out loop by loop.
 *
 * The products count their multiply-adds into a `Counter` (core/counter.ts) as 'madds', so a test
 * can assert `c.get('madds') <= c * n^2 * d`. Every helper checks its matrices at entry (one pass),
 * and no matrix is made larger than `MAX_ELEMENTS`.
 */
import { assertOptionalCounter, type Counter } from './counter.js';
import {
  ArgumentError,
  ArgumentTypeError,
  assertArrayLike,
  assertFiniteArray,
  assertFunction,
  assertInteger,
  assertOptionalVector,
} from './errors.js';
import { assertRng, type Rng } from './random.js';

/** The largest matrix made here: 2^27 doubles, 1 GiB. Beyond it a size is a mistake, not a plan. */
export const MAX_ELEMENTS = 2 ** 27;

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major: element (i, j) is data[i * cols + j]. */
  readonly data: Float64Array;
}

/** Throws unless `m` is a Matrix whose shape matches its data (O(1): the entries are not read). */
export function assertMatrixShape(argument: string, m: unknown): asserts m is Matrix {
  const c = m as Partial<Matrix> | null;
  if (c === null || typeof c !== 'object' || !(c.data instanceof Float64Array)) {
    throw new ArgumentTypeError(argument, m, 'a Matrix { rows, cols, data: Float64Array }');
  }
  if (
    !Number.isSafeInteger(c.rows) ||
    !Number.isSafeInteger(c.cols) ||
    (c.rows as number) < 0 ||
    (c.cols as number) < 0 ||
    (c.rows as number) * (c.cols as number) !== c.data.length
  ) {
    throw new ArgumentError(
      argument,
      m,
      'rows x cols = data.length',
      `rows ${String(c.rows)}, cols ${String(c.cols)}, ${c.data.length} values`,
    );
  }
}

/** A rows x cols matrix, zero-filled or over the given data (copied). */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  assertInteger('rows', rows, { min: 0, max: MAX_ELEMENTS });
  assertInteger('cols', cols, { min: 0, max: MAX_ELEMENTS });
  if (rows * cols > MAX_ELEMENTS)
    throw new ArgumentError('cols', cols, `rows x cols <= ${MAX_ELEMENTS} (rows = ${rows})`);
  if (data !== undefined) assertArrayLike('data', data);
  if (data !== undefined && data.length !== rows * cols) {
    throw new ArgumentError('data', data, `${rows * cols} values for a ${rows} x ${cols} matrix`);
  }
  return {
    rows,
    cols,
    data: data === undefined ? new Float64Array(rows * cols) : Float64Array.from(data),
  };
}

/** From nested arrays: fromRows([[1, 2], [3, 4]]). Every row must have the same length. */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  if (!Array.isArray(rows))
    throw new ArgumentTypeError('rows', rows, 'an array of equal-length number arrays');
  const cols = rows[0]?.length ?? 0;
  const out = matrix(rows.length, cols);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== cols) {
      throw new ArgumentError(`rows[${i}]`, r, `an array of length ${cols} like rows[0]`);
    }
    assertFiniteArray(`rows[${i}]`, r);
    out.data.set(r, i * cols);
  });
  return out;
}

/** Back to nested arrays, e.g. for printing or for tfjs.tensor2d. */
export function toRows(m: Matrix): number[][] {
  assertMatrixShape('m', m);
  return Array.from({ length: m.rows }, (_, i) =>
    Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)),
  );
}

/** Element (i, j). */
export function at(m: Matrix, i: number, j: number): number {
  assertMatrixShape('m', m);
  assertInteger('i', i, { min: 0, max: m.rows - 1 });
  assertInteger('j', j, { min: 0, max: m.cols - 1 });
  return m.data[i * m.cols + j] as number;
}

/** Row i as a view (no copy). */
export function rowOf(m: Matrix, i: number): Float64Array {
  assertMatrixShape('m', m);
  assertInteger('i', i, { min: 0, max: m.rows - 1 });
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** A rows x cols matrix of independent draws, standard normal unless another sampler is given. */
export function randomMatrix(
  rows: number,
  cols: number,
  rng: Rng,
  sample: () => number = () => rng.normal(),
): Matrix {
  assertRng('rng', rng);
  assertFunction('sample', sample);
  const m = matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = sample();
  return m;
}

/** Largest absolute elementwise difference; shapes must match. */
export function maxAbsDiff(a: Matrix, b: Matrix): number {
  assertMatrixShape('a', a);
  assertSameShape('b', b, a);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++)
    worst = Math.max(worst, Math.abs((a.data[i] as number) - (b.data[i] as number)));
  return worst;
}

export function shapeOf(m: Matrix): string {
  assertMatrixShape('m', m);
  return `[${m.rows}, ${m.cols}]`;
}

/** Throws unless `m` has the same shape as `like`, naming both shapes. */
export function assertSameShape(argument: string, m: Matrix, like: Matrix): void {
  assertMatrixShape(argument, m);
  assertMatrixShape('like', like);
  if (m.rows !== like.rows || m.cols !== like.cols) {
    throw new ArgumentError(argument, m, `shape ${shapeOf(like)}`, `shape ${shapeOf(m)}`);
  }
}

/** Throws unless `m` is a Matrix with finite entries. */
export function assertMatrix(argument: string, m: unknown): asserts m is Matrix {
  assertMatrixShape(argument, m);
  assertFiniteArray(argument, m.data);
}

/**
 * C = A B for A [n, k] and B [k, m]: C is [n, m]. The plain triple loop (i, c, j order so the inner
 * loop walks rows of B and C contiguously). Counts n k m multiply-adds into `counter`.
 */
export function matmul(a: Matrix, b: Matrix, counter?: Counter): Matrix {
  assertMatrix('a', a);
  assertMatrix('b', b);
  assertOptionalCounter('counter', counter);
  if (a.cols !== b.rows)
    throw new ArgumentError(
      'b',
      b,
      `${a.cols} rows to multiply a ${shapeOf(a)}`,
      `shape ${shapeOf(b)}`,
    );
  const { rows: n, cols: k } = a;
  const m = b.cols;
  const out = matrix(n, m);
  for (let i = 0; i < n; i++) {
    const outRow = i * m;
    for (let c = 0; c < k; c++) {
      const aic = a.data[i * k + c] as number;
      const bRow = c * m;
      for (let j = 0; j < m; j++)
        out.data[outRow + j] =
          (out.data[outRow + j] as number) + aic * (b.data[bRow + j] as number);
    }
  }
  counter?.add('madds', n * k * m);
  return out;
}

/**
 * C = A B^T for A [n, k] and B [m, k]: C is [n, m], entry (i, j) the dot product of row i of A with
 * row j of B. This is how a batch of row vectors meets a weight stored as [d_out, d_in] (PyTorch's
 * nn.Linear layout): y = x W^T. Counts n m k multiply-adds into `counter`.
 */
export function matmulTransposed(a: Matrix, b: Matrix, counter?: Counter): Matrix {
  assertMatrix('a', a);
  assertMatrix('b', b);
  assertOptionalCounter('counter', counter);
  if (a.cols !== b.cols)
    throw new ArgumentError(
      'b',
      b,
      `${a.cols} columns like a ${shapeOf(a)}`,
      `shape ${shapeOf(b)}`,
    );
  const { rows: n, cols: k } = a;
  const m = b.rows;
  const out = matrix(n, m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let c = 0; c < k; c++)
        s += (a.data[i * k + c] as number) * (b.data[j * k + c] as number);
      out.data[i * m + j] = s;
    }
  }
  counter?.add('madds', n * m * k);
  return out;
}

/**
 * A linear layer in PyTorch's nn.Linear layout: y = x W^T + b for x [n, d_in], W [d_out, d_in] and an
 * optional bias of length d_out; y is [n, d_out]. `name` prefixes the argument names in errors
 * (e.g. 'wq' gives "wq: got shape ..."). Counts n d_in d_out multiply-adds into `counter`.
 */
export function linear(
  x: Matrix,
  w: Matrix,
  bias?: ArrayLike<number>,
  counter?: Counter,
  name = 'w',
): Matrix {
  if (typeof name !== 'string') throw new ArgumentTypeError('name', name, 'a string');
  assertMatrix('x', x);
  assertMatrix(name, w);
  if (x.cols !== w.cols)
    throw new ArgumentError(
      name,
      w,
      `[d_out, ${x.cols}]: d_in = ${x.cols} columns like x ${shapeOf(x)}`,
      `shape ${shapeOf(w)}`,
    );
  assertOptionalVector(
    `${name} bias`,
    bias,
    w.rows,
    `${w.rows} values, one per output of ${name} ${shapeOf(w)}`,
  );
  const y = matmulTransposed(x, w, counter);
  if (bias === undefined) return y;
  for (let i = 0; i < y.rows; i++)
    for (let j = 0; j < y.cols; j++)
      y.data[i * y.cols + j] = (y.data[i * y.cols + j] as number) + (bias[j] as number);
  return y;
}

/** A + B elementwise (e.g. a residual connection x + f(x)); the shapes must match, both are named if not. */
export function addMatrices(a: Matrix, b: Matrix): Matrix {
  assertMatrixShape('a', a);
  assertSameShape('b', b, a);
  const out = matrix(a.rows, a.cols);
  for (let i = 0; i < out.data.length; i++)
    out.data[i] = (a.data[i] as number) + (b.data[i] as number);
  return out;
}

/** The transpose, [rows, cols] -> [cols, rows]. */
export function transpose(m: Matrix): Matrix {
  assertMatrixShape('m', m);
  const out = matrix(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out.data[j * m.rows + i] = m.data[i * m.cols + j] as number;
  return out;
}

/**
 * The learned absolute table (BERT, GPT-2): one trainable row per position, added to the token
 * vectors. It has no row past its length, so it cannot extrapolate.
 */
import { ArgumentError, assertFinite, assertInteger } from '../../core/errors.js';
import { assertMatrix, matrix, randomMatrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertRng, type Rng } from '../../core/random.js';
import { assertTableSize } from './sizes.js';

/** A learned table [maxLength, d], initialised N(0, std^2) (std 0.02, BERT's initializer_range). */
export function learnedPositionTable(maxLength: number, d: number, rng: Rng, std = 0.02): Matrix {
  assertInteger('maxLength', maxLength, { min: 1 });
  assertInteger('d', d, { min: 1 });
  assertTableSize('maxLength', maxLength, d);
  assertRng('rng', rng);
  assertFinite('std', std);
  return randomMatrix(maxLength, d, rng, () => rng.normal(0, std));
}

/**
 * x + table[offset .. offset + n): absolute positions added to token vectors x [n, d]. A learned
 * table has no row past maxLength, so this throws there: it cannot extrapolate.
 */
export function addPositions(x: Matrix, table: Matrix, offset = 0): Matrix {
  assertMatrix('x', x);
  assertMatrix('table', table);
  assertInteger('offset', offset, { min: 0 });
  if (x.cols !== table.cols) {
    const expected = `d = ${x.cols} columns like x ${shapeOf(x)}`;
    throw new ArgumentError('table', table, expected, `shape ${shapeOf(table)}`);
  }
  if (offset + x.rows > table.rows) {
    const expected =
      `at most ${table.rows - offset} rows from offset ${offset}: ` +
      `the table ${shapeOf(table)} has no position beyond ${table.rows - 1}`;
    throw new ArgumentError('x', x, expected, `shape ${shapeOf(x)}`);
  }
  const out = matrix(x.rows, x.cols, x.data);
  const start = offset * table.cols;
  for (let i = 0; i < out.data.length; i++) out.data[i]! += table.data[start + i]!;
  return out;
}

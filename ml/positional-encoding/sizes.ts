/**
 * Size checks shared by the parts of the positional encodings (not part of the public surface).
 */
import { ArgumentError, assertInteger } from '../../core/errors.js';

/** The most values a table or a bias may hold: 2^27. */
export const MAX_ELEMENTS = 2 ** 27;

/** Throws unless d is an even integer >= 2 (sin and cos come in pairs). */
export function assertEvenWidth(argument: string, d: unknown): asserts d is number {
  assertInteger(argument, d, { min: 2 });
  if (d % 2 !== 0) {
    throw new ArgumentError(argument, d, 'an even width (sin and cos come in pairs)');
  }
}

/** Throws unless rows x cols is a table of at most 2^27 values; names `rowsName` if too large. */
export function assertTableSize(rowsName: string, rows: unknown, cols: unknown): void {
  assertInteger(rowsName, rows, { min: 0 });
  assertInteger('cols', cols, { min: 0 });
  if (rows * cols > MAX_ELEMENTS) {
    throw new ArgumentError(rowsName, rows, `at most 2^27 values in all (${cols} per row)`);
  }
}

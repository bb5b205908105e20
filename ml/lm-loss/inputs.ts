/**
 * The ignore index and the one check of (logits, labels) shared by every part of the LM loss.
 */
import { ArgumentError, ArgumentTypeError } from '../../core/errors.js';
import { assertMatrix, shapeOf } from '../../core/matrix.js';

/** The label value that carries no loss (PyTorch CrossEntropyLoss's default ignore_index). */
export const IGNORE_INDEX = -100;

/** Checks logits [T, V] (V >= 1) against labels: length T, each in [0, V) or -100. One pass. */
export function assertLossInputs(logits: unknown, labels: unknown): asserts labels is number[] {
  assertMatrix('logits', logits);
  const { rows, cols, data } = logits;
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows * cols !== data.length) {
    throw new ArgumentError('logits', logits, 'a Matrix whose data holds rows * cols values');
  }
  assertLabels('labels', labels, logits.rows, logits.cols, `logits ${shapeOf(logits)}`);
  if (logits.cols === 0) {
    const shown = `shape ${shapeOf(logits)}`;
    throw new ArgumentError('logits', logits, 'a vocabulary of V >= 1 columns', shown);
  }
}

/** Labels: an array of `length` token ids in [0, vocab) or -100. */
export function assertLabels(
  argument: string,
  labels: unknown,
  length: number,
  vocab: number,
  like: string,
): asserts labels is number[] {
  if (!Array.isArray(labels)) {
    throw new ArgumentTypeError(argument, labels, 'an array of token ids');
  }
  if (labels.length !== length) {
    throw new ArgumentError(argument, labels, `${length} labels, one per row of ${like}`);
  }
  for (let t = 0; t < labels.length; t++) {
    const y: unknown = labels[t];
    if (y === IGNORE_INDEX) continue;
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= vocab) {
      const expected = `a token id in [0, ${vocab}) or ${IGNORE_INDEX} (ignored)`;
      throw new ArgumentError(`${argument}[${t}]`, y, expected);
    }
  }
}

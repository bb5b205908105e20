/**
 * The KV cache of one Transformer block, as data: per key/value head, the keys and the values of
 * every token seen so far, one row per token. Keys are stored after RoPE (each rotated at its own
 * absolute position once, when it was computed), as HF's `DynamicCache` and vLLM store them, so a
 * later step never rotates a cached key again.
 *
 *   keys[g], values[g]: [t, d_h] for g = 0 .. h_kv - 1, t = length = the next token's position
 *
 * Bytes held: 2 (K and V) h_kv d_h t elements per block; see ./bytes.ts for the calculator.
 * The cache is immutable: a step returns a new cache (`appendRows` copies, O(t d_h) per head, the
 * same order as attending over it).
 */
import { ArgumentError, assertArray, assertInteger, assertObject } from '../../core/errors.js';
import { assertMatrix, matrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertBlockConfig, type BlockConfig } from '../transformer-block.js';

/** What one block has stored after `length` tokens. */
export interface BlockKvCache {
  /** Tokens stored; also the absolute position of the next token. */
  readonly length: number;
  /** h_kv matrices [length, d_h]: the keys, already rotated by RoPE at their own positions. */
  readonly keys: readonly Matrix[];
  /** h_kv matrices [length, d_h]: the values. */
  readonly values: readonly Matrix[];
}

/** More cached tokens than this are refused: a from-scratch cache past it is a mistake. */
export const MAX_CACHE_TOKENS = 2 ** 16;

/** The cache before the first token: h_kv empty [0, d_h] matrices for keys and for values. */
export function emptyKvCache(config: BlockConfig): BlockKvCache {
  const { numKvHeads, headDim } = assertBlockConfig(config);
  const empty = () => Array.from({ length: numKvHeads }, () => matrix(0, headDim));
  return { length: 0, keys: empty(), values: empty() };
}

/**
 * Throws unless `cache` is a BlockKvCache for `config`: h_kv key and value matrices, each
 * [length, d_h] with finite entries. Returns the length (the next position).
 */
export function assertKvCache(argument: string, cache: unknown, config: BlockConfig): number {
  const { numKvHeads, headDim } = assertBlockConfig(config);
  assertObject(argument, cache, 'a BlockKvCache { length, keys, values } (emptyKvCache(config))');
  const length = cache['length'];
  assertInteger(`${argument}.length`, length, { min: 0, max: MAX_CACHE_TOKENS });
  for (const part of ['keys', 'values'] as const) {
    const heads = cache[part];
    assertArray(`${argument}.${part}`, heads);
    if (heads.length !== numKvHeads) {
      throw new ArgumentError(
        `${argument}.${part}`,
        heads,
        `${numKvHeads} matrices, one per key/value head (config.numKvHeads)`,
      );
    }
    heads.forEach((m, g) => {
      const name = `${argument}.${part}[${g}]`;
      assertMatrix(name, m);
      if (m.rows !== length || m.cols !== headDim) {
        throw new ArgumentError(
          name,
          m,
          `shape [${length}, ${headDim}] (length tokens x d_h)`,
          `shape ${shapeOf(m)}`,
        );
      }
    });
  }
  return length;
}

/** [t, d] and [m, d] -> [t + m, d]: the rows of `rows` appended below those of `m` (a copy). */
export function appendRows(m: Matrix, rows: Matrix): Matrix {
  assertMatrix('m', m);
  assertMatrix('rows', rows);
  if (rows.cols !== m.cols) {
    throw new ArgumentError(
      'rows',
      rows,
      `${m.cols} columns like m ${shapeOf(m)}`,
      `shape ${shapeOf(rows)}`,
    );
  }
  const out = matrix(m.rows + rows.rows, m.cols);
  out.data.set(m.data);
  out.data.set(rows.data, m.data.length);
  return out;
}

/** Throws unless x is a finite Matrix [m, d_model] with 1 <= m (exactly 1 if `oneToken`). */
export function assertTokens(
  argument: string,
  x: unknown,
  config: BlockConfig,
  oneToken: boolean,
): Matrix {
  assertMatrix(argument, x);
  const rowsOk = oneToken ? x.rows === 1 : x.rows >= 1;
  if (!rowsOk || x.cols !== config.dModel) {
    const what = oneToken ? 'one token' : 'm >= 1 tokens';
    throw new ArgumentError(
      argument,
      x,
      `${what} of width d_model: shape [${oneToken ? 1 : 'm'}, ${config.dModel}]`,
      `shape ${shapeOf(x)}`,
    );
  }
  return x;
}

/**
 * @internal The unchecked inner loop of the retrievers: callers check the query and the vectors
 * first (`assertRetrievalInputs`). Not a public surface.
 */
import { ArgumentError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';

/** q . v_i, and a typed error if it is not finite (a NaN or infinite entry, or an overflow). */
export function innerProduct(query: ArrayLike<number>, vectors: Matrix, i: number): number {
  const d = vectors.cols;
  const data = vectors.data;
  let s = 0;
  for (let j = 0, o = i * d; j < d; j++, o++) s += (query[j] as number) * (data[o] as number);
  if (!Number.isFinite(s)) {
    throw new ArgumentError(
      'vectors',
      vectors,
      `rows of finite numbers whose inner product with the query is finite (row ${i})`,
    );
  }
  return s;
}

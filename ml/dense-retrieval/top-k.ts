/**
 * Exact top-k by inner product: one scan over the vectors with a size-k min-heap of the best seen
 * so far (the root is the worst of them, so a new score is compared with one number), O(n d + n
 * log k) time and O(k) extra space, against a full sort's O(n log n). Ties are broken by index:
 * of two equal scores the lower index ranks first, in every function here (tf.topk makes no such
 * promise). `topKInnerProductTf` is the same search written directly in tfjs: matMul + tf.topk.
 */
import { ArgumentError, assertFiniteArray, assertInteger } from '../../core/errors.js';
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import { assertMatrixShape, shapeOf, type Matrix } from '../../core/matrix.js';
import { innerProduct } from './kernels.js';
import { topK, type Scored } from '../../core/top-k.js';
import {
  assertTensor,
  assertTf,
  tensorBackend,
  toTensor2d,
  type Tensor,
  type Tf,
} from '../../core/backend.js';

/** One retrieved vector: its row in the index and its score (core/top-k.ts's `Scored`). */
export type Hit = Scored;

/**
 * Checks a query [d] against vectors [n, d] (n >= 1) and k (an integer >= 1; k > n returns all
 * n); returns n. The vectors' entries are checked during the scan (a non-finite entry makes a
 * non-finite score), so the check costs nothing extra.
 */
export function assertRetrievalInputs(query: unknown, vectors: unknown, k: unknown): number {
  assertFiniteArray('query', query);
  assertMatrixShape('vectors', vectors);
  assertInteger('k', k, { min: 1 });
  if (vectors.rows === 0)
    throw new ArgumentError('vectors', vectors, 'a non-empty index (n >= 1 rows)', 'no rows');
  if (query.length === 0) throw new ArgumentError('query', query, 'a query vector of width d >= 1');
  if (query.length !== vectors.cols) {
    throw new ArgumentError(
      'query',
      query,
      `${vectors.cols} values, the width of vectors ${shapeOf(vectors)}`,
      `${query.length} values`,
    );
  }
  return vectors.rows;
}

/** The k largest entries kept in a min-heap: the root is the worst of them. */
class WorstFirstHeap {
  readonly scores: Float64Array;
  readonly indices: Int32Array;
  size = 0;

  constructor(
    readonly capacity: number,
    private readonly counter?: Counter,
  ) {
    this.scores = new Float64Array(capacity);
    this.indices = new Int32Array(capacity);
  }

  /** Slot a is worse than slot b: a lower score, or the same score at a higher index. */
  private worse(a: number, b: number): boolean {
    this.counter?.add('comparisons');
    const sa = this.scores[a]!;
    const sb = this.scores[b]!;
    return sa < sb || (sa === sb && this.indices[a]! > this.indices[b]!);
  }

  private swap(a: number, b: number): void {
    const s = this.scores[a]!;
    this.scores[a] = this.scores[b]!;
    this.scores[b] = s;
    const i = this.indices[a]!;
    this.indices[a] = this.indices[b]!;
    this.indices[b] = i;
  }

  /** Offers (index, score); indices arrive in increasing order, so a tie never displaces. */
  offer(index: number, score: number): void {
    if (this.size < this.capacity) {
      let c = this.size++;
      this.scores[c] = score;
      this.indices[c] = index;
      // sift up while the new entry is worse than its parent
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!this.worse(c, p)) break;
        this.swap(c, p);
        c = p;
      }
      return;
    }
    // not better than the worst kept: a later index with an equal score loses the tie
    this.counter?.add('comparisons');
    if (score <= this.scores[0]!) return;
    this.scores[0] = score;
    this.indices[0] = index;
    // sift down towards the worse child
    for (let p = 0; ;) {
      const l = 2 * p + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const w = r < this.size && this.worse(r, l) ? r : l;
      if (!this.worse(w, p)) break;
      this.swap(w, p);
      p = w;
    }
  }

  /** The kept entries, best first (ties: lower index first). */
  best(): Hit[] {
    const hits = Array.from({ length: this.size }, (_, s) => ({
      index: this.indices[s]!,
      score: this.scores[s]!,
    }));
    return hits.sort((a, b) => b.score - a.score || a.index - b.index);
  }
}

/** The top k of a list of scores (ties: lower index first; NaN refused): core/top-k.ts's. */
export const topKScores: (scores: ArrayLike<number>, k: number) => Hit[] = (scores, k) =>
  topK(scores, k);

/**
 * The exact top k of q . v_i over the rows of `vectors` [n, d], best first, ties broken by the
 * lower index: one scan, a size-k heap. Equal to `topKBySorting`.
 */
export function topKInnerProduct(query: ArrayLike<number>, vectors: Matrix, k: number): Hit[] {
  return topKInnerProductCounted(query, vectors, k);
}

/**
 * `topKInnerProduct` that counts its work: 'madds' (n d for the scores) and 'comparisons' (heap
 * comparisons: at most n + 2 n log2(k) + k log2(k) or so; one per vector that does not enter).
 */
export function topKInnerProductCounted(
  query: ArrayLike<number>,
  vectors: Matrix,
  k: number,
  counter?: Counter,
): Hit[] {
  const n = assertRetrievalInputs(query, vectors, k);
  assertOptionalCounter('counter', counter);
  const heap = new WorstFirstHeap(Math.min(k, n), counter);
  for (let i = 0; i < n; i++) heap.offer(i, innerProduct(query, vectors, i));
  counter?.add('madds', n * vectors.cols);
  return heap.best();
}

/** `topKInnerProduct` for every row of `queries` [q, d]. */
export function topKInnerProductBatch(queries: Matrix, vectors: Matrix, k: number): Hit[][] {
  assertMatrixShape('queries', queries);
  assertFiniteArray('queries', queries.data);
  if (queries.rows === 0)
    throw new ArgumentError('queries', queries, 'at least one query row', 'no rows');
  return Array.from({ length: queries.rows }, (_, r) =>
    topKInnerProduct(queries.data.subarray(r * queries.cols, (r + 1) * queries.cols), vectors, k),
  );
}

/**
 * Top k by cosine similarity: the query and each row divided by its norm (a zero vector scores
 * 0). On unit-norm vectors it ranks exactly as `topKInnerProduct`, which is why an index of
 * normalized embeddings only needs inner products.
 */
export function topKCosine(query: ArrayLike<number>, vectors: Matrix, k: number): Hit[] {
  const n = assertRetrievalInputs(query, vectors, k);
  const d = vectors.cols;
  const norm = (get: (j: number) => number) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += get(j) ** 2;
    return Math.sqrt(s);
  };
  const qn = norm((j) => query[j] as number);
  const heap = new WorstFirstHeap(Math.min(k, n));
  for (let i = 0; i < n; i++) {
    const dot = innerProduct(query, vectors, i);
    const vn = norm((j) => vectors.data[i * d + j]!);
    const denominator = qn * vn;
    heap.offer(i, denominator > 0 && Number.isFinite(denominator) ? dot / denominator : 0);
  }
  return heap.best();
}

// ---------------------------------------------------------------- tfjs

/**
 * The same search on tensors: scores = queries vectors^T ([q, d] x [d, n] -> [q, n]), then
 * tf.topk(scores, k) -> { values, indices } [q, min(k, n)], sorted. tf.topk does not promise an
 * order among equal scores. Synchronous; the caller disposes the two results.
 */
export function topKInnerProductTf(
  tf: Tf,
  queries: Tensor,
  vectors: Tensor,
  k: number,
): { values: Tensor; indices: Tensor } {
  assertTf('tf', tf);
  assertTensor('queries', queries, 2);
  assertTensor('vectors', vectors, 2);
  assertInteger('k', k, { min: 1 });
  const [n, d] = vectors.shape as [number, number];
  if (n === 0) throw new ArgumentError('vectors', vectors, 'a non-empty index', `shape [0, ${d}]`);
  if (queries.shape[1] !== d || queries.shape[0] === 0) {
    throw new ArgumentError(
      'queries',
      queries,
      `a tensor [q >= 1, ${d}] like vectors [${n}, ${d}]`,
      `shape [${queries.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    // scores^T = V Q^T, [n, d] x [d, q] -> [n, q], then [q, n]: only the small queries and the
    // scores are transposed, and no matMul operand is (tfjs-wasm's fast path needs neither
    // transposeA nor transposeB; with transposeB the same product is many times slower)
    const scores = tf.transpose(tf.matMul(vectors, tf.transpose(queries)));
    const { values, indices } = tf.topk(scores, Math.min(k, n), true);
    return { values, indices };
  });
}

/** `topKInnerProductTf` from matrices, read back as hits (float32 scores). */
export async function topKInnerProductTfMatrix(
  queries: Matrix,
  vectors: Matrix,
  k: number,
): Promise<Hit[][]> {
  assertMatrixShape('queries', queries);
  assertFiniteArray('queries', queries.data);
  assertMatrixShape('vectors', vectors);
  assertFiniteArray('vectors', vectors.data);
  const { tf } = await tensorBackend();
  const [q, v] = [toTensor2d(tf, queries), toTensor2d(tf, vectors)];
  try {
    const { values, indices } = topKInnerProductTf(tf, q, v, k);
    const [scores, ids] = [await values.data(), await indices.data()];
    tf.dispose([values, indices]);
    const width = Math.min(k, vectors.rows);
    return Array.from({ length: queries.rows }, (_, r) =>
      Array.from({ length: width }, (_, c) => ({
        index: ids[r * width + c]!,
        score: scores[r * width + c]!,
      })),
    );
  } finally {
    tf.dispose([q, v]);
  }
}

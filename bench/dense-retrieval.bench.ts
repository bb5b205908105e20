/**
 * Q41 bench: exact top-10 by inner product over an index of 100,000 unit vectors of width 64, for
 * one query and for a batch of 32: the textbook sort of every score (topKBySorting), the size-k
 * heap (topKInnerProduct), and the same search written in tfjs, matMul + tf.topk, three ways:
 * topKInnerProductTf (scores^T = V Q^T, no transposed matMul operand), the naive
 * tf.matMul(Q, V, false, true) (transposeB, which tfjs-wasm runs off its fast path), and Q times an
 * index stored transposed, [d, N]. The tfjs rows keep the index as a tensor (built once) and
 * include reading the results back.
 */
import { bench, describe } from 'vitest';
import {
  topKBySorting,
  topKInnerProduct,
  topKInnerProductBatch,
  topKInnerProductTf,
} from '../ml/dense-retrieval/index.js';
import { l2NormalizeRows } from '../ml/contrastive.js';
import { randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { tensorBackend, toTensor2d, type Tensor } from '../core/backend.js';

const N = 100_000;
const D = 64;
const K = 10;
const g = rng(41);
const vectors = l2NormalizeRows(randomMatrix(N, D, g));
const queries = l2NormalizeRows(randomMatrix(32, D, g));
const query = queries.data.subarray(0, D);
const { tf } = await tensorBackend();
const index = toTensor2d(tf, vectors); // [N, d], resident
const indexT = tf.transpose(index); // [d, N], for matMul without transposeB
const one = tf.tensor2d(Float32Array.from(query), [1, D]);
const batch = toTensor2d(tf, queries);
const options = { iterations: 10, time: 0, warmupIterations: 2 };

/** Reads a top-k result back and frees it. */
function readBack({ values, indices }: { values: Tensor; indices: Tensor }): void {
  values.dataSync();
  indices.dataSync();
  tf.dispose([values, indices]);
}

const viaModule = (q: Tensor) => readBack(topKInnerProductTf(tf, q, index, K));
const viaTransposeB = (q: Tensor) =>
  readBack(tf.tidy(() => tf.topk(tf.matMul(q, index, false, true), K, true)));
const viaStoredTranspose = (q: Tensor) =>
  readBack(tf.tidy(() => tf.topk(tf.matMul(q, indexT), K, true)));

describe(`top-${K} of ${N.toLocaleString('en-US')} x ${D}, one query`, () => {
  bench(
    'score all, sort all (topKBySorting)',
    () => void topKBySorting(query, vectors, K),
    options,
  );
  bench(
    'one scan, size-k heap (topKInnerProduct)',
    () => void topKInnerProduct(query, vectors, K),
    options,
  );
  bench('tfjs V Q^T + tf.topk (topKInnerProductTf)', () => viaModule(one), options);
  bench('tfjs matMul(Q, V, transposeB) + tf.topk', () => viaTransposeB(one), options);
  bench('tfjs Q x index stored as [d, N] + tf.topk', () => viaStoredTranspose(one), options);
});

describe(`top-${K} of ${N.toLocaleString('en-US')} x ${D}, 32 queries`, () => {
  bench(
    'heap, query by query (topKInnerProductBatch)',
    () => void topKInnerProductBatch(queries, vectors, K),
    options,
  );
  bench('tfjs V Q^T + tf.topk (topKInnerProductTf)', () => viaModule(batch), options);
  bench('tfjs matMul(Q, V, transposeB) + tf.topk', () => viaTransposeB(batch), options);
  bench('tfjs Q x index stored as [d, N] + tf.topk', () => viaStoredTranspose(batch), options);
});

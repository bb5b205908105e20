/**
 * The warpers on tfjs tensors: logits [batch, vocab] -> logits [batch, vocab] with the removed
 * entries at -Infinity, the same rules as ./warpers.ts row by row (ties at the k-th value kept;
 * the token crossing p kept; equal logits ordered by the lower index; p = 1 keeps everything).
 * Each is synchronous and valid inside tf.tidy, and they compose in HF's order:
 *
 *   topPMaskTf(tf, topKMaskTf(tf, temperatureTf(tf, x, T), k), p)
 *     == warpLogitsTf(tf, x, { temperature: T, topK: k, topP: p })
 *
 * Top-p without a scatter: the mass ranked above token i is sum_j [j ranks above i] p_j, a
 * [batch, V, V] comparison times the probabilities, so it costs O(batch V^2): small vocabularies
 * only.
 */
import { ArgumentError } from '../../core/errors.js';
import { onMatrices, assertTensor, assertTf, type Tensor, type Tf } from '../../core/backend.js';
import { assertMatrix, type Matrix } from '../../core/matrix.js';
import {
  assertTemperature,
  assertTopK,
  assertTopP,
  assertWarpOptions,
  type WarpOptions,
} from './warpers.js';

/** Largest batch V^2 the top-p comparison will build. */
const MAX_TOP_P_CELLS = 2 ** 24;

function assertLogitsTensor(tf: unknown, logits: unknown): asserts logits is Tensor {
  assertTf('tf', tf);
  assertTensor('logits', logits, 2);
  if (logits.dtype !== 'float32')
    throw new ArgumentError('logits', logits, 'a float32 tensor', `dtype ${logits.dtype}`);
  const [batch, v] = logits.shape as [number, number];
  if (batch < 1 || v < 1)
    throw new ArgumentError(
      'logits',
      logits,
      'a [batch, V] tensor, batch and V >= 1',
      `shape [${batch}, ${v}]`,
    );
}

/** logits / T, [batch, V]. */
export function temperatureTf(tf: Tf, logits: Tensor, t: number): Tensor {
  assertLogitsTensor(tf, logits);
  assertTemperature('temperature', t);
  return tf.div(logits, t);
}

/** Top-k per row: entries below the row's k-th largest become -Infinity (ties kept). */
export function topKMaskTf(tf: Tf, logits: Tensor, k: number): Tensor {
  assertLogitsTensor(tf, logits);
  assertTopK('k', k);
  const v = logits.shape[1] as number;
  if (k >= v) return tf.clone(logits);
  return tf.tidy(() => {
    // the k-th largest of each row: [batch, 1]
    const kth = tf.slice(tf.topk(logits, k).values, [0, k - 1], [-1, 1]);
    // HF: scores < topk(scores)[..., -1] are removed
    return tf.where(tf.less(logits, kth), tf.fill(logits.shape, Number.NEGATIVE_INFINITY), logits);
  });
}

/** Top-p per row: keep token i while the probability ranked above it is < p. */
export function topPMaskTf(tf: Tf, logits: Tensor, p: number): Tensor {
  assertLogitsTensor(tf, logits);
  assertTopP('p', p);
  const [batch, v] = logits.shape as [number, number];
  if (p === 1) return tf.clone(logits);
  if (batch * v * v > MAX_TOP_P_CELLS)
    throw new ArgumentError('logits', logits, `batch V^2 <= ${MAX_TOP_P_CELLS}`);
  return tf.tidy(() => {
    const probs = tf.softmax(logits);
    // li[b, i, 0] = logit of token i, lj[b, 0, j] = logit of token j
    const li = tf.expandDims(logits, 2);
    const lj = tf.expandDims(logits, 1);
    // j ranks above i: l_j > l_i, or l_j = l_i and j < i   -> [batch, V, V]
    const ids = tf.range(0, v, 1, 'int32');
    const lowerId = tf.less(tf.expandDims(ids, 0), tf.expandDims(ids, 1));
    const above = tf.logicalOr(tf.greater(lj, li), tf.logicalAnd(tf.equal(lj, li), lowerId));
    // mass ranked above token i: sum_j [j above i] p_j   -> [batch, V]
    const massAbove = tf.sum(tf.mul(tf.cast(above, 'float32'), tf.expandDims(probs, 1)), 2);
    return tf.where(tf.less(massAbove, p), logits, tf.fill(logits.shape, Number.NEGATIVE_INFINITY));
  });
}

/** HF's order on tensors: temperature, then top-k, then top-p (an omitted one is skipped). */
export function warpLogitsTf(tf: Tf, logits: Tensor, options: WarpOptions = {}): Tensor {
  assertLogitsTensor(tf, logits);
  assertWarpOptions(options);
  return tf.tidy(() => {
    let out = logits;
    if (options.temperature !== undefined) out = temperatureTf(tf, out, options.temperature);
    if (options.topK !== undefined) out = topKMaskTf(tf, out, options.topK);
    if (options.topP !== undefined) out = topPMaskTf(tf, out, options.topP);
    return out === logits ? tf.clone(logits) : out;
  });
}

/** The Matrix edge of `warpLogitsTf` (float32): each row of logits [batch, V] warped. */
export async function warpLogitsTfMatrix(
  logits: Matrix,
  options: WarpOptions = {},
): Promise<Matrix> {
  assertMatrix('logits', logits);
  assertWarpOptions(options);
  if (logits.rows < 1 || logits.cols < 1)
    throw new ArgumentError('logits', logits, 'a [batch, V] matrix, batch and V >= 1');
  if (
    options.topP !== undefined &&
    options.topP < 1 &&
    logits.rows * logits.cols ** 2 > MAX_TOP_P_CELLS
  )
    throw new ArgumentError('logits', logits, `batch V^2 <= ${MAX_TOP_P_CELLS}`);
  return onMatrices((tf, x) => warpLogitsTf(tf, x, options), logits);
}

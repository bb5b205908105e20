/**
 * Sliding-window attention (Longformer, Mistral): not an encoding but a locality mask. Query i
 * sees keys j with i - W < j <= i (itself and the W - 1 before it): attention costs O(n W d)
 * instead of O(n^2 d), and L stacked layers still pass information L W tokens back. The tfjs path
 * is `slidingWindowMaskTf` of ml/scaled-dot-product-attention.ts (`slidingWindowAttentionTf`).
 */
import { assertInteger } from '../../core/errors.js';
import { assertTensor, assertTf, type Tensor, type Tf } from '../../core/backend.js';
import { attentionTf, slidingWindowMaskTf } from '../scaled-dot-product-attention.js';
import { assertTableSize } from './sizes.js';

/** Which keys a query may see. */
export type Visibility = (i: number, j: number) => boolean;

/** Causal sliding window of W keys: query i sees j with i - W < j <= i. */
export function slidingWindow(window: number): Visibility {
  assertInteger('window', window, { min: 1 });
  return (i, j) => j <= i && j > i - window;
}

/** The sliding-window mask as booleans [n][n] (true = visible), for display. */
export function slidingWindowMask(n: number, window: number): boolean[][] {
  assertInteger('n', n, { min: 0 });
  assertTableSize('n', n, n);
  const visible = slidingWindow(window);
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => visible(i, j)));
}

/**
 * Sliding-window attention on tensors: q [..., n, d_k], k [..., m, d_k], v [..., m, d_v] through
 * `attentionTf` with the mask of `slidingWindowMaskTf` (query i aligned with key i).
 */
export function slidingWindowAttentionTf(
  tf: Tf,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  window: number,
): Tensor {
  assertTf('tf', tf);
  assertTensor('q', q);
  assertTensor('k', k);
  assertInteger('window', window, { min: 1 });
  const n = q.rank >= 2 ? (q.shape[q.rank - 2] as number) : 0;
  const m = k.rank >= 2 ? (k.shape[k.rank - 2] as number) : 0;
  return tf.tidy(() => attentionTf(tf, q, k, v, { mask: slidingWindowMaskTf(tf, n, m, window) }));
}

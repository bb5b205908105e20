/**
 * Positional information for attention, which by itself is blind to order (permute the tokens and
 * the outputs permute with them). Absolute encodings add a position vector to each token; relative
 * schemes change the attention scores by the offset i - j.
 * Answers: Q13 (相对/绝对位置编码异同), Q17 (位置编码的实现方式).
 *
 *   sinusoidal (absolute, fixed)  PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...)
 *                                 (Vaswani et al. 2017; `sinusoidalTable`, below)
 *   learned (absolute)            a trainable table P [L_max, d], x_p + P[p]    (BERT, GPT-2)
 *   ALiBi (relative, bias)        logits_ij += -m_h |i - j|, slopes m_h geometric per head
 *                                 (Press et al. 2022)
 *   RoPE (relative, rotation)     see ml/rope.ts
 *   sliding window (a mask)       query i sees keys j with i - W < j <= i   (Longformer, Mistral)
 *
 * Parts: ./sinusoidal.ts (base and offset, the shift matrix, the tfjs table), ./learned.ts,
 * ./alibi.ts (slopes, biases, ALiBi attention from scratch and in tfjs), ./sliding-window.ts, and
 * ./pitfalls.ts. ALiBi's bias and the window's mask go into the one attention kernel of
 * ml/scaled-dot-product-attention.ts: `attentionMasked(q, k, v, { bias, visible })` from scratch,
 * `attentionTf(tf, q, k, v, { bias, mask })` with `slidingWindowMaskTf` / `causalMaskTf` in tfjs.
 *
 * Sinusoidal shift: every pair (sin p w, cos p w) moves to (sin (p+k) w, cos (p+k) w) by a rotation
 * through k w, so PE(p + k) = M_k PE(p) with M_k block-diagonal and independent of p: a fixed
 * linear map the model can learn to use for relative offsets (the paper's stated motivation).
 *
 * ALiBi slopes: for h heads, a power of two, m_k = 2^(-8k/h), k = 1..h (start 2^(-8/h), same
 * ratio): 8 heads give 1/2, 1/4, ..., 1/256. For other h (the rule of the authors' `get_slopes`):
 * take the p = 2^floor(log2 h) slopes of p heads, then the first h - p of every other slope of 2p
 * heads (2p slopes at even positions 0, 2, 4, ...). 12 heads: 2^-1 .. 2^-8, then 2^-0.5, 2^-1.5,
 * 2^-2.5, 2^-3.5.
 *
 * Complexity: sinusoidal and learned O(n d) to build and add; ALiBi O(n m) bias per head (fused
 * into the logits, no parameters); a sliding window cuts attention from O(n^2 d) to O(n W d).
 *
 * @example
 *   sinusoidalTable(2, 4)    // [[0, 1, 0, 1], [0.841471, 0.540302, 0.010000, 0.999950]]
 *   alibiSlopes(8)           // [0.5, 0.25, ..., 0.00390625]
 *   alibiAttention(q, k, v, 0.5, 4)   // ALiBi of slope 1/2 inside a window of 4 keys
 */
import { assertInteger } from '../../core/errors.js';
import { matrix, type Matrix } from '../../core/matrix.js';
import { assertEvenWidth, assertTableSize } from './sizes.js';

/** The sinusoidal table [n, d] of "Attention is all you need": row pos encodes position pos. */
export function sinusoidalTable(n: number, d: number): Matrix {
  assertInteger('n', n, { min: 0 });
  assertEvenWidth('d', d);
  assertTableSize('n', n, d);
  const pe = matrix(n, d);
  for (let pos = 0; pos < n; pos++) {
    for (let i = 0; i < d / 2; i++) {
      const angle = pos / 10000 ** ((2 * i) / d);
      // PE[pos, 2i] = sin(pos / 10000^(2i/d)),  PE[pos, 2i+1] = cos(pos / 10000^(2i/d))
      pe.data[pos * d + 2 * i] = Math.sin(angle);
      pe.data[pos * d + 2 * i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

export * from './sinusoidal.js';
export * from './learned.js';
export * from './alibi.js';
export * from './sliding-window.js';
export * from './pitfalls.js';

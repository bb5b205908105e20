/**
 * FlashAttention's algorithm: exact attention computed tile by tile with an online softmax, so the
 * n x m score matrix never exists in memory.
 * Answers: Q24 (flash attention).
 *
 * Split the queries into blocks of B_r rows and the keys/values into blocks of B_c rows (the last
 * block of each may be shorter: B_r and B_c need not divide n or m). For each query block, walk the
 * key blocks once, keeping per query row a running max m, a running sum l and an unnormalised
 * output O (Milakov & Gimelshein 2018; Dao et al. 2022, Algorithm 1). For key block j with scores
 * S_j = Q_i K_j^T * scale (masked entries -Infinity):
 *
 *   m_new = max(m_old, rowmax S_j)
 *   l_new = exp(m_old - m_new) l_old + rowsum exp(S_j - m_new)
 *   O_new = exp(m_old - m_new) O_old + exp(S_j - m_new) V_j
 *
 * and at the end O / l. The factor exp(m_old - m_new) rescales what was summed against the old max
 * to the new one, so the result is exactly softmax(S) V, not an approximation. Forgetting it is the
 * classic bug (`flashAttentionNoRescaleVariant`). A row whose keys are all masked keeps l = 0 and
 * gets a zero output, like `attention`.
 *
 * Memory: besides the inputs and the [n, d_v] output, one query block holds B_r (2 + d_k) floats
 * (m, l, the Q tile), one key block B_c (d_k + d_v) (the K and V tiles, what the GPU loads into
 * SRAM) and the score tile B_r B_c: O(n d + B d + B^2) instead of the n m weight matrix of the naive
 * version. Pass `floats` to count every Float64 allocated. Time is the same O(n m d) multiply-adds;
 * the causal mask skips key blocks that lie entirely in the future of a query block.
 *
 * @example
 *   const r = rng(1);
 *   const [q, k, v] = [randomMatrix(10, 4, r), randomMatrix(10, 4, r), randomMatrix(10, 3, r)];
 *   flashAttention(q, k, v, { queryBlock: 3, keyBlock: 4, causal: true });
 *   // equals attention(q, k, v, { causal: true }).output to 1e-12, without a 10 x 10 matrix
 */
import { assertInteger } from '../core/errors.js';
import { matrix, type Matrix } from '../core/matrix.js';
import { fromTensor2d, tensorBackend, toTensor2d } from '../core/backend.js';
import { attention, checkAttentionInputs, type AttentionOptions } from './scaled-dot-product-attention.js';

/** Counts Float64 values allocated by a kernel (every `new Float64Array(len)` adds len). */
export interface FloatCounter {
  floats: number;
}

export interface FlashAttentionOptions extends Pick<AttentionOptions, 'causal' | 'keyPadding' | 'scale' | 'ops'> {
  /** B_r, query rows per block (>= 1). Default 64. */
  queryBlock?: number;
  /** B_c, key rows per block (>= 1). Default 64. */
  keyBlock?: number;
  /** If given, every Float64 allocated (output, tiles, running statistics) is added to `floats.floats`. */
  floats?: FloatCounter;
}

/** Validates the block sizes; the inputs themselves are validated by the same checks as `attention`. */
function blockSizes(options: FlashAttentionOptions): { br: number; bc: number } {
  const { queryBlock = 64, keyBlock = 64 } = options;
  assertInteger('queryBlock', queryBlock, { min: 1 });
  assertInteger('keyBlock', keyBlock, { min: 1 });
  return { br: queryBlock, bc: keyBlock };
}

/** The same validation as `attention` (shapes named on mismatch), without computing anything. */
function checkInputs(q: Matrix, k: Matrix, v: Matrix, options: FlashAttentionOptions) {
  return { ...checkAttentionInputs(q, k, v, options), ...blockSizes(options) };
}

/**
 * The tiled kernel. `rescale = false` is the wrong variant: it keeps summing exp(S - m_new) onto
 * l and O that were accumulated against an older, smaller max.
 */
function tiledAttention(q: Matrix, k: Matrix, v: Matrix, options: FlashAttentionOptions, rescale: boolean): Matrix {
  const { n, m, dk, dv, scale, causal, keyPadding, br, bc } = checkInputs(q, k, v, options);
  const brEff = Math.max(1, Math.min(br, n));
  const bcEff = Math.max(1, Math.min(bc, m));
  // Everything the kernel allocates: the output plus fixed-size tiles reused for every block.
  const output = matrix(n, dv);
  const rowMax = new Float64Array(brEff); // m, one per query row of the block
  const rowSum = new Float64Array(brEff); // l
  const qTile = new Float64Array(brEff * dk); // Q_i
  const kTile = new Float64Array(bcEff * dk); // K_j
  const vTile = new Float64Array(bcEff * dv); // V_j
  const scores = new Float64Array(brEff * bcEff); // S_ij = Q_i K_j^T * scale, then P_ij = exp(S_ij - m_new)
  if (options.floats) options.floats.floats += n * dv + brEff * (2 + dk) + bcEff * (dk + dv) + brEff * bcEff;
  let madds = 0;

  for (let i0 = 0; i0 < n; i0 += brEff) {
    const rows = Math.min(brEff, n - i0);
    qTile.set(q.data.subarray(i0 * dk, (i0 + rows) * dk));
    rowMax.fill(Number.NEGATIVE_INFINITY);
    rowSum.fill(0);
    // O_i starts at 0 (it is the output's own rows, already zero)
    const out = output.data.subarray(i0 * dv, (i0 + rows) * dv);
    // a causal query block ending at row i0 + rows - 1 never sees keys beyond it
    const keyEnd = causal ? Math.min(m, i0 + rows) : m;
    for (let j0 = 0; j0 < keyEnd; j0 += bcEff) {
      const cols = Math.min(bcEff, m - j0);
      kTile.set(k.data.subarray(j0 * dk, (j0 + cols) * dk));
      vTile.set(v.data.subarray(j0 * dv, (j0 + cols) * dv));
      for (let r = 0; r < rows; r++) {
        const i = i0 + r;
        // keys c >= visibleEnd are in query i's future (causal)
        const visibleEnd = causal ? Math.min(cols, i - j0 + 1) : cols;
        // S[r, c] = (q_i . k_j) * scale, -Infinity where masked; rowmax alongside
        let blockMax = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < cols; c++) {
          let s = Number.NEGATIVE_INFINITY;
          if (c < visibleEnd && !keyPadding?.[j0 + c]) {
            let dot = 0;
            for (let t = 0, qt = r * dk, kt = c * dk; t < dk; t++) dot += (qTile[qt + t] as number) * (kTile[kt + t] as number);
            madds += dk;
            s = dot * scale;
          }
          scores[r * bcEff + c] = s;
          if (s > blockMax) blockMax = s;
        }
        const mOld = rowMax[r] as number;
        // m_new = max(m_old, rowmax S); a row with nothing visible yet stays at -Infinity, l = 0, O = 0
        const mNew = Math.max(mOld, blockMax);
        if (mNew === Number.NEGATIVE_INFINITY) continue;
        // alpha = exp(m_old - m_new) in (0, 1]; exp(-Infinity) = 0 on the first visible block
        const alpha = rescale ? Math.exp(mOld - mNew) : 1;
        const o = out.subarray(r * dv, (r + 1) * dv);
        if (alpha !== 1) for (let t = 0; t < dv; t++) o[t] = (o[t] as number) * alpha;
        // l_new = alpha l_old + sum_c exp(S[r, c] - m_new);  O_new = alpha O_old + sum_c P[r, c] v_c
        let sum = 0;
        for (let c = 0; c < cols; c++) {
          const p = Math.exp((scores[r * bcEff + c] as number) - mNew);
          if (p === 0) continue; // masked (or underflowed) keys contribute nothing
          sum += p;
          for (let t = 0, vt = c * dv; t < dv; t++) o[t] = (o[t] as number) + p * (vTile[vt + t] as number);
          madds += dv;
        }
        rowSum[r] = alpha * (rowSum[r] as number) + sum;
        rowMax[r] = mNew;
      }
    }
    // O_i = O_i / l, rows with l = 0 (all keys masked) stay 0
    for (let r = 0; r < rows; r++) {
      const l = rowSum[r] as number;
      if (l === 0) continue;
      for (let t = 0; t < dv; t++) out[r * dv + t] = (out[r * dv + t] as number) / l;
    }
  }
  if (options.ops) options.ops.madds += madds;
  return output;
}

/** softmax(Q K^T * scale + mask) V by tiles with the online softmax, from scratch. Returns [n, d_v]. */
export function flashAttention(q: Matrix, k: Matrix, v: Matrix, options: FlashAttentionOptions = {}): Matrix {
  return tiledAttention(q, k, v, options, true);
}

/**
 * WRONG, kept to show the classic bug: the tiled loop without the exp(m_old - m_new) rescaling of
 * the running sum and output when a later block raises the max. Correct only when the max never
 * changes after the first key block (e.g. a single key block).
 */
export function flashAttentionNoRescaleVariant(q: Matrix, k: Matrix, v: Matrix, options: FlashAttentionOptions = {}): Matrix {
  return tiledAttention(q, k, v, options, false);
}

/**
 * The naive kernel, `attention` from ml/scaled-dot-product-attention.ts, with its allocations
 * counted: the [n, m] weight matrix, the [n, d_v] output and one logits row of length m (read off
 * that implementation). Returns the output only, like `flashAttention`.
 */
export function naiveAttention(q: Matrix, k: Matrix, v: Matrix, options: Pick<FlashAttentionOptions, 'causal' | 'keyPadding' | 'scale' | 'ops' | 'floats'> = {}): Matrix {
  const { floats, ...rest } = options;
  const { output, weights } = attention(q, k, v, rest);
  if (floats) floats.floats += weights.data.length + output.data.length + k.rows;
  return output;
}

/** Floats `naiveAttention` allocates for n queries, m keys and width d_v: n m + n d_v + m. */
export function naiveAttentionFloats(n: number, m: number, dv: number): number {
  return n * m + n * dv + m;
}

/** Floats `flashAttention` allocates: n d_v + B_r (2 + d_k) + B_c (d_k + d_v) + B_r B_c (blocks clipped to n and m). */
export function flashAttentionFloats(n: number, m: number, dk: number, dv: number, queryBlock = 64, keyBlock = 64): number {
  const br = Math.max(1, Math.min(queryBlock, n));
  const bc = Math.max(1, Math.min(keyBlock, m));
  return n * dv + br * (2 + dk) + bc * (dk + dv) + br * bc;
}

/**
 * The same tiled online-softmax algorithm written with tfjs ops (float32): per query block a
 * running max, sum and output as tensors, updated key block by key block. The oracle for
 * `flashAttention` (and, through it, a check that tiling in float32 matches `attentionTf`).
 */
export async function flashAttentionTf(q: Matrix, k: Matrix, v: Matrix, options: Omit<FlashAttentionOptions, 'ops' | 'floats'> = {}): Promise<Matrix> {
  const { n, m, dv, scale, causal, keyPadding, br, bc } = checkInputs(q, k, v, options);
  const { tf } = await tensorBackend();
  const result = tf.tidy(() => {
    const qT = toTensor2d(tf, q);
    const kT = toTensor2d(tf, k);
    const vT = toTensor2d(tf, v);
    const blocks: ReturnType<typeof tf.zeros>[] = [];
    for (let i0 = 0; i0 < n; i0 += br) {
      const rows = Math.min(br, n - i0);
      const qi = tf.slice(qT, [i0, 0], [rows, -1]);
      let runMax = tf.fill([rows, 1], Number.NEGATIVE_INFINITY);
      let runSum = tf.zeros([rows, 1]);
      let acc = tf.zeros([rows, dv]);
      for (let j0 = 0; j0 < m; j0 += bc) {
        const cols = Math.min(bc, m - j0);
        const visible = new Float32Array(rows * cols);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) visible[r * cols + c] = (causal && j0 + c > i0 + r) || keyPadding?.[j0 + c] ? 0 : 1;
        // S = Q_i K_j^T * scale, masked to -Infinity: [rows, cols]
        const s = tf.where(tf.cast(tf.tensor2d(visible, [rows, cols]), 'bool'), tf.mul(tf.matMul(qi, tf.slice(kT, [j0, 0], [cols, -1]), false, true), scale), tf.fill([rows, cols], Number.NEGATIVE_INFINITY));
        const newMax = tf.maximum(runMax, tf.max(s, 1, true));
        // rows still fully masked keep max -Infinity: use 0 as the shift there so no exp(-inf - -inf) = NaN
        const finite = tf.isFinite(newMax);
        const shift = tf.where(finite, newMax, tf.zerosLike(newMax));
        const alpha = tf.exp(tf.sub(runMax, shift));
        const p = tf.exp(tf.sub(s, shift));
        runSum = tf.add(tf.mul(alpha, runSum), tf.sum(p, 1, true));
        acc = tf.add(tf.mul(alpha, acc), tf.matMul(p, tf.slice(vT, [j0, 0], [cols, -1])));
        runMax = newMax;
      }
      // O / l, zero where l = 0
      const safe = tf.where(tf.greater(runSum, 0), runSum, tf.onesLike(runSum));
      blocks.push(tf.div(acc, safe));
    }
    return tf.concat(blocks, 0);
  });
  return fromTensor2d(result);
}

/**
 * FlashAttention's algorithm: exact attention computed tile by tile with an online softmax, so the
 * n x m score matrix never exists in memory.
 * Answers: Q24 (flash attention).
 *
 * Split the queries into blocks of B_r rows and the keys/values into blocks of B_c rows (the last
 * block of each may be shorter: B_r and B_c need not divide n or m). For each query block, walk the
 * key blocks once, keeping per query row a running max m, a running sum l and an unnormalized
 * output O (Milakov & Gimelshein 2018; Dao et al. 2022, Algorithm 1). For key block j with scores
 * S_j = Q_i K_j^T * scale (masked entries -Infinity):
 *
 *   m_new = max(m_old, rowmax S_j)
 *   l_new = exp(m_old - m_new) l_old + rowsum exp(S_j - m_new)
 *   O_new = exp(m_old - m_new) O_old + exp(S_j - m_new) V_j
 *
 * and at the end O / l. The factor exp(m_old - m_new) rescales what was summed against the old max
 * to the new one, so the result is exactly softmax(S) V, not an approximation. Forgetting it is the
 * classic bug (`pitfallOnlineSoftmaxWithoutRescale`). A row whose keys are all masked keeps l = 0
 * and gets a zero output, like `attentionMasked`.
 *
 * The textbook `flashAttention` comes first: one query row at a time against key blocks, the
 * online softmax in a dozen lines. `flashAttentionTiled` is Algorithm 1 as engineered: query blocks
 * and key blocks (B_r, B_c), causal and padding masks, the scale, and a `Counter` of multiply-adds
 * ('madds') and of Float64 values allocated ('floats'). `flashAttentionTf` is the tensor twin.
 *
 * Memory: besides the inputs and the [n, d_v] output, one query block holds B_r (2 + d_k) floats
 * (m, l, the Q tile), one key block B_c (d_k + d_v) (the K and V tiles, what the GPU loads into
 * SRAM) and the score tile B_r B_c: O(n d + B d + B^2) instead of the n m weight matrix of the naive
 * version; the Counter's 'floats' counts every Float64 allocated. Time is the same O(n m d) multiply-adds;
 * the causal mask skips key blocks that lie entirely in the future of a query block.
 *
 * @example
 *   const r = rng(1);
 *   const [q, k, v] = [randomMatrix(10, 4, r), randomMatrix(10, 4, r), randomMatrix(10, 3, r)];
 *   flashAttention(q, k, v, 4);   // equals attention(q, k, v).output to 1e-12, without a 10 x 10 matrix
 *   flashAttentionTiled(q, k, v, { queryBlock: 3, keyBlock: 4, causal: true });
 *   // equals attentionMasked(q, k, v, { causal: true }).output
 */
import { ArgumentError, assertInteger, assertObject } from '../core/errors.js';
import { matrix, type Matrix } from '../core/matrix.js';
import { assertOptionalCounter, type Counter } from '../core/counter.js';
import { assertTensor, assertTf, onMatrices, type Tensor, type Tf } from '../core/backend.js';
import {
  assertAttentionInputs,
  attentionMasked,
  causalMaskTf,
  paddingMaskTf,
  type AttentionOptions,
} from './scaled-dot-product-attention.js';
import { assertVisible } from './softmax.js';

/** softmax(Q K^T / sqrt(d_k)) V one query at a time against key blocks, with the online softmax. */
export function flashAttention(q: Matrix, k: Matrix, v: Matrix, blockSize = 64): Matrix {
  const { n, m, dk, dv, scale } = assertAttentionInputs(q, k, v);
  assertInteger('blockSize', blockSize, { min: 1 });
  const output = matrix(n, dv);
  for (let i = 0; i < n; i++) {
    const o = output.data.subarray(i * dv, (i + 1) * dv); // O, unnormalized
    let max = Number.NEGATIVE_INFINITY; // m, the running max
    let sum = 0; // l, the running sum of exp(s - m)
    for (let j0 = 0; j0 < m; j0 += blockSize) {
      // S_j = q_i K_j^T * scale for the keys of this block
      const s = [];
      for (let j = j0; j < Math.min(j0 + blockSize, m); j++) s.push(dot(q, i, k, j, dk) * scale);
      // m_new = max(m_old, rowmax S_j); alpha = exp(m_old - m_new) rescales what was summed
      const mNew = s.reduce((a, b) => Math.max(a, b), max);
      const alpha = Math.exp(max - mNew);
      sum *= alpha;
      for (let c = 0; c < dv; c++) o[c] = (o[c] as number) * alpha;
      // l += sum exp(S_j - m_new); O += exp(S_j - m_new) V_j
      s.forEach((sj, t) => {
        const p = Math.exp(sj - mNew);
        sum += p;
        for (let c = 0; c < dv; c++)
          o[c] = (o[c] as number) + p * (v.data[(j0 + t) * dv + c] as number);
      });
      max = mNew;
    }
    // output_i = O / l (no keys at all: l = 0 and O stays 0)
    for (let c = 0; c < dv; c++) o[c] = (o[c] as number) / (sum || 1);
  }
  return output;
}

/** q_i . k_j over d_k columns (rows of row-major matrices). */
function dot(q: Matrix, i: number, k: Matrix, j: number, dk: number): number {
  let s = 0;
  for (let c = 0; c < dk; c++) s += (q.data[i * dk + c] as number) * (k.data[j * dk + c] as number);
  return s;
}

// ---- Algorithm 1 as engineered: query and key blocks, masks, counted ----

export interface FlashAttentionOptions extends Pick<
  AttentionOptions,
  'causal' | 'keyPadding' | 'scale'
> {
  /** B_r, query rows per block (>= 1). Default 64. */
  queryBlock?: number;
  /** B_c, key rows per block (>= 1). Default 64. */
  keyBlock?: number;
}

/** Validates the inputs like `attentionMasked` (shapes named on mismatch) and the block sizes. */
function assertFlashInputs(q: Matrix, k: Matrix, v: Matrix, options: FlashAttentionOptions) {
  assertObject(
    'options',
    options as unknown,
    'an options object { causal?, keyPadding?, scale?, queryBlock?, keyBlock? }',
  );
  const { visible: _v, bias: _b, ...masks } = options as AttentionOptions;
  if (_v !== undefined || _b !== undefined) {
    throw new ArgumentError(
      _v !== undefined ? 'visible' : 'bias',
      _v ?? _b,
      'undefined: the tiled kernel takes causal, keyPadding and scale',
    );
  }
  const checked = assertAttentionInputs(q, k, v, masks);
  const { queryBlock = 64, keyBlock = 64 } = options;
  assertInteger('queryBlock', queryBlock, { min: 1 });
  assertInteger('keyBlock', keyBlock, { min: 1 });
  return { ...checked, br: queryBlock, bc: keyBlock };
}

/**
 * softmax(Q K^T * scale + mask) V by tiles of B_r queries and B_c keys with the online softmax,
 * from scratch. Returns [n, d_v]. Counts 'madds' and 'floats' (every Float64 allocated).
 */
export function flashAttentionTiled(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  options: FlashAttentionOptions = {},
  counter?: Counter,
): Matrix {
  const { n, m, dk, dv, scale, causal, keyPadding, br, bc } = assertFlashInputs(q, k, v, options);
  assertOptionalCounter('counter', counter);
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
  counter?.add('floats', n * dv + brEff * (2 + dk) + bcEff * (dk + dv) + brEff * bcEff);
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
          if (c < visibleEnd && keyPadding?.[j0 + c] !== true) {
            let dotRc = 0;
            for (let t = 0, qt = r * dk, kt = c * dk; t < dk; t++)
              dotRc += (qTile[qt + t] as number) * (kTile[kt + t] as number);
            madds += dk;
            s = dotRc * scale;
          }
          scores[r * bcEff + c] = s;
          if (s > blockMax) blockMax = s;
        }
        const mOld = rowMax[r] as number;
        // m_new = max(m_old, rowmax S); a row with nothing visible yet stays at -Infinity, l = 0, O = 0
        const mNew = Math.max(mOld, blockMax);
        if (mNew === Number.NEGATIVE_INFINITY) continue;
        // alpha = exp(m_old - m_new) in (0, 1]; exp(-Infinity) = 0 on the first visible block
        const alpha = Math.exp(mOld - mNew);
        const o = out.subarray(r * dv, (r + 1) * dv);
        if (alpha !== 1) for (let t = 0; t < dv; t++) o[t] = (o[t] as number) * alpha;
        // l_new = alpha l_old + sum_c exp(S[r, c] - m_new);  O_new = alpha O_old + sum_c P[r, c] v_c
        let sum = 0;
        for (let c = 0; c < cols; c++) {
          const p = Math.exp((scores[r * bcEff + c] as number) - mNew);
          if (p === 0) continue; // masked (or underflowed) keys contribute nothing
          sum += p;
          for (let t = 0, vt = c * dv; t < dv; t++)
            o[t] = (o[t] as number) + p * (vTile[vt + t] as number);
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
  counter?.add('madds', madds);
  return output;
}

/**
 * The naive kernel, `attentionMasked` from ml/scaled-dot-product-attention.ts, with its
 * allocations counted as 'floats': the [n, m] weight matrix, the [n, d_v] output and one logits
 * row of length m (read off that implementation). Returns the output only, like `flashAttention`.
 */
export function naiveAttention(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  options: Pick<FlashAttentionOptions, 'causal' | 'keyPadding' | 'scale'> = {},
  counter?: Counter,
): Matrix {
  assertOptionalCounter('counter', counter);
  const { output, weights } = attentionMasked(q, k, v, options, counter);
  counter?.add('floats', weights.data.length + output.data.length + k.rows);
  return output;
}

/** Floats `naiveAttention` allocates for n queries, m keys and width d_v: n m + n d_v + m. */
export function naiveAttentionFloats(n: number, m: number, dv: number): number {
  for (const [name, x] of [
    ['n', n],
    ['m', m],
    ['dv', dv],
  ] as const)
    assertInteger(name, x, { min: 0, max: 2 ** 31 });
  return n * m + n * dv + m;
}

/** Floats `flashAttentionTiled` allocates: n d_v + B_r (2 + d_k) + B_c (d_k + d_v) + B_r B_c (blocks clipped to n and m). */
export function flashAttentionFloats(
  n: number,
  m: number,
  dk: number,
  dv: number,
  queryBlock = 64,
  keyBlock = 64,
): number {
  for (const [name, x] of [
    ['n', n],
    ['m', m],
    ['dk', dk],
    ['dv', dv],
  ] as const)
    assertInteger(name, x, { min: 0, max: 2 ** 31 });
  assertInteger('queryBlock', queryBlock, { min: 1, max: 2 ** 31 });
  assertInteger('keyBlock', keyBlock, { min: 1, max: 2 ** 31 });
  const br = Math.max(1, Math.min(queryBlock, n));
  const bc = Math.max(1, Math.min(keyBlock, m));
  return n * dv + br * (2 + dk) + bc * (dk + dv) + br * bc;
}

// ---- Tensor-level twin ----

export interface FlashAttentionTfOptions {
  /** A bool tensor broadcastable to [..., n, m] (true = visible), e.g. `causalMaskTf`. */
  mask?: Tensor;
  /** Multiplies the logits; defaults to 1 / sqrt(d_k). */
  scale?: number;
  /** B_r, query rows per block (>= 1). Default 64. */
  queryBlock?: number;
  /** B_c, key rows per block (>= 1). Default 64. */
  keyBlock?: number;
}

/**
 * The same tiled online-softmax algorithm with tfjs ops (float32) on q [n, d_k], k [m, d_k],
 * v [m, d_v] (one head; batch heads by calling it per head or use `attentionTf`): per query block
 * a running max, sum and output as tensors, updated key block by key block; the mask ([n, m],
 * [1, m] or [n, 1], bool) is sliced per tile. The oracle for `flashAttentionTiled`.
 */
export function flashAttentionTf(
  tf: Tf,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: FlashAttentionTfOptions = {},
): Tensor {
  assertTf('tf', tf);
  for (const [name, t] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const) {
    assertTensor(name, t, 2);
  }
  assertObject(
    'options',
    options as unknown,
    'an options object { mask?, scale?, queryBlock?, keyBlock? }',
  );
  const [n, dk] = q.shape as [number, number];
  const [m] = k.shape as [number, number];
  const dv = v.shape[1] as number;
  if (k.shape[1] !== dk)
    throw new ArgumentError('k', k, `d_k = ${dk} columns like q`, `shape [${k.shape.join(', ')}]`);
  if (v.shape[0] !== m)
    throw new ArgumentError('v', v, `m = ${m} rows like k`, `shape [${v.shape.join(', ')}]`);
  if (dk === 0) throw new ArgumentError('q', q, 'd_k >= 1', `shape [${q.shape.join(', ')}]`);
  const { mask, scale = 1 / Math.sqrt(dk), queryBlock = 64, keyBlock = 64 } = options;
  if (typeof scale !== 'number' || !Number.isFinite(scale))
    throw new ArgumentError('scale', scale, 'a finite number');
  assertInteger('queryBlock', queryBlock, { min: 1 });
  assertInteger('keyBlock', keyBlock, { min: 1 });
  if (mask !== undefined) assertVisible('mask', mask, [n, m]);
  return tf.tidy(() => {
    // the mask as [n or 1, m or 1], sliced per tile along the axes it has
    const mask2 =
      mask === undefined
        ? undefined
        : tf.reshape(mask, [...Array(2 - mask.rank).fill(1), ...mask.shape]);
    const tileOf = (i0: number, rows: number, j0: number, cols: number) => {
      if (mask2 === undefined) return undefined;
      const [mr, mc] = mask2.shape as [number, number];
      return tf.slice(
        mask2,
        [mr === 1 ? 0 : i0, mc === 1 ? 0 : j0],
        [mr === 1 ? 1 : rows, mc === 1 ? 1 : cols],
      );
    };
    const qs = tf.mul(q, tf.scalar(scale));
    const blocks: Tensor[] = [];
    for (let i0 = 0; i0 < n; i0 += queryBlock) {
      const rows = Math.min(queryBlock, n - i0);
      const qi = tf.slice(qs, [i0, 0], [rows, -1]);
      let runMax: Tensor = tf.fill([rows, 1], Number.NEGATIVE_INFINITY);
      let runSum: Tensor = tf.zeros([rows, 1]);
      let acc: Tensor = tf.zeros([rows, dv]);
      for (let j0 = 0; j0 < m; j0 += keyBlock) {
        const cols = Math.min(keyBlock, m - j0);
        // S = Q_i K_j^T * scale, masked to -Infinity: [rows, cols]
        const scores = tf.matMul(qi, tf.slice(k, [j0, 0], [cols, -1]), false, true);
        const tile = tileOf(i0, rows, j0, cols);
        const s =
          tile === undefined ? scores : tf.where(tile, scores, tf.scalar(Number.NEGATIVE_INFINITY));
        const newMax = tf.maximum(runMax, tf.max(s, 1, true));
        // rows still fully masked keep max -Infinity: use 0 as the shift there so no exp(-inf - -inf) = NaN
        const shift = tf.where(tf.isFinite(newMax), newMax, tf.zerosLike(newMax));
        const alpha = tf.exp(tf.sub(runMax, shift));
        const p = tf.exp(tf.sub(s, shift));
        runSum = tf.add(tf.mul(alpha, runSum), tf.sum(p, 1, true));
        acc = tf.add(tf.mul(alpha, acc), tf.matMul(p, tf.slice(v, [j0, 0], [cols, -1])));
        runMax = newMax;
      }
      // O / l, zero where l = 0
      blocks.push(tf.div(acc, tf.where(tf.greater(runSum, 0), runSum, tf.onesLike(runSum))));
    }
    return blocks.length === 0 ? tf.zeros([0, dv]) : tf.concat(blocks, 0);
  });
}

/** `flashAttentionTiled(...)` computed by `flashAttentionTf` in float32 (the Matrix-level wrapper). */
export async function flashAttentionTfMatrix(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  options: FlashAttentionOptions = {},
): Promise<Matrix> {
  const { n, m, scale, causal, keyPadding, br, bc } = assertFlashInputs(q, k, v, options);
  return onMatrices(
    (tf, qT, kT, vT) => {
      const masks: Tensor[] = [];
      if (causal) masks.push(causalMaskTf(tf, n, m));
      if (keyPadding)
        masks.push(
          paddingMaskTf(
            tf,
            keyPadding.map((p) => p === true),
          ),
        );
      const mask =
        masks.length === 2 ? tf.logicalAnd(masks[0] as Tensor, masks[1] as Tensor) : masks[0];
      return flashAttentionTf(tf, qT as Tensor, kT as Tensor, vT as Tensor, {
        scale,
        queryBlock: br,
        keyBlock: bc,
        ...(mask && { mask }),
      });
    },
    q,
    k,
    v,
  );
}

// ---- Pitfalls: common wrong answers, kept to be rejected ----

/**
 * Pitfall: the online softmax without the exp(m_old - m_new) rescaling of the running sum and
 * output when a later block raises the max. Right only when the max never grows after block one.
 */
export function pitfallOnlineSoftmaxWithoutRescale(
  q: Matrix,
  k: Matrix,
  v: Matrix,
  blockSize = 64,
): Matrix {
  const { n, m, dk, dv, scale } = assertAttentionInputs(q, k, v);
  assertInteger('blockSize', blockSize, { min: 1 });
  const output = matrix(n, dv);
  for (let i = 0; i < n; i++) {
    const o = output.data.subarray(i * dv, (i + 1) * dv);
    let max = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (let j0 = 0; j0 < m; j0 += blockSize) {
      const s = [];
      for (let j = j0; j < Math.min(j0 + blockSize, m); j++) s.push(dot(q, i, k, j, dk) * scale);
      const mNew = s.reduce((a, b) => Math.max(a, b), max);
      // missing: sum *= exp(max - mNew) and O *= exp(max - mNew)
      s.forEach((sj, t) => {
        const p = Math.exp(sj - mNew);
        sum += p;
        for (let c = 0; c < dv; c++)
          o[c] = (o[c] as number) + p * (v.data[(j0 + t) * dv + c] as number);
      });
      max = mNew;
    }
    for (let c = 0; c < dv; c++) o[c] = (o[c] as number) / (sum || 1);
  }
  return output;
}

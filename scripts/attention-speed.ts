/**
 * Attention speed in one run: each tensor path against the same ops written directly in tfjs, and
 * the from-scratch kernels with their GFLOPS. q, k, v are n x 64 float32, one head, on the chosen
 * backend (wasm here), at n = 1024 and n = 4096; multi-head attention at d_model 256, 4 heads.
 *
 *   npx tsx scripts/attention-speed.ts            (the benches under bench/ print the same rows)
 *   BAGU_SPEED_SIZES=1024 npx tsx scripts/attention-speed.ts
 *
 * Every tensor path reads its output back (dataSync), so the time is the whole computation.
 * GFLOPS count 2 FLOPs per multiply-add of the two products, 2 n m d (4 n^2 d for n = m).
 */
import { fileURLToPath } from 'node:url';
import { tensorBackend, type Tensor, type Tf } from '../core/backend.js';
import { randomMatrix, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import {
  attention,
  attentionMasked,
  attentionTf,
  causalMaskTf,
} from '../ml/scaled-dot-product-attention.js';
import {
  initMultiHeadAttention,
  multiHeadAttentionTf,
  type MhaWeights,
} from '../ml/multi-head-attention.js';
import { flashAttention } from '../ml/flash-attention.js';

export interface SpeedRow {
  n: number;
  path: string;
  ms: number;
  /** ms / ms of the direct tfjs ops of the same group ('' for the reference itself). */
  ratio?: number;
  gflops?: number;
}

/** Reads a tensor back, so that its time is the whole computation, then disposes it. */
export function readBack(t: Tensor): void {
  t.dataSync();
  t.dispose();
}

/**
 * Wall times recorded by key, for vitest bench bodies: `timed(key, fn)` is `fn` recording how long
 * each call took under `key`, and `times` holds them for the table printed after the run.
 */
export function wallTimes(): {
  times: Map<string, number[]>;
  timed: (key: string, fn: () => void) => () => void;
} {
  const times = new Map<string, number[]>();
  const timed = (key: string, fn: () => void) => () => {
    const t0 = performance.now();
    fn();
    times.set(key, [...(times.get(key) ?? []), performance.now() - t0]);
  };
  return { times, timed };
}

/** Median wall time in ms of `runs` calls after `warmup` calls. */
export function time(fn: () => void, runs: number, warmup = 1): number {
  return timeInterleaved([fn], runs, warmup)[0] as number;
}

/**
 * Median wall times in ms of several paths, their calls interleaved (a, b, a, b, ...) so that a
 * change of load on a shared machine falls on every path alike.
 */
export function timeInterleaved(fns: readonly (() => void)[], runs: number, warmup = 1): number[] {
  for (let i = 0; i < warmup; i++) fns.forEach((fn) => fn());
  const times = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, f) => {
      const t0 = performance.now();
      fn();
      times[f]!.push(performance.now() - t0);
    });
  }
  return times.map((ts) => [...ts].sort((a, b) => a - b)[Math.floor(ts.length / 2)] as number);
}

export function tensorOf(tf: Tf, m: Matrix): Tensor {
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
}

/**
 * The same ops as attentionTf, written directly: (q * scale) K^T, softmax, x V; a mask as the
 * cheapest direct form, an additive [n, m] bias of 0 / -1e9 built once, outside the timing.
 */
export function directAttention(
  tf: Tf,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  maskBias?: Tensor,
): Tensor {
  return tf.tidy(() => {
    const logits = tf.matMul(tf.mul(q, 1 / Math.sqrt(q.shape[1] as number)), k, false, true);
    const masked = maskBias === undefined ? logits : tf.add(logits, maskBias);
    return tf.matMul(tf.softmax(masked), v);
  });
}

/** A bool mask as the additive bias a direct implementation adds: 0 where visible, -1e9 where not. */
export function additive(tf: Tf, mask: Tensor): Tensor {
  return tf.tidy(() => tf.mul(tf.sub(1, tf.cast(mask, 'float32')), -1e9));
}

/** Multi-head attention written directly in tfjs: projections, [h, n, d_h] heads, softmax, merge. */
export function directMha(
  tf: Tf,
  x: Tensor,
  w: Record<'wq' | 'wk' | 'wv' | 'wo', Tensor>,
  h: number,
  maskBias: Tensor,
): Tensor {
  return tf.tidy(() => {
    const [n, d] = x.shape as [number, number];
    const dh = d / h;
    const heads = (wt: Tensor) =>
      tf.transpose(tf.reshape(tf.matMul(x, wt, false, true), [n, h, dh]), [1, 0, 2]);
    const q = tf.mul(heads(w.wq), 1 / Math.sqrt(dh));
    const logits = tf.matMul(q, heads(w.wk), false, true);
    const p = tf.softmax(tf.add(logits, maskBias));
    const merged = tf.reshape(tf.transpose(tf.matMul(p, heads(w.wv)), [1, 0, 2]), [n, d]);
    return tf.matMul(merged, w.wo, false, true);
  });
}

export async function measureAttention(
  sizes: readonly number[] = [1024, 4096],
): Promise<SpeedRow[]> {
  const { tf } = await tensorBackend();
  const rows: SpeedRow[] = [];
  const D = 64;
  for (const n of sizes) {
    const r = rng(n);
    const [q, k, v] = [randomMatrix(n, D, r), randomMatrix(n, D, r), randomMatrix(n, D, r)];
    const [qT, kT, vT] = [q, k, v].map((m) => tensorOf(tf, m)) as [Tensor, Tensor, Tensor];
    const runs = Number(process.env['BAGU_SPEED_RUNS'] ?? (n >= 4096 ? 5 : 9));
    const flops = 4 * n * n * D;
    const group = (name: string, direct: () => void, ours: () => void) => {
      const [base, mine] = timeInterleaved([direct, ours], runs) as [number, number];
      rows.push({ n, path: `${name}: direct tfjs ops`, ms: base });
      rows.push({ n, path: `${name}: attentionTf`, ms: mine, ratio: mine / base });
    };
    group(
      'no mask',
      () => readBack(directAttention(tf, qT, kT, vT)),
      () => readBack(attentionTf(tf, qT, kT, vT)),
    );
    // both get their mask built once, outside the timing: a bool mask for attentionTf, the
    // additive bias for the direct ops
    const mask = causalMaskTf(tf, n);
    const maskBias = additive(tf, mask);
    group(
      'causal',
      () => readBack(directAttention(tf, qT, kT, vT, maskBias)),
      () => readBack(attentionTf(tf, qT, kT, vT, { mask })),
    );
    // multi-head: d_model 256 = 4 heads of 64, causal
    const h = 4;
    const weights: MhaWeights = initMultiHeadAttention({ dModel: h * D, numHeads: h }, r);
    const x = randomMatrix(n, h * D, r);
    const xT = tensorOf(tf, x);
    const wT = {
      wq: tensorOf(tf, weights.wq),
      wk: tensorOf(tf, weights.wk),
      wv: tensorOf(tf, weights.wv),
      wo: tensorOf(tf, weights.wo),
    };
    const mhaRuns = n >= 4096 ? 3 : 5;
    // the same prebuilt mask as the direct ops get (config.mask), and causal: true building it per call
    const [mhaBase, mhaMine, mhaCausal] = timeInterleaved(
      [
        () => readBack(directMha(tf, xT, wT, h, maskBias)),
        () => readBack(multiHeadAttentionTf(tf, xT, wT, { numHeads: h, mask })),
        () => readBack(multiHeadAttentionTf(tf, xT, wT, { numHeads: h, causal: true })),
      ],
      mhaRuns,
    ) as [number, number, number];
    rows.push({ n, path: 'MHA 4 x 64, causal: direct tfjs ops', ms: mhaBase });
    rows.push({
      n,
      path: 'MHA 4 x 64, causal: multiHeadAttentionTf',
      ms: mhaMine,
      ratio: mhaMine / mhaBase,
    });
    rows.push({
      n,
      path: 'MHA, causal: true (mask built per call)',
      ms: mhaCausal,
      ratio: mhaCausal / mhaBase,
    });
    for (const t of [qT, kT, vT, xT, mask, maskBias, ...Object.values(wT)]) t.dispose();
    // from scratch, Float64: one run each at n = 4096 (seconds), three at 1024
    const scratchRuns = n >= 4096 ? 1 : 3;
    const scratch = (path: string, fn: () => void, f = flops) => {
      const ms = time(fn, scratchRuns, n >= 4096 ? 0 : 1);
      rows.push({ n, path, ms, gflops: f / ms / 1e6 });
    };
    scratch('from scratch: attention (textbook)', () => void attention(q, k, v));
    scratch(
      'from scratch: attentionMasked, causal',
      () => void attentionMasked(q, k, v, { causal: true }),
      flops / 2,
    );
    scratch('from scratch: flashAttention, 64 x 64 tiles', () => void flashAttention(q, k, v));
  }
  return rows;
}

export function formatSpeed(rows: readonly SpeedRow[]): string {
  const lines = ['   n  path                                              ms    ratio  GFLOPS'];
  for (const r of rows) {
    const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`;
    const gflops = r.gflops === undefined ? '' : r.gflops.toFixed(2);
    lines.push(
      `${String(r.n).padStart(4)}  ${r.path.padEnd(46)} ${r.ms.toFixed(1).padStart(8)}  ${ratio.padStart(6)}  ${gflops.padStart(6)}`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = (process.env['BAGU_SPEED_SIZES'] ?? '1024,4096').split(',').map(Number);
  const { name } = await tensorBackend();
  console.log(`attention speed on the ${name} backend (d = 64, one head; medians)`);
  console.log(formatSpeed(await measureAttention(sizes)));
}

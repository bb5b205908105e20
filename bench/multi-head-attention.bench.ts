/**
 * Q10 bench, in one run: the tensor-level `multiHeadAttentionTf` (composed of attentionTf) against
 * the same layer written directly in tfjs (projections, [h, n, d_h] heads, (q * scale) K^T plus an
 * additive causal bias, softmax, merge, output projection), and the from-scratch per-head loops.
 * d_model = 256, 4 heads of width 64, causal, n = 1024 and 4096 tokens (n = 4096 runs once).
 * After the run a table prints the medians and the ratio to the direct ops (goal <= 1.15).
 */
import { afterAll, bench, describe } from 'vitest';
import {
  initMultiHeadAttention,
  multiHeadAttentionMasked,
  multiHeadAttentionTf,
} from '../ml/multi-head-attention.js';
import { causalMaskTf } from '../ml/scaled-dot-product-attention.js';
import { tensorBackend } from '../core/backend.js';
import { randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import {
  additive,
  directMha,
  formatSpeed,
  readBack,
  tensorOf,
  type SpeedRow,
  wallTimes,
} from '../scripts/attention-speed.js';

const { tf, name } = await tensorBackend();
const D_MODEL = 256;
const HEADS = 4;
const sizes = (process.env['BAGU_SPEED_SIZES'] ?? '1024,4096').split(',').map(Number);
/** Each bench body records its own wall time under its key (n and path). */
const { times, timed } = wallTimes();

for (const n of sizes) {
  const r = rng(n);
  const weights = initMultiHeadAttention({ dModel: D_MODEL, numHeads: HEADS }, r);
  const x = randomMatrix(n, D_MODEL, r);
  const xT = tensorOf(tf, x);
  const w = {
    wq: tensorOf(tf, weights.wq),
    wk: tensorOf(tf, weights.wk),
    wv: tensorOf(tf, weights.wv),
    wo: tensorOf(tf, weights.wo),
  };
  const mask = causalMaskTf(tf, n);
  const maskBias = additive(tf, mask);
  const tensorRuns = { iterations: n >= 4096 ? 2 : 4, time: 0, warmupIterations: 1, warmupTime: 0 };
  describe(`multi-head-attention: n = ${n}, d_model = ${D_MODEL}, ${HEADS} heads, causal`, () => {
    bench(
      'MHA: direct tfjs ops',
      timed(`${n}|MHA: direct tfjs ops`, () => readBack(directMha(tf, xT, w, HEADS, maskBias))),
      tensorRuns,
    );
    // the same prebuilt causal mask as the direct ops get
    bench(
      'MHA: multiHeadAttentionTf',
      timed(`${n}|MHA: multiHeadAttentionTf`, () =>
        readBack(multiHeadAttentionTf(tf, xT, w, { numHeads: HEADS, mask })),
      ),
      tensorRuns,
    );
    if (n <= 1024) {
      bench(
        'MHA: from scratch',
        timed(
          `${n}|MHA: from scratch`,
          () => void multiHeadAttentionMasked(x, weights, { numHeads: HEADS }, { causal: true }),
        ),
        { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
      );
    }
  });
}

afterAll(() => {
  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const rows: SpeedRow[] = [];
  for (const n of sizes) {
    const ms = (path: string) => {
      const all = times.get(`${n}|${path}`) ?? [];
      return median(all.length > 1 ? all.slice(1) : all);
    };
    const base = ms('MHA: direct tfjs ops');
    const mine = ms('MHA: multiHeadAttentionTf');
    rows.push(
      { n, path: 'MHA: direct tfjs ops', ms: base },
      { n, path: 'MHA: multiHeadAttentionTf', ms: mine, ratio: mine / base },
    );
    if (times.has(`${n}|MHA: from scratch`)) {
      // projections 8 n d^2 plus attention (causal: about half of 4 h n^2 d_h) FLOPs
      const flops = 8 * n * D_MODEL * D_MODEL + 2 * HEADS * n * n * (D_MODEL / HEADS);
      rows.push({
        n,
        path: 'MHA: from scratch',
        ms: ms('MHA: from scratch'),
        gflops: flops / ms('MHA: from scratch') / 1e6,
      });
    }
  }
  process.stdout.write(
    `\nmulti-head attention on ${name} (medians; ratio = multiHeadAttentionTf / direct ops, goal <= 1.15):\n${formatSpeed(rows)}\n`,
  );
});

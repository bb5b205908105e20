/**
 * Q09 bench, in one run: the tensor-level `attentionTf` against the same ops written directly in
 * tfjs ((q * scale) K^T, softmax, x V; with the same causal mask, given to the direct ops as an
 * additive 0 / -1e9 bias built once), and the from-scratch Float64 kernels with their GFLOPS.
 * q, k, v are n x 64 float32, one head, on the chosen backend (wasm here), n = 1024 and 4096.
 * After the run a table prints each path's median ms, its ratio to the direct ops (goal <= 1.15)
 * and the from-scratch GFLOPS (4 n^2 d FLOPs, half with the causal mask).
 * `npx tsx scripts/attention-speed.ts` prints the same table (and the MHA rows) without vitest.
 */
import { afterAll, bench, describe } from 'vitest';
import {
  attention,
  attentionMasked,
  attentionTf,
  causalMaskTf,
} from '../ml/scaled-dot-product-attention.js';
import { tensorBackend, type Tensor } from '../core/backend.js';
import { randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import {
  additive,
  directAttention,
  formatSpeed,
  readBack,
  tensorOf,
  type SpeedRow,
  wallTimes,
} from '../scripts/attention-speed.js';

const { tf, name } = await tensorBackend();
const D = 64;
const sizes = (process.env['BAGU_SPEED_SIZES'] ?? '1024,4096').split(',').map(Number);
/** Each bench body records its own wall time under its key (n and path). */
const { times, timed } = wallTimes();

for (const n of sizes) {
  const r = rng(n);
  const [q, k, v] = [randomMatrix(n, D, r), randomMatrix(n, D, r), randomMatrix(n, D, r)];
  const [qT, kT, vT] = [q, k, v].map((m) => tensorOf(tf, m)) as [Tensor, Tensor, Tensor];
  const mask = causalMaskTf(tf, n);
  const maskBias = additive(tf, mask);
  const tensorRuns = { iterations: n >= 4096 ? 3 : 7, time: 0, warmupIterations: 1, warmupTime: 0 };
  const scratchRuns = {
    iterations: 1,
    time: 0,
    warmupIterations: n >= 4096 ? 0 : 1,
    warmupTime: 0,
  };
  describe(`scaled-dot-product-attention: n = ${n}, d = ${D}, tensors on ${name}`, () => {
    bench(
      'no mask: direct tfjs ops',
      timed(`${n}|no mask: direct tfjs ops`, () => readBack(directAttention(tf, qT, kT, vT))),
      tensorRuns,
    );
    bench(
      'no mask: attentionTf',
      timed(`${n}|no mask: attentionTf`, () => readBack(attentionTf(tf, qT, kT, vT))),
      tensorRuns,
    );
    bench(
      'causal: direct tfjs ops',
      timed(`${n}|causal: direct tfjs ops`, () =>
        readBack(directAttention(tf, qT, kT, vT, maskBias)),
      ),
      tensorRuns,
    );
    bench(
      'causal: attentionTf',
      timed(`${n}|causal: attentionTf`, () => readBack(attentionTf(tf, qT, kT, vT, { mask }))),
      tensorRuns,
    );
  });
  describe(`scaled-dot-product-attention: n = ${n}, d = ${D}, from scratch (Float64)`, () => {
    bench(
      'from scratch: attention (textbook)',
      timed(`${n}|from scratch: attention (textbook)`, () => void attention(q, k, v)),
      scratchRuns,
    );
    bench(
      'from scratch: attentionMasked, causal',
      timed(
        `${n}|from scratch: attentionMasked, causal`,
        () => void attentionMasked(q, k, v, { causal: true }),
      ),
      scratchRuns,
    );
  });
}

afterAll(() => {
  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const rows: SpeedRow[] = [];
  for (const n of sizes) {
    const ms = (path: string) => {
      const all = times.get(`${n}|${path}`) ?? [];
      // the first call of each path is vitest's warm-up when there is one
      return median(all.length > 1 ? all.slice(1) : all);
    };
    for (const group of ['no mask', 'causal']) {
      const base = ms(`${group}: direct tfjs ops`);
      const mine = ms(`${group}: attentionTf`);
      rows.push(
        { n, path: `${group}: direct tfjs ops`, ms: base },
        { n, path: `${group}: attentionTf`, ms: mine, ratio: mine / base },
      );
    }
    const flops = 4 * n * n * D;
    rows.push({
      n,
      path: 'from scratch: attention (textbook)',
      ms: ms('from scratch: attention (textbook)'),
      gflops: flops / ms('from scratch: attention (textbook)') / 1e6,
    });
    rows.push({
      n,
      path: 'from scratch: attentionMasked, causal',
      ms: ms('from scratch: attentionMasked, causal'),
      gflops: flops / 2 / ms('from scratch: attentionMasked, causal') / 1e6,
    });
  }
  process.stdout.write(
    `\nattention on ${name} (medians; ratio = attentionTf / direct ops, goal <= 1.15):\n${formatSpeed(rows)}\n`,
  );
});

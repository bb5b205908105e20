/**
 * Q24 bench: naive attention (the [n, n] weight matrix in memory) vs tiled attention with the online
 * softmax (64 x 64 blocks), causal, d = 64, n = 1024, 2048, 4096 by default. Both are the same from-scratch
 * float64 loops doing the same multiply-adds, so time should be close; the point is peak memory,
 * printed after the run from the float counter (exact) and from process.memoryUsage().arrayBuffers
 * (growth during one call, before GC).
 *
 * Naive at n = 16384 needs a 16384^2 Float64 matrix (2 GiB) and one call takes about 100 s here
 * (tiled: 40 s): set BAGU_BENCH_LARGE=1 to run n = 1024, 4096, 8192, 16384 (about 8 minutes in
 * all on the 2-core machine). The printed table always shows what naive would allocate at 16384. Sizes above 1024 run once without warm-up (the JIT is warm by then) to keep
 * the default run well under two minutes.
 */
import { afterAll, bench, describe } from 'vitest';
import {
  flashAttentionFloats,
  flashAttentionTiled,
  naiveAttention,
  naiveAttentionFloats,
} from '../ml/flash-attention.js';
import { Counter } from '../core/counter.js';
import { randomMatrix, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';

const D = 64;
const BLOCK = 64;
const sizes = process.env['BAGU_BENCH_LARGE'] ? [1024, 4096, 8192, 16384] : [1024, 2048, 4096];
const GiB = 2 ** 30;

interface MemoryRow {
  n: number;
  version: string;
  /** Float64 values the kernel allocated (counter), in MiB. */
  counted: number;
  /** arrayBuffers growth during the call, in MiB. */
  measured: number;
  /** GFLOPS of that first call (causal: about 2 n^2 d FLOPs). */
  gflops: number;
}
const memory: MemoryRow[] = [];

/** Runs a kernel; on its first call at this n also records the floats it allocated and the ArrayBuffer growth. */
function measured(version: string, n: number, run: (counter?: Counter) => Matrix): () => void {
  let first = true;
  return () => {
    if (!first) return void run();
    first = false;
    const counter = new Counter();
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    const out = run(counter);
    const ms = performance.now() - t0;
    const grown = process.memoryUsage().arrayBuffers - before;
    const gflops = (2 * counter.get('madds')) / ms / 1e6;
    memory.push({
      n,
      version,
      counted: (counter.get('floats') * 8) / 2 ** 20,
      measured: grown / 2 ** 20,
      gflops,
    });
    void out;
  };
}

for (const n of sizes) {
  const r = rng(n);
  const [q, k, v] = [randomMatrix(n, D, r), randomMatrix(n, D, r), randomMatrix(n, D, r)];
  const options = {
    iterations: n <= 1024 ? 3 : 1,
    time: 0,
    warmupIterations: n <= 1024 ? 1 : 0,
    warmupTime: 0,
  };
  describe(`flash-attention: n = ${n}, d = ${D}, causal, blocks ${BLOCK} x ${BLOCK}`, () => {
    bench(
      'naive (n x n weights)',
      measured('naive', n, (counter) => naiveAttention(q, k, v, { causal: true }, counter)),
      options,
    );
    bench(
      'tiled, online softmax',
      measured('tiled', n, (counter) =>
        flashAttentionTiled(q, k, v, { causal: true, queryBlock: BLOCK, keyBlock: BLOCK }, counter),
      ),
      options,
    );
  });
}

afterAll(() => {
  // a negative growth means a GC freed earlier buffers during the call: no reading then
  const growth = (mib: number) => (mib < 0 ? '(GC ran)' : `+${mib.toFixed(2)} MiB`);
  const lines = memory.map(
    (m) =>
      `  n = ${String(m.n).padStart(5)}  ${m.version.padEnd(5)}  counted ${m.counted.toFixed(2).padStart(9)} MiB   arrayBuffers ${growth(m.measured).padStart(13)}   ${m.gflops.toFixed(2)} GFLOPS`,
  );
  if (!sizes.includes(16384)) {
    lines.push(
      `  n = 16384  naive  would allocate ${((naiveAttentionFloats(16384, 16384, D) * 8) / GiB).toFixed(3)} GiB (not run; BAGU_BENCH_LARGE=1 runs it)`,
    );
    lines.push(
      `  n = 16384  tiled  would allocate ${((flashAttentionFloats(16384, 16384, D, D, BLOCK, BLOCK) * 8) / 2 ** 20).toFixed(2)} MiB`,
    );
  }
  process.stdout.write(
    `\nPeak memory per call (Float64 values allocated x 8 bytes) and GFLOPS (2 FLOPs per counted multiply-add):\n${lines.join('\n')}\n`,
  );
});

/**
 * Q27 bench: tokens per second generating n = 32, 64, 128, 256 tokens with the KV cache
 * (`generateCached`, one token per step) and without it (`generateRecomputed`, the whole sequence
 * through every block at every step), from scratch on a small LLaMA-style stack: 2 blocks,
 * d_model = 16, 4 query heads and 2 KV heads of 4 (GQA), SwiGLU 32, RoPE, a 1-token prompt.
 * The speed-up grows about linearly with n (per step: O(d^2 + t d) against O(t d^2 + t^2 d));
 * after the run a table prints tokens per second and the ratio per length.
 */
import { afterAll, bench, describe } from 'vitest';
import { generateCached, generateRecomputed, initDecoderStack } from '../ml/kv-cache/index.js';
import { llamaBlockConfig } from '../ml/transformer-block.js';
import { randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { wallTimes } from '../scripts/attention-speed.js';

const LENGTHS = [32, 64, 128, 256];
const config = llamaBlockConfig({ dModel: 16, numHeads: 4, numKvHeads: 2, ffnHidden: 32 });
const stack = initDecoderStack(config, 2, rng(27));
const prompt = randomMatrix(1, config.dModel, rng(28));
const { times, timed } = wallTimes();

for (const n of LENGTHS) {
  // the recomputing loop is the slow one (seconds at n = 256): one run from n = 128 on
  const cachedRuns = { iterations: 5, time: 0, warmupIterations: 1, warmupTime: 0 };
  const slow = n >= 128;
  const recomputedRuns = {
    iterations: slow ? 1 : 3,
    time: 0,
    warmupIterations: slow ? 0 : 1,
    warmupTime: 0,
  };
  describe(`kv-cache: generate ${n} tokens, 2 blocks, d_model 16, GQA 4/2`, () => {
    bench(
      'with the KV cache',
      timed(`${n}|cached`, () => void generateCached(prompt, n, stack)),
      cachedRuns,
    );
    bench(
      'without (recompute every step)',
      timed(`${n}|recomputed`, () => void generateRecomputed(prompt, n, stack)),
      recomputedRuns,
    );
  });
}

afterAll(() => {
  // the first call of a path is its warm-up whenever there was more than one
  const median = (all: number[]) => {
    const xs = all.length > 1 ? all.slice(1) : all;
    return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  };
  const lines = ['     n   cached tok/s   recomputed tok/s   speed-up'];
  for (const n of LENGTHS) {
    const cached = median(times.get(`${n}|cached`) ?? [Number.NaN]);
    const recomputed = median(times.get(`${n}|recomputed`) ?? [Number.NaN]);
    const rate = (ms: number) => ((1000 * n) / ms).toFixed(0).padStart(13);
    const speedUp = `${(recomputed / cached).toFixed(1)}x`.padStart(11);
    lines.push(`${String(n).padStart(6)} ${rate(cached)}  ${rate(recomputed)}     ${speedUp}`);
  }
  process.stdout.write(
    `\nKV cache, tokens per second (medians of the timed runs):\n${lines.join('\n')}\n`,
  );
});

/**
 * Q10 bench: multi-head attention from scratch (per-head Float64Array loops) vs tfjs on the chosen
 * backend (wasm here, batched over heads), d_model = 256, 4 heads of width 64, causal, at n = 512 and
 * n = 2048 tokens. Fixed small iteration counts keep the whole file well under a minute.
 */
import { bench, describe } from 'vitest';
import { initMultiHeadAttention, multiHeadAttention, multiHeadAttentionTf } from '../ml/multi-head-attention.js';
import { tensorBackend } from '../core/backend.js';
import { randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';

const { name } = await tensorBackend();
const D_MODEL = 256;
const HEADS = 4;

for (const n of [512, 2048]) {
  const r = rng(n);
  const weights = initMultiHeadAttention({ dModel: D_MODEL, numHeads: HEADS }, r);
  const x = randomMatrix(n, D_MODEL, r);
  // n = 2048 runs once, without warm-up: the n = 512 runs have already warmed up the same code paths
  const [iterations, warmupIterations] = n >= 2048 ? [1, 0] : [3, 1];
  describe(`multi-head-attention: n = ${n}, d_model = ${D_MODEL}, ${HEADS} heads, causal`, () => {
    bench('from scratch', () => void multiHeadAttention(x, weights, { numHeads: HEADS }, { causal: true }), { iterations, time: 0, warmupIterations, warmupTime: 0 });
    bench(`tfjs (${name})`, async () => void (await multiHeadAttentionTf(x, weights, { numHeads: HEADS }, { causal: true })), { iterations, time: 0, warmupIterations, warmupTime: 0 });
  });
}

/**
 * Q09 bench: attention from scratch (Float64Array loops) vs tfjs on the chosen backend (wasm here),
 * n = 256, 1024, 2048 queries and keys, d = 64. The ratio is measured per n in one run.
 */
import { bench, describe } from 'vitest';
import { attention, attentionTf } from '../ml/scaled-dot-product-attention.js';
import { tensorBackend } from '../core/backend.js';
import { randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';

const { name } = await tensorBackend();
const D = 64;

for (const n of [256, 1024, 2048]) {
  const r = rng(n);
  const [q, k, v] = [randomMatrix(n, D, r), randomMatrix(n, D, r), randomMatrix(n, D, r)];
  const iterations = n >= 2048 ? 3 : n >= 1024 ? 5 : 20;
  describe(`scaled-dot-product-attention: n = ${n}, d = ${D}, causal`, () => {
    bench('from scratch', () => void attention(q, k, v, { causal: true }), { iterations, time: 0, warmupIterations: 1 });
    bench(`tfjs (${name})`, async () => void (await attentionTf(q, k, v, { causal: true })), { iterations, time: 0, warmupIterations: 1 });
  });
}

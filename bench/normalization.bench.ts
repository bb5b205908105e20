/**
 * Q18 bench: RMSNorm vs LayerNorm, both from scratch on a 4096 x 4096 Float64 matrix (4096 tokens
 * of width 4096). RMSNorm skips the mean pass and the subtraction: the ratio is measured in one run.
 */
import { bench, describe } from 'vitest';
import { layerNorm, rmsNorm } from '../ml/normalization.js';
import { randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';

const N = 4096;
const x = randomMatrix(N, N, rng(18));
const options = { iterations: 5, time: 0, warmupIterations: 1 };

describe(`normalization: ${N} x ${N}, from scratch`, () => {
  bench('RMSNorm', () => void rmsNorm(x), options);
  bench('LayerNorm', () => void layerNorm(x), options);
});

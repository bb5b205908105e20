/**
 * Q01 bench: Algorithm R (the textbook answer) vs Algorithm L over a stream of 10^7 items, k = 100.
 * Both must iterate the stream; L wins by drawing ~k ln(n/k) random numbers instead of n.
 * On an array, L can also jump: sampleArrayL reads only the items it keeps.
 */
import { bench, describe } from 'vitest';
import {
  reservoirSampleL,
  reservoirSampleR,
  sampleArrayL,
} from '../algorithms/reservoir-sampling/index.js';
import { rng, type Rng } from '../core/random.js';

const N = 10_000_000;
const K = 100;

function* stream(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** Streams 0..N-1 through a sampler without materialising them; returns the generator used. */
function run(sample: typeof reservoirSampleR, seed: number): Rng {
  const r = rng(seed);
  sample(stream(N), K, r);
  return r;
}

const drawsR = run(reservoirSampleR, 1).draws;
const drawsL = run(reservoirSampleL, 1).draws;
const ratio = (drawsR / drawsL).toFixed(0);
const draws = `R ${drawsR}, L ${drawsL}, R/L = ${ratio}x`;
console.log(`reservoir-sampling: random draws at n = 10^7, k = 100: ${draws}`);

const once = { iterations: 5, time: 0, warmupIterations: 1 };
describe('reservoir-sampling: stream of 10^7 items, k = 100 (one op = the whole stream)', () => {
  let seed = 0;
  bench('Algorithm R (reservoirSampleR)', () => void run(reservoirSampleR, ++seed), once);
  bench('Algorithm L (reservoirSampleL)', () => void run(reservoirSampleL, ++seed), once);
});

const array = Array.from({ length: N }, (_, i) => i);
describe('reservoir-sampling: array of 10^7 items, k = 100', () => {
  let seed = 0;
  bench('Algorithm L reading every item', () => void reservoirSampleL(array, K, rng(++seed)), once);
  bench('sampleArrayL (jumps over skipped items)', () => void sampleArrayL(array, K, rng(++seed)), {
    iterations: 50,
    time: 0,
    warmupIterations: 5,
  });
});

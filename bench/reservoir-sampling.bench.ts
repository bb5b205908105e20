/**
 * Q01 bench: Algorithm R vs Algorithm L over a stream of 10^7 items, k = 100, in one run.
 * Both must iterate the stream; L wins by drawing ~k ln(n/k) random numbers instead of n.
 * On an array, L can also jump: sampleArrayL reads only the items it keeps.
 */
import { bench, describe } from 'vitest';
import { ReservoirL, ReservoirR, sampleArrayL, type Reservoir } from '../algorithms/reservoir-sampling.js';
import { rng, type Rng } from '../core/random.js';

const N = 10_000_000;
const K = 100;

/** Streams 0..N-1 through a reservoir without materialising them; returns the generator used. */
function run(make: (r: Rng) => Reservoir<number>, seed: number): Rng {
  const r = rng(seed);
  const reservoir = make(r);
  for (let i = 0; i < N; i++) reservoir.offer(i);
  return r;
}

const drawsR = run((r) => new ReservoirR(K, r), 1).draws;
const drawsL = run((r) => new ReservoirL(K, r), 1).draws;
console.log(`reservoir-sampling: random draws at n = 10^7, k = 100: R ${drawsR}, L ${drawsL}, ratio R/L = ${(drawsR / drawsL).toFixed(0)}x`);

describe('reservoir-sampling: stream of 10^7 items, k = 100 (one op = the whole stream)', () => {
  let seed = 0;
  bench('Algorithm R', () => void run((r) => new ReservoirR(K, r), ++seed), { iterations: 5, time: 0, warmupIterations: 1 });
  bench('Algorithm L', () => void run((r) => new ReservoirL(K, r), ++seed), { iterations: 5, time: 0, warmupIterations: 1 });
});

const array = Array.from({ length: N }, (_, i) => i);
describe('reservoir-sampling: array of 10^7 items, k = 100', () => {
  let seed = 0;
  bench('Algorithm L reading every item', () => void run((r) => new ReservoirL(K, r), ++seed), { iterations: 5, time: 0, warmupIterations: 1 });
  bench('sampleArrayL (jumps over skipped items)', () => void sampleArrayL(array, K, rng(++seed)), { iterations: 50, time: 0, warmupIterations: 5 });
});

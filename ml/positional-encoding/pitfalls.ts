/**
 * Common wrong answers to Q13 / Q17, each rejected in the answer key by a property that the right
 * answer passes.
 */
import { assertInteger } from '../../core/errors.js';
import { matrix, type Matrix } from '../../core/matrix.js';
import { alibiBias } from './alibi.js';
import { assertEvenWidth, assertTableSize } from './sizes.js';
import type { Visibility } from './sliding-window.js';

function sinusoidalWith(n: number, d: number, angle: (pos: number, j: number) => number): Matrix {
  assertInteger('n', n, { min: 0 });
  assertEvenWidth('d', d);
  assertTableSize('n', n, d);
  const pe = matrix(n, d);
  for (let pos = 0; pos < n; pos++) {
    for (let j = 0; j < d; j++) {
      const a = angle(pos, j);
      pe.data[pos * d + j] = j % 2 === 0 ? Math.sin(a) : Math.cos(a);
    }
  }
  return pe;
}

/**
 * Pitfall: the frequency indexed by the coordinate j instead of the pair i (10000^(j/d)), so the
 * cos slot 2i+1 has its own frequency: the pair is no longer one circle, and PE(p + k) is no
 * longer a fixed linear map of PE(p).
 */
export function pitfallSinusoidalFrequencyPerCoordinate(n: number, d: number): Matrix {
  return sinusoidalWith(n, d, (pos, j) => pos / 10000 ** (j / d));
}

/**
 * Pitfall: 10000^(i/d) with the pair index i (the 2 of 2i dropped): the slowest wavelength is
 * 2 pi 10000^(1/2), not the paper's 2 pi 10000.
 */
export function pitfallSinusoidalExponentWithoutTwo(n: number, d: number): Matrix {
  return sinusoidalWith(n, d, (pos, j) => pos / 10000 ** (Math.floor(j / 2) / d));
}

/** Pitfall: the power-of-two formula 2^(-8k/h) used for every head count, 12 heads included. */
export function pitfallAlibiSlopesGeometricForAnyHeads(numHeads: number): number[] {
  assertInteger('numHeads', numHeads, { min: 1, max: 2 ** 16 });
  return Array.from({ length: numHeads }, (_, k) => 2 ** ((-8 * (k + 1)) / numHeads));
}

/**
 * Pitfall: the ALiBi bias with query i at position i, not m - n + i: decoding n new tokens
 * against a cache of m keys, the bias is no longer 0 at each query's own key.
 */
export function pitfallAlibiBiasWithoutQueryOffset(n: number, m: number, slope: number): Matrix {
  return alibiBias(n, m, slope, 0);
}

/** Pitfall: the window j >= i - W (W + 1 keys) where W keys are meant. */
export function pitfallSlidingWindowOffByOne(window: number): Visibility {
  assertInteger('window', window, { min: 1 });
  return (i, j) => j <= i && j >= i - window;
}

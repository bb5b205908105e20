/**
 * The sinusoidal encoding with a base and a start position (`sinusoidalEncoding`, equal to the
 * textbook `sinusoidalTable` at base 10000 and offset 0), the shift matrix M_k with
 * PE(p + k) = M_k PE(p), and the table as a tensor-level twin.
 */
import { assertFinite, assertInteger, assertObject } from '../../core/errors.js';
import { matrix, type Matrix } from '../../core/matrix.js';
import { assertTf, onMatrices, type Tensor, type Tf } from '../../core/backend.js';
import { assertEvenWidth, assertTableSize } from './sizes.js';

export interface SinusoidalOptions {
  /** Default 10000. */
  base?: number;
  /** Position of the first row. Default 0. */
  offset?: number;
}

function assertSinusoidal(n: unknown, d: unknown, options: unknown): Required<SinusoidalOptions> {
  assertInteger('n', n, { min: 0 });
  assertEvenWidth('d', d);
  assertTableSize('n', n, d);
  assertObject('options', options, 'a SinusoidalOptions object { base?, offset? }');
  const { base = 10000, offset = 0 } = options;
  assertFinite('options.base', base);
  assertFinite('options.offset', offset);
  return { base, offset };
}

/** The sinusoidal table [n, d] with another base or a first position: row p is PE(offset + p). */
export function sinusoidalEncoding(n: number, d: number, options: SinusoidalOptions = {}): Matrix {
  const { base, offset } = assertSinusoidal(n, d, options);
  const pe = matrix(n, d);
  for (let p = 0; p < n; p++) {
    for (let i = 0; i < d / 2; i++) {
      // the textbook expression: (position) / base^(2i/d)
      const angle = (offset + p) / base ** ((2 * i) / d);
      pe.data[p * d + 2 * i] = Math.sin(angle);
      pe.data[p * d + 2 * i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

/**
 * M_k [d, d] with PE(p + k) = M_k PE(p) (column vectors) for every p: block i is
 * [[cos k w_i, sin k w_i], [-sin k w_i, cos k w_i]] with w_i = base^(-2i/d), from sin(a + b) and
 * cos(a + b).
 */
export function sinusoidalShift(k: number, d: number, base = 10000): Matrix {
  assertFinite('k', k);
  assertEvenWidth('d', d);
  assertTableSize('d', d, d);
  assertFinite('base', base);
  const m = matrix(d, d);
  for (let i = 0; i < d / 2; i++) {
    const angle = k / base ** ((2 * i) / d);
    const [c, s] = [Math.cos(angle), Math.sin(angle)];
    const [a, b] = [2 * i, 2 * i + 1];
    // sin(x + y) = sin x cos y + cos x sin y;  cos(x + y) = cos x cos y - sin x sin y
    m.data[a * d + a] = c;
    m.data[a * d + b] = s;
    m.data[b * d + a] = -s;
    m.data[b * d + b] = c;
  }
  return m;
}

/**
 * The sinusoidal table as a tensor [n, d] (float32): the outer product positions x frequencies,
 * then sin and cos interleaved. Synchronous, valid inside tf.tidy.
 */
export function sinusoidalTableTf(
  tf: Tf,
  n: number,
  d: number,
  options: SinusoidalOptions = {},
): Tensor {
  assertTf('tf', tf);
  // at least one row: the table is built from a range of positions
  assertInteger('n', n, { min: 1 });
  const { base, offset } = assertSinusoidal(n, d, options);
  return tf.tidy(() => {
    const positions = tf.reshape(tf.add(tf.range(0, n, 1, 'float32'), offset), [n, 1]);
    // w_i = base^(-2i/d) = exp(-2i ln(base) / d)
    const scaled = tf.mul(tf.range(0, d / 2, 1, 'float32'), (-2 * Math.log(base)) / d);
    const freqs = tf.reshape(tf.exp(scaled), [1, d / 2]);
    const angles = tf.matMul(positions, freqs); // [n, d/2]
    // stack on a last axis then flatten: [n, d/2, 2] -> [n, d] = sin, cos, sin, cos, ...
    return tf.reshape(tf.stack([tf.sin(angles), tf.cos(angles)], 2), [n, d]);
  });
}

/** `sinusoidalEncoding` computed by `sinusoidalTableTf`, read back as a Matrix. */
export async function sinusoidalTableTfMatrix(
  n: number,
  d: number,
  options: SinusoidalOptions = {},
): Promise<Matrix> {
  assertInteger('n', n, { min: 1 });
  assertSinusoidal(n, d, options);
  return onMatrices((tf) => sinusoidalTableTf(tf, n, d, options));
}

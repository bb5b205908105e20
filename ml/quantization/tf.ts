/**
 * Fake quantization on tfjs tensors: x [d_out, d_in] -> x̂, per tensor or per channel (one grid per
 * row), symmetric or asymmetric, at b bits. The tensor-level twin of `fakeQuantizePerTensor` and
 * `fakeQuantizePerChannel` (float32; tf.round rounds half to even like the from-scratch code).
 */
import { assertInteger, assertOneOf } from '../../core/errors.js';
import { assertMatrix, type Matrix } from '../../core/matrix.js';
import { assertTensor, assertTf, onMatrices, type Tensor, type Tf } from '../../core/backend.js';
import type { QuantScheme } from './int8.js';

export type Granularity = 'tensor' | 'channel';
const GRANULARITIES: readonly Granularity[] = ['tensor', 'channel'];
const SCHEMES: readonly QuantScheme[] = ['symmetric', 'asymmetric'];

/** x̂ = S (clamp(round(x / S) + Z) - Z) with S, Z from the whole tensor or from each row. */
export function fakeQuantizeTf(
  tf: Tf,
  x: Tensor,
  scheme: QuantScheme = 'symmetric',
  granularity: Granularity = 'tensor',
  bits = 8,
): Tensor {
  assertTf('tf', tf);
  assertTensor('x', x, 2);
  assertOneOf('scheme', scheme, SCHEMES);
  assertOneOf('granularity', granularity, GRANULARITIES);
  assertInteger('bits', bits, { min: 2, max: 16 });
  // reduce over everything (per tensor) or over each row's columns (per channel): [] or [d_out, 1]
  const reduce = (t: Tensor, op: 'max' | 'min') =>
    granularity === 'tensor' ? tf[op](t) : tf[op](t, 1, true);
  // an all-zero range gets S = 1, as in the from-scratch code
  const orOne = (s: Tensor) => tf.where(tf.greater(s, 0), s, tf.onesLike(s));
  return tf.tidy(() => {
    if (scheme === 'symmetric') {
      const qMax = 2 ** (bits - 1) - 1;
      // S = max |x| / q_max
      const scale = orOne(tf.div(reduce(tf.abs(x), 'max'), qMax));
      // x̂ = S clamp(round(x / S), -q_max, q_max)
      return tf.mul(tf.clipByValue(tf.round(tf.div(x, scale)), -qMax, qMax), scale);
    }
    const qMin = -(2 ** (bits - 1));
    const qMax = 2 ** (bits - 1) - 1;
    const span = qMax - qMin;
    // [r_min, r_max] widened to hold 0; S = r_max / span - r_min / span
    const lo = tf.minimum(reduce(x, 'min'), 0);
    const hi = tf.maximum(reduce(x, 'max'), 0);
    const scale = orOne(tf.sub(tf.div(hi, span), tf.div(lo, span)));
    // Z = clamp(round(q_min - r_min / S))
    const zero = tf.clipByValue(tf.round(tf.sub(qMin, tf.div(lo, scale))), qMin, qMax);
    const q = tf.clipByValue(tf.add(tf.round(tf.div(x, scale)), zero), qMin, qMax);
    return tf.mul(tf.sub(q, zero), scale);
  });
}

/** `fakeQuantizeTf` on a Matrix: the tfjs oracle for the from-scratch fake quantizers. */
export function fakeQuantizeTfMatrix(
  w: Matrix,
  scheme: QuantScheme = 'symmetric',
  granularity: Granularity = 'tensor',
  bits = 8,
): Promise<Matrix> {
  assertMatrix('w', w);
  assertOneOf('scheme', scheme, SCHEMES);
  assertOneOf('granularity', granularity, GRANULARITIES);
  assertInteger('bits', bits, { min: 2, max: 16 });
  return onMatrices((tf, t) => fakeQuantizeTf(tf, t, scheme, granularity, bits), w);
}

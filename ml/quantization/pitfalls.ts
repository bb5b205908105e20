/** The common wrong quantizers, kept to be rejected by the answer key and shown in the notebook. */
import { ArgumentError, ArgumentTypeError, assertFiniteArray } from '../../core/errors.js';
import { assertMatrix, matrix, type Matrix } from '../../core/matrix.js';
import { f16round } from './float16.js';
import { assertQuantParams, roundHalfToEven, type QuantParams } from './int8.js';

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Pitfall: int8 with S = max |x| / 128 and codes [-128, 127]: the largest positive value needs code
 * 128, is clipped to 127, and its error is a whole step S, not S / 2.
 */
export function pitfallSymmetricScaleOver128(values: ArrayLike<number>): Float64Array {
  assertFiniteArray('values', values);
  let absMax = 0;
  for (let i = 0; i < values.length; i++) absMax = Math.max(absMax, Math.abs(values[i] as number));
  const scale = absMax / 128 > 0 ? absMax / 128 : 1;
  return Float64Array.from({ length: values.length }, (_, i) => {
    const q = clamp(roundHalfToEven((values[i] as number) / scale), -128, 127);
    return scale * q;
  });
}

/**
 * Pitfall: Math.round in the quantizer. It sends ties towards +infinity (2.5 -> 3 but -2.5 -> -2),
 * so symmetric quantization is no longer odd: q(-x) != -q(x), a bias of S / 2 on every tie.
 */
export function pitfallQuantizeMathRound(
  values: ArrayLike<number>,
  params: QuantParams,
): Int32Array {
  assertFiniteArray('values', values);
  assertQuantParams('params', params);
  const { scale, zeroPoint, qMin, qMax } = params;
  return Int32Array.from({ length: values.length }, (_, i) =>
    clamp(Math.round((values[i] as number) / scale) + zeroPoint, qMin, qMax),
  );
}

/**
 * Pitfall: an asymmetric grid whose zero point is left as a real number, Z = q_min - r_min / S, and
 * x̂ = S (round(x / S + Z) - Z): zero no longer maps to a code, so x = 0 (padding, ReLU zeros)
 * comes back as a small non-zero value.
 */
export function pitfallAsymmetricRealZeroPoint(values: ArrayLike<number>): Float64Array {
  assertFiniteArray('values', values);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i] as number);
    hi = Math.max(hi, values[i] as number);
  }
  const scale = hi / 255 - lo / 255 > 0 ? hi / 255 - lo / 255 : 1;
  const zero = -128 - lo / scale; // not rounded
  return Float64Array.from({ length: values.length }, (_, i) => {
    const q = clamp(roundHalfToEven((values[i] as number) / scale + zero), -128, 127);
    return scale * (q - zero);
  });
}

/**
 * Pitfall: "per-channel" scales taken over the columns (input features) of w [d_out, d_in] instead
 * of its rows (output channels): a row of small weights still shares a grid with the large rows.
 */
export function pitfallPerChannelOverColumns(w: Matrix): Matrix {
  assertMatrix('w', w);
  const out = matrix(w.rows, w.cols);
  for (let j = 0; j < w.cols; j++) {
    let absMax = 0;
    for (let i = 0; i < w.rows; i++) absMax = Math.max(absMax, Math.abs(w.data[i * w.cols + j]!));
    const scale = absMax / 127 > 0 ? absMax / 127 : 1;
    for (let i = 0; i < w.rows; i++) {
      const q = clamp(roundHalfToEven(w.data[i * w.cols + j]! / scale), -127, 127);
      out.data[i * w.cols + j] = scale * q;
    }
  }
  return out;
}

/**
 * Pitfall: float16 through float32, f16round(Math.fround(x)). Two roundings: a value just above a
 * float16 midpoint is first rounded onto the midpoint, then the tie goes to even (down).
 */
export function pitfallF16roundViaFloat32(x: number): number {
  if (typeof x !== 'number') throw new ArgumentTypeError('x', x, 'a number');
  if (Number.isNaN(x)) throw new ArgumentError('x', x, 'a number that is not NaN');
  return f16round(Math.fround(x));
}

/** Pitfall: bfloat16 as the top 16 bits of the float32 with the rest chopped off (no rounding). */
export function pitfallBfloat16Truncate(x: number): number {
  if (typeof x !== 'number') throw new ArgumentTypeError('x', x, 'a number');
  if (Number.isNaN(x)) throw new ArgumentError('x', x, 'a number that is not NaN');
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  view.setUint16(2, 0); // keep sign, exponent and the top 7 fraction bits
  return view.getFloat32(0);
}

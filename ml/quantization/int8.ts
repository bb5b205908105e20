/**
 * Integer (affine) quantization: a real x is stored as an integer code q with a scale S and a zero
 * point Z, per tensor or per output channel.
 *
 *   quantize:    q = clamp(round(x / S) + Z, q_min, q_max)
 *   dequantize:  x̂ = S (q - Z)
 *   symmetric:   S = max |x| / q_max, Z = 0, codes in [-q_max, q_max] (int8: [-127, 127])
 *   asymmetric:  [r_min, r_max] = [min(x, 0), max(x, 0)], S = (r_max - r_min) / (q_max - q_min),
 *                Z = round(q_min - r_min / S)    (the range is widened to hold 0, so 0 is exact)
 *
 * Conventions: round is round-half-to-even (PyTorch's quantize_per_tensor, torch.round, tf.round);
 * a tensor whose range is 0 (all zeros) gets S = 1, where every code is Z and every x̂ exact. Codes
 * are returned as Int32Array so that one type serves int8, uint8, int4 and wider; a kernel would
 * pack int8 codes in an Int8Array (the textbook `quantizeInt8` in ./index.ts does). Per channel
 * means one (S, Z) per ROW of a weight [d_out, d_in] (PyTorch's per-channel axis 0 for nn.Linear):
 * each output neuron gets its own grid.
 *
 * Error: for x inside [r_min, r_max], |x - x̂| <= S / 2 (rounding to a grid of step S). Per
 * channel, row c's error is bounded by S_c / 2 with S_c = max |w_c| / q_max <= S, the per-tensor
 * step. Complexity O(n) for n values.
 */
import {
  ArgumentError,
  assertBoolean,
  assertFinite,
  assertFiniteArray,
  assertInteger,
  assertObject,
  assertOneOf,
} from '../../core/errors.js';
import { assertMatrix, matrix, type Matrix } from '../../core/matrix.js';

/** The integer codes a format can hold: [qMin, qMax]. */
export interface QuantRange {
  readonly qMin: number;
  readonly qMax: number;
}

/** One grid: scale S, zero point Z and the code range. x̂ = S (q - Z). */
export interface QuantParams extends QuantRange {
  readonly scale: number;
  readonly zeroPoint: number;
}

export type QuantScheme = 'symmetric' | 'asymmetric';
const SCHEMES: readonly QuantScheme[] = ['symmetric', 'asymmetric'];

export const INT8: QuantRange = { qMin: -128, qMax: 127 };
export const UINT8: QuantRange = { qMin: 0, qMax: 255 };
export const INT4: QuantRange = { qMin: -8, qMax: 7 };
export const UINT4: QuantRange = { qMin: 0, qMax: 15 };

/** Codes fit an Int32Array; bit widths are 2..16 here. */
const CODE_LIMIT = 2 ** 31 - 1;

/** round(x) with ties to the even integer: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2 (unchecked). */
function roundHalfEvenOf(x: number): number {
  const r = Math.round(x); // ties go up here (towards +infinity)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Round half to even, checked: the rounding every quantizer here uses. */
export function roundHalfToEven(x: number): number {
  assertFinite('x', x);
  return roundHalfEvenOf(x);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function assertBits(bits: unknown): asserts bits is number {
  assertInteger('bits', bits, { min: 2, max: 16 });
}

/** Throws unless `range` is { qMin, qMax } with integers qMin < qMax within int32. */
export function assertQuantRange(argument: string, range: unknown): asserts range is QuantRange {
  assertObject(argument, range, 'a code range { qMin, qMax }');
  assertInteger(`${argument}.qMin`, range['qMin'], { min: -CODE_LIMIT, max: CODE_LIMIT - 1 });
  assertInteger(`${argument}.qMax`, range['qMax'], {
    min: (range['qMin'] as number) + 1,
    max: CODE_LIMIT,
  });
}

/** Throws unless `params` is a grid: a scale > 0 and an integer zero point inside the range. */
export function assertQuantParams(
  argument: string,
  params: unknown,
): asserts params is QuantParams {
  assertQuantRange(argument, params);
  const { scale, zeroPoint, qMin, qMax } = params as unknown as QuantParams;
  assertFinite(`${argument}.scale`, scale);
  if (!(scale > 0)) throw new ArgumentError(`${argument}.scale`, scale, 'a scale > 0');
  assertInteger(`${argument}.zeroPoint`, zeroPoint, { min: qMin, max: qMax });
}

/** The signed range of a b-bit integer: [-2^(b-1), 2^(b-1) - 1]; unsigned: [0, 2^b - 1]. */
export function intRange(bits: number, signed = true): QuantRange {
  assertBits(bits);
  assertBoolean('signed', signed);
  return signed
    ? { qMin: -(2 ** (bits - 1)), qMax: 2 ** (bits - 1) - 1 }
    : { qMin: 0, qMax: 2 ** bits - 1 };
}

/** Symmetric grid: S = max |x| / q_max with q_max = 2^(b-1) - 1, Z = 0, codes [-q_max, q_max]. */
export function symmetricParams(values: ArrayLike<number>, bits = 8): QuantParams {
  assertFiniteArray('values', values);
  assertBits(bits);
  const qMax = 2 ** (bits - 1) - 1;
  let absMax = 0;
  for (let i = 0; i < values.length; i++) absMax = Math.max(absMax, Math.abs(values[i] as number));
  const scale = absMax / qMax;
  return { scale: scale > 0 ? scale : 1, zeroPoint: 0, qMin: -qMax, qMax };
}

/**
 * The asymmetric grid of a calibration range [rMin, rMax] (widened to hold 0): S = (r_max - r_min)
 * / (q_max - q_min), Z = round(q_min - r_min / S). ReLU6 in uint8: [0, 6] gives S = 6/255, Z = 0.
 */
export function paramsFromRange(rMin: number, rMax: number, range: QuantRange = INT8): QuantParams {
  assertFinite('rMin', rMin);
  assertFinite('rMax', rMax);
  if (rMax < rMin) throw new ArgumentError('rMax', rMax, `a value >= rMin = ${rMin}`);
  assertQuantRange('range', range);
  const { qMin, qMax } = range;
  const lo = Math.min(rMin, 0);
  const hi = Math.max(rMax, 0);
  // S = (hi - lo) / (q_max - q_min), written so that hi - lo cannot overflow
  const span = qMax - qMin;
  const scale = hi / span - lo / span;
  const s = scale > 0 ? scale : 1;
  // Z = round(q_min - r_min / S): the code of 0, inside [q_min, q_max] because lo <= 0 <= hi
  const zeroPoint = clamp(roundHalfEvenOf(qMin - lo / s), qMin, qMax);
  return { scale: s, zeroPoint, qMin, qMax };
}

/** Asymmetric grid over the values' own range [min(x, 0), max(x, 0)]. */
export function asymmetricParams(values: ArrayLike<number>, range: QuantRange = INT8): QuantParams {
  assertFiniteArray('values', values);
  assertQuantRange('range', range);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i] as number);
    hi = Math.max(hi, values[i] as number);
  }
  return paramsFromRange(lo, hi, range);
}

/** The grid of `scheme` at `bits`: symmetric, codes [-q_max, q_max], or signed asymmetric. */
export function tensorParams(
  values: ArrayLike<number>,
  scheme: QuantScheme = 'symmetric',
  bits = 8,
): QuantParams {
  assertOneOf('scheme', scheme, SCHEMES);
  assertBits(bits);
  return scheme === 'symmetric'
    ? symmetricParams(values, bits)
    : asymmetricParams(values, intRange(bits, true));
}

/** q = clamp(round(x / S) + Z, q_min, q_max) for every value. */
export function quantize(values: ArrayLike<number>, params: QuantParams): Int32Array {
  assertFiniteArray('values', values);
  assertQuantParams('params', params);
  const { scale, zeroPoint, qMin, qMax } = params;
  const q = new Int32Array(values.length);
  for (let i = 0; i < q.length; i++)
    q[i] = clamp(roundHalfEvenOf((values[i] as number) / scale) + zeroPoint, qMin, qMax);
  return q;
}

/** x̂ = S (q - Z); every code must lie in [q_min, q_max]. */
export function dequantize(q: ArrayLike<number>, params: QuantParams): Float64Array {
  assertQuantParams('params', params);
  assertFiniteArray('q', q);
  const { scale, zeroPoint, qMin, qMax } = params;
  const out = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const code = q[i] as number;
    if (!Number.isInteger(code) || code < qMin || code > qMax)
      throw new ArgumentError(`q[${i}]`, code, `an integer code in [${qMin}, ${qMax}]`);
    out[i] = scale * (code - zeroPoint);
  }
  return out;
}

/** "Fake quantization": x -> x̂ = dequantize(quantize(x)), what the model computes with. */
export function fakeQuantize(values: ArrayLike<number>, params: QuantParams): Float64Array {
  return dequantize(quantize(values, params), params);
}

// ---------------------------------------------------------------- per tensor, per channel

/** One grid for the whole weight [d_out, d_in]; returns x̂ as a matrix of the same shape. */
export function fakeQuantizePerTensor(
  w: Matrix,
  scheme: QuantScheme = 'symmetric',
  bits = 8,
): Matrix {
  assertMatrix('w', w);
  const params = tensorParams(w.data, scheme, bits);
  return matrix(w.rows, w.cols, fakeQuantize(w.data, params));
}

/** One grid per output channel: row c of w [d_out, d_in] gets its own (S_c, Z_c). */
export function channelParams(
  w: Matrix,
  scheme: QuantScheme = 'symmetric',
  bits = 8,
): QuantParams[] {
  assertMatrix('w', w);
  assertOneOf('scheme', scheme, SCHEMES);
  assertBits(bits);
  return Array.from({ length: w.rows }, (_, c) =>
    tensorParams(w.data.subarray(c * w.cols, (c + 1) * w.cols), scheme, bits),
  );
}

/** Per-channel fake quantization: each row through its own grid. */
export function fakeQuantizePerChannel(
  w: Matrix,
  scheme: QuantScheme = 'symmetric',
  bits = 8,
): Matrix {
  const params = channelParams(w, scheme, bits);
  const out = matrix(w.rows, w.cols);
  params.forEach((p, c) => {
    out.data.set(fakeQuantize(w.data.subarray(c * w.cols, (c + 1) * w.cols), p), c * w.cols);
  });
  return out;
}

// ---------------------------------------------------------------- error and memory

export interface QuantError {
  /** max |x - x̂| */
  maxAbs: number;
  /** sqrt(mean (x - x̂)^2) */
  rmse: number;
}

/** How far x̂ is from x: the largest and the root-mean-square error. */
export function quantError(x: ArrayLike<number>, approx: ArrayLike<number>): QuantError {
  assertFiniteArray('x', x);
  assertFiniteArray('approx', approx);
  if (approx.length !== x.length)
    throw new ArgumentError('approx', approx, `${x.length} values like x`);
  let maxAbs = 0;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs((x[i] as number) - (approx[i] as number));
    maxAbs = Math.max(maxAbs, e);
    sum += e * e;
  }
  return { maxAbs, rmse: x.length === 0 ? 0 : Math.sqrt(sum / x.length) };
}

/** Storage formats of a weight and their bits per number. */
export const WEIGHT_BITS = { fp32: 32, fp16: 16, bf16: 16, int8: 8, int4: 4 } as const;
export type WeightFormat = keyof typeof WEIGHT_BITS;

/** Bytes to store `parameters` weights in `format` (scales and zero points not counted). */
export function weightBytes(parameters: number, format: WeightFormat): number {
  assertInteger('parameters', parameters, { min: 0 });
  assertOneOf('format', format, Object.keys(WEIGHT_BITS) as WeightFormat[]);
  return (parameters * WEIGHT_BITS[format]) / 8;
}

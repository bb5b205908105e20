/**
 * float16 and bfloat16 by bit manipulation (Node 20 has neither Math.f16round nor Float16Array).
 *
 *   float16   1 sign | 5 exponent (bias 15)  | 10 fraction   max 65504, eps 2^-10,
 *                                                            min normal 2^-14, min subnormal 2^-24
 *   bfloat16  1 sign | 8 exponent (bias 127) |  7 fraction   float32's range, eps 2^-7
 *
 * Rounding is IEEE 754 round-to-nearest, ties to even, straight from the float64 bits: keep the top
 * fraction bits, look at the dropped ones (above half: up; exactly half: up only if the kept part
 * is odd), let a carry run into the exponent. Below the smallest normal the format is subnormal
 * (fewer fraction bits are kept); a value at or past max + ulp / 2 overflows to +-Infinity (65520
 * does, 65519.99 rounds to 65504). The sign of zero is kept; NaN is refused (this module makes no
 * NaN).
 *
 * bfloat16 is the top 16 bits of a float32: `bfloat16BitsOfFloat32` is the textbook trick on a
 * float32's bits (add 0x7fff plus the lowest kept bit, shift right by 16), equal to `bfloat16Bits`
 * on every float32. Rounding a double to float32 first and then to half is NOT the same as rounding
 * it once (double rounding: `pitfallF16roundViaFloat32`).
 *
 * @example
 *   f16round(5.05)     // 5.05078125   (MDN's vectors)
 *   f16round(1.337)    // 1.3369140625
 *   f16round(100000)   // Infinity
 *   float16Bits(65504) // 0x7bff
 *   bf16round(1.1)     // 1.1015625
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArrayLike,
  assertInteger,
} from '../../core/errors.js';

/** A binary interchange format: exponent bits and fraction bits (both 16-bit formats here). */
interface BinaryFormat {
  readonly exponentBits: number;
  readonly fractionBits: number;
}

const FLOAT16: BinaryFormat = { exponentBits: 5, fractionBits: 10 };
const BFLOAT16: BinaryFormat = { exponentBits: 8, fractionBits: 7 };

export const FLOAT16_MAX = 65504;
export const FLOAT16_MIN_NORMAL = 2 ** -14;
export const FLOAT16_MIN_SUBNORMAL = 2 ** -24;
export const FLOAT16_EPSILON = 2 ** -10;
export const BFLOAT16_MAX = (2 - 2 ** -7) * 2 ** 127;
export const BFLOAT16_EPSILON = 2 ** -7;

const view = new DataView(new ArrayBuffer(8));

/** x must be a number that is not NaN (+-Infinity is allowed: it rounds to itself). */
function assertRoundable(argument: string, x: unknown): asserts x is number {
  if (typeof x !== 'number') throw new ArgumentTypeError(argument, x, 'a number');
  if (Number.isNaN(x)) throw new ArgumentError(argument, x, 'a number that is not NaN');
}

/**
 * The bits of the value of `format` nearest to x (ties to even), from x's float64 bits. The float64
 * is sign | 11 exponent bits (bias 1023) | 52 fraction bits = hi (32 bits) and lo (32 bits).
 */
function roundToBits(x: number, format: BinaryFormat): number {
  const { exponentBits: e, fractionBits: m } = format;
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = (hi >>> 31) << (e + m);
  const infinity = ((1 << e) - 1) << m;
  const bias = (1 << (e - 1)) - 1;
  const exp64 = (hi >>> 20) & 0x7ff;
  if (exp64 === 0x7ff) return sign | infinity; // +-Infinity (NaN is refused before)
  const unbiased = exp64 - 1023;
  // below half of the smallest subnormal 2^(1 - bias - m): +-0 (float64 subnormals included)
  if (exp64 === 0 || unbiased < -bias - m) return sign;
  if (unbiased > bias) return sign | infinity;
  // the top 21 bits of the 53-bit significand (implicit 1 included); lo holds the other 32
  const sig = 0x100000 | (hi & 0xfffff);
  // a normal result keeps 1 + m significant bits; a subnormal one keeps fewer
  const drop = 20 - m + Math.max(0, 1 - bias - unbiased);
  const kept = sig >>> drop;
  const rest = sig & ((1 << drop) - 1);
  const half = 1 << (drop - 1);
  // round to nearest, ties to even: lo != 0 means "a little above" whatever rest says
  const up = rest > half || (rest === half && (lo !== 0 || (kept & 1) === 1)) ? 1 : 0;
  // normal: biased exponent E = unbiased + bias, bits = (E - 1) << m plus kept (which holds the
  // implicit 1); a carry out of the fraction bumps the exponent, past the largest value to infinity
  const magnitude = unbiased >= 1 - bias ? ((unbiased + bias - 1) << m) + kept + up : kept + up;
  return sign | Math.min(magnitude, infinity);
}

/** The value of a bit pattern of `format`: subnormal, normal, infinite or NaN. */
function bitsToNumber(bits: number, format: BinaryFormat): number {
  const { exponentBits: e, fractionBits: m } = format;
  const sign = (bits >>> (e + m)) & 1 ? -1 : 1;
  const exponent = (bits >>> m) & ((1 << e) - 1);
  const fraction = bits & ((1 << m) - 1);
  const bias = (1 << (e - 1)) - 1;
  if (exponent === (1 << e) - 1) return fraction === 0 ? sign * Infinity : Number.NaN;
  if (exponent === 0) return sign * fraction * 2 ** (1 - bias - m);
  return sign * (2 ** m + fraction) * 2 ** (exponent - bias - m);
}

function assertBits16(argument: string, bits: unknown): asserts bits is number {
  assertInteger(argument, bits, { min: 0, max: 0xffff });
}

/** The float16 bit pattern nearest to x (round to nearest, ties to even). */
export function float16Bits(x: number): number {
  assertRoundable('x', x);
  return roundToBits(x, FLOAT16);
}

/** The number a float16 bit pattern stands for (NaN for the NaN patterns 0x7c01..0x7fff). */
export function float16FromBits(bits: number): number {
  assertBits16('bits', bits);
  return bitsToNumber(bits, FLOAT16);
}

/** Math.f16round for Node 20: the nearest float16 value, as a number. */
export function f16round(x: number): number {
  assertRoundable('x', x);
  return bitsToNumber(roundToBits(x, FLOAT16), FLOAT16);
}

/** The bfloat16 bit pattern nearest to x (round to nearest, ties to even, directly from x). */
export function bfloat16Bits(x: number): number {
  assertRoundable('x', x);
  return roundToBits(x, BFLOAT16);
}

/** The number a bfloat16 bit pattern stands for: the float32 whose low 16 bits are zero. */
export function bfloat16FromBits(bits: number): number {
  assertBits16('bits', bits);
  return bitsToNumber(bits, BFLOAT16);
}

/** The nearest bfloat16 value, as a number. */
export function bf16round(x: number): number {
  assertRoundable('x', x);
  return bitsToNumber(roundToBits(x, BFLOAT16), BFLOAT16);
}

const f32 = new DataView(new ArrayBuffer(4));

/**
 * The textbook float32 -> bfloat16 (as in PyTorch and TensorFlow): u = the float32's bits,
 * bf16 = (u + 0x7fff + ((u >> 16) & 1)) >> 16, i.e. the top 16 bits rounded to nearest even.
 * x is first made a float32 (Math.fround): pass float32 values to get a single rounding.
 */
export function bfloat16BitsOfFloat32(x: number): number {
  assertRoundable('x', x);
  f32.setFloat32(0, x);
  const u = f32.getUint32(0);
  // + 0x7fff rounds a dropped half above 0x8000 up; + the lowest kept bit makes the tie go to even
  return Math.floor((u + 0x7fff + ((u >>> 16) & 1)) / 0x10000);
}

// ---------------------------------------------------------------- arrays

function encode(argument: string, values: unknown, format: BinaryFormat): Uint16Array {
  assertArrayLike(argument, values);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < out.length; i++) {
    assertRoundable(`${argument}[${i}]`, values[i]);
    out[i] = roundToBits(values[i] as number, format);
  }
  return out;
}

/** Stores numbers as float16: one Uint16 bit pattern each (half the bytes of float32). */
export function encodeFloat16(values: ArrayLike<number>): Uint16Array {
  return encode('values', values, FLOAT16);
}

/** Reads float16 bit patterns back as numbers. */
export function decodeFloat16(bits: ArrayLike<number>): Float64Array {
  assertArrayLike('bits', bits);
  return Float64Array.from({ length: bits.length }, (_, i) => {
    assertBits16(`bits[${i}]`, bits[i]);
    return bitsToNumber(bits[i] as number, FLOAT16);
  });
}

/** Stores numbers as bfloat16 bit patterns. */
export function encodeBfloat16(values: ArrayLike<number>): Uint16Array {
  return encode('values', values, BFLOAT16);
}

/** Reads bfloat16 bit patterns back as numbers. */
export function decodeBfloat16(bits: ArrayLike<number>): Float64Array {
  assertArrayLike('bits', bits);
  return Float64Array.from({ length: bits.length }, (_, i) => {
    assertBits16(`bits[${i}]`, bits[i]);
    return bitsToNumber(bits[i] as number, BFLOAT16);
  });
}

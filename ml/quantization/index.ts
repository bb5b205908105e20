/**
 * Quantization: store weights (and activations) in fewer bits. Answers: Q33 (量化: fp32 -> fp16 /
 * int8). A float keeps a sign, an exponent and a few fraction bits (fp16, bf16: a cast, relative
 * error <= 2^-11 or 2^-8); an integer format keeps a code q on a uniform grid of step S (int8: 256
 * levels, error <= S / 2 absolute).
 *
 *   symmetric int8 (absmax):  S = max |x| / 127,  q = clamp(round(x / S), -127, 127),  x̂ = S q
 *   asymmetric (zero point):  S = (r_max - r_min) / (q_max - q_min),  Z = round(q_min - r_min / S),
 *                             q = clamp(round(x / S) + Z),  x̂ = S (q - Z)
 *
 * Worked (Manning, "Quantization and Fast Inference"): absmax 0.5, x = 0.1 -> x / S = 25.4 ->
 * q = 25, x̂ = 25 * 0.5 / 127 = 0.0984. ReLU6 output [0, 6] in uint8: S = 6 / 255, Z = 0,
 * 0.25 -> 10.625 -> q = 11 -> x̂ = 0.2588.
 *
 * Conventions: round half to even (PyTorch, tf.round); symmetric int8 leaves -128 out so the grid
 * is symmetric; per channel = one (S, Z) per output row of a weight [d_out, d_in]; a range of 0
 * gets S = 1. fp16 and bf16 are rounded by bit manipulation, ties to even, with subnormals and
 * overflow to infinity (Node 20 has no Math.f16round).
 *
 * Why per channel: one outlier row sets the per-tensor S for every row; each row's own S_c <= S
 * bounds its error by S_c / 2. Why it can hurt: LLM activations have outlier features, and one
 * absmax over them flattens every ordinary value to a few codes.
 *
 * The parts: ./int8.ts (grids, quantize, dequantize, per tensor and per channel, error, memory),
 * ./float16.ts (float16 and bfloat16 bits), ./tf.ts (the tfjs fake-quantizer), ./pitfalls.ts.
 * Complexity O(n) for n values.
 *
 * @example
 *   quantizeInt8([0.5, 0.1, -0.3])   // { q: Int8Array [127, 25, -76], scale: 0.5 / 127 }
 *   f16round(5.05)                   // 5.05078125
 */
import { ArgumentError, assertFinite, assertFiniteArray } from '../../core/errors.js';
import { roundHalfToEven } from './int8.js';

/** Symmetric int8 per tensor (absmax): S = max |x| / 127, q = clamp(round(x / S), -127, 127). */
export function quantizeInt8(values: ArrayLike<number>): { q: Int8Array; scale: number } {
  assertFiniteArray('values', values);
  // S = max |x| / 127 (an all-zero tensor gets S = 1: every code is 0 either way)
  let absMax = 0;
  for (let i = 0; i < values.length; i++) absMax = Math.max(absMax, Math.abs(values[i] as number));
  const scale = absMax / 127 > 0 ? absMax / 127 : 1;
  // q = clamp(round(x / S), -127, 127), round half to even
  const q = new Int8Array(values.length);
  for (let i = 0; i < q.length; i++) {
    const code = roundHalfToEven((values[i] as number) / scale);
    q[i] = Math.min(127, Math.max(-127, code));
  }
  return { q, scale };
}

/** x̂ = S q: back to real numbers. */
export function dequantizeInt8(q: ArrayLike<number>, scale: number): Float64Array {
  assertFiniteArray('q', q);
  assertFinite('scale', scale);
  if (!(scale > 0)) throw new ArgumentError('scale', scale, 'a scale > 0');
  return Float64Array.from(q, (code) => scale * code);
}

export {
  assertQuantParams,
  assertQuantRange,
  asymmetricParams,
  channelParams,
  dequantize,
  fakeQuantize,
  fakeQuantizePerChannel,
  fakeQuantizePerTensor,
  INT4,
  INT8,
  intRange,
  paramsFromRange,
  quantError,
  quantize,
  roundHalfToEven,
  symmetricParams,
  tensorParams,
  UINT4,
  UINT8,
  WEIGHT_BITS,
  weightBytes,
  type QuantError,
  type QuantParams,
  type QuantRange,
  type QuantScheme,
  type WeightFormat,
} from './int8.js';
export {
  BFLOAT16_EPSILON,
  BFLOAT16_MAX,
  bf16round,
  bfloat16Bits,
  bfloat16BitsOfFloat32,
  bfloat16FromBits,
  decodeBfloat16,
  decodeFloat16,
  encodeBfloat16,
  encodeFloat16,
  f16round,
  FLOAT16_EPSILON,
  FLOAT16_MAX,
  FLOAT16_MIN_NORMAL,
  FLOAT16_MIN_SUBNORMAL,
  float16Bits,
  float16FromBits,
} from './float16.js';
export { fakeQuantizeTf, fakeQuantizeTfMatrix, type Granularity } from './tf.js';
export {
  pitfallAsymmetricRealZeroPoint,
  pitfallBfloat16Truncate,
  pitfallF16roundViaFloat32,
  pitfallPerChannelOverColumns,
  pitfallQuantizeMathRound,
  pitfallSymmetricScaleOver128,
} from './pitfalls.js';

/**
 * Input checks of quantization (ml/quantization/): every bad call names its argument with a typed
 * error.
 */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { tensorBackend } from '../../core/backend.js';
import {
  asymmetricParams,
  bf16round,
  bfloat16Bits,
  bfloat16BitsOfFloat32,
  bfloat16FromBits,
  channelParams,
  decodeBfloat16,
  decodeFloat16,
  dequantize,
  dequantizeInt8,
  encodeBfloat16,
  encodeFloat16,
  f16round,
  fakeQuantize,
  fakeQuantizePerChannel,
  fakeQuantizePerTensor,
  fakeQuantizeTf,
  fakeQuantizeTfMatrix,
  float16Bits,
  float16FromBits,
  intRange,
  paramsFromRange,
  pitfallAsymmetricRealZeroPoint,
  pitfallBfloat16Truncate,
  pitfallF16roundViaFloat32,
  pitfallPerChannelOverColumns,
  pitfallQuantizeMathRound,
  pitfallSymmetricScaleOver128,
  quantError,
  quantize,
  quantizeInt8,
  roundHalfToEven,
  symmetricParams,
  tensorParams,
  UINT8,
  weightBytes,
  type QuantParams,
  type QuantScheme,
  type WeightFormat,
} from '../../ml/quantization/index.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const grid: QuantParams = { scale: 0.5, zeroPoint: 0, qMin: -127, qMax: 127 };
const { tf } = await tensorBackend();

describe('int8 grids', () => {
  badCalls([
    ['a NaN value', () => quantizeInt8([1, Number.NaN]), 'values[1]'],
    ['values that are a number', () => quantizeInt8(junk(3)), 'values', ArgumentTypeError],
    ['a zero scale', () => dequantizeInt8([1], 0), 'scale'],
    ['a scale that is a string', () => dequantizeInt8([1], junk('1')), 'scale', ArgumentTypeError],
    ['an infinite x', () => roundHalfToEven(Infinity), 'x'],
    ['1 bit', () => symmetricParams([1], 1), 'bits'],
    ['17 bits', () => symmetricParams([1], 17), 'bits'],
    ['2.5 bits', () => tensorParams([1], 'symmetric', 2.5), 'bits'],
    ['an unknown scheme', () => tensorParams([1], junk<QuantScheme>('linear')), 'scheme'],
    ['signed that is not a boolean', () => intRange(8, junk(1)), 'signed', ArgumentTypeError],
    ['rMax below rMin', () => paramsFromRange(1, 0), 'rMax'],
    ['an infinite rMin', () => paramsFromRange(-Infinity, 0), 'rMin'],
    ['qMax = qMin', () => paramsFromRange(0, 1, { qMin: 3, qMax: 3 }), 'range.qMax'],
    ['a fractional qMin', () => asymmetricParams([1], { qMin: 0.5, qMax: 3 }), 'range.qMin'],
    ['a range that is null', () => asymmetricParams([1], junk(null)), 'range', ArgumentTypeError],
  ]);
});

describe('quantize and dequantize', () => {
  badCalls([
    ['a zero scale', () => quantize([1], { ...grid, scale: 0 }), 'params.scale'],
    ['a negative scale', () => quantize([1], { ...grid, scale: -1 }), 'params.scale'],
    ['a NaN scale', () => quantize([1], { ...grid, scale: Number.NaN }), 'params.scale'],
    [
      'a zero point outside the codes',
      () => quantize([1], { ...grid, zeroPoint: 200 }),
      'params.zeroPoint',
    ],
    [
      'a fractional zero point',
      () => fakeQuantize([1], { ...grid, zeroPoint: 0.5 }),
      'params.zeroPoint',
    ],
    ['params that are null', () => quantize([1], junk(null)), 'params', ArgumentTypeError],
    ['a code past q_max', () => dequantize([128], grid), 'q[0]'],
    ['a fractional code', () => dequantize([0, 1.5], grid), 'q[1]'],
    ['codes that are a string', () => dequantize(junk('12'), grid), 'q', ArgumentTypeError],
    [
      'a weight that is not a Matrix',
      () => fakeQuantizePerTensor(junk([[1]])),
      'w',
      ArgumentTypeError,
    ],
    ['a NaN weight', () => fakeQuantizePerChannel(matrix(1, 2, [1, Number.NaN])), 'w[1]'],
    ['an unknown scheme per channel', () => channelParams(matrix(1, 1), junk('x')), 'scheme'],
    ['errors of different lengths', () => quantError([1, 2], [1]), 'approx'],
    ['a negative parameter count', () => weightBytes(-1, 'fp16'), 'parameters'],
    ['a fractional parameter count', () => weightBytes(1.5, 'fp16'), 'parameters'],
    ['an unknown format', () => weightBytes(10, junk<WeightFormat>('int3')), 'format'],
  ]);
});

describe('float16 and bfloat16', () => {
  badCalls([
    ['f16round of NaN', () => f16round(Number.NaN), 'x'],
    ['f16round of a string', () => f16round(junk('1')), 'x', ArgumentTypeError],
    ['float16Bits of NaN', () => float16Bits(Number.NaN), 'x'],
    ['bf16round of a bigint', () => bf16round(junk(1n)), 'x', ArgumentTypeError],
    ['bfloat16Bits of NaN', () => bfloat16Bits(Number.NaN), 'x'],
    ['the float32 trick on NaN', () => bfloat16BitsOfFloat32(Number.NaN), 'x'],
    ['a pattern of 17 bits', () => float16FromBits(0x10000), 'bits'],
    ['a negative pattern', () => bfloat16FromBits(-1), 'bits'],
    ['a fractional pattern', () => float16FromBits(1.5), 'bits'],
    ['an array holding NaN', () => encodeFloat16([1, Number.NaN]), 'values[1]'],
    [
      'an array holding a string',
      () => encodeBfloat16(junk([1, 'a'])),
      'values[1]',
      ArgumentTypeError,
    ],
    ['values that are null', () => encodeFloat16(junk(null)), 'values', ArgumentTypeError],
    ['a pattern out of range in an array', () => decodeFloat16([70_000]), 'bits[0]'],
    ['patterns that are a number', () => decodeBfloat16(junk(5)), 'bits', ArgumentTypeError],
  ]);
});

describe('tfjs and the pitfalls', () => {
  badCalls([
    [
      'a plain object for tf',
      () => fakeQuantizeTf(junk({}), tf.zeros([2, 2])),
      'tf',
      ArgumentTypeError,
    ],
    ['a rank-1 tensor', () => fakeQuantizeTf(tf, tf.zeros([3])), 'x'],
    ['x that is a Matrix', () => fakeQuantizeTf(tf, junk(matrix(1, 1))), 'x', ArgumentTypeError],
    [
      'an unknown granularity',
      () => fakeQuantizeTf(tf, tf.zeros([2, 2]), 'symmetric', junk('row')),
      'granularity',
    ],
    ['33 bits', () => fakeQuantizeTf(tf, tf.zeros([2, 2]), 'symmetric', 'tensor', 33), 'bits'],
    ['the Matrix edge checks w', () => fakeQuantizeTfMatrix(junk(null)), 'w', ArgumentTypeError],
    ['scale over 128 checks values', () => pitfallSymmetricScaleOver128([Number.NaN]), 'values[0]'],
    [
      'Math.round checks params',
      () => pitfallQuantizeMathRound([1], { ...grid, scale: 0 }),
      'params.scale',
    ],
    [
      'a real zero point checks values',
      () => pitfallAsymmetricRealZeroPoint(junk('x')),
      'values',
      ArgumentTypeError,
    ],
    ['columns checks w', () => pitfallPerChannelOverColumns(junk({})), 'w', ArgumentTypeError],
    ['via float32 refuses NaN', () => pitfallF16roundViaFloat32(Number.NaN), 'x'],
    [
      'truncation refuses a string',
      () => pitfallBfloat16Truncate(junk('1')),
      'x',
      ArgumentTypeError,
    ],
    [
      'uint8 params checks rMin',
      () => paramsFromRange(junk('0'), 6, UINT8),
      'rMin',
      ArgumentTypeError,
    ],
  ]);
});

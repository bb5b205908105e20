/**
 * Notebook for Q33: quantization, fp32 -> fp16 / bf16 / int8 / int4.
 * Run: npm start -- run quantization   (or: npx tsx notebooks/quantization.ts)
 */
import { matrix, type Matrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { defineNotebook } from '../notebook/index.js';
import {
  bf16round,
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
  fakeQuantizeTfMatrix,
  float16Bits,
  paramsFromRange,
  pitfallF16roundViaFloat32,
  pitfallPerChannelOverColumns,
  quantError,
  quantize,
  quantizeInt8,
  symmetricParams,
  tensorParams,
  UINT8,
  weightBytes,
  type WeightFormat,
} from '../ml/quantization/index.js';

const e2 = (v: number) => v.toExponential(2);

/**
 * A weight [rows, cols] of standard normals whose row c is scaled by 10^(u_c), u_c in [-1.5, 1.5],
 * stored as float32 values (as a checkpoint would hold them).
 */
function unevenRows(rows: number, cols: number, seed: number): Matrix {
  const g = rng(seed);
  const w = matrix(rows, cols);
  for (let c = 0; c < rows; c++) {
    const rowScale = 10 ** (3 * g.uniform() - 1.5);
    for (let j = 0; j < cols; j++) w.data[c * cols + j] = rowScale * g.normal();
  }
  return w;
}

export default defineNotebook(import.meta.url, 'quantization', async (nb) => {
  await nb.md`
    ## The question
    *量化* (Q33): what does quantizing a model from fp32 to fp16 or int8 do, how is it computed,
    and what does it cost in accuracy?

    ## The idea
    A weight is a number stored in some bits. fp32 spends 32 of them; a cast to fp16 or bf16 keeps
    a sign, an exponent and fewer fraction bits (a *relative* error); int8 stores a code q on a
    uniform grid of step S (an *absolute* error of at most S / 2). Fewer bits means less memory and
    memory bandwidth, which is what LLM decoding is bound by.
  `;
  await nb.md(String.raw`
    Symmetric (absmax), with $\mathrm{deq}(q)$ the value a code stands for:

    $$S = \frac{\max_i |x_i|}{127}, \qquad q = \mathrm{clamp}\big(\mathrm{round}(x / S), -127, 127\big), \qquad \mathrm{deq}(q) = S\,q$$

    Asymmetric (a zero point Z, for ranges like ReLU outputs that are not centred on 0):

    $$S = \frac{r_{max} - r_{min}}{q_{max} - q_{min}}, \quad Z = \mathrm{round}\Big(q_{min} - \frac{r_{min}}{S}\Big), \quad \mathrm{deq}(q) = S\,(q - Z)$$

    The whiteboard answer, symmetric int8 per tensor, read from ml/quantization/index.ts:
  `);
  await nb.source('ml/quantization/index.ts', 'quantizeInt8');

  await nb.md`
    ## A tiny run
    Inputs: Manning's example, a tensor whose absmax is 0.5 and the value x = 0.1. Theory:
    x / S = 0.1 * 127 / 0.5 = 25.4, so q = 25 and x̂ = 25 * 0.5 / 127 ~ 0.0984.
  `;
  const manning = await nb.code(() => quantizeInt8([0.5, 0.1]));
  await nb.check('q for x = 0.1', manning.q[1]!, 25);
  await nb.check(
    'x̂ for x = 0.1, to 4 decimals',
    dequantizeInt8(manning.q, manning.scale)[1]!,
    0.0984,
    {
      tol: 5e-5,
    },
  );
  await nb.md`
    Asymmetric uint8 on a ReLU6 output, calibrated on [0, 6]: S = 6 / 255, Z = 0, and 0.25 -> 10.625
    -> q = 11 -> x̂ = 11 * 6 / 255 ~ 0.2588.
  `;
  const relu = await nb.code(() => {
    const p = paramsFromRange(0, 6, UINT8);
    const q = quantize([0.25, 0], p);
    return { p, q, xHat: dequantize(q, p) };
  });
  await nb.check('q for 0.25', relu.q[0]!, 11);
  await nb.check('x̂ for 0.25', relu.xHat[0]!, 0.2588, { tol: 5e-5 });
  await nb.check('0 comes back exactly (the zero point is an integer code)', relu.xHat[1]!, 0);

  await nb.md`
    ## Memory: a 7B-parameter model
    Bytes per weight times 7 x 10^9 (GB = 10^9 bytes; scales and zero points, a few per row or per
    group of 128, add a fraction of a bit per weight and are left out):
  `;
  const formats: WeightFormat[] = ['fp32', 'fp16', 'bf16', 'int8', 'int4'];
  const sevenB = formats.map((f) => ({ format: f, gb: weightBytes(7_000_000_000, f) / 1e9 }));
  await nb.table(
    sevenB.map(({ format, gb }) => ({
      format,
      'bits / weight': { fp32: 32, fp16: 16, bf16: 16, int8: 8, int4: 4 }[format],
      'weights (GB)': gb,
      'vs fp32': `${(28 / gb).toFixed(0)}x smaller`,
    })),
    'Weights of a 7B model',
  );
  await nb.check(
    'fp32 -> fp16 -> int8 -> int4 (GB)',
    sevenB.map((r) => r.gb).join(' -> '),
    '28 -> 14 -> 14 -> 7 -> 3.5',
  );

  await nb.md`
    ## fp16 and bf16: two ways to spend 16 bits
    fp16 has 5 exponent bits and 10 fraction bits: precise (eps 2^-10), but nothing above
    65504 fits. bf16 keeps float32's 8 exponent bits and only 7 fraction bits: float32's range,
    coarser steps. Node 20 has no Math.f16round, so both are rounded here from the float64 bits
    (ties to even, subnormals, overflow to infinity). MDN's vectors and the edge of fp16's range:
  `;
  const edges = await nb.code(() =>
    [5.05, 1.337, 100000, 65504, 65519.99, 65520].map((x) => `${x} -> ${f16round(x)}`),
  );
  const rounded = new Map(edges.map((line) => line.split(' -> ').map(Number) as [number, number]));
  await nb.check('f16round(5.05) (MDN)', rounded.get(5.05)!, 5.05078125);
  await nb.check('f16round(1.337) (MDN)', rounded.get(1.337)!, 1.3369140625);
  await nb.check('f16round(100000) (MDN)', String(rounded.get(100000)), 'Infinity');
  await nb.check('65504, the largest fp16, is exact', rounded.get(65504)!, 65504);
  await nb.check('its bits (hex)', float16Bits(65504).toString(16), '7bff');
  await nb.check(
    '65520, the midpoint to "65536", overflows',
    String(rounded.get(65520)),
    'Infinity',
  );
  await nb.check('65519.99 is below the midpoint', rounded.get(65519.99)!, 65504);
  const big = await nb.code(() => ({ fp16: f16round(70_000), bf16: bf16round(70_000) }));
  await nb.claim(
    'bf16 holds 70,000 (coarsely); fp16 overflows',
    big.fp16 === Infinity && big.bf16 === 70_144,
    `fp16 -> ${big.fp16}, bf16 -> ${big.bf16}`,
  );
  await nb.md`
    That is why bf16 is the training format (gradients and activations never overflow, no loss
    scaling) and why fp16 training needs a loss scale. A classic slip is to round through float32
    first: two roundings are not one. Just above a midpoint, float32 lands on the midpoint and the
    tie then goes to even:
  `;
  const x = 1 + 2 ** -11 + 2 ** -40;
  await nb.check('f16round(1 + 2^-11 + 2^-40), one rounding', f16round(x), 1 + 2 ** -10);
  await nb.check('through float32 first (the pitfall)', pitfallF16roundViaFloat32(x), 1);

  await nb.md`
    ## Error: per tensor against per channel
    Inputs: a weight [16, 64] of standard normals, row c scaled by 10^u (u uniform in [-1.5, 1.5],
    rng(3), float32 values), as rows of real layers differ. Per tensor, the largest row sets one S
    for everyone and small rows are rounded to a handful of codes; per channel, each output row
    gets its own S_c. Relative RMSE = RMSE / RMS(w); per-row = the mean over rows of each row's
    relative RMSE.
  `;
  const w = unevenRows(16, 64, 3);
  const rms = Math.sqrt(w.data.reduce((s, v) => s + v * v, 0) / w.data.length);
  const rowRel = (approx: Matrix) => {
    let sum = 0;
    for (let c = 0; c < w.rows; c++) {
      const row = w.data.subarray(c * w.cols, (c + 1) * w.cols);
      const rowRms = Math.sqrt(row.reduce((s, v) => s + v * v, 0) / row.length);
      sum += quantError(row, approx.data.subarray(c * w.cols, (c + 1) * w.cols)).rmse / rowRms;
    }
    return sum / w.rows;
  };
  const asMatrix = (data: Float64Array) => matrix(w.rows, w.cols, data);
  const methods: [string, Matrix][] = [
    ['fp16 (cast)', asMatrix(decodeFloat16(encodeFloat16(w.data)))],
    ['bf16 (cast)', asMatrix(decodeBfloat16(encodeBfloat16(w.data)))],
    ['int8 per tensor', fakeQuantizePerTensor(w, 'symmetric', 8)],
    ['int8 per channel', fakeQuantizePerChannel(w, 'symmetric', 8)],
    ['int4 per tensor', fakeQuantizePerTensor(w, 'symmetric', 4)],
    ['int4 per channel', fakeQuantizePerChannel(w, 'symmetric', 4)],
  ];
  const errors = methods.map(([name, approx]) => ({
    name,
    overall: quantError(w.data, approx.data).rmse / rms,
    perRow: rowRel(approx),
  }));
  await nb.table(
    errors.map((r) => ({
      method: r.name,
      'rel. RMSE': e2(r.overall),
      'mean per-row rel.': e2(r.perRow),
    })),
    'Quantization error of the weight [16, 64] with uneven rows',
  );
  await nb.plot({
    kind: 'bar',
    title: 'Decimal digits kept per row: -log10(mean per-row relative RMSE)',
    categories: errors.map((r) => r.name),
    y: { label: 'digits' },
    series: [{ name: 'digits kept', values: errors.map((r) => -Math.log10(r.perRow)) }],
  });
  const at = (name: string) => errors.find((r) => r.name === name)!;
  await nb.claim(
    'per channel cuts the per-row error of int8 by > 3x here',
    at('int8 per tensor').perRow > 3 * at('int8 per channel').perRow,
    `${e2(at('int8 per tensor').perRow)} vs ${e2(at('int8 per channel').perRow)}`,
  );
  const sc = channelParams(w).map((p) => p.scale);
  const s = symmetricParams(w.data).scale;
  await nb.claim(
    'every S_c <= S: each row is bounded by S_c / 2, never more than S / 2',
    sc.every((v) => v <= s),
    `S = ${e2(s)}, S_c from ${e2(Math.min(...sc))} to ${e2(Math.max(...sc))}`,
  );
  const columns = rowRel(pitfallPerChannelOverColumns(w));
  await nb.claim(
    'scales over columns (input features) do not help the small rows',
    columns > 3 * at('int8 per channel').perRow,
    `per column ${e2(columns)} vs per row ${e2(at('int8 per channel').perRow)}`,
  );
  const tfGap = quantError(
    fakeQuantizePerChannel(w).data,
    (await fakeQuantizeTfMatrix(w, 'symmetric', 'channel')).data,
  ).maxAbs;
  await nb.claim(
    'tfjs (float32) fake-quantizes per channel to the same grid',
    tfGap < 1e-6 * Math.max(...w.data.map(Math.abs)),
    `max |difference| = ${e2(tfGap)}`,
  );

  await nb.md`
    ## Outliers: when int8 hurts
    Weights are well-behaved; LLM activations are not: a few feature dimensions carry values far
    larger than the rest (LLM.int8() keeps those dimensions in fp16, SmoothQuant moves their scale
    into the weights). Inputs: 1,024 standard normal activations (rng(5)), then the same with one
    value set to 60. One absmax over the vector lets that single value set S for all the others:
  `;
  const g = rng(5);
  const acts = Array.from({ length: 1024 }, () => g.normal());
  const withOutlier = [...acts];
  withOutlier[17] = 60;
  const outlierRows = [
    ['without the outlier', acts],
    ['with one value = 60', withOutlier],
  ] as const;
  const outlierTable = outlierRows.map(([name, xs]) => {
    const p = tensorParams(xs, 'symmetric', 8);
    const xHat = fakeQuantize(xs, p);
    const codes = new Set(quantize(xs, p));
    const normal = xs.map((v, i) => (i === 17 ? 0 : v));
    const normalHat = Array.from(xHat, (v, i) => (i === 17 ? 0 : v));
    return { name, scale: p.scale, codes: codes.size, rmse: quantError(normal, normalHat).rmse };
  });
  await nb.table(
    outlierTable.map((r) => ({
      activations: r.name,
      S: e2(r.scale),
      'codes used': r.codes,
      'RMSE on the 1,023 others': e2(r.rmse),
    })),
    'int8 per tensor on an activation vector',
  );
  const [clean, dirty] = outlierTable as [(typeof outlierTable)[0], (typeof outlierTable)[0]];
  await nb.claim(
    'one outlier multiplies the error of every other value by > 10x',
    dirty.rmse > 10 * clean.rmse,
    `${e2(dirty.rmse)} vs ${e2(clean.rmse)}; codes used ${dirty.codes} vs ${clean.codes}`,
  );
  await nb.claim(
    'the bound still holds: error <= S / 2, but S is now 60 / 127',
    dirty.rmse <= dirty.scale / 2,
    `RMSE ${e2(dirty.rmse)} <= S / 2 = ${e2(dirty.scale / 2)}`,
  );

  await nb.md`
    ## Complexity
    O(n) for n values: one pass for the scale, one to round. The saving is in storage and bandwidth
    (4x from fp32 to int8), plus integer matmuls where the hardware has them.

    ## When not to use it (or not plainly)
    - Activations with outlier features (large LLMs): per-tensor int8 flattens them; use per-token
      or per-channel scales, keep outlier dimensions in fp16, or smooth them into the weights.
    - 4 bits and below: one scale per row is too coarse; use groups (e.g. 128 weights per scale)
      and error-correcting methods (GPTQ, AWQ) rather than plain rounding.
    - Training: keep fp32 master weights and use bf16 (or fp16 with a loss scale) for compute;
      integer quantization during training needs fake quantization and a straight-through gradient.
    - Small layers that dominate accuracy (embeddings, the output head) are often left in 16 bits.
  `;
});

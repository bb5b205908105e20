/**
 * Notebook for Q35 (tensor parallelism: splitting matrices adds communication) and the placement
 * side of Q32 (a model cut across several devices).
 * Run: npm start -- run tensor-parallel   (or: npx tsx notebooks/tensor-parallel.ts)
 */
import { Counter } from '../core/counter.js';
import { maxAbsDiff, randomMatrix } from '../core/matrix.js';
import { rng } from '../core/random.js';
import { defineNotebook } from '../notebook/index.js';
import { denseFfn } from '../ml/swiglu.js';
import {
  allReduceSum,
  pitfallTensorParallelMlpRowSplitA,
  ringAllReduce,
  shardMlp,
  tensorParallelLayerComm,
  tensorParallelMlp,
  tensorParallelMlpCounted,
  tensorParallelMlpInputSplit,
  tensorParallelMlpTfMatrix,
} from '../ml/tensor-parallel.js';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export default defineNotebook(import.meta.url, 'tensor-parallel', async (nb) => {
  await nb.md`
    ## The question
    *张量并行* (Q35): tensor parallelism splits a layer's matrices across devices; how, and what
    communication does it add? And, from Q32, how is a model placed on several machines?

    ## The idea
    When one layer's weights (and their optimizer state) do not fit a device, cut every matrix
    into N blocks, one per device. Each device multiplies by its block; the blocks' results must
    then be combined, and that exchange is the price. Megatron-LM's trick is to cut the two
    matrices of the MLP so that the nonlinearity in between needs no exchange at all:
  `;
  await nb.md(String.raw`
    $$Y = \mathrm{GeLU}(X A)\,B, \qquad A = [A_1, \dots, A_N] \text{ (columns)}, \qquad B = [B_1; \dots; B_N] \text{ (rows)}$$

    $$Y = \sum_{i=1}^{N} \mathrm{GeLU}(X A_i)\,B_i$$

    GeLU acts elementwise, so it acts on each column block of $X A$ separately: device i computes
    its term with no communication, and one all-reduce (a sum over devices) gives every device Y.
    The whiteboard answer, read from ml/tensor-parallel.ts (weights in nn.Linear layout, so A's
    column blocks are the row blocks of w1):
  `);
  await nb.source('ml/tensor-parallel.ts', 'tensorParallelMlp');

  await nb.md`
    ## A tiny run
    Inputs: T = 4 tokens, d = 8, hidden h = 32, weights and biases standard normal (rng(1)), split
    over N = 4 devices. Theory: each device holds w1 [8, 8] and w2 [8, 8] (a quarter), and the sum
    of the four partial outputs equals the unsplit layer (denseFfn of ml/swiglu.ts with GeLU).
  `;
  const r = rng(1);
  const [t, d, h, n] = [4, 8, 32, 4];
  const weights = {
    w1: randomMatrix(h, d, r),
    b1: randomMatrix(1, h, r).data,
    w2: randomMatrix(d, h, r),
    b2: randomMatrix(1, d, r).data,
  };
  const x = randomMatrix(t, d, r);
  const shards = await nb.code(() =>
    shardMlp(x, weights, n).map(
      (s, i) => `device ${i}: w1 [${s.w1.rows}, ${s.w1.cols}], w2 [${s.w2.rows}, ${s.w2.cols}]`,
    ),
  );
  await nb.check('shards', shards.length, n);
  const gap = maxAbsDiff(tensorParallelMlp(x, weights, n), denseFfn(x, weights, 'gelu'));
  await nb.claim(
    '4 devices + one all-reduce = the unsplit layer',
    gap < 1e-12,
    `max |difference| = ${gap.toExponential(2)}`,
  );
  const tfGap = maxAbsDiff(
    await tensorParallelMlpTfMatrix(x, weights, n),
    denseFfn(x, weights, 'gelu'),
  );
  await nb.claim(
    'tfjs (tf.slice shards, tf.addN as the all-reduce) agrees',
    tfGap < 1e-4,
    `max |difference| = ${tfGap.toExponential(2)} (float32)`,
  );
  const c = new Counter();
  tensorParallelMlpCounted(x, weights, n, c);
  await nb.check('multiply-adds on device 0 = 2 T d h / N', c.get('madds:0'), (2 * t * d * h) / n);
  await nb.check(
    'numbers device 0 sends in the ring all-reduce = 2 (N - 1) / N T d',
    c.get('sent:0'),
    (2 * (n - 1) * t * d) / n,
  );

  await nb.md`
    ## The pitfall: splitting A by rows
    Cut A by rows instead (each device gets d / N input features of X). Then each device holds a
    *partial sum* Z_i = X_i A_i of the pre-activation, and GeLU(Z_1 + Z_2) is not GeLU(Z_1) +
    GeLU(Z_2). Applying GeLU before summing gives a wrong layer; making it right needs an
    all-reduce of Z, which is [T, h], four times the [T, d] of Megatron's split.
  `;
  const wrong = maxAbsDiff(
    pitfallTensorParallelMlpRowSplitA(x, weights, 2),
    denseFfn(x, weights, 'gelu'),
  );
  await nb.claim(
    'GeLU on partial sums: the layer is wrong',
    wrong > 0.1,
    `max |difference| = ${wrong.toFixed(3)}`,
  );
  const fixed = new Counter();
  const fixedGap = maxAbsDiff(
    tensorParallelMlpInputSplit(x, weights, 2, fixed),
    denseFfn(x, weights, 'gelu'),
  );
  await nb.claim(
    'all-reducing Z before GeLU fixes it',
    fixedGap < 1e-12,
    `max |difference| = ${fixedGap.toExponential(2)}`,
  );
  await nb.check(
    'numbers exchanged by the fixed row split / by Megatron (T h + T d) / (T d)',
    (fixed.get('allReduced') + fixed.get('allGathered')) / (t * d),
    5,
  );

  await nb.md`
    ## The all-reduce, step by step
    A ring all-reduce cuts each device's buffer into N chunks. In N - 1 *reduce-scatter* steps
    every device passes one chunk to its neighbour, who adds it in; afterwards device i owns the
    full sum of one chunk. In N - 1 *all-gather* steps the finished chunks travel round. Each
    device sends 2 (N - 1) chunks of size M / N: 2 (N - 1) / N M, nearly 2 M, whatever N is.
    Inputs: N = 4 devices, buffers [2, 6] of standard normals (rng(2)).
  `;
  const g = rng(2);
  const partials = Array.from({ length: 4 }, () => randomMatrix(2, 6, g));
  const ringCounter = new Counter();
  const ring = ringAllReduce(partials, ringCounter);
  const ringGap = Math.max(...ring.map((b) => maxAbsDiff(b, allReduceSum(partials))));
  await nb.claim(
    'every device ends with the sum',
    ringGap < 1e-12,
    `max |difference| = ${ringGap.toExponential(2)}`,
  );
  await nb.table(
    [0, 1, 2, 3].map((i) => ({
      device: i,
      'numbers sent': ringCounter.get(`sent:${i}`),
      'buffer size M': 12,
      'sent / M': ringCounter.get(`sent:${i}`) / 12,
    })),
    'Ring all-reduce of 12 numbers over 4 devices: 2 (N - 1) / N = 1.5',
  );

  await nb.md`
    ## How much is that for a real layer
    Attention splits the same way (heads across devices: W_q, W_k, W_v by columns, W_o by rows),
    so each transformer layer does 2 all-reduces of [tokens, d_model] in the forward pass and 2
    more in the backward pass (Megatron-LM counts 4 per layer). Inputs: d_model = 4096 and 32
    layers (Llama-2-7B's sizes), 4096 tokens per micro-batch, fp16 activations (2 bytes).
  `;
  const rows = [2, 4, 8, 16].map((devices) => {
    const fwd = tensorParallelLayerComm({ tokens: 4096, dModel: 4096, devices });
    const train = tensorParallelLayerComm({ tokens: 4096, dModel: 4096, devices, backward: true });
    return { devices, fwd, train };
  });
  await nb.table(
    rows.map(({ devices, fwd, train }) => ({
      N: devices,
      'one all-reduce': mb(fwd.bytesPerAllReduce),
      'sent / layer, forward': mb(fwd.bytesSentPerDevice),
      'sent / layer, training': mb(train.bytesSentPerDevice),
      'sent / step, 32 layers': `${((32 * train.bytesSentPerDevice) / 1e9).toFixed(2)} GB`,
    })),
    'Bytes each device sends (ring all-reduce), d = 4096, 4096 tokens, fp16',
  );
  await nb.check(
    'one all-reduce of 4096 x 4096 fp16 numbers (bytes)',
    rows[0]!.fwd.bytesPerAllReduce,
    33_554_432,
  );
  await nb.check('all-reduces per layer in training', rows[0]!.train.allReduces, 4);

  await nb.md(String.raw`
    The traffic does not shrink as N grows, but each device's share of the compute does. A layer
    of $12 d^2$ weights ($4 d^2$ attention, $8 d^2$ MLP with $h = 4d$) costs $2 T \cdot 12 d^2 / N$
    FLOPs per device in the forward pass against $2 \cdot 2 \frac{N-1}{N} T d$ numbers of 2 bytes
    sent, so the bytes needed per FLOP are
    $$\frac{8 \frac{N-1}{N} T d}{24 T d^2 / N} = \frac{N - 1}{3 d}$$
    independent of T and growing linearly with N. Multiplied by a device's FLOP/s, it is the link
    bandwidth needed to keep up:
  `);
  const ns = [2, 4, 8, 16, 32, 64];
  const perFlop = (dm: number) => ns.map((k) => (k - 1) / (3 * dm));
  await nb.plot({
    kind: 'line',
    title: 'Bytes sent per FLOP, tensor-parallel forward pass',
    x: { label: 'devices N', values: ns, log: true },
    y: { label: 'bytes / FLOP', log: true },
    series: [
      { name: 'd = 1024', values: perFlop(1024) },
      { name: 'd = 4096', values: perFlop(4096) },
      { name: 'd = 12288', values: perFlop(12288) },
    ],
  });
  await nb.claim(
    'doubling N roughly doubles the bytes per FLOP',
    Math.abs(perFlop(4096)[3]! / perFlop(4096)[2]! - 15 / 7) < 1e-12,
    `(16 - 1) / (8 - 1) = ${(15 / 7).toFixed(3)}`,
  );

  await nb.md`
    ## Placing a model on machines (Q32)
    Tensor parallelism talks every layer, twice each way, so it lives where links are fastest:
    the devices of one machine (Megatron-LM trained its 8.3B model with 8-way tensor parallelism
    times 64-way data parallelism on 512 GPUs). Across machines, pipeline
    parallelism (layers in stages, only activations at stage boundaries cross) and data
    parallelism or ZeRO (see zero-memory) take over; MoE experts are placed by expert parallelism
    (see moe-routing). Complexity per device: 1/N of the weights and multiply-adds, but a fixed
    2 (N - 1) / N T d numbers per all-reduce.

    ## When not to use it
    - The model fits a device: plain data parallelism has no per-layer traffic.
    - Across slow links (between machines): the per-layer all-reduces stall the compute.
    - Large N on a small d: each device's matrices get thin, and the bytes per FLOP grow as
      (N - 1) / 3d, so efficiency falls; N is kept at or below the devices of one machine.
  `;
});

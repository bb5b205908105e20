/**
 * Notebook for Q36: DeepSpeed's ZeRO, memory per device and communication per stage.
 * Run: npm start -- run zero-memory   (or: npx tsx notebooks/zero-memory.ts)
 */
import { defineNotebook } from '../notebook/index.js';
import {
  formatGB,
  gigabytes,
  maxParameters,
  MIXED_PRECISION_ADAM,
  pitfallZeroMemoryWithoutMasterCopy,
  ZERO_STAGES,
  zeroCollectives,
  zeroCommunicationVolume,
  zeroDeviceBytes,
  zeroMemoryPerDevice,
  type ZeroStage,
} from '../ml/zero-memory.js';

const STAGE_NAMES = ['0: data parallel', '1: P_os', '2: P_os+g', '3: P_os+g+p'];

export default defineNotebook(import.meta.url, 'zero-memory', async (nb) => {
  await nb.md`
    ## The question
    *deepspeed 分布式训练* (Q36): how does DeepSpeed train models that do not fit one device with
    plain data parallelism, and what do ZeRO's stages 1, 2 and 3 save and cost?

    ## The idea
    Data parallelism gives every device a full copy of the *model states*: parameters, gradients
    and the optimizer's state. With N_d devices that is N_d identical copies. ZeRO (Rajbhandari et
    al. 2020) keeps the data-parallel computation but partitions those states: device d owns 1/N_d
    of them, and a state is gathered from its owner when it is needed.

    Mixed-precision Adam keeps, per parameter: an fp16 parameter (2 bytes), an fp16 gradient (2)
    and K = 12 bytes of optimizer state:
  `;
  await nb.table(
    MIXED_PRECISION_ADAM.map((s) => ({
      state: s.name,
      kind: s.kind,
      'bytes / parameter': s.bytes,
    })),
    'Model states of mixed-precision Adam: 2 + 2 + 12 = 16 bytes per parameter',
  );
  await nb.md(String.raw`
    With $\Psi$ parameters on $N_d$ devices, each stage partitions one more kind:

    $$\text{stage 0: } (2 + 2 + K)\Psi, \quad \text{1: } 2\Psi + 2\Psi + \frac{K\Psi}{N_d}, \quad \text{2: } 2\Psi + \frac{(2 + K)\Psi}{N_d}, \quad \text{3: } \frac{(2 + 2 + K)\Psi}{N_d}$$

    The whiteboard answer, read from ml/zero-memory.ts:
  `);
  await nb.source('ml/zero-memory.ts', 'zeroMemoryPerDevice');

  await nb.md`
    ## The paper's example
    Inputs: Figure 1 of the ZeRO paper, a 7.5B-parameter model on N_d = 64 devices, K = 12.
    Theory: 16 x 7.5 = 120 GB; 30 + 90 / 64 = 31.4 GB; 15 + 105 / 64 = 16.6 GB; 120 / 64 = 1.9 GB
    (GB = 10^9 bytes, one decimal, as the paper prints them).
  `;
  const figure1 = await nb.code(() =>
    ZERO_STAGES.map((s) => `stage ${s}: ${formatGB(zeroMemoryPerDevice(7.5e9, 64, s))}`),
  );
  await nb.check('stage 0 (GB)', gigabytes(zeroMemoryPerDevice(7.5e9, 64, 0)), 120);
  await nb.check('stage 1 (GB)', gigabytes(zeroMemoryPerDevice(7.5e9, 64, 1)), 31.4);
  await nb.check('stage 2 (GB)', gigabytes(zeroMemoryPerDevice(7.5e9, 64, 2)), 16.6);
  await nb.check('stage 3 (GB)', gigabytes(zeroMemoryPerDevice(7.5e9, 64, 3)), 1.9);
  await nb.check(
    'as printed',
    figure1.join(', '),
    'stage 0: 120 GB, stage 1: 31.4 GB, stage 2: 16.6 GB, stage 3: 1.9 GB',
  );
  await nb.md`
    The common slip is to count Adam as momentum and variance only (K = 8) and forget the fp32
    master copy of the parameters that mixed precision updates (fp16 alone loses small updates):
  `;
  await nb.check(
    'K = 8 gives for stage 0 (GB), not 120',
    gigabytes(pitfallZeroMemoryWithoutMasterCopy(7.5e9, 64, 0)),
    90,
  );

  await nb.md`
    ## Who holds what: the brute force
    Inputs: Psi = 12 parameters on N_d = 4 devices, device d owning parameters 3d .. 3d + 2. The
    walk goes over every parameter and every device and adds what that device keeps: a state the
    stage does not partition is kept everywhere, a partitioned one only by its owner.
  `;
  const walk = ZERO_STAGES.map((s) => ({ s, bytes: zeroDeviceBytes(12, 4, s) }));
  await nb.table(
    walk.map(({ s, bytes }) => ({
      stage: STAGE_NAMES[s],
      'device 0..3 (bytes)': bytes.join(', '),
      formula: zeroMemoryPerDevice(12, 4, s),
      'all devices': bytes.reduce((a, b) => a + b, 0),
    })),
    'Bytes per device, Psi = 12, N_d = 4 (one copy of everything is 16 x 12 = 192)',
  );
  await nb.claim(
    'every device holds exactly the formula',
    walk.every(({ s, bytes }) => bytes.every((b) => b === zeroMemoryPerDevice(12, 4, s))),
    walk.map(({ bytes }) => bytes[0]).join(', '),
  );
  const total = (s: ZeroStage) => walk[s]!.bytes.reduce((a, b) => a + b, 0);
  await nb.claim(
    'stage 3 keeps one copy in all; data parallelism keeps N_d = 4',
    total(3) === 192 && total(0) === 768,
    `${total(3)} and ${total(0)} bytes`,
  );

  await nb.md`
    ## Scaling with the number of devices
    Stage 1 tends to a 4x saving (16 / 4), stage 2 to 8x (16 / 2), stage 3 to N_d itself: only
    stage 3 keeps shrinking as devices are added. Inputs: the 7.5B model, N_d from 1 to 1024.
  `;
  const nds = [1, 4, 16, 64, 256, 1024];
  await nb.plot({
    kind: 'line',
    title: 'Model states per device, 7.5B parameters (GB)',
    x: { label: 'devices N_d', values: nds, log: true },
    y: { label: 'GB per device', log: true },
    series: ZERO_STAGES.map((s) => ({
      name: `stage ${STAGE_NAMES[s]}`,
      values: nds.map((nd) => zeroMemoryPerDevice(7.5e9, nd, s) / 1e9),
    })),
  });
  await nb.table(
    nds.map((nd) => ({
      N_d: nd,
      ...Object.fromEntries(
        ZERO_STAGES.map((s) => [`stage ${s}`, formatGB(zeroMemoryPerDevice(7.5e9, nd, s))]),
      ),
    })),
    'Per-device model states, 7.5B parameters',
  );
  await nb.md`
    Turned around: the largest model whose model states fit a 32 GB device (activations, buffers
    and fragmentation, which ZeRO-R handles, need room too, so real limits are lower):
  `;
  await nb.table(
    [1, 8, 64, 1024].map((nd) => ({
      N_d: nd,
      ...Object.fromEntries(
        ZERO_STAGES.map((s) => [
          `stage ${s}`,
          `${(maxParameters(32e9, nd, s as ZeroStage) / 1e9).toFixed(1)}B`,
        ]),
      ),
    })),
    'Largest Psi whose model states fit 32 GB per device',
  );
  await nb.check('stage 0 on 32 GB: 32e9 / 16 = 2B parameters', maxParameters(32e9, 64, 0), 2e9);

  await nb.md`
    ## What it costs: communication
    Data parallelism all-reduces the gradients once a step: a reduce-scatter plus an all-gather,
    2 Psi numbers per device in the paper's accounting. Stages 1 and 2 do the same work in another
    order (reduce-scatter the gradients to their owners, all-gather the updated parameters): no
    extra traffic. Stage 3 must also gather every layer's parameters before its forward pass and
    again before its backward pass: 3 Psi, 1.5x. Stage 3's two all-gathers are the parameters for
    the forward and for the backward pass; the reduce-scatter is the gradients.
  `;
  await nb.table(
    ZERO_STAGES.map((s) => ({
      stage: STAGE_NAMES[s],
      collectives: zeroCollectives(1, s)
        .map((c) => c.op)
        .join(' + '),
      'x Psi': zeroCommunicationVolume(1, s),
      '7.5B, fp16': formatGB(2 * zeroCommunicationVolume(7.5e9, s)),
    })),
    'Per device per step, in parameters (a ring sends (N_d - 1) / N_d of it)',
  );
  await nb.check(
    'stage 3 / data parallel',
    zeroCommunicationVolume(7.5e9, 3) / zeroCommunicationVolume(7.5e9, 0),
    1.5,
  );

  await nb.md`
    ## Complexity
    Memory per device O((4 + K / N_d) Psi), O((2 + (2 + K) / N_d) Psi), O((4 + K) Psi / N_d) for
    stages 1-3; communication O(Psi) per step for every stage, at most 1.5x data parallelism.

    ## When not to use it (or not every stage)
    - The model states fit already: stage 0 or 1 is free of extra traffic, stage 3 is not.
    - Slow links: stage 3 gathers parameters layer by layer, twice a step, on the critical path;
      within a fast machine tensor parallelism (see tensor-parallel) may serve better, and the
      two combine.
    - Activations dominate (long sequences, large batches): ZeRO-DP does not touch them;
      activation checkpointing and ZeRO-R's partitioned activations do.
    - Offloading optimizer states to CPU (ZeRO-Offload) trades device memory for PCIe traffic.
  `;
});

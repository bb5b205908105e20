/**
 * ZeRO (Zero Redundancy Optimizer, Rajbhandari et al. 2020, the memory optimizer of DeepSpeed):
 * data parallelism without N_d identical copies of the model states. Answers: Q36 (deepspeed
 * 分布式训练).
 *
 * Mixed-precision Adam holds, per parameter: the fp16 parameter (2 bytes), its fp16 gradient (2)
 * and K = 12 bytes of optimizer state (an fp32 master copy of the parameter, the fp32 momentum and
 * the fp32 variance, 4 each). Plain data parallelism replicates all of it on every device; ZeRO's
 * stages partition more and more of it over the N_d data-parallel devices (Psi = parameter count):
 *
 *   stage 0 (data parallel)       (2 + 2 + K) Psi
 *   stage 1 (P_os, optimizer)      2 Psi + 2 Psi + K Psi / N_d
 *   stage 2 (P_os+g, + gradients)  2 Psi + (2 + K) Psi / N_d
 *   stage 3 (P_os+g+p, + params)   (2 + 2 + K) Psi / N_d
 *
 * The paper's Figure 1, Psi = 7.5B, N_d = 64, K = 12: 120 GB, 31.4 GB, 16.6 GB and 1.9 GB per
 * device (GB = 10^9 bytes, one decimal; `formatGB`). Activations, buffers and fragmentation are not
 * model states (ZeRO-R treats them) and are not counted here.
 *
 * Communication per device per step, in parameters (the paper's accounting, which rounds a ring's
 * (N_d - 1) / N_d to 1): data parallel all-reduces the gradients, a reduce-scatter plus an
 * all-gather, 2 Psi. Stages 1 and 2 reduce-scatter the gradients (Psi) and all-gather the updated
 * parameters (Psi): the same 2 Psi. Stage 3 all-gathers each layer's parameters in the forward and
 * again in the backward pass (2 Psi) and reduce-scatters the gradients (Psi): 3 Psi, 1.5x.
 *
 * Conventions: a stage is 0..3; partitions are contiguous, device d owning parameters [floor(d Psi
 * / N_d), floor((d + 1) Psi / N_d)), so when N_d does not divide Psi some devices hold one more
 * parameter than Psi / N_d (`zeroDeviceBytes` counts that; the formula is the even split).
 *
 * @example
 *   zeroMemoryPerDevice(7.5e9, 64, 1)        // 31_406_250_000 bytes
 *   formatGB(zeroMemoryPerDevice(7.5e9, 64, 3))  // "1.9 GB"
 */
import {
  ArgumentError,
  assertArray,
  assertFinite,
  assertInteger,
  assertObject,
  assertOneOf,
} from '../core/errors.js';

/** Per-device bytes of the model states of mixed-precision Adam under ZeRO stage 0..3. */
export function zeroMemoryPerDevice(psi: number, nd: number, stage: ZeroStage): number {
  assertSizes(psi, nd, stage);
  const k = 12; // optimizer states: fp32 parameters + fp32 momentum + fp32 variance, 4 bytes each
  // fp16 parameters (2 bytes), partitioned from stage 3
  const parameters = stage >= 3 ? (2 * psi) / nd : 2 * psi;
  // fp16 gradients (2 bytes), partitioned from stage 2
  const gradients = stage >= 2 ? (2 * psi) / nd : 2 * psi;
  // optimizer states (K bytes), partitioned from stage 1
  const optimizer = stage >= 1 ? (k * psi) / nd : k * psi;
  return parameters + gradients + optimizer;
}

export type ZeroStage = 0 | 1 | 2 | 3;
export const ZERO_STAGES: readonly ZeroStage[] = [0, 1, 2, 3];

/** Above this many parameters a count is a mistake (10^15, a thousand times a trillion). */
const MAX_PARAMETERS = 1e15;
/** Data-parallel degree at most this. */
const MAX_DEVICES = 2 ** 20;

function assertSizes(psi: unknown, nd: unknown, stage: unknown): void {
  assertFinite('psi', psi);
  if (!(psi > 0) || psi > MAX_PARAMETERS)
    throw new ArgumentError('psi', psi, `a parameter count in (0, ${MAX_PARAMETERS}]`);
  assertInteger('nd', nd, { min: 1, max: MAX_DEVICES });
  assertOneOf('stage', stage, ZERO_STAGES);
}

/** What a training state is: the model's parameters, their gradients, or the optimizer's. */
export type StateKind = 'parameters' | 'gradients' | 'optimizer';
const KINDS: readonly StateKind[] = ['parameters', 'gradients', 'optimizer'];

/** One tensor the trainer keeps per parameter, and its bytes per parameter. */
export interface TrainingState {
  readonly name: string;
  readonly kind: StateKind;
  readonly bytes: number;
}

/** Mixed-precision Adam (the ZeRO paper's setting): 2 + 2 + 12 = 16 bytes per parameter. */
export const MIXED_PRECISION_ADAM: readonly TrainingState[] = [
  { name: 'fp16 parameters', kind: 'parameters', bytes: 2 },
  { name: 'fp16 gradients', kind: 'gradients', bytes: 2 },
  { name: 'fp32 parameters (master copy)', kind: 'optimizer', bytes: 4 },
  { name: 'fp32 momentum', kind: 'optimizer', bytes: 4 },
  { name: 'fp32 variance', kind: 'optimizer', bytes: 4 },
];

/** What a stage partitions: stage 1 the optimizer states, 2 also gradients, 3 also parameters. */
export function partitionedKinds(stage: ZeroStage): StateKind[] {
  assertOneOf('stage', stage, ZERO_STAGES);
  return (['optimizer', 'gradients', 'parameters'] as StateKind[]).slice(0, stage);
}

function assertStates(states: unknown): asserts states is TrainingState[] {
  assertArray('states', states);
  if (states.length === 0 || states.length > 64)
    throw new ArgumentError('states', states, '1 to 64 training states');
  states.forEach((s, i) => {
    assertObject(`states[${i}]`, s, 'a state { name, kind, bytes }');
    assertOneOf(`states[${i}].kind`, s['kind'], KINDS);
    assertFinite(`states[${i}].bytes`, s['bytes']);
    if (!((s['bytes'] as number) >= 0))
      throw new ArgumentError(`states[${i}].bytes`, s['bytes'], 'bytes per parameter >= 0');
  });
}

/**
 * The formula for any list of training states: per device, every state a stage partitions costs
 * bytes Psi / N_d, every other state bytes Psi. With MIXED_PRECISION_ADAM it is
 * `zeroMemoryPerDevice`.
 */
export function modelStateBytes(
  psi: number,
  nd: number,
  stage: ZeroStage,
  states: readonly TrainingState[] = MIXED_PRECISION_ADAM,
): number {
  assertSizes(psi, nd, stage);
  assertStates(states);
  const split = new Set(partitionedKinds(stage));
  return states.reduce(
    (sum, s) => sum + (split.has(s.kind) ? (s.bytes * psi) / nd : s.bytes * psi),
    0,
  );
}

/** Above this many (parameter, device) pairs the brute force would not return within a second. */
const MAX_PAIRS = 2 ** 22;

/**
 * Brute force: walks every parameter and every device and adds the bytes that device keeps for that
 * parameter (all of a state that is not partitioned; a partitioned state only on the parameter's
 * owner, the device whose contiguous range holds it). Returns each device's bytes.
 */
export function zeroDeviceBytes(
  psi: number,
  nd: number,
  stage: ZeroStage,
  states: readonly TrainingState[] = MIXED_PRECISION_ADAM,
): number[] {
  assertSizes(psi, nd, stage);
  assertInteger('psi', psi, { min: 1 });
  assertStates(states);
  if (psi * nd > MAX_PAIRS)
    throw new ArgumentError('psi', psi, `psi nd <= ${MAX_PAIRS} (pairs walked) with nd = ${nd}`);
  const split = new Set(partitionedKinds(stage));
  const bytes = new Array<number>(nd).fill(0);
  let owner = 0;
  for (let p = 0; p < psi; p++) {
    // device d owns [floor(d psi / nd), floor((d + 1) psi / nd))
    while (p >= Math.floor(((owner + 1) * psi) / nd)) owner++;
    for (let d = 0; d < nd; d++)
      for (const s of states) if (!split.has(s.kind) || d === owner) bytes[d] = bytes[d]! + s.bytes;
  }
  return bytes;
}

// ---------------------------------------------------------------- communication

/** One collective of a training step and how many parameters' worth it moves per device. */
export interface Collective {
  readonly what: string;
  readonly op: 'all-reduce' | 'reduce-scatter' | 'all-gather';
  /** Parameters' worth per device in the paper's accounting (an all-reduce counts 2 Psi). */
  readonly volume: number;
}

/**
 * The collectives of one step per device at a stage, in parameters (multiply by 2 for fp16 bytes).
 * Stage 0: all-reduce the gradients, 2 Psi. Stages 1-2: reduce-scatter the gradients and all-gather
 * the updated parameters, 2 Psi. Stage 3: all-gather the parameters for the forward and for the
 * backward pass, reduce-scatter the gradients, 3 Psi.
 */
export function zeroCollectives(psi: number, stage: ZeroStage): Collective[] {
  assertSizes(psi, 1, stage);
  if (stage === 0) return [{ what: 'gradients', op: 'all-reduce', volume: 2 * psi }];
  if (stage < 3)
    return [
      { what: 'gradients', op: 'reduce-scatter', volume: psi },
      { what: 'updated parameters', op: 'all-gather', volume: psi },
    ];
  return [
    { what: 'parameters for the forward pass', op: 'all-gather', volume: psi },
    { what: 'parameters for the backward pass', op: 'all-gather', volume: psi },
    { what: 'gradients', op: 'reduce-scatter', volume: psi },
  ];
}

/** Parameters' worth each device communicates per step: 2 Psi at stages 0-2, 3 Psi at stage 3. */
export function zeroCommunicationVolume(psi: number, stage: ZeroStage): number {
  return zeroCollectives(psi, stage).reduce((sum, c) => sum + c.volume, 0);
}

/**
 * The same on a ring of N_d devices, exactly: a reduce-scatter or an all-gather of Psi sends
 * (N_d - 1) / N_d Psi from each device, an all-reduce twice that.
 */
export function zeroRingVolume(psi: number, nd: number, stage: ZeroStage): number {
  assertSizes(psi, nd, stage);
  return ((nd - 1) / nd) * zeroCommunicationVolume(psi, stage);
}

// ---------------------------------------------------------------- sizes

/** Bytes as the paper prints them: GB = 10^9 bytes, one decimal, rounded half up ("31.4 GB"). */
export function formatGB(bytes: number): string {
  assertFinite('bytes', bytes);
  if (bytes < 0) throw new ArgumentError('bytes', bytes, 'bytes >= 0');
  return `${gigabytes(bytes)} GB`;
}

/** Bytes in GB = 10^9 rounded half up to one decimal: 31_406_250_000 -> 31.4, 1.875e9 -> 1.9. */
export function gigabytes(bytes: number): number {
  assertFinite('bytes', bytes);
  if (bytes < 0) throw new ArgumentError('bytes', bytes, 'bytes >= 0');
  return Math.round(bytes / 1e8) / 10;
}

/** The largest parameter count whose model states fit `deviceBytes` per device at a stage. */
export function maxParameters(deviceBytes: number, nd: number, stage: ZeroStage): number {
  assertFinite('deviceBytes', deviceBytes);
  if (!(deviceBytes > 0)) throw new ArgumentError('deviceBytes', deviceBytes, 'bytes > 0');
  assertSizes(1, nd, stage);
  // memory is linear in psi: bytes per parameter at this stage
  return Math.floor(deviceBytes / zeroMemoryPerDevice(1, nd, stage));
}

// ---------------------------------------------------------------- pitfalls

/**
 * Pitfall: Adam counted as momentum and variance only, K = 8, forgetting the fp32 master copy of
 * the parameters that mixed precision needs: 12 Psi at stage 0 (90 GB for 7.5B, not 120 GB).
 */
export function pitfallZeroMemoryWithoutMasterCopy(
  psi: number,
  nd: number,
  stage: ZeroStage,
): number {
  assertSizes(psi, nd, stage);
  return modelStateBytes(psi, nd, stage, [
    { name: 'fp16 parameters', kind: 'parameters', bytes: 2 },
    { name: 'fp16 gradients', kind: 'gradients', bytes: 2 },
    { name: 'fp32 momentum', kind: 'optimizer', bytes: 4 },
    { name: 'fp32 variance', kind: 'optimizer', bytes: 4 },
  ]);
}

/**
 * Pitfall: stage 3 said to cost data parallelism's 2 Psi (parameters "free" to gather): it forgets
 * that each layer's parameters are all-gathered twice, for the forward and for the backward pass.
 */
export function pitfallZeroStage3CommunicationLikeDataParallel(
  psi: number,
  stage: ZeroStage,
): number {
  assertSizes(psi, 1, stage);
  return 2 * psi;
}

/**
 * Placing experts on devices with limited memory, from their load statistics (Q32). Each device
 * holds `slots` experts (its memory in units of one expert's weights); D devices hold D x slots.
 *
 * 1. Too little memory (N > D slots): the N - D slots coldest experts are offloaded to host memory
 *    (served from CPU RAM or fetched on demand: slow, so it should be the least-used ones).
 * 2. Spare memory (N < D slots): replicate the hot experts, DeepSeek-V3's "redundant experts"
 *    (deepseek-ai/EPLB `replicate_experts`): each spare slot goes to the expert whose load per copy
 *    is highest (at most one copy per device); its tokens are split evenly over its copies.
 * 3. Pack the copies ("pieces", load / copies each): sort them by load and deal them in rounds of
 *    D, one piece per device per round, the heaviest piece of a round to the lightest device (and
 *    not to a device that already holds that expert, when another is free).
 *
 * Dealing in rounds is a variant of EPLB's `balanced_packing` (which sends each piece to the
 * lightest device with room), chosen because its balance has a short proof: in every round the
 * devices' gains differ by at most that round's largest minus smallest piece, and these ranges
 * telescope over the sorted pieces, so any two devices differ by at most the largest piece:
 *
 *   max device load <= min device load + largest piece <= total / D + largest piece.
 *
 * What is NOT true: that this always beats naive round-robin by expert id (`roundRobinPlacement`).
 * Both are heuristics for a partition problem; on some loads round-robin happens to be perfect and
 * the greedy is not (the key shows one). Round-robin does not have the bound above, and on skewed
 * loads (what MoE routers produce) it is far worse: the notebook shows it.
 *
 * Complexity: O(N log N + (P - N) N + P D slots) for P <= D slots pieces.
 */
import {
  ArgumentError,
  assertFiniteArray,
  assertInteger,
  assertObject,
} from '../../core/errors.js';

/** The devices and their memory. */
export interface PlacementConfig {
  devices: number;
  /** Experts one device can hold. */
  slots: number;
}

/** A copy of an expert on a device, and the load (tokens) it serves. */
export interface ExpertCopy {
  expert: number;
  load: number;
}

export interface Placement {
  /** Per device, the expert copies it holds (at most `slots`). */
  devices: ExpertCopy[][];
  /** Per device, the load it serves. */
  deviceLoad: number[];
  /** Per expert, its copies on devices (0 = offloaded to the host). */
  copies: number[];
  /** Experts kept in host memory. */
  offloaded: number[];
  /** Load served from the host. */
  hostLoad: number;
  maxDeviceLoad: number;
}

/** Checks a load vector and a config; returns N, D and the slots. */
function assertPlacementInput(
  load: unknown,
  config: unknown,
): { n: number; devices: number; slots: number } {
  assertFiniteArray('load', load);
  if (load.length === 0) throw new ArgumentError('load', load, 'one load per expert (N >= 1)');
  if (load.length > 2 ** 16) throw new ArgumentError('load', load, 'at most 2^16 experts');
  for (let i = 0; i < load.length; i++)
    if ((load[i] as number) < 0) throw new ArgumentError(`load[${i}]`, load[i], 'a load >= 0');
  assertObject('config', config, 'a config { devices, slots }');
  const { devices, slots } = config as Partial<PlacementConfig>;
  assertInteger('config.devices', devices, { min: 1, max: 2 ** 12 });
  assertInteger('config.slots', slots, { min: 1, max: 2 ** 12 });
  if (devices * slots > 2 ** 12)
    throw new ArgumentError(
      'config.slots',
      slots,
      `devices x slots <= 4096 (devices = ${devices})`,
    );
  return { n: load.length, devices, slots };
}

/**
 * Copies per expert for `total` device slots: one each, then every spare slot to the expert with
 * the highest load per copy (ties: lower index), at most `maxCopies` each, while it helps (load
 * > 0). This minimises the largest load per copy (EPLB's `replicate_experts`, with the cap).
 */
export function replicateExperts(
  load: ArrayLike<number>,
  total: number,
  maxCopies: number,
): number[] {
  assertFiniteArray('load', load);
  for (let i = 0; i < load.length; i++)
    if ((load[i] as number) < 0) throw new ArgumentError(`load[${i}]`, load[i], 'a load >= 0');
  assertInteger('total', total, { min: load.length, max: 2 ** 16 });
  assertInteger('maxCopies', maxCopies, { min: 1, max: 2 ** 16 });
  if ((total - load.length) * load.length > 2 ** 24)
    throw new ArgumentError('total', total, '(total - N) x N <= 2^24 (work bound)');
  const copies = Array.from(load, () => 1);
  for (let spare = total - load.length; spare > 0; spare--) {
    let best = -1;
    for (let i = 0; i < copies.length; i++) {
      if ((copies[i] as number) >= maxCopies) continue;
      const perCopy = (load[i] as number) / (copies[i] as number);
      if (best < 0 || perCopy > (load[best] as number) / (copies[best] as number)) best = i;
    }
    if (best < 0 || (load[best] as number) === 0) break;
    copies[best] = (copies[best] as number) + 1;
  }
  return copies;
}

/** Deals pieces (expert, load) to D devices in rounds: the round's heaviest to the lightest device. */
function dealInRounds(pieces: ExpertCopy[], devices: number): ExpertCopy[][] {
  const sorted = [...pieces].sort((a, b) => b.load - a.load || a.expert - b.expert);
  const held: ExpertCopy[][] = Array.from({ length: devices }, () => []);
  const loadOf = held.map(() => 0);
  for (let start = 0; start < sorted.length; start += devices) {
    // devices of this round, lightest first (ties: lower index)
    const free = Array.from({ length: devices }, (_, d) => d).sort(
      (a, b) => (loadOf[a] as number) - (loadOf[b] as number) || a - b,
    );
    for (const piece of sorted.slice(start, start + devices)) {
      // the lightest free device that does not already hold this expert, else the lightest free one
      const at = free.findIndex((d) => !held[d]!.some((c) => c.expert === piece.expert));
      const d = free.splice(at >= 0 ? at : 0, 1)[0] as number;
      held[d]!.push(piece);
      loadOf[d] = (loadOf[d] as number) + piece.load;
    }
  }
  return held;
}

function summarise(
  load: ArrayLike<number>,
  devices: ExpertCopy[][],
  offloaded: number[],
): Placement {
  const copies = Array.from(load, () => 0);
  for (const held of devices)
    for (const c of held) copies[c.expert] = (copies[c.expert] as number) + 1;
  const deviceLoad = devices.map((held) => held.reduce((s, c) => s + c.load, 0));
  return {
    devices,
    deviceLoad,
    copies,
    offloaded,
    hostLoad: offloaded.reduce((s, e) => s + (load[e] as number), 0),
    maxDeviceLoad: Math.max(...deviceLoad),
  };
}

/** Load-aware placement: offload the coldest if memory is short, replicate the hottest if not. */
export function placeExperts(load: ArrayLike<number>, config: PlacementConfig): Placement {
  const { n, devices, slots } = assertPlacementInput(load, config);
  const capacity = devices * slots;
  // hottest first (ties: lower index); the last n - capacity go to host memory
  const byLoad = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (load[b] as number) - (load[a] as number) || a - b,
  );
  const onDevice = byLoad.slice(0, capacity);
  const offloaded = byLoad.slice(capacity).sort((a, b) => a - b);
  // spare slots become copies of the hot experts, at most one copy per device
  const kept = onDevice.map((e) => load[e] as number);
  const copies = replicateExperts(kept, Math.max(capacity, onDevice.length), devices);
  const pieces = onDevice.flatMap((e, j) =>
    Array.from({ length: copies[j] as number }, () => ({
      expert: e,
      load: (load[e] as number) / (copies[j] as number),
    })),
  );
  return summarise(load, dealInRounds(pieces, devices), offloaded);
}

/** The naive placement: expert i on device i mod D until memory is full; the rest go to the host. */
export function roundRobinPlacement(load: ArrayLike<number>, config: PlacementConfig): Placement {
  const { n, devices, slots } = assertPlacementInput(load, config);
  const held: ExpertCopy[][] = Array.from({ length: devices }, () => []);
  const offloaded: number[] = [];
  for (let e = 0; e < n; e++) {
    if (e < devices * slots) held[e % devices]!.push({ expert: e, load: load[e] as number });
    else offloaded.push(e);
  }
  return summarise(load, held, offloaded);
}

/**
 * Answer key for Q36, ZeRO. Worked examples: the ZeRO paper's Figure 1 EXACTLY (Psi = 7.5B on
 * N_d = 64 devices: 120 GB, 31.4 GB, 16.6 GB, 1.9 GB, GB = 10^9 bytes, one decimal), cells of its
 * Table 1, K = 12 read off the list of Adam's states, the communication 2 Psi / 2 Psi / 2 Psi / 3 Psi
 * (the paper's 1.5x). Properties: each stage's formula equals a brute-force walk over every
 * parameter and device of what that device holds; memory never grows with the stage; stage 3 keeps
 * exactly one copy in total; the reductions tend to 4x, 8x and N_d; the communication matches the
 * ring all-reduce simulated in ml/tensor-parallel.ts. Pitfalls: the count without the fp32 master
 * copy (K = 8) and stage 3 said to communicate like data parallelism, each rejected by the property
 * the right answer passes. Input checks: tests/inputs/zero-memory.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  formatGB,
  gigabytes,
  maxParameters,
  MIXED_PRECISION_ADAM,
  modelStateBytes,
  partitionedKinds,
  pitfallZeroMemoryWithoutMasterCopy,
  pitfallZeroStage3CommunicationLikeDataParallel,
  ZERO_STAGES,
  zeroCollectives,
  zeroCommunicationVolume,
  zeroDeviceBytes,
  zeroMemoryPerDevice,
  zeroRingVolume,
  type ZeroStage,
} from '../ml/zero-memory.js';
import { ringAllReduce } from '../ml/tensor-parallel.js';
import { Counter } from '../core/counter.js';
import { matrix } from '../core/matrix.js';
import { rejectsPitfall } from './support/answer-key.js';

const stage = fc.constantFrom(...ZERO_STAGES);

describe("worked example: the ZeRO paper's Figure 1 (Psi = 7.5B, N_d = 64, K = 12)", () => {
  it('per device: 120 GB, 31.4 GB, 16.6 GB, 1.9 GB', () => {
    const gb = ZERO_STAGES.map((s) => gigabytes(zeroMemoryPerDevice(7.5e9, 64, s)));
    expect(gb).toEqual([120, 31.4, 16.6, 1.9]);
    expect(ZERO_STAGES.map((s) => formatGB(zeroMemoryPerDevice(7.5e9, 64, s)))).toEqual([
      '120 GB',
      '31.4 GB',
      '16.6 GB',
      '1.9 GB',
    ]);
  });

  it('in bytes: 16 Psi = 120,000,000,000; 4 Psi + 12 Psi / 64; 2 Psi + 14 Psi / 64; 16 Psi / 64', () => {
    expect(ZERO_STAGES.map((s) => zeroMemoryPerDevice(7.5e9, 64, s))).toEqual([
      120_000_000_000, 31_406_250_000, 16_640_625_000, 1_875_000_000,
    ]);
  });

  it('the rounding is one decimal of GB = 10^9 bytes, half up: 1.875 -> 1.9, 16.640625 -> 16.6', () => {
    expect(gigabytes(1_875_000_000)).toBe(1.9);
    expect(gigabytes(16_640_625_000)).toBe(16.6);
    expect(gigabytes(1_849_999_999)).toBe(1.8);
    expect(gigabytes(0)).toBe(0);
  });
});

describe("the paper's Table 1 (cells as quoted by a summary of the paper; the same formula)", () => {
  it('7.5B: 30 GB at N_d = 4 (stage 3), 21.6 GB at 16 (stage 2); 128B: 32 GB at 64 (stage 3); 1T: 15.6 GB at 1024 (stage 3)', () => {
    expect(gigabytes(zeroMemoryPerDevice(7.5e9, 4, 3))).toBe(30);
    expect(gigabytes(zeroMemoryPerDevice(7.5e9, 16, 2))).toBe(21.6);
    expect(gigabytes(zeroMemoryPerDevice(128e9, 64, 3))).toBe(32);
    expect(gigabytes(zeroMemoryPerDevice(1e12, 1024, 3))).toBe(15.6);
  });
});

describe('K = 12: what mixed-precision Adam keeps per parameter', () => {
  it('fp16 parameters 2 + fp16 gradients 2 + optimizer states 12 (fp32 parameters, momentum, variance: 4 each) = 16 bytes', () => {
    const bytesOf = (kind: string) =>
      MIXED_PRECISION_ADAM.filter((s) => s.kind === kind).reduce((sum, s) => sum + s.bytes, 0);
    expect([bytesOf('parameters'), bytesOf('gradients'), bytesOf('optimizer')]).toEqual([2, 2, 12]);
    expect(MIXED_PRECISION_ADAM.map((s) => s.name)).toContain('fp32 parameters (master copy)');
  });

  it('stage 1 partitions the optimizer states, stage 2 also the gradients, stage 3 also the parameters', () => {
    expect(ZERO_STAGES.map(partitionedKinds)).toEqual([
      [],
      ['optimizer'],
      ['optimizer', 'gradients'],
      ['optimizer', 'gradients', 'parameters'],
    ]);
  });
});

/** Parameter counts and device counts small enough to walk parameter by parameter. */
const walkable = fc.record({
  psi: fc.integer({ min: 1, max: 600 }),
  nd: fc.integer({ min: 1, max: 24 }),
  stage,
});

/**
 * The formula against the brute force: every device's walked bytes equal the formula when N_d
 * divides Psi, and in any case the devices together hold N_d times the formula.
 */
const formulaMatchesWalk = (formula: (psi: number, nd: number, stage: ZeroStage) => number) =>
  fc.property(walkable, ({ psi, nd, stage }) => {
    const walked = zeroDeviceBytes(psi, nd, stage);
    const perDevice = formula(psi, nd, stage);
    const total = walked.reduce((a, b) => a + b, 0);
    if (Math.abs(total - nd * perDevice) > 1e-9 * total) return false;
    return psi % nd !== 0 || walked.every((b) => Math.abs(b - perDevice) <= 1e-9 * b);
  });

describe('each stage equals a brute-force sum over devices of what each holds', () => {
  it('holds for zeroMemoryPerDevice', () => {
    fc.assert(formulaMatchesWalk(zeroMemoryPerDevice), { seed: 1, numRuns: 300 });
  });

  it('rejects the count without the fp32 master copy, K = 8 (pitfallZeroMemoryWithoutMasterCopy)', () => {
    rejectsPitfall(formulaMatchesWalk(pitfallZeroMemoryWithoutMasterCopy), {
      seed: 1,
      numRuns: 300,
    });
  });

  it("the pitfall gives 90 GB for the paper's stage 0, not 120 GB", () => {
    expect(gigabytes(pitfallZeroMemoryWithoutMasterCopy(7.5e9, 64, 0))).toBe(90);
  });

  test.prop([walkable], { numRuns: 200 })(
    'an uneven split: no device holds more than the formula with ceil(Psi / N_d) parameters of its own',
    ({ psi, nd, stage }) => {
      const own = Math.ceil(psi / nd);
      const split = new Set(partitionedKinds(stage));
      const bound = MIXED_PRECISION_ADAM.reduce(
        (sum, s) => sum + s.bytes * (split.has(s.kind) ? own : psi),
        0,
      );
      expect(Math.max(...zeroDeviceBytes(psi, nd, stage))).toBeLessThanOrEqual(bound);
    },
  );

  test.prop(
    [fc.double({ min: 1, max: 1e13, noNaN: true }), fc.integer({ min: 1, max: 4096 }), stage],
    {
      numRuns: 200,
    },
  )("modelStateBytes with Adam's states is zeroMemoryPerDevice", (psi, nd, s) => {
    const formula = zeroMemoryPerDevice(psi, nd, s);
    expect(Math.abs(modelStateBytes(psi, nd, s) - formula)).toBeLessThanOrEqual(1e-12 * formula);
  });
});

describe('invariants', () => {
  test.prop([fc.double({ min: 1, max: 1e13, noNaN: true }), fc.integer({ min: 1, max: 4096 })], {
    numRuns: 200,
  })('memory per device never grows with the stage, and all stages agree at N_d = 1', (psi, nd) => {
    const m = ZERO_STAGES.map((s) => zeroMemoryPerDevice(psi, nd, s));
    for (let s = 1; s < 4; s++) expect(m[s]!).toBeLessThanOrEqual(m[s - 1]!);
    for (const s of ZERO_STAGES) expect(zeroMemoryPerDevice(psi, 1, s)).toBe(16 * psi);
  });

  test.prop([walkable], { numRuns: 200 })(
    'redundancy: the devices together hold N_d copies at stage 0 and exactly one copy (16 Psi) at stage 3',
    ({ psi, nd }) => {
      const sum = (s: ZeroStage) => zeroDeviceBytes(psi, nd, s).reduce((a, b) => a + b, 0);
      expect(sum(0)).toBe(nd * 16 * psi);
      expect(sum(3)).toBe(16 * psi);
    },
  );

  it('the reductions tend to 4x (stage 1), 8x (stage 2) and N_d (stage 3) as N_d grows', () => {
    const psi = 1e9;
    const big = 1e6;
    const ratio = (s: ZeroStage, nd: number) =>
      zeroMemoryPerDevice(psi, 1, 0) / zeroMemoryPerDevice(psi, nd, s);
    expect(ratio(1, big)).toBeCloseTo(4, 3);
    expect(ratio(2, big)).toBeCloseTo(8, 3);
    expect(ratio(3, 64)).toBe(64);
  });

  test.prop(
    [fc.double({ min: 1e9, max: 1e12, noNaN: true }), fc.integer({ min: 1, max: 1024 }), stage],
    {
      numRuns: 100,
    },
  )(
    'maxParameters: that many parameters fit the device, one percent more do not',
    (bytes, nd, s) => {
      const p = maxParameters(bytes, nd, s);
      expect(zeroMemoryPerDevice(p, nd, s)).toBeLessThanOrEqual(bytes);
      expect(zeroMemoryPerDevice(p * 1.01 + 1, nd, s)).toBeGreaterThan(bytes);
    },
  );
});

describe('communication per device per step', () => {
  it('data parallel and stages 1, 2: 2 Psi; stage 3: 3 Psi, 1.5x (the paper)', () => {
    expect(ZERO_STAGES.map((s) => zeroCommunicationVolume(1, s))).toEqual([2, 2, 2, 3]);
    expect(zeroCommunicationVolume(7.5e9, 3) / zeroCommunicationVolume(7.5e9, 0)).toBe(1.5);
    expect(zeroCollectives(1, 3).map((c) => c.op)).toEqual([
      'all-gather',
      'all-gather',
      'reduce-scatter',
    ]);
  });

  /**
   * Against the ring all-reduce simulated in ml/tensor-parallel.ts: device 0 of a ring of N_d sends
   * M = 2 (N_d - 1) / N_d Psi (half reduce-scatter, half all-gather). Data parallelism is one such
   * all-reduce; each reduce-scatter or all-gather is half of one. So stage s sends its volume / 2
   * all-reduces' worth.
   */
  const matchesSimulatedRing = (volume: (psi: number, stage: ZeroStage) => number) =>
    fc.property(
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 6 }),
      stage,
      (nd, per, s) => {
        const psi = nd * per; // N_d divides Psi: the ring's chunks are even
        const c = new Counter();
        ringAllReduce(
          Array.from({ length: nd }, () => matrix(1, psi)),
          c,
        );
        const allReduce = c.get('sent:0');
        const collectives = zeroCollectives(psi, s);
        const simulated = collectives.reduce(
          (sum, col) => sum + (col.op === 'all-reduce' ? allReduce : allReduce / 2),
          0,
        );
        return (
          Math.abs(simulated - zeroRingVolume(psi, nd, s)) < 1e-9 &&
          Math.abs(((nd - 1) / nd) * volume(psi, s) - simulated) < 1e-9
        );
      },
    );

  it('the volumes equal the collectives run on the simulated ring', () => {
    fc.assert(matchesSimulatedRing(zeroCommunicationVolume), { seed: 2, numRuns: 100 });
  });

  it("rejects stage 3 said to cost data parallelism's 2 Psi (pitfallZeroStage3CommunicationLikeDataParallel)", () => {
    rejectsPitfall(matchesSimulatedRing(pitfallZeroStage3CommunicationLikeDataParallel), {
      seed: 2,
      numRuns: 100,
    });
  });
});

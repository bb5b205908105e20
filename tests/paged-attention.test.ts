/**
 * Answer key for Q28 and Q29, PagedAttention and prefix caching (ml/paged-attention/). Worked
 * examples (the module's examples, vLLM's design-doc examples, Orca (Pow2)'s 25 -> 32 slots, LRU
 * eviction step by step); the textbook block table against the engineered BlockManager; the
 * manager's invariants under random operation sequences (reference counts equal the table entries
 * that point at a block and never go negative, the free and evictable pools are disjoint from the
 * referenced blocks and together with them make the whole memory, the cache never names a partial
 * or stale block, every sequence reads back its tokens, also after forks and copy-on-write);
 * chained hashes against brute-force prefix equality; the prefix-cache hits of a replay against
 * the brute-force longest block-aligned common prefix; blocks = ceil(len / B) and waste < B; the
 * serving simulation against list-scheduling oracles and against the memory formula; counted
 * bounds (fork copies nothing, copy-on-write less than a block); and every pitfall rejected by the
 * property the right answer passes. Input checks: tests/inputs/paged-attention.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Counter } from '../core/counter.js';
import { rng } from '../core/random.js';
import {
  appendToken,
  BlockManager,
  kvMemoryWaste,
  pagedKv,
  pitfallAppendWithoutCopyOnWrite,
  pitfallForkWithoutRefCounts,
  pitfallPrefixHashesWithoutParent,
  pitfallPrefixHashesWithPartialBlock,
  prefixBlockHashes,
  readTokens,
  replayWithPrefixCache,
  reservedSlots,
  sampleRequests,
  sharedPromptWorkload,
  simulateServing,
  type BlockHash,
  type PagedKv,
  type ServingRequest,
} from '../ml/paged-attention/index.js';
import { rejectsPitfall } from './support/answer-key.js';

/** Length of the longest common prefix of two token lists. */
function lcp(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('worked examples', () => {
  it('the textbook block table: 3 tokens in blocks of 2 take blocks [0, 1] and read back [5, 6, 7]', () => {
    let kv = pagedKv(4, 2);
    for (const t of [5, 6, 7]) kv = appendToken(kv, 0, t);
    expect(kv.tables.get(0)).toEqual([0, 1]);
    expect(kv.blocks.slice(0, 2)).toEqual([[5, 6], [7]]);
    expect(kv.free).toEqual([2, 3]);
    expect(readTokens(kv, 0)).toEqual([5, 6, 7]);
  });

  it('the manager: a cached full block is shared, a fork copies the shared partial block before writing', () => {
    const kv = new BlockManager(8, 4, { prefixCaching: true });
    expect(kv.allocate(1, [7, 7, 7, 7, 1, 2])).toEqual({ cachedTokens: 0, table: [0, 1] });
    expect(kv.allocate(2, [7, 7, 7, 7, 9])).toEqual({ cachedTokens: 4, table: [0, 2] });
    expect(kv.state.blocks[0]?.refCount).toBe(2);
    expect(kv.fork(1, 3)).toEqual([0, 1]);
    expect(kv.append(3, 5)).toEqual({ block: 3, offset: 2, copiedFrom: 1 });
    expect(kv.tokens(3)).toEqual([7, 7, 7, 7, 1, 2, 5]);
    expect(kv.tokens(1)).toEqual([7, 7, 7, 7, 1, 2]);
    expect(kv.blockTable(1)).toEqual([0, 1]);
    expect(kv.state.blocks[0]?.refCount).toBe(3);
    expect(kv.state.blocks[1]?.refCount).toBe(1);
  });

  it("vLLM's design doc, B = 4: a 15-token request, then 14 tokens sharing its first 10, hit 2 blocks (8 tokens)", () => {
    const kv = new BlockManager(10, 4, { prefixCaching: true });
    const first = range(15).map((i) => 100 + i);
    kv.allocate(0, first);
    const second = [...first.slice(0, 10), 1, 2, 3, 4];
    expect(kv.allocate(1, second).cachedTokens).toBe(8);
  });

  it("vLLM's design doc, B = 4: the same prompt ABCDEF again gets block table [0, 3] (the partial EF is not cached)", () => {
    const [A, B, C, D, E, F, G, H, I] = range(9);
    const kv = new BlockManager(10, 4, { prefixCaching: true });
    kv.allocate(1, [A, B, C, D, E, F] as number[]);
    for (const t of [G, H, I] as number[]) kv.append(1, t);
    expect(kv.blockTable(1)).toEqual([0, 1, 2]);
    expect(kv.allocate(2, [A, B, C, D, E, F] as number[])).toEqual({
      cachedTokens: 4,
      table: [0, 3],
    });
    kv.append(2, G as number);
    kv.append(2, H as number);
    // block 3 (EFGH) now equals block 1; block tables stay append-only, so both exist
    expect(kv.tokens(2)).toEqual([A, B, C, D, E, F, G, H]);
    expect(kv.cachedBlockCount()).toBe(2);
  });

  it('the whole prompt cached still computes its last token: a repeated 8-token prompt (B = 4) reuses 4, not 8', () => {
    const kv = new BlockManager(10, 4, { prefixCaching: true });
    kv.allocate(0, range(8));
    expect(kv.allocate(1, range(8)).cachedTokens).toBe(4);
    expect(kv.allocate(2, range(9)).cachedTokens).toBe(8);
  });

  it('LRU: a cached block is evicted only when the free pool is empty, the least recently released first', () => {
    const kv = new BlockManager(3, 2, { prefixCaching: true });
    kv.allocate(1, [1, 1, 0]);
    kv.free(1);
    kv.allocate(2, [2, 2, 0]); // takes two uncached blocks: nothing evicted yet
    expect(kv.state.evictions).toBe(0);
    kv.free(2);
    expect(kv.freeBlockCount()).toBe(3);
    kv.allocate(3, [3, 3, 0]); // one uncached free block, then the LRU cached one: [1, 1]
    expect(kv.state.evictions).toBe(1);
    kv.free(3);
    expect(kv.allocate(4, [2, 2, 5]).cachedTokens).toBe(2);
    kv.free(4);
    expect(kv.allocate(5, [1, 1, 5]).cachedTokens).toBe(0);
  });

  it("Orca (Pow2) reserves 32 output slots for a 25-token output (the paper's example); Max reserves 2048", () => {
    const r = { promptLength: 10, outputLength: 25 };
    const options = { maxLength: 2048, blockSize: 16 };
    expect(reservedSlots(r, 11, 'pow2', options)).toBe(10 + 32);
    expect(reservedSlots(r, 11, 'max', options)).toBe(2048);
    expect(reservedSlots(r, 11, 'oracle', options)).toBe(35);
    expect(reservedSlots(r, 17, 'paged', options)).toBe(32);
  });
});

/** Interleaved appends to a few sequences: (sequence, token) pairs. */
const appendsArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 50 })),
  { maxLength: 40 },
);

describe('the textbook block table and the BlockManager agree', () => {
  test.prop([appendsArb, fc.integer({ min: 1, max: 5 })], { numRuns: 60 })(
    'same block tables and the appended tokens read back, for interleaved appends',
    (appends, B) => {
      const numBlocks = 64;
      let kv: PagedKv = pagedKv(numBlocks, B);
      const manager = new BlockManager(numBlocks, B);
      const model = new Map<number, number[]>();
      for (const [seq, token] of appends) {
        kv = appendToken(kv, seq, token);
        if (manager.has(seq)) manager.append(seq, token);
        else manager.allocate(seq, [token]);
        model.set(seq, [...(model.get(seq) ?? []), token]);
      }
      for (const [seq, tokens] of model) {
        expect(readTokens(kv, seq)).toEqual(tokens);
        expect(manager.tokens(seq)).toEqual(tokens);
        expect(manager.blockTable(seq)).toEqual(kv.tables.get(seq));
      }
    },
  );
});

describe('blocks = ceil(len / B), waste < B per sequence', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 1, max: 8 }),
    ],
    { numRuns: 80 },
  )('a prompt of p tokens then a appends hold ceil((p + a) / B) blocks', (p, a, B) => {
    const kv = new BlockManager(128, B);
    kv.allocate(0, range(p));
    for (let i = 0; i < a; i++) kv.append(0, i);
    const len = p + a;
    expect(kv.blockTable(0)).toHaveLength(Math.ceil(len / B));
    const waste = B * kv.blockTable(0).length - len;
    expect(waste).toBeGreaterThanOrEqual(0);
    expect(waste).toBeLessThan(B);
    expect(kv.usedBlockCount()).toBe(Math.ceil(len / B));
  });

  test.prop([fc.integer(), fc.integer({ min: 1, max: 32 })], { numRuns: 20 })(
    'paged reservations waste fewer than B slots per request per step; the shares add up to 1',
    (seed, B) => {
      const requests = sampleRequests(
        20,
        { meanPrompt: 40, meanOutput: 60, maxLength: 256 },
        rng(seed),
      );
      const steps = requests.reduce((s, r) => s + r.outputLength, 0);
      const options = { maxLength: 256, blockSize: B };
      const paged = kvMemoryWaste(requests, 'paged', options);
      expect(paged.reservedSlotSteps - paged.usedSlotSteps).toBeLessThan(B * steps);
      for (const policy of ['max', 'pow2', 'oracle', 'paged'] as const) {
        const w = kvMemoryWaste(requests, policy, options);
        const sum = w.tokenStateFraction + w.reservationFraction + w.internalFraction;
        expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
        expect(w.reservationFraction).toBeGreaterThanOrEqual(0);
        expect(w.internalFraction).toBeGreaterThanOrEqual(-1e-15);
      }
      // knowing the output length leaves no internal fragmentation; max length wastes the most
      expect(kvMemoryWaste(requests, 'oracle', options).internalFraction).toBe(0);
      const max = kvMemoryWaste(requests, 'max', options).tokenStateFraction;
      expect(max).toBeLessThanOrEqual(kvMemoryWaste(requests, 'pow2', options).tokenStateFraction);
    },
  );
});

// ---------------------------------------------------------------- random operation sequences

type Op =
  | { kind: 'alloc'; tokens: number[] }
  | { kind: 'append'; pick: number; token: number }
  | { kind: 'fork'; pick: number }
  | { kind: 'free'; pick: number };

/** Tokens from {0, 1, 2} so that prompts share prefixes (and cached blocks) often. */
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('alloc' as const),
    tokens: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 9 }),
  }),
  fc.record({
    kind: fc.constant('append' as const),
    pick: fc.nat(),
    token: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({
    kind: fc.constant('append' as const),
    pick: fc.nat(),
    token: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constant('fork' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
);

interface Ops {
  fork: (kv: BlockManager, parent: number, child: number) => unknown;
  append: (kv: BlockManager, seq: number, token: number) => unknown;
}
const RIGHT: Ops = {
  fork: (kv, parent, child) => kv.fork(parent, child),
  append: (kv, seq, token) => kv.append(seq, token),
};

/** Every invariant of the manager, checked against the test's own model of each sequence. */
function expectSound(kv: BlockManager, model: Map<number, number[]>): void {
  const { blocks, free, evictable, cache, sequences } = kv.state;
  const B = kv.blockSize;
  // reference counts = table entries pointing at the block (the oracle count), never negative
  const refs = new Array<number>(kv.numBlocks).fill(0);
  for (const seq of sequences.values())
    for (const b of seq.table) refs[b] = (refs[b] as number) + 1;
  expect(blocks.map((b) => b.refCount)).toEqual(refs);
  const referenced = new Set(range(kv.numBlocks).filter((b) => (refs[b] as number) > 0));
  // the pools: free and evictable are disjoint from the referenced blocks and from each other
  expect(free.filter((b) => referenced.has(b) || evictable.has(b))).toEqual([]);
  expect([...evictable].filter((b) => referenced.has(b))).toEqual([]);
  expect(new Set(free).size).toBe(free.length);
  expect(free.length + evictable.size + referenced.size).toBe(kv.numBlocks);
  // the cache names only full blocks, each under its own hash; evictable blocks are cached ones
  for (const [hash, b] of cache) {
    expect(blocks[b]?.hash).toBe(hash);
    expect(blocks[b]?.tokens).toHaveLength(B);
  }
  for (const b of evictable) expect(cache.get(blocks[b]?.hash as BlockHash)).toBe(b);
  // every sequence reads back its tokens; blocks = ceil(len / B); hashes are its prefix hashes
  expect(new Set(kv.sequenceIds())).toEqual(new Set(model.keys()));
  for (const [id, tokens] of model) {
    expect(kv.tokens(id)).toEqual(tokens);
    expect(kv.blockTable(id)).toHaveLength(Math.ceil(tokens.length / B));
    expect(sequences.get(id)?.hashes).toEqual(prefixBlockHashes(tokens, B));
  }
}

/** Runs random operations on a small prefix-caching manager, checking every invariant after each. */
const managerProperty = (ops: Ops) =>
  fc.property(
    fc.array(opArb, { minLength: 1, maxLength: 30 }),
    fc.integer({ min: 1, max: 3 }),
    (list, B) => {
      const kv = new BlockManager(8, B, { prefixCaching: true });
      const model = new Map<number, number[]>();
      let nextId = 0;
      for (const op of list) {
        const live = kv.sequenceIds();
        const pick = (p: number) => live[p % live.length] as number;
        if (op.kind === 'alloc') {
          if (Math.ceil(op.tokens.length / B) > kv.numBlocks || !kv.canAllocate(op.tokens))
            continue;
          kv.allocate(nextId, op.tokens);
          model.set(nextId++, [...op.tokens]);
        } else if (live.length === 0) {
          continue;
        } else if (op.kind === 'append') {
          const id = pick(op.pick);
          if (!kv.canAppend(id)) continue;
          ops.append(kv, id, op.token);
          model.get(id)?.push(op.token);
        } else if (op.kind === 'fork') {
          const id = pick(op.pick);
          ops.fork(kv, id, nextId);
          model.set(nextId++, [...(model.get(id) as number[])]);
        } else {
          const id = pick(op.pick);
          kv.free(id);
          model.delete(id);
        }
        expectSound(kv, model);
      }
    },
  );

describe('the manager under random operation sequences (allocate, append, fork, free; prefix caching on, 8 blocks)', () => {
  it('keeps every invariant: counts, pools, cache, read-back, ceil(len / B)', () => {
    fc.assert(managerProperty(RIGHT), { seed: 7, numRuns: 80 });
  });

  it('rejects a fork that shares blocks without counting them (pitfallForkWithoutRefCounts)', () => {
    rejectsPitfall(
      managerProperty({ ...RIGHT, fork: (kv, p, c) => pitfallForkWithoutRefCounts(kv, p, c) }),
      { seed: 7, numRuns: 80 },
    );
  });
});

/** Fork a prompt, then append to parent and child in a random interleaving: both read back right. */
const copyOnWriteProperty = (append: Ops['append']) =>
  fc.property(
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 10 }),
    fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 9 })), { maxLength: 12 }),
    fc.integer({ min: 2, max: 4 }),
    (prompt, appends, B) => {
      const kv = new BlockManager(32, B);
      kv.allocate(0, prompt);
      kv.fork(0, 1);
      const model = [[...prompt], [...prompt]];
      for (const [toChild, token] of appends) {
        append(kv, toChild ? 1 : 0, token);
        model[toChild ? 1 : 0]?.push(token);
      }
      expect(kv.tokens(0)).toEqual(model[0]);
      expect(kv.tokens(1)).toEqual(model[1]);
      // the common full blocks are still shared: the fork copied no KV
      const shared = Math.floor(prompt.length / B);
      expect(kv.blockTable(1).slice(0, shared)).toEqual(kv.blockTable(0).slice(0, shared));
    },
  );

describe('copy-on-write for parallel samples', () => {
  it('parent and child diverge after a fork and each reads back its own tokens', () => {
    fc.assert(copyOnWriteProperty(RIGHT.append), { seed: 11, numRuns: 100 });
  });

  it('rejects writing into the shared last block in place (pitfallAppendWithoutCopyOnWrite)', () => {
    rejectsPitfall(
      copyOnWriteProperty((kv, seq, t) => pitfallAppendWithoutCopyOnWrite(kv, seq, t)),
      { seed: 11, numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------- hashes

/** Token lists over {0, 1} and a small B, so that equal blocks (at other positions) are common. */
const twoListsArb = fc.tuple(
  fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 12 }),
  fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 12 }),
  fc.integer({ min: 1, max: 3 }),
);

type Hashes = (tokens: readonly number[], blockSize: number) => BlockHash[];

/** h_i(a) = h_i(b) exactly when a and b agree on their first (i + 1) B tokens (brute force). */
const hashNamesPrefix = (hashes: Hashes) =>
  fc.property(twoListsArb, ([a, b, B]) => {
    const ha = hashes(a, B);
    const hb = hashes(b, B);
    for (let i = 0; i < ha.length; i++)
      for (let j = 0; j < hb.length; j++) {
        const samePrefix = i === j && lcp(a, b) >= (i + 1) * B;
        if ((ha[i] === hb[j]) !== samePrefix) return false;
      }
    return true;
  });

/** Changing token k changes the hash of its block and of every later block, and of none before. */
const earlyChangeCascades = (hashes: Hashes) =>
  fc.property(
    fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 2, maxLength: 16 }),
    fc.nat(),
    fc.integer({ min: 1, max: 4 }),
    (tokens, at, B) => {
      const k = at % tokens.length;
      const changed = tokens.map((t, i) => (i === k ? 1 - t : t));
      const before = hashes(tokens, B);
      const after = hashes(changed, B);
      return before.every((h, i) => (h === after[i]) === (i + 1) * B <= k);
    },
  );

/** The hashes of any prefix are a prefix of the hashes of the whole list, floor(n / B) of them. */
const prefixStable = (hashes: Hashes) =>
  fc.property(
    fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 14 }),
    fc.nat(),
    fc.integer({ min: 1, max: 4 }),
    (tokens, cut, B) => {
      const n = cut % (tokens.length + 1);
      const all = hashes(tokens, B);
      const part = hashes(tokens.slice(0, n), B);
      return part.length === Math.floor(n / B) && part.every((h, i) => h === all[i]);
    },
  );

describe('chained block hashes (prefix caching keys)', () => {
  it('a block hash names the whole prefix: equal exactly when the first (i + 1) B tokens are equal', () => {
    fc.assert(hashNamesPrefix(prefixBlockHashes), { seed: 3, numRuns: 200 });
  });

  it('rejects hashing a block without its parent hash (pitfallPrefixHashesWithoutParent): equal blocks collide', () => {
    const [a, , B] = rejectsPitfall(hashNamesPrefix(pitfallPrefixHashesWithoutParent), {
      seed: 3,
      numRuns: 200,
    })[0];
    expect(a.length).toBeGreaterThanOrEqual(B);
  });

  it('changing an early token changes the hash of its block and every later one', () => {
    fc.assert(earlyChangeCascades(prefixBlockHashes), { seed: 5, numRuns: 200 });
  });

  it('rejects the unchained hash: a change in block 0 leaves block 1 unchanged', () => {
    rejectsPitfall(earlyChangeCascades(pitfallPrefixHashesWithoutParent), {
      seed: 5,
      numRuns: 200,
    });
  });

  it('only full blocks are hashed: the hashes of a prefix are a prefix of the whole list', () => {
    fc.assert(prefixStable(prefixBlockHashes), { seed: 9, numRuns: 200 });
  });

  it('rejects hashing the partial last block (pitfallPrefixHashesWithPartialBlock): its key changes as it fills', () => {
    rejectsPitfall(prefixStable(pitfallPrefixHashesWithPartialBlock), { seed: 9, numRuns: 200 });
  });
});

describe('prefix-cache lookups', () => {
  test.prop(
    [
      fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 10 }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 4 }),
    ],
    { numRuns: 100 },
  )(
    'equal prefixes share physical blocks: the longest block-aligned common prefix, less the last token',
    (p, x, y, B) => {
      const kv = new BlockManager(32, B, { prefixCaching: true });
      const a = [...p, ...x];
      const b = [...p, ...y];
      kv.allocate(0, a);
      const { cachedTokens } = kv.allocate(1, b);
      const k = Math.floor(Math.min(lcp(a, b), b.length - 1) / B);
      expect(cachedTokens).toBe(k * B);
      expect(kv.blockTable(1).slice(0, k)).toEqual(kv.blockTable(0).slice(0, k));
      expect(
        kv
          .blockTable(1)
          .slice(k)
          .some((blk) => kv.blockTable(0).includes(blk)),
      ).toBe(false);
    },
  );

  test.prop([fc.integer(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 8 })], {
    numRuns: 25,
  })(
    'a replay with room for everything hits exactly the brute-force longest block-aligned prefix of an earlier request',
    (seed, systems, B) => {
      const workload = sharedPromptWorkload(
        12,
        {
          systemPrompts: systems,
          systemPromptLength: 13,
          meanSuffix: 4,
          meanOutput: 4,
          vocabulary: 3,
        },
        rng(seed),
      );
      const { cachedTokens, hitRate, evictions } = replayWithPrefixCache(workload, 1024, B);
      expect(evictions).toBe(0);
      const expected = workload.map((r, i) => {
        const best = Math.max(
          0,
          ...workload.slice(0, i).map((q) => lcp(r.prompt, [...q.prompt, ...q.output])),
        );
        return Math.floor(Math.min(best, r.prompt.length - 1) / B) * B;
      });
      expect(cachedTokens).toEqual(expected);
      const total = workload.reduce((s, r) => s + r.prompt.length, 0);
      expect(hitRate).toBe(expected.reduce((s, c) => s + c, 0) / total);
    },
  );

  it('a shared 100-token system prompt with B = 16: every request after the first reuses 96 tokens; a small memory evicts and hits less', () => {
    const workload = sharedPromptWorkload(
      30,
      {
        systemPrompts: 1,
        systemPromptLength: 100,
        meanSuffix: 20,
        meanOutput: 20,
        vocabulary: 32_000,
      },
      rng(1),
    );
    const roomy = replayWithPrefixCache(workload, 512, 16);
    expect(roomy.cachedTokens[0]).toBe(0);
    expect(roomy.cachedTokens.slice(1).every((c) => c >= 96)).toBe(true);
    const tight = replayWithPrefixCache(
      sharedPromptWorkload(
        30,
        { systemPrompts: 4, systemPromptLength: 100, meanSuffix: 20, meanOutput: 20 },
        rng(1),
      ),
      24,
      16,
    );
    expect(tight.evictions).toBeGreaterThan(0);
    expect(tight.hitRate).toBeLessThan(roomy.hitRate);
  });
});

// ---------------------------------------------------------------- serving

/** Steps of k servers taking requests first come first served (list scheduling): the oracle. */
function listScheduleSteps(outputs: readonly number[], k: number): number {
  const freeAt = new Array<number>(k).fill(0);
  for (const o of outputs) {
    const m = freeAt.indexOf(Math.min(...freeAt));
    freeAt[m] = (freeAt[m] as number) + o;
  }
  return Math.max(...freeAt);
}

/** Static batches of k, each as long as its longest output. */
function staticBatchSteps(outputs: readonly number[], k: number): number {
  let steps = 0;
  for (let i = 0; i < outputs.length; i += k) steps += Math.max(...outputs.slice(i, i + k));
  return steps;
}

const requestsArb = fc
  .tuple(fc.integer(), fc.integer({ min: 1, max: 30 }))
  .map(([seed, n]) =>
    sampleRequests(n, { meanPrompt: 20, meanOutput: 30, maxLength: 128 }, rng(seed)),
  );

describe('serving: static against continuous batching under one memory budget', () => {
  test.prop([requestsArb, fc.integer({ min: 1, max: 6 })], { numRuns: 30 })(
    'with max-length pre-allocation (B = 128), static = batches of k, continuous = list scheduling on k slots',
    (requests, k) => {
      const outputs = requests.map((r) => r.outputLength);
      const common = { slots: 128 * k, blockSize: 128 };
      const stat = simulateServing(requests, { ...common, batching: 'static' });
      const cont = simulateServing(requests, { ...common, batching: 'continuous' });
      expect(stat.steps).toBe(staticBatchSteps(outputs, k));
      expect(cont.steps).toBe(listScheduleSteps(outputs, k));
      expect(stat.preemptions + cont.preemptions).toBe(0);
    },
  );

  test.prop(
    [requestsArb, fc.integer({ min: 1, max: 16 }), fc.constantFrom('static', 'continuous')],
    {
      numRuns: 40,
    },
  )(
    'paged (B = 8, 256 slots): every token is generated, steps >= the longest output, the KV share equals the memory formula',
    (requests, B, batching) => {
      const result = simulateServing(requests, { slots: 256, blockSize: B, batching });
      const total = requests.reduce((s, r) => s + r.outputLength, 0);
      expect(result.outputTokens).toBe(total);
      expect(result.steps).toBeGreaterThanOrEqual(Math.max(...requests.map((r) => r.outputLength)));
      expect(result.tokensPerStep).toBeLessThanOrEqual(Math.floor(256 / B));
      const formula = kvMemoryWaste(requests, 'paged', { maxLength: 128, blockSize: B });
      expect(result.tokenStateFraction).toBe(formula.tokenStateFraction);
    },
  );

  it('on 60 ShareGPT-like requests and 15,728 slots, paging and continuous batching each raise the tokens per step', () => {
    const requests: ServingRequest[] = sampleRequests(60, {}, rng(2));
    const run = (blockSize: number, batching: 'static' | 'continuous') =>
      simulateServing(requests, { slots: 15_728, blockSize, batching }).tokensPerStep;
    const staticMax = run(2048, 'static');
    const continuousMax = run(2048, 'continuous');
    const continuousPaged = run(16, 'continuous');
    expect(continuousMax).toBeGreaterThan(staticMax);
    expect(continuousPaged).toBeGreaterThan(2 * continuousMax);
    expect(run(16, 'static')).toBeGreaterThan(staticMax);
  });
});

describe('complexity as counted bounds', () => {
  test.prop([fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 8 })], { numRuns: 60 })(
    'a fork copies no token and touches ceil(len / B) counts; copy-on-write copies < B tokens; a lookup probes <= floor((len - 1) / B) blocks',
    (len, B) => {
      const kv = new BlockManager(64, B, { prefixCaching: true });
      const alloc = new Counter();
      kv.allocate(0, range(len), alloc);
      expect(alloc.get('hashes')).toBe(Math.floor(len / B));
      expect(alloc.get('lookups')).toBeLessThanOrEqual(Math.floor((len - 1) / B));
      const fork = new Counter();
      kv.fork(0, 1, fork);
      expect(fork.get('refIncrements')).toBe(Math.ceil(len / B));
      expect(fork.get('copiedTokens')).toBe(0);
      const write = new Counter();
      kv.append(1, 0, write);
      expect(write.get('copiedTokens')).toBe(len % B);
      expect(write.get('copiedTokens')).toBeLessThan(B);
      const again = new Counter();
      kv.allocate(2, range(len), again);
      expect(again.get('lookups')).toBeLessThanOrEqual(Math.floor((len - 1) / B));
    },
  );
});

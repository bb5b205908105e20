/**
 * PagedAttention and prefix caching: KV memory in fixed blocks, shared by reference count, and
 * reused across requests by chained block hashes. Answers: Q28 (Prefix Cache: what it is, how a
 * provider turns it on) and Q29 (vLLM 提速原理: how vLLM speeds up inference).
 *
 * The idea (Kwon et al., SOSP 2023): store a sequence's K and V not in one contiguous slab sized
 * for the longest possible output, but in blocks of B tokens allocated on demand, found through a
 * per-sequence block table, like pages of virtual memory:
 *
 *   token p of a sequence  ->  physical block table[floor(p / B)], slot p mod B
 *   blocks held = ceil(len / B),   slots wasted = B ceil(len / B) - len < B
 *
 * vLLM's default is B = 16 (CacheConfig.DEFAULT_BLOCK_SIZE in vllm/config/cache.py).
 *
 * Q29: a decode step is memory-bound, so throughput grows with the batch, and the batch is capped
 * by KV memory. Reserving the maximum length per request leaves most of that memory empty (the
 * paper's Fig. 2: only 20.4% - 38.2% of the KV cache held token states in the existing systems;
 * the vLLM blog: they "waste 60% – 80%", PagedAttention "under 4%"); paging leaves under one block
 * per sequence. Continuous (iteration-level) batching then admits and retires requests every step
 * instead of waiting for a whole batch. Sharing blocks by reference count (parallel samples, beam
 * search, common prefixes) with copy-on-write saves more. `simulateServing` measures the two
 * effects apart; vLLM's kernels, CUDA graphs and so on are not modelled.
 *
 * Q28: prefix caching keeps the blocks of finished requests and hands them to a new request whose
 * prompt starts with the same tokens: a full block's key is h_i = sha256(h_{i-1} | its B tokens),
 * so a key names the whole prefix, and a lookup reuses the longest run of cached blocks (whole
 * blocks only; the last prompt token is always computed). Unreferenced cached blocks are evicted
 * LRU. Turning it on: in vLLM, `enable_prefix_caching=True` / `--enable-prefix-caching` (on by
 * default in the V1 engine); OpenAI's API caches automatically for prompts of 1024 tokens or more,
 * in 128-token increments; Anthropic's caches up to explicit `cache_control` breakpoints. In every
 * case the shared part (system prompt, tools, documents) must come first and be byte-identical.
 *
 * In this folder: the textbook `appendToken` and `readTokens` below (one pool, block tables, no
 * sharing); ./block-manager.ts, the engineered `BlockManager` (reference counts, fork,
 * copy-on-write, prefix caching, LRU eviction); ./block-hash.ts (chained SHA-256 block hashes);
 * ./simulation.ts (the seeded serving simulation); ./pitfalls.ts.
 *
 * Complexity: the textbook functions copy their state (O(memory) per call, fine on a whiteboard);
 * the manager appends in O(1) plus O(B) when a block fills or is copied.
 *
 * @example
 *   let kv = pagedKv(4, 2);                      // 4 physical blocks of 2 tokens
 *   for (const t of [5, 6, 7]) kv = appendToken(kv, 0, t);
 *   kv.tables.get(0)                             // [0, 1]: [5, 6] full, [7] partial
 *   readTokens(kv, 0)                            // [5, 6, 7]
 */
import { ArgumentError, ArgumentTypeError, assertArray, assertInteger } from '../../core/errors.js';
import { MAX_BLOCKS, MAX_BLOCK_SIZE } from './block-manager.js';

/** Paged KV memory, the textbook state: one pool of physical blocks, a block table per sequence. */
export interface PagedKv {
  readonly blockSize: number;
  /** Physical block -> the tokens whose K, V it holds (slot i at offset i). */
  readonly blocks: readonly (readonly number[])[];
  /** Free physical blocks; the next one is taken from the front. */
  readonly free: readonly number[];
  /** Sequence id -> block table (logical block i -> physical block). */
  readonly tables: ReadonlyMap<number, readonly number[]>;
}

/** Appends `token` to sequence `seq`: the last block's next slot, or a new block. */
export function appendToken(kv: PagedKv, seq: number, token: number): PagedKv {
  assertPagedKv('kv', kv);
  assertInteger('seq', seq, { min: 0 });
  assertInteger('token', token, { min: 0 });
  const table = kv.tables.get(seq) ?? [];
  const last = table[table.length - 1];
  const room = last !== undefined && kv.blocks[last]!.length < kv.blockSize;
  if (room) {
    // the last block has room: the token goes to its next slot
    const blocks = kv.blocks.map((b, i) => (i === last ? [...b, token] : b));
    return { ...kv, blocks };
  }
  // the last block is full (or there is none): map a new logical block
  // to a free physical block
  const [block, ...free] = kv.free;
  if (block === undefined) throw new ArgumentError('kv', kv, 'a free block');
  const blocks = kv.blocks.map((b, i) => (i === block ? [token] : b));
  const tables = new Map(kv.tables).set(seq, [...table, block]);
  return { blockSize: kv.blockSize, blocks, free, tables };
}

/** The tokens of `seq` through its block table: p from table[p / B], slot p mod B. */
export function readTokens(kv: PagedKv, seq: number): number[] {
  assertPagedKv('kv', kv);
  assertInteger('seq', seq, { min: 0 });
  const table = kv.tables.get(seq);
  if (table === undefined) throw new ArgumentError('seq', seq, 'a sequence of kv');
  const B = kv.blockSize;
  const length = (table.length - 1) * B + kv.blocks[table.at(-1)!]!.length;
  // token p is in physical block table[floor(p / B)], slot p mod B
  return Array.from({ length }, (_, p) => kv.blocks[table[Math.floor(p / B)]!]![p % B]!);
}

/** An empty paged memory of `numBlocks` blocks of `blockSize` tokens; block 0 is handed out first. */
export function pagedKv(numBlocks: number, blockSize: number): PagedKv {
  assertInteger('numBlocks', numBlocks, { min: 1, max: MAX_BLOCKS });
  assertInteger('blockSize', blockSize, { min: 1, max: MAX_BLOCK_SIZE });
  return {
    blockSize,
    blocks: Array.from({ length: numBlocks }, () => []),
    free: Array.from({ length: numBlocks }, (_, i) => i),
    tables: new Map(),
  };
}

/** Throws unless `kv` is a consistent PagedKv (checked in full: the textbook state is small). */
export function assertPagedKv(argument: string, kv: unknown): asserts kv is PagedKv {
  if (kv === null || typeof kv !== 'object')
    throw new ArgumentTypeError(argument, kv, 'a PagedKv { blockSize, blocks, free, tables }');
  const { blockSize, blocks, free, tables } = kv as Record<string, unknown>;
  assertInteger(`${argument}.blockSize`, blockSize, { min: 1, max: MAX_BLOCK_SIZE });
  assertArray(`${argument}.blocks`, blocks);
  if (blocks.length === 0 || blocks.length > MAX_BLOCKS)
    throw new ArgumentError(`${argument}.blocks`, blocks, `1 to ${MAX_BLOCKS} blocks`);
  const blockId = (name: string, b: unknown) =>
    assertInteger(name, b, { min: 0, max: blocks.length - 1 });
  blocks.forEach((block, i) => {
    assertArray(`${argument}.blocks[${i}]`, block);
    if (block.length > blockSize)
      throw new ArgumentError(`${argument}.blocks[${i}]`, block, `at most ${blockSize} tokens`);
    block.forEach((t, j) => assertInteger(`${argument}.blocks[${i}][${j}]`, t, { min: 0 }));
  });
  assertArray(`${argument}.free`, free);
  free.forEach((b, i) => blockId(`${argument}.free[${i}]`, b));
  if (!(tables instanceof Map))
    throw new ArgumentTypeError(`${argument}.tables`, tables, 'a Map of block tables');
  for (const [seq, table] of tables) {
    assertArray(`${argument}.tables(${String(seq)})`, table);
    if (table.length === 0)
      throw new ArgumentError(`${argument}.tables(${String(seq)})`, table, 'a non-empty table');
    table.forEach((b, i) => blockId(`${argument}.tables(${String(seq)})[${i}]`, b));
  }
}

export {
  assertParentHash,
  assertTokens,
  blockHash,
  MAX_TOKENS,
  prefixBlockHashes,
  type BlockHash,
} from './block-hash.js';
export {
  assertBlockManager,
  BlockManager,
  MAX_BLOCK_SIZE,
  MAX_BLOCKS,
  type AppendResult,
  type BlockManagerOptions,
  type BlockManagerState,
  type PhysicalBlock,
  type SequenceState,
} from './block-manager.js';
export {
  assertRequests,
  kvMemoryWaste,
  replayWithPrefixCache,
  RESERVATION_POLICIES,
  reservedSlots,
  sampleRequests,
  sharedPromptWorkload,
  simulateServing,
  type PrefixCacheResult,
  type ReservationOptions,
  type ReservationPolicy,
  type ServingOptions,
  type ServingRequest,
  type ServingResult,
  type SharedPromptOptions,
  type TokenRequest,
  type WasteResult,
  type WorkloadOptions,
} from './simulation.js';
export {
  pitfallAppendWithoutCopyOnWrite,
  pitfallBlockHashWithoutParent,
  pitfallForkWithoutRefCounts,
  pitfallPrefixHashesWithPartialBlock,
  pitfallPrefixHashesWithoutParent,
} from './pitfalls.js';

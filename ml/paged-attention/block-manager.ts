/**
 * The engineered block manager: what vLLM's scheduler keeps for PagedAttention, on token ids
 * instead of K and V tensors (a physical block stores, per slot, the token whose K, V it would hold).
 *
 * - Block tables: sequence id -> [physical block of logical block 0, 1, ...]; token p lives in
 *   block table[floor(p / B)] at slot p mod B, so a sequence never holds more than ceil(len / B)
 *   blocks and wastes fewer than B slots (only its last block is partial).
 * - Reference counts: a block's count is the number of block-table entries pointing at it. `fork`
 *   (parallel sampling, beam search) copies the parent's table and increments the counts; no KV
 *   is copied. A block returns to a pool only when its count reaches 0.
 * - Copy-on-write: full blocks are never written again; writing the next token into a partial
 *   last block that another sequence shares (count > 1) first copies it to a fresh block.
 * - Prefix caching (optional): each FULL block is registered under its chained hash
 *   (./block-hash.ts). `allocate` reuses the longest run of cached full blocks at the start of the
 *   prompt, up to floor((len - 1) / B) of them: like vLLM, the last prompt token is always computed,
 *   the model needs its query to produce the next token's logits. When a cached block's count
 *   drops to 0 it stays cached but becomes evictable; evictable blocks are reused only when the
 *   pool of uncached free blocks is empty, least recently released first (a sequence releases its
 *   blocks last-first, so the tail of a prefix is evicted before its head, as in vLLM). vLLM V1
 *   keeps the two pools in one LRU queue instead; the cache hits are the same until memory is short.
 *   Two equal full blocks may exist (vLLM V1 keeps block tables append-only, so it does not merge
 *   them); the first one registered is the one the cache names.
 *
 * State is explicit (`manager.state`, plain data: read it, only the methods write it) and every
 * method checks its arguments before it changes anything, so a rejected call leaves the state as
 * it was. The scheduler asks `canAllocate` / `canAppend` first; a call that cannot get a block
 * throws instead of silently evicting a live sequence.
 *
 * Complexity: allocate O(len) (hashing) + O(len / B) lookups; append O(1), plus O(B) when it
 * fills a block (one hash) or copies one; fork and free O(len / B); no operation copies more than
 * one block's tokens.
 *
 * @example
 *   const kv = new BlockManager(8, 4, { prefixCaching: true });
 *   kv.allocate(1, [7, 7, 7, 7, 1, 2]);          // blocks [0, 1]; block 0 is full and cached
 *   kv.allocate(2, [7, 7, 7, 7, 9]);             // { cachedTokens: 4 }: block 0 is shared
 *   kv.fork(1, 3); kv.append(3, 5);              // seq 3 copies block 1 before writing (CoW)
 *   kv.tokens(3)                                 // [7, 7, 7, 7, 1, 2, 5]
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertBoolean,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import { assertTokens, blockHash, prefixBlockHashes, type BlockHash } from './block-hash.js';

/** Bounds on a manager's size, so that construction and every loop stay fast. */
export const MAX_BLOCKS = 2 ** 16;
export const MAX_BLOCK_SIZE = 2 ** 12;

/** One physical KV block. */
export interface PhysicalBlock {
  /** Block-table entries (over all sequences) that point at this block. */
  refCount: number;
  /** Slot i holds the token whose K, V would be stored at offset i; length <= B. */
  tokens: number[];
  /** Set while the prefix cache names this block (full blocks only). */
  hash: BlockHash | undefined;
}

/** What the manager knows of one sequence. */
export interface SequenceState {
  /** Logical block i -> physical block. */
  table: number[];
  /** Tokens stored: the last block holds length - B (table.length - 1) of them. */
  length: number;
  /** Chained hashes of its full blocks (empty without prefix caching). */
  hashes: BlockHash[];
}

export interface BlockManagerState {
  readonly blocks: PhysicalBlock[];
  /** Uncached free blocks, a stack: a fresh manager hands out block 0, 1, 2, ... */
  readonly free: number[];
  /** Cached blocks with refCount 0, in eviction order (least recently released first). */
  readonly evictable: Set<number>;
  /** The prefix cache: chained hash -> the physical block holding that full block. */
  readonly cache: Map<BlockHash, number>;
  readonly sequences: Map<number, SequenceState>;
  /** Cached blocks evicted so far, and blocks copied by copy-on-write. */
  evictions: number;
  copies: number;
}

export interface BlockManagerOptions {
  /** Register full blocks under their chained hash and reuse them (default false). */
  prefixCaching?: boolean;
}

/** Where `append` wrote a token; `copiedFrom` is set when it copied a shared block first. */
export interface AppendResult {
  block: number;
  offset: number;
  copiedFrom: number | undefined;
}

export class BlockManager {
  readonly numBlocks: number;
  readonly blockSize: number;
  readonly prefixCaching: boolean;
  /** The whole state, as plain data (see BlockManagerState). */
  readonly state: BlockManagerState;

  constructor(numBlocks: number, blockSize: number, options: BlockManagerOptions = {}) {
    assertInteger('numBlocks', numBlocks, { min: 1, max: MAX_BLOCKS });
    assertInteger('blockSize', blockSize, { min: 1, max: MAX_BLOCK_SIZE });
    assertObject('options', options, 'options { prefixCaching? }');
    const { prefixCaching = false } = options;
    assertBoolean('options.prefixCaching', prefixCaching);
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
    this.prefixCaching = prefixCaching;
    this.state = {
      blocks: Array.from({ length: numBlocks }, () => ({
        refCount: 0,
        tokens: [],
        hash: undefined,
      })),
      free: Array.from({ length: numBlocks }, (_, i) => numBlocks - 1 - i),
      evictable: new Set(),
      cache: new Map(),
      sequences: new Map(),
      evictions: 0,
      copies: 0,
    };
  }

  // ------------------------------------------------------------------ queries

  /** Whether `seqId` is a live sequence. */
  has(seqId: number): boolean {
    assertInteger('seqId', seqId, { min: 0 });
    return this.state.sequences.has(seqId);
  }

  /** The live sequence ids, in the order they were allocated or forked. */
  sequenceIds(): number[] {
    return [...this.state.sequences.keys()];
  }

  /** Blocks an allocation can take: uncached free blocks plus evictable cached ones. */
  freeBlockCount(): number {
    return this.state.free.length + this.state.evictable.size;
  }

  /** Blocks some sequence references. */
  usedBlockCount(): number {
    return this.numBlocks - this.freeBlockCount();
  }

  /** Full blocks the prefix cache names (referenced or evictable). */
  cachedBlockCount(): number {
    return this.state.cache.size;
  }

  /** A copy of the sequence's block table (logical block i -> physical block). */
  blockTable(seqId: number): number[] {
    return [...this.sequence('seqId', seqId).table];
  }

  /** The sequence's length in tokens. */
  length(seqId: number): number {
    return this.sequence('seqId', seqId).length;
  }

  /** The sequence's tokens read back through its block table: token p from table[p / B], slot p mod B. */
  tokens(seqId: number): number[] {
    const { table, length } = this.sequence('seqId', seqId);
    const B = this.blockSize;
    const { blocks } = this.state;
    return Array.from(
      { length },
      (_, p) =>
        (blocks[table[Math.floor(p / B)] as number] as PhysicalBlock).tokens[p % B] as number,
    );
  }

  /** Whether `allocate(id, prompt)` would succeed now (a prompt longer than memory is an error). */
  canAllocate(prompt: readonly number[]): boolean {
    return this.plan(prompt).fits;
  }

  /** Whether `append(seqId, token)` would succeed now. */
  canAppend(seqId: number): boolean {
    const seq = this.sequence('seqId', seqId);
    return !this.appendNeedsBlock(seq) || this.freeBlockCount() > 0;
  }

  // ------------------------------------------------------------------ operations

  /**
   * A new sequence holding `prompt`. With prefix caching, its leading full blocks that are cached
   * are shared (their counts go up) and only the rest is written; returns the tokens reused and
   * the block table. Counts 'lookups' (cache probes), 'hashes' and 'blocks' (blocks taken).
   */
  allocate(
    seqId: number,
    prompt: readonly number[],
    counter?: Counter,
  ): { cachedTokens: number; table: number[] } {
    this.assertNewId('seqId', seqId);
    assertOptionalCounter('counter', counter);
    const plan = this.plan(prompt, counter);
    if (!plan.fits) {
      throw new ArgumentError(
        'prompt',
        prompt,
        `a prompt whose new blocks fit in the ${this.freeBlockCount()} free ones (ask canAllocate)`,
      );
    }
    const { blocks, evictable } = this.state;
    const B = this.blockSize;
    // touch the cache hits: one more reference each, and no longer evictable
    for (const b of plan.hits) {
      (blocks[b] as PhysicalBlock).refCount++;
      evictable.delete(b);
    }
    const table = [...plan.hits];
    for (let i = plan.hits.length; i * B < prompt.length; i++) {
      const b = this.takeBlock();
      const block = blocks[b] as PhysicalBlock;
      block.refCount = 1;
      block.tokens = prompt.slice(i * B, (i + 1) * B);
      table.push(b);
      const hash = plan.hashes[i];
      if (hash !== undefined) this.register(b, hash);
    }
    counter?.add('blocks', table.length - plan.hits.length);
    this.state.sequences.set(seqId, { table, length: prompt.length, hashes: plan.hashes });
    return { cachedTokens: plan.hits.length * B, table: [...table] };
  }

  /**
   * Appends one token: into the last block if it has room and is not shared, into a copy of it if
   * it is shared (copy-on-write), or into a new block if it is full. Counts 'copiedTokens' and
   * 'hashes' (a block that fills is hashed).
   */
  append(seqId: number, token: number, counter?: Counter): AppendResult {
    const seq = this.sequence('seqId', seqId);
    assertInteger('token', token, { min: 0 });
    assertOptionalCounter('counter', counter);
    const needsBlock = this.appendNeedsBlock(seq);
    if (needsBlock && this.freeBlockCount() === 0) {
      throw new ArgumentError(
        'seqId',
        seqId,
        'a sequence whose next token has a block (canAppend is false: preempt or free one first)',
      );
    }
    const { blocks } = this.state;
    const B = this.blockSize;
    const offset = seq.length % B;
    const lastIndex = offset === 0 ? seq.table.length : seq.table.length - 1;
    let copiedFrom: number | undefined;
    if (offset === 0) {
      // the last block is full: take a new one
      const b = this.takeBlock();
      (blocks[b] as PhysicalBlock).refCount = 1;
      seq.table.push(b);
    } else if (needsBlock) {
      // the last block is shared: copy its first `offset` slots, then write into the copy
      copiedFrom = seq.table[lastIndex] as number;
      const shared = blocks[copiedFrom] as PhysicalBlock;
      const b = this.takeBlock();
      const copy = blocks[b] as PhysicalBlock;
      copy.refCount = 1;
      copy.tokens = shared.tokens.slice(0, offset);
      shared.refCount--;
      seq.table[lastIndex] = b;
      this.state.copies++;
      counter?.add('copiedTokens', offset);
    }
    const b = seq.table[lastIndex] as number;
    const block = blocks[b] as PhysicalBlock;
    // token p goes to slot p mod B of its block (the block holds exactly `offset` tokens now)
    block.tokens.push(token);
    seq.length++;
    if (this.prefixCaching && offset + 1 === B) {
      // the block is now full: h_i = sha256(h_{i-1} | its tokens)
      const hash = blockHash(seq.hashes[lastIndex - 1], block.tokens);
      seq.hashes.push(hash);
      this.register(b, hash);
      counter?.add('hashes');
    }
    return { block: b, offset, copiedFrom };
  }

  /**
   * A child sequence sharing every block of its parent (parallel sampling, beam search): the
   * table is copied and each count goes up by one; no token is copied. Counts 'refIncrements'.
   */
  fork(parentId: number, childId: number, counter?: Counter): number[] {
    const parent = this.sequence('parentId', parentId);
    this.assertNewId('childId', childId);
    assertOptionalCounter('counter', counter);
    for (const b of parent.table) (this.state.blocks[b] as PhysicalBlock).refCount++;
    counter?.add('refIncrements', parent.table.length);
    this.state.sequences.set(childId, {
      table: [...parent.table],
      length: parent.length,
      hashes: [...parent.hashes],
    });
    return [...parent.table];
  }

  /**
   * Ends a sequence: each of its blocks loses one reference, last block first; a block whose
   * count reaches 0 becomes evictable if the cache names it, free otherwise. Returns how many
   * blocks were released to the pools.
   */
  free(seqId: number): number {
    const seq = this.sequence('seqId', seqId);
    const { blocks, evictable, free } = this.state;
    let released = 0;
    for (let i = seq.table.length - 1; i >= 0; i--) {
      const b = seq.table[i] as number;
      const block = blocks[b] as PhysicalBlock;
      block.refCount--;
      if (block.refCount > 0) continue;
      released++;
      if (block.hash !== undefined) evictable.add(b);
      else {
        block.tokens = [];
        free.push(b);
      }
    }
    this.state.sequences.delete(seqId);
    return released;
  }

  // ------------------------------------------------------------------ internals

  private sequence(argument: string, seqId: unknown): SequenceState {
    assertInteger(argument, seqId, { min: 0 });
    const seq = this.state.sequences.get(seqId);
    if (seq === undefined) throw new ArgumentError(argument, seqId, 'the id of a live sequence');
    return seq;
  }

  private assertNewId(argument: string, seqId: unknown): void {
    assertInteger(argument, seqId, { min: 0 });
    if (this.state.sequences.has(seqId))
      throw new ArgumentError(argument, seqId, 'an id that no live sequence uses');
  }

  private appendNeedsBlock(seq: SequenceState): boolean {
    const offset = seq.length % this.blockSize;
    if (offset === 0) return true;
    const last = seq.table[seq.table.length - 1] as number;
    return (this.state.blocks[last] as PhysicalBlock).refCount > 1;
  }

  /** What `allocate(prompt)` would do: its full-block hashes, the cache hits, whether it fits. */
  private plan(
    prompt: unknown,
    counter?: Counter,
  ): { hashes: BlockHash[]; hits: number[]; fits: boolean } {
    assertTokens('prompt', prompt);
    const B = this.blockSize;
    const needed = Math.ceil(prompt.length / B);
    if (prompt.length === 0) throw new ArgumentError('prompt', prompt, 'at least one token');
    if (needed > this.numBlocks) {
      throw new ArgumentError(
        'prompt',
        prompt,
        `at most numBlocks * blockSize = ${this.numBlocks * B} tokens (the whole KV memory)`,
      );
    }
    if (!this.prefixCaching) return { hashes: [], hits: [], fits: needed <= this.freeBlockCount() };
    const hashes = prefixBlockHashes(prompt, B);
    counter?.add('hashes', hashes.length);
    // the longest run of cached full blocks, leaving at least the last prompt token to compute
    const hits: number[] = [];
    const maxHits = Math.floor((prompt.length - 1) / B);
    for (let i = 0; i < maxHits; i++) {
      counter?.add('lookups');
      const b = this.state.cache.get(hashes[i] as BlockHash);
      if (b === undefined) break;
      hits.push(b);
    }
    const { blocks } = this.state;
    const revived = hits.filter((b) => (blocks[b] as PhysicalBlock).refCount === 0).length;
    return { hashes, hits, fits: needed - hits.length <= this.freeBlockCount() - revived };
  }

  /** A block for new tokens: an uncached free one, else the least recently released cached one. */
  private takeBlock(): number {
    const { free, evictable, blocks, cache } = this.state;
    const b = free.pop();
    if (b !== undefined) return b;
    // the free pool is empty: evict the LRU unreferenced cached block (callers checked there is one)
    const victim = evictable.values().next().value as number;
    evictable.delete(victim);
    const block = blocks[victim] as PhysicalBlock;
    cache.delete(block.hash as BlockHash);
    block.hash = undefined;
    block.tokens = [];
    this.state.evictions++;
    return victim;
  }

  /** Names a full block in the cache, unless an equal block is already named. */
  private register(b: number, hash: BlockHash): void {
    if (this.state.cache.has(hash)) return;
    this.state.cache.set(hash, b);
    (this.state.blocks[b] as PhysicalBlock).hash = hash;
  }
}

/** Throws unless `value` is a BlockManager. */
export function assertBlockManager(
  argument: string,
  value: unknown,
): asserts value is BlockManager {
  if (!(value instanceof BlockManager))
    throw new ArgumentTypeError(argument, value, 'a BlockManager (new BlockManager(n, B))');
}

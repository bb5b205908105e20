/**
 * The common wrong answers about paged KV memory and prefix caching, kept so that the answer key
 * can reject each with the property the right answer passes, and the notebook can show them.
 */
import { createHash } from 'node:crypto';
import { ArgumentError, assertInteger } from '../../core/errors.js';
import { assertParentHash, assertTokens, MAX_TOKENS, type BlockHash } from './block-hash.js';
import { assertBlockManager, type BlockManager, type PhysicalBlock } from './block-manager.js';

/** Pitfall: a block hashed by its own tokens only, so equal blocks after different prefixes collide. */
export function pitfallBlockHashWithoutParent(
  parent: BlockHash | undefined,
  tokens: readonly number[],
): BlockHash {
  assertParentHash('parent', parent);
  assertTokens('tokens', tokens);
  return createHash('sha256')
    .update(`root|${tokens.join(',')}`)
    .digest('hex');
}

/** Pitfall: prefix hashes built with `pitfallBlockHashWithoutParent` (no chaining). */
export function pitfallPrefixHashesWithoutParent(
  tokens: readonly number[],
  blockSize: number,
): BlockHash[] {
  assertTokens('tokens', tokens);
  assertInteger('blockSize', blockSize, { min: 1, max: MAX_TOKENS });
  const hashes: BlockHash[] = [];
  for (let i = 0; (i + 1) * blockSize <= tokens.length; i++)
    hashes.push(
      pitfallBlockHashWithoutParent(
        hashes[i - 1],
        tokens.slice(i * blockSize, (i + 1) * blockSize),
      ),
    );
  return hashes;
}

/**
 * Pitfall: hashing (and so caching) the trailing partial block too; its key names content that
 * the next append changes, so the hashes of a prefix are no longer a prefix of the hashes of its
 * extension.
 */
export function pitfallPrefixHashesWithPartialBlock(
  tokens: readonly number[],
  blockSize: number,
): BlockHash[] {
  assertTokens('tokens', tokens);
  assertInteger('blockSize', blockSize, { min: 1, max: MAX_TOKENS });
  const hashes: BlockHash[] = [];
  let parent = 'root';
  for (let i = 0; i * blockSize < tokens.length; i++) {
    const block = tokens.slice(i * blockSize, (i + 1) * blockSize);
    parent = createHash('sha256')
      .update(`${parent}|${block.join(',')}`)
      .digest('hex');
    hashes.push(parent);
  }
  return hashes;
}

/**
 * Pitfall: a fork that copies the parent's block table without incrementing reference counts;
 * freeing the parent then returns blocks the child still reads to the free pool.
 */
export function pitfallForkWithoutRefCounts(
  manager: BlockManager,
  parentId: number,
  childId: number,
): number[] {
  assertBlockManager('manager', manager);
  const table = manager.blockTable(parentId);
  assertInteger('childId', childId, { min: 0 });
  if (manager.has(childId))
    throw new ArgumentError('childId', childId, 'an id that no live sequence uses');
  const parent = manager.state.sequences.get(parentId);
  manager.state.sequences.set(childId, {
    table: [...table],
    length: manager.length(parentId),
    hashes: [...(parent?.hashes ?? [])],
  });
  return table;
}

/**
 * Pitfall: appending into the last block even when another sequence shares it (no copy-on-write):
 * the token lands in the sibling's KV too.
 */
export function pitfallAppendWithoutCopyOnWrite(
  manager: BlockManager,
  seqId: number,
  token: number,
): void {
  assertBlockManager('manager', manager);
  const table = manager.blockTable(seqId);
  assertInteger('token', token, { min: 0 });
  const length = manager.length(seqId);
  const offset = length % manager.blockSize;
  const shared = manager.state.blocks[table[table.length - 1] as number] as PhysicalBlock;
  if (offset === 0 || shared.refCount === 1) {
    manager.append(seqId, token);
    return;
  }
  // writes slot `offset` of the shared block in place
  shared.tokens[offset] = token;
  (manager.state.sequences.get(seqId) as { length: number }).length = length + 1;
}

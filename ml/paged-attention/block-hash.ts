/**
 * Chained block hashes, the keys of prefix caching (vLLM's automatic prefix caching, docs
 * design/prefix_caching): a FULL block of B tokens is named by
 *
 *   h_0 = sha256(ROOT | tokens[0, B)),   h_i = sha256(h_{i-1} | tokens[iB, (i+1)B))
 *
 * so h_i stands for the whole prefix tokens[0, (i+1)B), not just the block's own tokens: the K and
 * V of a token depend on every token before it, so two blocks with equal tokens at different
 * positions (or after different prefixes) hold different KV and must not share a key. Only full
 * blocks are hashed: a partial block will still grow, and its hash would name content that the next
 * append changes. vLLM also mixes "extra keys" (LoRA id, multimodal hashes, a cache salt) into the
 * hash; they are left out here. SHA-256 from node:crypto, as vLLM recommends for multi-tenant setups.
 *
 * Complexity: O(B) per block, O(n) for the hashes of an n-token sequence.
 *
 * @example
 *   prefixBlockHashes([1, 2, 3, 4, 5], 2) // two hashes: [1, 2] and [1, 2 | 3, 4]; [5] is partial
 */
import { createHash } from 'node:crypto';
import { ArgumentError, ArgumentTypeError, assertArray, assertInteger } from '../../core/errors.js';

/** A block hash: 64 lower-case hex digits of SHA-256. */
export type BlockHash = string;

/** The parent of the first block (no real hash is this string). */
const ROOT = 'root';

/** The longest token list accepted anywhere in this module (bounds every loop). */
export const MAX_TOKENS = 2 ** 20;

/** Throws unless `tokens` is an array of at most MAX_TOKENS integer token ids >= 0. */
export function assertTokens(argument: string, tokens: unknown): asserts tokens is number[] {
  assertArray(argument, tokens);
  if (tokens.length > MAX_TOKENS)
    throw new ArgumentError(argument, tokens, `at most ${MAX_TOKENS} tokens`);
  for (let i = 0; i < tokens.length; i++) {
    const t: unknown = tokens[i];
    // the fast check first; assertInteger only to throw the right error
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0)
      assertInteger(`${argument}[${i}]`, t, { min: 0 });
  }
}

/** Throws unless `hash` is undefined (the first block) or a BlockHash. */
export function assertParentHash(
  argument: string,
  hash: unknown,
): asserts hash is BlockHash | undefined {
  if (hash === undefined) return;
  if (typeof hash !== 'string')
    throw new ArgumentTypeError(argument, hash, 'a block hash (64 hex digits) or undefined');
  if (!/^[0-9a-f]{64}$/.test(hash))
    throw new ArgumentError(argument, hash, 'a block hash (64 hex digits) or undefined');
}

/** The hash of one block: sha256 of the parent block's hash and the block's tokens. */
export function blockHash(parent: BlockHash | undefined, tokens: readonly number[]): BlockHash {
  assertParentHash('parent', parent);
  assertTokens('tokens', tokens);
  return createHash('sha256')
    .update(`${parent ?? ROOT}|${tokens.join(',')}`)
    .digest('hex');
}

/** The chained hashes of the floor(n / B) full blocks of `tokens`; a trailing partial block has none. */
export function prefixBlockHashes(tokens: readonly number[], blockSize: number): BlockHash[] {
  assertTokens('tokens', tokens);
  assertInteger('blockSize', blockSize, { min: 1, max: MAX_TOKENS });
  const hashes: BlockHash[] = [];
  for (let i = 0; (i + 1) * blockSize <= tokens.length; i++) {
    // h_i = sha256(h_{i-1} | tokens[iB, (i+1)B))
    hashes.push(blockHash(hashes[i - 1], tokens.slice(i * blockSize, (i + 1) * blockSize)));
  }
  return hashes;
}

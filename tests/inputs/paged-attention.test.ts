/**
 * Input checks of PagedAttention and prefix caching (ml/paged-attention/): block size 0 or
 * negative, non-integer tokens, negative lengths, unknown sequence ids, capacity 0, a prompt longer
 * than memory, and the rest: every bad call names its argument with a typed error.
 */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { rng } from '../../core/random.js';
import {
  appendToken,
  BlockManager,
  blockHash,
  kvMemoryWaste,
  pagedKv,
  pitfallAppendWithoutCopyOnWrite,
  pitfallBlockHashWithoutParent,
  pitfallForkWithoutRefCounts,
  pitfallPrefixHashesWithPartialBlock,
  prefixBlockHashes,
  readTokens,
  replayWithPrefixCache,
  reservedSlots,
  sampleRequests,
  sharedPromptWorkload,
  simulateServing,
  type PagedKv,
  type ReservationPolicy,
  type ServingRequest,
} from '../../ml/paged-attention/index.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;

/** A manager with sequence 1 = [1, 2, 3] and nothing free but one block (4 blocks of 2). */
function manager(): BlockManager {
  const kv = new BlockManager(4, 2, { prefixCaching: true });
  kv.allocate(1, [1, 2, 3]);
  return kv;
}

const full = (): BlockManager => {
  const kv = new BlockManager(2, 2);
  kv.allocate(1, [1, 2, 3, 4]);
  return kv;
};

describe('the textbook block table', () => {
  const kv = appendToken(pagedKv(2, 2), 0, 1);
  badCalls([
    ['block size 0', () => pagedKv(4, 0), 'blockSize'],
    ['a negative block size', () => pagedKv(4, -16), 'blockSize'],
    ['capacity 0', () => pagedKv(0, 16), 'numBlocks'],
    ['a fractional token', () => appendToken(kv, 0, 1.5), 'token'],
    ['a negative token id', () => appendToken(kv, 0, -1), 'token'],
    ['a token that is a string', () => appendToken(kv, 0, junk('7')), 'token', ArgumentTypeError],
    ['a negative sequence id', () => appendToken(kv, -1, 1), 'seq'],
    ['an unknown sequence id', () => readTokens(kv, 9), 'seq'],
    ['a kv that is null', () => readTokens(junk(null), 0), 'kv', ArgumentTypeError],
    [
      'a block table pointing outside the memory',
      () => readTokens({ ...kv, tables: new Map([[0, [5]]]) }, 0),
      'kv.tables(0)[0]',
    ],
    [
      'a block holding more than B tokens',
      () => readTokens({ ...kv, blocks: [[1, 2, 3], []] }, 0),
      'kv.blocks[0]',
    ],
    [
      'tables that are a plain object',
      () => readTokens(junk<PagedKv>({ ...kv, tables: {} }), 0),
      'kv.tables',
      ArgumentTypeError,
    ],
    [
      'a full memory',
      () => [1, 2, 3, 4].reduce((m, t) => appendToken(m, 0, t), pagedKv(2, 1)),
      'kv',
    ],
  ]);
});

describe('block hashes', () => {
  badCalls([
    ['a fractional token', () => blockHash(undefined, [1, 2.5]), 'tokens[1]'],
    ['a NaN token', () => blockHash(undefined, [Number.NaN]), 'tokens[0]'],
    [
      'tokens that are not an array',
      () => blockHash(undefined, junk('12')),
      'tokens',
      ArgumentTypeError,
    ],
    ['a parent that is not a hash', () => blockHash('abc', [1]), 'parent'],
    ['a parent that is a number', () => blockHash(junk(7), [1]), 'parent', ArgumentTypeError],
    ['block size 0', () => prefixBlockHashes([1, 2], 0), 'blockSize'],
    ['a negative block size', () => prefixBlockHashes([1, 2], -2), 'blockSize'],
    ['the pitfalls check too', () => pitfallBlockHashWithoutParent(undefined, [-1]), 'tokens[0]'],
    [
      'the partial-block pitfall checks B',
      () => pitfallPrefixHashesWithPartialBlock([1], 0),
      'blockSize',
    ],
  ]);
});

describe('the block manager', () => {
  badCalls([
    ['block size 0', () => new BlockManager(4, 0), 'blockSize'],
    ['a negative block size', () => new BlockManager(4, -1), 'blockSize'],
    ['capacity 0', () => new BlockManager(0, 16), 'numBlocks'],
    ['a fractional capacity', () => new BlockManager(2.5, 16), 'numBlocks'],
    ['2^31 blocks (would not return)', () => new BlockManager(2 ** 31, 16), 'numBlocks'],
    [
      'prefixCaching that is not a boolean',
      () => new BlockManager(4, 2, junk({ prefixCaching: 'yes' })),
      'options.prefixCaching',
      ArgumentTypeError,
    ],
    [
      'a prompt longer than memory',
      () => manager().allocate(2, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
      'prompt',
    ],
    [
      'a prompt longer than memory, asked first',
      () => manager().canAllocate(new Array(9).fill(0)),
      'prompt',
    ],
    ['a prompt that fits only once the others are freed', () => full().allocate(2, [5]), 'prompt'],
    ['an empty prompt', () => manager().allocate(2, []), 'prompt'],
    ['a non-integer token in a prompt', () => manager().allocate(2, [1, 0.5]), 'prompt[1]'],
    ['a negative token in a prompt', () => manager().allocate(2, [-3]), 'prompt[0]'],
    [
      'a prompt that is a string',
      () => manager().allocate(2, junk('abc')),
      'prompt',
      ArgumentTypeError,
    ],
    ['an id already in use', () => manager().allocate(1, [1]), 'seqId'],
    ['a negative id', () => manager().allocate(-1, [1]), 'seqId'],
    ['an unknown sequence id (append)', () => manager().append(7, 1), 'seqId'],
    ['an unknown sequence id (free)', () => manager().free(7), 'seqId'],
    ['an unknown sequence id (read back)', () => manager().tokens(7), 'seqId'],
    ['an unknown parent', () => manager().fork(7, 8), 'parentId'],
    ['a child id already in use', () => manager().fork(1, 1), 'childId'],
    ['a fractional token', () => manager().append(1, 0.5), 'token'],
    ['appending with no block left', () => full().append(1, 5), 'seqId'],
    [
      'a counter that is not a Counter',
      () => manager().allocate(2, [1], junk({ hashes: 0 })),
      'counter',
      ArgumentTypeError,
    ],
    [
      'the fork pitfall checks the manager',
      () => pitfallForkWithoutRefCounts(junk({}), 1, 2),
      'manager',
      ArgumentTypeError,
    ],
    [
      'the fork pitfall checks the parent',
      () => pitfallForkWithoutRefCounts(manager(), 7, 2),
      'seqId',
    ],
    [
      'the fork pitfall checks the child',
      () => pitfallForkWithoutRefCounts(manager(), 1, 1),
      'childId',
    ],
    [
      'the append pitfall checks the token',
      () => pitfallAppendWithoutCopyOnWrite(manager(), 1, -1),
      'token',
    ],
  ]);
});

describe('the simulation', () => {
  const request: ServingRequest = { promptLength: 4, outputLength: 3 };
  const options = { maxLength: 64, blockSize: 16 };
  badCalls([
    ['a negative request count', () => sampleRequests(-1, {}, rng(1)), 'n'],
    [
      'a mean prompt length below 1',
      () => sampleRequests(3, { meanPrompt: 0 }, rng(1)),
      'options.meanPrompt',
    ],
    [
      'a negative mean output length',
      () => sampleRequests(3, { meanOutput: -5 }, rng(1)),
      'options.meanOutput',
    ],
    [
      'a plain object for the rng',
      () => sampleRequests(3, {}, junk({ uniform: () => 0.5 })),
      'rng',
      ArgumentTypeError,
    ],
    [
      'a negative prompt length',
      () => kvMemoryWaste([{ promptLength: -4, outputLength: 3 }], 'paged', options),
      'requests[0].promptLength',
    ],
    [
      'a fractional output length',
      () => kvMemoryWaste([{ promptLength: 4, outputLength: 2.5 }], 'paged', options),
      'requests[0].outputLength',
    ],
    [
      'an unknown policy',
      () => kvMemoryWaste([request], junk<ReservationPolicy>('lazy'), options),
      'policy',
    ],
    [
      'block size 0',
      () => kvMemoryWaste([request], 'paged', { ...options, blockSize: 0 }),
      'options.blockSize',
    ],
    [
      'a request longer than the maximum length',
      () => kvMemoryWaste([{ promptLength: 60, outputLength: 10 }], 'max', options),
      'requests[0]',
    ],
    ['a context past the request', () => reservedSlots(request, 8, 'paged', options), 'context'],
    [
      'serving with capacity 0',
      () => simulateServing([request], { slots: 0, blockSize: 16, batching: 'continuous' }),
      'options.slots',
    ],
    [
      'serving with less than one block of slots',
      () => simulateServing([request], { slots: 8, blockSize: 16, batching: 'continuous' }),
      'options.slots',
    ],
    [
      'serving a request longer than memory',
      () =>
        simulateServing([{ promptLength: 40, outputLength: 9 }], {
          slots: 32,
          blockSize: 16,
          batching: 'static',
        }),
      'requests[0]',
    ],
    [
      'serving with block size -16',
      () => simulateServing([request], { slots: 64, blockSize: -16, batching: 'static' }),
      'options.blockSize',
    ],
    [
      'an unknown batching',
      () => simulateServing([request], { slots: 64, blockSize: 16, batching: junk('dynamic') }),
      'options.batching',
    ],
    [
      'a system prompt of negative length',
      () =>
        sharedPromptWorkload(
          3,
          { systemPrompts: 1, systemPromptLength: -1, meanSuffix: 2, meanOutput: 2 },
          rng(1),
        ),
      'options.systemPromptLength',
    ],
    [
      'zero system prompts',
      () =>
        sharedPromptWorkload(
          3,
          { systemPrompts: 0, systemPromptLength: 4, meanSuffix: 2, meanOutput: 2 },
          rng(1),
        ),
      'options.systemPrompts',
    ],
    ['replay with capacity 0', () => replayWithPrefixCache([], 0, 16), 'numBlocks'],
    [
      'replaying a prompt longer than memory',
      () => replayWithPrefixCache([{ systemPrompt: 0, prompt: [1, 2, 3], output: [4] }], 1, 2),
      'workload[0]',
    ],
    [
      'replaying a non-integer token',
      () => replayWithPrefixCache([{ systemPrompt: 0, prompt: [1, 0.5], output: [] }], 4, 2),
      'workload[0].prompt[1]',
    ],
  ]);
});

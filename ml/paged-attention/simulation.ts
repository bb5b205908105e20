/**
 * A seeded serving simulation on the block manager: how much KV memory pre-allocation wastes
 * against paging, how often a shared system prompt hits the prefix cache, and how many tokens a
 * step yields under continuous against static batching with the same memory.
 *
 * Assumptions (a toy model, stated so that its numbers are read as such):
 * - Lengths: prompt and output lengths are 1 + geometric draws with the given means (defaults
 *   161 and 338 tokens, the means of the ShareGPT trace in the PagedAttention paper, Fig. 11),
 *   cut so that prompt + output <= maxLength (2048, OPT's context). Real traces are not geometric.
 * - Time: one step is one forward pass of the batch and yields one token per running sequence;
 *   its duration does not depend on the batch size (decoding is memory-bound), and a newly
 *   admitted request's prefill runs inside the step that yields its first token. So throughput is
 *   tokens per step; the real gain is smaller once large batches become compute-bound.
 * - Memory: only KV slots are modelled, no activations, no external fragmentation (a contiguous
 *   allocator's holes are not simulated), so the pre-allocation waste here is a lower bound of
 *   what the paper measured.
 * - Scheduling (vLLM, paper 4.5): first come, first served; when a running sequence needs a block
 *   and none is free, the most recently admitted sequence is preempted (its blocks freed, it is
 *   recomputed later from its prompt and the tokens it had generated).
 *
 * Complexity: O(total tokens) for the waste, O(steps x batch) for serving.
 */
import {
  ArgumentError,
  assertArray,
  assertFinite,
  assertInteger,
  assertObject,
  assertOneOf,
} from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';
import { assertTokens, MAX_TOKENS } from './block-hash.js';
import { BlockManager, MAX_BLOCKS, MAX_BLOCK_SIZE } from './block-manager.js';

/** One request, by its lengths in tokens. */
export interface ServingRequest {
  promptLength: number;
  outputLength: number;
}

export interface WorkloadOptions {
  /** Mean prompt length (default 161: ShareGPT, paper Fig. 11). */
  meanPrompt?: number;
  /** Mean output length (default 338: ShareGPT, paper Fig. 11). */
  meanOutput?: number;
  /** The model's context: prompt + output <= maxLength (default 2048). */
  maxLength?: number;
}

const MAX_REQUESTS = 100_000;

/** 1 + a geometric draw (failures before a success of probability 1 / mean): mean `mean`. */
function geometricLength(mean: number, rng: Rng): number {
  if (mean === 1) return 1;
  return 1 + Math.floor(Math.log(rng.uniformOpen()) / Math.log(1 - 1 / mean));
}

function workloadDefaults(options: WorkloadOptions) {
  const given: unknown = options;
  assertObject('options', given, 'workload options { meanPrompt?, meanOutput?, maxLength? }');
  const { meanPrompt = 161, meanOutput = 338, maxLength = 2048 } = options;
  assertInteger('options.maxLength', maxLength, { min: 2, max: MAX_TOKENS });
  assertFinite('options.meanPrompt', meanPrompt);
  assertFinite('options.meanOutput', meanOutput);
  if (meanPrompt < 1 || meanPrompt > maxLength)
    throw new ArgumentError('options.meanPrompt', meanPrompt, `a mean in [1, maxLength]`);
  if (meanOutput < 1 || meanOutput > maxLength)
    throw new ArgumentError('options.meanOutput', meanOutput, `a mean in [1, maxLength]`);
  return { meanPrompt, meanOutput, maxLength };
}

/** `n` requests with random lengths (see the assumptions above); the same rng gives the same list. */
export function sampleRequests(n: number, options: WorkloadOptions, rng: Rng): ServingRequest[] {
  assertInteger('n', n, { min: 0, max: MAX_REQUESTS });
  const { meanPrompt, meanOutput, maxLength } = workloadDefaults(options);
  assertRng('rng', rng);
  return Array.from({ length: n }, () => {
    const promptLength = Math.min(geometricLength(meanPrompt, rng), maxLength - 1);
    const outputLength = Math.min(geometricLength(meanOutput, rng), maxLength - promptLength);
    return { promptLength, outputLength };
  });
}

/** Throws unless `requests` is an array of requests with integer lengths >= 1 (bounded). */
export function assertRequests(
  argument: string,
  requests: unknown,
): asserts requests is ServingRequest[] {
  assertArray(argument, requests);
  if (requests.length > MAX_REQUESTS)
    throw new ArgumentError(argument, requests, `at most ${MAX_REQUESTS} requests`);
  requests.forEach((r, i) => {
    assertObject(`${argument}[${i}]`, r, 'a request { promptLength, outputLength }');
    assertInteger(`${argument}[${i}].promptLength`, r['promptLength'], { min: 1, max: MAX_TOKENS });
    assertInteger(`${argument}[${i}].outputLength`, r['outputLength'], { min: 1, max: MAX_TOKENS });
  });
}

// ---------------------------------------------------------------- memory waste

/**
 * How a server reserves KV slots for a request (the PagedAttention paper's baselines, 6.1):
 * 'max' the model's maximum length (Orca (Max)); 'pow2' the prompt plus the output length rounded
 * up to a power of two, at most 2x (Orca (Pow2)); 'oracle' exactly prompt + output, as if the
 * output length were known (Orca (Oracle)); 'paged' ceil(context / B) blocks of B, on demand.
 */
export type ReservationPolicy = 'max' | 'pow2' | 'oracle' | 'paged';
export const RESERVATION_POLICIES: readonly ReservationPolicy[] = [
  'max',
  'pow2',
  'oracle',
  'paged',
];

export interface ReservationOptions {
  maxLength: number;
  blockSize: number;
}

function assertReservationOptions(options: unknown): asserts options is ReservationOptions {
  assertObject('options', options, 'reservation options { maxLength, blockSize }');
  assertInteger('options.maxLength', options['maxLength'], { min: 1, max: MAX_TOKENS });
  assertInteger('options.blockSize', options['blockSize'], { min: 1, max: MAX_TOKENS });
}

/** KV slots `request` holds under `policy` while its context is `context` tokens long. */
export function reservedSlots(
  request: ServingRequest,
  context: number,
  policy: ReservationPolicy,
  options: ReservationOptions,
): number {
  assertRequests('request', [request]);
  assertOneOf('policy', policy, RESERVATION_POLICIES);
  assertReservationOptions(options);
  const { promptLength: p, outputLength: o } = request;
  assertInteger('context', context, { min: 1, max: p + o });
  if (p + o > options.maxLength)
    throw new ArgumentError(
      'request',
      request,
      `prompt + output <= maxLength = ${options.maxLength}`,
    );
  return slotsFor(p, o, context, policy, options);
}

function slotsFor(
  p: number,
  o: number,
  context: number,
  policy: ReservationPolicy,
  { maxLength, blockSize: B }: ReservationOptions,
): number {
  if (policy === 'max') return maxLength;
  // the output length rounded up to a power of two: 25 -> 32 (at most 2x)
  if (policy === 'pow2') return Math.min(maxLength, p + 2 ** Math.ceil(Math.log2(o)));
  if (policy === 'oracle') return p + o;
  return Math.ceil(context / B) * B;
}

export interface WasteResult {
  /** Sum over requests and decoding steps of the slots holding a token's K, V. */
  usedSlotSteps: number;
  /** The same sum of the slots reserved. */
  reservedSlotSteps: number;
  /** usedSlotSteps / reservedSlotSteps: the paper's "token states" share of KV memory. */
  tokenStateFraction: number;
  /** Reserved slots this request fills later (the paper's "reservation"). */
  reservationFraction: number;
  /** Reserved slots it never fills (the paper's "internal fragmentation"). */
  internalFraction: number;
  /** 1 - tokenStateFraction = reservation + internal (no external fragmentation is modelled). */
  wastedFraction: number;
}

/**
 * The share of reserved KV memory that holds tokens, averaged over every request's lifetime: at
 * its decoding step t (1..output) a request holds prompt + t tokens in a reservation of R slots,
 * of which min(R, prompt + output) - (prompt + t) will be filled later and the rest never.
 */
export function kvMemoryWaste(
  requests: readonly ServingRequest[],
  policy: ReservationPolicy,
  options: ReservationOptions,
): WasteResult {
  assertRequests('requests', requests);
  assertOneOf('policy', policy, RESERVATION_POLICIES);
  assertReservationOptions(options);
  let total = 0;
  for (const r of requests) total += r.outputLength;
  if (total > 2 ** 26)
    throw new ArgumentError('requests', requests, 'at most 2^26 output tokens in all');
  let used = 0;
  let reserved = 0;
  let later = 0;
  requests.forEach((r, i) => {
    const final = r.promptLength + r.outputLength;
    if (final > options.maxLength)
      throw new ArgumentError(`requests[${i}]`, r, `prompt + output <= ${options.maxLength}`);
    for (let t = 1; t <= r.outputLength; t++) {
      const context = r.promptLength + t;
      const slots = slotsFor(r.promptLength, r.outputLength, context, policy, options);
      used += context;
      reserved += slots;
      later += Math.min(slots, final) - context;
    }
  });
  const share = (x: number) => (reserved === 0 ? 0 : x / reserved);
  const tokenStateFraction = reserved === 0 ? 1 : used / reserved;
  return {
    usedSlotSteps: used,
    reservedSlotSteps: reserved,
    tokenStateFraction,
    reservationFraction: share(later),
    internalFraction: share(reserved - used - later),
    wastedFraction: 1 - tokenStateFraction,
  };
}

// ---------------------------------------------------------------- prefix cache

export interface SharedPromptOptions {
  /** Distinct system prompts (tenants, apps); each request picks one uniformly. */
  systemPrompts: number;
  systemPromptLength: number;
  /** Mean length of the user part after the system prompt (1 + geometric). */
  meanSuffix: number;
  meanOutput: number;
  /** Token ids are drawn from [0, vocabulary). */
  vocabulary?: number;
}

/** A request with its tokens: the system prompt it starts with, its prompt and its output. */
export interface TokenRequest {
  systemPrompt: number;
  prompt: number[];
  output: number[];
}

/** `n` requests that start with one of a few shared system prompts, then random user tokens. */
export function sharedPromptWorkload(
  n: number,
  options: SharedPromptOptions,
  rng: Rng,
): TokenRequest[] {
  assertInteger('n', n, { min: 0, max: 10_000 });
  const given: unknown = options;
  assertObject('options', given, 'options { systemPrompts, systemPromptLength, meanSuffix, ... }');
  const {
    systemPrompts,
    systemPromptLength,
    meanSuffix,
    meanOutput,
    vocabulary = 32_000,
  } = options;
  assertInteger('options.systemPrompts', systemPrompts, { min: 1, max: 1000 });
  assertInteger('options.systemPromptLength', systemPromptLength, { min: 0, max: 4096 });
  assertFinite('options.meanSuffix', meanSuffix);
  assertFinite('options.meanOutput', meanOutput);
  if (meanSuffix < 1 || meanSuffix > 4096)
    throw new ArgumentError('options.meanSuffix', meanSuffix, 'a mean in [1, 4096]');
  if (meanOutput < 1 || meanOutput > 4096)
    throw new ArgumentError('options.meanOutput', meanOutput, 'a mean in [1, 4096]');
  assertInteger('options.vocabulary', vocabulary, { min: 1, max: 2 ** 31 });
  assertRng('rng', rng);
  const token = () => rng.integer(0, vocabulary - 1);
  const systems = Array.from({ length: systemPrompts }, () =>
    Array.from({ length: systemPromptLength }, token),
  );
  return Array.from({ length: n }, () => {
    const systemPrompt = rng.integer(0, systemPrompts - 1);
    const suffix = Array.from({ length: Math.min(geometricLength(meanSuffix, rng), 8192) }, token);
    const output = Array.from({ length: Math.min(geometricLength(meanOutput, rng), 8192) }, token);
    return { systemPrompt, prompt: [...(systems[systemPrompt] as number[]), ...suffix], output };
  });
}

export interface PrefixCacheResult {
  /** Prompt tokens reused from the cache, per request. */
  cachedTokens: number[];
  promptTokens: number;
  /** Sum of cachedTokens / promptTokens. */
  hitRate: number;
  /** Cached blocks evicted (LRU) to make room. */
  evictions: number;
}

/**
 * Serves the requests one after another through a prefix-caching BlockManager (allocate the
 * prompt, append the output, free): blocks of finished requests stay cached until evicted.
 */
export function replayWithPrefixCache(
  workload: readonly TokenRequest[],
  numBlocks: number,
  blockSize: number,
): PrefixCacheResult {
  assertArray('workload', workload);
  if (workload.length > 10_000)
    throw new ArgumentError('workload', workload, 'at most 10,000 requests');
  assertInteger('numBlocks', numBlocks, { min: 1, max: MAX_BLOCKS });
  assertInteger('blockSize', blockSize, { min: 1, max: MAX_BLOCK_SIZE });
  workload.forEach((r, i) => {
    assertObject(`workload[${i}]`, r, 'a request { prompt, output }');
    assertTokens(`workload[${i}].prompt`, r['prompt']);
    assertTokens(`workload[${i}].output`, r['output']);
    const length = (r['prompt'] as number[]).length + (r['output'] as number[]).length;
    if ((r['prompt'] as number[]).length === 0)
      throw new ArgumentError(`workload[${i}].prompt`, r['prompt'], 'at least one token');
    if (length > numBlocks * blockSize)
      throw new ArgumentError(
        `workload[${i}]`,
        r,
        `prompt + output <= numBlocks * blockSize = ${numBlocks * blockSize} tokens`,
      );
  });
  const kv = new BlockManager(numBlocks, blockSize, { prefixCaching: true });
  let promptTokens = 0;
  const cachedTokens = workload.map((r, i) => {
    const { cachedTokens: hit } = kv.allocate(i, r.prompt);
    for (const t of r.output) kv.append(i, t);
    kv.free(i);
    promptTokens += r.prompt.length;
    return hit;
  });
  const cached = cachedTokens.reduce((s, c) => s + c, 0);
  return {
    cachedTokens,
    promptTokens,
    hitRate: promptTokens === 0 ? 0 : cached / promptTokens,
    evictions: kv.state.evictions,
  };
}

// ---------------------------------------------------------------- batching

export interface ServingOptions {
  /** KV memory in token slots (the paper's OPT-13B on one A100-40GB: 15.7K). */
  slots: number;
  /** Tokens per block: 16 for paging (vLLM's default); maxLength emulates pre-allocation. */
  blockSize: number;
  /** 'static': a batch runs until all of it finishes; 'continuous': admit and retire every step. */
  batching: 'static' | 'continuous';
  /** Most sequences in a batch (default 256). */
  maxBatch?: number;
}

export interface ServingResult {
  steps: number;
  outputTokens: number;
  /** outputTokens / steps: the throughput, and the mean batch (one token per sequence a step). */
  tokensPerStep: number;
  /** requests / steps: requests finished per unit of time. */
  requestsPerStep: number;
  preemptions: number;
  /** Share of the allocated KV slots that hold a token, averaged over steps. */
  tokenStateFraction: number;
}

interface Job {
  id: number;
  request: ServingRequest;
  generated: number;
}

/** Runs every request to completion (all arrive at time 0) under one memory budget. */
export function simulateServing(
  requests: readonly ServingRequest[],
  options: ServingOptions,
): ServingResult {
  assertRequests('requests', requests);
  const given: unknown = options;
  assertObject('options', given, 'serving options { slots, blockSize, batching, maxBatch? }');
  const { slots, blockSize: B, batching, maxBatch = 256 } = options;
  assertInteger('options.blockSize', B, { min: 1, max: MAX_BLOCK_SIZE });
  assertInteger('options.slots', slots, { min: 1, max: MAX_BLOCKS * B });
  assertOneOf('options.batching', batching, ['static', 'continuous'] as const);
  assertInteger('options.maxBatch', maxBatch, { min: 1, max: 65_536 });
  const numBlocks = Math.floor(slots / B);
  if (numBlocks === 0)
    throw new ArgumentError('options.slots', slots, `at least one block of ${B} slots`);
  let totalOutput = 0;
  requests.forEach((r, i) => {
    if (r.promptLength + r.outputLength > numBlocks * B)
      throw new ArgumentError(
        `requests[${i}]`,
        r,
        `prompt + output <= the memory, ${numBlocks} blocks of ${B} = ${numBlocks * B} slots`,
      );
    totalOutput += r.outputLength;
  });
  if (totalOutput > 2 ** 24)
    throw new ArgumentError('requests', requests, 'at most 2^24 output tokens in all');

  const kv = new BlockManager(numBlocks, B);
  const waiting: Job[] = requests.map((request, id) => ({ id, request, generated: 0 }));
  const running: Job[] = [];
  let steps = 0;
  let outputTokens = 0;
  let preemptions = 0;
  let stored = 0;
  let allocated = 0;
  // every step yields at least one token (the oldest running sequence always fits alone)
  while ((waiting.length > 0 || running.length > 0) && steps < totalOutput) {
    // admission, first come first served: every step (continuous) or once the batch is empty
    if (batching === 'continuous' || running.length === 0) {
      while (waiting.length > 0 && running.length < maxBatch) {
        const job = waiting[0] as Job;
        const context = job.request.promptLength + job.generated;
        // kv.canAllocate without building the prompt: no prefix caching here
        if (Math.ceil(context / B) > kv.freeBlockCount()) break;
        kv.allocate(job.id, new Array<number>(context).fill(0));
        running.push(waiting.shift() as Job);
      }
    }
    // one token for each running sequence, oldest first; out of blocks: preempt the newest
    for (let i = 0; i < running.length; i++) {
      const job = running[i] as Job;
      while (!kv.canAppend(job.id)) {
        const victim = running.pop() as Job;
        kv.free(victim.id);
        waiting.unshift(victim);
        preemptions++;
        if (victim === job) break;
      }
      if (!kv.has(job.id)) break;
      kv.append(job.id, 0);
      job.generated++;
      outputTokens++;
    }
    steps++;
    // every running sequence holds its prompt and the tokens it generated
    for (const j of running) stored += j.request.promptLength + j.generated;
    allocated += kv.usedBlockCount() * B;
    // retire the finished ones
    for (let i = running.length - 1; i >= 0; i--) {
      const job = running[i] as Job;
      if (job.generated < job.request.outputLength) continue;
      kv.free(job.id);
      running.splice(i, 1);
    }
  }
  return {
    steps,
    outputTokens,
    tokensPerStep: steps === 0 ? 0 : outputTokens / steps,
    requestsPerStep: steps === 0 ? 0 : requests.length / steps,
    preemptions,
    tokenStateFraction: allocated === 0 ? 1 : stored / allocated,
  };
}

/**
 * The engineered KV-cache decoder: `extendCache` appends a chunk of m tokens at once (m = the
 * prompt for prefill, m = 1 for a decode step) and counts its multiply-adds by part; a stack of L
 * blocks with one cache each; and the two generation loops the bench and the notebook compare,
 * `generateCached` (one token per step through the caches) and `generateRecomputed` (the whole
 * sequence through every block again at every step, as a decoder without a cache does).
 *
 * Generation here has no vocabulary: the next input is the last output row (a stand-in for
 * sampling a token and embedding it), so the blocks are the only cost and both loops see the
 * same inputs. Counter kinds (`KV_COUNTER_KINDS`): 'madds' in all, split into
 * 'madds.projections' (W_Q, W_K, W_V, W_O), 'madds.attention' (q . k and weights x V, masked keys
 * skipped) and 'madds.ffn'; norms, RoPE and residual sums (O(n d)) are not counted.
 */
import { ArgumentError, assertArray, assertInteger, assertObject } from '../../core/errors.js';
import { Counter, assertOptionalCounter } from '../../core/counter.js';
import { addMatrices, linear, matrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertRng, type Rng } from '../../core/random.js';
import { attendHeads, mergeHeads, splitHeads } from '../multi-head-attention.js';
import type { AttentionOptions } from '../scaled-dot-product-attention.js';
import { applyRope } from '../rope.js';
import { denseFfn, gatedFfn, silu, type GatedFfnWeights, type ReluFfnWeights } from '../swiglu.js';
import {
  assertBlockConfig,
  blockForward,
  blockParamCount,
  blockSublayers,
  initBlock,
  type BlockConfig,
  type BlockWeights,
} from '../transformer-block.js';
import {
  MAX_CACHE_TOKENS,
  appendRows,
  assertKvCache,
  assertTokens,
  emptyKvCache,
  type BlockKvCache,
} from './cache.js';

/** The counter kinds `extendCache` adds to (each call adds to all four). */
export const KV_COUNTER_KINDS = [
  'madds',
  'madds.projections',
  'madds.attention',
  'madds.ffn',
] as const;

/**
 * m new tokens x [m, d_model] at positions t .. t + m - 1 (t = cache.length) through one block:
 * their q, k, v (RoPE at their own positions), k and v appended to the cache, and query i
 * attending over the cached keys and the chunk's keys up to itself (j <= t + i). From an empty
 * cache this is the full causal forward; with m = 1 it is `decodeStep`. Counted by part.
 */
export function extendCache(
  x: Matrix,
  cache: BlockKvCache,
  weights: BlockWeights,
  config: BlockConfig,
  counter?: Counter,
): { output: Matrix; cache: BlockKvCache } {
  const { numHeads, numKvHeads } = assertBlockConfig(config);
  const { norm1, norm2 } = blockSublayers(weights, config);
  assertTokens('x', x, config, false);
  const t = assertKvCache('cache', cache, config);
  if (t + x.rows > MAX_CACHE_TOKENS) {
    throw new ArgumentError(
      'x',
      x,
      `at most ${MAX_CACHE_TOKENS - t} tokens after the ${t} cached ones`,
      `shape ${shapeOf(x)}`,
    );
  }
  assertOptionalCounter('counter', counter);
  const [projections, attention, ffnCount] = [new Counter(), new Counter(), new Counter()];
  const w = weights.attention;
  // rows of a head are the tokens at positions t, t + 1, ...
  const rotate = (head: Matrix) =>
    config.rope ? applyRope(head, { ...config.rope, offset: t }) : head;
  // q, k, v of the new tokens: [m, d] -> h or h_kv heads [m, d_h]
  const a = config.placement === 'pre' ? norm1(x) : x;
  const q = splitHeads(linear(a, w.wq, w.bq, projections, 'wq'), numHeads).map(rotate);
  const k = splitHeads(linear(a, w.wk, w.bk, projections, 'wk'), numKvHeads).map(rotate);
  const v = splitHeads(linear(a, w.wv, w.bv, projections, 'wv'), numKvHeads);
  // append: [t, d_h] -> [t + m, d_h] per key/value head
  const next: BlockKvCache = {
    length: t + x.rows,
    keys: cache.keys.map((kg, g) => appendRows(kg, k[g] as Matrix)),
    values: cache.values.map((vg, g) => appendRows(vg, v[g] as Matrix)),
  };
  // query i sits at position t + i and sees keys j <= t + i (one token: every key)
  const mask: AttentionOptions =
    x.rows === 1 ? {} : t === 0 ? { causal: true } : { visible: (i, j) => j <= t + i };
  const heads = attendHeads(q, next.keys, next.values, mask, attention).outputs;
  const attended = linear(mergeHeads(heads), w.wo, w.bo, projections, 'wo');
  const ffn = (h: Matrix) =>
    config.ffn === 'swiglu'
      ? gatedFfn(h, weights.ffn as GatedFfnWeights, silu, ffnCount)
      : denseFfn(h, weights.ffn as ReluFfnWeights, config.ffn, ffnCount);
  let output: Matrix;
  if (config.placement === 'pre') {
    const h = addMatrices(x, attended);
    output = addMatrices(h, ffn(norm2(h)));
  } else {
    const h = norm1(addMatrices(x, attended));
    output = norm2(addMatrices(h, ffn(h)));
  }
  const parts = [projections, attention, ffnCount].map((c) => c.get('madds'));
  const [p, att, f] = parts as [number, number, number];
  counter?.add('madds', p + att + f);
  counter?.add('madds.projections', p);
  counter?.add('madds.attention', att);
  counter?.add('madds.ffn', f);
  return { output, cache: next };
}

// ---------------------------------------------------------------------------------------------
// A stack of blocks, one cache per block.

/** L blocks of one config: a decoder without embeddings or output head. */
export interface DecoderStack {
  readonly config: BlockConfig;
  readonly layers: readonly BlockWeights[];
}

/** At most this many blocks in a stack. */
export const MAX_DECODER_LAYERS = 64;
/** At most this many parameters initialised for a stack. */
const MAX_STACK_PARAMS = 2 ** 25;

/** L blocks of random weights (`initBlock` each, drawn in order from `rng`). */
export function initDecoderStack(config: BlockConfig, numLayers: number, rng: Rng): DecoderStack {
  assertBlockConfig(config);
  assertInteger('numLayers', numLayers, { min: 1, max: MAX_DECODER_LAYERS });
  assertRng('rng', rng);
  if (numLayers * blockParamCount(config).total > MAX_STACK_PARAMS) {
    throw new ArgumentError(
      'numLayers',
      numLayers,
      `at most ${MAX_STACK_PARAMS} parameters (${blockParamCount(config).total} a block)`,
    );
  }
  return { config, layers: Array.from({ length: numLayers }, () => initBlock(config, rng)) };
}

function assertStack(stack: unknown): asserts stack is DecoderStack {
  assertObject('stack', stack, 'a DecoderStack { config, layers } (initDecoderStack)');
  assertBlockConfig(stack['config'] as BlockConfig);
  const layers = stack['layers'];
  assertArray('stack.layers', layers);
  if (layers.length < 1 || layers.length > MAX_DECODER_LAYERS) {
    throw new ArgumentError('stack.layers', layers, `1 to ${MAX_DECODER_LAYERS} blocks of weights`);
  }
}

/** One empty cache per block of the stack. */
export function emptyStackCache(stack: DecoderStack): BlockKvCache[] {
  assertStack(stack);
  return stack.layers.map(() => emptyKvCache(stack.config));
}

/** `extendCache` through every block in turn: x [m, d] -> [m, d], one cache per block. */
export function stackExtend(
  x: Matrix,
  caches: readonly BlockKvCache[],
  stack: DecoderStack,
  counter?: Counter,
): { output: Matrix; caches: BlockKvCache[] } {
  assertStack(stack);
  assertArray('caches', caches);
  if (caches.length !== stack.layers.length) {
    throw new ArgumentError(
      'caches',
      caches,
      `${stack.layers.length} caches, one per block (emptyStackCache(stack))`,
    );
  }
  assertOptionalCounter('counter', counter);
  let h = x;
  const next = stack.layers.map((weights, l) => {
    const step = extendCache(h, caches[l] as BlockKvCache, weights, stack.config, counter);
    h = step.output;
    return step.cache;
  });
  return { output: h, caches: next };
}

/** The full causal forward of the stack with the project's block: `blockForward` layer by layer. */
export function stackForward(x: Matrix, stack: DecoderStack): Matrix {
  assertStack(stack);
  return stack.layers.reduce(
    (h, weights) => blockForward(h, weights, stack.config, { causal: true }),
    x,
  );
}

/** prompt [p, d] with p >= 1, steps >= 1, p + steps <= MAX_CACHE_TOKENS. */
function assertGeneration(prompt: unknown, steps: unknown, stack: DecoderStack): Matrix {
  assertStack(stack);
  const x = assertTokens('prompt', prompt, stack.config, false);
  assertInteger('steps', steps, { min: 1, max: MAX_CACHE_TOKENS - x.rows });
  return x;
}

const lastRow = (m: Matrix): Matrix => matrix(1, m.cols, m.data.subarray((m.rows - 1) * m.cols));

/**
 * Generates `steps` rows [steps, d] with the caches: the prompt goes through as one chunk
 * (prefill), its last output row is generated row 0, and each generated row is fed back as the
 * next input, one token per step: p + steps - 1 tokens processed, each once.
 */
export function generateCached(
  prompt: Matrix,
  steps: number,
  stack: DecoderStack,
  counter?: Counter,
): Matrix {
  assertGeneration(prompt, steps, stack);
  assertOptionalCounter('counter', counter);
  const d = stack.config.dModel;
  const out = matrix(steps, d);
  let { output, caches } = stackExtend(prompt, emptyStackCache(stack), stack, counter);
  let next = lastRow(output);
  for (let i = 0; i < steps; i++) {
    out.data.set(next.data, i * d);
    if (i + 1 === steps) break;
    ({ output, caches } = stackExtend(next, caches, stack, counter));
    next = output;
  }
  return out;
}

/**
 * The same generation without a cache: at every step the whole sequence so far (prompt and
 * generated rows) goes through every block again from an empty cache, and only its last row is
 * kept. Equal outputs, O(n^2 d^2 + n^3 d) work: what the cache saves.
 */
export function generateRecomputed(
  prompt: Matrix,
  steps: number,
  stack: DecoderStack,
  counter?: Counter,
): Matrix {
  let sequence = assertGeneration(prompt, steps, stack);
  assertOptionalCounter('counter', counter);
  const d = stack.config.dModel;
  const out = matrix(steps, d);
  for (let i = 0; i < steps; i++) {
    const next = lastRow(stackExtend(sequence, emptyStackCache(stack), stack, counter).output);
    out.data.set(next.data, i * d);
    if (i + 1 < steps) sequence = appendRows(sequence, next);
  }
  return out;
}

/** The common wrong KV caches, kept to be rejected by the answer key and shown in the notebook. */
import { Counter, assertOptionalCounter } from '../../core/counter.js';
import { assertInteger } from '../../core/errors.js';
import { addMatrices, linear, matrix, type Matrix } from '../../core/matrix.js';
import { attendHeads, mergeHeads, splitHeads } from '../multi-head-attention.js';
import { applyRope } from '../rope.js';
import {
  assertBlockConfig,
  blockSublayers,
  type BlockConfig,
  type BlockWeights,
} from '../transformer-block.js';
import { assertKvShape, type KvCacheShape } from './bytes.js';
import {
  MAX_CACHE_TOKENS,
  appendRows,
  assertKvCache,
  assertTokens,
  type BlockKvCache,
} from './cache.js';
import { emptyStackCache, type DecoderStack } from './decode.js';

/** The rest of a block after its attention: residuals, norms and the FFN, as in blockForward. */
function finishBlock(x: Matrix, attended: Matrix, weights: BlockWeights, config: BlockConfig) {
  const { ffn, norm1, norm2 } = blockSublayers(weights, config);
  if (config.placement === 'pre') {
    const h = addMatrices(x, attended);
    return addMatrices(h, ffn(norm2(h)));
  }
  const h = norm1(addMatrices(x, attended));
  return norm2(addMatrices(h, ffn(h)));
}

/** decodeStep with the new token's q and k rotated at `position` instead of the cache length. */
function stepAt(
  x: Matrix,
  cache: BlockKvCache,
  weights: BlockWeights,
  config: BlockConfig,
  position: number,
): { output: Matrix; cache: BlockKvCache } {
  const { numHeads, numKvHeads } = assertBlockConfig(config);
  const { norm1 } = blockSublayers(weights, config);
  assertTokens('x', x, config, true);
  assertKvCache('cache', cache, config);
  const w = weights.attention;
  const rotate = (head: Matrix) =>
    config.rope ? applyRope(head, { ...config.rope, offset: position }) : head;
  const a = config.placement === 'pre' ? norm1(x) : x;
  const q = splitHeads(linear(a, w.wq, w.bq), numHeads).map(rotate);
  const k = splitHeads(linear(a, w.wk, w.bk), numKvHeads).map(rotate);
  const v = splitHeads(linear(a, w.wv, w.bv), numKvHeads);
  const next: BlockKvCache = {
    length: cache.length + 1,
    keys: cache.keys.map((kg, g) => appendRows(kg, k[g] as Matrix)),
    values: cache.values.map((vg, g) => appendRows(vg, v[g] as Matrix)),
  };
  const heads = attendHeads(q, next.keys, next.values).outputs;
  const attended = linear(mergeHeads(heads), w.wo, w.bo);
  return { output: finishBlock(x, attended, weights, config), cache: next };
}

/** Pitfall: RoPE restarted at position 0 for every new token, so all keys sit at position 0. */
export function pitfallDecodeStepPositionZero(
  x: Matrix,
  cache: BlockKvCache,
  weights: BlockWeights,
  config: BlockConfig,
): { output: Matrix; cache: BlockKvCache } {
  return stepAt(x, cache, weights, config, 0);
}

/** Pitfall: the new k, v are attended to but never appended: each later token sees only itself. */
export function pitfallDecodeStepForgetsToAppend(
  x: Matrix,
  cache: BlockKvCache,
  weights: BlockWeights,
  config: BlockConfig,
): { output: Matrix; cache: BlockKvCache } {
  const t = assertKvCache('cache', cache, config);
  return { output: stepAt(x, cache, weights, config, t).output, cache };
}

// Caching the layer inputs instead of K and V: every step projects the keys and values of all
// earlier tokens again. Right outputs, O(t d^2) projections a step instead of O(d^2). Counts
// 'madds', 'madds.projections' and 'madds.attention' like generateCached (the FFN is not counted).
/** Pitfall: caching the inputs, not K and V: every step re-projects all K, V (O(t d^2) a step). */
export function pitfallGenerateRecomputingKv(
  prompt: Matrix,
  steps: number,
  stack: DecoderStack,
  counter?: Counter,
): Matrix {
  emptyStackCache(stack);
  const { config } = stack;
  const { numHeads, numKvHeads } = assertBlockConfig(config);
  let x = assertTokens('prompt', prompt, config, false);
  assertInteger('steps', steps, { min: 1, max: MAX_CACHE_TOKENS - x.rows });
  assertOptionalCounter('counter', counter);
  const [projections, attention] = [new Counter(), new Counter()];
  // the "cache": per layer, the attention inputs of every token so far [t, d]
  const inputs: (Matrix | undefined)[] = stack.layers.map(() => undefined);
  const d = config.dModel;
  const out = matrix(steps, d);
  let position = 0;
  const forward = (rows: Matrix): Matrix => {
    let h = rows;
    stack.layers.forEach((weights, l) => {
      const { norm1 } = blockSublayers(weights, config);
      const w = weights.attention;
      const a = config.placement === 'pre' ? norm1(h) : h;
      const all = inputs[l] === undefined ? a : appendRows(inputs[l] as Matrix, a);
      inputs[l] = all;
      const rope = (head: Matrix, offset: number) =>
        config.rope ? applyRope(head, { ...config.rope, offset }) : head;
      const q = splitHeads(linear(a, w.wq, w.bq, projections), numHeads).map((m) =>
        rope(m, position),
      );
      // the mistake: K and V of every token so far projected (and rotated) again
      const k = splitHeads(linear(all, w.wk, w.bk, projections), numKvHeads).map((m) => rope(m, 0));
      const v = splitHeads(linear(all, w.wv, w.bv, projections), numKvHeads);
      const mask = { visible: (i: number, j: number) => j <= position + i };
      const heads = attendHeads(q, k, v, mask, attention).outputs;
      h = finishBlock(h, linear(mergeHeads(heads), w.wo, w.bo, projections), weights, config);
    });
    position += rows.rows;
    return matrix(1, d, h.data.subarray((h.rows - 1) * d));
  };
  x = forward(x);
  for (let i = 0; i < steps; i++) {
    out.data.set(x.data, i * d);
    if (i + 1 < steps) x = forward(x);
  }
  const [p, att] = [projections.get('madds'), attention.get('madds')];
  counter?.add('madds', p + att);
  counter?.add('madds.projections', p);
  counter?.add('madds.attention', att);
  return out;
}

/** Pitfall: bytes per token from the query heads, 2 L h d_h b: GQA's and MQA's saving forgotten. */
export function pitfallKvBytesPerTokenQueryHeads(shape: KvCacheShape): number {
  const { bytes } = assertKvShape(shape);
  return 2 * shape.numLayers * shape.numHeads * shape.headDim * bytes;
}

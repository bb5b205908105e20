/**
 * The routing record every router of ml/moe-routing/ returns, its check, and the engineered forms
 * of top-k softmax routing: from logits (what the tfjs twin takes), and Shazeer's order (keep the
 * top-k logits, then a softmax over them), both proven equal to the textbook `topKRoute` by the key.
 *
 *   softmax, then renormalise over the top k:  g_e = p_e / sum_{j in top-k} p_j
 *   Shazeer et al. 2017:                       g = softmax(KeepTopK(h, k))
 *
 * The two are the same numbers: p_e / sum_j p_j = e^{h_e} / sum_{j in top-k} e^{h_j}, the softmax's
 * normaliser cancels. Complexity: O(T N log N) for T tokens and N experts (a sort per token).
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertMatrix, rowOf, shapeOf, type Matrix } from '../../core/matrix.js';
import { softmax, softmaxRows } from '../softmax.js';
import { countLoad, topKOf } from './kernels.js';

/** What a router decided for a batch of T tokens over N experts, k experts per token. */
export interface Routing {
  /**
   * [T, N]: every token's router scores over all experts: a softmax distribution for the softmax
   * routers, the sigmoid affinities s = sigmoid(x W^T) for DeepSeek-V3's router.
   */
  readonly scores: Matrix;
  /** T rows of k distinct expert indices in [0, N), highest (selection) score first. */
  readonly experts: readonly (readonly number[])[];
  /** T rows of k gate weights, in the order of `experts`. */
  readonly weights: readonly (readonly number[])[];
}

/** Throws unless k is an integer in [1, numExperts]: top-k needs at least k experts to choose from. */
export function assertK(argument: string, k: unknown, numExperts: number): asserts k is number {
  assertInteger('numExperts', numExperts, { min: 0 });
  assertInteger(argument, k, { min: 1 });
  if (k > numExperts) {
    throw new ArgumentError(
      argument,
      k,
      `an integer in [1, ${numExperts}]: at most the number of experts (${numExperts})`,
    );
  }
}

/**
 * Throws unless `routing` is a consistent Routing: scores a finite [T, N] matrix with N >= 1, and
 * T rows of experts and weights of one length k in [1, N], the experts distinct integers in [0, N),
 * the weights finite. Returns T, N and k.
 */
export function assertRouting(routing: unknown): {
  tokens: number;
  numExperts: number;
  k: number;
} {
  const argument = 'routing';
  assertObject(argument, routing, 'a Routing { scores, experts, weights }');
  const { scores, experts, weights } = routing as Partial<Routing>;
  assertMatrix(`${argument}.scores`, scores);
  const { rows: tokens, cols: numExperts } = scores;
  if (numExperts === 0)
    throw new ArgumentError(
      `${argument}.scores`,
      scores,
      'at least one expert (column)',
      shapeOf(scores),
    );
  for (const [name, rows] of [
    ['experts', experts],
    ['weights', weights],
  ] as const) {
    if (!Array.isArray(rows))
      throw new ArgumentTypeError(`${argument}.${name}`, rows, 'an array of rows, one per token');
    if (rows.length !== tokens) {
      throw new ArgumentError(
        `${argument}.${name}`,
        rows,
        `${tokens} rows, one per row of scores ${shapeOf(scores)}`,
      );
    }
  }
  const expertRows = experts as unknown[];
  const weightRows = weights as unknown[];
  const k = Array.isArray(expertRows[0]) ? (expertRows[0] as unknown[]).length : 0;
  for (let t = 0; t < tokens; t++) {
    const chosen = expertRows[t];
    const w = weightRows[t];
    const where = `${argument}.experts[${t}]`;
    if (!Array.isArray(chosen)) throw new ArgumentTypeError(where, chosen, 'an array of experts');
    if (chosen.length !== k || k < 1 || k > numExperts)
      throw new ArgumentError(where, chosen, `k experts, k in [1, ${numExperts}] as in row 0`);
    const seen = new Set<number>();
    for (let j = 0; j < k; j++) {
      const e = chosen[j];
      assertInteger(`${where}[${j}]`, e, { min: 0, max: numExperts - 1 });
      if (seen.has(e)) throw new ArgumentError(`${where}[${j}]`, e, 'k distinct experts');
      seen.add(e);
    }
    const wWhere = `${argument}.weights[${t}]`;
    if (!Array.isArray(w)) throw new ArgumentTypeError(wWhere, w, 'an array of gate weights');
    if (w.length !== k) throw new ArgumentError(wWhere, w, `${k} weights, one per chosen expert`);
    for (let j = 0; j < k; j++) {
      const v = w[j];
      if (typeof v !== 'number') throw new ArgumentTypeError(`${wWhere}[${j}]`, v, 'a number');
      if (!Number.isFinite(v)) throw new ArgumentError(`${wWhere}[${j}]`, v, 'a finite number');
    }
  }
  return { tokens, numExperts, k };
}

/** Top-k softmax routing from router logits [T, N]: `topKRoute` on logits = x W_g^T. */
export function topKRouteLogits(logits: Matrix, k: number): Routing {
  assertExperts('logits', logits);
  assertK('k', k, logits.cols);
  // p = softmax(h) per token: [T, N]
  const probs = softmaxRows(logits);
  const experts: number[][] = [];
  const weights: number[][] = [];
  for (let t = 0; t < probs.rows; t++) {
    const p = rowOf(probs, t);
    const chosen = topKOf(p, k);
    // g_e = p_e / sum_{j in top-k} p_j (the largest p is >= 1/N, so the sum is > 0)
    const total = chosen.reduce((s, e) => s + (p[e] as number), 0);
    experts.push(chosen);
    weights.push(chosen.map((e) => (p[e] as number) / total));
  }
  return { scores: probs, experts, weights };
}

/**
 * Shazeer et al.'s order: keep the k largest logits, set the others to -Infinity, softmax. The
 * weights are the same numbers as `topKRouteLogits` (up to rounding); `scores` is the full softmax.
 */
export function keepTopKSoftmax(logits: Matrix, k: number): Routing {
  assertExperts('logits', logits);
  assertK('k', k, logits.cols);
  const experts: number[][] = [];
  const weights: number[][] = [];
  for (let t = 0; t < logits.rows; t++) {
    const h = rowOf(logits, t);
    // the k largest logits (the softmax is monotone: the same experts as the k largest p)
    const chosen = topKOf(h, k);
    // softmax over the kept logits only (KeepTopK sets the rest to -Infinity: weight 0)
    experts.push(chosen);
    weights.push(softmax(chosen.map((e) => h[e] as number)));
  }
  return { scores: softmaxRows(logits), experts, weights };
}

/** How many tokens chose each expert: [N] counts of (token, slot) assignments, summing to T k. */
export function expertLoad(routing: Routing): number[] {
  const { numExperts } = assertRouting(routing);
  return countLoad(routing.experts, numExperts);
}

/** Throws unless `m` is a finite [T, N] score or logit matrix with at least one expert (N >= 1). */
export function assertExperts(argument: string, m: unknown): asserts m is Matrix {
  assertMatrix(argument, m);
  if (m.cols === 0)
    throw new ArgumentError(argument, m, 'at least one expert (one column per expert)', shapeOf(m));
}

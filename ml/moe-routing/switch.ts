/**
 * The Switch Transformer's load-balancing loss and expert capacity (Fedus et al., JMLR 2022,
 * arXiv 2101.03961, section 2.2, eq. 3-6).
 *
 *   loss = alpha N sum_i f_i P_i        f_i = fraction of the T k assignments routed to expert i
 *                                       P_i = (1/T) sum_t p_i(x_t), the mean router probability
 *   capacity = ceil(k T / N * capacity factor)
 *
 * Switch routes each token to k = 1 expert and writes capacity = (tokens per batch / number of
 * experts) x capacity factor. For top-k each token makes k assignments, so the balanced share of
 * an expert is k T / N and the capacity is k times larger (GShard, Tutel and Megatron do the same;
 * a capacity from k = 1 drops half the tokens of a perfectly balanced top-2 router:
 * `pitfallCapacityFromTopOne`). The real number is rounded up to whole tokens.
 *
 * f_i counts assignments over T k, so sum_i f_i = 1 for every k and the loss is alpha at perfect
 * balance for every k (HF transformers' Mixtral `load_balancing_loss_func` keeps one f per slot
 * and sums them, so it reads k, before its coefficient, at balance). The paper's alpha is 10^-2.
 *
 * What is true of the loss: it equals alpha whenever f is uniform (whatever P is) or P is uniform
 * (whatever f is); it lies in [0, alpha N]. It is NOT >= alpha in general: f comes from argmax
 * decisions and P from probabilities, and the two can disagree (a worked example in the key gives
 * 0.93 alpha). Its differentiable relaxation alpha N sum_i P_i^2 is >= alpha (Cauchy-Schwarz).
 *
 * Overflow: assignments past an expert's capacity are dropped; the token's other assignments
 * stand, and a token with none left passes through the residual connection unchanged. First
 * choices are served before second choices (GShard's order), each in token order.
 *
 * Complexity: loss O(T N); capacity O(T k).
 */
import { ArgumentError, assertFinite, assertInteger } from '../../core/errors.js';
import { assertRouting, type Routing } from './routing.js';
import { countLoad } from './kernels.js';

/** The Switch loss alpha N sum_i f_i P_i of a softmax routing (the paper's alpha = 0.01). */
export function switchLoss(routing: Routing, alpha = 0.01): number {
  const { tokens, numExperts, k } = assertRouting(routing);
  assertFinite('alpha', alpha);
  if (alpha < 0) throw new ArgumentError('alpha', alpha, 'a loss weight >= 0');
  if (tokens === 0) throw new ArgumentError('routing', routing, 'at least one token');
  assertDistributions(routing);
  // f_i = (tokens routed to i) / (T k)
  const f = countLoad(routing.experts, numExperts).map((c) => c / (tokens * k));
  // P_i = mean over tokens of p_i(x)
  const p = new Array<number>(numExperts).fill(0);
  for (let t = 0; t < tokens; t++)
    for (let i = 0; i < numExperts; i++)
      p[i] = (p[i] as number) + (routing.scores.data[t * numExperts + i] as number) / tokens;
  const dot = f.reduce((s, fi, i) => s + fi * (p[i] as number), 0);
  return alpha * numExperts * dot;
}

/** The Switch loss needs router probabilities: every row of scores in [0, 1] and summing to 1. */
function assertDistributions(routing: Routing): void {
  const { rows, cols, data } = routing.scores;
  for (let t = 0; t < rows; t++) {
    let sum = 0;
    for (let i = 0; i < cols; i++) {
      const v = data[t * cols + i] as number;
      if (v < 0 || v > 1)
        throw new ArgumentError(`routing.scores`, routing.scores, 'router probabilities in [0, 1]');
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-9) {
      throw new ArgumentError(
        'routing.scores',
        routing.scores,
        `a softmax distribution per token (row ${t} sums to ${sum}); sigmoid affinities have no P_i`,
      );
    }
  }
}

/**
 * Expert capacity: ceil(k T / N x capacity factor) assignments per expert. A real number within
 * 1e-9 of an integer counts as that integer (1.1 x 10 is 11.000000000000002 in floating point).
 */
export function expertCapacity(
  tokens: number,
  numExperts: number,
  capacityFactor: number,
  k = 1,
): number {
  assertInteger('tokens', tokens, { min: 0, max: 2 ** 40 });
  assertInteger('numExperts', numExperts, { min: 1, max: 2 ** 20 });
  assertFinite('capacityFactor', capacityFactor);
  if (capacityFactor <= 0)
    throw new ArgumentError('capacityFactor', capacityFactor, 'a capacity factor > 0');
  if (capacityFactor > 2 ** 20)
    throw new ArgumentError('capacityFactor', capacityFactor, 'a capacity factor <= 2^20');
  assertInteger('k', k, { min: 1, max: numExperts });
  return ceilNear((k * tokens * capacityFactor) / numExperts);
}

/** ceil(x), treating x within 1e-9 (relative) of an integer as that integer. */
export function ceilNear(x: number): number {
  assertFinite('x', x);
  const near = Math.round(x);
  return Math.abs(x - near) <= 1e-9 * Math.max(1, Math.abs(x)) ? near : Math.ceil(x);
}

/** A routing after the capacity cap: what each expert processes and what was dropped. */
export interface CapacityResult {
  capacity: number;
  /** [N]: assignments routed to each expert, before the cap. */
  load: number[];
  /** [N]: assignments each expert processes, min(load, capacity). */
  processed: number[];
  /** Assignments past the cap: sum_i max(0, load_i - capacity). */
  dropped: number;
  /** Tokens none of whose assignments fit: they pass through the residual unchanged. */
  droppedTokens: number;
  /** Per token, the experts that kept it (ragged: some assignments may be gone). */
  experts: number[][];
  /** Their weights, unchanged (not renormalised over what is left). */
  weights: number[][];
}

/**
 * Applies an expert capacity to a routing: first choices are served before second choices (then
 * third ...), each in token order; an assignment that finds its expert full is dropped.
 */
export function applyCapacity(routing: Routing, capacity: number): CapacityResult {
  const { tokens, numExperts, k } = assertRouting(routing);
  assertInteger('capacity', capacity, { min: 0 });
  const used = new Array<number>(numExperts).fill(0);
  const keep = Array.from({ length: tokens }, () => new Array<boolean>(k).fill(false));
  // slot-major: every token's j-th choice before anyone's (j+1)-th
  for (let j = 0; j < k; j++) {
    for (let t = 0; t < tokens; t++) {
      const e = routing.experts[t]![j] as number;
      if ((used[e] as number) < capacity) {
        used[e] = (used[e] as number) + 1;
        keep[t]![j] = true;
      }
    }
  }
  const load = countLoad(routing.experts, numExperts);
  const experts = routing.experts.map((row, t) => row.filter((_, j) => keep[t]![j]));
  const weights = routing.weights.map((row, t) => row.filter((_, j) => keep[t]![j]));
  return {
    capacity,
    load,
    processed: used,
    dropped: load.reduce((s, l, i) => s + l - (used[i] as number), 0),
    droppedTokens: experts.filter((row) => row.length === 0).length,
    experts,
    weights,
  };
}

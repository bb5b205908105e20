/** The common wrong answers about MoE routing, kept to be rejected by the answer key. */
import {
  ArgumentError,
  assertFinite,
  assertFiniteArray,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { type Matrix, rowOf, matrix } from '../../core/matrix.js';
import { gateWeights } from '../gates.js';
import { assertV3Config, assertUpdate } from './deepseek.js';
import { logSigmoid, topKOf } from './kernels.js';
import { assertExperts, assertK, type Routing } from './routing.js';

/**
 * Pitfall: top-k softmax gating that keeps the full softmax's probabilities for the chosen
 * experts instead of renormalising over them: the weights sum to less than 1.
 */
export function pitfallTopKWithoutRenormalising(x: Matrix, gate: Matrix, k: number): Routing {
  const probs = gateWeights(x, gate);
  assertK('k', k, probs.cols);
  const experts: number[][] = [];
  const weights: number[][] = [];
  for (let t = 0; t < probs.rows; t++) {
    const p = rowOf(probs, t);
    const chosen = topKOf(p, k);
    experts.push(chosen);
    weights.push(chosen.map((e) => p[e] as number));
  }
  return { scores: probs, experts, weights };
}

/**
 * Pitfall: DeepSeek-V3's gate with the weights gathered from the biased scores s + b (a stored
 * copy of model.py does this): the load-balancing bias then changes what the experts contribute.
 */
export function pitfallV3WeightsFromBiasedScores(
  logits: Matrix,
  bias: ArrayLike<number>,
  config: { k: number; routeScale?: number },
): Routing {
  assertExperts('logits', logits);
  const n = logits.cols;
  assertFiniteArray('bias', bias);
  if (bias.length !== n) throw new ArgumentError('bias', bias, `${n} values, one per expert`);
  assertObject('config', config, 'a config { k, routeScale? }');
  const { k, routeScale } = assertV3Config({ k: config.k, routeScale: config.routeScale }, n);
  const scores = matrix(logits.rows, n);
  const experts: number[][] = [];
  const weights: number[][] = [];
  for (let t = 0; t < logits.rows; t++) {
    const s = rowOf(scores, t);
    rowOf(logits, t).forEach((h, i) => (s[i] = Math.exp(logSigmoid(h))));
    const biased = Array.from(s, (v, i) => v + (bias[i] as number));
    const chosen = topKOf(biased, k);
    // the slip: weights from s + b, not from s
    const total = chosen.reduce((sum, e) => sum + (biased[e] as number), 0);
    if (!(total > 0))
      throw new ArgumentError(
        'bias',
        bias,
        'biases keeping the chosen s + b summing to > 0 (this pitfall divides by it)',
      );
    experts.push(chosen);
    weights.push(chosen.map((e) => (routeScale * (biased[e] as number)) / total));
  }
  return { scores, experts, weights };
}

/**
 * Pitfall: expert capacity from the k = 1 formula, ceil(T / N x capacity factor), for a top-k
 * router: every expert gets 1/k of the room its balanced share of k T / N assignments needs.
 */
export function pitfallCapacityFromTopOne(
  tokens: number,
  numExperts: number,
  capacityFactor: number,
  k = 1,
): number {
  assertInteger('tokens', tokens, { min: 0, max: 2 ** 40 });
  assertInteger('numExperts', numExperts, { min: 1, max: 2 ** 20 });
  assertFinite('capacityFactor', capacityFactor);
  if (capacityFactor <= 0 || capacityFactor > 2 ** 20)
    throw new ArgumentError('capacityFactor', capacityFactor, 'a capacity factor in (0, 2^20]');
  assertInteger('k', k, { min: 1, max: numExperts });
  return Math.ceil((tokens / numExperts) * capacityFactor - 1e-9);
}

/**
 * Pitfall: the bias update with the sign flipped, b_i += gamma when expert i is overloaded: it
 * feeds the popular experts instead of starving them, and the imbalance grows.
 */
export function pitfallBiasUpdateTowardsLoad(
  bias: ArrayLike<number>,
  load: ArrayLike<number>,
  gamma: number,
): Float64Array {
  const mean = assertUpdate(bias, load, gamma);
  return Float64Array.from(
    bias,
    (b, i) => (b as number) + gamma * Math.sign((load[i] as number) - mean),
  );
}

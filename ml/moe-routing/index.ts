/**
 * Mixture-of-experts routing. Answers: Q31 (Deepseek MOE 路由机制), Q32 (资源有限的 moe 服务: where
 * to put the experts; the tensor-parallel side is ml/tensor-parallel.ts), Q39 (验证 moe 模型是否有效).
 *
 * The idea: a router scores every token against N experts, sends it to the k best, and mixes
 * their outputs with weights that sum to 1; only k of N expert FFNs run per token.
 *
 *   p = softmax(x W_g^T)                          W_g [N, d]: one row per expert (ml/gates.ts)
 *   chosen = TopK(p, k),  g_e = p_e / sum_{j in chosen} p_j,  y = sum_{e in chosen} g_e E_e(x)
 *
 * This is Shazeer et al. 2017's softmax(KeepTopK(h, k)) (without its noise) and Mixtral's router:
 * renormalising over the chosen is the same as a softmax over the chosen logits. DeepSeekMoE and
 * DeepSeek-V2 keep the unnormalised p_e instead (their weights sum to less than 1 by design);
 * claiming weights that sum to 1 while keeping p_e is `pitfallTopKWithoutRenormalising`.
 *
 * Q31, DeepSeek's routing (./deepseek.ts): K_s shared experts that every token uses plus
 * fine-grained routed experts (each expert split into m smaller ones, m K of them active: same
 * compute, C(mN, mK) combinations); DeepSeek-V3 scores with sigmoid affinities s, chooses with
 * s + b where a per-expert bias b only steers selection (the weights are s renormalised over the
 * chosen, times routeScale 2.5), limits each token to 4 of 8 expert groups, and balances the load
 * without an auxiliary loss: after each step b_i -= gamma for overloaded experts and += gamma for
 * underloaded ones (./balance-sim.ts shows the imbalance shrinking). The classic alternative is the
 * Switch loss alpha N sum f_i P_i with an expert capacity (./switch.ts).
 *
 * Q32 (./placement.ts): expert parallelism puts experts on different devices; with the routing
 * statistics, replicate the hot experts into spare memory, offload the cold ones to host memory
 * when memory is short, and pack the copies so that device loads are balanced.
 *
 * Q39 (./utilisation.ts): the health check is the routing statistics on held-out tokens: load
 * fractions, max / mean, CV, routing entropy, dead experts, dropped-token rate.
 *
 * The parts: ./routing.ts (the Routing record, the engineered routers), ./switch.ts, ./deepseek.ts,
 * ./balance-sim.ts, ./placement.ts, ./utilisation.ts, ./tf.ts (the tfjs twin `topKRouteTf`),
 * ./pitfalls.ts. Conventions: top-k ties go to the lower expert index (as tf.topk); weights
 * [d_out, d_in]; randomness only through a passed Rng.
 *
 * Complexity: router O(T N d) for T tokens of width d, selection O(T N log N); experts
 * O(T k cost(E)) instead of the dense O(T N cost(E)).
 *
 * @example
 *   const x = fromRows([[1, 0]]);
 *   const gate = fromRows([[2, 0], [1, 0], [0, 0]]);        // scores 2, 1, 0 for the 3 experts
 *   const { experts, weights } = topKRoute(x, gate, 2);
 *   // experts [[0, 1]]; weights [[0.731, 0.269]] = softmax([2, 1]): they sum to 1
 */
import { assertInteger } from '../../core/errors.js';
import { rowOf, type Matrix } from '../../core/matrix.js';
import { gateWeights } from '../gates.js';
import type { Routing } from './routing.js';

/** Top-k softmax routing of T tokens x [T, d] by the gate W_g [N, d]: k experts per token. */
export function topKRoute(x: Matrix, gate: Matrix, k: number): Routing {
  // p = softmax(x W_g^T): [T, d] x [N, d]^T -> [T, N], the shared gate of ml/gates.ts
  const probs = gateWeights(x, gate);
  assertInteger('k', k, { min: 1, max: probs.cols });
  const experts: number[][] = [];
  const weights: number[][] = [];
  for (let t = 0; t < probs.rows; t++) {
    const p = rowOf(probs, t);
    // the k most probable experts, best first (ties: lower index)
    const chosen = [...p.keys()].sort((a, b) => p[b]! - p[a]! || a - b).slice(0, k);
    // renormalise over the chosen: g_e = p_e / sum_{j in chosen} p_j
    const total = chosen.reduce((s, e) => s + p[e]!, 0);
    experts.push(chosen);
    weights.push(chosen.map((e) => p[e]! / total));
  }
  return { scores: probs, experts, weights };
}

export {
  assertExperts,
  assertK,
  assertRouting,
  expertLoad,
  keepTopKSoftmax,
  topKRouteLogits,
  type Routing,
} from './routing.js';
export {
  applyCapacity,
  ceilNear,
  expertCapacity,
  switchLoss,
  type CapacityResult,
} from './switch.js';
export {
  assertUpdate,
  assertV3Config,
  DEEPSEEK_V3,
  deepseekMoeForward,
  deepseekV3Gate,
  deepseekV3Route,
  expertCombinations,
  fineGrainedLayer,
  initMoeLayer,
  moeForward,
  splitExpert,
  updateBias,
  type DeepseekMoeLayer,
  type DeepseekV3Config,
  type MoeLayer,
  type MoeLayerSizes,
} from './deepseek.js';
export {
  simulateBiasBalancing,
  skewedLogits,
  type BalanceSimConfig,
  type BalanceSimResult,
  type BiasUpdate,
} from './balance-sim.js';
export {
  placeExperts,
  replicateExperts,
  roundRobinPlacement,
  type ExpertCopy,
  type Placement,
  type PlacementConfig,
} from './placement.js';
export { expertUtilisation, type UtilisationStats } from './utilisation.js';
export { topKRouteTf, topKRouteTfMatrix } from './tf.js';
export {
  pitfallBiasUpdateTowardsLoad,
  pitfallCapacityFromTopOne,
  pitfallTopKWithoutRenormalising,
  pitfallV3WeightsFromBiasedScores,
} from './pitfalls.js';

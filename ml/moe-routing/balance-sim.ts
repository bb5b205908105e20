/**
 * A seeded simulation of DeepSeek-V3's auxiliary-loss-free balancing on a skewed token stream:
 * every step draws a fresh batch of router logits in which low-numbered experts are popular,
 * routes it with the current bias (`deepseekV3Route`), records the load, and updates the bias
 * (`updateBias`). No gradient and no loss: only the bias moves, and it moves the load.
 *
 *   logits h_{t,i} = skew (1 - 2 i / (N - 1)) + z_{t,i},  z ~ N(0, 1)       (expert 0 hottest)
 *   imbalance = max_i load_i / mean load,  mean load = T k / N           (1 is perfect balance)
 *
 * Complexity: O(steps T N log N).
 */
import {
  ArgumentError,
  assertFinite,
  assertFunction,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { matrix, type Matrix } from '../../core/matrix.js';
import { assertRng, type Rng } from '../../core/random.js';
import { assertV3Config, deepseekV3Route, updateBias } from './deepseek.js';
import { countLoad } from './kernels.js';

/** The stream and the balancer of `simulateBiasBalancing`. */
export interface BalanceSimConfig {
  /** N routed experts. */
  experts: number;
  /** Experts per token. */
  k: number;
  /** Tokens per step (batch). */
  tokens: number;
  steps: number;
  /** Bias update speed (DeepSeek-V3: 0.001 for most of pre-training, then 0). */
  gamma: number;
  /** How much more popular expert 0 is than expert N - 1, in logit units (0 = no skew). */
  skew: number;
  groups?: number;
  topGroups?: number;
}

export interface BalanceSimResult {
  /** Per step: max load / mean load, measured before that step's bias update. */
  imbalance: number[];
  /** Per step: the load of every expert. */
  loads: number[][];
  /** The bias after the last update. */
  bias: Float64Array;
}

/** A bias update rule: (bias, load, gamma) -> new bias. */
export type BiasUpdate = (
  bias: ArrayLike<number>,
  load: ArrayLike<number>,
  gamma: number,
) => Float64Array;

/** One batch of the skewed stream: [T, N] logits. */
export function skewedLogits(tokens: number, experts: number, skew: number, rng: Rng): Matrix {
  assertInteger('tokens', tokens, { min: 0, max: 2 ** 20 });
  assertInteger('experts', experts, { min: 1, max: 2 ** 12 });
  if (tokens * experts > 2 ** 22)
    throw new ArgumentError('tokens', tokens, `tokens x experts <= 2^22 (experts = ${experts})`);
  assertFinite('skew', skew);
  assertRng('rng', rng);
  const h = matrix(tokens, experts);
  for (let t = 0; t < tokens; t++)
    for (let i = 0; i < experts; i++) {
      // popularity: +skew for expert 0 down to -skew for expert N - 1
      const pref = experts === 1 ? 0 : skew * (1 - (2 * i) / (experts - 1));
      h.data[t * experts + i] = pref + rng.normal();
    }
  return h;
}

/** Runs the stream for `steps` steps with the bias starting at 0; `update` defaults to V3's rule. */
export function simulateBiasBalancing(
  config: BalanceSimConfig,
  rng: Rng,
  update: BiasUpdate = updateBias,
): BalanceSimResult {
  assertObject('config', config, 'a config { experts, k, tokens, steps, gamma, skew }');
  const { experts, k, tokens, steps, gamma, skew, groups, topGroups } = config;
  assertInteger('config.experts', experts, { min: 1, max: 2 ** 12 });
  const route = assertV3Config({ k, groups, topGroups }, experts);
  assertInteger('config.tokens', tokens, { min: 1, max: 2 ** 20 });
  assertInteger('config.steps', steps, { min: 1, max: 2 ** 20 });
  if (steps * tokens * experts > 2 ** 24) {
    throw new ArgumentError('config.steps', steps, 'steps x tokens x experts <= 2^24 (work bound)');
  }
  assertFinite('config.gamma', gamma);
  if (gamma < 0) throw new ArgumentError('config.gamma', gamma, 'a bias update speed >= 0');
  assertFinite('config.skew', skew);
  assertRng('rng', rng);
  assertFunction('update', update, 'a bias update (bias, load, gamma) => Float64Array');
  const mean = (tokens * route.k) / experts;
  let bias: Float64Array = new Float64Array(experts);
  const imbalance: number[] = [];
  const loads: number[][] = [];
  for (let step = 0; step < steps; step++) {
    const routing = deepseekV3Route(skewedLogits(tokens, experts, skew, rng), bias, route);
    const load = countLoad(routing.experts, experts);
    loads.push(load);
    imbalance.push(Math.max(...load) / mean);
    // b_i -= gamma if overloaded, += gamma if underloaded
    bias = update(bias, load, gamma);
  }
  return { imbalance, loads, bias };
}

/**
 * Shared-bottom: one bottom MLP f for every task, then one tower per task. The baseline MMoE and
 * PLE are measured against (Q48: the seesaw).
 *
 *   y_k = sigmoid(h_k(f(x)))
 */
import { assertObject } from '../../core/errors.js';
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import { assertMatrix, type Matrix } from '../../core/matrix.js';
import { assertRng, type Rng } from '../../core/random.js';
import { assertTensor, assertTf, type Tensor, type Tensor2D, type Tf } from '../../core/backend.js';
import { initMlp, mlpForward, mlpForwardTf, mlpWidth, type Dense, type Swap } from '../mlp.js';
import {
  assertMultiTaskConfig,
  initTowers,
  towersForward,
  towersForwardTf,
  type MultiTaskConfig,
  type MultiTaskModel,
  type MultiTaskResult,
  type Tower,
} from './towers.js';

export interface SharedBottomParams {
  bottom: Dense[];
  towers: Tower[];
}

/** y_k = sigmoid(h_k(f(x))): every task reads the same bottom output. */
export function sharedBottomForward(
  params: SharedBottomParams,
  x: Matrix,
  counter?: Counter,
): MultiTaskResult {
  assertObject('params', params, 'shared-bottom parameters { bottom, towers }');
  assertMatrix('x', x);
  assertOptionalCounter('counter', counter);
  // f(x): [B, d] -> [B, d_e], read by every tower
  const shared = mlpForward(params.bottom, x, 'bottom', counter);
  return towersForward(
    params.towers,
    (params.towers ?? []).map(() => shared),
    counter,
  );
}

export function initSharedBottom(config: MultiTaskConfig, rng: Rng): SharedBottomParams {
  assertMultiTaskConfig(config);
  assertRng('rng', rng);
  const bottom = initMlp(config.inputDim, config.expertUnits, rng);
  return { bottom, towers: initTowers(mlpWidth(config.inputDim, bottom), config, rng) };
}

/** The tfjs twin of `sharedBottomForward`: logits [B, T]. */
export function sharedBottomForwardTf(
  tf: Tf,
  params: Swap<SharedBottomParams, Tensor>,
  x: Tensor,
): Tensor2D {
  assertTf('tf', tf);
  assertObject('params', params, 'shared-bottom parameters { bottom, towers } of tensors');
  assertTensor('x', x, 2);
  const shared = mlpForwardTf(tf, params.bottom, x);
  return towersForwardTf(
    tf,
    params.towers,
    (params.towers ?? []).map(() => shared),
  );
}

export const sharedBottomModel: MultiTaskModel<SharedBottomParams> = {
  name: 'shared-bottom',
  forward: (params, x) => sharedBottomForward(params, x),
  logitsTf: (tf, params, x) => sharedBottomForwardTf(tf, params, x),
};

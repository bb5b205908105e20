/** MMoE's sizes and parameters: E shared experts, one gate W_gk [E, d] per task, T towers. */
import {
  ArgumentError,
  ArgumentTypeError,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertMatrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertRng, type Rng } from '../../core/random.js';
import { glorotUniform, initMlp, mlpWidth, type Dense } from '../mlp.js';
import {
  assertMultiTaskConfig,
  initTowers,
  type MultiTaskConfig,
  type MultiTaskResult,
  type Tower,
} from '../multi-task/towers.js';

export interface MmoeConfig extends MultiTaskConfig {
  experts: number;
}

export interface MmoeParams {
  /** experts[e]: the layers of expert e. */
  experts: Dense[][];
  /** gates[k]: W_gk, [E, d_in], no bias. */
  gates: Matrix[];
  towers: Tower[];
}

export interface MmoeResult extends MultiTaskResult {
  /** gates[k]: [B, E], task k's weights over the experts for each input. */
  gates: Matrix[];
}

/** Seeded MMoE parameters: E Glorot-uniform expert MLPs, T gates [E, d], T towers. */
export function initMmoe(config: MmoeConfig, rng: Rng): MmoeParams {
  assertMultiTaskConfig(config);
  assertInteger('config.experts', config.experts, { min: 1, max: 256 });
  assertRng('rng', rng);
  const experts = Array.from({ length: config.experts }, () =>
    initMlp(config.inputDim, config.expertUnits, rng),
  );
  const gates = Array.from({ length: config.tasks }, () =>
    glorotUniform(config.experts, config.inputDim, rng),
  );
  return {
    experts,
    gates,
    towers: initTowers(mlpWidth(config.inputDim, experts[0] as Dense[]), config, rng),
  };
}

/** Throws unless `params` is { experts, gates, towers } with one gate of E rows per task tower. */
export function assertMmoeParams(params: unknown): asserts params is MmoeParams {
  assertObject('params', params, 'MMoE parameters { experts, gates, towers }');
  const { experts, gates, towers } = params as Partial<MmoeParams>;
  if (!Array.isArray(experts) || !Array.isArray(gates) || !Array.isArray(towers)) {
    throw new ArgumentTypeError(
      'params',
      params,
      'MMoE parameters { experts, gates, towers } (arrays)',
    );
  }
  if (experts.length === 0)
    throw new ArgumentError('params.experts', experts, 'at least one expert');
  if (towers.length === 0)
    throw new ArgumentError('params.towers', towers, 'one tower per task (at least one)');
  if (gates.length !== towers.length)
    throw new ArgumentError('params.gates', gates, `${towers.length} gates, one per task tower`);
  gates.forEach((g, k) => {
    assertMatrix(`params.gates[${k}]`, g);
    if (g.rows !== experts.length) {
      throw new ArgumentError(
        `params.gates[${k}]`,
        g,
        `${experts.length} rows, one per expert`,
        `shape ${shapeOf(g)}`,
      );
    }
  });
}

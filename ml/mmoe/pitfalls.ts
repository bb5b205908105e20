/** The common wrong MMoEs, kept to be rejected by the answer key and shown in the notebook. */
import type { Matrix } from '../../core/matrix.js';
import { assertMatrix } from '../../core/matrix.js';
import { pitfallSumNormalizedGate, softmaxGate } from '../gates.js';
import { mlpForward } from '../mlp.js';
import { towersForward } from '../multi-task/towers.js';
import { assertMmoeParams, type MmoeParams, type MmoeResult } from './params.js';

/**
 * Pitfall: one gate (task 0's) shared by every task: all towers read the same mixture, so MMoE is
 * a shared-bottom over a gated expert mix and no task gets its own weighting of the experts.
 */
export function pitfallSharedGateForAllTasks(params: MmoeParams, x: Matrix): MmoeResult {
  assertMmoeParams(params);
  assertMatrix('x', x);
  const expertOutputs = params.experts.map((layers, e) => mlpForward(layers, x, `experts[${e}]`));
  const shared = softmaxGate(x, params.gates[0] as Matrix, expertOutputs);
  const result = towersForward(
    params.towers,
    params.towers.map(() => shared.output),
  );
  return { ...result, gates: params.towers.map(() => shared.weights) };
}

/** Pitfall: MMoE whose gates divide the scores by their plain sum instead of a softmax. */
export function pitfallMmoeSumNormalizedGates(params: MmoeParams, x: Matrix): MmoeResult {
  assertMmoeParams(params);
  assertMatrix('x', x);
  const expertOutputs = params.experts.map((layers, e) => mlpForward(layers, x, `experts[${e}]`));
  const mixed = params.gates.map((gate) => pitfallSumNormalizedGate(x, gate, expertOutputs));
  return {
    ...towersForward(
      params.towers,
      mixed.map((m) => m.output),
    ),
    gates: mixed.map((m) => m.weights),
  };
}

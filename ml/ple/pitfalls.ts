/** The common wrong PLE, kept to be rejected by the answer key and shown in the notebook. */
import type { Matrix } from '../../core/matrix.js';
import type { PleParams, PleResult } from './params.js';
import { runLevels } from './levels.js';

/**
 * Pitfall: each task gate mixes every expert of the level (all tasks' specific experts and the
 * shared ones), so task k is driven by the other tasks' experts too; its gate is sum_k S_k + S_s
 * wide where PLE's is S_k + S_s.
 */
export function pitfallTaskGateSeesAllExperts(params: PleParams, x: Matrix): PleResult {
  return runLevels(params, x, {
    rows: (_own, _shared, all) => [all, 'every expert of the level'],
    experts: (own, shared) => [...own.flat(), ...shared],
  });
}

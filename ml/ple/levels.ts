/**
 * The CGC levels run under a gate rule (how wide task gate k is, and which experts it mixes): PLE's
 * own rule (task k's experts, then the shared ones) for the counted forward, or the pitfall's
 * (every expert of the level). The textbook `pleForward` (./index.ts) writes the same loop out.
 */
import { assertFunction, assertObject } from '../../core/errors.js';
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import { assertMatrix, type Matrix } from '../../core/matrix.js';
import { softmaxGate } from '../gates.js';
import { mlpForward } from '../mlp.js';
import { towersForward } from '../multi-task/towers.js';
import {
  assertPleLevels,
  type PleGates,
  type PleParams,
  type PleResult,
  type TaskGateRows,
} from './params.js';

/** What task gate k mixes (given each task's expert outputs and the shared ones), and its width. */
export interface GateRule {
  rows: TaskGateRows;
  experts: (own: Matrix[][], shared: Matrix[], k: number) => Matrix[];
}

/** PLE's rule: task gate k mixes task k's own experts, then the shared experts (S_k + S_s rows). */
export const pleGateRule: GateRule = {
  rows: (own, shared, _all, k) => [
    own + shared,
    `task ${k}'s ${own} experts and the ${shared} shared experts`,
  ],
  experts: (own, shared, k) => [...(own[k] as Matrix[]), ...shared],
};

/** Runs every level under `rule`, then tower k on the last level's task-k output. */
export function runLevels(
  params: PleParams,
  x: Matrix,
  rule: GateRule,
  counter?: Counter,
): PleResult {
  assertObject('rule', rule, 'a gate rule { rows, experts }');
  assertFunction('rule.rows', rule.rows);
  assertFunction('rule.experts', rule.experts);
  assertPleLevels(params, rule.rows);
  assertMatrix('x', x);
  assertOptionalCounter('counter', counter);
  let taskInputs: Matrix[] = params.towers.map(() => x);
  let sharedInput = x;
  const gates: PleGates[] = [];
  params.levels.forEach((level, l) => {
    const at = `levels[${l}]`;
    const own = level.taskExperts.map((experts, k) =>
      experts.map((layers, j) =>
        mlpForward(layers, taskInputs[k] as Matrix, `${at}.taskExperts[${k}][${j}]`, counter),
      ),
    );
    const shared = level.sharedExperts.map((layers, j) =>
      mlpForward(layers, sharedInput, `${at}.sharedExperts[${j}]`, counter),
    );
    const task = level.taskGates.map((gate, k) =>
      softmaxGate(taskInputs[k] as Matrix, gate, rule.experts(own, shared, k), counter),
    );
    const mix =
      level.sharedGate &&
      softmaxGate(sharedInput, level.sharedGate, [...own.flat(), ...shared], counter);
    gates.push({ task: task.map((g) => g.weights), ...(mix ? { shared: mix.weights } : {}) });
    taskInputs = task.map((g) => g.output);
    if (mix) sharedInput = mix.output;
  });
  return { ...towersForward(params.towers, taskInputs, counter), gates };
}

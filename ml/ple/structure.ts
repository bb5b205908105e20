/** Q46 as data: every expert group and gate of every PLE level, what it reads, mixes and outputs. */
import { assertPleConfig, type PleConfig } from './params.js';

/** One row of Q46's table: a kind of unit in one level. */
export interface PleUnit {
  level: number;
  unit: string;
  count: number;
  input: string;
  inputWidth: number;
  /** For a gate: how many experts it mixes (its softmax width); 0 for experts. */
  mixes: number;
  outputWidth: number;
  activation: string;
}

/** Q46 as data: every expert group and gate of every level, what it reads, mixes and outputs. */
export function pleStructure(config: PleConfig): PleUnit[] {
  assertPleConfig(config);
  const { tasks: t, specificExperts: sk, sharedExperts: ss, levels } = config;
  const de = config.expertUnits.at(-1) as number;
  const units: PleUnit[] = [];
  for (let l = 1; l <= levels; l++) {
    const dIn = l === 1 ? config.inputDim : de;
    const taskIn = l === 1 ? 'x' : `task-k output of level ${l - 1}`;
    const sharedIn = l === 1 ? 'x' : `shared output of level ${l - 1}`;
    units.push({
      level: l,
      unit: 'task-k experts',
      count: t * sk,
      input: taskIn,
      inputWidth: dIn,
      mixes: 0,
      outputWidth: de,
      activation: 'ReLU',
    });
    units.push({
      level: l,
      unit: 'shared experts',
      count: ss,
      input: sharedIn,
      inputWidth: dIn,
      mixes: 0,
      outputWidth: de,
      activation: 'ReLU',
    });
    units.push({
      level: l,
      unit: 'task-k gate',
      count: t,
      input: taskIn,
      inputWidth: dIn,
      mixes: sk + ss,
      outputWidth: de,
      activation: 'softmax (linear, no bias)',
    });
    if (l < levels)
      units.push({
        level: l,
        unit: 'shared gate',
        count: 1,
        input: sharedIn,
        inputWidth: dIn,
        mixes: t * sk + ss,
        outputWidth: de,
        activation: 'softmax (linear, no bias)',
      });
  }
  return units;
}

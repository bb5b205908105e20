/**
 * What every multi-task model here shares (shared-bottom, MMoE, PLE): the sizes, one tower per
 * task (ReLU layers, then one logit), and the model interface the trainer fits.
 *
 *   y_k = sigmoid(h_k(in_k))      h_k = tower k, in_k = what task k reads (a bottom, a gate's mix)
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import { assertMatrix, matrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertRng, type Rng } from '../../core/random.js';
import { assertTensor, assertTf, type Tensor, type Tensor2D, type Tf } from '../../core/backend.js';
import {
  denseForward,
  denseForwardTf,
  initDense,
  initMlp,
  mlpForward,
  mlpForwardTf,
  mlpWidth,
  type Dense,
  type Swap,
} from '../mlp.js';

/** A task tower: ReLU hidden layers, then one linear logit. */
export interface Tower<T = Matrix> {
  hidden: Dense<T>[];
  head: Dense<T>;
}

/** Sizes shared by the multi-task models. */
export interface MultiTaskConfig {
  inputDim: number;
  tasks: number;
  /** Hidden widths of each expert (or of the shared bottom); every layer has a ReLU. */
  expertUnits: readonly number[];
  /** Hidden widths of each tower before its logit. */
  towerUnits: readonly number[];
}

/** What every multi-task forward pass returns. */
export interface MultiTaskResult {
  /** [B, T]: one logit per task. */
  logits: Matrix;
  /** [B, T]: sigmoid of the logits. */
  probs: Matrix;
}

/** A model the trainer can fit: a from-scratch forward and its tfjs twin over the same parameters. */
export interface MultiTaskModel<P> {
  name: string;
  forward(params: P, x: Matrix): MultiTaskResult;
  /** Logits [B, T] on tensors; called inside tf.tidy. */
  logitsTf(tf: Tf, params: Swap<P, Tensor2D>, x: Tensor2D): Tensor2D;
}

/** Above this, a layer width or a count is a typo, not a model that fits in memory here. */
export const MAX_UNITS = 4096;

/** Throws unless `config` holds the sizes every multi-task model needs, each bounded. */
export function assertMultiTaskConfig(config: unknown): asserts config is MultiTaskConfig {
  assertObject('config', config, 'an object with inputDim, tasks, expertUnits, towerUnits');
  assertInteger('config.inputDim', config['inputDim'], { min: 1, max: MAX_UNITS });
  assertInteger('config.tasks', config['tasks'], { min: 1, max: 64 });
  const expertUnits = config['expertUnits'];
  if (!Array.isArray(expertUnits)) {
    throw new ArgumentTypeError('config.expertUnits', expertUnits, 'an array of hidden widths');
  }
  if (expertUnits.length === 0) {
    throw new ArgumentError('config.expertUnits', expertUnits, 'at least one hidden width');
  }
  const towerUnits = config['towerUnits'];
  if (!Array.isArray(towerUnits)) {
    throw new ArgumentTypeError('config.towerUnits', towerUnits, 'an array of hidden widths');
  }
  for (const [name, units] of [
    ['expertUnits', expertUnits],
    ['towerUnits', towerUnits],
  ] as const) {
    if (units.length > 16) throw new ArgumentError(`config.${name}`, units, 'at most 16 layers');
    units.forEach((u, i) => assertInteger(`config.${name}[${i}]`, u, { min: 1, max: MAX_UNITS }));
  }
}

/** T towers on inputs of width dIn. */
export function initTowers(dIn: number, config: MultiTaskConfig, rng: Rng): Tower[] {
  assertInteger('dIn', dIn, { min: 1, max: MAX_UNITS });
  assertMultiTaskConfig(config);
  assertRng('rng', rng);
  return Array.from({ length: config.tasks }, () => {
    const hidden = initMlp(dIn, config.towerUnits, rng);
    return { hidden, head: initDense(mlpWidth(dIn, hidden), 1, rng) };
  });
}

/** sigmoid(z), stable for large |z|; unchecked, for the loops below. */
const sigmoidUnchecked = (z: number): number =>
  z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));

/** sigmoid(z) = 1 / (1 + e^-z), stable for large |z| (exactly 0 and 1 at -+Infinity). */
export function sigmoid(z: number): number {
  if (typeof z !== 'number' || Number.isNaN(z))
    throw new ArgumentError('z', z, 'a number (not NaN)');
  return sigmoidUnchecked(z);
}

/** Throws unless `towers` is a non-empty array of towers and `inputs` one Matrix per tower. */
function assertTowers(towers: unknown, inputs: unknown): asserts towers is Tower[] {
  if (!Array.isArray(towers) || towers.length === 0) {
    throw new ArgumentError('towers', towers, 'one tower per task (at least one)');
  }
  towers.forEach((t, k) => {
    assertObject(`towers[${k}]`, t, 'a tower { hidden, head }');
    if (!Array.isArray(t['hidden']))
      throw new ArgumentTypeError(`towers[${k}].hidden`, t['hidden'], 'an array of dense layers');
  });
  if (!Array.isArray(inputs) || inputs.length !== towers.length) {
    throw new ArgumentError('inputs', inputs, `${towers.length} task inputs, one per tower`);
  }
}

/** Tower k on input k: logits [B, T] and probabilities sigmoid(logits). */
export function towersForward(
  towers: readonly Tower[],
  inputs: readonly Matrix[],
  counter?: Counter,
): MultiTaskResult {
  assertTowers(towers, inputs);
  assertOptionalCounter('counter', counter);
  inputs.forEach((m, k) => assertMatrix(`inputs[${k}]`, m));
  const b = (inputs[0] as Matrix).rows;
  const logits = matrix(b, towers.length);
  towers.forEach((tower, k) => {
    const input = inputs[k] as Matrix;
    if (input.rows !== b)
      throw new ArgumentError(
        `inputs[${k}]`,
        input,
        `${b} rows like inputs[0]`,
        `shape ${shapeOf(input)}`,
      );
    // z_k = head_k(relu-MLP_k(in_k)): [B, d] -> [B, 1]
    const h = mlpForward(tower.hidden, input, `towers[${k}].hidden`, counter);
    const z = denseForward(tower.head, h, false, `towers[${k}].head`, counter);
    for (let i = 0; i < b; i++) logits.data[i * towers.length + k] = z.data[i] as number;
  });
  return { logits, probs: matrix(b, towers.length, logits.data.map(sigmoidUnchecked)) };
}

/** The tfjs twin of `towersForward`: logits [B, T] from one [B, d] tensor per tower. */
export function towersForwardTf(
  tf: Tf,
  towers: readonly Tower<Tensor>[],
  inputs: readonly Tensor[],
): Tensor2D {
  assertTf('tf', tf);
  assertTowers(towers, inputs);
  inputs.forEach((t, k) => assertTensor(`inputs[${k}]`, t, 2));
  const logits = towers.map((tower, k) =>
    denseForwardTf(tf, tower.head, mlpForwardTf(tf, tower.hidden, inputs[k] as Tensor), false),
  );
  // T logits of [B, 1] -> [B, T]
  return tf.concat(logits, 1);
}

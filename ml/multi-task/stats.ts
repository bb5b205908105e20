/**
 * The measurements of Q47 and Q48: Pearson correlation of two columns (how related two tasks'
 * targets are), and gate statistics (per-input entropy, entropy of the mean gate, the distance
 * between two tasks' gates).
 *
 *   r = sum (a - mean a)(b - mean b) / sqrt(sum (a - mean a)^2 sum (b - mean b)^2)
 *   H(g) = -sum_e g_e ln g_e            (ln E for a uniform gate over E experts, 0 for one-hot)
 *   TV(g, h) = 1/2 sum_e |g_e - h_e|    averaged over inputs
 */
import { ArgumentError, assertInteger } from '../../core/errors.js';
import { assertMatrix, matrix, shapeOf, type Matrix } from '../../core/matrix.js';
import { gateEntropies, meanGate } from '../gates.js';

/**
 * Pearson correlation of columns a and b of m. A constant column has no correlation (0 / 0): that
 * is an ArgumentError, never NaN.
 */
export function columnCorrelation(m: Matrix, a: number, b: number): number {
  assertMatrix('m', m);
  assertInteger('a', a, { min: 0, max: m.cols - 1 });
  assertInteger('b', b, { min: 0, max: m.cols - 1 });
  if (m.rows < 2) throw new ArgumentError('m', m, 'at least 2 rows', `shape ${shapeOf(m)}`);
  const col = (j: number) =>
    Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j] as number);
  const [xa, xb] = [col(a), col(b)];
  const mean = (v: number[]) => v.reduce((s, y) => s + y, 0) / v.length;
  const [ma, mb] = [mean(xa), mean(xb)];
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < xa.length; i++) {
    const [da, db] = [(xa[i] as number) - ma, (xb[i] as number) - mb];
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0)
    throw new ArgumentError('a', a, 'a column that is not constant (its correlation is 0 / 0)');
  if (sbb === 0)
    throw new ArgumentError('b', b, 'a column that is not constant (its correlation is 0 / 0)');
  const r = sab / Math.sqrt(saa * sbb);
  if (!Number.isFinite(r))
    throw new ArgumentError('m', m, 'columns whose squared deviations do not overflow');
  return Math.max(-1, Math.min(1, r));
}

export interface GateStats {
  /** Mean over inputs of the entropy of that input's gate (nats); ln E when uniform everywhere. */
  meanEntropy: number;
  /** Entropy of the gate averaged over inputs (nats): low means the task uses few experts overall. */
  entropyOfMean: number;
  /** The gate averaged over inputs, [E]. */
  meanWeights: Float64Array;
}

/** Q47's measurements for one task's gate weights [B, E] (B >= 1). */
export function gateStats(weights: Matrix): GateStats {
  const meanWeights = meanGate(weights);
  const entropies = gateEntropies(weights);
  const entropyOfMean = gateEntropies(matrix(1, meanWeights.length, meanWeights))[0] as number;
  return {
    meanEntropy: entropies.reduce((s, h) => s + h, 0) / entropies.length,
    entropyOfMean,
    meanWeights,
  };
}

/** Total-variation distance between two tasks' gates, averaged over inputs: 0 when they mix the same. */
export function gateDistance(a: Matrix, b: Matrix): number {
  assertMatrix('a', a);
  assertMatrix('b', b);
  if (a.rows !== b.rows || a.cols !== b.cols)
    throw new ArgumentError('b', b, `shape ${shapeOf(a)} like a`, `shape ${shapeOf(b)}`);
  if (a.rows === 0) throw new ArgumentError('a', a, 'at least one row', `shape ${shapeOf(a)}`);
  let s = 0;
  for (let i = 0; i < a.data.length; i++)
    s += Math.abs((a.data[i] as number) - (b.data[i] as number));
  return s / 2 / a.rows;
}

/**
 * Expert-utilisation statistics: the health check of a trained MoE (Q39). Run the router over a
 * held-out batch, count each expert's routed assignments, and read:
 *
 *   fractions f_i = load_i / sum load                       (uniform: 1 / N each)
 *   max / mean    = max_i load_i / mean load                (1 = perfect; N = one expert takes all)
 *   CV            = std(load) / mean(load), population std  (0 = perfect; sqrt(N - 1) = collapse)
 *   entropy H(f)  = -sum_i f_i ln f_i, and H / ln N in [0, 1]   (1 = uniform, 0 = collapse)
 *   dead experts  = load_i <= deadBelow x mean load           (default: exactly zero)
 *   dropped rate  = dropped / sum load                        (assignments past capacity)
 *
 * Balance is necessary, not sufficient: a router can be balanced and useless (a random router is
 * balanced). The rest of Q39's answer compares the MoE with a dense model of the same active
 * compute and with the same MoE under a random router, and ablates experts (the notebook).
 *
 * Complexity: O(N).
 */
import { ArgumentError, assertFinite, assertFiniteArray } from '../../core/errors.js';
import { entropy } from '../softmax.js';

export interface UtilisationStats {
  fractions: number[];
  maxOverMean: number;
  cv: number;
  /** Entropy of the load fractions, nats. */
  entropy: number;
  /** entropy / ln N (1 when N = 1). */
  normalisedEntropy: number;
  /** Experts whose load is <= deadBelow x the mean load. */
  dead: number[];
  droppedRate: number;
}

/** Utilisation statistics of per-expert loads (routed assignments), with `dropped` of them dropped. */
export function expertUtilisation(
  load: ArrayLike<number>,
  dropped = 0,
  deadBelow = 0,
): UtilisationStats {
  assertFiniteArray('load', load);
  const n = load.length;
  if (n === 0) throw new ArgumentError('load', load, 'one load per expert (N >= 1)');
  let total = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    if ((load[i] as number) < 0) throw new ArgumentError(`load[${i}]`, load[i], 'a load >= 0');
    total += load[i] as number;
    max = Math.max(max, load[i] as number);
  }
  if (!(total > 0) || !Number.isFinite(total))
    throw new ArgumentError('load', load, 'a finite total load > 0 (at least one routed token)');
  assertFinite('dropped', dropped);
  if (dropped < 0 || dropped > total)
    throw new ArgumentError('dropped', dropped, `a count in [0, ${total}] (the total load)`);
  assertFinite('deadBelow', deadBelow);
  if (deadBelow < 0 || deadBelow >= 1)
    throw new ArgumentError('deadBelow', deadBelow, 'a fraction of the mean load in [0, 1)');
  const mean = total / n;
  const fractions = Array.from(load, (l) => (l as number) / total);
  const variance = Array.from(load).reduce((s, l) => s + ((l as number) - mean) ** 2, 0) / n;
  const h = entropy(fractions.map((f) => Math.min(1, f)));
  const dead: number[] = [];
  for (let i = 0; i < n; i++) if ((load[i] as number) <= deadBelow * mean) dead.push(i);
  return {
    fractions,
    maxOverMean: max / mean,
    cv: Math.sqrt(variance) / mean,
    entropy: h,
    normalisedEntropy: n === 1 ? 1 : h / Math.log(n),
    dead,
    droppedRate: dropped / total,
  };
}

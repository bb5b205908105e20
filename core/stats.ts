/**
 * Small statistics used by tests and notebooks to judge seeded random experiments: mean and
 * standard deviation, and Pearson's chi-square goodness-of-fit test (the p-value from @stdlib's
 * chi-square CDF).
 */
import chiSquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import { ArgumentError, assertFiniteArray, assertInteger } from './errors.js';

export function mean(values: ArrayLike<number>): number {
  assertFiniteArray('values', values);
  if (values.length === 0) throw new ArgumentError('values', values, 'at least one value');
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s / values.length;
}

/** Sample standard deviation (divides by n - 1). */
export function std(values: ArrayLike<number>): number {
  assertFiniteArray('values', values);
  if (values.length < 2) throw new ArgumentError('values', values, 'at least two values');
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += ((values[i] as number) - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  /** P(X >= statistic) for X ~ chi-square(df): small means "these counts do not fit". */
  pValue: number;
}

/** The upper tail P(X >= x) of chi-square(df). */
export function chiSquareSurvival(x: number, df: number): number {
  if (typeof x !== 'number' || Number.isNaN(x))
    throw new ArgumentError('x', x, 'a number (not NaN)');
  assertInteger('df', df, { min: 1 });
  return 1 - chiSquareCdf(x, df);
}

/**
 * Pearson's test that `observed` counts come from the `expected` counts (same total).
 * df = categories - 1 - `estimated` (parameters fitted from the same data).
 */
export function chiSquareTest(
  observed: ArrayLike<number>,
  expected: ArrayLike<number>,
  estimated = 0,
): ChiSquareResult {
  assertFiniteArray('observed', observed);
  assertFiniteArray('expected', expected);
  if (observed.length !== expected.length) {
    throw new ArgumentError('expected', expected, `${observed.length} categories like observed`);
  }
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = expected[i] as number;
    if (!(e > 0)) throw new ArgumentError(`expected[${i}]`, e, 'a positive expected count');
    statistic += ((observed[i] as number) - e) ** 2 / e;
  }
  assertInteger('estimated', estimated, { min: 0, max: Math.max(0, observed.length - 2) });
  const df = observed.length - 1 - estimated;
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}

/**
 * The two helpers every answer key and input table uses.
 *
 * - `rejectsPitfall(property)`: a pitfall (a common wrong answer) must be rejected by the same
 *   property that the right answer passes, with a counterexample: the property's assertion fails or
 *   it returns false. A pitfall that merely crashes (a TypeError, a RangeError) does not count, so
 *   `expect(() => fc.assert(...)).toThrow()` is not enough and is not used.
 * - `badCalls(rows)`: an input table. Each row is a bad call, the argument it must be rejected for,
 *   and the error class (`ArgumentError` for a value out of range or inconsistent, `ArgumentTypeError`
 *   for a value of the wrong kind). Whole messages are not pinned: the class and the argument's name
 *   are what a caller can rely on.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ArgumentError, ArgumentTypeError } from '../../core/errors.js';

type ProjectError = typeof ArgumentError | typeof ArgumentTypeError;

/** Did the property fail by its own judgement (an assertion, or returning false), not by a crash? */
function failedByJudgement(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'AssertionError' || error.message === 'Property failed by returning false';
}

function explain<Ts>(details: fc.RunDetails<Ts>): string {
  if (!details.failed)
    return `the property held on all ${details.numRuns} runs: the pitfall was not rejected`;
  const error = details.errorInstance as Error | undefined;
  return `the property failed by a crash, not by a counterexample: ${error?.name}: ${error?.message}`;
}

/**
 * Asserts that `property` rejects a pitfall by a counterexample, and returns that counterexample
 * (so the key can show or pin it). Seeded like every property here, so the failure is replayable.
 */
export function rejectsPitfall<Ts>(property: fc.IProperty<Ts>, params: fc.Parameters<Ts> = {}): Ts {
  const details = fc.check(property, params);
  expect(details.failed && failedByJudgement(details.errorInstance), explain(details)).toBe(true);
  return details.counterexample as Ts;
}

/** The same for an async property. */
export async function rejectsPitfallAsync<Ts>(
  property: fc.IAsyncProperty<Ts>,
  params: fc.Parameters<Ts> = {},
): Promise<Ts> {
  const details = await fc.check(property, params);
  expect(details.failed && failedByJudgement(details.errorInstance), explain(details)).toBe(true);
  return details.counterexample as Ts;
}

/**
 * Asserts that `call` throws (or, if it returns a promise, rejects with) `errorClass` for `argument`.
 * `argument` is the name the error carries: exact ('k', 'rows[2]') or a pattern (/^wq/).
 */
export async function expectArgumentError(
  call: () => unknown,
  argument: string | RegExp,
  errorClass: ProjectError = ArgumentError,
): Promise<void> {
  let thrown: unknown;
  try {
    await call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'the call did not throw').toBeDefined();
  const name = (thrown as Error).name;
  expect(thrown, `threw ${name}: ${(thrown as Error).message}`).toBeInstanceOf(errorClass);
  const named = (thrown as ArgumentError | ArgumentTypeError).argument;
  if (typeof argument === 'string') expect(named, (thrown as Error).message).toBe(argument);
  else expect(named, (thrown as Error).message).toMatch(argument);
}

/** One row of an input table: what is wrong, the call, the argument named, the error class. */
export type BadCall = readonly [
  what: string,
  call: () => unknown,
  argument: string | RegExp,
  errorClass?: ProjectError,
];

/** Declares one test per row: `badCalls([['k < 0', () => f([1], -1), 'k'], ...])`. */
export function badCalls(rows: readonly BadCall[]): void {
  it.each(rows.map((row) => [...row]))('%s', async (_what, call, argument, errorClass) => {
    await expectArgumentError(
      call as () => unknown,
      argument as string | RegExp,
      (errorClass as ProjectError | undefined) ?? ArgumentError,
    );
  });
}

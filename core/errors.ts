/**
 * The project's error vocabulary. A bad argument throws one of these, never returns NaN and never
 * hangs. The message always names the argument, shows the value received and says what was expected:
 *
 *   k: got -1, expected an integer >= 0
 *
 * `ArgumentError` extends `RangeError` (the value has the right type but is out of range or
 * inconsistent); `ArgumentTypeError` extends `TypeError` (the value is of the wrong kind).
 * Both carry the pieces as fields so a caller can react to them without parsing text.
 */

/** Render a received value compactly for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  const name = value.constructor?.name ?? 'object';
  return `${/^[AEIOUaeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

function message(argument: string, got: string, expected: string): string {
  const text = (x: unknown) => (typeof x === 'string' ? x : describeValue(x));
  return `${text(argument)}: got ${got}, expected ${text(expected)}`;
}

/** The value has the right kind but is out of range, or inconsistent with another argument. */
export class ArgumentError extends RangeError {
  override readonly name = 'ArgumentError';
  constructor(
    readonly argument: string,
    readonly value: unknown,
    readonly expected: string,
    /** Overrides how the value is shown, e.g. "shape [3, 4]". */
    shown?: string,
  ) {
    super(message(argument, shown ?? describeValue(value), expected));
  }
}

/** The value is of the wrong kind (not an array, not a number, not iterable, ...). */
export class ArgumentTypeError extends TypeError {
  override readonly name = 'ArgumentTypeError';
  constructor(
    readonly argument: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(message(argument, describeValue(value), expected));
  }
}

/** Throws unless `value` is a finite number. */
export function assertFinite(argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new ArgumentTypeError(argument, value, 'a finite number');
  if (!Number.isFinite(value)) throw new ArgumentError(argument, value, 'a finite number');
}

export interface IntegerBounds {
  min?: number;
  max?: number;
}

function boundsText({ min, max }: IntegerBounds): string {
  if (min !== undefined && max !== undefined) return `an integer in [${min}, ${max}]`;
  if (min !== undefined) return `an integer >= ${min}`;
  if (max !== undefined) return `an integer <= ${max}`;
  return 'an integer';
}

/** Throws unless `value` is a safe integer within the optional inclusive bounds. */
export function assertInteger(
  argument: string,
  value: unknown,
  bounds: IntegerBounds = {},
): asserts value is number {
  const expected = boundsText(bounds);
  if (typeof value !== 'number') throw new ArgumentTypeError(argument, value, expected);
  if (!Number.isSafeInteger(value)) throw new ArgumentError(argument, value, expected);
  if (bounds.min !== undefined && value < bounds.min)
    throw new ArgumentError(argument, value, expected);
  if (bounds.max !== undefined && value > bounds.max)
    throw new ArgumentError(argument, value, expected);
}

/** Throws unless `value` is an array (typed arrays are not accepted here). */
export function assertArray(argument: string, value: unknown): asserts value is unknown[] {
  if (!Array.isArray(value)) throw new ArgumentTypeError(argument, value, 'an array');
}

/** Throws unless `value` is an object with a numeric length: an array or a typed array. */
export function assertArrayLike(
  argument: string,
  value: unknown,
  expected = 'an array of numbers',
): asserts value is ArrayLike<unknown> {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { length?: unknown }).length !== 'number'
  ) {
    throw new ArgumentTypeError(argument, value, expected);
  }
}

/**
 * An optional vector such as a bias or a norm's gain: undefined, or an array-like of `length` finite
 * numbers. `expected` says what it must be (e.g. "8 values, one per row of wq [8, 8]").
 */
export function assertOptionalVector(
  argument: string,
  value: unknown,
  length: number,
  expected: string,
): asserts value is ArrayLike<number> | undefined {
  if (value === undefined) return;
  assertArrayLike(argument, value, expected);
  if (value.length !== length) throw new ArgumentError(argument, value, expected);
  assertFiniteArray(argument, value);
}

/** Throws unless every element of an array-like is a finite number; names the first bad index. */
export function assertFiniteArray(
  argument: string,
  values: unknown,
): asserts values is ArrayLike<number> {
  assertArrayLike(argument, values);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ArgumentError(`${argument}[${i}]`, v, 'a finite number');
    }
  }
}

/** A plain number array or a numeric (non-bigint) typed array: what the sorting and searching modules take. */
export type NumericArray =
  | number[]
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray;

const NUMERIC_TYPED = [
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
];

/**
 * Throws unless `values` is a number array or a numeric typed array whose elements can be ordered:
 * numbers and not NaN (NaN compares false with everything, so a comparison sort or a binary search
 * silently goes wrong on it). +-Infinity is allowed. Names the first bad index.
 */
export function assertComparableArray(
  argument: string,
  values: unknown,
): asserts values is NumericArray {
  const typed = NUMERIC_TYPED.some((T) => values instanceof T);
  if (!Array.isArray(values) && !typed)
    throw new ArgumentTypeError(argument, values, 'an array of numbers or a numeric typed array');
  const items = values as ArrayLike<unknown>;
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (typeof v !== 'number') throw new ArgumentTypeError(`${argument}[${i}]`, v, 'a number');
    if (v !== v)
      throw new ArgumentError(
        `${argument}[${i}]`,
        v,
        'a number that is not NaN (NaN cannot be ordered)',
      );
  }
}

/** Throws unless `value` is a non-null object (not an array): a config, weights or options bag. */
export function assertObject(
  argument: string,
  value: unknown,
  expected = 'an object',
): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ArgumentTypeError(argument, value, expected);
}

/** Throws unless `value` is a function. */
export function assertFunction(
  argument: string,
  value: unknown,
  expected = 'a function',
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new ArgumentTypeError(argument, value, expected);
}

/** Throws unless `value` is a boolean. */
export function assertBoolean(argument: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') throw new ArgumentTypeError(argument, value, 'true or false');
}

/** Throws unless `value` is one of `allowed` (compared with ===), listing them. */
export function assertOneOf<const T>(
  argument: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  assertArray('allowed', allowed);
  if (!allowed.includes(value as T)) {
    throw new ArgumentError(
      argument,
      value,
      `one of ${allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ')}`,
    );
  }
}

/** Throws unless `value` is iterable (arrays, strings, generators, Sets, ...). */
export function assertIterable(
  argument: string,
  value: unknown,
  expected = 'an iterable',
): asserts value is Iterable<unknown> {
  if (value == null || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function')
    throw new ArgumentTypeError(argument, value, expected);
}

/**
 * The worker behind tests/surface.test.ts: for each job it imports one module and calls every
 * exported function and class (constructor, then its methods) with junk arguments, reporting each call before it starts and
 * its verdict after, so that the main thread can tell a hang from a slow call and name it.
 *
 * A call passes when it returns (a value without NaN if every argument was finite) or throws the
 * project's `ArgumentError` / `ArgumentTypeError`. Anything else is a failure: a TypeError from
 * inside, a RangeError from an allocation, a NaN, or more than a second of work.
 */
import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { ArgumentError, ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { rng, type Rng } from '../../core/random.js';
import { tensorBackend, type Tf } from '../../core/backend.js';

export interface JunkJob {
  file: string;
  /** Calls per export (and per method of a constructed class). */
  calls: number;
  /** Skip calls up to this global index (a restart after a hang resumes after it). */
  from: number;
  /** Load the tensor backend first, and offer the real tf namespace and tensors as arguments. */
  tensors: boolean;
}

export type JunkMessage =
  | { kind: 'start'; index: number; call: string }
  | { kind: 'done'; index: number; failure?: string }
  | { kind: 'end'; calls: number };

const LIMIT_MS = 1000;

function cyclicList(): unknown {
  const node: { val: number; next: unknown } = { val: 1, next: null };
  node.next = node;
  return node;
}

function* finite(): Generator<number> {
  yield 1;
  yield 2;
}

/** Each factory makes a fresh value, so a function that mutates its input cannot spoil the next call. */
function pools(tf: Tf | undefined): { junk: (() => unknown)[]; plausible: (() => unknown)[] } {
  const junk: (() => unknown)[] = [
    () => null,
    () => undefined,
    () => Number.NaN,
    () => Number.POSITIVE_INFINITY,
    () => -1,
    () => -0,
    () => 0.5,
    () => 2 ** 31,
    () => 1e300,
    () => '',
    () => 'abc',
    () => true,
    () => ({}),
    () => [],
    () => [[1, 2], [3]],
    () => [Number.NaN],
    () => [null],
    () => ['a', 'b'],
    () => ({ rows: 2, cols: 2, data: [1, 2, 3] }),
    () => ({ rows: 2, cols: 2, data: new Float64Array([1, 2, 3, 4]) }),
    () => ({ uniform: () => 0.5, integer: () => 0, normal: () => 0 }),
    () => ({ matMul: 1, tidy: 1 }),
    () => ({ val: 1, next: {} }),
    () => ({ val: 1, left: {}, right: null }),
    cyclicList,
    () => Symbol('junk'),
    () => 10n,
    () => new Map(),
  ];
  const plausible: (() => unknown)[] = [
    () => 0,
    () => 1,
    () => 2,
    () => 3,
    () => 0.1,
    () => [1, 2, 3],
    () => [3, 1, 2, 2],
    () => [0, 1, 1, 0],
    () => [
      [1, 2],
      [3, 4],
    ],
    () => [true, false],
    () => new Float64Array([0.5, -1, 2]),
    () => 'abca',
    () => 'R',
    () => finite(),
    () => new Set([1, 2]),
    () => matrix(2, 2, [1, 2, 3, 4]),
    () => matrix(2, 3, [1, -1, 0.5, 2, 0, 1]),
    () => matrix(3, 2, [1, 0, 0, 1, 1, 1]),
    () => matrix(0, 0),
    () => rng(1),
    () => (x: unknown) => x,
    () => ({ numHeads: 2, dModel: 4 }),
    () => ({ val: 1, next: { val: 2, next: null } }),
    () => ({ val: 1, left: null, right: { val: 2, left: null, right: null } }),
  ];
  if (tf) {
    plausible.push(
      () => tf,
      () => tf,
      () => tf.tensor2d([1, 2, 3, 4], [2, 2]),
      () => tf.tensor1d([1, 2]),
    );
  }
  return { junk, plausible };
}

/** A stable seed per call, so a restarted worker makes the same arguments. */
function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function drawArgs(r: Rng, arity: number, pool: ReturnType<typeof pools>): unknown[] {
  const count = r.integer(0, Math.min(6, Math.max(1, arity) + 2));
  return Array.from({ length: count }, () => {
    const from = r.uniform() < 0.6 ? pool.plausible : pool.junk;
    return (from[r.integer(0, from.length - 1)] as () => unknown)();
  });
}

function describe(value: unknown, depth = 0): string {
  if (typeof value === 'symbol') return 'Symbol()';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'fn';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value))
    return depth > 1 ? '[...]' : `[${value.map((v) => describe(v, depth + 1)).join(', ')}]`;
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  const ctor = (value as object).constructor?.name;
  if ('dataSync' in value && 'shape' in value)
    return `Tensor[${(value as { shape: number[] }).shape.join(',')}]`;
  if ('matMul' in value && typeof (value as { matMul: unknown }).matMul === 'function') return 'tf';
  if (ctor && ctor !== 'Object') return ctor;
  if (depth > 0) return '{...}';
  return `{${Object.keys(value).join(', ')}}`;
}

/** Whether every number reachable in `value` is finite (what "finite input" means here). */
function allFinite(value: unknown, depth = 0, seen = new Set<unknown>()): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object' || depth > 4 || seen.has(value)) return true;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const items = value as unknown as ArrayLike<number>;
    for (let i = 0; i < Math.min(items.length, 100_000); i++)
      if (!Number.isFinite(items[i])) return false;
    return true;
  }
  if ('dataSync' in value) return true;
  return Object.values(value).every((v) => allFinite(v, depth + 1, seen));
}

/** Whether a NaN is reachable in `value` (tensors are not read). */
function hasNaN(value: unknown, depth = 0, seen = new Set<unknown>()): boolean {
  if (typeof value === 'number') return Number.isNaN(value);
  if (value === null || typeof value !== 'object' || depth > 4 || seen.has(value)) return false;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const items = value as unknown as ArrayLike<number>;
    for (let i = 0; i < Math.min(items.length, 100_000); i++)
      if (Number.isNaN(items[i])) return true;
    return false;
  }
  if ('dataSync' in value || value instanceof Promise) return false;
  if (value instanceof Map) return hasNaN([...value.values()], depth + 1, seen);
  return Object.values(value).some((v) => hasNaN(v, depth + 1, seen));
}

function verdictOf(error: unknown): string | undefined {
  if (error instanceof ArgumentError || error instanceof ArgumentTypeError) return undefined;
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  return `threw a non-Error: ${String(error)}`;
}

const isClass = (f: unknown) =>
  typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));

async function probe(job: JunkJob): Promise<void> {
  const post = (m: JunkMessage) => parentPort?.postMessage(m);
  const tf = job.tensors ? (await tensorBackend()).tf : undefined;
  const mod = (await import(pathToFileURL(job.file).href)) as Record<string, unknown>;
  const pool = pools(tf);
  let index = 0;

  /** Runs one call; returns the value (or undefined if it threw). */
  const call = async (
    label: string,
    arity: number,
    run: (args: unknown[]) => unknown,
  ): Promise<unknown> => {
    const i = index++;
    if (i < job.from) return undefined;
    const r = rng(seedOf(`${label}#${i}`));
    const args = drawArgs(r, arity, pool);
    const shown = `${label}(${args.map((a) => describe(a)).join(', ')})`;
    post({ kind: 'start', index: i, call: shown });
    const finiteInput = allFinite(args);
    const t0 = performance.now();
    let failure: string | undefined;
    let value: unknown;
    try {
      value = run(args);
      if (value instanceof Promise) value = await value;
      if (finiteInput && hasNaN(value)) failure = 'returned NaN from finite input';
    } catch (error) {
      failure = verdictOf(error);
      value = undefined;
    }
    const ms = performance.now() - t0;
    if (failure === undefined && ms > LIMIT_MS)
      failure = `took ${Math.round(ms)} ms (limit ${LIMIT_MS} ms)`;
    post({
      kind: 'done',
      index: i,
      ...(failure === undefined ? {} : { failure: `${shown}: ${failure}` }),
    });
    return value;
  };

  // Instances of the module's classes, made by their constructors or returned by its functions
  // (rng(seed) returns an Rng): their methods are probed after every export has been called.
  const classes = Object.keys(mod)
    .sort()
    .filter((name) => isClass(mod[name]));
  const instances = new Map<string, object[]>(classes.map((name) => [name, []]));
  const keep = (value: unknown) => {
    if (value === null || typeof value !== 'object') return;
    for (const name of classes) {
      const list = instances.get(name) as object[];
      if (value instanceof (mod[name] as new () => object) && list.length < 3) list.push(value);
    }
  };
  for (const name of Object.keys(mod).sort()) {
    const exported = mod[name];
    if (typeof exported !== 'function') continue;
    if (isClass(exported)) {
      const Ctor = exported as new (...args: unknown[]) => object;
      for (let t = 0; t < job.calls; t++)
        keep(await call(`new ${name}`, Ctor.length, (args) => new Ctor(...args)));
    } else {
      const fn = exported as (...args: unknown[]) => unknown;
      for (let t = 0; t < job.calls; t++) keep(await call(name, fn.length, (args) => fn(...args)));
    }
  }
  for (const name of classes) {
    const Ctor = mod[name] as new () => object;
    const methods = Object.getOwnPropertyNames(Ctor.prototype)
      .filter((m) => m !== 'constructor')
      .sort();
    for (const [n, instance] of (instances.get(name) as object[]).entries()) {
      for (const m of methods) {
        const descriptor = Object.getOwnPropertyDescriptor(Ctor.prototype, m);
        if (typeof descriptor?.value !== 'function') continue;
        const method = descriptor.value as (...args: unknown[]) => unknown;
        for (let t = 0; t < Math.ceil(job.calls / 4); t++) {
          await call(`${name}#${n}.${m}`, method.length, (args) => method.apply(instance, args));
        }
      }
    }
  }
  post({ kind: 'end', calls: index });
}

/** Jobs come one at a time; the worker stays up between them, so tsx and tfjs load once. */
parentPort?.on('message', (job: JunkJob) => {
  probe(job).catch((error: unknown) => {
    parentPort?.postMessage({
      kind: 'done',
      index: -1,
      failure: `the module could not be probed: ${String(error)}`,
    });
    parentPort?.postMessage({ kind: 'end', calls: 0 });
  });
});

/**
 * The one place that chooses TensorFlow.js's backend. Every ML module, notebook and test gets `tf`
 * from `tensorBackend()`, never by calling `tf.setBackend` itself, and TensorFlow.js is loaded on
 * that first call, not when a module is imported: a from-scratch module and its answer key never
 * pay for it. Elsewhere only its types are imported (`import type`).
 *
 * Order: tfjs-node (native TensorFlow, an optional dependency whose install needs a download that is
 * not possible everywhere), then the WebAssembly backend (about 25x the pure-JS one), then pure-JS
 * cpu. `BAGU_BACKEND=cpu|wasm|tensorflow` forces one. The choice and the reason are returned; a line
 * on stderr says which one runs only when it is the slow pure-JS one, or with `BAGU_VERBOSE=1`.
 *
 * @example
 *   const { tf, name } = await tensorBackend();
 *   tf.matMul(a, b);   // runs on `name`
 */
import type * as Tfjs from '@tensorflow/tfjs';
import { ArgumentError, ArgumentTypeError, assertFunction, assertInteger } from './errors.js';
import { assertMatrix, matrix, type Matrix } from './matrix.js';

export type Tf = typeof Tfjs;
export type Tensor = Tfjs.Tensor;
export type Tensor2D = Tfjs.Tensor2D;
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface TensorBackend {
  tf: Tf;
  name: BackendName;
  /** Why this one: what happened to each better backend that was tried. */
  reason: string;
}

const ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** Registers a backend with tfjs and makes it current; throws with the cause if it cannot. */
async function activate(tf: Tf, name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    // Registers the 'tensorflow' backend as a side effect; fails when the native library is missing.
    await import('@tensorflow/tfjs-node' as string);
  } else if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
  }
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

async function choose(): Promise<TensorBackend> {
  const forced = process.env['BAGU_BACKEND'];
  if (forced !== undefined && forced !== '' && !ORDER.includes(forced as BackendName)) {
    throw new ArgumentError('BAGU_BACKEND', forced, `one of ${ORDER.join(', ')}`);
  }
  const tf = (await import('@tensorflow/tfjs')) as Tf;
  const candidates = forced ? [forced as BackendName] : ORDER;
  const skipped: string[] = [];
  for (const name of candidates) {
    try {
      await activate(tf, name);
      const reason = forced
        ? 'forced by BAGU_BACKEND'
        : skipped.length
          ? skipped.join('; ')
          : 'first choice';
      return { tf, name, reason };
    } catch (error) {
      skipped.push(`${name} unavailable (${firstLine(error)})`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

let chosen: Promise<TensorBackend> | undefined;

/** The tfjs namespace with the best available backend active. Resolves once; later calls share it. */
export function tensorBackend(): Promise<TensorBackend> {
  chosen ??= choose().then((backend) => {
    if (process.env['BAGU_VERBOSE'] || (backend.name === 'cpu' && !process.env['BAGU_BACKEND'])) {
      process.stderr.write(
        `[bagu] info: tensors run on the ${backend.name} backend (${backend.reason})\n`,
      );
    }
    return backend;
  });
  return chosen;
}

/** Throws unless `tf` is the TensorFlow.js namespace (what `tensorBackend()` returns as `tf`). */
export function assertTf(argument: string, tf: unknown): asserts tf is Tf {
  const t = tf as Partial<Tf> | null;
  if (
    t === null ||
    typeof t !== 'object' ||
    typeof t.matMul !== 'function' ||
    typeof t.tidy !== 'function'
  ) {
    throw new ArgumentTypeError(
      argument,
      tf,
      'the TensorFlow.js namespace (tf from tensorBackend())',
    );
  }
}

/** Throws unless `t` is a tfjs tensor of the given rank (any rank when omitted). */
export function assertTensor(argument: string, t: unknown, rank?: number): asserts t is Tensor {
  if (rank !== undefined) assertInteger('rank', rank, { min: 0 });
  const x = t as Partial<Tensor> | null;
  if (
    x === null ||
    typeof x !== 'object' ||
    !Array.isArray(x.shape) ||
    typeof x.dataSync !== 'function'
  ) {
    throw new ArgumentTypeError(
      argument,
      t,
      rank === undefined ? 'a tfjs tensor' : `a rank-${rank} tfjs tensor`,
    );
  }
  if (rank !== undefined && x.rank !== rank) {
    throw new ArgumentError(
      argument,
      t,
      `a rank-${rank} tensor`,
      `rank ${x.rank}, shape [${x.shape.join(', ')}]`,
    );
  }
}

/** A Matrix as a float32 tfjs tensor of shape [rows, cols] (tfjs has no float64). */
export function toTensor2d(tf: Tf, m: Matrix): Tensor2D {
  assertTf('tf', tf);
  assertMatrix('m', m);
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], 'float32');
}

/** A 2-D tensor back to a Matrix (and disposes the tensor). */
export async function fromTensor2d(t: Tensor): Promise<Matrix> {
  assertTensor('t', t);
  if (t.rank !== 2)
    throw new ArgumentError(
      't',
      t,
      'a rank-2 tensor',
      `rank ${t.rank}, shape [${t.shape.join(', ')}]`,
    );
  const [rows, cols] = t.shape as [number, number];
  const data = await t.data();
  t.dispose();
  return matrix(rows, cols, data);
}

/**
 * The edge between `Matrix` code and a tensor-level twin: converts the matrices to tensors, runs
 * `fn` inside tf.tidy, and reads the rank-2 result back as a Matrix. A Matrix-level tfjs twin is
 * this one line around its tensor-level function.
 *
 * @example
 *   const out = await onMatrices((tf, q, k, v) => attentionTf(tf, q, k, v), q, k, v);
 */
export async function onMatrices(
  fn: (tf: Tf, ...inputs: Tensor2D[]) => Tensor,
  ...inputs: Matrix[]
): Promise<Matrix> {
  assertFunction('fn', fn);
  inputs.forEach((m, i) => assertMatrix(`inputs[${i}]`, m));
  const { tf } = await tensorBackend();
  return fromTensor2d(tf.tidy(() => fn(tf, ...inputs.map((m) => toTensor2d(tf, m)))));
}

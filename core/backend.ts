/**
 * The one place that chooses TensorFlow.js's backend. Every ML module, notebook and test gets `tf`
 * from `tensorBackend()`, never by calling `tf.setBackend` itself.
 *
 * Order: tfjs-node (native TensorFlow, an optional dependency whose install needs a download that is
 * not possible everywhere), then the WebAssembly backend (about 25x the pure-JS one), then pure-JS
 * cpu. `BAGU_BACKEND=cpu|wasm|tensorflow` forces one. The choice and the reason are returned and
 * printed once per process on stderr (set `BAGU_QUIET=1` to silence the line).
 *
 * @example
 *   const { tf, name } = await tensorBackend();
 *   tf.matMul(a, b);   // runs on `name`
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from './errors.js';
import { matrix, type Matrix } from './matrix.js';

export type Tf = typeof tf;
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
async function activate(name: BackendName): Promise<void> {
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
  const candidates = forced ? [forced as BackendName] : ORDER;
  const skipped: string[] = [];
  for (const name of candidates) {
    try {
      await activate(name);
      const reason = forced ? 'forced by BAGU_BACKEND' : skipped.length ? skipped.join('; ') : 'first choice';
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
    if (!process.env['BAGU_QUIET']) {
      process.stderr.write(`[bagu] tensor backend: ${backend.name} (${backend.reason})\n`);
    }
    return backend;
  });
  return chosen;
}

/** A Matrix as a float32 tfjs tensor of shape [rows, cols] (tfjs has no float64). */
export function toTensor2d(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], 'float32');
}

/** A 2-D tensor back to a Matrix (and disposes the tensor). */
export async function fromTensor2d(t: tf.Tensor): Promise<Matrix> {
  if (t.rank !== 2) throw new ArgumentError('t', t, 'a rank-2 tensor', `rank ${t.rank}, shape [${t.shape.join(', ')}]`);
  const [rows, cols] = t.shape as [number, number];
  const data = await t.data();
  t.dispose();
  return matrix(rows, cols, data);
}

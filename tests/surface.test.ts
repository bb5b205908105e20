/**
 * The public surface holds: every export of every catalog module and of core/, called with junk (null, NaN,
 * ragged or empty arrays, non-integer and huge sizes, plain objects where an Rng, a Matrix, a list
 * node or the tfjs namespace goes, symbols, bigints, ...) mixed with plausible arguments, either
 * returns or throws the project's ArgumentError / ArgumentTypeError. A TypeError from inside, a NaN
 * from finite input, or a call that has not returned within a second fails the test, named with its
 * arguments. Each module runs in a worker thread, so a call that never returns is stopped and named.
 *
 * `BAGU_SURFACE=algorithms/quicksort npx vitest run tests/surface.test.ts` probes only the modules
 * whose path starts with that prefix.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { catalog } from '../catalog/index.js';
import { PROJECT_ROOT, resolvePath } from '../catalog/paths.js';
import type { JunkJob, JunkMessage } from './support/junk-worker.js';

const CALLS_PER_EXPORT = 24;
/** A worker silent for this long after starting a call is taken to hang (the call limit is 1 s). */
const HANG_MS = 5000;
/** Loading a module (and TensorFlow.js for ml/) on a busy 2-core machine may take this long. */
const LOAD_MS = 60_000;
const WORKER = resolvePath('tests/support/junk-worker.mjs');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Catalog modules (a module that is a folder's index.ts brings every file of that folder), and the
 * ground floor they stand on: core/ (matrices, the rng, errors, stats, counters, the backend).
 */
function surfaceFiles(): string[] {
  const files = new Set<string>(tsFiles(resolvePath('core')));
  for (const entry of catalog) {
    const path = resolvePath(entry.module);
    if (path.endsWith('index.ts')) for (const f of tsFiles(dirname(path))) files.add(f);
    else files.add(path);
  }
  const prefix = process.env['BAGU_SURFACE'];
  return [...files]
    .map((f) => relative(PROJECT_ROOT, f))
    .filter((f) => !prefix || f.startsWith(prefix))
    .sort();
}

/** Runs the worker from call `from`; resolves with its failures and, after a hang, where to resume. */
function probe(job: JunkJob): Promise<{ failures: string[]; calls: number; resumeAt?: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: job, stdout: true, stderr: true });
    const failures: string[] = [];
    let current: { index: number; call: string } | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      const limit = current === undefined ? LOAD_MS : HANG_MS;
      timer = setTimeout(() => {
        void worker.terminate();
        const at = current ?? { index: job.from, call: '(loading the module)' };
        failures.push(`${at.call}: did not return within ${limit} ms`);
        resolve({ failures, calls: at.index + 1, resumeAt: at.index + 1 });
      }, limit);
    };
    arm();
    worker.on('message', (m: JunkMessage) => {
      arm();
      if (m.kind === 'start') current = { index: m.index, call: m.call };
      else if (m.kind === 'done' && m.failure !== undefined) failures.push(m.failure);
      else if (m.kind === 'end') {
        clearTimeout(timer);
        void worker.terminate();
        resolve({ failures, calls: m.calls });
      }
    });
    worker.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

describe('every export of every catalog module holds on junk', () => {
  const files = surfaceFiles();
  it('finds the catalog modules', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files)(
    '%s',
    async (file) => {
      const failures: string[] = [];
      const tensors = file.startsWith('ml/') || file === 'core/backend.ts';
      let from = 0;
      let calls = 0;
      for (let restarts = 0; restarts < 20; restarts++) {
        const result = await probe({
          file: resolvePath(file),
          calls: CALLS_PER_EXPORT,
          from,
          tensors,
        });
        failures.push(...result.failures);
        calls = Math.max(calls, result.calls);
        if (result.resumeAt === undefined) break;
        from = result.resumeAt;
      }
      // One line per export is enough to act on: the first failing call of each.
      const firstPerExport = new Map<string, string>();
      for (const f of failures) {
        const name = f.slice(0, f.indexOf('('));
        if (!firstPerExport.has(name)) firstPerExport.set(name, f);
      }
      expect([...firstPerExport.values()]).toEqual([]);
      // A module with nothing to call would pass vacuously.
      expect(calls).toBeGreaterThan(0);
    },
    240_000,
  );
});

/**
 * The public surface holds: every export of every module (ml/, algorithms/, core/: the catalog's
 * modules, their parts and the ground floor), called with junk (null, NaN, ragged or empty arrays, non-integer and huge sizes, plain objects where an Rng, a Matrix, a list
 * node or the tfjs namespace goes, symbols, bigints, ...) mixed with plausible arguments, either
 * returns or throws the project's ArgumentError / ArgumentTypeError. A TypeError from inside, a NaN
 * from finite input, or a call that has not returned within a second fails the test, named with its
 * arguments. The calls run in a worker thread, so a call that never returns is stopped and named;
 * the probe is itself shown to catch each of these on a fixture of bad exports.
 *
 * `BAGU_SURFACE=algorithms/quicksort npx vitest run tests/surface.test.ts` probes only the modules
 * whose path starts with that prefix.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { catalog } from '../catalog/index.js';
import { PROJECT_ROOT, resolvePath } from '../catalog/paths.js';
import type { JunkJob, JunkMessage } from './support/junk-worker.js';

const CALLS_PER_EXPORT = 16;
/** A worker silent for this long after starting a call is taken to hang (the call limit is 1 s). */
const HANG_MS = 5000;
/** Loading a module (and TensorFlow.js for ml/) on a busy 2-core machine may take this long. */
const LOAD_MS = 60_000;
const WORKER = resolvePath('tests/support/junk-worker.mjs');

/** The .ts files under `dir` (none if it does not exist: tests/catalog.test.ts reports that). */
function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every module of ml/ and algorithms/ (the catalog's modules and the parts they are built of), and
 * the ground floor they stand on: core/ (matrices, the rng, errors, stats, counters, the backend).
 */
function surfaceFiles(): string[] {
  const files = new Set<string>([
    ...tsFiles(resolvePath('core')),
    ...tsFiles(resolvePath('ml')),
    ...tsFiles(resolvePath('algorithms')),
  ]);
  for (const entry of catalog) {
    const path = resolvePath(entry.module);
    if (path.endsWith('index.ts')) for (const f of tsFiles(dirname(path))) files.add(f);
    else if (existsSync(path)) files.add(path);
  }
  // A file that says `@internal` in its opening comment holds unchecked kernels behind checked
  // entries (algorithms/support/sort-kernels.ts): it is not a public surface.
  for (const f of [...files])
    if (/^\/\*\*[\s\S]*?@internal[\s\S]*?\*\//.test(readFileSync(f, 'utf8'))) files.delete(f);
  const prefix = process.env['BAGU_SURFACE'];
  return [...files]
    .map((f) => relative(PROJECT_ROOT, f))
    .filter((f) => !prefix || f.startsWith(prefix))
    .sort();
}

/** One worker serves every module in turn (tsx and tfjs load once); a hang costs it, not the run. */
let shared: Worker | undefined;
const workerNow = () => (shared ??= new Worker(WORKER, { stdout: true, stderr: true }));
function retire(worker: Worker): void {
  worker.removeAllListeners('message');
  worker.removeAllListeners('error');
  if (shared === worker) shared = undefined;
  void worker.terminate();
}

/** Runs a module's calls from call `from`; resolves with its failures and, after a hang, where to resume. */
function probe(job: JunkJob): Promise<{ failures: string[]; calls: number; resumeAt?: number }> {
  return new Promise((resolve, reject) => {
    const worker = workerNow();
    const failures: string[] = [];
    let current: { index: number; call: string } | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      const limit = current === undefined ? LOAD_MS : HANG_MS;
      timer = setTimeout(() => {
        retire(worker);
        const at = current ?? { index: job.from, call: '(loading the module)' };
        failures.push(`${at.call}: did not return within ${limit} ms`);
        resolve({ failures, calls: at.index + 1, resumeAt: at.index + 1 });
      }, limit);
    };
    arm();
    worker.on('message', (m: JunkMessage) => {
      if (m.kind === 'start') current = { index: m.index, call: m.call };
      arm();
      if (m.kind === 'start') return;
      if (m.kind === 'done' && m.failure !== undefined) failures.push(m.failure);
      else if (m.kind === 'end') {
        clearTimeout(timer);
        worker.removeAllListeners('message');
        worker.removeAllListeners('error');
        resolve({ failures, calls: m.calls });
      }
    });
    worker.on('error', (error) => {
      clearTimeout(timer);
      retire(worker);
      reject(error);
    });
    worker.postMessage(job);
  });
}

afterAll(() => {
  if (shared) retire(shared);
});

/** Probes one file from start to end, restarting after each hang; the failures, first per export. */
async function probeFile(
  file: string,
): Promise<{ failures: string[]; all: string[]; calls: number }> {
  const failures: string[] = [];
  const tensors = file.startsWith('ml/') || file === 'core/backend.ts';
  let from = 0;
  let calls = 0;
  for (let restarts = 0; restarts < 20; restarts++) {
    const result = await probe({ file: resolvePath(file), calls: CALLS_PER_EXPORT, from, tensors });
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
  return { failures: [...firstPerExport.values()], all: failures, calls };
}

describe('the probe itself', () => {
  it('catches a TypeError from inside, a NaN from finite input and a hang, and passes a sound export', async () => {
    const { all } = await probeFile('tests/fixtures/junk/bad-surface.ts');
    const byExport = (name: string) => all.filter((f) => f.startsWith(`${name}(`)).join('\n');
    expect(byExport('readsRows')).toMatch(/TypeError/);
    expect(byExport('nanOnZero')).toMatch(/returned NaN from finite input/);
    expect(byExport('hangsOnThree')).toMatch(/did not return within/);
    expect(byExport('holds')).toBe('');
  }, 120_000);
});

describe('every export of every module holds on junk', () => {
  const files = surfaceFiles();
  it('finds the catalog modules', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files)(
    '%s',
    async (file) => {
      const { failures, calls } = await probeFile(file);
      expect(failures).toEqual([]);
      // A module with nothing to call would pass vacuously.
      expect(calls).toBeGreaterThan(0);
    },
    240_000,
  );
});

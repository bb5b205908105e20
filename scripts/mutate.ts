/**
 * `npm run mutate [-- <module.ts>... [--tests <test.ts>...]]`: Stryker mutation testing.
 *
 * - No module: stryker.config.json as it stands (the two exemplars, against every answer key).
 * - With modules: only those are mutated, and only their own answer keys run, which is how the
 *   per-module scores in docs/maintainers.md were measured. A module's answer key is the catalog's
 *   `test` for the concept whose module is that file or whose folder holds it (ml/mmoe/params.ts ->
 *   tests/mmoe.test.ts), else `tests/<name>.test.ts`; `--tests` names other files (e.g. core/matrix.ts
 *   has none of its own: tests/core.test.ts checks it).
 * - With a glob such as `'ml/*.ts'`: those modules, against every answer key unless `--tests`.
 *
 * The test files reach vitest.stryker.config.ts through BAGU_MUTATION_TESTS, because Stryker starts
 * the vitest workers itself and passes them nothing else.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { Command } from 'commander';
import { catalog } from '../catalog/index.js';

const program = new Command()
  .name('npm run mutate --')
  .argument(
    '[modules...]',
    "modules to mutate, e.g. ml/rope.ts, ml/mmoe/index.ts or 'algorithms/**/*.ts' (default: stryker.config.json)",
  )
  .option('--tests <files...>', "answer keys to run (default: each module's tests/<name>.test.ts)")
  .option('--dry', 'print the Stryker command and test files instead of running them')
  .parse();

const modules = program.args;
const options = program.opts<{ tests?: string[]; dry?: boolean }>();

/** The catalog concept that owns `module`: the same file, or a folder module holding it. */
function owner(module: string): string | undefined {
  const entry = catalog.find(
    (c) =>
      c.module === module ||
      (basename(c.module) === 'index.ts' && module.startsWith(`${dirname(c.module)}/`)),
  );
  return entry?.test;
}

function ownAnswerKey(module: string): string {
  const key = owner(module) ?? `tests/${basename(module, extname(module))}.test.ts`;
  if (!existsSync(key)) {
    program.error(
      `error: module "${module}" has no answer key ${key}; name the tests that check it with --tests`,
    );
  }
  return key;
}

const isGlob = (path: string): boolean => /[*?{[]/.test(path);

for (const file of [...modules.filter((module) => !isGlob(module)), ...(options.tests ?? [])]) {
  if (!existsSync(file))
    program.error(`error: file "${file}" does not exist (expected a path from the project root)`);
}
if (options.tests && modules.length === 0)
  program.error('error: --tests needs at least one module to mutate');

// Own answer keys only when every module is a named file; a glob or no module keeps every key.
const tests =
  options.tests ?? (modules.length > 0 && !modules.some(isGlob) ? modules.map(ownAnswerKey) : []);
const args = ['stryker', 'run', ...(modules.length > 0 ? ['--mutate', modules.join(',')] : [])];
const env = { ...process.env, BAGU_MUTATION_TESTS: tests.join(',') };

if (options.dry) {
  console.log(`npx ${args.join(' ')}`);
  console.log(
    `answer keys: ${tests.length > 0 ? tests.join(', ') : 'all (vitest.stryker.config.ts)'}`,
  );
} else {
  const run = spawnSync('npx', args, { stdio: 'inherit', env });
  process.exit(run.status ?? 1);
}

/**
 * `npm run notebooks [-- id ...]`: executes every notebook of the catalog (or the ids given) and
 * writes each rendered result to build/notebooks/<id>.md with its plots as SVG files beside it.
 * Exits non-zero if any notebook throws or a check fails.
 */
import { join } from 'node:path';
import { catalog } from '../catalog/index.js';
import { PROJECT_ROOT } from '../catalog/paths.js';
import { loadNotebook, renderToMarkdown } from '../notebook/render.js';

const OUT = join(PROJECT_ROOT, 'build', 'notebooks');
const wanted = process.argv.slice(2);
const entries = wanted.length ? catalog.filter((c) => wanted.includes(c.id)) : catalog;
const unknown = wanted.filter((id) => !catalog.some((c) => c.id === id));
if (unknown.length) {
  process.stderr.write(`error: unknown concept id(s): ${unknown.join(', ')}\n`);
  process.exit(1);
}

let failed = 0;
for (const entry of entries) {
  const started = performance.now();
  try {
    const cells = await renderToMarkdown(await loadNotebook(entry), OUT);
    const plots = cells.filter((c) => c.kind === 'plot').length;
    const checks = cells.filter((c) => c.kind === 'check').length;
    process.stdout.write(
      `ok    ${entry.id}: ${cells.length} cells, ${checks} checks, ${plots} plots (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
    );
  } catch (error) {
    failed++;
    process.stdout.write(
      `FAIL  ${entry.id}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
}
process.stdout.write(
  `\n${entries.length - failed} notebooks rendered to ${OUT}, ${failed} failed\n`,
);
process.exitCode = failed ? 1 : 0;

/**
 * Every notebook of the catalog runs to the end, renders to markdown with its SVG plots, and all of
 * its checks match (a failed check throws NotebookCheckError).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../catalog/index.js';
import { loadNotebook, renderToMarkdown } from '../notebook/render.js';

const out = mkdtempSync(join(tmpdir(), 'bagu-notebooks-'));

describe('notebooks', () => {
  it.each(catalog.map((c) => [c.id, c] as const))('%s runs, renders and every check matches', async (id, entry) => {
    const definition = await loadNotebook(entry);
    expect(definition.id).toBe(id);
    const cells = await renderToMarkdown(definition, out);
    expect(cells.some((c) => c.kind === 'check')).toBe(true);
    expect(cells.some((c) => c.kind === 'code')).toBe(true);
    const md = readFileSync(join(out, `${id}.md`), 'utf8');
    expect(md).toContain(entry.title);
    const plots = cells.filter((c) => c.kind === 'plot').length;
    for (let i = 1; i <= plots; i++) expect(readFileSync(join(out, `${id}-${i}.svg`), 'utf8')).toMatch(/^<svg/);
    expect(existsSync(join(out, `${id}-${plots + 1}.svg`))).toBe(false);
  });
});

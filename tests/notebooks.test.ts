/**
 * Every notebook of the catalog runs to the end, renders to markdown with its SVG plots, and all of
 * its checks match (a failed check throws NotebookCheckError). The same run is printed as the
 * terminal shows it at 80 columns: no line may be wider, and no formula may keep a doubled
 * backslash (LaTeX in notebook prose is written once, with single backslashes).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../catalog/index.js';
import type { Cell, Renderer } from '../notebook/kit.js';
import { displayWidth } from '../notebook/layout.js';
import { loadNotebook, MarkdownRenderer, TerminalRenderer } from '../notebook/render.js';

const out = mkdtempSync(join(tmpdir(), 'bagu-notebooks-'));
const WIDTH = 80;

/** Feeds one run of a notebook to several renderers. */
function tee(...renderers: Renderer[]): Renderer {
  return {
    async begin(title) {
      for (const r of renderers) await r.begin(title);
    },
    async cell(cell) {
      for (const r of renderers) await r.cell(cell);
    },
    async end() {
      for (const r of renderers) await r.end();
    },
  };
}

describe('notebooks', () => {
  it.each(catalog.map((c) => [c.id, c] as const))(
    '%s runs, renders, fits 80 columns and every check matches',
    async (id, entry) => {
      const definition = await loadNotebook(entry);
      expect(definition.id).toBe(id);
      let text = '';
      const cells: Cell[] = await definition.run(
        tee(new MarkdownRenderer(out, id), new TerminalRenderer((t) => void (text += t), WIDTH)),
      );
      expect(cells.some((c) => c.kind === 'check')).toBe(true);
      expect(cells.some((c) => c.kind === 'code')).toBe(true);
      // the textbook answer is shown from the module itself, near the top
      const firstSource = cells.findIndex((c) => c.kind === 'source');
      expect(firstSource, 'the notebook shows no source (nb.source)').toBeGreaterThanOrEqual(0);
      expect(firstSource, 'the textbook source comes late').toBeLessThanOrEqual(cells.length / 2);
      const md = readFileSync(join(out, `${id}.md`), 'utf8');
      expect(md).toContain(entry.title);
      const plots = cells.filter((c) => c.kind === 'plot').length;
      for (let i = 1; i <= plots; i++)
        expect(readFileSync(join(out, `${id}-${i}.svg`), 'utf8')).toMatch(/^<svg/);
      expect(existsSync(join(out, `${id}-${plots + 1}.svg`))).toBe(false);
      const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
      expect(plain.split('\n').filter((l) => displayWidth(l) > WIDTH)).toEqual([]);
      const doubled = cells.flatMap((c) =>
        c.kind === 'markdown'
          ? [...c.text.matchAll(/\$[^$\n]*\\\\[a-zA-Z][^$\n]*\$/g)].map((m) => m[0])
          : [],
      );
      expect(doubled, 'formulas with a doubled backslash').toEqual([]);
    },
  );
});

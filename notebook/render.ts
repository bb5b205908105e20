/**
 * Renderers for notebooks: the terminal (text tables, text charts) and markdown files with SVG
 * plots. Markdown, not .ipynb: a notebook here is TypeScript run by tsx, not a Jupyter kernel, so a
 * rendered .md with its SVGs beside it is what GitHub and any editor show directly, diffs cleanly,
 * and claims nothing it cannot re-run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolvePath } from '../catalog/paths.js';
import Table from 'cli-table3';
import { NotebookCheckError, type Cell, type NotebookDefinition, type Renderer } from './kit.js';
import { plotToSvg, plotToText } from './plot.js';

const useColor = () => Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
const bold = (s: string) => (useColor() ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s: string) => (useColor() ? `\x1b[2m${s}\x1b[22m` : s);

function checkLine(cell: Extract<Cell, { kind: 'check' }>): string {
  return `${cell.match ? 'ok  ' : 'FAIL'}  ${cell.label}: we see ${cell.seen}, expected ${cell.expected}, match: ${cell.match}`;
}

/** Prints cells as they come; `write` defaults to stdout. */
export class TerminalRenderer implements Renderer {
  constructor(private readonly write: (text: string) => void = (t) => process.stdout.write(t)) {}

  begin(title: string): void {
    this.write(`${bold(title)}\n${'='.repeat(Math.min(title.length, 100))}\n\n`);
  }

  cell(cell: Cell): void {
    switch (cell.kind) {
      case 'markdown':
        this.write(`${cell.text.replace(/^(#+ .*)$/gm, (h) => bold(h))}\n\n`);
        break;
      case 'code':
        this.write(`${cell.source.split('\n').map((l) => dim(`  | ${l}`)).join('\n')}\n`);
        if (cell.output !== undefined) this.write(`${cell.output.split('\n').map((l) => `  > ${l}`).join('\n')}\n`);
        this.write('\n');
        break;
      case 'source':
        this.write(`${dim(`  ${cell.file}: ${cell.name}`)}\n${cell.text.split('\n').map((l) => `  | ${l}`).join('\n')}\n\n`);
        break;
      case 'table': {
        const table = new Table({ head: cell.header, style: { head: useColor() ? ['cyan'] : [], border: [] } });
        table.push(...cell.rows);
        this.write(`${cell.caption ? `${cell.caption}\n` : ''}${table.toString()}\n\n`);
        break;
      }
      case 'check':
        this.write(`  ${checkLine(cell)}\n\n`);
        break;
      case 'plot':
        this.write(`${plotToText(cell.plot, useColor())}\n\n`);
        break;
    }
  }

  end(): void {}
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, '<br>');

/** Collects cells into `<outDir>/<id>.md`, with each plot written beside it as `<id>-<n>.svg`. */
export class MarkdownRenderer implements Renderer {
  private readonly parts: string[] = [];
  private plots = 0;

  constructor(
    private readonly outDir: string,
    private readonly id: string,
  ) {}

  begin(title: string): void {
    this.parts.push(`# ${title}\n`);
  }

  async cell(cell: Cell): Promise<void> {
    switch (cell.kind) {
      case 'markdown':
        this.parts.push(cell.text);
        break;
      case 'code':
        this.parts.push(`\`\`\`ts\n${cell.source}\n\`\`\``);
        if (cell.output !== undefined) this.parts.push(`\`\`\`text\n${cell.output}\n\`\`\``);
        break;
      case 'source':
        this.parts.push(`*\`${cell.name}\`, from [${cell.file}](${cell.file}):*\n\n\`\`\`ts\n${cell.text}\n\`\`\``);
        break;
      case 'table':
        this.parts.push(
          [
            ...(cell.caption ? [`*${cell.caption}*`, ''] : []),
            `| ${cell.header.map(escapeCell).join(' | ')} |`,
            `| ${cell.header.map(() => '---').join(' | ')} |`,
            ...cell.rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`),
          ].join('\n'),
        );
        break;
      case 'check':
        this.parts.push(`> ${cell.match ? '✅' : '❌'} **${cell.label}**: we see ${cell.seen}, expected ${cell.expected}, match: ${cell.match}`);
        break;
      case 'plot': {
        const name = `${this.id}-${++this.plots}.svg`;
        mkdirSync(this.outDir, { recursive: true });
        writeFileSync(join(this.outDir, name), await plotToSvg(cell.plot));
        this.parts.push(`![${cell.plot.title}](${name})`);
        break;
      }
    }
  }

  end(): void {
    mkdirSync(this.outDir, { recursive: true });
    writeFileSync(join(this.outDir, `${this.id}.md`), `${this.parts.join('\n\n')}\n`);
  }
}

/** Runs a notebook in the terminal; a failure becomes one line on stderr and exit code 1. */
export async function runInTerminal(definition: NotebookDefinition): Promise<boolean> {
  try {
    await definition.run(new TerminalRenderer());
    return true;
  } catch (error) {
    const text = error instanceof NotebookCheckError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`notebook ${definition.id} failed: ${text}\n`);
    process.exitCode = 1;
    return false;
  }
}

/** Renders a notebook to markdown + SVG in `outDir`; rejects if it throws or a check fails. */
export async function renderToMarkdown(definition: NotebookDefinition, outDir: string): Promise<Cell[]> {
  return definition.run(new MarkdownRenderer(outDir, definition.id));
}

/** Imports the notebook file of a catalog entry and returns its definition. */
export async function loadNotebook(entry: { id: string; notebook: string }): Promise<NotebookDefinition> {
  const mod = (await import(pathToFileURL(resolvePath(entry.notebook)).href)) as { default?: NotebookDefinition };
  if (!mod.default || typeof mod.default.run !== 'function') {
    throw new Error(`${entry.notebook} has no default export from defineNotebook()`);
  }
  return mod.default;
}

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
import { displayWidth, foldLine, shorten, terminalWidth, wrapLine, wrapProse } from './layout.js';
import { plotToSvg, plotToText } from './plot.js';

const useColor = () => Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
const bold = (s: string) => (useColor() ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s: string) => (useColor() ? `\x1b[2m${s}\x1b[22m` : s);

function checkCellLine(cell: Extract<Cell, { kind: 'check' }>): string {
  return `${cell.match ? 'ok  ' : 'FAIL'}  ${cell.label}: we see ${cell.seen}, expected ${cell.expected}, match: ${cell.match}`;
}

/**
 * A table that fits `width`: as drawn by cli-table3 when it fits, with wrapped cells when narrower
 * columns make it fit, else folded into one "header: value" block per row.
 */
export function tableText(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  width: number,
): string {
  const natural = header.map((h, j) =>
    Math.max(
      displayWidth(h),
      ...rows.map((r) => Math.max(...(r[j] ?? '').split('\n').map(displayWidth))),
    ),
  );
  const frame = 3 * header.length + 1;
  const style = { head: useColor() ? ['cyan'] : [], border: [] };
  const draw = (colWidths?: number[]) => {
    const table = new Table({
      head: [...header],
      style,
      ...(colWidths ? { colWidths, wordWrap: true, wrapOnWordBoundary: true } : {}),
    });
    table.push(...rows.map((r) => [...r]));
    return table.toString();
  };
  if (natural.reduce((a, b) => a + b, 0) + frame <= width) return draw();
  const room = width - frame;
  const minimum = 6;
  if (room >= minimum * header.length) {
    // share the room in proportion to each column's natural width, no column under `minimum`
    const total = natural.reduce((a, b) => a + b, 0);
    const widths = natural.map((w) => Math.max(minimum, Math.floor((w / total) * room)));
    while (widths.reduce((a, b) => a + b, 0) > room)
      widths[widths.indexOf(Math.max(...widths))]! -= 1;
    const text = draw(widths.map((w) => w + 2));
    if (text.split('\n').every((l) => displayWidth(l) <= width)) return text;
  }
  const label = Math.max(...header.map(displayWidth));
  return rows
    .map((r) =>
      header
        .flatMap((h, j) =>
          wrapLine(r[j] ?? '', width, `${h.padEnd(label)}  `, ' '.repeat(label + 2)),
        )
        .join('\n'),
    )
    .join('\n\n');
}

/** Prints cells as they come, fitted to `width` columns; `write` defaults to stdout. */
export class TerminalRenderer implements Renderer {
  constructor(
    private readonly write: (text: string) => void = (t) => process.stdout.write(t),
    private readonly width: number = terminalWidth(),
  ) {}

  private code(text: string, prefix: string, style: (s: string) => string = (s) => s): string {
    return text
      .split('\n')
      .flatMap((l) => foldLine(l, this.width, prefix).map(style))
      .join('\n');
  }

  begin(title: string): void {
    const lines = wrapLine(title, this.width);
    this.write(
      `${lines.map(bold).join('\n')}\n${'='.repeat(Math.min(this.width, Math.max(...lines.map(displayWidth))))}\n\n`,
    );
  }

  cell(cell: Cell): void {
    switch (cell.kind) {
      case 'markdown':
        this.write(
          `${wrapProse(cell.text, this.width).replace(/^(#+ .*)$/gm, (h) => bold(h))}\n\n`,
        );
        break;
      case 'code':
        this.write(`${this.code(cell.source, '  | ', dim)}\n`);
        if (cell.output !== undefined) this.write(`${this.code(cell.output, '  > ')}\n`);
        this.write('\n');
        break;
      case 'source':
        this.write(
          `${dim(shorten(`  ${cell.file}: ${cell.name}`, this.width))}\n${this.code(cell.text, '  | ')}\n\n`,
        );
        break;
      case 'table':
        if (cell.caption) this.write(`${wrapLine(cell.caption, this.width).join('\n')}\n`);
        this.write(`${tableText(cell.header, cell.rows, this.width)}\n\n`);
        break;
      case 'check':
        this.write(`${wrapLine(checkCellLine(cell), this.width, '  ', '        ').join('\n')}\n\n`);
        break;
      case 'plot':
        this.write(`${plotToText(cell.plot, useColor(), this.width)}\n\n`);
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
        this.parts.push(
          `*\`${cell.name}\`, from [${cell.file}](${cell.file}):*\n\n\`\`\`ts\n${cell.text}\n\`\`\``,
        );
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
        this.parts.push(
          `> ${cell.match ? '✅' : '❌'} **${cell.label}**: we see ${cell.seen}, expected ${cell.expected}, match: ${cell.match}`,
        );
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
    const text =
      error instanceof NotebookCheckError
        ? error.message
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
    process.stderr.write(`notebook ${definition.id} failed: ${text}\n`);
    process.exitCode = 1;
    return false;
  }
}

/** Renders a notebook to markdown + SVG in `outDir`; rejects if it throws or a check fails. */
export async function renderToMarkdown(
  definition: NotebookDefinition,
  outDir: string,
): Promise<Cell[]> {
  return definition.run(new MarkdownRenderer(outDir, definition.id));
}

/** Imports the notebook file of a catalog entry and returns its definition. */
export async function loadNotebook(entry: {
  id: string;
  notebook: string;
}): Promise<NotebookDefinition> {
  const mod = (await import(pathToFileURL(resolvePath(entry.notebook)).href)) as {
    default?: NotebookDefinition;
  };
  if (!mod.default || typeof mod.default.run !== 'function') {
    throw new Error(`${entry.notebook} has no default export from defineNotebook()`);
  }
  return mod.default;
}

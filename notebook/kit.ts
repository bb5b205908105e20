/**
 * The notebook kit. A notebook is a TypeScript file in `notebooks/` that reads top to bottom as
 * explanation, code and output, imports the real module, and runs with tsx:
 *
 *   export default defineNotebook(import.meta.url, 'reservoir-sampling', async (nb) => {
 *     nb.md`## The question ...`;
 *     nb.source('algorithms/reservoir-sampling/index.ts', 'reservoirSampleR');
 *     const sample = await nb.code(() => reservoirSampleR(range(1, 10), 3, rng(1)));
 *     nb.check('sample size', sample.length, 3);
 *     nb.plot({ kind: 'bar', ... });
 *   });
 *
 * Every call appends a cell. A renderer turns cells into output: the terminal renderer prints them
 * (text tables and text charts) for `npm start -- run <id>` or `npx tsx notebooks/<id>.ts`; the
 * markdown renderer writes `build/notebooks/<id>.md` with SVG plots for `npm run notebooks`.
 *
 * `check` is how a notebook makes a claim that runs: it prints "we see / expected / match", and a
 * notebook whose check fails ends with `NotebookCheckError` (after rendering everything), so the
 * notebook test fails too.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { findConcept } from '../catalog/index.js';
import { exportSource } from './source.js';
import { ArgumentError } from '../core/errors.js';
import type { Plot } from './plot.js';

export type Cell =
  | { kind: 'markdown'; text: string }
  | { kind: 'code'; source: string; output?: string }
  /** The real source of an export, read from its module when the notebook runs. */
  | { kind: 'source'; file: string; name: string; text: string }
  | { kind: 'table'; caption?: string; header: string[]; rows: string[][] }
  | { kind: 'check'; label: string; seen: string; expected: string; match: boolean }
  | { kind: 'plot'; plot: Plot };

export interface Renderer {
  begin(title: string): void | Promise<void>;
  cell(cell: Cell): void | Promise<void>;
  end(): void | Promise<void>;
}

export interface CheckOptions {
  /** Absolute tolerance for numbers (default 1e-9 relative to |expected|, at least 1e-12). */
  tol?: number;
}

export class NotebookCheckError extends Error {
  override readonly name = 'NotebookCheckError';
  constructor(
    readonly notebook: string,
    readonly failed: Extract<Cell, { kind: 'check' }>[],
  ) {
    super(
      `${notebook}: ${failed.length} check(s) failed: ${failed.map((c) => `${c.label} (we see ${c.seen}, expected ${c.expected})`).join('; ')}`,
    );
  }
}

const round = (x: number) => (Number.isInteger(x) ? x : Number(x.toPrecision(6)));

/** Replaces matrices by rounded nested rows and typed arrays by rounded plain arrays, recursively. */
function simplify(value: unknown): unknown {
  if (typeof value === 'number') return round(value);
  if (value instanceof Float64Array || value instanceof Float32Array)
    return Array.from(value, round);
  if (Array.isArray(value)) return value.map(simplify);
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const m = value as { rows?: unknown; cols?: unknown; data?: unknown };
    if (
      typeof m.rows === 'number' &&
      typeof m.cols === 'number' &&
      m.data instanceof Float64Array
    ) {
      return Array.from({ length: m.rows }, (_, i) =>
        Array.from(
          (m.data as Float64Array).subarray(i * (m.cols as number), (i + 1) * (m.cols as number)),
          round,
        ),
      );
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, simplify(v)]));
  }
  return value;
}

/**
 * A number the one way notebooks print numbers: 6 significant digits, and integers of five or more
 * digits grouped by thousands with commas (4,718,592), in prose, checks and tables alike. Values
 * inside code output (arrays, objects) print as TypeScript writes them, ungrouped, so they read as
 * code.
 */
export function formatNumber(x: number): string {
  const r = round(x);
  return Number.isInteger(r) && Math.abs(r) >= 10_000 && Math.abs(r) < 1e21
    ? r.toLocaleString('en-US')
    : String(r);
}

/**
 * Prose with its plain integers of five or more digits grouped like `formatNumber` does ("we see
 * 1707593 vs 10000 steps" -> "we see 1,707,593 vs 10,000 steps"). Digits that belong to a decimal,
 * an exponent, an identifier or a number already grouped are left alone.
 */
export function groupDigits(text: string): string {
  return text.replace(/(?<![\w.,^]|\d)(\d{5,})(?![\w.,^]|\d)/g, (digits) =>
    Number(digits).toLocaleString('en-US'),
  );
}

/**
 * Formats a value for output cells: numbers by `formatNumber`, matrices as nested rows, the rest
 * through util.inspect at a width that fits an 80-column terminal after its prefix.
 */
export function show(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return inspect(simplify(value), { depth: 4, breakLength: 76, maxArrayLength: 30, compact: 3 });
}

/**
 * The text of the call's argument starting at `open` (the index of "("), up to its matching ")".
 * Skips strings, template literals and comments so brackets inside them do not count.
 */
function argumentText(text: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '/' && text[i + 1] === '/')
      i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (c === '/' && text[i + 1] === '*') i = text.indexOf('*/', i + 2) + 1;
    else if (c === '"' || c === "'" || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return undefined;
}

const sources = new Map<string, string>();

/**
 * The original source of the function passed to `nb.code(...)`, read from the notebook file at the
 * call site (stack traces are source-mapped under tsx and vitest). Falls back to `fn.toString()`,
 * which tsx prints with its whitespace minified.
 */
function codeSource(file: string, fn: (...args: never[]) => unknown): string {
  const frame = new Error().stack?.split('\n').find((l) => l.includes(`${file}:`));
  const position =
    frame && new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`).exec(frame);
  let text = fn.toString();
  if (position) {
    if (!sources.has(file)) sources.set(file, readFileSync(file, 'utf8'));
    const lines = (sources.get(file) as string).split('\n');
    const lineNo = Number(position[1]) - 1;
    const start = lines.slice(0, lineNo).reduce((n, l) => n + l.length + 1, 0);
    const all = sources.get(file) as string;
    const call = all.indexOf('code(', start);
    const arg =
      call >= 0 && call - start < (lines[lineNo]?.length ?? 0)
        ? argumentText(all, call + 'code'.length)
        : undefined;
    if (arg) text = arg;
  }
  return stripArrow(text);
}

/** Strips the arrow of `() => expr` / `() => { ... }` and the common indentation. */
function stripArrow(source: string): string {
  let text = source.trim();
  const arrow = /^(?:async\s*)?\(\s*\)\s*=>\s*/.exec(text);
  if (arrow) {
    text = text.slice(arrow[0].length);
    if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1);
  }
  const lines = text
    .replace(/^\s*\n/, '')
    .replace(/\n\s*$/, '')
    .split('\n');
  const indent = Math.min(
    ...lines
      .slice(lines.length > 1 ? 1 : 0)
      .filter((l) => l.trim())
      .map((l) => /^\s*/.exec(l)?.[0].length ?? 0),
  );
  return lines
    .map((l, i) => (i === 0 && lines.length > 1 && !/^\s/.test(l) ? l : l.slice(indent)))
    .join('\n')
    .trim();
}

/** The object a notebook body writes to. */
export class Notebook {
  readonly cells: Cell[] = [];

  constructor(
    private readonly renderer: Renderer,
    /** The notebook file: where `code` cells find their source text. */
    private readonly file: string,
  ) {}

  private async add(cell: Cell): Promise<void> {
    this.cells.push(cell);
    await this.renderer.cell(cell);
  }

  /** Markdown prose. Use as a tag (nb.md`...`) or a call (nb.md('...')); indentation is trimmed. */
  md(strings: TemplateStringsArray | string, ...values: unknown[]): Promise<void> {
    // The raw text, so LaTeX keeps its backslashes (\frac, \theta); only \` and \${ are unescaped.
    const unescape = (t: string) => t.replace(/\\`/g, '`').replace(/\\\$\{/g, '${');
    const raw =
      typeof strings === 'string'
        ? strings
        : String.raw({ raw: strings.raw.map(unescape) }, ...values.map(show));
    const lines = raw.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
    const indent = Math.min(
      ...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)?.[0].length ?? 0),
    );
    return this.add({ kind: 'markdown', text: lines.map((l) => l.slice(indent)).join('\n') });
  }

  /** Runs `fn`, shows its source and what it returned (unless undefined), and returns the value. */
  async code<T>(fn: () => T | Promise<T>): Promise<T> {
    const value = await fn();
    await this.add({
      kind: 'code',
      source: codeSource(this.file, fn),
      ...(value === undefined ? {} : { output: show(value) }),
    });
    return value;
  }

  /**
   * Shows the real source of `name`, an export of `modulePath` (relative to the project root, e.g.
   * 'algorithms/reservoir-sampling.ts'), read from the file now: the notebook cannot drift from it.
   */
  source(modulePath: string, name: string): Promise<void> {
    return this.add({
      kind: 'source',
      file: modulePath,
      name,
      text: exportSource(modulePath, name),
    });
  }

  /** A table from records (columns = keys of the first record) or from a header and rows. */
  table(records: readonly Record<string, unknown>[], caption?: string): Promise<void> {
    const header = Object.keys(records[0] ?? {});
    const rows = records.map((r) =>
      header.map((h) => (typeof r[h] === 'string' ? groupDigits(r[h] as string) : show(r[h]))),
    );
    return this.add({ kind: 'table', header, rows, ...(caption ? { caption } : {}) });
  }

  /**
   * A claim that runs: prints "we see / expected / match". Numbers match within `tol`; anything
   * else must be equal as shown. A failed check fails the notebook after it has rendered.
   */
  check(
    label: string,
    seen: number | string | boolean,
    expected: number | string | boolean,
    options: CheckOptions = {},
  ): Promise<void> {
    let match: boolean;
    if (typeof seen === 'number' && typeof expected === 'number') {
      const tol = options.tol ?? Math.max(1e-12, 1e-9 * Math.abs(expected));
      match = Number.isFinite(seen) && Math.abs(seen - expected) <= tol;
    } else {
      match = show(seen) === show(expected);
    }
    const tolText = options.tol !== undefined ? ` (± ${show(options.tol)})` : '';
    return this.add({
      kind: 'check',
      label,
      seen: show(seen),
      expected: `${show(expected)}${tolText}`,
      match,
    });
  }

  /** A claim that is a condition rather than a number: `nb.claim('L uses fewer draws', l < r, \`${l} < ${r}\`)`. */
  claim(label: string, holds: boolean, evidence: string): Promise<void> {
    return this.add({
      kind: 'check',
      label,
      seen: groupDigits(evidence),
      expected: 'true',
      match: holds,
    });
  }

  plot(plot: Plot): Promise<void> {
    return this.add({ kind: 'plot', plot });
  }
}

export interface NotebookDefinition {
  /** The catalog id this notebook explains. */
  id: string;
  /** Absolute path of the notebook file. */
  file: string;
  /** Runs the notebook into `renderer`; rejects with NotebookCheckError if a check failed. */
  run(renderer: Renderer): Promise<Cell[]>;
}

/**
 * Declares a notebook: `url` is the notebook's `import.meta.url`, `id` its catalog id. The kit
 * does not run it; `notebook/index.ts` adds running itself when the file is the program.
 */
export function notebookDefinition(
  url: string,
  id: string,
  body: (nb: Notebook) => Promise<void> | void,
): NotebookDefinition {
  const entry = findConcept(id);
  if (!entry) throw new ArgumentError('id', id, 'a concept id from the catalog');
  const file = fileURLToPath(url);
  return {
    id,
    file,
    async run(renderer) {
      await renderer.begin(
        `${entry.title} (${entry.titleZh}): answers ${entry.questions.join(', ')}`,
      );
      const nb = new Notebook(renderer, file);
      await body(nb);
      await renderer.end();
      const failed = nb.cells.filter(
        (c): c is Extract<Cell, { kind: 'check' }> => c.kind === 'check' && !c.match,
      );
      if (failed.length) throw new NotebookCheckError(id, failed);
      return nb.cells;
    },
  };
}

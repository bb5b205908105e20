/**
 * The rendered book: every notebook run and written as a page of a static site that opens from disk
 * (no server, no network at build or view time).
 *
 * - Home: the families with their concepts, and every question of the bank (Q01..Q73) in English and
 *   Chinese, answered (with a link) or not yet.
 * - One page per concept, from its notebook run: prose with formulas typeset by KaTeX, the textbook
 *   code highlighted, tables, the SVG plots inline, each check with what we see and what is expected,
 *   and links to the module, the answer key, the input table and the bench.
 * - A search box on every page that finds questions with `search` (cli/search.ts), the retriever of `ask`,
 *   bundled for the browser.
 *
 * Toolchain: markdown-it (CommonMark, with a KaTeX plugin, @mdit/plugin-katex) for prose, KaTeX's
 * own stylesheet and fonts copied beside the pages, highlight.js for code, esbuild for the search
 * script, and the notebook kit's vega-lite plots. Each is a well-kept library doing one job; the
 * glue here only walks the cells.
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import hljs from 'highlight.js/lib/core';
import typescript from 'highlight.js/lib/languages/typescript';
import MarkdownIt from 'markdown-it';
import { katex } from '@mdit/plugin-katex';
import { catalog, FAMILIES, type ConceptEntry, type FamilyId } from '../catalog/index.js';
import { PROJECT_ROOT, resolvePath } from '../catalog/paths.js';
import { questions } from '../catalog/questions.js';
import { GLOSSARY } from '../catalog/glossary.js';
import { projectPassages } from '../cli/project-index.js';
import { formatNumber, type Cell } from '../notebook/kit.js';
import { plotToSvg } from '../notebook/plot.js';
import { loadNotebook } from '../notebook/render.js';

hljs.registerLanguage('typescript', typescript);

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.use(katex, { throwOnError: false, output: 'html' });

/** Prose as HTML; a formula KaTeX cannot parse fails the build, naming it, instead of shipping red text. */
function prose(text: string, where: string): string {
  const html = md.render(text);
  const bad = /<span class="katex-error"[^>]*title="([^"]*)"/.exec(html);
  if (bad) throw new Error(`${where}: a formula KaTeX cannot typeset: ${bad[1]}`);
  return html;
}

const require = createRequire(import.meta.url);

export interface SiteOptions {
  /** Where to write the site (default build/site). */
  out?: string;
  /** Build only these concept pages (the home page always lists everything). */
  only?: readonly string[];
}

export interface SiteResult {
  out: string;
  pages: string[];
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const highlight = (code: string) => hljs.highlight(code, { language: 'typescript' }).value;

/** Gives every id in an SVG a prefix, so that several plots on one page keep their own clip paths. */
function scopeSvg(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}

/** A link to a project file from a page `depth` folders below the site root. */
function fileLink(path: string, out: string, depth: number, label: string): string {
  const fromPage = join(out, ...Array<string>(depth).fill('x'));
  return `<a href="${escape(relative(fromPage, resolvePath(path)).split('\\').join('/'))}">${escape(label)}</a>`;
}

function layout(title: string, body: string, depth: number): string {
  const up = depth === 0 ? '' : '../'.repeat(depth);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · bagu</title>
<link rel="stylesheet" href="${up}assets/katex/katex.min.css">
<link rel="stylesheet" href="${up}assets/highlight.css">
<link rel="stylesheet" href="${up}assets/style.css">
</head>
<body data-root="${up}">
<header>
  <a class="brand" href="${up}index.html">bagu · 八股</a>
  <div class="search">
    <input id="search" type="search" placeholder="Search questions: rope, 旋转数组, Q12" autocomplete="off" aria-label="Search questions">
    <ol id="results" hidden></ol>
  </div>
</header>
<main>
${body}
</main>
<script src="${up}assets/data.js"></script>
<script src="${up}assets/search.js"></script>
</body>
</html>
`;
}

async function cellHtml(cell: Cell, id: string, index: number, out: string): Promise<string> {
  switch (cell.kind) {
    case 'markdown':
      return prose(cell.text, `notebook ${id}`);
    case 'code':
      return `<pre class="code"><code class="hljs language-typescript">${highlight(cell.source)}</code></pre>${
        cell.output === undefined ? '' : `<pre class="output">${escape(cell.output)}</pre>`
      }`;
    case 'source':
      return `<figure class="source"><figcaption><code>${escape(cell.name)}</code>, read from ${fileLink(cell.file, out, 1, cell.file)}</figcaption><pre class="code"><code class="hljs language-typescript">${highlight(cell.text)}</code></pre></figure>`;
    case 'table': {
      const head = `<tr>${cell.header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>`;
      const rows = cell.rows
        .map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
        .join('\n');
      return `<table>${cell.caption ? `<caption>${escape(cell.caption)}</caption>` : ''}<thead>${head}</thead><tbody>${rows}</tbody></table>`;
    }
    case 'check':
      return `<div class="check ${cell.match ? 'ok' : 'fail'}"><span class="mark">${cell.match ? '✓' : '✗'}</span> <strong>${escape(cell.label)}</strong>: we see <code>${escape(cell.seen)}</code>, expected <code>${escape(cell.expected)}</code></div>`;
    case 'plot':
      return `<figure class="plot">${scopeSvg(await plotToSvg(cell.plot), `${id}-plot${index}`)}</figure>`;
  }
}

async function conceptPage(entry: ConceptEntry, out: string): Promise<string> {
  const definition = await loadNotebook(entry);
  const noop = { begin() {}, cell() {}, end() {} };
  const cells = await definition.run(noop);
  const parts: string[] = [];
  for (const [i, cell] of cells.entries()) parts.push(await cellHtml(cell, entry.id, i, out));
  const input = `tests/inputs/${entry.id}.test.ts`;
  const links = [
    fileLink(entry.module, out, 1, 'module'),
    fileLink(entry.test, out, 1, 'answer key'),
    ...(existsSync(resolvePath(input)) ? [fileLink(input, out, 1, 'input table')] : []),
    fileLink(entry.notebook, out, 1, 'notebook'),
    ...(entry.bench ? [fileLink(entry.bench, out, 1, 'bench')] : []),
  ];
  const checks = cells.filter((c) => c.kind === 'check').length;
  const body = `<article class="concept">
<h1>${escape(entry.title)} <span class="zh">${escape(entry.titleZh)}</span></h1>
<p class="meta">Answers ${entry.questions.join(', ')} · ${links.join(' · ')} · run it: <code>npm start -- run ${escape(entry.id)}</code> · ${formatNumber(checks)} checks, all matched</p>
${parts.join('\n')}
</article>`;
  return layout(entry.title, body, 1);
}

function homePage(built: ReadonlySet<string>): string {
  const bank = questions();
  const families = (Object.entries(FAMILIES) as [FamilyId, { title: string; titleZh: string }][])
    .map(([family, { title, titleZh }]) => {
      const entries = catalog.filter((c) => c.family === family);
      const items = entries
        .map((c) => {
          const name = built.has(c.id)
            ? `<a href="concepts/${c.id}.html">${escape(c.title)}</a>`
            : escape(c.title);
          return `<li>${name} <span class="zh">${escape(c.titleZh)}</span> <span class="ids">${c.questions.join(' ')}</span></li>`;
        })
        .join('\n');
      return `<section class="family"><h2>${escape(title)} <span class="zh">${escape(titleZh)}</span></h2>${
        entries.length ? `<ul>${items}</ul>` : '<p class="todo">No concept yet.</p>'
      }</section>`;
    })
    .join('\n');
  const rows = bank
    .map((q) => {
      const by = catalog.filter((c) => c.questions.includes(q.id));
      const answer = by.length
        ? by
            .map((c) =>
              built.has(c.id)
                ? `<a href="concepts/${c.id}.html">${escape(c.id)}</a>`
                : escape(c.id),
            )
            .join(', ')
        : '<span class="todo">not yet</span>';
      return `<tr id="${q.id}"><td>${q.id}</td><td>${escape(q.text)}</td><td lang="zh">${escape(q.zh)}</td><td>${answer}</td></tr>`;
    })
    .join('\n');
  const answered = bank.filter((q) => catalog.some((c) => c.questions.includes(q.id))).length;
  const body = `<section class="intro">
<h1>bagu · 八股, answered by code that runs</h1>
<p>The questions every ML and algorithm engineer gets asked, each answered by a small TypeScript
module, checked by property-based tests that serve as its answer key, and explained by a notebook
whose every claim runs. ${catalog.length} concepts answer ${answered} of ${bank.length} questions.</p>
</section>
${families}
<section class="questions"><h2>All questions</h2>
<table><thead><tr><th>id</th><th>question</th><th>问题</th><th>answered by</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
  return layout('bagu', body, 0);
}

async function writeAssets(out: string, built: ReadonlySet<string>): Promise<void> {
  const assets = join(out, 'assets');
  mkdirSync(assets, { recursive: true });
  const katexDir = dirname(
    require.resolve('katex/package.json', {
      paths: [dirname(require.resolve('@mdit/plugin-katex'))],
    }),
  );
  cpSync(join(katexDir, 'dist', 'katex.min.css'), join(assets, 'katex', 'katex.min.css'));
  cpSync(join(katexDir, 'dist', 'fonts'), join(assets, 'katex', 'fonts'), { recursive: true });
  cpSync(require.resolve('highlight.js/styles/github.css'), join(assets, 'highlight.css'));
  cpSync(resolvePath('site/style.css'), join(assets, 'style.css'));
  // The search data is a plain script (file:// pages cannot fetch JSON), read by search.js.
  const data = {
    questions: questions(),
    glossary: GLOSSARY,
    passages: projectPassages(),
    catalog: catalog.map((c) => ({
      ...c,
      page: built.has(c.id) ? `concepts/${c.id}.html` : undefined,
    })),
  };
  writeFileSync(join(assets, 'data.js'), `window.BAGU_DATA = ${JSON.stringify(data)};\n`);
  await build({
    entryPoints: [resolvePath('site/browser/search.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    outfile: join(assets, 'search.js'),
    logLevel: 'silent',
  });
}

/** Builds the site; returns where and which pages (relative to `out`). */
export async function buildSite(options: SiteOptions = {}): Promise<SiteResult> {
  const out = options.out ?? join(PROJECT_ROOT, 'build', 'site');
  const entries = options.only ? catalog.filter((c) => options.only?.includes(c.id)) : catalog;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'concepts'), { recursive: true });
  const built = new Set(entries.map((c) => c.id));
  const pages = ['index.html'];
  writeFileSync(join(out, 'index.html'), homePage(built));
  for (const entry of entries) {
    writeFileSync(join(out, 'concepts', `${entry.id}.html`), await conceptPage(entry, out));
    pages.push(`concepts/${entry.id}.html`);
  }
  await writeAssets(out, built);
  return { out, pages };
}

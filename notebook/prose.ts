/**
 * The prose of a notebook, read from its source without running it: the text of every `nb.md`
 * cell, split into paragraphs under their section headings, formulas turned into plain text. This
 * is what the search of `npm start -- ask` and the RAG notebook index: the project's own answers.
 * Parsed with the TypeScript compiler, so a template's extent is exact; `${...}` values are not
 * known before a run and are left out.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { resolvePath } from '../catalog/paths.js';
import { ArgumentError } from '../core/errors.js';
import { proseToText } from './tex-text.js';

export interface Paragraph {
  /** The nearest heading above it ('' before the first), without its #s. */
  heading: string;
  /** Plain text: formulas as text, markdown emphasis and code ticks removed, on one line. */
  text: string;
}

/** The raw text of a template or string argument, substitutions left out. */
function templateText(node: ts.Node): string | undefined {
  if (ts.isNoSubstitutionTemplateLiteral(node)) return node.rawText ?? node.text;
  if (ts.isTemplateExpression(node))
    return [
      node.head.rawText ?? '',
      ...node.templateSpans.map((s) => s.literal.rawText ?? ''),
    ].join(' ');
  if (ts.isStringLiteral(node)) return node.text;
  if (ts.isTaggedTemplateExpression(node)) return templateText(node.template);
  return undefined;
}

const isNbMd = (node: ts.Node) => ts.isPropertyAccessExpression(node) && node.name.text === 'md';

/** The markdown of every nb.md cell of a notebook file (project-relative path), in order. */
export function markdownCells(notebookPath: string): string[] {
  let text: string;
  try {
    text = readFileSync(resolvePath(notebookPath), 'utf8');
  } catch {
    throw new ArgumentError('notebookPath', notebookPath, 'a notebook file of the project');
  }
  const sf = ts.createSourceFile(notebookPath, text, ts.ScriptTarget.Latest, true);
  const cells: string[] = [];
  const visit = (node: ts.Node) => {
    let raw: string | undefined;
    if (ts.isTaggedTemplateExpression(node) && isNbMd(node.tag)) raw = templateText(node.template);
    if (ts.isCallExpression(node) && isNbMd(node.expression) && node.arguments[0])
      raw = templateText(node.arguments[0]);
    if (raw !== undefined) cells.push(dedent(raw.replace(/\\`/g, '`')));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return cells;
}

function dedent(raw: string): string {
  const lines = raw.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Markdown to one line of plain text: formulas as text, emphasis, ticks and links unwrapped. */
export function plainText(markdown: string): string {
  return (
    proseToText(markdown)
      .replace(/```[\s\S]*?```/g, ' ')
      // a line break inside Chinese text is no space
      .replace(/([\u3400-\u9fff，。、：；！？])\s*\n\s*(?=[\u3400-\u9fff])/gu, '$1')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[*_`]+/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** A notebook's paragraphs under their headings (tables and code blocks dropped). */
export function notebookParagraphs(notebookPath: string): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let heading = '';
  for (const cell of markdownCells(notebookPath)) {
    for (const block of cell.split(/\n\s*\n/)) {
      // display formulas ($$ ... $$) read badly as plain text: the prose around them says it
      if (block.trim().startsWith('$$')) continue;
      const lines = block.split('\n').filter((l) => l.trim() !== '');
      const prose: string[] = [];
      for (const line of lines) {
        const h = /^#{1,6}\s+(.*)$/.exec(line.trim());
        if (h) {
          if (prose.length)
            paragraphs.push({ heading, text: plainText(prose.splice(0).join(' ')) });
          heading = plainText(h[1]!);
        } else if (!/^\s*\|/.test(line)) prose.push(line);
      }
      const text = plainText(prose.join('\n'));
      if (text) paragraphs.push({ heading, text });
    }
  }
  return paragraphs.filter((p) => p.text.length > 0);
}

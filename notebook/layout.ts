/**
 * Text that fits the terminal: the width to use (the terminal's, or 80 columns when it is not
 * known, as when output is piped), prose wrapped with its formulas as plain text, long code lines
 * folded, and lines shortened with an ellipsis. Widths are display widths: a Chinese character
 * takes two columns.
 */
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { proseToText } from './tex-text.js';

export const DEFAULT_WIDTH = 80;

/** The terminal's width when stdout is one, else $COLUMNS, else 80. */
export function terminalWidth(): number {
  if (process.stdout.isTTY && process.stdout.columns) return process.stdout.columns;
  const columns = Number(process.env['COLUMNS']);
  return Number.isInteger(columns) && columns >= 40 ? columns : DEFAULT_WIDTH;
}

export const displayWidth = (text: string): number => stringWidth(text);

/** `text` cut to `width` columns, ending in an ellipsis when something was cut. */
export function shorten(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (stringWidth(`${out}${ch}…`) > width) break;
    out += ch;
  }
  return `${out}…`;
}

/** Wraps one logical line at word boundaries (breaking words longer than a line), with a hanging indent. */
export function wrapLine(text: string, width: number, first = '', rest = first): string[] {
  const room = Math.max(10, width - Math.max(stringWidth(first), stringWidth(rest)));
  return wrapAnsi(text, room, { hard: true, trim: true })
    .split('\n')
    .map((line, i) => `${i === 0 ? first : rest}${line}`);
}

/** A code line folded at `width`, continued on the next lines after `prefix` and a '↪'. */
export function foldLine(line: string, width: number, prefix: string): string[] {
  const room = Math.max(10, width - stringWidth(prefix));
  if (stringWidth(line) <= room) return [`${prefix}${line}`];
  // break at a space where one is near the end of the line, else mid-token
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const parts = wrapAnsi(line.slice(indent.length), room - 2 - indent.length, {
    hard: true,
    trim: true,
  }).split('\n');
  return parts.map((p, i) => (i === 0 ? `${prefix}${indent}${p}` : `${prefix}${indent}↪ ${p}`));
}

const LIST_ITEM = /^(\s*)([-*+]|\d+\.)\s+/;

/**
 * Markdown prose for the terminal: formulas as plain text, paragraphs and list items re-wrapped to
 * `width` (list items with a hanging indent), fenced code and table rows folded, not re-wrapped.
 */
export function wrapProse(markdown: string, width: number): string {
  const lines = proseToText(markdown).split('\n');
  const out: string[] = [];
  let paragraph: { first: string; rest: string; text: string } | undefined;
  const flush = () => {
    if (paragraph) out.push(...wrapLine(paragraph.text, width, paragraph.first, paragraph.rest));
    paragraph = undefined;
  };
  let fenced = false;
  for (const line of lines) {
    if (/^\s*```/.test(line)) {
      flush();
      fenced = !fenced;
      out.push(line);
      continue;
    }
    if (fenced || /^\s*\|/.test(line) || /^ {4}/.test(line)) {
      flush();
      out.push(...foldLine(line, width, ''));
      continue;
    }
    if (line.trim() === '') {
      flush();
      out.push('');
      continue;
    }
    const item = LIST_ITEM.exec(line);
    const heading = /^#{1,6}\s/.test(line);
    const quote = /^>\s?/.exec(line);
    if (item || heading || quote) {
      flush();
      if (heading) {
        out.push(...wrapLine(line, width));
        continue;
      }
      if (quote) {
        paragraph = { first: '> ', rest: '> ', text: line.slice(quote[0].length) };
        continue;
      }
      const marker = (item as RegExpExecArray)[0];
      paragraph = {
        first: marker,
        rest: ' '.repeat(stringWidth(marker)),
        text: line.slice(marker.length),
      };
      continue;
    }
    if (paragraph) paragraph.text += ` ${line.trim()}`;
    else paragraph = { first: '', rest: '', text: line.trim() };
  }
  flush();
  return out.join('\n');
}

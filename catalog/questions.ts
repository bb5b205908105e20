/**
 * The question bank, parsed from `catalog/questions.md` (a copy of the project's shared bank; a test
 * keeps the two identical). Each row of a question table becomes a `Question`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { QuestionId } from './types.js';

export interface Question {
  id: QuestionId;
  /** The bank's section heading, e.g. "Classic algorithms (coding rounds)". */
  section: string;
  text: string;
  zh: string;
  /** Concept ids named in the bank's concept column. */
  concepts: string[];
}

export const QUESTIONS_PATH = fileURLToPath(new URL('./questions.md', import.meta.url));

export function parseQuestions(markdown: string): Question[] {
  const out: Question[] = [];
  let section = '';
  for (const line of markdown.split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) section = heading[1] as string;
    const row = /^\| (Q\d\d) \| (.+?) \| (.+?) \| (.+?) \|$/.exec(line);
    if (!row) continue;
    const [, id, text, zh, concepts] = row as unknown as [
      string,
      QuestionId,
      string,
      string,
      string,
    ];
    out.push({ id, section, text, zh, concepts: concepts.split(',').map((c) => c.trim()) });
  }
  return out;
}

let cached: Question[] | undefined;

/** Every question of the bank, in bank order. */
export function questions(): Question[] {
  cached ??= parseQuestions(readFileSync(QUESTIONS_PATH, 'utf8'));
  return cached;
}

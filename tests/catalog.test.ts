/**
 * The catalog is the project's index: every path it names exists, every question id it claims is in
 * the question bank, and the bank lists the concept for that question. The bank copy inside the
 * repository stays identical to the shared one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { catalog, FAMILIES } from '../catalog/index.js';
import { PROJECT_ROOT, resolvePath } from '../catalog/paths.js';
import { parseQuestions, questions, QUESTIONS_PATH } from '../catalog/questions.js';

const SHARED_BANK = join(PROJECT_ROOT, '..', 'shared', 'questions.md');

describe('the question bank', () => {
  it('has the 73 questions Q01..Q73, in order', () => {
    expect(questions().map((q) => q.id)).toEqual(
      Array.from({ length: 73 }, (_, i) => `Q${String(i + 1).padStart(2, '0')}`),
    );
  });

  it('the copy in catalog/ is identical to ../shared/questions.md (when shared/ is beside the checkout)', () => {
    // CI and developer machines have shared/ beside the repository; a bare clone does not.
    if (!existsSync(SHARED_BANK)) return;
    expect(readFileSync(QUESTIONS_PATH, 'utf8')).toBe(readFileSync(SHARED_BANK, 'utf8'));
  });

  test.prop([fc.constantFrom(...questions())], { numRuns: 73 })(
    'parsing a row back gives the same question',
    (q) => {
      const row = `| ${q.id} | ${q.text} | ${q.zh} | ${q.concepts.join(', ')} |`;
      expect(parseQuestions(`## ${q.section}\n${row}`)).toEqual([q]);
    },
  );
});

describe('every catalog entry', () => {
  const bank = new Map(questions().map((q) => [q.id, q]));

  it.each(catalog.map((c) => [c.id, c] as const))(
    '%s: paths exist, ids are known, the bank names this concept',
    (_, entry) => {
      expect(entry.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(Object.keys(FAMILIES)).toContain(entry.family);
      for (const path of [
        entry.module,
        entry.test,
        entry.notebook,
        ...(entry.bench ? [entry.bench] : []),
      ]) {
        expect(existsSync(resolvePath(path)), `${path} exists`).toBe(true);
      }
      expect(entry.questions.length).toBeGreaterThan(0);
      for (const id of entry.questions) {
        expect(bank.has(id), `${id} is in questions.md`).toBe(true);
        expect(bank.get(id)!.concepts, `questions.md lists ${entry.id} for ${id}`).toContain(
          entry.id,
        );
      }
      const moduleText = readFileSync(resolvePath(entry.module), 'utf8');
      for (const id of entry.questions)
        expect(moduleText, `the module's doc comment names ${id}`).toContain(id);
    },
  );

  it('ids are unique', () => {
    expect(new Set(catalog.map((c) => c.id)).size).toBe(catalog.length);
  });
});

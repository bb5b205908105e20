/**
 * The documents `npm start -- ask` searches, gathered from the project: the question bank, the
 * catalog, the glossary and every notebook's paragraphs (read from the notebook files, not run).
 */
import { existsSync } from 'node:fs';
import { catalog } from '../catalog/index.js';
import { GLOSSARY } from '../catalog/glossary.js';
import { resolvePath } from '../catalog/paths.js';
import { questions } from '../catalog/questions.js';
import { notebookParagraphs } from '../notebook/prose.js';
import { buildSearchIndex, type Embed, type Passage, type SearchIndex } from './search.js';

/** Every paragraph of every notebook of the catalog, tagged with its concept. */
export function projectPassages(): Passage[] {
  // a notebook not written yet has no prose to index (tests/catalog.test.ts reports it missing)
  return catalog
    .filter((c) => existsSync(resolvePath(c.notebook)))
    .flatMap((c) => notebookParagraphs(c.notebook).map((p) => ({ concept: c.id, ...p })));
}

/** The index `ask` searches: the bank, the glossary and every notebook's paragraphs. */
export function projectSearchIndex(embed?: Embed): SearchIndex {
  return buildSearchIndex(questions(), catalog, GLOSSARY, projectPassages(), embed);
}

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
import { askEmbed } from './ask-encoder.js';
import {
  buildSearchIndex,
  passageText,
  questionText,
  type Embed,
  type Passage,
  type SearchIndex,
} from './search.js';

/** Every paragraph of every notebook of the catalog, tagged with its concept. */
export function projectPassages(): Passage[] {
  // a notebook not written yet has no prose to index (tests/catalog.test.ts reports it missing)
  return catalog
    .filter((c) => existsSync(resolvePath(c.notebook)))
    .flatMap((c) => notebookParagraphs(c.notebook).map((p) => ({ concept: c.id, ...p })));
}

/** The lexical index over the bank, the glossary and every notebook's paragraphs (BM25 only). */
export function projectSearchIndex(embed?: Embed): SearchIndex {
  return buildSearchIndex(questions(), catalog, GLOSSARY, projectPassages(), embed);
}

/**
 * The index `ask` searches: the same documents, also embedded by the project's own bi-encoder
 * (cli/ask-encoder.ts; trained once, seeded, and kept in build/), so BM25 and dense lists fuse.
 */
export async function projectHybridIndex(): Promise<SearchIndex> {
  const passages = projectPassages();
  const embed = await askEmbed(askDocuments(passages));
  return buildSearchIndex(questions(), catalog, GLOSSARY, passages, embed);
}

/** The texts ask embeds: every question as it is indexed, then every paragraph. */
export function askDocuments(passages: readonly Passage[] = projectPassages()): string[] {
  return [
    ...questions().map((q) => questionText(q, catalog, GLOSSARY)),
    ...passages.map(passageText),
  ];
}

/** ask's trained encoder as an embedding function (trained now if build/ does not hold it). */
export function projectEmbed(passages: readonly Passage[] = projectPassages()): Promise<Embed> {
  return askEmbed(askDocuments(passages));
}

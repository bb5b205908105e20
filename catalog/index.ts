/**
 * The catalog: every concept of the project, grouped by family, each linked to the question ids it
 * answers and to its module, test, notebook and bench. One file per family keeps additions local.
 */
import { classicAlgorithms } from './families/classic-algorithms.js';
import { evaluation } from './families/evaluation.js';
import { llmEfficiency } from './families/llm-efficiency.js';
import { rag } from './families/rag.js';
import { ranking } from './families/ranking.js';
import { transformerInternals } from './families/transformer-internals.js';
import type { ConceptEntry } from './types.js';

export type { ConceptEntry, FamilyId, QuestionId } from './types.js';
export { FAMILIES } from './types.js';

/** Families in the order of FAMILIES; within a family, concepts in the order of their first question. */
export const catalog: readonly ConceptEntry[] = [
  classicAlgorithms,
  transformerInternals,
  llmEfficiency,
  rag,
  ranking,
  evaluation,
].flatMap((family) =>
  [...family].sort((a, b) => (a.questions[0] ?? '').localeCompare(b.questions[0] ?? '')),
);

/** The entry with this id, or undefined. */
export function findConcept(id: string): ConceptEntry | undefined {
  return catalog.find((c) => c.id === id);
}

/** Common wrong answers about RAG, rejected in tests/rag-pipeline.test.ts. */
import { assertArray, assertInteger } from '../../core/errors.js';
import { tokenLength, tokenOffsets } from '../chunking/index.js';

/**
 * Pitfall: paste every retrieved chunk and cut the prompt at the budget: the cut lands inside a
 * chunk, and the question, which came last, is cut off first.
 */
export function pitfallTruncatedPrompt(
  question: string,
  rankedChunks: readonly string[],
  budget: number,
): string {
  assertArray('rankedChunks', rankedChunks);
  assertInteger('budget', budget, { min: 1 });
  const full = `Context:\n${rankedChunks.map((c, i) => `[${i + 1}] ${c}\n`).join('')}\nQuestion: ${String(question)}\nAnswer:`;
  if (tokenLength(full) <= budget) return full;
  return full.slice(0, tokenOffsets(full)[budget]);
}

/** Pitfall: "recall@k" as relevant results / k: that is precision@k, below 1 for a perfect ranking. */
export function pitfallPrecisionAsRecall(
  ranked: readonly (readonly (number | string)[])[],
  relevant: readonly ReadonlySet<number | string>[],
  k: number,
): number {
  assertArray('ranked', ranked);
  assertInteger('k', k, { min: 1 });
  const per = ranked.map((r, i) => r.slice(0, k).filter((id) => relevant[i]?.has(id)).length / k);
  return per.reduce((s, v) => s + v, 0) / Math.max(1, ranked.length);
}

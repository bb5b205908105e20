/**
 * Retrieval quality on labelled queries. For query i, `ranked[i]` is what the retriever returned,
 * best first, and `relevant[i]` the ids that would answer it.
 *
 *   recall@k = share of queries with a relevant id among their first k results (hit rate)
 *   MRR      = mean over queries of 1 / (rank of the first relevant result), 0 if none
 *
 * With one relevant id per query, recall@k is the classic recall; with several, it is "success at
 * k", which is what a RAG prompt needs: one good chunk in the context.
 */
import { ArgumentError, ArgumentTypeError, assertArray, assertInteger } from '../../core/errors.js';

type Id = number | string;

function assertLabelled(ranked: unknown, relevant: unknown): asserts ranked is Id[][] {
  assertArray('ranked', ranked);
  assertArray('relevant', relevant);
  if (ranked.length === 0) throw new ArgumentError('ranked', ranked, 'at least one query');
  if (relevant.length !== ranked.length)
    throw new ArgumentError('relevant', relevant, `one set per query (${ranked.length})`);
  ranked.forEach((r, i) => assertArray(`ranked[${i}]`, r));
  relevant.forEach((r, i) => {
    if (!(r instanceof Set)) throw new ArgumentTypeError(`relevant[${i}]`, r, 'a Set of ids');
  });
}

export function recallAtK(
  ranked: readonly (readonly Id[])[],
  relevant: readonly ReadonlySet<Id>[],
  k: number,
): number {
  assertLabelled(ranked, relevant);
  assertInteger('k', k, { min: 1 });
  const hits = ranked.filter((r, i) => r.slice(0, k).some((id) => relevant[i]!.has(id)));
  return hits.length / ranked.length;
}

export function meanReciprocalRank(
  ranked: readonly (readonly Id[])[],
  relevant: readonly ReadonlySet<Id>[],
): number {
  assertLabelled(ranked, relevant);
  const reciprocal = ranked.map((r, i) => {
    const first = r.findIndex((id) => relevant[i]!.has(id));
    return first < 0 ? 0 : 1 / (first + 1);
  });
  return reciprocal.reduce((s, v) => s + v, 0) / ranked.length;
}

/**
 * Hybrid retrieval and re-ranking: fuse the keyword and the dense result lists by their ranks
 * (reciprocal rank fusion), then re-score the fused candidates pair by pair and pick a diverse top k
 * (maximal marginal relevance). Answers: Q42 (关键词检索和重排: fusion and re-ranking; BM25 is
 * ml/bm25/, dense retrieval ml/dense-retrieval/).
 *
 *   RRF(d) = sum over lists r of 1 / (k + rank_r(d))        ranks from 1, k = 60; absent: 0
 *   MMR    = argmax over unpicked i of  lambda rel(i) - (1 - lambda) max over picked j of sim(i, j)
 *
 * Why ranks and not scores: BM25 scores are unbounded and cosine similarities lie in [-1, 1], so
 * adding them lets one retriever's scale decide (`pitfallRawScoreFusion`); RRF sees only the order,
 * and k = 60 (Cormack, Clarke and Buttcher, SIGIR 2009) damps the difference between the first few
 * ranks so that agreement across lists wins. Ties in the fused score are broken by id (numbers
 * ascending, then strings), so the result does not depend on the order of the lists.
 *
 * Re-ranking: retrieval is cheap and recall-oriented; the re-ranker reads each (query, document)
 * pair jointly. In production that is a cross-encoder (e.g. bge-reranker); here `pairScore` is a
 * transparent stand-in reading the pair jointly: the share of query terms the document covers, and
 * how close together they occur. MMR then trades relevance against redundancy (Carbonell and
 * Goldstein 1998): lambda = 1 is plain relevance order; the first pick is always the most relevant.
 *
 * Complexity: RRF O(total list length + m log m) for m distinct ids; pairScore O(|Q| + |D|);
 * MMR O(k n) similarity lookups for n candidates.
 *
 * @example
 *   reciprocalRankFusion([['a', 'b', 'c'], ['c', 'a']])
 *   // a: 1/61 + 1/62, c: 1/63 + 1/61, b: 1/62 -> [a, c, b]
 */
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertArrayLike,
  assertFinite,
  assertFunction,
  assertInteger,
} from '../core/errors.js';

export type Id = number | string;

export interface Fused<T extends Id = Id> {
  id: T;
  score: number;
}

/** Reciprocal rank fusion of ranked lists (best first): every id with its fused score, best first. */
export function reciprocalRankFusion<T extends Id>(
  rankings: readonly (readonly T[])[],
  k = 60,
): Fused<T>[] {
  assertRankings('rankings', rankings);
  assertFinite('k', k);
  if (k < 0) throw new ArgumentError('k', k, '>= 0 (60 in the RRF paper)');
  // every id's ranks, from 1 for the first item of a list
  const ranks = new Map<T, number[]>();
  for (const list of rankings)
    list.forEach((id, i) => ranks.set(id, [...(ranks.get(id) ?? []), i + 1]));
  // sum 1 / (k + r) in rank order, so that the order of the lists cannot change a single bit
  const fuse = (rs: number[]) => rs.sort((a, b) => a - b).reduce((s, r) => s + 1 / (k + r), 0);
  return [...ranks]
    .map(([id, rs]) => ({ id, score: fuse(rs) }))
    .sort((a, b) => b.score - a.score || compareIds(a.id, b.id));
}

/**
 * RRF with a weight per list: w_r / (k + rank_r(d)), as search engines offer it to trust one
 * retriever more. All weights 1 is `reciprocalRankFusion`.
 */
export function weightedRankFusion<T extends Id>(
  rankings: readonly (readonly T[])[],
  weights: readonly number[],
  k = 60,
): Fused<T>[] {
  assertRankings('rankings', rankings);
  assertArray('weights', weights);
  if (weights.length !== rankings.length)
    throw new ArgumentError('weights', weights, `one weight per ranking (${rankings.length})`);
  weights.forEach((w, r) => {
    assertFinite(`weights[${r}]`, w);
    if (w < 0) throw new ArgumentError(`weights[${r}]`, w, '>= 0');
  });
  assertFinite('k', k);
  if (k < 0) throw new ArgumentError('k', k, '>= 0 (60 in the RRF paper)');
  const terms = new Map<T, { rank: number; weight: number }[]>();
  rankings.forEach((list, r) =>
    list.forEach((id, i) =>
      terms.set(id, [...(terms.get(id) ?? []), { rank: i + 1, weight: weights[r]! }]),
    ),
  );
  // summed in a canonical order (rank, then weight), so the order of the lists changes nothing
  const fuse = (ts: { rank: number; weight: number }[]) =>
    ts
      .sort((a, b) => a.rank - b.rank || a.weight - b.weight)
      .reduce((s, t) => s + t.weight / (k + t.rank), 0);
  return [...terms]
    .map(([id, ts]) => ({ id, score: fuse(ts) }))
    .sort((a, b) => b.score - a.score || compareIds(a.id, b.id));
}

/** Numbers before strings; numbers ascending, strings by code units. */
export function compareIds(a: Id, b: Id): number {
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertRankings(argument: string, rankings: unknown): asserts rankings is Id[][] {
  assertArray(argument, rankings);
  rankings.forEach((list, r) => {
    assertArray(`${argument}[${r}]`, list);
    const seen = new Set<Id>();
    list.forEach((id, i) => {
      const where = `${argument}[${r}][${i}]`;
      if (typeof id === 'number') assertFinite(where, id);
      else if (typeof id !== 'string')
        throw new ArgumentTypeError(where, id, 'a number or a string');
      if (seen.has(id)) throw new ArgumentError(where, id, 'each id at most once per list');
      seen.add(id);
    });
  });
}

/** One retriever's results with their scores, best first (what searchBm25 and top-k return). */
export interface ScoredId<T extends Id = Id> {
  id: T;
  score: number;
}

/** RRF of scored lists: the scores are read only to order each list, then ignored. */
export function fuseScoredLists<T extends Id>(
  lists: readonly (readonly ScoredId<T>[])[],
  k = 60,
): Fused<T>[] {
  return reciprocalRankFusion(orderedIds('lists', lists), k);
}

function orderedIds<T extends Id>(
  argument: string,
  lists: readonly (readonly ScoredId<T>[])[],
): T[][] {
  assertArray(argument, lists);
  return lists.map((list, r) => {
    assertArray(`${argument}[${r}]`, list);
    list.forEach((item, i) => {
      if (item === null || typeof item !== 'object')
        throw new ArgumentTypeError(`${argument}[${r}][${i}]`, item, '{ id, score }');
      assertFinite(`${argument}[${r}][${i}].score`, (item as ScoredId).score);
    });
    return [...list].sort((a, b) => b.score - a.score || compareIds(a.id, b.id)).map((s) => s.id);
  });
}

/**
 * A transparent pair scorer: coverage (the share of the query's distinct terms the document holds)
 * plus half a proximity bonus, 1 when the covered terms sit side by side and falling as the
 * shortest window holding them all widens. In [0, 1.5]; 0 when no query term occurs.
 */
export function pairScore(query: readonly string[], doc: readonly string[]): number {
  assertStrings('query', query);
  assertStrings('doc', doc);
  if (query.length === 0) throw new ArgumentError('query', query, 'at least one token');
  const wanted = new Set(query);
  const present = new Set(doc.filter((t) => wanted.has(t)));
  if (present.size === 0) return 0;
  const coverage = present.size / wanted.size;
  const span = shortestWindow(doc, present);
  return coverage + 0.5 * (present.size / span);
}

/** Length of the shortest run of `doc` holding every term of `terms` (all of which occur). */
function shortestWindow(doc: readonly string[], terms: ReadonlySet<string>): number {
  const count = new Map<string, number>();
  let have = 0;
  let best = Infinity;
  for (let left = 0, right = 0; right < doc.length; right++) {
    const t = doc[right]!;
    if (terms.has(t) && count.set(t, (count.get(t) ?? 0) + 1).get(t) === 1) have++;
    // shrink from the left while the window still holds every term
    while (have === terms.size) {
      best = Math.min(best, right - left + 1);
      const l = doc[left++]!;
      if (terms.has(l) && count.set(l, count.get(l)! - 1).get(l) === 0) have--;
    }
  }
  return best;
}

function assertStrings(argument: string, tokens: unknown): asserts tokens is string[] {
  assertArray(argument, tokens);
  tokens.forEach((t, i) => {
    if (typeof t !== 'string') throw new ArgumentTypeError(`${argument}[${i}]`, t, 'a string');
  });
}

/** Re-rank candidate documents by `pairScore` against the query: the k best, ties by lower index. */
export function rerank(
  query: readonly string[],
  docs: readonly (readonly string[])[],
  candidates: readonly number[],
  k: number,
): Fused<number>[] {
  assertStrings('query', query);
  assertArray('docs', docs);
  assertArray('candidates', candidates);
  candidates.forEach((c, i) =>
    assertInteger(`candidates[${i}]`, c, { min: 0, max: docs.length - 1 }),
  );
  assertInteger('k', k, { min: 1 });
  return candidates
    .map((id) => ({ id, score: pairScore(query, docs[id] as string[]) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, k);
}

/**
 * Maximal marginal relevance: k indices of `relevance` picked greedily, each maximising
 * lambda rel(i) - (1 - lambda) max over picked j of sim(i, j). The first pick is the most relevant.
 */
export function maximalMarginalRelevance(
  relevance: ArrayLike<number>,
  similarity: (i: number, j: number) => number,
  lambda: number,
  k: number,
): number[] {
  assertArrayLike('relevance', relevance);
  for (let i = 0; i < relevance.length; i++) assertFinite(`relevance[${i}]`, relevance[i]);
  assertFunction('similarity', similarity);
  assertFinite('lambda', lambda);
  if (lambda < 0 || lambda > 1) throw new ArgumentError('lambda', lambda, 'a number in [0, 1]');
  assertInteger('k', k, { min: 1 });
  const n = relevance.length;
  const picked: number[] = [];
  // the highest similarity of each candidate to anything picked so far
  const redundancy = new Float64Array(n).fill(-Infinity);
  while (picked.length < Math.min(k, n)) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (redundancy[i] === Infinity) continue; // already picked
      const value =
        picked.length === 0
          ? relevance[i]!
          : lambda * relevance[i]! - (1 - lambda) * redundancy[i]!;
      if (value > bestValue) ((best = i), (bestValue = value));
    }
    picked.push(best);
    redundancy[best] = Infinity;
    for (let i = 0; i < n; i++) {
      if (redundancy[i] === Infinity) continue;
      const s = similarity(i, best);
      assertFinite(`similarity(${i}, ${best})`, s);
      if (s > redundancy[i]!) redundancy[i] = s;
    }
  }
  return picked;
}

/**
 * Pitfall: fusing by adding raw scores. A retriever whose scores are larger (BM25's, unbounded)
 * decides alone; rescaling one list's scores, which changes none of its ranks, reorders the result.
 */
export function pitfallRawScoreFusion<T extends Id>(
  lists: readonly (readonly ScoredId<T>[])[],
): Fused<T>[] {
  orderedIds('lists', lists);
  const score = new Map<T, number>();
  for (const list of lists)
    for (const { id, score: s } of list) score.set(id, (score.get(id) ?? 0) + s);
  return [...score]
    .map(([id, s]) => ({ id, score: s }))
    .sort((a, b) => b.score - a.score || compareIds(a.id, b.id));
}

/** Pitfall: "diversity" without a redundancy term: the k most relevant, near-duplicates and all. */
export function pitfallMmrWithoutRedundancy(
  relevance: ArrayLike<number>,
  _similarity: (i: number, j: number) => number,
  _lambda: number,
  k: number,
): number[] {
  assertArrayLike('relevance', relevance);
  assertInteger('k', k, { min: 1 });
  return Array.from(relevance, (r, i) => ({ r: r as number, i }))
    .sort((a, b) => b.r - a.r || a.i - b.i)
    .slice(0, k)
    .map((x) => x.i);
}

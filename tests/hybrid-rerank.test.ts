/**
 * Answer key for Q42's fusion and re-ranking. RRF's worked number (ranks 1 and 3: 1/61 + 1/63) and
 * an independent oracle, its invariants (symmetric in its input lists, an item first everywhere
 * stays first, only ranks matter), the pair scorer's bounds and window against brute force, MMR
 * (lambda = 1 is relevance order; a near-duplicate waits), and the pitfalls (fusing raw scores,
 * MMR without the redundancy term) rejected by the same properties. Input checks:
 * tests/inputs/hybrid-rerank.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  fuseScoredLists,
  maximalMarginalRelevance,
  pairScore,
  pitfallMmrWithoutRedundancy,
  pitfallRawScoreFusion,
  reciprocalRankFusion,
  weightedRankFusion,
  rerank,
  type ScoredId,
} from '../ml/hybrid-rerank.js';
import { rejectsPitfall } from './support/answer-key.js';

/** A ranked list: distinct ids 0..11 in some order. */
const listArb = fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { maxLength: 8 });
const listsArb = fc.array(listArb, { minLength: 1, maxLength: 4 });

/** The fused score by the definition, id by id. */
function rrfOracle(lists: number[][], id: number, k = 60): number {
  return lists.reduce((s, l) => (l.includes(id) ? s + 1 / (k + l.indexOf(id) + 1) : s), 0);
}

/** Only ranks matter: multiplying one retriever's scores by a positive factor changes nothing. */
const onlyRanksMatter = (fuse: (lists: ScoredId<number>[][]) => { id: number }[]) =>
  fc.property(
    fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 }), {
      minLength: 2,
      maxLength: 3,
    }),
    fc.double({ min: 0.01, max: 1000, noNaN: true }),
    (idLists, factor) => {
      const scored = idLists.map((l) =>
        l.map((id, i) => ({ id, score: (l.length - i) / l.length })),
      );
      const scaled = scored.map((l, r) =>
        r === 0 ? l.map((s) => ({ ...s, score: s.score * factor })) : l,
      );
      expect(fuse(scaled).map((f) => f.id)).toEqual(fuse(scored).map((f) => f.id));
    },
  );

const simOf = (vectors: number[][]) => (i: number, j: number) =>
  vectors[i]!.reduce((s, v, d) => s + v * vectors[j]![d]!, 0);

/** A near-duplicate of the first pick waits behind a distinct, somewhat less relevant item. */
const duplicateWaits = (mmr: typeof maximalMarginalRelevance) =>
  fc.property(
    fc.double({ min: 0.3, max: 1, noNaN: true }),
    fc.double({ min: 0.2, max: 0.29, noNaN: true }),
    (top, other) => {
      // documents 0 and 1 are the same text (similarity 1); document 2 is unrelated (similarity 0)
      const vectors = [
        [1, 0],
        [1, 0],
        [0, 1],
      ];
      const picks = mmr([top, top - 0.01, other], simOf(vectors), 0.5, 2);
      expect(picks).toEqual([0, 2]);
    },
  );

describe('worked examples', () => {
  it('ranks 1 and 3 in two lists fuse to 1/61 + 1/63 = 0.032266', () => {
    const fused = reciprocalRankFusion([
      ['x', 'a', 'b'],
      ['c', 'd', 'x'],
    ]);
    expect(fused.find((f) => f.id === 'x')!.score).toBeCloseTo(1 / 61 + 1 / 63, 15);
    expect(1 / 61 + 1 / 63).toBeCloseTo(0.032266, 6);
    expect(fused[0]!.id).toBe('x');
  });

  it('agreement beats one first place: [a, b, c] and [c, a] give a, c, b', () => {
    expect(
      reciprocalRankFusion([
        ['a', 'b', 'c'],
        ['c', 'a'],
      ]).map((f) => f.id),
    ).toEqual(['a', 'c', 'b']);
  });
});

describe('reciprocal rank fusion', () => {
  test.prop([listsArb], { numRuns: 200 })(
    'every fused score is the sum of 1 / (60 + rank)',
    (lists) => {
      for (const { id, score } of reciprocalRankFusion(lists))
        expect(score).toBeCloseTo(rrfOracle(lists, id), 14);
      expect(new Set(reciprocalRankFusion(lists).map((f) => f.id))).toEqual(new Set(lists.flat()));
    },
  );

  test.prop([listsArb, fc.integer()], { numRuns: 200 })(
    'symmetric in its input lists',
    (lists, seed) => {
      const shuffled = fc.sample(fc.shuffledSubarray(lists, { minLength: lists.length }), {
        seed,
        numRuns: 1,
      })[0]!;
      expect(reciprocalRankFusion(shuffled)).toEqual(reciprocalRankFusion(lists));
    },
  );

  test.prop([listsArb, fc.integer({ min: 0, max: 11 })], { numRuns: 200 })(
    'an item ranked first in every list stays first',
    (lists, top) => {
      const withTop = lists.map((l) => [top, ...l.filter((id) => id !== top)]);
      expect(reciprocalRankFusion(withTop)[0]!.id).toBe(top);
    },
  );

  test.prop([listsArb], { numRuns: 150 })('weighted fusion with all weights 1 is RRF', (lists) => {
    expect(
      weightedRankFusion(
        lists,
        lists.map(() => 1),
      ),
    ).toEqual(reciprocalRankFusion(lists));
  });

  test.prop([listsArb, fc.integer()], { numRuns: 150 })(
    'weighted fusion: each score is the sum of w / (60 + rank), symmetric in the lists',
    (lists, seed) => {
      const weights = lists.map((_, r) => 0.5 + r);
      const fused = weightedRankFusion(lists, weights);
      for (const { id, score } of fused) {
        const expected = lists.reduce(
          (s, l, r) => (l.includes(id) ? s + weights[r]! / (61 + l.indexOf(id)) : s),
          0,
        );
        expect(score).toBeCloseTo(expected, 14);
      }
      const order = fc.sample(
        fc.shuffledSubarray(
          lists.map((_, r) => r),
          { minLength: lists.length },
        ),
        { seed, numRuns: 1 },
      )[0]!;
      expect(
        weightedRankFusion(
          order.map((r) => lists[r]!),
          order.map((r) => weights[r]!),
        ),
      ).toEqual(fused);
    },
  );

  it('only ranks matter: rescaling one list (BM25 x 1000) leaves the fused order', () => {
    fc.assert(
      onlyRanksMatter((lists) => fuseScoredLists(lists)),
      { numRuns: 200 },
    );
  });
});

describe('re-ranking by pair score', () => {
  const tok = fc.constantFrom('a', 'b', 'c', 'd', 'e');
  const docArb = fc.array(tok, { maxLength: 10 });
  const queryArb = fc.array(tok, { minLength: 1, maxLength: 3 });

  /** Shortest window by brute force: every (i, j) pair. */
  function windowOracle(doc: string[], terms: Set<string>): number {
    let best = Infinity;
    for (let i = 0; i < doc.length; i++)
      for (let j = i; j < doc.length; j++)
        if ([...terms].every((t) => doc.slice(i, j + 1).includes(t)))
          best = Math.min(best, j - i + 1);
    return best;
  }

  test.prop([queryArb, docArb], { numRuns: 200 })(
    'coverage plus half the proximity: equal to the definition with a brute-force window',
    (query, doc) => {
      const present = new Set(doc.filter((t) => query.includes(t)));
      const expected =
        present.size === 0
          ? 0
          : present.size / new Set(query).size + (0.5 * present.size) / windowOracle(doc, present);
      expect(pairScore(query, doc)).toBeCloseTo(expected, 14);
      expect(pairScore(query, doc)).toBeGreaterThanOrEqual(0);
      expect(pairScore(query, doc)).toBeLessThanOrEqual(1.5);
    },
  );

  it('the query as a phrase scores the maximum 1.5; scattered, less; absent, 0', () => {
    expect(pairScore(['kv', 'cache'], ['the', 'kv', 'cache', 'grows'])).toBe(1.5);
    expect(pairScore(['kv', 'cache'], ['kv', 'x', 'x', 'cache'])).toBe(1 + 0.5 * (2 / 4));
    expect(pairScore(['kv', 'cache'], ['x'])).toBe(0);
  });

  test.prop(
    [queryArb, fc.array(docArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 6 })],
    { numRuns: 150 },
  )(
    're-ranking returns the k best candidates by pair score, ties by lower index',
    (query, docs, k) => {
      const all = docs.map((_, i) => i);
      const ranked = rerank(query, docs, all, k);
      const expected = all
        .sort((x, y) => pairScore(query, docs[y]!) - pairScore(query, docs[x]!) || x - y)
        .slice(0, k);
      expect(ranked.map((r) => r.id)).toEqual(expected);
    },
  );
});

describe('maximal marginal relevance', () => {
  const relevanceArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
    minLength: 1,
    maxLength: 8,
  });
  test.prop([relevanceArb, fc.integer({ min: 1, max: 8 })], { numRuns: 200 })(
    'lambda = 1 is plain relevance order (ties by lower index)',
    (rel, k) => {
      const order = rel
        .map((_, i) => i)
        .sort((a, b) => rel[b]! - rel[a]! || a - b)
        .slice(0, k);
      expect(maximalMarginalRelevance(rel, () => 1, 1, k)).toEqual(order);
    },
  );

  test.prop(
    [relevanceArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 8 })],
    { numRuns: 150 },
  )('k distinct picks (or all), the first always the most relevant', (rel, lambda, k) => {
    const picks = maximalMarginalRelevance(rel, () => 0.3, lambda, k);
    expect(new Set(picks).size).toBe(Math.min(k, rel.length));
    expect(rel[picks[0]!]).toBe(Math.max(...rel));
  });

  it('a near-duplicate of the first pick waits behind a distinct item (lambda = 0.5)', () => {
    fc.assert(duplicateWaits(maximalMarginalRelevance), { numRuns: 100 });
  });
});

describe('pitfalls', () => {
  it('fusing raw scores: rescaling one retriever reorders the result', () => {
    rejectsPitfall(onlyRanksMatter((lists) => pitfallRawScoreFusion(lists)));
  });

  it('MMR without the redundancy term picks the duplicate second', () => {
    rejectsPitfall(duplicateWaits(pitfallMmrWithoutRedundancy));
  });
});

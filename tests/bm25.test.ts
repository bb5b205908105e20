/**
 * Answer key for Q42's keyword half, BM25. Worked vectors for both conventions (rank_bm25's Okapi
 * and Lucene's), the inverted index against the textbook scan and against an independent Lucene
 * scorer written here, its top-k against a full sort, the invariants an interviewer asks about
 * (word order does not matter, an absent term never helps, b = 0 ignores length, repeats
 * saturate), the postings visited as a counted bound, the tokenisers, and the pitfalls (idf
 * without a floor, term frequency without saturation) rejected by the properties the right answer
 * passes. Input checks: tests/inputs/bm25.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  analyze,
  bm25ScoreAll,
  bm25Scores,
  buildBm25Index,
  LUCENE,
  OKAPI,
  pitfallLinearTermFrequency,
  pitfallRobertsonIdfWithoutFloor,
  searchBm25,
  segmentChinese,
  tokenizeChinese,
  tokenizeEnglish,
  tokenizeMixed,
  type Bm25Params,
} from '../ml/bm25/index.js';
import { Counter } from '../core/counter.js';
import { rejectsPitfall } from './support/answer-key.js';

const TOY = [
  ['a', 'b', 'c'],
  ['a', 'a', 'd'],
  ['b', 'e'],
];

const term = fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f');
const corpusArb = fc.array(fc.array(term, { maxLength: 8 }), { minLength: 1, maxLength: 8 });
const queryArb = fc.array(fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f', 'g'), {
  minLength: 1,
  maxLength: 4,
});
const paramsArb = fc.constantFrom<Bm25Params>(OKAPI, LUCENE);

/** Lucene's BM25Similarity written independently: idf ln(1 + (N - n + .5)/(n + .5)), no k1 + 1. */
function luceneOracle(corpus: string[][], query: string[], k1 = 1.2, b = 0.75): number[] {
  const N = corpus.length;
  const avgdl = corpus.flat().length / N;
  return corpus.map((doc) => {
    let s = 0;
    for (const q of query) {
      const n = corpus.filter((d) => d.includes(q)).length;
      const f = doc.reduce((c, t) => c + (t === q ? 1 : 0), 0);
      if (f > 0)
        s +=
          (Math.log(1 + (N - n + 0.5) / (n + 0.5)) * f) /
          (f + k1 * (1 - b + (b * doc.length) / avgdl));
    }
    return s;
  });
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, digits = 12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, digits);
};

/** Each query term moves a score by at most |idf| (k1 + 1), however often the document repeats it. */
const saturates = (score: (corpus: string[][], query: string[]) => ArrayLike<number>) =>
  fc.property(corpusArb, term, fc.integer({ min: 1, max: 60 }), (corpus, t, times) => {
    const loaded = [...corpus, Array<string>(times).fill(t)];
    const idf = buildBm25Index(loaded, OKAPI).idf.get(t)!;
    const s = score(loaded, [t])[loaded.length - 1]!;
    expect(Math.abs(s)).toBeLessThanOrEqual(Math.abs(idf) * (OKAPI.k1 + 1) + 1e-12);
  });

/** The mean of Robertson's raw idf over a corpus's terms: rank_bm25's floor is 0.25 x this. */
function meanRawIdf(corpus: string[][]): number {
  const terms = [...new Set(corpus.flat())];
  const N = corpus.length;
  const idf = (t: string) => {
    const n = corpus.filter((d) => d.includes(t)).length;
    return Math.log((N - n + 0.5) / (n + 0.5));
  };
  return terms.reduce((s, t) => s + idf(t), 0) / terms.length;
}

/** Every query term helps or is neutral: dropping one from the query never raises a score. */
const everyTermHelps = (score: (corpus: string[][], query: string[]) => ArrayLike<number>) =>
  fc.property(corpusArb, queryArb, fc.nat(3), (corpus, query, pick) => {
    // rank_bm25's floor is itself negative when the mean idf is: the property needs mean >= 0
    fc.pre(!(meanRawIdf(corpus) < 0));
    const without = query.filter((_, i) => i !== pick % query.length);
    if (without.length === 0) return;
    const full = score(corpus, query);
    const less = score(corpus, without);
    corpus.forEach((_, d) => expect(less[d]).toBeLessThanOrEqual(full[d]! + 1e-12));
  });

describe('worked examples', () => {
  it("rank_bm25's Okapi on [[a,b,c],[a,a,d],[b,e]] for [a,e]: [0.0242, 0.0351, 0.5756]", () => {
    close(bm25Scores(TOY, ['a', 'e']), [0.0242, 0.0351, 0.5756], 4);
    // a is in 2 of 3 documents: ln(1.5 / 2.5) < 0, floored to 0.25 x mean idf = 0.0255
    expect(buildBm25Index(TOY, OKAPI).idf.get('a')).toBeCloseTo(0.02554, 5);
  });

  it("Lucene's BM25 on the same: [0.2032, 0.2838, 0.4966], and its idf is always positive", () => {
    close(bm25ScoreAll(buildBm25Index(TOY, LUCENE), ['a', 'e']), [0.2032, 0.2838, 0.4966], 4);
    expect(Math.min(...buildBm25Index(TOY, LUCENE).idf.values())).toBeGreaterThan(0);
  });

  it('search returns the best documents first, and only documents holding a query term', () => {
    const hits = searchBm25(buildBm25Index(TOY, LUCENE), ['a', 'e'], 5);
    expect(hits.map((h) => h.index)).toEqual([2, 1, 0]);
    expect(searchBm25(buildBm25Index(TOY, LUCENE), ['e'], 5).map((h) => h.index)).toEqual([2]);
    expect(searchBm25(buildBm25Index(TOY, LUCENE), ['zzz'], 5)).toEqual([]);
  });
});

describe('the index against independent scorers', () => {
  test.prop([corpusArb, queryArb], { numRuns: 150 })(
    "the Okapi index equals the textbook scan (rank_bm25's formula)",
    (corpus, query) =>
      close(bm25ScoreAll(buildBm25Index(corpus, OKAPI), query), bm25Scores(corpus, query)),
  );

  test.prop([corpusArb, queryArb], { numRuns: 150 })(
    'the Lucene index equals a Lucene scorer written independently',
    (corpus, query) =>
      close(bm25ScoreAll(buildBm25Index(corpus, LUCENE), query), luceneOracle(corpus, query)),
  );

  test.prop([corpusArb, queryArb, paramsArb, fc.integer({ min: 1, max: 10 })], { numRuns: 150 })(
    'top-k is the first k of a full sort of the matching documents (ties: lower index first)',
    (corpus, query, params, k) => {
      const index = buildBm25Index(corpus, params);
      const scores = bm25ScoreAll(index, query);
      const matching = corpus.flatMap((doc, d) => (query.some((q) => doc.includes(q)) ? [d] : []));
      const sorted = matching.sort((x, y) => scores[y]! - scores[x]! || x - y).slice(0, k);
      expect(searchBm25(index, query, k).map((h) => h.index)).toEqual(sorted);
    },
  );
});

describe('invariants', () => {
  test.prop([corpusArb, queryArb, paramsArb, fc.integer()], { numRuns: 120 })(
    "a document's score does not change when its words are shuffled",
    (corpus, query, params, seed) => {
      const shuffled = corpus.map(
        (doc) =>
          fc.sample(fc.shuffledSubarray(doc, { minLength: doc.length }), { seed, numRuns: 1 })[0]!,
      );
      close(
        bm25ScoreAll(buildBm25Index(shuffled, params), query),
        bm25ScoreAll(buildBm25Index(corpus, params), query),
      );
    },
  );

  test.prop([corpusArb, queryArb, paramsArb, term], { numRuns: 120 })(
    'a query term the document lacks never raises its score',
    (corpus, query, params, extra) => {
      const index = buildBm25Index(corpus, params);
      const before = bm25ScoreAll(index, query);
      const after = bm25ScoreAll(index, [...query, extra]);
      corpus.forEach((doc, d) => {
        if (!doc.includes(extra)) expect(after[d]).toBe(before[d]);
      });
    },
  );

  test.prop([corpusArb, queryArb, fc.nat(7), fc.integer({ min: 1, max: 5 })], { numRuns: 120 })(
    'b = 0 removes length normalisation: padding a document with its own non-query words changes nothing',
    (corpus, query, pick, times) => {
      const d = pick % corpus.length;
      const filler = corpus[d]!.find((t) => !query.includes(t));
      if (filler === undefined) return;
      const padded = corpus.map((doc, i) =>
        i === d ? [...doc, ...Array(times).fill(filler)] : doc,
      );
      const flat = { ...LUCENE, b: 0 };
      expect(bm25ScoreAll(buildBm25Index(padded, flat), query)[d]).toBeCloseTo(
        bm25ScoreAll(buildBm25Index(corpus, flat), query)[d]!,
        12,
      );
    },
  );

  it('with b = 0.75 the same padding lowers the score: length normalisation is on', () => {
    const corpus = [['a', 'x'], ['b'], ['c']];
    const padded = [['a', 'x', 'x', 'x', 'x'], ['b'], ['c']];
    expect(bm25ScoreAll(buildBm25Index(padded, LUCENE), ['a'])[0]).toBeLessThan(
      bm25ScoreAll(buildBm25Index(corpus, LUCENE), ['a'])[0]!,
    );
  });

  it('repeats saturate: one term moves a score by at most |idf| (k1 + 1)', () => {
    fc.assert(saturates(bm25Scores), { numRuns: 150 });
  });

  it('every query term helps or is neutral (Lucene always; Okapi while the mean idf is >= 0)', () => {
    fc.assert(everyTermHelps(bm25Scores), { numRuns: 150 });
    const lucene = (c: string[][], q: string[]) => bm25ScoreAll(buildBm25Index(c, LUCENE), q);
    fc.assert(everyTermHelps(lucene), { numRuns: 100 });
  });

  it("rank_bm25's own quirk: when most terms are common, the floor itself is negative", () => {
    // idf(a) = ln(0.5 / 3.5), idf(b) = ln(2.5 / 1.5): mean -0.7176, floor 0.25 x that = -0.1794
    const corpus = [['a'], ['a'], ['a', 'b']];
    expect(buildBm25Index(corpus, OKAPI).idf.get('a')).toBeCloseTo(-0.1794, 4);
    expect(bm25Scores(corpus, ['a'])[0]).toBeLessThan(0);
    expect(Math.min(...bm25ScoreAll(buildBm25Index(corpus, LUCENE), ['a']))).toBeGreaterThan(0);
  });
});

describe('complexity', () => {
  test.prop([corpusArb, queryArb, paramsArb], { numRuns: 100 })(
    'a query visits only the postings of its terms: sum of n(q) <= N |Q|',
    (corpus, query, params) => {
      const counter = new Counter();
      searchBm25(buildBm25Index(corpus, params), query, 3, counter);
      const df = (q: string) => corpus.filter((doc) => doc.includes(q)).length;
      expect(counter.get('postings')).toBe(query.reduce((s, q) => s + df(q), 0));
      expect(counter.get('postings')).toBeLessThanOrEqual(corpus.length * query.length);
    },
  );
});

describe('tokenisers', () => {
  it('English: lower-cased runs of letters and digits', () => {
    expect(tokenizeEnglish('Top-K and KV-cache, GPT2!')).toEqual([
      'top',
      'k',
      'and',
      'kv',
      'cache',
      'gpt2',
    ]);
  });

  it('Chinese: character bigrams of each run; a lone character stays a unigram', () => {
    expect(tokenizeChinese('旋转数组')).toEqual(['旋转', '转数', '数组']);
    expect(tokenizeChinese('树 and 图论')).toEqual(['树', '图论']);
    expect(tokenizeMixed('多头注意力MHA')).toEqual(['多头', '头注', '注意', '意力', 'mha']);
  });

  test.prop(
    [fc.array(fc.constantFrom(...'旋转数组注意力缓存检索'), { minLength: 2, maxLength: 12 })],
    { numRuns: 100 },
  )(
    'every two-character word of a run is among its bigrams (recall without a dictionary)',
    (chars) => {
      const run = chars.join('');
      const grams = new Set(tokenizeChinese(run));
      for (let i = 0; i + 1 < chars.length; i++)
        expect(grams.has(chars[i]! + chars[i + 1]!)).toBe(true);
    },
  );

  it('the analyser drops common words: "the", "what", "的" alone match nothing', () => {
    expect(analyze('the')).toEqual([]);
    expect(analyze('What is the')).toEqual([]);
    expect(analyze('的')).toEqual([]);
    expect(analyze('为什么用 KV cache')).toEqual(['kv', 'cache']);
    expect(analyze('束搜索和贪心搜索的区别')).toEqual(['束搜', '搜索', '贪心', '心搜', '搜索']);
  });

  it("ICU's dictionary segmenter (built into Node) is the alternative to bigrams", () => {
    expect(segmentChinese('蒸馏损失函数')).toEqual(['蒸馏', '损失', '函数']);
  });
});

describe('pitfalls', () => {
  it("Robertson's idf without a floor: a common query term lowers a document's score", () => {
    rejectsPitfall(everyTermHelps(pitfallRobertsonIdfWithoutFloor));
    // 'a' is in 2 of 3 documents: ln(1.5 / 2.5) < 0, so document 0 scores below zero
    expect(pitfallRobertsonIdfWithoutFloor(TOY, ['a'])[0]).toBeLessThan(0);
  });

  it('term frequency without saturation: a repeated word outweighs the bound idf (k1 + 1)', () => {
    rejectsPitfall(saturates(pitfallLinearTermFrequency));
  });
});

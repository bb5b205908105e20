/**
 * Answer key for Q40, the RAG pipeline. The prompt: never over the token budget, the instruction
 * and the question always in, chunks whole and in rank order, and greedy (every chunk left out
 * would not have fitted at its turn). Retrieval: chunks rebuild their documents, the fused ranking
 * is BM25's when it is the only list, a chunk holding the query's words is found. Metrics against
 * brute-force definitions, and the pitfalls (cutting the prompt at the budget, precision passed
 * off as recall) rejected by the same properties. Input checks: tests/inputs/rag-pipeline.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  assemblePrompt,
  buildRagIndex,
  meanReciprocalRank,
  pitfallPrecisionAsRecall,
  pitfallTruncatedPrompt,
  ragPrompt,
  recallAtK,
  retrieveChunks,
} from '../ml/rag-pipeline/index.js';
import { analyze, searchBm25 } from '../ml/bm25/index.js';
import { rebuildText, tokenLength } from '../ml/chunking/index.js';
import { rejectsPitfall } from './support/answer-key.js';

const WORDS = [
  'cache',
  'key',
  'value',
  'token',
  'block',
  'page',
  'memory',
  'prefix',
  'beam',
  'greedy',
];
const sentence = fc
  .array(fc.constantFrom(...WORDS), { minLength: 3, maxLength: 12 })
  .map((ws) => `${ws.join(' ')}.`);
const chunksArb = fc.array(sentence, { maxLength: 8 });
const questionArb = fc
  .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 5 })
  .map((ws) => `${ws.join(' ')}?`);

/** The prompt is within budget, holds the question, and every chunk in it is whole, in rank order. */
const promptIsSound = (assemble: typeof assemblePrompt) =>
  fc.property(
    questionArb,
    chunksArb,
    fc.integer({ min: 40, max: 120 }),
    (question, chunks, budget) => {
      const prompt = assemble(question, chunks, budget);
      expect(tokenLength(prompt)).toBeLessThanOrEqual(budget);
      expect(prompt.endsWith(`Question: ${question}\nAnswer:`)).toBe(true);
      const inPrompt = chunks.filter((c) => prompt.includes(`] ${c}\n`));
      // whole chunks only: the context is exactly the numbered chunks that made it in
      const context = prompt.slice(
        prompt.indexOf('Context:\n') + 9,
        prompt.lastIndexOf('\nQuestion:'),
      );
      expect(context).toBe(inPrompt.map((c, i) => `[${i + 1}] ${c}\n`).join(''));
    },
  );

describe('worked example', () => {
  it('a budget that fits one of two chunks keeps the better one, whole, and the question', () => {
    // instruction and question: 39 tokens; "[1] Keys and ... kept." 12 more; "[2] Paging ..." 7 more
    const chunks = ['Keys and values of past tokens are kept.', 'Paging avoids waste.'];
    const prompt = assemblePrompt('Why a KV cache?', chunks, 55);
    expect(prompt).toContain('[1] Keys and values of past tokens are kept.\n');
    expect(prompt).not.toContain('Paging');
    expect(prompt.endsWith('Question: Why a KV cache?\nAnswer:')).toBe(true);
    expect(tokenLength(prompt)).toBe(51);
    expect(assemblePrompt('Why a KV cache?', chunks, 58)).toContain('[2] Paging avoids waste.');
  });
});

describe('the prompt', () => {
  it('never exceeds the budget, keeps the question, and holds whole chunks in rank order', () => {
    fc.assert(promptIsSound(assemblePrompt), { numRuns: 200 });
  });

  test.prop([questionArb, chunksArb, fc.integer({ min: 40, max: 120 })], { numRuns: 200 })(
    'greedy: a chunk left out would not have fitted when its turn came',
    (question, chunks, budget) => {
      const prompt = assemblePrompt(question, chunks, budget);
      let used = tokenLength(assemblePrompt(question, [], budget));
      let n = 0;
      for (const c of chunks) {
        const cost = tokenLength(`[${n + 1}] ${c}\n`);
        if (prompt.includes(`[${n + 1}] ${c}\n`)) ((used += cost), n++);
        else expect(used + cost).toBeGreaterThan(budget);
      }
    },
  );

  test.prop([questionArb, chunksArb], { numRuns: 100 })(
    'a budget large enough for everything keeps every chunk',
    (question, chunks) => {
      const prompt = assemblePrompt(question, chunks, 10_000);
      for (const c of chunks) expect(prompt).toContain(`] ${c}\n`);
    },
  );
});

const docsArb = fc.array(
  fc.array(sentence, { minLength: 1, maxLength: 10 }).map((ss) => ss.join(' ')),
  { minLength: 1, maxLength: 5 },
);

describe('indexing and retrieval', () => {
  test.prop([docsArb, fc.integer({ min: 6, max: 30 })], { numRuns: 60 })(
    "each document's chunks cover its text: no character is lost by chunking",
    (texts, size) => {
      const index = buildRagIndex(
        texts.map((text, i) => ({ source: `d${i}`, text })),
        { size, overlap: 0 },
      );
      texts.forEach((text, i) => {
        const own = index.chunks.filter((c) => c.source === `d${i}`);
        for (const c of own) expect(text.slice(c.start, c.end)).toBe(c.text);
        // blank chunks are dropped; what remains rebuilds the text up to whitespace
        expect(rebuildText(own).replace(/\s+/g, ' ').trim()).toBe(text.replace(/\s+/g, ' ').trim());
      });
    },
  );

  test.prop([docsArb, questionArb, fc.integer({ min: 1, max: 6 })], { numRuns: 60 })(
    "with BM25 the only list, the fused ranking is BM25's own top k",
    (texts, question, k) => {
      const index = buildRagIndex(
        texts.map((text, i) => ({ source: `d${i}`, text })),
        { size: 12, overlap: 0 },
      );
      const expected = searchBm25(index.bm25, analyze(question), 4 * k)
        .slice(0, k)
        .map((h) => h.index);
      expect(retrieveChunks(index, question, k)).toEqual(expected);
    },
  );

  it('a dense list joins by rank fusion: an embedding that prefers a chunk lifts it', () => {
    const docs = [
      { source: 'a', text: 'cache cache key.' },
      { source: 'b', text: 'cache value token block page memory.' },
      { source: 'c', text: 'cache beam greedy token block page memory prefix.' },
    ];
    // a toy embedding: the query "cache" is nearest c, then a, then b
    const embed = (texts: readonly string[]) =>
      texts.map((t) =>
        Float32Array.from(
          t === 'cache' || t.includes('beam')
            ? [1, 0]
            : t.includes('cache cache')
              ? [0.8, 0.6]
              : [0, 1],
        ),
      );
    const sources = (index: ReturnType<typeof buildRagIndex>) =>
      retrieveChunks(index, 'cache', 3).map((i) => index.chunks[i]!.source);
    // BM25 alone: a (the term twice), then the shorter b, then c
    expect(sources(buildRagIndex(docs, { size: 50, overlap: 0 }))).toEqual(['a', 'b', 'c']);
    // fused with dense c, a, b: a 1/61 + 1/62, c 1/63 + 1/61, b 1/62 + 1/63
    expect(sources(buildRagIndex(docs, { size: 50, overlap: 0 }, embed))).toEqual(['a', 'c', 'b']);
  });

  it('ragPrompt retrieves, assembles under the budget and says which chunks it used', () => {
    const docs = [
      { source: 'kv', text: 'The cache keeps keys and values of past tokens.' },
      { source: 'beam', text: 'Beam search keeps the best partial sequences.' },
    ];
    const index = buildRagIndex(docs, { size: 20, overlap: 0 });
    const result = ragPrompt(index, 'what does the cache keep', 2, 80);
    expect(index.chunks[result.used[0]!]!.source).toBe('kv');
    expect(result.tokens).toBeLessThanOrEqual(80);
    expect(result.used.every((u) => result.retrieved.includes(u))).toBe(true);
  });
});

/** Rankings of ids 0..9 with relevant sets, for the metrics. */
const labelledArb = fc
  .array(
    fc.record({
      ranked: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 8 }),
      relevant: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 10 },
  )
  .map((qs) => ({
    ranked: qs.map((q) => q.ranked),
    relevant: qs.map((q) => new Set<number>(q.relevant)),
  }));

/** A perfect ranking (the relevant ids first) has recall@k = 1 for every k. */
const perfectRankingRecallsAll = (recall: typeof recallAtK) =>
  fc.property(labelledArb, fc.integer({ min: 1, max: 8 }), ({ relevant }, k) => {
    const perfect = relevant.map((r) => [...r]);
    expect(recall(perfect, relevant, k)).toBe(1);
  });

describe('metrics', () => {
  test.prop([labelledArb, fc.integer({ min: 1, max: 8 })], { numRuns: 200 })(
    'recall@k and MRR equal their definitions; recall@k rises with k; both in [0, 1]',
    ({ ranked, relevant }, k) => {
      const hit = (r: number[], i: number, upto: number) =>
        r.slice(0, upto).some((id) => relevant[i]!.has(id));
      expect(recallAtK(ranked, relevant, k)).toBe(
        ranked.filter((r, i) => hit(r, i, k)).length / ranked.length,
      );
      expect(recallAtK(ranked, relevant, k + 1)).toBeGreaterThanOrEqual(
        recallAtK(ranked, relevant, k),
      );
      const rr = ranked.map((r, i) => {
        for (let j = 0; j < r.length; j++) if (relevant[i]!.has(r[j]!)) return 1 / (j + 1);
        return 0;
      });
      const mrr = meanReciprocalRank(ranked, relevant);
      expect(mrr).toBeCloseTo(rr.reduce((s, v) => s + v, 0) / rr.length, 14);
      expect(mrr).toBeGreaterThanOrEqual(0);
      expect(mrr).toBeLessThanOrEqual(recallAtK(ranked, relevant, 8) + 1e-15);
    },
  );

  it('a perfect ranking recalls everything at every k', () => {
    fc.assert(perfectRankingRecallsAll(recallAtK), { numRuns: 100 });
  });
});

describe('pitfalls', () => {
  it('cutting the assembled text at the budget loses the question and splits a chunk', () => {
    rejectsPitfall(promptIsSound(pitfallTruncatedPrompt));
  });

  it('precision@k passed off as recall: a perfect ranking scores below 1', () => {
    rejectsPitfall(perfectRankingRecallsAll(pitfallPrecisionAsRecall));
  });
});

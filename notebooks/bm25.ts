/**
 * Notebook for Q42 (keyword half): BM25, its two conventions, tokenising Chinese, and the index
 * that `npm start -- ask` searches. Run: npm start -- run bm25
 */
import {
  analyze,
  bm25ScoreAll,
  bm25Scores,
  buildBm25Index,
  LUCENE,
  OKAPI,
  searchBm25,
  segmentChinese,
  tokenizeChinese,
  tokenizeEnglish,
} from '../ml/bm25/index.js';
import { Counter } from '../core/counter.js';
import { projectSearchIndex } from '../cli/project-index.js';
import { defineNotebook } from '../notebook/index.js';

export default defineNotebook(import.meta.url, 'bm25', async (nb) => {
  await nb.md`
    ## The question
    *关键词检索和重排*: how does keyword retrieval work, in the detail an interviewer asks for?
    The keyword half is BM25; fusing it with dense retrieval and re-ranking is the hybrid-rerank
    notebook.

    ## The idea
    A document is relevant to a query when it holds the query's words, especially rare ones, and
    holds them often, but the tenth repeat should add less than the first, and a long document
    should not win just by being long. BM25 writes exactly that:
  `;
  await nb.md(String.raw`
    $$\mathrm{score}(D, Q) = \sum_{q \in Q} \mathrm{idf}(q) \, \frac{f(q, D)\,(k_1 + 1)}{f(q, D) + k_1 \left(1 - b + b\,\frac{|D|}{\mathrm{avgdl}}\right)}$$
    $f(q, D)$ counts $q$ in $D$; $|D|$ is the length in tokens and avgdl the mean length;
    $\mathrm{idf}(q) = \ln \frac{N - n(q) + 0.5}{n(q) + 0.5}$ for $N$ documents of which $n(q)$
    hold $q$. The term part rises with $f$ but never passes $k_1 + 1$ (saturation); $b$ sets how
    much length counts ($b = 0$: not at all). The whiteboard answer, as ml/bm25/index.ts writes it
    (rank_bm25's BM25Okapi, the Python package most people reach for):
  `);
  await nb.source('ml/bm25/index.ts', 'bm25Scores');

  await nb.md`
    ## Two conventions, one worked example
    Implementations disagree on idf. Robertson's idf above is negative for a term in more than half
    of the documents; rank_bm25 replaces such values by 0.25 x the mean idf. Lucene (and so
    Elasticsearch and OpenSearch) uses ln(1 + (N - n + 0.5) / (n + 0.5)), which is always
    positive, with k1 = 1.2 and, since Lucene 8, no (k1 + 1) factor: it scaled every score alike.
    The corpus [[a, b, c], [a, a, d], [b, e]] and the query [a, e]:
  `;
  const toy = [
    ['a', 'b', 'c'],
    ['a', 'a', 'd'],
    ['b', 'e'],
  ];
  const okapi = await nb.code(() => bm25Scores(toy, ['a', 'e']).map((s) => +s.toFixed(4)));
  await nb.check(
    'Okapi (rank_bm25: k1 = 1.5, b = 0.75)',
    okapi.join(', '),
    '0.0242, 0.0351, 0.5756',
  );
  const lucene = await nb.code(() =>
    Array.from(bm25ScoreAll(buildBm25Index(toy, LUCENE), ['a', 'e']), (s) => +s.toFixed(4)),
  );
  await nb.check('Lucene (k1 = 1.2, b = 0.75)', lucene.join(', '), '0.2032, 0.2838, 0.4966');
  await nb.md`
    Both rank document 2 (the only one with the rare e) first, and document 1 (a twice, but
    longer) above document 0. The floor has a quirk worth knowing: when most terms are common the
    mean idf is itself negative, so the floor is too, and holding a common term lowers a score.
  `;
  const quirk = await nb.code(() => buildBm25Index([['a'], ['a'], ['a', 'b']], OKAPI).idf.get('a'));
  await nb.claim(
    "rank_bm25's floored idf can be negative; Lucene's never is",
    (quirk as number) < 0 &&
      Math.min(...buildBm25Index([['a'], ['a'], ['a', 'b']], LUCENE).idf.values()) > 0,
    `Okapi idf(a) = ${(quirk as number).toFixed(4)}`,
  );

  await nb.md`
    ## Saturation and length
    The term part for one occurrence count f, in a document of average length (Okapi's form,
    divided by k1 + 1 so that every curve tends to 1):
  `;
  const fs = [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32];
  const part = (f: number, k1: number) => f / (f + k1);
  await nb.plot({
    kind: 'line',
    title: 'BM25 term part f / (f + k1) against the count f (|D| = avgdl)',
    x: { label: 'f, occurrences of the term', values: fs },
    y: { label: 'share of the maximum' },
    series: [0.5, 1.2, 2].map((k1) => ({ name: `k1 = ${k1}`, values: fs.map((f) => part(f, k1)) })),
  });
  const lengths = await nb.code(() => {
    const doc = (pad: number) => ['kv', 'cache', ...Array<string>(pad).fill('filler')];
    const corpus = [doc(0), doc(8), doc(30), ['other', 'words', 'here']];
    return [0, 0.75, 1].map((b) => {
      const s = bm25ScoreAll(buildBm25Index(corpus, { ...LUCENE, b }), ['cache']);
      return {
        b,
        'len 2': +s[0]!.toFixed(3),
        'len 10': +s[1]!.toFixed(3),
        'len 32': +s[2]!.toFixed(3),
      };
    });
  });
  await nb.table(lengths, 'the same match in longer documents, Lucene variant');
  await nb.check(
    'b = 0: length does not matter',
    lengths[0]!['len 2'] === lengths[0]!['len 32'],
    true,
  );

  await nb.md`
    ## Tokens: English words, Chinese bigrams
    BM25 scores tokens, so the tokeniser decides what can match. English: lower-cased words.
    Chinese has no spaces; without a dictionary, index every pair of adjacent characters: every
    two-character word of the text is among them, so recall is high, at the price of some
    non-words. Node's built-in ICU segmenter is the dictionary alternative:
  `;
  const tokens = await nb.code(() => [
    { text: 'KV-cache Top-K', tokens: tokenizeEnglish('KV-cache Top-K').join(' ') },
    { text: '旋转数组', tokens: tokenizeChinese('旋转数组').join(' ') },
    { text: '旋转数组 (ICU)', tokens: segmentChinese('旋转数组').join(' ') },
    { text: '多头注意力和KV缓存', tokens: analyze('多头注意力和KV缓存').join(' ') },
  ]);
  await nb.table(tokens, 'analyze() also drops common words: 和, 的, what, the');
  await nb.check('bigrams of 旋转数组', tokens[1]!.tokens, '旋转 转数 数组');

  await nb.md`
    ## The index: only the postings of the query's words
    The scan above touches every document. An inverted index maps each term to the documents that
    hold it, so a query costs the sum of its terms' document frequencies. This is the index that
    npm start -- ask searches: the 73 questions with their glossary short forms, and every
    paragraph of every notebook.
  `;
  const index = projectSearchIndex();
  const counter = new Counter();
  const query = analyze('旋转数组 二分');
  const hits = await nb.code(() =>
    searchBm25(index.questionIndex, query, 3, counter).map((h) => ({
      question: index.questions[h.index]!.id,
      score: +h.score.toFixed(3),
    })),
  );
  await nb.check('the rotated-array question first', hits[0]!.question, 'Q02');
  await nb.claim(
    'postings visited instead of documents scanned',
    counter.get('postings') < index.questions.length * query.length,
    `${counter.get('postings')} postings against ${index.questions.length} x ${query.length} for a scan`,
  );

  await nb.md`
    ## When not to use it alone
    BM25 matches words, not meaning: "pick k random items from a stream" shares no word with
    "reservoir". Dense retrieval finds paraphrases and misses rare exact terms (ids, error codes),
    which BM25 finds; that is why retrieval systems run both and fuse them (hybrid-rerank).
  `;
});

/**
 * Notebook for Q42 (fusion and re-ranking): reciprocal rank fusion of keyword and dense lists, a
 * pair-wise re-ranker and MMR, run on the project's own notebooks. Run: npm start -- run hybrid-rerank
 */
import {
  fuseScoredLists,
  maximalMarginalRelevance,
  pairScore,
  pitfallRawScoreFusion,
  reciprocalRankFusion,
  rerank,
} from '../ml/hybrid-rerank.js';
import { analyze, searchBm25 } from '../ml/bm25/index.js';
import { projectSearchIndex } from '../cli/project-index.js';
import { defineNotebook } from '../notebook/index.js';

export default defineNotebook(import.meta.url, 'hybrid-rerank', async (nb) => {
  await nb.md`
    ## The question
    *关键词检索和重排*: keyword retrieval gives one ranked list, dense retrieval another. How are
    they combined, and what does the re-ranking stage after them do?

    ## Fusing by rank
    BM25 scores are unbounded (3, 9, 14 ...), cosine similarities lie in [-1, 1]: adding them lets
    the larger scale decide. Reciprocal rank fusion (Cormack, Clarke and Buttcher, SIGIR 2009)
    reads only the order:
  `;
  await nb.md(String.raw`
    $$\mathrm{RRF}(d) = \sum_{r \in \text{lists}} \frac{1}{k + \mathrm{rank}_r(d)}, \qquad k = 60,\ \text{ranks from } 1$$
    A document missing from a list adds nothing for it. The constant k flattens the gap between
    first and second place, so agreement across lists beats one list's first place. The whole
    answer, from ml/hybrid-rerank.ts:
  `);
  await nb.source('ml/hybrid-rerank.ts', 'reciprocalRankFusion');
  const fused = await nb.code(() =>
    reciprocalRankFusion([
      ['x', 'a', 'b'],
      ['c', 'd', 'x'],
    ]),
  );
  await nb.check('x: ranks 1 and 3, 1/61 + 1/63', +fused[0]!.score.toFixed(6), 0.032266);
  await nb.check('x comes first', fused[0]!.id, 'x');

  await nb.md`
    ## Why not add the scores
    Two retrievers over the same five documents. The keyword scores are BM25's; the dense ones are
    cosines. Adding them, the keyword list alone decides; multiply the cosines by 100 and the
    dense list alone decides. RRF gives the same answer both ways:
  `;
  const keyword = [
    { id: 'd1', score: 14.2 },
    { id: 'd2', score: 9.1 },
    { id: 'd3', score: 3.3 },
  ];
  const dense = [
    { id: 'd3', score: 0.91 },
    { id: 'd4', score: 0.88 },
    { id: 'd2', score: 0.86 },
  ];
  const scaled = dense.map((d) => ({ ...d, score: d.score * 100 }));
  const order = (xs: { id: string }[]) => xs.map((x) => x.id).join(' ');
  const compare = await nb.code(() => [
    {
      fusion: 'sum of scores',
      'as is': order(pitfallRawScoreFusion([keyword, dense])),
      'dense x 100': order(pitfallRawScoreFusion([keyword, scaled])),
    },
    {
      fusion: 'RRF (k = 60)',
      'as is': order(fuseScoredLists([keyword, dense])),
      'dense x 100': order(fuseScoredLists([keyword, scaled])),
    },
  ]);
  await nb.table(compare, 'fused order of the documents');
  await nb.check(
    'RRF does not care about the scale',
    compare[1]!['as is'],
    compare[1]!['dense x 100'],
  );
  await nb.check('summing scores does', compare[0]!['as is'] === compare[0]!['dense x 100'], false);

  await nb.md`
    ## Re-ranking: read query and document together
    Retrieval is built for recall: it embeds or indexes documents without seeing the query. A
    re-ranker scores each (query, candidate) pair jointly, which is slower and sharper, so it runs
    on the few dozen fused candidates only. In production that is a cross-encoder (a Transformer
    over "[CLS] query [SEP] passage", e.g. bge-reranker). Here a transparent stand-in: the share of
    the query's words the passage covers, plus half a bonus for how close together they sit.
  `;
  await nb.source('ml/hybrid-rerank.ts', 'pairScore');
  const index = projectSearchIndex();
  const query = analyze('kv cache memory per token');
  const candidates = searchBm25(index.passageIndex, query, 12).map((h) => h.index);
  const tokens = index.passages.map((p) => analyze(`${p.heading} ${p.text}`));
  const reranked = await nb.code(() =>
    rerank(query, tokens, candidates, 4).map((r) => ({
      notebook: index.passages[r.id]!.concept,
      score: +r.score.toFixed(3),
      starts: `${index.passages[r.id]!.text.slice(0, 38)}...`,
    })),
  );
  await nb.table(reranked, 'the project notebooks: BM25 candidates, re-ranked by pairScore');
  await nb.claim(
    'every pair score lies in [0, 1.5]',
    reranked.every((r) => r.score >= 0 && r.score <= 1.5),
    `scores ${reranked.map((r) => r.score).join(', ')}`,
  );

  await nb.md(String.raw`
    ## Diversity: maximal marginal relevance
    The top passages often say the same thing twice. MMR (Carbonell and Goldstein 1998) picks
    greedily, each time the candidate that is relevant and unlike what is already picked:

    $$\arg\max_{i \notin S}\ \lambda\,\mathrm{rel}(i) - (1 - \lambda) \max_{j \in S} \mathrm{sim}(i, j)$$

    $\lambda = 1$ is plain relevance order; smaller $\lambda$ trades relevance for coverage.
    Three passages, the first two near-duplicates:
  `);
  const relevance = [0.9, 0.88, 0.6];
  const sim = (i: number, j: number) => (i + j === 1 ? 0.98 : i === j ? 1 : 0.1);
  const picks = await nb.code(() =>
    [1, 0.7, 0.5].map((lambda) => ({
      lambda,
      picks: maximalMarginalRelevance(relevance, sim, lambda, 2).join(', '),
    })),
  );
  await nb.table(picks, 'relevance [0.9, 0.88, 0.6]; passages 0 and 1 are 98% alike');
  await nb.check('lambda = 1: relevance order', picks[0]!.picks, '0, 1');
  await nb.check('lambda = 0.5: the duplicate waits', picks[2]!.picks, '0, 2');

  await nb.md`
    ## When not to use it
    With a single retriever there is nothing to fuse. RRF throws away how much better the first
    result was than the second; when one retriever's scores are calibrated (a trained model's
    probabilities), a weighted score fusion can beat it. MMR needs a similarity between candidates
    and costs k passes over them; skip it when answers rarely repeat. npm start -- ask uses RRF
    with weights (weightedRankFusion): a question's own text counts twice a notebook paragraph.
  `;
  await nb.check(
    'the reranker scores a phrase match highest',
    pairScore(['kv', 'cache'], ['kv', 'cache']),
    1.5,
  );
});

/**
 * Notebook for Q40: why RAG, and how it turns a corpus into a short, grounded prompt, measured on
 * this project's own notebooks. Run: npm start -- run rag-pipeline
 */
import {
  buildRagIndex,
  meanReciprocalRank,
  ragPrompt,
  recallAtK,
  retrieveChunks,
  type RagDocument,
  type RagIndex,
} from '../ml/rag-pipeline/index.js';
import { tokenLength } from '../ml/chunking/index.js';
import { catalog } from '../catalog/index.js';
import { LABELLED_QUERIES } from '../catalog/queries.js';
import { projectEmbed, projectPassages } from '../cli/project-index.js';
import { formatNumber } from '../notebook/kit.js';
import { defineNotebook } from '../notebook/index.js';

export default defineNotebook(import.meta.url, 'rag-pipeline', async (nb) => {
  await nb.md`
    ## The question
    *为什么用 RAG*: why retrieval-augmented generation, and how does it compress a long prompt?

    ## The idea
    A model answers from what is in its weights and in its prompt. The weights are frozen at
    training time and cannot say where a fact came from; the prompt is limited and costs per
    token. RAG keeps the knowledge outside the model, in a corpus cut into chunks and indexed
    once. For each question it retrieves the few chunks that bear on it and sends only those,
    numbered, with an instruction to answer from them and cite them. The prompt then grows with
    a budget, not with the corpus; the answer can be checked against its sources; and a new
    document needs re-indexing, not re-training.

    The last step, as ml/rag-pipeline/index.ts writes it: the instruction and the question always
    go in, then whole chunks in rank order while they fit the token budget.
  `;
  await nb.source('ml/rag-pipeline/index.ts', 'assemblePrompt');

  await nb.md`
    ## The corpus: this project's notebooks
    Every paragraph of every notebook (what npm start -- ask searches), one document per concept.
    Tokens are counted by tokenLength (a word, a Chinese character or a symbol each), a stand-in
    for a model's tokenizer.
  `;
  const byConcept = new Map<string, string[]>();
  const passages = projectPassages();
  for (const p of passages)
    byConcept.set(p.concept, [...(byConcept.get(p.concept) ?? []), `${p.heading}: ${p.text}`]);
  const documents: RagDocument[] = [...byConcept].map(([source, ps]) => ({
    source,
    text: ps.join('\n\n'),
  }));
  const corpusTokens = documents.reduce((s, d) => s + tokenLength(d.text), 0);
  const index = buildRagIndex(documents, { size: 120, overlap: 20 });
  await nb.table(
    [
      {
        documents: documents.length,
        characters: formatNumber(documents.reduce((s, d) => s + d.text.length, 0)),
        tokens: formatNumber(corpusTokens),
        chunks: index.chunks.length,
        'chunk size': '120 tokens, overlap 20',
      },
    ],
    'the corpus, chunked recursively (paragraph, line, sentence, word)',
  );

  await nb.md`
    ## One question, end to end
    Retrieve the 6 best chunks (BM25 over the chunks; see the bm25 and hybrid-rerank notebooks)
    and assemble a prompt of at most 400 tokens:
  `;
  const question = 'Why does a KV cache make decoding faster, and what does it cost?';
  const result = ragPrompt(index, question, 6, 400);
  await nb.table(
    result.retrieved.map((i, rank) => ({
      rank: rank + 1,
      source: index.chunks[i]!.source,
      tokens: tokenLength(index.chunks[i]!.text),
      'in the prompt': result.used.includes(i) ? 'yes' : 'no (did not fit)',
    })),
    question,
  );
  await nb.check(
    'the answer key for this question (kv-cache) is retrieved first',
    index.chunks[result.retrieved[0]!]!.source,
    'kv-cache',
  );
  await nb.claim(
    'the prompt stays within its budget',
    result.tokens <= 400,
    `${result.tokens} tokens in the prompt`,
  );
  await nb.claim(
    'the prompt is a small fraction of the corpus',
    result.tokens / corpusTokens < 0.05,
    `${result.tokens} of ${formatNumber(corpusTokens)} tokens: ${((100 * result.tokens) / corpusTokens).toFixed(2)}%`,
  );
  await nb.md`The start of that prompt (the model would see all of it):`;
  await nb.code(() => `${result.prompt.slice(0, 420)}...`);

  await nb.md(String.raw`
    ## Is the retrieval any good?
    The labelled queries of catalog/queries.ts (colloquial Chinese, English paraphrases,
    abbreviations, mixed; written by hand) each name the questions that answer them. A chunk is
    relevant when it comes from a notebook of a concept that answers one of them. Two measures:
    $$\mathrm{recall@}k = \frac{\#\{\text{queries with a relevant chunk in the top } k\}}{\#\text{queries}}, \qquad \mathrm{MRR} = \frac{1}{|Q|} \sum_{q} \frac{1}{\mathrm{rank}_q}$$
    where $\mathrm{rank}_q$ is the rank of the first relevant chunk (its term is 0 if none).
  `);
  const relevantSources = LABELLED_QUERIES.map(
    (q) =>
      new Set(
        catalog.filter((c) => c.questions.some((id) => q.expected.includes(id))).map((c) => c.id),
      ),
  );
  const labelled = LABELLED_QUERIES.map((q, i) => ({ q, sources: relevantSources[i]! })).filter(
    (l) => l.sources.size > 0,
  );
  const relevant = labelled.map(
    (l) => new Set(index.chunks.flatMap((c, i) => (l.sources.has(c.source) ? [i] : []))),
  );
  /** recall@k and MRR of one index on the labelled queries. */
  const measure = (retriever: string, on: RagIndex) => {
    const ranked = labelled.map((l) => retrieveChunks(on, l.q.query, 10));
    return {
      retriever,
      'recall@1': +recallAtK(ranked, relevant, 1).toFixed(3),
      'recall@3': +recallAtK(ranked, relevant, 3).toFixed(3),
      'recall@5': +recallAtK(ranked, relevant, 5).toFixed(3),
      MRR: +meanReciprocalRank(ranked, relevant).toFixed(3),
    };
  };
  await nb.md`
    The same chunks, also embedded by ask's bi-encoder (the dense-retrieval notebook builds one;
    cli/ask-encoder.ts trains this one on the bank and the glossary, seeded), and the two ranked
    lists fused by reciprocal rank (hybrid-rerank):
  `;
  const hybrid = buildRagIndex(documents, { size: 120, overlap: 20 }, await projectEmbed(passages));
  const quality = await nb.code(() => [
    measure('BM25', index),
    measure('BM25 + dense, RRF', hybrid),
  ]);
  await nb.table(quality, `${labelled.length} labelled queries that an answering notebook covers`);
  await nb.claim(
    'a relevant chunk is in the top 5 for most queries',
    quality.every((q) => q['recall@5'] >= 0.8),
    quality.map((q) => `${q.retriever}: recall@5 = ${q['recall@5']}, MRR = ${q.MRR}`).join('; '),
  );
  await nb.claim(
    'fusing the dense list lifts MRR over BM25 alone on these chunks',
    quality[1]!.MRR > quality[0]!.MRR,
    `MRR ${quality[0]!.MRR} -> ${quality[1]!.MRR}, recall@1 ${quality[0]!['recall@1']} -> ${quality[1]!['recall@1']}`,
  );
  await nb.md`
    Here the dense list helps: a chunk is long and speaks the notebook's words, and the encoder
    has seen them. In ask, where a question's own text is short and carries the glossary's short
    forms, the same encoder at full weight pulls the wrong question first more often than it
    rescues one, so ask weighs its dense lists at 0.3 and 0.15 (cli/search.ts). Fusion is a
    setting to measure, not a free gain; what it always buys is robustness: a paraphrase with no
    word in common still has a dense neighbour, and a rare exact term still has BM25.
  `;

  await nb.md`
    ## The budget is the knob
    More context helps until the relevant chunk is in; after that it only costs tokens and
    dilutes attention. The prompt for the same question at several budgets:
  `;
  const budgets = [80, 160, 400, 800, 1600];
  const rows = budgets.map((budget) => {
    const r = ragPrompt(index, question, 12, budget);
    return {
      budget,
      'prompt tokens': r.tokens,
      chunks: r.used.length,
      'of the corpus': `${((100 * r.tokens) / corpusTokens).toFixed(2)}%`,
    };
  });
  await nb.table(rows, 'prompt size against the token budget (12 chunks retrieved)');
  await nb.check('at 80 tokens only the instruction and the question fit', rows[0]!.chunks, 0);
  await nb.claim(
    'the prompt grows with the budget and never passes it',
    rows.every(
      (r, i) =>
        r['prompt tokens'] <= r.budget &&
        (i === 0 || r['prompt tokens'] >= rows[i - 1]!['prompt tokens']),
    ),
    rows.map((r) => `${r['prompt tokens']} <= ${r.budget}`).join(', '),
  );

  await nb.md`
    ## When not to use it
    A corpus that fits the context window comfortably can simply be sent whole (with prefix
    caching, see paged-attention, the repeated part is cheap). Questions that need the whole
    corpus at once ("summarise every notebook") defeat top-k retrieval. And retrieval is the
    ceiling: a chunk that is not retrieved cannot be used, which is why the recall@k above, not
    the generator, is the first thing to measure (rouge covers judging the answers).
  `;
});

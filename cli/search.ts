/**
 * The search behind `npm start -- ask`: the RAG family's own retrievers over the project's own
 * text. Two kinds of documents are indexed: each question of the bank (its English and Chinese
 * wording, the ids and titles of the concepts that answer it, and the glossary's short forms for
 * them), and each paragraph of each concept's notebook. A query is analysed like the documents
 * (English words, Chinese bigrams, common words dropped: ml/bm25/tokenize.ts), scored by BM25
 * (Lucene's variant: its idf is never negative) and, when a dense encoder is given, by inner
 * product of embeddings (ml/dense-retrieval/); the ranked lists are fused by reciprocal rank
 * fusion (ml/hybrid-rerank.ts), a paragraph voting for the questions its concept answers.
 * Nothing here reads files, so the site's search box runs this same code in the browser over the
 * same documents (site/browser/search.ts); cli/project-index.ts gathers them for the terminal.
 */
import type { ConceptEntry } from '../catalog/types.js';
import type { Question } from '../catalog/questions.js';
import { analyze, buildBm25Index, LUCENE, searchBm25, type Bm25Index } from '../ml/bm25/index.js';
import { weightedRankFusion } from '../ml/hybrid-rerank.js';
import type { Embed } from '../ml/rag-pipeline/index.js';
import { topK } from '../core/top-k.js';

/** A paragraph of a concept's notebook. */
export interface Passage {
  concept: string;
  heading: string;
  text: string;
}

/** Embeds texts as unit vectors (one Float32Array each): the RAG pipeline's type. */
export type { Embed };

export interface SearchIndex {
  questions: readonly Question[];
  catalog: readonly ConceptEntry[];
  passages: readonly Passage[];
  questionIndex: Bm25Index;
  passageIndex: Bm25Index;
  /** Question indices each passage votes for (the questions its concept answers). */
  votes: readonly number[][];
  dense?: { embed: Embed; questions: Float32Array[]; passages: Float32Array[] };
}

export interface Hit {
  question: Question;
  score: number;
  answeredBy: ConceptEntry[];
  /** The best-matching paragraph of an answering concept's notebook, if any matched. */
  passage?: Passage;
}

/** What a question is found by: its wording, its concepts and their short forms. */
export function questionText(
  q: Question,
  catalog: readonly ConceptEntry[],
  glossary: Readonly<Record<string, readonly string[]>>,
): string {
  const concepts = [
    ...new Set([
      ...q.concepts,
      ...catalog.filter((c) => c.questions.includes(q.id)).map((c) => c.id),
    ]),
  ];
  const entries = catalog.filter((c) => concepts.includes(c.id));
  return [
    q.text,
    q.zh,
    ...concepts.map((c) => c.replace(/-/g, ' ')),
    ...entries.flatMap((c) => [c.title, c.titleZh]),
    ...concepts.flatMap((c) => glossary[c] ?? []),
  ].join(' \n ');
}

/** What a paragraph is found by: its heading and its text. */
export const passageText = (p: Passage): string => `${p.heading} \n ${p.text}`;

export function buildSearchIndex(
  questions: readonly Question[],
  catalog: readonly ConceptEntry[],
  glossary: Readonly<Record<string, readonly string[]>>,
  passages: readonly Passage[],
  embed?: Embed,
): SearchIndex {
  const qTexts = questions.map((q) => questionText(q, catalog, glossary));
  const pTexts = passages.map(passageText);
  const votes = passages.map((p) => {
    const entry = catalog.find((c) => c.id === p.concept);
    return questions.flatMap((q, i) => (entry?.questions.includes(q.id) ? [i] : []));
  });
  return {
    questions,
    catalog,
    passages,
    questionIndex: buildBm25Index(qTexts.map(analyze), LUCENE),
    passageIndex: buildBm25Index(pTexts.map(analyze), LUCENE),
    votes,
    ...(embed ? { dense: { embed, questions: embed(qTexts), passages: embed(pTexts) } } : {}),
  };
}

/** Question ids written in the query (q14, Q07), normalised to the bank's form. */
export function questionIds(query: string): string[] {
  return [...query.matchAll(/\bq(\d{1,2})\b/gi)].map((m) => `Q${m[1]!.padStart(2, '0')}`);
}

/**
 * How much each ranked list counts in the fusion. A question's own text is the strongest evidence;
 * a notebook paragraph votes for the questions its concept answers at half that. The dense lists
 * count less than the lexical ones: on the 69 labelled queries (tests/ask.test.ts) these weights
 * give 63 top-1 and 68 top-3 hits, as BM25 alone does, where the same encoder at the lexical
 * weights (1 and 0.5) gives 61 and 67: trained on a few hundred pairs, it is a tie-breaker here.
 */
export const WEIGHTS = { questions: 1, passages: 0.5, denseQuestions: 0.3, densePassages: 0.15 };

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

/**
 * The questions that match `query`, best first. Which questions: those the words point at with at
 * least `keep` of the strongest evidence (a question's own BM25 score against the best question's,
 * or its best paragraph's against the best paragraph's), so that 旋转数组 (a rotated array) does not
 * bring up RoPE (旋转位置编码) for one shared bigram. In what order: the weighted reciprocal rank
 * fusion of the lexical and the dense lists. Question ids written in the query come first.
 */
export function search(
  index: SearchIndex,
  query: string,
  limit = 8,
  keep = 0.5,
  weights: typeof WEIGHTS = WEIGHTS,
): Hit[] {
  const ids = new Set(questionIds(query));
  const tokens = analyze(query.replace(/\bq\d{1,2}\b/gi, ' '));
  // each list with its weight: a question's own text is stronger evidence than a paragraph's vote
  const lists: { ranking: number[]; weight: number }[] = [];
  const strength = new Float64Array(index.questions.length);
  const passageOrder: number[] = [];
  if (tokens.length > 0) {
    const byQuestion = searchBm25(index.questionIndex, tokens, 30);
    const byPassage = searchBm25(index.passageIndex, tokens, 30);
    for (const h of byQuestion) strength[h.index] = h.score / byQuestion[0]!.score;
    for (const h of byPassage)
      for (const q of index.votes[h.index]!)
        strength[q] = Math.max(strength[q]!, h.score / byPassage[0]!.score);
    lists.push({ ranking: byQuestion.map((h) => h.index), weight: weights.questions });
    lists.push({
      ranking: votedQuestions(
        index,
        byPassage.map((h) => h.index),
      ),
      weight: weights.passages,
    });
    passageOrder.push(...byPassage.map((h) => h.index));
    if (index.dense) {
      const [q] = index.dense.embed([query]);
      const nearest = (vectors: Float32Array[]) =>
        topK(
          vectors.map((v) => dot(v, q!)),
          30,
        ).map((h) => h.index);
      const densePassages = nearest(index.dense.passages);
      lists.push({ ranking: nearest(index.dense.questions), weight: weights.denseQuestions });
      lists.push({
        ranking: votedQuestions(index, densePassages),
        weight: weights.densePassages,
      });
      passageOrder.push(...densePassages);
    }
  }
  const used = lists.filter((l) => l.ranking.length > 0);
  const fused = weightedRankFusion(
    used.map((l) => l.ranking),
    used.map((l) => l.weight),
  );
  const chosen = [
    ...index.questions.flatMap((q, i) => (ids.has(q.id) ? [i] : [])),
    ...fused.filter((f) => strength[f.id]! >= keep).map((f) => f.id),
  ];
  return [...new Set(chosen)].slice(0, limit).map((i) => hitOf(index, i, fused, passageOrder));
}

/** A ranked list of passages as a ranked list of the questions they vote for (first vote counts). */
function votedQuestions(index: SearchIndex, passages: readonly number[]): number[] {
  return [...new Set(passages.flatMap((p) => index.votes[p]!))];
}

function hitOf(
  index: SearchIndex,
  i: number,
  fused: readonly { id: number; score: number }[],
  passageOrder: readonly number[],
): Hit {
  const question = index.questions[i]!;
  const answeredBy = index.catalog.filter((c) => c.questions.includes(question.id));
  const own = passageOrder.find((p) => answeredBy.some((c) => c.id === index.passages[p]!.concept));
  return {
    question,
    score: fused.find((f) => f.id === i)?.score ?? 0,
    answeredBy,
    ...(own !== undefined ? { passage: index.passages[own]! } : {}),
  };
}

/**
 * `ask`: find questions and concepts from a few words, a question id or Chinese text.
 *
 * A first, simple ranker: the query is split into tokens (question ids like Q12, latin words,
 * runs of CJK characters); a question scores for every token it contains, in its own text, its
 * Chinese text, its concept ids or the titles of the concepts that answer it. A CJK run that is not
 * found whole scores by the share of its character bigrams found. The `Ranker` interface is the seam
 * where the project's own BM25 module will replace this.
 */
import type { ConceptEntry } from './types.js';
import type { Question } from './questions.js';

export interface Match {
  question: Question;
  score: number;
  /** Catalog entries that answer this question (empty: not answered yet). */
  answeredBy: ConceptEntry[];
}

export type Ranker = (
  query: string,
  questions: readonly Question[],
  catalog: readonly ConceptEntry[],
) => Match[];

const CJK = /[\u3400-\u9fff\uf900-\ufaff]+/gu;

export function tokenize(query: string): { ids: string[]; words: string[]; cjk: string[] } {
  const ids = [...query.matchAll(/\bq(\d{1,2})\b/gi)].map(
    (m) => `Q${(m[1] as string).padStart(2, '0')}`,
  );
  const rest = query.replace(/\bq\d{1,2}\b/gi, ' ');
  const cjk = [...rest.matchAll(CJK)].map((m) => m[0]);
  const words = rest
    .replace(CJK, ' ')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2);
  return { ids, words, cjk };
}

function bigrams(s: string): string[] {
  const chars = [...s];
  return chars.length < 2 ? chars : chars.slice(1).map((c, i) => `${chars[i]}${c}`);
}

export const simpleRanker: Ranker = (query, questions, catalog) => {
  const { ids, words, cjk } = tokenize(query);
  const matches: Match[] = [];
  for (const question of questions) {
    const answeredBy = catalog.filter((c) => c.questions.includes(question.id));
    const english = [
      question.text,
      ...question.concepts,
      ...answeredBy.flatMap((c) => [c.id, c.title]),
    ]
      .join(' ')
      .toLowerCase();
    const chinese = [question.zh, ...answeredBy.map((c) => c.titleZh)].join(' ');
    let score = 0;
    for (const id of ids) if (id === question.id) score += 10;
    for (const w of words) if (english.includes(w)) score += 1;
    for (const run of cjk) {
      if (chinese.includes(run)) score += 2;
      else {
        const grams = bigrams(run);
        score += grams.filter((g) => chinese.includes(g)).length / grams.length;
      }
    }
    if (score > 0) matches.push({ question, score, answeredBy });
  }
  return matches.sort((a, b) => b.score - a.score || a.question.id.localeCompare(b.question.id));
};

/**
 * What `ask` shows, in the terminal and in the site's search box alike: the best matches only, up to
 * `limit`, each scoring at least half of the best (so 旋转数组, a rotated array, does not bring up
 * RoPE's 旋转).
 */
export function bestMatches(
  query: string,
  questions: readonly Question[],
  catalog: readonly ConceptEntry[],
  ranker: Ranker = simpleRanker,
  limit = 8,
): Match[] {
  const ranked = ranker(query, questions, catalog);
  const best = ranked[0]?.score ?? 0;
  return ranked.filter((m) => m.score >= best / 2).slice(0, limit);
}

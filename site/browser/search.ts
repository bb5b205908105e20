/**
 * The site's search box: the same retriever as `npm start -- ask` (cli/search.ts: BM25 over the
 * bank, the glossary and the notebooks' paragraphs, fused by rank), bundled for the browser by
 * esbuild, over the documents the build wrote into assets/data.js.
 */
import { buildSearchIndex, search, type Passage } from '../../cli/search.js';
import type { ConceptEntry } from '../../catalog/types.js';
import type { Question } from '../../catalog/questions.js';

type Entry = ConceptEntry & { page?: string };

declare global {
  interface Window {
    BAGU_DATA: {
      questions: Question[];
      catalog: Entry[];
      glossary: Record<string, string[]>;
      passages: Passage[];
    };
  }
}

const input = document.getElementById('search') as HTMLInputElement;
const list = document.getElementById('results') as HTMLOListElement;
const root = document.body.dataset['root'] ?? '';
const { questions, catalog, glossary, passages } = window.BAGU_DATA;
const index = buildSearchIndex(questions, catalog, glossary, passages);

function item(question: Question, answeredBy: Entry[]): HTMLLIElement {
  const li = document.createElement('li');
  const page = answeredBy.find((c) => c.page)?.page;
  const label = `${question.id}  ${question.text} · ${question.zh}`;
  if (page) {
    const a = document.createElement('a');
    a.href = `${root}${page}`;
    a.textContent = label;
    li.append(a);
  } else {
    li.textContent = label;
    const todo = document.createElement('span');
    todo.className = 'todo';
    todo.textContent = answeredBy.length
      ? ` (${answeredBy.map((c) => c.id).join(', ')})`
      : ' (not answered yet)';
    li.append(todo);
  }
  return li;
}

function show(): void {
  const query = input.value.trim();
  list.replaceChildren();
  list.hidden = query === '';
  if (query === '') return;
  const matches = search(index, query);
  if (matches.length === 0) {
    const li = document.createElement('li');
    li.className = 'todo';
    li.textContent = `no question matches "${query}"`;
    list.append(li);
    return;
  }
  for (const m of matches) list.append(item(m.question, m.answeredBy as Entry[]));
}

input.addEventListener('input', show);
input.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter') return;
  const first = list.querySelector('a');
  if (first) window.location.href = first.href;
});

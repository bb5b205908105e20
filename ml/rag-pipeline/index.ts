/**
 * Retrieval-augmented generation: instead of sending a model the whole corpus (or hoping it
 * memorised it), cut the corpus into chunks once, and for each question retrieve the few chunks
 * that bear on it and put only those in the prompt, with an instruction to answer from them.
 * Answers: Q40 (为什么用 RAG; how RAG compresses a long prompt).
 *
 *   offline:   documents -> chunks (ml/chunking/) -> BM25 index (ml/bm25/) [+ vectors]
 *   per query: query -> BM25 [+ dense] top-k -> reciprocal rank fusion (ml/hybrid-rerank.ts)
 *              -> the best chunks that fit a token budget -> prompt
 *
 * Why it shortens and grounds the prompt: the prompt grows with the budget, not with the corpus
 * (the notebook: about 70,000 characters of this project's notebooks become a prompt of a few
 * hundred tokens); the answer can cite numbered chunks, so a reader can check it; new documents
 * need re-indexing, not re-training. Quality is measured on labelled queries: recall@k (did a
 * relevant chunk make the top k) and MRR (the mean of 1 / rank of the first relevant chunk).
 *
 * Tokens are counted with `tokenLength` (ml/chunking/: one per CJK character, English word or
 * symbol), a tokenizer-free stand-in that never counts a whole above its parts, so a prompt
 * assembled under a budget stays under it.
 *
 * Complexity: indexing O(corpus); a query O(BM25 postings + n d for n dense vectors of width d
 * + k log k); assembly O(k chunk length).
 *
 * @example
 *   assemblePrompt('Why a KV cache?', ['Keys and values of past tokens ...', 'Paging ...'], 60)
 *   // 'Answer the question from the numbered context ... [1] Keys and values ... Question: ...'
 */
import { ArgumentError, ArgumentTypeError, assertArray, assertInteger } from '../../core/errors.js';
import { tokenLength } from '../chunking/index.js';
import { retrieveChunks, type RagIndex } from './retrieve.js';

const INSTRUCTION =
  'Answer the question from the numbered context below, citing it as [n]. ' +
  'If the context does not hold the answer, say so.\n\nContext:\n';

/** The prompt: instruction, the ranked chunks that fit the budget (in rank order), the question. */
export function assemblePrompt(
  question: string,
  rankedChunks: readonly string[],
  budget: number,
): string {
  assertPromptArguments(question, rankedChunks, budget);
  const tail = `\nQuestion: ${question}\nAnswer:`;
  // the instruction and the question always go in
  let used = tokenLength(INSTRUCTION) + tokenLength(tail);
  if (used > budget)
    throw new ArgumentError('budget', budget, `at least ${used} tokens (instruction and question)`);
  const context: string[] = [];
  for (const chunk of rankedChunks) {
    const entry = `[${context.length + 1}] ${chunk}\n`;
    const cost = tokenLength(entry);
    // a chunk that does not fit is skipped whole; a shorter one further down may still fit
    if (used + cost > budget) continue;
    context.push(entry);
    used += cost;
  }
  return INSTRUCTION + context.join('') + tail;
}

function assertPromptArguments(question: unknown, chunks: unknown, budget: unknown): void {
  if (typeof question !== 'string') throw new ArgumentTypeError('question', question, 'a string');
  if (question.trim() === '') throw new ArgumentError('question', question, 'a non-empty question');
  assertArray('rankedChunks', chunks);
  chunks.forEach((c, i) => {
    if (typeof c !== 'string') throw new ArgumentTypeError(`rankedChunks[${i}]`, c, 'a string');
  });
  assertInteger('budget', budget, { min: 1 });
}

export interface RagPrompt {
  prompt: string;
  /** The retrieved chunks, best first, and which of them made it into the prompt. */
  retrieved: number[];
  used: number[];
  tokens: number;
}

/** Retrieve k chunks for the question and assemble the prompt under `budget` tokens. */
export function ragPrompt(index: RagIndex, question: string, k: number, budget: number): RagPrompt {
  const retrieved = retrieveChunks(index, question, k);
  // a chunk keeps the separators around it (so chunks rebuild their text); the prompt does not
  const texts = retrieved.map((i) => index.chunks[i]!.text.trim());
  const prompt = assemblePrompt(question, texts, budget);
  const used = retrieved.filter((_, r) => prompt.includes(`] ${texts[r]!}\n`));
  return { prompt, retrieved, used, tokens: tokenLength(prompt) };
}

export {
  buildRagIndex,
  retrieveChunks,
  type Embed,
  type RagChunk,
  type RagDocument,
  type RagIndex,
} from './retrieve.js';
export { meanReciprocalRank, recallAtK } from './metrics.js';
export { pitfallPrecisionAsRecall, pitfallTruncatedPrompt } from './pitfalls.js';

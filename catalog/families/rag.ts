import type { ConceptEntry } from '../types.js';

export const rag: ConceptEntry[] = [
  {
    id: 'rag-pipeline',
    family: 'rag',
    title: 'RAG pipeline',
    titleZh: 'RAG 流程',
    summary:
      "Chunk, index, retrieve, fuse and assemble a prompt under a token budget from the project's own notebooks, with recall@k and MRR measured on shipped question-to-passage pairs.",
    questions: ['Q40'],
    module: 'ml/rag-pipeline/index.ts',
    test: 'tests/rag-pipeline.test.ts',
    notebook: 'notebooks/rag-pipeline.ts',
  },
  {
    id: 'chunking',
    family: 'rag',
    title: 'Chunking',
    titleZh: '文本分块',
    summary:
      'Fixed-size chunks with overlap, recursive splitting on a separator hierarchy and sentence-aware chunks for Chinese and English, in characters or tokens, that give the text back exactly.',
    questions: ['Q41'],
    module: 'ml/chunking/index.ts',
    test: 'tests/chunking.test.ts',
    notebook: 'notebooks/chunking.ts',
  },
  {
    id: 'dense-retrieval',
    family: 'rag',
    title: 'Dense retrieval and BGE',
    titleZh: '稠密检索与 BGE',
    summary:
      'A BGE-shaped bi-encoder (a small Transformer encoder, CLS pooling, L2-normalised output) trained with in-batch negatives on shipped pairs, beside a TF-IDF baseline, with exact top-k by inner product.',
    questions: ['Q41', 'Q43'],
    module: 'ml/dense-retrieval/index.ts',
    test: 'tests/dense-retrieval.test.ts',
    notebook: 'notebooks/dense-retrieval.ts',
    bench: 'bench/dense-retrieval.bench.ts',
  },
  {
    id: 'bm25',
    family: 'rag',
    title: 'BM25 keyword retrieval',
    titleZh: 'BM25 关键词检索',
    summary:
      "An inverted index with BM25 in rank_bm25's and Lucene's variants, and tokenisers for English words and Chinese character bigrams.",
    questions: ['Q42'],
    module: 'ml/bm25/index.ts',
    test: 'tests/bm25.test.ts',
    notebook: 'notebooks/bm25.ts',
    bench: 'bench/bm25.bench.ts',
  },
  {
    id: 'hybrid-rerank',
    family: 'rag',
    title: 'Hybrid retrieval and re-ranking',
    titleZh: '混合检索与重排',
    summary:
      'Reciprocal rank fusion (k = 60) of keyword and dense results, and a re-ranking stage over query-document pairs with maximal marginal relevance for diversity.',
    questions: ['Q42'],
    module: 'ml/hybrid-rerank.ts',
    test: 'tests/hybrid-rerank.test.ts',
    notebook: 'notebooks/hybrid-rerank.ts',
  },
  {
    id: 'rouge',
    family: 'rag',
    title: 'ROUGE',
    titleZh: 'ROUGE 指标',
    summary:
      "ROUGE-1, ROUGE-2 and ROUGE-L with the conventions of Google's rouge-score package, a character-level variant for Chinese, and the metrics for judging fine-tuning and RAG.",
    questions: ['Q44'],
    module: 'ml/rouge.ts',
    test: 'tests/rouge.test.ts',
    notebook: 'notebooks/rouge.ts',
    bench: 'bench/rouge.bench.ts',
  },
];

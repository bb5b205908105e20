import type { ConceptEntry } from '../types.js';

export const transformerInternals: ConceptEntry[] = [
  {
    id: 'scaled-dot-product-attention',
    family: 'transformer-internals',
    title: 'Scaled dot-product attention',
    titleZh: '缩放点积注意力',
    summary: 'softmax(Q K^T / sqrt(d_k)) V with causal and padding masks, from scratch and in tfjs, and why the 1/sqrt(d_k) is there.',
    questions: ['Q09', 'Q11', 'Q12'],
    module: 'ml/scaled-dot-product-attention.ts',
    test: 'tests/scaled-dot-product-attention.test.ts',
    notebook: 'notebooks/scaled-dot-product-attention.ts',
    bench: 'bench/scaled-dot-product-attention.bench.ts',
  },
];

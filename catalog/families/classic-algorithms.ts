import type { ConceptEntry } from '../types.js';

export const classicAlgorithms: ConceptEntry[] = [
  {
    id: 'reservoir-sampling',
    family: 'classic-algorithms',
    title: 'Reservoir sampling',
    titleZh: '蓄水池抽样',
    summary: 'k uniform items from a stream of unknown length in O(k) memory: Algorithm R, skip-based Algorithm L, weighted A-Res / A-ExpJ, and merging shards.',
    questions: ['Q01'],
    module: 'algorithms/reservoir-sampling.ts',
    test: 'tests/reservoir-sampling.test.ts',
    notebook: 'notebooks/reservoir-sampling.ts',
    bench: 'bench/reservoir-sampling.bench.ts',
  },
];

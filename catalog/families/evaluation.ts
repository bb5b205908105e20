import type { ConceptEntry } from '../types.js';

export const evaluation: ConceptEntry[] = [
  {
    id: 'auc',
    family: 'evaluation',
    title: 'ROC AUC',
    titleZh: 'ROC 曲线下面积',
    summary:
      "ROC AUC as the Mann-Whitney rank sum with ties counted one half (sklearn's roc_auc_score), " +
      'with sample weights and a radix-sorted O(n) version proven equal, and why a near-perfect ' +
      'offline AUC usually means a leak.',
    questions: ['Q65'],
    module: 'ml/auc/index.ts',
    test: 'tests/auc.test.ts',
    notebook: 'notebooks/auc.ts',
    bench: 'bench/auc.bench.ts',
  },
  {
    id: 'permutation-importance',
    family: 'evaluation',
    title: 'Permutation importance',
    titleZh: '置换特征重要度',
    summary:
      'The drop in AUC when one column is shuffled, over seeded repeats with mean and std ' +
      '(sklearn semantics), and using it to drop features and fit faster.',
    questions: ['Q64', 'Q73'],
    module: 'ml/permutation-importance/index.ts',
    test: 'tests/permutation-importance.test.ts',
    notebook: 'notebooks/permutation-importance.ts',
  },
  {
    id: 'single-feature-auc',
    family: 'evaluation',
    title: 'Single-feature AUC',
    titleZh: '单特征 AUC',
    summary:
      'The AUC of each column used alone as the score: a model-free screen for signal, direction ' +
      'and leaks, and what it cannot see (interactions).',
    questions: ['Q64'],
    module: 'ml/permutation-importance/single-feature-auc.ts',
    test: 'tests/permutation-importance.test.ts',
    notebook: 'notebooks/single-feature-auc.ts',
  },
];

import type { ConceptEntry } from '../types.js';

export const ranking: ConceptEntry[] = [
  {
    id: 'mmoe',
    family: 'ranking',
    title: 'MMoE: multi-gate mixture-of-experts',
    titleZh: 'MMoE 多门控混合专家',
    summary:
      'MMoE with one softmax gate per task (and shared-bottom beside it), from scratch and in tfjs ' +
      'with the same weights, trained on a seeded two-task set to read the gates (uniform vs ' +
      'skewed) and to see the seesaw.',
    questions: ['Q47', 'Q48'],
    module: 'ml/mmoe/index.ts',
    test: 'tests/mmoe.test.ts',
    notebook: 'notebooks/mmoe.ts',
  },
  {
    id: 'ple',
    family: 'ranking',
    title: 'PLE / CGC: progressive layered extraction',
    titleZh: 'PLE / CGC 渐进式分层提取',
    summary:
      'PLE built from any number of CGC levels (task-specific and shared experts, task gates and ' +
      'a shared gate), from scratch and in tfjs, with what every level-2 gate reads and mixes, ' +
      'and PLE against shared-bottom and MMoE on weakly related tasks.',
    questions: ['Q46', 'Q48'],
    module: 'ml/ple/index.ts',
    test: 'tests/ple.test.ts',
    notebook: 'notebooks/ple.ts',
  },
];

import type { ConceptEntry } from '../types.js';

export const llmEfficiency: ConceptEntry[] = [
  {
    id: 'lora',
    family: 'llm-efficiency',
    title: 'LoRA (low-rank adaptation)',
    titleZh: 'LoRA 低秩适配',
    summary:
      'Trainable-parameter counting r (d_in + d_out) for any set of adapted matrices, the forward pass W x + (alpha/r) B A x with B = 0 at init, merge and unmerge, and a tfjs fit showing why a low-rank update suffices.',
    questions: ['Q25', 'Q26'],
    module: 'ml/lora.ts',
    test: 'tests/lora.test.ts',
    notebook: 'notebooks/lora.ts',
  },
];

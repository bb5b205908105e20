/** The shape of the catalog: one entry per concept, linking it to its questions and its files. */

export type QuestionId = `Q${string}`;

/** The families are the sections of the question bank. */
export const FAMILIES = {
  'classic-algorithms': { title: 'Classic algorithms', titleZh: '经典算法' },
  'transformer-internals': {
    title: 'Transformer and LLM internals',
    titleZh: 'Transformer 与大模型结构',
  },
  'llm-efficiency': {
    title: 'LLM training and serving efficiency',
    titleZh: '大模型训练与推理效率',
  },
  rag: { title: 'Retrieval-augmented generation', titleZh: '检索增强生成' },
  ranking: { title: 'Ranking and multi-task recommendation', titleZh: '排序与多任务推荐' },
  evaluation: { title: 'Evaluation, losses and diagnostics', titleZh: '评估、损失与诊断' },
} as const;

export type FamilyId = keyof typeof FAMILIES;

export interface ConceptEntry {
  /** kebab-case, as in the question bank's concept column. */
  id: string;
  family: FamilyId;
  title: string;
  titleZh: string;
  /** One sentence: what the module does. */
  summary: string;
  questions: QuestionId[];
  /** Paths relative to the project root. */
  module: string;
  test: string;
  notebook: string;
  /** Present where speed is part of the answer. */
  bench?: string;
}

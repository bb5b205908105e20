/**
 * Queries as people type them, each with the questions of the bank that answer it: colloquial
 * Chinese, English paraphrases, abbreviations and mixed text. The retrieval-quality test of
 * `npm start -- ask` (tests/ask.test.ts) and the RAG notebook's recall@k and MRR are measured on
 * them. Written by hand, not drawn from the bank's wording; a query is a hit at k when one of its
 * expected ids is among the first k results.
 */
import type { QuestionId } from './types.js';

export interface LabelledQuery {
  query: string;
  expected: QuestionId[];
  kind: 'chinese' | 'english' | 'abbreviation' | 'mixed';
}

export const LABELLED_QUERIES: readonly LabelledQuery[] = [
  { query: '蓄水池抽样怎么写', expected: ['Q01'], kind: 'chinese' },
  {
    query: 'pick k random items from a stream of unknown length',
    expected: ['Q01'],
    kind: 'english',
  },
  { query: '旋转数组二分', expected: ['Q02'], kind: 'chinese' },
  { query: 'binary search in a shifted sorted list', expected: ['Q02'], kind: 'english' },
  { query: '滑动窗口 最长子串', expected: ['Q03'], kind: 'chinese' },
  { query: 'LIS', expected: ['Q04'], kind: 'abbreviation' },
  { query: '快排', expected: ['Q06'], kind: 'chinese' },
  { query: 'partition scheme sorting', expected: ['Q06'], kind: 'english' },
  { query: '重排链表 1 n 2 n-1', expected: ['Q05'], kind: 'mixed' },
  { query: '二叉树右视图 BFS', expected: ['Q07'], kind: 'mixed' },
  { query: '快慢指针', expected: ['Q08'], kind: 'chinese' },
  { query: '手写self attention', expected: ['Q09', 'Q11'], kind: 'mixed' },
  {
    query: 'complexity of attention in sequence length',
    expected: ['Q09', 'Q11', 'Q12'],
    kind: 'english',
  },
  { query: 'MHA', expected: ['Q10'], kind: 'abbreviation' },
  { query: '多头注意力', expected: ['Q10'], kind: 'chinese' },
  { query: '为什么要除以根号dk', expected: ['Q12'], kind: 'chinese' },
  { query: 'why scale the dot product', expected: ['Q12'], kind: 'english' },
  { query: '相对位置编码和绝对位置编码', expected: ['Q13', 'Q17'], kind: 'chinese' },
  { query: 'sinusoidal position embedding', expected: ['Q13', 'Q17'], kind: 'english' },
  { query: 'rope', expected: ['Q14', 'Q15', 'Q16'], kind: 'abbreviation' },
  { query: '旋转位置编码外推', expected: ['Q15'], kind: 'chinese' },
  { query: 'rmsnorm vs layernorm', expected: ['Q18'], kind: 'abbreviation' },
  { query: '归一化放在哪', expected: ['Q18'], kind: 'chinese' },
  { query: 'swiglu', expected: ['Q19'], kind: 'abbreviation' },
  { query: 'gated activation in the feed forward layer', expected: ['Q19'], kind: 'english' },
  { query: 'llama 和原始 transformer 的区别', expected: ['Q20'], kind: 'mixed' },
  { query: '大模型 loss 初始值', expected: ['Q21'], kind: 'mixed' },
  { query: 'SFT 和预训练有什么不同', expected: ['Q22'], kind: 'mixed' },
  { query: '长上下文', expected: ['Q23'], kind: 'chinese' },
  { query: 'flash attn', expected: ['Q24'], kind: 'abbreviation' },
  { query: 'lora 参数量怎么算', expected: ['Q25'], kind: 'mixed' },
  { query: 'why does a low rank update work for fine-tuning', expected: ['Q26'], kind: 'english' },
  { query: 'kv缓存', expected: ['Q27'], kind: 'mixed' },
  { query: 'GQA 省显存', expected: ['Q27', 'Q10'], kind: 'mixed' },
  { query: 'prefix caching', expected: ['Q28'], kind: 'english' },
  { query: 'vllm 为什么快', expected: ['Q29'], kind: 'mixed' },
  { query: 'paged attention', expected: ['Q29', 'Q28'], kind: 'english' },
  { query: 'beam search 和 greedy', expected: ['Q30'], kind: 'mixed' },
  { query: 'top-p 采样', expected: ['Q30'], kind: 'mixed' },
  { query: 'deepseek moe 路由', expected: ['Q31'], kind: 'mixed' },
  { query: '专家负载均衡', expected: ['Q31', 'Q39'], kind: 'chinese' },
  { query: 'int8 量化', expected: ['Q33'], kind: 'mixed' },
  { query: 'fp16 vs bf16', expected: ['Q33'], kind: 'abbreviation' },
  { query: '知识蒸馏 温度', expected: ['Q34'], kind: 'chinese' },
  { query: 'teacher student loss', expected: ['Q34'], kind: 'english' },
  { query: 'megatron column parallel', expected: ['Q35', 'Q32'], kind: 'english' },
  { query: 'zero stage 3', expected: ['Q36'], kind: 'english' },
  { query: 'deepspeed 显存', expected: ['Q36'], kind: 'mixed' },
  { query: 'grpo 为什么要 clip', expected: ['Q37'], kind: 'mixed' },
  { query: 'kl散度', expected: ['Q37'], kind: 'mixed' },
  { query: 'clip 图文对齐', expected: ['Q38'], kind: 'mixed' },
  { query: 'infonce', expected: ['Q38'], kind: 'abbreviation' },
  { query: 'moe 训完怎么看效果', expected: ['Q39'], kind: 'mixed' },
  { query: '为什么要用rag', expected: ['Q40'], kind: 'mixed' },
  { query: 'chunk size and overlap', expected: ['Q41'], kind: 'english' },
  { query: '四百万字怎么切块', expected: ['Q41'], kind: 'chinese' },
  { query: 'bm25', expected: ['Q42'], kind: 'abbreviation' },
  { query: 'rrf 融合 重排', expected: ['Q42'], kind: 'mixed' },
  { query: 'bge', expected: ['Q43'], kind: 'abbreviation' },
  { query: 'embedding model structure', expected: ['Q43', 'Q41'], kind: 'english' },
  { query: 'rouge-l 怎么算', expected: ['Q44'], kind: 'mixed' },
  { query: 'how to evaluate a rag system', expected: ['Q44', 'Q40'], kind: 'english' },
  { query: 'mmoe gate', expected: ['Q47'], kind: 'abbreviation' },
  { query: '跷跷板', expected: ['Q48'], kind: 'chinese' },
  { query: 'ple cgc', expected: ['Q46'], kind: 'abbreviation' },
  { query: 'auc 太高', expected: ['Q65'], kind: 'mixed' },
  { query: 'offline auc differs from online', expected: ['Q66'], kind: 'english' },
  { query: '特征重要性怎么评估', expected: ['Q64'], kind: 'chinese' },
  { query: 'shuffle a feature and watch the metric drop', expected: ['Q64'], kind: 'english' },
];

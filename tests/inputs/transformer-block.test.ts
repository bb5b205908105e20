/**
 * Input checks for ml/transformer-block.ts: each bad call is rejected with the project's error
 * class, naming the argument. (Moved from the answer key, which keeps only what the block
 * computes.)
 */
import { describe } from 'vitest';
import {
  GPT2_SMALL,
  blockForward,
  blockParamCount,
  blockTf,
  blockTfMatrix,
  gpt2BlockConfig,
  initBlock,
  initModel,
  llamaBlockConfig,
  modelParamCount,
  type BlockConfig,
  type BlockWeights,
} from '../../ml/transformer-block.js';
import { tensorBackend } from '../../core/backend.js';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const llama = llamaBlockConfig({ dModel: 8, numHeads: 2, ffnHidden: 4 });
const weights = initBlock(llama, rng(1));

describe('configs: heads dividing the width, kv heads dividing heads, known parts', () => {
  badCalls([
    [
      'heads not dividing the width',
      () => blockParamCount(llamaBlockConfig({ dModel: 8, numHeads: 3, ffnHidden: 4 })),
      'numHeads',
    ],
    [
      'kv heads not dividing the heads',
      () =>
        blockParamCount(llamaBlockConfig({ dModel: 8, numHeads: 4, numKvHeads: 3, ffnHidden: 4 })),
      'numKvHeads',
    ],
    [
      'ffnHidden = 0',
      () => blockParamCount(llamaBlockConfig({ dModel: 8, numHeads: 4, ffnHidden: 0 })),
      'ffnHidden',
    ],
    ['a non-integer width', () => blockParamCount({ ...llama, dModel: 8.5 }), 'dModel'],
    [
      'an unknown norm',
      () =>
        blockParamCount({
          ...gpt2BlockConfig({ dModel: 4, numHeads: 2, ffnHidden: 4 }),
          norm: junk('batch'),
        }),
      'norm',
    ],
    [
      'an unknown placement',
      () => blockParamCount({ ...llama, placement: junk('middle') }),
      'placement',
    ],
    ['biases on SwiGLU', () => blockParamCount({ ...llama, ffnBias: true }), 'ffnBias'],
    [
      'an odd RoPE head width',
      () => blockParamCount(llamaBlockConfig({ dModel: 6, numHeads: 2, ffnHidden: 4 })),
      'headDim',
    ],
    ['a negative eps', () => blockParamCount({ ...llama, eps: -1 }), 'eps'],
    [
      'RoPE settings that are not an object',
      () => blockParamCount({ ...llama, rope: junk(3) }),
      'rope',
      ArgumentTypeError,
    ],
    [
      'a config that is not an object',
      () => blockParamCount(junk<BlockConfig>(null)),
      'config',
      ArgumentTypeError,
    ],
    [
      'a config missing its sizes',
      () => blockParamCount(junk<BlockConfig>({ numHeads: 2, dModel: 4 })),
      'ffnHidden',
      ArgumentTypeError,
    ],
    ['zero layers', () => modelParamCount({ ...GPT2_SMALL, numLayers: 0 }), 'numLayers'],
    [
      'a non-boolean tiedEmbeddings',
      () => modelParamCount({ ...GPT2_SMALL, tiedEmbeddings: junk(1) }),
      'tiedEmbeddings',
      ArgumentTypeError,
    ],
  ]);
});

describe('weights, inputs, options', () => {
  badCalls([
    ['an input of the wrong width', () => blockForward(matrix(3, 5), weights, llama), 'x'],
    ['x not a Matrix', () => blockForward(junk([[1, 2]]), weights, llama), 'x', ArgumentTypeError],
    [
      'weights null',
      () => blockForward(matrix(3, 8), junk<BlockWeights>(null), llama),
      'weights',
      ArgumentTypeError,
    ],
    [
      'ReLU weights for a SwiGLU config',
      () =>
        blockForward(
          matrix(3, 8),
          { ...weights, ffn: { w1: matrix(4, 8), w2: matrix(8, 4) } },
          llama,
        ),
      'weights.ffn',
    ],
    [
      'a norm gain of the wrong length',
      () =>
        blockForward(matrix(3, 8), { ...weights, norm1: { weight: new Float64Array(3) } }, llama),
      'gain',
    ],
    [
      'options not an object',
      () => blockForward(matrix(3, 8), weights, llama, junk('causal')),
      'options',
      ArgumentTypeError,
    ],
    [
      'a non-boolean causal flag',
      () => blockForward(matrix(3, 8), weights, llama, junk({ causal: 1 })),
      'options.causal',
      ArgumentTypeError,
    ],
    [
      'an infinite RoPE offset',
      () => blockForward(matrix(3, 8), weights, llama, { offset: Infinity }),
      'options.offset',
    ],
    [
      'a plain object where an Rng goes',
      () => initBlock(llama, junk({ normal: () => 0 })),
      'rng',
      ArgumentTypeError,
    ],
    ['a model too big to initialize', () => initModel({ ...GPT2_SMALL }, rng(1)), 'config'],
    [
      'a padding mask of the wrong length (Matrix twin)',
      () => blockTfMatrix(matrix(3, 8), weights, llama, { keyPadding: [true] }),
      'keyPadding',
    ],
  ]);
});

describe('the tensor twin: tf, x [..., n, d_model], weight tensors', () => {
  badCalls([
    [
      'tf a plain object',
      () => blockTf(junk({ matMul: 1, tidy: 1 }), junk(null), junk(null), llama),
      'tf',
      ArgumentTypeError,
    ],
    [
      'x of the wrong width',
      async () => {
        const { tf } = await tensorBackend();
        return tf.tidy(() => blockTf(tf, tf.zeros([3, 5]), junk({}), llama));
      },
      'x',
    ],
    [
      'weights without their parts',
      async () => {
        const { tf } = await tensorBackend();
        return tf.tidy(() => blockTf(tf, tf.zeros([3, 8]), junk({ attention: {} }), llama));
      },
      'weights.ffn',
      ArgumentTypeError,
    ],
  ]);
});

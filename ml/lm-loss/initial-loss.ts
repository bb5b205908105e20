/**
 * Q21: the loss at initialisation. Near-zero logits give a near-uniform prediction, so the
 * next-token loss starts at about ln V; logits of standard deviation s add about s^2 / 2
 * (E[log sum_j e^{z_j}] - ln V for z_j ~ N(0, s^2)). `tinyLmInitialLoss` builds a tiny causal LM
 * in tfjs, initialises it as GPT-2 / LLaMA do (std 0.02) and measures its loss against ln V.
 */
import { ArgumentError, assertInteger, assertObject } from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';
import { fromTensor2d, tensorBackend, type Tensor, type Tf } from '../../core/backend.js';
import { causalMaskTf } from '../scaled-dot-product-attention.js';
import { nextTokenLossBreakdown } from './breakdown.js';
import { nextTokenLossTf } from './tf.js';

/** The loss of the uniform prediction over V tokens: -log(1 / V) = ln V nats. */
export function uniformPredictionLoss(vocab: number): number {
  assertInteger('vocab', vocab, { min: 1 });
  return Math.log(vocab);
}

export interface TinyLmOptions {
  vocab: number;
  /** Model width d (default 64). */
  dModel?: number;
  /** Tokens in the sequence (default 32). */
  seqLen?: number;
  /** Standard deviation of every weight at initialisation (default 0.02, as GPT-2 / LLaMA). */
  initStd?: number;
}

export interface InitialLoss {
  /** The next-token loss computed by tfjs. */
  loss: number;
  /** The same logits through the from-scratch loss. */
  lossFromScratch: number;
  /** ln V: the loss of the uniform prediction. */
  lnV: number;
  /** Standard deviation of the logits: theory says loss ≈ ln V + logitStd^2 / 2. */
  logitStd: number;
}

/** The most weights (embedding + output head, 2 V d) the tiny LM draws: 2^24. */
const MAX_WEIGHTS = 2 ** 24;

function assertTinyLmOptions(options: unknown): Required<TinyLmOptions> {
  assertObject('options', options, 'a TinyLmOptions object { vocab, dModel?, seqLen?, initStd? }');
  const { vocab, dModel = 64, seqLen = 32, initStd = 0.02 } = options;
  assertInteger('options.vocab', vocab, { min: 2 });
  assertInteger('options.dModel', dModel, { min: 1, max: 4096 });
  assertInteger('options.seqLen', seqLen, { min: 2, max: 4096 });
  if (typeof initStd !== 'number' || !(initStd > 0) || !Number.isFinite(initStd)) {
    throw new ArgumentError('options.initStd', initStd, 'a finite number > 0');
  }
  if (2 * vocab * dModel > MAX_WEIGHTS) {
    const expected = `2 vocab dModel <= 2^24 weights (dModel = ${dModel})`;
    throw new ArgumentError('options.vocab', vocab, expected);
  }
  return { vocab, dModel, seqLen, initStd };
}

/**
 * Builds a tiny causal LM in tfjs (token embedding, one residual causal-mean mixing layer with a
 * tanh MLP, a final RMS norm and an untied output head), initialises every weight N(0, initStd^2)
 * from `rng`, runs it on a random token sequence and returns its next-token loss next to ln V.
 */
export async function tinyLmInitialLoss(options: TinyLmOptions, rng: Rng): Promise<InitialLoss> {
  const { vocab: V, dModel: d, seqLen: T, initStd } = assertTinyLmOptions(options);
  assertRng('rng', rng);
  const { tf } = await tensorBackend();
  const tokens = Array.from({ length: T }, () => rng.integer(0, V - 1));
  // every weight N(0, initStd^2), drawn from the caller's generator
  const draw = (rows: number, cols: number) =>
    Float32Array.from(rng.array(rows * cols, () => rng.normal(0, initStd)));
  const [embedding, wMlp, head] = [draw(V, d), draw(d, d), draw(V, d)];
  const logitsT = tf.tidy(() =>
    tinyLmLogits(tf, tf.tensor1d(tokens, 'int32'), {
      embedding: tf.tensor2d(embedding, [V, d]),
      wMlp: tf.tensor2d(wMlp, [d, d]),
      head: tf.tensor2d(head, [V, d]),
    }),
  );
  const lossT = tf.tidy(() => nextTokenLossTf(tf, logitsT, tf.tensor1d(tokens, 'int32')));
  const loss = (await lossT.data())[0] as number;
  lossT.dispose();
  const logits = await fromTensor2d(logitsT);
  const mean = logits.data.reduce((s, v) => s + v, 0) / logits.data.length;
  const variance = logits.data.reduce((s, v) => s + (v - mean) ** 2, 0) / logits.data.length;
  const lossFromScratch = nextTokenLossBreakdown(logits, tokens).loss;
  return { loss, lossFromScratch, lnV: Math.log(V), logitStd: Math.sqrt(variance) };
}

/** The tiny LM's forward pass: tokens [T] -> logits [T, V]. Unchecked (built just above). */
interface TinyLmWeights {
  embedding: Tensor;
  wMlp: Tensor;
  head: Tensor;
}

function tinyLmLogits(tf: Tf, tokens: Tensor, w: TinyLmWeights): Tensor {
  const T = tokens.shape[0] as number;
  const x = tf.gather(w.embedding, tokens); // [T, d]
  // causal mixing: position t averages positions 0..t (a stand-in for attention at init)
  const visible = tf.cast(causalMaskTf(tf, T, T), 'float32'); // [T, T]
  const causalMean = tf.div(visible, tf.reshape(tf.range(1, T + 1), [T, 1]));
  const h = tf.add(x, tf.tanh(tf.matMul(tf.matMul(causalMean, x), w.wMlp))); // [T, d]
  // RMS norm without a gain: h / sqrt(mean(h^2) + eps)
  const normed = tf.mul(h, tf.rsqrt(tf.add(tf.mean(tf.square(h), 1, true), 1e-6)));
  // output head in nn.Linear layout [V, d]: [T, d] x [d, V] -> [T, V]
  return tf.matMul(normed, w.head, false, true);
}

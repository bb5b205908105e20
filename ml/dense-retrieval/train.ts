/**
 * Contrastive fine-tuning of the bi-encoder with in-batch negatives, as BGE fine-tunes: a batch of
 * B (query, passage) pairs, the B x (B + H) similarity matrix of the query vectors against the
 * passage vectors (the pair's own passage on the diagonal, the other B - 1 passages of the batch
 * and any H hard negatives as negatives), and InfoNCE over its rows at a temperature (BGE's
 * fine-tuning uses 0.02; the tiny model here trains best near 0.05). The loss is
 * ml/contrastive.ts's `infoNceTf`; Adam (tf.train.adam) follows its tf gradient.
 *
 *   L = -(1/B) sum_i log softmax(q_i . [p_1 .. p_B, n_1 .. n_H] / T)_i
 *
 * A batch never holds the same query or the same passage twice: a passage that appeared in two
 * pairs of one batch would be a positive in its own row and a (false) negative in the other's.
 * Deterministic for a seeded `rng` (the batch order) and a fixed backend.
 */
import type { Scalar, Variable } from '@tensorflow/tfjs';
import {
  ArgumentError,
  ArgumentTypeError,
  assertArray,
  assertFinite,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertRng, type Rng } from '../../core/random.js';
import { assertTf, type Tensor, type Tf } from '../../core/backend.js';
import { infoNceTf } from '../contrastive.js';
import { tokenIds } from './tokenize.js';
import {
  batchTensors,
  biEncoderFromParameters,
  biEncoderParameters,
  biEncoderTensors,
  biEncoderTf,
  disposeBiEncoderTensors,
  type BiEncoder,
  type BiEncoderTensors,
} from './encoder.js';

/** A query and the passage it should retrieve, and optionally passages it should not. */
export interface TrainingPair {
  query: string;
  passage: string;
  /** Hard negatives: appended as extra columns of the batch's similarity matrix. */
  negatives?: readonly string[];
}

export interface BiEncoderTrainOptions {
  /** Adam steps (default 40). */
  steps?: number;
  /** Pairs per batch, before removing repeated queries or passages (default 32). */
  batchSize?: number;
  /** Adam's learning rate (default 0.003). */
  learningRate?: number;
  /** InfoNCE temperature (default 0.05). */
  temperature?: number;
}

export interface BiEncoderTrainResult {
  encoder: BiEncoder;
  /** The loss of each step's batch, before the step. */
  losses: number[];
}

const MAX_NEGATIVES = 64;

function assertPairs(pairs: unknown): asserts pairs is TrainingPair[] {
  assertArray('pairs', pairs);
  if (pairs.length === 0) throw new ArgumentError('pairs', pairs, 'at least one training pair');
  if (pairs.length > 2 ** 20) throw new ArgumentError('pairs', pairs, 'at most 2^20 pairs');
  pairs.forEach((p, i) => {
    assertObject(`pairs[${i}]`, p, 'a pair { query, passage, negatives? }');
    for (const key of ['query', 'passage'] as const)
      if (typeof p[key] !== 'string')
        throw new ArgumentTypeError(`pairs[${i}].${key}`, p[key], 'a string');
    const negatives = p['negatives'];
    if (negatives === undefined) return;
    assertArray(`pairs[${i}].negatives`, negatives);
    if (negatives.length > MAX_NEGATIVES)
      throw new ArgumentError(`pairs[${i}].negatives`, negatives, `at most ${MAX_NEGATIVES}`);
    negatives.forEach((n, j) => {
      if (typeof n !== 'string')
        throw new ArgumentTypeError(`pairs[${i}].negatives[${j}]`, n, 'a string');
      if (n === p['passage'])
        throw new ArgumentError(
          `pairs[${i}].negatives[${j}]`,
          n,
          'a passage other than the positive',
        );
    });
  });
}

/**
 * Batches of at most `size` pairs with no query and no passage repeated, drawn from a shuffled
 * order. When the order runs dry before the batch is full (at the end of an epoch, or when only
 * pairs that clash with the batch are left), a fresh shuffled order tops it up and becomes the
 * next epoch, so no step trains on a leftover batch of one or two pairs. O(n) per batch.
 */
function batchSampler(pairs: readonly TrainingPair[], size: number, rng: Rng): () => number[] {
  const all = pairs.map((_, i) => i);
  let remaining: number[] = [];
  return () => {
    const batch: number[] = [];
    const queries = new Set<string>();
    const passages = new Set<string>();
    /** Takes every pair of `order` that fits; returns the ones that did not. */
    const take = (order: readonly number[]) =>
      order.filter((i) => {
        const { query, passage } = pairs[i]!;
        if (batch.length >= size || queries.has(query) || passages.has(passage)) return true;
        batch.push(i);
        queries.add(query);
        passages.add(passage);
        return false;
      });
    if (remaining.length === 0) remaining = rng.shuffled(all);
    remaining = take(remaining);
    if (batch.length < size) {
      const taken = new Set(batch);
      remaining = take(rng.shuffled(all).filter((i) => !taken.has(i)));
    }
    return batch;
  };
}

/** The B x (B + H) InfoNCE loss of one batch of pairs (tensors in, scalar tensor out). */
function batchLossTf(
  tf: Tf,
  tensors: BiEncoderTensors,
  encoder: BiEncoder,
  pairs: readonly TrainingPair[],
  temperature: number,
): Tensor {
  const { vocabulary, config } = encoder;
  const passages = [...pairs.map((p) => p.passage), ...pairs.flatMap((p) => p.negatives ?? [])];
  const queryIds = tokenIds(
    vocabulary,
    pairs.map((p) => p.query),
  );
  const passageIds = tokenIds(vocabulary, passages);
  return tf.tidy(() => {
    const [q, p] = [batchTensors(tf, queryIds), batchTensors(tf, passageIds)];
    // unit vectors: queries [B, d], passages [B + H, d]
    const qv = biEncoderTf(tf, tensors, config, q.ids, q.padding);
    const pv = biEncoderTf(tf, tensors, config, p.ids, p.padding);
    // similarity [B, B + H]; the positive of row i is column i
    return infoNceTf(tf, tf.matMul(qv, pv, false, true), temperature);
  });
}

function assertTrainOptions(options: unknown): Required<BiEncoderTrainOptions> {
  assertObject(
    'options',
    options,
    'training options { steps?, batchSize?, learningRate?, temperature? }',
  );
  const { steps = 40, batchSize = 32, learningRate = 0.003, temperature = 0.05 } = options;
  assertInteger('options.steps', steps, { min: 0, max: 10_000 });
  assertInteger('options.batchSize', batchSize, { min: 1, max: 1024 });
  assertFinite('options.learningRate', learningRate);
  if (learningRate <= 0)
    throw new ArgumentError('options.learningRate', learningRate, 'a number > 0');
  assertFinite('options.temperature', temperature);
  if (temperature <= 0) throw new ArgumentError('options.temperature', temperature, 'a number > 0');
  return { steps, batchSize, learningRate, temperature };
}

/**
 * Fine-tunes a copy of `encoder` on `pairs` with in-batch negatives (and the pairs' hard
 * negatives), Adam, `steps` steps; the input encoder is left alone. Returns the trained encoder and
 * the loss of every step's batch.
 */
export async function trainBiEncoder(
  tf: Tf,
  encoder: BiEncoder,
  pairs: readonly TrainingPair[],
  options: BiEncoderTrainOptions = {},
  rng: Rng,
): Promise<BiEncoderTrainResult> {
  assertTf('tf', tf);
  biEncoderParameters(encoder);
  assertPairs(pairs);
  const { steps, batchSize, learningRate, temperature } = assertTrainOptions(options);
  assertRng('rng', rng);
  const next = batchSampler(pairs, batchSize, rng);
  const { tensors, byName } = biEncoderTensors(tf, encoder, true);
  const optimizer = tf.train.adam(learningRate);
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const batch = next().map((i) => pairs[i]!);
      const cost = optimizer.minimize(
        () => batchLossTf(tf, tensors, encoder, batch, temperature) as Scalar,
        true,
        [...byName.values()] as Variable[],
      );
      losses.push((await cost!.data())[0] as number);
      cost!.dispose();
    }
    const values = new Map<string, Float32Array>();
    for (const [name, t] of byName) values.set(name, (await t.data()) as Float32Array);
    const trained = biEncoderFromParameters(encoder.config, encoder.vocabulary, (name) =>
      values.get(name)!,
    );
    return { encoder: trained, losses };
  } finally {
    optimizer.dispose();
    disposeBiEncoderTensors(tf, byName);
  }
}

export interface ContrastiveLossOptions {
  /** Pairs per batch, taken in the given order (default 32). */
  batchSize?: number;
  /** Default 0.05. */
  temperature?: number;
}

/**
 * The mean in-batch InfoNCE loss of `pairs`, cut in consecutive batches in the order given (the
 * caller keeps queries and passages distinct within a batch): what training lowers.
 */
export function contrastiveLoss(
  tf: Tf,
  encoder: BiEncoder,
  pairs: readonly TrainingPair[],
  options: ContrastiveLossOptions = {},
): number {
  assertTf('tf', tf);
  biEncoderParameters(encoder);
  assertPairs(pairs);
  assertObject('options', options, 'loss options { batchSize?, temperature? }');
  const { batchSize, temperature } = assertTrainOptions({
    batchSize: options.batchSize ?? 32,
    temperature: options.temperature ?? 0.05,
  });
  const { tensors, byName } = biEncoderTensors(tf, encoder);
  try {
    let total = 0;
    let batches = 0;
    for (let start = 0; start < pairs.length; start += batchSize, batches++) {
      const loss = tf.tidy(() =>
        batchLossTf(tf, tensors, encoder, pairs.slice(start, start + batchSize), temperature),
      );
      total += loss.dataSync()[0] as number;
      loss.dispose();
    }
    return total / batches;
  } finally {
    disposeBiEncoderTensors(tf, byName);
  }
}

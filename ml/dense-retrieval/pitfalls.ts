/** The common wrong retrievers, kept to be rejected by the answer key and shown in the notebook. */
import { ArgumentError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { matrix } from '../../core/matrix.js';
import { assertTf, type Tf } from '../../core/backend.js';
import {
  batchTensors,
  biEncoderParameters,
  biEncoderTensors,
  clsPoolTf,
  disposeBiEncoderTensors,
  embedTokensTf,
  encoderLayersTf,
  type BiEncoder,
} from './encoder.js';
import { tfidfWeightsUnnormalized, type SparseVector, type TfidfModel } from './tfidf.js';
import { assertTexts, tokenIds } from './tokenize.js';
import { assertRetrievalInputs, type Hit } from './top-k.js';
import { innerProduct } from './kernels.js';
import { l2NormalizeTf } from '../contrastive.js';

/** All texts in one batch through the encoder, with or without the padding mask and the L2 step. */
function oneBatch(
  tf: Tf,
  encoder: BiEncoder,
  texts: readonly string[],
  masked: boolean,
  normalized: boolean,
): Matrix {
  assertTf('tf', tf);
  biEncoderParameters(encoder);
  const all = assertTexts('texts', texts);
  if (all.length > 4096) throw new ArgumentError('texts', texts, 'at most 4096 texts in one batch');
  const { tensors, byName } = biEncoderTensors(tf, encoder);
  try {
    const out = tf.tidy(() => {
      const { ids, padding } = batchTensors(tf, tokenIds(encoder.vocabulary, all));
      // keys that are not [PAD], [B, 1, 1, L]; or nothing hidden at all
      const visible = masked
        ? tf.reshape(tf.logicalNot(padding), [all.length, 1, 1, -1])
        : undefined;
      const h = encoderLayersTf(
        tf,
        tensors,
        encoder.config,
        embedTokensTf(tf, tensors, ids),
        visible,
      );
      const cls = clsPoolTf(tf, h);
      return normalized ? l2NormalizeTf(tf, cls) : cls;
    });
    const data = out.dataSync();
    out.dispose();
    return matrix(all.length, encoder.config.dModel, data);
  } finally {
    disposeBiEncoderTensors(tf, byName);
  }
}

/**
 * Pitfall: the texts padded to one length and encoded without the padding mask: [CLS] attends to
 * the [PAD] tokens too, so a text's vector changes with the longest text of its batch.
 */
export function pitfallEncodeWithoutPaddingMask(
  tf: Tf,
  encoder: BiEncoder,
  texts: readonly string[],
): Matrix {
  return oneBatch(tf, encoder, texts, false, true);
}

/** Pitfall: the [CLS] vector not L2-normalized: inner product then ranks by length too. */
export function pitfallEncodeWithoutNormalization(
  tf: Tf,
  encoder: BiEncoder,
  texts: readonly string[],
): Matrix {
  return oneBatch(tf, encoder, texts, true, false);
}

/** Pitfall: TF-IDF weights not L2-normalized: a long document outscores the query's own text. */
export function pitfallTfidfVectorsUnnormalized(
  model: TfidfModel,
  texts: readonly string[],
): SparseVector[] {
  return tfidfWeightsUnnormalized(model, texts);
}

/** Pitfall: top-k whose ties go to the later index (a heap that replaces on >=). */
export function pitfallTopKTiesToLaterIndex(
  query: ArrayLike<number>,
  vectors: Matrix,
  k: number,
): Hit[] {
  const n = assertRetrievalInputs(query, vectors, k);
  const hits = Array.from({ length: n }, (_, i) => ({
    index: i,
    score: innerProduct(query, vectors, i),
  }));
  return hits.sort((a, b) => b.score - a.score || b.index - a.index).slice(0, k);
}

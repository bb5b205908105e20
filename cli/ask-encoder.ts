/**
 * The dense half of `npm start -- ask`: a BGE-shaped bi-encoder (ml/dense-retrieval/) trained on
 * pairs the project ships, seeded, the first time it is needed, then kept in build/ so later runs
 * load it instead of training again. Nothing is downloaded: the pairs are the bank's questions in
 * English and Chinese and the glossary's short forms, each paired with the catalog's description
 * of the concept that answers it. The cache is keyed by a hash of everything training reads, so a
 * changed bank, glossary, catalog or setting trains a new encoder.
 *
 * Queries and documents are embedded by `encodeTextsReference` (from scratch, float64): once
 * trained, the encoder needs no tensor backend, so a query costs a few milliseconds; the
 * documents' vectors are kept beside the encoder, so start-up does not embed them again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { catalog } from '../catalog/index.js';
import { GLOSSARY } from '../catalog/glossary.js';
import { PROJECT_ROOT } from '../catalog/paths.js';
import { questions } from '../catalog/questions.js';
import { tensorBackend } from '../core/backend.js';
import { rng } from '../core/random.js';
import {
  encodeTextsReference,
  exportBiEncoder,
  fitVocabulary,
  importBiEncoder,
  initBiEncoder,
  TINY_BI_ENCODER,
  trainBiEncoder,
  type BiEncoder,
  type TrainingPair,
} from '../ml/dense-retrieval/index.js';
import type { Embed } from './search.js';

/** The training settings; part of the cache key. */
export const ASK_ENCODER = {
  config: TINY_BI_ENCODER,
  maxLength: 48,
  steps: 120,
  batchSize: 32,
  learningRate: 0.003,
  temperature: 0.05,
  seeds: { init: 11, batches: 12 },
} as const;

/** What a concept is, as the catalog says it: the passage side of every training pair. */
function conceptText(id: string): string {
  const c = catalog.find((e) => e.id === id);
  return c ? `${c.title} (${c.titleZh}): ${c.summary}` : id.replace(/-/g, ' ');
}

/** Query-side texts (question wording, short forms) paired with the concept they should find. */
export function askTrainingPairs(): TrainingPair[] {
  const pairs: TrainingPair[] = [];
  for (const q of questions()) {
    for (const concept of q.concepts) {
      const passage = conceptText(concept);
      pairs.push({ query: q.text, passage }, { query: q.zh, passage });
      for (const term of GLOSSARY[concept] ?? []) pairs.push({ query: term, passage });
    }
  }
  return pairs;
}

/** An embedding function that answers the texts it already knows from `known`. */
function embedWith(encoder: BiEncoder, known: Map<string, Float32Array>): Embed {
  return (texts) => {
    const missing = [...new Set(texts.filter((t) => !known.has(t)))];
    if (missing.length > 0) {
      const m = encodeTextsReference(encoder, missing);
      missing.forEach((t, i) =>
        known.set(t, Float32Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols))),
      );
    }
    return texts.map((t) => known.get(t)!);
  };
}

interface Cached {
  encoder: ReturnType<typeof exportBiEncoder>;
  /** The documents' vectors, so a start-up does not embed them again. */
  vectors: Record<string, number[]>;
}

/**
 * The trained encoder as an embedding function, from build/ask-encoder-<hash>.json when it is
 * there, else trained now (seeded; a few seconds) and saved. `documents` are the texts that will
 * be embedded, so the vocabulary covers them.
 */
export async function askEmbed(documents: readonly string[]): Promise<Embed> {
  const pairs = askTrainingPairs();
  const texts = [...documents, ...pairs.map((p) => p.query), ...pairs.map((p) => p.passage)];
  const key = createHash('sha256')
    .update(JSON.stringify({ settings: ASK_ENCODER, texts }))
    .digest('hex')
    .slice(0, 16);
  const file = join(PROJECT_ROOT, 'build', `ask-encoder-${key}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as Cached;
    const known = new Map(
      Object.entries(cached.vectors).map(([t, v]) => [t, Float32Array.from(v)]),
    );
    return embedWith(importBiEncoder(cached.encoder), known);
  } catch {
    // not trained yet for these texts and settings
  }
  const { tf } = await tensorBackend();
  const vocabulary = fitVocabulary(texts, { maxLength: ASK_ENCODER.maxLength });
  const untrained = initBiEncoder(vocabulary, ASK_ENCODER.config, rng(ASK_ENCODER.seeds.init));
  const { encoder } = await trainBiEncoder(
    tf,
    untrained,
    pairs,
    {
      steps: ASK_ENCODER.steps,
      batchSize: ASK_ENCODER.batchSize,
      learningRate: ASK_ENCODER.learningRate,
      temperature: ASK_ENCODER.temperature,
    },
    rng(ASK_ENCODER.seeds.batches),
  );
  const embed = embedWith(encoder, new Map());
  const vectors = embed(documents);
  const cached: Cached = {
    encoder: exportBiEncoder(encoder),
    vectors: Object.fromEntries(documents.map((t, i) => [t, Array.from(vectors[i]!)])),
  };
  mkdirSync(dirname(file), { recursive: true });
  // written whole, then renamed: another process starting now reads all of it or none
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(cached));
  renameSync(partial, file);
  return embed;
}

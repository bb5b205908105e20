/**
 * A bi-encoder as plain JSON and back: the config, the vocabulary and every parameter by name as
 * a number array (row-major). `importBiEncoder(JSON.parse(JSON.stringify(exportBiEncoder(e))))`
 * encodes exactly as `e` does: JSON keeps every float64 exactly.
 */
import { ArgumentError, assertArray, assertObject } from '../../core/errors.js';
import {
  biEncoderFromParameters,
  biEncoderParameters,
  type BiEncoder,
  type BiEncoderConfig,
} from './encoder.js';
import type { Vocabulary } from './tokenize.js';

export const BI_ENCODER_FORMAT = 'bagu-bi-encoder-v1';

export interface BiEncoderJson {
  format: typeof BI_ENCODER_FORMAT;
  config: BiEncoderConfig;
  vocabulary: { tokens: string[]; maxLength: number; cjkBigrams: boolean };
  /** Parameter name -> its values, row-major (shapes follow from the config and vocabulary). */
  parameters: Record<string, number[]>;
}

/** The encoder as a JSON-able object (checked first). */
export function exportBiEncoder(encoder: BiEncoder): BiEncoderJson {
  const parameters = biEncoderParameters(encoder);
  const { config, vocabulary } = encoder;
  return {
    format: BI_ENCODER_FORMAT,
    config: {
      dModel: config.dModel,
      numHeads: config.numHeads,
      ffnHidden: config.ffnHidden,
      numLayers: config.numLayers,
    },
    vocabulary: {
      tokens: [...vocabulary.tokens],
      maxLength: vocabulary.maxLength,
      cjkBigrams: vocabulary.cjkBigrams,
    },
    parameters: Object.fromEntries(parameters.map((p) => [p.name, Array.from(p.values)])),
  };
}

/** An encoder from `exportBiEncoder`'s output (e.g. after JSON.parse), every field checked. */
export function importBiEncoder(json: unknown): BiEncoder {
  assertObject('json', json, `an exported bi-encoder { format: '${BI_ENCODER_FORMAT}', ... }`);
  if (json['format'] !== BI_ENCODER_FORMAT)
    throw new ArgumentError('json.format', json['format'], `'${BI_ENCODER_FORMAT}'`);
  assertObject(
    'json.vocabulary',
    json['vocabulary'],
    'a vocabulary { tokens, maxLength, cjkBigrams }',
  );
  assertObject('json.parameters', json['parameters'], 'parameters by name');
  const v = json['vocabulary'];
  assertArray('json.vocabulary.tokens', v['tokens']);
  const vocabulary = {
    tokens: [...(v['tokens'] as string[])],
    maxLength: v['maxLength'],
    cjkBigrams: v['cjkBigrams'],
  } as Vocabulary;
  const parameters = json['parameters'];
  return biEncoderFromParameters(json['config'] as BiEncoderConfig, vocabulary, (name) => {
    const values = parameters[name];
    assertArray(`json.parameters.${name}`, values);
    return values as number[];
  });
}

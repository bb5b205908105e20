/** Input checks of ROUGE (ml/rouge.ts): every bad call names its argument with a typed error. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import {
  cjkTokenize,
  fMeasure,
  lcsLength,
  lcsLengthTwoRows,
  lcsTable,
  pitfallRougeLOnCharacters,
  pitfallRougeNSwapped,
  pitfallRougeNUnclipped,
  rougeL,
  rougeLsum,
  rougeLTwoRows,
  rougeN,
  rougeScore,
  rougeTokenize,
} from '../../ml/rouge.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const T = ['the', 'cat', 'sat'];

describe('ROUGE-N: tokens and n', () => {
  for (const f of [rougeN, pitfallRougeNUnclipped, pitfallRougeNSwapped]) {
    badCalls([
      ['n = 0', () => f(T, T, 0), 'n'],
      ['a negative n', () => f(T, T, -2), 'n'],
      ['a non-integer n', () => f(T, T, 1.5), 'n'],
      ['n that is a string', () => f(T, T, junk('2')), 'n', ArgumentTypeError],
      ['a target that is a string', () => f(junk('the cat'), T, 1), 'target', ArgumentTypeError],
      ['a prediction that is null', () => f(T, junk(null), 1), 'prediction', ArgumentTypeError],
      ['a token that is a number', () => f(['a', junk(3)], T, 1), 'target[1]', ArgumentTypeError],
    ]);
  }
});

describe('ROUGE-L and the LCS', () => {
  for (const f of [rougeL, rougeLTwoRows]) {
    badCalls([
      ['a target that is undefined', () => f(junk(undefined), T), 'target', ArgumentTypeError],
      [
        'a prediction token that is null',
        () => f(T, junk([null])),
        'prediction[0]',
        ArgumentTypeError,
      ],
    ]);
  }
  for (const f of [lcsLength, lcsLengthTwoRows, lcsTable]) {
    badCalls([
      ['a list that is a string', () => f(junk('abc'), T), 'a', ArgumentTypeError],
      ['a token that is an object', () => f(T, junk([{}])), 'b[0]', ArgumentTypeError],
      [
        'lists too long for an O(m n) table (2^13 x 2^13)',
        () => f(Array(2 ** 13).fill('a'), Array(2 ** 13).fill('b')),
        'b',
      ],
    ]);
  }
  badCalls([
    [
      'a counter that is not a Counter',
      () => lcsLengthTwoRows(T, T, junk({})),
      'counter',
      ArgumentTypeError,
    ],
    [
      'a counter for rougeLTwoRows that is a number',
      () => rougeLTwoRows(T, T, junk(1)),
      'counter',
      ArgumentTypeError,
    ],
    [
      'sentences that are not an array',
      () => rougeLsum(junk('a\nb'), [T]),
      'targetSentences',
      ArgumentTypeError,
    ],
    [
      'a sentence that is a string',
      () => rougeLsum([T], junk(['a b'])),
      'predictionSentences[0]',
      ArgumentTypeError,
    ],
    ['a precision above 1', () => fMeasure(1.5, 0.5), 'precision'],
    ['a recall of NaN', () => fMeasure(0.5, Number.NaN), 'recall'],
    [
      'a precision that is a string',
      () => fMeasure(junk('1'), 0.5),
      'precision',
      ArgumentTypeError,
    ],
  ]);
});

describe('texts, types and tokenizers', () => {
  badCalls([
    ['a target that is a number', () => rougeScore(junk(1), 'a'), 'target', ArgumentTypeError],
    [
      'a prediction that is an array',
      () => rougeScore('a', junk(['a'])),
      'prediction',
      ArgumentTypeError,
    ],
    [
      'options that are a string',
      () => rougeScore('a', 'a', junk('rouge1')),
      'options',
      ArgumentTypeError,
    ],
    [
      'types that are a string',
      () => rougeScore('a', 'a', { types: junk('rouge1') }),
      'options.types',
      ArgumentTypeError,
    ],
    [
      'an unknown type',
      () => rougeScore('a', 'a', { types: ['rouge1', 'bleu'] }),
      'options.types[1]',
    ],
    ['rouge0 (n = 0)', () => rougeScore('a', 'a', { types: ['rouge0'] }), 'options.types[0]'],
    [
      'rouge10 (one digit only, as rouge-score)',
      () => rougeScore('a', 'a', { types: ['rouge10'] }),
      'options.types[0]',
    ],
    [
      'a type that is a number',
      () => rougeScore('a', 'a', { types: [junk(1)] }),
      'options.types[0]',
      ArgumentTypeError,
    ],
    [
      'a tokenizer that is not a function',
      () => rougeScore('a', 'a', { tokenizer: junk('cjk') }),
      'options.tokenizer',
      ArgumentTypeError,
    ],
    [
      'a tokenizer returning a string',
      () => rougeScore('a', 'a', { tokenizer: junk((t: string) => t) }),
      'options.tokenizer',
      ArgumentTypeError,
    ],
    ['rougeTokenize of null', () => rougeTokenize(junk(null)), 'text', ArgumentTypeError],
    ['cjkTokenize of a number', () => cjkTokenize(junk(5)), 'text', ArgumentTypeError],
    [
      'the character pitfall on a number',
      () => pitfallRougeLOnCharacters(junk(5), 'a'),
      'target',
      ArgumentTypeError,
    ],
  ]);
});

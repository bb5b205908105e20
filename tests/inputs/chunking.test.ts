/** Input checks of chunking (ml/chunking/): each bad call names its argument with a typed error. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import {
  codePointLength,
  codePointOffsets,
  denseIndexBytes,
  fixedChunkCount,
  fixedSizeChunks,
  fixedSizeTokenChunks,
  fixedStoredLength,
  pitfallCodeUnitChunks,
  pitfallRecursiveDroppingSeparators,
  pitfallStrideEqualsOverlap,
  pitfallStrideIgnoresOverlap,
  postingsCount,
  rebuildText,
  recursiveChunks,
  sentenceChunks,
  splitSentences,
  tokenLength,
  tokenOffsets,
  utf8Length,
  type Chunk,
  type RecursiveOptions,
} from '../../ml/chunking/index.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const TEXT = 'One. Two.\n\nThree 三。';

describe('fixed windows: size, overlap, text', () => {
  for (const chunk of [
    fixedSizeChunks,
    fixedSizeTokenChunks,
    pitfallStrideIgnoresOverlap,
    pitfallStrideEqualsOverlap,
    pitfallCodeUnitChunks,
  ]) {
    badCalls([
      ['an overlap equal to the size (stride 0)', () => chunk(TEXT, 4, 4), 'overlap'],
      ['an overlap above the size', () => chunk(TEXT, 4, 9), 'overlap'],
      ['size 0', () => chunk(TEXT, 0), 'size'],
      ['a negative size', () => chunk(TEXT, -3), 'size'],
      ['a negative overlap', () => chunk(TEXT, 4, -1), 'overlap'],
      ['a non-integer size', () => chunk(TEXT, 2.5), 'size'],
      ['a non-integer overlap', () => chunk(TEXT, 4, 0.5), 'overlap'],
      ['a size that is a string', () => chunk(TEXT, junk('4')), 'size', ArgumentTypeError],
      ['an overlap of NaN', () => chunk(TEXT, 4, Number.NaN), 'overlap'],
      ['a text that is null', () => chunk(junk(null), 4), 'text', ArgumentTypeError],
      ['a text that is an array', () => chunk(junk(['a', 'b']), 4), 'text', ArgumentTypeError],
    ]);
  }
});

describe('recursive and sentence chunks: the options', () => {
  const splitters = [
    (t: string, o: RecursiveOptions) => recursiveChunks(t, o),
    (t: string, o: RecursiveOptions) => sentenceChunks(t, o),
  ];
  for (const split of splitters) {
    badCalls([
      ['a text that is a number', () => split(junk(5), { size: 4 }), 'text', ArgumentTypeError],
      ['no options', () => split(TEXT, junk(undefined)), 'options', ArgumentTypeError],
      ['options that are a number', () => split(TEXT, junk(4)), 'options', ArgumentTypeError],
      ['no size', () => split(TEXT, junk({})), 'options.size', ArgumentTypeError],
      ['size 0', () => split(TEXT, { size: 0 }), 'options.size'],
      ['a non-integer size', () => split(TEXT, { size: 3.5 }), 'options.size'],
      [
        'an overlap equal to the size',
        () => split(TEXT, { size: 4, overlap: 4 }),
        'options.overlap',
      ],
      ['a negative overlap', () => split(TEXT, { size: 4, overlap: -2 }), 'options.overlap'],
      [
        'a length that is not a function',
        () => split(TEXT, { size: 4, length: junk('chars') }),
        'options.length',
        ArgumentTypeError,
      ],
      [
        'a length function returning a string',
        () => split(TEXT, { size: 4, length: junk((t: string) => t) }),
        'options.length',
        ArgumentTypeError,
      ],
      [
        'a length function returning NaN',
        () => split(TEXT, { size: 4, length: () => Number.NaN }),
        'options.length',
      ],
      [
        'a length function returning -1',
        () => split(TEXT, { size: 4, length: () => -1 }),
        'options.length',
      ],
      [
        'a counter that is not a Counter',
        () => recursiveChunks(TEXT, { size: 4 }, junk({})),
        'counter',
        ArgumentTypeError,
      ],
    ]);
  }
  badCalls([
    [
      'an empty separator list',
      () => recursiveChunks(TEXT, { size: 4, separators: [] }),
      'options.separators',
    ],
    [
      'separators that are a string',
      () => recursiveChunks(TEXT, { size: 4, separators: junk('\n\n') }),
      'options.separators',
      ArgumentTypeError,
    ],
    [
      'a separator that is a number',
      () => recursiveChunks(TEXT, { size: 4, separators: junk(['\n', 3]) }),
      'options.separators[1]',
      ArgumentTypeError,
    ],
    [
      'the pitfall: size 0',
      () => pitfallRecursiveDroppingSeparators(TEXT, { size: 0 }),
      'options.size',
    ],
    [
      'the pitfall: no options',
      () => pitfallRecursiveDroppingSeparators(TEXT, junk(null)),
      'options',
      ArgumentTypeError,
    ],
  ]);
});

describe('texts and lengths', () => {
  for (const f of [
    codePointLength,
    codePointOffsets,
    utf8Length,
    tokenLength,
    tokenOffsets,
    splitSentences,
  ]) {
    badCalls([
      ['a text that is undefined', () => f(junk(undefined)), 'text', ArgumentTypeError],
      ['a text that is a number', () => f(junk(42)), 'text', ArgumentTypeError],
    ]);
  }
});

describe('rebuildText: the chunks', () => {
  const ok: Chunk = { text: 'ab', start: 0, end: 2 };
  badCalls([
    ['chunks that are not an array', () => rebuildText(junk('ab')), 'chunks', ArgumentTypeError],
    ['a chunk that is null', () => rebuildText(junk([ok, null])), 'chunks[1]', ArgumentTypeError],
    [
      'a chunk whose text is a number',
      () => rebuildText(junk([{ text: 1, start: 0, end: 1 }])),
      'chunks[0].text',
      ArgumentTypeError,
    ],
    ['a negative start', () => rebuildText([{ text: 'a', start: -1, end: 0 }]), 'chunks[0].start'],
    [
      'an end before the start',
      () => rebuildText([{ text: '', start: 3, end: 2 }]),
      'chunks[0].end',
    ],
    [
      'an end that does not match the text',
      () => rebuildText([{ text: 'abc', start: 0, end: 2 }]),
      'chunks[0].end',
    ],
  ]);
});

describe('costs', () => {
  badCalls([
    ['a negative corpus length', () => fixedChunkCount(-1, 512), 'n'],
    ['a non-integer corpus length', () => fixedChunkCount(1.5, 512), 'n'],
    [
      'a corpus length that is a string',
      () => fixedChunkCount(junk('4M'), 512),
      'n',
      ArgumentTypeError,
    ],
    ['an overlap equal to the size', () => fixedChunkCount(100, 8, 8), 'overlap'],
    ['size 0', () => fixedStoredLength(100, 0), 'size'],
    ['a negative overlap', () => fixedStoredLength(100, 8, -1), 'overlap'],
    ['negative vectors', () => denseIndexBytes(-5, 768), 'vectors'],
    ['dimension 0', () => denseIndexBytes(10, 0), 'dim'],
    ['16 bytes per value', () => denseIndexBytes(10, 768, 16), 'bytesPerValue'],
    [
      'terms that are not a function',
      () => postingsCount([], junk('words')),
      'terms',
      ArgumentTypeError,
    ],
    [
      'terms that return a string',
      () =>
        postingsCount(
          [{ text: 'a', start: 0, end: 1 }],
          junk((t: string) => t),
        ),
      'terms',
      ArgumentTypeError,
    ],
    [
      'chunks that are null',
      () => postingsCount(junk(null), () => []),
      'chunks',
      ArgumentTypeError,
    ],
  ]);
});

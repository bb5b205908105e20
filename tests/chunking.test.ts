/**
 * Answer key for Q41, chunking. Worked examples (the textbook windows, Q41's 4,000,000 characters,
 * a paragraph break, Chinese and English sentences, an emoji, an oversize unit); the window
 * properties (offsets, rebuild, the count formula, the exact overlap, no cut inside a surrogate
 * pair); the recursive and sentence splitters' guarantees checked against an independent oracle
 * that ranks every position of the text by the highest break at it (rebuild, the limit unless a
 * flagged unbreakable unit, overlap at most `overlap`, no chunk holding a break higher than its
 * ends, a chunk that starts at a break ends at one as high when one is within reach, greedy
 * packing of whole paragraphs) and what they do NOT guarantee; the work as a counted bound; and the
 * pitfalls (stride = size, stride = overlap, code-unit windows, dropped separators) rejected by the
 * properties the right answers pass. Input checks: tests/inputs/chunking.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  codePointLength,
  codePointOffsets,
  DEFAULT_SEPARATORS,
  denseIndexBytes,
  fixedChunkCount,
  fixedSizeChunks,
  fixedSizeTokenChunks,
  fixedStoredLength,
  insideSurrogatePair,
  LANGCHAIN_SEPARATORS,
  pitfallCodeUnitChunks,
  pitfallRecursiveDroppingSeparators,
  pitfallStrideEqualsOverlap,
  pitfallStrideIgnoresOverlap,
  postingsCount,
  rebuildText,
  recursiveChunks,
  SENTENCE_END,
  sentenceChunks,
  splitSentences,
  tokenLength,
  tokenOffsets,
  utf8Length,
  type Chunk,
  type LengthFunction,
  type SplitChunk,
} from '../ml/chunking/index.js';
import { Counter } from '../core/counter.js';
import { rejectsPitfall } from './support/answer-key.js';

const texts = (chunks: readonly Chunk[]) => chunks.map((c) => c.text);

/** Offsets point at the chunk's text, and no chunk starts or ends inside a surrogate pair. */
const wellPlaced = (text: string, chunks: readonly Chunk[]) =>
  chunks.every(
    (c) =>
      c.start >= 0 &&
      text.slice(c.start, c.end) === c.text &&
      !insideSurrogatePair(text, c.start) &&
      !insideSurrogatePair(text, c.end),
  );

/** Mixed text: Latin, Chinese, an emoji (a surrogate pair), spaces, line breaks, punctuation. */
const mixedText = fc
  .array(fc.constantFrom('a', 'b', 'Z', '中', '文', '😀', ' ', ' ', '\n', '.', '。', '！', '?'), {
    maxLength: 40,
  })
  .map((cs) => cs.join(''));

const windowArb = fc
  .integer({ min: 1, max: 12 })
  .chain((size) => fc.record({ size: fc.constant(size), overlap: fc.nat({ max: size - 1 }) }));

describe('worked examples', () => {
  it('fixedSizeChunks("abcdefgh", 4, 1): stride 3, windows abcd, defg, gh', () => {
    expect(fixedSizeChunks('abcdefgh', 4, 1)).toEqual([
      { text: 'abcd', start: 0, end: 4 },
      { text: 'defg', start: 3, end: 7 },
      { text: 'gh', start: 6, end: 8 },
    ]);
  });

  it('Q41: 4,000,000 characters at 512 / 51 (10%): 8,677 chunks, 4,442,476 embedded', () => {
    const corpus = 'x'.repeat(4_000_000);
    const chunks = fixedSizeChunks(corpus, 512, 51);
    expect(chunks).toHaveLength(8_677);
    expect(fixedChunkCount(4_000_000, 512, 51)).toBe(8_677);
    expect(chunks.reduce((s, c) => s + c.text.length, 0)).toBe(4_442_476);
    expect(fixedStoredLength(4_000_000, 512, 51)).toBe(4_442_476);
    // a float32 index of 768 dimensions: 8,677 x 768 x 4 bytes
    expect(denseIndexBytes(8_677, 768)).toBe(26_655_744);
  });

  it('the recursive splitter ends a chunk at the paragraph break: One. Two. | Three.', () => {
    expect(texts(recursiveChunks('One. Two.\n\nThree.', { size: 12 }))).toEqual([
      'One. Two.\n\n',
      'Three.',
    ]);
    // too small for the paragraph and its break: its sentences, the break kept with the last one
    expect(texts(recursiveChunks('One. Two.\n\nThree.', { size: 10 }))).toEqual([
      'One. ',
      'Two.\n\n',
      'Three.',
    ]);
  });

  it('sentences end after 。！？；… and after . ! ? before a space, a line break or the end', () => {
    const text = '今天天气很好。我们去公园吧！你呢？Pi is 3.14, e.g. this. Done! 好…';
    expect(texts(splitSentences(text))).toEqual([
      '今天天气很好。',
      '我们去公园吧！',
      '你呢？',
      'Pi is 3.14, e.g. ',
      'this. ',
      'Done! ',
      '好…',
    ]);
    expect(texts(splitSentences('Line one.\nLine two'))).toEqual(['Line one.', '\nLine two']);
  });

  it('sentence chunks pack whole sentences and carry whole sentences of at most `overlap`', () => {
    const text = '一二三。四五。六七八九。Ab cd. Ef.';
    const chunks = sentenceChunks(text, { size: 8, overlap: 3 });
    // 一二三。 (4) does not fit in 3 and is dropped; 四五。 (3) is carried; Ab cd. (7) is not
    expect(texts(chunks)).toEqual(['一二三。四五。', '四五。六七八九。', 'Ab cd. ', 'Ef.']);
    expect(rebuildText(chunks)).toBe(text);
  });

  it('an emoji is one character: fixedSizeChunks("😀😀😀", 2) is 😀😀 | 😀; code units cut it', () => {
    expect(texts(fixedSizeChunks('😀😀😀', 2))).toEqual(['😀😀', '😀']);
    expect(texts(pitfallCodeUnitChunks('😀😀😀', 2))).toEqual(['😀', '😀', '😀']);
    expect(texts(pitfallCodeUnitChunks('a😀', 2))).toEqual(['a\ud83d', '\ude00']);
  });

  it('a unit no separator breaks is kept whole and flagged oversize', () => {
    expect(recursiveChunks('tiny enormous', { size: 5, separators: [' '] })).toEqual([
      { text: 'tiny ', start: 0, end: 5, oversize: false },
      { text: 'enormous', start: 5, end: 13, oversize: true },
    ]);
    // in UTF-8 bytes an emoji is 4: over a limit of 3 bytes whatever the separators
    expect(recursiveChunks('ab😀', { size: 3, length: utf8Length })).toEqual([
      { text: 'ab', start: 0, end: 2, oversize: false },
      { text: '😀', start: 2, end: 4, oversize: true },
    ]);
  });

  it('lengths: code points, UTF-8 bytes and word-level tokens', () => {
    expect(codePointLength('a中😀')).toBe(3);
    expect(utf8Length('a中😀')).toBe(1 + 3 + 4);
    expect(tokenLength('Hello, world! 今天天气 😀')).toBe(4 + 4 + 1);
    expect(tokenOffsets('ab  cd中')).toEqual([0, 4, 6, 7]);
  });

  it('the defaults: LangChain has no sentence level; ours has SENTENCE_END after the line', () => {
    expect(LANGCHAIN_SEPARATORS).toEqual(['\n\n', '\n', ' ', '']);
    expect(DEFAULT_SEPARATORS).toEqual(['\n\n', '\n', SENTENCE_END, ' ', '']);
  });
});

/**
 * What fixed windows promise: offsets, the rebuild, fixedChunkCount windows of at most `size`
 * code points, consecutive windows sharing exactly `overlap` code points, no cut in a pair.
 */
const windowProperty = (chunker: (text: string, size: number, overlap: number) => Chunk[]) =>
  fc.property(mixedText, windowArb, (text, { size, overlap }) => {
    const chunks = chunker(text, size, overlap);
    const n = codePointLength(text);
    const shared = chunks
      .slice(1)
      .map((c, i) => codePointLength(text.slice(c.start, (chunks[i] as Chunk).end)));
    return (
      wellPlaced(text, chunks) &&
      rebuildText(chunks) === text &&
      chunks.length === fixedChunkCount(n, size, overlap) &&
      chunks.every((c) => codePointLength(c.text) <= size) &&
      shared.every((s) => s === overlap)
    );
  });

describe('fixed windows', () => {
  it('give the text back, fixedChunkCount windows of <= size sharing exactly `overlap`', () => {
    fc.assert(windowProperty(fixedSizeChunks), { seed: 41, numRuns: 300 });
  });

  test.prop([mixedText, windowArb], { numRuns: 100 })(
    'window i starts at code point i (size - overlap); stored = n + (chunks - 1) overlap',
    (text, { size, overlap }) => {
      const chunks = fixedSizeChunks(text, size, overlap);
      const at = codePointOffsets(text);
      chunks.forEach((c, i) => expect(c.start).toBe(at[i * (size - overlap)]));
      const stored = chunks.reduce((s, c) => s + codePointLength(c.text), 0);
      expect(stored).toBe(fixedStoredLength(codePointLength(text), size, overlap));
    },
  );

  test.prop([fc.nat({ max: 5_000_000 }), windowArb], { numRuns: 200 })(
    'the count formula is the least k with size + (k - 1) stride >= n',
    (n, { size, overlap }) => {
      const k = fixedChunkCount(n, size, overlap);
      const covers = (m: number) => size + (m - 1) * (size - overlap) >= n;
      if (n === 0) expect(k).toBe(0);
      else expect(covers(k) && (k === 1 || !covers(k - 1))).toBe(true);
    },
  );

  test.prop([mixedText, windowArb], { numRuns: 100 })(
    'token windows: whole tokens, exactly `overlap` shared tokens, the text back',
    (text, { size, overlap }) => {
      const chunks = fixedSizeTokenChunks(text, size, overlap);
      expect(wellPlaced(text, chunks)).toBe(true);
      expect(rebuildText(chunks)).toBe(text);
      for (const c of chunks) expect(tokenLength(c.text)).toBeLessThanOrEqual(size);
      for (let i = 1; i < chunks.length; i++) {
        const shared = text.slice((chunks[i] as Chunk).start, (chunks[i - 1] as Chunk).end);
        expect(tokenLength(shared)).toBe(overlap);
      }
    },
  );

  test.prop(
    [fc.array(fc.constantFrom('中', '文', '😀', '。', '!'), { maxLength: 40 }), windowArb],
    { numRuns: 100 },
  )(
    'where every token is one code point, token windows are the textbook windows',
    (chars, { size, overlap }) => {
      const text = chars.join('');
      expect(fixedSizeTokenChunks(text, size, overlap)).toEqual(
        fixedSizeChunks(text, size, overlap),
      );
    },
  );
});

describe('fixed windows: the pitfalls', () => {
  it('rejects stride = size (pitfallStrideIgnoresOverlap): windows share nothing', () => {
    rejectsPitfall(windowProperty(pitfallStrideIgnoresOverlap), { seed: 41, numRuns: 300 });
  });

  it('rejects stride = overlap (pitfallStrideEqualsOverlap): windows crawl', () => {
    rejectsPitfall(windowProperty(pitfallStrideEqualsOverlap), { seed: 41, numRuns: 300 });
  });

  it('rejects code-unit windows (pitfallCodeUnitChunks): an emoji is cut in half', () => {
    const [text] = rejectsPitfall(windowProperty(pitfallCodeUnitChunks), {
      seed: 41,
      numRuns: 300,
    });
    expect(text).toContain('😀');
  });
});

// ---------------------------------------------------------------------------------------------
// The oracle for the recursive splitter: the rank of every position, computed on the whole text
// (not recursively): -1 at the two ends, 0 after "\n\n", 1 after "\n", 2 after a sentence end,
// 3 after " ", 4 between code points, Infinity inside a surrogate pair (not a position). A cut of
// rank k followed only by whitespace up to the next position of a higher rank is no break of rank
// k (the splitter leaves trailing whitespace with the text before it).

function breakLevels(text: string): number[] {
  const rank = Array.from({ length: text.length + 1 }, (_, p) =>
    insideSurrogatePair(text, p) ? Infinity : 4,
  );
  rank[0] = rank[text.length] = -1;
  const after = (sep: string) => {
    const ends: number[] = [];
    for (let i = text.indexOf(sep); i >= 0; i = text.indexOf(sep, i + sep.length))
      ends.push(i + sep.length);
    return ends;
  };
  const cuts = [
    after('\n\n'),
    after('\n'),
    [...text.matchAll(new RegExp(SENTENCE_END.source, 'gu'))]
      .filter((m) => m[0].length > 0)
      .map((m) => m.index + m[0].length),
    after(' '),
  ];
  cuts.forEach((positions, k) => {
    for (const p of positions) {
      if ((rank[p] as number) <= k) continue;
      let q = p + 1;
      while ((rank[q] as number) >= k) q++; // the next position of a higher rank (the end: -1)
      if (/\S/.test(text.slice(p, q))) rank[p] = k;
    }
  });
  return rank;
}

/** The highest break (lowest rank) strictly inside [start, end); Infinity if none. */
const highestInside = (level: number[], start: number, end: number) =>
  Math.min(Infinity, ...level.slice(start + 1, end));

/** Paragraphs of lines of sentences of words, in Latin, Chinese and emoji. */
const structuredText = (() => {
  const word = fc
    .array(fc.constantFrom('a', 'b', 'c', '中', '文', '😀'), { minLength: 1, maxLength: 4 })
    .map((cs) => cs.join(''));
  const sentence = fc
    .tuple(
      fc.array(word, { minLength: 1, maxLength: 4 }),
      fc.constantFrom('.', '。', '！', '?', ''),
    )
    .map(([ws, end]) => ws.join(' ') + end);
  const line = fc.array(sentence, { minLength: 1, maxLength: 3 }).map((ss) => ss.join(' '));
  const paragraph = fc.array(line, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('\n'));
  return fc.array(paragraph, { minLength: 1, maxLength: 3 }).map((ps) => ps.join('\n\n'));
})();

const lengths: [string, LengthFunction][] = [
  ['code points', codePointLength],
  ['word-level tokens', tokenLength],
  ['UTF-8 bytes', utf8Length],
];

type Splitter = (
  text: string,
  o: { size: number; overlap: number; length?: LengthFunction },
) => Chunk[];

/** Rebuild, offsets, no surrogate cut: whatever the length function. */
const rebuildProperty = (split: Splitter, length: LengthFunction = codePointLength) =>
  fc.property(fc.oneof(mixedText, structuredText), windowArb, (text, { size, overlap }) => {
    const chunks = split(text, { size, overlap, length });
    return wellPlaced(text, chunks) && rebuildText(chunks) === text;
  });

const splitters: [string, Splitter][] = [
  ['recursiveChunks', (t, o) => recursiveChunks(t, o)],
  ['sentenceChunks', (t, o) => sentenceChunks(t, o)],
];

describe.each(splitters)('%s: the text back, the limit, the overlap', (_name, split) => {
  it.each(lengths)('gives the text back exactly from the offsets (length in %s)', (_l, length) => {
    fc.assert(rebuildProperty(split, length), { seed: 7, numRuns: 60 });
  });

  it.each(lengths)(
    'no chunk exceeds the limit (in %s) unless it is one flagged code point',
    (_l, length) => {
      fc.assert(
        fc.property(fc.oneof(mixedText, structuredText), windowArb, (text, { size, overlap }) => {
          for (const c of split(text, { size, overlap, length }) as SplitChunk[]) {
            if (c.oversize)
              expect([codePointLength(c.text), length(c.text) > size]).toEqual([1, true]);
            else expect(length(c.text)).toBeLessThanOrEqual(size);
          }
        }),
        { seed: 8, numRuns: 60 },
      );
    },
  );

  test.prop([fc.oneof(mixedText, structuredText), windowArb], { numRuns: 80 })(
    'consecutive chunks move forward and share at most `overlap`',
    (text, { size, overlap }) => {
      const chunks = split(text, { size, overlap });
      for (let i = 1; i < chunks.length; i++) {
        const [a, b] = [chunks[i - 1] as Chunk, chunks[i] as Chunk];
        expect(b.start).toBeGreaterThan(a.start);
        expect(b.end).toBeGreaterThan(a.end);
        expect(b.start).toBeLessThanOrEqual(a.end);
        expect(codePointLength(text.slice(b.start, a.end))).toBeLessThanOrEqual(overlap);
      }
    },
  );
});

describe('recursiveChunks: where the boundaries fall (against the whole-text oracle)', () => {
  test.prop([structuredText, windowArb], { numRuns: 120 })(
    'no chunk holds a break higher than the breaks it starts and ends at',
    (text, { size, overlap }) => {
      const level = breakLevels(text);
      for (const c of recursiveChunks(text, { size, overlap })) {
        const inside = highestInside(level, c.start, c.end);
        expect(level[c.start]).toBeLessThanOrEqual(inside);
        expect(level[c.end]).toBeLessThanOrEqual(inside);
      }
    },
  );

  test.prop([structuredText, windowArb], { numRuns: 100 })(
    'a chunk that starts at a break of rank j ends at one of rank <= j if one lies within reach',
    (text, { size, overlap }) => {
      const level = breakLevels(text);
      for (const c of recursiveChunks(text, { size, overlap })) {
        for (let j = 0; j <= 3; j++) {
          if ((level[c.start] as number) > j) continue;
          let reachable = false;
          for (let q = c.start + 1; q <= text.length; q++) {
            if (codePointLength(text.slice(c.start, q)) > size) break;
            if ((level[q] as number) <= j) reachable = true;
          }
          if (reachable) expect(level[c.end]).toBeLessThanOrEqual(j);
        }
      }
    },
  );

  it('so a chunk that starts at a paragraph break ends at one when one fits', () => {
    // from 0 and from 16 a paragraph break lies within 16 code points; from 31 none does
    const text = 'aa bb.\n\ncc dd.\n\nee ff gg hh ii jj kk.\n\nll.';
    expect(texts(recursiveChunks(text, { size: 16 }))).toEqual([
      'aa bb.\n\ncc dd.\n\n',
      'ee ff gg hh ii ',
      'jj kk.\n\n',
      'll.',
    ]);
  });

  it('but not a chunk that starts inside a paragraph split twice: it ends at the line', () => {
    // the paragraph "aaaa. bbbb. cccc.\nd\n\n" is split by lines, its first line by sentences;
    // "cccc.\n" starts at a sentence and ends at the line, though the paragraph's end (offset 21)
    // is only 9 code points from its start
    const text = 'aaaa. bbbb. cccc.\nd\n\ne';
    expect(texts(recursiveChunks(text, { size: 12 }))).toEqual([
      'aaaa. bbbb. ',
      'cccc.\n',
      'd\n\n',
      'e',
    ]);
  });

  test.prop(
    [
      fc.array(
        fc
          .tuple(fc.constantFrom('a', '中', '😀'), fc.array(fc.constantFrom('a', '中', '😀', ' ')))
          .map(([first, rest]) => [first, ...rest.slice(0, 7)]),
        { minLength: 1, maxLength: 12 },
      ),
      fc.integer({ min: 10, max: 30 }),
    ],
    { numRuns: 100 },
  )('paragraphs that fit are packed greedily, whole, in order (overlap 0)', (paragraphs, size) => {
    const parts = paragraphs.map((p, i) => p.join('') + (i + 1 < paragraphs.length ? '\n\n' : ''));
    const text = parts.join('');
    // the oracle: first fit in order
    const expected: string[] = [];
    let current = '';
    for (const part of parts) {
      if (current !== '' && codePointLength(current + part) > size) {
        expected.push(current);
        current = '';
      }
      current += part;
    }
    expected.push(current);
    expect(texts(recursiveChunks(text, { size }))).toEqual(expected);
  });
});

describe('sentences', () => {
  /**
   * An independent scanner: a cut after a run of 。！？ and the spaces after it, or after a run of
   * . ? ! followed by spaces (taken), a line break or the end.
   */
  function sentenceCutsByHand(text: string): number[] {
    const cuts: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      const isZh = '。！？'.includes(c);
      if (!isZh && !'.?!'.includes(c)) continue;
      let j = i;
      while (j + 1 < text.length && (isZh ? '。！？' : '.?!').includes(text[j + 1] as string)) j++;
      let k = j + 1;
      while (k < text.length && text[k] === ' ') k++;
      const ends = isZh || k > j + 1 || k === text.length || text[k] === '\n';
      // no cut that leaves only whitespace after it: "好。\n" is one sentence
      if (ends && /\S/.test(text.slice(k))) cuts.push(k);
      i = j;
    }
    return cuts;
  }

  test.prop([mixedText], { numRuns: 200 })(
    'splitSentences tiles the text and cuts exactly where the hand scanner does',
    (text) => {
      const sentences = splitSentences(text);
      expect(rebuildText(sentences)).toBe(text);
      expect(sentences.slice(1).map((s) => s.start)).toEqual(sentenceCutsByHand(text));
    },
  );

  test.prop([fc.oneof(mixedText, structuredText), windowArb], { numRuns: 80 })(
    'a sentence chunk ends at a sentence end, or inside a sentence longer than the limit',
    (text, { size, overlap }) => {
      const sentences = splitSentences(text);
      for (const c of sentenceChunks(text, { size, overlap })) {
        const s = sentences.find((x) => x.start < c.end && c.end <= x.end) as Chunk;
        if (c.end !== s.end) expect(codePointLength(s.text)).toBeGreaterThan(size);
      }
    },
  );
});

describe('the work, counted', () => {
  test.prop([fc.oneof(mixedText, structuredText), windowArb], { numRuns: 60 })(
    'the length function sees at most (levels + 1) x n code units',
    (text, { size, overlap }) => {
      const c = new Counter();
      recursiveChunks(text, { size, overlap }, c);
      expect(c.get('measured')).toBeLessThanOrEqual((DEFAULT_SEPARATORS.length + 1) * text.length);
    },
  );

  it('postings: each chunk counts its distinct terms once', () => {
    const chunks = fixedSizeChunks('a a b c c c', 6, 0);
    const words = (t: string) => t.split(' ').filter((w) => w !== '');
    expect(texts(chunks)).toEqual(['a a b ', 'c c c']);
    expect(postingsCount(chunks, words)).toBe(2 + 1);
  });
});

describe('recursive splitting: the pitfall', () => {
  it('rejects dropped separators (pitfallRecursiveDroppingSeparators): the text is lost', () => {
    const [text] = rejectsPitfall(
      rebuildProperty((t, o) => pitfallRecursiveDroppingSeparators(t, o)),
      { seed: 7, numRuns: 100 },
    );
    expect(text).toMatch(/[ \n]/);
  });

  it('dropping on "a b c d e f\\n\\ng h i", size 5: the spaces and the break are gone', () => {
    const text = 'a b c d e f\n\ng h i';
    const chunks = pitfallRecursiveDroppingSeparators(text, { size: 5 });
    expect(texts(chunks)).toEqual(['a b c', 'd e f', 'g h i']);
    expect(rebuildText(chunks)).toBe('a b cd e fg h i');
    expect(rebuildText(recursiveChunks(text, { size: 5 }))).toBe(text);
  });
});

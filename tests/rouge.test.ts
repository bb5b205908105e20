/**
 * Answer key for Q44, ROUGE. Worked examples matched exactly: the RougeScorer docstring sentence
 * pair (as fractions: 6/8, 6/9, 2/7, 2/8, 5/8, 5/9), rouge-score's own unit tests, the ROUGE-1.5.5
 * scores its tests pin on its test data, rougeLsum's example, and what the package's tokenizer does
 * to Chinese. Then properties against independent oracles: ROUGE-N's overlap against brute-force
 * multiset matching, ROUGE-L's LCS against all subsequences, the two-row LCS against the table;
 * invariants (identical texts score 1, swapping the texts swaps P and R, scores in [0, 1], the LCS
 * never exceeds the unigram overlap, rougeLsum = rougeL on one-line texts, the CJK tokenizer equals
 * rouge-score's on text without CJK); the memory of the two-row LCS as a counted bound; and the
 * pitfalls (unclipped counts, LCS on characters, swapped arguments, the package's tokenizer on
 * Chinese) rejected by the same properties. Input checks: tests/inputs/rouge.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
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
  type RougeScore,
  type Tokenizer,
} from '../ml/rouge.js';
import { Counter } from '../core/counter.js';
import { rejectsPitfall } from './support/answer-key.js';

const TARGET = 'The quick brown fox jumps over the lazy dog';
const PREDICTION = 'The quick brown dog jumps on the log.';
const f5 = (s: RougeScore) => [s.recall, s.precision, s.fmeasure].map((v) => v.toFixed(5));

// rouge-score's test data, google-research rouge/testdata/target.txt and prediction.txt (lines 1
// and 2: random strings), with the ROUGE-1.5.5 scores that rouge_scorer_test.py pins (R, P, F).
const TESTDATA = [
  {
    target:
      "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing " +
      "Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L",
    prediction: "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi",
    rouge1: ['0.40741', '0.68750', '0.51163'],
    rouge2: ['0.30769', '0.53333', '0.39024'],
    rougeL: ['0.40741', '0.68750', '0.51163'],
  },
  {
    target:
      'KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing ' +
      "sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing " +
      "tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu " +
      "pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN",
    prediction:
      'n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed ' +
      "HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD",
    rouge1: ['0.40476', '0.65385', '0.50000'],
    rouge2: ['0.29268', '0.48000', '0.36364'],
    rougeL: ['0.40476', '0.65385', '0.50000'],
  },
];

describe('worked examples', () => {
  it('the RougeScorer docstring pair: rouge1 6/8, 6/9; rouge2 2/7, 2/8; rougeL 5/8, 5/9', () => {
    const s = rougeScore(TARGET, PREDICTION);
    expect(s.rouge1).toEqual({ precision: 6 / 8, recall: 6 / 9, fmeasure: 12 / 17 });
    expect(s.rouge2!.precision).toBe(2 / 7);
    expect(s.rouge2!.recall).toBe(2 / 8);
    expect(s.rouge2!.fmeasure).toBeCloseTo(4 / 15, 15);
    expect(s.rougeL).toEqual({ precision: 5 / 8, recall: 5 / 9, fmeasure: 10 / 17 });
    // as printed to four places: .7500/.6667/.7059, .2857/.2500/.2667, .6250/.5556/.5882
    const four = Object.values(s).map((x) =>
      [x.precision, x.recall, x.fmeasure].map((v) => v.toFixed(4)).join('/'),
    );
    expect(four).toEqual(['0.7500/0.6667/0.7059', '0.2857/0.2500/0.2667', '0.6250/0.5556/0.5882']);
  });

  it('the docstring pair tokenized: lower-case, no "."; LCS "the quick brown jumps the"', () => {
    expect(rougeTokenize(PREDICTION)).toEqual([
      'the',
      'quick',
      'brown',
      'dog',
      'jumps',
      'on',
      'the',
      'log',
    ]);
    expect(lcsLength(rougeTokenize(TARGET), rougeTokenize(PREDICTION))).toBe(5);
  });

  it("rouge-score's LCS table test: [1..5] and [2, 5, 3, 4] share 3, [8, 9] nothing", () => {
    const ref = ['1', '2', '3', '4', '5'];
    const t = lcsTable(ref, ['2', '5', '3', '4']);
    expect([t.length, t[0]!.length, t[5]![4]]).toEqual([6, 5, 3]);
    expect(lcsLength(ref, ['8', '9'])).toBe(0);
  });

  it("rouge-score's unit tests: rouge1, rouge2, rougeL and the empty prediction", () => {
    expect(rougeScore('testing one two', 'testing', { types: ['rouge1'] }).rouge1).toEqual({
      precision: 1,
      recall: 1 / 3,
      fmeasure: 0.5,
    });
    const two = rougeScore('testing one two', 'testing one', { types: ['rouge2'] }).rouge2!;
    expect([two.precision, two.recall]).toEqual([1, 1 / 2]);
    expect(two.fmeasure).toBeCloseTo(2 / 3, 15);
    const lcs = rougeScore('testing one two', 'testing two', { types: ['rougeL'] }).rougeL!;
    expect([lcs.precision, lcs.recall]).toEqual([1, 2 / 3]);
    expect(lcs.fmeasure).toBeCloseTo(4 / 5, 15);
    const empty = rougeScore('testing one two', '', {
      types: ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'],
    });
    for (const s of Object.values(empty))
      expect(s).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
  });

  it.each(TESTDATA.map((d, i) => [i + 1, d] as const))(
    'ROUGE-1.5.5 on line %i of rouge-score test data (R, P, F to 5 places)',
    (_line, d) => {
      const s = rougeScore(d.target, d.prediction);
      expect(f5(s.rouge1!)).toEqual(d.rouge1);
      expect(f5(s.rouge2!)).toEqual(d.rouge2);
      expect(f5(s.rougeL!)).toEqual(d.rougeL);
    },
  );

  it('the ROUGE-1.5.5 line 1 scores are the fractions 11/27, 11/16 and 8/26, 8/15', () => {
    const s = rougeScore(TESTDATA[0]!.target, TESTDATA[0]!.prediction);
    expect([s.rouge1!.recall, s.rouge1!.precision]).toEqual([11 / 27, 11 / 16]);
    expect([s.rouge2!.recall, s.rouge2!.precision]).toEqual([8 / 26, 8 / 15]);
  });

  it("rougeLsum, rouge-score's example: w1..w5 against two sentences: R 4/5, P 4/10", () => {
    const s = rougeScore('w1 w2 w3 w4 w5', 'w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5', {
      types: ['rougeLsum'],
    });
    expect([s.rougeLsum!.recall, s.rougeLsum!.precision]).toEqual([0.8, 0.4]);
    expect(s.rougeLsum!.fmeasure.toFixed(4)).toBe('0.5333');
    // the same from its token-level test: refs [[1..5]], cans [[1,2,6,7,8],[1,3,8,9,5]]
    const sum = rougeLsum(
      [['1', '2', '3', '4', '5']],
      [
        ['1', '2', '6', '7', '8'],
        ['1', '3', '8', '9', '5'],
      ],
    );
    expect([sum.recall, sum.precision]).toEqual([0.8, 0.4]);
    expect(rougeScore('w1 w2 w3 w4 w5', '/', { types: ['rougeLsum'] }).rougeLsum!.fmeasure).toBe(0);
  });

  it("rouge-score's tokenizer drops Chinese (every score 0); the CJK tokenizer keeps it", () => {
    expect(rougeTokenize('今天天气很好')).toEqual([]);
    expect(rougeScore('今天天气很好', '今天天气很好').rouge1!.fmeasure).toBe(0);
    expect(cjkTokenize('今天天气很好, ROUGE-L!')).toEqual([
      '今',
      '天',
      '天',
      '气',
      '很',
      '好',
      'rouge',
      'l',
    ]);
    const zh = rougeScore('今天天气很好', '今天天气不错', { tokenizer: cjkTokenize });
    // 今 天 天 气 shared of 6 characters each; bigrams 今天 天天 天气 of 5
    expect([zh.rouge1!.precision, zh.rouge1!.recall, zh.rouge2!.precision]).toEqual([
      4 / 6,
      4 / 6,
      3 / 5,
    ]);
  });

  it('clipping: rougeN(["the", "cat"], ["the", "the", "the"], 1) has P 1/3, not 1', () => {
    expect(rougeN(['the', 'cat'], ['the', 'the', 'the'], 1).precision).toBe(1 / 3);
    expect(pitfallRougeNUnclipped(['the', 'cat'], ['the', 'the', 'the'], 1).precision).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Oracles: the clipped overlap as a brute-force matching of n-grams, and the LCS as the longest of
// all subsequences of the shorter list that is a subsequence of the other.

/** Each prediction n-gram takes one unused equal target n-gram: the size of a maximum matching. */
function matchedNgrams(target: string[], prediction: string[], n: number): number {
  const grams = (ts: string[]) =>
    Array.from({ length: Math.max(ts.length - n + 1, 0) }, (_, i) =>
      ts.slice(i, i + n).join('\u0000'),
    );
  const free = grams(target);
  let matched = 0;
  for (const g of grams(prediction)) {
    const k = free.indexOf(g);
    if (k >= 0) {
      free.splice(k, 1);
      matched++;
    }
  }
  return matched;
}

const isSubsequence = (sub: string[], of: string[]) => {
  let j = 0;
  for (const t of of) if (j < sub.length && sub[j] === t) j++;
  return j === sub.length;
};

/** The longest subsequence of the shorter list, of all 2^m, that is also one of the other. */
function bruteForceLcs(a: string[], b: string[]): number {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  let best = 0;
  for (let mask = 0; mask < 2 ** short.length; mask++) {
    const sub = short.filter((_, i) => (mask >> i) & 1);
    if (sub.length > best && isSubsequence(sub, long)) best = sub.length;
  }
  return best;
}

/** Token lists over a small vocabulary, so that n-grams and subsequences repeat. */
const tokens = (max: number) =>
  fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'the'), { maxLength: max });
const nArb = fc.integer({ min: 1, max: 4 });

/** Words as rouge-score sees them (lower-case after tokenizing), joined into a text with noise. */
const englishText = fc
  .array(fc.constantFrom('The', 'cat', 'sat', 'on', 'the', 'mat', 'dog', 'a', 'A', 'ran'), {
    maxLength: 10,
  })
  .chain((ws) =>
    fc
      .array(fc.constantFrom(' ', '  ', ', ', '. ', '-', '\n'), {
        minLength: ws.length,
        maxLength: ws.length,
      })
      .map((gaps) => ws.map((w, i) => w + gaps[i]).join('')),
  );

/** P = clipped overlap / prediction n-grams, R = overlap / target n-grams; overlap by matching. */
const ngramOracleProperty = (
  f: (t: readonly string[], p: readonly string[], n: number) => RougeScore,
) =>
  fc.property(tokens(10), tokens(10), nArb, (t, p, n) => {
    const overlap = matchedNgrams(t, p, n);
    const s = f(t, p, n);
    return (
      s.precision === overlap / Math.max(p.length - n + 1, 1) &&
      s.recall === overlap / Math.max(t.length - n + 1, 1)
    );
  });

/** ROUGE-L of texts equals the brute-force LCS of rouge-score's tokens over the token counts. */
const lcsOracleProperty = (f: (target: string, prediction: string) => RougeScore) =>
  fc.property(englishText, englishText, (target, prediction) => {
    const [t, p] = [rougeTokenize(target), rougeTokenize(prediction)];
    const s = f(target, prediction);
    if (t.length === 0 || p.length === 0) return s.precision === 0 && s.recall === 0;
    const lcs = bruteForceLcs(t, p);
    return s.precision === lcs / p.length && s.recall === lcs / t.length;
  });

describe('ROUGE-N against brute-force n-gram matching', () => {
  it('P and R are the clipped overlap over the prediction and the target n-grams', () => {
    fc.assert(ngramOracleProperty(rougeN), { seed: 44, numRuns: 300 });
  });

  test.prop([tokens(8), fc.constantFrom('a', 'b', 'the'), fc.integer({ min: 1, max: 6 })], {
    numRuns: 100,
  })('repeating a word k times never matches it more often than the target has it', (t, w, k) => {
    const s = rougeN(t, [...Array(k).fill(w)], 1);
    expect(s.precision * k).toBe(Math.min(k, t.filter((x) => x === w).length));
  });
});

describe('ROUGE-L against all subsequences', () => {
  test.prop([tokens(9), tokens(9)], { numRuns: 200 })(
    'lcsLength equals the brute-force LCS',
    (a, b) => {
      expect(lcsLength(a, b)).toBe(bruteForceLcs(a, b));
    },
  );

  it('rougeScore rougeL is the token LCS over the token counts', () => {
    fc.assert(
      lcsOracleProperty((t, p) => rougeScore(t, p, { types: ['rougeL'] }).rougeL!),
      { seed: 44, numRuns: 200 },
    );
  });

  test.prop([tokens(40), tokens(40)], { numRuns: 200 })(
    'the two-row LCS equals the table, and rougeLTwoRows equals rougeL',
    (a, b) => {
      expect(lcsLengthTwoRows(a, b)).toBe(lcsLength(a, b));
      expect(rougeLTwoRows(a, b)).toEqual(rougeL(a, b));
    },
  );
});

describe('invariants', () => {
  test.prop([tokens(12).filter((t) => t.length > 0), nArb], { numRuns: 100 })(
    'a text scored against itself scores 1 (when it has an n-gram)',
    (t, n) => {
      if (t.length >= n) expect(rougeN(t, t, n)).toEqual({ precision: 1, recall: 1, fmeasure: 1 });
      expect(rougeL(t, t)).toEqual({ precision: 1, recall: 1, fmeasure: 1 });
    },
  );

  test.prop([tokens(12), tokens(12), nArb], { numRuns: 200 })(
    'swapping target and prediction swaps precision and recall; F stays',
    (t, p, n) => {
      for (const [x, y] of [
        [rougeN(t, p, n), rougeN(p, t, n)],
        [rougeL(t, p), rougeL(p, t)],
      ] as const) {
        expect([x.precision, x.recall, x.fmeasure]).toEqual([y.recall, y.precision, y.fmeasure]);
      }
    },
  );

  test.prop([tokens(12), tokens(12), nArb], { numRuns: 200 })(
    'every score lies in [0, 1] and F lies between min(P, R) and max(P, R)',
    (t, p, n) => {
      for (const s of [rougeN(t, p, n), rougeL(t, p)]) {
        for (const v of [s.precision, s.recall, s.fmeasure]) expect(v >= 0 && v <= 1).toBe(true);
        expect(s.fmeasure).toBeGreaterThanOrEqual(Math.min(s.precision, s.recall) - 1e-15);
        expect(s.fmeasure).toBeLessThanOrEqual(Math.max(s.precision, s.recall) + 1e-15);
      }
    },
  );

  test.prop([tokens(12), tokens(12)], { numRuns: 200 })(
    'ROUGE-L never exceeds ROUGE-1: an LCS is a clipped unigram match',
    (t, p) => {
      expect(rougeL(t, p).recall).toBeLessThanOrEqual(rougeN(t, p, 1).recall);
    },
  );

  test.prop([englishText, englishText], { numRuns: 100 })(
    'rougeLsum equals rougeL when neither text has a line break',
    (target, prediction) => {
      const [t, p] = [target.replace(/\n/g, ' '), prediction.replace(/\n/g, ' ')];
      const s = rougeScore(t, p, { types: ['rougeL', 'rougeLsum'] });
      expect(s.rougeLsum).toEqual(s.rougeL);
    },
  );

  test.prop([englishText], { numRuns: 100 })(
    'the CJK tokenizer equals rouge-score on text without CJK',
    (text) => {
      expect(cjkTokenize(text)).toEqual(rougeTokenize(text));
    },
  );

  it('fMeasure is 2PR / (P + R) and 0 at P = R = 0', () => {
    expect(fMeasure(0, 0)).toBe(0);
    expect(fMeasure(1, 0)).toBe(0);
    expect(fMeasure(0.5, 0.5)).toBe(0.5);
  });
});

describe('memory, counted', () => {
  test.prop([tokens(40), tokens(40)], { numRuns: 100 })(
    'two rows allocate 2 (min(m, n) + 1) entries, not (m + 1)(n + 1), for m n cells',
    (a, b) => {
      const c = new Counter();
      lcsLengthTwoRows(a, b, c);
      expect(c.get('memory')).toBeLessThanOrEqual(2 * (Math.min(a.length, b.length) + 1));
      expect(c.get('cells')).toBe(a.length * b.length);
    },
  );
});

describe('the pitfalls', () => {
  it('rejects unclipped (pitfallRougeNUnclipped): a repeated n-gram counts too often', () => {
    const [t, p] = rejectsPitfall(ngramOracleProperty(pitfallRougeNUnclipped), {
      seed: 44,
      numRuns: 300,
    });
    expect(p.length).toBeGreaterThan(0);
    expect(t.length).toBeGreaterThan(0);
  });

  it('rejects swapped arguments (pitfallRougeNSwapped): P and R trade places', () => {
    const [t, p, n] = rejectsPitfall(ngramOracleProperty(pitfallRougeNSwapped), {
      seed: 44,
      numRuns: 300,
    });
    expect(Math.max(t.length - n + 1, 1)).not.toBe(Math.max(p.length - n + 1, 1));
  });

  it('rejects the LCS of characters (pitfallRougeLOnCharacters): ROUGE-L is over words', () => {
    rejectsPitfall(lcsOracleProperty(pitfallRougeLOnCharacters), { seed: 44, numRuns: 200 });
  });

  /** A text scored against itself scores 1 under `tokenizer` (texts with a CJK token). */
  const identityProperty = (tokenizer: Tokenizer) =>
    fc.property(
      fc.array(fc.constantFrom('今', '天', '气', '好', '。', 'ok', ' '), {
        minLength: 1,
        maxLength: 12,
      }),
      (chars) => {
        const text = chars.join('');
        if (cjkTokenize(text).length === 0) return true;
        return rougeScore(text, text, { types: ['rouge1'], tokenizer }).rouge1!.fmeasure === 1;
      },
    );

  it('identical Chinese texts score 1 with the CJK tokenizer', () => {
    fc.assert(identityProperty(cjkTokenize), { seed: 44, numRuns: 100 });
  });

  it("rejects rouge-score's tokenizer on Chinese: identical texts score 0", () => {
    const [chars] = rejectsPitfall(identityProperty(rougeTokenize), { seed: 44, numRuns: 100 });
    expect(rougeTokenize(chars.join(''))).toEqual([]);
  });
});

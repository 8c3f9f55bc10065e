// The shadow evaluation's numbers and reports: wins need both orders of the judge, the bootstrap interval
// is reproducible and behaves like one, the length-controlled rate removes a preference for longer answers,
// and the HTML page is offline and escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, htmlReport, textReport } from '../src/learning/eval-report.js';
import {
  type JudgedPair,
  outcomeOf,
  type PairOutcome,
  type SideFacts,
  summarise,
  type Verdict,
  verdictOf,
} from '../src/learning/eval-stats.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

function facts(overrides: Partial<SideFacts> = {}): SideFacts {
  return { latencyMs: 100, inputTokens: 50, outputTokens: 20, cost: null, answerChars: 400, ...overrides };
}

let nextId = 0;
function pair(first: Verdict, swapped: Verdict, primary: Partial<SideFacts> = {}, shadow: Partial<SideFacts> = {}) {
  nextId += 1;
  return { pairId: `pair-${nextId}`, first, swapped, primary: facts(primary), shadow: facts(shadow) } as JudgedPair;
}

/** The verdicts of a consistent judge for a wanted outcome. */
const verdictsFor: Record<PairOutcome, [Verdict, Verdict]> = {
  shadow: ['B', 'A'],
  primary: ['A', 'B'],
  tie: ['tie', 'tie'],
};

function pairsOf(outcomes: readonly PairOutcome[]): JudgedPair[] {
  return outcomes.map((outcome) => pair(...verdictsFor[outcome]));
}

/** `count` pairs drawn at random: shadow wins with probability `shadow`, ties with probability `tie`. */
function randomPairs(count: number, seed: number, shadow: number, tie: number): JudgedPair[] {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const draw = next();
    return pair(...verdictsFor[draw < shadow ? 'shadow' : draw < shadow + tie ? 'tie' : 'primary']);
  });
}

describe('a side wins a pair only when both orders of the judge name it', () => {
  // First order: A is the primary. Swapped order: A is the shadow.
  const table: [Verdict, Verdict, PairOutcome, boolean][] = [
    ['A', 'A', 'tie', true],
    ['A', 'B', 'primary', false],
    ['A', 'tie', 'tie', true],
    ['B', 'A', 'shadow', false],
    ['B', 'B', 'tie', true],
    ['B', 'tie', 'tie', true],
    ['tie', 'A', 'tie', true],
    ['tie', 'B', 'tie', true],
    ['tie', 'tie', 'tie', false],
  ];
  for (const [first, swapped, outcome, flip] of table) {
    it(`first ${first}, swapped ${swapped}: ${outcome}, ${flip ? 'a flip' : 'no flip'}`, () => {
      assert.equal(outcomeOf({ first, swapped }), outcome);
      assert.equal(summarise([pair(first, swapped)]).flip_rate, flip ? 1 : 0);
    });
  }

  it('a judge that always answers A (pure position bias) gives only ties and a flip rate of 1', () => {
    const report = summarise(Array.from({ length: 40 }, () => pair('A', 'A')));
    assert.equal(report.ties, 40);
    assert.equal(report.shadow_wins, 0);
    assert.equal(report.primary_wins, 0);
    assert.equal(report.flip_rate, 1);
    assert.equal(report.win_rate, 0.5);
  });

  it('a judge that prefers the shadow in both orders gives a win rate of 1 and a high interval', () => {
    const report = summarise(pairsOf(Array.from({ length: 50 }, () => 'shadow')));
    assert.equal(report.shadow_wins, 50);
    assert.equal(report.win_rate, 1);
    assert.equal(report.flip_rate, 0);
    assert.ok(report.ci95.low > 0.9, `ci95.low ${report.ci95.low}`);
  });

  it('counts a tie as half a win', () => {
    const report = summarise(pairsOf(['shadow', 'shadow', 'primary', 'tie']));
    assert.deepEqual([report.shadow_wins, report.primary_wins, report.ties], [2, 1, 1]);
    assert.equal(report.win_rate, 2.5 / 4);
  });
});

describe('the bootstrap interval is reproducible and behaves like a 95 % interval', () => {
  it('the same pairs and seed give the same interval', () => {
    const pairs = randomPairs(60, 7, 0.4, 0.2);
    assert.deepEqual(summarise(pairs, { seed: 42 }).ci95, summarise(pairs, { seed: 42 }).ci95);
    assert.deepEqual(summarise(pairs).ci95, summarise(pairs, { seed: 1 }).ci95);
    assert.equal(summarise(pairs).ci95.method, 'paired bootstrap');
  });

  it('contains the win rate', () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const next = random(seed * 101);
      const pairs = randomPairs(5 + Math.floor(next() * 200), seed, next() * 0.7, next() * 0.3);
      const report = summarise(pairs, { seed });
      assert.ok(
        report.ci95.low <= report.win_rate && report.win_rate <= report.ci95.high,
        `seed ${seed}: ${report.win_rate} outside ${report.ci95.low}–${report.ci95.high}`,
      );
    }
  });

  it('narrows as the pairs grow', () => {
    const widths = [20, 80, 320, 1280].map((count) => {
      const { ci95 } = summarise(randomPairs(count, 3, 0.45, 0.1));
      return ci95.high - ci95.low;
    });
    for (let index = 1; index < widths.length; index += 1)
      assert.ok(widths[index]! < widths[index - 1]!, `widths ${widths.join(', ')}`);
    // Roughly halves when the pairs quadruple (the standard error goes as 1/√n).
    assert.ok(widths[3]! < widths[0]! / 4, `widths ${widths.join(', ')}`);
  });

  it('with no pairs: win rate 0.5, interval [0, 1], nothing to measure', () => {
    const report = summarise([]);
    assert.equal(report.win_rate, 0.5);
    assert.deepEqual(report.ci95, { low: 0, high: 1, method: 'paired bootstrap' });
    assert.equal(report.length_controlled_win_rate, 0.5);
    assert.equal(report.flip_rate, 0);
    assert.deepEqual(report.latency_ms, { primary: { p50: 0, p99: 0 }, shadow: { p50: 0, p99: 0 } });
    assert.deepEqual(report.cost, { primary: null, shadow: null });
  });

  it('refuses a resample count that is not a positive integer', () => {
    assert.throws(() => summarise([], { resamples: 0 }), RangeError);
    assert.throws(() => summarise([], { resamples: 1.5 }), RangeError);
  });
});

describe('the length-controlled win rate removes a preference for longer answers', () => {
  it('is near 0.5 when the shadow wins exactly when its answer is longer, though most of its answers are', () => {
    // Symmetric at the boundary: as many pairs 100 characters each side of equal length. The excess of
    // longer shadow answers lies far from equal length, and is what makes the raw win rate 0.8.
    const pairs: JudgedPair[] = [];
    for (let index = 0; index < 10; index += 1) {
      pairs.push(pair('B', 'A', { answerChars: 500 }, { answerChars: 600 }));
      pairs.push(pair('A', 'B', { answerChars: 600 }, { answerChars: 500 }));
    }
    for (let index = 0; index < 30; index += 1)
      pairs.push(pair('B', 'A', { answerChars: 300 }, { answerChars: 700 + 20 * index }));
    const report = summarise(pairs);
    assert.equal(report.win_rate, 0.8);
    assert.ok(Math.abs(report.length_controlled_win_rate - 0.5) < 0.05, `${report.length_controlled_win_rate}`);
  });

  it('recovers an even rate from noisy verdicts that favour length, on lengths skewed towards the shadow', () => {
    const next = random(11);
    const pairs = Array.from({ length: 3000 }, () => {
      const difference = Math.round((next() * 2 - 0.5) * 400); // from -200 to +600 characters
      const shadowWins = next() < 1 / (1 + Math.exp(-difference / 100));
      const [first, swapped] = verdictsFor[shadowWins ? 'shadow' : 'primary'];
      return pair(first, swapped, { answerChars: 1000 }, { answerChars: 1000 + difference });
    });
    const report = summarise(pairs, { resamples: 200 });
    assert.ok(report.win_rate > 0.7, `raw ${report.win_rate}`);
    assert.ok(Math.abs(report.length_controlled_win_rate - 0.5) < 0.05, `${report.length_controlled_win_rate}`);
  });

  it('equals the raw win rate when every answer pair is of equal length', () => {
    const report = summarise(pairsOf(['shadow', 'shadow', 'shadow', 'primary', 'tie']));
    assert.ok(Math.abs(report.length_controlled_win_rate - report.win_rate) < 1e-9);
  });

  it('stays finite and near 1 when the shadow wins every pair', () => {
    const report = summarise(Array.from({ length: 10 }, (_, index) => pair('B', 'A', {}, { answerChars: index })));
    assert.ok(report.length_controlled_win_rate > 0.99 && report.length_controlled_win_rate <= 1);
  });
});

describe('the report holds exactly the agreed keys and per-side figures', () => {
  it('has exactly the top-level keys of the external check', () => {
    assert.deepEqual(
      Object.keys(summarise(randomPairs(10, 1, 0.5, 0.2))).sort(),
      [
        'pairs',
        'shadow_wins',
        'primary_wins',
        'ties',
        'win_rate',
        'ci95',
        'length_controlled_win_rate',
        'flip_rate',
        'latency_ms',
        'tokens',
        'cost',
      ].sort(),
    );
  });

  it('latency percentiles are nearest-rank, tokens and costs are means per answer', () => {
    const pairs = Array.from({ length: 100 }, (_, index) =>
      pair(
        'tie',
        'tie',
        { latencyMs: 100 - index, inputTokens: index, outputTokens: 2 * index, cost: index < 50 ? 1 : null },
        { latencyMs: (index + 1) * 10, inputTokens: 10, outputTokens: 30 },
      ),
    );
    const report = summarise(pairs);
    assert.deepEqual(report.latency_ms, { primary: { p50: 50, p99: 99 }, shadow: { p50: 500, p99: 990 } });
    assert.deepEqual(report.tokens, { primary: { input: 49.5, output: 99 }, shadow: { input: 10, output: 30 } });
    // Unpriced answers are left out of the mean, and a side with no priced answer has no cost.
    assert.deepEqual(report.cost, { primary: 1, shadow: null });
  });
});

describe('the verdict sentence says whether the shadow is within the margin at 95 %', () => {
  it('is not worse when the interval clears 0.5 − margin', () => {
    const report = summarise(randomPairs(400, 5, 0.45, 0.1));
    assert.ok(report.ci95.low >= 0.45);
    const verdict = verdictOf(report);
    assert.equal(verdict.notWorse, true);
    assert.match(
      verdict.sentence,
      /^The shadow candidate is not worse than the primary by more than 5 points, at 95 %/,
    );
    assert.match(verdict.sentence, /400 pairs, flip rate \d\.\d\d\)\.$/);
    assert.ok(verdict.sentence.includes(`${report.ci95.low.toFixed(2)}–${report.ci95.high.toFixed(2)}`));
  });

  it('cannot say so when the interval reaches below it, or with a tighter margin', () => {
    const few = summarise(randomPairs(20, 5, 0.45, 0.1));
    assert.ok(few.ci95.low < 0.45);
    assert.equal(verdictOf(few).notWorse, false);
    assert.match(verdictOf(few).sentence, /^The shadow candidate cannot be said to be within 5 points of the primary/);
    const many = summarise(randomPairs(400, 5, 0.45, 0.1));
    assert.equal(verdictOf(many, 0).notWorse, many.ci95.low >= 0.5);
    assert.match(verdictOf(many, 0.025).sentence, /2\.5 points/);
  });

  it('gives no verdict on a judge that contradicts itself or on too few consistent pairs', () => {
    const side = { latencyMs: 1, inputTokens: 1, outputTokens: 1, cost: null, answerChars: 10 };
    const alwaysA = Array.from({ length: 200 }, (_, index) => ({
      pairId: `p${index}`,
      first: 'A' as const,
      swapped: 'A' as const,
      primary: side,
      shadow: side,
    }));
    const biased = summarise(alwaysA);
    assert.equal(biased.ci95.low, 0.5, 'all ties: the interval collapses');
    assert.equal(verdictOf(biased).notWorse, false);
    assert.match(verdictOf(biased).sentence, /contradicted itself .* 100 % of pairs/);
    const few = summarise(
      Array.from({ length: 5 }, (_, index) => ({ ...alwaysA[index]!, first: 'tie' as const, swapped: 'tie' as const })),
    );
    assert.equal(verdictOf(few).notWorse, false);
    assert.match(verdictOf(few).sentence, /5 pairs were judged alike in both orders, and a verdict needs 20/);
  });

  it('with no pairs, cannot say so', () => {
    const verdict = verdictOf(summarise([]));
    assert.equal(verdict.notWorse, false);
    assert.match(verdict.sentence, /no judged pairs/);
  });
});

describe('the reports show the counts and the sentence; the HTML page is offline and escaped', () => {
  const report = summarise(
    randomPairs(120, 9, 0.4, 0.2).map((entry) => ({ ...entry, primary: facts({ cost: 0.0012 }) })),
  );
  const judge = '<b>&"';

  it('the HTML page fetches nothing and runs no script', () => {
    const html = htmlReport(report, { judge, alias: 'support', since: '2026-01-01' });
    assert.ok(!/https?:|\/\/|<script|src=/.test(html));
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<svg /);
    assert.match(html, /<style>/);
  });

  it('escapes the judge and alias names and shows the verdict sentence', () => {
    const html = htmlReport(report, { judge, alias: "it's <i>", since: '2026-01-01' });
    assert.ok(!html.includes(judge));
    assert.ok(html.includes('&lt;b&gt;&amp;&quot;'));
    assert.ok(html.includes('it&#39;s &lt;i&gt;'));
    assert.ok(html.includes(escapeHtml(verdictOf(report).sentence)));
    assert.ok(html.includes(`<td>${report.shadow_wins}</td>`));
  });

  it('the text report shows the counts, the figures per side and the sentence', () => {
    const text = textReport(report, { judge: 'judge-model', alias: 'support', margin: 0.05 });
    assert.ok(text.startsWith('Shadow evaluation of alias support, judged by judge-model\n'));
    assert.ok(text.includes(verdictOf(report).sentence));
    for (const [label, value] of [
      ['pairs', report.pairs],
      ['shadow wins', report.shadow_wins],
      ['primary wins', report.primary_wins],
      ['ties', report.ties],
    ] as const)
      assert.match(text, new RegExp(`^ {2}${label} +${value}$`, 'm'));
    assert.match(text, /cost \(mean\) +0\.0012 +no prices/);
  });
});

// The numbers of a shadow evaluation: each primary answer and its shadow answer are judged twice with the
// order swapped, and the judged pairs become a win rate with a bootstrap interval, a win rate controlled
// for answer length, a flip rate and per-side latency, tokens and cost. Pure: no I/O, no clock; the
// bootstrap draws from a seeded generator so the same pairs and seed always give the same report.

/** A judge's answer for one order: A is the answer shown first, B the one shown second. */
export type Verdict = 'A' | 'B' | 'tie';

/** What the gateway measured of one answer. */
export interface SideFacts {
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  /** In the price unit of the provider's config; null when the provider has no prices. */
  cost: number | null;
  answerChars: number;
}

/** `first`: primary shown as A, shadow as B. `swapped`: shadow shown as A, primary as B. */
export interface JudgedPair {
  pairId: string;
  first: Verdict;
  swapped: Verdict;
  primary: SideFacts;
  shadow: SideFacts;
}

export type PairOutcome = 'shadow' | 'primary' | 'tie';

export interface SideSummary {
  latency_ms: { p50: number; p99: number };
  /** Means per answer. */
  tokens: { input: number; output: number };
  /** Mean per answer over the answers that have a cost; null when none has. */
  cost: number | null;
}

export interface EvalReport {
  pairs: number;
  shadow_wins: number;
  primary_wins: number;
  ties: number;
  /** (shadow_wins + ties / 2) / pairs; 0.5 with no pairs. */
  win_rate: number;
  /** Percentile bootstrap over pairs; [0, 1] with no pairs. */
  ci95: { low: number; high: number; method: 'paired bootstrap' };
  /** The win rate a logistic fit on the length difference predicts for answers of equal length; 0.5 with no pairs. */
  length_controlled_win_rate: number;
  /** Share of pairs whose two verdicts, mapped to sides, are not equal; 0 with no pairs. */
  flip_rate: number;
  latency_ms: { primary: { p50: number; p99: number }; shadow: { p50: number; p99: number } };
  tokens: { primary: { input: number; output: number }; shadow: { input: number; output: number } };
  cost: { primary: number | null; shadow: number | null };
}

/** The side a verdict of the first order names (primary shown as A). */
function sideOfFirst(verdict: Verdict): PairOutcome {
  return verdict === 'A' ? 'primary' : verdict === 'B' ? 'shadow' : 'tie';
}

/** The side a verdict of the swapped order names (shadow shown as A). */
function sideOfSwapped(verdict: Verdict): PairOutcome {
  return verdict === 'A' ? 'shadow' : verdict === 'B' ? 'primary' : 'tie';
}

/**
 * A side wins a pair only when both orders name it: a judge that favours whichever answer it reads first
 * (position bias) then scores ties, not wins. Any disagreement, or a tie in either order, is a tie.
 */
export function outcomeOf(pair: Pick<JudgedPair, 'first' | 'swapped'>): PairOutcome {
  const first = sideOfFirst(pair.first);
  return first === sideOfSwapped(pair.swapped) ? first : 'tie';
}

/**
 * A flip: the two verdicts, mapped to sides, are not equal. So one side against the other is a flip, and so is
 * a tie in one order against a side in the other; a tie in both orders is not.
 */
function isFlip(pair: Pick<JudgedPair, 'first' | 'swapped'>): boolean {
  return sideOfFirst(pair.first) !== sideOfSwapped(pair.swapped);
}

const scoreOf: Record<PairOutcome, number> = { shadow: 1, primary: 0, tie: 0.5 };

/** mulberry32: a small 32-bit generator, good enough for resampling indices and reproducible from its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Nearest-rank percentile of ascending values: the value at rank ceil(p/100 · n); 0 when there are none. */
function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}

function sideSummary(answers: readonly SideFacts[]): SideSummary {
  const latencies = Float64Array.from(answers, (answer) => answer.latencyMs).sort();
  const costs = answers.flatMap((answer) => (answer.cost === null ? [] : [answer.cost]));
  return {
    latency_ms: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    tokens: {
      input: mean(answers.map((answer) => answer.inputTokens)),
      output: mean(answers.map((answer) => answer.outputTokens)),
    },
    // An answer without a cost is unpriced, not free: it is left out of the mean rather than counted as 0.
    cost: costs.length === 0 ? null : mean(costs),
  };
}

/**
 * Percentile bootstrap of the win rate: resample the pairs (each pair keeps its score, both orders together)
 * with replacement, take each resample's mean score, and read the 2.5th and 97.5th nearest-rank percentiles.
 */
function bootstrapInterval(scores: Float64Array, seed: number, resamples: number): { low: number; high: number } {
  const count = scores.length;
  if (count === 0) return { low: 0, high: 1 };
  const next = seededRandom(seed);
  const means = new Float64Array(resamples);
  for (let resample = 0; resample < resamples; resample += 1) {
    let total = 0;
    for (let draw = 0; draw < count; draw += 1) total += scores[Math.floor(next() * count)]!;
    means[resample] = total / count;
  }
  means.sort();
  return { low: percentile(means, 2.5), high: percentile(means, 97.5) };
}

/** Keeps the slope finite when length separates the outcomes perfectly, where the plain fit has no maximum. */
const slopeRidge = 1e-3;

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const exponential = Math.exp(z);
  return exponential / (1 + exponential);
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** Cross-entropy of fractional targets under the logistic model, plus the ridge on the slope. */
function penalisedLoss(intercept: number, slope: number, x: Float64Array, y: Float64Array): number {
  let total = 0.5 * slopeRidge * slope * slope;
  for (let index = 0; index < x.length; index += 1) {
    const z = intercept + slope * x[index]!;
    total += y[index]! * softplus(-z) + (1 - y[index]!) * softplus(z);
  }
  return total;
}

/**
 * Fits P(shadow wins) = sigmoid(intercept + slope · x) by Newton's method (IRLS), x being the length difference
 * in standard deviations, and returns the prediction at equal lengths, sigmoid(intercept). A tie is the target
 * 0.5, so it pulls the fit halfway rather than being dropped.
 */
function lengthControlledWinRate(y: Float64Array, lengthDifference: Float64Array): number {
  const count = y.length;
  if (count === 0) return 0.5;
  let average = 0;
  for (const difference of lengthDifference) average += difference / count;
  let variance = 0;
  for (const difference of lengthDifference) variance += (difference - average) ** 2 / count;
  const scale = variance > 0 ? Math.sqrt(variance) : 1;
  // Scaled, not centred: x = 0 must stay "answers of equal length", the point the rate is read at.
  const x = Float64Array.from(lengthDifference, (difference) => difference / scale);

  let intercept = 0;
  let slope = 0;
  let loss = penalisedLoss(intercept, slope, x, y);
  for (let iteration = 0; iteration < 200; iteration += 1) {
    let gradientIntercept = 0;
    let gradientSlope = -slopeRidge * slope;
    let hessian00 = 0;
    let hessian01 = 0;
    let hessian11 = slopeRidge;
    for (let index = 0; index < count; index += 1) {
      const xi = x[index]!;
      const p = sigmoid(intercept + slope * xi);
      const residual = y[index]! - p;
      const weight = p * (1 - p);
      gradientIntercept += residual;
      gradientSlope += residual * xi;
      hessian00 += weight;
      hessian01 += weight * xi;
      hessian11 += weight * xi * xi;
    }
    if (Math.max(Math.abs(gradientIntercept), Math.abs(gradientSlope)) < 1e-10 * count) break;
    const determinant = hessian00 * hessian11 - hessian01 * hessian01;
    if (!(determinant > 0 && Number.isFinite(determinant))) break;
    const stepIntercept = (hessian11 * gradientIntercept - hessian01 * gradientSlope) / determinant;
    const stepSlope = (hessian00 * gradientSlope - hessian01 * gradientIntercept) / determinant;
    // A full Newton step overshoots on (nearly) separable data; halve it until the loss does not rise.
    let fraction = 1;
    let accepted = false;
    for (let halving = 0; halving < 40 && !accepted; halving += 1) {
      const candidate = penalisedLoss(intercept + fraction * stepIntercept, slope + fraction * stepSlope, x, y);
      if (candidate <= loss) {
        intercept += fraction * stepIntercept;
        slope += fraction * stepSlope;
        loss = candidate;
        accepted = true;
      } else fraction /= 2;
    }
    if (!accepted || Math.max(Math.abs(fraction * stepIntercept), Math.abs(fraction * stepSlope)) < 1e-12) break;
  }
  return sigmoid(intercept);
}

/** Summarises judged pairs. Nothing is rounded here: the report writers round for display. */
export function summarise(
  pairs: readonly JudgedPair[],
  options: { seed?: number; resamples?: number } = {},
): EvalReport {
  const seed = options.seed ?? 1;
  const resamples = options.resamples ?? 2000;
  if (!(Number.isInteger(resamples) && resamples >= 1))
    throw new RangeError(`resamples must be a positive integer, not ${resamples}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, not ${seed}`);

  const count = pairs.length;
  const scores = new Float64Array(count);
  const lengthDifference = new Float64Array(count);
  const wins: Record<PairOutcome, number> = { shadow: 0, primary: 0, tie: 0 };
  let flips = 0;
  pairs.forEach((pair, index) => {
    const outcome = outcomeOf(pair);
    wins[outcome] += 1;
    if (isFlip(pair)) flips += 1;
    scores[index] = scoreOf[outcome];
    lengthDifference[index] = pair.shadow.answerChars - pair.primary.answerChars;
  });

  const primary = sideSummary(pairs.map((pair) => pair.primary));
  const shadow = sideSummary(pairs.map((pair) => pair.shadow));
  return {
    pairs: count,
    shadow_wins: wins.shadow,
    primary_wins: wins.primary,
    ties: wins.tie,
    win_rate: count === 0 ? 0.5 : (wins.shadow + 0.5 * wins.tie) / count,
    ci95: { ...bootstrapInterval(scores, seed, resamples), method: 'paired bootstrap' },
    length_controlled_win_rate: lengthControlledWinRate(scores, lengthDifference),
    flip_rate: count === 0 ? 0 : flips / count,
    latency_ms: { primary: primary.latency_ms, shadow: shadow.latency_ms },
    tokens: { primary: primary.tokens, shadow: shadow.tokens },
    cost: { primary: primary.cost, shadow: shadow.cost },
  };
}

/** 0.05 as "5", 0.025 as "2.5". */
function points(margin: number): string {
  return String(Number((margin * 100).toFixed(2)));
}

/**
 * The verdict sentence: is the shadow not worse than the primary by more than `margin` (default 0.05) at 95 %,
 * that is ci95.low >= 0.5 - margin. With no pairs there is no evidence, so the answer is no.
 */
/** Pairs on which the judge must agree with itself (both orders) before a verdict is given. */
export const minimumConsistentPairs = 20;
/** Past this share of pairs judged differently in the two orders, the judge is not informative enough. */
export const maximumFlipRate = 0.5;

/**
 * The verdict sentence. "Not worse" needs the interval's low end at or above 0.5 − margin, and a judge worth hearing:
 * at least `minimumConsistentPairs` pairs judged alike in both orders, and a flip rate at most `maximumFlipRate`. A
 * judge that always answers "A" (every pair a flip, all ties) gives an interval of 0.50–0.50, which alone would read
 * as "not worse"; it says nothing.
 */
export function verdictOf(report: EvalReport, margin = 0.05): { notWorse: boolean; sentence: string } {
  if (!(Number.isFinite(margin) && margin >= 0 && margin <= 0.5))
    throw new RangeError(`margin must be between 0 and 0.5, not ${margin}`);
  const within = `within ${points(margin)} points of the primary at 95 %`;
  if (report.pairs === 0)
    return { notWorse: false, sentence: `The shadow candidate cannot be said to be ${within} (no judged pairs yet).` };
  const evidence = `win rate ${report.win_rate.toFixed(2)}, 95 % interval ${report.ci95.low.toFixed(2)}–${report.ci95.high.toFixed(2)}, ${report.pairs} ${report.pairs === 1 ? 'pair' : 'pairs'}, flip rate ${report.flip_rate.toFixed(2)}`;
  const consistent = Math.round(report.pairs * (1 - report.flip_rate));
  if (report.flip_rate > maximumFlipRate)
    return {
      notWorse: false,
      sentence: `The shadow candidate cannot be said to be ${within}: the judge contradicted itself when the order was swapped on ${Math.round(report.flip_rate * 100)} % of pairs (${evidence}).`,
    };
  if (consistent < minimumConsistentPairs)
    return {
      notWorse: false,
      sentence: `The shadow candidate cannot be said to be ${within} yet: ${consistent} ${consistent === 1 ? 'pair was' : 'pairs were'} judged alike in both orders, and a verdict needs ${minimumConsistentPairs} (${evidence}).`,
    };
  const notWorse = report.ci95.low >= 0.5 - margin;
  const sentence = notWorse
    ? `The shadow candidate is not worse than the primary by more than ${points(margin)} points, at 95 % (${evidence}).`
    : `The shadow candidate cannot be said to be ${within} (${evidence}).`;
  return { notWorse, sentence };
}

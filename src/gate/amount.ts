// An action's amount as an exact decimal. It arrives as a JSON number or a decimal string, and a
// rule's `amount_over` is compared with it digit for digit (scaled BigInt), never as doubles: a
// threshold is a security boundary, and 10000.000001 must be over 10000 however it was written.

/** value = units × 10^-scale, scale ≥ 0. */
export interface Decimal {
  units: bigint;
  scale: number;
}

export interface Amount {
  /** Exactly as sent: what params_sha256 commits to and what the downstream receives. */
  sent: number | string;
  value: Decimal;
}

/** A decimal string as the API accepts it: JSON's number syntax without an exponent ("12.50", "-3"). */
export const decimalStringPattern = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/** Longer strings are refused: an attacker must not make the gate scale huge integers. */
export const maxDecimalStringLength = 100;

// What String(n) prints for a finite double: "1250.5", "1e+21", "1.5e-7", "5e-324".
const numberText = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:e([+-]?[0-9]+))?$/;

function parseDecimal(text: string): Decimal | undefined {
  const parts = numberText.exec(text);
  if (!parts) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = parts;
  const exponent = Number(exponentText);
  // A double's shortest text never needs more than ±324; anything else is not a number we were sent.
  if (!Number.isInteger(exponent) || Math.abs(exponent) > 400) return undefined;
  let units = BigInt(`${sign}${whole}${fraction}`);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** A JSON number, compared as its shortest decimal text (String(n)), exponent forms included. */
export function decimalOfNumber(value: number): Decimal | undefined {
  return Number.isFinite(value) ? parseDecimal(String(value)) : undefined;
}

/** A decimal string in the accepted syntax, or undefined ("ten", "1e3", "", " 12", "+5", "12.", ".5"). */
export function decimalOfString(text: string): Decimal | undefined {
  if (text.length > maxDecimalStringLength || !decimalStringPattern.test(text)) return undefined;
  return parseDecimal(text);
}

/** The amount as sent, with its exact value; undefined when it is not an amount. */
export function amountOf(sent: number | string): Amount | undefined {
  const value = typeof sent === 'number' ? decimalOfNumber(sent) : decimalOfString(sent);
  return value && { sent, value };
}

/** Negative, zero or positive as a is below, equal to or above b. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const left = a.units * 10n ** BigInt(scale - a.scale);
  const right = b.units * 10n ** BigInt(scale - b.scale);
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * Whether a rule's `amount_over` lets this amount through to the rule: strictly above the
 * threshold, or no amount at all (an unknown amount is not shown to be small).
 */
export function amountMatches(amount: Amount | null, threshold: Decimal | undefined): boolean {
  if (threshold === undefined || amount === null) return true;
  return compareDecimals(amount.value, threshold) > 0;
}

/**
 * The amount as the store and the ledger entry keep it (a number); the exact text stays in params_sha256 and the
 * payload.
 */
export function recordedAmount(amount: Amount | null): number | null {
  if (amount === null) return null;
  const value = typeof amount.sent === 'number' ? amount.sent : Number(amount.sent);
  // -0 (a JSON -0, or "-0.00") is zero: one value, one record, whichever store or encoder keeps it.
  return Object.is(value, -0) ? 0 : value;
}

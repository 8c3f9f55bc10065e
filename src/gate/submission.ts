// What the gate is asked to decide: a typed submission (already parsed and validated by api/), who
// sent it, and the rules (`actions.rules`) that say what it needs. First matching rule wins.
import { amountMatches, decimalOfNumber, type Amount, type Decimal } from './amount.js';

export type Requirement = 'none' | 'receipt' | 'approval' | 'receipt_and_approval';

export interface GateRule {
  match: { action?: string[]; tool?: string[]; agent?: string[]; amount_over?: number };
  require: Requirement;
}

/** `actions` of the config. */
export interface GateSettings {
  downstream?: string;
  downstream_timeout_ms: number;
  halt_timeout_s: number;
  receipt_max_age_s: number;
  trusted_keys: string[];
  rules: GateRule[];
  simulation?: { policy_hash: string; signature: string };
}

export interface Submitter {
  /** The API key's id; null without auth. */
  keyId: string | null;
  name: string;
}

export interface Approver {
  keyId: string;
  name: string;
}

/** Where a submission came from: the ledger entry names the request and commits to its exact bytes. */
export interface Origin {
  requestId: string;
  submitter: Submitter;
  /** Hex SHA-256 of the request body as received, or '' when there is none (recovery, timers). */
  requestSha256: string;
}

/** POST /v1/actions. */
export interface ActionSubmission {
  agentId: string;
  action: string;
  params: Record<string, unknown> | undefined;
  amount: Amount | null;
  /** The receipt as sent, unverified: checking it (shape, key, signature, fit) is the gate's decision. */
  receipt: unknown;
}

/** POST /api/v1/veritas-test. */
export interface VeritasSubmission {
  agentId: string;
  action: string;
  params: Record<string, unknown> | undefined;
  amount: Amount | null;
  /** The whole body as parsed: the receipt's signature covers every field of it, unknown ones too. */
  signed: Record<string, unknown>;
}

export interface MatchedRule {
  index: number;
  requirement: Requirement;
}

/** The rules with their thresholds as exact decimals, made once when the gate is built. */
export class RuleBook {
  private readonly thresholds: ReadonlyArray<Decimal | undefined>;

  constructor(private readonly rules: readonly GateRule[]) {
    this.thresholds = rules.map((rule, index) => {
      const over = rule.match.amount_over;
      if (over === undefined) return undefined;
      const threshold = decimalOfNumber(over);
      if (!threshold) throw new Error(`actions.rules[${index}].match.amount_over: ${over} is not a finite number`);
      return threshold;
    });
  }

  /** The first rule this action matches, or undefined (and then it is denied: the gate fails closed). */
  ruleFor(agentId: string, action: string, amount: Amount | null): MatchedRule | undefined {
    const index = this.rules.findIndex(({ match }, position) => {
      // Rules naming tools govern tool calls only.
      if (match.tool) return false;
      if (match.action && !match.action.includes(action)) return false;
      if (match.agent && !match.agent.includes(agentId)) return false;
      return amountMatches(amount, this.thresholds[position]);
    });
    return index < 0 ? undefined : { index, requirement: this.rules[index]!.require };
  }

  /**
   * What an MCP tool call needs: the first rule whose `match.tool` names it (and whose `agent`, if any, names the key).
   * With no rule naming tools at all, a tool an owned server marks read-only (`readOnly`) needs nothing and any other an approval; once
   * rules name tools, a tool none of them names is denied (undefined): the gate fails closed.
   */
  toolRuleFor(agentId: string, tool: string, readOnly: boolean): MatchedRule | undefined {
    if (!this.rules.some((rule) => rule.match.tool)) return { index: -1, requirement: readOnly ? 'none' : 'approval' };
    const index = this.rules.findIndex(({ match }) => {
      if (!match.tool?.some((pattern) => globMatches(pattern, tool))) return false;
      return !match.agent || match.agent.includes(agentId);
    });
    return index < 0 ? undefined : { index, requirement: this.rules[index]!.require };
  }
}

/** `*` matches any run of characters; everything else itself. */
export function globMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*');
  if (!name.startsWith(parts[0]!) || !name.endsWith(parts.at(-1)!)) return false;
  let at = parts[0]!.length;
  for (const part of parts.slice(1, -1)) {
    const found = name.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return at <= name.length - parts.at(-1)!.length;
}

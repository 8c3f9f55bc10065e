// The sovereignty policy: rules over request labels × the provider catalogue → which providers may
// see a request. First matching rule wins; no matching rule, or no allowed provider, refuses: the
// gateway fails closed. The policy's identity is the SHA-256 of its RFC 8785 form. Pure: no I/O.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import type { z } from 'zod';
import type { ProviderDescription } from '../core/provider.js';
import type { policyRuleSchema, policySchema, providerFilterSchema } from './policy-schema.js';

/** Which providers a rule lets see a request. */
export type ProviderFilter = z.input<typeof providerFilterSchema>;
export type PolicyRule = z.input<typeof policyRuleSchema>;
/** The policy as the config gives it (z.input: `on_no_provider` may be left to its default). */
export type PolicyDocument = z.input<typeof policySchema>;

/** With no policy configured, every provider may see every request (labels are still recorded). */
export const openPolicy: PolicyDocument = { name: 'open', rules: [{ when: {}, allow: {} }] };

export function policyHash(policy: PolicyDocument): string {
  return `sha256:${createHash('sha256').update(canonicalJson(policy)).digest('hex')}`;
}

/** A label pattern matches the label itself and its descendants: `pii` matches `pii.email`. */
export function labelMatches(pattern: string, label: string): boolean {
  return (
    label === pattern || (label.length > pattern.length && label.startsWith(pattern) && label[pattern.length] === '.')
  );
}

function ruleMatches(rule: PolicyRule, labels: readonly string[]): boolean {
  const any = rule.when.labels_any;
  const all = rule.when.labels_all;
  if (any && !any.some((pattern) => labels.some((label) => labelMatches(pattern, label)))) return false;
  if (all && !all.every((pattern) => labels.some((label) => labelMatches(pattern, label)))) return false;
  return true;
}

/** Why a filter refuses a provider, or undefined if it allows it. */
export function refusalReason(filter: ProviderFilter, provider: ProviderDescription): string | undefined {
  if (filter.ownership && !filter.ownership.includes(provider.ownership))
    return `ownership ${provider.ownership} is not one of ${filter.ownership.join(', ')}`;
  if (filter.jurisdiction && !filter.jurisdiction.includes(provider.jurisdiction))
    return `jurisdiction ${provider.jurisdiction} is not one of ${filter.jurisdiction.join(', ')}`;
  if (filter.not_jurisdiction?.includes(provider.jurisdiction))
    return `jurisdiction ${provider.jurisdiction} is excluded`;
  if (filter.operator && !filter.operator.includes(provider.operator))
    return `operator ${provider.operator} is not one of ${filter.operator.join(', ')}`;
  return undefined;
}

export interface PolicyDecision {
  /** Index of the rule that matched, or -1 when none did. */
  ruleIndex: number;
  /** `allow`: send as is to `allowed`; `redact`: send redacted to `allowed`; `refuse`: send nowhere. */
  mode: 'allow' | 'redact' | 'refuse';
  allowed: string[];
  refused: Array<{ provider: string; reason: string }>;
  /** Why, in words safe to show a client (labels and rule, never the matched text). */
  explanation: string;
}

export function decide(
  policy: PolicyDocument,
  labels: readonly string[],
  providers: readonly ProviderDescription[],
): PolicyDecision {
  const ruleIndex = policy.rules.findIndex((rule) => ruleMatches(rule, labels));
  const labelText = labels.length > 0 ? labels.join(', ') : 'none';
  if (ruleIndex < 0) {
    return {
      ruleIndex,
      mode: 'refuse',
      allowed: [],
      refused: providers.map((provider) => ({ provider: provider.id, reason: 'no policy rule matches the request' })),
      explanation: `No rule of policy "${policy.name}" matches the request (labels: ${labelText}).`,
    };
  }
  const rule = policy.rules[ruleIndex]!;
  const allowed: string[] = [];
  const refused: PolicyDecision['refused'] = [];
  for (const provider of providers) {
    const reason = refusalReason(rule.allow, provider);
    if (reason) refused.push({ provider: provider.id, reason });
    else allowed.push(provider.id);
  }
  const ruleName = `rule ${ruleIndex + 1} of policy "${policy.name}"`;
  if (allowed.length > 0)
    return {
      ruleIndex,
      mode: 'allow',
      allowed,
      refused,
      explanation: `${ruleName} allows ${allowed.join(', ')} (labels: ${labelText}).`,
    };
  if (rule.on_no_provider === 'redact' && rule.redact_allow) {
    const redactable = providers
      .filter((provider) => refusalReason(rule.redact_allow!, provider) === undefined)
      .map((provider) => provider.id);
    if (redactable.length > 0) {
      return {
        ruleIndex,
        mode: 'redact',
        allowed: redactable,
        refused: refused.filter((entry) => !redactable.includes(entry.provider)),
        explanation: `${ruleName} allows no provider for labels ${labelText}; the request is redacted for ${redactable.join(', ')}.`,
      };
    }
  }
  return {
    ruleIndex,
    mode: 'refuse',
    allowed: [],
    refused,
    explanation: `${ruleName} allows no candidate for a request with labels ${labelText}.`,
  };
}

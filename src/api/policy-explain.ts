// POST /v1/policy/explain: what the policy would do with a request, without calling any provider —
// the labels found, the rule that matched, every candidate allowed or refused and why, the policy hash.
import type { Exchange, Reply } from './exchange.js';
import { labelLocations } from '../pipeline/classify.js';
import { declaredLabels } from './declared-labels.js';
import { parseChatRequest } from './openai-chat.js';

export async function handlePolicyExplain(exchange: Exchange): Promise<Reply> {
  const request = parseChatRequest(exchange.body);
  const { gateway } = exchange;
  const plan = await gateway.planChat(request, declaredLabels(exchange.request, request.declaredLabels));
  const findings = labelLocations(plan.classification);
  const { decision } = plan;
  const refused = new Map(decision.refused.map((entry) => [entry.provider, entry.reason]));
  const rule = decision.ruleIndex >= 0 ? gateway.policy.rules[decision.ruleIndex] : undefined;
  return {
    status: 200,
    body: JSON.stringify({
      model: request.model,
      labels: plan.classification.labels,
      findings: findings.locations,
      ...(findings.omitted > 0 ? { findings_omitted: findings.omitted } : {}),
      ...(plan.deepScan ? { deep_scan: plan.deepScan } : {}),
      rule: rule ? { number: decision.ruleIndex + 1, ...rule } : null,
      mode: decision.mode,
      candidates: plan.all.map((candidate) => {
        const id = candidate.provider.description.id;
        const allowed = decision.allowed.includes(id);
        const { jurisdiction, operator, ownership } = candidate.provider.description;
        return {
          candidate: candidate.name,
          provider: id,
          jurisdiction,
          operator,
          ownership,
          allowed,
          ...(allowed ? {} : { reason: refused.get(id) ?? 'not allowed' }),
        };
      }),
      explanation: decision.explanation,
      policy: { name: gateway.policy.name, hash: gateway.policyHash },
    }),
  };
}

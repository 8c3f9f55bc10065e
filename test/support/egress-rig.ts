// The egress rig the policy tests share: an owned provider that is down, a rented OpenAI-compatible provider and a
// rented Anthropic one, and a policy that keeps personal data and secrets on owned providers. Without the policy,
// every call would fall back to a rented provider, so whatever reaches one is what the policy let through.
import { startAnthropicDouble } from '../doubles/anthropic-upstream.js';
import type { Double } from '../doubles/http-double.js';
import { startOpenAIDouble } from '../doubles/openai-upstream.js';
import { providerEntry, startTestGateway, type TestGateway } from '../helpers.js';

export interface EgressRig {
  gateway: TestGateway;
  /** `own` (SA, owned): answers 503 until a test says otherwise. */
  owned: Double;
  /** `cloud` (US, rented, OpenAI-compatible). */
  rented: Double;
  /** `claude` (US, rented, Anthropic). */
  rentedClaude: Double;
  /** The owned provider down again, and what every double received forgotten. */
  reset(): void;
  close(): Promise<void>;
}

export async function startEgressRig(): Promise<EgressRig> {
  const owned = await startOpenAIDouble();
  const rented = await startOpenAIDouble();
  const rentedClaude = await startAnthropicDouble();
  const doubles = [owned, rented, rentedClaude];
  owned.setDefault({ kind: 'status', status: 503 });
  const gateway = await startTestGateway(
    {
      providers: [
        providerEntry('own', owned.url, { jurisdiction: 'SA', ownership: 'owned' }),
        providerEntry('cloud', rented.url, { jurisdiction: 'US', ownership: 'rented', operator: 'Cloud Inc' }),
        {
          ...providerEntry('claude', rentedClaude.url, {
            kind: 'anthropic',
            jurisdiction: 'US',
            ownership: 'rented',
            operator: 'Claude Inc',
          }),
          api_key_env: 'CLAUDE_KEY',
        },
      ],
      models: {
        default: { candidates: ['own/m1', 'cloud/m1'] },
        claude: { candidates: ['own/m1', 'claude/m1'] },
        away: { candidates: ['cloud/m1'] },
      },
      // No retries, and a breaker that never opens: every call tries the owned provider, then falls back.
      routing: { retries: 0, attempt_timeout_ms: 2_000, breaker: { failures: 1_000_000 } },
      policy: {
        name: 'owned-pii',
        rules: [
          { when: { labels_any: ['pii', 'secret'] }, allow: { ownership: ['owned'] } },
          { when: {}, allow: {} },
        ],
      },
    },
    { env: { CLAUDE_KEY: 'k' } },
  );
  return {
    gateway,
    owned,
    rented,
    rentedClaude,
    reset() {
      owned.setDefault({ kind: 'status', status: 503 });
      for (const double of doubles) double.received.length = 0;
    },
    async close() {
      await gateway.close();
      for (const double of doubles) await double.close();
    },
  };
}

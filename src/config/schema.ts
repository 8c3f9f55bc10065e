// The config file's one source of truth: types, validation and the editor JSON Schema all come from here.
// Unknown keys are errors (a misspelled `jurisdication` must not be silently ignored).
import { z } from 'zod';
import { checkConfiguredUrl } from '../core/address-guard.js';
import {
  defaultMaxAnswerBytes,
  environmentNameSchema,
  jurisdictionSchema,
  ownershipSchema,
  type ProviderKind,
} from '../providers/provider-kind.js';
import { providerKind, providerKinds } from '../providers/registry.js';
import { nerSchema, policySchema } from '../policy/policy-schema.js';

export { jurisdictionSchema, nerSchema, ownershipSchema };

const listenSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8300 or [::1]:8300');

// ---- Providers: one entry schema per kind of the registry (src/providers/registry.ts), told apart by `kind` ----

type Kind = (typeof providerKinds)[number];
type KeysOf<K> = K extends { settings: z.ZodObject<infer Shape, any> } ? keyof Shape & string : never;
/** Keys some other kind takes: in this kind's entry they may only be absent. */
type ForeignKeys<K> = { [Key in Exclude<KeysOf<Kind>, KeysOf<K>>]?: undefined };
type Flat<T> = { [Key in keyof T]: T[Key] } & {};
type EntryOf<K, Side extends 'in' | 'out'> = K extends { settings: infer Settings extends z.ZodType }
  ? Flat<(Side extends 'out' ? z.output<Settings> : z.input<Settings>) & ForeignKeys<K>>
  : never;
/** A provider entry of the config: one kind's settings (the other kinds' own keys absent). */
export type ProviderConfig = EntryOf<Kind, 'out'>;

/**
 * Each kind's settings, with the keys only other kinds take admitted as absent, so that a key on
 * the wrong kind is an error naming its path and the kinds it applies to (rather than an unknown key).
 */
function providerEntrySchema(): z.ZodType<ProviderConfig, EntryOf<Kind, 'in'>> {
  const takenBy = new Map<string, string[]>();
  for (const kind of providerKinds)
    for (const key of Object.keys(kind.settings.shape)) takenBy.set(key, [...(takenBy.get(key) ?? []), kind.kind]);
  const names = providerKinds.map((kind) => JSON.stringify(kind.kind)).join(' | ');
  const entries = providerKinds.map((kind: ProviderKind) => {
    const own = kind.settings.shape as Record<string, unknown>;
    const foreign = [...takenBy]
      .filter(([key]) => !(key in own))
      .map(([key, kinds]) => [key, z.never({ error: foreignKeyMessage(kind, kinds) }).optional()]);
    return kind.settings.extend(Object.fromEntries(foreign));
  });
  const union = z.discriminatedUnion('kind', entries as [z.ZodObject<any, any>, ...z.ZodObject<any, any>[]], {
    error: (issue) => (issue.code === 'invalid_union' ? `must be one of ${names}` : undefined),
  });
  // The runtime schema is exactly the union ProviderConfig spells out; zod cannot infer it from a list built in a loop.
  return union as unknown as z.ZodType<ProviderConfig, EntryOf<Kind, 'in'>>;
}

function foreignKeyMessage(kind: ProviderKind, takenBy: readonly string[]): string {
  if (takenBy.length === 1) return `applies to kind: ${takenBy[0]} only`;
  return `is not used by kind: ${kind.kind} (${kind.summary}); it applies to kind: ${takenBy.join(', ')}`;
}

export const providerSchema = providerEntrySchema();

/** The names a provider serves: its models, and whatever else its kind serves (a local provider's adapters). */
export function servedModels(provider: ProviderConfig): string[] {
  return providerKind(provider.kind).served?.(provider) ?? [...provider.models];
}

const labelListSchema = z.array(z.string().regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, 'must be a label such as pii.email'));

/** Capture of the text of calls for the learning loop (docs/learning.md); per alias, any field given overrides. */
const captureFields = {
  enabled: z.boolean().describe('Store the text of requests and answers that passed through, sealed at rest.'),
  retention_days: z.number().positive().max(36_500).describe('How long a capture is kept.'),
  exclude_labels: labelListSchema.describe(
    'Calls carrying any of these labels (or a label under one) are never captured.',
  ),
  redact_labels: labelListSchema.describe(
    'Values of these labels (or labels under them) are replaced by placeholders before a capture is stored.',
  ),
};
const captureSchema = z
  .strictObject({
    enabled: captureFields.enabled.default(false),
    retention_days: captureFields.retention_days.default(30),
    exclude_labels: captureFields.exclude_labels.default(['secret']),
    redact_labels: captureFields.redact_labels.default([]),
    max_pending: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('Captures waiting to be stored at once; past it a capture is dropped (and counted), never the call.'),
  })
  .prefault({})
  .describe('Capture of calls for feedback and datasets; off by default.');
const aliasCaptureSchema = z.strictObject({
  enabled: captureFields.enabled.optional(),
  retention_days: captureFields.retention_days.optional(),
  exclude_labels: captureFields.exclude_labels.optional(),
  redact_labels: captureFields.redact_labels.optional(),
});

const shadowSchema = z
  .strictObject({
    candidate: z
      .string()
      .min(1)
      .describe('An alias or provider/model that is sent a sample of this alias’s calls after their answer has left.'),
    fraction: z.number().min(0).max(1).describe('The share of calls shadowed, 0.0–1.0.'),
    timeout_ms: z.number().int().positive().default(60_000).describe('Deadline of one shadow call.'),
    max_concurrent: z
      .number()
      .int()
      .positive()
      .default(4)
      .describe('Shadow calls of this alias running at once; a sampled call past it is not shadowed.'),
  })
  .describe('Shadow traffic: the candidate answers the same prompts, captured as pairs for `sovereign eval shadow`.');

const metricSchema = z.strictObject({
  type: z.enum(['boolean', 'float']),
  optimize: z.enum(['max', 'min']).default('max'),
  level: z.enum(['inference', 'episode']).default('inference'),
});

const aliasSchema = z.strictObject({
  capture: aliasCaptureSchema.optional().describe('Overrides of the top-level capture settings for this alias.'),
  shadow: shadowSchema.optional(),
  candidates: z
    .array(z.string().regex(/^[a-z0-9-]+\/.+$/, 'must be provider/model'))
    .min(1, 'must list at least one candidate'),
  hedge_after_ms: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "Hedging, off by default: when the first candidate has not answered (or sent a stream's first byte) in this time, the next allowed one is started too, and the first to answer wins.",
    ),
});

/** A verifier key in the signed-note form name+hexid+base64 (checked in full when the gate starts). */
const verifierKeySchema = z
  .string()
  .regex(
    /^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+={0,2}$/,
    'must be a verifier key name+hexid+base64, as printed by `sovereign keys signing-key`',
  );
const actionRequirement = z.enum(['none', 'receipt', 'approval', 'receipt_and_approval']);
const actionsSchema = z.strictObject({
  downstream: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional()
    .describe('Where released (ALLOWed) actions are POSTed, once each.'),
  downstream_timeout_ms: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('Deadline of one forward to the downstream.'),
  halt_timeout_s: z
    .number()
    .positive()
    .max(7 * 86_400)
    .default(60)
    .describe("How long a HALTED action waits for a receipt's approval before it answers 408."),
  receipt_max_age_s: z
    .number()
    .int()
    .positive()
    .default(300)
    .describe("Oldest receipt accepted (its issued_at, or a compatibility receipt's GNSS time)."),
  trusted_keys: z.array(verifierKeySchema).default([]).describe('Verifier keys whose receipts are trusted.'),
  rules: z
    .array(
      z.strictObject({
        match: z.strictObject({
          action: z.array(z.string().min(1)).min(1).optional(),
          tool: z
            .array(z.string().min(1))
            .min(1)
            .optional()
            .describe(
              'MCP tools this rule governs, by prefixed name (`files__write_file`), `*` matching any characters (`crm__*`). A rule with `tool` matches tool calls only; one without, actions only.',
            ),
          agent: z.array(z.string().min(1)).min(1).optional(),
          amount_over: z
            .number()
            .optional()
            .describe(
              'Matches amounts strictly over this; an action without an amount matches too (an unknown amount is not shown to be small).',
            ),
        }),
        require: actionRequirement,
      }),
    )
    .default([{ match: {}, require: 'receipt' }])
    .describe('First match wins; an action no rule matches is denied.'),
  simulation: z
    .strictObject({ policy_hash: z.string().min(1), signature: z.string().min(1) })
    .optional()
    .describe(
      'Conformance drill mode for the compatibility endpoint: simulated receipts carrying exactly these placeholders are accepted. Off by default.',
    ),
});

// ---- MCP tool servers (src/mcp/): described like providers, reached over stdio or Streamable HTTP ----

const mcpDescription = {
  id: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and dashes ([a-z0-9-]): tools are named <id>__<tool>'),
  jurisdiction: jurisdictionSchema,
  operator: z.string().min(1, 'must name who runs it'),
  ownership: ownershipSchema,
  timeout_ms: z.number().int().positive().default(30_000).describe('The longest a tool call to this server may take.'),
  sampling: z
    .strictObject({
      model: z.string().min(1).describe('The alias (or provider/model) its completions are asked of.'),
      max_tokens: z.number().int().positive().max(32_768).default(1024),
    })
    .optional()
    .describe(
      "Lets this server ask for completions (sampling/createMessage): sent through the gateway's own chat path to this model, under the policy, recorded like any call. Without it, sampling is refused (as are elicitation and roots).",
    ),
};

export const mcpServerSchema = z.discriminatedUnion('transport', [
  z.strictObject({
    ...mcpDescription,
    transport: z.literal('stdio'),
    command: z
      .array(z.string().min(1))
      .min(1)
      .describe('The program and its arguments, started by the gateway (never through a shell).'),
    env: z
      .record(z.string(), z.string())
      .optional()
      .describe("The server's environment: only these, with PATH and HOME (the gateway's own secrets are not passed)."),
    env_from: z
      .record(z.string(), environmentNameSchema)
      .optional()
      .describe("Variables the server gets from the gateway's environment, by name (its secrets, never in the file)."),
    cwd: z.string().min(1).optional(),
  }),
  z.strictObject({
    ...mcpDescription,
    transport: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }).describe('The Streamable HTTP endpoint, e.g. https://crm.example.com/mcp.'),
    headers: z.record(z.string(), z.string()).optional().describe('Non-secret headers sent to the server.'),
    private_network: z
      .boolean()
      .optional()
      .describe(
        'Lets the gateway reach this server on private, loopback and link-local addresses whoever owns it; without it, as for providers (docs/configuration.md, "Where the gateway may connect").',
      ),
    headers_env: z
      .record(z.string(), environmentNameSchema)
      .optional()
      .describe(
        "Headers whose values come from the environment (the gateway's credentials for the server; the agent's token is never passed).",
      ),
  }),
]);
export type McpServerConfig = z.output<typeof mcpServerSchema>;

const mcpSchema = z.strictObject({
  servers: z.array(mcpServerSchema).default([]).describe('Tool servers federated at /mcp.'),
  allowed_origins: z
    .array(z.string().min(1))
    .default([])
    .describe('Origins a browser may call /mcp from; a request with any other Origin header is 403.'),
});

export const configSchema = z
  .strictObject({
    listen: listenSchema.default('127.0.0.1:8300'),
    data_dir: z.string().min(1).default('.sovereign'),
    auth: z
      .strictObject({
        required: z.boolean().default(true),
        default_rpm: z
          .number()
          .int()
          .nonnegative()
          .default(0)
          .describe('Requests per minute for keys created without their own limit; 0 = unlimited.'),
      })
      .prefault({}),
    providers: z.array(providerSchema).default([]),
    models: z.record(z.string().min(1), aliasSchema).default({}),
    routing: z
      .strictObject({
        attempt_timeout_ms: z
          .number()
          .int()
          .positive()
          .default(60_000)
          .describe(
            'Deadline of one attempt at one upstream, until the whole answer, headers and body (non-streaming), or the first event (streaming).',
          ),
        stream_idle_timeout_ms: z
          .number()
          .int()
          .positive()
          .default(60_000)
          .describe(
            'Idle time allowed between two events of a stream once it has started; SSE comments (": keep-alive") do not count as events.',
          ),
        max_stream_s: z
          .number()
          .positive()
          .max(86_400)
          .default(900)
          .describe(
            'Longest a stream may last, from its headers to its last event (continuations included); past it the stream ends with a stream_duration_exceeded error event.',
          ),
        retries: z
          .number()
          .int()
          .nonnegative()
          .max(10)
          .default(1)
          .describe('Extra attempts at the same candidate on a retryable failure, before moving to the next.'),
        queue_timeout_ms: z
          .number()
          .int()
          .nonnegative()
          .default(1_000)
          .describe(
            'Longest a call waits for a slot when every allowed candidate is at its max_concurrent calls; then 429 provider_busy with Retry-After. 0: no wait.',
          ),
        max_retry_wait_ms: z
          .number()
          .int()
          .nonnegative()
          .default(2_000)
          .describe(
            'Longest Retry-After from an upstream that the gateway will wait out before retrying the same candidate.',
          ),
        breaker: z
          .strictObject({
            failures: z.number().int().positive().default(5),
            cooldown_ms: z.number().int().positive().default(30_000),
          })
          .prefault({}),
      })
      .prefault({}),
    limits: z
      .strictObject({
        max_body_bytes: z
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024),
        body_timeout_ms: z
          .number()
          .int()
          .positive()
          .default(30_000)
          .describe(
            'Longest a request body may take to arrive in full; past it the answer is 408 body_timeout and the connection is closed.',
          ),
        headers_timeout_ms: z
          .number()
          .int()
          .positive()
          .default(30_000)
          .describe("Longest a request's headers may take to arrive; past it the connection is closed (408)."),
        max_in_flight: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(
            "Most calls in flight at once in this process (streams included); past it a call is 429 overloaded at once, with Retry-After, before its body is read. Default: one per MiB of the machine's memory, at least 256.",
          ),
        max_answer_bytes: z
          .number()
          .int()
          .positive()
          .default(defaultMaxAnswerBytes)
          .describe(
            "Most bytes one upstream answer may carry (a body, or a whole stream, counted as it passes); past it the answer is cut: 502 upstream_invalid_response, or a stream's last error event.",
          ),
      })
      .prefault({}),
    health: z
      .strictObject({
        probe_interval_ms: z
          .number()
          .int()
          .positive()
          .default(30_000)
          .describe('Background probe of every provider (its model list), jittered by ±20%.'),
        probe_timeout_ms: z.number().int().positive().default(5_000),
      })
      .prefault({}),
    policy: policySchema
      .optional()
      .describe('The sovereignty policy; without one, every provider may see every request.'),
    actions: actionsSchema.prefault({}).describe('The action gate for agents (POST /v1/actions and MCP tool calls).'),
    mcp: mcpSchema
      .prefault({})
      .describe('The MCP gateway: tool servers federated at /mcp, every call through policy, gate and ledger.'),
    ledger: z
      .strictObject({
        origin: z
          .string()
          .regex(/^[^\s+]+$/, 'must be non-empty, without spaces or "+" (it is also the signing key name)')
          .optional()
          .describe('The checkpoint origin line; default `<hostname>/sovereign-gateway`.'),
        signing_key_env: environmentNameSchema
          .optional()
          .describe(
            'An environment variable holding the signing key (PRIVATE+KEY+…); default: a key generated into the data directory.',
          ),
        checkpoint_interval_ms: z
          .number()
          .int()
          .positive()
          .max(1000)
          .default(1000)
          .describe('Longest time between an entry and the signed checkpoint that covers it.'),
        receipt_wait_ms: z
          .number()
          .int()
          .nonnegative()
          .default(5000)
          .describe('How long GET /v1/ledger/receipts/<index> waits for a checkpoint covering a fresh entry.'),
      })
      .prefault({}),
    state: z
      .strictObject({
        encryption_key_env: environmentNameSchema
          .optional()
          .describe(
            'An environment variable holding the 32-byte key (base64) that seals stored items (AES-256-GCM); default: a key generated into the data directory.',
          ),
        response_retention_days: z
          .number()
          .positive()
          .max(36_500)
          .default(30)
          .describe(
            'How long a stored response (POST /v1/responses with store: true) is kept and served; conversations are kept until deleted.',
          ),
        max_background: z
          .number()
          .int()
          .nonnegative()
          .default(64)
          .describe(
            'Background responses (background: true) running at once in this process; past it a background create is 429 rate_limited. 0 refuses background responses.',
          ),
        max_background_per_key: z
          .number()
          .int()
          .nonnegative()
          .default(8)
          .describe('Background responses running at once for one key (its tenant); past it, 429 rate_limited.'),
      })
      .prefault({})
      .describe('Conversation state kept by the gateway: the Responses and Conversations APIs.'),
    capture: captureSchema,
    feedback: z
      .strictObject({
        metrics: z
          .record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lowercase name'), metricSchema)
          .default({})
          .describe('The metrics POST /v1/feedback accepts, besides comment, demonstration and preference.'),
      })
      .prefault({})
      .describe('Feedback on captured calls (docs/learning.md).'),
    log: z
      .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .prefault({}),
    shutdown_grace_ms: z.number().int().nonnegative().default(10_000),
  })
  .superRefine((config, context) => {
    const servers = new Set<string>();
    config.mcp.servers.forEach((server, index) => {
      if (servers.has(server.id))
        context.addIssue({
          code: 'custom',
          path: ['mcp', 'servers', index, 'id'],
          message: `duplicate tool server id "${server.id}"`,
        });
      servers.add(server.id);
      const model = server.sampling?.model;
      if (model !== undefined && !(model in config.models)) {
        const slash = model.indexOf('/');
        const provider = config.providers.find((entry) => entry.id === model.slice(0, slash));
        if (slash < 0 || !provider)
          context.addIssue({
            code: 'custom',
            path: ['mcp', 'servers', index, 'sampling', 'model'],
            message: `"${model}" is neither a model alias nor provider/model of a configured provider`,
          });
      }
    });
    const providers = new Map<string, ProviderConfig>();
    config.providers.forEach((provider, index) => {
      if (providers.has(provider.id)) {
        context.addIssue({
          code: 'custom',
          path: ['providers', index, 'id'],
          message: `duplicate provider id "${provider.id}"`,
        });
      }
      providers.set(provider.id, provider);
      // An address written in base_url never changes: the SSRF guard's rules are checked here, so `config check` and
      // start stop on it; names are checked as they resolve, at connect time (core/address-guard.ts).
      if ('base_url' in provider && typeof provider.base_url === 'string') {
        const refused = checkConfiguredUrl(
          { name: provider.id, ownership: provider.ownership, privateNetwork: provider.private_network },
          provider.base_url,
        );
        if (refused !== undefined)
          context.addIssue({ code: 'custom', path: ['providers', index, 'base_url'], message: refused });
      }
    });
    config.mcp.servers.forEach((server, index) => {
      if (server.transport !== 'http') return;
      const refused = checkConfiguredUrl(
        { name: server.id, ownership: server.ownership, privateNetwork: server.private_network },
        server.url,
      );
      if (refused !== undefined)
        context.addIssue({ code: 'custom', path: ['mcp', 'servers', index, 'url'], message: refused });
    });
    if (config.actions.downstream !== undefined) {
      const refused = checkConfiguredUrl({ name: 'downstream', ownership: 'owned' }, config.actions.downstream);
      if (refused !== undefined)
        context.addIssue({ code: 'custom', path: ['actions', 'downstream'], message: refused });
    }
    for (const metric of Object.keys(config.feedback.metrics))
      if (metric === 'comment' || metric === 'demonstration' || metric === 'preference')
        context.addIssue({
          code: 'custom',
          path: ['feedback', 'metrics', metric],
          message: `"${metric}" is a reserved metric: it is always accepted and cannot be declared`,
        });
    for (const [alias, definition] of Object.entries(config.models)) {
      const shadow = definition.shadow?.candidate;
      if (shadow !== undefined) {
        const slash = shadow.indexOf('/');
        const known =
          shadow in config.models ||
          (slash > 0 && config.providers.some((entry) => entry.id === shadow.slice(0, slash)));
        if (!known || shadow === alias)
          context.addIssue({
            code: 'custom',
            path: ['models', alias, 'shadow', 'candidate'],
            message:
              shadow === alias
                ? 'an alias cannot shadow itself'
                : `"${shadow}" is neither a model alias nor provider/model of a configured provider`,
          });
      }
      definition.candidates.forEach((candidate, index) => {
        const slash = candidate.indexOf('/');
        const providerName = candidate.slice(0, slash);
        const model = candidate.slice(slash + 1);
        const provider = providers.get(providerName);
        const path = ['models', alias, 'candidates', index];
        if (!provider) {
          const known = [...providers.keys()].join(', ') || 'none configured';
          context.addIssue({
            code: 'custom',
            path,
            message: `unknown provider "${providerName}" (providers: ${known})`,
          });
        } else if (!servedModels(provider).includes(model)) {
          context.addIssue({
            code: 'custom',
            path,
            message: `provider "${providerName}" does not list model "${model}" (its models: ${servedModels(provider).join(', ')})`,
          });
        }
      });
    }
    if (!config.auth.required && !isLoopbackListen(config.listen)) {
      context.addIssue({
        code: 'custom',
        path: ['auth', 'required'],
        message: `may be false only when listen is a loopback address (127.0.0.1, ::1, localhost); listen is ${config.listen}`,
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

export function isLoopbackListen(listen: string): boolean {
  const host = parseListen(listen).host;
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export function parseListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon).replace(/^\[|\]$/g, '');
  return { host, port: Number(listen.slice(colon + 1)) };
}

export type NerSettings = z.infer<typeof nerSchema>;

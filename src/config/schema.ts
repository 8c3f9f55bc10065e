// The config file's one source of truth: types, validation and the editor JSON Schema all come from here.
// Unknown keys are errors (a misspelled `jurisdication` must not be silently ignored).
import { z } from 'zod';

const providerId = z.string().regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and dashes ([a-z0-9-])');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const jurisdictionSchema = z
  .string()
  .regex(/^(local|[A-Z]{2})$/, 'must be "local" or an ISO 3166-1 alpha-2 code in capitals (SA, AE, FR, US, CN…)');

export const ownershipSchema = z.enum(['owned', 'contracted', 'rented']);

const listenSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8300 or [::1]:8300');

export const providerSchema = z.strictObject({
  id: providerId,
  kind: z.enum(['openai-compatible', 'anthropic', 'local']),
  /** The API root of an HTTP provider; not used by `local`. */
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  api_key_env: envName.optional(),
  jurisdiction: jurisdictionSchema,
  operator: z.string().min(1, 'must name who runs it'),
  ownership: ownershipSchema,
  models: z.array(z.string().min(1)).min(1, 'must list at least one model'),
  /** Extra non-secret headers sent upstream (e.g. OpenRouter's HTTP-Referer). */
  headers: z.record(z.string(), z.string()).optional(),
  /** Upstream connections kept open to this provider. */
  max_connections: z.number().int().positive().default(128),
  /** Overrides routing.attempt_timeout_ms for this provider. */
  timeout_ms: z.number().int().positive().optional(),
  /** How long the provider keeps what it is sent (for the record; policy rules may use it later). */
  retention_days: z.number().int().nonnegative().optional(),
  /** Whether the provider may train on what it is sent. */
  trains_on_data: z.boolean().optional(),
  /** Price, for the dependency report's cost shares (any currency, the same for every provider). */
  cost_per_million_tokens: z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() }).optional(),
  // kind: local only (registered GGUF models run in-process; `models` are registry names).
  /** CPU threads for generation (set it: llama.cpp's own default is slow on small machines). */
  threads: z.number().int().positive().optional(),
  /** Context size per sequence, in tokens (capped at the model's training context). */
  context_size: z.number().int().min(64).optional(),
  /** Generations run at once per model. */
  sequences: z.number().int().positive().max(64).optional(),
  /** Calls waiting per model; past it routing overflows to the next allowed candidate. */
  max_queue: z.number().int().nonnegative().optional(),
  /** A model unused this long is unloaded (seconds). */
  idle_unload_s: z.number().positive().optional(),
  /** Registered LoRA adapters served as their own model names, on a registered base model. */
  adapters: z.array(z.strictObject({ name: z.string().min(1), model: z.string().min(1), adapter: z.string().min(1), scale: z.number().positive().default(1) })).optional(),
});

const localOnlyKeys = ['threads', 'context_size', 'sequences', 'max_queue', 'idle_unload_s', 'adapters'] as const;

/** The names a provider serves: its models, and for `local` its adapters too. */
export function servedModels(provider: { models: readonly string[]; adapters?: ReadonlyArray<{ name: string }> }): string[] {
  return [...provider.models, ...(provider.adapters ?? []).map((adapter) => adapter.name)];
}

const labelPattern = z.string().regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, 'must be a label such as pii, pii.email or confidential');
const providerFilterSchema = z.strictObject({
  ownership: z.array(ownershipSchema).optional(),
  jurisdiction: z.array(jurisdictionSchema).optional(),
  not_jurisdiction: z.array(jurisdictionSchema).optional(),
  operator: z.array(z.string().min(1)).optional(),
});
/** The optional model layer of the detectors: a token-classification model (ONNX) or a registered GGUF model prompted for names and addresses. */
export const nerSchema = z.strictObject({
  /** onnx: a token-classification model run with @huggingface/transformers on onnxruntime-node; local: a registered GGUF model run in-process by node-llama-cpp with a JSON grammar. */
  engine: z.enum(['onnx', 'local']),
  /** onnx: a directory holding config.json, tokenizer.json and onnx/model.onnx (never fetched from a hub); local: the registry name of a GGUF model. */
  model: z.string().min(1),
  /** Lowest score (0–1) of an ONNX entity kept as a finding; default 0.5. */
  min_score: z.number().min(0).max(1).optional(),
  /** Most text the model reads for one request; past it the deep scan does not complete and the call may go to owned providers only. Default 65536. */
  max_scan_bytes: z.number().int().positive().optional(),
  /** Longest the deep scan of one request may take; past it, as above. Default 10000. */
  timeout_ms: z.number().int().positive().optional(),
  /** CPU threads of the model; default 1. */
  threads: z.number().int().positive().optional(),
  /** The model's entity names → labels; default PER/PERSON/… → pii.name, ADDRESS/STREET/… → pii.address. */
  labels: z.record(z.string().min(1), z.string().regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, 'must be a label such as pii.name')).optional(),
});

const policySchema = z.strictObject({
  name: z.string().min(1),
  /** Most text one request may carry for the detectors (every string it would send, in UTF-16 code units); past it the request is refused (413 scan_limit_exceeded), never scanned slowly or forwarded unscanned. Default: limits.max_body_bytes. */
  max_scan_bytes: z.number().int().positive().optional(),
  detectors: z.strictObject({ ner: nerSchema.optional() }).optional(),
  rules: z
    .array(
      z
        .strictObject({
          when: z.strictObject({ labels_any: z.array(labelPattern).optional(), labels_all: z.array(labelPattern).optional() }),
          allow: providerFilterSchema,
          on_no_provider: z.enum(['refuse', 'redact']).default('refuse'),
          redact_allow: providerFilterSchema.optional(),
        })
        .refine((rule) => rule.on_no_provider !== 'redact' || rule.redact_allow !== undefined, { message: 'on_no_provider: redact needs redact_allow (who may receive the redacted request)', path: ['redact_allow'] }),
    )
    .min(1, 'must have at least one rule (first match wins; a request no rule matches is refused)'),
});

const aliasSchema = z.strictObject({
  candidates: z
    .array(z.string().regex(/^[a-z0-9-]+\/.+$/, 'must be provider/model'))
    .min(1, 'must list at least one candidate'),
  /** Hedging, off by default: when the first candidate has not answered (or sent a stream's first byte) in this time, the next allowed one is started too, and the first to answer wins. */
  hedge_after_ms: z.number().int().positive().optional(),
});

/** A verifier key in the signed-note form name+hexid+base64 (checked in full when the gate starts). */
const verifierKeySchema = z.string().regex(/^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+={0,2}$/, 'must be a verifier key name+hexid+base64, as printed by `sovereign keys signing-key`');
const actionRequirement = z.enum(['none', 'receipt', 'approval', 'receipt_and_approval']);
const actionsSchema = z.strictObject({
  /** Where released (ALLOWed) actions are POSTed, once each. */
  downstream: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** Deadline of one forward to the downstream. */
  downstream_timeout_ms: z.number().int().positive().default(10_000),
  /** How long a HALTED action waits for a receipt's approval before it answers 408. */
  halt_timeout_s: z.number().positive().max(7 * 86_400).default(60),
  /** Oldest receipt accepted (its issued_at, or a compatibility receipt's GNSS time). */
  receipt_max_age_s: z.number().int().positive().default(300),
  /** Verifier keys whose receipts are trusted. */
  trusted_keys: z.array(verifierKeySchema).default([]),
  /** First match wins; an action no rule matches is denied. */
  rules: z
    .array(
      z.strictObject({
        match: z.strictObject({
          action: z.array(z.string().min(1)).min(1).optional(),
          agent: z.array(z.string().min(1)).min(1).optional(),
          /** Matches amounts strictly over this; an action without an amount matches too (an unknown amount is not shown to be small). */
          amount_over: z.number().optional(),
        }),
        require: actionRequirement,
      }),
    )
    .default([{ match: {}, require: 'receipt' }]),
  /** Conformance drill mode for the compatibility endpoint: simulated receipts carrying exactly these placeholders are accepted. Off by default. */
  simulation: z.strictObject({ policy_hash: z.string().min(1), signature: z.string().min(1) }).optional(),
});

export const configSchema = z
  .strictObject({
    listen: listenSchema.default('127.0.0.1:8300'),
    data_dir: z.string().min(1).default('.sovereign'),
    auth: z
      .strictObject({
        required: z.boolean().default(true),
        /** Requests per minute for keys created without their own limit; 0 = unlimited. */
        default_rpm: z.number().int().nonnegative().default(0),
      })
      .prefault({}),
    providers: z.array(providerSchema).default([]),
    models: z.record(z.string().min(1), aliasSchema).default({}),
    routing: z
      .strictObject({
        /** Deadline of one attempt at one upstream, until the full answer (non-streaming) or the first byte (streaming). */
        attempt_timeout_ms: z.number().int().positive().default(60_000),
        /** Idle time allowed between two chunks of a stream once it has started. */
        stream_idle_timeout_ms: z.number().int().positive().default(60_000),
        /** Extra attempts at the same candidate on a retryable failure, before moving to the next. */
        retries: z.number().int().nonnegative().max(10).default(1),
        /** Longest Retry-After from an upstream that the gateway will wait out before retrying the same candidate. */
        max_retry_wait_ms: z.number().int().nonnegative().default(2_000),
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
        max_body_bytes: z.number().int().positive().default(4 * 1024 * 1024),
      })
      .prefault({}),
    health: z
      .strictObject({
        /** Background probe of every provider (its model list), jittered by ±20%. */
        probe_interval_ms: z.number().int().positive().default(30_000),
        probe_timeout_ms: z.number().int().positive().default(5_000),
      })
      .prefault({}),
    /** The sovereignty policy; without one, every provider may see every request. */
    policy: policySchema.optional(),
    /** The action gate for agents (POST /v1/actions). */
    actions: actionsSchema.prefault({}),
    ledger: z
      .strictObject({
        /** The checkpoint origin line; default `<hostname>/sovereign-gateway`. */
        origin: z
          .string()
          .regex(/^[^\s+]+$/, 'must be non-empty, without spaces or "+" (it is also the signing key name)')
          .optional(),
        /** An environment variable holding the signing key (PRIVATE+KEY+…); default: a key generated into the data directory. */
        signing_key_env: envName.optional(),
        /** Longest time between an entry and the signed checkpoint that covers it. */
        checkpoint_interval_ms: z.number().int().positive().max(1000).default(1000),
        /** How long GET /v1/ledger/receipts/<index> waits for a checkpoint covering a fresh entry. */
        receipt_wait_ms: z.number().int().nonnegative().default(5000),
      })
      .prefault({}),
    log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
    shutdown_grace_ms: z.number().int().nonnegative().default(10_000),
  })
  .superRefine((config, context) => {
    const providers = new Map<string, z.infer<typeof providerSchema>>();
    config.providers.forEach((provider, index) => {
      if (providers.has(provider.id)) {
        context.addIssue({ code: 'custom', path: ['providers', index, 'id'], message: `duplicate provider id "${provider.id}"` });
      }
      providers.set(provider.id, provider);
      if (provider.kind === 'local') {
        for (const key of ['base_url', 'api_key_env', 'headers'] as const) {
          if (provider[key] !== undefined) context.addIssue({ code: 'custom', path: ['providers', index, key], message: 'is not used by kind: local (its models run in this process)' });
        }
        provider.adapters?.forEach((adapter, position) => {
          if (!provider.models.includes(adapter.model)) context.addIssue({ code: 'custom', path: ['providers', index, 'adapters', position, 'model'], message: `must be one of this provider's models (${provider.models.join(', ')})` });
        });
      } else {
        if (provider.base_url === undefined) context.addIssue({ code: 'custom', path: ['providers', index, 'base_url'], message: `is required for kind: ${provider.kind}` });
        for (const key of localOnlyKeys) {
          if (provider[key] !== undefined) context.addIssue({ code: 'custom', path: ['providers', index, key], message: 'applies to kind: local only' });
        }
      }
    });
    for (const [alias, definition] of Object.entries(config.models)) {
      definition.candidates.forEach((candidate, index) => {
        const slash = candidate.indexOf('/');
        const providerName = candidate.slice(0, slash);
        const model = candidate.slice(slash + 1);
        const provider = providers.get(providerName);
        const path = ['models', alias, 'candidates', index];
        if (!provider) {
          const known = [...providers.keys()].join(', ') || 'none configured';
          context.addIssue({ code: 'custom', path, message: `unknown provider "${providerName}" (providers: ${known})` });
        } else if (!servedModels(provider).includes(model)) {
          context.addIssue({ code: 'custom', path, message: `provider "${providerName}" does not list model "${model}" (its models: ${servedModels(provider).join(', ')})` });
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
export type ProviderConfig = Config['providers'][number];

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

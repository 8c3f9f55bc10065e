// The sovereignty policy's config schema, the one source of its types (policy.ts infers them from
// here) and of its validation in the config file.
import { z } from 'zod';
import { jurisdictionSchema, ownershipSchema } from '../core/description-schema.js';

const labelPattern = z
  .string()
  .regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, 'must be a label such as pii, pii.email or confidential');
export const providerFilterSchema = z.strictObject({
  ownership: z.array(ownershipSchema).optional(),
  jurisdiction: z.array(jurisdictionSchema).optional(),
  not_jurisdiction: z.array(jurisdictionSchema).optional(),
  operator: z.array(z.string().min(1)).optional(),
});
/**
 * The optional model layer of the detectors: a token-classification model (ONNX) or a registered GGUF model prompted
 * for names and addresses.
 */
export const nerSchema = z.strictObject({
  engine: z
    .enum(['onnx', 'local'])
    .describe(
      'onnx: a token-classification model run with @huggingface/transformers on onnxruntime-node; local: a registered GGUF model run in-process by node-llama-cpp with a JSON grammar.',
    ),
  model: z
    .string()
    .min(1)
    .describe(
      'onnx: a directory holding config.json, tokenizer.json and onnx/model.onnx (never fetched from a hub); local: the registry name of a GGUF model.',
    ),
  min_score: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Lowest score (0–1) of an ONNX entity kept as a finding; default 0.5.'),
  max_scan_bytes: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'Most text the model reads for one request; past it the deep scan does not complete and the call may go to owned providers only. Default 65536.',
    ),
  timeout_ms: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Longest the deep scan of one request may take; past it, as above. Default 10000.'),
  threads: z.number().int().positive().optional().describe('CPU threads of the model; default 1.'),
  labels: z
    .record(z.string().min(1), z.string().regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, 'must be a label such as pii.name'))
    .optional()
    .describe("The model's entity names → labels; default PER/PERSON/… → pii.name, ADDRESS/STREET/… → pii.address."),
});

/** One rule: when the request's labels match, which providers may see it, and what to do when none can. */
export const policyRuleSchema = z
  .strictObject({
    when: z.strictObject({
      labels_any: z.array(labelPattern).optional(),
      labels_all: z.array(labelPattern).optional(),
    }),
    allow: providerFilterSchema,
    on_no_provider: z.enum(['refuse', 'redact']).default('refuse'),
    /** With on_no_provider: redact, who may receive the redacted request. */
    redact_allow: providerFilterSchema.optional(),
  })
  .refine((rule) => rule.on_no_provider !== 'redact' || rule.redact_allow !== undefined, {
    message: 'on_no_provider: redact needs redact_allow (who may receive the redacted request)',
    path: ['redact_allow'],
  });

export const policySchema = z.strictObject({
  name: z.string().min(1),
  max_scan_bytes: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'Most text one request may carry for the detectors (every string it would send, in UTF-16 code units); past it the request is refused (413 scan_limit_exceeded), never scanned slowly or forwarded unscanned. Default: limits.max_body_bytes.',
    ),
  detectors: z.strictObject({ ner: nerSchema.optional() }).optional(),
  rules: z
    .array(policyRuleSchema)
    .min(1, 'must have at least one rule (first match wins; a request no rule matches is refused)'),
});

// POST /v1/embeddings — OpenAI's embeddings dialect.
import { z } from 'zod';
import { labelLocations } from '../pipeline/classify.js';
import type { EmbeddingsRequest } from '../core/chat.js';
import type { Exchange, ExchangeOutcome, Reply } from './exchange.js';
import { parseJsonBody } from './http-io.js';
import { validationError } from './validation.js';
import { declaredLabels, takeLabels } from './declared-labels.js';

const embeddingsBody = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number().int()).min(1), z.array(z.array(z.number().int())).min(1)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

export function parseEmbeddingsRequest(body: Buffer): EmbeddingsRequest {
  const parsed = embeddingsBody.safeParse(parseJsonBody(body));
  if (!parsed.success) throw validationError(parsed.error);
  const { model, input, encoding_format, dimensions, user, ...extra } = parsed.data;
  const { labels, rest } = takeLabels(extra.metadata);
  if (rest === undefined) delete extra.metadata;
  else extra.metadata = rest;
  return { model, input, encoding_format, dimensions, user, declaredLabels: labels, extra };
}

export async function handleEmbeddings(exchange: Exchange, outcome: ExchangeOutcome): Promise<Reply> {
  const request = parseEmbeddingsRequest(exchange.body);
  outcome.alias = exchange.gateway.knownModel(request.model);
  const plan = await exchange.gateway.planEmbeddings(request, declaredLabels(exchange.request, request.declaredLabels));
  outcome.labels = plan.classification.labels;
  outcome.findings = labelLocations(plan.classification);
  outcome.deepScan = plan.deepScan;
  const { value, candidate, attempts } = await exchange.gateway.embeddings(request, plan);
  Object.assign(outcome, { candidate, attempts, usage: { prompt_tokens: value.usage?.prompt_tokens ?? 0, completion_tokens: 0, total_tokens: value.usage?.total_tokens ?? 0 } });
  return { status: 200, body: JSON.stringify(value) };
}

/** GET /v1/models: the aliases, then every provider/model name. */
export function handleModels(exchange: Exchange): Reply {
  const data = exchange.gateway.modelNames().map((model) => ({ id: model.id, object: 'model', created: 0, owned_by: model.ownedBy }));
  return { status: 200, body: JSON.stringify({ object: 'list', data }) };
}

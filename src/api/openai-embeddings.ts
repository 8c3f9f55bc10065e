// POST /v1/embeddings — OpenAI's embeddings dialect.
import { z } from 'zod';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../core/chat.js';
import type { DialectWriter } from '../pipeline/call.js';
import { openAIErrorBody } from './errors.js';
import type { Exchange, Reply } from './exchange.js';
import {
  bounds,
  checkDeclaredLabels,
  defaultParseLimits,
  type ParseLimits,
  parseBodyJson,
  validationError,
} from './validation.js';
import { takeLabels } from './declared-labels.js';

const embeddingsBody = z.looseObject({
  model: z.string().min(1).max(bounds.name),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(bounds.embeddingInputs),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int())).min(1).max(bounds.embeddingInputs),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().max(bounds.name).optional(),
});

export function parseEmbeddingsRequest(body: Buffer, limits: ParseLimits = defaultParseLimits): EmbeddingsRequest {
  const parsed = embeddingsBody.safeParse(parseBodyJson(body, limits));
  if (!parsed.success) throw validationError(parsed.error);
  const { model, input, encoding_format, dimensions, user, ...extra } = parsed.data;
  checkDeclaredLabels(extra.metadata);
  const { labels, rest } = takeLabels(extra.metadata);
  if (rest === undefined) delete extra.metadata;
  else extra.metadata = rest;
  return { model, input, encoding_format, dimensions, user, declaredLabels: labels, extra };
}

export const openAIEmbeddingsWriter: DialectWriter<EmbeddingsResponse> = {
  answer: (response) => JSON.stringify(response),
  error: (error) => openAIErrorBody(error),
};

/** GET /v1/models: the aliases, then every provider/model name. */
export function handleModels(exchange: Exchange): Reply {
  const data = exchange.gateway
    .modelNames()
    .map((model) => ({ id: model.id, object: 'model', created: 0, owned_by: model.ownedBy }));
  return { status: 200, body: JSON.stringify({ object: 'list', data }) };
}

// The one place where errors become each dialect's error body. Anything not a GatewayError is a bug:
// it answers 500 with the request id and no detail, and is logged. An upstream's own error text never
// reaches a client: it is reduced to the provider, the kind of failure and the HTTP status first.
import { asGatewayError, type GatewayError } from '../core/errors.js';
import { safeMessage } from '../pipeline/health.js';

export { asGatewayError };

export type Dialect = 'openai' | 'anthropic';

/**
 * The message a client may read (pipeline/health.ts: safeMessage). An upstream error body can quote
 * the request (another tenant's, when the upstream mixes them up), echo a credential, or name
 * internal hosts: it is cut out of every error body written here.
 */
export const clientMessage = safeMessage;

/** OpenAI: {"error": {"message", "type", "param", "code"}}. */
export function openAIErrorBody(error: GatewayError): string {
  return JSON.stringify({
    error: { message: clientMessage(error), type: error.type, param: error.param ?? null, code: error.code },
  });
}

const anthropicTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  408: 'invalid_request_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'api_error',
};

/** Anthropic: {"type": "error", "error": {"type", "message"}}, plus our stable code. */
export function anthropicErrorBody(error: GatewayError): string {
  return JSON.stringify({
    type: 'error',
    error: { type: anthropicTypes[error.status] ?? 'api_error', message: clientMessage(error), code: error.code },
  });
}

export function errorBody(dialect: Dialect, error: GatewayError): string {
  return dialect === 'anthropic' ? anthropicErrorBody(error) : openAIErrorBody(error);
}

export function errorHeaders(error: GatewayError): Record<string, string> {
  return error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : {};
}

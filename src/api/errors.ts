// The one place where errors become each dialect's error body. Anything not a GatewayError is a bug:
// it answers 500 with the request id and no detail, and is logged.
import { asGatewayError, type GatewayError } from '../core/errors.js';

export { asGatewayError };

export type Dialect = 'openai' | 'anthropic';

/** OpenAI: {"error": {"message", "type", "param", "code"}}. */
export function openAIErrorBody(error: GatewayError): string {
  return JSON.stringify({
    error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code },
  });
}

const anthropicTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
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
    error: { type: anthropicTypes[error.status] ?? 'api_error', message: error.message, code: error.code },
  });
}

export function errorBody(dialect: Dialect, error: GatewayError): string {
  return dialect === 'anthropic' ? anthropicErrorBody(error) : openAIErrorBody(error);
}

export function errorHeaders(error: GatewayError): Record<string, string> {
  return error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : {};
}

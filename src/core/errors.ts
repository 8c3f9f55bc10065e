// The one catalogue of stable error codes: each code has one HTTP status and one meaning.
// `api/` maps a GatewayError to each client dialect's error shape in one place (api/errors.ts).

export const errorCatalogue = {
  invalid_json: { status: 400, type: 'invalid_request_error', meaning: 'The request body is not valid JSON.' },
  invalid_request: {
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The request body does not match the API schema; the message names the field.',
  },
  model_not_found: {
    status: 404,
    type: 'invalid_request_error',
    meaning: 'The model is neither an alias nor a provider/model name this gateway serves.',
  },
  not_found: { status: 404, type: 'invalid_request_error', meaning: 'No such endpoint.' },
  method_not_allowed: {
    status: 405,
    type: 'invalid_request_error',
    meaning: 'The endpoint exists but not for this HTTP method.',
  },
  body_too_large: {
    status: 413,
    type: 'invalid_request_error',
    meaning: 'The request body exceeds `limits.max_body_bytes`.',
  },
  body_timeout: {
    status: 408,
    type: 'invalid_request_error',
    meaning:
      'The request body did not arrive in full within `limits.body_timeout_ms` of its headers; the connection is closed.',
  },
  client_closed: {
    // 499: nginx's "client closed request"; no client reads it, it is what logs, metrics and the ledger say.
    status: 499,
    type: 'api_error',
    meaning:
      'The client closed the connection before its answer was complete: the upstream call is stopped, nothing is sent, and the ledger entry says `outcome: client_closed`.',
  },
  scan_limit_exceeded: {
    status: 413,
    type: 'invalid_request_error',
    meaning:
      'The request carries more text than the policy scans (`policy.max_scan_bytes`); it is refused rather than scanned slowly or sent unscanned.',
  },
  invalid_api_key: {
    status: 401,
    type: 'authentication_error',
    meaning: 'No API key, or one that is unknown or revoked.',
  },
  insufficient_scope: {
    status: 403,
    type: 'permission_error',
    meaning: 'The API key lacks the scope this endpoint needs.',
  },
  no_allowed_provider: {
    status: 403,
    type: 'permission_error',
    meaning:
      'The sovereignty policy allows no candidate of the model for this request; the message names the labels found and the rule.',
  },
  rate_limited: {
    status: 429,
    type: 'rate_limit_error',
    meaning: "The API key's requests-per-minute limit is reached; Retry-After says when to retry.",
  },
  upstream_error: {
    status: 502,
    type: 'api_error',
    meaning: 'Every candidate failed; the message says how the last one failed.',
  },
  upstream_timeout: {
    status: 504,
    type: 'api_error',
    meaning: 'Every candidate failed and the last one by exceeding its deadline.',
  },
  stream_duration_exceeded: {
    status: 504,
    type: 'api_error',
    meaning:
      'A stream lasted longer than `routing.max_stream_s`; it ends with this error event (the ledger entry says `outcome: deadline`).',
  },
  client_stalled: {
    status: 408,
    type: 'invalid_request_error',
    meaning:
      'The client read nothing of its stream for `routing.stream_idle_timeout_ms` while events waited for it; the gateway ended the stream rather than buffer it (the ledger entry says `outcome: deadline`).',
  },
  upstream_rate_limited: {
    status: 429,
    type: 'rate_limit_error',
    meaning: 'Every candidate failed and the last one was rate limited upstream.',
  },
  upstream_invalid_response: {
    status: 502,
    type: 'api_error',
    meaning: 'An upstream answered with a body that is not what its API promises (e.g. malformed JSON).',
  },
  upstream_rejected: {
    status: 400,
    type: 'invalid_request_error',
    meaning:
      'The upstream refused the request as invalid (a 4xx that retrying cannot fix); the message names the provider and its status, never the upstream’s own text (it can carry the request’s data).',
  },
  provider_busy: {
    status: 429,
    type: 'rate_limit_error',
    meaning:
      'Every allowed candidate is at its `max_concurrent` calls and none freed a slot within `routing.queue_timeout_ms`; `Retry-After` says when to retry.',
  },
  overloaded: {
    status: 429,
    type: 'rate_limit_error',
    meaning:
      'The gateway holds `limits.max_in_flight` calls already; it answers at once rather than queue without bound. `Retry-After` says when to retry.',
  },
  no_provider_available: {
    status: 503,
    type: 'api_error',
    meaning:
      "No candidate of the model can serve now (all circuits open, or none supports the call); with every circuit open, Retry-After is the rest of the first breaker's cool-down.",
  },
  ledger_unavailable: {
    status: 503,
    type: 'api_error',
    meaning: 'The ledger could not record the call, so no answer is given without its proof.',
  },
  receipt_not_found: {
    status: 404,
    type: 'invalid_request_error',
    meaning: 'No ledger entry has this index (yet), or no checkpoint covers it within the wait.',
  },
  feedback_target_not_found: {
    status: 404,
    type: 'invalid_request_error',
    meaning:
      'No captured call or episode of this key has this receipt index, response id or episode id (never captured, another key’s, or past `capture.retention_days`).',
  },
  response_not_found: {
    status: 404,
    type: 'invalid_request_error',
    meaning:
      'No stored response has this id for this key (never stored, deleted, or past `state.response_retention_days`).',
  },
  previous_response_not_found: {
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The `previous_response_id` names no stored response of this key.',
  },
  conversation_not_found: {
    status: 404,
    type: 'invalid_request_error',
    meaning: 'No conversation has this id for this key.',
  },
  item_not_found: {
    status: 404,
    type: 'invalid_request_error',
    meaning: 'No stored item has this id (an `item_reference`, or an item of a conversation).',
  },
  mutually_exclusive_parameters: {
    status: 400,
    type: 'invalid_request_error',
    meaning: 'The request names both `previous_response_id` and `conversation`; a turn continues one or the other.',
  },
  context_length_exceeded: {
    status: 400,
    type: 'invalid_request_error',
    meaning: "The turn's context is larger than the model's window and `truncation` is `disabled`.",
  },
  action_not_found: { status: 404, type: 'invalid_request_error', meaning: 'No action has this id.' },
  action_not_pending: {
    status: 409,
    type: 'invalid_request_error',
    meaning: 'The action was already settled (allowed, rejected or timed out); the message gives its verdict.',
  },
  approval_insufficient: {
    status: 409,
    type: 'invalid_request_error',
    meaning: 'The action needs a valid receipt as well as an approval and came without one; it can only be rejected.',
  },
  shutting_down: {
    status: 503,
    type: 'api_error',
    meaning:
      'The gateway is shutting down: it accepts no new requests, and a call still running after `shutdown_grace_ms` is ended with this error (the ledger entry says `outcome: shutdown`).',
  },
  internal_error: {
    status: 500,
    type: 'api_error',
    meaning: 'A bug in the gateway; the request id in the log tells where.',
  },
} as const satisfies Record<string, { status: number; type: string; meaning: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface GatewayErrorOptions {
  /** Seconds the client should wait before retrying (becomes Retry-After). */
  retryAfterSeconds?: number;
  /** The offending parameter, for OpenAI's `param` field. */
  param?: string;
  cause?: unknown;
  /** Upstream attempts made before the failure, for the ledger. */
  attempts?: ReadonlyArray<{ provider: string; outcome: string }>;
}

/** An error that is safe to show a client: stable code, HTTP status, message without secrets. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly retryAfterSeconds?: number;
  readonly param?: string;
  readonly attempts: ReadonlyArray<{ provider: string; outcome: string }>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.type = errorCatalogue[code].type;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.param = options.param;
    this.attempts = options.attempts ?? [];
  }
}

/**
 * Anything not a GatewayError is a bug: it becomes internal_error (500, no detail), with the original as its cause for
 * the log.
 */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError(
    'internal_error',
    'The gateway failed unexpectedly; the request id identifies the failure in its log.',
    { cause: error },
  );
}

/**
 * The reason a call's AbortSignal is aborted with when the gateway stops it (api/serve.ts), so that the record can
 * tell the client going away from a shutdown: `client_closed`, or `shutting_down` once the grace time is over.
 */
export function cancellation(cause: 'client_closed' | 'shutdown'): GatewayError {
  return cause === 'client_closed'
    ? new GatewayError('client_closed', 'The client closed the connection before its answer was complete.')
    : new GatewayError('shutting_down', 'The gateway shut down before this call finished; retry on another replica.', {
        retryAfterSeconds: 1,
      });
}

/** How one attempt at one upstream failed; decides retry and fallback. */
export type UpstreamFailureKind =
  | 'connect' // could not connect, or the connection was reset before an answer
  | 'timeout' // the attempt exceeded its deadline
  | 'rate_limited' // 429
  | 'server' // 5xx
  | 'rejected' // 4xx other than 429: the request itself is wrong; retrying elsewhere will not help
  | 'auth' // 401/403 from upstream: our credentials for it are wrong; try the next candidate
  | 'invalid_response' // the upstream broke its own API (malformed JSON, wrong shape)
  | 'unavailable' // it cannot take this call (at capacity, a feature it lacks, weights refused): try the next candidate; not ill health
  | 'busy'; // at its max_concurrent calls: the next candidate takes the call (an overflow), or the call waits briefly for a slot; not ill health

/** An upstream failure, raised by providers; never shown raw to clients. */
export class ProviderError extends Error {
  readonly kind: UpstreamFailureKind;
  readonly providerId: string;
  readonly upstreamStatus?: number;
  readonly retryAfterSeconds?: number;
  /**
   * The message is the gateway's own words (an in-process provider: its weights, its capacity), not a remote
   * upstream's text, which can quote another tenant's request: safe to show a client as it is.
   */
  readonly ownWords: boolean;

  constructor(
    providerId: string,
    kind: UpstreamFailureKind,
    message: string,
    options: { upstreamStatus?: number; retryAfterSeconds?: number; cause?: unknown; ownWords?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.providerId = providerId;
    this.kind = kind;
    this.upstreamStatus = options.upstreamStatus;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.ownWords = options.ownWords === true;
  }
}

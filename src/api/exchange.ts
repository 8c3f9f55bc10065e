// What a handler of a plain endpoint (models, providers, ledger, admin, actions, policy explain) is
// given for one HTTP exchange, and the complete answer it returns. Calls to models go through the
// pipeline instead (pipeline/call.ts), which records them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '../pipeline/gateway.js';
import type { Tenant } from '../pipeline/auth.js';
import type { Metrics } from '../telemetry/metrics.js';

export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  requestId: string;
  /** The exact request bytes (empty for endpoints without a body). */
  body: Buffer;
  tenant: Tenant;
  gateway: Gateway;
  metrics: Metrics;
}

/** A complete answer for the server to send. */
export interface Reply {
  status: number;
  body: string | Buffer;
  /** Default application/json. */
  contentType?: string;
}

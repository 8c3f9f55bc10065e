// The action gate over HTTP: POST /v1/actions, the approvers' endpoints and the compatibility endpoint
// POST /api/v1/veritas-test. Bodies are parsed and validated here into the gate's typed submissions, and
// its domain verdicts mapped to statuses and the gate's JSON (ALLOW 200, DENY 403, HALTED 202/408/503).
import { z } from 'zod';
import { GatewayError } from '../core/errors.js';
import { amountOf, type Amount } from '../gate/amount.js';
import type { ActionGate } from '../gate/gate.js';
import { ApprovalError, approvalChallenge } from '../gate/held-actions.js';
import { actionFacts } from '../gate/ledger-entries.js';
import type { ActionSubmission, Origin, VeritasSubmission } from '../gate/submission.js';
import type { Verdict } from '../gate/verdict.js';
import { sha256Hex } from '../ledger/hash.js';
import { storedKeyId, type Tenant } from '../pipeline/auth.js';
import type { ActionRecord } from '../store/store.js';
import type { Exchange, Reply } from './exchange.js';
import { checkCanonicalJson, defaultParseLimits, validationError } from './validation.js';

export const actionsPrefix = '/v1/actions/';
const reviewerScopes = ['approver', 'admin', 'auditor'] as const;

/**
 * A JSON number or a decimal string ("10000", "12.50", "-3"), kept exactly as sent; absent or null
 * is no amount. Anything else ("ten", "1e3", " 12", "+5", "12.", ".5", over 100 characters, or a
 * JSON number too large for a double, which JSON.parse makes ±Infinity) is refused.
 */
const amountSchema = z
  .unknown()
  .optional()
  .transform((sent, context): Amount | null => {
    if (sent === undefined || sent === null) return null;
    const amount = typeof sent === 'number' || typeof sent === 'string' ? amountOf(sent) : undefined;
    if (amount) return amount;
    context.addIssue({
      code: 'custom',
      message:
        'must be a number, or a decimal string such as "12.50" (digits, an optional leading "-" and fraction, no exponent)',
    });
    return z.NEVER;
  });

const actionBodySchema = z.strictObject({
  agent_id: z.string().min(1).max(256),
  action: z.string().min(1).max(256),
  params: z.record(z.string(), z.unknown()).optional(),
  amount: amountSchema,
  receipt: z.unknown().optional(),
});

// Loose: the receipt's signature covers the whole body, fields unknown here included.
const veritasBodySchema = z.looseObject({
  agent_id: z.string().min(1).max(256),
  action: z.string().min(1).max(256),
  amount: amountSchema,
  params: z.record(z.string(), z.unknown()).optional(),
  veritas_receipt: z.unknown().optional(),
});

const approvalBodySchema = z.strictObject({ comment: z.string().max(2000).optional() });

/**
 * The answer's status: HALTED is 202 while held (a poll), 408 once timed out, 503 when the gateway stops under a
 * waiting client.
 */
const statusOf: Record<Verdict['outcome'], number> = {
  allowed: 200,
  denied: 403,
  rejected: 403,
  held: 202,
  timed_out: 408,
  interrupted: 503,
};

/** The verdict as the gate's JSON (docs/action-gate.md). */
export function verdictBody(verdict: Verdict): Record<string, unknown> {
  switch (verdict.outcome) {
    case 'denied':
      return {
        verdict: 'DENY',
        reason: verdict.reason,
        detail: verdict.detail,
        ledger_index: verdict.ledgerIndex,
        ...(verdict.originalActionId ? { original_action_id: verdict.originalActionId } : {}),
      };
    case 'interrupted':
      return { verdict: 'HALTED', reason: verdict.reason, action_id: verdict.actionId, detail: verdict.detail };
    default: {
      const base = {
        action_id: verdict.actionId,
        receipt_id: verdict.receiptId,
        ledger_index: verdict.ledgerIndex,
        ...(verdict.simulated ? { simulated: true } : {}),
      };
      if (verdict.outcome === 'allowed')
        return {
          verdict: 'ALLOW',
          ...base,
          approved_by: verdict.approvedBy ?? undefined,
          downstream: verdict.downstream,
        };
      if (verdict.outcome === 'held')
        return {
          verdict: 'HALTED',
          reason: verdict.reason,
          ...base,
          deadline: verdict.deadline === null ? null : new Date(verdict.deadline).toISOString(),
        };
      return { verdict: verdict.verdict, reason: verdict.reason, detail: verdict.detail, ...base };
    }
  }
}

const reply = (verdict: Verdict): Reply => ({
  status: statusOf[verdict.outcome],
  body: JSON.stringify(verdictBody(verdict)),
});

/** Counts the verdict a submitter was finally given, then sends it. */
function answer(exchange: Exchange, endpoint: 'actions' | 'veritas', verdict: Verdict): Reply {
  const reason = verdict.outcome === 'allowed' ? (verdict.approvedBy ? 'approved' : 'admitted') : verdict.reason;
  exchange.metrics.actionVerdicts.inc([endpoint, verdict.verdict, reason]);
  return reply(verdict);
}

const isReviewer = (tenant: Tenant): boolean =>
  tenant.scopes.some((scope) => (reviewerScopes as readonly string[]).includes(scope));

function originOf(exchange: Exchange): Origin {
  const { tenant } = exchange;
  return {
    requestId: exchange.requestId,
    submitter: { keyId: storedKeyId(tenant), name: tenant.name },
    requestSha256: sha256Hex(exchange.body),
  };
}

/**
 * An action as the API shows it; `withParams` (approvers and admins, who must see what they release) adds its params
 * as sent. An MCP tool call also names its tool server.
 */
export function actionView(action: ActionRecord, gate: ActionGate, withParams = false): Record<string, unknown> {
  const verdict = gate.verdictFor(action);
  return {
    action_id: action.id,
    endpoint: action.endpoint,
    ...actionFacts(action),
    ...(action.endpoint === 'mcp' ? { server: action.action.slice(0, Math.max(0, action.action.indexOf('__'))) } : {}),
    ...(withParams ? { params: (JSON.parse(action.payload) as { params?: unknown }).params ?? {} } : {}),
    state: action.status,
    verdict: verdict.verdict,
    reason: action.reason,
    submitted_by: action.submittedName,
    created_at: new Date(action.createdAt).toISOString(),
    deadline: action.deadlineAt === null ? null : new Date(action.deadlineAt).toISOString(),
    hold_index: action.holdIndex,
    ledger_index: verdict.ledgerIndex,
    decided_at: action.decidedAt === null ? null : new Date(action.decidedAt).toISOString(),
    decided_by: action.decidedBy,
    approval: action.approval === null ? null : JSON.parse(action.approval),
    approval_challenge: approvalChallenge(action),
    downstream: verdict.outcome === 'allowed' ? verdict.downstream : null,
    ...(action.simulated ? { simulated: true } : {}),
  };
}

/** Approvers and admins see an action's params (what they would release); auditors and agents see its digest. */
const seesParams = (tenant: Exchange['tenant']): boolean =>
  tenant.scopes.includes('approver') || tenant.scopes.includes('admin');

/**
 * The store or the ledger failed mid-verdict: fail closed, with the ledger's error rather than a 500. Nothing was
 * forwarded without its entry.
 */
async function unrecorded(decide: () => Promise<Verdict>): Promise<Verdict> {
  try {
    return await decide();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError(
      'ledger_unavailable',
      'The action gate could not store or record its verdict, so nothing was forwarded; retry later. (If it had already admitted the action, the retry is refused as replayed and GET /v1/actions/<id> gives the outcome.)',
      { retryAfterSeconds: 1, cause: error },
    );
  }
}

/**
 * A body that does not parse into a submission is still a verdict (DENY malformed, recorded): the gate decides it, not
 * the error format.
 */
function parseSubmission<Schema extends z.ZodType>(
  body: Buffer,
  schema: Schema,
): { json: Record<string, unknown>; parsed: z.output<Schema> } | { malformed: string } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { malformed: 'the body is not JSON' };
  }
  const result = schema.safeParse(json);
  if (!result.success) return { malformed: describeIssue(result.error) };
  // The params are digested as RFC 8785 JSON (the receipt, the ledger entry): nested past the bound, or holding a lone
  // surrogate the encoder cannot write, they are malformed here rather than a failed ledger write later.
  const params = (json as { params?: unknown }).params;
  if (params !== undefined)
    try {
      checkCanonicalJson(params, defaultParseLimits, { param: 'params', level: 2 });
    } catch (error) {
      return { malformed: (error as Error).message };
    }
  return { json: json as Record<string, unknown>, parsed: result.data };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

function approvalComment(body: Buffer): string | null {
  if (body.length === 0) return null;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new GatewayError('invalid_request', 'The body is not JSON; send {"comment": "…"} or nothing.');
  }
  const parsed = approvalBodySchema.safeParse(json);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data.comment ?? null;
}

function approvalFailure(error: unknown): never {
  if (!(error instanceof ApprovalError)) throw error;
  if (error.code === 'self_approval') throw new GatewayError('insufficient_scope', error.message);
  throw new GatewayError(error.code, error.message);
}

export function createActionEndpoints(gate: ActionGate) {
  async function submit(exchange: Exchange): Promise<Verdict> {
    const origin = originOf(exchange);
    const body = parseSubmission(exchange.body, actionBodySchema);
    if ('malformed' in body) return gate.refuseMalformed(origin, body.malformed);
    const { parsed } = body;
    const submission: ActionSubmission = {
      agentId: parsed.agent_id,
      action: parsed.action,
      params: parsed.params,
      amount: parsed.amount,
      receipt: parsed.receipt,
    };
    return gate.submit(submission, origin);
  }

  async function veritas(exchange: Exchange): Promise<Verdict> {
    const origin = originOf(exchange);
    const body = parseSubmission(exchange.body, veritasBodySchema);
    if ('malformed' in body) return gate.refuseMalformed(origin, body.malformed);
    const { parsed, json } = body;
    const submission: VeritasSubmission = {
      agentId: parsed.agent_id,
      action: parsed.action,
      params: parsed.params,
      amount: parsed.amount,
      signed: json,
    };
    return gate.submitVeritas(submission, origin);
  }

  return {
    submit: async (exchange: Exchange): Promise<Reply> =>
      answer(exchange, 'actions', await unrecorded(() => submit(exchange))),

    veritas: async (exchange: Exchange): Promise<Reply> =>
      answer(exchange, 'veritas', await unrecorded(() => veritas(exchange))),

    async pending(exchange: Exchange, query: URLSearchParams): Promise<Reply> {
      if (!isReviewer(exchange.tenant))
        throw new GatewayError(
          'insufficient_scope',
          'Listing held actions needs a key with the approver, admin or auditor scope.',
        );
      const limit = Number(query.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new GatewayError('invalid_request', 'limit must be a whole number from 1 to 1000.', { param: 'limit' });
      const actions = await gate.pending(limit);
      const withParams = seesParams(exchange.tenant);
      return {
        status: 200,
        body: JSON.stringify({ actions: actions.map((action) => actionView(action, gate, withParams)) }),
      };
    },

    /** GET /v1/actions/<id>, POST /v1/actions/<id>/approve, POST /v1/actions/<id>/reject. */
    async byId(exchange: Exchange, path: string): Promise<Reply> {
      const [id, verb, ...rest] = path.slice(actionsPrefix.length).split('/');
      if (!id || rest.length > 0 || (verb !== undefined && verb !== 'approve' && verb !== 'reject'))
        throw new GatewayError('not_found', `No endpoint ${path.slice(0, 200)}.`);
      const method = exchange.request.method;
      if (verb === undefined) {
        if (method !== 'GET') throw new GatewayError('method_not_allowed', `${path} accepts GET only.`);
        const action = await gate.view(id);
        if (!action || (action.submittedBy !== exchange.tenant.keyId && !isReviewer(exchange.tenant)))
          throw new GatewayError('action_not_found', `No action ${id.slice(0, 100)} visible to this key.`);
        return { status: 200, body: JSON.stringify(actionView(action, gate, seesParams(exchange.tenant))) };
      }
      if (method !== 'POST') throw new GatewayError('method_not_allowed', `${path} accepts POST only.`);
      if (!exchange.tenant.scopes.includes('approver'))
        throw new GatewayError(
          'insufficient_scope',
          'Approving or rejecting actions needs a key with the approver scope.',
        );
      const comment = approvalComment(exchange.body);
      try {
        const verdict = await gate.decide(
          id,
          verb,
          { keyId: exchange.tenant.keyId, name: exchange.tenant.name },
          comment,
          exchange.requestId,
        );
        return { status: 200, body: JSON.stringify(verdictBody(verdict)) };
      } catch (error) {
        return approvalFailure(error);
      }
    },
  };
}

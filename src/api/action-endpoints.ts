// The action gate over HTTP: POST /v1/actions (verdicts ALLOW 200, DENY 403, HALTED held then
// 200/403/408), the approvers' endpoints, and the compatibility endpoint POST /api/v1/veritas-test.
// Verdicts are the gate's own JSON; failures of the approval calls themselves use the error format.
import { GatewayError } from '../core/errors.js';
import { ActionGate, ApprovalError, actionFacts, approvalChallenge, type Verdict } from '../gate/gate.js';
import type { Tenant } from '../pipeline/auth.js';
import type { ActionRecord } from '../store/store.js';
import type { Exchange, Reply } from './exchange.js';

export const actionsPrefix = '/v1/actions/';
const reviewerScopes = ['approver', 'admin', 'auditor'] as const;

const reply = (verdict: Verdict): Reply => ({ status: verdict.status, body: JSON.stringify(verdict.body) });

/** Counts the verdict a submitter was finally given, then sends it. */
function answer(exchange: Exchange, endpoint: 'actions' | 'veritas', verdict: Verdict): Reply {
  const reason = verdict.body.verdict === 'ALLOW' ? (verdict.body.approved_by ? 'approved' : 'admitted') : String(verdict.body.reason ?? '');
  exchange.metrics.actionVerdicts.inc([endpoint, String(verdict.body.verdict), reason]);
  return reply(verdict);
}
const submitterOf = (tenant: Tenant): { keyId: string | null; name: string } => ({ keyId: tenant.keyId === 'anonymous' ? null : tenant.keyId, name: tenant.name });
const isReviewer = (tenant: Tenant): boolean => tenant.scopes.some((scope) => (reviewerScopes as readonly string[]).includes(scope));

export function actionView(action: ActionRecord, gate: ActionGate): Record<string, unknown> {
  const verdict = gate.verdictFor(action).body;
  return {
    action_id: action.id,
    endpoint: action.endpoint,
    ...actionFacts(action),
    state: action.status,
    verdict: verdict.verdict,
    reason: action.reason,
    submitted_by: action.submittedName,
    created_at: new Date(action.createdAt).toISOString(),
    deadline: action.deadlineAt === null ? null : new Date(action.deadlineAt).toISOString(),
    hold_index: action.holdIndex,
    ledger_index: verdict.ledger_index,
    decided_at: action.decidedAt === null ? null : new Date(action.decidedAt).toISOString(),
    decided_by: action.decidedBy,
    approval: action.approval === null ? null : JSON.parse(action.approval),
    approval_challenge: approvalChallenge(action),
    downstream: verdict.downstream ?? null,
    ...(action.simulated ? { simulated: true } : {}),
  };
}

/** The store or the ledger failed mid-verdict: fail closed, with the ledger's error rather than a 500. Nothing was forwarded without its entry. */
async function unrecorded(decide: () => Promise<Verdict>): Promise<Verdict> {
  try {
    return await decide();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('ledger_unavailable', 'The action gate could not store or record its verdict, so nothing was forwarded; retry later. (If it had already admitted the action, the retry is refused as replayed and GET /v1/actions/<id> gives the outcome.)', { retryable: true, retryAfterSeconds: 1, cause: error });
  }
}

function approvalFailure(error: unknown): never {
  if (!(error instanceof ApprovalError)) throw error;
  if (error.code === 'self_approval') throw new GatewayError('insufficient_scope', error.message);
  throw new GatewayError(error.code, error.message);
}

export function createActionEndpoints(gate: ActionGate) {
  return {
    submit: async (exchange: Exchange): Promise<Reply> => answer(exchange, 'actions', await unrecorded(() => gate.submit(exchange.body, submitterOf(exchange.tenant), exchange.requestId))),

    veritas: async (exchange: Exchange): Promise<Reply> => answer(exchange, 'veritas', await unrecorded(() => gate.submitVeritas(exchange.body, submitterOf(exchange.tenant), exchange.requestId))),

    async pending(exchange: Exchange, query: URLSearchParams): Promise<Reply> {
      if (!isReviewer(exchange.tenant)) throw new GatewayError('insufficient_scope', 'Listing held actions needs a key with the approver, admin or auditor scope.');
      const limit = Number(query.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new GatewayError('invalid_request', 'limit must be a whole number from 1 to 1000.', { param: 'limit' });
      const actions = await gate.pending(limit);
      return { status: 200, body: JSON.stringify({ actions: actions.map((action) => actionView(action, gate)) }) };
    },

    /** GET /v1/actions/<id>, POST /v1/actions/<id>/approve, POST /v1/actions/<id>/reject. */
    async byId(exchange: Exchange, path: string): Promise<Reply> {
      const [id, verb, ...rest] = path.slice(actionsPrefix.length).split('/');
      if (!id || rest.length > 0 || (verb !== undefined && verb !== 'approve' && verb !== 'reject')) throw new GatewayError('not_found', `No endpoint ${path.slice(0, 200)}.`);
      const method = exchange.request.method;
      if (verb === undefined) {
        if (method !== 'GET') throw new GatewayError('method_not_allowed', `${path} accepts GET only.`);
        const action = await gate.view(id);
        if (!action || (action.submittedBy !== exchange.tenant.keyId && !isReviewer(exchange.tenant))) throw new GatewayError('action_not_found', `No action ${id.slice(0, 100)} visible to this key.`);
        return { status: 200, body: JSON.stringify(actionView(action, gate)) };
      }
      if (method !== 'POST') throw new GatewayError('method_not_allowed', `${path} accepts POST only.`);
      if (!exchange.tenant.scopes.includes('approver')) throw new GatewayError('insufficient_scope', 'Approving or rejecting actions needs a key with the approver scope.');
      try {
        const verdict = await gate.decide(id, verb, { keyId: exchange.tenant.keyId, name: exchange.tenant.name }, exchange.body, exchange.requestId);
        return { status: 200, body: JSON.stringify(verdict.body) };
      } catch (error) {
        return approvalFailure(error);
      }
    },
  };
}

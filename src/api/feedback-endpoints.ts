// POST /v1/feedback and GET /v1/feedback: feedback on the calls a key made (the learning loop). The
// service (learning/feedback.ts) checks the metric and the target; any key may give feedback on its
// own captured calls, none on another's.
import { storedKeyId } from '../pipeline/auth.js';
import { GatewayError } from '../core/errors.js';
import type { FeedbackService } from '../learning/feedback.js';
import type { Exchange, Reply } from './exchange.js';
import { parseJsonBody } from './http-io.js';

export const feedbackPath = '/v1/feedback';

function authorOf(exchange: Exchange): { tenant: string; keyId: string | null } {
  const { tenant } = exchange;
  return { tenant: tenant.name, keyId: storedKeyId(tenant) };
}

export function createFeedbackEndpoints(feedback: FeedbackService) {
  return {
    async handle(exchange: Exchange): Promise<Reply> {
      const method = exchange.request.method;
      if (method === 'POST') {
        const created = await feedback.give(authorOf(exchange), parseJsonBody(exchange.body));
        return { status: 200, body: JSON.stringify(created) };
      }
      if (method === 'GET') {
        const query = new URL(exchange.request.url ?? '/', 'http://gateway').searchParams;
        const data = await feedback.list(authorOf(exchange), query);
        return { status: 200, body: JSON.stringify({ object: 'list', data }) };
      }
      throw new GatewayError('method_not_allowed', `${feedbackPath} accepts GET and POST.`);
    },
  };
}

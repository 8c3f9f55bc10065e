// The ledger over HTTP: the latest checkpoint and the verifier key (public), receipts, consistency
// proofs and entries (with an API key). A receipt, and an entry, is served to the key that made the
// call, or to a key with the auditor or admin scope: entries name tenants, models, providers and
// labels, and who called what is no other key's business.
import { GatewayError } from '../core/errors.js';
import { formatTlogProof } from '../ledger/receipt.js';
import type { LedgerLog } from '../pipeline/ledger-log.js';
import type { Store } from '../store/store.js';
import type { Exchange, Reply } from './exchange.js';

export const receiptsPrefix = '/v1/ledger/receipts/';
const maxPage = 1000;

export interface LedgerEndpoints {
  checkpoint(): Reply;
  key(): Reply;
  receipt(exchange: Exchange, path: string): Promise<Reply>;
  consistency(exchange: Exchange, query: URLSearchParams): Reply;
  entries(exchange: Exchange, query: URLSearchParams): Promise<Reply>;
}

function count(query: URLSearchParams, name: string, fallback?: number): number {
  const text = query.get(name);
  if (text === null) {
    if (fallback !== undefined) return fallback;
    throw new GatewayError('invalid_request', `The query parameter "${name}" is required.`, { param: name });
  }
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text))
    throw new GatewayError('invalid_request', `The query parameter "${name}" must be a non-negative integer.`, {
      param: name,
    });
  return Number(text);
}

const canAudit = (exchange: Exchange): boolean =>
  exchange.tenant.scopes.includes('admin') || exchange.tenant.scopes.includes('auditor');

export function createLedgerEndpoints(ledger: LedgerLog, store: Store, receiptWaitMs: number): LedgerEndpoints {
  return {
    checkpoint() {
      const latest = ledger.latestCheckpoint();
      if (!latest) throw new GatewayError('receipt_not_found', 'No checkpoint has been signed yet.');
      return { status: 200, body: latest.note, contentType: 'text/plain; charset=utf-8' };
    },

    key() {
      return { status: 200, body: `${ledger.verifierKey}\n`, contentType: 'text/plain; charset=utf-8' };
    },

    async receipt(exchange, path) {
      const text = path.slice(receiptsPrefix.length);
      if (!/^(0|[1-9][0-9]{0,15})$/.test(text))
        throw new GatewayError('invalid_request', 'The receipt index must be a non-negative integer.', {
          param: 'index',
        });
      const index = Number(text);
      const found = await ledger.receipt(index, receiptWaitMs);
      if (!found)
        throw new GatewayError(
          'receipt_not_found',
          `No ledger entry at index ${index} is covered by a checkpoint yet.`,
        );
      // Whether an index exists is no secret; who called what is.
      if (found.keyId !== exchange.tenant.keyId && !canAudit(exchange))
        throw new GatewayError(
          'insufficient_scope',
          'A receipt is served to the key that made the call, or to a key with the auditor or admin scope.',
        );
      const accept = exchange.request.headers.accept ?? '';
      if (accept.includes('text/plain') && !accept.includes('application/json'))
        return { status: 200, body: formatTlogProof(found.receipt), contentType: 'text/plain; charset=utf-8' };
      const closeIndex = await store.streamCloseIndex(index);
      return {
        status: 200,
        body: JSON.stringify(closeIndex === null ? found.receipt : { ...found.receipt, close_index: closeIndex }),
      };
    },

    consistency(_exchange, query) {
      const from = count(query, 'from');
      const to = count(query, 'to', ledger.latestCheckpoint()?.size ?? 0);
      const signed = ledger.latestCheckpoint()?.size ?? 0;
      if (from < 1 || from > to || to > signed)
        throw new GatewayError('invalid_request', `Need 1 ≤ from ≤ to ≤ ${signed} (the latest checkpoint's size).`, {
          param: 'from',
        });
      return {
        status: 200,
        body: JSON.stringify({
          from,
          to,
          proof: ledger.consistencyProof(from, to).map((hash) => hash.toString('base64')),
        }),
      };
    },

    async entries(exchange, query) {
      const start = count(query, 'start', 0);
      const size = ledger.size;
      if (!canAudit(exchange)) {
        // A key's own entries only, by the key id stored with each (never by the tenant name in the
        // entry, which another key may share). A page reads at most 1000 indices of the log, as an
        // auditor's does, and keeps the key's own: no index on the key is needed, so appends, the hot
        // path, write no more than before (measured: such an index cost about a tenth of the throughput).
        const end = Math.min(count(query, 'end', start + maxPage), start + maxPage);
        if (end < start) throw new GatewayError('invalid_request', 'end must not be below start.', { param: 'end' });
        const rows = await store.ledgerEntriesOfKey(exchange.tenant.keyId, start, end, maxPage);
        // (Not the integrated size: a call just answered may not be in the tree yet, but it is stored.)
        const next = end < size ? end : null;
        return {
          status: 200,
          body: JSON.stringify({
            entries: rows.map((row) => ({ index: row.index, leaf: row.leaf.toString('base64') })),
            next,
            size,
          }),
        };
      }
      const end = Math.min(count(query, 'end', start + maxPage), start + maxPage);
      if (end < start) throw new GatewayError('invalid_request', 'end must not be below start.', { param: 'end' });
      const rows = await store.ledgerEntries(start, end);
      return {
        status: 200,
        body: JSON.stringify({
          entries: rows.map((row) => ({ index: row.index, leaf: row.leaf.toString('base64') })),
          next: end < size ? end : null,
          size,
        }),
      };
    },
  };
}

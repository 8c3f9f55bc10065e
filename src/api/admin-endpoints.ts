// Live provider health (GET /v1/providers) and the cut switch (POST /v1/admin/cut, /v1/admin/uncut):
// a cut takes effect at once for this replica (others reload cuts within a second), and every cut
// and uncut is a ledger entry. A cut names a provider, operator or jurisdiction this gateway knows:
// a misspelt one would cut nothing while looking like it had worked.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GatewayError } from '../core/errors.js';
import { cutEntry, type EntryRecord } from '../ledger/entry.js';
import { describeCut } from '../pipeline/cuts.js';
import { buildDependencyReport, renderReportHtml, renderReportText } from '../pipeline/dependency-report.js';
import type { Config } from '../config/schema.js';
import type { LedgerLog } from '../pipeline/ledger-log.js';
import type { CutRecord, Store } from '../store/store.js';
import type { Exchange, Reply } from './exchange.js';
import { parseJsonBody } from './http-io.js';
import { validationError } from './validation.js';

const cutBody = z
  .strictObject({
    provider: z.string().min(1).optional(),
    operator: z.string().min(1).optional(),
    jurisdiction: z
      .string()
      .regex(/^(local|[A-Z]{2})$/, 'must be "local" or an ISO 3166-1 alpha-2 code')
      .optional(),
    until: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).optional(),
  })
  .refine(
    (body) => [body.provider, body.operator, body.jurisdiction].filter((value) => value !== undefined).length === 1,
    { message: 'name exactly one of provider, operator or jurisdiction' },
  );

function requireAdmin(exchange: Exchange): void {
  if (!exchange.tenant.scopes.includes('admin'))
    throw new GatewayError('insufficient_scope', 'Cutting and restoring providers needs a key with the admin scope.');
}

/** "7d", "24h", "30m", or an RFC 3339 time. */
function sinceOf(text: string, now: number): number {
  const match = /^(\d+)(m|h|d)$/.exec(text);
  if (match) return now - Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
  const time = Date.parse(text);
  if (Number.isNaN(time))
    throw new GatewayError('invalid_request', 'since must be a duration such as 7d, 24h or 30m, or an RFC 3339 time.', {
      param: 'since',
    });
  return time;
}

export function createAdminEndpoints(
  config: Config,
  store: Store,
  ledger: LedgerLog,
  reloadCuts: () => Promise<void>,
  now: () => number,
) {
  async function record(
    exchange: Exchange,
    kind: 'cut' | 'uncut',
    cut: { target: string; value: string; until: number | null },
  ): Promise<number> {
    const entry = cutEntry(kind, {
      time: now(),
      requestId: exchange.requestId,
      tenant: exchange.tenant.name,
      policyHash: exchange.gateway.policyHash,
      ...cut,
    });
    return ledger.append(entry, { keyId: exchange.tenant.keyId });
  }

  function parse(exchange: Exchange): { target: CutRecord['target']; value: string; until: number | null } {
    const parsed = cutBody.safeParse(parseJsonBody(exchange.body));
    if (!parsed.success) throw validationError(parsed.error);
    const target: CutRecord['target'] =
      parsed.data.provider !== undefined
        ? 'provider'
        : parsed.data.operator !== undefined
          ? 'operator'
          : 'jurisdiction';
    const until =
      parsed.data.until === undefined
        ? null
        : typeof parsed.data.until === 'number'
          ? parsed.data.until
          : Date.parse(parsed.data.until);
    return { target, value: parsed.data[target] as string, until };
  }

  /**
   * Refuses a name no provider of this gateway carries, listing those it knows. An uncut may also
   * name what a stored cut names (a provider since removed from the config), so that it can be lifted.
   */
  async function requireKnown(
    exchange: Exchange,
    cut: { target: CutRecord['target']; value: string },
    lifting: boolean,
  ): Promise<void> {
    const descriptions = [
      ...[...exchange.gateway.catalog.providers.values()].map((provider) => provider.description),
      // MCP tool servers are cut like providers (the policy's cut check covers them too).
      ...config.mcp.servers.map((server) => ({ ...server, kind: `mcp-${server.transport}` })),
    ];
    const known = new Set(
      descriptions.map((description) => (cut.target === 'provider' ? description.id : description[cut.target])),
    );
    if (known.has(cut.value)) return;
    if (lifting && (await store.cuts()).some((stored) => stored.target === cut.target && stored.value === cut.value))
      return;
    const plural = { provider: 'providers', operator: 'operators', jurisdiction: 'jurisdictions' }[cut.target];
    const listed = [...known].sort();
    throw new GatewayError(
      'invalid_request',
      `No provider of this gateway has the ${cut.target} "${cut.value.slice(0, 200)}", so there is nothing to ${lifting ? 'uncut' : 'cut'}. Known ${plural}: ${listed.length > 0 ? listed.map((value) => `"${value}"`).join(', ') : 'none'}.`,
      { param: cut.target },
    );
  }

  return {
    async dependencies(exchange: Exchange, query: URLSearchParams): Promise<Reply> {
      const since = sinceOf(query.get('since') ?? '7d', now());
      const format = query.get('format') ?? 'json';
      if (!['json', 'text', 'html'].includes(format))
        throw new GatewayError('invalid_request', 'format must be json, text or html.', { param: 'format' });
      const entries: EntryRecord[] = [];
      for (let start = 0; ; start += 1000) {
        const rows = await store.ledgerEntries(start, start + 1000);
        for (const row of rows)
          if (row.createdAt >= since) entries.push(JSON.parse(row.leaf.toString('utf8')) as EntryRecord);
        if (rows.length < 1000) break;
      }
      const { gateway } = exchange;
      const report = buildDependencyReport({
        config,
        policy: gateway.policy,
        policyHash: gateway.policyHash,
        providers: [...gateway.catalog.providers.values()].map((provider) => provider.description),
        entries,
        since,
        now: now(),
      });
      if (format === 'text')
        return { status: 200, body: renderReportText(report), contentType: 'text/plain; charset=utf-8' };
      if (format === 'html')
        return { status: 200, body: renderReportHtml(report), contentType: 'text/html; charset=utf-8' };
      return { status: 200, body: JSON.stringify(report) };
    },

    providers(exchange: Exchange): Reply {
      return { status: 200, body: JSON.stringify({ providers: exchange.gateway.providerStatuses() }) };
    },

    async cut(exchange: Exchange): Promise<Reply> {
      requireAdmin(exchange);
      const cut = parse(exchange);
      await requireKnown(exchange, cut, false);
      if (cut.until !== null && cut.until <= now())
        throw new GatewayError('invalid_request', '"until" is in the past.', { param: 'until' });
      await store.addCut({ id: randomUUID(), ...cut, createdAt: now(), createdBy: exchange.tenant.name });
      await reloadCuts();
      const index = await record(exchange, 'cut', cut);
      const affected = exchange.gateway
        .providerStatuses()
        .filter((status) => status.state === 'cut')
        .map((status) => status.id);
      return {
        status: 200,
        body: JSON.stringify({ cut: describeCut(cut), providers_cut: affected, ledger_index: index }),
      };
    },

    async uncut(exchange: Exchange): Promise<Reply> {
      requireAdmin(exchange);
      const cut = parse(exchange);
      await requireKnown(exchange, cut, true);
      const lifted = await store.removeCuts(cut.target, cut.value);
      await reloadCuts();
      const index = await record(exchange, 'uncut', { ...cut, until: null });
      return { status: 200, body: JSON.stringify({ lifted, ledger_index: index }) };
    },
  };
}

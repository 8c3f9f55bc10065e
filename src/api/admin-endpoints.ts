// Live provider health (GET /v1/providers) and the cut switch (POST /v1/admin/cut, /v1/admin/uncut):
// a cut takes effect at once for this replica (others reload cuts within a second), and every cut
// and uncut is a ledger entry. A cut names a provider, operator or jurisdiction this gateway knows:
// a misspelt one would cut nothing while looking like it had worked. Times an admin gives are held
// to ±100 years from now: a cut until 9000000000000000 was once stored, and no Date could show it.
import { timeSince } from '../core/clock.js';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GatewayError } from '../core/errors.js';
import { cutEntry } from '../ledger/entry.js';
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

/** The widest span of time an admin input may name, either way from now. */
const timeSpanMs = 100 * 365.25 * 86_400_000;

/** A time an admin gave (milliseconds since the epoch) that is a real time within ±100 years of now. */
function boundedTime(time: number, now: number, param: string): number {
  if (!Number.isFinite(time) || Math.abs(time - now) > timeSpanMs)
    throw new GatewayError('invalid_request', `${param} must be a time within 100 years of now.`, { param });
  return time;
}

const isAdmin = (exchange: Exchange): boolean => exchange.tenant.scopes.includes('admin');

function requireAdmin(exchange: Exchange): void {
  if (!isAdmin(exchange))
    throw new GatewayError('insufficient_scope', 'Cutting and restoring providers needs a key with the admin scope.');
}

/** "7d", "24h", "30m", or an RFC 3339 time. */
function sinceOf(text: string, now: number): number {
  const time = timeSince(text, now);
  if (time === undefined)
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
  const entryOf = (
    exchange: Exchange,
    kind: 'cut' | 'uncut',
    cut: { target: string; value: string; until: number | null },
  ) =>
    cutEntry(kind, {
      time: now(),
      requestId: exchange.requestId,
      tenant: exchange.tenant.name,
      policyHash: exchange.gateway.policyHash,
      ...cut,
    });

  const unrecorded = (error: unknown, what: string): GatewayError =>
    new GatewayError(
      'ledger_unavailable',
      `The ledger could not record the ${what}, so it was not made; retry later.`,
      {
        cause: error,
        retryAfterSeconds: 1,
      },
    );

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
        : boundedTime(
            typeof parsed.data.until === 'number' ? parsed.data.until : Date.parse(parsed.data.until),
            now(),
            'until',
          );
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
      const since = boundedTime(sinceOf(query.get('since') ?? '7d', now()), now(), 'since');
      const format = query.get('format') ?? 'json';
      if (!['json', 'text', 'html'].includes(format))
        throw new GatewayError('invalid_request', 'format must be json, text or html.', { param: 'format' });
      // Running totals kept by the log as entries are integrated: the ledger is not read per report.
      const traffic = await ledger.traffic(since);
      const { gateway } = exchange;
      const report = buildDependencyReport({
        config,
        policy: gateway.policy,
        policyHash: gateway.policyHash,
        providers: [...gateway.catalog.providers.values()].map((provider) => provider.description),
        traffic,
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
      const statuses = exchange.gateway.providerStatuses();
      // How a provider last failed is operations' business: other keys get the field, always null.
      const shown = isAdmin(exchange) ? statuses : statuses.map((status) => ({ ...status, last_error: null }));
      return { status: 200, body: JSON.stringify({ providers: shown }) };
    },

    async cut(exchange: Exchange): Promise<Reply> {
      requireAdmin(exchange);
      const cut = parse(exchange);
      await requireKnown(exchange, cut, false);
      if (cut.until !== null && cut.until <= now())
        throw new GatewayError('invalid_request', '"until" is in the past.', { param: 'until' });
      // The entry is made before anything is stored, and a cut the ledger cannot record is taken back:
      // no cut is ever in force without its entry.
      const entry = entryOf(exchange, 'cut', cut);
      const id = randomUUID();
      await store.addCut({ id, ...cut, createdAt: now(), createdBy: exchange.tenant.name });
      let index: number;
      try {
        index = await ledger.append(entry, { keyId: exchange.tenant.keyId });
      } catch (error) {
        await store.removeCut(id);
        throw unrecorded(error, 'cut');
      }
      await reloadCuts();
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
      const entry = entryOf(exchange, 'uncut', { ...cut, until: null });
      const matching = (await store.cuts()).filter(
        (stored) => stored.target === cut.target && stored.value === cut.value,
      );
      const lifted = await store.removeCuts(cut.target, cut.value);
      let index: number;
      try {
        index = await ledger.append(entry, { keyId: exchange.tenant.keyId });
      } catch (error) {
        // Put back what was lifted: an uncut, like a cut, is in force only with its entry.
        for (const stored of matching) await store.addCut(stored);
        throw unrecorded(error, 'uncut');
      }
      await reloadCuts();
      return { status: 200, body: JSON.stringify({ lifted, ledger_index: index }) };
    },
  };
}

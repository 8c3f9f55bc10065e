// The dependency report: for every model alias and every label class the policy speaks of, which
// providers could serve it and where the single points of failure are; what would be lost if any
// one operator or jurisdiction disappeared; and the share of traffic, tokens and cost served by
// owned, contracted and rented providers and by jurisdiction, from the ledger. MCP tool servers are
// listed the same way (by operator and jurisdiction, what a loss would take), their calls apart.
// The traffic comes from running totals the ledger log keeps as entries are integrated (TrafficTally),
// so a report costs the same at 300 entries and at 300,000.
import type { Config } from '../config/schema.js';
import type { ProviderDescription } from '../core/provider.js';
import type { EntryRecord } from '../ledger/entry.js';
import { decide, type PolicyDocument } from '../policy/policy.js';

export interface Share {
  key: string;
  requests: number;
  tokens: number;
  cost: number;
  requests_share: number;
  tokens_share: number;
  cost_share: number;
}

export interface DependencyReport {
  generated_at: string;
  since: string;
  policy: { name: string; hash: string };
  aliases: Array<{
    alias: string;
    classes: Array<{
      labels: string;
      providers: string[];
      operators: string[];
      jurisdictions: string[];
      single_point_of_failure: string | null;
    }>;
  }>;
  if_lost: Array<{
    kind: 'operator' | 'jurisdiction';
    value: string;
    aliases_left_without_provider: string[];
    /** MCP tool servers that would go with it. */
    tool_servers_lost: string[];
  }>;
  /** The MCP tool servers, as described, with their tool calls answered since `since`. */
  tool_servers: Array<{ id: string; operator: string; jurisdiction: string; ownership: string; calls: number }>;
  traffic: {
    requests: number;
    tokens: number;
    cost: number;
    by_ownership: Share[];
    by_jurisdiction: Share[];
    priced: boolean;
  };
  /** MCP tool calls answered, by the ownership and jurisdiction of the server that answered. */
  tool_calls: { calls: number; by_ownership: Share[]; by_jurisdiction: Share[] };
}

/** The traffic of one provider, ownership and jurisdiction since some time: served calls or MCP tool calls. */
export interface TrafficRow {
  group: 'served' | 'tool';
  provider: string;
  ownership: string;
  jurisdiction: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** Which totals an entry counts in: answered calls and tool calls; not refusals, shadows, openings or admin events. */
function trafficGroup(entry: Partial<EntryRecord>): 'served' | 'tool' | undefined {
  if (entry.outcome !== 'ok' || typeof entry.provider !== 'string') return undefined;
  // A shadow call (the learning loop) measures a candidate; it serves no one.
  if (entry.shadow === true) return undefined;
  switch (entry.kind) {
    case 'stream_open':
    case 'cut':
    case 'uncut':
    case 'tool_pin':
    case 'tool_quarantine':
    case 'tool_accept':
      return undefined;
    case 'tool_call':
      return 'tool';
    default:
      return 'served';
  }
}

/** Cumulative totals of one row key, one point per distinct time (non-decreasing), for a binary search by time. */
export interface Series {
  row: Omit<TrafficRow, 'requests' | 'inputTokens' | 'outputTokens'>;
  times: number[];
  requests: number[];
  inputTokens: number[];
  outputTokens: number[];
}

/**
 * Running traffic totals by provider, ownership and jurisdiction, fed each entry once as the ledger log
 * integrates it. The totals since any time are the last cumulative values minus those just before that
 * time: a binary search per row key, whatever the size of the log (reading the log per report took
 * 2.7 s at 338k entries and blocked the event loop). Memory: four numbers per distinct entry time.
 */
/** An entry's place in the totals and its tokens (TrafficTally.point). */
export interface TrafficPoint {
  readonly series: Series;
  readonly input: number;
  readonly output: number;
}

export class TrafficTally {
  private readonly series = new Map<string, Series>();

  /** Counts an entry (parsed from its leaf; anything malformed or not traffic is skipped) at its store time. */
  add(entry: Partial<EntryRecord> | undefined, createdAt: number): void {
    const point = this.point(entry);
    if (point) this.count(point, createdAt);
  }

  /**
   * What an entry will count for, read from it now: the ledger keeps this small point with a pending entry, not the
   * entry's record (a record kept alive until integration is promoted by the collector, at a cost per call).
   */
  point(entry: Partial<EntryRecord> | undefined): TrafficPoint | undefined {
    if (!entry || typeof entry !== 'object') return undefined;
    const group = trafficGroup(entry);
    if (!group) return undefined;
    const ownership = typeof entry.ownership === 'string' ? entry.ownership : 'unknown';
    const jurisdiction = typeof entry.jurisdiction === 'string' ? entry.jurisdiction : 'unknown';
    const provider = entry.provider as string;
    const key = `${group}\u0000${provider}\u0000${ownership}\u0000${jurisdiction}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        row: { group, provider, ownership, jurisdiction },
        times: [],
        requests: [],
        inputTokens: [],
        outputTokens: [],
      };
      this.series.set(key, series);
    }
    return {
      series,
      input: Number(entry.usage?.prompt_tokens) || 0,
      output: Number(entry.usage?.completion_tokens) || 0,
    };
  }

  /** Counts a point at its store time. */
  count(point: TrafficPoint, createdAt: number): void {
    const { series, input, output } = point;
    const last = series.times.length - 1;
    // One point a minute: the series grows with the minutes that had traffic, not with every millisecond (at
    // thousands of calls a second it would grow without bound), and a report's `since` is read to the minute.
    // Replicas' clocks may disagree a little: times are kept non-decreasing so the search stays valid.
    const minute = createdAt - (createdAt % 60_000);
    const time = last >= 0 ? Math.max(minute, series.times[last]!) : minute;
    if (last >= 0 && series.times[last] === time) {
      series.requests[last]! += 1;
      series.inputTokens[last]! += input;
      series.outputTokens[last]! += output;
      return;
    }
    series.times.push(time);
    series.requests.push((series.requests[last] ?? 0) + 1);
    series.inputTokens.push((series.inputTokens[last] ?? 0) + input);
    series.outputTokens.push((series.outputTokens[last] ?? 0) + output);
  }

  /** Totals of entries stored at or after `time`, one row per key that has any. */
  since(time: number): TrafficRow[] {
    const rows: TrafficRow[] = [];
    for (const series of this.series.values()) {
      // The first minute that ends after `time` (the minute holding `time` is counted whole).
      let low = 0;
      let high = series.times.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (series.times[middle]! + 60_000 <= time) low = middle + 1;
        else high = middle;
      }
      if (low === series.times.length) continue;
      const last = series.times.length - 1;
      const before = (values: number[]): number => (low === 0 ? 0 : values[low - 1]!);
      rows.push({
        ...series.row,
        requests: series.requests[last]! - before(series.requests),
        inputTokens: series.inputTokens[last]! - before(series.inputTokens),
        outputTokens: series.outputTokens[last]! - before(series.outputTokens),
      });
    }
    return rows;
  }
}

export function labelClasses(policy: PolicyDocument): string[] {
  return [
    '(no labels)',
    ...new Set(policy.rules.flatMap((rule) => [...(rule.when.labels_any ?? []), ...(rule.when.labels_all ?? [])])),
  ];
}

export function buildDependencyReport(options: {
  config: Config;
  policy: PolicyDocument;
  policyHash: string;
  providers: ProviderDescription[];
  /** TrafficTally.since(since). */
  traffic: TrafficRow[];
  since: number;
  now: number;
}): DependencyReport {
  const { config, policy, providers } = options;
  const toolServers = config.mcp.servers;
  const byId = new Map(providers.map((provider) => [provider.id, provider]));
  const classes = labelClasses(policy);
  const reachable = (
    alias: string,
    labelClass: string,
    without?: (provider: ProviderDescription) => boolean,
  ): ProviderDescription[] => {
    const candidates = [...new Set(config.models[alias]!.candidates.map((name) => name.slice(0, name.indexOf('/'))))]
      .map((id) => byId.get(id)!)
      .filter((provider) => !without?.(provider));
    const decision = decide(policy, labelClass === '(no labels)' ? [] : [labelClass], candidates);
    return decision.mode === 'refuse' ? [] : decision.allowed.map((id) => byId.get(id)!);
  };
  const aliases = Object.keys(config.models).map((alias) => ({
    alias,
    classes: classes.map((labels) => {
      const found = reachable(alias, labels);
      const operators = [...new Set(found.map((provider) => provider.operator))];
      const jurisdictions = [...new Set(found.map((provider) => provider.jurisdiction))];
      const single =
        found.length === 0
          ? 'no provider'
          : operators.length === 1
            ? `single operator: ${operators[0]}`
            : jurisdictions.length === 1
              ? `single jurisdiction: ${jurisdictions[0]}`
              : null;
      return {
        labels,
        providers: found.map((provider) => provider.id),
        operators,
        jurisdictions,
        single_point_of_failure: single,
      };
    }),
  }));
  const losses = (kind: 'operator' | 'jurisdiction', values: string[]) =>
    values.map((value) => ({
      kind,
      value,
      aliases_left_without_provider: Object.keys(config.models).flatMap((alias) =>
        classes
          .filter(
            (labels) =>
              reachable(alias, labels).length > 0 &&
              reachable(alias, labels, (provider) => provider[kind] === value).length === 0,
          )
          .map((labels) => (labels === '(no labels)' ? alias : `${alias} [${labels}]`)),
      ),
      tool_servers_lost: toolServers.filter((server) => server[kind] === value).map((server) => server.id),
    }));
  const everyone = [...providers, ...toolServers];
  const operators = [...new Set(everyone.map((provider) => provider.operator))].sort();
  const jurisdictions = [...new Set(everyone.map((provider) => provider.jurisdiction))]
    .filter((jurisdiction) => jurisdiction !== 'local')
    .sort();

  const prices = new Map(config.providers.map((provider) => [provider.id, provider.cost_per_million_tokens]));
  const served = options.traffic.filter((row) => row.group === 'served');
  const toolCalls = options.traffic.filter((row) => row.group === 'tool');
  const count = (rows: TrafficRow[]): number => rows.reduce((total, row) => total + row.requests, 0);
  const tally = (key: (row: TrafficRow) => string, among: TrafficRow[] = served): Share[] => {
    const totals = new Map<string, { requests: number; tokens: number; cost: number }>();
    for (const row of among) {
      const bucket = totals.get(key(row)) ?? { requests: 0, tokens: 0, cost: 0 };
      const price = prices.get(row.provider);
      bucket.requests += row.requests;
      bucket.tokens += row.inputTokens + row.outputTokens;
      bucket.cost += price ? (row.inputTokens * price.input + row.outputTokens * price.output) / 1e6 : 0;
      totals.set(key(row), bucket);
    }
    const sum = (field: 'requests' | 'tokens' | 'cost') =>
      [...totals.values()].reduce((total, bucket) => total + bucket[field], 0);
    const share = (value: number, total: number) => (total === 0 ? 0 : Math.round((value / total) * 1000) / 1000);
    return [...totals]
      .map(([name, bucket]) => ({
        key: name,
        ...bucket,
        cost: Math.round(bucket.cost * 100) / 100,
        requests_share: share(bucket.requests, sum('requests')),
        tokens_share: share(bucket.tokens, sum('tokens')),
        cost_share: share(bucket.cost, sum('cost')),
      }))
      .sort((a, b) => b.requests - a.requests);
  };
  const byOwnership = tally((row) => row.ownership);
  return {
    generated_at: new Date(options.now).toISOString(),
    since: new Date(options.since).toISOString(),
    policy: { name: policy.name, hash: options.policyHash },
    aliases,
    if_lost: [...losses('operator', operators), ...losses('jurisdiction', jurisdictions)],
    traffic: {
      requests: count(served),
      tokens: byOwnership.reduce((total, share) => total + share.tokens, 0),
      cost: Math.round(byOwnership.reduce((total, share) => total + share.cost, 0) * 100) / 100,
      by_ownership: byOwnership,
      by_jurisdiction: tally((row) => row.jurisdiction),
      priced: config.providers.some((provider) => provider.cost_per_million_tokens !== undefined),
    },
    tool_servers: toolServers.map((server) => ({
      id: server.id,
      operator: server.operator,
      jurisdiction: server.jurisdiction,
      ownership: server.ownership,
      calls: count(toolCalls.filter((row) => row.provider === server.id)),
    })),
    tool_calls: {
      calls: count(toolCalls),
      by_ownership: tally((row) => row.ownership, toolCalls),
      by_jurisdiction: tally((row) => row.jurisdiction, toolCalls),
    },
  };
}

export function renderReportText(report: DependencyReport): string {
  const lines = [`dependency report since ${report.since} (policy "${report.policy.name}", ${report.policy.hash})`, ''];
  for (const alias of report.aliases) {
    lines.push(alias.alias);
    for (const entry of alias.classes)
      lines.push(
        `  ${entry.labels.padEnd(22)} ${entry.providers.join(', ') || 'REFUSED'}${entry.single_point_of_failure ? `   ⚠ ${entry.single_point_of_failure}` : ''}`,
      );
  }
  if (report.tool_servers.length > 0) {
    lines.push('', 'tool servers (MCP):');
    for (const server of report.tool_servers)
      lines.push(
        `  ${server.id.padEnd(22)} ${server.operator}, ${server.jurisdiction}, ${server.ownership}: ${server.calls} calls`,
      );
  }
  lines.push('', 'if one disappeared:');
  for (const loss of report.if_lost)
    lines.push(
      `  ${loss.kind} ${loss.value}: ${loss.aliases_left_without_provider.length ? `no provider left for ${loss.aliases_left_without_provider.join(', ')}` : 'every alias goes on'}${loss.tool_servers_lost.length ? `; tool servers lost: ${loss.tool_servers_lost.join(', ')}` : ''}`,
    );
  lines.push(
    '',
    `traffic: ${report.traffic.requests} calls, ${report.traffic.tokens} tokens${report.traffic.priced ? `, cost ${report.traffic.cost}` : ' (no prices configured)'}`,
  );
  for (const [title, shares] of [
    ['by ownership', report.traffic.by_ownership],
    ['by jurisdiction', report.traffic.by_jurisdiction],
  ] as const) {
    lines.push(
      `  ${title}: ${shares.map((share) => `${share.key} ${Math.round(share.requests_share * 100)}% of calls, ${Math.round(share.tokens_share * 100)}% of tokens${report.traffic.priced ? `, ${Math.round(share.cost_share * 100)}% of cost` : ''}`).join('; ') || 'no traffic'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"]/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[character]!);

function shareBars(title: string, shares: Share[]): string {
  const palette = ['#1b7f3b', '#2563eb', '#b7791f', '#b42318', '#6b21a8', '#0f766e'];
  let x = 0;
  const segments = shares.map((share, index) => {
    const width = Math.round(share.requests_share * 560);
    const segment = `<rect x="${x}" y="0" width="${width}" height="24" fill="${palette[index % palette.length]}"><title>${escapeHtml(share.key)}: ${Math.round(share.requests_share * 100)}%</title></rect>`;
    x += width;
    return segment;
  });
  const legend = shares
    .map(
      (share, index) =>
        `<span style="color:${palette[index % palette.length]}">■</span> ${escapeHtml(share.key)} ${Math.round(share.requests_share * 100)}% of calls, ${Math.round(share.tokens_share * 100)}% of tokens`,
    )
    .join(' &nbsp; ');
  return `<h3>${escapeHtml(title)}</h3><svg width="560" height="24" role="img" aria-label="${escapeHtml(title)}">${segments.join('')}</svg><p>${legend || 'no traffic yet'}</p>`;
}

/** A page a manager can read, offline: inline styles and SVG, nothing fetched. */
export function renderReportHtml(report: DependencyReport): string {
  const rows = report.aliases
    .flatMap((alias) =>
      alias.classes.map(
        (entry) =>
          `<tr><td>${escapeHtml(alias.alias)}</td><td>${escapeHtml(entry.labels)}</td><td>${escapeHtml(entry.providers.join(', ') || 'refused')}</td><td class="${entry.single_point_of_failure ? 'warn' : 'ok'}">${escapeHtml(entry.single_point_of_failure ?? 'resilient')}</td></tr>`,
      ),
    )
    .join('');
  const losses = report.if_lost
    .map(
      (loss) =>
        `<li>If ${loss.kind} <b>${escapeHtml(loss.value)}</b> disappeared: ${loss.aliases_left_without_provider.length ? `<span class="warn">no provider left for ${escapeHtml(loss.aliases_left_without_provider.join(', '))}</span>` : '<span class="ok">every alias goes on</span>'}</li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AI supply dependencies</title><style>body{font:15px system-ui,sans-serif;margin:2rem;color:#111;max-width:960px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.warn{color:#b42318}.ok{color:#1b7f3b}</style></head><body>
<h1>AI supply dependencies</h1><p>Since ${escapeHtml(report.since)} · policy “${escapeHtml(report.policy.name)}” <code>${escapeHtml(report.policy.hash)}</code></p>
<h2>Who can serve what</h2><table><tr><th>model</th><th>requests labelled</th><th>providers allowed</th><th>single point of failure</th></tr>${rows}</table>
<h2>If one disappeared</h2><ul>${losses}</ul>
<h2>Who served the traffic</h2><p>${report.traffic.requests} calls, ${report.traffic.tokens} tokens${report.traffic.priced ? `, cost ${report.traffic.cost}` : ' (no prices configured)'}.</p>
${shareBars('By ownership', report.traffic.by_ownership)}${shareBars('By jurisdiction', report.traffic.by_jurisdiction)}
</body></html>
`;
}

// `sovereign drill`: proves, with numbers, that the service goes on when a vendor, an operator or
// a whole jurisdiction is cut off. It replays a workload against a running gateway, cuts what it is
// told to cut half-way through, and reports who served what before and after, how fast routing
// stopped using what was cut, and a verdict per model alias. The cuts are lifted at the end, also
// when the drill is interrupted (Ctrl-C) or stops on an error. Exit codes: 0 when every alias went
// on (continuous or degraded), 1 when an alias was lost (or the gateway failed the drill), 2 for bad
// usage (a cut naming nothing the gateway knows, no API key), 130 when interrupted.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { escapeHtml } from '../pipeline/dependency-report.js';
import { apiKeyFrom, exitConfigError, fail, gatewayRefusal, gatewayUrl, requireApiKey } from './context.js';

interface DrillOptions {
  cut: string[];
  requests: string;
  cutAfter?: string;
  concurrency: string;
  workload: string;
  url?: string;
  key?: string;
  apiKey?: string;
  config?: string;
  out?: string;
}

/** Why the drill stopped before its report, with the exit code to stop with (its cuts are lifted first). */
class DrillStop extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface Shot {
  alias: string;
  labels: string[];
  stream: boolean;
  /** Characters of synthetic text (never real data). */
  length: number;
}

export interface Result {
  alias: string;
  phase: 'before' | 'after';
  status: number;
  provider: string | null;
  code: string | null;
  ms: number;
  sentAt: number;
}

const words = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliett',
  'kilo',
  'lima',
];
const syntheticText = (length: number, seed: number): string => {
  let text = '';
  for (let index = seed; text.length < length; index += 7) text += `${words[index % words.length]} `;
  return text.slice(0, Math.max(1, length));
};

function percentile(values: number[], quantile: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]! * 10) / 10;
}

export function registerDrillCommand(program: Command): void {
  program
    .command('drill')
    .description(
      'cut an operator, provider or jurisdiction mid-way through a replayed workload, and report how the service went on',
    )
    .option(
      '--cut <target=value>',
      'what to cut: operator=<name>, provider=<id> or jurisdiction=<code> (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--requests <n>', 'requests in all', '2000')
    .option('--cut-after <n>', 'requests sent before the cut (default: half)')
    .option('--concurrency <n>', 'requests in flight at once', '32')
    .option(
      '--workload <kind>',
      'synthetic (a mix over every alias) or recorded (shapes of past calls from the ledger, with synthetic text)',
      'synthetic',
    )
    .option('--url <url>', 'the gateway (default: the config’s listen address)')
    .option('--api-key <key>', 'an admin API key (default: $SOVEREIGN_KEY)')
    .option('--key <key>', 'the same as --api-key')
    .option(
      '--out <prefix>',
      'where to save the report (<prefix>.json and <prefix>.html)',
      `drill-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    )
    .option('--config <file>', 'config file')
    .action(async (options: DrillOptions) => {
      try {
        await drill(options);
      } catch (error) {
        if (error instanceof DrillStop) fail(error.message, error.exitCode);
        throw error;
      }
    });
}

async function drill(options: DrillOptions): Promise<void> {
  const cuts = options.cut.map((text) => {
    const match = /^(operator|provider|jurisdiction)=(.+)$/.exec(text);
    if (!match)
      fail(`--cut takes operator=<name>, provider=<id> or jurisdiction=<code>, got "${text}"`, exitConfigError);
    return { target: match[1]!, value: match[2]! };
  });
  if (cuts.length === 0) fail('name at least one --cut', exitConfigError);
  const total = Number(options.requests);
  const concurrency = Number(options.concurrency);
  if (!Number.isInteger(total) || total < 2 || !Number.isInteger(concurrency) || concurrency < 1)
    fail('--requests must be ≥ 2 and --concurrency ≥ 1', exitConfigError);
  const key = requireApiKey(apiKeyFrom(options), 'the admin scope: the drill cuts');
  const url = gatewayUrl(options.url, options.config);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  // Throws rather than exits, so that a failure mid-drill still lifts the cuts already made.
  // biome-ignore lint/suspicious/noExplicitAny: the gateway's JSON answers, read by the fields each use names
  const call = async (path: string, body?: unknown): Promise<any> => {
    let response: Response;
    try {
      response = await fetch(`${url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new DrillStop(`cannot reach the gateway at ${url}: ${(error as Error).message}`, 1);
    }
    const text = await response.text();
    if (!response.ok)
      throw new DrillStop(
        `${path}: ${gatewayRefusal(response.status, text)}`,
        response.status === 400 ? exitConfigError : 1,
      );
    return JSON.parse(text);
  };

  const models = (await call('/v1/models')).data
    .map((model: { id: string }) => model.id)
    .filter((id: string) => !id.includes('/'));
  if (models.length === 0) fail('the gateway serves no model alias to drill');
  const providersBefore = (await call('/v1/providers')).providers as Array<{
    id: string;
    operator: string;
    jurisdiction: string;
  }>;
  const targetValue = (provider: { id: string; operator: string; jurisdiction: string }, target: string): string =>
    target === 'provider' ? provider.id : target === 'operator' ? provider.operator : provider.jurisdiction;
  // A cut that names nothing would make a drill of nothing: refused before any traffic.
  for (const cut of cuts) {
    if (providersBefore.some((provider) => targetValue(provider, cut.target) === cut.value)) continue;
    const known = [...new Set(providersBefore.map((provider) => targetValue(provider, cut.target)))].sort();
    fail(
      `--cut ${cut.target}=${cut.value}: no provider of the gateway at ${url} has that ${cut.target}; known: ${known.map((value) => `"${value}"`).join(', ') || 'none'}`,
      exitConfigError,
    );
  }
  const cutProviders = new Set(
    providersBefore
      .filter((provider) => cuts.some((cut) => targetValue(provider, cut.target) === cut.value))
      .map((provider) => provider.id),
  );

  const workload: Shot[] = [];
  if (options.workload === 'recorded') {
    // Shapes of past calls: model, labels, streaming, prompt size. Their text is never reused.
    const recorded: Shot[] = [];
    for (let start = 0; recorded.length < 5_000; start += 1000) {
      const page = await call(`/v1/ledger/entries?start=${start}&end=${start + 1000}`);
      for (const { leaf } of page.entries as Array<{ leaf: string }>) {
        const entry = JSON.parse(Buffer.from(leaf, 'base64').toString('utf8'));
        if (['chat', 'messages', 'stream_open'].includes(entry.kind) && models.includes(entry.model_requested)) {
          recorded.push({
            alias: entry.model_requested,
            labels: entry.labels ?? [],
            stream: entry.kind === 'stream_open',
            length: Math.min(8_000, Math.max(8, (entry.usage?.prompt_tokens ?? 16) * 4)),
          });
        }
      }
      if (page.next === null) break;
    }
    if (recorded.length === 0) fail('the ledger holds no recorded call of a served alias; use --workload synthetic');
    for (let index = 0; index < total; index += 1) workload.push(recorded[index % recorded.length]!);
  } else {
    for (let index = 0; index < total; index += 1)
      workload.push({
        alias: models[index % models.length]!,
        labels: index % 5 === 0 ? ['confidential'] : [],
        stream: index % 4 === 0,
        length: 40 + (index % 10) * 30,
      });
  }

  let cutAt: number | undefined;
  let restored = false;
  const restore = async (): Promise<void> => {
    if (restored) return;
    restored = true;
    for (const cut of cuts) await call('/v1/admin/uncut', { [cut.target]: cut.value }).catch(() => undefined);
  };
  const interrupt = (): void => {
    process.stderr.write('\nsovereign: drill interrupted; lifting its cuts…\n');
    void restore().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const results: Result[] = [];
  let next = 0;
  let cutting: Promise<void> | undefined;
  const half = options.cutAfter === undefined ? Math.floor(total / 2) : Number(options.cutAfter);
  if (!Number.isInteger(half) || half < 1 || half >= total)
    fail('--cut-after must be between 1 and --requests − 1', exitConfigError);
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      if (index === half) {
        cutting = (async () => {
          for (const cut of cuts) await call('/v1/admin/cut', { [cut.target]: cut.value });
          cutAt = Date.now();
        })();
      }
      if (index >= half) await cutting;
      const shot = workload[index]!;
      const body = {
        model: shot.alias,
        stream: shot.stream,
        messages: [{ role: 'user', content: syntheticText(shot.length, index) }],
        max_tokens: 32,
      };
      const sentAt = Date.now();
      let status = 0;
      let provider: string | null = null;
      let code: string | null = null;
      try {
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...headers, ...(shot.labels.length ? { 'x-sovereign-labels': shot.labels.join(',') } : {}) },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
        status = response.status;
        provider = response.headers.get('x-sovereign-provider');
        const text = await response.text();
        if (status !== 200) code = /"code":"([a-z_]+)"/.exec(text)?.[1] ?? null;
        else if (shot.stream && text.includes('"error"')) code = 'broken_stream';
      } catch (error) {
        code = (error as Error).name === 'TimeoutError' ? 'timeout' : 'connect';
      }
      results.push({
        alias: shot.alias,
        phase: index < half ? 'before' : 'after',
        status,
        provider,
        code,
        ms: Date.now() - sentAt,
        sentAt,
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await restore();
  }

  const report = summariseDrill(url, cuts, [...cutProviders], cutAt ?? Date.now(), results, options.workload);
  writeFileSync(`${options.out}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${options.out}.html`, renderHtml(report));
  process.stdout.write(renderText(report));
  process.stdout.write(`\nsaved ${options.out}.json and ${options.out}.html; cuts lifted\n`);
  // A lost alias is the failure a drill exists to find: scripts and CI see it in the exit code.
  const lost = report.aliases.filter((alias) => alias.verdict === 'lost').map((alias) => alias.alias);
  if (lost.length > 0) {
    process.stderr.write(
      `sovereign: drill: ${lost.length === 1 ? 'an alias was' : `${lost.length} aliases were`} lost (no request served after the cut): ${lost.join(', ')}\n`,
    );
    process.exitCode = 1;
  }
}

export interface DrillReport {
  gateway: string;
  workload: string;
  cuts: Array<{ target: string; value: string }>;
  providers_cut: string[];
  cut_at: string;
  /**
   * Milliseconds from the cut to the last request sent after it that a cut provider served; null when none was
   * (requests sent before the cut do not count).
   */
  cut_to_last_request_ms: number | null;
  phases: Record<
    'before' | 'after',
    {
      requests: number;
      served: number;
      refused_by_policy: number;
      failed: number;
      p50_ms: number | null;
      p99_ms: number | null;
      served_by: Record<string, number>;
    }
  >;
  aliases: Array<{
    alias: string;
    before_served: number;
    before_total: number;
    after_served: number;
    after_total: number;
    verdict: 'continuous' | 'degraded' | 'lost';
  }>;
}

export function summariseDrill(
  gateway: string,
  cuts: DrillReport['cuts'],
  providersCut: string[],
  cutAt: number,
  results: Result[],
  workload: string,
): DrillReport {
  const phase = (name: 'before' | 'after') => {
    const items = results.filter((result) => result.phase === name);
    const served = items.filter((result) => result.status === 200 && result.code === null);
    const servedBy: Record<string, number> = {};
    for (const result of served)
      servedBy[result.provider ?? 'unknown'] = (servedBy[result.provider ?? 'unknown'] ?? 0) + 1;
    return {
      requests: items.length,
      served: served.length,
      refused_by_policy: items.filter((result) => result.code === 'no_allowed_provider').length,
      failed: items.length - served.length - items.filter((result) => result.code === 'no_allowed_provider').length,
      p50_ms: percentile(
        served.map((result) => result.ms),
        0.5,
      ),
      p99_ms: percentile(
        served.map((result) => result.ms),
        0.99,
      ),
      served_by: servedBy,
    };
  };
  const lastCutServed = results
    .filter((result) => result.sentAt >= cutAt && result.provider !== null && providersCut.includes(result.provider))
    .reduce<number | null>((last, result) => Math.max(last ?? -Infinity, result.sentAt), null);
  const aliases = [...new Set(results.map((result) => result.alias))].sort().map((alias) => {
    const of = (name: 'before' | 'after') =>
      results.filter((result) => result.alias === alias && result.phase === name);
    const ok = (items: Result[]) => items.filter((result) => result.status === 200 && result.code === null).length;
    const before = of('before');
    const after = of('after');
    const afterRate = after.length === 0 ? 1 : ok(after) / after.length;
    const beforeRate = before.length === 0 ? 1 : ok(before) / before.length;
    const verdict: 'continuous' | 'degraded' | 'lost' =
      ok(after) === 0 && after.length > 0 ? 'lost' : afterRate >= beforeRate - 0.01 ? 'continuous' : 'degraded';
    return {
      alias,
      before_served: ok(before),
      before_total: before.length,
      after_served: ok(after),
      after_total: after.length,
      verdict,
    };
  });
  return {
    gateway,
    workload,
    cuts,
    providers_cut: providersCut,
    cut_at: new Date(cutAt).toISOString(),
    cut_to_last_request_ms: lastCutServed === null ? null : lastCutServed - cutAt,
    phases: { before: phase('before'), after: phase('after') },
    aliases,
  };
}

function renderText(report: DrillReport): string {
  const lines = [
    `drill against ${report.gateway}: cut ${report.cuts.map((cut) => `${cut.target}=${cut.value}`).join(', ')} (providers ${report.providers_cut.join(', ') || 'none'})`,
  ];
  for (const name of ['before', 'after'] as const) {
    const phase = report.phases[name];
    lines.push(
      `${name.padEnd(6)} ${phase.requests} requests: ${phase.served} served, ${phase.refused_by_policy} refused by policy, ${phase.failed} failed; p50 ${phase.p50_ms ?? '-'} ms, p99 ${phase.p99_ms ?? '-'} ms; served by ${
        Object.entries(phase.served_by)
          .map(([id, count]) => `${id} ${count}`)
          .join(', ') || 'none'
      }`,
    );
  }
  lines.push(
    `last request sent to a cut provider: ${report.cut_to_last_request_ms === null ? 'none after the cut' : `${report.cut_to_last_request_ms} ms after the cut`}`,
  );
  for (const alias of report.aliases)
    lines.push(
      `  ${alias.alias.padEnd(24)} ${alias.verdict.toUpperCase().padEnd(10)} before ${alias.before_served}/${alias.before_total}, after ${alias.after_served}/${alias.after_total}`,
    );
  return `${lines.join('\n')}\n`;
}

/** A page a manager can read, offline: inline styles and SVG bars, no external assets. */
function renderHtml(report: DrillReport): string {
  const colour = { continuous: '#1b7f3b', degraded: '#b7791f', lost: '#b42318' };
  const bars = report.aliases
    .map((alias, row) => {
      const before = alias.before_total ? alias.before_served / alias.before_total : 0;
      const after = alias.after_total ? alias.after_served / alias.after_total : 0;
      const y = row * 34;
      return `<text x="0" y="${y + 14}">${escapeHtml(alias.alias)}</text><rect x="180" y="${y}" width="${Math.round(before * 300)}" height="12" fill="#6b7280"/><rect x="180" y="${y + 14}" width="${Math.round(after * 300)}" height="12" fill="${colour[alias.verdict]}"/><text x="490" y="${y + 24}" fill="${colour[alias.verdict]}">${alias.verdict}</text>`;
    })
    .join('');
  const phaseRows = (['before', 'after'] as const)
    .map((name) => {
      const phase = report.phases[name];
      return `<tr><td>${name}</td><td>${phase.requests}</td><td>${phase.served}</td><td>${phase.refused_by_policy}</td><td>${phase.failed}</td><td>${phase.p50_ms ?? '-'}</td><td>${phase.p99_ms ?? '-'}</td><td>${escapeHtml(
        Object.entries(phase.served_by)
          .map(([id, count]) => `${id}: ${count}`)
          .join(', '),
      )}</td></tr>`;
    })
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Continuity drill</title><style>body{font:15px system-ui,sans-serif;margin:2rem;color:#111}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.lost{color:#b42318}.continuous{color:#1b7f3b}.degraded{color:#b7791f}</style></head><body>
<h1>Continuity drill</h1>
<p>Cut <b>${escapeHtml(report.cuts.map((cut) => `${cut.target} ${cut.value}`).join(', '))}</b> at ${escapeHtml(report.cut_at)} (providers: ${escapeHtml(report.providers_cut.join(', ') || 'none')}), half-way through a ${escapeHtml(report.workload)} workload against ${escapeHtml(report.gateway)}.</p>
<p>Last request sent to a cut provider: <b>${report.cut_to_last_request_ms === null ? 'none after the cut' : `${report.cut_to_last_request_ms} ms after the cut`}</b>.</p>
<table><tr><th>phase</th><th>requests</th><th>served</th><th>refused by policy</th><th>failed</th><th>p50 ms</th><th>p99 ms</th><th>served by</th></tr>${phaseRows}</table>
<h2>Per model alias: share served before (grey) and after the cut</h2>
<svg width="600" height="${report.aliases.length * 34 + 10}" role="img" aria-label="served before and after the cut">${bars}</svg>
<ul>${report.aliases.map((alias) => `<li class="${alias.verdict}">${escapeHtml(alias.alias)}: <b>${alias.verdict}</b> — before ${alias.before_served}/${alias.before_total}, after ${alias.after_served}/${alias.after_total}</li>`).join('')}</ul>
</body></html>
`;
}

// `sovereign report dependencies`: the running gateway's dependency report, as text, JSON or an
// offline HTML page.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { apiKeyFrom, exitConfigError, fail, gatewayRefusal, gatewayUrl, requireApiKey } from './context.js';

export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description('reports from a running gateway')
    .command('dependencies')
    .description(
      'who can serve what, single points of failure, what is lost if an operator or jurisdiction disappears, and who served the traffic',
    )
    .option('--since <when>', 'traffic since: a duration (7d, 24h, 30m) or an RFC 3339 time', '7d')
    .option('--format <format>', 'text, json or html', 'text')
    .option('--output <file>', 'write to a file instead of standard output')
    .option('--url <url>', 'the gateway (default: the config’s listen address)')
    .option('--api-key <key>', 'an API key (default: $SOVEREIGN_KEY)')
    .option('--key <key>', 'the same as --api-key')
    .option('--config <file>', 'config file')
    .action(
      async (options: {
        since: string;
        format: string;
        output?: string;
        url?: string;
        key?: string;
        apiKey?: string;
        config?: string;
      }) => {
        const key = requireApiKey(apiKeyFrom(options));
        const url = gatewayUrl(options.url, options.config);
        const query = new URLSearchParams({ since: options.since, format: options.format });
        const response = await fetch(`${url}/v1/reports/dependencies?${query}`, {
          headers: { authorization: `Bearer ${key}` },
          signal: AbortSignal.timeout(60_000),
        }).catch((error: Error) => fail(`cannot reach the gateway at ${url}: ${error.message}`));
        const text = await response.text();
        if (!response.ok) fail(gatewayRefusal(response.status, text), response.status === 400 ? exitConfigError : 1);
        const body = options.format === 'json' ? `${JSON.stringify(JSON.parse(text), null, 2)}\n` : text;
        if (options.output) writeFileSync(options.output, body);
        else process.stdout.write(body);
      },
    );
}

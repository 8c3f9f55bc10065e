// `sovereign cut` / `uncut`: cut a provider, operator or jurisdiction out of a running gateway's
// routing (and restore it). Talks to the gateway with --url and --api-key or --key (defaults: the
// config's listen address and $SOVEREIGN_KEY, which needs the admin scope). The gateway refuses a
// name it does not know (400, listing the known ones), and so this command exits 2 with its message.
import type { Command } from 'commander';
import { callGateway, exitConfigError, fail } from './context.js';

interface CutOptions {
  provider?: string;
  operator?: string;
  jurisdiction?: string;
  until?: string;
  for?: string;
  url?: string;
  key?: string;
  apiKey?: string;
  config?: string;
}

/** "90s", "10m", "2h", "1d" → milliseconds. */
function duration(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) return fail(`--for takes a duration such as 90s, 10m, 2h or 1d, got "${text}"`, exitConfigError);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

async function send(path: string, options: CutOptions, withUntil: boolean): Promise<void> {
  const targets = (['provider', 'operator', 'jurisdiction'] as const).filter((name) => options[name] !== undefined);
  if (targets.length !== 1) fail('name exactly one of --provider, --operator or --jurisdiction', exitConfigError);
  const target = targets[0]!;
  const body: Record<string, unknown> = { [target]: options[target] };
  if (withUntil && options.until) body.until = options.until;
  if (withUntil && options.for) body.until = Date.now() + duration(options.for);
  const text = await callGateway(options, 'POST', path, body);
  process.stdout.write(`${text}\n`);
}

export function registerCutCommands(program: Command): void {
  const common = (command: Command): Command =>
    command
      .option('--provider <id>', 'a provider id')
      .option('--operator <name>', 'every provider of this operator')
      .option('--jurisdiction <code>', 'every provider in this jurisdiction (e.g. US)')
      .option('--url <url>', 'the gateway (default: the config’s listen address)')
      .option('--api-key <key>', 'an admin API key (default: $SOVEREIGN_KEY)')
      .option('--key <key>', 'the same as --api-key')
      .option('--config <file>', 'config file');
  common(program.command('cut').description('cut a provider, operator or jurisdiction out of routing (a ledger entry)'))
    .option('--until <time>', 'RFC 3339 time when the cut ends by itself')
    .option('--for <duration>', 'or how long it lasts: 90s, 10m, 2h, 1d')
    .action((options: CutOptions) => send('/v1/admin/cut', options, true));
  common(program.command('uncut').description('lift a cut (a ledger entry)')).action((options: CutOptions) =>
    send('/v1/admin/uncut', options, false),
  );
}

// The entry of the single-file verifier, dist/sovereign-verify.mjs (scripts/build-verifier.mjs bundles
// it): `sovereign verify` for an auditor who has Node and nothing else. Arguments are read with
// node:util parseArgs from the same description commander uses; the checks and the output are
// verify-receipt.ts's, so both commands print the same thing and exit with the same codes.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { exitUsage, runVerify, verifyCommand } from './verify-receipt.js';

/** Replaced by the package version when scripts/build-verifier.mjs bundles this file (esbuild `define`). */
declare const SOVEREIGN_VERIFY_VERSION: string | undefined;
const version = typeof SOVEREIGN_VERIFY_VERSION === 'string' ? SOVEREIGN_VERIFY_VERSION : 'development';

const flag = (option: (typeof verifyCommand.options)[number]): string => `--${option.name} <${option.value}>`;

function usage(): string {
  const synopsis = verifyCommand.options
    .map((option) => (option.required ? flag(option) : `[${flag(option)}]`))
    .join(' ');
  const rows: Array<[string, string]> = [
    [`<${verifyCommand.receipt.name}>`, verifyCommand.receipt.description],
    ...verifyCommand.options.map((option): [string, string] => [flag(option), option.description]),
    ['--version', 'print the version'],
    ['-h, --help', 'print this help'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  return `usage: node sovereign-verify.mjs <${verifyCommand.receipt.name}> ${synopsis}\n\n${verifyCommand.description} (sovereign-verify ${version})\n\n${rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n')}\n\nexit codes: 0 valid, 1 invalid, 2 bad usage\n`;
}

/**
 * Bad usage: said in commander's words, so both commands refuse the same command line with the same message and exit
 * code.
 */
function usageError(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return exitUsage;
}

function parseError(error: Error & { code?: string }): number {
  const name = /'(--?[^' =]+)/.exec(error.message)?.[1];
  const option = verifyCommand.options.find((candidate) => `--${candidate.name}` === name);
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && name) return usageError(`unknown option '${name}'`);
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option)
    return usageError(`option '${flag(option)}' argument missing`);
  return usageError(error.message);
}

function main(argv: string[]): number {
  const options: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } };
  for (const option of verifyCommand.options) options[option.name] = { type: 'string' };
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true }));
  } catch (error) {
    return parseError(error as Error);
  }
  if (values.help) {
    process.stdout.write(usage());
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  // In commander's order: required options first, then the argument count.
  const text = (name: string): string | undefined =>
    typeof values[name] === 'string' ? (values[name] as string) : undefined;
  for (const option of verifyCommand.options) {
    if (option.required && text(option.name) === undefined)
      return usageError(`required option '${flag(option)}' not specified`);
  }
  if (positionals.length === 0) return usageError(`missing required argument '${verifyCommand.receipt.name}'`);
  if (positionals.length > 1)
    return usageError(`too many arguments for 'verify'. Expected 1 argument but got ${positionals.length}.`);
  return runVerify(positionals[0]!, { key: text('key')!, body: text('body'), origin: text('origin') });
}

process.exitCode = main(process.argv.slice(2));

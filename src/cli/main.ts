// The `sovereign` command.
import { Command } from 'commander';
import { configJsonSchema } from '../config/load.js';
import { registerActionCommands } from './actions.js';
import { registerKeyCommands } from './keys.js';
import { registerModelCommands } from './models.js';
import { registerLedgerCommands } from './ledger.js';
import { registerPolicyCommands } from './policy.js';
import { registerCutCommands } from './cut.js';
import { registerDrillCommand } from './drill.js';
import { registerReportCommands } from './report.js';
import { loadConfigOrExit } from './context.js';
import { registerStartCommand } from './start.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('sovereign').description('sovereign-gateway: a self-hosted AI gateway').version('0.1.0');
  program.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  registerStartCommand(program);
  registerKeyCommands(program);
  registerLedgerCommands(program);
  registerPolicyCommands(program);
  registerCutCommands(program);
  registerDrillCommand(program);
  registerReportCommands(program);
  registerActionCommands(program);
  registerModelCommands(program);
  const config = program.command('config').description('inspect the configuration');
  config
    .command('schema')
    .description('print the JSON Schema of sovereign.yaml (for editors)')
    .action(() => void process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`));
  config
    .command('check')
    .description('validate a config file and print it with defaults filled in')
    .option('--config <file>', 'config file')
    .action((options: { config?: string }) => {
      const loaded = loadConfigOrExit(options.config);
      process.stdout.write(`${loaded.source ?? 'built-in defaults'}: valid\n${JSON.stringify(loaded.config, null, 2)}\n`);
    });
  await program.parseAsync(argv);
}

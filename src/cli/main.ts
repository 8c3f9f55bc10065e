// The `sovereign` command.
import { Command } from 'commander';
import { registerActionCommands } from './actions.js';
import { registerKeyCommands } from './keys.js';
import { registerModelCommands } from './models.js';
import { registerLedgerCommands } from './ledger.js';
import { registerPolicyCommands } from './policy.js';
import { registerCutCommands } from './cut.js';
import { registerDrillCommand } from './drill.js';
import { registerReportCommands } from './report.js';
import { registerConfigCommands } from './config.js';
import { registerMcpCommands } from './mcp.js';
import { registerConversationCommands } from './conversations.js';
import { registerLearningCommands } from './learning.js';
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
  registerConfigCommands(program);
  registerConversationCommands(program);
  registerMcpCommands(program);
  registerLearningCommands(program);
  await program.parseAsync(argv);
}

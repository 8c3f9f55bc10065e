// `sovereign actions list|approve|reject` (talk to a running gateway with an approver key) and
// `sovereign actions sign` (makes a receipt offline, for operators and tests).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { paramsDigest, signReceipt } from '../gate/receipt.js';
import { parseSignerKey, type SignerKey } from '../ledger/note.js';
import { openPolicy, policyHash } from '../policy/policy.js';
import { printTable } from './keys.js';
import { callGateway, exitConfigError, fail, loadConfigOrExit } from './context.js';

interface RemoteOptions {
  url?: string;
  key?: string;
  apiKey?: string;
  config?: string;
  json?: boolean;
  comment?: string;
}

interface SignOptions {
  keyFile: string;
  agentId: string;
  action: string;
  params?: string;
  amount?: string;
  policyHash?: string;
  stateFingerprint: string;
  receiptId?: string;
  config?: string;
  request?: boolean;
}

const approverScope = 'the approver scope';

function readSigner(file: string): SignerKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`cannot read the key file ${file}: ${(error as Error).message}`, exitConfigError);
  }
  try {
    return parseSignerKey(text.trim());
  } catch (error) {
    return fail(`${file} is not a signing key (PRIVATE+KEY+…): ${(error as Error).message}`, exitConfigError);
  }
}

function parseParams(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text);
  } catch (error) {
    return fail(`--params must be a JSON object (or @file): ${(error as Error).message}`, exitConfigError);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('--params must be a JSON object', exitConfigError);
  return value as Record<string, unknown>;
}

export function registerActionCommands(program: Command): void {
  const actions = program.command('actions').description('the action gate: held actions, approvals, receipts');
  const remote = (command: Command): Command =>
    command
      .option('--url <url>', 'the gateway (default: the config’s listen address)')
      .option('--api-key <key>', 'an API key with the approver scope (default: $SOVEREIGN_KEY)')
      .option('--key <key>', 'the same as --api-key')
      .option('--config <file>', 'config file');

  remote(actions.command('list').description('list the actions held for a receipt or an approval'))
    .option('--json', 'print JSON')
    .action(async (options: RemoteOptions) => {
      const text = await callGateway(options, 'GET', '/v1/actions/pending?limit=1000', undefined, approverScope);
      if (options.json) return void process.stdout.write(`${text}\n`);
      // biome-ignore lint/suspicious/noExplicitAny: the gateway's JSON, printed field by field as it comes
      const held = (JSON.parse(text) as { actions: Array<Record<string, any>> }).actions;
      printTable(
        ['ID', 'AGENT', 'ACTION', 'AMOUNT', 'REASON', 'RECEIPT', 'SUBMITTED BY', 'DEADLINE'],
        held.map((action) => [
          action.action_id,
          action.agent_id,
          action.action,
          action.amount === null ? '-' : String(action.amount),
          action.reason,
          action.receipt_id ?? '-',
          action.submitted_by,
          action.deadline ?? '-',
        ]),
      );
    });

  for (const verb of ['approve', 'reject'] as const) {
    remote(
      actions
        .command(verb)
        .description(`${verb} a held action (a ledger entry; the waiting agent is answered at once)`),
    )
      .argument('<id>', 'the action id (from `actions list`)')
      .option('--comment <text>', 'why, for the record')
      .action(async (id: string, options: RemoteOptions) => {
        const text = await callGateway(
          options,
          'POST',
          `/v1/actions/${encodeURIComponent(id)}/${verb}`,
          options.comment === undefined ? {} : { comment: options.comment },
          approverScope,
        );
        process.stdout.write(`${text}\n`);
      });
  }

  actions
    .command('sign')
    .description('make a signed action receipt (prints its JSON; --request prints a whole POST /v1/actions body)')
    .requiredOption('--key-file <file>', 'an action-signing key (from `sovereign keys signing-key`)')
    .requiredOption('--agent-id <id>', 'the agent the receipt is for')
    .requiredOption('--action <name>', 'the action, e.g. EXECUTE_TRANSACTION')
    .option('--params <json>', 'the action params as a JSON object (or @file)')
    .option('--amount <n>', 'the amount')
    .option('--policy-hash <hash>', 'the policy hash in force (default: computed from the config)')
    .option('--state-fingerprint <text>', 'what state the verifier saw (opaque)', '')
    .option('--receipt-id <id>', 'default: a random UUID')
    .option('--config <file>', 'config file (for the policy hash)')
    .option('--request', 'print the whole request body, receipt included')
    .action((options: SignOptions) => {
      const signer = readSigner(options.keyFile);
      const params = parseParams(options.params);
      const amount = options.amount === undefined ? undefined : Number(options.amount);
      if (amount !== undefined && !Number.isFinite(amount)) fail('--amount must be a number', exitConfigError);
      const hash = options.policyHash ?? policyHash(loadConfigOrExit(options.config).config.policy ?? openPolicy);
      const receipt = signReceipt(
        {
          receipt_id: options.receiptId ?? randomUUID(),
          agent_id: options.agentId,
          action: options.action,
          params_sha256: paramsDigest(amount, params),
          policy_hash: hash,
          state_fingerprint: options.stateFingerprint,
          issued_at: new Date().toISOString(),
        },
        signer,
      );
      const output = options.request
        ? {
            agent_id: options.agentId,
            action: options.action,
            ...(params ? { params } : {}),
            ...(amount !== undefined ? { amount } : {}),
            receipt,
          }
        : receipt;
      process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    });
}

// `sovereign policy check`: validates the config's policy and shows, for every model alias and every
// label class the rules speak of, which providers a request may reach, warning about aliases left
// with a single provider, operator or jurisdiction, or none.
import type { Command } from 'commander';
import type { ProviderDescription } from '../core/provider.js';
import { decide, openPolicy, policyHash, type PolicyDocument } from '../policy/policy.js';
import { loadConfigOrExit } from './context.js';

export function registerPolicyCommands(program: Command): void {
  program
    .command('policy')
    .description('the sovereignty policy')
    .command('check')
    .description('validate the policy and list, per model alias and label class, the providers a request may reach')
    .option('--config <file>', 'config file')
    .option('--json', 'print JSON')
    .action((options: { config?: string; json?: boolean }) => {
      const { config, source } = loadConfigOrExit(options.config);
      const policy: PolicyDocument = config.policy ?? openPolicy;
      const providers = new Map<string, ProviderDescription>(
        config.providers.map((provider) => [
          provider.id,
          {
            id: provider.id,
            kind: provider.kind,
            jurisdiction: provider.jurisdiction,
            operator: provider.operator,
            ownership: provider.ownership,
            models: provider.models,
          },
        ]),
      );
      const classes = [
        '(no labels)',
        ...new Set(policy.rules.flatMap((rule) => [...(rule.when.labels_any ?? []), ...(rule.when.labels_all ?? [])])),
      ];
      const warnings: string[] = [];
      const report = Object.entries(config.models).map(([alias, definition]) => {
        const candidates = [...new Set(definition.candidates.map((name) => name.slice(0, name.indexOf('/'))))].map(
          (id) => providers.get(id)!,
        );
        const byClass = classes.map((labelClass) => {
          const decision = decide(policy, labelClass === '(no labels)' ? [] : [labelClass], candidates);
          const reachable = decision.allowed.map((id) => providers.get(id)!);
          const operators = new Set(reachable.map((provider) => provider.operator));
          const jurisdictions = new Set(reachable.map((provider) => provider.jurisdiction));
          if (reachable.length === 0)
            warnings.push(
              `${alias}: requests labelled ${labelClass} reach no provider (they are refused${decision.mode === 'redact' ? ' unless redacted' : ''})`,
            );
          else if (reachable.length === 1)
            warnings.push(`${alias}: requests labelled ${labelClass} have a single provider (${reachable[0]!.id})`);
          else if (operators.size === 1)
            warnings.push(
              `${alias}: requests labelled ${labelClass} depend on a single operator (${[...operators][0]})`,
            );
          else if (jurisdictions.size === 1)
            warnings.push(
              `${alias}: requests labelled ${labelClass} depend on a single jurisdiction (${[...jurisdictions][0]})`,
            );
          return {
            labels: labelClass,
            mode: decision.mode,
            rule: decision.ruleIndex + 1 || null,
            providers: decision.allowed,
          };
        });
        return { alias, classes: byClass };
      });
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ source: source ?? null, policy: policy.name, hash: policyHash(policy), models: report, warnings }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(
        `${source ?? 'built-in defaults'}: policy "${policy.name}" is valid (${policy.rules.length} rule${policy.rules.length === 1 ? '' : 's'}), hash ${policyHash(policy)}\n`,
      );
      for (const entry of report) {
        process.stdout.write(`\n${entry.alias}\n`);
        for (const labelClass of entry.classes)
          process.stdout.write(
            `  ${labelClass.labels.padEnd(24)} ${labelClass.mode === 'refuse' ? 'REFUSED' : `${labelClass.mode === 'redact' ? 'redacted → ' : ''}${labelClass.providers.join(', ')}`}${labelClass.rule ? `  (rule ${labelClass.rule})` : ''}\n`,
          );
      }
      if (warnings.length > 0)
        process.stdout.write(`\nwarnings:\n${warnings.map((warning) => `  - ${warning}`).join('\n')}\n`);
    });
}

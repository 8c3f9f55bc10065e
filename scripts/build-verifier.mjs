#!/usr/bin/env node
// Builds dist/sovereign-verify.mjs: `sovereign verify` as one file an auditor runs with plain Node,
// bundled with esbuild from src/cli/verify-standalone.ts, i.e. from the same src/ledger/ code the
// gateway and the CLI use. Refuses to write a bundle that would need anything but node: built-ins.
// Usage: node scripts/build-verifier.mjs [--outfile dist/sovereign-verify.mjs]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outfile: { type: 'string' } } });
const outfile = resolve(values.outfile ?? resolve(root, 'dist/sovereign-verify.mjs'));
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

// What the bundle may be made of: the pure ledger code, the core it uses, and the verify command.
const allowedInputs = [/^src\/ledger\/[^/]+\.ts$/, /^src\/core\/[^/]+\.ts$/, /^src\/cli\/verify-[^/]+\.ts$/];

const banner = `#!/usr/bin/env node
// sovereign-verify ${version}: the single-file receipt verifier of sovereign-gateway (Apache-2.0).
// It checks a ledger receipt offline, with the log's verifier key alone: the checkpoint's Ed25519
// signature (C2SP signed-note), the RFC 6962 inclusion proof of the entry and the entry's RFC 8785
// canonical form; it prints the entry, and with --body checks the request body's SHA-256 against it.
// It is \`sovereign verify\`, bundled from the same source (src/cli/verify-standalone.ts and
// src/ledger/) by scripts/build-verifier.mjs. Needs Node >= 20 and nothing else (no npm install):
//
//   node sovereign-verify.mjs receipt.json --key 'name+hexid+base64' [--body request.json] [--origin o]
//
// --key also takes @file. Exit codes: 0 valid, 1 invalid, 2 bad usage.`;

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/verify-standalone.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Not minified: an auditor should be able to read what checks their receipts.
  minify: false,
  legalComments: 'none',
  banner: { js: banner },
  define: { SOVEREIGN_VERIFY_VERSION: JSON.stringify(version) },
  metafile: true,
  // Written below, once the bundle is known to need nothing but node: built-ins.
  write: false,
  logLevel: 'warning',
});

// Said per source file and per package (not per file of a package), so a stray import reads at a glance.
const problems = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  if (allowedInputs.some((pattern) => pattern.test(input))) continue;
  const packageName = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
  problems.add(packageName ? `it bundles the package ${packageName}` : `it bundles ${input}`);
}
for (const output of Object.values(result.metafile.outputs)) {
  for (const imported of output.imports) {
    if (!imported.external || !imported.path.startsWith('node:')) problems.add(`it imports ${imported.path}`);
  }
}
if (problems.size > 0) {
  process.stderr.write(
    `build-verifier: refusing the bundle, which must use node: built-ins only:\n${[...problems].map((problem) => `  ${problem}\n`).join('')}`,
  );
  process.exit(1);
}
const [bundle] = result.outputFiles;
mkdirSync(dirname(outfile), { recursive: true });
writeFileSync(outfile, bundle.contents, { mode: 0o755 });
process.stdout.write(
  `built ${relative(process.cwd(), outfile) || outfile} (sovereign-verify ${version}, ${(bundle.contents.length / 1024).toFixed(1)} KiB)\n`,
);

// The documentation says what the code promises: every error code with its HTTP status, the two
// quick-start commands, a README short enough to be a front door, and no link that leads nowhere.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { errorCatalogue } from '../src/core/errors.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (text: string): Set<string> =>
  new Set(
    text
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => anchorOf(line.replace(/^#+ /, ''))),
  );

describe('the documentation', () => {
  it('lists every error code once, with its HTTP status (docs/errors.md)', () => {
    const errors = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    for (const [code, entry] of Object.entries(errorCatalogue)) {
      const rows = errors.split('\n').filter((line) => line.startsWith(`| \`${code}\` |`));
      assert.equal(rows.length, 1, `docs/errors.md row for ${code}`);
      assert.match(rows[0]!, new RegExp(`^\\| \`${code}\` \\| ${entry.status} \\|`));
    }
    const listed = errors
      .split('\n')
      .filter((line) => /^\| `[a-z_]+` \| \d{3} \|/.test(line))
      .map((line) => line.split('`')[1]);
    assert.deepEqual(
      listed.filter((code) => !(code! in errorCatalogue)),
      [],
      'no row for a code the gateway does not have',
    );
  });

  it('shows the quick start: npm ci && npm start, and npm test', () => {
    assert.match(readme, /npm ci && npm start/);
    assert.match(readme, /^npm test/m);
  });

  it('keeps the README a front door (at most about 200 lines) that links into docs/', () => {
    assert.ok(readme.split('\n').length <= 200, `README has ${readme.split('\n').length} lines`);
    for (const page of [
      'policy',
      'ledger',
      'continuity',
      'owned-models',
      'action-gate',
      'configuration',
      'config-reference',
      'errors',
      'cli',
      'benchmarks',
      'architecture',
    ])
      assert.ok(readme.includes(`(docs/${page}.md)`), `README links docs/${page}.md`);
  });

  it('has no relative link to a file or heading that does not exist', () => {
    const broken: string[] = [];
    for (const document of documents) {
      const text = readFileSync(join(root, document), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, anchor] = target!.split('#');
        const path = file ? join(root, dirname(document), file) : join(root, document);
        if (!existsSync(path)) broken.push(`${document}: ${target} (no file ${relative(root, path)})`);
        else if (anchor && path.endsWith('.md') && !anchorsOf(readFileSync(path, 'utf8')).has(anchor))
          broken.push(`${document}: ${target} (no heading)`);
      }
    }
    assert.deepEqual(broken, []);
  });
});

// The README documents what the code promises: every error code with its status, the two quick-start commands.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorCatalogue } from '../src/core/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists every error code once, with its HTTP status', () => {
    for (const [code, entry] of Object.entries(errorCatalogue)) {
      const rows = readme.split('\n').filter((line) => line.startsWith(`| \`${code}\` |`));
      assert.equal(rows.length, 1, `README row for ${code}`);
      assert.match(rows[0]!, new RegExp(`^\\| \`${code}\` \\| ${entry.status} \\|`));
    }
  });

  it('shows the quick start: npm ci && npm start, and npm test', () => {
    assert.match(readme, /npm ci && npm start/);
    assert.match(readme, /^npm test/m);
  });
});

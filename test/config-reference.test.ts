// docs/config-reference.md is generated from the config's zod schema: it must be the file the
// schema generates today, so a key added, renamed or re-described without `npm run docs:config` fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { providerKinds } from '../src/providers/registry.js';
import { referencePath, renderConfigReference } from '../scripts/config-reference.js';

describe('the config reference is generated from the schema', () => {
  it('the committed docs/config-reference.md is what the schema generates (run `npm run docs:config` after changing src/config/schema.ts or a provider kind)', () => {
    assert.equal(readFileSync(referencePath, 'utf8'), renderConfigReference());
  });

  it('lists every provider kind of the registry with its own keys, defaults and descriptions', () => {
    const reference = renderConfigReference();
    for (const kind of providerKinds)
      assert.match(reference, new RegExp(`## providers\\[\\] of kind \`${kind.kind}\``));
    assert.match(
      reference,
      /\| `providers\[\]\.max_connections` \| integer \| > 0 \| `1024` \| Upstream connections this provider's pool may open/,
    );
    assert.match(reference, /\| `providers\[\]\.threads` \| integer \| > 0 \| `2` \| CPU threads for generation/);
    assert.match(reference, /\| `routing\.attempt_timeout_ms` \| integer \| > 0 \| `60000` \| Deadline of one attempt/);
  });
});

// The folder rules of DESIGN.md ("Parts"), checked on every `npm test`.
// `files` are single files allowed beyond the folders (each with its reason where the rule is used).
const only = (from, allowed, files = []) => ({
  name: `${from}-imports-only-${allowed.join('-') || 'itself'}`,
  comment: `src/${from}/ may import ${allowed.length ? allowed.map((name) => `src/${name}/`).join(', ') : 'nothing of ours'}${files.length ? ` and ${files.map((file) => `src/${file}`).join(', ')}` : ''} (DESIGN.md, Parts)`,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: {
    path: '^src/',
    pathNot: [
      `^src/${from}/`,
      ...allowed.map((name) => `^src/${name}/`),
      ...files.map((file) => `^src/${file.replace(/\./g, '\\.')}$`),
    ],
  },
});

module.exports = {
  forbidden: [
    only('core', []),
    only('ledger', ['core']),
    only('policy', ['core']),
    // The providers' registry and their shared settings keys too: "the config's provider union is built
    // from the registry" (DESIGN.md), so each kind's settings schema lives once, in its own file; the
    // policy's schema lives with the policy, whose types are inferred from it.
    only('config', ['core'], ['providers/registry.ts', 'providers/provider-kind.ts', 'policy/policy-schema.ts']),
    only('providers', ['core']),
    only('store', ['core']),
    only('telemetry', ['core']),
    // telemetry is allowed here beyond DESIGN.md's list: the pipeline counts fallbacks and circuit states.
    only('gate', ['core', 'ledger', 'policy', 'store']),
    only('state', ['core', 'store']),
    // ledger too: a feedback, a dataset export and a judged comparison are ledger entries (their provenance).
    only('learning', ['core', 'ledger', 'policy', 'store']),
    only('models', ['core', 'ledger', 'store']),
    // models is allowed here too: the pipeline verifies weights against the registry before a local provider loads them.
    // learning too: capture and shadow calls happen after a call's answer has left, on the pipeline's own path.
    only('pipeline', [
      'core',
      'config',
      'providers',
      'policy',
      'ledger',
      'store',
      'telemetry',
      'models',
      'state',
      'learning',
    ]),
    // The MCP gateway: tool servers are upstreams described like providers; a call passes the pipeline's policy, the
    // gate and the ledger.
    only('mcp', ['core', 'config', 'ledger', 'gate', 'pipeline', 'policy', 'store']),
    only('api', [
      'core',
      'mcp',
      'config',
      'pipeline',
      'providers',
      'policy',
      'ledger',
      'store',
      'telemetry',
      'gate',
      'learning',
      'models',
      'state',
    ]),
    {
      name: 'no-cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'sql-only-in-store',
      comment: 'Only store/ speaks SQL (DESIGN.md).',
      severity: 'error',
      from: { pathNot: '^src/store/' },
      to: { path: 'node_modules/(better-sqlite3|pg|kysely)/' },
    },
    {
      name: 'upstream-http-only-in-providers',
      comment:
        'Only providers/ speak HTTP to upstreams (the CLI may probe for a local Ollama; models/ pulls weights from a hub mirror, DESIGN.md Parts).',
      severity: 'error',
      // models/ is here because DESIGN.md gives it "pulls from a hub mirror": the download of weights is its upstream.
      from: { path: '^src/', pathNot: ['^src/providers/', '^src/cli/', '^src/models/', '^src/mcp/'] },
      to: { path: 'node_modules/undici/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
    moduleSystems: ['es6'],
  },
};

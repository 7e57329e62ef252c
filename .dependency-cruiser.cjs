/**
 * Which folder of src/ may import which (README, "Layout"). Everything imports downward only:
 *
 *   core, util                        the model, the ports, the audit chain; nothing of ours below them
 *   i18n                              the message catalogs, on core
 *   policy, store, api, http          each on core
 *   views                             on core and i18n (views render the model in words; nothing decides there)
 *   github, vault                     the GitHub App and Vault clients, on core
 *   delivery                          destinations (product.md §12) over the GitHub and Vault clients
 *   workflow                          the rules and their one gate, on core and policy
 *   timers, watch                     timed and watching rules, on workflow
 *   slack, handlers, audit            Slack's side and the CLIs
 *   app.ts, main.ts, …                wiring: may import anything
 *
 * `npm test` runs this (test/architecture.test.ts); a new arrow upward fails the suite.
 */
const layer = (name, mayImport) => ({
  name: `${name}-imports-downward`,
  comment: `src/${name} may import only ${mayImport.join(', ')}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${name}/`, ...mayImport.map((dir) => `^src/${dir}/`)],
  },
});

module.exports = {
  forbidden: [
    layer('core', ['util']),
    layer('util', []),
    layer('policy', ['core', 'util']),
    layer('store', ['core', 'util']),
    layer('api', ['core', 'util']),
    layer('vault', ['core', 'util']),
    layer('github', ['core', 'util']),
    layer('http', ['core', 'util']),
    layer('delivery', ['core', 'util', 'github', 'vault']),
    layer('i18n', ['core', 'util']),
    layer('views', ['core', 'util', 'i18n']),
    layer('workflow', ['core', 'util', 'policy']),
    layer('timers', ['core', 'util', 'policy', 'workflow']),
    layer('watch', ['core', 'util', 'policy', 'workflow']),
    layer('slack', ['core', 'util', 'i18n', 'views']),
    layer('audit', ['core', 'util', 'store']),
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'modules of src/ import each other in one direction only (a type named back, erased at run time, is no cycle)',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'production-never-imports-dev-or-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(dev|test|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

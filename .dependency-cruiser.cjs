/** Layer rules: apps → activities/workflows → domain. Nothing imports apps; domain imports nothing of ours. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No module circles: a container gets child-scope execution from its context, never by importing the scheduler.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-importing-apps',
      comment: 'Apps are composition roots; nothing may depend on them.',
      severity: 'error',
      from: { path: '^(packages)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-app-to-app',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'domain-is-innermost',
      comment: 'The domain imports nothing of ours and no Node built-ins.',
      severity: 'error',
      from: { path: '^packages/domain/' },
      to: { path: '^(packages/(workflows|activities)|apps)/' },
    },
    {
      name: 'deterministic-no-builtins',
      severity: 'error',
      from: { path: '^packages/(domain|workflows)/src', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'workflows-not-activities',
      comment: 'Workflows reach activities only through the port types in the domain and proxyActivities.',
      severity: 'error',
      from: { path: '^packages/workflows/' },
      to: { path: '^packages/activities/' },
    },
    {
      name: 'activities-not-workflows',
      severity: 'error',
      from: { path: '^packages/activities/' },
      to: { path: '^packages/workflows/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/|\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

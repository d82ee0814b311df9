/**
 * Three tiers, one Jest run (`npm test`) or one at a time (`--selectProjects unit|adapters|integration`):
 *  - unit (`npm run test:unit`, seconds): pure code next to it (packages/domain, packages/workflows)
 *    and the interpreter's unit tier (test/unit/: the real run workflow on a time-skipping test
 *    server with fake activities, JSON graph fixtures per node type). No PostgreSQL, no Redis, no
 *    dev server; its globalSetup starts the test server and bundles the workflow once.
 *  - adapters: tests next to the activities and the apps (sandbox processes, HTTP guards, config,
 *    the OpenAPI document); no services, but real processes and sockets.
 *  - integration: the full-stack suites in test/ (the API contract) against the real PostgreSQL,
 *    Redis and Temporal dev server that scripts/test.sh starts.
 * Files run one at a time: integration suites share one database and one Temporal server, and time
 * skipping is global to the test server.
 */
const shared = {
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  // The Milvus SDK loads thrift (for its bulk writer, unused here), which requires uuid@14, an ES
  // module only: Node 20.19+ loads it through require(), Jest's module loader cannot. The top-level
  // uuid (11, CommonJS) has the same parse/stringify thrift calls.
  moduleNameMapper: { '^uuid$': require.resolve('uuid') },
};

module.exports = {
  // Global: Jest reads testTimeout from the top level, not from a project's config.
  testTimeout: 60_000,
  maxWorkers: 1,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/packages/domain', '<rootDir>/packages/workflows', '<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/unit/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/unit/support/global-teardown.ts',
    },
    { ...shared, displayName: 'adapters', roots: ['<rootDir>/packages/activities', '<rootDir>/apps'], testMatch: ['**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '<rootDir>/test/unit/'],
    },
  ],
};

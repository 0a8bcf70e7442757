/**
 * One jest run for every tier: unit specs beside the code (*.spec.ts), integration specs on real
 * PostgreSQL and Redis (*.int-spec.ts) and e2e specs over HTTP (test/ ... .e2e-spec.ts). The global
 * setup gives the run its own database (DATABASE_URL's server, else embedded) and Redis prefix.
 */
const { suitesWithoutTheirTools } = require('./test/support/machine-tools');

module.exports = {
  rootDir: '.',
  // node's, keeping what the in-process services log and showing it only for a failed test.
  testEnvironment: '<rootDir>/test/support/log-capture-environment.ts',
  transform: {
    // tsconfig.json (found in rootDir) with isolatedModules on: each file compiled on its own, without
    // type checking (npm test runs tsc first). Given as a compiler option, not as ts-jest's deprecated
    // option of that name, which prints a warning per worker.
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true }, diagnostics: false }],
  },
  moduleNameMapper: {
    '^@keyward/platform/(.*)$': '<rootDir>/libs/platform/src/$1',
    '^@keyward/(platform|tenants|credentials|audit|keys|policy|webhooks|jobs|signing)$': '<rootDir>/libs/$1/src',
  },
  testRegex: '(libs|apps|test)/.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  // A scale suite whose server binary this machine lacks is left out, with a message (not in CI).
  testPathIgnorePatterns: ['/node_modules/', '/dist/', ...suitesWithoutTheirTools()],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30000,
};

/**
 * One Jest project per test tier: `npm test` runs them all; `npm test -- --selectProjects unit`
 * (or wire, integration, security, browser, chaos) runs one. Options Jest reads once per run
 * (maxWorkers, globalSetup/globalTeardown, testTimeout) stay here at the top; what each project
 * needs is in `tier()`.
 *
 * Every test file runs in the leak-guard environment (test/guard/): after its last afterAll hook
 * the file fails if keys are left under a prefix `uniquePrefix` handed out to it, or if TCP
 * sockets, servers or child processes it opened are still open.
 */
const TIERS = ['unit', 'wire', 'integration', 'security', 'browser', 'chaos'];

/** @returns {import('jest').Config} */
function tier(name) {
  return {
    displayName: name,
    testEnvironment: '<rootDir>/test/guard/leak-guard-environment.ts',
    roots: [`<rootDir>/test/${name}`],
    testMatch: ['**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
      // A few dependencies ship ESM only; Jest's module runtime cannot require() them on Node 20.
      '^.+\\.m?js$': [
        '@swc/jest',
        { jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } },
      ],
    },
    transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition)/)'],
    setupFiles: ['<rootDir>/test/setup-env.ts'],
    setupFilesAfterEnv: ['<rootDir>/test/guard/record-prefixes.ts'],
  };
}

/** @type {import('jest').Config} */
module.exports = {
  projects: TIERS.map(tier),
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30000,
  // Integration tests share one Redis; files are isolated by key prefix, so they may run in parallel.
  maxWorkers: 2,
};

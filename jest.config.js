/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

// Dependencies published as ES modules only; jest's CommonJS runtime needs them compiled.
const ESM_ONLY = ['cookie'];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc, '^.+\\.m?js$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  // Tests run against the libraries' sources, so they need no build.
  moduleNameMapper: { '^@billing/(contracts|runtime|testkit)$': '<rootDir>/libs/$1/src' },
};

module.exports = {
  // jest 30 reads testTimeout from the top level only, not from a project entry.
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/tools/jest/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/libs/*/src/**/*.test.ts',
        '<rootDir>/services/*/src/**/*.test.ts',
        '<rootDir>/tools/*/src/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/libs/*/test/integration/**/*.int.test.ts',
        '<rootDir>/services/*/test/integration/**/*.int.test.ts',
      ],
      globalSetup: '<rootDir>/libs/testkit/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testkit/src/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      // The four services run as separate processes from their builds (npm test builds first).
      testMatch: ['<rootDir>/tests/e2e/src/**/*.e2e.test.ts'],
      globalSetup: '<rootDir>/libs/testkit/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testkit/src/global-teardown.ts',
    },
  ],
};

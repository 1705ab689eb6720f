// Nest 12 ships as ES modules, so jest runs in its native ESM mode
// (node --experimental-vm-modules) and ts-jest emits ESM. Type checking is
// `npm run typecheck`'s job; here ts-jest only transpiles, which keeps the
// suite fast.
const esm = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // The console's browser modules import i18next from the path the service serves it at.
    '^\\.\\./vendor/i18next/i18next\\.js$': '<rootDir>/node_modules/i18next/dist/esm/i18next.js',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...esm, displayName: 'unit', rootDir: '.', roots: ['<rootDir>/src', '<rootDir>/tools'], testMatch: ['**/*.spec.ts'] },
    {
      ...esm,
      displayName: 'e2e',
      rootDir: '.',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
    },
  ],
  // Starting a service (migrations on a fresh database) takes well under
  // a second alone and several on a loaded two-core machine; suites with
  // longer steps set their own. Global on purpose: jest-circus reads the
  // timeout from the global config only, so inside a project it is ignored
  // (hooks then fail at jest's 5 s).
  testTimeout: 30_000,
};

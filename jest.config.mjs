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

// e2e suites that run alone (`e2e-serial`, in band): they kill and restart
// service processes, wait out lease TTLs, replay whole evenings or measure
// a process's memory, so a neighbour's load would race their clocks. The
// rest (`e2e`) each hold one service and a database of their own, and run
// two at a time: they mostly wait on I/O.
const SERIAL_E2E = ['sharded-detection', 'restart', 'lanes', 'split-roles', 'crash', 'faults', 'quarantine', 'abuse', 'metrics'];
const serialMatch = SERIAL_E2E.map((name) => `**/${name}.e2e-spec.ts`);

export default {
  projects: [
    { ...esm, displayName: 'unit', rootDir: '.', roots: ['<rootDir>/src', '<rootDir>/tools'], testMatch: ['**/*.spec.ts'] },
    {
      ...esm,
      displayName: 'e2e',
      rootDir: '.',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      testPathIgnorePatterns: SERIAL_E2E.map((name) => `/${name}\\.e2e-spec\\.ts$`),
    },
    { ...esm, displayName: 'e2e-serial', rootDir: '.', roots: ['<rootDir>/test'], testMatch: serialMatch },
  ],
  // Starting a service (migrations on a fresh database) takes well under
  // a second alone and several on a loaded two-core machine; suites with
  // longer steps set their own. Global on purpose: jest-circus reads the
  // timeout from the global config only, so inside a project it is ignored
  // (hooks then fail at jest's 5 s).
  testTimeout: 30_000,
};

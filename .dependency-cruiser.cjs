/**
 * Import rules `npm run lint` enforces, so a wrong import fails CI instead of
 * waiting for a reviewer to notice. Each rule says why it exists.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'detection-is-pure',
      comment:
        'The engine and its detectors are plain TypeScript fed events and asked for findings: no Nest, TypeORM, BullMQ, pg or ' +
        'service code, so they can be specced, replayed, benchmarked and moved to another process alone. They may import ' +
        'the event schema, each other, and small pure libraries.',
      severity: 'error',
      from: { path: '^src/detection/', pathNot: '\\.spec\\.ts$' },
      to: {
        pathNot: ['^src/detection/', '^src/events/', '^node_modules/(simple-statistics|zod)/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'detection-uses-only-crypto-from-node',
      comment: 'Detection reads no files, sockets or clocks of its own: of Node it needs hashing only.',
      severity: 'error',
      from: { path: '^src/detection/', pathNot: '\\.spec\\.ts$' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?crypto$' },
    },
    {
      name: 'the-service-does-not-ship-its-tools',
      comment:
        'The simulator, eval, demo and benchmarks (tools/) and the test helpers (test/) drive the service from outside, as a ' +
        'platform would; the service never imports them, so dist/ holds the service alone.',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: ['^tools/', '^test/'] },
    },
    {
      name: 'only-the-app-module-composes-the-pipeline',
      comment:
        'The pipeline (src/pipeline) composes state, detection and sinks in one ordered list. Features never reach into it: ' +
        'they are stages it calls, so the order of work is written in one place. The API document (platform/openapi) ' +
        'reads every controller schema, the quarantine one included.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/pipeline/', '^src/app\\.module\\.ts$', '^src/platform/openapi/', '\\.spec\\.ts$'] },
      to: { path: '^src/pipeline/' },
    },
    {
      name: 'reports-do-not-read-orders',
      comment: 'Reports are a sink: they store and serve findings whatever produced them, so they never import the ledger, the audit or the pipeline.',
      severity: 'error',
      from: { path: '^src/reports/' },
      to: { path: ['^src/state/ledger/', '^src/audit/', '^src/pipeline/'] },
    },
    {
      name: 'the-log-knows-only-events',
      comment: 'The durable log stores committed events; it knows nothing of what reads them.',
      severity: 'error',
      from: { path: '^src/log/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/log/', '^src/events/', '^src/platform/'] },
    },
    {
      name: 'sql-only-in-repositories',
      comment:
        'Every SQL statement lives in a *.repository.ts (one per table or aggregate, as immich\'s server/src/repositories): ' +
        'services take repositories and are specced with fakes. So only repositories reach pg or the PG_POOL ' +
        '(platform/database/database.module.ts); besides them the log writer (its group-commit INSERT stays below the ' +
        'ORM), the database platform itself (pool, migrations), health, and the app module that registers the database.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: [
          '\\.repository(\\.spec)?\\.ts$',
          '^src/log/event-log\\.writer\\.ts$',
          '^src/platform/database/',
          '^src/platform/health/',
          '^src/app\\.module\\.ts$',
        ],
      },
      to: { path: ['^node_modules/pg/', '^src/platform/database/database\\.module\\.ts$'] },
    },
    {
      name: 'detection-shared-is-below-the-detectors',
      comment:
        'detection/shared holds what several detectors use (scoring, hashing, text fingerprints, cohort signals); it sits ' +
        'below them and below the engine, so it never imports a detector, and from the engine only its types (Severity, ' +
        'StreamView), never its code.',
      severity: 'error',
      from: { path: '^src/detection/shared/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^src/detection/(live|ledger)/' },
    },
    {
      name: 'detection-shared-takes-only-types-from-the-engine',
      comment: 'See detection-shared-is-below-the-detectors: a value import from the engine would make shared depend upward.',
      severity: 'error',
      from: { path: '^src/detection/shared/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^src/detection/engine/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      comment:
        'No import cycles, type-only ones included: a cycle means two files are one module split in the wrong place ' +
        '(a detector and its evidence file: the evidence types live in the evidence file, the detector imports them).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      // The console's pages import vendor modules by the path the service serves them at (console.module.ts).
      to: { couldNotResolve: true, pathNot: '^\\.\\./vendor/(i18next/i18next\\.js|cytoscape/cytoscape\\.esm\\.min\\.mjs)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'] },
    exclude: { path: ['^dist/'] },
  },
};

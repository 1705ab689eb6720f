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
      comment: 'The simulator, eval and demo drive the service from outside, as a platform would; the service never imports them.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/simulator/', '\\.spec\\.ts$'] },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'no-test-code-in-the-service',
      comment: 'Test helpers stay out of the service build.',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: ['^test/', '^bench/', '^src/detection/testing/'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
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

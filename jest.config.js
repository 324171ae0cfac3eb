// Three layers (STYLE.md): unit (*.spec.ts, no I/O), integration (*.int-spec.ts, real
// PostgreSQL with migrations) and end-to-end (test/*.e2e-spec.ts, the app over HTTP).
// test/global-setup.mjs gives the database layers a fresh migrated database.
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleNameMapper: {
    '^@app/([^/]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // its ESM build imports JSON without an import attribute, which Jest warns about on every file
    '^libphonenumber-js$': '<rootDir>/node_modules/libphonenumber-js/index.cjs',
  },
};

/** @type {import('jest').Config} */
export default {
  // booting Nest in a Jest VM takes seconds on a loaded 2-core machine; 5 s made setup hooks flaky.
  // A global option: Jest ignores it in a project's config.
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/global-setup.mjs',
  // A fresh worker process after each test file that booted the app: Jest evaluates ESM
  // packages (Nest 12) once per worker but gives each file its own globals, so a second file's
  // classes (and its Boolean) meet the first file's GraphQL metadata storage. Any file that boots
  // Nest leaves more than 50 MB, so it is always recycled; plain unit files are not.
  workerIdleMemoryLimit: '50MB',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};

import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Two projects: everything on the embedded SQLite store, and the engine's
// suite (unit and integration: every test that opens a store) again with each
// store a PostgreSQL workspace in a throw-away cluster (test/support/pg-*.ts).
// `vitest run --project sqlite` or `--project postgres` runs one of them.
const engineSuite = ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'electron/**/*.test.ts'];

export default defineConfig({
  resolve: { alias: { '@shared': resolve(import.meta.dirname, 'shared') } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: [...engineSuite, 'test/conformance/**/*.test.ts', 'shared/**/*.test.ts', 'renderer/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: engineSuite,
          // Team mode's own tests start their own cluster and workspace whichever project runs them: once is enough.
          exclude: ['test/integration/team-*.test.ts', 'test/integration/workspace-*.test.ts', '**/node_modules/**'],
          globalSetup: ['test/support/pg-global-setup.ts'],
          setupFiles: ['test/support/pg-setup-file.ts'],
        },
      },
    ],
  },
});

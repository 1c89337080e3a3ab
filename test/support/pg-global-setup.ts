import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM helper shared with the chaos run and the bench
import { startPgCluster } from '../../scripts/pg-cluster.mjs';

// The PostgreSQL run of the engine suite: one throw-away cluster for the run,
// each data folder a database of its own (electron/core/store/pg/open-workspace.ts).
export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = (await startPgCluster()) as { adminUrl: string; stop(): void };
  project.provide('pgAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

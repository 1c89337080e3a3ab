// Bundles the engine's Node entry points (the `tieout` CLI, which also serves
// the web host, and the matching worker thread it starts) into out/engine/, so
// they run without tsx or TypeScript.
import { build } from 'esbuild';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
await build({
  entryPoints: { tieout: resolve(root, 'electron/cli/tieout.ts'), 'match-worker': resolve(root, 'electron/core/sync/match-worker.ts') },
  outdir: resolve(root, 'out/engine'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  alias: { '@shared': resolve(root, 'shared') },
  // Native modules load from node_modules at run time; electron must never be pulled in; pg is
  // required by path inside the workspace connection's worker thread (store/pg/sync-client.ts).
  external: ['better-sqlite3', 'keytar', 'odbc', 'electron', 'pg'],
  logLevel: 'warning',
});

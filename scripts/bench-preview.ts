import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { approvalPreview } from '../electron/core/approval/preview';
import type { ReadDb } from '../electron/core/store/db';
import { openStore } from '../electron/core/store/db';
import { openWorkspaceDb } from '../electron/core/store/pg/open-workspace';
import { copyStoreToWorkspace } from '../test/support/copy-store-to-workspace';
// @ts-expect-error plain JavaScript helper without types (as in bench-team.ts)
import { startPgCluster } from './pg-cluster.mjs';
import { DEFAULT_VIEW, type RowSelection } from '@shared/grid-view';
import { seedLargeStore } from '../test/e2e/support/seed-store';
import { approvalPreviewOracle } from '../test/integration/support/approval-preview-oracle';

// npx tsx scripts/bench-preview.ts [rows] — the bulk-approval preview of the
// whole Auto view at scale (issue 15): the SQL preview against the
// straightforward one (every row built, every check in JS) as the baseline.
// Median of 5 after a warm-up, on SQLite and on a PostgreSQL workspace with the
// same rows (--no-pg skips it). Prints figures, asserts nothing.

const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const TARGET_MS = 300;
const dir = mkdtempSync(join(tmpdir(), 'tieout-bench-preview-'));
seedLargeStore(dir, n);
const db = openStore(dir);
const zone = 'America/Los_Angeles';
const selection: RowSelection = { kind: 'view', view: DEFAULT_VIEW, exceptIds: [] };

function median(fn: () => unknown, runs = 5): { ms: number; result: unknown } {
  let result = fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(runs / 2)]!, result };
}

const label = n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);

/** The SQL preview against the old path on one store, and its summary line. */
function measure(store: ReadDb, name: string): void {
  const fast = median(() => approvalPreview(store, selection, zone, 60));
  const old = median(() => approvalPreviewOracle(store, selection, zone, 60), 3);
  const p = fast.result as ReturnType<typeof approvalPreview>;
  const same = JSON.stringify(fast.result) === JSON.stringify(old.result);
  console.log(`${name}: Auto view ${p.selected} rows, ${p.approvable} approvable, ${p.secondLookCount} to look at twice; same answer as the baseline: ${same ? 'yes' : 'NO'}`);
  console.log(`${name}: baseline (every row built, checks in JS) ${old.ms.toFixed(0)} ms; SQL preview ${(old.ms / fast.ms).toFixed(1)}× faster`);
  console.log(`approval preview at ${label}${name === 'SQLite' ? '' : ` (${name})`}: ${fast.ms.toFixed(0)} ms (target ≤ ${TARGET_MS} ms) ${fast.ms <= TARGET_MS && same ? 'MEETS' : 'SHORT'}`);
}

async function onPostgres(): Promise<void> {
  const cluster = (await startPgCluster()) as { adminUrl: string; stop(): void };
  const clients: Client[] = [];
  try {
    const admin = new Client({ connectionString: cluster.adminUrl });
    clients.push(admin);
    await admin.connect();
    await admin.query('CREATE DATABASE tieout_bench_preview');
    const url = new URL(cluster.adminUrl);
    url.pathname = '/tieout_bench_preview';
    (openWorkspaceDb({ connectionString: url.toString(), ssl: false }) as unknown as { close(): void }).close();
    const pg = new Client({ connectionString: url.toString() });
    clients.push(pg);
    await pg.connect();
    await copyStoreToWorkspace(dir, pg);
    await pg.query('ANALYZE');
    const workspace = openWorkspaceDb({ connectionString: url.toString(), ssl: false }) as unknown as ReadDb & { close(): void };
    try {
      measure(workspace, 'PostgreSQL');
    } finally {
      workspace.close();
    }
  } finally {
    for (const c of clients) await c.end().catch(() => undefined);
    cluster.stop();
  }
}

async function main(): Promise<void> {
  try {
    measure(db, 'SQLite');
    db.close();
    if (!process.argv.includes('--no-pg')) await onPostgres();
  } finally {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();

// The work queue's SQL at 100,000 rows (grid:window, grid:viewCounts,
// grid:selectionSummary) against the old whole-grid read (gridRows of every
// row), on the embedded SQLite store. Prints "name: value (target T) MEETS|SHORT".
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../electron/core/store/db';
import { gridRows } from '../electron/core/store/queries/matches';
import { gridWindow, selectionSummary, viewCounts } from '../electron/core/store/queries/grid-view';
import type { GridView } from '../shared/grid-view';
import { seedLargeStore } from '../test/e2e/support/seed-store';

const N = Number(process.argv[2] ?? 100_000);
const ZONE = 'America/Los_Angeles';
const dir = mkdtempSync(join(tmpdir(), 'tieout-grid-sql-'));
seedLargeStore(dir, N);
const db = openStore(dir);

function p95(fn: () => unknown, runs = 20): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.ceil(runs * 0.95) - 1]!;
}

const base: GridView = { tab: 'all', search: '', filters: [], sort: [] };
const views: Array<[string, GridView]> = [
  ['all, newest first', base],
  ['auto tab', { ...base, tab: 'auto' }],
  ['sort by amount', { ...base, sort: [{ key: 'amount', dir: 'desc' }] }],
  ['sort by payer', { ...base, sort: [{ key: 'payer', dir: 'asc' }] }],
  ['search "Cascade"', { ...base, search: 'Cascade' }],
  ['search amount>1000', { ...base, search: 'amount>1000' }],
  ['search status:review', { ...base, search: 'status:review' }],
  ['filter payer + date', { ...base, filters: [{ field: 'payer', text: 'delta' }, { field: 'date', from: '2026-11-05', to: '2026-11-10' }] }],
];

const whole = p95(() => gridRows(db), 3);
console.log(`grid sql: baseline gridRows of ${N} rows ${whole.toFixed(0)} ms (p95 of 3)`);
for (const [name, view] of views) {
  const first = p95(() => gridWindow(db, view, ZONE, 0, 150));
  const deep = p95(() => gridWindow(db, view, ZONE, Math.floor(N / 2), 150), 5);
  const counts = p95(() => viewCounts(db, view, ZONE), 5);
  const sel = p95(() => selectionSummary(db, { kind: 'view', view, exceptIds: [] }, ZONE), 3);
  console.log(`grid sql ${name}: first window ${first.toFixed(1)} ms, window at row ${N / 2} ${deep.toFixed(1)} ms, tab counts ${counts.toFixed(1)} ms, whole-view total ${sel.toFixed(1)} ms`);
  console.log(`grid sql ${name} first window: ${first.toFixed(1)} ms (target ≤ 100 ms) ${first <= 100 ? 'MEETS' : 'SHORT'}`);
}
const bytes = Buffer.byteLength(JSON.stringify(gridWindow(db, base, ZONE, 0, 150)));
const wholeBytes = Buffer.byteLength(JSON.stringify(gridRows(db)));
console.log(`grid sql window reply: ${(bytes / 1024).toFixed(0)} KB for 150 rows vs ${(wholeBytes / 1048576).toFixed(1)} MB for the whole grid (target ≤ 1024 KB) ${bytes <= 1048576 ? 'MEETS' : 'SHORT'}`);
db.close();

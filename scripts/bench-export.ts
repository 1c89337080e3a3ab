import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../electron/core/clock';
import { ExportFiles } from '../electron/core/export/export-files';
import { writeGridExport } from '../electron/core/export/grid-export';
import { openStore } from '../electron/core/store/db';
import type { ExportColumnId } from '@shared/api/export';
import { seedLargeStore } from '../test/e2e/support/seed-store';

// npx tsx scripts/bench-export.ts [rows] — the work queue's export at scale:
// time, file size and the process's peak heap and RSS while writing CSV and
// XLSX of every row (all columns). Prints figures, asserts nothing.

const n = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'tieout-bench-export-'));
seedLargeStore(dir, n);
const db = openStore(dir);
const files = new ExportFiles(dir, systemClock);
const columns: ExportColumnId[] = ['createdAt', 'transactionId', 'payer', 'reference', 'amount', 'matchedInvoices', 'openBalance', 'difference', 'status', 'score', 'reason'];
const mb = (b: number) => (b / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
 for (const format of ['csv', 'xlsx'] as const) {
  global.gc?.();
  let peakHeap = 0;
  let peakRss = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  const t0 = performance.now();
  const file = await writeGridExport(db, files, { view: { tab: 'all', search: '', filters: [], sort: [] }, columns, format, zone: 'America/Los_Angeles', owner: 'bench', nowIso: new Date().toISOString() });
  const ms = performance.now() - t0;
  clearInterval(sample);
  console.log(`${format}: ${file.rows} rows, ${mb(file.bytes)} MB in ${(ms / 1000).toFixed(1)} s; peak heap ${mb(peakHeap)} MB, peak RSS ${mb(peakRss)} MB`);
}
}

void main().then(() => db.close());

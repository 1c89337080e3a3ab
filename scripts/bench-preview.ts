import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approvalPreview } from '../electron/core/approval/preview';
import { openStore } from '../electron/core/store/db';
import { DEFAULT_VIEW, type RowSelection } from '@shared/grid-view';
import { seedLargeStore } from '../test/e2e/support/seed-store';
import { approvalPreviewOracle } from '../test/integration/support/approval-preview-oracle';

// npx tsx scripts/bench-preview.ts [rows] — the bulk-approval preview of the
// whole Auto view at scale (issue 15): the SQL preview against the
// straightforward one (every row built, every check in JS) as the baseline.
// Median of 5 after a warm-up. Prints figures, asserts nothing.

const n = Number(process.argv[2] ?? 100_000);
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

try {
  const fast = median(() => approvalPreview(db, selection, zone, 60));
  const old = median(() => approvalPreviewOracle(db, selection, zone, 60), 3);
  const p = fast.result as ReturnType<typeof approvalPreview>;
  const same = JSON.stringify(fast.result) === JSON.stringify(old.result);
  console.log(`Auto view: ${p.selected} rows, ${p.approvable} approvable, ${p.secondLookCount} to look at twice; same answer as the baseline: ${same ? 'yes' : 'NO'}`);
  console.log(`baseline (every row built, checks in JS): ${old.ms.toFixed(0)} ms; SQL preview ${(old.ms / fast.ms).toFixed(1)}× faster`);
  console.log(`approval preview at ${n >= 1000 ? `${Math.round(n / 1000)}k` : n}: ${fast.ms.toFixed(0)} ms (target ≤ ${TARGET_MS} ms) ${fast.ms <= TARGET_MS && same ? 'MEETS' : 'SHORT'}`);
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

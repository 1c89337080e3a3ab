import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Customer, MatchOutcome, OpenInvoice, PayTraceTransaction } from '@shared/domain';
import { cents } from '@shared/money';
import { defaultSettings } from '@shared/settings';
import type { ErpConnector } from '../../electron/core/erp/connector';
import type { Logger } from '../../electron/core/log/logger';
import { createMatcher } from '../../electron/core/matching/engine';
import { asStoreDb, openStore, type Db } from '../../electron/core/store/db';
import { listCustomers, listOpenInvoices } from '../../electron/core/store/queries/ledger';
import { listLearned } from '../../electron/core/store/queries/learned';
import { approvedUnpostedAllocations, pendingTransactionIds } from '../../electron/core/store/queries/matches';
import { listTransactions } from '../../electron/core/store/queries/transactions';
import { createMatchRunner } from '../../electron/core/sync/match-runner';
import { SyncService } from '../../electron/core/sync/sync-service';
import { generateEvalDataset } from '../match-eval/generator';
import { buildWorld } from '../unit/matching-bench-world';
import { onWorkspace } from '../support/store-dialect';

// The sync's re-match runs in a worker thread and re-matches only what changed;
// both must give exactly the outcomes of the plain in-process matcher over
// every undecided transaction.

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function store(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'tieout-rematch-'));
  dirs.push(dir);
  return openStore(dir);
}

/** What a full in-process re-match gives for the store as it is now. */
function fullRematch(db: Db): MatchOutcome[] {
  const pending = new Set(pendingTransactionIds(db));
  const all = listTransactions(db);
  return createMatcher()({
    transactions: all.filter((t) => pending.has(t.transactionId)),
    invoices: listOpenInvoices(db),
    customers: listCustomers(db),
    consumed: approvedUnpostedAllocations(db),
    learned: listLearned(db),
    history: all.filter((t) => !pending.has(t.transactionId)),
  });
}

function storedOutcomes(db: Db): Map<number, unknown> {
  const rows = db.prepare("SELECT m.transaction_id AS id, m.outcome_json AS json FROM matches m WHERE m.review_state = 'pending'").all() as Array<{ id: number; json: string }>;
  return new Map(rows.map((r) => [r.id, JSON.parse(r.json) as unknown]));
}

function expectStoredEqualsFull(db: Db): void {
  const stored = storedOutcomes(db);
  const full = fullRematch(db);
  expect(stored.size).toBe(full.length);
  for (const o of full) expect(stored.get(o.transactionId), `transaction ${o.transactionId}`).toEqual(JSON.parse(JSON.stringify(o)));
}

function logger(lines: string[]): Logger {
  const l: Logger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`), child: () => l };
  return l;
}

function syncOver(db: Db, world: { transactions: PayTraceTransaction[]; invoices: OpenInvoice[]; customers: Customer[] }, lines: string[]) {
  const settings = defaultSettings();
  const runner = createMatchRunner({ db, logger: logger(lines) });
  const erp = {
    async *listCustomers() {
      yield world.customers;
    },
    async *listOpenInvoices() {
      // Pages, as connectors deliver them.
      for (let i = 0; i < world.invoices.length; i += 1000) yield world.invoices.slice(i, i + 1000);
    },
  } as unknown as ErpConnector;
  const sync = new SyncService({
    db,
    settings: () => settings,
    paytrace: async () => ({ exportByDateRange: async () => ({ transactions: world.transactions, malformed: [] }) }),
    erp: async () => erp,
    matcher: () => createMatcher(),
    matchRunner: runner,
    logger: logger(lines),
  });
  return { sync, runner };
}

describe('re-matching in a worker thread', () => {
  // SQLite-only: the worker thread reads the SQLite file; on a workspace matching stays in-process (the tests below cover its outcomes).
  it.skipIf(onWorkspace)('gives exactly the outcomes of the in-process matcher', async () => {
    const db = store();
    const world = buildWorld(3000, 2500, 3);
    const lines: string[] = [];
    const { sync, runner } = syncOver(db, world, lines);
    try {
      const status = await sync.runOnce();
      expect(status.lastError).toBeNull();
      expect(runner.mode()).toBe('worker');
      expect(lines).toContain('info matching runs in a worker thread');
      expect(sync.lastRematch).toMatchObject({ mode: 'full', rematched: 2500, pending: 2500 });
      expectStoredEqualsFull(db);
    } finally {
      await runner.close();
      db.close();
    }
  });

  it('falls back to in-process matching, and says so, where no worker can start', async () => {
    const db = store();
    const world = buildWorld(500, 300, 4);
    const lines: string[] = [];
    const runner = createMatchRunner({ db, logger: logger(lines), worker: false });
    const { sync } = syncOver(db, world, []);
    // Same store, a runner that never starts a worker.
    (sync as unknown as { o: { matchRunner: unknown } }).o.matchRunner = runner;
    try {
      await sync.runOnce();
      expect(runner.mode()).toBe('in-process');
      expectStoredEqualsFull(db);
      const memory = createMatchRunner({ db: asStoreDb((await import('better-sqlite3')).default(':memory:')), logger: logger(lines) });
      await memory.run({ changedTransactionIds: null }).catch(() => undefined);
      expect(lines.some((l) => l.startsWith('warn match worker unavailable (in-memory store)'))).toBe(true);
    } finally {
      await runner.close();
      db.close();
    }
  });
});

// Thousands of rows synced three times: on a workspace every statement is a round trip to the server.
const BULK_TIMEOUT = onWorkspace ? 120_000 : undefined;

describe('incremental sync', () => {
  it('re-matches only what changed and agrees with a full re-match', async () => {
    const db = store();
    const world = buildWorld(4000, 3000, 9);
    const lines: string[] = [];
    const { sync, runner } = syncOver(db, world, lines);
    try {
      await sync.runOnce();
      expect(sync.lastRematch).toMatchObject({ mode: 'full', rematched: 3000 });

      // Nothing changed: nothing is re-matched.
      await sync.runOnce();
      expect(sync.lastRematch).toMatchObject({ mode: 'incremental', rematched: 0, saved: 0 });

      // 40 new payments; 15 invoices with a new balance; 5 invoices paid elsewhere (gone);
      // 10 payments approved by a clerk (their allocations are spoken for).
      const fresh = buildWorld(4000, 40, 77, 900000001, 3500).transactions;
      const changedBalance = new Set(world.invoices.slice(100, 115).map((i) => i.invoiceNo));
      const gone = new Set(world.invoices.slice(200, 205).map((i) => i.invoiceNo));
      world.transactions = [...world.transactions, ...fresh];
      world.invoices = world.invoices
        .filter((i) => !gone.has(i.invoiceNo))
        .map((i) => (changedBalance.has(i.invoiceNo) ? { ...i, openBalanceCents: cents(Math.max(0, i.openBalanceCents - 1000)) } : i));
      const approve = db.prepare(
        "SELECT transaction_id AS id, allocations_json AS a FROM matches WHERE match_status = 'auto' AND review_state = 'pending' ORDER BY transaction_id LIMIT 10",
      ).all() as Array<{ id: number; a: string }>;
      db.transaction(() => {
        for (const r of approve) {
          db.prepare("UPDATE matches SET review_state = 'approved' WHERE transaction_id = ?").run(r.id);
          for (const a of JSON.parse(r.a) as Array<{ invoiceNo: string; amountCents: number }>) {
            db.prepare('INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (?, ?, ?)').run(r.id, a.invoiceNo, a.amountCents);
          }
        }
      })();

      await sync.runOnce();
      const r = sync.lastRematch!;
      expect(r.mode).toBe('incremental');
      expect(r.pending).toBe(3000 + 40 - 10);
      // The 40 new ones at least; far from all of them.
      expect(r.rematched).toBeGreaterThanOrEqual(40);
      expect(r.rematched).toBeLessThan(r.pending / 2);
      console.log(`incremental sync: re-matched ${r.rematched} of ${r.pending} undecided (${r.saved} outcomes changed)`);
      expectStoredEqualsFull(db);
      expect(lines.some((l) => l.includes(`re-matched ${r.rematched} of ${r.pending}`))).toBe(true);
    } finally {
      await runner.close();
      db.close();
    }
  }, BULK_TIMEOUT);

  it('agrees with a full re-match on the eval world (refunds, voids, duplicates, installments, multi-invoice) arriving over three syncs', async () => {
    const db = store();
    const data = generateEvalDataset({ seed: 11, payments: 2000 });
    const ordered = [...data.transactions].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.transactionId - b.transactionId));
    const cut1 = Math.floor(ordered.length * 0.6);
    const cut2 = Math.floor(ordered.length * 0.85);
    const world = { transactions: ordered.slice(0, cut1), invoices: [...data.invoices], customers: [...data.customers] };
    const lines: string[] = [];
    const { sync, runner } = syncOver(db, world, lines);
    try {
      await sync.runOnce();
      expectStoredEqualsFull(db);

      world.transactions = ordered.slice(0, cut2);
      world.invoices = world.invoices.filter((_, k) => k % 97 !== 5).map((i, k) => (k % 53 === 0 ? { ...i, openBalanceCents: cents(Math.max(0, i.openBalanceCents - 700)) } : i));
      await sync.runOnce();
      const second = sync.lastRematch!;
      expect(second.mode).toBe('incremental');
      expect(second.rematched).toBeLessThan(second.pending);
      expectStoredEqualsFull(db);

      // A clerk approves some automatic matches; the last payments arrive; gone invoices come back.
      const approve = db.prepare("SELECT transaction_id AS id, allocations_json AS a FROM matches WHERE match_status = 'auto' AND review_state = 'pending' ORDER BY transaction_id LIMIT 25").all() as Array<{ id: number; a: string }>;
      db.transaction(() => {
        for (const r of approve) {
          db.prepare("UPDATE matches SET review_state = 'approved' WHERE transaction_id = ?").run(r.id);
          for (const a of JSON.parse(r.a) as Array<{ invoiceNo: string; amountCents: number }>) {
            if (a.amountCents > 0) db.prepare('INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (?, ?, ?)').run(r.id, a.invoiceNo, a.amountCents);
          }
        }
      })();
      world.transactions = ordered;
      world.invoices = [...data.invoices];
      await sync.runOnce();
      const third = sync.lastRematch!;
      expect(third.mode).toBe('incremental');
      console.log(`eval world: re-matched ${second.rematched} of ${second.pending}, then ${third.rematched} of ${third.pending}`);
      expectStoredEqualsFull(db);
    } finally {
      await runner.close();
      db.close();
    }
  }, BULK_TIMEOUT);
});

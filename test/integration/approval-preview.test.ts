import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { openTestEngine, value } from './support/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { getOutcome, gridRows } from '../../electron/core/store/queries/matches';
import { approveMatches } from '../../electron/core/approval/approve';
import type { ApprovalPreview } from '../../shared/api/approval';
import type { GridRow, MatchOutcome } from '../../shared/domain';
import { DEFAULT_VIEW, SORT_KEYS, TAB_IDS, type RowSelection } from '../../shared/grid-view';
import { approvalPreviewOracle } from './support/approval-preview-oracle';

// The preview a clerk confirms before a bulk approval (issue 15): count, total,
// what is skipped and the rows that deserve a second look, each with its
// reasons. Checked against the grid rows themselves (the oracle) on the demo
// week, on both stores.

let demo: RunningDemo;
let engine: Engine;

const everyRow = { kind: 'view', view: { ...DEFAULT_VIEW, tab: 'all' }, exceptIds: [] } as const;
const preview = async (selection: unknown = everyRow) => value<ApprovalPreview>(await engine.dispatch('approval:preview', { selection }));
const isApprovable = (r: GridRow) => (r.status === 'auto' || r.status === 'review') && r.type.toUpperCase() === 'SALE' && r.matchedInvoices.length > 0 && r.customerId !== null;
const reasonsOf = (p: ApprovalPreview, id: number) => p.secondLook.find((r) => r.transactionId === id)?.reasons.map((r) => r.code) ?? [];

/** The stored outcome of a row, changed the way the matcher would write it (a learned payer, a linked refund). */
function rewriteOutcome(id: number, change: (o: MatchOutcome) => MatchOutcome): void {
  engine.db.prepare('UPDATE matches SET outcome_json = ? WHERE transaction_id = ?').run(JSON.stringify(change(getOutcome(engine.db, id)!)), id);
}

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 15, payments: 300 });
  engine = await openTestEngine(demo.descriptor);
  await engine.sync.runOnce();
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

const ZONE = 'America/Los_Angeles';

/** Selections a clerk can make: a view (tab, a search, a sort, some rows unticked) or explicit ids (with repeats and ids that do not exist). */
function selectionArb(): fc.Arbitrary<RowSelection> {
  const ids = gridRows(engine.db).map((r) => r.transactionId);
  const searches = ['', 'amount>1000', 'amount<500', 'status:review', 'status:auto,exception', 'type:sale', 'customer:a', 'e'];
  const view = fc.record({
    tab: fc.constantFrom(...TAB_IDS),
    search: fc.constantFrom(...searches),
    filters: fc.constant([]),
    sort: fc.array(fc.record({ key: fc.constantFrom(...SORT_KEYS), dir: fc.constantFrom('asc' as const, 'desc' as const) }), { maxLength: 2 }),
  });
  return fc.oneof(
    fc.record({ kind: fc.constant('view' as const), view, exceptIds: fc.subarray(ids, { maxLength: 40 }) }),
    fc.record({ kind: fc.constant('ids' as const), ids: fc.tuple(fc.subarray(ids), fc.array(fc.constantFrom(...ids.slice(0, 5), 999_999_999), { maxLength: 5 })).map(([a, b]) => [...a, ...b]) }),
  );
}

/** The SQL preview and the straightforward one (every row built, every check in JS) agree on every selection. */
async function agreesWithOracle(runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(selectionArb(), async (selection) => {
      const fast = await preview(selection);
      expect(fast).toEqual(approvalPreviewOracle(engine.db, selection, ZONE, 0));
    }),
    { numRuns: runs, seed: 15 },
  );
}

describe('approval:preview', () => {
  it('agrees with the straightforward preview on the demo week before anything is approved (property)', async () => {
    await agreesWithOracle(12);
  }, 60_000);

  it('counts the approvable rows and their total, and says what it skips and why', async () => {
    const rows = gridRows(engine.db);
    const approvable = rows.filter(isApprovable);
    const p = await preview();
    expect(p.selected).toBe(rows.length);
    expect(p.approvable).toBe(approvable.length);
    expect(p.totals).toEqual([{ currency: 'USD', cents: approvable.reduce((s, r) => s + r.amountCents, 0) }]);
    const notSales = rows.filter((r) => ['REFUND', 'VOID'].includes(r.type.toUpperCase())).length;
    expect(notSales).toBeGreaterThan(0);
    expect(p.skipped.find((s) => s.kind === 'not_a_sale')?.count).toBeGreaterThanOrEqual(notSales);
    expect(p.skipped.reduce((s, k) => s + k.count, 0)).toBe(rows.length - approvable.length);
    expect(p.undoWindowSeconds).toBe(0);
  });

  it('flags any difference and a one-character reference typo; no first-time payers before anything was approved', async () => {
    const approvable = gridRows(engine.db).filter(isApprovable);
    const p = await preview({ kind: 'ids', ids: approvable.map((r) => r.transactionId) });
    const differing = approvable.filter((r) => r.differenceCents !== 0);
    expect(differing.length).toBeGreaterThan(0);
    for (const r of differing.slice(0, 10)) expect(reasonsOf(p, r.transactionId)).toContain('difference');
    const typo = approvable.find((r) => {
      const o = getOutcome(engine.db, r.transactionId)!;
      return o.candidates[0]?.signals.some((s) => s.signal === 'reference_typo') && o.candidates[0].customerId === o.customerId;
    });
    expect(typo).toBeDefined();
    expect(reasonsOf(p, typo!.transactionId)).toContain('reference_typo');
    expect(p.secondLook.flatMap((r) => r.reasons).some((r) => r.code === 'first_time_payer')).toBe(false);
    // A clean row (no difference, no typo) is not listed.
    const clean = approvable.find(
      (r) => r.differenceCents === 0 && !r.refundedBy && !getOutcome(engine.db, r.transactionId)!.candidates.some((c) => c.signals.some((s) => s.signal === 'reference_typo' || s.signal === 'customer_learned')),
    );
    expect(reasonsOf(p, clean!.transactionId)).toEqual([]);
  });

  it('flags a learned payer and a refund on the sale as the matcher records them', async () => {
    const [learned, refunded] = gridRows(engine.db).filter((r) => isApprovable(r) && r.differenceCents === 0);
    rewriteOutcome(learned!.transactionId, (o) => ({
      ...o,
      candidates: o.candidates.map((c, i) => (i === 0 ? { ...c, signals: [...c.signals, { signal: 'customer_learned', points: 30, detail: 'confirmed before' }] } : c)),
    }));
    rewriteOutcome(refunded!.transactionId, (o) => ({ ...o, refundedBy: [999_000_001] }));
    const p = await preview({ kind: 'ids', ids: [learned!.transactionId, refunded!.transactionId] });
    expect(reasonsOf(p, learned!.transactionId)).toEqual(['learned_payer']);
    expect(reasonsOf(p, refunded!.transactionId)).toEqual(['refunded']);
    expect(p.secondLook.find((r) => r.transactionId === refunded!.transactionId)!.reasons[0]!.text).toContain('#999000001');
  });

  it('flags first-time payers once the store has a history, and caps the listed rows', async () => {
    const approvable = gridRows(engine.db).filter(isApprovable);
    const paid = approvable.slice(0, 60);
    approveMatches(engine.db, paid.map((r) => r.transactionId), 'clerk', 'America/Los_Angeles');
    const paidCustomers = new Set(paid.map((r) => r.customerId));
    const paidNames = new Set(paid.map((r) => r.payer.trim().toLowerCase()));
    const rest = gridRows(engine.db).filter(isApprovable);
    const newcomer = rest.find((r) => !paidCustomers.has(r.customerId) && !paidNames.has(r.payer.trim().toLowerCase()));
    const returning = rest.find((r) => paidCustomers.has(r.customerId));
    expect(newcomer && returning).toBeTruthy();
    const p = await preview({ kind: 'ids', ids: rest.map((r) => r.transactionId) });
    expect(p.secondLookCount).toBeGreaterThan(50);
    expect(p.secondLook.length).toBe(50);
    const focused = await preview({ kind: 'ids', ids: [newcomer!.transactionId, returning!.transactionId] });
    expect(reasonsOf(focused, newcomer!.transactionId)).toContain('first_time_payer');
    expect(reasonsOf(focused, returning!.transactionId)).not.toContain('first_time_payer');
    expect(p.skipped.find((s) => s.kind === 'decided')).toBeUndefined();
    const withDecided = await preview({ kind: 'ids', ids: [paid[0]!.transactionId, newcomer!.transactionId] });
    expect(withDecided.approvable).toBe(1);
    expect(withDecided.skipped).toEqual([{ kind: 'decided', label: expect.any(String), count: 1 }]);
  });

  it('refuses a view whose search it cannot read', async () => {
    const reply = await engine.dispatch('approval:preview', { selection: { kind: 'view', view: { ...DEFAULT_VIEW, search: 'amount>>' }, exceptIds: [] } });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
  });
});

describe('approval:preview at scale agrees with the straightforward one', () => {
  it('on the demo week with approvals, a learned payer and a refund on record (property)', async () => {
    // Every reason and every skip on the store (the earlier tests approved 60 rows: a history, decided rows).
    const [learned, refunded] = gridRows(engine.db).filter(isApprovable);
    rewriteOutcome(learned!.transactionId, (o) => ({
      ...o,
      candidates: o.candidates.map((c, i) => (i === 0 ? { ...c, signals: [...c.signals, { signal: 'customer_learned', points: 30, detail: 'confirmed before' }] } : c)),
    }));
    rewriteOutcome(refunded!.transactionId, (o) => ({ ...o, refundedBy: [999_000_002] }));
    const all = gridRows(engine.db).map((r) => r.transactionId);
    const codes = new Set<string>();
    for (let i = 0; i < all.length; i += 40) {
      for (const row of approvalPreviewOracle(engine.db, { kind: 'ids', ids: all.slice(i, i + 40) }, ZONE, 0).secondLook) for (const r of row.reasons) codes.add(r.code);
    }
    expect([...codes].sort()).toEqual(['difference', 'first_time_payer', 'learned_payer', 'reference_typo', 'refunded']);
    expect(approvalPreviewOracle(engine.db, everyRow, ZONE, 0).skipped.map((s) => s.kind).sort()).toEqual(['decided', 'exception', 'not_a_sale']);
    await agreesWithOracle(24);
  }, 120_000);
});

describe('actions a refund, void or decline does not offer (shared/row-actions.ts)', () => {
  it('refuses an allocation, a write-off and an override on a refund row, with a clear message', async () => {
    const rows = gridRows(engine.db);
    const refund = rows.find((r) => r.type.toUpperCase() === 'REFUND')!;
    const sale = rows.find((r) => r.customerId !== null && r.matchedInvoices.length > 0)!;
    const invoice = engine.db.prepare('SELECT invoice_no FROM invoices WHERE customer_id = ? AND is_open = 1 LIMIT 1').pluck().get(sale.customerId) as string;
    const allocate = await engine.dispatch('matches:allocate', { transactionId: refund.transactionId, customerId: sale.customerId, allocations: [{ invoiceNo: invoice, amountCents: 100 }] });
    expect(allocate).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('only for sales') } });
    for (const name of ['controls:requestWriteOff', 'controls:requestOverride']) {
      const reply = await engine.dispatch(name, { transactionId: refund.transactionId, reasonCode: 'Small balance' });
      expect(reply).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('A refund is not a payment to apply') } });
    }
  });
});

import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { approvedAllocatedCents } from '../../electron/core/store/queries/approvals';
import { gridRows } from '../../electron/core/store/queries/matches';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { openTestEngine, value } from './support/engine';

// An open credit applied inside a receipt is an allocation with a negative
// amount (P21 with creditApplication 'negative-line'). The allocations table
// used to say CHECK (amount_cents > 0), so approving one failed with an
// internal CHECK error instead of approving (migration 0009 fixes the table).

type SbxReceipt = { checkNumber: string; lines: Array<{ invoiceNo: string; amountCents: number }> };

let demo: RunningDemo;
let engine: Engine;

const control = async <T>(name: string, body: unknown = {}): Promise<T> => (await axios.post(`${demo.descriptor.erp.baseUrl}/__control/${name}`, body)).data as T;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21 });
  engine = await openTestEngine(demo.descriptor);
  await engine.sync.runOnce();
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

type Setup = Readonly<{ transactionId: number; invoiceNo: string; creditNo: string; creditCents: number; amountCents: number }>;

/** A pending payment of the credit's customer, allocated to one of their invoices with the credit applied on top. */
function paymentApplyingCredit(creditIndex: number, used: ReadonlySet<number>, usedInvoices: ReadonlySet<string> = new Set()): Setup {
  const credit = demo.world.openCredits[creditIndex]!;
  const creditCents = -credit.openBalanceCents;
  const invoices = engine.db
    .prepare("SELECT invoice_no, open_balance_cents AS bal FROM invoices WHERE is_open = 1 AND open_balance_cents > 0 AND currency = 'USD' AND customer_id = ? ORDER BY open_balance_cents DESC")
    .all(credit.customerId) as Array<{ invoice_no: string; bal: number }>;
  const rows = gridRows(engine.db).filter((r) => (r.status === 'review' || r.status === 'exception' || r.status === 'auto') && r.currency === 'USD' && !used.has(r.transactionId));
  for (const inv of invoices) {
    if (usedInvoices.has(inv.invoice_no)) continue;
    const row = rows.find((r) => r.amountCents > 0 && r.amountCents + creditCents <= inv.bal);
    if (!row) continue;
    const allocations = [
      { invoiceNo: inv.invoice_no, amountCents: row.amountCents + creditCents },
      { invoiceNo: credit.invoiceNo, amountCents: -creditCents },
    ];
    const m = engine.db.prepare('SELECT outcome_json FROM matches WHERE transaction_id = ?').get(row.transactionId) as { outcome_json: string };
    const outcome = { ...(JSON.parse(m.outcome_json) as object), status: 'suggested', customerId: credit.customerId, exception: null, allocations, unappliedCents: 0 };
    engine.db
      .prepare("UPDATE matches SET outcome_json = ?, match_status = 'suggested', customer_id = ?, exception = NULL, allocations_json = ? WHERE transaction_id = ?")
      .run(JSON.stringify(outcome), credit.customerId, JSON.stringify(allocations), row.transactionId);
    return { transactionId: row.transactionId, invoiceNo: inv.invoice_no, creditNo: credit.invoiceNo, creditCents, amountCents: row.amountCents };
  }
  throw new Error(`no payment fits customer ${credit.customerId}'s invoices with credit ${credit.invoiceNo}`);
}

let first: Setup;

describe('approving a receipt that applies an open credit (P21, creditApplication negative-line)', () => {
  it('approves (was: CHECK constraint failed); a second payment applying the same credit is refused (the credit is spoken for)', async () => {
    first = paymentApplyingCredit(0, new Set());
    const second = paymentApplyingCredit(0, new Set([first.transactionId]), new Set([first.invoiceNo]));
    // One approval call: the second is checked against what the first, just approved, claims.
    const result = value<{ approved: number[]; skipped: unknown[] }>(await engine.dispatch('matches:approve', { transactionIds: [first.transactionId, second.transactionId] }));
    expect(result).toEqual({
      approved: [first.transactionId],
      skipped: [{ transactionId: second.transactionId, reason: `Invoice ${second.creditNo} is no longer open for that amount` }],
    });
    expect(engine.db.prepare('SELECT invoice_no, amount_cents FROM allocations WHERE transaction_id = ? ORDER BY amount_cents').all(first.transactionId)).toEqual([
      { invoice_no: first.creditNo, amount_cents: -first.creditCents },
      { invoice_no: first.invoiceNo, amount_cents: first.amountCents + first.creditCents },
    ]);
  }, 30_000);

  it('posts one receipt in the P21 sandbox that applies the credit once', async () => {
    await engine.worker.drain();
    const { receipts } = await control<{ receipts: SbxReceipt[] }>('receipts');
    const posted = receipts.filter((r) => r.checkNumber === String(first.transactionId));
    expect(posted).toHaveLength(1);
    expect([...posted[0]!.lines].sort((a, b) => a.amountCents - b.amountCents)).toEqual([
      { invoiceNo: first.creditNo, amountCents: -first.creditCents },
      { invoiceNo: first.invoiceNo, amountCents: first.amountCents + first.creditCents },
    ]);
    // The credit is used up in the ERP.
    expect((await control<{ openBalanceCents: number | null }>('open-balance', { invoiceNo: first.creditNo })).openBalanceCents).toBeNull();
    expect(engine.db.prepare("SELECT state FROM outbox WHERE transaction_id = ? AND kind = 'receipt'").get(first.transactionId)).toEqual({ state: 'posted' });
    // Draining again sends nothing more.
    await engine.worker.drain();
    expect((await control<{ count: number }>('count-receipts', { reference: String(first.transactionId) })).count).toBe(1);
  }, 30_000);
});

describe('what approved payments already claim of an open item', () => {
  it('sums signed lines per item: a credit\'s line is negative on the credit and nothing on the invoice', () => {
    const { creditNo, invoiceNo, creditCents, amountCents } = first;
    expect(approvedAllocatedCents(engine.db, creditNo)).toBe(0); // posted now: no longer merely approved
    engine.db.prepare("UPDATE matches SET review_state = 'approved' WHERE transaction_id = ?").run(first.transactionId);
    try {
      expect(approvedAllocatedCents(engine.db, creditNo)).toBe(-creditCents);
      expect(approvedAllocatedCents(engine.db, invoiceNo)).toBe(amountCents + creditCents);
    } finally {
      engine.db.prepare("UPDATE matches SET review_state = 'posted' WHERE transaction_id = ?").run(first.transactionId);
    }
  });
});

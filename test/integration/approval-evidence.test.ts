import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { openTestEngine, value } from './support/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { gridRows } from '../../electron/core/store/queries/matches';
import { approveMatches } from '../../electron/core/approval/approve';
import { unpostablePart } from '../../electron/core/posting/outbox-worker';
import { EARLY_PAYMENT_DISCOUNT, type ReceiptRequest } from '../../electron/core/erp/connector';
import type { MatchOutcome } from '../../shared/domain';
import type { Refundable } from '../../shared/api/refunds';

// Approval is the last gate before a remote write: whatever put an allocation on
// a row (a clerk, a hand-off file, a tampered store), a payment PayTrace did not
// approve is never queued, and neither is an allocation no connector can post.

let demo: RunningDemo;
let engine: Engine;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21, payments: 160 });
  engine = await openTestEngine(demo.descriptor);
  await engine.sync.runOnce();
});
afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

/** Gives a row an allocation as a hand-off import or a clerk would, without the engine's checks. */
function forceAllocation(transactionId: number, allocations: MatchOutcome['allocations'], customerId: string): void {
  const row = engine.db.prepare('SELECT outcome_json FROM matches WHERE transaction_id = ?').get(transactionId) as { outcome_json: string };
  const outcome = { ...(JSON.parse(row.outcome_json) as MatchOutcome), allocations, customerId, status: 'suggested', exception: null };
  engine.db.prepare("UPDATE matches SET outcome_json = ?, match_status = 'suggested', customer_id = ? WHERE transaction_id = ?").run(JSON.stringify(outcome), customerId, transactionId);
}

const outboxRows = (transactionId: number) => (engine.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE transaction_id = ?').get(transactionId) as { n: number }).n;

describe('approval needs money PayTrace approved', () => {
  it('refuses a declined payment given an allocation, with the reason, and queues nothing', () => {
    const declined = gridRows(engine.db).find((r) => r.exception === 'declined')!;
    expect(declined).toBeDefined();
    const open = engine.db.prepare('SELECT invoice_no, customer_id, open_balance_cents FROM invoices WHERE is_open = 1 AND open_balance_cents > 0 LIMIT 1').get() as {
      invoice_no: string;
      customer_id: string;
      open_balance_cents: number;
    };
    forceAllocation(declined.transactionId, [{ invoiceNo: open.invoice_no, amountCents: Math.min(open.open_balance_cents, declined.amountCents) as never }], open.customer_id);
    const result = approveMatches(engine.db, [declined.transactionId], 'clerk', 'America/Los_Angeles');
    expect(result.approved).toEqual([]);
    expect(result.skipped[0]!.reason).toMatch(/declined|no approval code/i);
    expect(outboxRows(declined.transactionId)).toBe(0);
  });

  it('refuses an allocation that applies an open credit, saying what to do instead', () => {
    const auto = gridRows(engine.db).find((r) => r.status === 'auto' && r.matchedInvoices.length === 1)!;
    const inv = auto.matchedInvoices[0]!;
    forceAllocation(auto.transactionId, [{ invoiceNo: inv, amountCents: (auto.amountCents + 500) as never }, { invoiceNo: 'CM-OPEN', amountCents: -500 as never }], auto.customerId!);
    const result = approveMatches(engine.db, [auto.transactionId], 'clerk', 'America/Los_Angeles');
    expect(result.approved).toEqual([]);
    expect(result.skipped[0]!.reason).toContain('Apply the credit in the ERP');
    expect(outboxRows(auto.transactionId)).toBe(0);
  });
});

describe('refundable amounts count the refunds PayTrace already made', () => {
  it('a sale refunded in PayTrace (synced) has nothing left to refund in Tieout', async () => {
    const refunded = gridRows(engine.db).find((r) => r.exception === 'refunded');
    expect(refunded, 'the demo week holds a fully refunded sale').toBeDefined();
    const r = value<Refundable>(await engine.dispatch('refunds:refundable', { transactionId: refunded!.transactionId }));
    expect(r.refundableCents).toBe(0);
  });
});

describe('a discount or credit the ERP connection cannot post is never sent as cash alone', () => {
  let fileDemo: RunningDemo;
  let fileEngine: Engine;
  beforeAll(async () => {
    fileDemo = await runDemoSandboxes({ erpKind: 'file', seed: 21, payments: 60 });
    fileEngine = await openTestEngine(fileDemo.descriptor);
    await fileEngine.sync.runOnce();
  });
  afterAll(async () => {
    await fileEngine?.close();
    await fileDemo?.close();
  });

  const discounted = (e: Engine): number => {
    const auto = gridRows(e.db).find((r) => r.status === 'auto' && r.matchedInvoices.length === 1 && r.amountCents > 1000 && !e.db.prepare('SELECT 1 FROM outbox WHERE transaction_id = ?').get(r.transactionId))!;
    const row = e.db.prepare('SELECT outcome_json FROM matches WHERE transaction_id = ?').get(auto.transactionId) as { outcome_json: string };
    const outcome = JSON.parse(row.outcome_json) as MatchOutcome;
    const a = outcome.allocations[0]!;
    // As a hand-off file or an older store might carry it: 1% of the cash as a discount.
    const withDiscount = { ...outcome, allocations: [{ ...a, amountCents: a.amountCents - 100, discountCents: 100 }], unappliedCents: 100 };
    e.db.prepare('UPDATE matches SET outcome_json = ? WHERE transaction_id = ?').run(JSON.stringify(withDiscount), auto.transactionId);
    return auto.transactionId;
  };

  it('approval refuses it for a connection known not to post discounts', () => {
    const id = discounted(fileEngine);
    const result = approveMatches(fileEngine.db, [id], 'clerk', 'America/Los_Angeles', undefined, { capabilities: { writeOffs: true, discounts: false, applyCredits: false } });
    expect(result.approved).toEqual([]);
    expect(result.skipped[0]!.reason).toContain('does not post discounts');
  });

  it('the outbox worker checks the connection before sending: unknown at approval, discounts, write-offs and credits each need their capability', () => {
    const base: ReceiptRequest = { reference: '1', customerId: 'C', date: '2026-12-01', amountCents: 9800 as never, currency: 'USD', paymentMethod: 'card', allocations: [{ invoiceNo: 'I1', amountCents: 9800 as never }] };
    const discount = { ...base, writeOffs: [{ invoiceNo: 'I1', amountCents: 200 as never, reasonCode: EARLY_PAYMENT_DISCOUNT }] };
    const writeOff = { ...base, writeOffs: [{ invoiceNo: 'I1', amountCents: 200 as never, reasonCode: 'SMALL_BALANCE' }] };
    const credit = { ...base, allocations: [{ invoiceNo: 'I1', amountCents: 10800 as never }, { invoiceNo: 'CM1', amountCents: -1000 as never }] };
    const none = { postReceipts: 'api', creditMemos: 'api', receiptLookup: true, reverseReceipt: false } as const;
    expect(unpostablePart(base, none)).toBeNull();
    expect(unpostablePart(discount, none)).toContain('nothing was sent');
    expect(unpostablePart(discount, { ...none, discounts: true })).toBeNull();
    expect(unpostablePart(discount, { ...none, writeOffs: true })).toBeNull();
    expect(unpostablePart(writeOff, { ...none, discounts: true })).toContain('does not post write-offs');
    expect(unpostablePart(credit, { ...none, writeOffs: true, discounts: true })).toContain('does not apply open credits');
    expect(unpostablePart(credit, { ...none, applyCredits: true })).toBeNull();
  });

  it('where the connection posts discounts, an approved discount reaches the ERP once with the discount on its line', async () => {
    const id = discounted(fileEngine);
    const result = value<{ approved: number[] }>(await fileEngine.dispatch('matches:approve', { transactionIds: [id] }));
    expect(result.approved).toEqual([id]);
    await fileEngine.worker.drain();
    const row = fileEngine.db.prepare("SELECT state, payload_json FROM outbox WHERE transaction_id = ? AND kind = 'receipt'").get(id) as { state: string; payload_json: string };
    expect(row.state).toBe('posted');
    expect((JSON.parse(row.payload_json) as ReceiptRequest).writeOffs).toEqual([expect.objectContaining({ amountCents: 100, reasonCode: EARLY_PAYMENT_DISCOUNT })]);
    const found = await (await fileEngine.erpConnector()).findReceipt(String(id));
    expect(found).not.toBeNull();
  });
});

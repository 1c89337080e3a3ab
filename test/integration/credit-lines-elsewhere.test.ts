import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPreview } from '@shared/api/controls';
import type { RefundTask } from '@shared/domain';
import { cents } from '@shared/money';
import type { Engine } from '../../electron/core/engine';
import { parseCreditMemoPayload } from '../../electron/core/store/queries/outbox-payloads';
import { gridRows } from '../../electron/core/store/queries/matches';
import { getTransaction } from '../../electron/core/store/queries/transactions';
import { runDemoSandboxes, type RunningDemo, type SandboxDescriptor } from '../../electron/sandboxes/demo/demo-sandboxes';
import { openTestEngine, signedInCalls, tempDir, testSecretStore } from './support/engine';

// A credit line (an open credit memo applied inside a receipt with a negative
// amount, P21 with creditApplication 'negative-line') is not an invoice, and two
// places used to treat it as one, over real HTTP against the P21 sandbox, a real
// SQLite file and the real keychain:
// - the write-off preview, when another approved payment had already used the
//   credit (nothing left of it, 0 > -credit), offered a write-off ON THE CREDIT MEMO;
// - the credit memo for a refund of a posted receipt named the receipt's first
//   allocation as the original invoice, which may be the credit line.

const PASSWORD = 'tieout-demo-pass';
let demo: RunningDemo;
let engine: Engine;
const { ok, signIn } = signedInCalls(() => engine);

const control = async <T>(name: string, body: unknown = {}): Promise<T> => (await axios.post(`${demo.descriptor.erp.baseUrl}/__control/${name}`, body)).data as T;
type SbxReceipt = { checkNumber: string; lines: Array<{ invoiceNo: string; amountCents: number }> };

/** Prophet 21 credit memos carrying this reference, with the invoice each names, straight from the sandbox's OData API. */
async function p21CreditMemos(erp: SandboxDescriptor['erp'], reference: string): Promise<Array<{ invoice_reference_no: string | null }>> {
  const token = await axios.post(`${erp.baseUrl}/api/security/token/v2`, { username: erp.username, password: erp.password }, { headers: { Accept: 'application/json' }, responseType: 'text' });
  const access = /AccessToken"?\s*[:>]\s*"?([^"<\s]+)/.exec(String(token.data))?.[1] ?? '';
  const res = await axios.get(`${erp.baseUrl}/odataservice/odata/table/invoice_hdr`, {
    params: { $filter: `po_no eq '${reference}' and total_amount lt 0` },
    headers: { Accept: 'application/json', Authorization: `Bearer ${access}` },
  });
  return (res.data as { value: Array<{ invoice_reference_no: string | null }> }).value;
}

type Setup = Readonly<{ transactionId: number; invoiceNo: string; invoiceBalanceCents: number; invoiceLineCents: number; creditNo: string; creditCents: number }>;

const usedPayments = new Set<number>();
const usedInvoices = new Set<string>();

/**
 * A pending payment of the credit's customer, allocated to one of their
 * invoices with the credit applied on top (the credit line first when
 * `creditFirst`); `settled` asks for a settled SALE (one PayTrace refunds).
 */
function paymentApplyingCredit(creditIndex: number, opts: { creditFirst?: boolean; settled?: boolean } = {}): Setup {
  const credit = demo.world.openCredits[creditIndex]!;
  const creditCents = -credit.openBalanceCents;
  const invoices = engine.db
    .prepare("SELECT invoice_no, open_balance_cents AS bal FROM invoices WHERE is_open = 1 AND open_balance_cents > 0 AND currency = 'USD' AND customer_id = ? ORDER BY open_balance_cents DESC")
    .all(credit.customerId) as Array<{ invoice_no: string; bal: number }>;
  const rows = gridRows(engine.db).filter((r) => {
    if (!(r.status === 'review' || r.status === 'exception' || r.status === 'auto') || r.currency !== 'USD' || usedPayments.has(r.transactionId)) return false;
    if (!opts.settled) return true;
    const t = getTransaction(engine.db, r.transactionId);
    return t?.type === 'SALE' && t.settledAt !== null && t.amountCents >= 200;
  });
  for (const inv of invoices) {
    if (usedInvoices.has(inv.invoice_no)) continue;
    const row = rows.find((r) => r.amountCents > 0 && r.amountCents + creditCents <= inv.bal);
    if (!row) continue;
    const invoiceLine = { invoiceNo: inv.invoice_no, amountCents: row.amountCents + creditCents };
    const creditLine = { invoiceNo: credit.invoiceNo, amountCents: -creditCents };
    const allocations = opts.creditFirst ? [creditLine, invoiceLine] : [invoiceLine, creditLine];
    const m = engine.db.prepare('SELECT outcome_json FROM matches WHERE transaction_id = ?').get(row.transactionId) as { outcome_json: string };
    const outcome = { ...(JSON.parse(m.outcome_json) as object), status: 'suggested', customerId: credit.customerId, exception: null, allocations, unappliedCents: 0 };
    engine.db
      .prepare("UPDATE matches SET outcome_json = ?, match_status = 'suggested', customer_id = ?, exception = NULL, allocations_json = ? WHERE transaction_id = ?")
      .run(JSON.stringify(outcome), credit.customerId, JSON.stringify(allocations), row.transactionId);
    usedPayments.add(row.transactionId);
    usedInvoices.add(inv.invoice_no);
    return { transactionId: row.transactionId, invoiceNo: inv.invoice_no, invoiceBalanceCents: inv.bal, invoiceLineCents: invoiceLine.amountCents, creditNo: credit.invoiceNo, creditCents };
  }
  throw new Error(`no ${opts.settled ? 'settled sale' : 'payment'} fits customer ${credit.customerId}'s invoices with credit ${credit.invoiceNo}`);
}

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21 });
  engine = await openTestEngine(demo.descriptor, { dataDir: tempDir('credit-lines'), secretStore: testSecretStore(), actor: 'os-user' });
  await engine.sync.runOnce();
  await signIn(['clerk'], PASSWORD);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('the write-off preview of a payment whose credit another approved payment already used', () => {
  it('proposes no write-off on the credit memo, only what is left open on the invoice', async () => {
    const first = paymentApplyingCredit(0);
    expect(await ok('clerk', 'matches:approve', { transactionIds: [first.transactionId] })).toEqual({ approved: [first.transactionId], skipped: [] });
    // Approved, not posted: the credit is spoken for, and nothing of it is left for anyone else.
    const second = paymentApplyingCredit(0);
    expect(second.creditNo).toBe(first.creditNo);

    const pv = await ok<ControlPreview>('clerk', 'controls:preview', { transactionId: second.transactionId });
    const invoiceLeft = second.invoiceBalanceCents - second.invoiceLineCents;
    const expected = invoiceLeft > 0 ? [{ invoiceNo: second.invoiceNo, amountCents: invoiceLeft }] : [];
    expect(pv.writeOffs.map((w) => w.invoiceNo)).not.toContain(second.creditNo);
    expect(pv.writeOffs).toEqual(expected);
    expect(pv.writeOffCents).toBe(invoiceLeft);
  }, 30_000);
});

describe("the credit memo of a refund of a posted receipt whose first line applies a credit", () => {
  it('names the invoice the receipt paid as the original, not the credit memo applied', async () => {
    const sale = paymentApplyingCredit(1, { creditFirst: true, settled: true });
    expect(await ok('clerk', 'matches:approve', { transactionIds: [sale.transactionId] })).toEqual({ approved: [sale.transactionId], skipped: [] });
    await engine.worker.drain();
    // Posted in P21 as queued: the credit line first.
    const posted = (await control<{ receipts: SbxReceipt[] }>('receipts')).receipts.filter((r) => r.checkNumber === String(sale.transactionId));
    expect(posted).toHaveLength(1);
    expect(posted[0]!.lines[0]).toEqual({ invoiceNo: sale.creditNo, amountCents: -sale.creditCents });
    expect(gridRows(engine.db, [sale.transactionId])[0]?.status).toBe('posted');

    // Refunded in PayTrace directly; the refund row's task records the memo.
    const t = getTransaction(engine.db, sale.transactionId)!;
    const refund = await (await engine.payTraceClient()).refundTransaction(sale.transactionId, cents(Math.floor(t.amountCents / 2)));
    await engine.sync.runOnce();
    expect((await ok<{ refundTask: RefundTask | null }>('clerk', 'grid:detail', { transactionId: refund.transactionId })).refundTask).toMatchObject({
      state: 'credit_memo_due',
      saleTransactionId: sale.transactionId,
    });
    await ok<RefundTask>('clerk', 'refunds:recordCreditMemo', { transactionId: refund.transactionId });

    const row = engine.db.prepare('SELECT payload_json FROM outbox WHERE idempotency_key = ?').get(`credit_memo:${refund.transactionId}`) as { payload_json: string };
    expect(parseCreditMemoPayload(row.payload_json).invoiceNo).toBe(sale.invoiceNo);
    await engine.worker.drain();
    expect(await p21CreditMemos(demo.descriptor.erp, String(refund.transactionId))).toEqual([expect.objectContaining({ invoice_reference_no: sale.invoiceNo })]);
  }, 60_000);
});

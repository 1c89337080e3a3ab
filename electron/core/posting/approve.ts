import { siteVerdictRules } from '../matching/site-verdict-rules';
import { cents } from '@shared/money';
import type { MatchOutcome, PayTraceTransaction } from '@shared/domain';
import { applyErpMapping, cardBrandOf, type ErpMapping } from '@shared/erp-mapping';
import { merchantDate } from '@shared/paytrace-time';
import { paymentVerdict } from '@shared/payment-verdict';
import { appendAudit } from '../audit/audit-log';
import { EARLY_PAYMENT_DISCOUNT, postsDiscounts, type ErpCapabilities, type ReceiptRequest, type ReceiptWriteOff } from '../erp/connector';
import type { Db } from '../store/db';
import { getTransaction } from '../store/queries/transactions';
import { listLearned, storeLearned } from '../store/queries/learned';
import { learnFromConfirmation } from '../matching/learning';

/** Re-exported for callers that know the posting layer. */
export { EARLY_PAYMENT_DISCOUNT };

// Approving a match and queuing its posting are one SQLite transaction: either
// the clerk's decision and its outbox row both exist, or neither does.

function mapped(options: ApproveOptions, t: PayTraceTransaction): Partial<ReceiptRequest> {
  if (!options.mapping || options.mapping.version === 0) return {};
  const m = applyErpMapping(options.mapping.mapping, {
    transactionType: t.type,
    method: t.method,
    cardBrand: cardBrandOf(t.maskedCard),
    customerClass: null,
    settled: t.settledAt !== null,
  });
  const discountGlAccount = options.mapping.mapping.discountGlAccount;
  return { paymentTypeCode: m.paymentType, glAccount: m.glAccount, bankCode: m.bankCode, mappingVersion: options.mapping.version, ...(discountGlAccount ? { discountGlAccount } : {}) };
}

export type ApproveOutcome = Readonly<{
  approved: number[];
  skipped: Array<{ transactionId: number; reason: string }>;
}>;

type MatchRow = { review_state: string; match_status: string; outcome_json: string; customer_id: string | null };

export type ApproveOptions = Readonly<{
  mapping?: Readonly<{ version: number; mapping: ErpMapping }>;
  /** Write-offs posted with a payment's receipt (approved through electron/core/controls/). */
  writeOffs?: ReadonlyMap<number, readonly ReceiptWriteOff[]>;
  /** What the ERP connection posts, when it is known (offline it is not: the outbox worker checks again). */
  capabilities?: Pick<ErpCapabilities, 'writeOffs' | 'discounts' | 'applyCredits'> | null;
}>;

export function approveMatches(
  db: Db,
  transactionIds: readonly number[],
  actor: string,
  merchantZone: string,
  now = new Date().toISOString(),
  options: ApproveOptions = {},
): ApproveOutcome {
  const approved: number[] = [];
  const verdictRules = siteVerdictRules(db);
  const skipped: Array<{ transactionId: number; reason: string }> = [];
  const getMatch = db.prepare('SELECT review_state, match_status, outcome_json, customer_id FROM matches WHERE transaction_id = ?');
  const invoiceBalance = db.prepare('SELECT open_balance_cents AS bal, is_open FROM invoices WHERE invoice_no = ?');
  const spoken = db.prepare(
    `SELECT COALESCE(SUM(a.amount_cents), 0) AS total FROM allocations a JOIN matches m ON m.transaction_id = a.transaction_id
     WHERE a.invoice_no = ? AND m.review_state = 'approved'`,
  );
  const insertAllocation = db.prepare('INSERT INTO allocations (transaction_id, invoice_no, amount_cents) VALUES (?, ?, ?)');
  const markApproved = db.prepare("UPDATE matches SET review_state = 'approved', decided_by = ?, decided_at = ? WHERE transaction_id = ? AND review_state = 'pending'");
  // A payment discarded from the dead-letter queue and approved again reuses its
  // outbox row: the attempt count survives, so the next send starts with the ERP look-up.
  const insertOutbox = db.prepare(
    `INSERT INTO outbox (idempotency_key, transaction_id, kind, payload_json, state, attempts, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, 'receipt', ?, 'queued', 0, ?, ?, ?)
     ON CONFLICT (idempotency_key) DO UPDATE SET payload_json = excluded.payload_json, state = 'queued', next_attempt_at = excluded.next_attempt_at,
       last_error = NULL, updated_at = excluded.updated_at
     WHERE outbox.state = 'discarded'`,
  );

  db.transaction(() => {
    for (const id of transactionIds) {
      const m = getMatch.get(id) as MatchRow | undefined;
      if (!m) {
        skipped.push({ transactionId: id, reason: 'Not matched yet' });
        continue;
      }
      if (m.review_state !== 'pending') {
        skipped.push({ transactionId: id, reason: `Already ${m.review_state}` });
        continue;
      }
      const outcome = JSON.parse(m.outcome_json) as MatchOutcome;
      if (m.match_status === 'exception' || outcome.allocations.length === 0 || !outcome.customerId) {
        skipped.push({ transactionId: id, reason: 'Exceptions need an allocation before they can be approved' });
        continue;
      }
      const t = getTransaction(db, id);
      if (!t) {
        skipped.push({ transactionId: id, reason: 'Transaction not found' });
        continue;
      }
      // The one rule for "did money arrive" (shared/payment-verdict.ts): nothing else, not even a hand-off file's decision, posts a payment PayTrace did not approve.
      const verdict = paymentVerdict(t, verdictRules);
      if (!verdict.received) {
        skipped.push({ transactionId: id, reason: verdict.reason });
        continue;
      }
      // An open credit applied inside a receipt: only where the connection is known to post it; say so now, not as a dead letter later.
      const credit = outcome.allocations.find((a) => a.amountCents <= 0);
      if (credit && options.capabilities?.applyCredits !== true) {
        skipped.push({
          transactionId: id,
          reason: `The allocation applies open credit ${credit.invoiceNo} (${credit.amountCents} cents), which ${options.capabilities ? 'this ERP connection does not post from Tieout' : 'cannot be checked against the ERP connection now'}. Apply the credit in the ERP, then approve the receipt with the invoices alone (edit the allocation).`,
        });
        continue;
      }
      // An early-payment discount closes the invoice: it travels as a write-off line the connector books to the discount account.
      const discounts: ReceiptWriteOff[] = outcome.allocations
        .filter((a) => (a.discountCents ?? 0) > 0)
        .map((a) => ({ invoiceNo: a.invoiceNo, amountCents: a.discountCents!, reasonCode: EARLY_PAYMENT_DISCOUNT }));
      if (discounts.length > 0 && options.capabilities && !postsDiscounts(options.capabilities)) {
        skipped.push({
          transactionId: id,
          reason: `The allocation takes an early-payment discount on invoice ${discounts[0]!.invoiceNo}, and this ERP connection does not post discounts from Tieout. Post the cash alone (edit the allocation) and take the discount in the ERP.`,
        });
        continue;
      }
      const writeOffs = [...(options.writeOffs?.get(id) ?? []), ...discounts];
      const overdrawn = outcome.allocations.find((a) => {
        const inv = invoiceBalance.get(a.invoiceNo) as { bal: number; is_open: number } | undefined;
        if (!inv || inv.is_open !== 1) return true;
        const already = (spoken.get(a.invoiceNo) as { total: number }).total;
        const writtenOff = writeOffs.filter((w) => w.invoiceNo === a.invoiceNo).reduce((s, w) => s + w.amountCents, 0);
        return already + a.amountCents + writtenOff > inv.bal;
      });
      if (overdrawn) {
        skipped.push({ transactionId: id, reason: `Invoice ${overdrawn.invoiceNo} is no longer open for that amount` });
        continue;
      }
      const allocated = outcome.allocations.reduce((s, a) => s + a.amountCents, 0);
      // A sale netted with its PayTrace refund posts what PayTrace kept (docs/matching.md).
      const received = cents(outcome.markers?.includes('refund_netted') ? t.amountCents - (outcome.refundedCents ?? 0) : t.amountCents);
      const receipt: ReceiptRequest = {
        reference: String(id),
        customerId: outcome.customerId,
        date: merchantDate(t.createdAt, merchantZone),
        amountCents: received,
        currency: t.currency,
        paymentMethod: t.method,
        allocations: outcome.allocations,
        unappliedCents: cents(received - allocated),
        memo: `PayTrace ${id}`,
        ...mapped(options, t),
        ...(writeOffs.length > 0 ? { writeOffs } : {}),
      };
      for (const a of outcome.allocations) insertAllocation.run(id, a.invoiceNo, a.amountCents);
      markApproved.run(actor, now, id);
      insertOutbox.run(String(id), id, JSON.stringify(receipt), now, now, now);
      appendAudit(db, {
        actor,
        action: 'match.approve',
        objectType: 'transaction',
        objectId: String(id),
        before: { status: m.match_status },
        after: { allocations: outcome.allocations, customerId: outcome.customerId, score: outcome.score, reasons: outcome.reasons },
        at: now,
      });
      // Every confirmation teaches the matcher who this payer is.
      storeLearned(db, learnFromConfirmation({ transaction: t, customerId: outcome.customerId, allocations: outcome.allocations }, listLearned(db)), now);
      approved.push(id);
    }
  })();
  return { approved, skipped };
}

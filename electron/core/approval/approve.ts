import { alreadyDecidedMessage } from './decided';
import { siteVerdictRules } from '../matching/site-verdict-rules';
import { cents } from '@shared/money';
import type { PayTraceTransaction } from '@shared/domain';
import { applyErpMapping, cardBrandOf, type ErpMapping } from '@shared/erp-mapping';
import { merchantDate } from '@shared/paytrace-time';
import { paymentVerdict } from '@shared/payment-verdict';
import { appendAudit } from '../audit/audit-log';
import { systemClock, type Clock } from '../clock';
import { EARLY_PAYMENT_DISCOUNT, postsDiscounts, type ErpCapabilities, type ReceiptRequest, type ReceiptWriteOff } from '../erp/connector';
import { takeDecisionSnapshots } from '../offline/snapshot';
import type { WriteDb } from '../store/db';
import { enqueueReceipt } from '../store/queries/outbox';
import { approvedAllocatedCents, invoiceBalance, markApproved, matchDecision, recordAllocations } from '../store/queries/approvals';
import { currentMapping } from '../store/queries/erp-mappings';
import { getTransaction } from '../store/queries/transactions';
import { clerkState } from '../store/queries/match-review';
import { listLearned, storeLearned } from '../store/queries/learned';
import { learnFromConfirmation } from '../matching/learning';
import { exceedsOpenBalance } from './open-item-claims';

/** Re-exported for callers that know the approval layer. */
export { EARLY_PAYMENT_DISCOUNT };

// The one way a match is approved, whoever approves it (the grid, a
// supervisor's write-off, a hand-off file, `tieout approve`). In one SQLite
// transaction: the clerk's decision and allocations, the outbox row with the
// ERP payment mapping, the "then" snapshot for catch-up re-validation, what the
// matcher learns, and the audit entry. Either all of it exists or none does.
// Only after that: the UI is told and the outbox worker woken.

/** What the ERP connection posts, as far as approval needs to know. */
export type ApprovalCapabilities = Pick<ErpCapabilities, 'writeOffs' | 'discounts' | 'applyCredits'>;

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
  /** When the approved rows' receipts become due (the end of the undo window); absent when they were due at once. */
  postsAt?: string;
}>;

export type ApproveOptions = Readonly<{
  mapping?: Readonly<{ version: number; mapping: ErpMapping }>;
  /** Write-offs posted with a payment's receipt (approved through electron/core/controls/). */
  writeOffs?: ReadonlyMap<number, readonly ReceiptWriteOff[]>;
  /** What the ERP connection posts, when it is known (offline it is not: the outbox worker checks again). */
  capabilities?: ApprovalCapabilities | null;
  /**
   * The undo window: the receipts wait in the outbox until this instant (ISO),
   * so the worker does not claim them and Ctrl+Z takes the batch back with
   * nothing sent. Absent: due at once.
   */
  holdUntil?: string;
}>;

/**
 * The approval's transaction (the service below is how the app calls it; tests
 * and the posting benchmark call it directly). Safe inside a caller's own
 * transaction: better-sqlite3 nests it as a savepoint.
 */
export function approveMatches(
  db: WriteDb,
  transactionIds: readonly number[],
  actor: string,
  merchantZone: string,
  now = systemClock.iso(),
  options: ApproveOptions = {},
): ApproveOutcome {
  const approved: number[] = [];
  const verdictRules = siteVerdictRules(db);
  const skipped: Array<{ transactionId: number; reason: string }> = [];
  db.transaction(() => {
    for (const id of transactionIds) {
      const m = matchDecision(db, id);
      if (!m) {
        skipped.push({ transactionId: id, reason: 'Not matched yet' });
        continue;
      }
      if (m.reviewState !== 'pending') {
        skipped.push({ transactionId: id, reason: alreadyDecidedMessage(db, id, merchantZone, now) });
        continue;
      }
      // A clerk excluded it as not AR cash (shared/api/bulk-review.ts): never posted until included again.
      if (clerkState(db, id)?.clerkException === 'excluded') {
        skipped.push({ transactionId: id, reason: 'Excluded as not AR cash; include it again before approving' });
        continue;
      }
      const outcome = m.outcome;
      if (m.matchStatus === 'exception' || outcome.allocations.length === 0 || !outcome.customerId) {
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
        const inv = invoiceBalance(db, a.invoiceNo);
        if (!inv || !inv.isOpen) return true;
        const already = approvedAllocatedCents(db, a.invoiceNo);
        const writtenOff = writeOffs.filter((w) => w.invoiceNo === a.invoiceNo).reduce((s, w) => s + w.amountCents, 0);
        // An open credit's line is negative and counts against the credit alone (approval/open-item-claims.ts).
        return exceedsOpenBalance(inv.openBalanceCents, already + writtenOff, a.amountCents);
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
      recordAllocations(db, id, outcome.allocations);
      markApproved(db, id, actor, now);
      // The idempotency key is the PayTrace transaction id: one receipt per payment, whoever approves it.
      enqueueReceipt(db, { key: String(id), transactionId: id, payloadJson: JSON.stringify(receipt), now, ...(options.holdUntil ? { dueAt: options.holdUntil } : {}) });
      appendAudit(db, {
        actor,
        action: 'match.approve',
        objectType: 'transaction',
        objectId: String(id),
        before: { status: m.matchStatus },
        after: { allocations: outcome.allocations, customerId: outcome.customerId, score: outcome.score, reasons: outcome.reasons },
        at: now,
      });
      // Every confirmation teaches the matcher who this payer is.
      storeLearned(db, learnFromConfirmation({ transaction: t, customerId: outcome.customerId, allocations: outcome.allocations }, listLearned(db)), now);
      approved.push(id);
    }
    // "Then" for the catch-up re-validation (docs/offline.md): stored with the decision, before the worker can see the rows.
    takeDecisionSnapshots(db, approved, now);
  })();
  return { approved, skipped, ...(options.holdUntil && approved.length > 0 ? { postsAt: options.holdUntil } : {}) };
}

export type ApproveRequest = Readonly<{
  transactionIds: readonly number[];
  actor: string;
  /** Write-offs a supervisor approved, posted on the payment's receipt. */
  writeOffs?: ReadonlyMap<number, readonly ReceiptWriteOff[]>;
  /**
   * 'now' (the default) wakes the outbox worker; 'later' leaves the rows
   * queued for `tieout post` or the app's own loop (the one-shot CLI).
   */
  post?: 'now' | 'later';
  /** The undo window in seconds (a clerk's approval from the work queue): the receipts wait this long before the worker may post them. */
  undoWindowSeconds?: number;
}>;

export type ApprovalService = Readonly<{
  /** Approves with what the ERP connection posts, looked up now (null when it cannot be reached). */
  approve(request: ApproveRequest): Promise<ApproveOutcome>;
  /**
   * The same, for callers that must stay synchronous (inside their own
   * transaction): `capabilities` as the caller resolved them, or null.
   */
  approveWith(request: ApproveRequest, capabilities: ApprovalCapabilities | null): ApproveOutcome;
  /** What the ERP connection posts; null offline or without credentials (the outbox worker checks again before sending). */
  capabilities(): Promise<ApprovalCapabilities | null>;
  /** The capabilities of the connection already open, without opening one (null when none is). */
  knownCapabilities(): ApprovalCapabilities | null;
}>;

export type ApprovalDeps = Readonly<{
  db: WriteDb;
  clock?: Clock;
  merchantZone(): string;
  /** The ERP kind whose payment mapping a receipt carries. */
  erpKind(): string;
  /** The connection's capabilities; rejects when there is no connection (no credentials). */
  erpCapabilities(): Promise<ApprovalCapabilities>;
  knownCapabilities(): ApprovalCapabilities | null;
  /** After the transaction: tell the UI the rows changed and, with post 'now', wake the outbox worker. */
  onApproved(transactionIds: readonly number[], post: 'now' | 'later'): void;
}>;

export function createApprovalService(deps: ApprovalDeps): ApprovalService {
  const clock = deps.clock ?? systemClock;
  const approveWith = (request: ApproveRequest, capabilities: ApprovalCapabilities | null): ApproveOutcome => {
    const window = request.undoWindowSeconds ?? 0;
    const result = approveMatches(deps.db, request.transactionIds, request.actor, deps.merchantZone(), clock.iso(), {
      mapping: currentMapping(deps.db, deps.erpKind()),
      capabilities,
      ...(window > 0 ? { holdUntil: new Date(clock.now() + window * 1000).toISOString() } : {}),
      ...(request.writeOffs ? { writeOffs: request.writeOffs } : {}),
    });
    if (result.approved.length > 0) deps.onApproved(result.approved, request.post ?? 'now');
    return result;
  };
  const capabilities = () =>
    deps.erpCapabilities().then(
      (c): ApprovalCapabilities | null => c,
      () => null,
    );
  return {
    approveWith,
    capabilities,
    knownCapabilities: deps.knownCapabilities,
    async approve(request) {
      return approveWith(request, await capabilities());
    },
  };
}

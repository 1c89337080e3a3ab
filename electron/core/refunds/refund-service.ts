import { siteVerdictRules } from '../matching/site-verdict-rules';
import { ApiFailure, type CallContext } from '@shared/api-contract';
import type { Refundable, RefundConflictAction, RefundPolicy, RefundView } from '@shared/api/refunds';
import { cents, formatMoney } from '@shared/money';
import { appendAudit } from '../audit/audit-log';
import type { AuthService } from '../auth/auth-service';
import { systemClock, type Clock } from '../clock';
import type { Db } from '../store/db';
import { getTransaction } from '../store/queries/transactions';
import type { RefundExecutor } from './executor';
import { loadRefundPolicy, saveRefundPolicy } from './policy';
import { clearRefundConflict, readRefundConflict as openRefundConflict } from '../store/queries/refund-conflicts';
import { approveFourEyes } from '../approval/four-eyes';
import { priorTotals } from '../approval/cumulative';
import { DEFAULT_MERCHANT_ZONE } from '@shared/paytrace-time';
import { changedLimits, changePolicy } from '../approval/policy-change';
import { paymentVerdict } from '@shared/payment-verdict';
import { syncedRefundedCents } from './synced-refunds';
import { refundView } from './store';
import {
  approversOf,
  getRefund,
  insertRefundRequest,
  listRefunds,
  recordRefundApproval,
  reduceRefundAmount,
  rejectRefund,
  reservedCents,
  type RefundRow,
} from '../store/queries/refund-requests';

// Request → approve (four-eyes, password re-entered) → execute. Every step is
// audited with the signed-in user: requester, approver(s), executor.

export type RefundServiceOptions = Readonly<{
  db: Db;
  auth: AuthService;
  executor: RefundExecutor;
  /** Timestamps of requests, approvals and decisions (tests pass a manual clock). */
  clock?: Clock;
  /** The merchant's time zone: an approver's daily total runs over the merchant's day (default: PayTrace's default zone). */
  merchantZone?: () => string;
  onChange?: (transactionId: number) => void;
}>;

export type RefundService = ReturnType<typeof createRefundService>;

export function createRefundService(o: RefundServiceOptions) {
  const { db } = o;
  const clock = o.clock ?? systemClock;
  const now = (): string => clock.iso();
  const zone = o.merchantZone ?? (() => DEFAULT_MERCHANT_ZONE);
  const policy = (): RefundPolicy => loadRefundPolicy(db);
  const view = (row: RefundRow): RefundView => refundView(db, row, policy());
  const mustGet = (id: number): RefundRow => {
    const row = getRefund(db, id);
    if (!row) throw new ApiFailure('not_found', `Refund ${id} does not exist.`);
    return row;
  };

  const refundable = (transactionId: number, exceptId?: number): Refundable => {
    const t = getTransaction(db, transactionId);
    if (!t) throw new ApiFailure('not_found', `Transaction ${transactionId} is not in the local store.`);
    const verdict = paymentVerdict(t, siteVerdictRules(db));
    if (!verdict.received) {
      const why: Record<typeof verdict.code, string> = {
        refund: 'is itself a refund; a refund cannot be refunded',
        voided: 'is voided; there is nothing to refund',
        declined: 'was declined; no money moved, so there is nothing to refund',
        not_approved: `is not an approved payment (${verdict.reason}); there is nothing to refund`,
        not_a_sale: `is a ${t.type || 'transaction of no type'}; only sales can be refunded`,
      };
      throw new ApiFailure('conflict', `Transaction ${transactionId} ${why[verdict.code]}.`);
    }
    // Refunds made in PayTrace directly (synced, linked by the shared rule) count as well as Tieout's own requests.
    const remaining = Math.max(0, t.amountCents - reservedCents(db, transactionId, exceptId) - syncedRefundedCents(db, t));
    return { transactionId, amountCents: t.amountCents, refundableCents: cents(remaining), currency: t.currency, reasonCodes: policy().reasonCodes, settled: t.settledAt !== null };
  };

  const changed = (transactionId: number) => o.onChange?.(transactionId);

  return {
    policy,
    refundable: (transactionId: number) => refundable(transactionId),
    list: (transactionId?: number): RefundView[] => listRefunds(db, transactionId).map(view),
    get: (id: number): RefundView => view(mustGet(id)),
    history: (id: number) => approversOf(db, id),

    request(args: { transactionId: number; amountCents: number; reasonCode: string; note?: string | undefined }, ctx: CallContext): RefundView {
      const user = o.auth.requireUser(ctx);
      const p = policy();
      if (!p.reasonCodes.includes(args.reasonCode)) throw new ApiFailure('invalid_args', `Reason "${args.reasonCode}" is not one of: ${p.reasonCodes.join(', ')}.`);
      const at = now();
      const id = db.transaction(() => {
        // Checked inside the write transaction: two requests cannot both take the last dollar.
        const r = refundable(args.transactionId);
        if (args.amountCents > r.refundableCents) {
          throw new ApiFailure(
            'conflict',
            `${formatMoney(args.amountCents, r.currency)} is more than the ${formatMoney(r.refundableCents, r.currency)} still refundable on transaction ${args.transactionId} (including refunds already requested).`,
          );
        }
        const newId = insertRefundRequest(db, {
          transactionId: args.transactionId,
          amountCents: args.amountCents,
          currency: r.currency,
          reasonCode: args.reasonCode,
          note: args.note ?? '',
          requestedBy: user.userName,
          requesterRole: user.role,
          at,
        });
        appendAudit(db, {
          actor: user.userName,
          action: 'refund.requested',
          objectType: 'refund',
          objectId: String(newId),
          after: { transactionId: args.transactionId, amountCents: args.amountCents, currency: r.currency, reasonCode: args.reasonCode, note: args.note ?? '' },
          at,
        });
        return newId;
      })();
      changed(args.transactionId);
      return view(mustGet(id));
    },

    async approve(args: { refundId: number; password: string; code?: string | undefined }, ctx: CallContext): Promise<RefundView> {
      const before = mustGet(args.refundId);
      const approver = await approveFourEyes({
        db,
        auth: o.auth,
        ctx,
        password: args.password,
        code: args.code,
        before,
        load: mustGet,
        approvers: (id) => approversOf(db, id).map((a) => a.approver),
        policy,
        // Cumulative limits: the sale's refunds and write-offs so far, and what this approver approved today.
        prior: (row, approverName, at) => priorTotals(db, { transactionId: row.transaction_id, except: { refundId: row.id }, approver: approverName, at, zone: zone() }),
        now,
        record: (row, by, at) => {
          recordRefundApproval(db, row.id, by.userName, by.role, at);
          appendAudit(db, {
            actor: by.userName,
            action: 'refund.approved',
            objectType: 'refund',
            objectId: String(row.id),
            after: { transactionId: row.transaction_id, amountCents: row.amount_cents, requestedBy: row.requested_by, approverRole: by.role, passwordConfirmed: true },
            at,
          });
        },
      });
      changed(before.transaction_id);
      await o.executor.execute(args.refundId, approver.userName);
      return view(mustGet(args.refundId));
    },

    reject(args: { refundId: number; reason: string }, ctx: CallContext): RefundView {
      const user = o.auth.requireUser(ctx);
      const at = now();
      const row = db.transaction(() => {
        const r = mustGet(args.refundId);
        if (r.state !== 'requested' && r.state !== 'approved') throw new ApiFailure('conflict', `Refund ${r.id} is ${r.state}; only requested or approved refunds can be rejected.`);
        rejectRefund(db, r.id, user.userName, args.reason, at);
        appendAudit(db, { actor: user.userName, action: 'refund.rejected', objectType: 'refund', objectId: String(r.id), after: { reason: args.reason, requestedBy: r.requested_by }, at });
        return r;
      })();
      changed(row.transaction_id);
      return view(mustGet(args.refundId));
    },

    async execute(args: { refundId: number }, ctx: CallContext): Promise<RefundView> {
      const row = mustGet(args.refundId);
      if (row.state !== 'approved' && row.state !== 'executing') throw new ApiFailure('conflict', `Refund ${row.id} is ${row.state}; only approved refunds (or ones left executing) can be run.`);
      await o.executor.execute(row.id, o.auth.actorFor(ctx));
      return view(mustGet(row.id));
    },

    /**
     * Settles a refund the re-validation held back: 'reduce' lowers it to what
     * PayTrace said remains refundable and runs it (re-validated again first);
     * 'discard' ends it as rejected. Both are audited with the supervisor.
     */
    async resolveConflict(args: { refundId: number; action: RefundConflictAction }, ctx: CallContext): Promise<RefundView> {
      const user = o.auth.requireUser(ctx);
      const at = now();
      const row = db.transaction(() => {
        const r = mustGet(args.refundId);
        const conflict = openRefundConflict(db, r.id);
        if (!conflict || r.state !== 'approved') throw new ApiFailure('conflict', `Refund ${r.id} has no open conflict.`);
        if (args.action === 'reduce') {
          const to = conflict.now.refundableCents;
          if (to <= 0 || !conflict.choices.includes('reduce')) throw new ApiFailure('conflict', `Nothing is left to refund on transaction ${r.transaction_id}; the refund can only be discarded.`);
          if (to >= r.amount_cents) throw new ApiFailure('conflict', `Refund ${r.id} is already within what remains refundable.`);
          reduceRefundAmount(db, r.id, to, at);
        } else {
          const reason = `Discarded after re-validation: ${conflict.detail}`;
          rejectRefund(db, r.id, user.userName, reason, at);
        }
        clearRefundConflict(db, r.id);
        appendAudit(db, {
          actor: user.userName,
          action: `refund.conflict.${args.action}`,
          objectType: 'refund',
          objectId: String(r.id),
          before: { amountCents: r.amount_cents, kind: conflict.kind, now: conflict.now },
          after: args.action === 'reduce' ? { amountCents: conflict.now.refundableCents } : { state: 'rejected' },
          at,
        });
        return r;
      })();
      changed(row.transaction_id);
      if (args.action === 'reduce') await o.executor.execute(row.id, user.userName);
      return view(mustGet(row.id));
    },

    setPolicy(patch: { reasonCodes?: string[] | undefined; secondApproverAboveCents?: number | undefined; adminAboveCents?: number | undefined }, ctx: CallContext): RefundPolicy {
      const current = policy();
      // Lowered limits and removed codes apply now; raised limits and added codes wait for a second admin.
      return changePolicy(db, 'refunds', { before: current, after: changedLimits(current, patch), by: o.auth.actorFor(ctx), at: now(), save: saveRefundPolicy });
    },
  };
}

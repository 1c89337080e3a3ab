import { ApiFailure, type CallContext } from '@shared/api-contract';
import type { ControlKind, ControlPolicy, ControlPreview, ControlView, ReversalView, WriteOffLine } from '@shared/api/controls';
import type { MatchOutcome } from '@shared/domain';
import { cents, formatMoney, type Cents } from '@shared/money';
import { appendAudit } from '../audit/audit-log';
import type { AuthService } from '../auth/auth-service';
import { systemClock, type Clock } from '../clock';
import { hasRole } from '../auth/permissions';
import { allocate, DecisionError } from '../offline/decisions';
import { reversalReference, type ErpConnector, type ReceiptWriteOff } from '../erp/connector';
import { approvalCaseOf, approveFourEyes } from '../approval/four-eyes';
import { priorTotals } from '../approval/cumulative';
import { approvalNeed, approvalRefusal, type PriorTotals } from '../refunds/rules';
import { DEFAULT_MERCHANT_ZONE } from '@shared/paytrace-time';
import { changedLimits, changePolicy } from '../approval/policy-change';
import type { Db } from '../store/db';
import { getTransaction } from '../store/queries/transactions';
import { getOutcome } from '../store/queries/matches';
import {
  controlApprovers,
  getControl,
  insertControlRequest,
  invoiceLeftFor,
  listControls,
  markControlDone,
  markControlFailed,
  matchStateOf,
  payerOf,
  pendingControlFor,
  recordControlApproval,
  rejectControl,
  writeOffLines,
  type ControlRow,
} from '../store/queries/control-requests';
import { hasReversal, queueReversal, receiptStateOf, reversalOfControl } from '../store/queries/receipt-reversals';
import { controlApprovalRule, loadControlPolicy, needsSupervisor, saveControlPolicy } from './policy';
import type { ReversalExecutor } from './reversal-executor';
import { notForKind, rowKind } from '@shared/row-actions';
import { rowKindFacts } from '../store/queries/approval-preview';

// Write-offs and tolerance overrides: a clerk's approval that stands within
// the limit and otherwise waits for a supervisor (the refunds' four-eyes rules,
// password re-entered); and a supervisor's reversal of a posted receipt.

export type ControlServiceOptions = Readonly<{
  db: Db;
  auth: AuthService;
  reversals: ReversalExecutor;
  erpConnector: () => Promise<ErpConnector>;
  /** Approves the match and queues its receipt (with write-offs): the same path as matches:approve. */
  approveMatch: (transactionId: number, actor: string, writeOffs: readonly ReceiptWriteOff[]) => { approved: boolean; reason: string | null };
  /** Timestamps of requests, approvals and decisions (tests pass a manual clock). */
  clock?: Clock;
  /** The merchant's time zone: an approver's daily total runs over the merchant's day (default: PayTrace's default zone). */
  merchantZone?: () => string;
  onChange?: (transactionId: number) => void;
}>;

const NOUNS: Record<ControlKind, { one: string; many: string }> = {
  write_off: { one: 'write-off', many: 'Write-offs' },
  override: { one: 'override', many: 'Overrides' },
  reversal: { one: 'reversal', many: 'Reversals' },
};

export type ControlService = ReturnType<typeof createControlService>;

export function createControlService(o: ControlServiceOptions) {
  const { db } = o;
  const clock = o.clock ?? systemClock;
  const now = (): string => clock.iso();
  const policy = (): ControlPolicy => loadControlPolicy(db);
  const zone = o.merchantZone ?? (() => DEFAULT_MERCHANT_ZONE);
  /** Cumulative limits: what the payment already gave back and what this approver approved today. */
  const prior = (row: ControlRow, approver: string | null, at: string): PriorTotals =>
    priorTotals(db, { transactionId: row.transaction_id, except: { controlId: row.id }, approver, at, zone: zone() });
  const getRow = (id: number): ControlRow => {
    const row = getControl(db, id);
    if (!row) throw new ApiFailure('not_found', `Control request ${id} does not exist.`);
    return row;
  };
  const approvers = (id: number) => controlApprovers(db, id);
  const reversalOf = (controlId: number) => reversalOfControl(db, controlId);
  const pendingFor = (transactionId: number): ControlRow | null => pendingControlFor(db, transactionId);

  const approvalRuleOf = (row: ControlRow, amount: Cents): string => {
    if (row.kind !== 'reversal') return controlApprovalRule(amount, row.currency, row.requester_role, policy(), row.state === 'requested' ? prior(row, null, now()) : undefined);
    return row.state === 'requested' ? approvalNeed(amount, row.currency, row.requester_role, policy(), prior(row, null, now())).description : 'A supervisor, with their password';
  };

  const view = (row: ControlRow): ControlView => {
    const rv = row.kind === 'reversal' ? reversalOf(row.id) : null;
    const reversal: ReversalView | null = rv
      ? { reference: rv.reference, state: rv.state, attempts: rv.attempts, erpDocumentId: rv.erp_document_id, lastError: rv.last_error, executedBy: rv.executed_by }
      : null;
    const amount = cents(row.amount_cents);
    return {
      id: row.id,
      kind: row.kind,
      transactionId: row.transaction_id,
      payer: payerOf(db, row.transaction_id) ?? '',
      amountCents: amount,
      currency: row.currency,
      reasonCode: row.reason_code,
      note: row.note,
      writeOffs: writeOffLines(row),
      state: row.state,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at,
      approvals: approvers(row.id).map((a) => ({ by: a.approver, role: a.role, at: a.at })),
      approvalRule: approvalRuleOf(row, amount),
      rejectedBy: row.rejected_by,
      rejectReason: row.reject_reason,
      lastError: row.last_error ?? rv?.last_error ?? null,
      reversal,
      updatedAt: row.updated_at,
    };
  };

  /** The write-off and difference this payment's current allocation implies. */
  const preview = (transactionId: number): ControlPreview & { reviewState: string; matchStatus: string; customerId: string | null; allocations: MatchOutcome['allocations']; hasAllocation: boolean } => {
    const t = getTransaction(db, transactionId);
    const m = matchStateOf(db, transactionId);
    const outcome = m ? getOutcome(db, transactionId) : null;
    if (!t || !m || !outcome) throw new ApiFailure('not_found', `Transaction ${transactionId} has not been matched yet; sync first.`);
    const leftOf = invoiceLeftFor(db, transactionId);
    let available = 0;
    const writeOffs: Array<{ invoiceNo: string; amountCents: Cents }> = [];
    for (const a of outcome.allocations) {
      const left = leftOf(a.invoiceNo);
      available += left;
      // Only an invoice is written off: a credit line (negative) uses up credit, and a credit
      // another payment already applied is not an open balance to write off.
      if (a.amountCents > 0 && left > a.amountCents) writeOffs.push({ invoiceNo: a.invoiceNo, amountCents: cents(left - a.amountCents) });
    }
    const p = policy();
    const writeOffCents = cents(writeOffs.reduce((s, w) => s + w.amountCents, 0));
    const differenceCents = cents(t.amountCents - available);
    const overTolerance = Math.abs(differenceCents) > p.toleranceCents;
    const pending = pendingFor(transactionId);
    const already: PriorTotals = { paymentCents: priorTotals(db, { transactionId, except: {}, approver: null, at: now(), zone: zone() }).paymentCents, approverDayCents: 0 };
    return {
      transactionId,
      currency: t.currency,
      writeOffs,
      writeOffCents,
      differenceCents,
      overTolerance,
      needsApproval: needsSupervisor(cents(writeOffCents + already.paymentCents), p),
      approvalRule: controlApprovalRule(writeOffCents, t.currency, 'clerk', p, already),
      reasonCodes: p.reasonCodes,
      erpTakesWriteOffs: false,
      pending: pending ? view(pending) : null,
      reviewState: m.reviewState,
      matchStatus: m.matchStatus,
      customerId: outcome.customerId,
      allocations: outcome.allocations,
      hasAllocation: outcome.allocations.length > 0 && outcome.customerId !== null,
    };
  };

  const pinAllocation = (transactionId: number, customerId: string | null, allocations: MatchOutcome['allocations'], actor: string, at: string): void => {
    if (!customerId) throw new ApiFailure('conflict', `Transaction ${transactionId} needs an allocation first.`);
    try {
      allocate(db, transactionId, customerId, allocations, actor, at);
    } catch (e) {
      if (e instanceof DecisionError) throw new ApiFailure(e.code, e.message);
      throw e;
    }
  };

  /** Runs the clerk's approval the control was about; the control ends done or failed. */
  const carryOut = (row: ControlRow): void => {
    const writeOffs: readonly ReceiptWriteOff[] = writeOffLines(row);
    const result = o.approveMatch(row.transaction_id, row.requested_by, writeOffs);
    const at = now();
    if (result.approved) markControlDone(db, row.id, at);
    else markControlFailed(db, row.id, `The payment could not be approved: ${result.reason ?? 'unknown reason'}`, at);
    o.onChange?.(row.transaction_id);
  };

  const request = async (kind: 'write_off' | 'override', args: { transactionId: number; reasonCode: string; note?: string | undefined }, ctx: CallContext): Promise<ControlView> => {
    const user = o.auth.requireUser(ctx);
    const p = policy();
    if (!p.reasonCodes.includes(args.reasonCode)) throw new ApiFailure('invalid_args', `Reason "${args.reasonCode}" is not one of: ${p.reasonCodes.join(', ')}.`);
    // Only a sale has a balance to write off or a tolerance to exceed (shared/row-actions.ts).
    const facts = rowKindFacts(db, args.transactionId);
    if (facts && rowKind(facts) !== 'sale') throw new ApiFailure('conflict', notForKind(facts, kind === 'write_off' ? 'a write-off' : 'approving beyond tolerance'));
    const pv = preview(args.transactionId);
    if (pv.reviewState !== 'pending') throw new ApiFailure('conflict', `Transaction ${args.transactionId} is already ${pv.reviewState}.`);
    if (!pv.hasAllocation) throw new ApiFailure('conflict', `Transaction ${args.transactionId} needs an allocation first.`);
    if (pv.pending) throw new ApiFailure('conflict', `Transaction ${args.transactionId} already waits for a supervisor (${NOUNS[pv.pending.kind].one} ${pv.pending.id}).`);
    let amount: Cents;
    let detail: unknown;
    if (kind === 'write_off') {
      if (pv.writeOffCents <= 0) throw new ApiFailure('conflict', `The allocation of transaction ${args.transactionId} leaves nothing open to write off.`);
      if (!(await o.erpConnector()).capabilities.writeOffs) throw new ApiFailure('conflict', 'This ERP connection does not take write-offs from Tieout; write the balance off in the ERP by hand.');
      amount = pv.writeOffCents;
      detail = pv.writeOffs.map((w): WriteOffLine => ({ invoiceNo: w.invoiceNo, amountCents: w.amountCents, reasonCode: args.reasonCode }));
    } else {
      if (!pv.overTolerance) throw new ApiFailure('conflict', `The difference of ${formatMoney(pv.differenceCents, pv.currency)} is within the ${formatMoney(p.toleranceCents, pv.currency)} tolerance: approve the payment normally.`);
      amount = cents(Math.abs(pv.differenceCents));
      detail = { differenceCents: pv.differenceCents };
    }
    const at = now();
    // The clerk's limit is cumulative too: what the payment already gave back counts with this amount.
    const already = priorTotals(db, { transactionId: args.transactionId, except: {}, approver: null, at, zone: zone() }).paymentCents;
    const within = !needsSupervisor(cents(amount + already), p);
    const id = db.transaction(() => {
      // An exception (a short pay, say) carrying the matcher's allocation is
      // what a write-off resolves, but only a pinned allocation is approvable.
      // The request confirms it as the requester's choice, so the approval can
      // go through and re-matching cannot change what the amount was computed on.
      if (pv.matchStatus === 'exception') pinAllocation(args.transactionId, pv.customerId, pv.allocations, user.userName, at);
      const newId = insertControlRequest(db, {
        kind,
        transactionId: args.transactionId,
        amountCents: amount,
        currency: pv.currency,
        reasonCode: args.reasonCode,
        note: args.note ?? '',
        detail,
        state: within ? 'approved' : 'requested',
        requestedBy: user.userName,
        requesterRole: user.role,
        at,
      });
      appendAudit(db, {
        actor: user.userName,
        action: `control.${kind}.requested`,
        objectType: 'transaction',
        objectId: String(args.transactionId),
        after: { controlId: newId, amountCents: amount, currency: pv.currency, reasonCode: args.reasonCode, detail, withinClerkLimit: within, limitCents: p.approvalAboveCents },
        at,
      });
      return newId;
    })();
    if (within) carryOut(getRow(id));
    else o.onChange?.(args.transactionId);
    return view(getRow(id));
  };

  /** The posted receipt a reversal (new, or `controlId` waiting for approval) may reverse; throws when it cannot. */
  const reversible = (transactionId: number, controlId: number | null) => {
    const t = getTransaction(db, transactionId);
    if (!t) throw new ApiFailure('not_found', `Transaction ${transactionId} is not in the local store.`);
    const receipt = receiptStateOf(db, transactionId);
    if (receipt !== 'posted') throw new ApiFailure('conflict', `Transaction ${transactionId} has no posted receipt to reverse${receipt ? ` (its receipt is ${receipt})` : ''}.`);
    if (hasReversal(db, transactionId)) throw new ApiFailure('conflict', `The receipt of transaction ${transactionId} is already reversed (or being reversed).`);
    const pending = pendingFor(transactionId);
    if (pending && pending.id !== controlId) throw new ApiFailure('conflict', `Transaction ${transactionId} already waits for a supervisor (${NOUNS[pending.kind].one} ${pending.id}).`);
    return t;
  };

  /** Queues the ERP reversal of an approved reversal control (inside the caller's transaction). */
  const queueReversalOf = (row: ControlRow, at: string): void => {
    queueReversal(db, {
      controlId: row.id,
      transactionId: row.transaction_id,
      reference: reversalReference(String(row.transaction_id)),
      receiptReference: String(row.transaction_id),
      reason: row.note,
      // The merchant's day of the approval: a retry on a later day posts the same date.
      date: o.reversals.dateAt(at),
      at,
    });
  };

  return {
    policy,
    preview: (transactionId: number): ControlPreview => {
      const { reviewState: _r, matchStatus: _m, customerId: _c, allocations: _a, hasAllocation: _h, ...rest } = preview(transactionId);
      return rest;
    },
    async previewWithErp(transactionId: number): Promise<ControlPreview> {
      const pv = this.preview(transactionId);
      let takes = false;
      try {
        takes = (await o.erpConnector()).capabilities.writeOffs === true;
      } catch {
        takes = false;
      }
      return { ...pv, erpTakesWriteOffs: takes };
    },
    list(transactionId?: number): ControlView[] {
      return listControls(db, transactionId).map(view);
    },
    requestWriteOff: (args: { transactionId: number; reasonCode: string; note?: string | undefined }, ctx: CallContext) => request('write_off', args, ctx),
    requestOverride: (args: { transactionId: number; reasonCode: string; note?: string | undefined }, ctx: CallContext) => request('override', args, ctx),

    async approve(args: { controlId: number; password: string; code?: string | undefined }, ctx: CallContext): Promise<ControlView> {
      const before = getRow(args.controlId);
      const approver = await approveFourEyes({
        db,
        auth: o.auth,
        ctx,
        password: args.password,
        code: args.code,
        before,
        load: getRow,
        approvers: (id) => approvers(id).map((a) => a.approver),
        policy,
        prior: (r, approverName, at) => prior(r, approverName, at),
        noun: NOUNS[before.kind],
        now,
        record: (r, by, at) => {
          // A reversal waiting for its second person: the receipt must still be posted and not reversed.
          if (r.kind === 'reversal') reversible(r.transaction_id, r.id);
          recordControlApproval(db, r.id, by.userName, by.role, at);
          if (r.kind === 'reversal') queueReversalOf(r, at);
          appendAudit(db, {
            actor: by.userName,
            action: `control.${r.kind}.approved`,
            objectType: 'transaction',
            objectId: String(r.transaction_id),
            after: { controlId: r.id, amountCents: r.amount_cents, requestedBy: r.requested_by, approverRole: by.role, passwordConfirmed: true },
            at,
          });
        },
      });
      const row = getRow(args.controlId);
      if (row.kind === 'reversal') {
        o.onChange?.(row.transaction_id);
        await o.reversals.run(reversalOf(row.id)!.id, approver.userName);
        o.onChange?.(row.transaction_id);
      } else carryOut(row);
      return view(getRow(row.id));
    },

    reject(args: { controlId: number; reason: string }, ctx: CallContext): ControlView {
      const user = o.auth.requireUser(ctx);
      if (!hasRole(user.role, 'supervisor')) throw new ApiFailure('forbidden', 'Only a supervisor or admin can reject a control request.');
      const at = now();
      const row = db.transaction(() => {
        const r = getRow(args.controlId);
        if (r.state !== 'requested') throw new ApiFailure('conflict', `This ${NOUNS[r.kind].one} is ${r.state}; only requested ones can be rejected.`);
        rejectControl(db, r.id, user.userName, args.reason, at);
        appendAudit(db, { actor: user.userName, action: `control.${r.kind}.rejected`, objectType: 'transaction', objectId: String(r.transaction_id), after: { controlId: r.id, reason: args.reason, requestedBy: r.requested_by }, at });
        return r;
      })();
      o.onChange?.(row.transaction_id);
      return view(getRow(row.id));
    },

    /**
     * A supervisor reverses a posted receipt, password re-entered. Within the
     * limits they may approve alone (counting what the payment and their day
     * already hold); above them the reversal waits for a second supervisor or
     * an admin (controls:approve), as any other control does.
     */
    async reverse(args: { transactionId: number; reason: string; password: string; code?: string | undefined }, ctx: CallContext): Promise<ControlView> {
      const user = o.auth.requireUser(ctx);
      if (!hasRole(user.role, 'supervisor')) throw new ApiFailure('forbidden', `Reversing a posted receipt needs the supervisor role; ${user.userName} is signed in as ${user.role}.`);
      reversible(args.transactionId, null);
      const approver = await o.auth.confirmPassword(ctx, args.password, args.code);
      const at = now();
      const { id, alone } = db.transaction(() => {
        const t = reversible(args.transactionId, null);
        const draft = {
          kind: 'reversal' as const,
          transactionId: t.transactionId,
          amountCents: t.amountCents,
          currency: t.currency,
          reasonCode: 'Reversal',
          note: args.reason,
          detail: {},
          requestedBy: approver.userName,
          requesterRole: approver.role,
          at,
        };
        const controlId = insertControlRequest(db, { ...draft, state: 'requested' });
        const row = getRow(controlId);
        // The same four-eyes rule as a supervisor approving their own request: null when they may alone.
        const refusal = approvalRefusal(approver, approvalCaseOf(row, [], prior(row, approver.userName, at)), policy(), NOUNS.reversal);
        if (refusal === null) {
          recordControlApproval(db, controlId, approver.userName, approver.role, at);
          queueReversalOf(getRow(controlId), at);
        }
        appendAudit(db, {
          actor: approver.userName,
          action: 'control.reversal.requested',
          objectType: 'transaction',
          objectId: String(t.transactionId),
          after: {
            controlId,
            reason: args.reason,
            reference: reversalReference(String(t.transactionId)),
            role: approver.role,
            passwordConfirmed: true,
            ...(refusal === null ? {} : { waitsForSecondPerson: refusal }),
          },
          at,
        });
        return { id: controlId, alone: refusal === null };
      })();
      o.onChange?.(args.transactionId);
      if (!alone) return view(getRow(id));
      await o.reversals.run(reversalOf(id)!.id, approver.userName);
      o.onChange?.(args.transactionId);
      return view(getRow(id));
    },

    async runReversal(args: { controlId: number }, ctx: CallContext): Promise<ControlView> {
      const row = getRow(args.controlId);
      const rv = reversalOf(row.id);
      if (!rv) throw new ApiFailure('conflict', `Control ${row.id} is not a reversal.`);
      if (rv.state === 'posted') return view(row);
      await o.reversals.run(rv.id, o.auth.actorFor(ctx));
      o.onChange?.(row.transaction_id);
      return view(getRow(row.id));
    },

    setPolicy(patch: Partial<{ reasonCodes: string[]; approvalAboveCents: number; toleranceCents: number; secondApproverAboveCents: number; adminAboveCents: number }>, ctx: CallContext): ControlPolicy {
      const current = policy();
      const own = {
        approvalAboveCents: cents(patch.approvalAboveCents ?? current.approvalAboveCents),
        toleranceCents: cents(patch.toleranceCents ?? current.toleranceCents),
      };
      const next: ControlPolicy = { ...changedLimits(current, patch), ...own };
      // Lowered limits and removed codes apply now; raised limits and added codes wait for a second admin.
      return changePolicy(db, 'controls', { before: current, after: next, by: o.auth.actorFor(ctx), at: now(), save: saveControlPolicy });
    },
  };
}

import { ApiFailure, type CallContext } from '@shared/api-contract';
import type { UserView } from '@shared/api/auth';
import { cents } from '@shared/money';
import type { AuthService } from '../auth/auth-service';
import { approvalRefusal, type ApprovalCase, type ApprovalLimits, type PriorTotals } from '../refunds/rules';
import type { WriteDb } from '../store/db';

// The four-eyes approval step that refunds, supervisor controls (write-offs,
// overrides, reversals) and pending admin changes share: refuse before asking
// for the password when the answer cannot be yes, confirm the password (and the
// approver's two-step code when enrolled), then
// check again and record inside one write transaction (another approval may
// have landed meanwhile, and the cumulative totals may have grown).

/** The columns of a request row (refund_requests, control_requests) the four-eyes rules read. */
export type ApprovableRow = Readonly<{ id: number; state: string; amount_cents: number; currency: string; requested_by: string; requester_role: ApprovalCase['requesterRole'] }>;

export function approvalCaseOf(row: ApprovableRow, approvers: readonly string[], prior?: PriorTotals): ApprovalCase {
  return { state: row.state, amountCents: cents(row.amount_cents), currency: row.currency, requestedBy: row.requested_by, requesterRole: row.requester_role, approvers, ...(prior ? { prior } : {}) };
}

export type ConfirmedDecision<Row extends Readonly<{ id: number }>> = Readonly<{
  db: WriteDb;
  auth: AuthService;
  ctx: CallContext;
  password: string;
  /** The approver's two-step code, required when they have enrolled (step-up). */
  code?: string | undefined;
  /** The row as the caller read it before asking. */
  before: Row;
  /** The row as it stands now (read again inside the transaction). */
  load: (id: number) => Row;
  /** Why this user may not decide this row, or null. */
  refusal: (user: UserView, row: Row, at: string) => string | null;
  now: () => string;
  /** Records the decision and its audit entry; runs inside the transaction. */
  record: (row: Row, approver: UserView, at: string) => void;
}>;

/** Refuse early, confirm the password, re-check and record in one transaction; returns the approver (the password's owner). */
export async function confirmedDecision<Row extends Readonly<{ id: number }>>(a: ConfirmedDecision<Row>): Promise<UserView> {
  const early = a.refusal(a.auth.requireUser(a.ctx), a.before, a.now());
  if (early) throw new ApiFailure('forbidden', early);
  const approver = await a.auth.confirmPassword(a.ctx, a.password, a.code);
  const at = a.now();
  a.db.transaction(() => {
    const row = a.load(a.before.id);
    const late = a.refusal(approver, row, at);
    if (late) throw new ApiFailure('forbidden', late);
    a.record(row, approver, at);
  })();
  return approver;
}

export type FourEyesApproval<Row extends ApprovableRow> = Omit<ConfirmedDecision<Row>, 'refusal'> &
  Readonly<{
    /** Who approved the request so far. */
    approvers: (id: number) => readonly string[];
    policy: () => ApprovalLimits;
    /** What the payment and this approver's day already hold (cumulative limits); none: the request alone counts. */
    prior?: (row: Row, approver: string, at: string) => PriorTotals;
    noun?: Readonly<{ one: string; many: string }>;
  }>;

/** Runs the step for a request with an amount; returns the approver (the password's owner). */
export async function approveFourEyes<Row extends ApprovableRow>(a: FourEyesApproval<Row>): Promise<UserView> {
  return confirmedDecision({
    ...a,
    refusal: (user, row, at) => approvalRefusal(user, approvalCaseOf(row, a.approvers(row.id), a.prior?.(row, user.userName, at)), a.policy(), a.noun),
  });
}

import { ApiFailure, type CallContext } from '@shared/api-contract';
import type { UserView } from '@shared/api/auth';
import { cents } from '@shared/money';
import type { AuthService } from '../auth/auth-service';
import { approvalRefusal, type ApprovalCase, type ApprovalLimits } from '../refunds/rules';
import type { WriteDb } from '../store/db';

// The four-eyes approval step that refunds and supervisor controls
// (write-offs, overrides) share: refuse before asking for the password when
// the answer cannot be yes, confirm the password, then check again and record
// inside one write transaction (another approval may have landed meanwhile).

/** The columns of a request row (refund_requests, control_requests) the four-eyes rules read. */
export type ApprovableRow = Readonly<{ id: number; state: string; amount_cents: number; currency: string; requested_by: string; requester_role: ApprovalCase['requesterRole'] }>;

export function approvalCaseOf(row: ApprovableRow, approvers: readonly string[]): ApprovalCase {
  return { state: row.state, amountCents: cents(row.amount_cents), currency: row.currency, requestedBy: row.requested_by, requesterRole: row.requester_role, approvers };
}

export type FourEyesApproval<Row extends ApprovableRow> = Readonly<{
  db: WriteDb;
  auth: AuthService;
  ctx: CallContext;
  password: string;
  /** The request as the caller read it before asking. */
  before: Row;
  /** The request as it stands now (read again inside the transaction). */
  load: (id: number) => Row;
  /** Who approved the request so far. */
  approvers: (id: number) => readonly string[];
  policy: () => ApprovalLimits;
  noun?: Readonly<{ one: string; many: string }>;
  now: () => string;
  /** Records the approval and its audit entry; runs inside the transaction. */
  record: (row: Row, approver: UserView, at: string) => void;
}>;

/** Runs the step; returns the approver (the password's owner). */
export async function approveFourEyes<Row extends ApprovableRow>(a: FourEyesApproval<Row>): Promise<UserView> {
  const refusal = (user: UserView, row: Row) => approvalRefusal(user, approvalCaseOf(row, a.approvers(row.id)), a.policy(), a.noun);
  const early = refusal(a.auth.requireUser(a.ctx), a.before);
  if (early) throw new ApiFailure('forbidden', early);
  const approver = await a.auth.confirmPassword(a.ctx, a.password);
  const at = a.now();
  a.db.transaction(() => {
    const row = a.load(a.before.id);
    const late = refusal(approver, row);
    if (late) throw new ApiFailure('forbidden', late);
    a.record(row, approver, at);
  })();
  return approver;
}

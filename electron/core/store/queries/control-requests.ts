import { z } from 'zod';
import type { Role } from '@shared/api/auth';
import type { ControlKind, ControlState, WriteOffLine } from '@shared/api/controls';
import { cents } from '@shared/money';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';

// Supervisor controls (tables control_requests and control_approvals,
// migration 5): write-offs, tolerance overrides and reversals, with their
// approvals. Also the reads a control's amount is computed on: the match's
// review state and what other approved payments already claim of an invoice.

export type ControlRow = {
  id: number;
  kind: ControlKind;
  transaction_id: number;
  amount_cents: number;
  currency: string;
  reason_code: string;
  note: string;
  detail_json: string;
  state: ControlState;
  requested_by: string;
  requester_role: Role;
  requested_at: string;
  rejected_by: string | null;
  reject_reason: string | null;
  last_error: string | null;
  updated_at: string;
};

export type ControlApprovalRow = { approver: string; role: string; at: string };

const writeOffLinesSchema = z.array(z.object({ invoiceNo: z.string(), amountCents: z.number().int().transform(cents), reasonCode: z.string() }));

/** A write-off's lines (detail_json); other kinds carry none. */
export function writeOffLines(row: ControlRow): WriteOffLine[] {
  return row.kind === 'write_off' ? parseJsonColumn(writeOffLinesSchema, row.detail_json, 'control_requests.detail_json') : [];
}

export function getControl(db: ReadDb, id: number): ControlRow | null {
  return (db.prepare('SELECT * FROM control_requests WHERE id = ?').get(id) as ControlRow | undefined) ?? null;
}

/** The request still waiting for a supervisor on this transaction (one at most). */
export function pendingControlFor(db: ReadDb, transactionId: number): ControlRow | null {
  return (db.prepare("SELECT * FROM control_requests WHERE transaction_id = ? AND state = 'requested'").get(transactionId) as ControlRow | undefined) ?? null;
}

export function listControls(db: ReadDb, transactionId?: number): ControlRow[] {
  return (
    transactionId !== undefined
      ? db.prepare('SELECT * FROM control_requests WHERE transaction_id = ? ORDER BY id DESC').all(transactionId)
      : db.prepare('SELECT * FROM control_requests ORDER BY id DESC LIMIT 1000').all()
  ) as ControlRow[];
}

export function controlApprovers(db: ReadDb, id: number): ControlApprovalRow[] {
  return db.prepare('SELECT approver, role, at FROM control_approvals WHERE control_id = ? ORDER BY at').all(id) as ControlApprovalRow[];
}

/** The payer's name on the transaction a control is about. */
export function payerOf(db: ReadDb, transactionId: number): string | null {
  const row = db.prepare('SELECT billing_name FROM paytrace_transactions WHERE transaction_id = ?').get(transactionId) as { billing_name: string } | undefined;
  return row?.billing_name ?? null;
}

/** The match's review and match status, or null before the transaction is matched. */
export function matchStateOf(db: ReadDb, transactionId: number): { reviewState: string; matchStatus: string } | null {
  const row = db.prepare('SELECT review_state, match_status FROM matches WHERE transaction_id = ?').get(transactionId) as { review_state: string; match_status: string } | undefined;
  return row ? { reviewState: row.review_state, matchStatus: row.match_status } : null;
}

/**
 * What is left of each open invoice for this transaction: its open balance
 * minus what other approved (not yet posted) payments already allocate to it.
 * An invoice no longer open counts as 0.
 */
export function invoiceLeftFor(db: ReadDb, transactionId: number): (invoiceNo: string) => number {
  const balance = db.prepare('SELECT open_balance_cents AS bal FROM invoices WHERE invoice_no = ? AND is_open = 1');
  const claimed = db.prepare(
    `SELECT COALESCE(SUM(a.amount_cents), 0) AS total FROM allocations a JOIN matches m ON m.transaction_id = a.transaction_id
     WHERE a.invoice_no = ? AND m.review_state = 'approved' AND a.transaction_id <> ?`,
  );
  return (invoiceNo) => {
    const inv = balance.get(invoiceNo) as { bal: number } | undefined;
    return (inv?.bal ?? 0) - (claimed.get(invoiceNo, transactionId) as { total: number }).total;
  };
}

export type NewControlRequest = Readonly<{
  kind: ControlKind;
  transactionId: number;
  amountCents: number;
  currency: string;
  reasonCode: string;
  note: string;
  /** write_off: WriteOffLine[]; override: { differenceCents }; reversal: {} */
  detail: unknown;
  state: Extract<ControlState, 'requested' | 'approved'>;
  requestedBy: string;
  requesterRole: Role;
  at: string;
}>;

/** Records a request; returns its id. */
export function insertControlRequest(db: WriteDb, r: NewControlRequest): number {
  const result = db
    .prepare(
      `INSERT INTO control_requests (kind, transaction_id, amount_cents, currency, reason_code, note, detail_json, state, requested_by, requester_role, requested_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(r.kind, r.transactionId, r.amountCents, r.currency, r.reasonCode, r.note, JSON.stringify(r.detail), r.state, r.requestedBy, r.requesterRole, r.at, r.at);
  return Number(result.lastInsertRowid);
}

export function insertControlApproval(db: WriteDb, id: number, approver: string, role: Role, at: string): void {
  db.prepare('INSERT INTO control_approvals (control_id, approver, role, at) VALUES (?, ?, ?, ?)').run(id, approver, role, at);
}

/** Adds an approval; a request still 'requested' becomes 'approved'. */
export function recordControlApproval(db: WriteDb, id: number, approver: string, role: Role, at: string): void {
  insertControlApproval(db, id, approver, role, at);
  db.prepare("UPDATE control_requests SET state = 'approved', updated_at = ? WHERE id = ? AND state = 'requested'").run(at, id);
}

export function rejectControl(db: WriteDb, id: number, rejectedBy: string, reason: string, at: string): void {
  db.prepare("UPDATE control_requests SET state = 'rejected', rejected_by = ?, reject_reason = ?, updated_at = ? WHERE id = ?").run(rejectedBy, reason, at, id);
}

export function markControlDone(db: WriteDb, id: number, at: string): void {
  db.prepare("UPDATE control_requests SET state = 'done', last_error = NULL, updated_at = ? WHERE id = ?").run(at, id);
}

export function markControlFailed(db: WriteDb, id: number, error: string, at: string): void {
  db.prepare("UPDATE control_requests SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?").run(error, at, id);
}

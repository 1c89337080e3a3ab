import type { ReadDb } from '../db';

// The reads behind the approvals inbox (electron/core/approval/inbox.ts): only
// what still waits for a supervisor, joined with the payer, so the inbox never
// loads every refund or control ever made. Plain SQL that runs on SQLite and,
// translated, on PostgreSQL.

/** What every open request row carries, whatever its table. */
export type OpenRequestRow = {
  id: number;
  transaction_id: number;
  amount_cents: number;
  currency: string;
  reason_code: string;
  note: string;
  requested_by: string;
  requested_at: string;
  payer: string | null;
};

export type OpenRefundRow = OpenRequestRow & { state: 'requested' | 'approved'; conflict_json: string | null };

export type OpenControlRow = OpenRequestRow & {
  kind: 'write_off' | 'override' | 'reversal';
  state: 'requested' | 'approved' | 'failed';
  last_error: string | null;
  reversal_state: string | null;
  reversal_error: string | null;
};

const REQUEST_COLUMNS = 'r.id, r.transaction_id, r.amount_cents, r.currency, r.reason_code, r.note, r.requested_by, r.requested_at, t.billing_name AS payer';

/** Refund requests waiting for approval, and approved refunds held back by re-validation (their conflict). */
export function openRefunds(db: ReadDb, requestedBy?: string): OpenRefundRow[] {
  const sql = `SELECT ${REQUEST_COLUMNS}, r.state, c.conflict_json
    FROM refund_requests r
    LEFT JOIN paytrace_transactions t ON t.transaction_id = r.transaction_id
    LEFT JOIN refund_conflicts c ON c.refund_id = r.id
    WHERE (r.state = 'requested' OR (r.state = 'approved' AND c.refund_id IS NOT NULL))${requestedBy === undefined ? '' : ' AND r.requested_by = ?'}
    ORDER BY r.requested_at, r.id`;
  const statement = db.prepare(sql);
  return (requestedBy === undefined ? statement.all() : statement.all(requestedBy)) as OpenRefundRow[];
}

/**
 * Write-offs, overrides and reversals waiting for approval, and reversals whose
 * ERP write has not gone through (retrying, outcome unknown, dead or failed).
 */
export function openControls(db: ReadDb, requestedBy?: string): OpenControlRow[] {
  const sql = `SELECT ${REQUEST_COLUMNS}, r.kind, r.state, r.last_error, v.state AS reversal_state, v.last_error AS reversal_error
    FROM control_requests r
    LEFT JOIN paytrace_transactions t ON t.transaction_id = r.transaction_id
    LEFT JOIN receipt_reversals v ON v.control_id = r.id
    WHERE (r.state = 'requested'
      OR (r.kind = 'reversal' AND (r.state = 'failed' OR v.state IN ('retry_wait', 'unknown_outcome', 'dead'))))${requestedBy === undefined ? '' : ' AND r.requested_by = ?'}
    ORDER BY r.requested_at, r.id`;
  const statement = db.prepare(sql);
  return (requestedBy === undefined ? statement.all() : statement.all(requestedBy)) as OpenControlRow[];
}

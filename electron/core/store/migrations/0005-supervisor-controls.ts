import type { Migration } from './migration';

export const migration: Migration = {
  version: 5,
  name: 'supervisor controls: write-off and override approvals, receipt reversals',
  up(db) {
    db.exec(`
      -- A clerk's decision that needs a supervisor (write-off, tolerance override) or a
      -- supervisor's reversal; approvals follow the refunds' four-eyes rules.
      CREATE TABLE control_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('write_off', 'override', 'reversal')),
        transaction_id INTEGER NOT NULL REFERENCES paytrace_transactions (transaction_id),
        amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
        currency TEXT NOT NULL,
        reason_code TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        -- write_off: [{invoiceNo, amountCents, reasonCode}]; override: {differenceCents}
        detail_json TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'done', 'failed')),
        requested_by TEXT NOT NULL,
        requester_role TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        rejected_by TEXT,
        reject_reason TEXT,
        last_error TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX control_requests_txn ON control_requests (transaction_id);
      CREATE UNIQUE INDEX control_requests_open ON control_requests (transaction_id) WHERE state = 'requested';

      CREATE TABLE control_approvals (
        control_id INTEGER NOT NULL REFERENCES control_requests (id),
        approver TEXT NOT NULL,
        role TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (control_id, approver)
      );

      -- Receipt reversals: the outbox's state machine, lease and look-up-first rules,
      -- in their own table (outbox.kind's CHECK from migration 1 allows receipts and
      -- credit memos only; rebuilding a table other tables reference is riskier).
      CREATE TABLE receipt_reversals (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        control_id INTEGER NOT NULL UNIQUE REFERENCES control_requests (id),
        transaction_id INTEGER NOT NULL UNIQUE REFERENCES paytrace_transactions (transaction_id),
        reference TEXT NOT NULL UNIQUE,
        receipt_reference TEXT NOT NULL,
        reason TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'retry_wait', 'unknown_outcome', 'posted', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until TEXT,
        last_error TEXT,
        erp_document_id TEXT,
        executed_by TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sent_at TEXT
      );
    `);
  },
};

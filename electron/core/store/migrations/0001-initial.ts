import type { Migration } from './migration';

export const migration: Migration = {
  version: 1,
  name: 'core tables',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- PayTrace transactions: normalised columns beside the raw export row.
      CREATE TABLE paytrace_transactions (
        transaction_id INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        currency TEXT NOT NULL,
        tax_cents INTEGER,
        created_at TEXT NOT NULL,
        settled_at TEXT,
        declined INTEGER NOT NULL CHECK (declined IN (0, 1)),
        approval_code TEXT NOT NULL,
        approval_message TEXT NOT NULL,
        invoice_id TEXT NOT NULL,
        description TEXT NOT NULL,
        customer_reference_id TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        billing_name TEXT NOT NULL,
        email TEXT NOT NULL,
        masked_card TEXT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('card', 'ach')),
        raw_json TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX paytrace_transactions_created ON paytrace_transactions (created_at);

      -- Export rows that failed validation: kept whole so nothing is lost.
      CREATE TABLE paytrace_rejects (
        id INTEGER PRIMARY KEY,
        raw_json TEXT NOT NULL,
        error TEXT NOT NULL,
        seen_at TEXT NOT NULL
      );

      CREATE TABLE customers (
        customer_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        contacts_json TEXT NOT NULL DEFAULT '[]',
        email TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
      );

      CREATE TABLE invoices (
        invoice_no TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        customer_name TEXT NOT NULL DEFAULT '',
        invoice_date TEXT NOT NULL,
        due_date TEXT,
        amount_cents INTEGER NOT NULL,
        open_balance_cents INTEGER NOT NULL,
        currency TEXT NOT NULL,
        po_no TEXT NOT NULL DEFAULT '',
        is_open INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),
        updated_at TEXT NOT NULL
      );
      CREATE INDEX invoices_customer ON invoices (customer_id);

      -- The matcher's latest outcome and the clerk's decision for each transaction.
      CREATE TABLE matches (
        transaction_id INTEGER PRIMARY KEY REFERENCES paytrace_transactions (transaction_id),
        match_status TEXT NOT NULL CHECK (match_status IN ('auto', 'suggested', 'exception')),
        customer_id TEXT,
        score REAL NOT NULL,
        reason TEXT NOT NULL,
        exception TEXT,
        outcome_json TEXT NOT NULL,
        -- The outcome's proposed allocations, denormalised for the grid.
        allocations_json TEXT NOT NULL DEFAULT '[]',
        review_state TEXT NOT NULL DEFAULT 'pending'
          CHECK (review_state IN ('pending', 'approved', 'posted', 'failed', 'discarded')),
        note TEXT,
        matched_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT
      );
      CREATE INDEX matches_review_state ON matches (review_state);

      -- Allocations as approved (what is posted), one row per invoice.
      CREATE TABLE allocations (
        transaction_id INTEGER NOT NULL REFERENCES matches (transaction_id),
        invoice_no TEXT NOT NULL,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        PRIMARY KEY (transaction_id, invoice_no)
      );

      -- Outbox of postings: written in the same transaction as the approval.
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        transaction_id INTEGER NOT NULL REFERENCES paytrace_transactions (transaction_id),
        kind TEXT NOT NULL CHECK (kind IN ('receipt', 'credit_memo')),
        payload_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'retry_wait', 'unknown_outcome', 'posted', 'dead', 'discarded', 'conflict')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        lease_owner TEXT,
        lease_until TEXT,
        last_error TEXT,
        erp_document_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sent_at TEXT
      );
      CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

      CREATE TABLE outbox_attempts (
        id INTEGER PRIMARY KEY,
        outbox_id INTEGER NOT NULL REFERENCES outbox (id),
        at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT
      );

      -- Append-only audit trail; each entry carries the previous entry's hash.
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL,
        before_json TEXT,
        after_json TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_object ON audit (object_type, object_id);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

      CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
  },
};

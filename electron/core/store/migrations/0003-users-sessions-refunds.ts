import type { Migration } from './migration';

export const migration: Migration = {
  version: 3,
  name: 'users, sessions and refund requests',
  up(db) {
    db.exec(`
      -- Local accounts. password_hash is a scrypt string with its own salt and parameters.
      CREATE TABLE users (
        user_name TEXT PRIMARY KEY COLLATE NOCASE,
        display_name TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor', 'admin')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- Sessions by SHA-256 of the token: the token itself is never stored.
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_name TEXT NOT NULL REFERENCES users (user_name),
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        ended_at TEXT,
        end_reason TEXT
      );
      CREATE INDEX sessions_user ON sessions (user_name);

      -- Failed sign-ins per typed user name (also for names that do not exist).
      CREATE TABLE sign_in_failures (
        user_name TEXT PRIMARY KEY COLLATE NOCASE,
        failures INTEGER NOT NULL,
        locked_until TEXT,
        last_failure_at TEXT NOT NULL
      );

      CREATE TABLE refund_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        transaction_id INTEGER NOT NULL REFERENCES paytrace_transactions (transaction_id),
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        currency TEXT NOT NULL,
        reason_code TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'executing', 'done', 'failed')),
        requested_by TEXT NOT NULL,
        requester_role TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        rejected_by TEXT,
        reject_reason TEXT,
        method TEXT CHECK (method IS NULL OR method IN ('void', 'refund')),
        -- Written (committed) before PayTrace is called: a row left 'executing'
        -- is resolved by looking PayTrace up, never by sending again blind.
        attempt_marker TEXT,
        executing_since TEXT,
        paytrace_transaction_id INTEGER,
        executed_by TEXT,
        executed_at TEXT,
        last_error TEXT,
        credit_memo_key TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX refund_requests_transaction ON refund_requests (transaction_id);
      CREATE INDEX refund_requests_state ON refund_requests (state);
      -- A refund transaction in PayTrace belongs to one request at most (a void reuses the sale id).
      CREATE UNIQUE INDEX refund_requests_paytrace ON refund_requests (paytrace_transaction_id, method) WHERE paytrace_transaction_id IS NOT NULL;

      CREATE TABLE refund_approvals (
        refund_id INTEGER NOT NULL REFERENCES refund_requests (id),
        approver TEXT NOT NULL,
        role TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (refund_id, approver)
      );
    `);
  },
};

import type Database from 'better-sqlite3';

// Numbered, append-only migrations. Never edit a shipped migration: add one.
// Each has a test in test/unit/store-migrations.test.ts.

export type Migration = Readonly<{ version: number; name: string; up(db: Database.Database): void }>;

export const migrations: readonly Migration[] = [
  {
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
  },
  {
    version: 2,
    name: 'learned customer mappings',
    up(db) {
      db.exec(`
        CREATE TABLE learned_mappings (
          key TEXT NOT NULL CHECK (key IN ('paytrace_customer_id', 'billing_name')),
          value TEXT NOT NULL,
          customer_id TEXT NOT NULL,
          confirmations INTEGER NOT NULL DEFAULT 1,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (key, value, customer_id)
        );
      `);
    },
  },
  {
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
  },
  {
    version: 4,
    name: 'offline review: owners, clerk reasons and allocations, decision snapshots, conflicts, hand-off sessions',
    up(db) {
      db.exec(`
        -- Clerk work recorded locally (works offline); a re-match never overwrites it.
        ALTER TABLE matches ADD COLUMN owner TEXT;
        ALTER TABLE matches ADD COLUMN clerk_exception TEXT;

        -- An allocation the clerk picked or edited: pins the outcome against re-matching.
        CREATE TABLE clerk_allocations (
          transaction_id INTEGER PRIMARY KEY REFERENCES matches (transaction_id),
          customer_id TEXT NOT NULL,
          allocations_json TEXT NOT NULL,
          chosen_by TEXT NOT NULL,
          chosen_at TEXT NOT NULL
        );

        -- What the clerk decided on ("then"), taken at approval time.
        CREATE TABLE decision_snapshots (
          transaction_id INTEGER PRIMARY KEY REFERENCES paytrace_transactions (transaction_id),
          taken_at TEXT NOT NULL,
          snapshot_json TEXT NOT NULL
        );

        -- A queued decision the world has overtaken: then and now side by side.
        CREATE TABLE posting_conflicts (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          transaction_id INTEGER NOT NULL REFERENCES paytrace_transactions (transaction_id),
          kinds_json TEXT NOT NULL,
          then_json TEXT NOT NULL,
          now_json TEXT NOT NULL,
          detected_at TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
          resolution TEXT CHECK (resolution IS NULL OR resolution IN ('rematch', 'reallocate', 'discard')),
          resolved_by TEXT,
          resolved_at TEXT
        );
        CREATE UNIQUE INDEX posting_conflicts_open ON posting_conflicts (transaction_id) WHERE state = 'open';

        -- Hand-off files opened here for review (the reviewing installation).
        CREATE TABLE handoff_sessions (
          id TEXT PRIMARY KEY,
          source_profile TEXT NOT NULL,
          opened_at TEXT NOT NULL,
          opened_by TEXT NOT NULL,
          payload_json TEXT NOT NULL,
          decisions_json TEXT NOT NULL DEFAULT '{}'
        );
      `);
    },
  },
  {
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
  },
  {
    version: 6,
    name: 'open credits and discount terms on open items',
    up(db) {
      // Open credits are invoices rows with a negative open balance (no CHECK
      // ever forbade that); terms ride along as JSON because the matcher reads
      // them whole and nothing queries inside them.
      db.exec('ALTER TABLE invoices ADD COLUMN terms_json TEXT NULL');
    },
  },
  {
    version: 7,
    name: "a clerk's refund links",
    up(db) {
      // PayTrace refunds do not name their sale; where the rule cannot tell
      // (or tells wrong), a clerk says which sale a refund belongs to, or that
      // it belongs to none of the synced sales (sale_id NULL).
      db.exec(`
        CREATE TABLE refund_links (
          refund_id INTEGER PRIMARY KEY,
          sale_id INTEGER NULL,
          linked_by TEXT NOT NULL,
          linked_at TEXT NOT NULL
        );
      `);
    },
  },
];

export function currentVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies pending migrations, each in its own transaction, up to `target` (default: all). */
export function migrate(db: Database.Database, target = migrations[migrations.length - 1]!.version): number {
  let version = currentVersion(db);
  for (const m of migrations) {
    if (m.version <= version || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    version = m.version;
  }
  return version;
}

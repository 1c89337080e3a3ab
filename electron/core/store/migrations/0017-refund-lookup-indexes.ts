import type { Migration } from './migration';

// Approving a payment looks up the stored payments that share its refund key
// (invoice, customer, card: refunds do not name their sale) and the stored
// refunds and voids; both scanned the whole table, ~250 ms an approval at
// 100k payments (the team bench's 10 reviewers managed 4 approvals/s). An
// expression index serves the first, a partial index over the few take-backs
// the second. The partial index's predicate is written as each dialect's
// query reads (PostgreSQL's is the translated ILIKE), or the planner would not use it.
export const migration: Migration = {
  version: 17,
  name: 'refund look-up indexes',
  up(db) {
    const onWorkspace = (db as unknown as { dialect?: string }).dialect === 'postgres';
    const like = onWorkspace ? 'ILIKE' : 'LIKE';
    db.exec(`
      CREATE INDEX paytrace_transactions_refund_key ON paytrace_transactions (UPPER(TRIM(invoice_id)), UPPER(TRIM(customer_id)), TRIM(masked_card));
      CREATE INDEX paytrace_transactions_takebacks ON paytrace_transactions (transaction_id) WHERE UPPER(type) ${like} '%REFUND%' OR UPPER(type) ${like} '%VOID%';
    `);
  },
};

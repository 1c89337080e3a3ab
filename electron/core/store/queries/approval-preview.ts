import type { ReadDb } from '../db';

// What a bulk approval's preview reads besides the grid rows: who has paid
// before (first-time payers) and which undecided matches rest on weaker
// evidence (a learned payer, a one-character reference typo).

/** Customers and payer names (lower case) with an approved or posted payment: anyone else paying is a first-time payer. */
export function knownPayers(db: ReadDb): { customers: Set<string>; names: Set<string> } {
  const rows = db
    .prepare(
      `SELECT m.customer_id, LOWER(t.billing_name) FROM matches m JOIN paytrace_transactions t ON t.transaction_id = m.transaction_id
       WHERE m.review_state IN ('approved', 'posted')`,
    )
    .raw()
    .all() as Array<[string | null, string | null]>;
  const customers = new Set<string>();
  const names = new Set<string>();
  for (const [customer, name] of rows) {
    if (customer) customers.add(customer);
    if (name && name.trim() !== '') names.add(name.trim());
  }
  return { customers, names };
}

/**
 * The stored outcomes of these transactions that mention a learned payer or a
 * reference typo anywhere (the LIKE is a cheap first cut; the caller reads the
 * chosen candidate's signals from the JSON).
 */
export function outcomesMentioning(db: ReadDb, transactionIds: readonly number[], signals: readonly string[]): Map<number, string> {
  const out = new Map<number, string>();
  const like = signals.map(() => 'm.outcome_json LIKE ?').join(' OR ');
  const patterns = signals.map((s) => `%"${s}"%`);
  for (let i = 0; i < transactionIds.length; i += 500) {
    const chunk = transactionIds.slice(i, i + 500);
    const rows = db
      .prepare(`SELECT m.transaction_id, m.outcome_json FROM matches m WHERE m.transaction_id IN (${chunk.map(() => '?').join(',')}) AND (${like})`)
      .raw()
      .all(...chunk, ...patterns) as Array<[number, string]>;
    for (const [id, json] of rows) out.set(id, json);
  }
  return out;
}

/** What decides a row's kind (shared/row-actions.ts): PayTrace's type and the match's exception code. */
export function rowKindFacts(db: ReadDb, transactionId: number): { type: string; exception: string | null } | null {
  const r = db
    .prepare('SELECT t.type, m.exception FROM paytrace_transactions t LEFT JOIN matches m ON m.transaction_id = t.transaction_id WHERE t.transaction_id = ?')
    .get(transactionId) as { type: string | null; exception: string | null } | undefined;
  return r ? { type: r.type ?? '', exception: r.exception } : null;
}

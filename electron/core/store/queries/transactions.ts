import { z } from 'zod';
import { cents, type Cents } from '@shared/money';
import type { PayTraceTransaction } from '@shared/domain';
import { redactCardNumbers } from '@shared/card-numbers';
import { keptMask, keptPayTraceFields } from '@shared/paytrace-kept-fields';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';
import { systemClock } from '../../clock';

// PayTrace transactions as synced (normalised columns beside the raw export row),
// and export rows that failed validation.

// The allow-listed part of the export row (shared/paytrace-kept-fields.ts; the
// normaliser already reduced it, and the store reduces it again so no caller can
// keep more): any JSON (the normalised columns are what is read).
const rawRowSchema = z.unknown();

type Row = {
  transaction_id: number;
  type: string;
  amount_cents: number;
  currency: string;
  tax_cents: number | null;
  created_at: string;
  settled_at: string | null;
  declined: number;
  approval_code: string;
  approval_message: string;
  invoice_id: string;
  description: string;
  customer_reference_id: string;
  customer_id: string;
  billing_name: string;
  email: string;
  masked_card: string;
  method: 'card' | 'ach';
  raw_json: string;
};

/** Idempotent upsert by transaction id. Returns ids that are new or whose content changed. */
export function upsertTransactions(db: WriteDb, transactions: readonly PayTraceTransaction[], now = systemClock.iso()): number[] {
  const existing = db.prepare(`SELECT type, amount_cents, currency, tax_cents, created_at, settled_at, declined, approval_code, approval_message, invoice_id,
    description, customer_reference_id, customer_id, billing_name, email, masked_card, method, raw_json FROM paytrace_transactions WHERE transaction_id = ?`);
  const upsert = db.prepare(`
    INSERT INTO paytrace_transactions (transaction_id, type, amount_cents, currency, tax_cents, created_at, settled_at, declined,
      approval_code, approval_message, invoice_id, description, customer_reference_id, customer_id, billing_name, email,
      masked_card, method, raw_json, first_seen_at, updated_at)
    VALUES (@transaction_id, @type, @amount_cents, @currency, @tax_cents, @created_at, @settled_at, @declined,
      @approval_code, @approval_message, @invoice_id, @description, @customer_reference_id, @customer_id, @billing_name, @email,
      @masked_card, @method, @raw_json, @now, @now)
    ON CONFLICT (transaction_id) DO UPDATE SET type = excluded.type, amount_cents = excluded.amount_cents,
      currency = excluded.currency, tax_cents = excluded.tax_cents, created_at = excluded.created_at, settled_at = excluded.settled_at,
      declined = excluded.declined, approval_code = excluded.approval_code, approval_message = excluded.approval_message,
      invoice_id = excluded.invoice_id, description = excluded.description, customer_reference_id = excluded.customer_reference_id,
      customer_id = excluded.customer_id, billing_name = excluded.billing_name, email = excluded.email,
      masked_card = excluded.masked_card, method = excluded.method, raw_json = excluded.raw_json, updated_at = excluded.updated_at`);
  const changed: number[] = [];
  db.transaction(() => {
    for (const t of transactions) {
      const row = {
        type: t.type,
        amount_cents: t.amountCents,
        currency: t.currency,
        tax_cents: t.taxCents,
        created_at: t.createdAt,
        settled_at: t.settledAt,
        declined: t.declined ? 1 : 0,
        approval_code: t.approvalCode,
        approval_message: t.approvalMessage,
        invoice_id: t.invoiceId,
        description: t.description,
        customer_reference_id: t.customerReferenceId,
        customer_id: t.customerId,
        billing_name: t.billingName,
        email: t.email,
        masked_card: keptMask(t.maskedCard),
        method: t.method,
        raw_json: JSON.stringify(keptPayTraceFields(t.raw)),
      };
      // Unchanged when every stored column is (the raw row alone no longer tells: it keeps only the allow-listed fields).
      const before = existing.get(t.transactionId) as Record<string, unknown> | undefined;
      if (before && Object.entries(row).every(([column, v]) => before[column] === v)) continue;
      upsert.run({ ...row, transaction_id: t.transactionId, now });
      changed.push(t.transactionId);
    }
  })();
  return changed;
}

function toTransaction(r: Row): PayTraceTransaction {
  return {
    transactionId: r.transaction_id,
    type: r.type,
    amountCents: cents(r.amount_cents),
    currency: r.currency,
    taxCents: r.tax_cents === null ? null : cents(r.tax_cents),
    createdAt: r.created_at,
    settledAt: r.settled_at,
    declined: r.declined === 1,
    approvalCode: r.approval_code,
    approvalMessage: r.approval_message,
    invoiceId: r.invoice_id,
    description: r.description,
    customerReferenceId: r.customer_reference_id,
    customerId: r.customer_id,
    billingName: r.billing_name,
    email: r.email,
    maskedCard: r.masked_card,
    method: r.method,
    raw: parseJsonColumn(rawRowSchema, r.raw_json, 'paytrace_transactions.raw_json'),
  };
}

export function getTransaction(db: ReadDb, id: number): PayTraceTransaction | null {
  const r = db.prepare('SELECT * FROM paytrace_transactions WHERE transaction_id = ?').get(id) as Row | undefined;
  return r ? toTransaction(r) : null;
}

export function listTransactions(db: ReadDb, ids?: readonly number[]): PayTraceTransaction[] {
  if (!ids) return (db.prepare('SELECT * FROM paytrace_transactions ORDER BY created_at, transaction_id').all() as Row[]).map(toTransaction);
  const stmt = db.prepare('SELECT * FROM paytrace_transactions WHERE transaction_id = ?');
  return ids.map((id) => stmt.get(id) as Row | undefined).filter((r): r is Row => !!r).map(toTransaction);
}

export function recordRejects(db: WriteDb, rejects: ReadonlyArray<{ raw: unknown; error: string }>, now = systemClock.iso()): void {
  const insert = db.prepare('INSERT INTO paytrace_rejects (raw_json, error, seen_at) VALUES (?, ?, ?)');
  db.transaction(() => {
    // The error may quote the offending value: a card number there is removed, as in logs.
    for (const r of rejects) insert.run(JSON.stringify(keptPayTraceFields(r.raw)), redactCardNumbers(r.error), now);
  })();
}

/** Transactions that carry the fields a refund copies from its sale (shared/refund-links.ts): the sale's possible refunds and their rival sales. */
export function transactionsSharingRefundKey(db: ReadDb, t: Pick<PayTraceTransaction, 'invoiceId' | 'customerId' | 'maskedCard'>): PayTraceTransaction[] {
  const rows = db
    .prepare('SELECT * FROM paytrace_transactions WHERE UPPER(TRIM(invoice_id)) = ? AND UPPER(TRIM(customer_id)) = ? AND TRIM(masked_card) = ? ORDER BY transaction_id')
    .all(t.invoiceId.trim().toUpperCase(), t.customerId.trim().toUpperCase(), t.maskedCard.trim()) as Row[];
  return rows.map(toTransaction);
}

/** Stored rows whose type names a REFUND or VOID: the take-backs shared/refund-links.ts may link to a sale (a superset: the caller judges each by paymentVerdict). */
export function storedTakebacks(db: ReadDb): PayTraceTransaction[] {
  const rows = db.prepare("SELECT * FROM paytrace_transactions WHERE UPPER(type) LIKE '%REFUND%' OR UPPER(type) LIKE '%VOID%' ORDER BY transaction_id").all() as Row[];
  return rows.map(toTransaction);
}

/** A stored transaction's type and amount. */
export function paymentSummary(db: ReadDb, transactionId: number): { type: string; amountCents: Cents; currency: string } | null {
  const t = db.prepare('SELECT type, amount_cents, currency FROM paytrace_transactions WHERE transaction_id = ?').get(transactionId) as
    | { type: string; amount_cents: number; currency: string }
    | undefined;
  return t ? { type: t.type, amountCents: cents(t.amount_cents), currency: t.currency } : null;
}

/** The fields of a sale that a PayTrace refund of it copies (docs/paytrace.md: refunds do not name their sale). */
export function saleRefundKeys(db: ReadDb, transactionId: number): { invoiceId: string; customerReferenceId: string; billingName: string; createdAt: string } | null {
  const s = db.prepare('SELECT invoice_id, customer_reference_id, billing_name, created_at FROM paytrace_transactions WHERE transaction_id = ?').get(transactionId) as
    | { invoice_id: string; customer_reference_id: string; billing_name: string; created_at: string }
    | undefined;
  return s ? { invoiceId: s.invoice_id, customerReferenceId: s.customer_reference_id, billingName: s.billing_name, createdAt: s.created_at } : null;
}

export type RefundRow = Readonly<{ transactionId: number; type: string; declined: boolean; amountCents: number; invoiceId: string; customerReferenceId: string; billingName: string; createdAt: string }>;

/** Every stored REFUND row, in the shape the refund heuristics compare. */
export function storedRefundRows(db: ReadDb): RefundRow[] {
  return (
    db
      .prepare("SELECT transaction_id, type, declined, amount_cents, invoice_id, customer_reference_id, billing_name, created_at FROM paytrace_transactions WHERE type = 'REFUND'")
      .all() as Array<{ transaction_id: number; type: string; declined: number; amount_cents: number; invoice_id: string; customer_reference_id: string; billing_name: string; created_at: string }>
  ).map((r) => ({
    transactionId: r.transaction_id,
    type: r.type,
    declined: r.declined === 1,
    amountCents: r.amount_cents,
    invoiceId: r.invoice_id,
    customerReferenceId: r.customer_reference_id,
    billingName: r.billing_name,
    createdAt: r.created_at,
  }));
}

/** Ids of stored transactions written after `stamp` (an updated_at value). */
export function transactionIdsUpdatedAfter(db: ReadDb, stamp: string): number[] {
  return (db.prepare('SELECT transaction_id AS id FROM paytrace_transactions WHERE updated_at > ?').all(stamp) as Array<{ id: number }>).map((r) => r.id);
}

/** The newest updated_at in the store ('' when empty). */
export function newestTransactionStamp(db: ReadDb): string {
  return (db.prepare('SELECT MAX(updated_at) AS s FROM paytrace_transactions').get() as { s: string | null }).s ?? '';
}

/** How many PayTrace transactions the store holds (diagnostics). */
export function transactionCount(db: ReadDb): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM paytrace_transactions').get() as { n: number }).n;
}

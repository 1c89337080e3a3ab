import type { ReadDb, WriteDb } from '../db';

// ERP credit memos in the posting outbox (kind 'credit_memo', idempotency key
// `credit_memo:<PayTrace refund id>`), and what they are queued against: the
// sale's receipt row and Tieout's own refund requests.

export type ReceiptOutboxRow = Readonly<{ payload_json: string; state: string }>;

export type CreditMemoOutboxRow = Readonly<{
  idempotency_key: string;
  transaction_id: number;
  state: string;
  erp_document_id: string | null;
  last_error: string | null;
  updated_at: string;
}>;

/** The sale's receipt row in the outbox, whatever its state. */
export function receiptOutboxFor(db: ReadDb, saleTransactionId: number): ReceiptOutboxRow | null {
  return (db.prepare("SELECT payload_json, state FROM outbox WHERE transaction_id = ? AND kind = 'receipt'").get(saleTransactionId) as ReceiptOutboxRow | undefined) ?? null;
}

/** Inserts a queued credit memo unless its key exists; true when this call inserted it. */
export function insertCreditMemoOutbox(db: WriteDb, row: Readonly<{ key: string; transactionId: number; payloadJson: string; now: string }>): boolean {
  return (
    db
      .prepare(
        `INSERT INTO outbox (idempotency_key, transaction_id, kind, payload_json, state, attempts, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, 'credit_memo', ?, 'queued', 0, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
      )
      .run(row.key, row.transactionId, row.payloadJson, row.now, row.now, row.now).changes > 0
  );
}

/** The first of these keys that is in the outbox as a credit memo. */
export function creditMemoOutbox(db: ReadDb, keys: readonly string[]): CreditMemoOutboxRow | null {
  const stmt = db.prepare("SELECT idempotency_key, transaction_id, state, erp_document_id, last_error, updated_at FROM outbox WHERE idempotency_key = ? AND kind = 'credit_memo'");
  for (const key of keys) {
    const row = stmt.get(key) as CreditMemoOutboxRow | undefined;
    if (row) return row;
  }
  return null;
}

/** Tieout's own refund request that PayTrace executed as this transaction (refund id, or the sale id for a void). */
export function refundRequestByPayTraceId(db: ReadDb, paytraceTransactionId: number): { id: number; method: 'void' | 'refund' | null; credit_memo_key: string | null } | null {
  return (
    (db
      .prepare("SELECT id, method, credit_memo_key FROM refund_requests WHERE paytrace_transaction_id = ? AND state = 'done' ORDER BY id LIMIT 1")
      .get(paytraceTransactionId) as { id: number; method: 'void' | 'refund' | null; credit_memo_key: string | null } | undefined) ?? null
  );
}

import type { ReadDb } from '../db';

// The receipts the ERP accepted in a time range (the cash-receipts journal of a
// day): the posting as queued (its payload carries amount, customer, method,
// GL account and invoices), the ERP's document number, the payer, and who approved it.

export type PostedReceiptRow = Readonly<{
  transaction_id: number;
  payload_json: string;
  erp_document_id: string | null;
  posted_at: string;
  payer: string | null;
  customer_name: string | null;
  decided_by: string | null;
  decided_at: string | null;
}>;

/** Receipts posted at or after `fromIso` and before `toIso` (ISO-8601 UTC, as stored), in posting order. */
export function postedReceipts(db: ReadDb, fromIso: string, toIso: string): PostedReceiptRow[] {
  return db
    .prepare(
      `SELECT o.transaction_id, o.payload_json, o.erp_document_id, o.updated_at AS posted_at,
              t.billing_name AS payer, cu.name AS customer_name, m.decided_by, m.decided_at
       FROM outbox o
         JOIN paytrace_transactions t ON t.transaction_id = o.transaction_id
         LEFT JOIN matches m ON m.transaction_id = o.transaction_id
         LEFT JOIN customers cu ON cu.customer_id = m.customer_id
       WHERE o.kind = 'receipt' AND o.state = 'posted' AND o.updated_at >= ? AND o.updated_at < ?
       ORDER BY o.updated_at, o.transaction_id`,
    )
    .all(fromIso, toIso) as PostedReceiptRow[];
}

import type { ReadDb, WriteDb } from '../db';

/** The clerk's refund → sale links (null: the refund belongs to none of the synced sales). */
export function listRefundLinks(db: ReadDb): Map<number, number | null> {
  const rows = db.prepare('SELECT refund_id, sale_id FROM refund_links').all() as Array<{ refund_id: number; sale_id: number | null }>;
  return new Map(rows.map((r) => [r.refund_id, r.sale_id]));
}

export function getRefundLink(db: ReadDb, refundId: number): { saleId: number | null; linkedBy: string; linkedAt: string } | null {
  const r = db.prepare('SELECT sale_id, linked_by, linked_at FROM refund_links WHERE refund_id = ?').get(refundId) as
    | { sale_id: number | null; linked_by: string; linked_at: string }
    | undefined;
  return r ? { saleId: r.sale_id, linkedBy: r.linked_by, linkedAt: r.linked_at } : null;
}

export function saveRefundLink(db: WriteDb, refundId: number, saleId: number | null, by: string, at: string): void {
  db.prepare(
    `INSERT INTO refund_links (refund_id, sale_id, linked_by, linked_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (refund_id) DO UPDATE SET sale_id = excluded.sale_id, linked_by = excluded.linked_by, linked_at = excluded.linked_at`,
  ).run(refundId, saleId, by, at);
}

export function removeRefundLink(db: WriteDb, refundId: number): void {
  db.prepare('DELETE FROM refund_links WHERE refund_id = ?').run(refundId);
}

import { DateTime } from 'luxon';
import { NO_GL_ACCOUNT_LABEL, type CashReceiptsJournal, type JournalLine, type JournalTotal } from '@shared/api/export';
import type { ReadDb } from '../store/db';
import { postedReceipts } from '../store/queries/cash-receipts';
import { parseReceiptPayload } from '../store/queries/outbox-payloads';

// The cash-receipts journal of one merchant-zone day: every receipt the ERP
// accepted that day, as it was sent (amount, customer, method, GL account and
// invoices from the queued posting, so the journal shows what the ERP got,
// not what the matcher thinks today), with totals a controller ties out to
// the bank deposit and the GL.

export type JournalRequest = Readonly<{ date: string; zone: string; erpLabel: string; companyCode: string; generatedAt: string; generatedBy: string }>;

function totalsBy(lines: readonly JournalLine[], key: (l: JournalLine) => string): JournalTotal[] {
  const m = new Map<string, JournalTotal>();
  for (const l of lines) {
    const k = `${key(l)}\u0000${l.currency}`;
    const t = m.get(k) ?? { key: key(l), currency: l.currency, count: 0, cents: 0 };
    m.set(k, { ...t, count: t.count + 1, cents: t.cents + l.amountCents });
  }
  return [...m.values()].sort((a, b) => a.key.localeCompare(b.key) || a.currency.localeCompare(b.currency));
}

export function cashReceiptsJournal(db: ReadDb, r: JournalRequest): CashReceiptsJournal {
  const start = DateTime.fromISO(r.date, { zone: r.zone }).startOf('day');
  const from = start.toUTC().toISO()!;
  const to = start.plus({ days: 1 }).toUTC().toISO()!;
  const lines = postedReceipts(db, from, to).map((row): JournalLine => {
    const p = parseReceiptPayload(row.payload_json);
    return {
      transactionId: row.transaction_id,
      payer: row.payer ?? '',
      customerId: p.customerId || null,
      customerName: row.customer_name,
      amountCents: p.amountCents,
      currency: p.currency,
      method: p.paymentMethod === 'card' && p.cardBrand ? `card ${p.cardBrand}` : p.paymentMethod,
      invoices: p.allocations.map((a) => a.invoiceNo),
      erpDocumentId: row.erp_document_id,
      glAccount: p.glAccount?.trim() ? p.glAccount.trim() : null,
      approvedBy: row.decided_by,
      approvedAt: row.decided_at,
      postedAt: row.posted_at,
    };
  });
  return {
    date: r.date,
    zone: r.zone,
    erpLabel: r.erpLabel,
    companyCode: r.companyCode,
    generatedAt: r.generatedAt,
    generatedBy: r.generatedBy,
    lines,
    byMethod: totalsBy(lines, (l) => l.method),
    byGlAccount: totalsBy(lines, (l) => l.glAccount ?? NO_GL_ACCOUNT_LABEL),
    totals: totalsBy(lines, () => 'All receipts'),
    count: lines.length,
  };
}

import { z } from 'zod';
import { cents, type Cents } from '@shared/money';
import type { Customer, OpenInvoice, PaymentTerms } from '@shared/domain';
import type { ReadDb, WriteDb } from '../db';
import { parseJsonColumn } from '../json-column';
import { systemClock } from '../../clock';

// The ERP side as last read: customers and invoices.

type InvoiceRow = {
  invoice_no: string;
  customer_id: string;
  customer_name: string;
  invoice_date: string;
  due_date: string | null;
  amount_cents: number;
  open_balance_cents: number;
  currency: string;
  po_no: string;
  is_open: number;
  terms_json: string | null;
};

const termsSchema = z.object({ discountBasisPoints: z.number(), discountDays: z.number(), netDays: z.number() });
const contactsSchema = z.array(z.string());

function parseTerms(json: string | null): PaymentTerms | null {
  if (!json) return null;
  const t = parseJsonColumn(termsSchema, json, 'invoices.terms_json');
  return { discountBasisPoints: t.discountBasisPoints, discountDays: t.discountDays, netDays: t.netDays };
}

function toInvoice(r: InvoiceRow): OpenInvoice {
  const terms = parseTerms(r.terms_json);
  return {
    invoiceNo: r.invoice_no,
    customerId: r.customer_id,
    customerName: r.customer_name,
    invoiceDate: r.invoice_date,
    dueDate: r.due_date,
    amountCents: cents(r.amount_cents),
    openBalanceCents: cents(r.open_balance_cents),
    currency: r.currency,
    poNo: r.po_no,
    // Absent rather than null when the ERP gave none, as the connectors return it.
    ...(terms ? { terms } : {}),
  };
}

export function upsertCustomers(db: WriteDb, customers: readonly Customer[], now = systemClock.iso()): void {
  const stmt = db.prepare(`INSERT INTO customers (customer_id, name, contacts_json, email, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (customer_id) DO UPDATE SET name = excluded.name, contacts_json = excluded.contacts_json, email = excluded.email, updated_at = excluded.updated_at`);
  db.transaction(() => {
    for (const c of customers) stmt.run(c.customerId, c.name, JSON.stringify(c.contacts ?? []), c.email ?? '', now);
  })();
}

export function listCustomers(db: ReadDb): Customer[] {
  return (db.prepare('SELECT * FROM customers ORDER BY customer_id').all() as Array<{ customer_id: string; name: string; contacts_json: string; email: string }>).map((r) => ({
    customerId: r.customer_id,
    name: r.name,
    contacts: parseJsonColumn(contactsSchema, r.contacts_json, 'customers.contacts_json'),
    email: r.email,
  }));
}

/**
 * Replaces the open-invoice picture with a fresh full read: invoices in the read
 * are open with the ERP's balance; invoices we knew as open but the ERP no
 * longer lists are marked closed (paid elsewhere), never deleted.
 */
export function replaceOpenInvoices(db: WriteDb, invoices: readonly OpenInvoice[], now = systemClock.iso()): { opened: number; closed: number } {
  let closed = 0;
  db.transaction(() => {
    upsertOpenInvoices(db, invoices, now);
    closed = closeInvoicesNotSeenSince(db, now);
  })();
  return { opened: invoices.length, closed };
}

/**
 * The first half of replaceOpenInvoices, for reading a large ERP in chunks (each
 * its own short transaction, so the engine's thread is never held long): upsert
 * every chunk with the same `now`, then closeInvoicesNotSeenSince(db, now).
 */
export function upsertOpenInvoices(db: WriteDb, invoices: readonly OpenInvoice[], now: string): void {
  const upsert = db.prepare(`INSERT INTO invoices (invoice_no, customer_id, customer_name, invoice_date, due_date, amount_cents, open_balance_cents, currency, po_no, terms_json, is_open, updated_at)
    VALUES (@invoice_no, @customer_id, @customer_name, @invoice_date, @due_date, @amount_cents, @open_balance_cents, @currency, @po_no, @terms_json, 1, @now)
    ON CONFLICT (invoice_no) DO UPDATE SET customer_id = excluded.customer_id, customer_name = excluded.customer_name, invoice_date = excluded.invoice_date,
      due_date = excluded.due_date, amount_cents = excluded.amount_cents, open_balance_cents = excluded.open_balance_cents, currency = excluded.currency,
      po_no = excluded.po_no, terms_json = excluded.terms_json, is_open = 1, updated_at = excluded.updated_at`);
  db.transaction(() => {
    for (const i of invoices) {
      upsert.run({
        invoice_no: i.invoiceNo,
        customer_id: i.customerId,
        customer_name: i.customerName ?? '',
        invoice_date: i.invoiceDate,
        due_date: i.dueDate,
        amount_cents: i.amountCents,
        open_balance_cents: i.openBalanceCents,
        currency: i.currency,
        po_no: i.poNo,
        terms_json: i.terms ? JSON.stringify({ discountBasisPoints: i.terms.discountBasisPoints, discountDays: i.terms.discountDays, netDays: i.terms.netDays }) : null,
        now,
      });
    }
  })();
}

/** Invoices we knew as open but the last full read (stamped `now`) did not list: closed (paid elsewhere), never deleted. */
export function closeInvoicesNotSeenSince(db: WriteDb, now: string): number {
  return db.prepare('UPDATE invoices SET is_open = 0, open_balance_cents = 0, updated_at = ? WHERE is_open = 1 AND updated_at <> ?').run(now, now).changes;
}

export function listOpenInvoices(db: ReadDb): OpenInvoice[] {
  return (db.prepare('SELECT * FROM invoices WHERE is_open = 1 ORDER BY invoice_no').all() as InvoiceRow[]).map(toInvoice);
}

export function getInvoices(db: ReadDb, invoiceNos: readonly string[]): OpenInvoice[] {
  const stmt = db.prepare('SELECT * FROM invoices WHERE invoice_no = ?');
  return invoiceNos.map((n) => stmt.get(n) as InvoiceRow | undefined).filter((r): r is InvoiceRow => !!r).map(toInvoice);
}

// An invoice (positive balance) comes down toward 0; an open credit (negative
// balance) comes up toward 0 by what of it was used, whichever sign the
// allocation carries (a credit taken on a receipt is naturally negative).
// Neither ever crosses 0: the next ERP read corrects any difference.
const BALANCE_AFTER = `CASE WHEN open_balance_cents < 0 THEN MIN(open_balance_cents + ABS(@amount), 0)
  ELSE MAX(open_balance_cents - @amount, 0) END`;

/** After a receipt is posted: reflect it locally until the next ERP read confirms. */
export function applyPaymentLocally(db: WriteDb, allocations: ReadonlyArray<{ invoiceNo: string; amountCents: number }>, now = systemClock.iso()): void {
  const stmt = db.prepare(
    `UPDATE invoices SET open_balance_cents = ${BALANCE_AFTER}, is_open = CASE WHEN ${BALANCE_AFTER} = 0 THEN 0 ELSE 1 END, updated_at = @now WHERE invoice_no = @invoiceNo`,
  );
  for (const a of allocations) stmt.run({ amount: a.amountCents, now, invoiceNo: a.invoiceNo });
}

export function customerExists(db: ReadDb, customerId: string): boolean {
  return !!db.prepare('SELECT 1 FROM customers WHERE customer_id = ?').get(customerId);
}

/** An invoice as the local ledger has it (open or not), for checking an allocation against it. */
export type LedgerInvoice = Readonly<{ customerId: string; openBalanceCents: Cents; currency: string; isOpen: boolean }>;

export function ledgerInvoice(db: ReadDb, invoiceNo: string): LedgerInvoice | null {
  const r = db.prepare('SELECT customer_id, open_balance_cents, currency, is_open FROM invoices WHERE invoice_no = ?').get(invoiceNo) as
    | { customer_id: string; open_balance_cents: number; currency: string; is_open: number }
    | undefined;
  return r ? { customerId: r.customer_id, openBalanceCents: cents(r.open_balance_cents), currency: r.currency, isOpen: r.is_open === 1 } : null;
}

/** Brings invoices to what the ERP was just seen to say (a closed one to balance 0). */
export function setInvoiceStates(db: WriteDb, states: ReadonlyArray<{ invoiceNo: string; isOpen: boolean; openBalanceCents: number }>, at: string): void {
  const update = db.prepare('UPDATE invoices SET open_balance_cents = ?, is_open = ?, updated_at = ? WHERE invoice_no = ?');
  for (const i of states) update.run(i.isOpen ? i.openBalanceCents : 0, i.isOpen ? 1 : 0, at, i.invoiceNo);
}

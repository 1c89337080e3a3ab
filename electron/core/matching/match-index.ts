import type { Customer, OpenInvoice } from '@shared/domain';
import type { MatchConfig } from './config';
import { normalizeLearnedValue } from './learning';
import { dayNumber, fastNormalizeReference, nameTokens, normalizeName } from './text';
import type { LearnedMapping } from './types';

// The indexes one matching run needs, built once per batch (or once per store
// for incremental re-matching): references, PO numbers, invoices per customer
// and per amount, customer names, contacts and learned mappings.

export type IndexedInvoice = Readonly<{
  slot: number;
  invoice: OpenInvoice;
  norm: string;
  po: string;
  day: number;
}>;

export type MatchIndex = Readonly<{
  invoices: readonly IndexedInvoice[];
  byRef: ReadonlyMap<string, readonly IndexedInvoice[]>;
  byPo: ReadonlyMap<string, readonly IndexedInvoice[]>;
  /** Oldest invoice first. */
  byCustomer: ReadonlyMap<string, readonly IndexedInvoice[]>;
  byBalance: ReadonlyMap<number, readonly IndexedInvoice[]>;
  /** Built on first use: only consumed allocations look invoices up by number. */
  readonly byInvoiceNo: ReadonlyMap<string, IndexedInvoice>;
  customers: ReadonlyMap<string, Customer>;
  byName: ReadonlyMap<string, readonly string[]>;
  byContact: ReadonlyMap<string, readonly string[]>;
  byNameToken: ReadonlyMap<string, readonly string[]>;
  learnedById: ReadonlyMap<string, string>;
  learnedByName: ReadonlyMap<string, string>;
}>;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function pushUnique(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  // Customers are added in order, so a repeat can only be the last entry.
  if (!list) map.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
}

export function buildMatchIndex(
  invoices: readonly OpenInvoice[],
  customers: readonly Customer[],
  learned: readonly LearnedMapping[],
  config: MatchConfig,
): MatchIndex {
  const indexed: IndexedInvoice[] = new Array(invoices.length);
  const byRef = new Map<string, IndexedInvoice[]>();
  const byPo = new Map<string, IndexedInvoice[]>();
  const byCustomer = new Map<string, IndexedInvoice[]>();
  const byBalance = new Map<number, IndexedInvoice[]>();
  // Invoice dates repeat (a few hundred distinct in 100k invoices): parse each once.
  const days = new Map<string, number>();
  for (let i = 0; i < invoices.length; i++) {
    const invoice = invoices[i]!;
    const norm = fastNormalizeReference(invoice.invoiceNo);
    const po = invoice.poNo ? fastNormalizeReference(invoice.poNo) : '';
    let day = days.get(invoice.invoiceDate);
    if (day === undefined) {
      day = dayNumber(invoice.invoiceDate);
      days.set(invoice.invoiceDate, day);
    }
    const entry: IndexedInvoice = { slot: i, invoice, norm, po, day };
    indexed[i] = entry;
    push(byRef, norm, entry);
    if (po) push(byPo, po, entry);
    push(byCustomer, invoice.customerId, entry);
    push(byBalance, invoice.openBalanceCents, entry);
  }
  for (const list of byCustomer.values()) list.sort((a, b) => a.day - b.day || (a.invoice.invoiceNo < b.invoice.invoiceNo ? -1 : 1));

  const customerMap = new Map<string, Customer>();
  const byName = new Map<string, string[]>();
  const byContact = new Map<string, string[]>();
  const byNameToken = new Map<string, string[]>();
  const addCustomer = (c: Customer): void => {
    customerMap.set(c.customerId, c);
    const n = normalizeName(c.name);
    if (n) {
      pushUnique(byName, n, c.customerId);
      for (const tok of nameTokens(n)) pushUnique(byNameToken, tok, c.customerId);
    }
    for (const contact of c.contacts ?? []) {
      const cn = normalizeName(contact);
      if (cn) pushUnique(byContact, cn, c.customerId);
    }
  };
  for (const c of customers) addCustomer(c);
  // Invoices may name customers the customer list lacks (file sources).
  for (const inv of invoices) {
    if (!customerMap.has(inv.customerId)) addCustomer({ customerId: inv.customerId, name: inv.customerName ?? '' });
  }

  const learnedById = new Map<string, string>();
  const learnedByName = new Map<string, string>();
  for (const m of learned) {
    if (m.confirmations < config.learnedMinConfirmations) continue;
    const value = normalizeLearnedValue(m.key, m.value);
    if (!value) continue;
    (m.key === 'paytrace_customer_id' ? learnedById : learnedByName).set(value, m.customerId);
  }

  let byInvoiceNo: Map<string, IndexedInvoice> | null = null;
  return {
    invoices: indexed,
    byRef,
    byPo,
    byCustomer,
    byBalance,
    get byInvoiceNo(): ReadonlyMap<string, IndexedInvoice> {
      if (!byInvoiceNo) {
        byInvoiceNo = new Map();
        // A repeated invoice number: the last one wins, as in the invoice list.
        for (const e of indexed) byInvoiceNo.set(e.invoice.invoiceNo, e);
      }
      return byInvoiceNo;
    },
    customers: customerMap,
    byName,
    byContact,
    byNameToken,
    learnedById,
    learnedByName,
  };
}

import type { Cents, CurrencyCode } from '@shared/money';
import type { Customer, OpenInvoice, PaymentMethod } from '@shared/domain';

// The one interface every ERP sits behind. Implementations live in
// electron/core/erp/<kind>/ with a loopback sandbox beside them.

export const ERP_KINDS = ['p21', 'eclipse', 'sap-ecc', 'sage100', 'abas', 'file'] as const;
export type ErpKind = (typeof ERP_KINDS)[number];

export const ERP_LABELS: Record<ErpKind, string> = {
  p21: 'Epicor Prophet 21',
  eclipse: 'Epicor Eclipse',
  'sap-ecc': 'SAP ECC 6.0',
  sage100: 'Sage 100',
  abas: 'abas ERP',
  file: 'File (CSV/XLSX)',
};

export type ErpCapabilities = Readonly<{
  /** How receipts reach the ERP. "file" means an import file dropped in a folder, confirmed by reading back. */
  postReceipts: 'api' | 'file' | 'none';
  creditMemos: 'api' | 'file' | 'none';
  /** Whether findReceipt can answer; exactly-once posting depends on it. */
  receiptLookup: boolean;
  /** True only where reverseReceipt and findReversal are implemented. */
  reverseReceipt: boolean;
  /**
   * Whether ReceiptRequest.writeOffs with any reason is posted (a supervisor's
   * write-off of a short pay's rest). Absent: the outbox worker refuses such a
   * receipt rather than post the cash alone.
   */
  writeOffs?: boolean;
  /**
   * Whether early-payment discounts are posted: write-off lines with reason
   * EARLY_PAYMENT_DISCOUNT, booked as discount (terms) taken. Some ERPs take
   * these and no other write-off. Absent: as `writeOffs`.
   */
  discounts?: boolean;
  /** Whether a receipt may apply an open credit: an allocation line with a negative amount naming the credit memo. */
  applyCredits?: boolean;
}>;

/** Reason code of the write-off line an early-payment discount travels as (docs/matching.md, "Cash application"). */
export const EARLY_PAYMENT_DISCOUNT = 'EARLY_PAYMENT_DISCOUNT';

/** Whether the connection posts early-payment discounts. */
export function postsDiscounts(c: Pick<ErpCapabilities, 'discounts' | 'writeOffs'>): boolean {
  return c.discounts ?? c.writeOffs === true;
}

/** A supervisor-approved write-off of what a short payment leaves open on an invoice. */
export type ReceiptWriteOff = Readonly<{ invoiceNo: string; amountCents: Cents; reasonCode: string }>;

export type ReceiptAllocation = Readonly<{ invoiceNo: string; amountCents: Cents }>;

export type ReceiptRequest = Readonly<{
  /** The idempotency key: the PayTrace transaction id, as a string. */
  reference: string;
  customerId: string;
  /** Receipt date, YYYY-MM-DD in the merchant zone. */
  date: string;
  amountCents: Cents;
  currency: CurrencyCode;
  paymentMethod: PaymentMethod;
  cardBrand?: string;
  bankCode?: string;
  depositNo?: string;
  allocations: readonly ReceiptAllocation[];
  /** Part of the amount left on account (overpayment / surcharge). */
  unappliedCents?: Cents;
  memo?: string;
  /** From the connection's payment mapping (shared/erp-mapping.ts), when one is saved. */
  paymentTypeCode?: string;
  glAccount?: string;
  /** The mapping's discount account, for write-off lines with reason EARLY_PAYMENT_DISCOUNT ("" or absent: the ERP's default). */
  discountGlAccount?: string;
  mappingVersion?: number;
  /** Balances written off with this receipt (each invoice also has an allocation); see capabilities.writeOffs. */
  writeOffs?: readonly ReceiptWriteOff[];
}>;

export type ReceiptRecord = Readonly<{
  reference: string;
  erpDocumentId: string;
  customerId: string;
  amountCents: Cents;
  date: string;
  allocations: readonly ReceiptAllocation[];
}>;

export type CreditMemoRequest = Readonly<{
  /** Idempotency key: the PayTrace refund (or void) transaction id. */
  reference: string;
  originalReference: string;
  customerId: string;
  date: string;
  amountCents: Cents;
  currency: CurrencyCode;
  invoiceNo?: string;
  reason: string;
}>;

export type CreditMemoRecord = Readonly<{
  reference: string;
  erpDocumentId: string;
  customerId: string;
  amountCents: Cents;
  date: string;
}>;

/** The reversal of a posted receipt, found by its own reference (reversalReference of the receipt's). */
/** A reversal of a posted receipt, as the engine decided it. */
export type ReversalRequest = Readonly<{
  /** The reversed receipt's PayTrace reference. */
  receiptReference: string;
  reason: string;
  /** The reversal's accounting date, YYYY-MM-DD: the merchant's day when the reversal was queued (as a receipt's is its payment's merchant day). */
  date: string;
}>;

export type ReversalRecord = Readonly<{
  /** The reversal's reference, e.g. "R123456789". */
  reference: string;
  /** The reversed receipt's PayTrace reference. */
  originalReference: string;
  erpDocumentId: string;
  /** The amount taken back off the customer's account (positive). */
  amountCents: Cents;
  date: string;
}>;

/** Reversals carry the receipt's reference with this prefix: the idempotency key of the reversal. */
export function reversalReference(receiptReference: string): string {
  return `R${receiptReference.trim()}`;
}

export type ConnectionDiagnosis = Readonly<{
  ok: boolean;
  /** One line a clerk can act on: "Signed in as api_user; 1,204 open invoices readable." */
  summary: string;
  checks: ReadonlyArray<Readonly<{ name: string; ok: boolean; detail: string }>>;
}>;

/**
 * One fact `tieout erp check` found on the live system (a service list, a
 * definition, a reply form, a column list), printed for the site to compare
 * with the connection's settings; `setting` names the setting it informs.
 */
export type ErpDiscoveryFact = Readonly<{ name: string; value: string; setting?: string; ok?: boolean }>;

export type ListInvoicesOptions = Readonly<{ since?: string; pageSize?: number }>;

export type ErpConnector = {
  readonly kind: ErpKind;
  readonly capabilities: ErpCapabilities;
  testConnection(): Promise<ConnectionDiagnosis>;
  /**
   * Read-only: asks the system what public evidence could not settle (service
   * names, definitions, reply forms, columns, object ids) for `tieout erp check`
   * to print. Never writes.
   */
  discover?(): Promise<readonly ErpDiscoveryFact[]>;
  listCustomers(): AsyncIterable<readonly Customer[]>;
  /** Pages of open invoices; never the whole ledger in memory at once. */
  listOpenInvoices(options?: ListInvoicesOptions): AsyncIterable<readonly OpenInvoice[]>;
  /** The idempotency look-up: the receipt carrying this PayTrace reference, if the ERP holds one. */
  findReceipt(reference: string): Promise<ReceiptRecord | null>;
  postReceipt(receipt: ReceiptRequest): Promise<ReceiptRecord>;
  findCreditMemo(reference: string): Promise<CreditMemoRecord | null>;
  postCreditMemo(memo: CreditMemoRequest): Promise<CreditMemoRecord>;
  /** The look-up before any (re)send of a reversal: by the receipt's PayTrace reference. Only where capabilities.reverseReceipt. */
  findReversal?(receiptReference: string): Promise<ReversalRecord | null>;
  /** Reverses the posted receipt carrying this PayTrace reference; re-opens what it paid. Only where capabilities.reverseReceipt. */
  reverseReceipt?(reversal: ReversalRequest): Promise<ReversalRecord>;
  close(): Promise<void>;
};

/** Collects every page; for tests and small ledgers only. */
export async function collectPages<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

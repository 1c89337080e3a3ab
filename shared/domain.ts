import type { Cents, CurrencyCode } from './money';

// Plain-data domain types shared by the engine and the UI. Only JSON-safe
// values: they cross IPC and the web host unchanged.

export type PaymentMethod = 'card' | 'ach';

/** A PayTrace transaction, normalised at the edge. `raw` keeps the export row as received. */
export type PayTraceTransaction = Readonly<{
  transactionId: number;
  /** transaction_type as exported: SALE, AUTHORIZATION, REFUND, VOID, ... */
  type: string;
  amountCents: Cents;
  currency: CurrencyCode;
  taxCents: Cents | null;
  /** ISO-8601 UTC instant of created.at, interpreted in the merchant zone. */
  createdAt: string;
  /** ISO-8601 UTC instant of `settled`, null while unsettled. */
  settledAt: string | null;
  declined: boolean;
  approvalCode: string;
  approvalMessage: string;
  invoiceId: string;
  description: string;
  customerReferenceId: string;
  /** PayTrace vault customer id (a string, may be ""). */
  customerId: string;
  billingName: string;
  email: string;
  maskedCard: string;
  method: PaymentMethod;
  raw: unknown;
}>;

export type Customer = Readonly<{
  customerId: string;
  name: string;
  /** Known contact / card-holder names that pay for this customer. */
  contacts?: readonly string[];
  email?: string;
}>;

/**
 * Early-payment discount terms, e.g. "2/10 net 30" = { discountBasisPoints: 200,
 * discountDays: 10, netDays: 30 }: 2% off when paid within 10 days of the invoice date.
 */
export type PaymentTerms = Readonly<{ discountBasisPoints: number; discountDays: number; netDays: number }>;

/**
 * An open AR item. An open credit (credit memo, unapplied credit) is an item
 * with a negative `openBalanceCents`; customers pay invoices net of them.
 */
export type OpenInvoice = Readonly<{
  invoiceNo: string;
  customerId: string;
  customerName?: string;
  invoiceDate: string; // YYYY-MM-DD
  dueDate: string | null; // YYYY-MM-DD
  amountCents: Cents; // original total
  openBalanceCents: Cents;
  currency: CurrencyCode;
  poNo: string;
  /** Discount terms as the ERP states them; absent when the ERP (or file) gives none. */
  terms?: PaymentTerms | null;
}>;

/**
 * `discountCents`: an early-payment discount taken on this invoice (the invoice
 * closes: cash `amountCents` + discount = what was open). A negative
 * `amountCents` applies an open credit (credit memo) to the payment.
 */
export type Allocation = Readonly<{ invoiceNo: string; amountCents: Cents; discountCents?: Cents }>;

/**
 * What the clerk should know about how a payment was applied (docs/matching.md):
 * short_pay: less than the invoice, the rest stays open; discount: an early-payment
 * discount taken within terms; credit_applied: paid net of an open credit;
 * refund_netted: a PayTrace refund of this sale is netted into the receipt;
 * no_reference: the payer sent no reference, the amount and payer decided.
 */
export const MATCH_MARKERS = ['short_pay', 'discount', 'credit_applied', 'refund_netted', 'no_reference'] as const;
export type MatchMarker = (typeof MATCH_MARKERS)[number];

export type MatchStatus = 'auto' | 'suggested' | 'exception';

/** Reason codes for exceptions; documented in docs/matching.md. */
export const EXCEPTION_CODES = [
  'declined',
  'not_approved',
  'voided',
  'refund',
  'refunded',
  'not_a_sale',
  'duplicate_suspected',
  'no_reference',
  'invoice_not_found',
  'invoice_not_open',
  'other_customer_invoice',
  'amount_mismatch',
  'short_payment',
  'overpayment',
  'ambiguous_amount',
  'unknown_payer',
  'currency_mismatch',
  'manual',
  /** Not AR cash (a personal or test payment): never posted; see shared/api/bulk-review.ts. */
  'excluded',
] as const;
export type ExceptionCode = (typeof EXCEPTION_CODES)[number];

/** Each code in a few words: the engine opens its reasons with them, the UI shows them. */
export const EXCEPTION_LABELS: Record<ExceptionCode, string> = {
  declined: 'Declined',
  not_approved: 'Not approved',
  voided: 'Voided',
  refund: 'Refund',
  refunded: 'Refunded',
  not_a_sale: 'Not a sale',
  duplicate_suspected: 'Suspected duplicate',
  no_reference: 'No reference',
  invoice_not_found: 'Invoice not found',
  invoice_not_open: 'Invoice not open',
  other_customer_invoice: "Another customer's invoice",
  amount_mismatch: 'Amount mismatch',
  short_payment: 'Short payment',
  overpayment: 'Overpayment',
  ambiguous_amount: 'Ambiguous amount',
  unknown_payer: 'Unknown payer',
  currency_mismatch: 'Currency mismatch',
  manual: 'Marked by a clerk',
  excluded: 'Excluded (not AR cash)',
};


export type SignalPoints = Readonly<{ signal: string; points: number; detail: string }>;

export type Candidate = Readonly<{
  allocations: readonly Allocation[];
  customerId: string | null;
  score: number; // 0..1
  points: number;
  signals: readonly SignalPoints[];
  reasons: readonly string[];
  /** Why this candidate would not be posted automatically (empty when it qualifies). */
  blockers: readonly string[];
}>;

export type MatchOutcome = Readonly<{
  transactionId: number;
  status: MatchStatus;
  allocations: readonly Allocation[];
  customerId: string | null;
  candidates: readonly Candidate[];
  score: number;
  reason: string;
  reasons: readonly string[];
  exception: ExceptionCode | null;
  unappliedCents: Cents;
  /** How the payment was applied (short pay, discount, ...). */
  markers?: readonly MatchMarker[];
  /** Open balance left on the invoices after this payment (short pays). */
  remainingCents?: Cents;
  /** A refund or void row: the sale it belongs to (PayTrace does not name it; linked by shared/refund-links.ts). */
  refundOf?: number | null;
  /** A sale: the refunds and voids linked to it, and what they took back. */
  refundedBy?: readonly number[];
  refundedCents?: Cents;
}>;

/** Where a row stands for the clerk. */
export const ROW_STATUSES = ['auto', 'review', 'exception', 'approved', 'conflict', 'posted', 'failed'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

export const ROW_STATUS_LABELS: Record<RowStatus, string> = {
  auto: 'Auto',
  review: 'Needs review',
  exception: 'Exceptions',
  approved: 'Approved',
  /** Approved offline, then overtaken by the world: waits for the clerk (docs/offline.md). */
  conflict: 'Conflicts',
  posted: 'Posted',
  failed: 'Failed',
};

export type PostingState = 'queued' | 'sending' | 'retry_wait' | 'unknown_outcome' | 'posted' | 'dead' | 'conflict';

/** One line of the reconciliation grid. */
export type GridRow = Readonly<{
  transactionId: number;
  createdAt: string;
  payer: string;
  reference: string;
  amountCents: Cents;
  currency: CurrencyCode;
  method: PaymentMethod;
  type: string;
  matchedInvoices: readonly string[];
  customerId: string | null;
  openBalanceCents: Cents | null;
  differenceCents: Cents | null;
  status: RowStatus;
  matchStatus: MatchStatus;
  score: number;
  reason: string;
  exception: ExceptionCode | null;
  erpDocumentId: string | null;
  note: string | null;
  /** Who is working this row (set offline or online; local only). */
  owner?: string | null;
  /** Supervisor controls (docs/users-and-refunds.md): the receipt was reversed, or a write-off/override waits for a supervisor. */
  control?: 'reversed' | 'approval_pending' | null;
  /** How the payment was applied (the matcher's outcome): shown as chips beside the reason. */
  markers?: readonly MatchMarker[];
  /** Open balance left on the invoices after a short pay. */
  remainingCents?: Cents | null;
  /** A refund or void row: the sale it belongs to (null: not linked). Absent on sales. */
  refundOf?: number | null;
  /** A sale: the PayTrace refunds and voids linked to it. */
  refundedBy?: readonly number[];
}>;

export type AuditEntry = Readonly<{
  id: number;
  at: string;
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  before: unknown;
  after: unknown;
}>;

/**
 * Where a PayTrace refund (or separate void) stands for the ERP:
 * link_needed: its sale is not known (link it by hand);
 * netted: the sale is not posted (or was posted net of this refund), nothing to post;
 * credit_memo_due: the sale's receipt is (or will be) in the ERP, which needs a credit memo;
 * queued / posted / failed: the credit memo's outbox row.
 */
export const REFUND_TASK_STATES = ['link_needed', 'netted', 'credit_memo_due', 'queued', 'posted', 'failed'] as const;
export type RefundTaskState = (typeof REFUND_TASK_STATES)[number];

export type RefundTask = Readonly<{
  refundTransactionId: number;
  saleTransactionId: number | null;
  /** Where the sale stands (null when not linked or not in the store). */
  saleStatus: RowStatus | null;
  /** PayTrace type of the take-back: REFUND or VOID. */
  kind: string;
  amountCents: Cents;
  currency: CurrencyCode;
  state: RefundTaskState;
  /** A clerk's link (refunds:link), when the rule was overridden; saleId null: "belongs to no synced sale". */
  clerkLink?: Readonly<{ saleId: number | null; by: string; at: string }> | null;
  /** Why 'netted': the sale is not posted, or its receipt was posted net of this refund. */
  nettedHow: 'sale_not_posted' | 'receipt_net' | null;
  /** The ERP credit memo, once queued (by Tieout's own refund flow or recorded from this task). */
  creditMemo: Readonly<{
    key: string;
    reference: string;
    state: string;
    erpDocumentId: string | null;
    lastError: string | null;
    /** 'refund_flow': Tieout's four-eyes refund queued it; 'recorded': recorded from this task. */
    source: 'refund_flow' | 'recorded';
    updatedAt: string;
  }> | null;
}>;

export type TransactionDetail = Readonly<{
  row: GridRow;
  transaction: PayTraceTransaction;
  outcome: MatchOutcome;
  invoices: readonly OpenInvoice[];
  posting: Readonly<{
    state: PostingState;
    attempts: number;
    lastError: string | null;
    erpDocumentId: string | null;
    updatedAt: string;
  }> | null;
  history: readonly AuditEntry[];
  /** Refund and void rows: the credit-memo task (absent/null for other rows). */
  refundTask?: RefundTask | null;
  /** A decided payment: who decided it, when, and what it is now ("Approved by ann at 10:02; it is Posted now"); null while pending. */
  decision?: string | null;
}>;

export type StatusCounts = Record<RowStatus, number>;

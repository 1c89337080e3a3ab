import type { Customer, MatchOutcome, OpenInvoice, PayTraceTransaction } from '@shared/domain';

// The seam between the engine and whichever matcher runs. The store feeds it
// plain data; it returns one outcome per transaction, in input order.

export type LearnedMapping = Readonly<{
  /** "paytrace_customer_id" | "billing_name" */
  key: 'paytrace_customer_id' | 'billing_name';
  value: string; // normalised
  customerId: string;
  confirmations: number;
}>;

export type MatchInput = Readonly<{
  transactions: readonly PayTraceTransaction[];
  invoices: readonly OpenInvoice[];
  customers: readonly Customer[];
  learned?: readonly LearnedMapping[];
  /** Transactions already posted or approved: their allocations are spoken for. */
  consumed?: ReadonlyArray<Readonly<{ invoiceNo: string; amountCents: number }>>;
  /** Earlier transactions (already matched), used only to spot duplicates and link refunds. */
  history?: readonly PayTraceTransaction[];
  /** Refund → sale links a clerk made (null: the refund belongs to no synced sale); they override the rule. */
  refundLinks?: ReadonlyMap<number, number | null>;
}>;

export type Matcher = (input: MatchInput) => MatchOutcome[];

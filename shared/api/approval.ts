import { z } from 'zod';
import type { Cents, CurrencyCode } from '../money';
import { rowSelectionSchema, type MoneyTotal, type RowSelection } from '../grid-view';
import type { RowStatus } from '../domain';
import { method, txnId } from './define';

// Safe bulk approval (issue 15): before a batch is approved the clerk sees what
// it holds, what will be skipped and which rows deserve a second look.

/**
 * Why a row deserves a second look. A list of codes with their words, so new
 * checks (issue 18's anomaly flags) plug in without changing the dialog.
 */
export type SecondLookReason = Readonly<{ code: string; text: string }>;

export type SecondLookRow = Readonly<{
  transactionId: number;
  payer: string;
  amountCents: Cents;
  currency: CurrencyCode;
  status: RowStatus;
  reasons: readonly SecondLookReason[];
}>;

/** Rows a batch approval leaves alone, by why. */
export const SKIP_KINDS = ['not_a_sale', 'exception', 'decided'] as const;
export type SkipKind = (typeof SKIP_KINDS)[number];
export const SKIP_KIND_LABELS: Record<SkipKind, string> = {
  not_a_sale: 'refunds, voids and declines',
  exception: 'exceptions (need an allocation first)',
  decided: 'already approved, posted or failed',
};

export type ApprovalPreview = Readonly<{
  /** Rows in the selection. */
  selected: number;
  /** Rows the approval will take (undecided sales with an allocation). */
  approvable: number;
  /** What the approvable rows add up to, per currency. */
  totals: readonly MoneyTotal[];
  skipped: ReadonlyArray<Readonly<{ kind: SkipKind; label: string; count: number }>>;
  /** The first rows that deserve a second look (at most SECOND_LOOK_SHOWN), and how many there are in all. */
  secondLook: readonly SecondLookRow[];
  secondLookCount: number;
  /** The undo window the approval will get, in seconds (0: posting starts at once). */
  undoWindowSeconds: number;
}>;

export const SECOND_LOOK_SHOWN = 50;

export const approvalMethods = {
  /** What approving this selection would do, without doing it. */
  'approval:preview': method<z.ZodType<{ selection: RowSelection }>, ApprovalPreview>({ role: 'clerk', args: z.object({ selection: rowSelectionSchema }).strict() }),
  /** Ends the undo window of these approved rows now ("Post now"): how many were still waiting. */
  'approval:postNow': method<z.ZodType<{ transactionIds: number[] }>, { released: number }>({
    role: 'clerk',
    args: z.object({ transactionIds: z.array(txnId).min(1).max(100_000) }).strict(),
  }),
} as const;

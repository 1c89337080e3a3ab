import { z } from 'zod';
import { noCardNumbers } from './api/free-text';
import { DEFAULT_VERDICT_RULES, type PaymentVerdictRules } from './payment-verdict';

// Every threshold and tolerance the engine uses, with safe defaults. A site can
// override any of them in Settings → Matching rules (Settings.matching, stored
// with the other settings) or, for the CLI, with a rules.json; both are a
// MatchConfigOverride validated by matchConfigOverrideSchema. Shared with the
// renderer, which shows these defaults next to each field.
// Defaults lean conservative: an automatic match must never be wrong, so when
// in doubt the engine suggests instead of posting. docs/matching.md explains each.

export const pointsSchema = z.object({
  /** invoice_id equals the invoice number exactly (after trimming). */
  referenceExact: z.number(),
  /** invoice_id names the invoice after removing prefixes/noise/leading zeros. */
  referenceNormalised: z.number(),
  /** customer_reference_id equals the invoice's PO number. */
  referencePo: z.number(),
  /** The invoice number appears as a word in the free-text description. */
  referenceDescription: z.number(),
  /** One character off (substitution, transposition, missing/extra character). */
  referenceTypo: z.number(),
  /** Amount equals the open balance (or the sum of balances) to the cent. */
  amountExact: z.number(),
  /** Amount exceeds the balance by at most the surcharge/overpay tolerance. */
  amountWithinTolerance: z.number(),
  /** Amount below the balance (short payment / installment not completed). */
  amountShort: z.number(),
  /** Amount differs beyond every tolerance. */
  amountOff: z.number(),
  /** PayTrace customer_id equals the ERP customer id. */
  customerId: z.number(),
  /** A clerk confirmed this payer → customer before. */
  customerLearned: z.number(),
  /** Billing name equals the customer's name (legal suffixes ignored). */
  customerName: z.number(),
  /** Billing name is a known contact of the customer. */
  customerContact: z.number(),
  /** Payment within dateNearDays after the invoice date. */
  dateNear: z.number(),
  /** Payment more than dateFarDays after the invoice date. */
  dateFar: z.number(),
  /** Invoice dated after the payment. */
  invoiceAfterPayment: z.number(),
  /** The referenced invoice belongs to a different customer than the payer's. */
  otherCustomer: z.number(),
});
export type SignalPointsConfig = z.infer<typeof pointsSchema>;

export const matchConfigSchema = z.object({
  points: pointsSchema,
  /** Points at or above which a candidate may be automatic (other rules must hold too). */
  autoMinPoints: z.number(),
  /** Candidates below this are not shown. */
  suggestMinPoints: z.number(),
  /** The automatic candidate must lead the runner-up by at least this many points. */
  autoMinMargin: z.number().min(0),
  /** Points that map to score 1.0 (score = clamp(points / scorePoints, 0, 1)). */
  scorePoints: z.number().positive(),
  /** A payment above the balance by at most this percent is a card surcharge. */
  surchargeMaxPercent: z.number().min(0).max(25),
  /** Post surcharge payments automatically (balance applied, remainder recorded as surcharge). */
  autoSurcharge: z.boolean(),
  /** An overpayment by at most this many cents is treated like an exact amount (remainder unapplied). */
  overpayToleranceCents: z.number().int().min(0),
  /** Allow an automatic match with no reference at all (customer id + unique exact amount). Off by default. */
  autoWithoutReference: z.boolean(),
  /** Allow a one-character-typo reference to be automatic when amount AND customer corroborate. */
  autoTypo: z.boolean(),
  dateNearDays: z.number().int().min(0),
  dateFarDays: z.number().int().min(0),
  /** Same card, amount and reference within this many hours → suspected duplicate. */
  duplicateWindowHours: z.number().min(0),
  /** Bounds of the exact-subset search for one payment paying several invoices. */
  subsetMaxInvoices: z.number().int().min(1).max(64),
  subsetMaxSize: z.number().int().min(1).max(12),
  subsetMaxNodes: z.number().int().min(1),
  /** A learned mapping counts after this many clerk confirmations. */
  learnedMinConfirmations: z.number().int().min(1),
  maxCandidates: z.number().int().min(1).max(20),
  /** Transaction types that are receipts; anything else (AUTHORIZATION, ...) is not_a_sale. */
  saleTypes: z.array(noCardNumbers(z.string().min(1))).min(1),
  /** approval_message endings that mean approved (shared/payment-verdict.ts); an unfamiliar text is never money. */
  approvalTexts: z.array(noCardNumbers(z.string().min(1))).min(1),
  /** ACH check statuses that mean collected (unconfirmed field: docs/paytrace.md). */
  achReceivedStatuses: z.array(noCardNumbers(z.string().min(1))).min(1),
  /**
   * A short pay with a strong reference from the invoice's own customer:
   * 'auto' applies it (automatic when the shortfall is at most shortPayAutoMaxPercent),
   * 'suggested' proposes it for review, 'off' makes it an exception.
   */
  shortPay: z.enum(['auto', 'suggested', 'off']),
  shortPayAutoMaxPercent: z.number().min(0).max(100),
  /** A partly refunded sale is proposed as one net receipt, or as the full receipt plus a credit memo for the refund. */
  partialRefundPosting: z.enum(['net', 'receipt_and_credit_memo']),
  /** Early-payment discounts: terms when the ERP gives none (null: no default terms). */
  defaultTerms: z.object({ discountBasisPoints: z.number().int().min(0).max(10000), discountDays: z.number().int().min(0), netDays: z.number().int().min(0) }).nullable(),
  /** Per-customer terms that override the ERP's and the default ("CUST-1": {...}). */
  customerTerms: z.record(noCardNumbers(z.string()), z.object({ discountBasisPoints: z.number().int().min(0).max(10000), discountDays: z.number().int().min(0), netDays: z.number().int().min(0) })),
  /** A discount taken within terms may be automatic (else suggested). */
  autoDiscount: z.boolean(),
  /** Days of grace after the discount period (mail and bank float). */
  discountGraceDays: z.number().int().min(0),
});
export type MatchConfig = z.infer<typeof matchConfigSchema>;

export const DEFAULT_MATCH_CONFIG: MatchConfig = {
  points: {
    referenceExact: 6,
    referenceNormalised: 5,
    referencePo: 5,
    referenceDescription: 5,
    referenceTypo: 2,
    amountExact: 4,
    amountWithinTolerance: 2,
    amountShort: 0,
    amountOff: -5,
    customerId: 3,
    customerLearned: 3,
    customerName: 2,
    customerContact: 2,
    dateNear: 1,
    dateFar: -1,
    invoiceAfterPayment: -2,
    otherCustomer: -8,
  },
  autoMinPoints: 9,
  suggestMinPoints: 2,
  autoMinMargin: 3,
  scorePoints: 14,
  surchargeMaxPercent: 4,
  autoSurcharge: true,
  overpayToleranceCents: 0,
  autoWithoutReference: false,
  autoTypo: true,
  dateNearDays: 60,
  dateFarDays: 180,
  duplicateWindowHours: 72,
  subsetMaxInvoices: 24,
  subsetMaxSize: 5,
  subsetMaxNodes: 20000,
  learnedMinConfirmations: 1,
  maxCandidates: 5,
  saleTypes: ['SALE'],
  approvalTexts: [...DEFAULT_VERDICT_RULES.approvalTexts],
  achReceivedStatuses: [...DEFAULT_VERDICT_RULES.achReceivedStatuses],
  shortPay: 'auto',
  shortPayAutoMaxPercent: 10,
  partialRefundPosting: 'net',
  defaultTerms: null,
  customerTerms: {},
  autoDiscount: true,
  discountGraceDays: 0,
};

/** What a rules.json may contain: any subset, points may be partial too. */
export const matchConfigOverrideSchema = matchConfigSchema
  .extend({ points: pointsSchema.partial() })
  .partial()
  .strict();
export type MatchConfigOverride = z.infer<typeof matchConfigOverrideSchema>;

export class MatchConfigError extends Error {
  constructor(readonly source: string, readonly issues: readonly string[]) {
    super(`${source}: invalid matching rules: ${issues.join('; ')}`);
    this.name = 'MatchConfigError';
  }
}

export function resolveMatchConfig(override: MatchConfigOverride | Partial<MatchConfig> = {}): MatchConfig {
  const merged = {
    ...DEFAULT_MATCH_CONFIG,
    ...override,
    points: { ...DEFAULT_MATCH_CONFIG.points, ...(override.points ?? {}) },
  };
  const parsed = matchConfigSchema.safeParse(merged);
  if (!parsed.success) throw new MatchConfigError('config', formatIssues(parsed.error));
  if (parsed.data.dateFarDays < parsed.data.dateNearDays) {
    throw new MatchConfigError('config', ['dateFarDays must be ≥ dateNearDays']);
  }
  return parsed.data;
}

/** Validates an untrusted rules.json value; errors name each offending field. */
export function parseMatchConfig(value: unknown, source = 'rules.json'): MatchConfig {
  const parsed = matchConfigOverrideSchema.safeParse(value);
  if (!parsed.success) throw new MatchConfigError(source, formatIssues(parsed.error));
  try {
    return resolveMatchConfig(parsed.data);
  } catch (e) {
    if (e instanceof MatchConfigError) throw new MatchConfigError(source, e.issues);
    throw e;
  }
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** The part of the rules that decides whether money was received (shared/payment-verdict.ts). */
export function verdictRulesOf(config: MatchConfig): PaymentVerdictRules {
  return { saleTypes: config.saleTypes, approvalTexts: config.approvalTexts, achReceivedStatuses: config.achReceivedStatuses };
}

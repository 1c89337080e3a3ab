import { z } from 'zod';
import { noCardNumbers } from './api/free-text';

// How PayTrace payments map onto one ERP connection's codes: payment types,
// GL accounts, bank/deposit, company and currency. Stored per ERP kind in
// SQLite, versioned: every save is a new version, and postings record the
// version they used.

export const glRuleSchema = z.object({
  /** Conditions; an absent condition matches anything. */
  transactionType: noCardNumbers(z.string()).optional(),
  method: z.enum(['card', 'ach']).optional(),
  cardBrand: z.enum(['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER', 'OTHER']).optional(),
  customerClass: noCardNumbers(z.string()).optional(),
  glAccount: noCardNumbers(z.string().min(1).max(20)),
});
export type GlRule = z.infer<typeof glRuleSchema>;

export const erpMappingSchema = z.object({
  paymentTypes: z.object({
    card: noCardNumbers(z.string().max(20)),
    ach: noCardNumbers(z.string().max(20)),
    byBrand: z.record(noCardNumbers(z.string()), noCardNumbers(z.string().max(20))),
  }),
  /** The ERP's status for a receipt of a settled / not yet settled PayTrace payment. */
  statusMap: z.object({ settled: noCardNumbers(z.string().max(20)), unsettled: noCardNumbers(z.string().max(20)) }),
  /** First matching rule wins; then defaultGlAccount. */
  glRules: z.array(glRuleSchema).max(200),
  defaultGlAccount: noCardNumbers(z.string().max(20)),
  /** Where early-payment discounts taken are booked (sales discounts); "" = the ERP's own default for the terms. Absent in mappings saved before it existed. */
  discountGlAccount: noCardNumbers(z.string().max(20)).default(''),
  bankCode: noCardNumbers(z.string().max(20)),
  depositPrefix: z.string().max(10),
  companyCode: z.string().max(10),
  division: z.string().max(10),
  currency: z.string().length(3),
  decimals: z.number().int().min(0).max(4),
});
export type ErpMapping = z.infer<typeof erpMappingSchema>;

export function defaultErpMapping(): ErpMapping {
  return {
    paymentTypes: { card: 'CC', ach: 'ACH', byBrand: {} },
    statusMap: { settled: 'APPROVED', unsettled: 'PENDING' },
    glRules: [],
    defaultGlAccount: '1010',
    discountGlAccount: '',
    bankCode: 'PAYTRACE',
    depositPrefix: 'PT',
    companyCode: '',
    division: '00',
    currency: 'USD',
    decimals: 2,
  };
}

export type PaymentFacts = Readonly<{ transactionType: string; method: 'card' | 'ach'; cardBrand: GlRule['cardBrand'] | null; customerClass: string | null; settled: boolean }>;

export type MappedPayment = Readonly<{ paymentType: string; glAccount: string; glRule: number | null; status: string; bankCode: string }>;

/** Applies a mapping to one payment; also what the settings preview shows. */
export function applyErpMapping(mapping: ErpMapping, facts: PaymentFacts): MappedPayment {
  const ruleIndex = mapping.glRules.findIndex(
    (r) =>
      (r.transactionType === undefined || r.transactionType === facts.transactionType) &&
      (r.method === undefined || r.method === facts.method) &&
      (r.cardBrand === undefined || r.cardBrand === facts.cardBrand) &&
      (r.customerClass === undefined || r.customerClass === facts.customerClass),
  );
  const brandType = facts.method === 'card' && facts.cardBrand ? mapping.paymentTypes.byBrand[facts.cardBrand] : undefined;
  return {
    paymentType: brandType ?? (facts.method === 'ach' ? mapping.paymentTypes.ach : mapping.paymentTypes.card),
    glAccount: ruleIndex >= 0 ? mapping.glRules[ruleIndex]!.glAccount : mapping.defaultGlAccount,
    glRule: ruleIndex >= 0 ? ruleIndex : null,
    status: facts.settled ? mapping.statusMap.settled : mapping.statusMap.unsettled,
    bankCode: mapping.bankCode,
  };
}

/** Card brand from a masked number that carries the BIN (include_bin), else null. */
export function cardBrandOf(masked: string): NonNullable<PaymentFacts['cardBrand']> | null {
  const first = masked.replace(/[^0-9*xX]/g, '')[0];
  if (!first || !/\d/.test(first)) return null;
  if (first === '4') return 'VISA';
  if (first === '5' || first === '2') return 'MASTERCARD';
  if (first === '3') return 'AMEX';
  if (first === '6') return 'DISCOVER';
  return 'OTHER';
}

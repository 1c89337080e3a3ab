import type { MatchConfig, MatchConfigOverride } from '@shared/matching-config';

// The Matching rules form (Settings → Matching rules): percentages and days
// typed as text, lists comma-separated. Checked here so the admin sees every
// problem at once, each naming its field; the engine checks again with
// matchConfigOverrideSchema (matching:setRules) and audits the change.
//
// Only the rules that differ from the defaults are stored, so a later release's
// better default still reaches a site that never changed that rule. Rules the
// form does not show (points, thresholds: rules.json territory) are kept as stored.

export type TermsDraft = Readonly<{ percent: string; discountDays: string; netDays: string }>;
export type CustomerTermsDraft = TermsDraft & Readonly<{ customer: string }>;

export type RulesDraft = Readonly<{
  shortPay: MatchConfig['shortPay'];
  shortPayAutoMaxPercent: string;
  partialRefundPosting: MatchConfig['partialRefundPosting'];
  autoWithoutReference: boolean;
  autoDiscount: boolean;
  discountGraceDays: string;
  defaultTermsOn: boolean;
  defaultTerms: TermsDraft;
  customerTerms: readonly CustomerTermsDraft[];
  achReceivedStatuses: string;
  approvalTexts: string;
  saleTypes: string;
}>;

/** The fields the form edits (keys of MatchConfig). */
export const FORM_KEYS = [
  'shortPay',
  'shortPayAutoMaxPercent',
  'partialRefundPosting',
  'autoWithoutReference',
  'autoDiscount',
  'discountGraceDays',
  'defaultTerms',
  'customerTerms',
  'achReceivedStatuses',
  'approvalTexts',
  'saleTypes',
] as const satisfies ReadonlyArray<keyof MatchConfig>;

type Terms = NonNullable<MatchConfig['defaultTerms']>;

/** 200 basis points → "2"; 250 → "2.5". */
export function percentOfBasisPoints(bp: number): string {
  return String(bp / 100);
}

function termsDraft(t: Terms | null): TermsDraft {
  return t ? { percent: percentOfBasisPoints(t.discountBasisPoints), discountDays: String(t.discountDays), netDays: String(t.netDays) } : { percent: '2', discountDays: '10', netDays: '30' };
}

export function draftFrom(c: MatchConfig): RulesDraft {
  return {
    shortPay: c.shortPay,
    shortPayAutoMaxPercent: String(c.shortPayAutoMaxPercent),
    partialRefundPosting: c.partialRefundPosting,
    autoWithoutReference: c.autoWithoutReference,
    autoDiscount: c.autoDiscount,
    discountGraceDays: String(c.discountGraceDays),
    defaultTermsOn: c.defaultTerms !== null,
    defaultTerms: termsDraft(c.defaultTerms),
    customerTerms: Object.entries(c.customerTerms)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([customer, t]) => ({ customer, ...termsDraft(t) })),
    achReceivedStatuses: c.achReceivedStatuses.join(', '),
    approvalTexts: c.approvalTexts.join(', '),
    saleTypes: c.saleTypes.join(', '),
  };
}

/** How PayTrace texts are compared (shared/payment-verdict.ts canonicalText): spaces collapsed, upper case. */
export function canonicalList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    const v = part.trim().replace(/\s+/g, ' ').toUpperCase();
    if (v !== '' && !out.includes(v)) out.push(v);
  }
  return out;
}

const MAX_DAYS = 3650;

function days(label: string, text: string, errors: string[]): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) {
    errors.push(`${label}: "${text}" is not a whole number of days (e.g. 10).`);
    return 0;
  }
  const n = Number(t);
  if (n > MAX_DAYS) errors.push(`${label}: at most ${MAX_DAYS} days.`);
  return n;
}

function percent(label: string, text: string, errors: string[], decimals: number | null): number {
  const t = text.trim().replace(/%$/, '').trim();
  const shape = decimals === null ? /^\d+(\.\d+)?$/ : new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`);
  if (!shape.test(t)) {
    errors.push(`${label}: "${text}" is not a percentage${decimals !== null ? ` with at most ${decimals} decimals` : ''} (e.g. 2.5).`);
    return 0;
  }
  const n = Number(t);
  if (n > 100) errors.push(`${label}: at most 100%.`);
  return n;
}

function terms(label: string, d: TermsDraft, errors: string[]): Terms {
  const before = errors.length;
  const pct = percent(`${label} discount`, d.percent, errors, 2);
  const discountDays = days(`${label} discount days`, d.discountDays, errors);
  const netDays = days(`${label} net days`, d.netDays, errors);
  if (errors.length === before && netDays < discountDays) errors.push(`${label}: net days (${netDays}) must be at least the discount days (${discountDays}).`);
  return { discountBasisPoints: Math.round(pct * 100), discountDays, netDays };
}

function list(label: string, text: string, errors: string[]): string[] {
  const values = canonicalList(text);
  if (values.length === 0) errors.push(`${label}: give at least one, separated by commas.`);
  return values;
}

export type Checked = Readonly<{ ok: true; rules: MatchConfigOverride } | { ok: false; errors: readonly string[] }>;

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Checks the draft and builds the rules to store: `stored` with each form field set, or removed when it equals the default. */
export function rulesFrom(draft: RulesDraft, defaults: MatchConfig, stored: MatchConfigOverride): Checked {
  const errors: string[] = [];
  const customerTerms: Record<string, Terms> = {};
  draft.customerTerms.forEach((row, i) => {
    const id = row.customer.trim();
    const label = `Customer terms row ${i + 1}${id ? ` (${id})` : ''}`;
    if (id === '') errors.push(`${label}: enter the ERP customer id.`);
    else if (customerTerms[id]) errors.push(`${label}: customer ${id} is listed twice.`);
    const t = terms(label, row, errors);
    if (id !== '') customerTerms[id] = t;
  });
  const values: Pick<MatchConfig, (typeof FORM_KEYS)[number]> = {
    shortPay: draft.shortPay,
    shortPayAutoMaxPercent: percent('Automatic short pay limit', draft.shortPayAutoMaxPercent, errors, null),
    partialRefundPosting: draft.partialRefundPosting,
    autoWithoutReference: draft.autoWithoutReference,
    autoDiscount: draft.autoDiscount,
    discountGraceDays: days('Discount grace days', draft.discountGraceDays, errors),
    defaultTerms: draft.defaultTermsOn ? terms('Default terms', draft.defaultTerms, errors) : null,
    customerTerms,
    achReceivedStatuses: list('ACH statuses that count as received', draft.achReceivedStatuses, errors),
    approvalTexts: list('Approval texts that count as approved', draft.approvalTexts, errors),
    saleTypes: list('Transaction types that are receipts', draft.saleTypes, errors),
  };
  if (errors.length > 0) return { ok: false, errors };
  const rules: Record<string, unknown> = { ...stored };
  for (const key of FORM_KEYS) {
    if (sameValue(values[key], defaults[key])) delete rules[key];
    else rules[key] = values[key];
  }
  return { ok: true, rules: rules as MatchConfigOverride };
}

/** The form fields whose stored value differs from the default (shown as "changed"). */
export function changedKeys(rules: MatchConfigOverride): ReadonlySet<string> {
  return new Set(Object.keys(rules));
}

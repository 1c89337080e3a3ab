import { containsCardNumber } from './card-numbers';
import { ACH_STATUS_FIELDS } from './payment-verdict';
import { ORIGINAL_ID_FIELDS } from './refund-links';

// What Tieout keeps of a PayTrace export row (paytrace_transactions.raw_json,
// paytrace_rejects.raw_json, the detail panel's "PayTrace fields"): an explicit
// allow-list of the fields of reference §5.2 (docs: /shared/reference/paytrace-api.md)
// that reconciliation reads or a clerk needs to see. Everything else is dropped,
// including fields PayTrace may add later: the card's expiry date, a full card
// or bank account number, the CVV/CSC, track data, discretionary data. Only
// PayTrace's own mask of the card or account is kept, and only if it is a mask.

type Row = Record<string, unknown>;

/** Plain values (text, numbers, booleans, null) kept as PayTrace sent them. */
const TOP_LEVEL = new Set<string>([
  'transaction_id',
  'transaction_type',
  'amount',
  'tax_amount',
  'description',
  'invoice_id',
  'customer_reference_id',
  'customer_id',
  'email',
  'receipt_emailed_to',
  'approval_code',
  'approval_message',
  'avs_response',
  'csc_response',
  'status_code',
  'status_message',
  'response_code',
  'settled',
  'external_transaction_id',
  'batch_number',
  'check_transaction_id',
  // The matcher reads these (shared/payment-verdict.ts, shared/refund-links.ts).
  ...ACH_STATUS_FIELDS.filter((path) => path.length === 1).map((path) => path[0]!),
  ...ORIGINAL_ID_FIELDS,
]);

const ADDRESS = ['name', 'street_address', 'street_address2', 'city', 'county', 'state', 'zip', 'country'];

/** Nested objects: which of their plain values are kept. */
const NESTED: Readonly<Record<string, readonly string[]>> = {
  // Not expiration_month / expiration_year, not number.
  credit_card: ['masked_number'],
  // Not account_number or routing_number.
  check: ['masked_account_number', ...ACH_STATUS_FIELDS.filter((path) => path.length === 2 && path[0] === 'check').map((path) => path[1]!)],
  created: ['through', 'at', 'by'],
  billing_address: ADDRESS,
  shipping_address: ADDRESS,
};

/** Fields meant to carry PayTrace's mask: kept only while they do not hold a whole card or account number. */
const MASKED = new Set(['masked_number', 'masked_account_number']);

const isRecord = (v: unknown): v is Row => v !== null && typeof v === 'object' && !Array.isArray(v);
const isPlain = (v: unknown): boolean => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function keptValue(field: string, value: unknown): unknown {
  if (!isPlain(value)) return undefined;
  if (MASKED.has(field) && typeof value === 'string' && (containsCardNumber(value) || /\d{9,}/.test(value.replace(/[\s-]/g, '')))) return undefined;
  return value;
}

/** The allow-listed subset of an export row; a row that is not an object keeps nothing. */
export function keptPayTraceFields(raw: unknown): Row {
  const kept: Row = {};
  if (!isRecord(raw)) return kept;
  for (const [field, value] of Object.entries(raw)) {
    if (TOP_LEVEL.has(field)) {
      const v = keptValue(field, value);
      if (v !== undefined) kept[field] = v;
      continue;
    }
    // Own keys only: a field named "constructor" or "__proto__" must not reach Object.prototype.
    const allowed = Object.hasOwn(NESTED, field) ? NESTED[field] : undefined;
    if (!allowed || !isRecord(value)) continue;
    const inner: Row = {};
    for (const key of allowed) {
      const v = keptValue(key, value[key]);
      if (v !== undefined) inner[key] = v;
    }
    kept[field] = inner;
  }
  return kept;
}

/** A masked card or account as PayTrace sends it, or "" when the text holds more than a mask. */
export function keptMask(masked: string): string {
  return keptValue('masked_number', masked) === undefined ? '' : masked;
}

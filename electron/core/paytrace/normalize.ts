import type { PaymentMethod, PayTraceTransaction } from '@shared/domain';
import { parseDecimalToCents, type Cents, type CurrencyCode } from '@shared/money';
import { keptMask, keptPayTraceFields } from '@shared/paytrace-kept-fields';
import { DEFAULT_MERCHANT_ZONE, parseOptionalPayTraceTimestamp, parsePayTraceTimestamp } from '@shared/paytrace-time';
import { containsCardNumber } from '@shared/card-numbers';

// Export row (§5.2 of the reference) → PayTraceTransaction. Every field is
// read defensively: a bad row yields an error naming the field and the
// transaction id, and the caller keeps the row (its allow-listed fields, shared/paytrace-kept-fields.ts).

export type NormalizeOptions = Readonly<{
  /** Merchant zone for the zone-less timestamps. */
  zone?: string;
  currency?: CurrencyCode;
  /** The reply that carried the row was itself a decline (response_code 102). */
  declinedByResponse?: boolean;
}>;

export type NormalizeResult = { ok: true; value: PayTraceTransaction } | { ok: false; error: string };

class FieldError extends Error {}

type Row = Record<string, unknown>;

function isRecord(v: unknown): v is Row {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Optional text field: missing/null → "", numbers → their digits, anything else is an error. */
function text(row: Row, field: string, path = field): string {
  const v = row[field];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new FieldError(`${path} is not text (${JSON.stringify(v)})`);
}

function nested(row: Row, field: string): Row | null {
  const v = row[field];
  if (v === undefined || v === null || v === '') return null;
  if (!isRecord(v)) throw new FieldError(`${field} is not an object (${JSON.stringify(v)})`);
  return v;
}

function readTransactionId(row: Row): number {
  const v = row.transaction_id;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
    throw new FieldError(`transaction_id is missing or not a positive integer (${JSON.stringify(v)})`);
  }
  return n;
}

function amount(row: Row, field: string): Cents {
  try {
    return parseDecimalToCents(row[field]);
  } catch (e) {
    throw new FieldError(`${field}: ${(e as Error).message}`);
  }
}

function optionalAmount(row: Row, field: string): Cents | null {
  const v = row[field];
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return null;
  return amount(row, field);
}

function timestamp(value: unknown, field: string, zone: string, optional: boolean): string | null {
  try {
    return optional ? parseOptionalPayTraceTimestamp(value, zone) : parsePayTraceTimestamp(value, zone);
  } catch (e) {
    throw new FieldError(`${field}: ${(e as Error).message}`);
  }
}

// Check rows: no export for checks is documented (reference §6), so any of these
// field names marks a row as ACH. The sandbox emits `check`.
const CHECK_FIELDS = ['check', 'check_transaction_id', 'account_number', 'routing_number', 'ach_code'] as const;

function paymentMethodOf(row: Row, card: Row | null): PaymentMethod {
  const hasCheckFields = CHECK_FIELDS.some((f) => row[f] !== undefined && row[f] !== null && row[f] !== '');
  if (hasCheckFields) return 'ach';
  return card === null ? 'ach' : 'card';
}

function maskedAccount(row: Row): string {
  const check = isRecord(row.check) ? row.check : null;
  if (!check) return '';
  const v = check.masked_account_number ?? check.account_number;
  return typeof v === 'string' ? v : '';
}

export function isDeclineMessage(approvalCode: string, approvalMessage: string): boolean {
  return approvalCode.trim() === '' && /DECLINE/i.test(approvalMessage);
}

/** PayTrace's mask only: a reply carrying a full card number there is not a shape we accept (fuzz finding). */
function masked(value: string, field: string): string {
  if (containsCardNumber(value)) throw new FieldError(`${field} holds an unmasked card number`);
  return value;
}

function transactionIdFor(raw: unknown): string {
  if (!isRecord(raw)) return '(unknown id)';
  const v = raw.transaction_id;
  return typeof v === 'number' || typeof v === 'string' ? String(v) : '(unknown id)';
}

export function normalizeExportRow(raw: unknown, options: NormalizeOptions = {}): NormalizeResult {
  const zone = options.zone ?? DEFAULT_MERCHANT_ZONE;
  if (!isRecord(raw)) return { ok: false, error: `PayTrace export row is not an object (${JSON.stringify(raw)?.slice(0, 80)})` };
  try {
    const transactionId = readTransactionId(raw);
    const type = text(raw, 'transaction_type').trim().toUpperCase();
    if (type === '') throw new FieldError('transaction_type is missing');
    const created = nested(raw, 'created');
    if (!created) throw new FieldError('created is missing');
    const createdAt = timestamp(created.at, 'created.at', zone, false)!;
    const settledAt = timestamp(raw.settled, 'settled', zone, true);
    const card = nested(raw, 'credit_card');
    const billing = nested(raw, 'billing_address');
    const approvalCode = text(raw, 'approval_code').trim();
    const approvalMessage = text(raw, 'approval_message').trim();
    const method = paymentMethodOf(raw, card);
    const value: PayTraceTransaction = {
      transactionId,
      type,
      amountCents: amount(raw, 'amount'),
      currency: options.currency ?? 'USD',
      taxCents: optionalAmount(raw, 'tax_amount'),
      createdAt,
      settledAt,
      declined: options.declinedByResponse === true || type === 'DECLINED' || isDeclineMessage(approvalCode, approvalMessage),
      approvalCode,
      approvalMessage,
      invoiceId: text(raw, 'invoice_id').trim(),
      description: text(raw, 'description').trim(),
      customerReferenceId: text(raw, 'customer_reference_id').trim(),
      customerId: text(raw, 'customer_id').trim(),
      billingName: billing ? text(billing, 'name', 'billing_address.name').trim() : '',
      email: (text(raw, 'email') || text(raw, 'receipt_emailed_to')).trim(),
      maskedCard: keptMask(card ? masked(text(card, 'masked_number', 'credit_card.masked_number').trim(), 'credit_card.masked_number') : maskedAccount(raw)),
      method,
      // Only the allow-listed fields travel on (no expiry date, no full card or account number).
      raw: keptPayTraceFields(raw),
    };
    return { ok: true, value };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: `PayTrace transaction ${transactionIdFor(raw)}: ${e.message}` };
    throw e;
  }
}

// Raw PayTrace export rows, shaped exactly like the rows of
// /v1/transactions/export/by_date_range (reference §5.2): nested credit_card,
// billing/shipping address, created{through,at,by,from_ip}, `settled` as "" or a
// zone-less "M/D/YYYY h:mm:ss AM/PM", amount as a number or a string, tax_amount
// as a string, approval texts with PayTrace's leading and double spaces. Nothing
// here knows the matching engine.

export type RawAddress = {
  name: string;
  street_address: string;
  street_address2: string;
  city: string;
  county?: string;
  state: string;
  zip: string;
  country: string;
};

export type RawExportRow = {
  transaction_id: number;
  credit_card?: { masked_number: string; expiration_month: number; expiration_year: number };
  /** ACH rows: no export is documented (§6); the sandbox emits a `check` object. */
  check?: { masked_account_number: string; account_type: string; status?: string };
  transaction_type: string;
  description: string;
  amount: number | string;
  invoice_id: string;
  shipping_address: RawAddress;
  billing_address: RawAddress;
  receipt_emailed_to: string;
  tax_amount: string;
  customer_reference_id: string;
  approval_code: string;
  approval_message: string;
  avs_response: string;
  csc_response: string;
  status_code: string;
  status_message: string;
  created: { through: string; at: string; by: string; from_ip: string };
  settled: string;
  customer_id: string;
};

/** Approval texts as PayTrace sends them (§4, §5.2): "<AVS result> - Approved and completed", spaces and all. */
export const APPROVAL_MESSAGES = [
  'EXACT MATCH - Approved and completed',
  '  NO  MATCH - Approved and completed',
  '  ZIP MATCH - Approved and completed',
  'ADDRESS MATCH - Approved and completed',
  '  NOT CHECKED - Approved and completed',
  'APPROVED',
] as const;

/**
 * Issuer decline texts with approval_code "". The first two are from the
 * reference (§4); the rest are real issuer response texts that do not contain
 * DECLINE; the last group is texts nobody has catalogued.
 */
export const DECLINE_MESSAGES = [
  '    DECLINE - Do not honor',
  '  EXPIRED CARD - Expired card',
  'NSF - Insufficient funds',
  'CALL - Call issuer',
  'PICK UP - Pick up card',
  'INVALID CARD NUMBER',
  'INVALID AMOUNT',
  'RESTRICTED CARD',
  'LOST CARD',
  'STOLEN CARD',
  'CVV2 MISMATCH',
  'SERV NOT ALLOWED',
  'EXCEEDS LIMIT',
  '  EXCEEDS WITHDRAWAL LIMIT - Exceeds withdrawal amount limit',
  '  INVALID MERCHANT - Invalid merchant',
  '  RE ENTER - Re-enter transaction',
  '  HOLD-CALL - Pick up card, special conditions',
  '  NO SUCH ISSUER - No such issuer',
  'TRY AGAIN LATER',
  'ISSUER UNAVAILABLE',
  'SUSPECTED FRAUD',
  'TRAN NOT PERMITTED',
  'SECURITY VIOLATION',
  '  AVS  MISMATCH - Address verification failed',
  '', // no text at all: approval_code "" is the only evidence
] as const;

/** An approval code is present, but the text is not an approval anybody catalogued. */
export const UNFAMILIAR_WITH_CODE = [
  '  PARTIAL APPROVAL - Partially approved',
  '  REFERRAL - Call issuer',
  '  NOT APPROVED - Transaction not approved',
  'HOLD - Review',
  'UNKNOWN RESPONSE 91',
] as const;

/** Transaction types that are not a received card sale under default rules (§5.2 filter values plus unknown ones). */
export const NON_RECEIPT_TYPES = ['AUTHORIZATION', 'STR/FWD', 'PENDING', 'SETTLED', 'FORCE', 'CAPTURE', ''] as const;

/** ACH check statuses: only "Processed"/"Settled" mean the money arrived. "" = the row carries no status. */
export const ACH_RECEIVED_STATUSES = ['Processed', 'Settled'] as const;
export const ACH_UNCONFIRMED_STATUSES = ['Pending', 'Returned', 'Rejected', 'NSF', 'Hold', ''] as const;

const THROUGH = ['API', 'Virtual Terminal', 'Customer Portal', 'Recurring Billing'] as const;

/** "6/2/2025 4:06:30 PM" for a wall-clock time (no zone: PayTrace's local time). */
export function payTraceStamp(year: number, month: number, day: number, minuteOfDay: number, second = 0): string {
  const h24 = Math.floor(minuteOfDay / 60) % 24;
  const m = minuteOfDay % 60;
  const ampm = h24 < 12 ? 'AM' : 'PM';
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  return `${month}/${day}/${year} ${h12}:${String(m).padStart(2, '0')}:${String(second).padStart(2, '0')} ${ampm}`;
}

/** Dollars as PayTrace exports them: a number (110, 51.88) or a string ("51.88"). */
export function payTraceAmount(cents: number, asString: boolean): number | string {
  const text = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
  return asString ? text : Number(text);
}

export function emptyAddress(): RawAddress {
  return { name: '', street_address: '', street_address2: '', city: '', county: '', state: '', zip: '', country: 'US' };
}

export type RowParts = {
  transactionId: number;
  type: string;
  amountCents: number;
  amountAsString: boolean;
  invoiceId: string;
  customerReferenceId: string;
  description: string;
  customerId: string;
  billingName: string;
  /** card: "************5454"; ach: masked account "****6789" */
  method: 'card' | 'ach';
  masked: string;
  achStatus?: string;
  approvalCode: string;
  approvalMessage: string;
  createdAt: string;
  settled: string;
  variant: number;
};

export function buildRow(p: RowParts): RawExportRow {
  const approved = p.approvalCode !== '';
  const row: RawExportRow = {
    transaction_id: p.transactionId,
    transaction_type: p.type,
    description: p.description,
    amount: payTraceAmount(p.amountCents, p.amountAsString),
    invoice_id: p.invoiceId,
    shipping_address: { ...emptyAddress(), zip: p.variant % 3 === 0 ? '99201' : '' },
    billing_address: {
      name: p.billingName,
      street_address: `${100 + (p.variant % 900)} E. Sprague Ave`,
      street_address2: '',
      city: 'Spokane',
      county: '',
      state: 'WA',
      zip: '99202',
      country: 'US',
    },
    receipt_emailed_to: p.variant % 4 === 0 ? 'ap@example.com' : '',
    tax_amount: p.variant % 5 === 0 ? '0.00' : '',
    customer_reference_id: p.customerReferenceId,
    approval_code: p.approvalCode,
    approval_message: p.approvalMessage,
    avs_response: approved ? (p.variant % 2 === 0 ? 'Full Exact Match' : 'No Match') : '',
    csc_response: approved ? (p.variant % 3 === 0 ? 'Match' : '') : '',
    status_code: approved ? `GB${500 + (p.variant % 90)}` : '',
    status_message: approved ? `GB${500 + (p.variant % 90)}` : p.approvalMessage.trim(),
    created: { through: THROUGH[p.variant % THROUGH.length]!, at: p.createdAt, by: 'ar_clerk1', from_ip: '64.106.246.164' },
    settled: p.settled,
    customer_id: p.customerId,
  };
  if (p.method === 'card') {
    row.credit_card = { masked_number: p.masked, expiration_month: 1 + (p.variant % 12), expiration_year: 26 + (p.variant % 4) };
  } else {
    row.check = { masked_account_number: p.masked, account_type: p.variant % 2 === 0 ? 'Checking' : 'Savings' };
    if (p.achStatus !== undefined && p.achStatus !== '') row.check.status = p.achStatus;
  }
  return row;
}

import type { PayTraceTransaction } from './domain';

// Did money arrive? One rule, used wherever a payment's state is judged:
// matching, the posting preflight, refunds, offline re-validation and hand-off
// import. It answers yes only on positive evidence from PayTrace:
// - a card sale: a transaction type the site counts as a receipt, a non-empty
//   approval_code, and an approval text Tieout recognises as an approval (or
//   none at all: the code is the evidence);
// - an ACH (check) sale: the check's own status says processed or settled.
// Everything else is "not received", with the reason in the clerk's words.
// A list of decline texts is not the rule: PayTrace answers texts nobody has
// catalogued ("NSF - Insufficient funds", "PICK UP", ...), and an unfamiliar
// text must never count as money. docs/paytrace.md lists the texts seen.

export type NotReceivedCode = 'declined' | 'not_approved' | 'voided' | 'refund' | 'not_a_sale';

export type PaymentVerdict = Readonly<{ received: true }> | Readonly<{ received: false; code: NotReceivedCode; reason: string }>;

export type PaymentVerdictRules = Readonly<{
  /** transaction_type values that are receipts (upper case). Default SALE only. */
  saleTypes: readonly string[];
  /**
   * Endings of approval_message that mean approved, upper case with single
   * spaces. PayTrace's approvals read "<AVS result> - Approved and completed".
   */
  approvalTexts: readonly string[];
  /** ACH check statuses (upper case) that mean the money was collected. Unconfirmed: see docs/paytrace.md. */
  achReceivedStatuses: readonly string[];
}>;

export const DEFAULT_VERDICT_RULES: PaymentVerdictRules = {
  saleTypes: ['SALE'],
  approvalTexts: ['APPROVED AND COMPLETED', 'APPROVED'],
  achReceivedStatuses: ['PROCESSED', 'SETTLED', 'FUNDED'],
};

/** Texts that contradict an approval even when they end like one ("NOT APPROVED"). */
const CONTRADICTIONS = /\bNOT\s+APPROVED\b|\bDECLIN|\bREFERRAL\b|\bPARTIAL\b/;

const CANONICAL_CACHE_MAX = 4096;
const canonicalCache = new Map<string, string>();

/** "  NO  MATCH - Approved and completed " → "NO MATCH - APPROVED AND COMPLETED". */
export function canonicalText(text: string): string {
  // Approval texts and types repeat across a day's payments: fold each once.
  let folded = canonicalCache.get(text);
  if (folded === undefined) {
    folded = text.trim().replace(/\s+/g, ' ').toUpperCase();
    if (canonicalCache.size >= CANONICAL_CACHE_MAX) canonicalCache.clear();
    canonicalCache.set(text, folded);
  }
  return folded;
}

/** Where a check's status may stand in an export row (no public sample exists; docs/paytrace.md). */
export const ACH_STATUS_FIELDS: ReadonlyArray<readonly string[]> = [
  ['check', 'status'],
  ['check', 'ach_status'],
  ['check', 'status_message'],
  ['ach_status'],
  ['check_status'],
];

/** The check's own status text, "" when the row carries none. */
export function achStatusOf(raw: unknown): string {
  for (const path of ACH_STATUS_FIELDS) {
    let v: unknown = raw;
    for (const key of path) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return '';
}

function notReceived(code: NotReceivedCode, reason: string): PaymentVerdict {
  return { received: false, code, reason };
}

/** Shared: a day of payments is mostly received ones, and each needs no object of its own. */
const RECEIVED: PaymentVerdict = Object.freeze({ received: true });

export function paymentVerdict(t: PayTraceTransaction, rules: PaymentVerdictRules = DEFAULT_VERDICT_RULES): PaymentVerdict {
  const type = canonicalText(t.type);
  const message = canonicalText(t.approvalMessage);
  const shownMessage = t.approvalMessage.trim().replace(/\s+/g, ' ');
  if (type === 'DECLINED' || t.declined) return notReceived('declined', `Declined${shownMessage ? ` ("${shownMessage}")` : ''}: no money moved`);
  if (type === 'VOID') return notReceived('voided', 'Voided in PayTrace: no money moved');
  if (type === 'REFUND') return notReceived('refund', 'A refund: money went back to the customer, not a receipt');
  if (!rules.saleTypes.some((s) => canonicalText(s) === type)) {
    return notReceived('not_a_sale', type === '' ? 'PayTrace sent no transaction type: not counted as a receipt' : `Transaction type ${type} is not one Tieout counts as a receipt`);
  }
  if (t.method === 'ach') {
    const status = achStatusOf(t.raw);
    if (status === '') return notReceived('not_approved', 'ACH payment with no processed or settled status from PayTrace: not yet money received');
    if (!rules.achReceivedStatuses.includes(canonicalText(status))) {
      return notReceived('not_approved', `ACH payment status "${status}" does not say processed or settled: not counted as money received`);
    }
    return RECEIVED;
  }
  if (t.approvalCode.trim() === '') {
    return notReceived('declined', `Not approved: PayTrace gave no approval code${shownMessage ? ` ("${shownMessage}")` : ''}: no money moved`);
  }
  if (message !== '' && (CONTRADICTIONS.test(message) || !rules.approvalTexts.some((a) => message === a || message.endsWith(` ${a}`)))) {
    return notReceived('not_approved', `Approval text "${shownMessage}" is not one Tieout recognises as approved: check it in PayTrace before applying it`);
  }
  return RECEIVED;
}

export function isReceived(t: PayTraceTransaction, rules?: PaymentVerdictRules): boolean {
  return paymentVerdict(t, rules).received;
}

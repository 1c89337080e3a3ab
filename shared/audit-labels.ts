import type { AuditEntry } from './domain';
import { CONTROL_KINDS, type ControlKind } from './api/controls';
import { CONFLICT_ACTIONS } from './api/offline';
import { REFUND_CONFLICT_ACTIONS } from './api/refunds';
import { formatMoney, type CurrencyCode } from './money';

// Every audit action code the engine writes, in words a clerk reads in the
// history ("Allocation changed by ann: 1004501 $500.00"), never the code
// itself ("Match allocate"). test/unit/audit-labels.test.ts scans the engine's
// source for the codes it writes, so a new code without a label fails there.

/** The credential checks that audit `<check>.refused` and `<check>.failed` (electron/core/auth/auth-service.ts). */
export const CREDENTIAL_CHECKS = ['auth.sign_in', 'auth.confirm', 'auth.totp_begin', 'auth.totp_disable', 'auth.change_password'] as const;
/** The policies audited as `<name>.policy` (electron/core/approval/policy-change.ts). */
export const AUDITED_POLICIES = ['controls', 'refunds'] as const;

const CHECK_WORDS: Record<(typeof CREDENTIAL_CHECKS)[number], string> = {
  'auth.sign_in': 'Sign-in',
  'auth.confirm': 'Password confirmation',
  'auth.totp_begin': 'Two-step setup',
  'auth.totp_disable': 'Turning off two-step sign-in',
  'auth.change_password': 'Password change',
};
const CONTROL_WORDS: Record<ControlKind, string> = { write_off: 'Write-off', override: 'Tolerance override', reversal: 'Receipt reversal' };
const CONFLICT_WORDS: Record<(typeof CONFLICT_ACTIONS)[number], string> = {
  rematch: 'Conflict resolved: matched again',
  reallocate: 'Conflict resolved: allocation changed',
  discard: 'Conflict resolved: posting discarded',
};
const REFUND_CONFLICT_WORDS: Record<(typeof REFUND_CONFLICT_ACTIONS)[number], string> = {
  reduce: 'Refund conflict resolved: credit memo reduced',
  discard: 'Refund conflict resolved: credit memo discarded',
};

const FIXED: Record<string, string> = {
  'auth.sign_in': 'Signed in',
  'auth.sign_out': 'Signed out',
  'user.create': 'User created',
  'user.set_role': 'Role changed',
  'user.totp_enrol': 'Two-step sign-in turned on',
  'user.totp_remove': 'Two-step sign-in turned off',
  'user.change_password': 'Password changed',
  'user.reset_password': 'Password reset',
  'user.seed_demo': 'Demo users created',
  'policy.sign_in': 'Sign-in policy changed',
  'workspace.created': 'Team workspace created',
  'workspace.migrated': 'Data moved to a team workspace',
  'workspace.join_code_issued': 'Workspace join code issued',
  'workspace.joined': 'Workstation joined the workspace',
  'review.undo': 'Undone',
  'match.bulk_assign': 'Owner set for several payments',
  'match.bulk_exception': 'Several payments marked as exceptions',
  'match.bulk_exclude': 'Several payments excluded (not AR cash)',
  'match.bulk_include': 'Several payments included again',
  'match.exclude': 'Excluded from AR (not a customer payment)',
  'match.include': 'Included again as AR cash',
  'audit.keyed': 'Audit trail sealed with the keychain key',
  'audit.head_mismatch': 'Audit trail found shorter than its last seal',
  'diagnostics.save': 'Diagnostics saved',
  'settings.save': 'Settings saved',
  'settings.matching': 'Matching rules changed',
  'credentials.set': 'Credentials saved',
  'credentials.clear': 'Credentials removed',
  'erp_mapping.save': 'ERP payment mapping saved',
  'receipt.posted': 'Cash receipt posted to the ERP',
  'receipt.reversed': 'Cash receipt reversed in the ERP',
  'reversal.failed': 'Receipt reversal failed',
  'reversal.retry': 'Receipt reversal will be retried',
  'credit_memo.recorded': 'Credit memo queued',
  'credit_memo.posted': 'Credit memo posted to the ERP',
  'posting.failed': 'Posting failed',
  'posting.conflict': 'Posting stopped: the ERP changed',
  'posting.retry': 'Posting retried',
  'posting.mark_posted': 'Marked as posted',
  'posting.discard': 'Failed posting discarded',
  'refund.requested': 'Refund requested',
  'refund.approved': 'Refund approved',
  'refund.rejected': 'Refund rejected',
  'refund.executed': 'Refund carried out',
  'refund.failed': 'Refund failed',
  'refund.conflict': 'Refund stopped: the sale changed',
  'refund.linked': 'Refund linked to a sale',
  'refund.unlinked': 'Refund unlinked from its sale',
  'sync.completed': 'Sync completed',
  'handoff.export': 'Exceptions taken offline',
  'handoff.open': 'Hand-off file opened',
  'handoff.decide': 'Hand-off decision made',
  'handoff.export_decisions': 'Hand-off decisions exported',
  'handoff.import_decisions': 'Hand-off decisions imported',
  'match.approve': 'Approved',
  'match.allocate': 'Allocation changed',
  'match.note': 'Note changed',
  'match.assign': 'Owner changed',
  'match.exception_reason': 'Exception reason set',
  'offline.replay': 'Offline decision applied',
  'offline.discard': 'Offline decision discarded',
  'catchup.conflict': 'Found changed while offline',
  'change.proposed': 'Change proposed',
  'change.approved': 'Change approved',
  'change.rejected': 'Change rejected',
};

function buildLabels(): ReadonlyMap<string, string> {
  const labels = new Map(Object.entries(FIXED));
  for (const check of CREDENTIAL_CHECKS) {
    labels.set(`${check}.refused`, `${CHECK_WORDS[check]} refused (too many attempts)`);
    labels.set(`${check}.failed`, `${CHECK_WORDS[check]} failed`);
  }
  for (const kind of CONTROL_KINDS) {
    labels.set(`control.${kind}.requested`, `${CONTROL_WORDS[kind]} requested`);
    labels.set(`control.${kind}.approved`, `${CONTROL_WORDS[kind]} approved`);
    labels.set(`control.${kind}.rejected`, `${CONTROL_WORDS[kind]} rejected`);
  }
  for (const a of CONFLICT_ACTIONS) labels.set(`conflict.${a}`, CONFLICT_WORDS[a]);
  for (const a of REFUND_CONFLICT_ACTIONS) labels.set(`refund.conflict.${a}`, REFUND_CONFLICT_WORDS[a]);
  for (const p of AUDITED_POLICIES) labels.set(`${p}.policy`, `${p === 'controls' ? 'Write-off and override' : 'Refund'} limits changed`);
  return labels;
}

export const AUDIT_ACTION_LABELS: ReadonlyMap<string, string> = buildLabels();

/** The action in words; an unknown code (a newer engine's) still reads as words, never as dotted code. */
export function auditActionLabel(action: string): string {
  const known = AUDIT_ACTION_LABELS.get(action);
  if (known) return known;
  const words = action.replace(/[_.:-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function allocationList(v: unknown, currency: CurrencyCode): string | null {
  if (!Array.isArray(v)) return null;
  if (v.length === 0) return 'no invoices';
  const parts = v.map((a) => {
    const r = rec(a);
    const amount = num(r.amountCents);
    return `${str(r.invoiceNo) ?? '?'}${amount === null ? '' : ` ${formatMoney(amount, currency)}`}`;
  });
  return parts.join(', ');
}

const words = (code: unknown): string | null => {
  const s = str(code);
  return s ? s.replace(/_/g, ' ').toLowerCase() : null;
};

/** What the entry's payload adds to the sentence (the allocation, the ERP document, the reason…), if anything. */
function detail(e: AuditEntry, currency: CurrencyCode): string | null {
  const after = rec(e.after);
  const before = rec(e.before);
  const money = (v: unknown): string | null => {
    const n = num(v);
    return n === null ? null : formatMoney(n, str(after.currency) ?? currency);
  };
  const doc = (v: unknown): string | null => (str(v) ? `ERP document ${str(v)}` : null);
  switch (e.action) {
    case 'match.allocate':
    case 'match.approve':
      return allocationList(after.allocations, currency);
    case 'match.note':
      return str(after.note) ? `“${str(after.note)}”` : 'note removed';
    case 'match.assign':
      return str(after.owner) ? `to ${str(after.owner)}` : 'nobody';
    case 'match.exception_reason':
      return words(after.reason);
    case 'receipt.posted':
    case 'credit_memo.posted':
    case 'receipt.reversed':
      return doc(after.erpDocumentId);
    case 'posting.mark_posted':
      return doc(after.erpDocumentId) ? `${doc(after.erpDocumentId)}, entered in the ERP by hand` : 'entered in the ERP by hand';
    case 'posting.failed':
    case 'refund.failed':
    case 'reversal.failed':
      return str(after.error);
    case 'posting.conflict':
      return str(after.reason);
    case 'posting.retry':
      return str(before.error) ? `after “${str(before.error)}”` : null;
    case 'credit_memo.recorded':
      return money(after.amountCents);
    case 'refund.linked':
      return num(after.saleId) === null ? null : `sale ${num(after.saleId)}`;
    case 'review.undo':
      return str(after.undone);
    case 'catchup.conflict':
      return Array.isArray(after.details) ? after.details.filter((d): d is string => typeof d === 'string').join('; ') || null : null;
    default:
      break;
  }
  if (e.action.startsWith('control.')) {
    if (e.action.endsWith('.requested')) return [money(after.amountCents), str(after.reasonCode) ?? str(after.reason)].filter(Boolean).join(', ') || null;
    if (e.action.endsWith('.approved')) return money(after.amountCents);
    if (e.action.endsWith('.rejected')) return str(after.reason);
  }
  if (e.action.startsWith('conflict.') && e.action === 'conflict.reallocate') return allocationList(after.allocations, currency);
  return null;
}

/** "Allocation changed by ann: 1004501 $500.00, 1004502 $120.00" — the history line for one audit entry. */
export function describeAuditEntry(e: AuditEntry, currency: CurrencyCode = 'USD'): string {
  const by = e.actor === 'system' ? ' by Tieout' : ` by ${e.actor}`;
  const more = detail(e, currency);
  return `${auditActionLabel(e.action)}${by}${more ? `: ${more}` : ''}`;
}

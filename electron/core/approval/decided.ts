import { DateTime } from 'luxon';
import type { ReadDb } from '../store/db';
import { decisionRecord } from '../store/queries/approvals';

// When a clerk acts on a payment someone else already decided (two
// workstations on one workspace, or two tabs), the refusal says who did what
// and when, and what the payment is now — never a bare "Already posted", and
// never the later action silently winning.

const NOW_LABEL: Readonly<Record<string, string>> = {
  approved: 'Approved, waiting to post',
  posted: 'Posted',
  failed: 'Failed to post (see Failed postings)',
  discarded: 'Discarded',
};

/** "Approved by ann at 10:02; it is Posted now" (the day too when it was not today, in the merchant's zone). */
export function alreadyDecidedMessage(db: ReadDb, transactionId: number, merchantZone: string, nowIso: string): string {
  const d = decisionRecord(db, transactionId);
  if (!d) return `Transaction ${transactionId} has not been matched yet`;
  const now = NOW_LABEL[d.reviewState] ?? d.reviewState;
  if (!d.decidedBy || !d.decidedAt) return `Already decided; it is ${now} now`;
  const at = DateTime.fromISO(d.decidedAt).setZone(merchantZone);
  const today = DateTime.fromISO(nowIso).setZone(merchantZone).hasSame(at, 'day');
  const when = at.isValid ? at.toFormat(today ? 'HH:mm' : 'yyyy-MM-dd HH:mm') : d.decidedAt;
  const verb = d.reviewState === 'discarded' ? 'Discarded' : 'Approved';
  return `${verb} by ${d.decidedBy} at ${when}; it is ${now} now`;
}

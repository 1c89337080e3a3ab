import type { InboxCounts, InboxItem, InboxKind, InboxList } from '@shared/api/inbox';
import { INBOX_KINDS } from '@shared/api/inbox';
import type { UserView } from '@shared/api/auth';
import { cents } from '@shared/money';
import type { Clock } from '../clock';
import type { ReadDb } from '../store/db';
import { openControls, openRefunds, type OpenRequestRow } from '../store/queries/inbox';
import { readRefundConflict } from '../store/queries/refund-conflicts';

// The approvals inbox: one queue of everything waiting for a supervisor,
// assembled from each kind's source. A new kind (issue 16's collections above a
// limit) is one more source and one more InboxItem member (shared/api/inbox.ts);
// the decisions stay with each kind's own four-eyes service.

/** Whose items a source lists: every open one, or only those this user asked for. */
type Scope = Readonly<{ requestedBy?: string; caller: string; now: number }>;

/** One kind's (or one table's) open items. */
export type InboxSource = (db: ReadDb, scope: Scope) => InboxItem[];

function base(row: OpenRequestRow, scope: Scope) {
  const asked = Date.parse(row.requested_at);
  return {
    transactionId: row.transaction_id,
    payer: row.payer ?? '',
    amountCents: cents(row.amount_cents),
    currency: row.currency,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    reason: row.note ? `${row.reason_code}: ${row.note}` : row.reason_code,
    ageMinutes: Number.isFinite(asked) ? Math.max(0, Math.floor((scope.now - asked) / 60_000)) : 0,
    mine: row.requested_by === scope.caller,
    needs: null,
  };
}

const refundSource: InboxSource = (db, scope) =>
  openRefunds(db, scope.requestedBy).map((row): InboxItem => {
    const conflict = row.state === 'approved' ? readRefundConflict(db, row.id) : null;
    if (conflict) return { ...base(row, scope), kind: 'refund_conflict', key: `refund:${row.id}`, refundId: row.id, detail: conflict.detail, choices: conflict.choices };
    return { ...base(row, scope), kind: 'refund', key: `refund:${row.id}`, refundId: row.id };
  });

const controlSource: InboxSource = (db, scope) =>
  openControls(db, scope.requestedBy).map((row): InboxItem => {
    const common = { ...base(row, scope), key: `control:${row.id}`, controlId: row.id };
    if (row.kind !== 'reversal') return { ...common, kind: row.kind };
    if (row.state === 'requested') return { ...common, kind: 'reversal', stage: 'approval', detail: null };
    const failed = row.state === 'failed' || row.reversal_state === 'dead';
    return { ...common, kind: 'reversal', stage: failed ? 'failed' : 'waiting', detail: row.reversal_error ?? row.last_error };
  });

const SOURCES: readonly InboxSource[] = [refundSource, controlSource];

export type InboxService = Readonly<{
  list(user: UserView): InboxList;
  counts(user: UserView): InboxCounts;
}>;

export type InboxOptions = Readonly<{
  db: ReadDb;
  clock: Clock;
  sources?: readonly InboxSource[];
  /** What approval an item needs, from the kind's own service (its limits and cumulative totals); the list only, not the counts. */
  needs?: (item: InboxItem) => string | null;
}>;

export function createInboxService(o: InboxOptions): InboxService {
  const sources = o.sources ?? SOURCES;
  const list = (user: UserView): InboxList => {
    // Clerks decide nothing: they follow their own requests until a supervisor does.
    const scope: InboxList['scope'] = user.role === 'clerk' ? 'mine' : 'all';
    const s: Scope = { caller: user.userName, now: o.clock.now(), ...(scope === 'mine' ? { requestedBy: user.userName } : {}) };
    // Oldest first across kinds: the longest wait is decided first.
    const items = sources.flatMap((source) => source(o.db, s)).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.key.localeCompare(b.key));
    return { scope, items };
  };
  return {
    list(user) {
      const { scope, items } = list(user);
      const needs = o.needs;
      return { scope, items: needs ? items.map((item) => ({ ...item, needs: needs(item) })) : items };
    },
    counts(user) {
      const { scope, items } = list(user);
      const byKind = Object.fromEntries(INBOX_KINDS.map((k) => [k, 0])) as Record<InboxKind, number>;
      for (const item of items) byKind[item.kind] += 1;
      return { total: items.length, byKind, refunds: byKind.refund + byKind.refund_conflict, scope };
    },
  };
}

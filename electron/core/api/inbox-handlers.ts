import type { InboxItem, inboxMethods } from '@shared/api/inbox';
import { createInboxService } from '../approval/inbox';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

// The approvals inbox reads what waits; each kind's decision stays with its own methods.

export function inboxHandlers(d: HandlerDeps): DomainHandlers<keyof typeof inboxMethods> {
  // What each item needs comes from its kind's own view (limits, cumulative totals), not a second copy of the rules.
  const needs = (item: InboxItem): string | null => {
    if (item.kind === 'refund') return d.refunds.get(item.refundId).approvalRule;
    if (item.kind === 'write_off' || item.kind === 'override' || (item.kind === 'reversal' && item.stage === 'approval')) {
      return d.controls.list(item.transactionId).find((c) => c.id === item.controlId)?.approvalRule ?? null;
    }
    return null;
  };
  const inbox = createInboxService({ db: d.db, clock: d.clock, needs });
  return {
    'inbox:list': (_args, ctx) => inbox.list(d.auth.requireUser(ctx)),
    'inbox:counts': (_args, ctx) => inbox.counts(d.auth.requireUser(ctx)),
  };
}

import type { inboxMethods } from '@shared/api/inbox';
import { createInboxService } from '../approval/inbox';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

// The approvals inbox reads what waits; each kind's decision stays with its own methods.

export function inboxHandlers(d: HandlerDeps): DomainHandlers<keyof typeof inboxMethods> {
  const inbox = createInboxService({ db: d.db, clock: d.clock });
  return {
    'inbox:list': (_args, ctx) => inbox.list(d.auth.requireUser(ctx)),
    'inbox:counts': (_args, ctx) => inbox.counts(d.auth.requireUser(ctx)),
  };
}

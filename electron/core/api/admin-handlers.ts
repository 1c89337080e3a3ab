import type { adminMethods } from '@shared/api/admin';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

export function adminHandlers(d: HandlerDeps): DomainHandlers<keyof typeof adminMethods> {
  return {
    'admin:pendingChanges': () => d.pendingChanges.list(),
    'admin:approveChange': (args, ctx) => d.pendingChanges.approve(args, ctx),
    'admin:rejectChange': (args, ctx) => d.pendingChanges.reject(args, ctx),
  };
}

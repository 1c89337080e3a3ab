import type { teamMethods } from '@shared/api/team';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

export function teamHandlers(d: HandlerDeps): DomainHandlers<keyof typeof teamMethods> {
  return {
    'team:presence': (_args, ctx) => d.presence.others(d.actor(ctx)),
    'team:claim': ({ transactionId }, ctx) => d.presence.claim(transactionId, d.actor(ctx)),
    'team:release': ({ transactionId }, ctx) => {
      d.presence.release(transactionId, d.actor(ctx));
      return { ok: true };
    },
  };
}

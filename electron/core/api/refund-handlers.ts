import type { refundMethods } from '@shared/api/refunds';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

export function refundHandlers(d: HandlerDeps): DomainHandlers<keyof typeof refundMethods> {
  return {
    'refunds:list': ({ transactionId }) => d.refunds.list(transactionId),
    'refunds:refundable': ({ transactionId }) => d.refunds.refundable(transactionId),
    'refunds:request': (args, ctx) => d.refunds.request(args, ctx),
    'refunds:approve': (args, ctx) => d.refunds.approve(args, ctx),
    'refunds:reject': (args, ctx) => d.refunds.reject(args, ctx),
    'refunds:execute': (args, ctx) => d.refunds.execute(args, ctx),
    'refunds:resolveConflict': (args, ctx) => d.refunds.resolveConflict(args, ctx),
    'refunds:policy': () => d.refunds.policy(),
    'refunds:setPolicy': (args, ctx) => d.refunds.setPolicy(args, ctx),
  };
}

import type { refundMethods } from '@shared/api/refunds';
import { ApiFailure } from '@shared/api-contract';
import { recordCreditMemo } from '../refunds/credit-memo';
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
    'refunds:recordCreditMemo': async ({ transactionId }, ctx) => {
      const capabilities = async () => {
        try {
          return (await d.erpConnector()).capabilities;
        } catch (e) {
          throw new ApiFailure('config', `The ERP connection is not usable: ${(e as Error).message}`);
        }
      };
      const { task } = await recordCreditMemo({ db: d.db, zone: d.settings().sync.merchantZone, capabilities }, transactionId, d.actor(ctx));
      const changed = task.saleTransactionId === null ? [transactionId] : [transactionId, task.saleTransactionId];
      d.events.emit('rows:changed', { transactionIds: changed });
      d.events.emit('posting:status', d.postingSummary());
      void d.worker.drain().catch(() => {});
      return task;
    },
    'refunds:policy': () => d.refunds.policy(),
    'refunds:setPolicy': (args, ctx) => d.refunds.setPolicy(args, ctx),
  };
}

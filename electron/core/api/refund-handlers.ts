import type { refundMethods } from '@shared/api/refunds';
import { ApiFailure } from '@shared/api-contract';
import { recordCreditMemo, refundTaskFor } from '../refunds/credit-memo';
import { linkRefundByHand } from '../refunds/manual-link';
import { getOutcome } from '../store/queries/matches';
import { getTransaction } from '../store/queries/transactions';
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
    'refunds:link': ({ transactionId, saleTransactionId }, ctx) => {
      const change = linkRefundByHand(d.db, transactionId, saleTransactionId, d.actor(ctx));
      // The link changes what the refund, its new sale and its old sale are: match them again with it.
      d.sync.rematch();
      const changed = [transactionId, change.saleId, change.previousSaleId].filter((id): id is number => id !== null);
      d.events.emit('rows:changed', { transactionIds: changed });
      const refund = getTransaction(d.db, transactionId);
      const outcome = getOutcome(d.db, transactionId);
      return refund && outcome ? refundTaskFor(d.db, refund, outcome) : null;
    },
    'refunds:policy': () => d.refunds.policy(),
    'refunds:setPolicy': (args, ctx) => d.refunds.setPolicy(args, ctx),
  };
}

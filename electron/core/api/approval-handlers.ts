import { ApiFailure } from '@shared/api-contract';
import type { approvalMethods } from '@shared/api/approval';
import { approvalPreview } from '../approval/preview';
import { SearchNotUnderstood } from '../store/queries/grid-view';
import { releaseHeldReceipts } from '../store/queries/outbox';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

/** Safe bulk approval: the preview a clerk confirms, and "Post now" to end an undo window early. */
export function approvalHandlers(d: HandlerDeps): DomainHandlers<keyof typeof approvalMethods> {
  return {
    'approval:preview': ({ selection }) => {
      try {
        return approvalPreview(d.db, selection, d.settings().sync.merchantZone, d.undoWindowSeconds());
      } catch (e) {
        // A view whose search cannot be read is refused, never widened to more rows than the clerk sees.
        if (e instanceof SearchNotUnderstood) throw new ApiFailure('invalid_args', e.message);
        throw e;
      }
    },
    'approval:postNow': ({ transactionIds }) => {
      const released = releaseHeldReceipts(d.db, transactionIds, d.clock.iso());
      if (released > 0) {
        d.events.emit('posting:status', d.postingSummary());
        void d.worker.drain().catch(() => {});
      }
      return { released };
    },
  };
}

import { ApiFailure } from '@shared/api-contract';
import type { postingMethods } from '@shared/api/posting';
import { discardDeadLetter, DeadLetterError, listDeadLetters, markPostedManually, retryDeadLetter } from '../posting/dead-letters';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

export function postingHandlers(d: HandlerDeps): DomainHandlers<keyof typeof postingMethods> {
  const guarded = (transactionId: number, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof DeadLetterError) throw new ApiFailure('conflict', e.message);
      throw e;
    }
    d.events.emit('rows:changed', { transactionIds: [transactionId] });
    d.events.emit('posting:status', d.postingSummary());
    return { ok: true as const };
  };
  return {
    'posting:failed': () => listDeadLetters(d.db),
    'posting:retry': ({ transactionId }, ctx) => {
      const r = guarded(transactionId, () => retryDeadLetter(d.db, transactionId, d.actor(ctx), d.clock.iso()));
      void d.worker.drain().catch(() => {});
      return r;
    },
    'posting:markPosted': ({ transactionId, erpDocumentId, note }, ctx) =>
      guarded(transactionId, () => markPostedManually(d.db, transactionId, erpDocumentId, d.actor(ctx), note, d.clock.iso())),
    'posting:discard': ({ transactionId, note }, ctx) => guarded(transactionId, () => discardDeadLetter(d.db, transactionId, d.actor(ctx), note, d.clock.iso())),
  };
}

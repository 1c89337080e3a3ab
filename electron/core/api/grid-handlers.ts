import { ApiFailure } from '@shared/api-contract';
import type { gridMethods } from '@shared/api/grid';
import { gridWindow, SearchNotUnderstood, selectionIds, selectionSummary, viewCounts } from '../store/queries/grid-view';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

/** The work queue in windows: the view's SQL runs in the engine, only the rows on screen cross to the renderer. */
export function gridHandlers(d: HandlerDeps): DomainHandlers<keyof typeof gridMethods> {
  const zone = () => d.settings().sync.merchantZone;
  const understood = <T>(run: () => T): T => {
    try {
      return run();
    } catch (e) {
      if (e instanceof SearchNotUnderstood) throw new ApiFailure('invalid_args', e.message);
      throw e;
    }
  };
  return {
    'grid:window': ({ view, offset, limit }) => understood(() => gridWindow(d.db, view, zone(), offset, limit)),
    'grid:viewCounts': ({ view }) => understood(() => viewCounts(d.db, view, zone())),
    'grid:selectionSummary': ({ selection }) => understood(() => selectionSummary(d.db, selection, zone())),
    'matches:approveSelection': async ({ selection }, ctx) => {
      const transactionIds = understood(() => selectionIds(d.db, selection, zone()));
      if (transactionIds.length === 0) return { approved: [], skipped: [] };
      return d.approval.approve({ transactionIds, actor: d.actor(ctx), undoWindowSeconds: d.undoWindowSeconds() });
    },
  };
}

import { ApiFailure, type CallContext } from '@shared/api-contract';
import type { bulkReviewMethods } from '@shared/api/bulk-review';
import type { viewMethods } from '@shared/api/views';
import { appendAudit } from '../audit/audit-log';
import { applyBulk, BULK_MAX_ROWS, BulkRefused } from '../review/bulk';
import { snapshotRows, type UndoStacks } from '../review/undo';
import { SearchNotUnderstood, selectionIds } from '../store/queries/grid-view';
import { deleteSavedView, listSavedViews, nameTaken, renameSavedView, savedView, setDefaultSavedView, upsertSavedView } from '../store/queries/saved-views';
import { isWorkspace } from '../store/statements';
import { listUsers } from '../store/queries/users';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

// The work queue beyond the grid itself (issue 15): saved views and bulk review actions.

/** Saved views: each user's own; in team mode the ones others shared are listed too (read only for them). */
export function viewHandlers(d: HandlerDeps): DomainHandlers<keyof typeof viewMethods> {
  const owned = (id: number, ctx: CallContext) => {
    const v = savedView(d.db, id);
    const me = d.actor(ctx);
    if (!v) throw new ApiFailure('not_found', `Saved view ${id} does not exist (deleted elsewhere?).`);
    if (v.owner !== me) throw new ApiFailure('forbidden', `The view "${v.name}" is ${v.owner}'s; only its owner changes or deletes it. Save a copy under your own name.`);
    return v;
  };
  return {
    'views:list': (_args, ctx) => listSavedViews(d.db, d.actor(ctx), isWorkspace(d.db)),
    'views:save': ({ name, view, columns, shared, isDefault }, ctx) => {
      const owner = d.actor(ctx);
      const id = d.db.transaction(() => {
        const saved = upsertSavedView(d.db, { owner, name, view, columns: columns ?? {}, shared: shared ?? false, at: d.clock.iso() });
        if (isDefault) setDefaultSavedView(d.db, owner, saved);
        return saved;
      })();
      return savedView(d.db, id)!;
    },
    'views:rename': ({ id, name }, ctx) => {
      const v = owned(id, ctx);
      if (nameTaken(d.db, v.owner, name, id)) throw new ApiFailure('conflict', `You already have a view named "${name}".`);
      renameSavedView(d.db, id, name, d.clock.iso());
      return savedView(d.db, id)!;
    },
    'views:delete': ({ id }, ctx) => {
      owned(id, ctx);
      deleteSavedView(d.db, id);
      return { ok: true as const };
    },
    'views:setDefault': ({ id }, ctx) => {
      if (id !== null) owned(id, ctx);
      setDefaultSavedView(d.db, d.actor(ctx), id);
      return { ok: true as const };
    },
  };
}

const ACTION_LABELS = { assign: 'assignment', exception: 'exception reason', exclude: 'exclusion', include: 'inclusion' } as const;

export function bulkReviewHandlers(d: HandlerDeps, undo: UndoStacks): DomainHandlers<keyof typeof bulkReviewMethods> {
  return {
    'matches:bulk': ({ selection, action }, ctx) => {
      const user = d.auth.requireUser(ctx);
      let ids: number[];
      try {
        ids = selectionIds(d.db, selection, d.settings().sync.merchantZone);
      } catch (e) {
        if (e instanceof SearchNotUnderstood) throw new ApiFailure('invalid_args', e.message);
        throw e;
      }
      if (ids.length === 0) return { changed: [], skipped: [] };
      let result;
      try {
        // Snapshot first, as for every undoable review action (review-handlers.ts withUndo).
        const snapshot = ids.length <= BULK_MAX_ROWS ? snapshotRows(d.db, ids) : null;
        result = applyBulk(d.db, ids, action, { userName: user.userName, role: user.role }, d.clock.iso());
        if (snapshot && result.changed.length > 0) {
          undo.push(user.userName, { label: `${ACTION_LABELS[action.kind]} of ${result.changed.length} payment(s)`, transactionIds: ids, snapshot, at: d.clock.iso() });
        }
      } catch (e) {
        if (e instanceof BulkRefused) throw new ApiFailure('invalid_args', e.message);
        throw e;
      }
      if (result.changed.length > 0) {
        appendAudit(d.db, { actor: user.userName, action: `match.bulk_${action.kind}`, objectType: 'selection', objectId: `${result.changed.length} rows`, after: { action, changed: result.changed.length, skipped: result.skipped.length } });
        d.events.emit('rows:changed', { transactionIds: result.changed });
      }
      return result;
    },
    'matches:assignees': () => listUsers(d.db).map((u) => ({ userName: u.userName, displayName: u.displayName })),
  };
}

import { ApiFailure, type CallContext, type MethodName } from '@shared/api-contract';
import type { reviewMethods } from '@shared/api/review';
import { allocate, DecisionError } from '../offline/decisions';
import { snapshotRows, restoreSnapshot, UndoError, UndoStacks } from '../review/undo';
import { getOutcome } from '../store/queries/matches';
import { SearchNotUnderstood, selectionIds } from '../store/queries/grid-view';
import type { RowSelection } from '@shared/grid-view';
import type { ApiHandlers, DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

// Reviewing actions a clerk can take back, and how each names itself in "Undo …".
type Undoable = (args: Record<string, unknown>, d: HandlerDeps) => { label: string; ids: number[] };
const UNDOABLE: Partial<Record<MethodName, Undoable>> = {
  'matches:approve': (a) => ({ label: `approve ${(a.transactionIds as number[]).length} payment(s)`, ids: a.transactionIds as number[] }),
  // The selection is resolved here as the handler will resolve it (same store, same synchronous read).
  'matches:approveSelection': (a, d) => {
    const ids = safeSelectionIds(d, a.selection as RowSelection);
    return { label: `approve ${ids.length} payment(s)`, ids };
  },
  'matches:allocate': (a) => ({ label: `allocation of ${a.transactionId as number}`, ids: [a.transactionId as number] }),
  'matches:pickCandidate': (a) => ({ label: `candidate choice on ${a.transactionId as number}`, ids: [a.transactionId as number] }),
  'matches:setException': (a) => ({ label: `exception reason on ${a.transactionId as number}`, ids: [a.transactionId as number] }),
  'matches:note': (a) => ({ label: `note on ${a.transactionId as number}`, ids: [a.transactionId as number] }),
  'matches:assign': (a) => ({ label: `owner of ${a.transactionId as number}`, ids: [a.transactionId as number] }),
};

export function reviewHandlers(d: HandlerDeps, undo: UndoStacks): DomainHandlers<keyof typeof reviewMethods> {
  return {
    'matches:pickCandidate': ({ transactionId, candidateIndex }, ctx) => {
      const outcome = getOutcome(d.db, transactionId);
      const candidate = outcome?.candidates[candidateIndex];
      if (!candidate) throw new ApiFailure('not_found', `Transaction ${transactionId} has no candidate ${candidateIndex + 1}`);
      if (!candidate.customerId) throw new ApiFailure('conflict', 'That candidate names no customer; allocate it by hand.');
      try {
        allocate(d.db, transactionId, candidate.customerId, candidate.allocations, d.actor(ctx));
      } catch (e) {
        if (e instanceof DecisionError) throw new ApiFailure('conflict', e.message);
        throw e;
      }
      d.events.emit('rows:changed', { transactionIds: [transactionId] });
      return { ok: true as const };
    },
    'matches:undo': (_args, ctx) => {
      const actor = d.actor(ctx);
      const entry = undo.peek(actor);
      if (!entry) return { undone: null, transactionIds: [] };
      try {
        restoreSnapshot(d.db, entry, actor);
      } catch (e) {
        if (e instanceof UndoError) throw new ApiFailure('conflict', e.message);
        throw e;
      }
      undo.pop(actor);
      d.events.emit('rows:changed', { transactionIds: entry.transactionIds });
      d.events.emit('posting:status', d.postingSummary());
      return { undone: entry.label, transactionIds: entry.transactionIds };
    },
    'matches:undoAvailable': (_args, ctx) => ({ label: undo.peek(d.actor(ctx))?.label ?? null }),
  };
}

/** A search the engine cannot read snapshots nothing: the handler then refuses it. */
function safeSelectionIds(d: HandlerDeps, selection: RowSelection): number[] {
  try {
    return selectionIds(d.db, selection, d.settings().sync.merchantZone);
  } catch (e) {
    if (e instanceof SearchNotUnderstood) return [];
    throw e;
  }
}

/** Wraps the undoable handlers so each call first snapshots what it may change. */
export function withUndo(handlers: ApiHandlers, d: HandlerDeps, undo: UndoStacks): ApiHandlers {
  type Loose = (args: unknown, ctx: CallContext) => unknown;
  const wrapped = { ...handlers } as unknown as Record<MethodName, Loose>;
  for (const [name, describe] of Object.entries(UNDOABLE) as Array<[MethodName, Undoable]>) {
    const inner = handlers[name] as unknown as Loose;
    wrapped[name] = async (args, ctx) => {
      const { label, ids } = describe(args as Record<string, unknown>, d);
      // Nothing it could change (an empty selection, a refused search): nothing to take back.
      if (ids.length === 0) return inner(args, ctx);
      const snapshot = snapshotRows(d.db, ids);
      const result = await inner(args, ctx);
      undo.push(d.actor(ctx), { label, transactionIds: ids, snapshot, at: d.clock.iso() });
      return result;
    };
  }
  return wrapped as unknown as ApiHandlers;
}

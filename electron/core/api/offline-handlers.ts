import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ApiFailure, type CallContext } from '@shared/api-contract';
import type { HandoffDecision, offlineMethods } from '@shared/api/offline';
import { HANDOFF_MAX_FILE_BYTES } from '@shared/handoff-limits';
import { cents } from '@shared/money';
import { resolveConflict, listConflicts } from '../offline/conflicts';
import { allocate, DecisionError, setExceptionReason, setNote, setOwner } from '../offline/decisions';
import { decideInSession, exportDecisions, exportExceptions, HANDOFF_DIR, importDecisions, openExceptionsFile } from '../offline/handoff';
import { HandoffError } from '../offline/handoff-crypto';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

// Offline review: every action here works from the local store alone.

function failureOf(e: unknown): unknown {
  if (e instanceof DecisionError) return new ApiFailure(e.code, e.message);
  if (e instanceof HandoffError) return new ApiFailure('invalid_args', e.message);
  return e;
}

function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw failureOf(e);
  }
}

async function guardedAsync<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw failureOf(e);
  }
}

/**
 * The desktop and the CLI may name any file the user picked; the browser may
 * only name files in the data folder's hand-off directory (it uploads others).
 */
function readHandoffBytes(d: HandlerDeps, args: { file?: string | undefined; base64?: string | undefined }, context: CallContext): Buffer {
  if (args.base64 !== undefined) {
    const bytes = Buffer.from(args.base64, 'base64');
    if (bytes.length === 0) throw new ApiFailure('invalid_args', 'The uploaded hand-off file is empty or not base64.');
    // Size and everything else are checked by openHandoffFile, for every caller.
    return bytes;
  }
  const dir = join(d.dataDir, HANDOFF_DIR);
  const path = isAbsolute(args.file!) ? resolve(args.file!) : resolve(dir, args.file!);
  const rel = relative(dir, path);
  if (context.channel === 'web' && (rel.startsWith('..') || isAbsolute(rel))) {
    throw new ApiFailure('forbidden', 'From the browser, open a hand-off file by uploading it, or name one in the data folder\'s "handoff" directory.');
  }
  try {
    // Checked before reading, so a huge file is never loaded.
    if (statSync(path).size > HANDOFF_MAX_FILE_BYTES) throw new ApiFailure('invalid_args', `${path} is too large to be a hand-off file (at most ${HANDOFF_MAX_FILE_BYTES / (1024 * 1024)} MiB).`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof ApiFailure) throw e;
    throw new ApiFailure('not_found', `The hand-off file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

export function offlineHandlers(d: HandlerDeps): DomainHandlers<keyof typeof offlineMethods> {
  const changed = (ids: number[]) => d.events.emit('rows:changed', { transactionIds: ids });
  const queueChanged = () => {
    d.events.emit('posting:status', d.postingSummary());
    void d.worker.drain().catch(() => {});
  };

  return {
    'matches:note': ({ transactionId, note }, ctx) => {
      guarded(() => setNote(d.db, transactionId, note, d.actor(ctx)));
      changed([transactionId]);
      return { ok: true };
    },
    'matches:assign': ({ transactionId, owner }, ctx) => {
      guarded(() => setOwner(d.db, transactionId, owner, d.actor(ctx)));
      changed([transactionId]);
      return { ok: true };
    },
    'matches:setException': ({ transactionId, reason, note }, ctx) => {
      guarded(() => setExceptionReason(d.db, transactionId, reason, note, d.actor(ctx)));
      changed([transactionId]);
      return { ok: true };
    },
    'matches:allocate': ({ transactionId, customerId, allocations }, ctx) => {
      guarded(() => allocate(d.db, transactionId, customerId, allocations.map((a) => ({ invoiceNo: a.invoiceNo, amountCents: cents(a.amountCents) })), d.actor(ctx)));
      changed([transactionId]);
      return { ok: true };
    },

    'conflicts:list': () => listConflicts(d.db),
    'conflicts:resolve': ({ transactionId, action, customerId, allocations }, ctx) => {
      guarded(() =>
        resolveConflict(
          d.db,
          {
            transactionId,
            action,
            ...(customerId ? { customerId } : {}),
            ...(allocations ? { allocations: allocations.map((a) => ({ invoiceNo: a.invoiceNo, amountCents: cents(a.amountCents) })) } : {}),
          },
          d.actor(ctx),
          () => d.sync.rematch(),
        ),
      );
      changed([transactionId]);
      if (action === 'reallocate') queueChanged();
      return { ok: true };
    },

    'handoff:export': ({ passphrase }, ctx) => guardedAsync(() => exportExceptions(d.db, d.dataDir, passphrase, d.actor(ctx))),
    'handoff:open': (args, ctx) => guardedAsync(() => openExceptionsFile(d.db, readHandoffBytes(d, args, ctx), args.passphrase, d.actor(ctx))),
    'handoff:decide': ({ sessionId, transactionId, decision }, ctx) => {
      const { allocation, ...rest } = decision;
      const typed: HandoffDecision = {
        ...rest,
        ...(allocation ? { allocation: { customerId: allocation.customerId, allocations: allocation.allocations.map((a) => ({ invoiceNo: a.invoiceNo, amountCents: cents(a.amountCents) })) } } : {}),
      };
      return guarded(() => decideInSession(d.db, sessionId, transactionId, typed, d.actor(ctx)));
    },
    'handoff:exportDecisions': ({ sessionId, passphrase }, ctx) => guardedAsync(() => exportDecisions(d.db, d.dataDir, sessionId, passphrase, d.actor(ctx))),
    'handoff:importDecisions': async (args, ctx) => {
      const capabilities = await d.approval.capabilities();
      // Approved rows are announced and posted by the approval itself.
      const result = await guardedAsync(() => importDecisions(d.db, readHandoffBytes(d, args, ctx), args.passphrase, d.actor(ctx), { service: d.approval, capabilities }));
      if (result.applied.length) changed([...result.applied]);
      return result;
    },
  };
}

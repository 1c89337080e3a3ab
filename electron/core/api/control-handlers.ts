import type { controlMethods } from '@shared/api/controls';
import { createControlService, type ControlService } from '../controls/control-service';
import { createReversalExecutor } from '../controls/reversal-executor';
import { approveMatches } from '../posting/approve';
import { leaseOwnerId } from '../posting/outbox-worker';
import { takeDecisionSnapshots } from '../offline/snapshot';
import { currentMapping } from '../store/queries/erp-mappings';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

/** The controls service over the engine's handler dependencies; unfinished reversals resume at once. */
export function controlService(d: HandlerDeps): ControlService {
  const reversals = createReversalExecutor({ db: d.db, connector: d.erpConnector, owner: leaseOwnerId('reversals') });
  const changed = (transactionId: number) => d.events.emit('rows:changed', { transactionIds: [transactionId] });
  const service = createControlService({
    db: d.db,
    auth: d.auth,
    reversals,
    erpConnector: d.erpConnector,
    onChange: changed,
    // The same path as matches:approve, with the approved write-offs on the receipt.
    approveMatch: (transactionId, actor, writeOffs) => {
      const result = approveMatches(d.db, [transactionId], actor, d.settings().sync.merchantZone, undefined, {
        mapping: currentMapping(d.db, d.settings().erp.kind),
        writeOffs: new Map([[transactionId, writeOffs]]),
      });
      if (result.approved.length === 0) return { approved: false, reason: result.skipped[0]?.reason ?? null };
      takeDecisionSnapshots(d.db, result.approved);
      d.events.emit('posting:status', d.postingSummary());
      void d.worker.drain().catch(() => {});
      return { approved: true, reason: null };
    },
  });
  void reversals.resumeAll().catch(() => {});
  return service;
}

export function controlHandlers(d: HandlerDeps): DomainHandlers<keyof typeof controlMethods> {
  const c = controlService(d);
  return {
    'controls:list': ({ transactionId }) => c.list(transactionId),
    'controls:preview': ({ transactionId }) => c.previewWithErp(transactionId),
    'controls:requestWriteOff': (args, ctx) => c.requestWriteOff(args, ctx),
    'controls:requestOverride': (args, ctx) => c.requestOverride(args, ctx),
    'controls:approve': (args, ctx) => c.approve(args, ctx),
    'controls:reject': (args, ctx) => c.reject(args, ctx),
    'controls:reverse': (args, ctx) => c.reverse(args, ctx),
    'controls:runReversal': (args, ctx) => c.runReversal(args, ctx),
    'controls:policy': () => c.policy(),
    'controls:setPolicy': (args, ctx) => c.setPolicy(args, ctx),
  };
}

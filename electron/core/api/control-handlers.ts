import type { controlMethods } from '@shared/api/controls';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

// The controls service is created once, by the engine (electron/core/engine.ts).

export function controlHandlers(d: HandlerDeps): DomainHandlers<keyof typeof controlMethods> {
  const c = d.controls;
  return {
    'controls:list': ({ transactionId }) => c.list(transactionId),
    'controls:preview': ({ transactionId }) => c.previewWithErp(transactionId),
    'controls:requestWriteOff': (args, ctx) => c.requestWriteOff(args, ctx),
    'controls:requestOverride': (args, ctx) => c.requestOverride(args, ctx),
    'controls:approve': async (args, ctx) => {
      // The approval may queue the receipt: open the ERP connection first so its capabilities are known (null offline).
      await d.approval.capabilities();
      return c.approve(args, ctx);
    },
    'controls:reject': (args, ctx) => c.reject(args, ctx),
    'controls:reverse': (args, ctx) => c.reverse(args, ctx),
    'controls:runReversal': (args, ctx) => c.runReversal(args, ctx),
    'controls:policy': () => c.policy(),
    'controls:setPolicy': (args, ctx) => c.setPolicy(args, ctx),
  };
}

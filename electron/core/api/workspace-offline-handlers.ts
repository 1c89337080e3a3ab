import { ApiFailure } from '@shared/api-contract';
import type { workspaceOfflineMethods } from '@shared/api/workspace-offline';
import { DecisionError } from '../offline/decisions';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

// The banner's state (online, or working from this workstation's copy with
// decisions queued) and the clerk's choice on a replay conflict.

export function workspaceOfflineHandlers(d: HandlerDeps): DomainHandlers<keyof typeof workspaceOfflineMethods> {
  return {
    'workspace:offlineState': () => d.workspaceOffline.state(),
    'workspace:resolveOfflineConflict': ({ decisionKey, choice }, ctx) => {
      try {
        d.workspaceOffline.resolve(decisionKey, choice, d.actor(ctx));
      } catch (e) {
        if (e instanceof DecisionError) throw new ApiFailure(e.code, e.message);
        throw e;
      }
      return { ok: true };
    },
  };
}

import type { RemoteState } from '@shared/api-contract';
import { useData } from '../../state/data-store';
import { formatClock } from '../../format';
import './offline.css';

// The unmistakable offline mark: shown whenever PayTrace or the ERP cannot be
// used, with the time the local data was last refreshed from it.

function worst(a: RemoteState, b: RemoteState): 'offline' | 'failing' | null {
  if (a.reachability === 'offline' || b.reachability === 'offline') return 'offline';
  if (a.reachability === 'failing' || b.reachability === 'failing') return 'failing';
  return null;
}

export function OfflineIndicator() {
  const sync = useData((s) => s.sync);
  const erpLabel = useData((s) => s.info?.erpLabel ?? 'ERP');
  if (!sync) return null;
  const state = worst(sync.paytrace, sync.erp);
  if (!state) return null;
  const down = [sync.paytrace.reachability !== 'online' && sync.paytrace.reachability !== 'unknown' ? 'PayTrace' : null, sync.erp.reachability !== 'online' && sync.erp.reachability !== 'unknown' ? erpLabel : null].filter(
    (x): x is string => x !== null,
  );
  const title = [sync.paytrace.message, sync.erp.message].filter(Boolean).join('\n');
  return (
    <span className="offline-indicator" data-testid="offline-indicator" data-reachability={state} title={title || undefined} role="status">
      {state === 'offline' ? 'OFFLINE' : 'FAILING'}
      <span className="offline-asof">
        {down.join(' + ')} · local data as of PayTrace {formatClock(sync.paytrace.asOf)}, ERP {formatClock(sync.erp.asOf)}
      </span>
    </span>
  );
}

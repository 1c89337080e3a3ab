import type { SyncStatus } from '@shared/api-contract';
import { syncNow } from '../actions';
import { useData } from '../state/data-store';
import { useUi } from '../state/ui-store';
import { formatClock, humanize } from '../format';
import { GearIcon, SyncIcon } from './icons';
import { OfflineIndicator } from '../features/offline/OfflineIndicator';
import { TakeOfflineButton } from '../features/offline/TakeOffline';
import { HandoffMenu } from '../features/handoff/HandoffMenu';
import { UserMenu } from '../features/auth/AuthGate';
import { RefundsButton } from '../features/refunds/RefundsQueue';
import { ApprovalsButton } from '../features/inbox/InboxPanel';

function SyncStatusView({ sync }: Readonly<{ sync: SyncStatus | null }>) {
  if (!sync) {
    return (
      <div className="sync-status" data-testid="sync-status" data-state="unknown">
        <span className="sync-dot sync-dot-unknown" />
        <span data-testid="sync-state">Connecting…</span>
      </div>
    );
  }
  const running = sync.state === 'running';
  const progress = sync.progress && sync.progress.total > 0 ? sync.progress : null;
  const unreachable = [sync.paytrace, sync.erp].some((r) => r.reachability === 'offline' || r.reachability === 'failing');
  const stateLabel = running
    ? `Syncing${sync.phase ? ` · ${humanize(sync.phase)}` : ''}`
    : sync.state === 'error'
      ? 'Sync failed'
      : unreachable
        ? 'Out of date'
        : 'Up to date';
  const dot = sync.state === 'idle' && unreachable ? 'error' : sync.state;
  return (
    <div className="sync-status" data-testid="sync-status" data-state={sync.state} title={sync.lastError ?? undefined}>
      <span className={`sync-dot sync-dot-${dot}`} />
      <span className="sync-state" data-testid="sync-state">
        {stateLabel}
      </span>
      {running && progress ? (
        <span className="sync-progress" data-testid="sync-progress">
          <span className="progress-track">
            <span className="progress-fill" style={{ width: `${Math.round((progress.done / progress.total) * 100)}%` }} />
          </span>
          <span className="num">
            {progress.done}/{progress.total}
          </span>
        </span>
      ) : null}
      <span className="sync-sep" />
      <span
        className="sync-meta"
        data-testid="sync-last"
        title={`PayTrace data as of ${formatClock(sync.paytrace.asOf)}; ERP data as of ${formatClock(sync.erp.asOf)}`}
      >
        Last sync <strong className="num">{formatClock(sync.lastSuccessAt)}</strong>
      </span>
      <span className="sync-meta sync-asof" title="When each system's data was last refreshed">
        PayTrace <span className="num">{formatClock(sync.paytrace.asOf)}</span> · ERP <span className="num">{formatClock(sync.erp.asOf)}</span>
      </span>
      {sync.team && !sync.team.leading ? (
        // A follower in team mode: another workstation runs the scheduled sync.
        <span className="sync-meta sync-elsewhere" data-testid="sync-leader">
          Sync runs on {sync.team.leader?.workstation ?? 'another workstation'}
          {sync.team.leader ? <> since <span className="num">{formatClock(sync.team.leader.since)}</span></> : null}
        </span>
      ) : (
        <span className="sync-meta" data-testid="sync-next">
          Next <span className="num">{running ? '—' : formatClock(sync.nextRunAt)}</span>
        </span>
      )}
    </div>
  );
}

export function TopBar() {
  const info = useData((s) => s.info);
  const sync = useData((s) => s.sync);
  const openSettings = useUi((s) => s.setSettingsOpen);
  const running = sync?.state === 'running';
  return (
    <header className="topbar" data-testid="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden>
          T
        </span>
        <span className="brand-name">Tieout</span>
        {info ? (
          <span className="erp-label" data-testid="erp-label">
            PayTrace → {info.erpLabel}
          </span>
        ) : null}
        {info?.mode === 'demo' ? (
          <span className="badge badge-demo" data-testid="demo-badge" title="Demo mode: sandboxes with generated data, nothing leaves this machine">
            DEMO
          </span>
        ) : null}
      </div>
      <div className="topbar-right">
        <OfflineIndicator />
        <SyncStatusView sync={sync} />
        <TakeOfflineButton />
        <HandoffMenu />
        <button type="button" className="btn btn-secondary" data-testid="sync-now" onClick={() => void syncNow()} disabled={running}>
          <SyncIcon spinning={running} />
          {running ? 'Syncing…' : 'Sync now'}
        </button>
        <button type="button" className="btn btn-icon" data-testid="settings-open" aria-label="Settings" title="Settings" onClick={() => openSettings(true)}>
          <GearIcon />
        </button>
        <ApprovalsButton />
        <RefundsButton />
        <UserMenu />
      </div>
    </header>
  );
}

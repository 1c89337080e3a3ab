import { useEffect } from 'react';
import { useUi } from '../../state/ui-store';
import { AlertIcon, CloseIcon } from '../../components/icons';
import { ALERT_TITLES, startAlertFeed, useAlerts } from './alert-store';
import './alerts.css';

export function AlertBanners() {
  const alerts = useAlerts((s) => s.alerts);
  const dismiss = useAlerts((s) => s.dismiss);
  const setTab = useUi((s) => s.setActiveTab);
  useEffect(() => startAlertFeed(), []);
  if (alerts.length === 0) return null;
  return (
    <div className="alert-banners">
      {alerts.map((a) => (
        <div key={a.id} className={`alert-banner alert-${a.kind}`} role="alert" data-testid="alert-banner" data-kind={a.kind}>
          <AlertIcon />
          <span className="alert-title">{ALERT_TITLES[a.kind]}</span>
          <span className="alert-text">{a.message}</span>
          {a.kind === 'dead-letter' ? (
            <button type="button" className="btn btn-secondary btn-sm" data-testid="alert-open-failed" onClick={() => setTab('failed')}>
              Open Failed
            </button>
          ) : null}
          {a.kind === 'conflict' ? (
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setTab('conflict')}>
              Open Conflicts
            </button>
          ) : null}
          <button type="button" className="btn-link" data-testid="alert-dismiss" aria-label="Dismiss" onClick={() => dismiss(a.id)}>
            <CloseIcon />
          </button>
        </div>
      ))}
    </div>
  );
}

import { create } from 'zustand';
import type { Alert } from '@shared/api-contract';
import { subscribe } from '../../api/client';
import { toast } from '../../state/toast-store';

// Alerts the engine pushes (a posting went dead, sync stale, an offline
// conflict): each stays as a banner until the clerk dismisses it, and also
// raises a toast so it is noticed even when the banner strip is out of view.

export type AlertEntry = Alert & Readonly<{ id: number }>;

type AlertState = Readonly<{
  alerts: readonly AlertEntry[];
  dismiss: (id: number) => void;
}>;

let nextId = 1;
/** Several dead letters in a burst must not push the grid off the screen. */
const MAX_ALERTS = 3;

export const useAlerts = create<AlertState>()((set, get) => ({
  alerts: [],
  dismiss(id) {
    set({ alerts: get().alerts.filter((a) => a.id !== id) });
  },
}));

export const ALERT_TITLES: Record<Alert['kind'], string> = {
  'dead-letter': 'A posting failed',
  'sync-stale': 'Sync is out of date',
  conflict: 'An offline approval needs a decision',
};

export function receiveAlert(alert: Alert): void {
  // One banner per kind: the newest message replaces the older one.
  const others = useAlerts.getState().alerts.filter((a) => a.kind !== alert.kind);
  useAlerts.setState({ alerts: [...others, { ...alert, id: nextId++ }].slice(-MAX_ALERTS) });
  toast(alert.kind === 'dead-letter' ? 'error' : 'warning', ALERT_TITLES[alert.kind], [alert.message]);
}

let started = false;

/** Idempotent: the first mounted banner starts listening. */
export function startAlertFeed(): void {
  if (started) return;
  started = true;
  subscribe('alert', receiveAlert);
}

import { useEffect } from 'react';
import { invoke } from '../../api/client';
import { useData } from '../../state/data-store';
import { applyPresence, presenceText, usePresence } from './presence-store';

/** "ann is working on this (since 10:02)" above the detail of a payment someone else has open. */
export function PresenceMarker({ transactionId }: Readonly<{ transactionId: number }>) {
  const others = usePresence((s) => s.byTransaction.get(transactionId));
  const zone = useData((s) => s.info?.merchantZone ?? 'America/Los_Angeles');
  if (!others || others.length === 0) return null;
  return (
    <p className="presence-marker" data-testid="presence-marker" role="status">
      <span className="presence-dot" aria-hidden="true" />
      {presenceText(others, zone)}
    </p>
  );
}

/** Claims the payment the detail panel shows for this user, renews the claim while it stays open and releases it on leaving. */
export function usePresenceClaim(transactionId: number | null): void {
  const heartbeatSeconds = usePresence((s) => s.heartbeatSeconds);
  useEffect(() => {
    if (transactionId === null) return;
    const claim = () => void invoke('team:claim', { transactionId }).then(applyPresence, () => {});
    claim();
    const timer = window.setInterval(claim, heartbeatSeconds * 1000);
    return () => {
      window.clearInterval(timer);
      void invoke('team:release', { transactionId }).catch(() => {});
    };
  }, [transactionId, heartbeatSeconds]);
}

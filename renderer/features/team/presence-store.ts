import { create } from 'zustand';
import type { PresenceList, PresenceView } from '@shared/api/team';
import { invoke, subscribe } from '../../api/client';

// Who else has which payment open (team mode). Read from the engine on every
// presence:changed and on a timer (a claim nobody renews lapses without an
// event), and kept per payment for the grid's marker and the detail panel.

type PresenceState = Readonly<{ byTransaction: ReadonlyMap<number, readonly PresenceView[]>; heartbeatSeconds: number }>;

export const usePresence = create<PresenceState>(() => ({ byTransaction: new Map(), heartbeatSeconds: 20 }));

export function applyPresence(list: PresenceList): void {
  const byTransaction = new Map<number, PresenceView[]>();
  for (const p of list.others) byTransaction.set(p.transactionId, [...(byTransaction.get(p.transactionId) ?? []), p]);
  usePresence.setState({ byTransaction, heartbeatSeconds: list.heartbeatSeconds });
}

export function othersOn(transactionId: number): readonly PresenceView[] {
  return usePresence.getState().byTransaction.get(transactionId) ?? [];
}

async function refreshPresence(): Promise<void> {
  try {
    applyPresence(await invoke('team:presence', {}));
  } catch {
    // Signed out or the engine away: the next event or tick reads it again.
  }
}

/** Keeps the presence picture current while the signed-in app is mounted; returns the stop. */
export function startPresenceFeed(): () => void {
  let timer: number | null = null;
  const off = subscribe('presence:changed', () => {
    if (timer !== null) return;
    timer = window.setTimeout(() => {
      timer = null;
      void refreshPresence();
    }, 50);
  });
  const tick = window.setInterval(() => void refreshPresence(), usePresence.getState().heartbeatSeconds * 1000);
  void refreshPresence();
  return () => {
    off();
    window.clearInterval(tick);
    if (timer !== null) window.clearTimeout(timer);
  };
}

/** "ann is working on this (since 10:02)"; several people are listed together. */
export function presenceText(entries: readonly PresenceView[], zone: string, subject = 'this'): string {
  const names = [...new Set(entries.map((e) => e.userName))];
  const since = entries.map((e) => e.since).sort()[0]!;
  const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: zone }).format(new Date(since));
  const who = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
  return `${who} ${names.length === 1 ? 'is' : 'are'} working on ${subject} (since ${time})`;
}

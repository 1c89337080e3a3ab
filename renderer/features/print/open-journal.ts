import { journalHash } from './print-route';

// "Day's journal" (in the work queue's Export menu): today's cash-receipts
// journal (merchant zone) on its print page; the page lets the controller pick another day. The desktop
// shows it in the window (its "Save as PDF" uses printToPDF); the browser
// opens it in a new tab and brings up the print dialog.

/** Today in the zone, as YYYY-MM-DD. */
export function todayIn(zone: string | undefined, now: Date = new Date()): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

export function openJournal(date: string): void {
  if (window.tieoutShell) window.location.hash = journalHash(date);
  else window.open(`${window.location.pathname}${journalHash(date, true)}`, '_blank');
}

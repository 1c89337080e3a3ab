import { useData } from '../../state/data-store';
import { journalHash } from './print-route';

// "Day's journal": today's cash-receipts journal (merchant zone) on its print
// page; the page itself lets the controller pick another day. The desktop
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

export function JournalButton() {
  const zone = useData((s) => s.info?.merchantZone);
  return (
    <button type="button" className="btn btn-secondary" data-testid="open-journal" title="The cash-receipts journal of the day (what was posted), to print or save as PDF" onClick={() => openJournal(todayIn(zone))}>
      Day's journal
    </button>
  );
}

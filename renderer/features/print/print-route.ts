import { useEffect, useState } from 'react';

// The print pages live at their own hash route (#/print/journal?date=…), so
// the same page prints in the desktop window (printToPDF) and opens in a new
// browser tab from the web host (the browser's print → Save as PDF).

export type PrintRoute = Readonly<{ page: 'journal'; date: string; autoPrint: boolean }>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function parsePrintRoute(hash: string): PrintRoute | null {
  const m = /^#\/print\/journal(?:\?(.*))?$/.exec(hash);
  if (!m) return null;
  const params = new URLSearchParams(m[1] ?? '');
  const date = params.get('date') ?? '';
  return DAY.test(date) ? { page: 'journal', date, autoPrint: params.get('print') === '1' } : null;
}

export function journalHash(date: string, autoPrint = false): string {
  return `#/print/journal?date=${date}${autoPrint ? '&print=1' : ''}`;
}

export function usePrintRoute(): PrintRoute | null {
  const [route, setRoute] = useState(() => parsePrintRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parsePrintRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

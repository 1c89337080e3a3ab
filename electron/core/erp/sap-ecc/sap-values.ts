// SAP's external ↔ internal value conventions: ALPHA conversion of numeric
// keys (KUNNR, HKONT, BELNR), DATS dates, and the RETURN message structures.

import { isCalendarDate } from '../calendar-date';

/** ALPHA conversion: an all-digit key is left-padded with zeros; anything else is kept (upper case). */
export function alphaIn(value: string, length: number): string {
  const v = value.trim();
  if (/^\d+$/.test(v)) return v.length >= length ? v : v.padStart(length, '0');
  return v.toUpperCase();
}

/** ALPHA output: leading zeros stripped from all-digit keys. */
export function alphaOut(value: string): string {
  const v = value.trim();
  return /^\d+$/.test(v) ? v.replace(/^0+(?=\d)/, '') : v;
}

export type SoapDateFormat = 'YYYY-MM-DD' | 'YYYYMMDD';

/** From YYYY-MM-DD to what the site's SOAP-RFC expects. */
export function toSapDate(isoDate: string, format: SoapDateFormat): string {
  return format === 'YYYYMMDD' ? isoDate.replace(/-/g, '') : isoDate;
}

/** Accepts both forms SAP sends (YYYY-MM-DD and YYYYMMDD); '' and 0000-00-00 mean no date. */
export function fromSapDate(value: string | undefined): string | null {
  const v = (value ?? '').trim();
  if (!v || /^0+$/.test(v.replace(/-/g, ''))) return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  // Not a calendar day ("2026-13-45"): no date, as SAP's own 00000000 (fuzz finding).
  return isCalendarDate(iso) ? iso : null;
}

/** The day `days` after; null when the result is no representable date (a hostile NETTERMS of 99999999999 days threw a RangeError). */
export function addDays(isoDate: string, days: number): string | null {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() > 9999 || d.getUTCFullYear() < 1) return null;
  return d.toISOString().slice(0, 10);
}

/** One row of RETURN in either shape: BAPIRET2 (ID + NUMBER) or BAPIRETURN (CODE = id+number). */
export type SapMessage = Readonly<{ type: string; id: string; number: string; message: string }>;

export function toSapMessage(row: Readonly<Record<string, string>>): SapMessage | null {
  const type = (row['TYPE'] ?? '').trim();
  const message = (row['MESSAGE'] ?? '').trim();
  if (!type && !message) return null;
  let id = (row['ID'] ?? '').trim();
  let number = (row['NUMBER'] ?? '').trim();
  const code = (row['CODE'] ?? '').trim();
  if (!id && code) {
    id = code.slice(0, Math.max(0, code.length - 3));
    number = code.slice(-3);
  }
  return { type, id, number, message };
}

export function isErrorMessage(m: SapMessage): boolean {
  return m.type === 'E' || m.type === 'A';
}

/** "Balance in transaction currency (F5 702)" — the text a clerk sees. */
export function describeSapMessage(m: SapMessage): string {
  const code = m.id || m.number ? ` (${[m.id, m.number].filter(Boolean).join(' ')})` : '';
  return `${m.message || 'no message text'}${code}`;
}

// One check that a YYYY-MM-DD string from an ERP is a real calendar day. The
// reply readers matched the shape only, so "2026-13-45" or "2024-02-30" came
// through as an invoice date (fuzz finding, test/unit/fuzz-erp-*.test.ts).

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

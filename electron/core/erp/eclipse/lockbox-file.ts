import { cents, centsToDecimalString, parseDecimalToCents, type Cents } from '@shared/money';
import type { ReceiptRequest } from '../connector';
import { ErpError } from '../errors';

// Lock-box/EFT import files for Eclipse Cash Receipts. Eclipse imports such
// files with a layout configured on the site (reference §2, layout
// unconfirmed), so Tieout writes one of two documented layouts
// (docs/erp/eclipse.md): CSV or fixed width, each header / detail / trailer.
// One file holds one receipt; the detail lines are its invoice applications
// (an unapplied remainder is a detail with a blank invoice). The parser is the
// sandbox's importer and the round-trip check in tests.

export type LockboxLayout = 'csv' | 'fixed-width';

export type LockboxDetail = Readonly<{ reference: string; customerId: string; invoiceNo: string; amountCents: Cents; date: string; method: string }>;

export type LockboxFile = Readonly<{ batchId: string; date: string; bankCode: string; currency: string; details: readonly LockboxDetail[]; totalCents: Cents }>;

/** Fixed-width columns: [start (1-based), length]. Record length 80. */
export const FIXED_WIDTH = {
  recordLength: 80,
  header: { type: [1, 1], source: [2, 10], batchId: [12, 20], date: [32, 8], bankCode: [40, 10], currency: [50, 3] },
  detail: { type: [1, 1], reference: [2, 20], customerId: [22, 15], invoiceNo: [37, 15], amountCents: [52, 12], date: [64, 8], method: [72, 4] },
  trailer: { type: [1, 1], count: [2, 6], totalCents: [8, 14] },
} as const;

const ymd = (iso: string): string => iso.replace(/-/g, '');
const iso = (d: string): string => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

export function lockboxFileName(reference: string, layout: LockboxLayout): string {
  const safe = reference.replace(/[^A-Za-z0-9_-]/g, '_');
  return `tieout-${safe}.${layout === 'csv' ? 'csv' : 'txt'}`;
}

export function buildLockboxFile(r: ReceiptRequest, layout: LockboxLayout): string {
  const method = r.paymentMethod === 'ach' ? 'EFT' : 'CC';
  const details: LockboxDetail[] = r.allocations.map((a) => ({ reference: r.reference, customerId: r.customerId, invoiceNo: a.invoiceNo, amountCents: a.amountCents, date: r.date, method }));
  if ((r.unappliedCents ?? 0) > 0) details.push({ reference: r.reference, customerId: r.customerId, invoiceNo: '', amountCents: r.unappliedCents!, date: r.date, method });
  const file: LockboxFile = { batchId: r.reference, date: r.date, bankCode: r.bankCode ?? '', currency: r.currency, details, totalCents: r.amountCents };
  return layout === 'csv' ? toCsv(file) : toFixedWidth(file);
}

function csvField(v: string): string {
  if (/[",\r\n]/.test(v)) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

function toCsv(f: LockboxFile): string {
  const lines = [
    ['H', 'TIEOUT', f.batchId, ymd(f.date), f.bankCode, f.currency],
    ...f.details.map((d) => ['D', d.reference, d.customerId, d.invoiceNo, centsToDecimalString(d.amountCents), ymd(d.date), d.method]),
    ['T', String(f.details.length), centsToDecimalString(f.totalCents)],
  ];
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function put(line: string[], [start, length]: readonly [number, number], value: string, what: string, numeric = false): void {
  if (value.length > length) throw new ErpError('validation', `Lock-box fixed-width field ${what} holds ${length} characters; "${value}" is longer`);
  const padded = numeric ? value.padStart(length, '0') : value.padEnd(length, ' ');
  for (let i = 0; i < length; i++) line[start - 1 + i] = padded[i]!;
}

function toFixedWidth(f: LockboxFile): string {
  const { header, detail, trailer, recordLength } = FIXED_WIDTH;
  const blank = () => Array<string>(recordLength).fill(' ');
  const h = blank();
  put(h, header.type, '1', 'type');
  put(h, header.source, 'TIEOUT', 'source');
  put(h, header.batchId, f.batchId, 'batchId');
  put(h, header.date, ymd(f.date), 'date');
  put(h, header.bankCode, f.bankCode, 'bankCode');
  put(h, header.currency, f.currency, 'currency');
  const lines = [h.join('')];
  for (const d of f.details) {
    const l = blank();
    put(l, detail.type, '6', 'type');
    put(l, detail.reference, d.reference, 'reference');
    put(l, detail.customerId, d.customerId, 'customerId');
    put(l, detail.invoiceNo, d.invoiceNo, 'invoiceNo');
    put(l, detail.amountCents, String(d.amountCents), 'amountCents', true);
    put(l, detail.date, ymd(d.date), 'date');
    put(l, detail.method, d.method, 'method');
    lines.push(l.join(''));
  }
  const t = blank();
  put(t, trailer.type, '9', 'type');
  put(t, trailer.count, String(f.details.length), 'count', true);
  put(t, trailer.totalCents, String(f.totalCents), 'totalCents', true);
  lines.push(t.join(''));
  return lines.join('\r\n') + '\r\n';
}

/** Parses either layout; throws a `validation` error naming the bad line. */
export function parseLockboxFile(content: string, layout: LockboxLayout): LockboxFile {
  const lines = content.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new ErpError('validation', 'Lock-box file: needs a header and a trailer');
  const file = layout === 'csv' ? fromCsv(lines) : fromFixedWidth(lines);
  const sum = file.details.reduce((s, d) => s + d.amountCents, 0);
  if (sum !== file.totalCents) throw new ErpError('validation', `Lock-box file: trailer total ${file.totalCents} does not match details ${sum} (cents)`);
  return file;
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function amount(text: string, where: string): Cents {
  try {
    return parseDecimalToCents(text);
  } catch {
    throw new ErpError('validation', `Lock-box file ${where}: "${text}" is not an amount`);
  }
}

function fromCsv(lines: string[]): LockboxFile {
  const rows = lines.map(splitCsv);
  const h = rows[0]!;
  const t = rows[rows.length - 1]!;
  if (h[0] !== 'H' || h.length < 6) throw new ErpError('validation', 'Lock-box CSV line 1: expected the H header record');
  if (t[0] !== 'T' || t.length < 3) throw new ErpError('validation', `Lock-box CSV line ${rows.length}: expected the T trailer record`);
  const details = rows.slice(1, -1).map((d, i): LockboxDetail => {
    if (d[0] !== 'D' || d.length < 7) throw new ErpError('validation', `Lock-box CSV line ${i + 2}: expected a D detail record`);
    return { reference: d[1]!, customerId: d[2]!, invoiceNo: d[3]!, amountCents: amount(d[4]!, `line ${i + 2}`), date: iso(d[5]!), method: d[6]! };
  });
  if (Number(t[1]) !== details.length) throw new ErpError('validation', `Lock-box CSV trailer: count ${t[1]} but ${details.length} details`);
  return { batchId: h[2]!, date: iso(h[3]!), bankCode: h[4]!, currency: h[5]!, details, totalCents: amount(t[2]!, 'trailer') };
}

function field(line: string, [start, length]: readonly [number, number]): string {
  return line.slice(start - 1, start - 1 + length).trim();
}

function digits(line: string, col: readonly [number, number], where: string): number {
  const v = field(line, col);
  if (!/^\d+$/.test(v)) throw new ErpError('validation', `Lock-box fixed-width ${where}: "${v}" is not a number`);
  return Number(v);
}

function fromFixedWidth(lines: string[]): LockboxFile {
  const { header, detail, trailer } = FIXED_WIDTH;
  const h = lines[0]!;
  const t = lines[lines.length - 1]!;
  if (field(h, header.type) !== '1') throw new ErpError('validation', 'Lock-box fixed-width line 1: expected the type 1 header record');
  if (field(t, trailer.type) !== '9') throw new ErpError('validation', `Lock-box fixed-width line ${lines.length}: expected the type 9 trailer record`);
  const details = lines.slice(1, -1).map((l, i): LockboxDetail => {
    const where = `line ${i + 2}`;
    if (field(l, detail.type) !== '6') throw new ErpError('validation', `Lock-box fixed-width ${where}: expected a type 6 detail record`);
    return {
      reference: field(l, detail.reference),
      customerId: field(l, detail.customerId),
      invoiceNo: field(l, detail.invoiceNo),
      amountCents: cents(digits(l, detail.amountCents, where)),
      date: iso(field(l, detail.date)),
      method: field(l, detail.method),
    };
  });
  if (digits(t, trailer.count, 'trailer') !== details.length) throw new ErpError('validation', 'Lock-box fixed-width trailer: detail count does not match');
  return {
    batchId: field(h, header.batchId),
    date: iso(field(h, header.date)),
    bankCode: field(h, header.bankCode),
    currency: field(h, header.currency),
    details,
    totalCents: cents(digits(t, trailer.totalCents, 'trailer')),
  };
}

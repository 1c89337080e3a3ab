import { cents, centsToDecimalString, parseDecimalToCents, type Cents } from '@shared/money';
import type { ReceiptRequest } from '../connector';
import { ErpError } from '../errors';

// Lock-box/EFT import files for Eclipse Cash Receipts. Eclipse imports such
// files with a layout configured on the site (reference §2, layout
// unconfirmed), so Tieout writes one of two documented layouts
// (docs/erp/eclipse.md): CSV or fixed width, each header / detail / trailer.
// One file holds one receipt; the detail lines are its invoice applications
// (an unapplied remainder is a detail with a blank invoice; an open credit
// applied is a detail with a negative amount naming the credit memo). The
// early-payment discount taken on an invoice travels beside its detail, as
// remittance formats carry it per invoice (X12 RMT07 "amount of discount
// taken"): a CSV column, or a fixed-width type 4 overflow record. The trailer total is the cash: discounts are not in it.
// The parser is the sandbox's importer and the round-trip check in tests.

export type LockboxLayout = 'csv' | 'fixed-width';

export type LockboxDetail = Readonly<{ reference: string; customerId: string; invoiceNo: string; amountCents: Cents; date: string; method: string; discountCents?: Cents }>;

export type LockboxFile = Readonly<{ batchId: string; date: string; bankCode: string; currency: string; details: readonly LockboxDetail[]; totalCents: Cents }>;

/** Fixed-width columns: [start (1-based), length]. Record length 80. */
export const FIXED_WIDTH = {
  recordLength: 80,
  header: { type: [1, 1], source: [2, 10], batchId: [12, 20], date: [32, 8], bankCode: [40, 10], currency: [50, 3] },
  /** amountCents is signed: a leading '-' (then zeros) for an open credit applied. */
  detail: { type: [1, 1], reference: [2, 20], customerId: [22, 15], invoiceNo: [37, 15], amountCents: [52, 12], date: [64, 8], method: [72, 4] },
  /** Overflow record after a detail: the early-payment discount taken on that detail's invoice. */
  discount: { type: [1, 1], reference: [2, 20], invoiceNo: [22, 15], discountCents: [37, 12] },
  trailer: { type: [1, 1], count: [2, 6], totalCents: [8, 14] },
} as const;

const ymd = (iso: string): string => iso.replace(/-/g, '');
const iso = (d: string): string => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

export function lockboxFileName(reference: string, layout: LockboxLayout): string {
  const safe = reference.replace(/[^A-Za-z0-9_-]/g, '_');
  return `tieout-${safe}.${layout === 'csv' ? 'csv' : 'txt'}`;
}

export function buildLockboxFile(r: ReceiptRequest, layout: LockboxLayout, discounts: ReadonlyMap<string, Cents> = new Map()): string {
  const method = r.paymentMethod === 'ach' ? 'EFT' : 'CC';
  const pending = new Map(discounts);
  const details: LockboxDetail[] = r.allocations.map((a) => {
    const d = a.amountCents > 0 ? pending.get(a.invoiceNo.trim()) : undefined;
    if (d !== undefined) pending.delete(a.invoiceNo.trim());
    return { reference: r.reference, customerId: r.customerId, invoiceNo: a.invoiceNo, amountCents: a.amountCents, date: r.date, method, ...(d ? { discountCents: d } : {}) };
  });
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
    ...f.details.map((d) => [
      'D', d.reference, d.customerId, d.invoiceNo, centsToDecimalString(d.amountCents), ymd(d.date), d.method, d.discountCents ? centsToDecimalString(d.discountCents) : '',
    ]),
    ['T', String(f.details.length), centsToDecimalString(f.totalCents)],
  ];
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Cents zero-padded to the width; a negative amount keeps its '-' in front of the zeros. */
function signedDigits(c: Cents, width: number): string {
  return c < 0 ? `-${String(-c).padStart(width - 1, '0')}` : String(c);
}

function put(line: string[], [start, length]: readonly [number, number], value: string, what: string, numeric = false): void {
  if (value.length > length) throw new ErpError('validation', `Lock-box fixed-width field ${what} holds ${length} characters; "${value}" is longer`);
  const padded = numeric ? value.padStart(length, '0') : value.padEnd(length, ' ');
  for (let i = 0; i < length; i++) line[start - 1 + i] = padded[i]!;
}

function toFixedWidth(f: LockboxFile): string {
  const { header, detail, discount, trailer, recordLength } = FIXED_WIDTH;
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
    put(l, detail.amountCents, signedDigits(d.amountCents, detail.amountCents[1]), 'amountCents', true);
    put(l, detail.date, ymd(d.date), 'date');
    put(l, detail.method, d.method, 'method');
    lines.push(l.join(''));
    if (d.discountCents) {
      const o = blank();
      put(o, discount.type, '4', 'type');
      put(o, discount.reference, d.reference, 'reference');
      put(o, discount.invoiceNo, d.invoiceNo, 'invoiceNo');
      put(o, discount.discountCents, String(d.discountCents), 'discountCents', true);
      lines.push(o.join(''));
    }
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
    const discountCents = d[7] ? amount(d[7], `line ${i + 2} discount`) : 0;
    if (discountCents < 0) throw new ErpError('validation', `Lock-box CSV line ${i + 2}: a discount cannot be negative`);
    return { reference: d[1]!, customerId: d[2]!, invoiceNo: d[3]!, amountCents: amount(d[4]!, `line ${i + 2}`), date: iso(d[5]!), method: d[6]!, ...(discountCents ? { discountCents } : {}) };
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

function signed(line: string, col: readonly [number, number], where: string): number {
  const v = field(line, col);
  const m = /^(-?)(\d+)$/.exec(v);
  if (!m) throw new ErpError('validation', `Lock-box fixed-width ${where}: "${v}" is not a number`);
  return m[1] ? -Number(m[2]) : Number(m[2]);
}

function fromFixedWidth(lines: string[]): LockboxFile {
  const { header, detail, discount, trailer } = FIXED_WIDTH;
  const h = lines[0]!;
  const t = lines[lines.length - 1]!;
  if (field(h, header.type) !== '1') throw new ErpError('validation', 'Lock-box fixed-width line 1: expected the type 1 header record');
  if (field(t, trailer.type) !== '9') throw new ErpError('validation', `Lock-box fixed-width line ${lines.length}: expected the type 9 trailer record`);
  const details: LockboxDetail[] = [];
  lines.slice(1, -1).forEach((l, i) => {
    const where = `line ${i + 2}`;
    const type = field(l, detail.type);
    if (type === '4') {
      const last = details[details.length - 1];
      if (!last || last.invoiceNo !== field(l, discount.invoiceNo) || last.discountCents) {
        throw new ErpError('validation', `Lock-box fixed-width ${where}: a type 4 discount record must follow the type 6 detail of its invoice`);
      }
      details[details.length - 1] = { ...last, discountCents: cents(digits(l, discount.discountCents, where)) };
      return;
    }
    if (type !== '6') throw new ErpError('validation', `Lock-box fixed-width ${where}: expected a type 6 detail or type 4 discount record`);
    details.push({
      reference: field(l, detail.reference),
      customerId: field(l, detail.customerId),
      invoiceNo: field(l, detail.invoiceNo),
      amountCents: cents(signed(l, detail.amountCents, where)),
      date: iso(field(l, detail.date)),
      method: field(l, detail.method),
    });
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

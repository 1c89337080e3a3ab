import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { makePrivate, PRIVATE_FILE_MODE } from '../core/private-files';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse as parseCsv } from 'csv-parse/sync';
import { centsToDecimalString, parseDecimalToCents, type Cents } from '@shared/money';
import type { Customer, MatchOutcome, OpenInvoice, PaymentTerms, PayTraceTransaction } from '@shared/domain';
import { DEFAULT_MERCHANT_ZONE } from '@shared/paytrace-time';
import { normalizeExportRow } from '../core/paytrace/normalize';
import { matcherRawView } from '@shared/matcher-raw-view';
import { DEFAULT_MATCH_CONFIG, MatchConfigError, parseMatchConfig, type MatchConfig } from '../core/matching/config';
import { createMatcher } from '../core/matching/engine';

// `tieout match --paytrace <export.json> --invoices <open-ar.csv> [--out <result.json>] [--config <rules.json>]`
// Files in, one result per transaction out. Bad input names the file, the
// line and the field, and exits non-zero; nothing is half-written.

export type MatchCommandIo = Readonly<{ stdout: (s: string) => void; stderr: (s: string) => void }>;

const USAGE = 'Usage: tieout match --paytrace <export.json> --invoices <open-ar.csv> [--out <result.json>] [--config <rules.json>] [--zone <IANA zone>]';

export const OPEN_AR_COLUMNS = ['invoice_no', 'customer_id', 'customer_name', 'invoice_date', 'due_date', 'amount', 'open_balance', 'currency', 'po_no'] as const;

export class InputFileError extends Error {
  constructor(readonly file: string, readonly line: number | null, readonly field: string | null, detail: string) {
    super(`${file}${line !== null ? `:${line}` : ''}${field ? ` (field ${field})` : ''}: ${detail}`);
    this.name = 'InputFileError';
  }
}

export async function runMatchCommand(argv: string[], io: MatchCommandIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        paytrace: { type: 'string' },
        invoices: { type: 'string' },
        out: { type: 'string' },
        config: { type: 'string' },
        zone: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.stderr(`tieout match: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const paytraceFile = values.paytrace as string | undefined;
  const invoicesFile = values.invoices as string | undefined;
  if (!paytraceFile || !invoicesFile) {
    io.stderr(`tieout match: --paytrace and --invoices are required\n${USAGE}\n`);
    return 2;
  }
  try {
    const zone = (values.zone as string | undefined) ?? DEFAULT_MERCHANT_ZONE;
    const config = values.config ? readRules(values.config as string) : DEFAULT_MATCH_CONFIG;
    const phases = phaseClock();
    const transactions = readPayTraceExport(paytraceFile, zone);
    phases.mark('read export');
    const { invoices, customers } = readOpenAr(invoicesFile);
    phases.mark('read invoices');
    // Between phases the heap is mostly garbage (the export's text, the CSV rows, then
    // the matcher's working data): collecting it there keeps V8 from sizing the heap
    // for it, which is what peak RSS is made of (about -200 MB at 100k × 140k, ~0.2 s).
    collectGarbage();
    const outcomes = createMatcher(config)({ transactions, invoices, customers });
    phases.mark('match');
    collectGarbage();
    const out = values.out as string | undefined;
    if (out) {
      writeResultsFile(out, outcomes);
      phases.mark('write');
      phases.report(io.stderr);
      const counts = { auto: 0, suggested: 0, exception: 0 };
      for (const o of outcomes) counts[o.status]++;
      io.stderr(`tieout match: ${outcomes.length} transactions → ${counts.auto} auto, ${counts.suggested} suggested, ${counts.exception} exception; wrote ${out}\n`);
    } else {
      writeResults(outcomes, io.stdout);
    }
    return 0;
  } catch (e) {
    if (e instanceof InputFileError || e instanceof MatchConfigError) {
      io.stderr(`tieout match: ${e.message}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && typeof err.path === 'string') {
      io.stderr(`tieout match: ${err.path}: cannot read (${err.code})\n`);
      return 1;
    }
    throw e;
  }
}

let gc: (() => void) | null | undefined;

/** A full garbage collection, where the runtime allows one (V8's gc, exposed for this). */
function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

/** `TIEOUT_MATCH_TIMINGS=1`: one stderr line with the time and heap after each phase (for benchmarks). */
function phaseClock(): { mark(name: string): void; report(write: (s: string) => void): void } {
  const on = process.env.TIEOUT_MATCH_TIMINGS === '1';
  const parts: string[] = [];
  let last = performance.now();
  return {
    mark(name) {
      if (!on) return;
      const now = performance.now();
      parts.push(`${name} ${Math.round(now - last)} ms (heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB)`);
      last = now;
    },
    report(write) {
      if (on) write(`tieout match timings: ${parts.join(', ')}; max RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`);
    },
  };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputFileError(file, null, null, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Line (1-based) of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parseJsonFile(file: string): { text: string; value: unknown } {
  const text = readText(file);
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    const lineMatch = /line (\d+)/.exec(message);
    const line = pos ? lineAt(text, Number(pos[1])) : lineMatch ? Number(lineMatch[1]) : null;
    throw new InputFileError(file, line, null, `malformed JSON: ${message}`);
  }
}

function readRules(file: string): MatchConfig {
  const { value } = parseJsonFile(file);
  return parseMatchConfig(value, file);
}

/** Line of the n-th row's "transaction_id" key, for error messages (computed only when an error needs it). */
function rowLines(text: string): number[] {
  const lines: number[] = [];
  const re = /"transaction_id"\s*:/g;
  let line = 1;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    for (let i = last; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
    last = m.index;
    lines.push(line);
  }
  return lines;
}

export function readPayTraceExport(file: string, zone: string = DEFAULT_MERCHANT_ZONE): PayTraceTransaction[] {
  const { text, value } = parseJsonFile(file);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputFileError(file, 1, null, 'expected the export envelope object {"success":…, "transactions":[…]}');
  }
  const envelope = value as Record<string, unknown>;
  if (envelope.success === false) {
    throw new InputFileError(file, 1, 'success', `the export reports failure (response_code ${JSON.stringify(envelope.response_code)})`);
  }
  const rows = envelope.transactions;
  if (!Array.isArray(rows)) throw new InputFileError(file, 1, 'transactions', 'missing or not an array');
  const lineOf = (i: number): number | null => rowLines(text)[i] ?? null;
  const seen = new Set<number>();
  const transactions = new Array<PayTraceTransaction>(rows.length);
  const options = { zone };
  for (let i = 0; i < rows.length; i++) {
    const result = normalizeExportRow(rows[i], options);
    if (!result.ok) {
      const field = /:\s*([a-z_.]+)(?::| is| \()/.exec(result.error)?.[1] ?? null;
      throw new InputFileError(file, lineOf(i), field ? `transactions[${i}].${field}` : `transactions[${i}]`, result.error);
    }
    const id = result.value.transactionId;
    if (seen.has(id)) throw new InputFileError(file, lineOf(i), `transactions[${i}].transaction_id`, `duplicate transaction_id ${id}`);
    seen.add(id);
    // Results carry no raw rows: keep only what the matcher reads, and let the parsed export go.
    transactions[i] = { ...result.value, raw: matcherRawView(rows[i]) };
  }
  return transactions;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isIsoDate(v: string): boolean {
  return ISO_DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;
}

/** Dates repeat a lot in an open-AR file: each distinct one is checked once and stored once. */
function isoDateChecker(): (value: string, file: string, line: number, field: string, optional: boolean) => string | null {
  const valid = new Map<string, string>();
  return (value, file, line, field, optional) => {
    const known = valid.get(value);
    if (known !== undefined) return known;
    const v = value.trim();
    if (v === '' && optional) return null;
    if (!isIsoDate(v)) throw new InputFileError(file, line, field, `not an ISO date (YYYY-MM-DD): ${JSON.stringify(value)}`);
    valid.set(value, v);
    return v;
  };
}

const PLAIN_AMOUNT = /^(-?)(\d{1,13})\.(\d\d)$/;

function amount(value: string, file: string, line: number, field: string): Cents {
  // The common shape ("1234.50", "-20.00") without the general parser's clean-up passes.
  const m = PLAIN_AMOUNT.exec(value);
  if (m) return ((m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3])) || 0) as Cents;
  try {
    return parseDecimalToCents(value);
  } catch (e) {
    throw new InputFileError(file, line, field, (e as Error).message);
  }
}

// ---------------------------------------------------------------------------
// CSV: a single pass over the text. Rows without quotes are cut with indexOf;
// quoted fields ("1,200.50", doubled quotes, line breaks inside quotes) are read
// character by character. Anything the fast reader does not handle exactly like
// csv-parse (a bare CR line ending, a stray quote, a row with the wrong number
// of fields) is handed to csv-parse, so its error messages stay word for word.

type CsvRow = { fields: string[]; line: number };

export class NotSimpleCsv extends Error {}

/** Exported for the differential test against csv-parse. */
export function fastCsvRows(text: string): { header: string[]; rows: CsvRow[] } {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = text.length;
  let line = 1;
  let width = -1;
  let header: string[] | null = null;
  const rows: CsvRow[] = [];
  while (pos < end) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = end;
    let lineEnd = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    let fields: string[];
    const startLine = line;
    const quote = text.indexOf('"', pos);
    if (quote === -1 || quote >= lineEnd) {
      const raw = text.slice(pos, lineEnd);
      if (raw.indexOf('\r') !== -1) throw new NotSimpleCsv();
      pos = nl + 1;
      line++;
      if (raw === '') continue; // skip_empty_lines
      fields = raw.split(',');
    } else {
      fields = [];
      let field = '';
      let i = pos;
      for (;;) {
        if (text.charCodeAt(i) === 34) {
          // quoted field
          i++;
          for (;;) {
            const q = text.indexOf('"', i);
            if (q === -1) throw new NotSimpleCsv(); // unclosed quote
            const chunk = text.slice(i, q);
            // csv-parse counts a CR and an LF inside quotes as a line each: so does this, for identical line numbers.
            for (let k = chunk.indexOf('\n'); k !== -1; k = chunk.indexOf('\n', k + 1)) line++;
            for (let k = chunk.indexOf('\r'); k !== -1; k = chunk.indexOf('\r', k + 1)) line++;
            field += chunk;
            if (text.charCodeAt(q + 1) === 34) {
              field += '"';
              i = q + 2;
            } else {
              i = q + 1;
              break;
            }
          }
          const c = i < end ? text.charCodeAt(i) : 10;
          if (c !== 44 && c !== 10 && !(c === 13 && text.charCodeAt(i + 1) === 10)) throw new NotSimpleCsv();
        } else {
          let j = i;
          for (; j < end; j++) {
            const c = text.charCodeAt(j);
            if (c === 44 || c === 10) break;
            if (c === 34) throw new NotSimpleCsv();
            if (c === 13) {
              if (text.charCodeAt(j + 1) === 10) break;
              throw new NotSimpleCsv();
            }
          }
          field = text.slice(i, j);
          i = j;
        }
        fields.push(field);
        field = '';
        if (i >= end) {
          pos = end;
          break;
        }
        const c = text.charCodeAt(i);
        if (c === 44) {
          i++;
          continue;
        }
        // end of record: \n or \r\n
        pos = c === 13 ? i + 2 : i + 1;
        break;
      }
      line++;
      lineEnd = -1;
    }
    if (header === null) {
      header = fields.map((h) => h.trim().toLowerCase());
      width = fields.length;
      continue;
    }
    if (fields.length !== width) throw new NotSimpleCsv();
    rows.push({ fields, line: line - 1 > startLine ? line - 1 : startLine });
  }
  return { header: header ?? [], rows };
}

/** csv-parse, for files the fast reader declines: same records, or csv-parse's own error. */
export function csvParseRows(text: string, file: string): { header: string[]; rows: CsvRow[] } {
  let header: string[] = [];
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parseCsv(text, {
      columns: (h: string[]) => (header = h.map((c) => c.trim().toLowerCase())),
      info: true,
      skip_empty_lines: true,
      bom: true,
      trim: false,
    }) as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new InputFileError(file, err.lines ?? null, null, `malformed CSV: ${err.message}`);
  }
  return { header, rows: records.map(({ record, info }) => ({ fields: header.map((h) => record[h] ?? ''), line: info.lines })) };
}

export const OPEN_AR_TERMS_COLUMNS = ['discount_percent', 'discount_days', 'net_days', 'terms'] as const;

const WHOLE_DAYS = /^\d{1,3}$/;
const PERCENT = /^(\d{1,2})(?:\.(\d{1,2}))?%?$/;
// "2/10 net 30", "2% 10 Net 30", "2/10 N30", "1.5/15, net 45"
const TERMS_TEXT = /^(\d{1,2}(?:\.\d{1,2})?)\s*%?\s*[/ ]?\s*(\d{1,3})\s*(?:days?)?\s*,?\s*(?:n(?:et)?\s*\/?\s*(\d{1,3}))?\s*(?:days?)?$/i;
const NET_ONLY = /^(?:n(?:et)?\s*\/?\s*(\d{1,3})(?:\s*days?)?|cod|due on receipt)$/i;

function percentToBasisPoints(text: string): number | null {
  const m = PERCENT.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/**
 * Discount terms from the optional columns: `discount_percent` + `discount_days`
 * (+ `net_days`), or a `terms` text such as "2/10 net 30". Null when the row
 * gives no discount ("net 30" alone carries nothing the matcher can use).
 */
function readTerms(cell: (name: string) => string, file: string, line: number): PaymentTerms | null {
  const pctText = cell('discount_percent').trim();
  const daysText = cell('discount_days').trim();
  const netText = cell('net_days').trim();
  const termsText = cell('terms').trim();
  let fromParts: PaymentTerms | null = null;
  if (pctText !== '' || daysText !== '' || netText !== '') {
    const bp = pctText === '' ? 0 : percentToBasisPoints(pctText);
    if (bp === null || bp >= 10_000) throw new InputFileError(file, line, 'discount_percent', `not a percentage from 0 to 99.99: ${JSON.stringify(pctText)}`);
    if (daysText !== '' && !WHOLE_DAYS.test(daysText)) throw new InputFileError(file, line, 'discount_days', `not a whole number of days: ${JSON.stringify(daysText)}`);
    if (netText !== '' && !WHOLE_DAYS.test(netText)) throw new InputFileError(file, line, 'net_days', `not a whole number of days: ${JSON.stringify(netText)}`);
    const discountDays = daysText === '' ? 0 : Number(daysText);
    if (bp > 0 && discountDays === 0) throw new InputFileError(file, line, 'discount_days', `a discount of ${pctText}% needs its discount period in days`);
    if (bp === 0 && discountDays > 0) throw new InputFileError(file, line, 'discount_percent', `a discount period of ${discountDays} days needs its discount percentage`);
    const netDays = netText === '' ? discountDays : Number(netText);
    if (netDays < discountDays) throw new InputFileError(file, line, 'net_days', `net ${netDays} days is shorter than the discount period of ${discountDays} days`);
    if (bp > 0) fromParts = { discountBasisPoints: bp, discountDays, netDays };
  }
  if (termsText === '') return fromParts;
  let fromText: PaymentTerms | null = null;
  const m = TERMS_TEXT.exec(termsText);
  if (m) {
    const bp = percentToBasisPoints(m[1]!)!;
    const discountDays = Number(m[2]);
    const netDays = m[3] === undefined ? discountDays : Number(m[3]);
    if (bp >= 10_000 || discountDays === 0 || netDays < discountDays) throw new InputFileError(file, line, 'terms', `not readable discount terms: ${JSON.stringify(termsText)}`);
    fromText = bp > 0 ? { discountBasisPoints: bp, discountDays, netDays } : null;
  } else if (!NET_ONLY.test(termsText)) {
    throw new InputFileError(file, line, 'terms', `not readable discount terms (expected e.g. "2/10 net 30"): ${JSON.stringify(termsText)}`);
  }
  if (fromParts && fromText && (fromParts.discountBasisPoints !== fromText.discountBasisPoints || fromParts.discountDays !== fromText.discountDays || fromParts.netDays !== fromText.netDays)) {
    throw new InputFileError(file, line, 'terms', `${JSON.stringify(termsText)} disagrees with discount_percent/discount_days/net_days`);
  }
  return fromParts ?? fromText;
}

const CURRENCY = /^[A-Z]{3}$/;

export function readOpenAr(file: string): { invoices: OpenInvoice[]; customers: Customer[] } {
  const text = readText(file);
  let parsed: { header: string[]; rows: CsvRow[] };
  try {
    parsed = fastCsvRows(text);
  } catch (e) {
    if (!(e instanceof NotSimpleCsv)) throw e;
    parsed = csvParseRows(text, file);
  }
  const headerLine = text.split(/\r?\n/, 1)[0] ?? '';
  const header = headerLine.replace(/^\uFEFF/, '').split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const missing = OPEN_AR_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new InputFileError(file, 1, missing.join(', '), `missing column${missing.length > 1 ? 's' : ''} (header must be ${OPEN_AR_COLUMNS.join(',')})`);

  // Column positions (the last of a repeated name wins, as with csv-parse's `columns`).
  const col = new Map<string, number>();
  parsed.header.forEach((h, i) => col.set(h, i));
  const at = (name: string): number => col.get(name) ?? -1;
  const [cInvoice, cCustomer, cName, cDate, cDue, cAmount, cOpen, cCurrency, cPo] = OPEN_AR_COLUMNS.map(at) as number[];
  const hasTerms = OPEN_AR_TERMS_COLUMNS.some((c) => col.has(c));
  const isoDate = isoDateChecker();

  const invoices = new Array<OpenInvoice>(parsed.rows.length);
  const customers = new Map<string, Customer>();
  const seen = new Set<string>();
  let n = 0;
  for (const { fields, line } of parsed.rows) {
    const get = (i: number): string => (i < 0 ? '' : (fields[i] ?? ''));
    const invoiceNo = get(cInvoice!).trim();
    if (!invoiceNo) throw new InputFileError(file, line, 'invoice_no', 'empty');
    if (seen.has(invoiceNo)) throw new InputFileError(file, line, 'invoice_no', `duplicate invoice ${invoiceNo}`);
    seen.add(invoiceNo);
    const customerId = get(cCustomer!).trim();
    if (!customerId) throw new InputFileError(file, line, 'customer_id', 'empty');
    const currencyText = get(cCurrency!);
    const currency = currencyText === 'USD' ? 'USD' : (currencyText.trim() || 'USD').toUpperCase();
    if (!CURRENCY.test(currency)) throw new InputFileError(file, line, 'currency', `not an ISO 4217 code: ${JSON.stringify(currencyText)}`);
    const total = amount(get(cAmount!), file, line, 'amount');
    // A negative open balance is an open credit (credit memo): customers pay net of it.
    const open = amount(get(cOpen!), file, line, 'open_balance');
    const customer = customers.get(customerId);
    const nameText = get(cName!).trim();
    // One string per customer name, not one per invoice line.
    const customerName = customer && customer.name === nameText ? customer.name : nameText;
    const invoice: OpenInvoice = {
      invoiceNo,
      customerId,
      customerName,
      invoiceDate: isoDate(get(cDate!), file, line, 'invoice_date', false)!,
      dueDate: isoDate(get(cDue!), file, line, 'due_date', true),
      amountCents: total,
      openBalanceCents: open,
      currency,
      poNo: get(cPo!).trim(),
    };
    invoices[n++] = hasTerms ? { ...invoice, terms: readTerms((name) => get(at(name)), file, line) } : invoice;
    if (!customer) customers.set(customerId, { customerId, name: customerName });
  }
  invoices.length = n;
  return { invoices, customers: [...customers.values()] };
}

// ---------------------------------------------------------------------------
// Output: {"results":[ one result per line ]}, written as it is produced in
// chunks of about 1 MB, never as one giant string. With --out it goes to a
// temporary file renamed into place at the end, so a failed run leaves nothing
// half-written.

const CHUNK_CHARS = 1 << 20;

export function writeResults(outcomes: readonly MatchOutcome[], write: (s: string) => void): void {
  let buf = '{"results":[\n';
  for (let i = 0; i < outcomes.length; i++) {
    buf += resultLine(outcomes[i]!);
    buf += i + 1 < outcomes.length ? ',\n' : '\n';
    if (buf.length >= CHUNK_CHARS) {
      write(buf);
      buf = '';
    }
  }
  write(`${buf}]}\n`);
}

/** Characters JSON.stringify escapes (quote, backslash, controls, lone surrogates): strings without them are written as they are. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const q = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

function allocationsLine(list: MatchOutcome['allocations']): string {
  let s = '[';
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    const discount = a.discountCents ? `,"discount":"${centsToDecimalString(a.discountCents)}"` : '';
    s += `${i > 0 ? ',' : ''}{"invoice_no":${q(a.invoiceNo)},"amount":"${centsToDecimalString(a.amountCents)}"${discount}}`;
  }
  return `${s}]`;
}

function stringsLine(list: readonly string[], prefix = '', s = '['): string {
  for (let i = 0; i < list.length; i++) s += `${s.length > 1 ? ',' : ''}${q(prefix + list[i]!)}`;
  return s;
}

const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/** `JSON.stringify(toResultJson(o))`, written directly (no intermediate objects); the output test compares the two. */
export function resultLine(o: MatchOutcome): string {
  let candidates = '[';
  const n = Math.min(o.candidates.length, 5);
  for (let i = 0; i < n; i++) {
    const c = o.candidates[i]!;
    const reasons = `${stringsLine(c.blockers, 'not automatic: ', stringsLine(c.reasons))}]`;
    candidates += `${i > 0 ? ',' : ''}{"allocations":${allocationsLine(c.allocations)},"score":${num(c.score)},"points":${num(c.points)},"reasons":${reasons}}`;
  }
  return (
    `{"transaction_id":${num(o.transactionId)},"status":${q(o.status)},"allocations":${allocationsLine(o.allocations)},"candidates":${candidates}]` +
    `,"score":${num(o.score)},"reason":${q(o.reason)},"reasons":${stringsLine(o.reasons)}],"exception":${o.exception === null ? 'null' : q(o.exception)}` +
    `,"customer_id":${o.customerId === null ? 'null' : q(o.customerId)},"unapplied":"${centsToDecimalString(o.unappliedCents)}"${extrasLine(o)}}`
  );
}

/** How the payment was applied, only where it says something (docs/matching.md "Cash application", "Refunds and voids"). */
function extrasLine(o: MatchOutcome): string {
  let s = '';
  if (o.markers && o.markers.length > 0) s += `,"markers":${stringsLine(o.markers)}]`;
  if (o.remainingCents) s += `,"remaining":"${centsToDecimalString(o.remainingCents)}"`;
  if (o.refundOf !== undefined) s += `,"refund_of":${o.refundOf === null ? 'null' : num(o.refundOf)}`;
  if (o.refundedBy && o.refundedBy.length > 0) s += `,"refunded_by":[${o.refundedBy.map(num).join(',')}],"refunded":"${centsToDecimalString(o.refundedCents ?? 0)}"`;
  return s;
}

function writeResultsFile(file: string, outcomes: readonly MatchOutcome[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number | null = null;
  try {
    // Results name payers and invoices: readable by this user only (issue 12), whatever the umask.
    fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
    makePrivate(tmp);
    const target = fd;
    writeResults(outcomes, (s) => {
      writeSync(target, s);
    });
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    throw new InputFileError(file, null, null, `cannot write (${err.code ?? err.message})`);
  }
}

function allocationJson(a: { invoiceNo: string; amountCents: number; discountCents?: number }): { invoice_no: string; amount: string; discount?: string } {
  return { invoice_no: a.invoiceNo, amount: centsToDecimalString(a.amountCents), ...(a.discountCents ? { discount: centsToDecimalString(a.discountCents) } : {}) };
}

export function toResultJson(o: MatchOutcome): Record<string, unknown> {
  return {
    transaction_id: o.transactionId,
    status: o.status,
    allocations: o.allocations.map(allocationJson),
    candidates: o.candidates.slice(0, 5).map((c) => ({
      allocations: c.allocations.map(allocationJson),
      score: c.score,
      points: c.points,
      reasons: [...c.reasons, ...c.blockers.map((b) => `not automatic: ${b}`)],
    })),
    score: o.score,
    reason: o.reason,
    reasons: o.reasons,
    exception: o.exception,
    customer_id: o.customerId,
    unapplied: centsToDecimalString(o.unappliedCents),
    ...(o.markers && o.markers.length > 0 ? { markers: o.markers } : {}),
    ...(o.remainingCents ? { remaining: centsToDecimalString(o.remainingCents) } : {}),
    ...(o.refundOf !== undefined ? { refund_of: o.refundOf } : {}),
    ...(o.refundedBy && o.refundedBy.length > 0 ? { refunded_by: o.refundedBy, refunded: centsToDecimalString(o.refundedCents ?? 0) } : {}),
  };
}

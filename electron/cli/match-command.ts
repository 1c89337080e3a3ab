import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { centsToDecimalString, parseDecimalToCents, type Cents } from '@shared/money';
import type { Customer, MatchOutcome, OpenInvoice, PayTraceTransaction } from '@shared/domain';
import { DEFAULT_MERCHANT_ZONE } from '@shared/paytrace-time';
import { normalizeExportRow } from '../core/paytrace/normalize';
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
    const transactions = readPayTraceExport(paytraceFile, zone);
    const { invoices, customers } = readOpenAr(invoicesFile);
    const outcomes = createMatcher(config)({ transactions, invoices, customers });
    const json = `${JSON.stringify({ results: outcomes.map(toResultJson) }, null, 2)}\n`;
    const out = values.out as string | undefined;
    if (out) {
      writeFileSync(out, json);
      const counts = { auto: 0, suggested: 0, exception: 0 };
      for (const o of outcomes) counts[o.status]++;
      io.stderr(`tieout match: ${outcomes.length} transactions → ${counts.auto} auto, ${counts.suggested} suggested, ${counts.exception} exception; wrote ${out}\n`);
    } else {
      io.stdout(json);
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

/** Line of the n-th row's "transaction_id" key, for error messages. */
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
  const lines = rowLines(text);
  const seen = new Set<number>();
  return rows.map((row, i) => {
    const result = normalizeExportRow(row, { zone });
    const line = lines[i] ?? null;
    if (!result.ok) {
      const field = /:\s*([a-z_.]+)(?::| is| \()/.exec(result.error)?.[1] ?? null;
      throw new InputFileError(file, line, field ? `transactions[${i}].${field}` : `transactions[${i}]`, result.error);
    }
    if (seen.has(result.value.transactionId)) {
      throw new InputFileError(file, line, `transactions[${i}].transaction_id`, `duplicate transaction_id ${result.value.transactionId}`);
    }
    seen.add(result.value.transactionId);
    return result.value;
  });
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isoDate(value: string, file: string, line: number, field: string, optional: boolean): string | null {
  const v = value.trim();
  if (v === '' && optional) return null;
  if (!ISO_DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
    throw new InputFileError(file, line, field, `not an ISO date (YYYY-MM-DD): ${JSON.stringify(value)}`);
  }
  return v;
}

function amount(value: string, file: string, line: number, field: string): Cents {
  try {
    return parseDecimalToCents(value);
  } catch (e) {
    throw new InputFileError(file, line, field, (e as Error).message);
  }
}

export function readOpenAr(file: string): { invoices: OpenInvoice[]; customers: Customer[] } {
  const text = readText(file);
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    rows = parseCsv(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), info: true, skip_empty_lines: true, bom: true, trim: false }) as typeof rows;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new InputFileError(file, err.lines ?? null, null, `malformed CSV: ${err.message}`);
  }
  const headerLine = text.split(/\r?\n/, 1)[0] ?? '';
  const header = headerLine.replace(/^\uFEFF/, '').split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const missing = OPEN_AR_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new InputFileError(file, 1, missing.join(', '), `missing column${missing.length > 1 ? 's' : ''} (header must be ${OPEN_AR_COLUMNS.join(',')})`);

  const invoices: OpenInvoice[] = [];
  const customers = new Map<string, Customer>();
  const seen = new Set<string>();
  for (const { record, info } of rows) {
    const line = info.lines;
    const get = (f: (typeof OPEN_AR_COLUMNS)[number]): string => record[f] ?? '';
    const invoiceNo = get('invoice_no').trim();
    if (!invoiceNo) throw new InputFileError(file, line, 'invoice_no', 'empty');
    if (seen.has(invoiceNo)) throw new InputFileError(file, line, 'invoice_no', `duplicate invoice ${invoiceNo}`);
    seen.add(invoiceNo);
    const customerId = get('customer_id').trim();
    if (!customerId) throw new InputFileError(file, line, 'customer_id', 'empty');
    const currency = (get('currency').trim() || 'USD').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) throw new InputFileError(file, line, 'currency', `not an ISO 4217 code: ${JSON.stringify(get('currency'))}`);
    const total = amount(get('amount'), file, line, 'amount');
    const open = amount(get('open_balance'), file, line, 'open_balance');
    if (open < 0) throw new InputFileError(file, line, 'open_balance', 'negative open balance (credit memos are not open invoices)');
    const customerName = get('customer_name').trim();
    invoices.push({
      invoiceNo,
      customerId,
      customerName,
      invoiceDate: isoDate(get('invoice_date'), file, line, 'invoice_date', false)!,
      dueDate: isoDate(get('due_date'), file, line, 'due_date', true),
      amountCents: total,
      openBalanceCents: open,
      currency,
      poNo: get('po_no').trim(),
    });
    if (!customers.has(customerId)) customers.set(customerId, { customerId, name: customerName });
  }
  return { invoices, customers: [...customers.values()] };
}

function allocationJson(a: { invoiceNo: string; amountCents: number }): { invoice_no: string; amount: string } {
  return { invoice_no: a.invoiceNo, amount: centsToDecimalString(a.amountCents) };
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
  };
}

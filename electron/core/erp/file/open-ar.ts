import { basename } from 'node:path';
import { containsCardNumber } from '@shared/card-numbers';
import { MoneyParseError, parseDecimalToCents, type Cents } from '@shared/money';
import type { Customer, OpenInvoice } from '@shared/domain';
import { ErpError } from '../errors';
import { resolveHeader, type MappableField } from './mapping';
import type { FileOptions } from './options';
import { readRows } from './row-source';
import { parseTermsText, termsFromParts } from '../terms';

// Open AR from the site's file. Every bad row is reported with file, line
// and field; nothing is skipped. Reading is two passes over the file: check
// everything, then stream pages, so a bad row near the end stops the read
// before any page is handed out.

export type RowProblem = Readonly<{ file: string; line: number; field: string; message: string }>;

export type OpenArCheck = Readonly<{ rows: number; problems: readonly RowProblem[]; customers: readonly Customer[] }>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_LISTED = 10;

function validDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

type Parsed = { invoice: OpenInvoice } | { problems: RowProblem[] };

function parseRow(
  cells: readonly string[],
  line: number,
  columns: Partial<Record<MappableField, number>>,
  options: FileOptions,
  file: string,
): Parsed {
  const problems: RowProblem[] = [];
  const header = options.mapping;
  const get = (f: MappableField): string => {
    const i = columns[f];
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const problem = (f: MappableField, message: string): void => {
    problems.push({ file, line, field: header[f] ?? f, message });
  };
  const required = (f: MappableField): string => {
    const v = get(f);
    if (!v) problem(f, 'is empty');
    return v;
  };
  const amount = (f: MappableField): Cents | null => {
    const v = get(f);
    if (!v) return null;
    // ISO decimals only: "1234.50" or "-3.1". A comma decimal would be misread, so it is refused.
    if (!/^-?\d+(\.\d{1,4})?$/.test(v)) {
      problem(f, `"${v}" is not a decimal amount like 1234.50`);
      return null;
    }
    try {
      return parseDecimalToCents(v);
    } catch (e) {
      if (e instanceof MoneyParseError) problem(f, `"${v}" is not an amount`);
      return null;
    }
  };
  const date = (f: MappableField, isRequired: boolean): string | null => {
    const v = isRequired ? required(f) : get(f);
    if (!v) return null;
    if (!validDate(v)) {
      problem(f, `"${v}" is not a date (YYYY-MM-DD)`);
      return null;
    }
    return v;
  };

  const invoiceNo = required('invoiceNo');
  const customerId = required('customerId');
  const invoiceDate = date('invoiceDate', true);
  const dueDate = date('dueDate', false);
  if (!get('openBalance')) problem('openBalance', 'is empty');
  const open = amount('openBalance');
  const total = amount('amount');
  const currency = (get('currency') || options.defaultCurrency).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) problem('currency', `"${currency}" is not a 3-letter currency code`);
  if (problems.length > 0 || open === null || invoiceDate === null) return { problems };
  const terms = readTerms(get, problem, open);
  if (problems.length > 0) return { problems };
  const name = get('customerName');
  // A name is typed text that Tieout keeps and shows: never a card number (issue 12). The value is not
  // quoted back, since this message reaches the sync status and the log. ERP identifiers (invoice,
  // customer, PO numbers) are the ERP's own keys and not screened: a long numeric key may pass Luhn.
  if (containsCardNumber(name)) problem('customerName', 'holds what looks like a card number (13–19 digits passing the card check digit); Tieout never keeps card numbers: correct the file');
  if (problems.length > 0) return { problems };
  return {
    invoice: {
      invoiceNo,
      customerId,
      ...(name ? { customerName: name } : {}),
      invoiceDate,
      dueDate,
      amountCents: total ?? open,
      openBalanceCents: open,
      currency,
      poNo: get('poNo'),
      ...(terms ? { terms } : {}),
    },
  };
}

/**
 * Discount terms of one row: the percent/days columns when the row fills them,
 * else the terms text. A filled but unreadable discount column is a problem
 * (never silently no discount); a text that states no discount ("Net 30") is not.
 * Open credits carry no terms.
 */
function readTerms(get: (f: MappableField) => string, problem: (f: MappableField, message: string) => void, open: Cents): OpenInvoice['terms'] {
  if (open <= 0) return null;
  const pct = get('discountPercent');
  const days = get('discountDays');
  const net = get('netDays');
  if (pct || days) {
    if (!/^\d{1,2}(\.\d{1,4})?%?$/.test(pct)) problem('discountPercent', `"${pct}" is not a discount percent like 2 or 1.5`);
    if (!/^\d{1,3}$/.test(days)) problem('discountDays', `"${days}" is not a number of days`);
    if (net && !/^\d{1,3}$/.test(net)) problem('netDays', `"${net}" is not a number of days`);
    return termsFromParts({ rate: pct.replace(/%$/, ''), discountDays: days, netDays: net || undefined });
  }
  return parseTermsText(get('terms'));
}

function problemsError(problems: readonly RowProblem[], file: string): ErpError {
  const listed = problems.slice(0, MAX_LISTED).map((p) => `line ${p.line}, ${p.field}: ${p.message}`);
  const more = problems.length > MAX_LISTED ? `; and ${problems.length - MAX_LISTED} more` : '';
  return new ErpError('malformed', `${file}: ${problems.length} bad value(s), nothing imported: ${listed.join('; ')}${more}`);
}

async function* invoices(options: FileOptions): AsyncIterable<{ line: number; parsed: Parsed }> {
  const file = basename(options.openArPath);
  let columns: Partial<Record<MappableField, number>> | null = null;
  for await (const row of readRows(options.openArPath, options.format, { delimiter: options.csvDelimiter, sheetName: options.sheetName })) {
    if (!columns) {
      columns = resolveHeader(row.cells, options.mapping, file);
      continue;
    }
    yield { line: row.line, parsed: parseRow(row.cells, row.line, columns, options, file) };
  }
  if (!columns) throw new ErpError('malformed', `${file} is empty (no header row)`);
}

/** Full check of the file: every problem, and the customers it names. For the mapping screen and pass one. */
export async function checkOpenAr(options: FileOptions): Promise<OpenArCheck> {
  const file = basename(options.openArPath);
  const problems: RowProblem[] = [];
  const customers = new Map<string, string>();
  const seen = new Map<string, number>();
  let rows = 0;
  for await (const { line, parsed } of invoices(options)) {
    rows++;
    if ('problems' in parsed) {
      problems.push(...parsed.problems);
      continue;
    }
    const inv = parsed.invoice;
    const first = seen.get(inv.invoiceNo);
    if (first !== undefined) {
      problems.push({ file, line, field: options.mapping.invoiceNo ?? 'invoiceNo', message: `"${inv.invoiceNo}" repeats line ${first}` });
      continue;
    }
    seen.set(inv.invoiceNo, line);
    if (!customers.has(inv.customerId) || (!customers.get(inv.customerId) && inv.customerName)) customers.set(inv.customerId, inv.customerName ?? '');
  }
  return {
    rows,
    problems,
    customers: [...customers].map(([customerId, name]) => ({ customerId, name: name || customerId })),
  };
}

export async function assertCleanOpenAr(options: FileOptions): Promise<OpenArCheck> {
  const check = await checkOpenAr(options);
  if (check.problems.length > 0) throw problemsError(check.problems, basename(options.openArPath));
  return check;
}

export async function* openArPages(options: FileOptions, pageSize: number, since?: string): AsyncIterable<readonly OpenInvoice[]> {
  await assertCleanOpenAr(options);
  const file = basename(options.openArPath);
  let page: OpenInvoice[] = [];
  for await (const { parsed } of invoices(options)) {
    // The file may have changed since the check: still never skip a bad row.
    if ('problems' in parsed) throw problemsError(parsed.problems, file);
    const inv = parsed.invoice;
    if (inv.openBalanceCents === 0) continue;
    if (since && inv.invoiceDate < since.slice(0, 10)) continue;
    page.push(inv);
    if (page.length >= pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/** The named invoices (one pass), for checking allocations before a receipt is exported. */
export async function findOpenInvoices(options: FileOptions, invoiceNos: readonly string[]): Promise<Map<string, OpenInvoice>> {
  const wanted = new Set(invoiceNos);
  const found = new Map<string, OpenInvoice>();
  for await (const page of openArPages(options, 1000)) {
    for (const inv of page) if (wanted.has(inv.invoiceNo)) found.set(inv.invoiceNo, inv);
  }
  return found;
}

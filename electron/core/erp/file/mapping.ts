import { z } from 'zod';
import { ErpError } from '../errors';

// Which column of the site's file holds which invoice field. Stored per
// connection as a JSON string; the default is the open-ar.csv format.

// A negative openBalance is an open credit (credit memo, unapplied cash). Discount
// terms come from discountPercent + discountDays (+ netDays) columns, or from a
// terms text like "2/10 net 30" when the file has no separate columns.
export const MAPPABLE_FIELDS = [
  'invoiceNo', 'customerId', 'customerName', 'invoiceDate', 'dueDate', 'amount', 'openBalance', 'currency', 'poNo',
  'discountPercent', 'discountDays', 'netDays', 'terms',
] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

export const REQUIRED_FIELDS: readonly MappableField[] = ['invoiceNo', 'customerId', 'invoiceDate', 'openBalance'];

export type ColumnMapping = Readonly<Partial<Record<MappableField, string>>>;

export const DEFAULT_COLUMN_MAPPING: ColumnMapping = {
  invoiceNo: 'invoice_no',
  customerId: 'customer_id',
  customerName: 'customer_name',
  invoiceDate: 'invoice_date',
  dueDate: 'due_date',
  amount: 'amount',
  openBalance: 'open_balance',
  currency: 'currency',
  poNo: 'po_no',
  discountPercent: 'discount_percent',
  discountDays: 'discount_days',
  netDays: 'net_days',
  terms: 'terms',
};

const mappingSchema = z.object(Object.fromEntries(MAPPABLE_FIELDS.map((f) => [f, z.string().trim().min(1).optional()]))).strict();

export function parseColumnMapping(json: string): ColumnMapping {
  if (!json.trim()) return DEFAULT_COLUMN_MAPPING;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ErpError('config', 'File setting columnMapping is not valid JSON');
  }
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ErpError('config', `File setting columnMapping: ${issue?.path.join('.') || 'mapping'} ${issue?.message ?? 'is invalid'} (fields: ${MAPPABLE_FIELDS.join(', ')})`);
  }
  const mapping = parsed.data as ColumnMapping;
  const missing = REQUIRED_FIELDS.filter((f) => !mapping[f]);
  if (missing.length > 0) throw new ErpError('config', `File setting columnMapping must map ${missing.join(', ')}`);
  return mapping;
}

/** Column index per mapped field, from the file's header row; names what is missing. */
export function resolveHeader(header: readonly string[], mapping: ColumnMapping, fileLabel: string): Partial<Record<MappableField, number>> {
  const index = new Map(header.map((h, i) => [h.trim().toLowerCase(), i]));
  const out: Partial<Record<MappableField, number>> = {};
  const missing: string[] = [];
  for (const field of MAPPABLE_FIELDS) {
    const column = mapping[field];
    if (!column) continue;
    const i = index.get(column.trim().toLowerCase());
    if (i === undefined) {
      if (REQUIRED_FIELDS.includes(field)) missing.push(`"${column}" (${field})`);
      continue;
    }
    out[field] = i;
  }
  if (missing.length > 0) {
    throw new ErpError('config', `${fileLabel}: header row lacks column ${missing.join(', ')}; found ${header.map((h) => `"${h}"`).join(', ')}`);
  }
  return out;
}

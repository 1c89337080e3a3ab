import { ErpError, isErpError } from '../errors';
import type { ODataQuery } from './odata';
import { normalizeCustomerId, odataString } from './odata';

// The receipt's payment type. ar_payment_details.payment_type_id and
// payment_types.payment_type_id are system-generated decimal(19,0) numbers;
// payment_types.payment_type_desc (varchar 30) is what a clerk sees [P9]. With
// UseCodeValues false P21 reads a dropdown as its display value, with true as
// its code [P3]. So a setting such as "CC" is neither: the configured value is
// looked up in payment_types and sent in the form the mode needs.

export type PaymentTypeRow = Readonly<{ id: string; description: string; methodId: string; companyId: string }>;

export const PAYMENT_TYPE_COLUMNS = ['company_id', 'payment_type_id', 'payment_type_desc', 'payment_method_id', 'delete_flag'] as const;

type ReadRows = (table: string, q: ODataQuery) => Promise<ReadonlyArray<Record<string, unknown>>>;

/** Live payment_types rows of the company; null when the role may not read the table (403) or it is not exposed (404). */
export async function readPaymentTypes(read: ReadRows, table: string, companyNo: string): Promise<readonly PaymentTypeRow[] | null> {
  const filter = [`delete_flag eq 'N'`, ...(companyNo ? [`company_id eq ${odataString(companyNo)}`] : [])].join(' and ');
  try {
    const rows = await read(table, { select: [...PAYMENT_TYPE_COLUMNS], filter, orderby: 'payment_type_id' });
    return rows.map((r) => ({
      id: normalizeCustomerId(r.payment_type_id),
      description: String(r.payment_type_desc ?? '').trim(),
      methodId: String(r.payment_method_id ?? '').trim(),
      companyId: String(r.company_id ?? '').trim(),
    }));
  } catch (e) {
    if (isErpError(e) && (e.kind === 'permission' || e.kind === 'config' || e.kind === 'not_found')) return null;
    throw e;
  }
}

export function describePaymentTypes(rows: readonly PaymentTypeRow[]): string {
  return rows.map((r) => `${r.id} = ${JSON.stringify(r.description)}`).join(', ');
}

/**
 * The value the receipt's payment-type field carries. A setting that names no
 * live row is refused before anything is sent (config), never guessed.
 */
export function resolvePaymentType(configured: string, setting: string, mode: 'display' | 'code', rows: readonly PaymentTypeRow[] | null): string {
  const wanted = configured.trim();
  if (!wanted) throw new ErpError('config', `P21 setting ${setting} is empty: set it to a payment_types description or number (tieout erp check lists them)`);
  if (rows === null) {
    // The table cannot be read: send the setting as given, if it has the right form.
    if (mode === 'code' && !/^\d+$/.test(wanted)) {
      throw new ErpError('config', `P21 setting ${setting} is ${JSON.stringify(wanted)}, but paymentTypeValue 'code' sends payment_type_id, a number`);
    }
    return wanted;
  }
  const byId = /^\d+(?:\.0+)?$/.test(wanted) ? rows.find((r) => r.id === normalizeCustomerId(wanted)) : undefined;
  const row = byId ?? rows.find((r) => r.description.toLowerCase() === wanted.toLowerCase());
  if (!row) {
    throw new ErpError(
      'config',
      `P21 has no payment type ${JSON.stringify(wanted)} (${setting.startsWith('the ') ? setting : `setting ${setting}`}); payment_types holds ${describePaymentTypes(rows) || 'no active rows'}`,
    );
  }
  return mode === 'code' ? row.id : row.description;
}

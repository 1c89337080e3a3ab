import type { ErpDiscoveryFact } from '../connector';
import { isErpError } from '../errors';
import type { ODataQuery } from './odata';
import type { P21Options } from './options';
import { describePaymentTypes, readPaymentTypes, resolvePaymentType } from './payment-types';

// What `tieout erp check` asks a live P21 (read-only) because public evidence
// could not settle it: which Transaction API services the site has, the
// receipt service's real DataElements and fields (from its definition), the
// payment types, the companies and the UI-server URL.

export type P21DiscoveryDeps = Readonly<{
  options: P21Options;
  transactionBase: () => Promise<string>;
  get: (url: string, what: string) => Promise<unknown>;
  readTable: (table: string, q: ODataQuery) => Promise<ReadonlyArray<Record<string, unknown>>>;
}>;

export type DefinitionField = Readonly<{ name: string; required: boolean; dataType: string; validValues: readonly string[] }>;
export type DefinitionElement = Readonly<{ name: string; type: string; keys: readonly string[]; fields: readonly DefinitionField[] }>;

const asRecord = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

/** Service names from GET /api/v2/services: an array of {Name} or of names, bare or under `value` (the shapes the public scripts accept). */
export function serviceNames(reply: unknown): string[] | null {
  const list = Array.isArray(reply) ? reply : asRecord(reply) && Array.isArray(asRecord(reply)!.value) ? (asRecord(reply)!.value as unknown[]) : null;
  if (!list) return null;
  return list.map((s) => (typeof s === 'string' ? s : str(asRecord(s)?.Name))).filter((n) => n.length > 0);
}

/**
 * The DataElements of a GET /api/v2/definition/{service} reply. The real reply is
 * `{Name, Template:{TransactionSet}, TransactionDefinition:{DataElementDefinitions,
 * KeyDefinitions}}` (public 25.2 definitions); fields come from
 * TransactionDefinition, and the Template is read only when that part is absent.
 * Null for a shape with neither.
 */
export function definitionElements(reply: unknown): DefinitionElement[] | null {
  const root = asRecord(reply);
  if (!root) return null;
  const defs = asRecord(root.TransactionDefinition)?.DataElementDefinitions;
  if (Array.isArray(defs)) {
    return defs.map((d) => {
      const r = asRecord(d) ?? {};
      return {
        name: str(r.Name),
        type: str(r.Type),
        keys: asArray(r.KeyFields).map(str),
        fields: asArray(r.FieldDefinitions).map((f) => {
          const fr = asRecord(f) ?? {};
          return { name: str(fr.Name), required: fr.Required === true, dataType: str(fr.DataType), validValues: asArray(fr.ValidValues).map(str).filter((v) => v !== '') };
        }),
      };
    });
  }
  const template = asRecord(root.Template);
  const set = asRecord(template?.TransactionSet) ?? template;
  const elements = asRecord(asArray(set?.Transactions)[0])?.DataElements;
  if (!Array.isArray(elements)) return null;
  return elements.map((e) => {
    const r = asRecord(e) ?? {};
    const edits = asArray(asRecord(asArray(r.Rows)[0])?.Edits);
    return { name: str(r.Name), type: str(r.Type), keys: asArray(r.Keys).map(str), fields: edits.map((x) => ({ name: str(asRecord(x)?.Name), required: false, dataType: '', validValues: [] })) };
  });
}

function reason(e: unknown): string {
  return isErpError(e) || e instanceof Error ? e.message : String(e);
}

const RECEIPT_LIKE = /cash|receipt|remit|payment/i;

function receiptFieldChecks(o: P21Options, elements: readonly DefinitionElement[]): ErpDiscoveryFact[] {
  const out: ErpDiscoveryFact[] = [];
  const wanted: ReadonlyArray<readonly [string, string, readonly string[]]> = [
    ['receiptFormDataElement', o.receiptFormDataElement, [o.receiptFieldCompany, o.receiptFieldCustomerId, o.receiptFieldDate, o.receiptFieldPaymentType, o.receiptFieldBankNo, o.receiptFieldAmount, o.receiptFieldCheckNumber, o.receiptFieldMemo]],
    ['receiptLinesDataElement', o.receiptLinesDataElement, [o.receiptLineFieldInvoiceNo, o.receiptLineFieldAmount, o.receiptLineFieldAllowed, o.receiptLineFieldTerms]],
  ];
  for (const [setting, name, fields] of wanted) {
    const el = elements.find((e) => e.name === name);
    if (!el) {
      out.push({ name: `receipt ${setting}`, value: `${name} is not a DataElement of ${o.receiptServiceName}`, setting, ok: false });
      continue;
    }
    const missing = fields.filter((f) => f && !el.fields.some((x) => x.name === f));
    out.push({
      name: `receipt ${setting}`,
      value: missing.length === 0 ? `${name} has every configured field` : `${name} lacks ${missing.join(', ')}`,
      setting,
      ok: missing.length === 0,
    });
  }
  return out;
}

export async function discoverP21(d: P21DiscoveryDeps): Promise<ErpDiscoveryFact[]> {
  const o = d.options;
  const facts: ErpDiscoveryFact[] = [];
  let base: string | null = null;
  try {
    base = await d.transactionBase();
    facts.push({ name: 'UI server', value: base, setting: 'uiServerDiscovery' });
  } catch (e) {
    facts.push({ name: 'UI server', value: reason(e), setting: 'uiServerDiscovery', ok: false });
  }

  if (base !== null) {
    try {
      const names = serviceNames(await d.get(`${base}/api/v2/services`, 'the Transaction API service list'));
      if (names === null) {
        facts.push({ name: 'services', value: 'GET /api/v2/services answered a shape Tieout does not know', ok: false });
      } else {
        const candidates = names.filter((n) => RECEIPT_LIKE.test(n));
        facts.push({ name: 'services', value: `${names.length} listed; receipt-like: ${candidates.join(', ') || 'none'}` });
        const listed = names.includes(o.receiptServiceName);
        facts.push({ name: 'receipt service', value: listed ? `${o.receiptServiceName} is listed` : `${o.receiptServiceName} is not listed`, setting: 'receiptServiceName', ok: listed });
      }
    } catch (e) {
      facts.push({ name: 'services', value: reason(e), ok: false });
    }
    try {
      const reply = await d.get(`${base}/api/v2/definition/${encodeURIComponent(o.receiptServiceName)}`, `the ${o.receiptServiceName} service definition`);
      const elements = definitionElements(reply);
      if (elements === null) {
        const keys = Object.keys(asRecord(reply) ?? {}).join(', ');
        facts.push({ name: 'receipt definition', value: `unknown shape (top-level keys: ${keys || 'none'})`, setting: 'receiptServiceName', ok: false });
      } else {
        for (const el of elements) {
          const fields = el.fields.map((f) => `${f.name}${f.required ? '*' : ''}${f.validValues.length > 0 ? ` [${f.validValues.slice(0, 8).join('|')}]` : ''}`);
          facts.push({ name: `receipt DataElement ${el.name}`, value: `${el.type}${el.keys.length ? ` keys ${el.keys.join(',')}` : ''}: ${fields.join(', ')}` });
        }
        facts.push(...receiptFieldChecks(o, elements));
      }
    } catch (e) {
      facts.push({ name: 'receipt definition', value: reason(e), setting: 'receiptServiceName', ok: false });
    }
  }

  if (o.paymentTypesTable) {
    try {
      const rows = await readPaymentTypes(d.readTable, o.paymentTypesTable, o.companyNo);
      if (rows === null) {
        facts.push({ name: 'payment types', value: `the ${o.paymentTypesTable} table cannot be read (add it to the role's Dataservice Permission)`, setting: 'paymentTypesTable', ok: false });
      } else {
        facts.push({ name: 'payment types', value: describePaymentTypes(rows) || 'no active rows', setting: 'paymentTypesTable' });
        for (const setting of ['paymentTypeCard', 'paymentTypeAch'] as const) {
          try {
            const sent = resolvePaymentType(o[setting], setting, o.paymentTypeValue, rows);
            facts.push({ name: `payment type ${setting}`, value: `sends ${JSON.stringify(sent)} (UseCodeValues ${o.paymentTypeValue === 'code'})`, setting });
          } catch (e) {
            facts.push({ name: `payment type ${setting}`, value: reason(e), setting, ok: false });
          }
        }
      }
    } catch (e) {
      facts.push({ name: 'payment types', value: reason(e), setting: 'paymentTypesTable', ok: false });
    }
  }

  try {
    const rows = await d.readTable('company', { select: ['company_id', 'company_name'], orderby: 'company_id' });
    const list = rows.map((r) => `${str(r.company_id).trim()} = ${JSON.stringify(str(r.company_name).trim())}`);
    const known = !o.companyNo || rows.some((r) => str(r.company_id).trim() === o.companyNo);
    facts.push({ name: 'companies', value: list.join(', ') || 'none', setting: 'companyNo', ok: known });
  } catch (e) {
    facts.push({ name: 'companies', value: reason(e), setting: 'companyNo', ok: false });
  }
  return facts;
}

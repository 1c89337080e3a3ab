import { MoneyParseError, parseDecimalToCents, type Cents } from '@shared/money';
import { isCalendarDate } from '../calendar-date';
import { ErpError } from '../errors';

// Reading abas.objects+json replies: content.data.erpDataObjects[] with
// head.fields.<name>.value and table[].fields.<name>.value (reference §5).
// Anything else is a typed `malformed` error naming what is missing.

export const ABAS_MEDIA_TYPE = 'application/abas.objects+json';

export type AbasObject = Readonly<{
  id: string;
  head: Readonly<Record<string, string>>;
  rows: ReadonlyArray<Readonly<Record<string, string>>>;
}>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fieldValues(fields: unknown, what: string): Record<string, string> {
  // application/abas.objects+json keys fields by name (the vendor demo clients
  // and production clients read fields[name]); the OpenAPI's application/json
  // form lists them as [{name, value, text}]. Both carry the same facts.
  const entries: Array<[string, unknown]> = Array.isArray(fields)
    ? fields.map((f, i) => {
        if (!isObj(f) || typeof f.name !== 'string') throw new ErpError('malformed', `${what}: field ${i} has no name`);
        return [f.name, f];
      })
    : isObj(fields)
      ? Object.entries(fields)
      : (() => {
          throw new ErpError('malformed', `${what}: "fields" is neither a list nor an object`);
        })();
  const out: Record<string, string> = {};
  for (const [name, f] of entries) {
    if (!isObj(f)) throw new ErpError('malformed', `${what}: field "${name}" has no value object`);
    const v = f.value;
    out[name] = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

export function parseObjects(body: unknown, what: string): AbasObject[] {
  const data = isObj(body) && isObj(body.content) ? body.content.data : undefined;
  if (!isObj(data) || !Array.isArray(data.erpDataObjects)) throw new ErpError('malformed', `${what}: expected content.data.erpDataObjects[] from abas`);
  return data.erpDataObjects.map((o, i): AbasObject => {
    const w = `${what} (object ${i})`;
    if (!isObj(o) || !isObj(o.head)) throw new ErpError('malformed', `${w}: no head`);
    const table = Array.isArray(o.table) ? o.table : [];
    return {
      id: objectIdOf(o),
      head: fieldValues(o.head.fields ?? {}, w),
      rows: table.map((r) => (isObj(r) ? fieldValues(r.fields ?? {}, w) : {})),
    };
  });
}

/** The record id: `meta.id` in the published schema (ErpDataObjectMeta), a top-level `id` in older replies. */
function objectIdOf(o: Obj): string {
  const metaId = isObj(o.meta) ? o.meta.id : undefined;
  for (const v of [metaId, o.id]) if (typeof v === 'string' || typeof v === 'number') return String(v);
  return '';
}

export type AbasLink = Readonly<{ rel: string; href: string }>;

/**
 * Links of a reply (content.data.links or top-level links): a list of
 * {rel, href} in the OpenAPI's application/json form, or keyed by rel
 * ({rel: [{href}]}) as application/abas.objects+json sends them (the vendor's
 * demo client reads links.'latest-version'[0].href).
 */
export function parseLinks(body: unknown): AbasLink[] {
  const candidates: unknown[] = [];
  if (isObj(body)) {
    candidates.push(body.links);
    if (isObj(body.content) && isObj(body.content.data)) candidates.push(body.content.data.links);
  }
  const out: AbasLink[] = [];
  for (const c of candidates) {
    if (Array.isArray(c)) {
      for (const l of c) if (isObj(l) && typeof l.rel === 'string' && typeof l.href === 'string') out.push({ rel: l.rel, href: l.href });
    } else if (isObj(c)) {
      for (const [rel, list] of Object.entries(c)) {
        for (const l of Array.isArray(list) ? list : [list]) if (isObj(l) && typeof l.href === 'string') out.push({ rel, href: l.href });
      }
    }
  }
  return out;
}

export function need(o: AbasObject, field: string, what: string): string {
  const v = o.head[field];
  if (v === undefined || v === '') throw new ErpError('malformed', `${what}: head field "${field}" is missing`);
  return v;
}

export function amountOf(text: string | undefined, field: string, what: string): Cents {
  try {
    return parseDecimalToCents(text ?? '');
  } catch (e) {
    if (e instanceof MoneyParseError) throw new ErpError('malformed', `${what}: field "${field}" is not an amount (${JSON.stringify(text)})`);
    throw e;
  }
}

/** abas dates arrive as YYYYMMDD or YYYY-MM-DD; '' stays ''. */
export function isoDate(text: string | undefined, field: string, what: string): string {
  const t = (text ?? '').trim();
  if (t === '') return '';
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  const iso = compact ? `${compact[1]}-${compact[2]}-${compact[3]}` : /^(\d{4}-\d{2}-\d{2})/.exec(t)?.[1];
  if (iso !== undefined && isCalendarDate(iso)) return iso;
  throw new ErpError('malformed', `${what}: field "${field}" is not a date (${t})`);
}

export const compactDate = (iso: string): string => iso.replace(/-/g, '');

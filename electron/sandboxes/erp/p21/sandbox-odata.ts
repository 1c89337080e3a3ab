// The sandbox's OData subset, strict the way P21 is: literal-only right-hand
// sides (a column there → 404 "Failed to convert parameter value"), no
// functions, $orderby/$top/$skip/$count, and never a nextLink. Real P21
// answers 404, not 400, for an unknown $select/$filter/$orderby column and for
// a quoted literal against a decimal column (issue 13), so the sandbox does too;
// only a filter it cannot parse at all is a 400.

export class ODataError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Literal = string | number | boolean | null;
type Expr =
  | { kind: 'cmp'; column: string; op: 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le'; value: Literal }
  | { kind: 'and' | 'or'; left: Expr; right: Expr };

type Token = { t: 'ident' | 'string' | 'number' | 'date' | 'lparen' | 'rparen'; v: string };

const OPS = new Set(['eq', 'ne', 'gt', 'lt', 'ge', 'le']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c === '(' ? 'lparen' : 'rparen', v: c });
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ODataError(400, 'Invalid filter expression: unterminated string literal');
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i];
        i++;
      }
      out.push({ t: 'string', v: s });
    } else {
      const m = /^[A-Za-z0-9_.:+-]+/.exec(src.slice(i));
      if (!m) throw new ODataError(400, `Invalid filter expression near "${src.slice(i, i + 10)}"`);
      const word = m[0];
      if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$/.test(word)) out.push({ t: 'date', v: word });
      else if (/^-?\d+(\.\d+)?$/.test(word)) out.push({ t: 'number', v: word });
      else out.push({ t: 'ident', v: word });
      i += word.length;
    }
  }
  return out;
}

/** 404 in P21's words for a column the table does not have. */
function unknownColumn(column: string, where: string): ODataError {
  return new ODataError(404, `Could not find a property named '${column}' (${where})`);
}

export function parseFilter(src: string, columns: ReadonlySet<string>, decimals: ReadonlySet<string> = new Set()): Expr {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];

  const primary = (): Expr => {
    const tok = next();
    if (!tok) throw new ODataError(400, 'Invalid filter expression: unexpected end');
    if (tok.t === 'lparen') {
      const e = orExpr();
      if (next()?.t !== 'rparen') throw new ODataError(400, 'Invalid filter expression: missing )');
      return e;
    }
    if (tok.t !== 'ident') throw new ODataError(400, `Invalid filter expression: expected a column, got ${tok.v}`);
    if (peek()?.t === 'lparen') throw new ODataError(404, `Unknown function ${tok.v}()`);
    if (!columns.has(tok.v)) throw unknownColumn(tok.v, '$filter');
    const op = next();
    if (!op || op.t !== 'ident' || !OPS.has(op.v)) throw new ODataError(400, 'Invalid filter expression: expected eq, ne, gt, lt, ge or le');
    const rhs = next();
    if (!rhs) throw new ODataError(400, 'Invalid filter expression: missing value');
    let value: Literal;
    if (rhs.t === 'string' && decimals.has(tok.v)) throw new ODataError(404, `Failed to convert parameter value '${rhs.v}' to Edm.Decimal for ${tok.v}`);
    if (rhs.t === 'string' || rhs.t === 'date') value = rhs.v;
    else if (rhs.t === 'number') value = Number(rhs.v);
    else if (rhs.t === 'ident' && (rhs.v === 'null' || rhs.v === 'true' || rhs.v === 'false')) value = rhs.v === 'null' ? null : rhs.v === 'true';
    else if (rhs.t === 'ident' && peek()?.t === 'lparen') throw new ODataError(404, `Unknown function ${rhs.v}()`);
    else throw new ODataError(404, `Failed to convert parameter value '${rhs.v}' to the type of ${tok.v}`);
    return { kind: 'cmp', column: tok.v, op: op.v as 'eq', value };
  };
  const andExpr = (): Expr => {
    let left = primary();
    while (peek()?.t === 'ident' && peek()?.v === 'and') {
      next();
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const orExpr = (): Expr => {
    let left = andExpr();
    while (peek()?.t === 'ident' && peek()?.v === 'or') {
      next();
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const expr = orExpr();
  if (pos !== tokens.length) throw new ODataError(400, `Invalid filter expression near "${tokens[pos]?.v}"`);
  return expr;
}

function compare(a: unknown, b: Literal): number | null {
  if (a === null || a === undefined || b === null) return a === b || (a === undefined && b === null) ? 0 : null;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function evaluate(e: Expr, row: Record<string, unknown>): boolean {
  if (e.kind !== 'cmp') return e.kind === 'and' ? evaluate(e.left, row) && evaluate(e.right, row) : evaluate(e.left, row) || evaluate(e.right, row);
  const c = compare(row[e.column], e.value);
  if (c === null) return e.op === 'ne';
  switch (e.op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'lt':
      return c < 0;
    case 'ge':
      return c >= 0;
    case 'le':
      return c <= 0;
  }
}

export type ODataResult = Readonly<{ value: Record<string, unknown>[]; count: number }>;

/** Applies $filter, $orderby, $skip, $top and $select to a table's rows. */
export function queryRows(rows: readonly Record<string, unknown>[], columns: readonly string[], q: URLSearchParams, decimals: ReadonlySet<string> = new Set()): ODataResult {
  const known = new Set(columns);
  const select = q.get('$select');
  const cols = select ? select.split(',').map((c) => c.trim()) : null;
  for (const c of cols ?? []) if (!known.has(c)) throw unknownColumn(c, '$select');
  const filterText = q.get('$filter');
  let out = [...rows];
  if (filterText) {
    const expr = parseFilter(filterText, known, decimals);
    out = rows.filter((r) => evaluate(expr, r));
  }
  const orderby = q.get('$orderby');
  if (orderby) {
    const keys = orderby.split(',').map((part) => {
      const [col, dir] = part.trim().split(/\s+/);
      if (!col || !known.has(col)) throw unknownColumn(String(col), '$orderby');
      return { col, desc: dir?.toLowerCase() === 'desc' };
    });
    out.sort((a, b) => {
      for (const k of keys) {
        const c = compare(a[k.col], (b[k.col] ?? null) as Literal) ?? 0;
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    });
  }
  const count = out.length;
  const skip = intParam(q, '$skip') ?? 0;
  const top = intParam(q, '$top');
  out = out.slice(skip, top === undefined ? undefined : skip + top);
  if (cols) {
    out = out.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null])));
  }
  return { value: out, count };
}

function intParam(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ODataError(400, `Invalid ${key}: ${v}`);
  return n;
}

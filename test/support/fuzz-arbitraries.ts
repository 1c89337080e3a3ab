import fc from 'fast-check';

// Shared generators for the fuzz tests of upstream replies (test/unit/fuzz-*.test.ts,
// test/integration/fuzz-*.test.ts). Every property runs with a fixed seed, so a
// failure names a counterexample that reproduces on any machine; the seed is in
// the test name. Change a seed only on purpose (it changes which inputs run).

/** The run counts in one place: the whole fuzz set must stay well under a minute on a loaded 2-core machine. */
export const RUNS = { parser: 1000, cheapParser: 2000, file: 100, http: 150 } as const;

/** Options for fc.assert / fc.check: fixed seed, given run count, no time-based shrinking surprises. */
export function fuzzParams(seed: number, numRuns: number): fc.Parameters<unknown> {
  return { seed, numRuns, endOnFailure: false };
}

// A 16-digit Luhn-valid test card (Visa's published test number) and friends.
export const CARD_NUMBERS = ['4111111111111111', '4111 1111 1111 1111', '5555555555554444', '378282246310005'] as const;

/** Values upstreams send where they should not: wrong types, huge and odd numbers, odd text. */
export const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -0,
    -1,
    1e21,
    -1e21,
    1e308,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    0.1 + 0.2,
    '',
    ' ',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '-0',
    '0x10',
    '1,234.56',
    '(12.00)',
    '$-1.00',
    '12.34567',
    '999999999999999.99',
    '99999999999999999999',
    '2024-02-30',
    '2024-13-45',
    '9999-99-99',
    '0000-00-00',
    '13/45/2024 25:61:61 PM',
    '1/1/1900',
    '\u0000',
    '\uFEFF12.00',
    'é́́',
    '\uD800',
    '<![CDATA[x]]>',
    '</a>',
    '{"a":1}',
    '__proto__',
    'constructor',
    ...CARD_NUMBERS,
  ),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^-?\d{1,20}(\.\d{0,6})?$/),
  fc.constant('x'.repeat(100_000)),
);

/** Any hostile value, scalar or structured. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), hostileScalar, { maxKeys: 4 }) },
);

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** All paths to values inside a JSON tree (objects and arrays), root excluded. */
function paths(tree: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  const entries: [string | number, unknown][] = Array.isArray(tree) ? tree.map((v, i) => [i, v]) : tree !== null && typeof tree === 'object' ? Object.entries(tree) : [];
  for (const [k, v] of entries) {
    out.push([...prefix, k]);
    paths(v, [...prefix, k], out);
  }
  return out;
}

function parentOf(tree: unknown, path: readonly (string | number)[]): Record<string | number, unknown> | null {
  let cur: unknown = tree;
  for (const p of path.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>) : null;
}

type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'set'; at: number; value: unknown }
  | { op: 'rename'; at: number; name: string }
  | { op: 'wrap'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: hostileValue }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), name: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'toString')) }),
  fc.record({ op: fc.constant('wrap' as const), at: fc.nat() }),
);

function apply(tree: unknown, m: Mutation): unknown {
  const all = paths(tree);
  if (all.length === 0) return m.op === 'set' ? m.value : tree;
  const path = all[m.at % all.length]!;
  const parent = parentOf(tree, path);
  if (!parent) return tree;
  const key = path[path.length - 1]!;
  if (m.op === 'drop') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (m.op === 'set') parent[key] = m.value;
  else if (m.op === 'wrap') parent[key] = [parent[key]];
  else if (!Array.isArray(parent)) {
    const v = parent[key];
    delete parent[key];
    Object.defineProperty(parent, m.name, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return tree;
}

/** A plan of 1-4 structural mutations, for replies only known at run time (the HTTP fuzz proxies). */
export type JsonMutations = readonly Mutation[];
export const jsonMutations: fc.Arbitrary<JsonMutations> = fc.array(mutation, { minLength: 1, maxLength: 4 });

export function applyJsonMutations(value: unknown, plan: JsonMutations): unknown {
  return plan.reduce<unknown>((t, m) => apply(t, m), clone(value));
}

/** A valid reply with 1-4 mutations: dropped, renamed, retyped or wrapped fields anywhere in it. */
export function mutatedJson<T>(valid: fc.Arbitrary<T> | T): fc.Arbitrary<unknown> {
  const base = valid instanceof fc.Arbitrary ? valid : fc.constant(valid);
  return fc.tuple(base, jsonMutations).map(([v, ms]) => applyJsonMutations(v, ms));
}

/** Plain junk and near-misses for any text parser. */
export const junkText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
  fc.constantFrom('', ' ', '\r\n', 'null', '[]', '{}', '"x"', '<', '<?xml version="1.0"?>', '<a><b></a>', '\uFEFF{}', 'x'.repeat(200_000)),
);

type TextMutation = { op: 'truncate' | 'flip' | 'insert' | 'delete' | 'duplicate'; at: number; bit: number; text: string };

const textMutation: fc.Arbitrary<TextMutation> = fc.record({
  op: fc.constantFrom('truncate', 'flip', 'insert', 'delete', 'duplicate'),
  at: fc.nat(),
  bit: fc.integer({ min: 0, max: 7 }),
  text: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('"', ',', '\r\n', '\n', '<', '>', '</', '&', ':61:', ':86:', '{', '}', '[', ']', ...CARD_NUMBERS)),
});

function applyText(s: string, m: TextMutation): string {
  const at = s.length === 0 ? 0 : m.at % (s.length + 1);
  switch (m.op) {
    case 'truncate':
      return s.slice(0, at);
    case 'flip': {
      if (s.length === 0) return s;
      const i = Math.min(at, s.length - 1);
      return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << m.bit)) + s.slice(i + 1);
    }
    case 'insert':
      return s.slice(0, at) + m.text + s.slice(at);
    case 'delete':
      return s.slice(0, at) + s.slice(at + 1 + (m.bit % 4));
    case 'duplicate':
      return s.slice(0, at) + s.slice(at, at + 40) + s.slice(at);
  }
}

export type TextMutations = readonly TextMutation[];
export const textMutations: fc.Arbitrary<TextMutations> = fc.array(textMutation, { minLength: 1, maxLength: 4 });

export function applyTextMutations(text: string, plan: TextMutations): string {
  return plan.reduce((t, m) => applyText(t, m), text);
}

/** A valid text reply (JSON, XML, CSV, MT940) with 1-4 byte-level mutations: truncation, bit flips, inserts. */
export function mutatedText(valid: fc.Arbitrary<string> | string): fc.Arbitrary<string> {
  const base = typeof valid === 'string' ? fc.constant(valid) : valid;
  return fc.tuple(base, textMutations).map(([v, ms]) => applyTextMutations(v, ms));
}

/**
 * How the HTTP fuzz tests spoil one reply: structural mutations of its JSON,
 * byte mutations of its text, or another status with a junk body.
 */
export type ReplySpoiler =
  | Readonly<{ kind: 'json'; plan: JsonMutations }>
  | Readonly<{ kind: 'text'; plan: TextMutations }>
  | Readonly<{ kind: 'replace'; status: number; body: string }>;

export const replySpoiler: fc.Arbitrary<ReplySpoiler> = fc.oneof(
  { weight: 3, arbitrary: jsonMutations.map((plan) => ({ kind: 'json' as const, plan })) },
  { weight: 2, arbitrary: textMutations.map((plan) => ({ kind: 'text' as const, plan })) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), status: fc.constantFrom(200, 201, 202, 204, 301, 400, 401, 404, 409, 422, 500, 503), body: junkText }),
  },
);

/** The spoiled reply text (and status) for a genuine reply. */
export function spoil(text: string, status: number, s: ReplySpoiler): { status: number; text: string } {
  if (s.kind === 'replace') return { status: s.status, text: s.body };
  if (s.kind === 'text') return { status, text: applyTextMutations(text, s.plan) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    return { status, text: applyTextMutations(text, [{ op: 'truncate', at: text.length >> 1, bit: 0, text: '' }]) };
  }
  return { status, text: JSON.stringify(applyJsonMutations(parsed, s.plan)) ?? '' };
}

/** What a parser did with one input: its value, or the error it threw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function outcomeOf<T>(f: () => T): Outcome<T> {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

export async function asyncOutcomeOf<T>(f: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (error) {
    return { ok: false, error };
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The fuzz invariant for errors: only the module's typed errors may escape,
 * never a TypeError/RangeError/SyntaxError from reading a hostile reply.
 * Returns the value when the call succeeded, so the test can check domain invariants.
 */
export function assertTyped<T>(outcome: Outcome<T>, allowed: readonly ErrorClass[]): T | undefined {
  if (outcome.ok) return outcome.value;
  const e = outcome.error;
  if (allowed.some((c) => e instanceof c)) {
    if (!(e as Error).message) throw new Error(`typed error without a message: ${String(e)}`);
    return undefined;
  }
  const err = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
  throw new Error(`untyped error escaped: ${err}`);
}

/** Amounts are integer minor units (a safe integer), never NaN, a float or a bigint. */
export function isCents(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** A real calendar date YYYY-MM-DD. */
export function isIsoDate(v: unknown): boolean {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

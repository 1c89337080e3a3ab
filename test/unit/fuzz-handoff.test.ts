import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatchOutcome } from '@shared/domain';
import { cents } from '@shared/money';
import { createApprovalService } from '../../electron/core/approval/approve';
import { deriveHandoffKey, HANDOFF_ERROR_KINDS, HandoffError, KDF_BY_VERSION, sealHandoff, type KeyDeriver } from '../../electron/core/offline/handoff-crypto';
import type { HandoffLimits } from '../../electron/core/offline/handoff-limits';
import { buildExceptionsPayload, decideInSession, exportExceptions, importDecisions, openExceptionsFile, profileIdOf, type HandoffIo } from '../../electron/core/offline/handoff';
import { openStore, type Db } from '../../electron/core/store/db';
import { findHandoffSession } from '../../electron/core/store/queries/handoff-sessions';
import { upsertCustomers, upsertOpenInvoices } from '../../electron/core/store/queries/ledger';
import { saveOutcomes } from '../../electron/core/store/queries/matches';
import { setMatchNote } from '../../electron/core/store/queries/match-review';
import { upsertTransactions } from '../../electron/core/store/queries/transactions';
import { containerAround, headerOf, keyFor, withHeader, withHeaderBytes, type ContainerKey } from '../support/handoff-files';
import { storedSale } from '../support/stored-sale';
import { onWorkspace, workspaceRowsDigest } from '../support/store-dialect';

// Property-based fuzzing of opening hand-off files (issue 12, point 11), on a
// real SQLite store: random bytes, damaged genuine files, random headers and
// authenticated files with hostile contents. Whatever the input, opening ends
// in a typed result or a HandoffError of a known kind, never another error,
// and a refused file leaves the store exactly as it was (SQLite's
// total_changes() does not move: not even a rolled-back write happened).
//
// Seeded and reproducible: TIEOUT_PROPERTY_SEED replays another seed. Keys are
// real scrypt keys, cached per passphrase and salt, so thousands of files cost
// a handful of derivations.

const SEED = Number(process.env.TIEOUT_PROPERTY_SEED ?? 120412);
const AT = '2026-01-05T15:00:00.000Z';
const PASS = 'fuzz passphrase 12';
/** Small limits so generated arrays cross them cheaply; the checks are the same at any size. */
const LIMITS: Partial<HandoffLimits> = { maxExceptions: 20, maxInvoices: 20, maxCustomers: 20, maxDecisions: 20 };
const ALLOWED = KDF_BY_VERSION[1]!;
/** Luhn-valid test card numbers. */
const PANS = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4012888888881881'];

let db: Db;
let key: ContainerKey;
let genuineExceptions: Buffer;
let genuineDecisions: Buffer;
let validExceptions: Record<string, unknown>;
let validDecisions: Record<string, unknown>;
const derivedWith: Array<{ N: number; r: number; p: number }> = [];
const cache = new Map<string, Promise<Buffer>>();

/** The real derivation, cached; records every parameter set it was asked for. */
const cachedDerive: KeyDeriver = (passphrase, params, salt) => {
  derivedWith.push({ N: params.N, r: params.r, p: params.p });
  const id = `${passphrase}|${salt.toString('hex')}|${params.N}|${params.r}|${params.p}`;
  let key = cache.get(id);
  if (!key) cache.set(id, (key = deriveHandoffKey(passphrase, params, salt)));
  return key;
};
const io: HandoffIo = { deriveKey: cachedDerive, limits: LIMITS };

function seed(store: Db): void {
  const outcome = (id: number): MatchOutcome => ({
    transactionId: id,
    status: 'exception',
    allocations: [],
    customerId: 'C1',
    candidates: [{ allocations: [{ invoiceNo: 'INV-1', amountCents: cents(10_000) }], customerId: 'C1', score: 0.4, points: 40, signals: [{ signal: 'amount', points: 40, detail: 'same amount' }], reasons: ['Same amount'], blockers: ['Below the threshold'] }],
    score: 0.4,
    reason: 'Invoice not found',
    reasons: [],
    exception: 'invoice_not_found',
    unappliedCents: cents(10_000),
  });
  upsertTransactions(store, [1, 2, 3].map((id) => storedSale(id, { createdAt: AT })), AT);
  saveOutcomes(store, [1, 2, 3].map(outcome), AT);
  upsertCustomers(store, [{ customerId: 'C1', name: 'Apex Plumbing' }], AT);
  upsertOpenInvoices(store, [{ invoiceNo: 'INV-1', customerId: 'C1', invoiceDate: '2026-01-01', dueDate: null, amountCents: cents(10_000), openBalanceCents: cents(10_000), currency: 'USD', poNo: '' }], AT);
}

/** Every table's row count and SQLite's count of rows ever changed on this connection; on a workspace, a digest of every row. */
function fingerprint(): string {
  if (onWorkspace) return workspaceRowsDigest(db);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
  const counts = tables.map((t) => `${t.name}=${(db.prepare(`SELECT COUNT(*) AS n FROM "${t.name}"`).get() as { n: number }).n}`);
  return `${(db.prepare('SELECT total_changes() AS n').get() as { n: number }).n};${counts.join(',')}`;
}

const approval = () => ({
  service: createApprovalService({
    db,
    merchantZone: () => 'America/Chicago',
    erpKind: () => 'p21',
    erpCapabilities: () => Promise.reject(new Error('offline')),
    knownCapabilities: () => null,
    onApproved: () => {},
  }),
  capabilities: null,
});

type Outcome<T> = { ok: true; value: T } | { ok: false; error: HandoffError };

/** Runs one open; a non-HandoffError escapes (and fails the property); a refusal must leave the store as it was. */
async function attempt<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  const before = fingerprint();
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    if (!(e instanceof HandoffError)) throw e;
    expect(HANDOFF_ERROR_KINDS).toContain(e.kind);
    expect(e.message.length).toBeGreaterThan(10);
    expect(fingerprint(), `store changed on a refusal: ${e.message}`).toBe(before);
    return { ok: false, error: e };
  }
}

const openExceptions = (file: Buffer, passphrase = PASS) => attempt(() => openExceptionsFile(db, file, passphrase, 'fuzzer', AT, io));
const importFile = (file: Buffer) => attempt(() => importDecisions(db, file, PASS, 'fuzzer', approval(), AT, io));
const sealJson = (value: unknown, kind = 'exceptions') => containerAround(gzipSync(Buffer.from(JSON.stringify(value))), key, kind);

const EXCEPTION_KEYS = new Set(['transactionId', 'createdAt', 'payer', 'reference', 'amountCents', 'currency', 'method', 'maskedCard', 'status', 'exception', 'reason', 'note', 'owner', 'customerId', 'allocations', 'candidates']);

/** A successful open is a session the store keeps, holding only the fields Tieout knows. */
function expectTypedSession(value: Awaited<ReturnType<typeof openExceptionsFile>>): void {
  expect(typeof value.sessionId).toBe('string');
  expect(findHandoffSession(db, value.sessionId)).not.toBeNull();
  for (const e of value.exceptions) {
    for (const k of Object.keys(e)) expect(EXCEPTION_KEYS.has(k), k).toBe(true);
    expect(Number.isSafeInteger(e.amountCents)).toBe(true);
  }
}

beforeAll(async () => {
  db = openStore(mkdtempSync(join(tmpdir(), 'tieout-fuzz-handoff-')));
  seed(db);
  key = keyFor(PASS);
  validExceptions = buildExceptionsPayload(db, 'clerk', AT) as unknown as Record<string, unknown>;
  expect((validExceptions.exceptions as unknown[]).length).toBe(3);
  validDecisions = { exportId: 'abc', sourceProfile: profileIdOf(db), reviewedBy: 'reviewer', reviewedAt: AT, decisions: { '1': { note: 'Checked' }, '2': { owner: 'ana' } } };
  genuineExceptions = await sealHandoff('exceptions', validExceptions, PASS, { createdAt: AT, deriveKey: cachedDerive });
  genuineDecisions = await sealHandoff('decisions', validDecisions, PASS, { createdAt: AT, deriveKey: cachedDerive });
}, 30_000);

afterAll(() => db?.close());

const json = fc.jsonValue({ maxDepth: 3 });
const mutation = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('flip' as const), bits: fc.array(fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ op: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
);

type Mutation = { op: string; at?: number; bits?: Array<{ at: number; bit: number }>; bytes?: Uint8Array };

function mutate(file: Buffer, m: Mutation): Buffer {
  const copy = Buffer.from(file);
  const at = (m.at ?? 0) % file.length;
  switch (m.op) {
    case 'truncate':
      return copy.subarray(0, at);
    case 'flip':
      for (const b of m.bits!) copy[b.at % copy.length]! ^= 1 << b.bit;
      return copy;
    case 'splice':
      return Buffer.concat([copy.subarray(0, at), Buffer.from(m.bytes!), copy.subarray(at)]);
    default:
      Buffer.from(m.bytes!).copy(copy, at);
      return copy;
  }
}

/** A card number as people type it: plain, or in groups separated by spaces, dashes or dots. */
const typedCardNumber = fc.tuple(fc.constantFrom(...PANS), fc.constantFrom('', ' ', '-', '.'), fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })).map(([pan, sep, before, after]) => `${before.replace(/\d/g, 'x')} ${pan.replace(/(\d{4})(?=\d)/g, `$1${sep}`)} ${after.replace(/\d/g, 'x')}`);

describe('fuzzing opening hand-off files (seeded)', () => {
  it('random bytes, with or without the magic and a plausible header length, are refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), fc.nat({ max: 5000 }), async (bytes, magic, headerLength) => {
        const prefix = Buffer.alloc(12);
        prefix.write('TIEOUTHF', 'ascii');
        prefix.writeUInt32BE(headerLength, 8);
        const file = magic ? Buffer.concat([prefix, Buffer.from(bytes)]) : Buffer.from(bytes);
        const r = await openExceptions(file);
        expect(r.ok).toBe(false);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('damaged genuine files (truncated, bits flipped, bytes spliced or overwritten) are refused unless unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), mutation, async (decisions, m) => {
        const genuine = decisions ? genuineDecisions : genuineExceptions;
        const file = mutate(genuine, m);
        const r = decisions ? await importFile(file) : await openExceptions(file);
        if (r.ok) expect(file.equals(genuine)).toBe(true);
      }),
      { seed: SEED + 1, numRuns: 400 },
    );
  });

  it('random headers are refused, and a key is only ever derived with the one allowed scrypt setting', async () => {
    const header = headerOf(genuineExceptions);
    const kdfValue = fc.oneof(fc.constantFrom(2 ** 15, 2 ** 20, 2 ** 30, 2 ** 10, 8, 9, 0, -1, 1.5, 2 ** 53), fc.integer(), json);
    const headerArb = fc.oneof(
      fc.record({ N: kdfValue, r: kdfValue, p: kdfValue }, { requiredKeys: [] }).map((kdf) => ({ ...header, kdf: { ...(header.kdf as object), ...kdf } })),
      fc.dictionary(fc.constantFrom('format', 'version', 'kind', 'cipher', 'kdf', 'iv', 'createdAt', 'extra'), json, { minKeys: 1 }).map((over) => ({ ...header, ...over })),
      json,
    );
    derivedWith.length = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(headerArb.map((h) => withHeader(genuineExceptions, h)), fc.string({ maxLength: 300 }).map((s) => withHeaderBytes(genuineExceptions, Buffer.from(s)))), async (file) => {
        const r = await openExceptions(file);
        if (r.ok) expect(file.equals(genuineExceptions)).toBe(true);
      }),
      { seed: SEED + 2, numRuns: 600 },
    );
    for (const params of derivedWith) expect(params).toEqual(ALLOWED);
  });

  it('authenticated files with hostile contents (any JSON, wrong shapes, not gzip, not UTF-8, deep nesting, wrong kind) end in a typed result or a HandoffError', async () => {
    const exceptionKey = fc.constantFrom(...EXCEPTION_KEYS);
    const topKey = fc.constantFrom(...Object.keys(validExceptions));
    const wrongShape = fc.oneof(
      fc.record({ key: topKey, value: json }).map(({ key: k, value }) => ({ ...validExceptions, [k]: value })),
      fc.record({ key: exceptionKey, value: json, index: fc.nat({ max: 2 }) }).map(({ key: k, value, index }) => {
        const exceptions = [...(validExceptions.exceptions as Array<Record<string, unknown>>)];
        exceptions[index] = { ...exceptions[index], [k]: value };
        return { ...validExceptions, exceptions };
      }),
      topKey.map((k) => Object.fromEntries(Object.entries(validExceptions).filter(([key]) => key !== k))),
    );
    const packed = fc.oneof(
      json.map((v) => gzipSync(Buffer.from(JSON.stringify(v) ?? 'null'))),
      wrongShape.map((v) => gzipSync(Buffer.from(JSON.stringify(v)))),
      fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
      fc.uint8Array({ maxLength: 512 }).map((b) => gzipSync(Buffer.from(b))),
      fc.integer({ min: 1, max: 100_000 }).map((depth) => gzipSync(Buffer.from(`{"exceptions":${'['.repeat(depth)}${']'.repeat(depth)}}`))),
      fc.integer({ min: 1, max: 100_000 }).map((depth) => gzipSync(Buffer.from(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`))),
    );
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(packed, fc.constantFrom('exceptions', 'exceptions', 'decisions', 'other'), async (bytes, kind) => {
        const r = await openExceptions(containerAround(bytes, key, kind));
        if (r.ok) expectTypedSession(r.value);
        if (kind !== 'exceptions') expect(r.ok).toBe(false);
        const label = r.ok ? 'opened' : r.error.kind;
        seen.set(label, (seen.get(label) ?? 0) + 1);
      }),
      { seed: SEED + 3, numRuns: 500 },
    );
    // The generators reach every stage: opened files and refusals of each kind the contents can cause.
    expect([...seen.keys()].sort()).toEqual(['invalid_contents', 'not_a_handoff_file', 'opened', 'wrong_kind', 'wrong_passphrase_or_tampered'].sort());
  });

  it('record counts over the limit are refused before the schema check; within it, unknown fields are dropped', async () => {
    const base = (validExceptions.exceptions as Array<Record<string, unknown>>)[0]!;
    await fc.assert(
      fc.asyncProperty(
        fc.record({ exceptions: fc.nat({ max: 60 }), invoices: fc.nat({ max: 60 }), customers: fc.nat({ max: 60 }) }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !EXCEPTION_KEYS.has(k) && k !== '__proto__'), json, { maxKeys: 3 }),
        async (n, unknown) => {
          const payload = {
            ...validExceptions,
            unexpected: unknown,
            exceptions: Array.from({ length: n.exceptions }, (_, i) => ({ ...base, ...unknown, transactionId: i + 1 })),
            invoices: Array.from({ length: n.invoices }, (_, i) => ({ ...(validExceptions.invoices as object[])[0], invoiceNo: `INV-${i}` })),
            customers: Array.from({ length: n.customers }, (_, i) => ({ customerId: `C${i}`, name: 'x' })),
          };
          const r = await openExceptions(sealJson(payload));
          const over = n.exceptions > 20 || n.invoices > 20 || n.customers > 20;
          if (over) expect(r.ok ? null : r.error.kind).toBe('too_large');
          else {
            expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
            if (r.ok) {
              expectTypedSession(r.value);
              expect(r.value.exceptions).toHaveLength(n.exceptions);
            }
          }
        },
      ),
      { seed: SEED + 4, numRuns: 200 },
    );
  });

  it('a card number typed into a note or an owner is refused, whole file', async () => {
    await fc.assert(
      fc.asyncProperty(typedCardNumber, fc.constantFrom('note', 'owner'), fc.nat({ max: 2 }), fc.boolean(), async (text, field, index, decisions) => {
        if (decisions) {
          const r = await importFile(sealJson({ ...validDecisions, decisions: { [String(index + 1)]: { [field]: text.slice(0, 128) } } }, 'decisions'));
          expect(r.ok ? null : r.error.kind).toBe('card_number');
        } else {
          const exceptions = [...(validExceptions.exceptions as Array<Record<string, unknown>>)];
          exceptions[index] = { ...exceptions[index], [field]: text.slice(0, 128) };
          const r = await openExceptions(sealJson({ ...validExceptions, exceptions }));
          expect(r.ok ? null : r.error.kind).toBe('card_number');
        }
      }),
      { seed: SEED + 5, numRuns: 200 },
    );
  });

  it('decisions files with hostile decisions are refused whole, or applied through the normal checks with each skip explained', async () => {
    const decisionArb = fc.record(
      {
        note: fc.oneof(fc.string({ maxLength: 40 }), json),
        owner: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null), json),
        exceptionReason: fc.oneof(fc.constantFrom('manual', 'declined', null, 'not-a-code'), json),
        approve: fc.oneof(fc.boolean(), json),
        allocation: fc.oneof(fc.record({ customerId: fc.constantFrom('C1', 'C9', ''), allocations: fc.array(fc.record({ invoiceNo: fc.constantFrom('INV-1', 'INV-9'), amountCents: fc.oneof(fc.integer(), json) }), { maxLength: 3 }) }), json),
        extra: json,
      },
      { requiredKeys: [] },
    );
    const wellFormed = fc.record(
      { note: fc.string({ maxLength: 40 }), owner: fc.constantFrom('ana', 'bo', null), exceptionReason: fc.constantFrom('manual', 'unknown_payer', null), approve: fc.boolean() },
      { requiredKeys: [] },
    );
    const hostile = fc.record({
      exportId: fc.oneof(fc.constant('abc'), json),
      sourceProfile: fc.oneof(fc.constant(validDecisions.sourceProfile), fc.constant(validDecisions.sourceProfile), fc.string({ maxLength: 10 })),
      reviewedBy: fc.oneof(fc.constant('reviewer'), json),
      reviewedAt: fc.constant(AT),
      decisions: fc.dictionary(fc.oneof(fc.constantFrom('1', '2', '3', '99', '0', '01', '1e3'), fc.string({ maxLength: 6 })), fc.oneof(wellFormed, decisionArb), { maxKeys: 25 }),
    });
    const plausible = fc.record({
      exportId: fc.constant('abc'),
      sourceProfile: fc.constant(validDecisions.sourceProfile),
      reviewedBy: fc.constant('reviewer'),
      reviewedAt: fc.constant(AT),
      decisions: fc.dictionary(fc.constantFrom('1', '2', '3', '99'), wellFormed, { maxKeys: 4 }),
    });
    const payload = fc.oneof(hostile, plausible);
    const seen = { refused: 0, applied: 0, skipped: 0 };
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const r = await importFile(sealJson(p, 'decisions'));
        if (!r.ok) seen.refused += 1;
        else {
          seen.applied += r.value.applied.length;
          seen.skipped += r.value.skipped.length;
          const keys = Object.keys(p.decisions);
          expect(r.value.applied.length + r.value.skipped.length).toBe(keys.length);
          for (const s of r.value.skipped) expect(s.reason.length).toBeGreaterThan(0);
          for (const id of [...r.value.applied, ...r.value.approved]) expect(keys).toContain(String(id));
        }
      }),
      { seed: SEED + 6, numRuns: 500 },
    );
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.applied).toBeGreaterThan(0);
    expect(seen.skipped).toBeGreaterThan(0);
  });

  it('exporting refuses to write a file the reading side would refuse (a card number kept in a note from before the screen), and writes nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-fuzz-export-'));
    setMatchNote(db, 2, 'paid with 4111-1111-1111-1111');
    const before = fingerprint();
    await expect(exportExceptions(db, dataDir, PASS, 'clerk', AT, io)).rejects.toMatchObject({ kind: 'card_number', message: expect.stringMatching(/transaction 2: .*No file was written/) });
    expect(fingerprint()).toBe(before);
    expect(existsSync(join(dataDir, 'handoff'))).toBe(false);
    setMatchNote(db, 2, null);
    expect((await exportExceptions(db, dataDir, PASS, 'clerk', AT, io)).count).toBe(3);
  });

  it('the reviewer cannot record a card number in a decision either', async () => {
    const session = await openExceptionsFile(db, genuineExceptions, PASS, 'reviewer', AT, io);
    const before = fingerprint();
    expect(() => decideInSession(db, session.sessionId, 1, { note: 'card 5555 5555 5555 4444' }, 'reviewer', AT)).toThrow(/looks like a card number/);
    expect(() => decideInSession(db, session.sessionId, 1, { owner: '4111111111111111' }, 'reviewer', AT)).toThrow(/looks like a card number/);
    expect(fingerprint()).toBe(before);
    expect(decideInSession(db, session.sessionId, 1, { note: 'card ending 4444' }, 'reviewer', AT).decisions['1']).toEqual({ note: 'card ending 4444' });
  });
});

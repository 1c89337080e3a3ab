import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandoffFileResult, HandoffSession, ImportDecisionsResult } from '@shared/api/offline';
import type { MatchOutcome } from '@shared/domain';
import { createEngine, type Engine } from '../../electron/core/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { silentLogger } from '../../electron/core/log/logger';
import { getOutcome, gridRows } from '../../electron/core/store/queries/matches';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { containerAround, headerOf, keyFor, withHeader } from '../support/handoff-files';

// "Take offline" between two installations (two data folders): the first
// exports its open exceptions, the second opens the file and decides, the
// decisions come back and are applied through the normal checks and posting.

const secretStore = keytarSecretStore(`Tieout-test-${randomBytes(4).toString('hex')}`);
let demo: RunningDemo;
let office: Engine;
let laptop: Engine;
const passphrase = 'blue-harbour-42';

function ok<T>(envelope: { ok: boolean; value?: unknown }): T {
  expect(envelope, JSON.stringify(envelope).slice(0, 400)).toMatchObject({ ok: true });
  return envelope.value as T;
}

async function receiptsFor(reference: string): Promise<number> {
  const r = await axios.post(`${demo.descriptor.erp.baseUrl}/__control/count-receipts`, { reference });
  return (r.data as { count: number }).count;
}

const open = (dataDir: string, actor: string) =>
  createEngine({ dataDir, shell: 'cli', background: false, undoWindowSeconds: 0, secretStore, logger: silentLogger, sandbox: demo.descriptor, actor });

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 5 });
  office = await open(mkdtempSync(join(tmpdir(), 'tieout-office-')), 'office-clerk');
  laptop = await open(mkdtempSync(join(tmpdir(), 'tieout-laptop-')), 'home-reviewer');
  await office.sync.runOnce();
}, 60_000);

afterAll(async () => {
  await office?.close();
  await laptop?.close();
  await demo?.close();
});

describe('hand-off file round trip', () => {
  let file: HandoffFileResult;
  let session: HandoffSession;
  let chosen: number[] = [];

  it('exports the open exceptions with their candidates and invoices, and no secrets', async () => {
    file = ok<HandoffFileResult>(await office.dispatch('handoff:export', { passphrase }));
    const open = gridRows(office.db).filter((r) => r.status === 'exception' || r.status === 'review');
    expect(file.count).toBe(open.length);
    expect(file.path.startsWith(join(office.db.name, '..'))).toBe(true);
    const bytes = readFileSync(file.path);
    expect(bytes.toString('base64')).toBe(file.base64);
    for (const secret of [demo.descriptor.erp.password, demo.descriptor.paytrace.password]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    expect(office.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE action = 'handoff.export'").get()).toEqual({ n: 1 });
  });

  it('a wrong passphrase or a changed byte is refused and changes nothing', async () => {
    const wrong = await laptop.dispatch('handoff:open', { file: file.path, passphrase: 'not-the-passphrase' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    if (!wrong.ok) expect(wrong.error.message).toMatch(/passphrase is wrong/);
    const tampered = Buffer.from(readFileSync(file.path));
    tampered[tampered.length - 40] = tampered[tampered.length - 40]! ^ 0x80;
    const tamperedPath = join(mkdtempSync(join(tmpdir(), 'tieout-tamper-')), 'x.tieout');
    writeFileSync(tamperedPath, tampered);
    expect(await laptop.dispatch('handoff:open', { file: tamperedPath, passphrase })).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect(laptop.db.prepare('SELECT COUNT(*) AS n FROM handoff_sessions').get()).toEqual({ n: 0 });
  });

  it('a hostile file (costly key settings, a gzip bomb, too many records, a card number) is refused before the work and changes nothing', async () => {
    const counts = () => laptop.db.prepare('SELECT (SELECT COUNT(*) FROM handoff_sessions) AS sessions, (SELECT COUNT(*) FROM audit) AS audit').get();
    const before = counts();
    const refusal = async (bytes: Buffer) => {
      const r = await laptop.dispatch('handoff:open', { base64: bytes.toString('base64'), passphrase });
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
      return r.ok ? '' : r.error.message;
    };
    const genuine = Buffer.from(file.base64, 'base64');
    const header = headerOf(genuine) as { kdf: Record<string, unknown> };
    // The header is read before it can be authenticated: costly scrypt settings are refused, not derived.
    expect(await refusal(withHeader(genuine, { ...header, kdf: { ...header.kdf, N: 2 ** 18 } }))).toMatch(/key-derivation settings Tieout never writes/);

    const key = keyFor(passphrase);
    const seal = (payload: Buffer) => containerAround(gzipSync(payload, { level: 9 }), key);
    const valid = { exportId: 'abc123', sourceProfile: 'p', exportedAt: '2026-01-05T15:00:00.000Z', exportedBy: 'x', paytraceAsOf: null, erpAsOf: null, invoices: [], customers: [] };
    // 64 MiB of valid JSON in a 64 KiB file.
    const bomb = seal(Buffer.concat([Buffer.from(JSON.stringify(valid).slice(0, -1) + ',"exceptions":['), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from(']}')]));
    expect(bomb.length).toBeLessThan(128 * 1024);
    expect(await refusal(bomb)).toMatch(/unpacks to more than 32 MiB/);
    const many = seal(Buffer.from(JSON.stringify({ ...valid, exceptions: Array.from({ length: 10_001 }, (_, i) => ({ transactionId: i + 1 })) })));
    expect(await refusal(many)).toMatch(/holds 10001 exceptions; Tieout reads at most 10000/);
    const exception = { transactionId: 7, createdAt: '2026-01-05T15:00:00.000Z', payer: 'A', reference: 'B', amountCents: 100, currency: 'USD', method: 'card', maskedCard: '************1111', status: 'exception', exception: null, reason: '', note: 'card 4111 1111 1111 1111 exp 12/29', owner: null, customerId: null, allocations: [], candidates: [] };
    expect(await refusal(seal(Buffer.from(JSON.stringify({ ...valid, exceptions: [exception] }))))).toMatch(/looks like a card number/);
    expect(counts()).toEqual(before);
  });

  it('opens on the other installation and records the reviewer\'s decisions', async () => {
    session = ok<HandoffSession>(await laptop.dispatch('handoff:open', { base64: file.base64, passphrase }));
    expect(session.exceptions).toHaveLength(file.count);
    const suggested = session.exceptions.filter((e) => e.status === 'review' && e.allocations.length > 0 && e.customerId);
    expect(suggested.length).toBeGreaterThan(1);
    const needed = new Set(session.exceptions.flatMap((e) => [...e.allocations.map((a) => a.invoiceNo), ...e.candidates.flatMap((c) => c.allocations.map((a) => a.invoiceNo))]));
    expect(new Set(session.invoices.map((i) => i.invoiceNo))).toEqual(needed);
    const [first, second] = suggested as [(typeof suggested)[number], (typeof suggested)[number]];
    chosen = [first.transactionId, second.transactionId];
    ok(await laptop.dispatch('handoff:decide', { sessionId: session.sessionId, transactionId: first.transactionId, decision: { note: 'Checked the remittance', approve: true } }));
    ok(
      await laptop.dispatch('handoff:decide', {
        sessionId: session.sessionId,
        transactionId: second.transactionId,
        decision: { owner: 'ana', allocation: { customerId: second.customerId!, allocations: second.allocations.map((a) => ({ ...a })) }, approve: true },
      }),
    );
    const exceptionRow = session.exceptions.find((e) => e.status === 'exception');
    if (exceptionRow) ok(await laptop.dispatch('handoff:decide', { sessionId: session.sessionId, transactionId: exceptionRow.transactionId, decision: { exceptionReason: 'manual', note: 'Ask sales' } }));
  });

  it('imports the decisions back: applied with the normal checks, approvals posted once', async () => {
    const decisions = ok<HandoffFileResult>(await laptop.dispatch('handoff:exportDecisions', { sessionId: session.sessionId, passphrase }));
    // The wrong file kind and the wrong passphrase are refused before anything is applied.
    expect(await office.dispatch('handoff:importDecisions', { base64: file.base64, passphrase })).toMatchObject({ ok: false });
    const auditBefore = (office.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
    expect(await office.dispatch('handoff:importDecisions', { base64: decisions.base64, passphrase: 'not-the-passphrase' })).toMatchObject({ ok: false });
    expect((office.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n).toBe(auditBefore);
    // The reviewing installation cannot apply decisions meant for the office.
    expect(await laptop.dispatch('handoff:importDecisions', { base64: decisions.base64, passphrase })).toMatchObject({ ok: false });

    const result = ok<ImportDecisionsResult>(await office.dispatch('handoff:importDecisions', { base64: decisions.base64, passphrase }));
    expect([...result.approved].sort()).toEqual([...chosen].sort());
    expect(result.skipped).toEqual([]);
    const rows = new Map(gridRows(office.db).map((r) => [r.transactionId, r]));
    expect(rows.get(chosen[0]!)).toMatchObject({ status: 'approved', note: 'Checked the remittance' });
    expect(rows.get(chosen[1]!)).toMatchObject({ status: 'approved', owner: 'ana' });
    const outcome = getOutcome(office.db, chosen[1]!) as MatchOutcome;
    expect(outcome.reason).toMatch(/hand-off review by home-reviewer/);

    await office.worker.drain();
    for (const id of chosen) expect(await receiptsFor(String(id))).toBe(1);
    // Importing the same decisions again changes no posting.
    const again = ok<ImportDecisionsResult>(await office.dispatch('handoff:importDecisions', { base64: decisions.base64, passphrase }));
    expect(again.approved).toEqual([]);
    expect(again.skipped.map((s) => s.transactionId).sort()).toEqual([...chosen].sort());
    await office.worker.drain();
    for (const id of chosen) expect(await receiptsFor(String(id))).toBe(1);
  });
});

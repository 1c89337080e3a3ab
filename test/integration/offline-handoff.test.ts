import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandoffFileResult, HandoffSession, ImportDecisionsResult } from '@shared/api/offline';
import type { MatchOutcome } from '@shared/domain';
import { createEngine, type Engine } from '../../electron/core/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { silentLogger } from '../../electron/core/log/logger';
import { getOutcome, gridRows } from '../../electron/core/store/queries/matches';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';

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
  createEngine({ dataDir, shell: 'cli', background: false, secretStore, logger: silentLogger, sandbox: demo.descriptor, actor });

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

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_NUMBER_REFUSAL } from '@shared/card-numbers';
import type { SettingsView } from '@shared/settings';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import type { Engine } from '../../electron/core/engine';
import { gridRows } from '../../electron/core/store/queries/matches';
import { openTestEngine, tempDir, testSecretStore, value } from './support/engine';
import { onWorkspace, storedRowsText } from '../support/store-dialect';

// Issue 12 points 5 and 6 against a real engine, the PayTrace and P21
// sandboxes over HTTP and a real SQLite file: typed card numbers are refused
// and leave no trace in the data folder (the audit log included); settings that
// would send data over plain http, to a script URL or with a made-up time zone
// are refused with the reason and change nothing.

const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = '4111111111111111';
const MARKER = 'at-rest-marker-7Q2';

let demo: RunningDemo;
let engine: Engine;
const dataDir = tempDir('at-rest');
const secretStore = testSecretStore();

const originalUmask = process.umask();
beforeAll(async () => {
  // The most permissive umask: the modes below must come from Tieout, not from the umask.
  if (process.platform !== 'win32') process.umask(0o000);
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 12, payments: 40 });
  engine = await openTestEngine(demo.descriptor, { dataDir, secretStore });
  await engine.sync.runOnce();
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await demo?.close();
  process.umask(originalUmask);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}
// What is kept at rest: the folder's files, and on a workspace the rows the server keeps for it.
const dataFolderText = (): string => filesUnder(dataDir).map((f) => readFileSync(f).toString('latin1')).join('\n') + (onWorkspace ? storedRowsText(engine.db) : '');
const auditCount = (action: string): number => (engine.db.prepare('SELECT COUNT(*) AS n FROM audit WHERE action = ?').get(action) as { n: number }).n;

describe('card numbers typed into Tieout (issue 12 point 5)', () => {
  it('a refund reason, a note or a reversal reason with a card number is refused with the card message, and nothing is kept', async () => {
    const [row] = gridRows(engine.db);
    const transactionId = row!.transactionId;
    const attempts: Array<[string, unknown]> = [
      ['refunds:request', { transactionId, amountCents: 100, reasonCode: 'Customer request', note: `card was ${CARD}` }],
      ['matches:note', { transactionId, note: `customer read out ${CARD} on the phone` }],
      ['matches:note', { transactionId, note: `glued ${CARD_DIGITS}` }],
      ['controls:reverse', { transactionId, reason: `wrong card ${CARD.replaceAll(' ', '-')}`, password: 'x' }],
      ['posting:discard', { transactionId, note: CARD }],
      ['matches:assign', { transactionId, owner: CARD }],
    ];
    for (const [method, args] of attempts) {
      const reply = await engine.dispatch(method, args);
      expect(reply, method).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
      expect(reply.ok ? '' : reply.error.message, method).toContain(CARD_NUMBER_REFUSAL);
    }
    expect(auditCount('match.note') + auditCount('match.assign') + auditCount('refund.requested')).toBe(0);
    // The same note without the number is kept (so the scan below can see what is kept).
    value(await engine.dispatch('matches:note', { transactionId, note: `${MARKER}: card ending 1111` }));
    engine.db.pragma('wal_checkpoint(TRUNCATE)');
    const stored = dataFolderText();
    expect(stored).toContain(MARKER);
    expect(stored).not.toContain(CARD_DIGITS);
    expect(stored).not.toContain(CARD);
  });

  it('keeps only the allow-listed PayTrace fields of each synced row: no card expiry date, no routing number', async () => {
    const [row] = gridRows(engine.db);
    const detail = value<{ transaction: { raw: Record<string, unknown> } }>(await engine.dispatch('grid:detail', { transactionId: row!.transactionId }));
    expect(Object.keys(detail.transaction.raw)).toEqual(expect.arrayContaining(['transaction_id', 'amount', 'created']));
    engine.db.pragma('wal_checkpoint(TRUNCATE)');
    const stored = dataFolderText();
    expect(stored).toContain('masked_number');
    for (const gone of ['expiration_month', 'expiration_year', 'routing_number', 'from_ip']) expect(stored, gone).not.toContain(gone);
  });
});

describe('settings (issue 12 point 6)', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['production over http', { paytrace: { environment: 'production', baseUrl: 'http://api.paytrace.com' } }, /paytrace\.baseUrl(?: is not valid)?: use https:\/\//],
    ['javascript:', { paytrace: { baseUrl: 'javascript:alert(1)' } }, /paytrace\.baseUrl(?: is not valid)?: javascript:\/\/ addresses are not allowed/],
    ['file:', { paytrace: { baseUrl: 'file:///etc/passwd' } }, /paytrace\.baseUrl(?: is not valid)?: file:\/\/ addresses are not allowed/],
    ['gopher:', { erp: { baseUrl: 'gopher://erp.example:70/' } }, /erp\.baseUrl(?: is not valid)?: gopher:\/\/ addresses are not allowed/],
    ['http to another host', { erp: { baseUrl: 'http://erp.example:8080' } }, /erp\.baseUrl(?: is not valid)?: use https:\/\/ .*not erp\.example/],
    ['credentials in the URL', { paytrace: { baseUrl: 'https://u:p@api.paytrace.com' } }, /must not contain a user name or password/],
    ['an unknown time zone', { sync: { merchantZone: 'Pacific Time' } }, /merchantZone(?: is not valid)?: not a time zone/],
    ['a negative interval', { sync: { intervalMinutes: -1 } }, /intervalMinutes/],
    ['a fractional look-back', { paytrace: { lookbackDays: 1.5 } }, /lookbackDays/],
  ];

  it.each(bad)('refuses %s with the reason and changes nothing', async (_label, patch, message) => {
    const before = value<SettingsView>(await engine.dispatch('settings:get', {})).settings;
    const saves = auditCount('settings.save');
    const reply = await engine.dispatch('settings:save', patch);
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_args', message: expect.stringMatching(message) } });
    expect(value<SettingsView>(await engine.dispatch('settings:get', {})).settings).toEqual(before);
    expect(engine.settings()).toEqual(before);
    expect(auditCount('settings.save')).toBe(saves);
  });

  it('still saves a valid change', async () => {
    const saved = value<SettingsView>(await engine.dispatch('settings:save', { sync: { merchantZone: 'America/Chicago', intervalMinutes: 7 } }));
    expect(saved.settings.sync).toMatchObject({ merchantZone: 'America/Chicago', intervalMinutes: 7 });
  });
});

describe.skipIf(process.platform === 'win32')('the data folder (issue 12 point 5; POSIX modes, Windows relies on the profile folder ACLs)', () => {
  it('under umask 000, the folder and its subfolders are 0700 and every file (store, WAL, hand-off file) is 0600', async () => {
    const exported = value<{ path: string }>(await engine.dispatch('handoff:export', { passphrase: 'correct horse battery' }));
    expect(exported.path.startsWith(dataDir)).toBe(true);
    const modes = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const p = join(dir, name);
        const st = statSync(p);
        const m = (st.mode & 0o777).toString(8);
        return st.isDirectory() ? [`${p}:${m}`, ...modes(p)] : [`${p}:${m}`];
      });
    const all = [`${dataDir}:${(statSync(dataDir).mode & 0o777).toString(8)}`, ...modes(dataDir)];
    // The SQLite store's WAL is among the files checked (a workspace keeps no store file in the folder).
    expect(all.some((e) => e.includes('tieout.sqlite-wal'))).toBe(!onWorkspace);
    expect(all.filter((e) => !(statSync(e.slice(0, e.lastIndexOf(':'))).isDirectory() ? e.endsWith(':700') : e.endsWith(':600')))).toEqual([]);
  });
});

import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../electron/core/auth/auth-service';
import type { Engine } from '../../electron/core/engine';
import { logFiles } from '../../electron/core/log/log-files';
import { auditFor } from '../../electron/core/audit/audit-log';
import { startWebHost, type WebHost } from '../../electron/web/host';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import type { Envelope } from '../../shared/api-contract';
import type { DiagnosticsFile } from '../../shared/api/diagnostics';
import { openTestEngine, tempDir } from './support/engine';

// "Save diagnostics" (issue 12, point 10) over real HTTP through the web host:
// the bundle has the versions, settings, counts, audit verdict and logs support
// needs, and none of the secrets planted in the vault, the settings and the log.

const PLANTED_PAYTRACE_PASSWORD = 'Planted-PayTrace-Pass-5521';
const PLANTED_ERP_PASSWORD = 'Planted-Erp-Pass-7730';
const PLANTED_API_KEY = 'planted_api_key_Zq81xW0p';
const CARD = '4111111111111111';

let demo: RunningDemo;
let engine: Engine;
let host: WebHost;
let dataDir: string;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21, payments: 30 });
  dataDir = tempDir('diagnostics');
  engine = await openTestEngine(demo.descriptor, { dataDir });
  await engine.sync.runOnce();
  const rendererDir = mkdtempSync(join(tmpdir(), 'tieout-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
  host = await startWebHost({ engine, rendererDir });
});
afterAll(async () => {
  await host?.close();
  await engine?.close();
  await demo?.close();
});

async function call<T>(name: string, args: unknown, session: string | null = null): Promise<Envelope<T>> {
  const res = await fetch(`http://127.0.0.1:${host.port}/api/call/${name}`, {
    method: 'POST',
    // The web host keeps the session in an HttpOnly cookie (issue 12, point 9), not in a header page script could set.
    headers: { 'content-type': 'application/json', 'x-tieout-token': host.token, ...(session ? { cookie: session } : {}) },
    body: JSON.stringify(args),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Envelope<T>;
}

/** Signs in and returns the session cookie pair (name=value) the web host set. */
async function signIn(userName: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${host.port}/api/call/auth:signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tieout-token': host.token },
    body: JSON.stringify({ userName, password: DEMO_PASSWORD }),
  });
  const r = (await res.json()) as Envelope<unknown>;
  if (!r.ok) throw new Error(r.error.message);
  const cookie = res.headers.getSetCookie()[0];
  if (!cookie) throw new Error('no session cookie in the sign-in reply');
  return cookie.split(';')[0]!;
}

describe('Save diagnostics', () => {
  it('bundles versions, settings, counts, the audit verdict and the logs, without any planted secret or card number', async () => {
    const admin = await signIn('admin');
    // Plant: both passwords in the vault, an API key in the ERP options, and a
    // log line with a password and a card number; plus a raw line written to
    // the file behind the logger's back (an old, unredacted line).
    const setPt = await call('credentials:set', { connection: 'paytrace', username: 'planted-user', password: PLANTED_PAYTRACE_PASSWORD }, admin);
    const setErp = await call('credentials:set', { connection: 'erp', username: 'planted-user', password: PLANTED_ERP_PASSWORD }, admin);
    const saved = await call('settings:save', { erp: { options: { ...demo.descriptor.erp.options, apiKey: PLANTED_API_KEY } } }, admin);
    expect([setPt.ok, setErp.ok, saved.ok]).toEqual([true, true, true]);
    engine.log!.logger('test').error(`PayTrace refused password ${PLANTED_PAYTRACE_PASSWORD} for card ${CARD}`, { erp: { password: PLANTED_ERP_PASSWORD } });
    appendFileSync(logFiles(dataDir).at(-1)!, `{"level":"error","msg":"old line ${PLANTED_ERP_PASSWORD} ${demo.descriptor.paytrace.password} card ${CARD} x-api-key: ${PLANTED_API_KEY}"}\n`);

    const reply = await call<DiagnosticsFile>('diagnostics:save', {}, admin);
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.value.fileName).toMatch(/^tieout-diagnostics-\d{8}-\d{6}\.json\.gz$/);
    const gzip = Buffer.from(reply.value.base64, 'base64');
    expect(gzip.length).toBe(reply.value.bytes);
    const text = gunzipSync(gzip).toString('utf8');

    const secrets = [PLANTED_PAYTRACE_PASSWORD, PLANTED_ERP_PASSWORD, PLANTED_API_KEY, CARD, demo.descriptor.paytrace.password, demo.descriptor.erp.password];
    for (const s of secrets) {
      expect(text.includes(s), `${s.slice(0, 4)}… in the bundle`).toBe(false);
      expect(JSON.stringify(reply).includes(s)).toBe(false);
    }

    const bundle = JSON.parse(text) as {
      app: { version: string; shell: string; mode: string };
      runtime: { node: string; os: { platform: string } };
      store: { schemaVersion: number; latestSchemaVersion: number };
      settings: { erp: { baseUrl: string; options: Record<string, unknown> }; paytrace: { baseUrl: string } };
      connectionsConfigured: Record<string, string>;
      counts: { transactions: number; outbox: Record<string, number>; deadLetters: number };
      audit: { ok: boolean; checked: number };
      logs: Array<{ file: string; text: string }>;
    };
    expect(bundle.app).toEqual({ version: '0.1.0', shell: 'web', mode: 'demo' });
    expect(bundle.runtime.node).toBe(process.versions.node);
    expect(bundle.store.schemaVersion).toBeGreaterThan(0);
    expect(bundle.store.schemaVersion).toBe(bundle.store.latestSchemaVersion);
    expect(bundle.settings.paytrace.baseUrl).toBe(demo.descriptor.paytrace.url); // URLs are kept
    expect(bundle.settings.erp.options['apiKey']).toBe('[redacted]');
    expect(bundle.connectionsConfigured).toEqual({ paytrace: 'set', erp: 'set' });
    expect(bundle.counts.transactions).toBeGreaterThan(0);
    expect(bundle.counts.outbox).toMatchObject({ queued: 0, dead: 0 });
    expect(bundle.audit.ok).toBe(true);
    expect(bundle.audit.checked).toBeGreaterThan(0);
    const logText = bundle.logs.map((l) => l.text).join('\n');
    expect(bundle.logs.at(-1)?.file).toMatch(/^tieout\.\d+\.log$/);
    expect(logText).toContain('PayTrace refused password');
    expect(logText).toContain('old line [redacted]');
    expect(logText).toContain('[card number removed]');

    // Taking the log off the machine is audited.
    expect(auditFor(engine.db, 'app', 'diagnostics').map((e) => e.action)).toContain('diagnostics.save');
  });

  it('is refused to a clerk', async () => {
    const clerk = await signIn('clerk');
    const reply = await call('diagnostics:save', {}, clerk);
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe('forbidden');
  });
});

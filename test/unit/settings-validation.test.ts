import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../electron/core/store/db';
import { loadSettings, saveSettings, StoredSettingsError } from '../../electron/core/store/queries/settings';
import { defaultSettings, settingsPatchSchema, settingsSchema, type Settings } from '../../shared/settings';
import { serviceUrlProblem } from '../../shared/service-url';

// Issue 12 point 6: settings are checked in the engine (the schema every save
// and every load goes through), with messages an admin can act on.

const production = (baseUrl: string): Settings => ({ ...defaultSettings(), paytrace: { ...defaultSettings().paytrace, environment: 'production', baseUrl } });
const firstMessage = (settings: unknown): string => {
  const r = settingsSchema.safeParse(settings);
  if (r.success) return '(accepted)';
  return `${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`;
};

describe('settings validation (issue 12)', () => {
  it('refuses a PayTrace address that is not https, whatever the scheme', () => {
    expect(firstMessage(production('http://api.paytrace.com'))).toBe('paytrace.baseUrl: use https:// (plain http:// is allowed only to this computer: 127.0.0.1, ::1 or localhost, not api.paytrace.com)');
    expect(firstMessage(production('http://127.0.0.1:8080'))).toBe('paytrace.baseUrl: use https:// (plain http:// is allowed only for a sandbox on this computer)');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'gopher://api.paytrace.com/', 'ftp://api.paytrace.com', 'data:text/plain,x']) {
      expect(firstMessage(production(bad)), bad).toMatch(/^paytrace\.baseUrl: \w+:\/\/ addresses are not allowed; use https:\/\/$/);
    }
    expect(firstMessage(production('not a url'))).toMatch(/^paytrace\.baseUrl: "not a url" is not a web address/);
    expect(firstMessage(production('https://api.paytrace.com'))).toBe('(accepted)');
  });

  it('allows plain http only to this computer, and never credentials in the address', () => {
    const demo = (baseUrl: string): Settings => ({ ...defaultSettings(), paytrace: { ...defaultSettings().paytrace, environment: 'demo', baseUrl } });
    for (const ok of ['http://127.0.0.1:4010', 'http://localhost:4010/', 'http://[::1]:4010', 'https://api.sandbox.paytrace.com']) expect(firstMessage(demo(ok)), ok).toBe('(accepted)');
    expect(firstMessage(demo('http://10.0.0.5:4010'))).toBe('paytrace.baseUrl: use https:// (plain http:// is allowed only to this computer: 127.0.0.1, ::1 or localhost, not 10.0.0.5)');
    expect(firstMessage(demo('http://127.0.0.1.evil.example/'))).toMatch(/not 127\.0\.0\.1\.evil\.example/);
    expect(firstMessage(production('https://admin:hunter2@api.paytrace.com'))).toMatch(/^paytrace\.baseUrl: the address must not contain a user name or password/);
    // ERP addresses: the same rules for the HTTP kinds; sage100 takes a connection string without a password; file a folder.
    const erp = (kind: Settings['erp']['kind'], baseUrl: string, options: Settings['erp']['options'] = {}): Settings => ({ ...defaultSettings(), erp: { kind, demo: false, baseUrl, options } });
    expect(firstMessage(erp('p21', 'gopher://erp.example'))).toMatch(/^erp\.baseUrl: gopher:\/\/ addresses are not allowed/);
    expect(firstMessage(erp('eclipse', 'http://erp.example:5000'))).toMatch(/^erp\.baseUrl: use https:\/\//);
    expect(firstMessage(erp('sap-ecc', 'https://sap.example:44300'))).toBe('(accepted)');
    expect(firstMessage(erp('sage100', 'DSN=SOTAMAS90;UID=x;PWD=secret'))).toMatch(/^erp\.baseUrl: the connection string must not contain a password/);
    expect(firstMessage(erp('sage100', 'DSN=SOTAMAS90'))).toBe('(accepted)');
    expect(firstMessage(erp('file', '/srv/exports'))).toBe('(accepted)');
    expect(firstMessage(erp('abas', 'https://abas.example', { tokenUrl: 'javascript:alert(1)' }))).toMatch(/^erp\.options\.tokenUrl: javascript:\/\/ addresses are not allowed/);
  });

  it('refuses an unknown time zone and numbers out of range, NaN or fractional', () => {
    const sync = (patch: Partial<Settings['sync']>): Settings => ({ ...defaultSettings(), sync: { ...defaultSettings().sync, ...patch } });
    expect(firstMessage(sync({ merchantZone: 'Mars/Olympus_Mons' }))).toBe('sync.merchantZone: not a time zone; use an IANA name such as America/Los_Angeles');
    expect(firstMessage(sync({ merchantZone: 'Europe/Berlin' }))).toBe('(accepted)');
    expect(firstMessage(sync({ intervalMinutes: -5 }))).toMatch(/^sync\.intervalMinutes: /);
    expect(firstMessage(sync({ intervalMinutes: Number.NaN }))).toMatch(/^sync\.intervalMinutes: /);
    expect(firstMessage(sync({ intervalMinutes: 2.5 }))).toMatch(/^sync\.intervalMinutes: /);
    expect(firstMessage({ ...defaultSettings(), paytrace: { ...defaultSettings().paytrace, lookbackDays: Number.POSITIVE_INFINITY } })).toMatch(/^paytrace\.lookbackDays: /);
    expect(firstMessage({ ...defaultSettings(), erp: { ...defaultSettings().erp, options: { pageSize: Number.NaN } } })).toMatch(/^erp\.options\.pageSize: /);
    // The patch the API takes carries the field checks too (the settings:save handler then checks the merged whole).
    expect(settingsPatchSchema.safeParse({ paytrace: { baseUrl: 'file:///etc/passwd' } }).success).toBe(false);
  });

  it('a stored setting this version refuses gives a clear error on load, and is not saved over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tieout-settings-'));
    const db = openStore(dir);
    try {
      expect(() => saveSettings(db, production('http://api.paytrace.com'))).toThrow();
      expect(loadSettings(db)).toEqual(defaultSettings());
      // As an older version would have written it (no checks then).
      const older = { ...production('http://api.paytrace.com'), sync: { ...defaultSettings().sync, merchantZone: 'Pacific Time' } };
      db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('app', ?, '2026-01-01T00:00:00Z')").run(JSON.stringify(older));
      expect(() => loadSettings(db)).toThrow(StoredSettingsError);
      expect(() => loadSettings(db)).toThrow(
        /^The saved settings are not valid and were not used: paytrace\.baseUrl: use https:\/\/ .*; sync\.merchantZone: not a time zone; use an IANA name such as America\/Los_Angeles\./,
      );
    } finally {
      db.close();
    }
  });

  it('serviceUrlProblem compares the host exactly, not by prefix', () => {
    expect(serviceUrlProblem('http://localhost.evil.example', { allowLoopbackHttp: true })).toMatch(/not localhost\.evil\.example/);
    expect(serviceUrlProblem('http://127.0.0.2', { allowLoopbackHttp: true })).toMatch(/not 127\.0\.0\.2/);
    expect(serviceUrlProblem('HTTPS://API.PAYTRACE.COM', { allowLoopbackHttp: false })).toBeNull();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatchingRulesSaved, MatchingRulesView } from '@shared/api/matching';
import type { GridRow } from '@shared/domain';
import { auditFor } from '../../electron/core/audit/audit-log';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import type { Engine } from '../../electron/core/engine';
import { gridRows } from '../../electron/core/store/queries/matches';
import type { SecretStore } from '../../electron/core/vault/secret-store';
import { openTestEngine, signedInCalls, tempDir, testSecretStore } from './support/engine';

// The matching rules are settings of the app (Settings → Matching rules):
// matching:setRules (admin) stores them with the other settings, resets the
// matcher and the match runner (worker thread) and re-matches every undecided
// transaction. Real SQLite, the demo's PayTrace and Prophet 21 sandboxes, the
// real keychain (run under scripts/with-keyring.mjs).

const PASSWORD = 'tieout-demo-pass';
let demo: RunningDemo;
let engine: Engine;
let dataDir: string;
let secretStore: SecretStore;
let shortPayId: number;
const { call, ok, signIn } = signedInCalls(() => engine);

const row = (id: number): GridRow => gridRows(engine.db, [id])[0]!;
const rowsChanged = (): { seen: Array<readonly number[] | null>; stop: () => void } => {
  const seen: Array<readonly number[] | null> = [];
  const stop = engine.events.subscribe((name, payload) => {
    if (name === 'rows:changed') seen.push((payload as { transactionIds: readonly number[] | null }).transactionIds);
  });
  return { seen, stop };
};

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21 });
  dataDir = tempDir('matching-rules');
  secretStore = testSecretStore();
  engine = await openTestEngine(demo.descriptor, { shell: 'web', dataDir, secretStore });
  await engine.sync.runOnce();
  await signIn(['clerk', 'admin'], PASSWORD);
  const shortPay = gridRows(engine.db)
    .filter((r) => r.status === 'auto' && (r.markers ?? []).includes('short_pay'))
    .sort((a, b) => a.transactionId - b.transactionId)[0];
  expect(shortPay, 'the demo data has an automatic short pay').toBeDefined();
  shortPayId = shortPay!.transactionId;
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('matching rules as settings', () => {
  it('starts with the defaults; anyone signed in may read them', async () => {
    const v = await ok<MatchingRulesView>('clerk', 'matching:rules', {});
    expect(v.rules).toEqual({});
    expect(v.effective).toEqual(v.defaults);
    expect(v.defaults).toMatchObject({ shortPay: 'auto', shortPayAutoMaxPercent: 10, autoWithoutReference: false });
    expect(engine.settings().matching).toEqual({});
  });

  it("shortPay 'off': the short pay becomes a short_payment exception at once (full re-match, rows-changed, audited)", async () => {
    const events = rowsChanged();
    const saved = await ok<MatchingRulesSaved>('admin', 'matching:setRules', { rules: { shortPay: 'off' } });
    events.stop();
    expect(saved.rules).toEqual({ shortPay: 'off' });
    expect(saved.effective.shortPay).toBe('off');
    expect(saved.rematch.rematched).toBe(saved.rematch.pending);
    expect(saved.rematch.rematched).toBeGreaterThan(0);
    // Only the rows the rule touches change (status, exception or allocation): the short pays.
    expect(saved.rematch.changed).toBeGreaterThan(0);
    expect(saved.rematch.changed).toBeLessThan(saved.rematch.rematched / 4);
    expect(events.seen).toContainEqual(null);
    expect(row(shortPayId)).toMatchObject({ status: 'exception', exception: 'short_payment' });
    const audit = auditFor(engine.db, 'settings', 'matching');
    expect(audit.at(-1)).toMatchObject({ actor: 'admin', action: 'settings.matching', before: {}, after: { shortPay: 'off' } });
  });

  it('saving the same rules again re-matches in full and changes nothing', async () => {
    const again = await ok<MatchingRulesSaved>('admin', 'matching:setRules', { rules: { shortPay: 'off' } });
    expect(again.rematch.rematched).toBe(again.rematch.pending);
    expect(again.rematch.changed).toBe(0);
  });

  it('stores PayTrace texts the way they are compared (spaces collapsed, upper case)', async () => {
    const saved = await ok<MatchingRulesSaved>('admin', 'matching:setRules', { rules: { shortPay: 'off', achReceivedStatuses: [' processed', 'Settled ', 'FUNDED', 'funded'] } });
    expect(saved.rules.achReceivedStatuses).toEqual(['PROCESSED', 'SETTLED', 'FUNDED']);
    expect(saved.rematch.changed).toBe(0);
    await ok('admin', 'matching:setRules', { rules: { shortPay: 'off' } });
  });

  it('refuses an invalid value naming the field, and changes nothing', async () => {
    const auditBefore = auditFor(engine.db, 'settings', 'matching').length;
    const r = await call('admin', 'matching:setRules', { rules: { shortPay: 'auto', shortPayAutoMaxPercent: 150 } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_args');
      expect(r.error.message).toContain('shortPayAutoMaxPercent');
    }
    // A rule that is valid alone but not with the others (dateFarDays ≥ dateNearDays).
    const cross = await call('admin', 'matching:setRules', { rules: { dateNearDays: 365 } });
    expect(cross.ok).toBe(false);
    if (!cross.ok) expect(cross.error).toMatchObject({ code: 'invalid_args', message: expect.stringContaining('dateFarDays') });
    // An unknown rule (a typo) is refused too.
    const unknown = await call('admin', 'matching:setRules', { rules: { shortpay: 'auto' } });
    expect(unknown.ok).toBe(false);
    expect(engine.settings().matching).toEqual({ shortPay: 'off' });
    expect(row(shortPayId)).toMatchObject({ status: 'exception', exception: 'short_payment' });
    expect(auditFor(engine.db, 'settings', 'matching')).toHaveLength(auditBefore);
  });

  it('refuses a clerk', async () => {
    const r = await call('clerk', 'matching:setRules', { rules: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('forbidden');
    expect(engine.settings().matching).toEqual({ shortPay: 'off' });
    expect(row(shortPayId).status).toBe('exception');
  });

  it('settings:save keeps the matching rules', async () => {
    await ok('admin', 'settings:save', { sync: { intervalMinutes: 7 } });
    expect(engine.settings().matching).toEqual({ shortPay: 'off' });
  });

  it('survive an engine restart on the same data folder (the sync worker matches with them)', async () => {
    await engine.close();
    engine = await openTestEngine(demo.descriptor, { shell: 'web', dataDir, secretStore });
    expect(engine.settings().matching).toEqual({ shortPay: 'off' });
    await signIn(['clerk', 'admin'], PASSWORD);
    expect((await ok<MatchingRulesView>('clerk', 'matching:rules', {})).effective.shortPay).toBe('off');
    // The first sync after a start is a full re-match in the runner (a worker thread where one starts).
    await engine.sync.runOnce();
    expect(engine.sync.lastRematch?.mode).toBe('full');
    expect(row(shortPayId)).toMatchObject({ status: 'exception', exception: 'short_payment' });
  }, 120_000);

  it('back to the defaults: the short pay is applied automatically again', async () => {
    const saved = await ok<MatchingRulesSaved>('admin', 'matching:setRules', { rules: {} });
    expect(saved.rules).toEqual({});
    expect(saved.rematch.changed).toBeGreaterThan(0);
    expect(row(shortPayId)).toMatchObject({ status: 'auto', exception: null });
    expect(row(shortPayId).markers).toContain('short_pay');
    // And a later incremental sync keeps it that way (the worker was configured too).
    await engine.sync.runOnce();
    expect(row(shortPayId).status).toBe('auto');
  }, 120_000);

  it('approval judges money by the same rules: an ACH status the site no longer counts is refused, one it adds is approved', async () => {
    const processedAch = gridRows(engine.db).find(
      (r) => r.method === 'ach' && r.status === 'auto' && r.type === 'SALE' && (engine.db.prepare('SELECT raw_json FROM paytrace_transactions WHERE transaction_id = ?').get(r.transactionId) as { raw_json: string }).raw_json.includes('"Processed"'),
    );
    expect(processedAch, 'the demo week has an unsettled ACH payment PayTrace processed').toBeDefined();
    const id = processedAch!.transactionId;
    const { approveMatches } = await import('../../electron/core/approval/approve');
    // Behind the settings service, as an edit made elsewhere (in JS: SQLite and PostgreSQL spell JSON edits apart).
    const setStoredMatching = (matching: unknown) => {
      const stored = JSON.parse(engine.db.prepare("SELECT value FROM settings WHERE key = 'app'").pluck().get() as string) as Record<string, unknown>;
      engine.db.prepare("UPDATE settings SET value = ? WHERE key = 'app'").run(JSON.stringify({ ...stored, matching }));
    };
    // Matched while "Processed" counted: the approval re-judges under the rules in force now.
    setStoredMatching({ achReceivedStatuses: ['SETTLED'] });
    const refused = approveMatches(engine.db, [id], 'clerk', 'America/Los_Angeles');
    expect(refused.approved).toEqual([]);
    expect(refused.skipped[0]!.reason).toContain('Processed');
    setStoredMatching({});
    expect(approveMatches(engine.db, [id], 'clerk', 'America/Los_Angeles').approved).toEqual([id]);
  });
});

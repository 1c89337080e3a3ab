import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../electron/cli/tieout';
import { appendAudit } from '../../electron/core/audit/audit-log';
import { openStore } from '../../electron/core/store/db';

function run(args: string[]) {
  let out = '';
  let err = '';
  return main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) }).then((code) => ({ code, out, err }));
}

describe('tieout audit', () => {
  it('verify passes an intact chain and names the first tampered entry', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-cli-audit-'));
    const db = openStore(dataDir);
    for (let i = 1; i <= 6; i++) appendAudit(db, { actor: 'clerk', action: 'match.approve', objectType: 'transaction', objectId: String(400000000 + i), after: { amountCents: 1000 * i } });
    db.close();
    const ok = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/chain intact/);

    const tamper = openStore(dataDir);
    tamper.exec('DROP TRIGGER audit_no_update');
    tamper.prepare(`UPDATE audit SET after_json = '{"amountCents":1}' WHERE id = 4`).run();
    tamper.close();
    const broken = await run(['audit', 'verify', '--data-dir', dataDir]);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/BROKEN at entry 4/);
  });

  it('export writes the entries of a date range as CSV', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-cli-audit-'));
    const db = openStore(dataDir);
    appendAudit(db, { actor: 'clerk', action: 'match.approve', objectType: 'transaction', objectId: '1', at: '2026-11-02T10:00:00.000Z' });
    appendAudit(db, { actor: 'supervisor', action: 'refund.approve', objectType: 'refund', objectId: '2', at: '2026-11-20T10:00:00.000Z' });
    db.close();
    const r = await run(['audit', 'export', '--from', '2026-11-01', '--to', '2026-11-10', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('id,at,actor,action,object_type,object_id,before,after');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('match.approve');
  });
});

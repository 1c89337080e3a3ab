import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../electron/cli/tieout';
import { proposeChange } from '../../electron/core/approval/propose-change';
import { loadRefundPolicy } from '../../electron/core/refunds/policy';
import { openStore } from '../../electron/core/store/db';

// A single-admin installation approves a loosening change from the local CLI,
// which acts as the OS user (a second admin by name; docs/users-and-refunds.md).

function run(args: string[]) {
  let out = '';
  let err = '';
  return main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) }).then((code) => ({ code, out, err }));
}

describe('tieout changes', () => {
  it('lists a change waiting for a second admin and approves it as the OS user', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-cli-changes-'));
    const db = openStore(dataDir);
    const id = proposeChange(db, {
      kind: 'refunds.policy',
      target: 'refunds',
      summary: 'Refunds: admin limit $5,000.00 → $9,000.00',
      change: { limits: { adminAboveCents: 900_000 }, addReasonCodes: [] },
      requestedBy: 'ada',
      at: '2026-01-05T18:00:00.000Z',
    });
    db.close();
    const listed = await run(['changes', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('Refunds: admin limit $5,000.00 → $9,000.00');
    expect((await run(['changes', 'approve', 'x', '--data-dir', dataDir])).code).toBe(2);
    const approved = await run(['changes', 'approve', String(id), '--data-dir', dataDir]);
    expect(approved.code).toBe(0);
    expect(approved.out).toContain('"state": "approved"');
    const after = openStore(dataDir);
    expect(loadRefundPolicy(after).adminAboveCents).toBe(900_000);
    after.close();
  }, 60_000);
});

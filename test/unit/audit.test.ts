import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAudit, auditFor, verifyAudit } from '../../electron/core/audit/audit-log';
import { openStore } from '../../electron/core/store/db';

function store() {
  return openStore(mkdtempSync(join(tmpdir(), 'tieout-audit-')));
}

describe('audit trail', () => {
  it('chains entries and verifies an untouched chain', () => {
    const db = store();
    for (let i = 0; i < 5; i++) appendAudit(db, { actor: 'clerk', action: 'match.approve', objectType: 'transaction', objectId: String(i), after: { i } });
    expect(verifyAudit(db)).toMatchObject({ ok: true, checked: 5, keyed: 0, firstBrokenId: null, problem: null });
    expect(auditFor(db, 'transaction', '3')[0]).toMatchObject({ actor: 'clerk', action: 'match.approve', after: { i: 3 } });
  });

  it('detects a row altered behind the triggers', () => {
    const db = store();
    for (let i = 0; i < 4; i++) appendAudit(db, { actor: 'clerk', action: 'a', objectType: 't', objectId: String(i), after: { amount: 100 } });
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET after_json = '{\"amount\":1}' WHERE id = 3").run();
    const v = verifyAudit(db);
    expect(v.ok).toBe(false);
    expect(v.firstBrokenId).toBe(3);
    expect(v.problem).toMatch(/altered/);
  });

  it('detects a deleted row', () => {
    const db = store();
    for (let i = 0; i < 4; i++) appendAudit(db, { actor: 'clerk', action: 'a', objectType: 't', objectId: String(i) });
    db.exec('DROP TRIGGER audit_no_delete');
    db.prepare('DELETE FROM audit WHERE id = 2').run();
    const v = verifyAudit(db);
    expect(v).toMatchObject({ ok: false, firstBrokenId: 3 });
  });
});

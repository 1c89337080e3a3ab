import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { appendAudit, auditFor, bindAuditKey, verifyAudit } from '../../electron/core/audit/audit-log';
import { secretFingerprint } from '../../electron/core/vault/secret-fingerprint';
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

  it('keys entries from the seal on: a wrong key fails them, an unkeyed connection cannot append', () => {
    const db = store();
    appendAudit(db, { actor: 'clerk', action: 'a', objectType: 't', objectId: '1' });
    const key = { key: randomBytes(32), keyedFrom: 2 };
    bindAuditKey(db, key);
    appendAudit(db, { actor: 'system', action: 'audit.keyed', objectType: 'audit', objectId: 'chain' });
    appendAudit(db, { actor: 'clerk', action: 'a', objectType: 't', objectId: '2' });
    expect(verifyAudit(db, { key, head: { entry: 3, mac: verifyAudit(db).head!.mac } })).toMatchObject({ ok: true, checked: 3, keyed: 2, anchor: 'matched' });
    expect(verifyAudit(db, { key: { key: randomBytes(32), keyedFrom: 2 }, head: null })).toMatchObject({ ok: false, firstBrokenId: 2, problem: expect.stringMatching(/MAC does not match/) });
    expect(verifyAudit(db, { key: null, head: null })).toMatchObject({ ok: false, problem: expect.stringMatching(/not available here/) });

    const other = openStore(db.name.replace(/[/\\]tieout\.sqlite$/, ''));
    expect(() => appendAudit(other, { actor: 'x', action: 'a', objectType: 't', objectId: '3' })).toThrow(/sealed with the audit key/);
    other.close();
  });
});

describe('secret fingerprints (client cache keys)', () => {
  it('differ for passwords of the same length and reveal neither', () => {
    const a = secretFingerprint('Password-0001');
    expect(secretFingerprint('Password-0001')).toBe(a);
    expect(secretFingerprint('Password-0002')).not.toBe(a);
    expect(a).not.toContain('Password');
  });
});


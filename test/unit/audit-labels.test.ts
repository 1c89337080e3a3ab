import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTROL_KINDS } from '@shared/api/controls';
import { BULK_ACTION_KINDS } from '@shared/api/bulk-review';
import { CONFLICT_ACTIONS } from '@shared/api/offline';
import { REFUND_CONFLICT_ACTIONS } from '@shared/api/refunds';
import { AUDIT_ACTION_LABELS, AUDITED_POLICIES, CREDENTIAL_CHECKS, auditActionLabel, describeAuditEntry } from '@shared/audit-labels';
import type { AuditEntry } from '@shared/domain';

// Every audit action the engine writes has a human label. The codes are read
// from the source itself: each append…Audit( call's `action:` expression, its
// dotted string literals, the constants it names and its template literals
// (expanded from the value lists the engine builds them from). A new code, or
// a new template, without a label fails here.

const root = resolve(__dirname, '../..');
const engineDir = join(root, 'electron');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

/** The text of each append…Audit(...) call (balanced parentheses). */
function auditCalls(text: string): string[] {
  const calls: string[] = [];
  const start = /append\w*Audit\(/g;
  for (let m = start.exec(text); m; m = start.exec(text)) {
    // Skip the function's own declaration.
    if (/function\s+$/.test(text.slice(Math.max(0, m.index - 20), m.index))) continue;
    let depth = 0;
    let i = m.index + m[0].length - 1;
    for (; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) break;
    }
    calls.push(text.slice(m.index, i + 1));
  }
  return calls;
}

// Template literals the engine writes, with the values each placeholder takes.
const TEMPLATES: Record<string, readonly string[]> = {
  '`${action}.refused`': CREDENTIAL_CHECKS.map((c) => `${c}.refused`),
  '`${action}.failed`': CREDENTIAL_CHECKS.map((c) => `${c}.failed`),
  '`control.${kind}.requested`': CONTROL_KINDS.map((k) => `control.${k}.requested`),
  '`control.${r.kind}.approved`': CONTROL_KINDS.map((k) => `control.${k}.approved`),
  '`control.${r.kind}.rejected`': CONTROL_KINDS.map((k) => `control.${k}.rejected`),
  '`conflict.${action}`': CONFLICT_ACTIONS.map((a) => `conflict.${a}`),
  '`refund.conflict.${args.action}`': REFUND_CONFLICT_ACTIONS.map((a) => `refund.conflict.${a}`),
  '`${name}.policy`': AUDITED_POLICIES.map((p) => `${p}.policy`),
  '`match.bulk_${action.kind}`': BULK_ACTION_KINDS.map((k) => `match.bulk_${k}`),
};

function writtenActions(): { actions: Map<string, string>; problems: string[] } {
  const files = sourceFiles(engineDir);
  const constants = new Map<string, string>();
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/export const (\w+)\s*=\s*'([a-z_]+(?:\.[a-z_]+)+)'/g)) constants.set(m[1]!, m[2]!);
  }
  const actions = new Map<string, string>();
  const problems: string[] = [];
  for (const f of files) {
    const where = relative(root, f);
    for (const call of auditCalls(readFileSync(f, 'utf8'))) {
      const m = /\baction:\s*([\s\S]+?)\s*,\s*(?:objectType|\n)/.exec(call);
      if (!m) {
        // A call that passes an entry built elsewhere (appendWorkspaceAudit's own body): nothing to read here.
        if (/\baction\b/.test(call)) problems.push(`${where}: cannot read the action of ${call.slice(0, 120)}`);
        continue;
      }
      const expr = m[1]!;
      const found: string[] = [];
      for (const lit of expr.matchAll(/'([^']*)'/g)) if (/^[a-z_]+(\.[a-z_]+)+$/.test(lit[1]!)) found.push(lit[1]!);
      for (const tpl of expr.matchAll(/`[^`]*`/g)) {
        const expanded = TEMPLATES[tpl[0]];
        if (expanded) found.push(...expanded);
        else problems.push(`${where}: template ${tpl[0]} is not known to this test: add the values its placeholders take`);
      }
      if (found.length === 0) {
        const constant = constants.get(expr.trim());
        if (constant) found.push(constant);
        else if (expr.trim() !== 'input.action') problems.push(`${where}: action expression ${expr} not understood`);
      }
      for (const a of found) actions.set(a, where);
    }
  }
  return { actions, problems };
}

describe('audit action labels', () => {
  it('every action code the engine writes has a label', () => {
    const { actions, problems } = writtenActions();
    expect(problems).toEqual([]);
    // The scan finds the codes (a broken scan must not pass by finding none).
    expect(actions.size).toBeGreaterThan(60);
    for (const known of ['match.allocate', 'match.approve', 'receipt.posted', 'control.write_off.requested', 'auth.sign_in.failed', 'audit.keyed', 'offline.replay', 'controls.policy']) {
      expect(actions.has(known), `the scan finds ${known}`).toBe(true);
    }
    const missing = [...actions].filter(([a]) => !AUDIT_ACTION_LABELS.has(a)).map(([a, where]) => `${a} (${where})`);
    expect(missing, 'audit actions without a label in shared/audit-labels.ts').toEqual([]);
  });

  it('labels are words, not codes', () => {
    for (const [code, label] of AUDIT_ACTION_LABELS) {
      expect(label, code).not.toMatch(/[._]/);
      expect(label, code).toMatch(/^[A-Z]/);
    }
    expect(auditActionLabel('some.future_code')).toBe('Some future code');
  });

  const entry = (action: string, after: unknown, actor = 'ann', before: unknown = null): AuditEntry => ({ id: 1, at: '2026-12-07T18:00:00Z', actor, action, objectType: 'transaction', objectId: '400000101', before, after });

  it('says who did what, with the allocation, the ERP document or the reason', () => {
    expect(
      describeAuditEntry(entry('match.allocate', { customerId: '10001', allocations: [{ invoiceNo: 'INV-1001', amountCents: 50000 }, { invoiceNo: 'INV-1002', amountCents: 12000 }] })),
    ).toBe('Allocation changed by ann: INV-1001 $500.00, INV-1002 $120.00');
    expect(describeAuditEntry(entry('match.approve', { allocations: [{ invoiceNo: '1004501', amountCents: 91300 }] }, 'clerk'))).toBe('Approved by clerk: 1004501 $913.00');
    expect(describeAuditEntry(entry('receipt.posted', { erpDocumentId: 'CR-77', how: 'sent' }, 'system'))).toBe('Cash receipt posted to the ERP by Tieout: ERP document CR-77');
    expect(describeAuditEntry(entry('control.write_off.requested', { amountCents: 3159, currency: 'USD', reasonCode: 'Small balance' }))).toBe('Write-off requested by ann: $31.59, Small balance');
    expect(describeAuditEntry(entry('match.exception_reason', { reason: 'needs_customer_contact', note: null }))).toBe('Exception reason set by ann: needs customer contact');
    expect(describeAuditEntry(entry('match.note', { note: '' }))).toBe('Note changed by ann: note removed');
    expect(describeAuditEntry(entry('posting.failed', { error: 'ERP said no' }, 'system'))).toBe('Posting failed by Tieout: ERP said no');
    expect(describeAuditEntry(entry('auth.sign_in', null, 'ann'))).toBe('Signed in by ann');
    expect(describeAuditEntry(entry('posting.mark_posted', { erpDocumentId: 'CR-MANUAL-7731', note: null }, 'clerk'))).toBe('Marked as posted by clerk: ERP document CR-MANUAL-7731, entered in the ERP by hand');
    // Nothing in the payload shaped as expected: the label alone, never a crash.
    expect(describeAuditEntry(entry('match.allocate', 'garbled'))).toBe('Allocation changed by ann');
  });
});

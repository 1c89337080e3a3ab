import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxCounts, InboxList } from '@shared/api/inbox';
import type { RefundView } from '@shared/api/refunds';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import type { Engine } from '../../electron/core/engine';
import { gridRows } from '../../electron/core/store/queries/matches';
import { openTestEngine, signedInCalls } from './support/engine';

// inbox:list and inbox:counts through the dispatcher, as signed-in users of the
// web channel: a supervisor sees every request waiting, a clerk only their own,
// nobody without a session; a decision takes the item out at once.

const PASSWORD = 'tieout-demo-pass';
let demo: RunningDemo;
let engine: Engine;
const { call, ok, signIn } = signedInCalls(() => engine);

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 15 });
  engine = await openTestEngine(demo.descriptor, { shell: 'web' });
  await engine.sync.runOnce();
  await signIn(['clerk', 'supervisor', 'supervisor2'], PASSWORD);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('approvals inbox API', () => {
  it('a supervisor sees every request waiting, a clerk only their own; an approval takes it out', async () => {
    const [first, second] = gridRows(engine.db)
      .filter((r) => r.status === 'auto' && r.amountCents > 2_000)
      .map((r) => r.transactionId);
    const byClerk = await ok<RefundView>('clerk', 'refunds:request', { transactionId: first!, amountCents: 1_000, reasonCode: 'Customer request' });
    const bySupervisor = await ok<RefundView>('supervisor2', 'refunds:request', { transactionId: second!, amountCents: 1_500, reasonCode: 'Overpayment', note: 'paid twice' });

    const all = await ok<InboxList>('supervisor', 'inbox:list', {});
    expect(all.scope).toBe('all');
    expect(all.items.map((i) => [i.kind, i.key, i.requestedBy, i.amountCents, i.mine])).toEqual([
      ['refund', `refund:${byClerk.id}`, 'clerk', 1_000, false],
      ['refund', `refund:${bySupervisor.id}`, 'supervisor2', 1_500, false],
    ]);
    expect(all.items[1]?.reason).toBe('Overpayment: paid twice');
    // What each needs comes from the refund's own rules: the same words the Refunds queue shows.
    const refunds = await ok<RefundView[]>('supervisor', 'refunds:list', {});
    for (const item of all.items) expect(item.needs).toBe(refunds.find((r) => `refund:${r.id}` === item.key)?.approvalRule);
    expect(all.items[0]?.needs).toBeTruthy();
    expect(await ok<InboxCounts>('supervisor', 'inbox:counts', {})).toMatchObject({ total: 2, refunds: 2, scope: 'all' });

    const mine = await ok<InboxList>('clerk', 'inbox:list', {});
    expect(mine).toEqual({ scope: 'mine', items: [expect.objectContaining({ key: `refund:${byClerk.id}`, mine: true })] });
    expect(await call(null, 'inbox:counts', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });

    await ok<RefundView>('supervisor', 'refunds:approve', { refundId: byClerk.id, password: PASSWORD });
    expect(await ok<InboxCounts>('supervisor', 'inbox:counts', {})).toMatchObject({ total: 1, refunds: 1, byKind: { refund: 1 } });
    expect((await ok<InboxList>('clerk', 'inbox:list', {})).items).toEqual([]);
  });
});

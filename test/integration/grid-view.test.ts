import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { gridRows } from '../../electron/core/store/queries/matches';
import { gridWindow, selectionIds, selectionSummary, viewCounts } from '../../electron/core/store/queries/grid-view';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import type { GridRow, RowStatus } from '../../shared/domain';
import { TAB_IDS, type GridView, type SortSpec } from '../../shared/grid-view';
import { parseSearch, type SearchTerm } from '../../shared/search-query';
import { openTestEngine, tempDir, testSecretStore, value } from './support/engine';

// The work queue's SQL (tab, search, filters, sort, windows) against an
// oracle: the same view computed in JavaScript over every row. Any view the
// generator builds from the demo week's real values must give the same rows in
// the same order, window by window, and the same tab counts.

const ZONE = 'America/Los_Angeles';
let demo: RunningDemo;
let engine: Engine;
let all: GridRow[];

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 11 });
  engine = await openTestEngine(demo.descriptor, { dataDir: tempDir('grid-view'), secretStore: testSecretStore(), actor: 'test-clerk' });
  await engine.sync.runOnce();
  // Some decided rows (approved, posted) so the tabs differ.
  const auto = gridRows(engine.db).filter((r) => r.status === 'auto').slice(0, 12).map((r) => r.transactionId);
  await engine.approval.approve({ transactionIds: auto, actor: 'test-clerk' });
  all = gridRows(engine.db);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

const lower = (s: string | null | undefined) => (s ?? '').toLowerCase();
const contains = (hay: string | null | undefined, needle: string) => lower(hay).includes(needle.toLowerCase());
const dayOf = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(ZONE).toISODate()!;

function termHolds(r: GridRow, t: SearchTerm): boolean {
  switch (t.field) {
    case 'amount':
      return (t.minCents === undefined || r.amountCents >= t.minCents) && (t.maxCents === undefined || r.amountCents <= t.maxCents);
    case 'date':
      return (!t.from || dayOf(r.createdAt) >= t.from) && (!t.to || dayOf(r.createdAt) <= t.to);
    case 'status':
      return t.values.some((v) => (v === 'awaiting' ? r.control === 'approval_pending' : r.status === v));
    case 'method':
      return r.method === t.value;
    case 'type':
      return r.type.toUpperCase() === t.value;
    case 'id':
      return r.transactionId === t.value;
    case 'payer':
      return contains(r.payer, t.text);
    case 'ref':
      return contains(r.reference, t.text);
    case 'invoice':
      return r.matchedInvoices.some((no) => contains(no, t.text));
    case 'owner':
      return contains(r.owner, t.text);
    case 'note':
      return contains(r.note, t.text);
    case 'text':
      return [r.payer, r.reference, String(r.transactionId), r.customerId, r.note, r.reason, r.owner].some((f) => contains(f, t.text)) || r.matchedInvoices.some((no) => contains(no, t.text));
    case 'customer':
      throw new Error('not generated');
  }
}

const SORT_VALUE: Record<SortSpec['key'], (r: GridRow) => string | number> = {
  createdAt: (r) => r.createdAt,
  transactionId: (r) => r.transactionId,
  payer: (r) => lower(r.payer),
  reference: (r) => lower(r.reference),
  amount: (r) => r.amountCents,
  status: (r) => r.status,
  score: (r) => r.score,
  owner: (r) => lower(r.owner),
};

function oracle(view: GridView): GridRow[] {
  const terms = [...parseSearch(view.search).terms, ...view.filters];
  const rows = all.filter((r) => (view.tab === 'all' || r.status === view.tab) && terms.every((t) => termHolds(r, t)));
  const keys: SortSpec[] = [...view.sort];
  if (!keys.some((k) => k.key === 'createdAt')) keys.push({ key: 'createdAt', dir: 'desc' });
  keys.push({ key: 'transactionId', dir: 'desc' });
  return rows.sort((a, b) => {
    for (const k of keys) {
      const x = SORT_VALUE[k.key](a);
      const y = SORT_VALUE[k.key](b);
      if (x !== y) return (x < y ? -1 : 1) * (k.dir === 'asc' ? 1 : -1);
    }
    return 0;
  });
}

function windows(view: GridView, size: number): { ids: number[]; totals: number[] } {
  const ids: number[] = [];
  const totals: number[] = [];
  for (let offset = 0; ; offset += size) {
    const w = gridWindow(engine.db, view, ZONE, offset, size);
    totals.push(w.total);
    ids.push(...w.rows.map((r) => r.transactionId));
    if (w.rows.length < size) return { ids, totals };
  }
}

/** Three-character pieces of a text (the whole text when shorter), as a clerk might type them. */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 3 <= text.length; i++) out.push(text.slice(i, i + 3));
  if (text.length > 0 && text.length < 3) out.push(text);
  return out;
}

/**
 * A term built from a real row's values, so views are rarely empty. Every
 * branch is built from a list known to be non-empty (a filtered arbitrary
 * whose filter nothing passes — a row with an empty reference — would make
 * fast-check retry forever).
 */
const termArb = (): fc.Arbitrary<SearchTerm> =>
  fc.integer({ min: 0, max: all.length - 1 }).chain((i) => {
    const r = all[i]!;
    const fallback: SearchTerm = { field: 'id', value: r.transactionId };
    const from = (list: string[], make: (text: string) => SearchTerm) => (list.length > 0 ? fc.constantFrom(...list).map(make) : fc.constant(fallback));
    const trimmed = (text: string) => [...new Set(pieces(text).map((p) => p.trim()).filter((p) => p !== ''))];
    return fc.oneof(
      fc.constantFrom<SearchTerm>({ field: 'amount', minCents: r.amountCents }, { field: 'amount', maxCents: r.amountCents }, { field: 'amount', minCents: r.amountCents, maxCents: r.amountCents + 5000 }),
      fc.constant<SearchTerm>({ field: 'date', from: dayOf(r.createdAt), to: dayOf(r.createdAt) }),
      fc.constant<SearchTerm>({ field: 'date', to: dayOf(r.createdAt) }),
      fc.subarray(['auto', 'review', 'exception', 'approved', 'posted', 'failed', 'conflict', 'awaiting'] as const, { minLength: 1 }).map((values): SearchTerm => ({ field: 'status', values })),
      fc.constant<SearchTerm>({ field: 'method', value: r.method }),
      fc.constant<SearchTerm>({ field: 'type', value: r.type.toUpperCase() }),
      fc.constant<SearchTerm>(fallback),
      from(trimmed(r.payer), (text) => ({ field: 'payer', text })),
      from(trimmed(r.reference), (text) => ({ field: 'ref', text })),
      from(pieces(r.payer).filter((p) => /^[A-Za-z]+$/.test(p)), (text) => ({ field: 'text', text })),
      r.matchedInvoices[0] ? fc.constant<SearchTerm>({ field: 'invoice', text: r.matchedInvoices[0] }) : fc.constant(fallback),
    );
  });

const sortArb = fc.uniqueArray(
  fc.record({ key: fc.constantFrom<SortSpec['key']>('createdAt', 'transactionId', 'payer', 'reference', 'amount', 'status', 'score', 'owner'), dir: fc.constantFrom<'asc' | 'desc'>('asc', 'desc') }),
  { maxLength: 2, selector: (s) => s.key },
);

const viewArb: fc.Arbitrary<GridView> = fc.record({
  tab: fc.constantFrom(...TAB_IDS),
  search: fc.constant(''),
  filters: fc.array(fc.constant(null).chain(termArb), { maxLength: 2 }),
  sort: sortArb,
});

describe('grid views in SQL', () => {
  it('gives the oracle\'s rows, in its order, window by window, and its counts', () => {
    expect(all.length).toBeGreaterThan(100);
    fc.assert(
      fc.property(viewArb, fc.integer({ min: 7, max: 120 }), (view, size) => {
        const expected = oracle(view);
        const got = windows(view, size);
        expect(got.ids).toEqual(expected.map((r) => r.transactionId));
        for (const t of got.totals) expect(t).toBe(expected.length);
        const counts = viewCounts(engine.db, view, ZONE);
        const withoutTab = oracle({ ...view, tab: 'all' });
        expect(counts.all).toBe(withoutTab.length);
        for (const s of ['auto', 'review', 'exception', 'approved', 'posted', 'failed', 'conflict'] as RowStatus[]) {
          expect(counts[s], s).toBe(withoutTab.filter((r) => r.status === s).length);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reads the typed search the same as the equivalent filters', () => {
    const r = all.find((x) => x.amountCents > 100_00)!;
    const day = dayOf(r.createdAt);
    const typed: GridView = { tab: 'all', search: `amount>=${(r.amountCents / 100).toFixed(2)} date:${day}..${day} status:${r.status}`, filters: [], sort: [] };
    const structured: GridView = {
      tab: 'all',
      search: '',
      filters: [{ field: 'amount', minCents: r.amountCents }, { field: 'date', from: day, to: day }, { field: 'status', values: [r.status] }],
      sort: [],
    };
    const a = windows(typed, 50).ids;
    expect(a).toContain(r.transactionId);
    expect(a).toEqual(windows(structured, 50).ids);
  });

  it('finds a row of another tab from the All tab, and a wildcard character is taken literally', () => {
    const posted = all.find((x) => x.status === 'approved' || x.status === 'posted')!;
    const ids = windows({ tab: 'all', search: `id:${posted.transactionId}`, filters: [], sort: [] }, 10).ids;
    expect(ids).toEqual([posted.transactionId]);
    expect(windows({ tab: 'all', search: 'payer:%', filters: [], sort: [] }, 500).ids).toEqual(all.filter((x) => x.payer.includes('%')).map((x) => x.transactionId));
    expect(windows({ tab: 'all', search: 'ref:_', filters: [], sort: [] }, 500).ids.length).toBe(all.filter((x) => x.reference.includes('_')).length);
  });

  it('refuses a search it cannot read, through the API, instead of widening it', async () => {
    const reply = await engine.dispatch('grid:window', { view: { tab: 'all', search: 'amount>abc', filters: [], sort: [] }, offset: 0, limit: 10 });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.message).toContain('"amount>abc"');
  });

  it('resolves a view selection without shipping its ids, and sums it per currency', () => {
    const view: GridView = { tab: 'auto', search: '', filters: [], sort: [{ key: 'amount', dir: 'desc' }] };
    const expected = oracle(view).map((r) => r.transactionId);
    const except = expected.slice(0, 3);
    const ids = selectionIds(engine.db, { kind: 'view', view, exceptIds: except }, ZONE);
    expect(ids).toEqual(expected.slice(3));
    const summary = selectionSummary(engine.db, { kind: 'view', view, exceptIds: except }, ZONE);
    expect(summary.count).toBe(expected.length - 3);
    const sum = all.filter((r) => ids.includes(r.transactionId)).reduce((s, r) => s + r.amountCents, 0);
    expect(summary.totals).toEqual([{ currency: 'USD', cents: sum }]);
    const ticked = selectionSummary(engine.db, { kind: 'ids', ids: [ids[0]!, ids[0]!, 999_999_999] }, ZONE);
    expect(ticked.count).toBe(1);
  });

  it('answers a window through the API', async () => {
    const w = value<{ rows: GridRow[]; total: number }>(await engine.dispatch('grid:window', { view: { tab: 'all', search: '', filters: [], sort: [] }, offset: 5, limit: 10 }));
    expect(w.total).toBe(all.length);
    expect(w.rows.map((r) => r.transactionId)).toEqual(oracle({ tab: 'all', search: '', filters: [], sort: [] }).slice(5, 15).map((r) => r.transactionId));
  });
});

import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { gridWindow } from '../../electron/core/store/queries/grid-view';
import { gridRows } from '../../electron/core/store/queries/matches';
import { saveMapping } from '../../electron/core/store/queries/erp-mappings';
import { defaultErpMapping } from '../../shared/erp-mapping';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { NO_GL_ACCOUNT_LABEL, type CashReceiptsJournal, type ClaimedExport, type ExportFile } from '../../shared/api/export';
import type { GridRow } from '../../shared/domain';
import type { GridView } from '../../shared/grid-view';
import { centsToDecimalString } from '../../shared/money';
import { formatDateTimeInZone } from '../../renderer/format';
import { approveAndPostAllAuto, openTestEngine, tempDir, testSecretStore, value } from './support/engine';

// Exports of exactly the rows and columns a view shows, read back with the
// same libraries a controller's spreadsheet would use (csv-parse, exceljs),
// against the view's rows as the grid's own SQL answers them; and the day's
// cash-receipts journal against the outbox.

let demo: RunningDemo;
let engine: Engine;
let zone: string;
const FORMULAS = ['=HYPERLINK("http://evil.example","click")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'];
let injected: number[] = [];

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 23 });
  engine = await openTestEngine(demo.descriptor, { dataDir: tempDir('exports'), secretStore: testSecretStore() });
  await engine.sync.runOnce();
  // Some receipts posted before any payment mapping was saved (no GL account of their own), the rest with one.
  const first = gridRows(engine.db).filter((r) => r.status === 'auto').slice(0, 4).map((r) => r.transactionId);
  value(await engine.dispatch('matches:approve', { transactionIds: first }));
  await engine.worker.drain();
  const kind = engine.settings().erp.kind;
  saveMapping(engine.db, kind, { ...defaultErpMapping(), defaultGlAccount: '1010', glRules: [{ method: 'ach', glAccount: '1020' }] }, 'test-admin');
  await approveAndPostAllAuto(engine);
  zone = value<{ merchantZone: string }>(await engine.dispatch('app:info', {})).merchantZone;
  // Payer names a spreadsheet would run as formulas, on rows the view below shows.
  const big = gridWindow(engine.db, { tab: 'all', search: 'amount>500', filters: [], sort: [] }, zone, 0, FORMULAS.length).rows;
  injected = big.map((r) => r.transactionId);
  big.forEach((r, i) => engine.db.prepare('UPDATE paytrace_transactions SET billing_name = ? WHERE transaction_id = ?').run(FORMULAS[i], r.transactionId));
}, 180_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

const VIEW: GridView = { tab: 'all', search: 'amount>500', filters: [], sort: [{ key: 'amount', dir: 'desc' }] };
const COLUMNS = ['createdAt', 'transactionId', 'payer', 'amount', 'difference', 'status'] as const;

function viewRows(view: GridView): GridRow[] {
  const all: GridRow[] = [];
  for (let offset = 0; ; offset += 1000) {
    const w = gridWindow(engine.db, view, zone, offset, 1000);
    all.push(...w.rows);
    if (all.length >= w.total) return all;
  }
}

async function exportAndClaim(format: 'csv' | 'xlsx', view: GridView = VIEW): Promise<{ file: ExportFile; claimed: ClaimedExport }> {
  const file = value<ExportFile>(await engine.dispatch('export:grid', { view, columns: [...COLUMNS], format }));
  const claimed = value<ClaimedExport>(await engine.dispatch('export:claim', { token: file.token }));
  return { file, claimed };
}

describe('export:grid', () => {
  it('writes exactly the view as CSV: its rows in its order, the requested columns, plain decimals, dates in the merchant zone, formulas neutralised', async () => {
    const expected = viewRows(VIEW);
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.length).toBeLessThan(viewRows({ ...VIEW, search: '' }).length);
    const { file, claimed } = await exportAndClaim('csv');
    expect(file.rows).toBe(expected.length);
    expect(claimed.fileName).toMatch(/^tieout-transactions-\d{4}-\d{2}-\d{2}-\d{4}\.csv$/);
    if (process.platform !== 'win32') expect(statSync(claimed.path).mode & 0o077).toBe(0);
    const records = parse(readFileSync(claimed.path), { bom: true, relax_column_count: false }) as string[][];
    expect(records[0]).toEqual(['Date', 'Transaction', 'Payer', 'Amount', 'Difference', 'Status']);
    const body = records.slice(1);
    expect(body.map((r) => Number(r[1]))).toEqual(expected.map((r) => r.transactionId));
    body.forEach((r, i) => {
      const row = expected[i]!;
      expect(r[0]).toBe(formatDateTimeInZone(row.createdAt, zone));
      expect(r[3]).toBe(centsToDecimalString(row.amountCents));
      expect(r[4]).toBe(row.differenceCents === null ? '' : centsToDecimalString(row.differenceCents));
    });
    for (const [i, id] of injected.entries()) {
      const r = body.find((x) => Number(x[1]) === id)!;
      expect(r[2]).toBe(`'${FORMULAS[i]}`);
      expect(r[2]).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('writes exactly the view as XLSX: money as numbers with a currency format, dates as date cells, formulas kept as text cells', async () => {
    const expected = viewRows(VIEW);
    const { claimed } = await exportAndClaim('xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(claimed.path);
    const sheet = wb.worksheets[0]!;
    expect(sheet.rowCount).toBe(expected.length + 1);
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['Date', 'Transaction', 'Payer', 'Amount', 'Difference', 'Status']);
    expected.forEach((row, i) => {
      const x = sheet.getRow(i + 2);
      expect(x.getCell(2).value).toBe(row.transactionId);
      const amount = x.getCell(4);
      expect(amount.type).toBe(ExcelJS.ValueType.Number);
      expect(Math.round((amount.value as number) * 100)).toBe(row.amountCents);
      expect(amount.numFmt).toMatch(/0\.00/);
      const date = x.getCell(1).value as Date;
      expect(date).toBeInstanceOf(Date);
      const wall = DateTime.fromISO(row.createdAt, { zone: 'utc' }).setZone(zone);
      expect(date.toISOString().slice(0, 16)).toBe(wall.toFormat("yyyy-MM-dd'T'HH:mm"));
    });
    for (const [i, id] of injected.entries()) {
      const x = sheet.getRow(expected.findIndex((r) => r.transactionId === id) + 2);
      expect(x.getCell(3).type).toBe(ExcelJS.ValueType.String);
      // XML keeps no bare CR (it reads back as LF); everything else exactly as the payer typed it.
      expect(x.getCell(3).value).toBe(FORMULAS[i]!.replace(/\r/g, '\n'));
    }
  });

  it('hands a file over once, and refuses a search it cannot read', async () => {
    const file = value<ExportFile>(await engine.dispatch('export:grid', { view: { ...VIEW, tab: 'posted' }, columns: ['transactionId'], format: 'csv' }));
    value(await engine.dispatch('export:claim', { token: file.token }));
    const again = await engine.dispatch('export:claim', { token: file.token });
    expect(again.ok ? null : again.error.code).toBe('not_found');
    const bad = await engine.dispatch('export:grid', { view: { ...VIEW, search: 'amount>abc' }, columns: ['transactionId'], format: 'csv' });
    expect(bad.ok ? null : bad.error.code).toBe('invalid_args');
  });

  it('exports a queue list as the queue shows it', async () => {
    const file = value<ExportFile>(await engine.dispatch('export:list', { kind: 'failed', format: 'csv' }));
    const claimed = value<ClaimedExport>(await engine.dispatch('export:claim', { token: file.token }));
    const records = parse(readFileSync(claimed.path), { bom: true }) as string[][];
    expect(records[0]).toEqual(['Transaction', 'Payer', 'Customer', 'Amount', 'Invoices', 'State', 'Attempts', 'Last error', 'Updated']);
    expect(records.length - 1).toBe(value<unknown[]>(await engine.dispatch('posting:failed', {})).length);
  });

  it('exports the approvals inbox as the inbox lists it', async () => {
    const sale = gridRows(engine.db).find((r) => r.status === 'posted' && r.type.toUpperCase() === 'SALE')!;
    value(await engine.dispatch('refunds:request', { transactionId: sale.transactionId, amountCents: 100, reasonCode: 'Customer request' }));
    const inbox = value<{ items: Array<{ transactionId: number; kind: string }> }>(await engine.dispatch('inbox:list', {}));
    expect(inbox.items.length).toBeGreaterThan(0);
    const file = value<ExportFile>(await engine.dispatch('export:list', { kind: 'inbox', format: 'csv' }));
    const claimed = value<ClaimedExport>(await engine.dispatch('export:claim', { token: file.token }));
    const records = parse(readFileSync(claimed.path), { bom: true }) as string[][];
    expect(records[0]).toEqual(['Kind', 'Transaction', 'Payer', 'Amount', 'Reason', 'Needs', 'Requested by', 'Requested at', 'Age (minutes)']);
    expect(records.slice(1).map((r) => Number(r[1]))).toEqual(inbox.items.map((i) => i.transactionId));
    expect(records.slice(1).map((r) => r[0])).toContain('refund');
  });
});

describe('report:cashReceiptsJournal', () => {
  it("lists the day's posted receipts with totals by payment method and GL account that add up to the day's total", async () => {
    const posted = engine.db
      .prepare("SELECT o.transaction_id, o.updated_at, o.erp_document_id, t.amount_cents FROM outbox o JOIN paytrace_transactions t ON t.transaction_id = o.transaction_id WHERE o.kind = 'receipt' AND o.state = 'posted'")
      .all() as Array<{ transaction_id: number; updated_at: string; erp_document_id: string; amount_cents: number }>;
    expect(posted.length).toBeGreaterThan(5);
    const day = DateTime.fromISO(posted[0]!.updated_at, { zone: 'utc' }).setZone(zone).toISODate()!;
    const thatDay = posted.filter((p) => DateTime.fromISO(p.updated_at, { zone: 'utc' }).setZone(zone).toISODate() === day);
    const j = value<CashReceiptsJournal>(await engine.dispatch('report:cashReceiptsJournal', { date: day }));
    expect(j.count).toBe(thatDay.length);
    expect(j.lines.map((l) => l.transactionId).sort((a, b) => a - b)).toEqual(thatDay.map((p) => p.transaction_id).sort((a, b) => a - b));
    const sum = thatDay.reduce((s, p) => s + p.amount_cents, 0);
    expect(j.totals.reduce((s, t) => s + t.cents, 0)).toBe(sum);
    expect(j.byMethod.reduce((s, t) => s + t.cents, 0)).toBe(sum);
    expect(j.byGlAccount.reduce((s, t) => s + t.cents, 0)).toBe(sum);
    expect(j.byGlAccount.map((t) => t.key)).toContain(NO_GL_ACCOUNT_LABEL);
    expect(j.byGlAccount.filter((t) => t.key !== NO_GL_ACCOUNT_LABEL).length).toBeGreaterThan(0);
    for (const t of j.byGlAccount) expect(t.cents).toBe(j.lines.filter((l) => (l.glAccount ?? NO_GL_ACCOUNT_LABEL) === t.key).reduce((s, l) => s + l.amountCents, 0));
    for (const l of j.lines) if (l.glAccount !== null) expect(l.glAccount).toBe(l.method === 'ach' ? '1020' : '1010');
    for (const l of j.lines) expect(l.erpDocumentId).toBe(thatDay.find((p) => p.transaction_id === l.transactionId)!.erp_document_id);
    const other = value<CashReceiptsJournal>(await engine.dispatch('report:cashReceiptsJournal', { date: DateTime.fromISO(day).minus({ days: 400 }).toISODate()! }));
    expect(other.count).toBe(0);
  });
});

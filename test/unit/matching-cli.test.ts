import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMatchCommand } from '../../electron/cli/match-command';

const dir = mkdtempSync(join(tmpdir(), 'tieout-match-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runMatchCommand(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

function row(id: number, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    transaction_id: id,
    credit_card: { masked_number: `************${id % 10000}`, expiration_month: 12, expiration_year: 27 },
    transaction_type: 'SALE',
    description: '',
    amount: 110,
    invoice_id: '',
    billing_address: { name: 'Kevin', street_address: '8320 E. West St.', city: 'Spokane', state: 'WA', zip: '85284', country: 'US' },
    tax_amount: '8.10',
    customer_reference_id: '',
    approval_code: 'VTLMC1',
    approval_message: 'EXACT MATCH - Approved and completed',
    created: { through: 'API', at: '3/10/2025 4:06:30 PM', by: 'sandbox123', from_ip: '64.106.246.164' },
    settled: '3/10/2025 8:13:45 PM',
    customer_id: '',
    ...fields,
  };
}

const exportJson = (rows: unknown[]): string =>
  JSON.stringify({ success: true, response_code: 1, status_message: 'Your request has been successfully completed.', transactions: rows }, null, 2);

const HEADER = 'invoice_no,customer_id,customer_name,invoice_date,due_date,amount,open_balance,currency,po_no';
const GOOD_CSV = `${HEADER}
1004521,C10001,Apex Plumbing Inc.,2025-02-01,2025-03-03,150.00,150.00,USD,PO123456
1004522,C10001,Apex Plumbing Inc.,2025-02-03,2025-03-05,"1,200.50",99.50,USD,
1004600,C10042,Granite Supply LLC,2025-02-05,,75.00,75.00,USD,
`;

describe('tieout match', () => {
  it('matches files and writes one result per transaction in the documented format', async () => {
    const paytrace = file(
      'export.json',
      exportJson([
        row(79388123, { amount: 150, invoice_id: 'INV-1004521' }),
        row(79388124, { amount: '99.50', customer_reference_id: '', invoice_id: '1004522', billing_address: { name: 'Apex Plumbing' } }),
        row(79388125, { amount: 75, invoice_id: '1004600', approval_code: '', approval_message: 'DECLINED - Do not honor' }),
        row(79388126, { amount: 12, transaction_type: 'REFUND', invoice_id: 'INV-1004521', credit_card: { masked_number: '************8123' } }),
      ]),
    );
    const invoices = file('open-ar.csv', GOOD_CSV);
    const out = join(dir, 'result.json');
    const { code, stderr } = await cli(['--paytrace', paytrace, '--invoices', invoices, '--out', out]);
    // 79388126 refunds part of 79388123 (same invoice, customer and card): the sale is held for review, netted.
    expect(stderr).toContain('4 transactions → 1 auto, 0 suggested, 3 exception');
    expect(code).toBe(0);
    // Issue 12: the results name payers and invoices, so the file is this user's only.
    if (process.platform !== 'win32') expect((statSync(out).mode & 0o777).toString(8)).toBe('600');
    const result = JSON.parse(readFileSync(out, 'utf8')) as { results: Array<Record<string, unknown>> };
    expect(result.results).toHaveLength(4);
    const [a, b, c, d] = result.results;
    expect(a).toMatchObject({ transaction_id: 79388123, status: 'exception' });
    expect((a!.candidates as unknown[]).length).toBeGreaterThan(0);
    expect((a!.reasons as string[]).join(' ')).toContain('1004521');
    expect((a!.reasons as string[]).join(' ')).toContain('refunded $12.00 by PayTrace transaction 79388126');
    expect(b).toMatchObject({ status: 'auto', allocations: [{ invoice_no: '1004522', amount: '99.50' }] });
    expect(c).toMatchObject({ status: 'exception', exception: 'declined', allocations: [] });
    expect(d).toMatchObject({ status: 'exception', exception: 'refund' });
    expect(String(d!.reason)).toContain('for sale 79388123');
  });

  it('prints to stdout without --out and applies --config', async () => {
    const paytrace = file('one.json', exportJson([row(1, { amount: '154.50', invoice_id: '1004521' })]));
    const invoices = file('ar2.csv', GOOD_CSV);
    const rules = file('rules.json', JSON.stringify({ autoSurcharge: false }));
    const { code, stdout } = await cli(['--paytrace', paytrace, '--invoices', invoices, '--config', rules]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { results: Array<{ status: string }> };
    expect(result.results[0]!.status).toBe('suggested');
  });

  it('malformed JSON: names the file and the line', async () => {
    const paytrace = file('bad.json', '{\n  "transactions": [\n    {"transaction_id": 1,}\n  ]\n}\n');
    const { code, stderr } = await cli(['--paytrace', paytrace, '--invoices', file('ar3.csv', GOOD_CSV)]);
    expect(code).not.toBe(0);
    expect(stderr).toContain(`${paytrace}:3`);
    expect(stderr).toContain('malformed JSON');
  });

  it('a bad export field: names the file, the line of the row and the field', async () => {
    const paytrace = file('badrow.json', exportJson([row(1, { invoice_id: '1004521' }), row(2, { amount: 'ten dollars' })]));
    const { code, stderr } = await cli(['--paytrace', paytrace, '--invoices', file('ar4.csv', GOOD_CSV)]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(new RegExp(`badrow\\.json:\\d+ \\(field transactions\\[1\\]\\.amount\\)`));
    expect(stderr).toContain('ten dollars');
    const lineNo = Number(/badrow\.json:(\d+)/.exec(stderr)![1]);
    expect(readFileSync(paytrace, 'utf8').split('\n')[lineNo - 1]).toContain('"transaction_id": 2');
  });

  it('a missing envelope is an error', async () => {
    const { code, stderr } = await cli(['--paytrace', file('arr.json', '[]'), '--invoices', file('ar5.csv', GOOD_CSV)]);
    expect(code).not.toBe(0);
    expect(stderr).toContain('export envelope');
  });

  it('CSV: missing columns, bad amounts and bad dates name file, line and field', async () => {
    const paytrace = file('ok.json', exportJson([row(1, {})]));
    const missing = await cli(['--paytrace', paytrace, '--invoices', file('nocol.csv', 'invoice_no,customer_id,amount\n1,C1,2.00\n')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('nocol.csv:1 (field customer_name, invoice_date, due_date, open_balance, currency, po_no)');

    const badAmount = await cli(['--paytrace', paytrace, '--invoices', file('amt.csv', `${HEADER}\n1,C1,A,2025-01-01,,10.00,10.00,USD,\n2,C1,A,2025-01-01,,10.00,12.3x,USD,\n`)]);
    expect(badAmount.code).not.toBe(0);
    expect(badAmount.stderr).toContain('amt.csv:3 (field open_balance)');
    expect(badAmount.stderr).toContain('12.3x');

    const badDate = await cli(['--paytrace', paytrace, '--invoices', file('date.csv', `${HEADER}\n1,C1,A,01/05/2025,,10.00,10.00,USD,\n`)]);
    expect(badDate.stderr).toContain('date.csv:2 (field invoice_date)');
    const impossible = await cli(['--paytrace', paytrace, '--invoices', file('date2.csv', `${HEADER}\n1,C1,A,2025-02-30,,10.00,10.00,USD,\n`)]);
    expect(impossible.stderr).toContain('date2.csv:2 (field invoice_date)');
  });

  it('a bad rules.json names the file and field; usage errors exit 2', async () => {
    const paytrace = file('ok2.json', exportJson([row(1, {})]));
    const bad = await cli(['--paytrace', paytrace, '--invoices', file('ar6.csv', GOOD_CSV), '--config', file('rules-bad.json', '{"autoMinPoints":"lots"}')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('rules-bad.json');
    expect(bad.stderr).toContain('autoMinPoints');
    expect((await cli(['--paytrace', paytrace])).code).toBe(2);
    const absent = await cli(['--paytrace', join(dir, 'nope.json'), '--invoices', file('ar7.csv', GOOD_CSV)]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain('nope.json');
  });
});

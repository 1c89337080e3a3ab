// `tieout match` end to end on 100,000 PayTrace export rows × 140,000 open
// invoices (issue 10, item 6): wall time and peak RSS of the built CLI as a
// child process (best of 3), against the floor of merely reading and parsing
// the same two files in this process. Prints figures; asserts nothing.
//
//   npx tsx scripts/bench-match-cli.ts [--payments 100000] [--invoices 140000] [--runs 3] [--keep]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatPayTraceTimestamp } from '@shared/paytrace-time';
import { csvParseRows, fastCsvRows } from '../electron/cli/match-command';
import { seededRandom } from '@shared/seeded-random';

const { values } = parseArgs({
  options: {
    payments: { type: 'string', default: '100000' },
    invoices: { type: 'string', default: '140000' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
const PAYMENTS = Number(values.payments);
const INVOICES = Number(values.invoices);
const RUNS = Number(values.runs);
const root = resolve(import.meta.dirname, '..');


const dollars = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** Writes the two input files; returns their paths. Deterministic. */
function generate(dir: string): { exportFile: string; invoicesFile: string } {
  const next = seededRandom(42).next;
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const customerCount = Math.round(INVOICES / 10);
  const name = (c: number): string => `Customer ${c} ${['Plumbing', 'Electric', 'Supply', 'Builders', 'Mechanical'][c % 5]} ${['Inc.', 'LLC', 'Co.'][c % 3]}`;
  const balances: number[] = new Array(INVOICES);
  const lines: string[] = ['invoice_no,customer_id,customer_name,invoice_date,due_date,amount,open_balance,currency,po_no'];
  const day0 = Date.UTC(2025, 0, 1);
  for (let i = 0; i < INVOICES; i++) {
    const c = i % customerCount;
    const total = int(20, 12000) * 100 + int(0, 99);
    const open = i % 17 === 0 ? total - int(1, Math.floor(total / 2)) : total;
    balances[i] = open;
    const date = new Date(day0 + int(0, 120) * 86_400_000).toISOString().slice(0, 10);
    const due = i % 9 === 0 ? '' : new Date(Date.parse(date) + 30 * 86_400_000).toISOString().slice(0, 10);
    const amount = total >= 100_000 && i % 4 === 0 ? `"${Number(dollars(total)).toLocaleString('en-US', { minimumFractionDigits: 2 })}"` : dollars(total);
    lines.push(`${3000000 + i},C${100000 + c},${c % 50 === 0 ? `"${name(c).replace(' ', ', ')}"` : name(c)},${date},${due},${amount},${dollars(open)},USD,${i % 3 === 0 ? `PO${700000 + i}` : ''}`);
  }
  const invoicesFile = join(dir, 'open-ar.csv');
  writeFileSync(invoicesFile, `${lines.join('\n')}\n`);

  const rows: unknown[] = [];
  const t0 = Date.UTC(2025, 2, 1, 15);
  for (let k = 0; k < PAYMENTS; k++) {
    const inv = int(0, INVOICES - 1);
    const c = inv % customerCount;
    const roll = next();
    let invoiceId = String(3000000 + inv);
    let amount = balances[inv]!;
    let description = '';
    let customerReferenceId = '';
    let type = 'SALE';
    let approvalCode = `A${int(10000, 99999)}`;
    let approvalMessage = '  EXACT MATCH - Approved and completed';
    if (roll < 0.1) invoiceId = `INV-${invoiceId}`;
    else if (roll < 0.15) { customerReferenceId = `PO${700000 + inv}`; invoiceId = ''; }
    else if (roll < 0.2) { description = `Payment for invoice ${invoiceId}`; invoiceId = ''; }
    else if (roll < 0.25) invoiceId = '';
    else if (roll < 0.28) amount -= 1000;
    else if (roll < 0.31) amount = Math.round(amount * 1.03);
    else if (roll < 0.33) invoiceId = `${invoiceId}, ${3000000 + ((inv + customerCount) % INVOICES)}`;
    else if (roll < 0.34) { approvalCode = ''; approvalMessage = 'DECLINED - Do not honor'; }
    else if (roll < 0.345) type = 'VOID';
    else if (roll < 0.35) { type = 'REFUND'; amount = Math.min(amount, 2500); }
    const created = t0 + Math.floor((k / PAYMENTS) * 60 * 86_400_000) + int(0, 3_600_000);
    const isCheck = k % 11 === 0;
    rows.push({
      transaction_id: 500000001 + k,
      ...(isCheck ? { check: { masked_account_number: `****${int(1000, 9999)}` } } : { credit_card: { masked_number: `************${int(1000, 9999)}`, expiration_month: int(1, 12), expiration_year: int(26, 31) } }),
      transaction_type: type,
      description,
      amount: k % 2 === 0 ? amount / 100 : dollars(amount),
      invoice_id: invoiceId,
      shipping_address: { name: '', street_address: '', street_address2: '', city: '', county: '', state: '', zip: '', country: 'US' },
      billing_address: { name: k % 7 === 0 ? `Contact ${c}` : name(c), street_address: `${int(1, 9999)} Main St.`, street_address2: '', city: 'Spokane', state: 'WA', zip: '99201', country: 'US' },
      receipt_emailed_to: k % 5 === 0 ? `ap${c}@example.com` : '',
      tax_amount: dollars(Math.round(amount * 0.081)),
      customer_reference_id: customerReferenceId,
      approval_code: approvalCode,
      approval_message: approvalMessage,
      avs_response: 'Full Exact Match',
      csc_response: 'Match',
      status_code: 'GB571',
      status_message: 'GB571',
      created: { through: k % 3 === 0 ? 'API' : 'Virtual Terminal', at: formatPayTraceTimestamp(new Date(created).toISOString()), by: 'ar-clerk', from_ip: '64.106.246.164' },
      settled: k > PAYMENTS * 0.97 ? '' : formatPayTraceTimestamp(new Date(created + 6 * 3_600_000).toISOString()),
      customer_id: k % 4 === 0 ? `C${100000 + c}` : '',
    });
  }
  const exportFile = join(dir, 'export.json');
  // An API reply: compact JSON, as PayTrace sends it.
  writeFileSync(exportFile, JSON.stringify({ success: true, response_code: 1, status_message: 'Your request has been successfully completed.', transactions: rows, external_transaction_id: '' }));
  return { exportFile, invoicesFile };
}

function floorOnce(exportFile: string, invoicesFile: string): { wallMs: number; cpuMs: number } {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const value = JSON.parse(readFileSync(exportFile, 'utf8')) as { transactions: unknown[] };
  const text = readFileSync(invoicesFile, 'utf8');
  let rows: number;
  try {
    rows = fastCsvRows(text).rows.length;
  } catch {
    rows = csvParseRows(text, invoicesFile).rows.length;
  }
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  if (value.transactions.length !== PAYMENTS || rows !== INVOICES) throw new Error('floor: wrong row counts');
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

type Run = { wallMs: number; cpuMs: number; maxRssMb: number; stderr: string };

function runCli(exportFile: string, invoicesFile: string, outFile: string): Run {
  const args = [join(root, 'bin/tieout.js'), 'match', '--paytrace', exportFile, '--invoices', invoicesFile, '--out', outFile];
  const useTime = existsSync('/usr/bin/time');
  // The CLI then prints its phase times and its own process.resourceUsage().maxRSS.
  const env = { ...process.env, TIEOUT_MATCH_TIMINGS: '1' };
  const t = performance.now();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', 'TIEOUT_BENCH_MAXRSS_KB=%M CPU=%U+%S', process.execPath, ...args], { encoding: 'utf8', env })
    : spawnSync(process.execPath, args, { encoding: 'utf8', env });
  const wallMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`tieout match exited ${r.status}: ${r.stderr}`);
  const m = /TIEOUT_BENCH_MAXRSS_KB=(\d+) CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  const cpuMs = m ? (Number(m[2]) + Number(m[3])) * 1000 : NaN;
  const own = /max RSS (\d+) MB/.exec(r.stderr)?.[1];
  return { wallMs, cpuMs, maxRssMb: m ? Number(m[1]) / 1024 : Number(own), stderr: r.stderr.replace(/TIEOUT_BENCH_MAXRSS_KB=.*\n?/, '').trim() };
}

const fmtS = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ok: boolean): string => (ok ? 'MEETS' : 'SHORT');

async function main(): Promise<void> {
  if (!existsSync(join(root, 'out/engine/tieout.js')) || process.env.TIEOUT_BENCH_REBUILD !== '0') {
    const b = spawnSync(process.execPath, [join(root, 'scripts/build-engine.mjs')], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build-engine failed');
  }
  const dir = mkdtempSync(join(tmpdir(), 'tieout-bench-cli-'));
  try {
    const g = performance.now();
    const { exportFile, invoicesFile } = generate(dir);
    const mb = (f: string): string => `${(statSync(f).size / 1e6).toFixed(1)} MB`;
    console.log(`generated ${PAYMENTS.toLocaleString('en-US')} PayTrace rows (${mb(exportFile)}) × ${INVOICES.toLocaleString('en-US')} open invoices (${mb(invoicesFile)}) in ${fmtS(performance.now() - g)}`);

    const runs: Run[] = [];
    const floors: Array<{ wallMs: number; cpuMs: number }> = [];
    for (let i = 0; i < RUNS; i++) {
      // The floor and the CLI alternate, so both see the same machine load.
      floors.push(floorOnce(exportFile, invoicesFile));
      const r = runCli(exportFile, invoicesFile, join(dir, 'result.json'));
      runs.push(r);
      const f = floors[i]!;
      console.log(`run ${i + 1}: cli ${fmtS(r.wallMs)} (CPU ${fmtS(r.cpuMs)}), peak RSS ${r.maxRssMb.toFixed(0)} MB; floor (read + JSON.parse + read + CSV parse, in process) ${fmtS(f.wallMs)} (CPU ${fmtS(f.cpuMs)})`);
    }
    for (const line of runs[runs.length - 1]!.stderr.split('\n')) console.log(`  ${line}`);
    console.log(`  output ${mb(join(dir, 'result.json'))}`);
    const wall = Math.min(...runs.map((r) => r.wallMs));
    const rss = Math.max(...runs.map((r) => r.maxRssMb));
    const floor = Math.min(...floors.map((f) => f.wallMs));
    const ratio = wall / floor;
    const cpuRatio = Math.min(...runs.map((r) => r.cpuMs)) / Math.min(...floors.map((f) => f.cpuMs));
    const [load1] = loadavg();
    console.log(`(load average ${load1!.toFixed(2)} on ${availableParallelism()} cores; CPU-time ratio ${cpuRatio.toFixed(2)}×, less sensitive to other load)`);
    console.log(`cli 100k×140k wall: ${fmtS(wall)} (target ≤ 5 s) ${verdict(wall <= 5000)}`);
    console.log(`cli peak RSS: ${rss.toFixed(0)} MB (target ≤ 600 MB) ${verdict(rss <= 600)}`);
    console.log(`read+parse floor: ${fmtS(floor)}`);
    console.log(`cli / read+parse floor: ${ratio.toFixed(2)}× (target ≤ 3×) ${verdict(ratio <= 3)}`);
  } finally {
    if (values.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

void main();

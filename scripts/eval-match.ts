import { createMatcher } from '../electron/core/matching/engine';
import { generateEvalDataset } from '../test/match-eval/generator';
import { formatReport, scoreOutcomes } from '../test/match-eval/score';

// npm run eval:match [-- --payments 3000 --seed 7]
// Prints per-case and overall quality of the matching engine on a generated
// data set with ground truth. Exit code 1 when a target is missed.

const TARGETS = { precision: 0.999, violations: 0, envelope: 0.92, top3: 0.98 };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) ? v : fallback;
}

const payments = arg('payments', 3000);
const seed = arg('seed', 7);
const dataset = generateEvalDataset({ payments, seed });
const matcher = createMatcher();
const outcomes = matcher({ transactions: dataset.transactions, invoices: dataset.invoices, customers: dataset.customers });
const report = scoreOutcomes(dataset, outcomes);

const out = process.stdout;
out.write(`Matching eval: ${dataset.transactions.length} payments, ${dataset.invoices.length} open invoices, ${dataset.customers.length} customers, seed ${seed}\n\n`);
out.write(`${formatReport(report)}\n\n`);
out.write(`  * auto-eligible case (counts toward the envelope rate)   ! never-automatic case\n`);
out.write(`  prec      = correct automatic matches / automatic matches\n`);
out.write(`  envelope  = payments of auto-eligible cases auto-matched correctly (allocations and remainder) / auto-eligible payments\n`);
out.write(`  lines     = invoice lines of auto-eligible payments posted automatically and correctly / those lines\n`);
out.write(`  top-3     = payments with a correct allocation that is automatic or among the top 3 candidates / payments with a correct allocation\n`);
out.write(`  viol      = never-automatic payments (declined, voided, refund, duplicate, unknown payer, ambiguous amount, other customer's invoice) that were automatic\n\n`);

const checks: Array<[string, boolean, string]> = [
  ['precision', report.precision >= TARGETS.precision, `${(report.precision * 100).toFixed(2)}% (target ≥ 99.9%)`],
  ['violations', report.violations <= TARGETS.violations, `${report.violations} (target 0)`],
  ['envelope', report.envelopeRate >= TARGETS.envelope, `${(report.envelopeRate * 100).toFixed(2)}% (target ≥ 92%)`],
  ['line items', true, `${(report.lineItemRate * 100).toFixed(2)}%`],
  ['top-3', report.top3Rate >= TARGETS.top3, `${(report.top3Rate * 100).toFixed(2)}% (target ≥ 98%)`],
];
for (const [name, ok, text] of checks) out.write(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(11)} ${text}\n`);
if (report.wrongAutos.length > 0) {
  out.write(`\nWrong automatic matches:\n`);
  for (const w of report.wrongAutos.slice(0, 20)) out.write(`  ${w.transactionId} [${w.case}] got ${JSON.stringify(w.got)} want ${JSON.stringify(w.want)}\n`);
}
process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;

import { createMatcher } from '../electron/core/matching/engine';
import { generateEvalDataset } from '../test/match-eval/generator';
import { REALISTIC_CATEGORIES, REALISTIC_CATEGORY_LIST, type RealisticCategory } from '../test/match-eval/realistic/scenarios';
import { generateRealisticDay } from '../test/match-eval/realistic/generator';
import { runDay } from '../test/match-eval/realistic/run';
import { formatReport, scoreOutcomes, scoreTruth, SYNTHETIC_MODEL, type CaseModel, type EvalReport } from '../test/match-eval/score';

// npm run eval:match [-- --payments 3000 --seed 7 --day-scenarios 800 --day-seed 20250602]
// Scores the matching engine on two independent data sets with ground truth:
// 1. the synthetic set (test/match-eval/generator.ts: normalised transactions);
// 2. a realistic day (test/match-eval/realistic/: raw PayTrace export rows as
//    PayTrace sends them, read by normalizeExportRow, with real decline texts,
//    every transaction type, ACH statuses, refunds and voids of earlier sales,
//    abbreviated multi-invoice references, discounts, credits...).
// Prints per-case tables and closes with `name: value (target T) MEETS|SHORT`
// lines. Exit code 1 when a target is missed.

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) ? v : fallback;
}

type Targets = Readonly<{ precision: number; violations: number; envelope: number; top3: number }>;
const SYNTHETIC_TARGETS: Targets = { precision: 0.999, violations: 0, envelope: 0.92, top3: 0.98 };
const REALISTIC_TARGETS: Targets = { precision: 0.9995, violations: 0, envelope: 0.92, top3: 0.99 };

const out = process.stdout;
const matcher = createMatcher();
const summary: string[] = [];
let allMet = true;

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function report<C extends string>(label: string, r: EvalReport<C>, model: CaseModel<C>, targets: Targets): void {
  out.write(`${formatReport(r, model)}\n\n`);
  const lines: Array<[string, string, string, boolean | null]> = [
    ['precision', pct(r.precision), `≥ ${pct(targets.precision)}`, r.precision >= targets.precision],
    ['violations', String(r.violations), `${targets.violations}`, r.violations <= targets.violations],
    ['envelope auto-match', pct(r.envelopeRate), `≥ ${pct(targets.envelope)}`, r.envelopeRate >= targets.envelope],
    ['line-item auto-match', pct(r.lineItemRate), 'none', null],
    ['correct in auto or top 3', pct(r.top3Rate), `≥ ${pct(targets.top3)}`, r.top3Rate >= targets.top3],
  ];
  for (const [name, value, target, ok] of lines) {
    if (ok === false) allMet = false;
    summary.push(`${`${label} ${name}:`.padEnd(40)} ${value} (target ${target})${ok === null ? '' : ok ? ' MEETS' : ' SHORT'}`);
  }
  if (r.violationList.length > 0) {
    out.write(`Never-automatic payments that came out automatic (${r.violationList.length}):\n`);
    for (const v of r.violationList.slice(0, 25)) out.write(`  ${v.transactionId} [${v.case}] got ${JSON.stringify(v.got)} — ${v.reason}\n`);
    out.write('\n');
  }
  const wrong = r.wrongAutos.filter((w) => !model.neverAuto.has(w.case));
  if (wrong.length > 0) {
    out.write(`Other wrong automatic matches (${wrong.length}):\n`);
    for (const w of wrong.slice(0, 25)) out.write(`  ${w.transactionId} [${w.case}] got ${JSON.stringify(w.got)} want ${JSON.stringify(w.want)}\n`);
    out.write('\n');
  }
}

// 1. Synthetic set.
{
  const payments = arg('payments', 3000);
  const seed = arg('seed', 7);
  const dataset = generateEvalDataset({ payments, seed });
  const outcomes = matcher({ transactions: dataset.transactions, invoices: dataset.invoices, customers: dataset.customers });
  out.write(`== Synthetic set: ${dataset.transactions.length} payments, ${dataset.invoices.length} open invoices, ${dataset.customers.length} customers, seed ${seed}\n\n`);
  report('synthetic', scoreOutcomes(dataset, outcomes), SYNTHETIC_MODEL, SYNTHETIC_TARGETS);
}

// 2. Realistic day.
{
  const scenarios = arg('day-scenarios', 800);
  const seed = arg('day-seed', 20250602);
  const day = generateRealisticDay({ scenarios, seed });
  const run = runDay(day, matcher);
  const model: CaseModel<RealisticCategory> = {
    cases: REALISTIC_CATEGORY_LIST,
    autoEligible: new Set(REALISTIC_CATEGORY_LIST.filter((c) => REALISTIC_CATEGORIES[c] === 'auto')),
    neverAuto: new Set(REALISTIC_CATEGORY_LIST.filter((c) => REALISTIC_CATEGORIES[c] === 'never')),
  };
  const truth = day.truth.map((t) => ({ transactionId: t.transactionId, case: t.category, allocations: t.allocations, unappliedCents: t.unappliedCents }));
  out.write(
    `== Realistic day: ${day.rows.length} raw PayTrace export rows (${run.rejected.length} rejected by normalizeExportRow), ${day.invoices.length} open AR items, ${day.customers.length} customers, seed ${seed}\n\n`,
  );
  report('realistic', scoreTruth(model, truth, run.outcomes), model, REALISTIC_TARGETS);
}

out.write(`  * auto-eligible case (counts toward the envelope rate)   ! never-automatic case\n`);
out.write(`  prec      = correct automatic matches / automatic matches (allocations incl. discount, and remainder)\n`);
out.write(`  envelope  = payments of auto-eligible cases auto-matched correctly / auto-eligible payments\n`);
out.write(`  lines     = invoice lines of auto-eligible payments posted automatically and correctly / those lines\n`);
out.write(`  top-3     = payments with a correct allocation that is automatic or among the top 3 candidates / payments with a correct allocation\n`);
out.write(`  viol      = never-automatic payments (not received, voided, refunded, duplicate, not the payer's invoice, undecidable) that were automatic\n\n`);
for (const line of summary) out.write(`${line}\n`);
process.exitCode = allMet ? 0 : 1;

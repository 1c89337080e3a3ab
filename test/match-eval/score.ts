import type { Allocation, MatchOutcome } from '@shared/domain';
import { AUTO_ELIGIBLE, EVAL_CASES, NEVER_AUTO, type EvalCase, type EvalDataset } from './generator';

// Scores matcher outcomes against a generator's ground truth. Used for both
// generators (test/match-eval/generator.ts and test/match-eval/realistic/):
// each supplies its case list, which cases are auto-eligible and which must
// never be automatic. Definitions (also printed by scripts/eval-match.ts and
// documented in docs/matching.md):
// - precision: automatic outcomes whose allocations (and unapplied remainder)
//   equal the truth, over all automatic outcomes;
// - envelope rate: payments of auto-eligible cases matched automatically and
//   correctly, over auto-eligible payments;
// - line-item rate: truth allocation lines of auto-eligible payments that an
//   automatic outcome posted exactly, over all such lines;
// - top-3: payments with a truth allocation whose correct allocation is
//   automatic or one of the first 3 candidates, over payments with a truth allocation;
// - violations: never-automatic cases that came out automatic.
// An allocation line is invoice, cash amount and early-payment discount (absent = 0).

/** A truth line; `discountCents` is an early-payment discount taken (absent = none). */
export type TruthAllocation = Readonly<{ invoiceNo: string; amountCents: number; discountCents?: number }>;

export type TruthRow<C extends string = string> = Readonly<{
  transactionId: number;
  case: C;
  /** What should be posted; null when nothing should. */
  allocations: readonly TruthAllocation[] | null;
  unappliedCents: number;
}>;

/** A generator's cases and policy. */
export type CaseModel<C extends string = string> = Readonly<{
  cases: readonly C[];
  autoEligible: ReadonlySet<C>;
  neverAuto: ReadonlySet<C>;
}>;

export const SYNTHETIC_MODEL: CaseModel<EvalCase> = { cases: EVAL_CASES, autoEligible: AUTO_ELIGIBLE, neverAuto: NEVER_AUTO };

export type CaseStats = {
  payments: number;
  auto: number;
  autoCorrect: number;
  eligible: number;
  eligibleAutoCorrect: number;
  lines: number;
  linesAuto: number;
  withTruth: number;
  top3: number;
  violations: number;
};

export type EvalReport<C extends string = EvalCase> = Readonly<{
  byCase: Record<C, CaseStats>;
  overall: CaseStats;
  precision: number;
  envelopeRate: number;
  lineItemRate: number;
  top3Rate: number;
  violations: number;
  wrongAutos: ReadonlyArray<Readonly<{ transactionId: number; case: C; got: readonly Allocation[]; want: readonly TruthAllocation[] | null }>>;
  /** Never-automatic payments that came out automatic. */
  violationList: ReadonlyArray<Readonly<{ transactionId: number; case: C; got: readonly Allocation[]; reason: string }>>;
}>;

function emptyStats(): CaseStats {
  return { payments: 0, auto: 0, autoCorrect: 0, eligible: 0, eligibleAutoCorrect: 0, lines: 0, linesAuto: 0, withTruth: 0, top3: 0, violations: 0 };
}

function lineKey(x: { invoiceNo: string; amountCents: number; discountCents?: number }): string {
  return `${x.invoiceNo}=${x.amountCents}-${x.discountCents ?? 0}`;
}

export function sameAllocations(a: readonly Allocation[], b: readonly TruthAllocation[]): boolean {
  if (a.length !== b.length) return false;
  const want = new Set(b.map(lineKey));
  return a.every((x) => want.has(lineKey(x)));
}

/** The original generator's data set. */
export function scoreOutcomes(dataset: EvalDataset, outcomes: readonly MatchOutcome[]): EvalReport {
  return scoreTruth(SYNTHETIC_MODEL, dataset.truth, outcomes);
}

export function scoreTruth<C extends string>(model: CaseModel<C>, truthRows: readonly TruthRow<C>[], outcomes: readonly MatchOutcome[]): EvalReport<C> {
  const byId = new Map(outcomes.map((o) => [o.transactionId, o]));
  const byCase = Object.fromEntries(model.cases.map((c) => [c, emptyStats()])) as Record<C, CaseStats>;
  const overall = emptyStats();
  const wrongAutos: Array<{ transactionId: number; case: C; got: readonly Allocation[]; want: readonly TruthAllocation[] | null }> = [];
  const violationList: Array<{ transactionId: number; case: C; got: readonly Allocation[]; reason: string }> = [];
  for (const truth of truthRows) {
    const o = byId.get(truth.transactionId);
    if (!o) throw new Error(`no outcome for transaction ${truth.transactionId}`);
    const stats = [byCase[truth.case], overall];
    const isAuto = o.status === 'auto';
    const correct =
      truth.allocations !== null && sameAllocations(o.allocations, truth.allocations) && o.unappliedCents === truth.unappliedCents;
    for (const s of stats) {
      s.payments++;
      if (isAuto) {
        s.auto++;
        if (correct) s.autoCorrect++;
      }
      if (model.neverAuto.has(truth.case) && isAuto) s.violations++;
    }
    if (model.neverAuto.has(truth.case) && isAuto) violationList.push({ transactionId: truth.transactionId, case: truth.case, got: o.allocations, reason: o.reason });
    if (isAuto && !correct) wrongAutos.push({ transactionId: truth.transactionId, case: truth.case, got: o.allocations, want: truth.allocations });
    if (model.autoEligible.has(truth.case) && truth.allocations) {
      const posted = isAuto ? new Set(o.allocations.map(lineKey)) : new Set<string>();
      for (const s of stats) {
        s.eligible++;
        if (isAuto && correct) s.eligibleAutoCorrect++;
        s.lines += truth.allocations.length;
        s.linesAuto += truth.allocations.filter((a) => posted.has(lineKey(a))).length;
      }
    }
    if (truth.allocations) {
      const inTop3 = (isAuto && correct) || o.candidates.slice(0, 3).some((c) => sameAllocations(c.allocations, truth.allocations!));
      for (const s of stats) {
        s.withTruth++;
        if (inTop3) s.top3++;
      }
    }
  }
  const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);
  return {
    byCase,
    overall,
    precision: ratio(overall.autoCorrect, overall.auto),
    envelopeRate: ratio(overall.eligibleAutoCorrect, overall.eligible),
    lineItemRate: ratio(overall.linesAuto, overall.lines),
    top3Rate: ratio(overall.top3, overall.withTruth),
    violations: overall.violations,
    wrongAutos,
    violationList,
  };
}

function pct(a: number, b: number): string {
  return b === 0 ? '    -' : `${((100 * a) / b).toFixed(1).padStart(5)}%`;
}

/** A fixed-width table, one line per case plus the overall line. */
export function formatReport<C extends string>(report: EvalReport<C>, model: CaseModel<C> = SYNTHETIC_MODEL as unknown as CaseModel<C>): string {
  const head = `${'case'.padEnd(24)} ${'n'.padStart(5)} ${'auto'.padStart(5)} ${'prec'.padStart(6)} ${'envelope'.padStart(8)} ${'lines'.padStart(6)} ${'top-3'.padStart(6)} ${'viol'.padStart(4)}`;
  const row = (name: string, s: CaseStats): string =>
    `${name.padEnd(24)} ${String(s.payments).padStart(5)} ${String(s.auto).padStart(5)} ${pct(s.autoCorrect, s.auto).padStart(6)} ${pct(s.eligibleAutoCorrect, s.eligible).padStart(8)} ${pct(s.linesAuto, s.lines).padStart(6)} ${pct(s.top3, s.withTruth).padStart(6)} ${String(s.violations).padStart(4)}`;
  const lines = [head, '-'.repeat(head.length)];
  for (const c of model.cases) {
    const s = report.byCase[c];
    if (s.payments > 0) lines.push(row(`${c}${model.autoEligible.has(c) ? ' *' : model.neverAuto.has(c) ? ' !' : ''}`, s));
  }
  lines.push('-'.repeat(head.length));
  lines.push(row('overall', report.overall));
  return lines.join('\n');
}

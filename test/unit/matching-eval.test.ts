import { describe, expect, it } from 'vitest';
import { createMatcher } from '../../electron/core/matching/engine';
import { generateEvalDataset, EVAL_CASES } from '../match-eval/generator';
import { scoreOutcomes } from '../match-eval/score';

describe('matching quality on a generated set (600 payments)', () => {
  const dataset = generateEvalDataset({ payments: 600, seed: 11 });
  const outcomes = createMatcher()({ transactions: dataset.transactions, invoices: dataset.invoices, customers: dataset.customers });
  const report = scoreOutcomes(dataset, outcomes);

  it('the generator is deterministic and covers every case', () => {
    expect(generateEvalDataset({ payments: 600, seed: 11 })).toEqual(dataset);
    const seen = new Set(dataset.truth.map((t) => t.case));
    for (const c of EVAL_CASES) if (c !== 'multi_no_reference') expect(seen, c).toContain(c);
  });

  it('meets the targets: precision ≥ 99.9%, no never-automatic violations, envelope ≥ 92%, top-3 ≥ 98%', () => {
    expect(report.wrongAutos).toEqual([]);
    expect(report.precision).toBeGreaterThanOrEqual(0.999);
    expect(report.violations).toBe(0);
    expect(report.envelopeRate).toBeGreaterThanOrEqual(0.92);
    expect(report.top3Rate).toBeGreaterThanOrEqual(0.98);
  });

  it('the scorer catches a wrong automatic match', () => {
    const i = outcomes.findIndex((o) => o.status === 'auto');
    const broken = outcomes.map((o, k) => (k === i ? { ...o, allocations: [{ ...o.allocations[0]!, amountCents: (o.allocations[0]!.amountCents + 1) as never }] } : o));
    const r = scoreOutcomes(dataset, broken);
    expect(r.wrongAutos).toHaveLength(1);
    expect(r.precision).toBeLessThan(1);
  });
});

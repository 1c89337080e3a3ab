import { createHash } from 'node:crypto';
import type { MatchOutcome } from '@shared/domain';
import { createMatcher } from '../../electron/core/matching/engine';
import type { MatchConfig } from '../../electron/core/matching/config';
import { generateEvalDataset } from '../match-eval/generator';
import { buildWorld } from './matching-bench-world';

// Fingerprints of the engine's outcomes on fixed data sets, so a performance
// change can prove it changed no decision and no explanation. `decisions`
// covers what would post (status, allocations, customer, exception, score,
// unapplied); `full` covers every field of every outcome, candidates included.

export type Fingerprint = Readonly<{ count: number; decisions: string; full: string }>;

/** JSON with object keys sorted, so the hash does not depend on construction order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function decisionOf(o: MatchOutcome): unknown {
  return [o.transactionId, o.status, o.allocations.map((a) => [a.invoiceNo, a.amountCents]), o.customerId, o.exception, o.score, o.unappliedCents];
}

export function fingerprint(outcomes: readonly MatchOutcome[]): Fingerprint {
  return { count: outcomes.length, decisions: sha(canonical(outcomes.map(decisionOf))), full: sha(canonical(outcomes)) };
}

export type Scenario = Readonly<{ name: string; run: () => MatchOutcome[] }>;

function evalScenario(name: string, payments: number, seed: number, config: Partial<MatchConfig> = {}): Scenario {
  return {
    name,
    run: () => {
      const d = generateEvalDataset({ payments, seed });
      return createMatcher(config)({ transactions: d.transactions, invoices: d.invoices, customers: d.customers });
    },
  };
}

export const SCENARIOS: readonly Scenario[] = [
  evalScenario('eval 3000 seed 7', 3000, 7),
  evalScenario('eval 6000 seed 11', 6000, 11),
  evalScenario('eval 3000 seed 7, lenient config', 3000, 7, { autoWithoutReference: true, autoSurcharge: false, overpayToleranceCents: 500, autoTypo: false }),
  {
    name: 'bench 20000 x 20000 seed 5',
    run: () => {
      const w = buildWorld(20_000, 20_000, 5);
      return createMatcher()({ transactions: w.transactions, invoices: w.invoices, customers: w.customers });
    },
  },
  {
    name: 'bench incremental 1000 after 19000',
    run: () => {
      const w = buildWorld(20_000, 20_000, 5);
      const matcher = createMatcher();
      const first = matcher({ transactions: w.transactions, invoices: w.invoices, customers: w.customers });
      const consumed = first
        .slice(0, 19_000)
        .filter((o) => o.status === 'auto')
        .flatMap((o) => o.allocations.map((a) => ({ invoiceNo: a.invoiceNo, amountCents: a.amountCents })));
      const prepared = matcher.prepare({ invoices: w.invoices, customers: w.customers, consumed, history: w.transactions.slice(0, 19_000) });
      const fresh = w.transactions.slice(19_000).map((t, i) => ({ ...t, transactionId: 800000001 + i, createdAt: new Date(Date.UTC(2025, 2, 10) + i * 1000).toISOString() }));
      // Resubmitting a few earlier payments exercises duplicate detection against history.
      const resent = w.transactions.slice(18_990, 19_000).map((t, i) => ({ ...t, transactionId: 810000001 + i }));
      return [...prepared.match(fresh), ...prepared.match([...resent, ...fresh.slice(0, 50)])];
    },
  },
];

/**
 * Recorded with the engine before the performance work (docs/matching.md,
 * "Performance"). A change here means the engine decides or explains
 * differently: re-record only for an intended behaviour change, never for speed.
 */
// Re-recorded for issue 10 (docs/matching.md, "What changed in issue 10"): short pays with a strong
// reference are applied (exception → auto/suggested), fully refunded sales net to nothing (auto →
// refunded), a reference that names a real invoice is no longer typo-corrected to another one
// (auto → suggested), and declined attempts no longer count as duplicates' originals.
export const RECORDED: Readonly<Record<string, Fingerprint>> = {
  'eval 3000 seed 7': { count: 3000, decisions: 'fa3cf1efcb9199f3', full: 'ec319be38dd5855e' },
  'eval 6000 seed 11': { count: 6000, decisions: 'db226a5388a95ab6', full: '6f89780a44ac51c2' },
  'eval 3000 seed 7, lenient config': { count: 3000, decisions: '71f3092ae06797ff', full: '43367c21ee149b21' },
  'bench 20000 x 20000 seed 5': { count: 20000, decisions: 'edd3d5f2a0b4610c', full: '9087eefa394e1cfd' },
  'bench incremental 1000 after 19000': { count: 1060, decisions: 'fc07d76a4a88f539', full: 'dfe05f49d4bf689c' },
};

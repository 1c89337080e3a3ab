import { buildDay, type PayerMode, type RealisticDay, type ScenarioKind, type ScenarioSpec } from './scenarios';
import { seededRandom } from '@shared/seeded-random';

// The "realistic day": a seeded draw of scenarios in the proportions of a
// day of PayTrace card and ACH payments, built into raw export rows and an
// open-AR list with ground truth (scenarios.ts). A second generator,
// independent of test/match-eval/generator.ts and of the engine.

const WEIGHTS: ReadonlyArray<readonly [ScenarioKind, number]> = [
  ['card_clean', 30],
  ['ach_settled', 6],
  ['reference_prefixed', 8],
  ['po_reference', 4],
  ['description_reference', 3],
  ['multi_list', 3],
  ['multi_abbreviated', 3],
  ['surcharge', 3],
  ['discount_in_terms', 3],
  ['short_pay', 3],
  ['discount_late', 1],
  ['credit_applied', 2],
  ['no_reference_known_payer', 3],
  ['typo', 2],
  ['declined_text', 6],
  ['declined_type', 1],
  ['no_approval_code', 1],
  ['unfamiliar_approval', 1],
  ['not_a_receipt_type', 3],
  ['ach_unconfirmed', 3],
  ['void_row', 1],
  ['voided_sale', 1],
  ['refunded_sale_partial', 1],
  ['refunded_sale_full', 1],
  ['duplicate', 1.5],
  ['declined_then_retry', 2],
  ['voided_then_resold', 0.7],
  ['duplicate_then_refunded', 0.5],
  ['paid_twice', 0.5],
  ['multi_abbreviated_short', 0.5],
  ['other_customer_invoice', 1.5],
  ['unknown_payer', 1.5],
  ['ambiguous_amount', 1],
];


export type RealisticOptions = Readonly<{ seed?: number; scenarios?: number }>;

export type RealisticDataset = RealisticDay & Readonly<{ seed: number }>;

export function generateRealisticDay(options: RealisticOptions = {}): RealisticDataset {
  const seed = options.seed ?? 20250602;
  const n = options.scenarios ?? 800;
  const r = seededRandom(seed);
  const total = WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const pick = (): ScenarioKind => {
    let x = r.next() * total;
    for (const [k, w] of WEIGHTS) {
      x -= w;
      if (x < 0) return k;
    }
    return 'card_clean';
  };
  // Balances are unique across the day (except where a scenario makes them equal
  // on purpose), so the truth is not muddied by chance coincidences.
  const used = new Set<number>();
  const unique = (lo: number, hi: number): number => {
    for (;;) {
      const x = r.next() < 0.1 ? r.int(lo / 100, hi / 100) * 100 : r.int(lo, hi);
      if (!used.has(x)) {
        used.add(x);
        return x;
      }
    }
  };
  const customers = Math.max(20, Math.round(n / 5));
  const payers: PayerMode[] = ['id', 'id', 'name', 'contact', 'vault'];
  const specs: ScenarioSpec[] = [];
  for (let i = 0; i < n; i++) {
    specs.push({
      kind: pick(),
      customer: r.int(0, customers - 1),
      amountCents: unique(2500, 900000),
      amount2Cents: unique(1500, 400000),
      payer: payers[r.int(0, payers.length - 1)]!,
      variant: r.int(0, 10000),
      minute: r.int(0, 1799),
      amountAsString: r.next() < 0.4,
    });
  }
  const extraInvoices = Array.from({ length: n * 2 }, () => ({ customer: r.int(0, customers - 1), amountCents: unique(2500, 900000), ageDays: r.int(1, 119) }));
  return { seed, ...buildDay(specs, { customers, extraInvoices }) };
}

import { cents, type Cents } from '@shared/money';
import type { Customer, OpenInvoice, PayTraceTransaction } from '@shared/domain';
import { seededRandom } from '@shared/seeded-random';

// A deterministic generator of matching data sets with ground truth. It knows
// nothing of the engine: only the shared types and money. Each payment is drawn
// from a named case; the truth says what a careful clerk would post and
// whether the case may be automatic at all.

export const EVAL_CASES = [
  'clean',
  'reference_variant',
  'po_reference',
  'description_reference',
  'multi_invoice',
  'typo',
  'surcharge',
  'installment',
  'duplicate_original',
  'no_reference',
  'multi_no_reference',
  'ambiguous_amount',
  'short_pay',
  'overpay',
  'declined',
  'voided',
  'refund',
  'refunded_sale',
  'duplicate',
  'unknown_payer',
  'other_customer_invoice',
] as const;
export type EvalCase = (typeof EVAL_CASES)[number];

/** Cases whose correct allocation may be posted without review. */
export const AUTO_ELIGIBLE: ReadonlySet<EvalCase> = new Set([
  'clean',
  'reference_variant',
  'po_reference',
  'description_reference',
  'multi_invoice',
  'typo',
  'surcharge',
  'installment',
  'duplicate_original',
]);

/** Cases that must never be automatic. */
export const NEVER_AUTO: ReadonlySet<EvalCase> = new Set([
  'ambiguous_amount',
  'declined',
  'voided',
  'refund',
  'refunded_sale',
  'duplicate',
  'unknown_payer',
  'other_customer_invoice',
]);

export type TruthAllocation = Readonly<{ invoiceNo: string; amountCents: Cents }>;

export type GroundTruth = Readonly<{
  transactionId: number;
  case: EvalCase;
  /** What should be posted; null when nothing should (declined, refund, duplicate...). */
  allocations: readonly TruthAllocation[] | null;
  /** Cents beyond the allocations (surcharge / overpayment). */
  unappliedCents: Cents;
}>;

export type EvalDataset = Readonly<{
  seed: number;
  customers: readonly Customer[];
  invoices: readonly OpenInvoice[];
  transactions: readonly PayTraceTransaction[];
  truth: readonly GroundTruth[];
}>;


const W1 = ['Apex', 'Bluewater', 'Cascade', 'Delta', 'Evergreen', 'Frontier', 'Granite', 'Harbor', 'Ironwood', 'Juniper', 'Keystone', 'Lakeside', 'Meridian', 'Northgate', 'Oakridge', 'Pinnacle', 'Quarry', 'Redwood', 'Summit', 'Tidewater', 'Sterling', 'Copper', 'Willow', 'Falcon', 'Beacon', 'Cedar', 'Orion', 'Vista', 'Atlas', 'Pioneer'];
const W2 = ['Plumbing', 'Electric', 'Mechanical', 'Supply', 'Contractors', 'Builders', 'HVAC', 'Industrial', 'Fabrication', 'Hardware', 'Roofing', 'Landscaping'];
const W3 = ['Inc.', 'LLC', 'Co.', 'Corp.', 'Group', 'Ltd'];
const FIRST = ['Maria', 'James', 'Linda', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'David', 'Susan', 'Carlos', 'Aisha', 'Wei', 'Olga', 'Tom', 'Priya', 'Ahmed', 'Grace', 'Ivan', 'Nora', 'Sam'];
const LAST = ['Garcia', 'Smith', 'Johnson', 'Nguyen', 'Brown', 'Miller', 'Davis', 'Lopez', 'Wilson', 'Kim', 'Patel', 'Chen', 'Novak', 'Reyes', 'Okafor', 'Young', 'Hall', 'Adams', 'Baker', 'Ortiz'];
// Walk-in card holders: a name pool no customer contact uses.
const STRANGER_FIRST = ['Zed', 'Quinn', 'Xavi', 'Yara', 'Uma', 'Vik'];
const STRANGER_LAST = ['Quill', 'Zeller', 'Vantongeren', 'Yarrow', 'Ulrich', 'Xiong'];

const WEIGHTS: ReadonlyArray<readonly [EvalCase, number]> = [
  ['clean', 38],
  ['reference_variant', 10],
  ['po_reference', 4],
  ['description_reference', 3],
  ['multi_invoice', 4],
  ['typo', 3],
  ['surcharge', 3],
  ['installment', 3],
  ['duplicate', 2],
  ['no_reference', 4],
  ['multi_no_reference', 1.5],
  ['ambiguous_amount', 2],
  ['short_pay', 3],
  ['overpay', 1.5],
  ['declined', 3],
  ['voided', 2],
  ['refund', 2],
  ['unknown_payer', 2],
  ['other_customer_invoice', 2],
];

export type GenerateOptions = Readonly<{ seed?: number; payments?: number }>;

const DAY = 86_400_000;
const BASE_MS = Date.UTC(2025, 2, 3, 15, 0, 0); // a fixed Monday: deterministic dates

export function generateEvalDataset(options: GenerateOptions = {}): EvalDataset {
  const seed = options.seed ?? 7;
  const target = options.payments ?? 3000;
  const r = seededRandom(seed);

  const customers: Customer[] = [];
  const customerCount = Math.max(30, Math.round(target / 4));
  const usedNames = new Set<string>();
  for (let i = 0; customers.length < customerCount; i++) {
    const name = `${r.pick(W1)} ${r.pick(W2)} ${r.pick(W3)}`;
    const key = name.replace(/\s+\S+$/, '');
    if (usedNames.has(key)) {
      if (i > customerCount * 20) break;
      continue;
    }
    usedNames.add(key);
    const contacts = [`${r.pick(FIRST)} ${r.pick(LAST)}`];
    if (r.chance(0.3)) contacts.push(`${r.pick(FIRST)} ${r.pick(LAST)}`);
    customers.push({ customerId: `C${10001 + customers.length}`, name, contacts });
  }

  const invoices: OpenInvoice[] = [];
  const openByCustomer = new Map<string, OpenInvoice[]>();
  let invoiceSeq = 1004501;
  let poSeq = 0;
  const addInvoice = (c: Customer, amount: Cents, daysBeforeBase: number): OpenInvoice => {
    // Invoices predate the whole payment window (which starts 14 days before BASE).
    const date = isoDate(BASE_MS - (daysBeforeBase + 15) * DAY);
    const inv: OpenInvoice = {
      invoiceNo: String(invoiceSeq++),
      customerId: c.customerId,
      customerName: c.name,
      invoiceDate: date,
      dueDate: isoDate(BASE_MS - (daysBeforeBase + 15) * DAY + 30 * DAY),
      amountCents: amount,
      openBalanceCents: amount,
      currency: 'USD',
      // Customer POs are unique per invoice here; letters keep them apart from invoice numbers.
      poNo: `PO-${c.customerId.slice(1)}-${String(++poSeq).padStart(5, '0')}`,
    };
    invoices.push(inv);
    const list = openByCustomer.get(c.customerId) ?? [];
    list.push(inv);
    openByCustomer.set(c.customerId, list);
    return inv;
  };
  const randomAmount = (): Cents =>
    r.chance(0.12) ? cents(r.pick([100, 150, 250, 500, 750, 1000, 1200, 2500]) * 100) : cents(r.int(25, 6000) * 100 + r.int(1, 99));
  const uniqueAmount = (): Cents => cents(r.int(25, 6000) * 100 + r.int(1, 99));

  const transactions: PayTraceTransaction[] = [];
  const truth: GroundTruth[] = [];
  const refundedSales = new Set<number>();
  let txnSeq = 500000001;
  let createdMs = BASE_MS - 14 * DAY;
  const nextInstant = (): string => {
    createdMs += r.int(60, 900) * 1000;
    return new Date(createdMs).toISOString();
  };
  const card = (): string => `************${r.int(1000, 9999)}`;
  const payerFor = (c: Customer, allowStranger = true): { billingName: string; customerId: string } => {
    const x = r.next();
    const billingName = x < 0.45 ? c.name : x < 0.8 || !allowStranger ? r.pick(c.contacts ?? [c.name]) : stranger();
    const y = r.next();
    const customerId = y < 0.45 ? c.customerId : y < 0.9 ? '' : `V${r.int(100000, 999999)}`;
    return { billingName, customerId };
  };
  const stranger = (): string => `${r.pick(STRANGER_FIRST)} ${String.fromCharCode(65 + r.int(0, 25))}. ${r.pick(STRANGER_LAST)}`;

  type TxnSpec = Partial<PayTraceTransaction> & { amountCents: Cents };
  const emit = (spec: TxnSpec, c: EvalCase, allocations: TruthAllocation[] | null, unapplied = 0): PayTraceTransaction => {
    const t: PayTraceTransaction = {
      transactionId: txnSeq++,
      type: 'SALE',
      currency: 'USD',
      taxCents: null,
      createdAt: nextInstant(),
      settledAt: null,
      declined: false,
      approvalCode: 'TAS123',
      approvalMessage: 'APPROVAL TAS123 - Approved and completed',
      invoiceId: '',
      description: '',
      customerReferenceId: '',
      customerId: '',
      billingName: '',
      email: '',
      maskedCard: card(),
      method: 'card',
      raw: null,
      ...spec,
    };
    transactions.push(t);
    truth.push({ transactionId: t.transactionId, case: c, allocations, unappliedCents: cents(unapplied) });
    return t;
  };
  const full = (inv: OpenInvoice): TruthAllocation => ({ invoiceNo: inv.invoiceNo, amountCents: inv.openBalanceCents });
  const pickCustomer = (): Customer => r.pick(customers);
  const cleanSales: PayTraceTransaction[] = [];

  const totalWeight = WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const pickCase = (): EvalCase => {
    let x = r.next() * totalWeight;
    for (const [c, w] of WEIGHTS) {
      x -= w;
      if (x < 0) return c;
    }
    return 'clean';
  };

  while (transactions.length < target) {
    const kind = pickCase();
    const c = pickCustomer();
    const payer = payerFor(c);
    const age = r.int(3, 75);
    switch (kind) {
      case 'clean': {
        const inv = addInvoice(c, randomAmount(), age);
        const t = emit({ ...payer, amountCents: inv.openBalanceCents, invoiceId: inv.invoiceNo, description: r.pick(['', '', 'Online payment', 'Thank you!']) }, 'clean', [full(inv)]);
        cleanSales.push(t);
        break;
      }
      case 'reference_variant': {
        const inv = addInvoice(c, randomAmount(), age);
        const no = inv.invoiceNo;
        const variant = r.pick([`INV-${no}`, `inv ${no}`, `#${no}`, `Invoice ${no}`, `000${no}`, `${no}   `, `Inv# ${no}`, `INV ${no}`]);
        emit({ ...payer, amountCents: inv.openBalanceCents, invoiceId: variant }, 'reference_variant', [full(inv)]);
        break;
      }
      case 'po_reference': {
        const inv = addInvoice(c, randomAmount(), age);
        emit({ ...payer, amountCents: inv.openBalanceCents, customerReferenceId: r.chance(0.5) ? inv.poNo : inv.poNo.toLowerCase() }, 'po_reference', [full(inv)]);
        break;
      }
      case 'description_reference': {
        const inv = addInvoice(c, randomAmount(), age);
        const text = r.pick([`Payment for invoice ${inv.invoiceNo}`, `Pay inv #${inv.invoiceNo} thanks`, `INV-${inv.invoiceNo} March`]);
        emit({ ...payer, amountCents: inv.openBalanceCents, description: text }, 'description_reference', [full(inv)]);
        break;
      }
      case 'multi_invoice': {
        const n = r.int(2, 3);
        const list = Array.from({ length: n }, () => addInvoice(c, randomAmount(), r.int(3, 75)));
        const sep = r.pick([',', ', ', '/', ';', ' & ', ' ']);
        const total = list.reduce((s, i) => s + i.openBalanceCents, 0);
        emit({ ...payer, amountCents: cents(total), invoiceId: list.map((i) => i.invoiceNo).join(sep) }, 'multi_invoice', list.map(full));
        break;
      }
      case 'typo': {
        // Corroborated: the payer is identifiable (id or company name) and the amount is exact.
        const inv = addInvoice(c, uniqueAmount(), age);
        const d = inv.invoiceNo.split('');
        const i = r.int(2, d.length - 2);
        let typo: string;
        if (r.chance(0.5) && d[i] !== d[i + 1]) {
          [d[i], d[i + 1]] = [d[i + 1]!, d[i]!];
          typo = d.join('');
        } else {
          d[i] = String((Number(d[i]) + r.int(1, 8)) % 10);
          typo = d.join('');
        }
        const who = r.chance(0.5) ? { customerId: c.customerId, billingName: stranger() } : { customerId: '', billingName: c.name };
        emit({ ...who, amountCents: inv.openBalanceCents, invoiceId: typo }, 'typo', [full(inv)]);
        break;
      }
      case 'surcharge': {
        const inv = addInvoice(c, uniqueAmount(), age);
        const pct = r.pick([2, 2.5, 3, 3.5]);
        const fee = Math.round((inv.openBalanceCents * pct) / 100);
        const who = r.chance(0.5) ? { customerId: c.customerId, billingName: c.name } : { customerId: '', billingName: r.pick(c.contacts ?? [c.name]) };
        emit({ ...who, amountCents: cents(inv.openBalanceCents + fee), invoiceId: inv.invoiceNo, description: `${pct}% card surcharge` }, 'surcharge', [full(inv)], fee);
        break;
      }
      case 'installment': {
        const n = r.int(2, 3);
        const inv = addInvoice(c, cents(r.int(600, 9000) * 100 + r.int(0, 99)), age);
        let left: number = inv.openBalanceCents;
        const cardNo = card();
        for (let k = 0; k < n; k++) {
          const part = k === n - 1 ? left : Math.round(left / (n - k)) + r.int(-900, 900) + k * 7;
          left -= part;
          emit({ ...payer, maskedCard: cardNo, amountCents: cents(part), invoiceId: inv.invoiceNo, description: `installment ${k + 1} of ${n}` }, 'installment', [
            { invoiceNo: inv.invoiceNo, amountCents: cents(part) },
          ]);
        }
        break;
      }
      case 'duplicate': {
        const inv = addInvoice(c, randomAmount(), age);
        const original = emit({ ...payer, amountCents: inv.openBalanceCents, invoiceId: inv.invoiceNo }, 'duplicate_original', [full(inv)]);
        emit({ ...payer, maskedCard: original.maskedCard, amountCents: inv.openBalanceCents, invoiceId: inv.invoiceNo }, 'duplicate', null);
        break;
      }
      case 'no_reference': {
        const inv = addInvoice(c, uniqueAmount(), age);
        const who = r.chance(0.5) ? { customerId: c.customerId, billingName: c.name } : { customerId: '', billingName: r.pick([c.name, ...(c.contacts ?? [])]) };
        emit({ ...who, amountCents: inv.openBalanceCents }, 'no_reference', [full(inv)]);
        break;
      }
      case 'multi_no_reference': {
        const list = [addInvoice(c, uniqueAmount(), r.int(3, 75)), addInvoice(c, uniqueAmount(), r.int(3, 75))];
        const total = list[0]!.openBalanceCents + list[1]!.openBalanceCents;
        emit({ customerId: c.customerId, billingName: c.name, amountCents: cents(total) }, 'multi_no_reference', list.map(full));
        break;
      }
      case 'ambiguous_amount': {
        const amount = randomAmount();
        const a = addInvoice(c, amount, r.int(30, 75));
        addInvoice(c, amount, r.int(3, 29));
        emit({ customerId: c.customerId, billingName: c.name, amountCents: amount }, 'ambiguous_amount', [full(a)]);
        break;
      }
      case 'short_pay': {
        const inv = addInvoice(c, uniqueAmount(), age);
        const paid = inv.openBalanceCents - r.int(100, Math.max(101, Math.floor(inv.openBalanceCents / 3)));
        emit({ ...payer, amountCents: cents(paid), invoiceId: inv.invoiceNo }, 'short_pay', [{ invoiceNo: inv.invoiceNo, amountCents: cents(paid) }]);
        break;
      }
      case 'overpay': {
        const inv = addInvoice(c, uniqueAmount(), age);
        const extra = Math.round((inv.openBalanceCents * r.int(8, 40)) / 100) + 1;
        emit({ ...payer, amountCents: cents(inv.openBalanceCents + extra), invoiceId: inv.invoiceNo }, 'overpay', [full(inv)], extra);
        break;
      }
      case 'declined': {
        const inv = addInvoice(c, randomAmount(), age);
        emit({ ...payer, amountCents: inv.openBalanceCents, invoiceId: inv.invoiceNo, declined: true, approvalCode: '', approvalMessage: 'DECLINED - Do not honor' }, 'declined', null);
        break;
      }
      case 'voided': {
        const inv = addInvoice(c, randomAmount(), age);
        emit({ ...payer, type: 'VOID', amountCents: inv.openBalanceCents, invoiceId: inv.invoiceNo }, 'voided', null);
        break;
      }
      case 'refund': {
        const sale = cleanSales.length > 0 ? r.pick(cleanSales) : null;
        if (!sale) continue;
        refundedSales.add(sale.transactionId);
        emit(
          { type: 'REFUND', customerId: sale.customerId, billingName: sale.billingName, maskedCard: sale.maskedCard, amountCents: sale.amountCents, invoiceId: sale.invoiceId },
          'refund',
          null,
        );
        break;
      }
      case 'unknown_payer': {
        // Amount may coincide with someone's invoice; nothing ties the payer to it.
        const amount = r.chance(0.5) && invoices.length > 0 ? r.pick(invoices).openBalanceCents : uniqueAmount();
        emit({ customerId: '', billingName: stranger(), amountCents: amount, description: r.pick(['', 'Payment', 'web payment']) }, 'unknown_payer', null);
        break;
      }
      case 'other_customer_invoice': {
        let other = pickCustomer();
        while (other.customerId === c.customerId) other = pickCustomer();
        const inv = addInvoice(other, uniqueAmount(), age);
        const who = r.chance(0.5) ? { customerId: c.customerId, billingName: c.name } : { customerId: '', billingName: c.name };
        emit({ ...who, amountCents: inv.openBalanceCents, invoiceId: inv.invoiceNo }, 'other_customer_invoice', null);
        break;
      }
    }
  }

  // Open invoices nobody pays in this batch: distractors, including common amounts.
  const distractors = Math.round(target * 0.8);
  for (let i = 0; i < distractors; i++) addInvoice(pickCustomer(), randomAmount(), r.int(1, 120));

  // Keep the truth honest about ambiguity the distractors created for no-reference cases.
  const fixedTruth = truth.map((g) => {
    // A sale refunded in full nets to nothing to post (docs/matching.md).
    if (refundedSales.has(g.transactionId)) return { ...g, case: 'refunded_sale' as EvalCase, allocations: null };
    if (g.case !== 'no_reference') return g;
    const t = transactions.find((x) => x.transactionId === g.transactionId)!;
    const inv = invoices.find((x) => x.invoiceNo === g.allocations![0]!.invoiceNo)!;
    const same = (openByCustomer.get(inv.customerId) ?? []).filter((x) => x.openBalanceCents === t.amountCents);
    return same.length > 1 ? { ...g, case: 'ambiguous_amount' as EvalCase } : g;
  });

  return { seed, customers, invoices, transactions, truth: fixedTruth };
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

import { DateTime } from 'luxon';
import { cents, type Cents } from '@shared/money';
import type { Customer, OpenInvoice, PaymentTerms } from '@shared/domain';
import { DEFAULT_MERCHANT_ZONE } from '@shared/paytrace-time';
import { seededRandom, type Random } from '../kit/random';

// One deterministic demo world shared by the PayTrace and ERP sandboxes, so the
// payments in PayTrace really pay the invoices in the ERP. Each payment carries
// the scenario it was generated from (for demos and tests, never for matching).

export type DemoScenario =
  | 'clean'
  | 'prefixed_reference'
  | 'po_reference'
  | 'description_reference'
  | 'short_pay'
  | 'no_reference'
  | 'multi_invoice'
  | 'surcharge'
  | 'typo_reference'
  | 'declined'
  | 'voided'
  | 'refund';

export type DemoPayment = Readonly<{
  transactionId: number;
  scenario: DemoScenario;
  /** ISO instant. */
  createdAt: string;
  /** ISO instant, or null for today's unsettled payments. */
  settledAt: string | null;
  amountCents: Cents;
  invoiceId: string;
  description: string;
  customerReferenceId: string;
  /** PayTrace vault customer id; equals the ERP id for about half the payers. */
  customerId: string;
  billingName: string;
  email: string;
  cardLast4: string;
  method: 'card' | 'ach';
  declined: boolean;
  voided: boolean;
  /** For refunds: the sale they refund. */
  refundOf: number | null;
  /** The invoices this payment is meant to pay (ground truth for demos). */
  intendedInvoices: readonly string[];
}>;

export type DemoWorld = Readonly<{
  seed: number;
  zone: string;
  customers: readonly Customer[];
  /** Open invoices as the ERP holds them before any Tieout posting. */
  invoices: readonly OpenInvoice[];
  payments: readonly DemoPayment[];
  /** Open credit memos (negative open balances) the ERP also holds; see erpOpenItems. */
  openCredits: readonly OpenInvoice[];
  /** Early-payment discount terms some invoices were billed on, by invoice number. */
  invoiceTerms: Readonly<Record<string, PaymentTerms>>;
}>;

const COMPANY_WORDS = [
  ['Apex', 'Bluewater', 'Cascade', 'Delta', 'Evergreen', 'Frontier', 'Granite', 'Harbor', 'Ironwood', 'Juniper', 'Keystone', 'Lakeside', 'Meridian', 'Northgate', 'Oakridge', 'Pinnacle', 'Quarry', 'Redwood', 'Summit', 'Tidewater'],
  ['Plumbing', 'Electric', 'Mechanical', 'Supply', 'Contractors', 'Builders', 'HVAC', 'Industrial', 'Fabrication', 'Hardware'],
  ['Inc.', 'LLC', 'Co.', 'Corp.', 'Group'],
];
const FIRST = ['Maria', 'James', 'Linda', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'David', 'Susan', 'Carlos', 'Aisha', 'Wei', 'Olga', 'Tom', 'Priya'];
const LAST = ['Garcia', 'Smith', 'Johnson', 'Nguyen', 'Brown', 'Miller', 'Davis', 'Lopez', 'Wilson', 'Kim', 'Patel', 'Chen', 'Novak', 'Reyes', 'Okafor'];

export type DemoWorldOptions = Readonly<{ seed?: number; now?: Date; zone?: string; customers?: number; payments?: number }>;

const BUSINESS_START_HOUR = 7;
const BUSINESS_END_HOUR = 18;

/**
 * A business-hours instant of the demo week moved so that it is not after
 * `now`: one of today's is scaled into today's business hours so far (order
 * kept, still today, so today's sales stay unsettled); before business hours
 * have begun today it falls on the same time yesterday.
 */
export function pastInstant(instant: DateTime, now: DateTime): DateTime {
  if (instant < now) return instant;
  const opening = instant.startOf('day').set({ hour: BUSINESS_START_HOUR });
  const closing = instant.startOf('day').set({ hour: BUSINESS_END_HOUR });
  const openSoFar = now.diff(opening).toMillis();
  if (!instant.hasSame(now, 'day') || openSoFar < 60_000) return instant.minus({ days: 1 }) < now ? instant.minus({ days: 1 }) : now.minus({ minutes: 1 });
  const fraction = instant.diff(opening).toMillis() / closing.diff(opening).toMillis();
  return opening.plus({ milliseconds: Math.floor(fraction * (openSoFar - 1_000)) });
}

export function buildDemoWorld(options: DemoWorldOptions = {}): DemoWorld {
  const seed = options.seed ?? 42;
  const zone = options.zone ?? DEFAULT_MERCHANT_ZONE;
  const rnd = seededRandom(seed);
  const today = DateTime.fromJSDate(options.now ?? new Date(), { zone }).startOf('day');
  const customerCount = options.customers ?? 40;
  const paymentCount = options.payments ?? 300;

  const customers: Customer[] = [];
  for (let i = 0; i < customerCount; i++) {
    const name = `${COMPANY_WORDS[0]![i % 20]} ${rnd.pick(COMPANY_WORDS[1]!)} ${rnd.pick(COMPANY_WORDS[2]!)}`;
    const contact = `${rnd.pick(FIRST)} ${rnd.pick(LAST)}`;
    customers.push({ customerId: String(10001 + i), name, contacts: [contact], email: `ap@${name.split(' ')[0]!.toLowerCase()}.example` });
  }

  const invoices: OpenInvoice[] = [];
  let invoiceSeq = 1004501;
  const newInvoice = (customer: Customer, amount: Cents, daysAgo: number): OpenInvoice => {
    const date = today.minus({ days: daysAgo });
    const inv: OpenInvoice = {
      invoiceNo: String(invoiceSeq++),
      customerId: customer.customerId,
      customerName: customer.name,
      invoiceDate: date.toISODate()!,
      dueDate: date.plus({ days: 30 }).toISODate()!,
      amountCents: amount,
      openBalanceCents: amount,
      currency: 'USD',
      poNo: `PO${rnd.int(10000, 99999)}`,
    };
    invoices.push(inv);
    return inv;
  };
  const randomAmount = (r: Random): Cents => cents(r.int(40, 4800) * 100 + r.pick([0, 0, 0, 25, 50, 75, r.int(1, 99)]));

  const scenarioWeights: Array<[DemoScenario, number]> = [
    ['clean', 62],
    ['prefixed_reference', 8],
    ['po_reference', 4],
    ['description_reference', 3],
    ['short_pay', 4],
    ['no_reference', 4],
    ['multi_invoice', 3],
    ['surcharge', 3],
    ['typo_reference', 2],
    ['declined', 3],
    ['voided', 2],
    ['refund', 2],
  ];
  const totalWeight = scenarioWeights.reduce((s, [, w]) => s + w, 0);
  const pickScenario = (): DemoScenario => {
    let x = rnd.next() * totalWeight;
    for (const [s, w] of scenarioWeights) {
      x -= w;
      if (x < 0) return s;
    }
    return 'clean';
  };

  // Creation instants spread over the last 7 days, business hours, in order,
  // never later than now (the demo is opened at any hour: today's payments are
  // fitted into the part of today's business hours already gone).
  const nowInZone = DateTime.fromJSDate(options.now ?? new Date(), { zone });
  const instants: DateTime[] = [];
  for (let i = 0; i < paymentCount; i++) {
    const day = today.minus({ days: rnd.int(0, 6) });
    instants.push(pastInstant(day.set({ hour: rnd.int(7, 17), minute: rnd.int(0, 59), second: rnd.int(0, 59) }), nowInZone));
  }
  instants.sort((a, b) => a.toMillis() - b.toMillis());

  const payments: DemoPayment[] = [];
  let txnSeq = 400000100;
  const sales: DemoPayment[] = [];
  for (const created of instants) {
    let scenario = pickScenario();
    if (scenario === 'refund' && sales.filter((s) => s.settledAt).length === 0) scenario = 'clean';
    const customer = rnd.pick(customers);
    const payerIsContact = rnd.chance(0.4);
    const billingName = payerIsContact ? customer.contacts![0]! : customer.name;
    const customerId = rnd.chance(0.5) ? customer.customerId : '';
    const settledAt = created.hasSame(today, 'day') ? null : created.set({ hour: 20, minute: 13, second: 45 }).toUTC().toISO()!;
    const base = {
      transactionId: txnSeq++,
      createdAt: created.toUTC().toISO()!,
      settledAt,
      customerId,
      billingName,
      email: customer.email ?? '',
      cardLast4: String(rnd.int(1000, 9999)),
      method: (rnd.chance(0.12) ? 'ach' : 'card') as 'card' | 'ach',
      description: '',
      customerReferenceId: '',
      declined: false,
      voided: false,
      refundOf: null,
    };

    if (scenario === 'refund') {
      const original = rnd.pick(sales.filter((s) => s.settledAt));
      payments.push({
        ...base,
        scenario,
        amountCents: original.amountCents,
        invoiceId: original.invoiceId,
        customerId: original.customerId,
        billingName: original.billingName,
        cardLast4: original.cardLast4,
        // A refund goes back the way the money came (card or ACH); drawn above only to keep the sequence.
        method: original.method,
        refundOf: original.transactionId,
        intendedInvoices: [],
      });
      continue;
    }

    const inv = newInvoice(customer, randomAmount(rnd), rnd.int(3, 45));
    let amount: Cents = inv.openBalanceCents;
    let invoiceId = inv.invoiceNo;
    let description = '';
    let customerReferenceId = '';
    const intended = [inv.invoiceNo];
    switch (scenario) {
      case 'prefixed_reference':
        invoiceId = rnd.pick([`INV-${inv.invoiceNo}`, `#${inv.invoiceNo}`, `Invoice ${inv.invoiceNo}`, `inv ${inv.invoiceNo} `, `00${inv.invoiceNo}`]);
        break;
      case 'po_reference':
        invoiceId = '';
        customerReferenceId = inv.poNo;
        break;
      case 'description_reference':
        invoiceId = '';
        description = `Payment for invoice ${inv.invoiceNo}`;
        break;
      case 'short_pay':
        amount = cents(inv.openBalanceCents - rnd.int(5, Math.max(6, Math.floor(inv.openBalanceCents / 4))));
        break;
      case 'no_reference':
        invoiceId = '';
        break;
      case 'multi_invoice': {
        const second = newInvoice(customer, randomAmount(rnd), rnd.int(3, 45));
        invoiceId = `${inv.invoiceNo},${second.invoiceNo}`;
        amount = cents(inv.openBalanceCents + second.openBalanceCents);
        intended.push(second.invoiceNo);
        break;
      }
      case 'surcharge':
        amount = cents(Math.round((inv.openBalanceCents * 103) / 100));
        description = '3% card surcharge included';
        break;
      case 'typo_reference': {
        const d = inv.invoiceNo.split('');
        const i = rnd.int(2, d.length - 2);
        [d[i], d[i + 1]] = [d[i + 1]!, d[i]!];
        invoiceId = d.join('') === inv.invoiceNo ? `${inv.invoiceNo.slice(0, -1)}9` : d.join('');
        break;
      }
      default:
        break;
    }
    const payment: DemoPayment = {
      ...base,
      scenario,
      amountCents: amount,
      invoiceId,
      description,
      customerReferenceId,
      declined: scenario === 'declined',
      voided: scenario === 'voided',
      settledAt: scenario === 'declined' || scenario === 'voided' ? null : settledAt,
      intendedInvoices: scenario === 'declined' || scenario === 'voided' ? [] : intended,
    };
    payments.push(payment);
    if (!payment.declined && !payment.voided) sales.push(payment);
  }

  // Some invoices nobody has paid yet, so matching has distractors.
  for (let i = 0; i < Math.round(paymentCount / 3); i++) newInvoice(rnd.pick(customers), randomAmount(rnd), rnd.int(1, 60));

  const { openCredits, invoiceTerms } = creditsAndTerms(customers, invoices, today);
  return { seed, zone, customers, invoices, payments, openCredits, invoiceTerms };
}

const TWO_TEN_NET_30: PaymentTerms = { discountBasisPoints: 200, discountDays: 10, netDays: 30 };

/**
 * A few open credit memos and 2/10 net 30 invoices, derived from the world
 * without drawing from its random generator, so every payment above stays as
 * it was (tests depend on the exact sequence).
 */
function creditsAndTerms(customers: readonly Customer[], invoices: readonly OpenInvoice[], today: DateTime): Pick<DemoWorld, 'openCredits' | 'invoiceTerms'> {
  const invoiceTerms: Record<string, PaymentTerms> = {};
  invoices.forEach((inv, i) => {
    if (i % 9 === 4) invoiceTerms[inv.invoiceNo] = TWO_TEN_NET_30;
  });
  const openCredits: OpenInvoice[] = [];
  const count = Math.min(4, customers.length);
  for (let k = 0; k < count; k++) {
    const customer = customers[(k * 7) % customers.length]!;
    const date = today.minus({ days: 5 + k * 6 });
    const amount = cents(-(2_500 + k * 1_775));
    openCredits.push({
      invoiceNo: String(8004001 + k),
      customerId: customer.customerId,
      customerName: customer.name,
      invoiceDate: date.toISODate()!,
      dueDate: date.toISODate()!,
      amountCents: amount,
      openBalanceCents: amount,
      currency: 'USD',
      poNo: '',
    });
  }
  return { openCredits, invoiceTerms };
}

/** What the ERP sandboxes hold: the invoices with their terms, and the open credits. */
export function erpOpenItems(world: DemoWorld): OpenInvoice[] {
  return [
    ...world.invoices.map((inv) => (world.invoiceTerms[inv.invoiceNo] ? { ...inv, terms: world.invoiceTerms[inv.invoiceNo]! } : inv)),
    ...world.openCredits,
  ];
}

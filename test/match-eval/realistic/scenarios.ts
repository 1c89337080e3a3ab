import type { Customer, OpenInvoice } from '@shared/domain';
import {
  ACH_RECEIVED_STATUSES,
  ACH_UNCONFIRMED_STATUSES,
  APPROVAL_MESSAGES,
  buildRow,
  DECLINE_MESSAGES,
  NON_RECEIPT_TYPES,
  payTraceStamp,
  UNFAMILIAR_WITH_CODE,
  type RawExportRow,
} from './paytrace-rows';

// Scenarios of a realistic PayTrace day → raw export rows, an open-AR list and
// the ground truth: what a careful clerk would post for each row and whether it
// may ever post without review. The same builder serves the seeded "realistic
// day" (generator.ts) and the property test (test/unit/matching-properties.test.ts),
// which draws scenario specs with fast-check. Independent of the engine: it
// imports only shared types.

/**
 * Expectation per row category:
 * - auto: a careful clerk posts it without a second look; counts toward the envelope rate;
 * - review: the truth allocation is what to post, but only after review (an automatic
 *   match is not a violation if it is exactly right);
 * - never: must never be automatic (not money received, reversed, duplicate, not the
 *   payer's invoice, undecidable).
 */
export type Expectation = 'auto' | 'review' | 'never';

export const REALISTIC_CATEGORIES = {
  card_clean: 'auto',
  ach_settled: 'auto',
  reference_prefixed: 'auto',
  po_reference: 'auto',
  description_reference: 'auto',
  multi_list: 'auto',
  multi_abbreviated: 'auto',
  surcharge: 'auto',
  discount_in_terms: 'auto',
  duplicate_original: 'auto',
  retry_after_decline: 'auto',
  resale_after_void: 'auto',
  short_pay: 'review',
  discount_late: 'review',
  credit_applied: 'review',
  no_reference_known_payer: 'review',
  typo: 'review',
  double_charge_kept: 'review',
  paid_twice_first: 'review',
  multi_abbreviated_short: 'review',
  declined_text: 'never',
  declined_type: 'never',
  no_approval_code: 'never',
  unfamiliar_approval: 'never',
  not_a_receipt_type: 'never',
  ach_unconfirmed: 'never',
  void_row: 'never',
  voided_sale: 'never',
  refund_row: 'never',
  refunded_sale_partial: 'never',
  refunded_sale_full: 'never',
  duplicate: 'never',
  paid_twice_second: 'never',
  other_customer_invoice: 'never',
  unknown_payer: 'never',
  ambiguous_amount: 'never',
} as const satisfies Record<string, Expectation>;

export type RealisticCategory = keyof typeof REALISTIC_CATEGORIES;
export const REALISTIC_CATEGORY_LIST = Object.keys(REALISTIC_CATEGORIES) as RealisticCategory[];

/** Scenario kinds: a scenario emits one or two rows (sale + its void/refund, original + duplicate). */
export const SCENARIO_KINDS = [
  'card_clean',
  'ach_settled',
  'reference_prefixed',
  'po_reference',
  'description_reference',
  'multi_list',
  'multi_abbreviated',
  'surcharge',
  'discount_in_terms',
  'short_pay',
  'discount_late',
  'credit_applied',
  'no_reference_known_payer',
  'typo',
  'declined_text',
  'declined_type',
  'no_approval_code',
  'unfamiliar_approval',
  'not_a_receipt_type',
  'ach_unconfirmed',
  'void_row',
  'voided_sale',
  'refunded_sale_partial',
  'refunded_sale_full',
  'duplicate',
  'declined_then_retry',
  'voided_then_resold',
  'duplicate_then_refunded',
  'paid_twice',
  'multi_abbreviated_short',
  'other_customer_invoice',
  'unknown_payer',
  'ambiguous_amount',
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export type PayerMode = 'id' | 'name' | 'contact' | 'vault';

export type ScenarioSpec = Readonly<{
  kind: ScenarioKind;
  /** Index into the customer pool (taken modulo its size). */
  customer: number;
  /** Balance of the main invoice, cents (raised to at least $5.00). */
  amountCents: number;
  /** A second amount: the second invoice, the credit, the shortfall, the refund share... */
  amount2Cents: number;
  payer: PayerMode;
  /** Picks texts, reference forms, statuses (modulo each list). */
  variant: number;
  /** Minutes since the export window opened (3 business days, 7 AM–5 PM). */
  minute: number;
  amountAsString: boolean;
}>;

export type TruthAllocation = Readonly<{ invoiceNo: string; amountCents: number; discountCents?: number }>;

export type RowTruth = Readonly<{
  transactionId: number;
  category: RealisticCategory;
  expectation: Expectation;
  /** What a careful clerk posts (cash per invoice; negative = an open credit applied); null = nothing. */
  allocations: readonly TruthAllocation[] | null;
  unappliedCents: number;
  /** Why this row is not money received, or why it must not post by itself; null when it may. */
  neverAutoBecause: string | null;
  /** Invoices an explicit multi-invoice reference names (only for multi references). */
  namedInvoices: readonly string[] | null;
  /** The ERP customer the PayTrace customer_id names, when it names one. */
  payerCustomerId: string | null;
  scenario: number;
}>;

export type RealisticDay = Readonly<{
  customers: readonly Customer[];
  invoices: readonly OpenInvoice[];
  rows: readonly RawExportRow[];
  truth: readonly RowTruth[];
  /** The export envelope exactly as PayTrace returns it (§5.2). */
  envelope: Readonly<{ success: true; response_code: 1; status_message: string; transactions: readonly RawExportRow[]; external_transaction_id: '' }>;
}>;

export type BuildOptions = Readonly<{
  customers: number;
  /** Open invoices nobody pays in this export (customer index, balance). */
  extraInvoices?: ReadonlyArray<Readonly<{ customer: number; amountCents: number; ageDays: number }>>;
  firstInvoiceNo?: number;
  firstTransactionId?: number;
}>;

const COMPANY_A = ['Harbor', 'Granite', 'Cedar', 'Summit', 'Riverbend', 'Ironclad', 'Bluestem', 'Prairie', 'Northwind', 'Copperline', 'Falls', 'Basalt', 'Tamarack', 'Palouse', 'Kettle', 'Larch'];
const COMPANY_B = ['Mechanical', 'Electric', 'Supply', 'Roofing', 'Plumbing', 'Fabrication', 'Builders', 'Excavating', 'Welding', 'Glass'];
const COMPANY_C = ['Inc.', 'LLC', 'Co.', 'Corp', 'Ltd.'];
const CONTACT_F = ['Dana', 'Luis', 'Megan', 'Raj', 'Ellen', 'Tomasz', 'Keiko', 'Andre', 'Brenda', 'Hector', 'Mina', 'Owen'];
const CONTACT_L = ['Whitfield', 'Ostrowski', 'Delacroix', 'Haugen', 'Pemberton', 'Takahashi', 'Lindqvist', 'Mbeki', 'Castellano', 'Fairbanks'];
const STRANGERS = ['Zora Q. Vantreese', 'Quill Yarborough', 'Xan Ulvaeus', 'Yusuf Zwingli', 'Ulla Quarrington'];

/** The customer pool: deterministic from its size. */
export function customerPool(n: number): Customer[] {
  const out: Customer[] = [];
  for (let i = 0; i < n; i++) {
    const name = `${COMPANY_A[i % COMPANY_A.length]} ${COMPANY_B[Math.floor(i / COMPANY_A.length) % COMPANY_B.length]}${i >= COMPANY_A.length * COMPANY_B.length ? ` ${i}` : ''} ${COMPANY_C[i % COMPANY_C.length]}`;
    const contact = `${CONTACT_F[i % CONTACT_F.length]} ${CONTACT_L[(i * 7 + 3) % CONTACT_L.length]}${i >= CONTACT_F.length * CONTACT_L.length ? ` ${i}` : ''}`;
    out.push({ customerId: `${name.slice(0, 4).toUpperCase().replace(/[^A-Z]/g, 'X')}${String(i + 1).padStart(3, '0')}`, name, contacts: [contact] });
  }
  return out;
}

const DAY_START = 7 * 60;
const DAY_MINUTES = 600;
const EXPORT_DAYS = 3;
const YEAR = 2025;
const MONTH = 6;
const FIRST_DAY = 2; // Monday 6/2/2025

function isoDay(dayOffset: number): string {
  const d = new Date(Date.UTC(YEAR, MONTH - 1, FIRST_DAY + dayOffset));
  return d.toISOString().slice(0, 10);
}

/** Absolute minutes since 6/2/2025 00:00 (merchant wall clock). */
function stampAt(absMinute: number, second: number): string {
  const day = Math.floor(absMinute / 1440);
  return payTraceStamp(YEAR, MONTH, FIRST_DAY + day, absMinute % 1440, second);
}

function settleStamp(day: number): string {
  return payTraceStamp(YEAR, MONTH, FIRST_DAY + day, 20 * 60 + 13, 45);
}

function last(no: string, n: number): string {
  return no.slice(-n);
}

type Draft = {
  absMinute: number;
  second: number;
  seq: number;
  parts: Omit<Parameters<typeof buildRow>[0], 'transactionId'>;
  truth: Omit<RowTruth, 'transactionId'>;
};

export function buildDay(specs: readonly ScenarioSpec[], options: BuildOptions): RealisticDay {
  const customers = customerPool(Math.max(2, options.customers));
  const invoices: OpenInvoice[] = [];
  let invoiceSeq = options.firstInvoiceNo ?? 1003201;
  const drafts: Draft[] = [];

  const addInvoice = (c: Customer, balance: number, payDay: number, ageDays: number, extra: Partial<OpenInvoice> = {}): OpenInvoice => {
    const no = invoiceSeq++;
    const date = isoDay(payDay - ageDays);
    const inv: OpenInvoice = {
      invoiceNo: String(no),
      customerId: c.customerId,
      customerName: c.name,
      invoiceDate: date,
      dueDate: isoDay(payDay - ageDays + 30),
      amountCents: balance as OpenInvoice['amountCents'],
      openBalanceCents: balance as OpenInvoice['openBalanceCents'],
      currency: 'USD',
      poNo: no % 3 === 0 ? `${4500000000 + no}` : `PO-${c.customerId.slice(-3)}-${no % 100000}`,
      ...extra,
    };
    invoices.push(inv);
    return inv;
  };

  specs.forEach((spec, scenario) => {
    const c = customers[Math.abs(spec.customer) % customers.length]!;
    const other = customers[(Math.abs(spec.customer) + 1) % customers.length]!;
    const v = Math.abs(spec.variant);
    const bal = Math.max(500, Math.round(Math.abs(spec.amountCents)));
    const amt2 = Math.max(100, Math.round(Math.abs(spec.amount2Cents)));
    const minute = Math.abs(spec.minute) % (DAY_MINUTES * EXPORT_DAYS);
    const day = Math.floor(minute / DAY_MINUTES);
    const abs = day * 1440 + DAY_START + (minute % DAY_MINUTES);
    const age = 5 + ((v * 7) % 55);
    const contact = c.contacts?.[0] ?? c.name;
    const payer = (mode: PayerMode, who: Customer = c): { customerId: string; billingName: string } => {
      const ct = who.contacts?.[0] ?? who.name;
      switch (mode) {
        case 'id':
          return { customerId: who.customerId, billingName: v % 2 === 0 ? ct : who.name };
        case 'name':
          return { customerId: '', billingName: who.name };
        case 'contact':
          return { customerId: '', billingName: ct };
        case 'vault':
          return { customerId: `${700000 + ((v * 131 + scenario) % 99999)}`, billingName: ct };
      }
    };
    const card = `************${String(1000 + ((scenario * 7919 + v * 104729) % 9000)).padStart(4, '0')}`;
    const account = `****${String(1000 + ((scenario * 3571 + v) % 9000))}`;
    const approval = (): { approvalCode: string; approvalMessage: string } => ({
      approvalCode: `${['TAS', 'VTL', 'A0', ''][v % 3]}${(100 + ((scenario * 37 + v) % 900)).toString()}`,
      approvalMessage: APPROVAL_MESSAGES[v % APPROVAL_MESSAGES.length]!,
    });
    const settledFor = (d: number): string => (d < EXPORT_DAYS - 1 ? settleStamp(d) : '');
    const emit = (
      category: RealisticCategory,
      row: Partial<Draft['parts']> & { amountCents: number },
      truth: { allocations: TruthAllocation[] | null; unapplied?: number; because?: string | null; named?: string[] | null },
      at = abs,
    ): void => {
      const p = row.customerId !== undefined ? row : { ...payer(spec.payer), ...row };
      const parts: Draft['parts'] = {
        type: 'SALE',
        amountAsString: spec.amountAsString,
        invoiceId: '',
        customerReferenceId: '',
        description: '',
        customerId: '',
        billingName: '',
        method: 'card',
        masked: card,
        ...approval(),
        createdAt: '',
        settled: settledFor(Math.floor(at / 1440)),
        variant: v,
        ...p,
      };
      const expectation = REALISTIC_CATEGORIES[category];
      const ids = new Set(customers.map((x) => x.customerId));
      drafts.push({
        absMinute: at,
        second: (scenario * 13 + drafts.length) % 60,
        seq: drafts.length,
        parts,
        truth: {
          category,
          expectation,
          allocations: truth.allocations,
          unappliedCents: truth.unapplied ?? 0,
          neverAutoBecause: expectation === 'never' ? (truth.because ?? category) : null,
          namedInvoices: truth.named ?? null,
          payerCustomerId: ids.has(parts.customerId.trim()) ? parts.customerId.trim() : null,
          scenario,
        },
      });
    };
    const full = (inv: OpenInvoice): TruthAllocation => ({ invoiceNo: inv.invoiceNo, amountCents: inv.openBalanceCents });

    switch (spec.kind) {
      case 'card_clean': {
        const inv = addInvoice(c, bal, day, age, v % 4 === 0 ? { terms: { discountBasisPoints: 200, discountDays: 10, netDays: 30 } } : {});
        emit('card_clean', { amountCents: bal, invoiceId: inv.invoiceNo, description: ['', '', 'Online payment', 'Thank you!'][v % 4]! }, { allocations: [full(inv)] });
        break;
      }
      case 'ach_settled': {
        const inv = addInvoice(c, bal, day, age);
        emit(
          'ach_settled',
          { amountCents: bal, invoiceId: inv.invoiceNo, method: 'ach', masked: account, achStatus: ACH_RECEIVED_STATUSES[v % ACH_RECEIVED_STATUSES.length]!, approvalCode: '', approvalMessage: '' },
          { allocations: [full(inv)] },
        );
        break;
      }
      case 'reference_prefixed': {
        const inv = addInvoice(c, bal, day, age);
        const no = inv.invoiceNo;
        const ref = [`INV-${no}`, `#${no}`, `Invoice ${no}`, `inv ${no}`, `INV${no}`, `Inv #${no}`, `  ${no}  `, `inv-${no}`][v % 8]!;
        emit('reference_prefixed', { amountCents: bal, invoiceId: ref }, { allocations: [full(inv)] });
        break;
      }
      case 'po_reference': {
        const inv = addInvoice(c, bal, day, age);
        emit('po_reference', { amountCents: bal, customerReferenceId: v % 2 === 0 ? inv.poNo : inv.poNo.toLowerCase() }, { allocations: [full(inv)] });
        break;
      }
      case 'description_reference': {
        const inv = addInvoice(c, bal, day, age);
        const text = [`Payment for invoice ${inv.invoiceNo}`, `Inv ${inv.invoiceNo} - thank you`, `INVOICE #${inv.invoiceNo}`][v % 3]!;
        emit('description_reference', { amountCents: bal, description: text }, { allocations: [full(inv)] });
        break;
      }
      case 'multi_list':
      case 'multi_abbreviated':
      case 'multi_abbreviated_short': {
        // Consecutive invoice numbers a, b (, c) of one customer; the invoice just
        // before a has a's balance: a careless reading of "a/bb" picks it.
        while ((invoiceSeq + 1) % 10 === 0 || (invoiceSeq + 1) % 10 > 6) invoiceSeq++;
        const three = v % 3 === 2;
        const distractor = addInvoice(c, bal, day, age + 3);
        const a = addInvoice(c, bal, day, age);
        const b = addInvoice(c, amt2, day, age);
        const cc = three ? addInvoice(c, Math.max(100, Math.round(amt2 * 0.37) + 11), day, age) : null;
        const named = cc ? [a, b, cc] : [a, b];
        const total = named.reduce((s, i) => s + i.openBalanceCents, 0);
        if (spec.kind === 'multi_abbreviated_short') {
          // Short across the named invoices; the invoice before a has exactly the
          // balance that would make an unnamed combination add up.
          const shortfall = 1 + (v % Math.max(1, Math.floor(bal / 4)));
          invoices[invoices.indexOf(distractor)] = { ...distractor, amountCents: (bal - shortfall) as OpenInvoice['amountCents'], openBalanceCents: (bal - shortfall) as OpenInvoice['openBalanceCents'] };
          const ref = cc ? `${a.invoiceNo}-${last(cc.invoiceNo, 2)}` : [`${a.invoiceNo}/${last(b.invoiceNo, 2)}`, `${a.invoiceNo}/${last(b.invoiceNo, 1)}`][Math.floor(v / 3) % 2]!;
          emit('multi_abbreviated_short', { amountCents: total - shortfall, invoiceId: ref }, { allocations: null, named: named.map((i) => i.invoiceNo) });
          break;
        }
        let ref: string;
        if (spec.kind === 'multi_list') {
          const seps = [', ', ',', ' & ', ' ', ';', ' / '];
          ref = named.map((i) => i.invoiceNo).join(seps[Math.floor(v / 3) % seps.length]);
        } else if (cc) {
          ref = [`${a.invoiceNo}-${last(cc.invoiceNo, 2)}`, `${a.invoiceNo}/${last(b.invoiceNo, 2)}/${last(cc.invoiceNo, 2)}`, `${a.invoiceNo}/${last(b.invoiceNo, 1)}/${last(cc.invoiceNo, 1)}`, `${a.invoiceNo} thru ${last(cc.invoiceNo, 2)}`][Math.floor(v / 3) % 4]!;
        } else {
          ref = [`${a.invoiceNo}/${last(b.invoiceNo, 2)}`, `${a.invoiceNo}/${last(b.invoiceNo, 1)}`, `${a.invoiceNo}-${last(b.invoiceNo, 2)}`, `${a.invoiceNo} & ${last(b.invoiceNo, 2)}`][Math.floor(v / 3) % 4]!;
        }
        void distractor;
        emit(spec.kind, { amountCents: total, invoiceId: ref }, { allocations: named.map(full), named: named.map((i) => i.invoiceNo) });
        break;
      }
      case 'surcharge': {
        const inv = addInvoice(c, bal, day, age);
        const pct = [3, 2.5, 3.5, 2][v % 4]!;
        const fee = Math.round((bal * pct) / 100);
        emit('surcharge', { amountCents: bal + fee, invoiceId: inv.invoiceNo, description: `${pct}% card surcharge` }, { allocations: [full(inv)], unapplied: fee });
        break;
      }
      case 'discount_in_terms':
      case 'discount_late': {
        const inTerms = spec.kind === 'discount_in_terms';
        const inv = addInvoice(c, bal, day, inTerms ? 1 + (v % 9) : 20 + (v % 30), { terms: { discountBasisPoints: 200, discountDays: 10, netDays: 30 } });
        const discount = Math.round((bal * 200) / 10000);
        const paid = bal - discount;
        emit(spec.kind, { amountCents: paid, invoiceId: inv.invoiceNo }, {
          allocations: [inTerms ? { invoiceNo: inv.invoiceNo, amountCents: paid, discountCents: discount } : { invoiceNo: inv.invoiceNo, amountCents: paid }],
        });
        break;
      }
      case 'short_pay': {
        const inv = addInvoice(c, bal, day, age);
        const short = 1 + (amt2 % Math.max(1, Math.floor(bal / 3)));
        emit('short_pay', { amountCents: bal - short, invoiceId: inv.invoiceNo }, { allocations: [{ invoiceNo: inv.invoiceNo, amountCents: bal - short }] });
        break;
      }
      case 'credit_applied': {
        const credit = 100 + (amt2 % Math.max(1, bal - 200));
        const cm = addInvoice(c, -credit, day, age + 10, { amountCents: -credit as OpenInvoice['amountCents'], poNo: '' });
        const inv = addInvoice(c, bal, day, age);
        emit('credit_applied', { amountCents: bal - credit, invoiceId: inv.invoiceNo, description: v % 2 === 0 ? `less credit ${cm.invoiceNo}` : '' }, {
          allocations: [full(inv), { invoiceNo: cm.invoiceNo, amountCents: -credit }],
        });
        break;
      }
      case 'no_reference_known_payer': {
        const inv = addInvoice(c, bal, day, age);
        emit('no_reference_known_payer', { ...payer('id'), amountCents: bal, description: ['', 'Online payment', 'Payment'][v % 3]! }, { allocations: [full(inv)] });
        break;
      }
      case 'typo': {
        const inv = addInvoice(c, bal, day, age);
        const d = inv.invoiceNo.split('');
        const i = 3 + (v % (d.length - 3));
        d[i] = String((Number(d[i]) + 1 + (v % 8)) % 10);
        emit('typo', { ...payer('id'), amountCents: bal, invoiceId: d.join('') }, { allocations: [full(inv)] });
        break;
      }
      case 'declined_text':
      case 'declined_type':
      case 'no_approval_code':
      case 'unfamiliar_approval': {
        const inv = addInvoice(c, bal, day, age);
        const k = spec.kind;
        const codes =
          k === 'declined_text'
            ? { type: 'SALE', approvalCode: '', approvalMessage: DECLINE_MESSAGES[v % DECLINE_MESSAGES.length]! }
            : k === 'declined_type'
              ? { type: 'DECLINED', approvalCode: '', approvalMessage: DECLINE_MESSAGES[(v + 2) % DECLINE_MESSAGES.length]! }
              : k === 'no_approval_code'
                ? { type: 'SALE', approvalCode: '', approvalMessage: APPROVAL_MESSAGES[v % APPROVAL_MESSAGES.length]! }
                : { type: 'SALE', approvalCode: `TAS${100 + (v % 900)}`, approvalMessage: UNFAMILIAR_WITH_CODE[v % UNFAMILIAR_WITH_CODE.length]! };
        emit(k, { amountCents: bal, invoiceId: inv.invoiceNo, settled: '', ...codes }, { allocations: null, because: `${k}: ${JSON.stringify(codes)}` });
        break;
      }
      case 'not_a_receipt_type': {
        const inv = addInvoice(c, bal, day, age);
        const type = NON_RECEIPT_TYPES[v % NON_RECEIPT_TYPES.length]!;
        emit('not_a_receipt_type', { amountCents: bal, invoiceId: inv.invoiceNo, type }, { allocations: null, because: `transaction_type ${JSON.stringify(type)}` });
        break;
      }
      case 'ach_unconfirmed': {
        const inv = addInvoice(c, bal, day, age);
        const status = ACH_UNCONFIRMED_STATUSES[v % ACH_UNCONFIRMED_STATUSES.length]!;
        emit(
          'ach_unconfirmed',
          { amountCents: bal, invoiceId: inv.invoiceNo, method: 'ach', masked: account, achStatus: status, approvalCode: '', approvalMessage: '', settled: '' },
          { allocations: null, because: `ACH check.status ${status === '' ? '(none)' : JSON.stringify(status)}` },
        );
        break;
      }
      case 'void_row': {
        const inv = addInvoice(c, bal, day, age);
        emit('void_row', { amountCents: bal, invoiceId: inv.invoiceNo, type: 'VOID', settled: '' }, { allocations: null, because: 'VOID row' });
        break;
      }
      case 'voided_sale': {
        const inv = addInvoice(c, bal, day, age);
        const who = payer(spec.payer);
        emit('voided_sale', { ...who, amountCents: bal, invoiceId: inv.invoiceNo, settled: '' }, { allocations: null, because: 'sale voided by a later VOID row' });
        emit('void_row', { ...who, amountCents: bal, invoiceId: inv.invoiceNo, type: 'VOID', settled: '' }, { allocations: null, because: 'VOID row' }, abs + 5 + (v % 115));
        break;
      }
      case 'refunded_sale_partial':
      case 'refunded_sale_full': {
        // Refund only after settlement (§4, 817): sale on day 0 or 1, refund the next day.
        const saleDay = Math.min(day, EXPORT_DAYS - 2);
        const saleAt = saleDay * 1440 + DAY_START + (minute % DAY_MINUTES);
        const inv = addInvoice(c, bal, saleDay, age);
        const who = payer(spec.payer);
        const partial = spec.kind === 'refunded_sale_partial';
        const refund = partial ? Math.max(1, Math.round((bal * (20 + (v % 60))) / 100)) : bal;
        emit(spec.kind, { ...who, amountCents: bal, invoiceId: inv.invoiceNo, settled: settleStamp(saleDay) }, {
          allocations: partial ? [{ invoiceNo: inv.invoiceNo, amountCents: bal - refund }] : null,
          because: `sale refunded ${partial ? 'in part' : 'in full'} by a later REFUND row`,
        });
        // PayTrace's refund row names no sale: it copies invoice_id, customer_id and the card.
        emit('refund_row', { ...who, amountCents: refund, invoiceId: inv.invoiceNo, type: 'REFUND', settled: '' }, { allocations: null, because: 'REFUND row' }, saleAt + 1440 + (v % 300));
        break;
      }
      case 'duplicate': {
        const inv = addInvoice(c, bal, day, age);
        const who = payer(spec.payer);
        emit('duplicate_original', { ...who, amountCents: bal, invoiceId: inv.invoiceNo }, { allocations: [full(inv)] });
        emit('duplicate', { ...who, amountCents: bal, invoiceId: inv.invoiceNo }, { allocations: null, because: 'same card, amount and reference hours after an earlier sale' }, abs + 30 + (v % 330));
        break;
      }
      case 'declined_then_retry': {
        // The card is declined, the customer retries (same card, amount, reference) and it goes through.
        const inv = addInvoice(c, bal, day, age);
        const who = payer(spec.payer);
        const decline = { approvalCode: '', approvalMessage: DECLINE_MESSAGES[v % DECLINE_MESSAGES.length]!, settled: '' };
        emit('declined_text', { ...who, amountCents: bal, invoiceId: inv.invoiceNo, ...decline }, { allocations: null, because: `declined: ${JSON.stringify(decline.approvalMessage)}` });
        emit('retry_after_decline', { ...who, amountCents: bal, invoiceId: inv.invoiceNo }, { allocations: [full(inv)] }, abs + 2 + (v % 40));
        break;
      }
      case 'voided_then_resold': {
        // Keyed wrong, voided before settlement, keyed again: the new sale is the receipt.
        const inv = addInvoice(c, bal, day, age);
        const who = payer(spec.payer);
        emit('voided_sale', { ...who, amountCents: bal, invoiceId: inv.invoiceNo, settled: '' }, { allocations: null, because: 'sale voided by a later VOID row' });
        emit('void_row', { ...who, amountCents: bal, invoiceId: inv.invoiceNo, type: 'VOID', settled: '' }, { allocations: null, because: 'VOID row' }, abs + 3 + (v % 20));
        emit('resale_after_void', { ...who, amountCents: bal, invoiceId: inv.invoiceNo }, { allocations: [full(inv)] }, abs + 25 + (v % 30));
        break;
      }
      case 'duplicate_then_refunded': {
        // Charged twice; the merchant refunds one of them the next day. The refund names neither.
        const saleDay = Math.min(day, EXPORT_DAYS - 2);
        const saleAt = saleDay * 1440 + DAY_START + (minute % DAY_MINUTES);
        const inv = addInvoice(c, bal, saleDay, age);
        const who = payer(spec.payer);
        emit('double_charge_kept', { ...who, amountCents: bal, invoiceId: inv.invoiceNo, settled: settleStamp(saleDay) }, { allocations: [full(inv)] }, saleAt);
        emit('duplicate', { ...who, amountCents: bal, invoiceId: inv.invoiceNo, settled: settleStamp(saleDay) }, { allocations: null, because: 'charged twice (one of the two refunded later)' }, saleAt + 5 + (v % 90));
        emit('refund_row', { ...who, amountCents: bal, invoiceId: inv.invoiceNo, type: 'REFUND', settled: '' }, { allocations: null, because: 'REFUND row' }, saleAt + 1440 + (v % 300));
        break;
      }
      case 'paid_twice': {
        // Two people pay the same invoice in full with different cards: one receipt, one overpayment.
        const inv = addInvoice(c, bal, day, age);
        emit('paid_twice_first', { ...payer(spec.payer), amountCents: bal, invoiceId: inv.invoiceNo }, { allocations: [full(inv)] });
        emit(
          'paid_twice_second',
          { ...payer(spec.payer), masked: `************${String(1000 + ((scenario * 6271 + v * 17) % 9000))}`, amountCents: bal, invoiceId: inv.invoiceNo },
          { allocations: null, because: 'invoice already paid by an earlier payment in this export' },
          abs + 60 + (v % 600),
        );
        break;
      }
      case 'other_customer_invoice': {
        const inv = addInvoice(other, bal, day, age);
        emit('other_customer_invoice', { ...payer(v % 2 === 0 ? 'id' : 'name'), amountCents: bal, invoiceId: inv.invoiceNo }, { allocations: null, because: `invoice of ${other.customerId}, paid by ${c.customerId}` });
        break;
      }
      case 'unknown_payer': {
        addInvoice(c, bal, day, age); // the amount matches somebody's open invoice
        emit('unknown_payer', { customerId: '', billingName: STRANGERS[v % STRANGERS.length]!, amountCents: bal, description: ['', 'Payment', 'web payment'][v % 3]! }, { allocations: null, because: 'payer unknown, no reference' });
        break;
      }
      case 'ambiguous_amount': {
        addInvoice(c, bal, day, age + 20);
        addInvoice(c, bal, day, age);
        emit('ambiguous_amount', { ...payer('id'), amountCents: bal }, { allocations: null, because: 'no reference; two open invoices of the payer have this balance' });
        break;
      }
    }
    void contact;
  });

  for (const x of options.extraInvoices ?? []) {
    addInvoice(customers[Math.abs(x.customer) % customers.length]!, Math.max(100, Math.abs(x.amountCents)), 0, Math.abs(x.ageDays) % 120);
  }

  // Transaction ids increase with time (a refund gets a later id than its sale).
  drafts.sort((a, b) => a.absMinute - b.absMinute || a.second - b.second || a.seq - b.seq);
  let id = options.firstTransactionId ?? 79388101;
  const rows: RawExportRow[] = [];
  const truth: RowTruth[] = [];
  for (const d of drafts) {
    const transactionId = id;
    id += 1 + (d.parts.variant % 3);
    rows.push(buildRow({ ...d.parts, transactionId, createdAt: stampAt(d.absMinute, d.second) }));
    truth.push(fixAmbiguity({ ...d.truth, transactionId }, d.parts, invoices));
  }
  return {
    customers,
    invoices,
    rows,
    truth,
    envelope: { success: true, response_code: 1, status_message: 'Your request has been successfully completed.', transactions: rows, external_transaction_id: '' },
  };
}

/** A no-reference payment whose payer has several open invoices of that balance is ambiguous: never automatic. */
function fixAmbiguity(t: RowTruth, parts: Draft['parts'], invoices: readonly OpenInvoice[]): RowTruth {
  if (t.category !== 'no_reference_known_payer' || t.payerCustomerId === null) return t;
  const same = invoices.filter((i) => i.customerId === t.payerCustomerId && i.openBalanceCents === parts.amountCents);
  if (same.length <= 1) return t;
  return { ...t, category: 'ambiguous_amount', expectation: 'never', allocations: null, neverAutoBecause: 'no reference; several open invoices of the payer have this balance' };
}

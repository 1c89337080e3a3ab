import { cents, formatMoney, ZERO } from '@shared/money';
import { EXCEPTION_LABELS, type Allocation, type Candidate, type Customer, type ExceptionCode, type MatchMarker, type MatchOutcome, type PayTraceTransaction, type PaymentTerms, type SignalPoints } from '@shared/domain';
import { paymentVerdict, type PaymentVerdict, type PaymentVerdictRules } from '@shared/payment-verdict';
import { linkRefunds, originalIdOf, refundLinkKey, type ManualRefundLinks, type RefundLink } from '@shared/refund-links';
import { resolveMatchConfig, verdictRulesOf, type MatchConfig } from './config';
import { buildMatchIndex, type IndexedInvoice, type MatchIndex } from './match-index';
import { findExactSubsets } from './subset';
import { abbreviatedReferenceTokens, dayNumber, fastNormalizeReference, isOneEdit, nameTokens, normalizeName, referenceTokensOfField, wordReferenceTokens } from './text';
import type { MatchInput, Matcher } from './types';

// The matching engine. Per payment: find references (invoice_id, description,
// PO in customer_reference_id), resolve the payer, build candidate allocations,
// score each from per-signal points (GnuCash-style) and say why it does or does
// not qualify. Per batch: installments, then each invoice balance is claimed
// once, strongest evidence first. An automatic match must never be wrong, so
// "auto" needs a strong reference, an exact (or tolerated surcharge) amount,
// no blocker and a clear lead over the runner-up.

type RefKind = 'exact' | 'normalised' | 'po' | 'description' | 'typo';
type AmountKind = 'exact' | 'installment' | 'overpay_tolerance' | 'surcharge' | 'over' | 'short' | 'short_pay' | 'discount' | 'credit';

/** `signal` is shared by every candidate (and outcome) that this payer link supports. */
type PayerLink = Readonly<{ customerId: string; points: number; strong: boolean; signal: SignalPoints }>;

type PayerLinks = ReadonlyMap<string, PayerLink>;

/**
 * Per prepare(): payer resolution per (PayTrace customer id, billing name) and
 * date signals per age. Repeat payers are the norm, and sharing the resulting
 * SignalPoints keeps 100k outcomes small (less to allocate, copy and collect).
 */
type EngineCaches = {
  payers: Map<string, Map<string, PayerLinks>>;
  payerEntries: number;
  dates: Map<number, SignalPoints | null>;
  /** Reason lines of the shared signals above, so each outcome's `reasons` shares the string too. */
  texts: Map<SignalPoints, string>;
};

const PAYER_CACHE_MAX = 200_000;

function createCaches(): EngineCaches {
  return { payers: new Map(), payerEntries: 0, dates: new Map(), texts: new Map() };
}

type Draft = {
  slots: IndexedInvoice[];
  refKinds: (RefKind | null)[];
  origin: 'reference' | 'amount' | 'subset';
  installmentWith: number[] | null;
  extraBlockers: string[];
};

type Scored = {
  draft: Draft;
  allocations: Allocation[];
  signals: SignalPoints[];
  points: number;
  blockers: string[];
  flag: ExceptionCode | null;
  amountKind: AmountKind;
  unapplied: number;
  customerId: string | null;
  oldestDay: number;
  /** Shared and never mutated: replaced when a marker is added (most candidates have none). */
  markers: readonly MatchMarker[];
  remaining: number;
};

/** A sale that PayTrace refunded (partly) or voided by a separate row. */
type TakenBack = Readonly<{ by: readonly number[]; cents: number; maybe: readonly number[] }>;

type Evaluation = {
  t: PayTraceTransaction;
  order: number;
  payDay: number;
  payer: PayerLinks;
  missed: string[];
  notOpen: IndexedInvoice[];
  scored: Scored[];
  chosen: Scored | null;
  takenBack: TakenBack | null;
};

/** Store contents for prepare(); `history` are earlier transactions (duplicate and refund context). */
export type PrepareInput = Omit<MatchInput, 'transactions'>;

export type MatchRunOptions = Readonly<{
  /** Allocations already posted/approved (added to those given to prepare). */
  consumed?: MatchInput['consumed'];
  /** Earlier transactions, for duplicate detection and refund linking only. */
  history?: readonly PayTraceTransaction[];
  /** The clerk's refund links as they stand now (else those given to prepare). */
  refundLinks?: MatchInput['refundLinks'];
}>;

/** An index over a store's open invoices and customers, reusable across runs. */
export type PreparedMatcher = Readonly<{
  config: MatchConfig;
  invoiceCount: number;
  match(transactions: readonly PayTraceTransaction[], options?: MatchRunOptions): MatchOutcome[];
}>;

export type EngineMatcher = Matcher & Readonly<{ config: MatchConfig; prepare(input: PrepareInput): PreparedMatcher }>;

export function createMatcher(config: Partial<MatchConfig> = {}): EngineMatcher {
  const resolved = resolveMatchConfig(config);
  const prepare = (input: PrepareInput): PreparedMatcher => {
    const index = buildMatchIndex(input.invoices, input.customers, input.learned ?? [], resolved);
    const baseAvailable = availableBalances(index, input.consumed ?? []);
    const history = buildHistoryIndex(input.history ?? [], verdictRulesOf(resolved));
    const caches = createCaches();
    return {
      config: resolved,
      invoiceCount: index.invoices.length,
      match: (transactions, options = {}) => {
        const available = Float64Array.from(baseAvailable);
        applyConsumed(index, available, options.consumed ?? []);
        return runBatch(index, resolved, caches, transactions, available, history, options.history ?? [], options.refundLinks ?? input.refundLinks ?? NO_MANUAL_LINKS);
      },
    };
  };
  const matcher = (input: MatchInput): MatchOutcome[] => prepare(input).match(input.transactions);
  return Object.assign(matcher, { config: resolved, prepare });
}

// ---------------------------------------------------------------- batch


/** Open balance per invoice slot, less what earlier postings/approvals already took. */
function availableBalances(index: MatchIndex, consumed: NonNullable<MatchInput['consumed']>): Float64Array {
  const available = new Float64Array(index.invoices.length);
  for (const e of index.invoices) available[e.slot] = e.invoice.openBalanceCents;
  applyConsumed(index, available, consumed);
  return available;
}

function applyConsumed(index: MatchIndex, available: Float64Array, consumed: NonNullable<MatchInput['consumed']>): void {
  for (const c of consumed) {
    const e = index.byInvoiceNo.get(c.invoiceNo);
    if (e) available[e.slot] = Math.max(0, available[e.slot]! - c.amountCents);
  }
}

function runBatch(
  index: MatchIndex,
  config: MatchConfig,
  caches: EngineCaches,
  transactions: readonly PayTraceTransaction[],
  available: Float64Array,
  stored: HistoryIndex,
  extraHistory: readonly PayTraceTransaction[],
  manualLinks: ManualRefundLinks,
): MatchOutcome[] {
  const rules = verdictRulesOf(config);
  const history = extraHistory.length > 0 ? mergeHistory(stored, extraHistory, rules) : stored;
  const outcomes: MatchOutcome[] = new Array(transactions.length);
  const evaluations: Evaluation[] = [];

  const verdicts = transactions.map((t) => paymentVerdict(t, rules));
  const refunds = refundLinksOf(transactions, verdicts, history, rules, manualLinks);
  // A sale PayTrace took back in full (voided, refunded) is no original: the payer's re-keyed sale is not its duplicate.
  const takenBackInFull = new Set<number>();
  for (const [saleId, tb] of refunds.bySale) if (tb.by.length > 0 && tb.cents >= (refunds.sales.get(saleId)?.amountCents ?? Infinity)) takenBackInFull.add(saleId);
  const duplicates = findDuplicates(transactions, history, config, verdicts, takenBackInFull);

  for (let order = 0; order < transactions.length; order++) {
    const t = transactions[order]!;
    const verdict = verdicts[order]!;
    if (!verdict.received) {
      if (verdict.code === 'refund' || (verdict.code === 'voided' && refunds.links.has(t.transactionId))) {
        outcomes[order] = refundOutcome(t, verdict.code === 'voided' ? 'voided' : 'refund', refunds.links.get(t.transactionId) ?? null, refunds.sales, manualLinks.get(t.transactionId) === null);
      } else {
        outcomes[order] = exceptionOutcome(t, verdict.code, verdict.reason);
      }
      continue;
    }
    const takenBack = refunds.bySale.get(t.transactionId) ?? null;
    if (takenBack && takenBack.by.length > 0 && takenBack.cents >= t.amountCents) {
      outcomes[order] = { ...exceptionOutcome(t, 'refunded', `fully taken back by ${takenBackText(takenBack)}: nets to nothing to post`), refundedBy: takenBack.by, refundedCents: cents(takenBack.cents) };
      continue;
    }
    const dup = duplicates.get(t.transactionId);
    if (dup) {
      const hours = Math.abs(Date.parse(t.createdAt) - Date.parse(dup.createdAt)) / 3_600_000;
      outcomes[order] = exceptionOutcome(
        t,
        'duplicate_suspected',
        `Suspected duplicate of transaction ${dup.transactionId}: same card ${t.maskedCard}, amount ${money(t.amountCents, t.currency)} and reference, ${hours.toFixed(1)} h apart`,
      );
      continue;
    }
    // A partly refunded sale is matched on what it leaves (net), or on its full amount with the refund as a credit memo.
    const netted = takenBack && takenBack.by.length > 0 && config.partialRefundPosting === 'net' ? { ...t, amountCents: cents(t.amountCents - takenBack.cents) } : t;
    const ev = evaluate(index, config, caches, available, netted, order);
    ev.takenBack = takenBack;
    if (takenBack) holdForRefund(ev, takenBack, config);
    evaluations.push(ev);
  }

  markInstallments(evaluations, available, index, config, caches);
  for (const ev of evaluations) applyMargin(ev, config);
  resolveContests(evaluations, available);
  claimBalances(evaluations, available, config);
  for (const ev of evaluations) outcomes[ev.order] = finalOutcome(ev, config, caches);
  return outcomes;
}

// ---------------------------------------------------------------- per payment

const REF_RANK: Record<RefKind, number> = { exact: 5, normalised: 4, po: 3, description: 2, typo: 1 };

function evaluate(index: MatchIndex, config: MatchConfig, caches: EngineCaches, available: Float64Array, t: PayTraceTransaction, order: number): Evaluation {
  const hits: Hits = new Map();
  const notOpen: IndexedInvoice[] = [];
  const credits: Hits = new Map();
  const missed: string[] = [];
  const rawInvoiceId = t.invoiceId.trim();
  const rawParts = /[\s,;/&|+]/.test(rawInvoiceId) ? rawInvoiceId.split(/[\s,;/&|+]+/) : null;
  for (const tok of referenceTokensOfField(t.invoiceId)) {
    const refs = index.byRef.get(tok) ?? gluedPrefixRefs(index, tok);
    const pos = refs ? undefined : index.byPo.get(tok);
    if (refs) for (const e of refs) addHit(hits, credits, notOpen, available, e, (rawParts ? rawParts.includes(e.invoice.invoiceNo) : rawInvoiceId === e.invoice.invoiceNo) ? 'exact' : 'normalised');
    else if (pos) for (const e of pos) addHit(hits, credits, notOpen, available, e, 'po');
    else if (/\d/.test(tok)) missed.push(tok);
  }
  for (const tok of referenceTokensOfField(t.customerReferenceId)) {
    const pos = index.byPo.get(tok);
    const refs = pos ? undefined : (index.byRef.get(tok) ?? gluedPrefixRefs(index, tok));
    if (pos) for (const e of pos) addHit(hits, credits, notOpen, available, e, 'po');
    else if (refs) for (const e of refs) addHit(hits, credits, notOpen, available, e, 'normalised');
    else if (/\d/.test(tok)) missed.push(tok);
  }
  for (const tok of descriptionTokens(t.description)) {
    const refs = index.byRef.get(tok) ?? index.byPo.get(tok);
    if (refs) for (const e of refs) addHit(hits, credits, notOpen, available, e, 'description');
  }

  const payer = cachedPayer(index, caches, t, config.points);

  // One-character typos, searched only where corroboration could come from:
  // the payer's own invoices and invoices whose balance equals the amount.
  // Only a reference that names no invoice at all is a typo candidate: one that
  // names a real invoice decides (an invoice whose balance merely equals the
  // amount is never substituted for it), and an abbreviation's expansion
  // ("1003256/57" → 1003257) is what the payer meant, not a near miss.
  const abbreviated = missed.length > 0 ? abbreviatedReferenceTokens(t.invoiceId) : NO_TOKENS;
  const typoTokens = abbreviated.size === 0 ? missed : missed.filter((tok) => !abbreviated.has(tok));
  if (typoTokens.length > 0) {
    const pool: IndexedInvoice[] = [];
    for (const customerId of payer.keys()) pool.push(...(index.byCustomer.get(customerId) ?? []));
    pool.push(...(index.byBalance.get(t.amountCents) ?? []));
    for (const e of pool) {
      if (hits.has(e.slot) || available[e.slot]! <= 0) continue;
      for (const tok of typoTokens) {
        if (tok.length >= 5 && (isOneEdit(tok, e.norm) || (e.po !== '' && isOneEdit(tok, e.po)))) {
          hits.set(e.slot, { entry: e, kind: 'typo' });
          break;
        }
      }
    }
  }

  const drafts: Draft[] = [];
  const hitList = [...hits.values()].sort((a, b) => a.entry.day - b.entry.day || a.entry.slot - b.entry.slot);
  for (const h of hitList) drafts.push(draftOf(hits, [h.entry], 'reference'));
  if (hitList.length > 1 && hitList.length <= 12) {
    const all = hitList.map((h) => h.entry);
    drafts.push(draftOf(hits, all, 'reference'));
    const total = all.reduce((s, e) => s + available[e.slot]!, 0);
    if (total !== t.amountCents) {
      for (const subset of findExactSubsets(all, (e) => available[e.slot]!, t.amountCents, { maxSize: config.subsetMaxSize, maxNodes: config.subsetMaxNodes, maxResults: 3 })) {
        if (subset.length < all.length) drafts.push(draftOf(hits, sortByAge(subset), 'reference'));
      }
    }
  }

  let exactFromRefs = drafts.some((d) => d.slots.reduce((s, e) => s + available[e.slot]!, 0) === t.amountCents);
  if (!exactFromRefs && hitList.length > 0) {
    const netted = creditDrafts(index, hits, credits, hitList.map((h) => h.entry), available, t.amountCents);
    drafts.push(...netted);
    exactFromRefs = netted.length > 0;
  }
  if (!exactFromRefs) {
    const amountDrafts: Draft[] = [];
    for (const customerId of payer.keys()) {
      for (const e of index.byCustomer.get(customerId) ?? []) {
        if (available[e.slot] === t.amountCents && !hits.has(e.slot)) amountDrafts.push(draftOf(hits, [e], 'amount'));
      }
    }
    if (payer.size === 0 && hitList.length === 0) {
      for (const e of index.byBalance.get(t.amountCents) ?? []) {
        if (available[e.slot] === t.amountCents && amountDrafts.length < config.maxCandidates) amountDrafts.push(draftOf(hits, [e], 'amount'));
      }
    }
    if (amountDrafts.length === 1 && payer.size > 0) {
      // "Exactly one of that customer's open balances": another balance within tolerance of the amount makes it a guess.
      const only = amountDrafts[0]!.slots[0]!;
      const near = (index.byCustomer.get(only.invoice.customerId) ?? []).filter((e) => {
        const bal = available[e.slot]!;
        if (e === only || bal <= 0) return false;
        const band = Math.max(config.overpayToleranceCents, Math.floor((bal * config.surchargeMaxPercent) / 100));
        return Math.abs(t.amountCents - bal) <= band;
      });
      if (near.length > 0) amountDrafts[0]!.extraBlockers.push(`open balance of invoice ${near[0]!.invoice.invoiceNo} (${money(available[near[0]!.slot]!, t.currency)}) is within tolerance of the amount too`);
    }
    if (amountDrafts.length > 1) {
      const nos = amountDrafts.map((d) => d.slots[0]!.invoice.invoiceNo);
      for (const d of amountDrafts) {
        const others = nos.filter((n) => n !== d.slots[0]!.invoice.invoiceNo);
        d.extraBlockers.push(`amount also matches open invoice${others.length > 1 ? 's' : ''} ${others.slice(0, 4).join(', ')}${others.length > 4 ? '…' : ''}`);
      }
    }
    drafts.push(...amountDrafts.slice(0, config.maxCandidates * 2));

    if (amountDrafts.length === 0 && hitList.length === 0) {
      // Surcharge-sized payments on the payer's invoices (no reference).
      for (const customerId of payer.keys()) {
        for (const e of index.byCustomer.get(customerId) ?? []) {
          const bal = available[e.slot]!;
          if (bal > 0 && t.amountCents > bal && (t.amountCents - bal) * 100 <= bal * config.surchargeMaxPercent) drafts.push(draftOf(hits, [e], 'amount'));
        }
      }
    }
    if (amountDrafts.length === 0 && payer.size > 0) {
      const pool = new Map<number, IndexedInvoice>();
      for (const h of hitList) pool.set(h.entry.slot, h.entry);
      for (const customerId of payer.keys()) {
        const own = (index.byCustomer.get(customerId) ?? []).filter((e) => available[e.slot]! > 0);
        for (const e of own.slice(0, config.subsetMaxInvoices)) pool.set(e.slot, e);
      }
      if (pool.size >= 2) {
        const subsets = findExactSubsets([...pool.values()], (e) => available[e.slot]!, t.amountCents, {
          maxSize: config.subsetMaxSize,
          maxNodes: config.subsetMaxNodes,
          maxResults: 5,
        });
        for (const subset of subsets) drafts.push(draftOf(hits, sortByAge(subset), 'subset'));
      }
    }
  }

  const ev: Evaluation = { t, order, payDay: dayNumber(t.createdAt), payer, missed, notOpen, scored: [], chosen: null, takenBack: null };
  if (drafts.length === 1) {
    ev.scored.push(scoreDraft(ev, drafts[0]!, index, config, caches, available));
  } else if (drafts.length > 1) {
    const seen = new Set<string>();
    for (const d of drafts) {
      const key = slotKey(d.slots);
      if (seen.has(key)) continue;
      seen.add(key);
      ev.scored.push(scoreDraft(ev, d, index, config, caches, available));
    }
    sortScored(ev.scored);
  }
  return ev;
}

type Hits = Map<number, { entry: IndexedInvoice; kind: RefKind }>;

const GLUED_PREFIX = /^(?:INVOICE|INV|NO|NR|REF)#?(\d{3,})$/;

/** "INV1003802": a prefix typed without a space. Tried only when the token itself names nothing (an ERP may number invoices "INV…"). */
function gluedPrefixRefs(index: MatchIndex, tok: string): readonly IndexedInvoice[] | undefined {
  const m = GLUED_PREFIX.exec(tok);
  return m ? index.byRef.get(fastNormalizeReference(m[1]!)) : undefined;
}

const NO_TOKENS: ReadonlySet<string> = new Set();
const DIGIT = /\d/;

function descriptionTokens(description: string): string[] {
  if (!DIGIT.test(description)) return [];
  const words = wordReferenceTokens(description);
  const implied = abbreviatedReferenceTokens(description);
  return implied.size === 0 ? words : [...new Set([...words, ...implied])];
}

function addHit(hits: Hits, credits: Hits, notOpen: IndexedInvoice[], available: Float64Array, entry: IndexedInvoice, kind: RefKind): void {
  if (available[entry.slot]! < 0) {
    // A referenced open credit: applied only together with the invoices it is netted against.
    credits.set(entry.slot, { entry, kind });
    return;
  }
  if (available[entry.slot]! === 0) {
    if (!notOpen.includes(entry)) notOpen.push(entry);
    return;
  }
  const prior = hits.get(entry.slot);
  if (!prior || REF_RANK[kind] > REF_RANK[prior.kind]) hits.set(entry.slot, { entry, kind });
}

/** Most open credits of one customer tried against a payment (all their combinations). */
const MAX_CREDITS = 6;

/**
 * Customers pay invoices net of their open credits: the referenced invoices
 * plus one combination of the customer's open credits (referenced ones always
 * in) that leaves exactly the amount paid.
 */
function creditDrafts(index: MatchIndex, hits: Hits, credits: Hits, invoices: IndexedInvoice[], available: Float64Array, amount: number): Draft[] {
  const owners = new Set(invoices.map((e) => e.invoice.customerId));
  if (owners.size !== 1) return [];
  const owner = [...owners][0]!;
  const own = (index.byCustomer.get(owner) ?? []).filter((e) => available[e.slot]! < 0 && e.invoice.currency === invoices[0]!.invoice.currency);
  const forced = [...credits.values()].map((c) => c.entry).filter((e) => e.invoice.customerId === owner);
  const optional = own.filter((e) => !credits.has(e.slot)).slice(0, MAX_CREDITS);
  if (forced.length === 0 && optional.length === 0) return [];
  const invoiceTotal = invoices.reduce((s, e) => s + available[e.slot]!, 0);
  const forcedTotal = forced.reduce((s, e) => s + available[e.slot]!, 0);
  const out: Draft[] = [];
  const refKinds = new Map<number, RefKind>();
  for (const [slot, h] of hits) refKinds.set(slot, h.kind);
  for (const [slot, c] of credits) refKinds.set(slot, c.kind);
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    let total = invoiceTotal + forcedTotal;
    const chosen = [...forced];
    for (let i = 0; i < optional.length; i++) {
      if (mask & (1 << i)) {
        total += available[optional[i]!.slot]!;
        chosen.push(optional[i]!);
      }
    }
    if (chosen.length === 0 || total !== amount) continue;
    const slots = [...invoices, ...chosen];
    out.push({ slots, refKinds: slots.map((e) => refKinds.get(e.slot) ?? null), origin: 'reference', installmentWith: null, extraBlockers: [] });
    if (out.length >= 3) break;
  }
  return out;
}

function draftOf(hits: Hits, slots: IndexedInvoice[], origin: Draft['origin']): Draft {
  return { slots, refKinds: slots.map((s) => hits.get(s.slot)?.kind ?? null), origin, installmentWith: null, extraBlockers: [] };
}

function sortByAge(list: IndexedInvoice[]): IndexedInvoice[] {
  return [...list].sort((a, b) => a.day - b.day || a.slot - b.slot);
}

function slotKey(slots: readonly IndexedInvoice[]): string {
  return slots.length === 1 ? String(slots[0]!.slot) : slots.map((s) => s.slot).join(',');
}

function cachedPayer(index: MatchIndex, caches: EngineCaches, t: PayTraceTransaction, points: MatchConfig['points']): PayerLinks {
  let byName = caches.payers.get(t.customerId);
  let links = byName?.get(t.billingName);
  if (links) return links;
  if (caches.payerEntries >= PAYER_CACHE_MAX) {
    caches.payers.clear();
    caches.texts.clear();
    caches.dates.clear();
    caches.payerEntries = 0;
    byName = undefined;
  }
  links = resolvePayer(index, t, points);
  for (const l of links.values()) caches.texts.set(l.signal, reasonLine(l.signal));
  if (!byName) {
    byName = new Map();
    caches.payers.set(t.customerId, byName);
  }
  byName.set(t.billingName, links);
  caches.payerEntries++;
  return links;
}

function payerLink(customerId: string, signal: string, points: number, detail: string, strong: boolean): PayerLink {
  return { customerId, points, strong, signal: { signal, points, detail } };
}

function addLink(links: Map<string, PayerLink>, link: PayerLink): void {
  const prior = links.get(link.customerId);
  if (!prior || link.points > prior.points) links.set(link.customerId, link);
}

function resolvePayer(index: MatchIndex, t: PayTraceTransaction, points: MatchConfig['points']): Map<string, PayerLink> {
  const links = new Map<string, PayerLink>();
  const id = t.customerId.trim();
  if (id) {
    if (index.customers.has(id)) addLink(links, payerLink(id, 'customer_id', points.customerId, `PayTrace customer id ${id} is the ERP customer`, true));
    const learned = index.learnedById.get(id.toUpperCase());
    if (learned) addLink(links, payerLink(learned, 'customer_learned', points.customerLearned, `PayTrace customer ${id} was confirmed as ${learned} before`, true));
  }
  const name = normalizeName(t.billingName);
  if (name) {
    const learned = index.learnedByName.get(name);
    if (learned) addLink(links, payerLink(learned, 'customer_learned', points.customerLearned, `payer "${t.billingName}" was confirmed as ${learned} before`, true));
    const byName = index.byName.get(name) ?? [];
    for (const c of byName) {
      const shared = byName.length > 1;
      addLink(links, payerLink(c, 'customer_name', points.customerName - (shared ? 1 : 0), `billing name "${t.billingName}" is the customer's name${shared ? ` (shared by ${byName.length} customers)` : ''}`, false));
    }
    const byContact = index.byContact.get(name) ?? [];
    for (const c of byContact) {
      const shared = byContact.length > 1;
      addLink(links, payerLink(c, 'customer_contact', points.customerContact - (shared ? 1 : 0), `card holder "${t.billingName}" is a contact of ${c}${shared ? ` (and of ${byContact.length - 1} other customer${byContact.length > 2 ? 's' : ''})` : ''}`, false));
    }
    if (byName.length === 0 && byContact.length === 0) {
      const tokens = nameTokens(name);
      if (tokens.length >= 2) {
        // Start from the rarest word; a name made only of common words says nothing.
        const lists = tokens.map((tok) => index.byNameToken.get(tok) ?? []).sort((a, b) => a.length - b.length);
        let common: string[] | null = lists[0]!.length <= 50 ? [...lists[0]!] : null;
        for (const list of lists.slice(1)) {
          if (!common || common.length === 0) break;
          const set = new Set(list);
          common = common.filter((c) => set.has(c));
        }
        if (common && common.length === 1) {
          addLink(links, payerLink(common[0]!, 'customer_name', points.customerName - 1, `billing name "${t.billingName}" resembles ${common[0]!}'s name`, false));
        }
      }
    }
  }
  return links;
}

function scoreDraft(ev: Evaluation, draft: Draft, index: MatchIndex, config: MatchConfig, caches: EngineCaches, available: Float64Array): Scored {
  const { t } = ev;
  const p = config.points;
  // Pushed onto a reused scratch list and copied out at exact size: a list grown
  // by push keeps room for 16, and 100k candidates keep theirs.
  const signals = SIGNAL_SCRATCH;
  signals.length = 0;
  const blockers: string[] = [...draft.extraBlockers];
  let flag: ExceptionCode | null = null;
  const slots = draft.slots;
  const nos = slots.length === 1 ? [slots[0]!.invoice.invoiceNo] : slots.map((s) => s.invoice.invoiceNo);

  // Reference.
  const referenced = draft.refKinds.filter((k): k is RefKind => k !== null);
  const hasTypo = referenced.includes('typo');
  // An open credit the payer did not name is netted in on the amount's evidence: it needs review, but the invoices' references still count.
  let hasCredit = false;
  for (const e of slots) if (available[e.slot]! < 0) hasCredit = true;
  const unnamedCredits = hasCredit ? slots.filter((e, i) => draft.refKinds[i] === null && available[e.slot]! < 0) : NO_SLOTS;
  if (unnamedCredits.length > 0 && referenced.length > 0 && referenced.length + unnamedCredits.length === slots.length) {
    const weakest = referenced.reduce((w, k) => (REF_RANK[k] < REF_RANK[w] ? k : w));
    signals.push({ signal: `reference_${weakest}`, points: refPoints(p, weakest), detail: refDetail(weakest, t, nos.filter((_, i) => draft.refKinds[i] !== null)) });
    blockers.push(`open credit ${unnamedCredits.map((e) => e.invoice.invoiceNo).join(', ')} applied but not named by the payer`);
  } else if (referenced.length === slots.length) {
    const weakest = referenced.reduce((w, k) => (REF_RANK[k] < REF_RANK[w] ? k : w));
    signals.push({ signal: `reference_${weakest}`, points: refPoints(p, weakest), detail: refDetail(weakest, t, nos) });
  } else if (referenced.length > 0) {
    const missing = slots.filter((_, i) => draft.refKinds[i] === null).map((s) => s.invoice.invoiceNo);
    signals.push({ signal: 'reference_partial', points: p.referenceTypo, detail: `payment references ${referenced.length} of ${slots.length} invoices` });
    blockers.push(`invoice${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not referenced by the payer`);
  } else {
    blockers.push('no invoice reference: amount and payer are the only evidence');
  }

  // Amount.
  const total = slots.reduce((s, e) => s + available[e.slot]!, 0);
  const amount = t.amountCents;
  const cur = t.currency;
  const owners = slots.length === 1 ? [slots[0]!.invoice.customerId] : [...new Set(slots.map((s) => s.invoice.customerId))];
  const link = owners.length === 1 ? ev.payer.get(owners[0]!) : undefined;
  const strongReference = draft.origin === 'reference' && referenced.length === slots.length && !hasTypo;
  let markers: readonly MatchMarker[] = NO_MARKERS;
  let remaining = 0;
  let amountKind: AmountKind;
  let unapplied = 0;
  let allocations: Allocation[] = [];
  const credits = hasCredit ? slots.filter((e) => available[e.slot]! < 0) : NO_SLOTS;
  const balanceText = slots.length > 1 ? `the ${slots.length} open balances (${money(total, cur)})` : `the open balance ${money(total, cur)}`;
  const discount = slots.length === 1 && amount < total ? discountTaken(ev, slots[0]!, total, config) : null;
  if (draft.installmentWith) {
    amountKind = 'installment';
    signals.push({ signal: 'amount_installment', points: p.amountExact, detail: `installment: with transaction${draft.installmentWith.length > 1 ? 's' : ''} ${draft.installmentWith.join(', ')} pays ${balanceText} exactly` });
  } else if (credits.length > 0 && amount === total) {
    amountKind = 'credit';
    const creditText = credits.map((e) => `${e.invoice.invoiceNo} (${money(available[e.slot]!, cur)})`).join(', ');
    signals.push({ signal: 'amount_net_of_credit', points: p.amountExact, detail: `amount ${money(amount, cur)} equals the invoices less open credit ${creditText}` });
    markers = ['credit_applied'];
  } else if (amount === total) {
    amountKind = 'exact';
    signals.push({ signal: 'amount_exact', points: p.amountExact, detail: `amount ${money(amount, cur)} equals ${balanceText}` });
  } else if (discount) {
    amountKind = 'discount';
    signals.push({ signal: 'amount_discount', points: p.amountExact, detail: `amount ${money(amount, cur)} is ${balanceText} less a ${discount.text} early-payment discount of ${money(discount.cents, cur)}` });
    markers = ['discount'];
    if (!config.autoDiscount) blockers.push(`early-payment discount ${money(discount.cents, cur)} needs review (autoDiscount is off)`);
  } else if (amount > total) {
    const over = amount - total;
    unapplied = over;
    if (over <= config.overpayToleranceCents) {
      amountKind = 'overpay_tolerance';
      signals.push({ signal: 'amount_within_tolerance', points: p.amountWithinTolerance, detail: `amount ${signedMoney(over, cur)} over ${balanceText}, within the overpay tolerance (left unapplied)` });
    } else if (over * 100 <= total * config.surchargeMaxPercent) {
      amountKind = 'surcharge';
      const pct = ((over * 100) / total).toFixed(1);
      signals.push({ signal: 'amount_surcharge', points: p.amountWithinTolerance, detail: `amount ${signedMoney(over, cur)} (${pct}%) over ${balanceText}: card surcharge` });
      if (!config.autoSurcharge) blockers.push(`surcharge ${signedMoney(over, cur)} needs review (autoSurcharge is off)`);
    } else {
      amountKind = 'over';
      signals.push({ signal: 'amount_off', points: p.amountOff, detail: `amount ${signedMoney(over, cur)} over ${balanceText}` });
      blockers.push(`amount ${signedMoney(over, cur)}`);
      flag = raiseFlag(flag, 'overpayment');
    }
  } else if (config.shortPay !== 'off' && strongReference && slots.length === 1 && link && amount > 0 && credits.length === 0) {
    // Cash application: a short pay that names its invoice, from that invoice's customer, is applied and the rest stays open.
    amountKind = 'short_pay';
    remaining = total - amount;
    const pct = (remaining * 100) / total;
    signals.push({ signal: 'amount_short_pay', points: p.amountShort, detail: `short pay: ${money(amount, cur)} of ${balanceText}, ${money(remaining, cur)} (${pct.toFixed(1)}%) stays open` });
    markers = ['short_pay'];
    if (config.shortPay === 'suggested') blockers.push(`short pay of ${money(remaining, cur)} needs review (shortPay is "suggested")`);
    else if (pct > config.shortPayAutoMaxPercent) blockers.push(`short pay leaves ${pct.toFixed(1)}% open, above the automatic limit of ${config.shortPayAutoMaxPercent}%`);
  } else {
    amountKind = 'short';
    const short = amount - total;
    signals.push({ signal: 'amount_short', points: p.amountShort, detail: `amount ${signedMoney(short, cur)} short of ${balanceText}` });
    blockers.push(`amount ${signedMoney(short, cur)}`);
    flag = raiseFlag(flag, 'short_payment');
  }
  if (amountKind === 'short' || amountKind === 'short_pay') {
    let left: number = amount;
    for (const e of slots) {
      const take = Math.min(left, available[e.slot]!);
      if (take > 0) allocations.push({ invoiceNo: e.invoice.invoiceNo, amountCents: cents(take) });
      left -= take;
    }
  } else if (amountKind === 'installment') {
    allocations = [{ invoiceNo: slots[0]!.invoice.invoiceNo, amountCents: cents(amount) }];
  } else if (amountKind === 'discount') {
    allocations = [{ invoiceNo: slots[0]!.invoice.invoiceNo, amountCents: cents(amount), discountCents: cents(discount!.cents) }];
  } else if (slots.length === 1) {
    allocations = [{ invoiceNo: slots[0]!.invoice.invoiceNo, amountCents: cents(available[slots[0]!.slot]!) }];
  } else {
    allocations = slots.map((e) => ({ invoiceNo: e.invoice.invoiceNo, amountCents: cents(available[e.slot]!) }));
  }
  if (referenced.length === 0 && draft.origin === 'amount') markers = [...markers, 'no_reference'];

  // Customer.
  let customerCorroborated = false;
  if (owners.length > 1) {
    blockers.push(`invoices belong to ${owners.length} different customers (${owners.join(', ')})`);
  }
  const owner = owners[0]!;
  if (link) {
    customerCorroborated = true;
    signals.push(link.signal);
  } else if (ev.payer.size > 0) {
    const payerIds = [...ev.payer.keys()];
    signals.push({ signal: 'other_customer', points: p.otherCustomer, detail: `invoice ${nos[0]} belongs to ${owner}, payer looks like ${payerIds.join(' or ')}` });
    blockers.push(`invoice ${nos[0]} belongs to ${owner}${customerLabel(index, owner)}`);
    if (referenced.length > 0) flag = raiseFlag(flag, 'other_customer_invoice');
  } else if (draft.origin !== 'reference') {
    blockers.push('payer unknown');
  }

  // Date.
  let oldestDay = slots[0]!.day;
  for (const e of slots) if (e.day < oldestDay) oldestDay = e.day;
  const dateSignal = dateSignalOf(ev.payDay - oldestDay, config, caches);
  if (dateSignal) signals.push(dateSignal);

  // Currency.
  const foreign = slots.find((s) => s.invoice.currency !== t.currency);
  if (foreign) {
    blockers.push(`invoice ${foreign.invoice.invoiceNo} is in ${foreign.invoice.currency}, payment in ${t.currency}`);
    flag = raiseFlag(flag, 'currency_mismatch');
  }

  if (draft.extraBlockers.some((b) => b.startsWith('amount also matches'))) flag = raiseFlag(flag, 'ambiguous_amount');

  const points = signals.reduce((s, x) => s + x.points, 0);

  // Gating: why this candidate would not be automatic even without a hard blocker.
  if (hasTypo && !(config.autoTypo && amountKind === 'exact' && customerCorroborated)) {
    blockers.push('one-character reference typo without amount and customer corroboration');
  }
  if (referenced.length === 0 && config.autoWithoutReference && blockers.length === 1 && amountKind === 'exact' && slots.length === 1 && link?.strong) {
    blockers.splice(blockers.indexOf('no invoice reference: amount and payer are the only evidence'), 1);
  }
  if (blockers.length === 0 && points < config.autoMinPoints) {
    blockers.push(`${points} points, below the automatic threshold of ${config.autoMinPoints}`);
  }

  return {
    draft,
    allocations,
    signals: signals.slice(),
    points,
    blockers,
    flag,
    amountKind,
    unapplied: amountKind === 'short' || amountKind === 'installment' ? 0 : unapplied,
    customerId: owners.length === 1 ? owner : null,
    oldestDay,
    markers,
    remaining,
  };
}

/** Terms for an invoice: the site's per-customer terms, else the ERP's, else the site default. */
function termsOf(invoice: IndexedInvoice['invoice'], config: MatchConfig): PaymentTerms | null {
  return config.customerTerms[invoice.customerId] ?? invoice.terms ?? config.defaultTerms ?? null;
}

/**
 * An early-payment discount taken within terms: the payment is the open
 * balance less exactly the discount on the invoice total (to the cent, either
 * rounding), paid no later than the discount days (plus grace) after the invoice date.
 */
function discountTaken(ev: Evaluation, e: IndexedInvoice, open: number, config: MatchConfig): { cents: number; text: string } | null {
  const terms = termsOf(e.invoice, config);
  if (!terms || terms.discountBasisPoints <= 0) return null;
  const age = ev.payDay - e.day;
  if (age < -1 || age > terms.discountDays + config.discountGraceDays) return null;
  const exact = (e.invoice.amountCents * terms.discountBasisPoints) / 10000;
  const taken = open - ev.t.amountCents;
  if (taken !== Math.floor(exact) && taken !== Math.ceil(exact)) return null;
  return { cents: taken, text: `${terms.discountBasisPoints / 100}/${terms.discountDays} net ${terms.netDays}` };
}

const SIGNAL_SCRATCH: SignalPoints[] = [];
const NO_SLOTS: readonly IndexedInvoice[] = [];
const NO_MARKERS: readonly MatchMarker[] = Object.freeze([]);

function dateSignalOf(age: number, config: MatchConfig, caches: EngineCaches): SignalPoints | null {
  const known = caches.dates.get(age);
  if (known !== undefined) return known;
  const p = config.points;
  let signal: SignalPoints | null = null;
  if (age < -1) signal = { signal: 'invoice_after_payment', points: p.invoiceAfterPayment, detail: `invoice dated ${-age} days after the payment` };
  else if (age <= config.dateNearDays) signal = { signal: 'date_near', points: p.dateNear, detail: `paid ${Math.max(0, age)} days after the invoice date` };
  else if (age > config.dateFarDays) signal = { signal: 'date_far', points: p.dateFar, detail: `paid ${age} days after the invoice date` };
  caches.dates.set(age, signal);
  if (signal) caches.texts.set(signal, reasonLine(signal));
  return signal;
}

const FLAG_PRIORITY: readonly ExceptionCode[] = ['currency_mismatch', 'other_customer_invoice', 'overpayment', 'short_payment', 'ambiguous_amount'];

function raiseFlag(current: ExceptionCode | null, code: ExceptionCode): ExceptionCode {
  return current === null || FLAG_PRIORITY.indexOf(code) < FLAG_PRIORITY.indexOf(current) ? code : current;
}

function refPoints(p: MatchConfig['points'], kind: RefKind): number {
  switch (kind) {
    case 'exact':
      return p.referenceExact;
    case 'normalised':
      return p.referenceNormalised;
    case 'po':
      return p.referencePo;
    case 'description':
      return p.referenceDescription;
    case 'typo':
      return p.referenceTypo;
  }
}

function refDetail(kind: RefKind, t: PayTraceTransaction, nos: string[]): string {
  const what = nos.length > 1 ? `invoices ${nos.join(', ')}` : `invoice ${nos[0]}`;
  switch (kind) {
    case 'exact':
      return `${what} referenced exactly in invoice_id`;
    case 'normalised':
      return `${what} referenced as "${t.invoiceId || t.customerReferenceId}"`;
    case 'po':
      return `PO ${t.customerReferenceId || t.invoiceId} is on ${what}`;
    case 'description':
      return `${what} named in the description`;
    case 'typo':
      return `reference "${t.invoiceId || t.customerReferenceId}" is one character off ${what}`;
  }
}

function customerLabel(index: MatchIndex, customerId: string): string {
  const c: Customer | undefined = index.customers.get(customerId);
  return c && c.name ? ` (${c.name})` : '';
}

function sortScored(list: Scored[]): void {
  list.sort((a, b) => b.points - a.points || a.blockers.length - b.blockers.length || a.oldestDay - b.oldestDay || compareText(slotKey(a.draft.slots), slotKey(b.draft.slots)));
}

function applyMargin(ev: Evaluation, config: MatchConfig): void {
  const top = ev.scored[0];
  if (!top || top.blockers.length > 0 || ev.scored.length < 2) return;
  let second: Scored | undefined;
  if (top.amountKind !== 'exact') {
    second = ev.scored[1];
  } else {
    // A part of an exact multi-invoice payment is not a rival: the whole explains the amount.
    const topSlots = new Set(top.draft.slots.map((s) => s.slot));
    second = ev.scored.find((s, i) => i > 0 && !(s.draft.slots.length < topSlots.size && s.draft.slots.every((x) => topSlots.has(x.slot))));
  }
  if (!second) return;
  if (top.points - second.points < config.autoMinMargin) {
    top.blockers.push(`runner-up ${second.allocations.map((a) => a.invoiceNo).join(', ') || '(none)'} is within ${top.points - second.points} points`);
  }
}

// ---------------------------------------------------------------- batch passes

/** Several payments referencing one invoice whose amounts add up to its balance. */
function markInstallments(evaluations: Evaluation[], available: Float64Array, index: MatchIndex, config: MatchConfig, caches: EngineCaches): void {
  const groups = new Map<number, Evaluation[]>();
  for (const ev of evaluations) {
    const top = ev.scored[0];
    if (!top || (top.amountKind !== 'short' && top.amountKind !== 'short_pay') || top.draft.slots.length !== 1 || top.draft.origin !== 'reference') continue;
    if (top.draft.refKinds[0] === 'typo' || (top.amountKind === 'short' && top.flag !== 'short_payment')) continue;
    const slot = top.draft.slots[0]!.slot;
    const list = groups.get(slot);
    if (list) list.push(ev);
    else groups.set(slot, [ev]);
  }
  for (const [slot, members] of groups) {
    if (members.length < 2) continue;
    const sum = members.reduce((s, ev) => s + ev.t.amountCents, 0);
    if (sum !== available[slot]) continue;
    for (const ev of members) {
      const top = ev.scored[0]!;
      top.draft.installmentWith = members.filter((m) => m !== ev).map((m) => m.t.transactionId);
      ev.scored[0] = scoreDraft(ev, top.draft, index, config, caches, available);
      sortScored(ev.scored);
    }
  }
}

/**
 * Automatic candidates that want more of an invoice than is open: the one with
 * strictly the most points keeps it; on a tie nobody is automatic.
 */
function resolveContests(evaluations: Evaluation[], available: Float64Array): void {
  // Demand per invoice slot in typed arrays: at 100k payments a Map entry per
  // claimed invoice is most of this pass. Claimant lists are built only for
  // contested slots, in the order the slots are first claimed.
  const need = new Float64Array(available.length);
  const claims = new Uint32Array(available.length);
  const automatic: Evaluation[] = [];
  let shared = false;
  for (const ev of evaluations) {
    const top = ev.scored[0];
    if (!top || top.blockers.length > 0) continue;
    automatic.push(ev);
    const slots = top.draft.slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!.slot;
      need[slot]! += top.allocations[i]?.amountCents ?? 0;
      if (++claims[slot]! > 1) shared = true;
    }
  }
  if (!shared) return;
  const demand = new Map<number, { claimants: Evaluation[] }>();
  for (const ev of automatic) {
    for (const e of ev.scored[0]!.draft.slots) {
      if (claims[e.slot]! < 2 || need[e.slot]! <= available[e.slot]!) continue;
      const d = demand.get(e.slot);
      if (d) d.claimants.push(ev);
      else demand.set(e.slot, { claimants: [ev] });
    }
  }
  for (const [slot, d] of demand) {
    const best = Math.max(...d.claimants.map((ev) => ev.scored[0]!.points));
    const winners = d.claimants.filter((ev) => ev.scored[0]!.points === best);
    const invoiceNo = d.claimants[0]!.scored[0]!.draft.slots.find((s) => s.slot === slot)!.invoice.invoiceNo;
    for (const ev of d.claimants) {
      const others = d.claimants.filter((o) => o !== ev).map((o) => o.t.transactionId);
      if (winners.length > 1 && winners.includes(ev)) {
        ev.scored[0]!.blockers.push(`invoice ${invoiceNo} contested with transaction${others.length > 1 ? 's' : ''} ${others.join(', ')} (equal evidence)`);
      } else if (!winners.includes(ev)) {
        ev.scored[0]!.blockers.push(`invoice ${invoiceNo} contested: transaction ${winners[0]!.t.transactionId} has stronger evidence`);
      }
    }
  }
}

function claimBalances(evaluations: Evaluation[], available: Float64Array, config: MatchConfig): void {
  // Transaction id per claimed invoice slot (0: not claimed in this batch).
  const claimedBy = new Float64Array(available.length);
  const ordered = [...evaluations].sort((a, b) => {
    const sa = strength(a);
    const sb = strength(b);
    return sb - sa || compareText(a.t.createdAt, b.t.createdAt) || a.t.transactionId - b.t.transactionId;
  });
  for (const ev of ordered) {
    const limit = Math.min(ev.scored.length, config.maxCandidates);
    for (let k = 0; k < limit; k++) {
      const s = ev.scored[k]!;
      const taken = firstTaken(s, available);
      if (taken) {
        const by = claimedBy[taken.slot];
        s.blockers.push(`invoice ${taken.invoice.invoiceNo} already claimed${by ? ` by transaction ${by}` : ''}`);
        continue;
      }
      ev.chosen = s;
      if (consumesBalance(s)) {
        const slots = s.draft.slots;
        for (let i = 0; i < slots.length; i++) {
          const slot = slots[i]!.slot;
          available[slot] = available[slot]! - (s.allocations[i]?.amountCents ?? 0);
          claimedBy[slot] = ev.t.transactionId;
        }
      }
      break;
    }
  }
}

function firstTaken(s: Scored, available: Float64Array): IndexedInvoice | undefined {
  const slots = s.draft.slots;
  for (let i = 0; i < slots.length; i++) {
    const want = s.allocations[i]?.amountCents ?? 0;
    const left = available[slots[i]!.slot]!;
    // An open credit (negative) is taken when less of it is left than the allocation applies.
    if (want >= 0 ? want > left : want < left) return slots[i];
  }
  return undefined;
}

/** Plain code-unit order: ISO instants sort correctly, and it is locale-free and fast. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function strength(ev: Evaluation): number {
  const top = ev.scored[0];
  if (!top) return -1e9;
  return (top.blockers.length === 0 ? 1e6 : 0) + top.points;
}

function consumesBalance(s: Scored): boolean {
  return s.flag !== 'other_customer_invoice' && s.flag !== 'ambiguous_amount' && s.flag !== 'currency_mismatch' && !s.blockers.includes('payer unknown');
}

// ---------------------------------------------------------------- outcomes

function finalOutcome(ev: Evaluation, config: MatchConfig, caches: EngineCaches): MatchOutcome {
  const { t } = ev;
  const candidates = ev.scored.slice(0, config.maxCandidates).map((s) => toCandidate(s, config));
  const top = ev.scored[0];
  const chosen = ev.chosen;
  if (chosen && chosen === top && chosen.blockers.length === 0) {
    const reasons = chosen.signals.map((s) => caches.texts.get(s) ?? reasonLine(s));
    return {
      transactionId: t.transactionId,
      candidates,
      status: 'auto',
      allocations: chosen.allocations,
      customerId: chosen.customerId,
      score: scoreOf(chosen.points, config),
      reason: `Auto: ${oneLine(chosen)}${chosen.unapplied > 0 ? `; ${money(chosen.unapplied, t.currency)} ${chosen.amountKind === 'surcharge' ? 'surcharge' : 'unapplied'}` : ''}`,
      reasons,
      exception: null,
      unappliedCents: cents(chosen.unapplied),
      ...outcomeExtras(ev, chosen),
    };
  }
  if (chosen) {
    const reasons = [...chosen.signals.map((s) => caches.texts.get(s) ?? reasonLine(s)), ...chosen.blockers.map((b) => `not automatic: ${b}`)];
    const posts = consumesBalance(chosen);
    if (chosen.flag) {
      return {
        transactionId: t.transactionId,
      candidates,
        status: 'exception',
        allocations: posts ? chosen.allocations : [],
        customerId: chosen.customerId,
        score: scoreOf(chosen.points, config),
        reason: `${EXCEPTION_LABELS[chosen.flag]}: ${chosen.blockers[0] ?? oneLine(chosen)}`,
        reasons,
        exception: chosen.flag,
        unappliedCents: cents(posts ? chosen.unapplied : 0),
        ...outcomeExtras(ev, chosen),
      };
    }
    return {
      transactionId: t.transactionId,
      candidates,
      status: 'suggested',
      allocations: chosen.allocations,
      customerId: chosen.customerId,
      score: scoreOf(chosen.points, config),
      reason: `Suggested: ${oneLine(chosen)} (not automatic: ${chosen.blockers[0] ?? 'review'})`,
      reasons,
      exception: null,
      unappliedCents: cents(chosen.unapplied),
      ...outcomeExtras(ev, chosen),
    };
  }
  // Nothing usable: say why.
  const payerIds = [...ev.payer.keys()];
  let code: ExceptionCode;
  let reason: string;
  if (top) {
    code = 'invoice_not_open';
    reason = top.blockers.find((b) => b.includes('already claimed')) ?? 'every candidate invoice is already claimed';
  } else if (ev.notOpen.length > 0) {
    code = 'invoice_not_open';
    reason = `invoice ${ev.notOpen.map((e) => e.invoice.invoiceNo).join(', ')} has no open balance left`;
  } else if (ev.missed.length > 0) {
    code = 'invoice_not_found';
    reason = `no open invoice matches reference ${ev.missed.slice(0, 3).join(', ')}`;
  } else if (payerIds.length === 0) {
    code = 'unknown_payer';
    reason = `payer "${t.billingName || t.customerId || 'unnamed'}" is not a known customer and no reference was sent`;
  } else {
    code = 'no_reference';
    reason = `no reference and no open invoice of ${payerIds.join(' or ')} matches ${money(t.amountCents, t.currency)}`;
  }
  return {
    transactionId: t.transactionId,
    candidates,
    status: 'exception',
    allocations: [],
    customerId: payerIds.length === 1 ? payerIds[0]! : null,
    score: 0,
    reason: `${EXCEPTION_LABELS[code]}: ${reason}`,
    reasons: [reason],
    exception: code,
    unappliedCents: ZERO,
    ...outcomeExtras(ev, null),
  };
}

/** Markers, what a short pay leaves open, and the refunds a sale is netted with: only where they apply, so plain outcomes stay small. */
const NO_EXTRAS: Partial<Pick<MatchOutcome, 'markers' | 'remainingCents' | 'refundedBy' | 'refundedCents'>> = Object.freeze({});

function outcomeExtras(ev: Evaluation, chosen: Scored | null): Partial<Pick<MatchOutcome, 'markers' | 'remainingCents' | 'refundedBy' | 'refundedCents'>> {
  if ((!chosen || (chosen.markers.length === 0 && chosen.remaining <= 0)) && !(ev.takenBack && ev.takenBack.by.length > 0)) return NO_EXTRAS;
  const extras: { markers?: readonly MatchMarker[]; remainingCents?: ReturnType<typeof cents>; refundedBy?: number[]; refundedCents?: ReturnType<typeof cents> } = {};
  if (chosen && chosen.markers.length > 0) extras.markers = chosen.markers;
  if (chosen && chosen.remaining > 0) extras.remainingCents = cents(chosen.remaining);
  if (ev.takenBack && ev.takenBack.by.length > 0) {
    extras.refundedBy = [...ev.takenBack.by];
    extras.refundedCents = cents(ev.takenBack.cents);
  }
  return extras;
}


function toCandidate(s: Scored, config: MatchConfig): Candidate {
  return {
    allocations: s.allocations,
    customerId: s.customerId,
    score: scoreOf(s.points, config),
    points: s.points,
    signals: s.signals,
    // The points are in `signals`; reasons reuse the detail strings (100k rows add up).
    reasons: s.signals.map(signalDetail),
    blockers: s.blockers,
  };
}

/** The details of the three strongest positive signals (earlier first on equal points), "; "-joined. */
function oneLine(s: Scored): string {
  let a: SignalPoints | null = null;
  let b: SignalPoints | null = null;
  let c: SignalPoints | null = null;
  for (const x of s.signals) {
    if (x.points <= 0) continue;
    if (!a || x.points > a.points) {
      c = b;
      b = a;
      a = x;
    } else if (!b || x.points > b.points) {
      c = b;
      b = x;
    } else if (!c || x.points > c.points) {
      c = x;
    }
  }
  if (!a) return '';
  if (!b) return a.detail;
  return c ? `${a.detail}; ${b.detail}; ${c.detail}` : `${a.detail}; ${b.detail}`;
}

function signalDetail(s: SignalPoints): string {
  return s.detail;
}

function reasonLine(s: SignalPoints): string {
  return `${s.detail} (${s.points >= 0 ? '+' : ''}${s.points})`;
}

function scoreOf(points: number, config: MatchConfig): number {
  return Math.round(Math.min(1, Math.max(0, points / config.scorePoints)) * 100) / 100;
}

function exceptionOutcome(t: PayTraceTransaction, code: ExceptionCode, reason: string): MatchOutcome {
  return {
    transactionId: t.transactionId,
    status: 'exception',
    allocations: [],
    customerId: null,
    candidates: [],
    score: 0,
    // A reason that already opens with the label ("Declined (…)") is not labelled twice.
    reason: reason.toLowerCase().startsWith(EXCEPTION_LABELS[code].toLowerCase()) ? reason : `${EXCEPTION_LABELS[code]}: ${reason}`,
    reasons: [reason],
    exception: code,
    unappliedCents: ZERO,
  };
}

/** "$1,234.50". USD is formatted by hand: Intl is slow enough to show at 100k payments. */
function money(value: number, currency: string): string {
  if (currency !== 'USD') return formatMoney(value, currency);
  const abs = Math.abs(value);
  const whole = groupThousands(String(Math.floor(abs / 100)));
  const frac = abs % 100;
  return `${value < 0 ? '-' : ''}$${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

/** "1234567" → "1,234,567" (digits only). */
function groupThousands(digits: string): string {
  if (digits.length <= 3) return digits;
  let head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (; head < digits.length; head += 3) out += `,${digits.slice(head, head + 3)}`;
  return out;
}

/** "+$3.30" / "−$12.40" (a real minus sign, as the grid shows it). */
function signedMoney(value: number, currency: string): string {
  return `${value < 0 ? '−' : '+'}${money(Math.abs(value), currency)}`;
}

// ---------------------------------------------------------------- duplicates & refunds

function refKey(t: PayTraceTransaction): string {
  return `${fastNormalizeReference(t.invoiceId)}|${fastNormalizeReference(t.customerReferenceId)}`;
}

type HistoryIndex = Readonly<{
  ids: ReadonlySet<number>;
  dupGroups: ReadonlyMap<string, readonly PayTraceTransaction[]>;
  /**
   * Earlier sales and take-backs (refunds, VOID rows) by the fields a refund
   * copies from its sale, and by an original id a take-back names: a batch
   * needs only the groups its own rows fall in, so a 1,000-payment re-match
   * does not re-link 100k earlier rows.
   */
  refundGroups: ReadonlyMap<string, readonly PayTraceTransaction[]>;
  byId: ReadonlyMap<number, PayTraceTransaction>;
  namingSale: ReadonlyMap<number, readonly PayTraceTransaction[]>;
  /** Invoice ids (trimmed, upper case) that earlier take-backs copy. */
  takebackInvoices: ReadonlySet<string>;
}>;

function duplicateKey(t: PayTraceTransaction, received: boolean): string | null {
  // Only money received can be paid twice: a declined attempt and its approved retry are not duplicates.
  if (!received || t.maskedCard.trim() === '') return null;
  return `${t.maskedCard.trim()}|${t.amountCents}|${t.currency}|${refKey(t)}`;
}

/** Built once per prepare(): earlier transactions grouped for duplicate checks. */
function buildHistoryIndex(history: readonly PayTraceTransaction[], rules: PaymentVerdictRules): HistoryIndex {
  const dupGroups = new Map<string, PayTraceTransaction[]>();
  for (const t of history) {
    const key = duplicateKey(t, paymentVerdict(t, rules).received);
    if (key === null) continue;
    const list = dupGroups.get(key);
    if (list) list.push(t);
    else dupGroups.set(key, [t]);
  }
  const refundGroups = new Map<string, PayTraceTransaction[]>();
  const byId = new Map<number, PayTraceTransaction>();
  const namingSale = new Map<number, PayTraceTransaction[]>();
  const takebackInvoices = new Set<string>();
  for (const t of history) {
    const role = refundRole(paymentVerdict(t, rules));
    if (role === null) continue;
    byId.set(t.transactionId, t);
    pushTo(refundGroups, refundLinkKey(t), t);
    if (role === 'takeback') takebackInvoices.add(linkInvoice(t));
    const named = role === 'takeback' ? originalIdOf(t.raw) : null;
    if (named !== null) pushTo(namingSale, named, t);
  }
  return { ids: new Set(history.map((t) => t.transactionId)), dupGroups, refundGroups, byId, namingSale, takebackInvoices };
}

/** The invoice-id part of a refund link key (shared/refund-links.ts), for a cheap first test. */
function linkInvoice(t: PayTraceTransaction): string {
  return t.invoiceId.trim().toUpperCase();
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function refundRole(v: PaymentVerdict): 'sale' | 'takeback' | null {
  if (v.received) return 'sale';
  return v.code === 'refund' || v.code === 'voided' ? 'takeback' : null;
}

function mergeHistory(stored: HistoryIndex, extra: readonly PayTraceTransaction[], rules: PaymentVerdictRules): HistoryIndex {
  const more = buildHistoryIndex(extra.filter((t) => !stored.ids.has(t.transactionId)), rules);
  const concat = <K,>(a: ReadonlyMap<K, readonly PayTraceTransaction[]>, b: ReadonlyMap<K, readonly PayTraceTransaction[]>) => {
    const merged = new Map(a);
    for (const [k, list] of b) merged.set(k, [...(merged.get(k) ?? []), ...list]);
    return merged;
  };
  return {
    ids: new Set([...stored.ids, ...more.ids]),
    dupGroups: concat(stored.dupGroups, more.dupGroups),
    refundGroups: concat(stored.refundGroups, more.refundGroups),
    byId: new Map([...stored.byId, ...more.byId]),
    namingSale: concat(stored.namingSale, more.namingSale),
    takebackInvoices: new Set([...stored.takebackInvoices, ...more.takebackInvoices]),
  };
}

/** Later payments with the same card, amount and reference inside the window → the earlier one. */
function findDuplicates(
  transactions: readonly PayTraceTransaction[],
  history: HistoryIndex,
  config: MatchConfig,
  verdicts: readonly PaymentVerdict[],
  takenBack: ReadonlySet<number>,
): Map<number, PayTraceTransaction> {
  const windowMs = config.duplicateWindowHours * 3_600_000;
  // Without history every group member is in the batch: no id set needed.
  const batchIds = history.dupGroups.size > 0 ? new Set(transactions.map((t) => t.transactionId)) : null;
  // A key seen once holds the transaction itself; a list is made only for a
  // second sighting (almost every key is seen once).
  const groups = new Map<string, PayTraceTransaction | PayTraceTransaction[]>();
  for (let i = 0; i < transactions.length; i++) {
    const t = transactions[i]!;
    if (takenBack.has(t.transactionId)) continue;
    const key = duplicateKey(t, verdicts[i]!.received);
    if (key === null) continue;
    const group = groups.get(key);
    if (group === undefined) {
      const earlier = batchIds ? history.dupGroups.get(key)?.filter((h) => !batchIds.has(h.transactionId) && !takenBack.has(h.transactionId)) : undefined;
      if (earlier && earlier.length > 0) {
        earlier.push(t);
        groups.set(key, earlier);
      } else {
        groups.set(key, t);
      }
    } else if (Array.isArray(group)) {
      group.push(t);
    } else {
      groups.set(key, [group, t]);
    }
  }
  const result = new Map<number, PayTraceTransaction>();
  for (const list of groups.values()) {
    if (!Array.isArray(list) || list.length < 2) continue;
    list.sort((a, b) => compareText(a.createdAt, b.createdAt) || a.transactionId - b.transactionId);
    for (let i = 1; i < list.length; i++) {
      const t = list[i]!;
      const prev = list[i - 1]!;
      if ((!batchIds || batchIds.has(t.transactionId)) && Date.parse(t.createdAt) - Date.parse(prev.createdAt) <= windowMs) result.set(t.transactionId, prev);
    }
  }
  return result;
}

type RefundLinks = Readonly<{
  links: ReadonlyMap<number, RefundLink>;
  bySale: ReadonlyMap<number, TakenBack>;
  sales: ReadonlyMap<number, PayTraceTransaction>;
}>;

const NO_REFUNDS: RefundLinks = { links: new Map(), bySale: new Map(), sales: new Map() };

/** Refunds and separate VOID rows of this batch and of history, linked to the sales they take money back from. */
const NO_MANUAL_LINKS: ManualRefundLinks = new Map();

function refundLinksOf(
  transactions: readonly PayTraceTransaction[],
  verdicts: readonly PaymentVerdict[],
  history: HistoryIndex,
  rules: PaymentVerdictRules,
  manual: ManualRefundLinks,
): RefundLinks {
  const takebacks: PayTraceTransaction[] = [];
  const sales: PayTraceTransaction[] = [];
  const seen = new Set<number>();
  const add = (t: PayTraceTransaction, role: 'sale' | 'takeback') => {
    if (seen.has(t.transactionId)) return;
    seen.add(t.transactionId);
    (role === 'sale' ? sales : takebacks).push(t);
  };
  // Only a sale that some take-back could reach matters: one sharing the invoice id a take-back
  // copies, one a take-back names, or one a clerk linked. Checking the invoice id first keeps a
  // 100k batch from building a link key per sale.
  const takebackInvoices = new Set(history.takebackInvoices);
  const named = new Set<number>(history.namingSale.keys());
  for (const saleId of manual.values()) if (saleId !== null) named.add(saleId);
  const keys = new Set<string>();
  for (let i = 0; i < transactions.length; i++) {
    if (refundRole(verdicts[i]!) !== 'takeback') continue;
    const t = transactions[i]!;
    add(t, 'takeback');
    keys.add(refundLinkKey(t));
    takebackInvoices.add(linkInvoice(t));
    const id = originalIdOf(t.raw);
    if (id !== null) named.add(id);
  }
  if (takebackInvoices.size === 0 && named.size === 0) return NO_REFUNDS;
  for (let i = 0; i < transactions.length; i++) {
    if (refundRole(verdicts[i]!) !== 'sale') continue;
    const t = transactions[i]!;
    if (!takebackInvoices.has(linkInvoice(t)) && !named.has(t.transactionId)) continue;
    add(t, 'sale');
    keys.add(refundLinkKey(t));
  }
  // Links never cross groups except through an id a take-back names: bring in exactly those earlier rows.
  for (const key of keys) for (const h of history.refundGroups.get(key) ?? []) add(h, refundRole(paymentVerdict(h, rules))!);
  for (const t of [...sales]) for (const h of history.namingSale.get(t.transactionId) ?? []) add(h, 'takeback');
  for (const t of [...takebacks]) {
    const named = originalIdOf(t.raw);
    const sale = named === null ? undefined : history.byId.get(named);
    if (!sale) continue;
    add(sale, 'sale');
    for (const h of history.refundGroups.get(refundLinkKey(sale)) ?? []) add(h, refundRole(paymentVerdict(h, rules))!);
  }
  if (manual.size > 0) {
    // The clerk's links cross any group: bring in both ends.
    const inBatch = new Set(transactions.map((t) => t.transactionId));
    for (const [refundId, saleId] of manual) {
      if (saleId === null || !(inBatch.has(refundId) || inBatch.has(saleId))) continue;
      const refund = history.byId.get(refundId);
      const sale = history.byId.get(saleId);
      if (refund) add(refund, 'takeback');
      if (sale) add(sale, 'sale');
    }
  }
  if (takebacks.length === 0) return NO_REFUNDS;
  const links = linkRefunds(sales, takebacks, manual);
  const byId = new Map<number, PayTraceTransaction>();
  for (const s of sales) byId.set(s.transactionId, s);
  const amounts = new Map<number, number>();
  for (const r of takebacks) amounts.set(r.transactionId, r.amountCents);
  const bySale = new Map<number, { by: number[]; cents: number; maybe: number[] }>();
  const entry = (saleId: number) => {
    let e = bySale.get(saleId);
    if (!e) bySale.set(saleId, (e = { by: [], cents: 0, maybe: [] }));
    return e;
  };
  for (const link of links.values()) {
    const e = entry(link.saleId);
    e.by.push(link.refundId);
    e.cents += amounts.get(link.refundId) ?? 0;
    for (const other of link.alsoPossible) entry(other).maybe.push(link.refundId);
  }
  return { links, bySale, sales: byId };
}

function takenBackText(tb: TakenBack): string {
  return `PayTrace ${tb.by.length > 1 ? 'transactions' : 'transaction'} ${tb.by.join(', ')}`;
}

/** A sale with a linked (or possibly linked) refund is never automatic: the clerk confirms what to post. */
function holdForRefund(ev: Evaluation, tb: TakenBack, config: MatchConfig): void {
  const lines: string[] = [];
  if (tb.by.length > 0) {
    const how = config.partialRefundPosting === 'net' ? 'proposed as one net receipt' : 'proposed as the full receipt, the refund as a credit memo';
    lines.push(`refunded ${money(tb.cents, ev.t.currency)} by ${takenBackText(tb)}: ${how}`);
  }
  if (tb.maybe.length > 0) lines.push(`refund ${tb.maybe.join(', ')} may belong to this sale (same invoice, customer and card): check before posting`);
  for (const s of ev.scored) {
    s.blockers.push(...lines);
    if (tb.by.length > 0 && config.partialRefundPosting === 'net' && !s.markers.includes('refund_netted')) s.markers = [...s.markers, 'refund_netted'];
  }
}

function refundOutcome(t: PayTraceTransaction, code: 'refund' | 'voided', link: RefundLink | null, sales: ReadonlyMap<number, PayTraceTransaction>, clerkSaidNone: boolean): MatchOutcome {
  const what = code === 'voided' ? 'void' : 'refund';
  const amount = money(t.amountCents, t.currency);
  const sale = link ? sales.get(link.saleId) : undefined;
  if (clerkSaidNone) return { ...exceptionOutcome(t, code, `${what} of ${amount}: a clerk recorded that it belongs to none of the synced sales; not a receipt`), refundOf: null };
  if (!link || !sale) {
    return { ...exceptionOutcome(t, code, `${what} of ${amount}${t.invoiceId ? ` (reference ${t.invoiceId})` : ''}; its sale is not among the synced payments: link it by hand, not a receipt`), refundOf: null };
  }
  const partial = sale.amountCents !== t.amountCents ? ` (partial: sale was ${money(sale.amountCents, sale.currency)})` : '';
  const others = link.alsoPossible.length > 0 ? `; sale ${link.alsoPossible.join(', ')} would fit too` : link.how === 'clerk' ? ' (linked by a clerk)' : '';
  return {
    ...exceptionOutcome(t, code, `${what} of ${amount} for sale ${sale.transactionId}${sale.invoiceId ? ` (invoice ${sale.invoiceId})` : ''}${partial}${others}; not a receipt`),
    refundOf: sale.transactionId,
  };
}

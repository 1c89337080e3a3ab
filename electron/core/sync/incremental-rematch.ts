import type { MatchOutcome, OpenInvoice, PayTraceTransaction } from '@shared/domain';
import { normalizeReference, splitReferences } from '@shared/reference';
import { originalIdOf, refundLinkKey } from '@shared/refund-links';
import type { EngineMatcher } from '../matching/engine';
import type { Matcher } from '../matching/types';
import type { Db } from '../store/db';
import { listCustomers, listOpenInvoices } from '../store/queries/ledger';
import { listLearned } from '../store/queries/learned';
import { listRefundLinks } from '../store/queries/refund-links';
import { approvedUnpostedAllocations, pendingTransactionIds, saveOutcomes } from '../store/queries/matches';
import { listTransactions, newestTransactionStamp, transactionIdsUpdatedAfter } from '../store/queries/transactions';

// Re-matching after a sync, limited to what can have changed.
//
// The matcher decides a batch together (each invoice's balance is claimed once,
// strongest evidence first; contests, installments, duplicates and refunds look
// across payments), so "what changed" is a closure, computed conservatively:
//
// 1. Dirty keys: every key of an invoice that is new, gone or different (number,
//    PO, customer, old and new balance; approvals count as balance changes) and
//    of a transaction that is new or changed in the store, newly undecided, or
//    decided since the last run (it leaves the batch, its claims are released,
//    it becomes duplicate/refund history).
// 2. Seed: the undecided transactions that are new/changed or carry a dirty key.
// 3. Closure: add every undecided transaction sharing a key (PayTrace customer
//    id, resolved customer, a digit-bearing reference token, an invoice of its
//    last outcome, card + reference, the refund link fields, an original
//    transaction id) with the set, until nothing joins.
// 4. Match the set with a prepared matcher over the full store, then check: if
//    one of its new outcomes names an invoice that an outcome left alone names,
//    that transaction joins and the set is matched again.
//
// Customers, learned mappings or the configuration changing, or no previous
// run in this process, mean a full re-match. The result is the outcome a full
// re-match would give (test/integration/incremental-rematch.test.ts compares).

export type RematchResult = Readonly<{
  mode: 'full' | 'incremental';
  /** Undecided transactions. */
  pending: number;
  /** Transactions the matcher ran over. */
  rematched: number;
  /** Stored outcomes that changed (decided rows are never overwritten). */
  saved: number;
  /** Why the run was full, when it was. */
  fullBecause?: string;
}>;

export type RematchRequest = Readonly<{
  /** Transactions upserted (new or changed content) since the last run; null: unknown, treat all as changed. */
  changedTransactionIds: readonly number[] | null;
  /** Force a full re-match. */
  full?: boolean;
}>;

/** `keys`: from the transaction; `outcome`: its last outcome's invoices (`i:`) and resolved customer (`o:`). */
type TxnMemo = { keys: string[]; outcome: string[] };

type State = {
  invoices: Map<string, { fp: string; keys: string[] }>;
  customersFp: string;
  learnedFp: string;
  /** The clerk's refund links: one changing re-matches everything (they are rare and cross any key). */
  linksFp: string;
  pending: Set<number>;
  decided: Set<number>;
  /** Keys of each undecided transaction and the invoices its outcome names. */
  memo: Map<number, TxnMemo>;
  /** Every stored transaction, kept between runs; refreshed from what changed. */
  transactions: Map<number, PayTraceTransaction>;
  /** Newest `updated_at` of a stored transaction seen so far. */
  transactionsStamp: string;
};

/** More changed transactions than this: read them all again rather than one by one. */
const RELOAD_ALL_ABOVE = 20_000;

function byCreated(a: PayTraceTransaction, b: PayTraceTransaction): number {
  // The order listTransactions gives (created_at, transaction_id).
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.transactionId - b.transactionId;
}

const OUTCOME_SAVE_CHUNK = 2000;

export class IncrementalRematcher {
  private state: State | null = null;

  constructor(private readonly matcher: Matcher | EngineMatcher) {}

  /** Forget the last run (outcomes were written by someone else): the next run is full. */
  reset(): void {
    this.state = null;
  }

  /** The stored transactions: all of them on a first or full run, else the previous ones refreshed by what changed. */
  private loadTransactions(
    db: Db,
    prev: State | null,
    request: RematchRequest,
    pendingIds: readonly number[],
  ): { transactions: Map<number, PayTraceTransaction>; stamp: string; all: PayTraceTransaction[] } {
    const stamp = newestTransactionStamp(db);
    if (prev && !request.full && request.changedTransactionIds !== null) {
      const ids = new Set([...request.changedTransactionIds, ...transactionIdsUpdatedAfter(db, prev.transactionsStamp)]);
      for (const id of pendingIds) if (!prev.transactions.has(id)) ids.add(id);
      if (ids.size <= RELOAD_ALL_ABOVE) {
        const transactions = prev.transactions;
        for (const t of listTransactions(db, [...ids])) transactions.set(t.transactionId, t);
        return { transactions, stamp, all: [...transactions.values()].sort(byCreated) };
      }
    }
    const all = listTransactions(db);
    return { transactions: new Map(all.map((t) => [t.transactionId, t])), stamp, all };
  }

  run(db: Db, request: RematchRequest): RematchResult {
    const prev = this.state;
    const pendingIds = pendingTransactionIds(db);
    const pendingSet = new Set(pendingIds);
    const { transactions, stamp, all } = this.loadTransactions(db, prev, request, pendingIds);
    const invoices = listOpenInvoices(db);
    const customers = listCustomers(db);
    const learned = listLearned(db);
    const consumed = approvedUnpostedAllocations(db);
    const history = all.filter((t) => !pendingSet.has(t.transactionId));
    const pending = all.filter((t) => pendingSet.has(t.transactionId));

    const consumedBy = new Map<string, number>();
    for (const c of consumed) consumedBy.set(c.invoiceNo, (consumedBy.get(c.invoiceNo) ?? 0) + c.amountCents);
    const invoiceState = new Map<string, { fp: string; keys: string[] }>();
    for (const i of invoices) invoiceState.set(i.invoiceNo, { fp: invoiceFingerprint(i, consumedBy.get(i.invoiceNo) ?? 0), keys: invoiceKeys(i) });
    const customersFp = JSON.stringify(customers);
    const learnedFp = JSON.stringify(learned);
    const refundLinks = listRefundLinks(db);
    const linksFp = JSON.stringify([...refundLinks]);
    const decided = new Set(history.map((t) => t.transactionId));

    const prepare = 'prepare' in this.matcher ? this.matcher.prepare : null;
    let fullBecause: string | null = null;
    if (request.full) fullBecause = 'asked for';
    else if (!prev) fullBecause = 'first run';
    else if (!prepare) fullBecause = 'matcher without prepare()';
    else if (request.changedTransactionIds === null) fullBecause = 'changed transactions unknown';
    else if (prev.customersFp !== customersFp) fullBecause = 'customers changed';
    else if (prev.learnedFp !== learnedFp) fullBecause = 'learned mappings changed';
    else if (prev.linksFp !== linksFp) fullBecause = 'refund links changed';

    const memo = new Map<number, TxnMemo>();
    for (const t of pending) memo.set(t.transactionId, { keys: transactionKeys(t), outcome: prev?.memo.get(t.transactionId)?.outcome ?? [] });

    const input = { invoices, customers, learned, consumed, history, refundLinks };
    let selected: PayTraceTransaction[];
    let outcomes: MatchOutcome[];
    if (fullBecause !== null || !prev || !prepare) {
      selected = pending;
      outcomes = this.matcher({ ...input, transactions: pending });
    } else {
      const dirty = new Set<string>();
      const seeds = new Set<number>();
      // What the caller reports, and what the store says changed since the last run.
      const changed = new Set([...(request.changedTransactionIds ?? []), ...transactionIdsUpdatedAfter(db, prev.transactionsStamp)]);
      // Invoices: new, gone or different.
      for (const [no, now] of invoiceState) {
        const before = prev.invoices.get(no);
        if (before?.fp === now.fp) continue;
        for (const k of now.keys) dirty.add(k);
        if (before) for (const k of before.keys) dirty.add(k);
      }
      for (const [no, before] of prev.invoices) if (!invoiceState.has(no)) for (const k of before.keys) dirty.add(k);
      // Transactions that left the batch (decided, or gone): their keys and the invoices they held.
      for (const id of prev.pending) {
        if (pendingSet.has(id)) continue;
        const m = prev.memo.get(id);
        if (m) for (const k of [...m.keys, ...m.outcome]) dirty.add(k);
      }
      // Newly decided history changes duplicate and refund context.
      for (const t of history) {
        if (prev.decided.has(t.transactionId) && !changed.has(t.transactionId)) continue;
        for (const k of transactionKeys(t)) dirty.add(k);
      }
      // Changed or newly undecided transactions are matched in any case.
      for (const t of pending) {
        const id = t.transactionId;
        if (changed.has(id) || !prev.pending.has(id)) seeds.add(id);
        else if (hasAny(memo.get(id)!, dirty)) seeds.add(id);
      }
      const set = closure(seeds, pending, memo);
      let prepared: ReturnType<typeof prepare> | null = null;
      for (;;) {
        selected = pending.filter((t) => set.has(t.transactionId));
        outcomes = selected.length > 0 ? (prepared ??= prepare(input)).match(selected) : [];
        // A new outcome naming an invoice that an outcome left alone names: that transaction joins.
        const named = new Set<string>();
        for (const o of outcomes) for (const k of outcomeKeys(o)) if (k.startsWith('i:')) named.add(k);
        const joining = new Set<number>();
        for (const t of pending) {
          if (set.has(t.transactionId)) continue;
          if (memo.get(t.transactionId)!.outcome.some((k) => named.has(k))) joining.add(t.transactionId);
        }
        if (joining.size === 0) break;
        for (const id of closure(joining, pending, memo)) set.add(id);
      }
    }

    for (const o of outcomes) {
      const m = memo.get(o.transactionId);
      if (m) m.outcome = outcomeKeys(o);
    }
    let saved = 0;
    for (let i = 0; i < outcomes.length; i += OUTCOME_SAVE_CHUNK) saved += saveOutcomes(db, outcomes.slice(i, i + OUTCOME_SAVE_CHUNK));

    this.state = { invoices: invoiceState, customersFp, learnedFp, linksFp, pending: pendingSet, decided, memo, transactions, transactionsStamp: stamp };
    return {
      mode: fullBecause === null ? 'incremental' : 'full',
      pending: pending.length,
      rematched: selected.length,
      saved,
      ...(fullBecause !== null ? { fullBecause } : {}),
    };
  }
}

function hasAny(m: TxnMemo, dirty: ReadonlySet<string>): boolean {
  for (const k of m.keys) if (dirty.has(k)) return true;
  for (const k of m.outcome) if (dirty.has(k)) return true;
  return false;
}

/** The seeds plus every undecided transaction linked to them through a shared key, transitively. */
function closure(seeds: ReadonlySet<number>, pending: readonly PayTraceTransaction[], memo: ReadonlyMap<number, TxnMemo>): Set<number> {
  const byKey = new Map<string, number[]>();
  const keysOf = (id: number): string[] => {
    const m = memo.get(id)!;
    return [...m.keys, ...m.outcome];
  };
  for (const t of pending) {
    for (const k of keysOf(t.transactionId)) {
      if (k.startsWith('a:')) continue; // an equal amount alone is no competition
      let list = byKey.get(k);
      if (!list) byKey.set(k, (list = []));
      list.push(t.transactionId);
    }
  }
  const set = new Set<number>(seeds);
  const seenKeys = new Set<string>();
  const queue = [...seeds];
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const k of keysOf(id)) {
      if (k.startsWith('a:') || seenKeys.has(k)) continue;
      seenKeys.add(k);
      for (const other of byKey.get(k) ?? []) {
        if (!set.has(other)) {
          set.add(other);
          queue.push(other);
        }
      }
    }
  }
  return set;
}

function outcomeKeys(o: MatchOutcome): string[] {
  const keys = new Set<string>();
  for (const a of o.allocations) keys.add(`i:${a.invoiceNo}`);
  for (const c of o.candidates) for (const a of c.allocations) keys.add(`i:${a.invoiceNo}`);
  if (o.customerId) keys.add(`o:${o.customerId}`);
  return [...keys];
}

function invoiceFingerprint(i: OpenInvoice, consumedCents: number): string {
  const t = i.terms;
  return [
    i.customerId,
    i.customerName ?? '',
    i.invoiceDate,
    i.dueDate ?? '',
    i.amountCents,
    i.openBalanceCents,
    consumedCents,
    i.currency,
    i.poNo,
    t ? `${t.discountBasisPoints}/${t.discountDays}/${t.netDays}` : '',
  ].join('\u0001');
}

/** Reference tokens a payer may have typed for this text: whole-field forms and each digit-bearing word. */
function referenceTokens(text: string): string[] {
  if (!text) return [];
  const out = new Set<string>();
  const whole = normalizeReference(text);
  if (whole) out.add(whole);
  for (const r of splitReferences(text)) out.add(r);
  for (const word of text.toUpperCase().split(/[^A-Z0-9]+/)) {
    if (!/\d/.test(word)) continue;
    out.add(word);
    out.add(word.replace(/^0+(?=\d)/, ''));
    const digits = word.replace(/\D+/g, '').replace(/^0+(?=\d)/, '');
    if (digits.length >= 3) out.add(digits);
  }
  return [...out].map((t) => `r:${t}`);
}

function invoiceKeys(i: OpenInvoice): string[] {
  const keys = new Set<string>([`i:${i.invoiceNo}`, `o:${i.customerId}`, `p:${i.customerId.toUpperCase()}`, `a:${i.openBalanceCents}`]);
  for (const k of referenceTokens(i.invoiceNo)) keys.add(k);
  for (const k of referenceTokens(i.poNo)) keys.add(k);
  return [...keys];
}

/**
 * A transaction's keys. Payments compete through invoices (their references, their
 * payer's invoices, the invoices their last outcome named); duplicates are the same
 * card, amount and reference; a refund links to a sale by an id the row names or by
 * the invoice id, customer id and card it copies (shared/refund-links.ts).
 */
function transactionKeys(t: PayTraceTransaction): string[] {
  const keys = new Set<string>([`a:${t.amountCents}`, `t:${t.transactionId}`]);
  if (t.customerId) {
    keys.add(`p:${t.customerId.toUpperCase()}`);
    keys.add(`o:${t.customerId}`);
  }
  const refs: string[] = [];
  for (const field of [t.invoiceId, t.description, t.customerReferenceId]) for (const k of referenceTokens(field)) refs.push(k);
  for (const r of refs) keys.add(r);
  keys.add(`l:${refundLinkKey(t)}`);
  if (t.maskedCard) for (const r of refs.length > 0 ? refs : ['r:']) keys.add(`c:${t.maskedCard}|${r}`);
  const original = originalIdOf(t.raw);
  if (original !== null) keys.add(`t:${original}`);
  return [...keys];
}

import type { Allocation, PayTraceTransaction } from '@shared/domain';
import { normalizeName } from './text';
import type { LearnedMapping } from './types';

// What a clerk's confirmation teaches the matcher: the payer's PayTrace
// customer id and billing name now point at the ERP customer they confirmed.
// Pure functions; the caller stores the result.

export type Confirmation = Readonly<{
  transaction: Pick<PayTraceTransaction, 'customerId' | 'billingName'>;
  /** The ERP customer the clerk confirmed (the owner of the allocated invoices). */
  customerId: string;
  allocations?: readonly Allocation[];
}>;

export type LearnedUpdate = Readonly<{
  mapping: LearnedMapping;
  /** The customer this key pointed at before, when the clerk overruled it. */
  replaced: string | null;
}>;

export function normalizeLearnedValue(key: LearnedMapping['key'], raw: string): string {
  return key === 'paytrace_customer_id' ? raw.trim().toUpperCase() : normalizeName(raw);
}

function keyOf(m: Pick<LearnedMapping, 'key' | 'value'>): string {
  return `${m.key}\u0000${normalizeLearnedValue(m.key, m.value)}`;
}

/**
 * Mappings to upsert after one confirmation. A key that already points at the
 * confirmed customer gains a confirmation; one that pointed elsewhere is
 * replaced and starts again at 1 (the clerk's latest word wins, but a single
 * confirmation is weaker than a history of them).
 */
export function learnFromConfirmation(confirmation: Confirmation, existing: readonly LearnedMapping[]): LearnedUpdate[] {
  const customerId = confirmation.customerId.trim();
  if (!customerId) return [];
  const current = new Map(existing.map((m) => [keyOf(m), m]));
  const updates: LearnedUpdate[] = [];
  const consider = (key: LearnedMapping['key'], raw: string): void => {
    const value = normalizeLearnedValue(key, raw);
    if (!value) return;
    // The PayTrace id equal to the ERP id needs no mapping: the engine sees it directly.
    if (key === 'paytrace_customer_id' && value === customerId.toUpperCase()) return;
    const before = current.get(`${key}\u0000${value}`);
    if (before && before.customerId === customerId) {
      updates.push({ mapping: { ...before, value, confirmations: before.confirmations + 1 }, replaced: null });
    } else {
      updates.push({ mapping: { key, value, customerId, confirmations: 1 }, replaced: before ? before.customerId : null });
    }
  };
  consider('paytrace_customer_id', confirmation.transaction.customerId);
  consider('billing_name', confirmation.transaction.billingName);
  return updates;
}

/** Applies updates to a mapping list (what a store would hold afterwards). */
export function applyLearnedUpdates(existing: readonly LearnedMapping[], updates: readonly LearnedUpdate[]): LearnedMapping[] {
  const byKey = new Map(existing.map((m) => [keyOf(m), m]));
  for (const u of updates) byKey.set(keyOf(u.mapping), u.mapping);
  return [...byKey.values()];
}

import type { InboxItem, InboxKind } from '@shared/api/inbox';
import type { MethodName } from '@shared/api-contract';
import { invoke } from '../../api/client';

// Each kind's decisions go through its own four-eyes method; the inbox only
// chooses which one. A new InboxItem kind adds its case here.

export const INBOX_SECTIONS: ReadonlyArray<Readonly<{ kind: InboxKind; title: string }>> = [
  { kind: 'refund', title: 'Refund requests' },
  { kind: 'refund_conflict', title: 'Refunds held back' },
  { kind: 'write_off', title: 'Write-offs' },
  { kind: 'override', title: 'Tolerance overrides' },
  { kind: 'reversal', title: 'Receipt reversals' },
];

/** What a supervisor can do with an item: approve/reject, resolve a conflict, or run a reversal again. */
export type InboxActions = 'decide' | 'resolve' | 'run';

export function actionsFor(item: InboxItem): InboxActions {
  if (item.kind === 'refund_conflict') return 'resolve';
  if (item.kind === 'reversal' && item.stage !== 'approval') return 'run';
  return 'decide';
}

/** The reads a decision changes: fetched again after it. */
export const DECISION_INVALIDATES: readonly MethodName[] = ['inbox:list', 'inbox:counts', 'refunds:list', 'controls:list'];

export function approve(item: InboxItem, password: string, code: Readonly<{ code?: string }>): Promise<unknown> {
  switch (item.kind) {
    case 'refund':
      return invoke('refunds:approve', { refundId: item.refundId, password, ...code });
    case 'write_off':
    case 'override':
    case 'reversal':
      return invoke('controls:approve', { controlId: item.controlId, password, ...code });
    case 'refund_conflict':
      return Promise.reject(new Error('A refund held back is reduced or discarded, not approved.'));
  }
}

export function reject(item: InboxItem, reason: string): Promise<unknown> {
  switch (item.kind) {
    case 'refund':
    case 'refund_conflict':
      return invoke('refunds:reject', { refundId: item.refundId, reason });
    case 'write_off':
    case 'override':
    case 'reversal':
      return invoke('controls:reject', { controlId: item.controlId, reason });
  }
}

export function itemLabel(item: InboxItem): string {
  switch (item.kind) {
    case 'refund':
      return 'Refund';
    case 'refund_conflict':
      return 'Refund held back';
    case 'write_off':
      return 'Write-off';
    case 'override':
      return 'Override';
    case 'reversal':
      return item.stage === 'approval' ? 'Reversal' : item.stage === 'failed' ? 'Reversal failed' : 'Reversal waiting';
  }
}

export function formatAge(minutes: number): string {
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

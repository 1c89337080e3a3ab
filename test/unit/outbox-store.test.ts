import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cents } from '../../shared/money';
import { discardDeadLetter, listDeadLetters, retryDeadLetter, DeadLetterError } from '../../electron/core/posting/dead-letters';
import { openStore } from '../../electron/core/store/db';
import { StoredDataError } from '../../electron/core/store/json-column';
import * as outbox from '../../electron/core/store/queries/outbox';
import { parseReceiptPayload } from '../../electron/core/store/queries/outbox-payloads';
import { upsertTransactions } from '../../electron/core/store/queries/transactions';
import { storedSale } from '../support/stored-sale';

// The outbox's SQL, as the runner and the dead-letter queue use it.

const at = (m: number) => new Date(Date.UTC(2026, 0, 5, 15, m)).toISOString();

function store() {
  const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-outbox-')));
  const t = storedSale(501, { amountCents: cents(12_500), createdAt: at(0), billingName: 'Acme Co', maskedCard: 'xxxxxxxxxxxx1111', raw: {} });
  upsertTransactions(db, [t], at(0));
  const payload = { reference: '501', customerId: 'C1', date: '2026-01-05', amountCents: 12_500, currency: 'USD', paymentMethod: 'card', allocations: [{ invoiceNo: 'INV-1', amountCents: 12_500 }], extra: 'kept' };
  outbox.enqueueReceipt(db, { key: '501', transactionId: 501, payloadJson: JSON.stringify(payload), now: at(0) });
  return db;
}

describe('outbox store', () => {
  it('claims a due row once, with a lease; a second claim gets nothing until the lease ends', () => {
    const db = store();
    expect(outbox.dueCount(db, at(1))).toBe(1);
    const row = outbox.claimDue(db, 'a', at(1), at(3));
    expect(row).toMatchObject({ id: expect.any(Number), state: 'queued', attempts: 0 });
    expect(outbox.claimDue(db, 'b', at(2), at(4))).toBeNull();
    expect(outbox.claimDue(db, 'b', at(4), at(6))?.id).toBe(row!.id);
  });

  it('a dead letter retried keeps its attempts (the next send looks up first); discarded and approved again reuses the row', () => {
    const db = store();
    const row = outbox.claimDue(db, 'a', at(1), at(3))!;
    outbox.markSending(db, row.id, at(1));
    outbox.park(db, row.id, 'dead', 'refused', at(2));
    expect(outbox.outboxCounts(db)).toMatchObject({ dead: 1, queued: 0 });
    const [letter] = listDeadLetters(db);
    expect(letter).toMatchObject({ transactionId: 501, payer: 'Acme Co', amountCents: 12_500, invoices: ['INV-1'], lastError: 'refused' });
    expect(letter!.attempts.map((a) => a.outcome)).toEqual(['dead']);

    retryDeadLetter(db, 501, 'clerk', at(3));
    expect(outbox.outboxFor(db, 501)).toMatchObject({ state: 'retry_wait', attempts: 1, next_attempt_at: at(3) });
    expect(() => retryDeadLetter(db, 501, 'clerk', at(3))).toThrow(DeadLetterError);

    outbox.park(db, row.id, 'dead', 'refused again', at(4));
    discardDeadLetter(db, 501, 'clerk', undefined, at(5));
    expect(outbox.outboxFor(db, 501)?.state).toBe('discarded');
    outbox.enqueueReceipt(db, { key: '501', transactionId: 501, payloadJson: outbox.outboxFor(db, 501)!.payload_json, now: at(6) });
    expect(outbox.outboxFor(db, 501)).toMatchObject({ id: row.id, state: 'queued', attempts: 1 });
  });

  it('payloads read back through their schema, keeping fields the schema does not name', () => {
    const db = store();
    const p = parseReceiptPayload(outbox.outboxFor(db, 501)!.payload_json);
    expect(p).toMatchObject({ reference: '501', amountCents: 12_500, extra: 'kept' });
    expect(() => parseReceiptPayload('{"reference": 501}')).toThrow(StoredDataError);
  });
});

import { expect } from 'vitest';
import type { OpenInvoice } from '@shared/domain';
import { ErpError } from '../../electron/core/erp/errors';

/** Hands out pairs of open invoices of one customer, a fresh pair per call, so tests stay independent. */
export function invoicePairs(invoices: readonly OpenInvoice[]): () => [OpenInvoice, OpenInvoice] {
  const byCustomer = new Map<string, OpenInvoice[]>();
  for (const i of invoices) byCustomer.set(i.customerId, [...(byCustomer.get(i.customerId) ?? []), i]);
  const pairs = [...byCustomer.values()].filter((l) => l.length >= 2).map((l) => [l[0]!, l[1]!] as [OpenInvoice, OpenInvoice]);
  let cursor = 0;
  return () => {
    const p = pairs[cursor++];
    if (!p) throw new Error('demo world ran out of invoice pairs');
    return p;
  };
}

/** Awaits a promise that must reject with a typed ErpError of this kind. */
export async function expectErp(p: Promise<unknown>, kind: ErpError['kind']): Promise<ErpError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ErpError);
  expect((e as ErpError).kind).toBe(kind);
  return e as ErpError;
}

/** The ErpError a promise rejects with, whatever its kind; anything else fails the test. */
export async function erpErrorOf(p: Promise<unknown>): Promise<ErpError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof ErpError)) throw new Error(`expected an ErpError, got ${String(e)}`);
  return e;
}

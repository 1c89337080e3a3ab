import { z } from 'zod';
import { cents } from '@shared/money';
import type { CreditMemoRequest, ReceiptRequest } from '../../erp/connector';
import { parseJsonColumn } from '../json-column';

// outbox.payload_json read back through a schema. Loose objects: a field this
// schema does not name still reaches the ERP as it was queued.

const centsField = z.number().int().transform((n) => cents(n));

const receiptSchema = z.looseObject({
  reference: z.string(),
  customerId: z.string(),
  date: z.string(),
  amountCents: centsField,
  currency: z.string(),
  paymentMethod: z.enum(['card', 'ach']),
  allocations: z.array(z.looseObject({ invoiceNo: z.string(), amountCents: centsField })),
  unappliedCents: centsField.optional(),
  writeOffs: z.array(z.looseObject({ invoiceNo: z.string(), amountCents: centsField, reasonCode: z.string() })).optional(),
});

const creditMemoSchema = z.looseObject({
  reference: z.string(),
  originalReference: z.string(),
  customerId: z.string(),
  date: z.string(),
  amountCents: centsField,
  currency: z.string(),
  invoiceNo: z.string().optional(),
  reason: z.string(),
});

export function parseReceiptPayload(text: string): ReceiptRequest {
  return parseJsonColumn(receiptSchema, text, 'outbox.payload_json');
}

export function parseCreditMemoPayload(text: string): CreditMemoRequest {
  return parseJsonColumn(creditMemoSchema, text, 'outbox.payload_json');
}

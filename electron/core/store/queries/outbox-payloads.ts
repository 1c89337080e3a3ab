import { z } from 'zod';
import { centsSchema } from '@shared/domain-schemas';
import type { CreditMemoRequest, ReceiptRequest } from '../../erp/connector';
import { receiptRequestSchema } from '../../erp/receipt-request';
import { parseJsonColumn } from '../json-column';

// outbox.payload_json read back through a schema (a receipt's is the
// connectors' own, erp/receipt-request.ts). Loose objects: a field the schema
// does not name still reaches the ERP as it was queued.

const creditMemoSchema = z.looseObject({
  reference: z.string(),
  originalReference: z.string(),
  customerId: z.string(),
  date: z.string(),
  amountCents: centsSchema,
  currency: z.string(),
  invoiceNo: z.string().optional(),
  reason: z.string(),
});

export function parseReceiptPayload(text: string): ReceiptRequest {
  return parseJsonColumn(receiptRequestSchema, text, 'outbox.payload_json');
}

export function parseCreditMemoPayload(text: string): CreditMemoRequest {
  return parseJsonColumn(creditMemoSchema, text, 'outbox.payload_json');
}

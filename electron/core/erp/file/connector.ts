import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { centsToDecimalString } from '@shared/money';
import type {
  ConnectionDiagnosis,
  CreditMemoRecord,
  CreditMemoRequest,
  ErpCapabilities,
  ErpConnector,
  ReceiptRecord,
  ReceiptRequest,
} from '../connector';
import { checkReceipt } from '../receipt-request';
import { ErpError, isErpError } from '../errors';
import { refuseIfAlreadyPosted } from '../look-up-first';
import { confirmReceiptBooked } from '../read-back';
import type { ErpConnectionConfig } from '../kind-module';
import { exportCreditMemo, exportReceipt, readExportedCreditMemo, readExportedReceipt } from './export';
import { assertCleanOpenAr, findOpenInvoices, openArPages } from './open-ar';
import { parseFileOptions, type FileOptions } from './options';
import { discoverFile } from './discover';

// The File "ERP": open AR from the site's CSV/XLSX export, receipts and
// credit memos exported as files for the ERP's own import (docs/erp/file.md).

// Discounts, write-offs and open credits are columns of the receipt file (docs/erp/file.md): whatever imports it gets them.
const CAPABILITIES: ErpCapabilities = { postReceipts: 'file', creditMemos: 'file', receiptLookup: true, reverseReceipt: false, writeOffs: true, discounts: true, applyCredits: true };

// References become file names, so only characters safe on every file system.
const SAFE_REFERENCE = /^[A-Za-z0-9._-]+$/;

export function createFileConnector(config: ErpConnectionConfig): ErpConnector {
  const options: FileOptions = parseFileOptions(config.baseUrl, config.options);

  function checkReference(reference: string): void {
    if (!reference || reference.length > options.referenceMaxLength) {
      throw new ErpError('validation', `Reference "${reference.slice(0, 80)}" must be 1-${options.referenceMaxLength} characters`);
    }
    if (!SAFE_REFERENCE.test(reference) || reference.startsWith('.')) {
      throw new ErpError('validation', `Reference "${reference}" may only hold letters, digits, ".", "_" and "-"`);
    }
  }

  async function findReceipt(reference: string): Promise<ReceiptRecord | null> {
    checkReference(reference);
    return readExportedReceipt(options.outputFolder, reference);
  }

  async function postReceipt(r: ReceiptRequest): Promise<ReceiptRecord> {
    checkReference(r.reference);
    const cash = checkReceipt(r, { writeOffs: true, discounts: true, credits: true, reasonMaxLength: 40 }, (problem) => `Receipt ${r.reference}: ${problem}`);
    await refuseIfAlreadyPosted(() => findReceipt(r.reference), (existing) => `Receipt ${r.reference} was already exported as ${existing.erpDocumentId}`);
    // Check the allocations against the open AR the ERP exported; a bad file stops the post.
    const invoices = await findOpenInvoices(options, cash.lines.map((l) => l.invoiceNo));
    for (const line of cash.lines) {
      const inv = invoices.get(line.invoiceNo);
      if (!inv || inv.customerId !== r.customerId) {
        throw new ErpError('not_found', `Invoice ${line.invoiceNo} is not open for customer ${r.customerId} in ${basename(options.openArPath)}`);
      }
      if (inv.currency !== r.currency) throw new ErpError('validation', `Invoice ${line.invoiceNo} is in ${inv.currency}, the receipt in ${r.currency}`);
      if (line.amountCents < 0) {
        // An open credit applied: the row must be a credit (negative balance) with at least that much left.
        if (inv.openBalanceCents >= 0) throw new ErpError('validation', `${line.invoiceNo} is not an open credit in ${basename(options.openArPath)}; a negative line can only apply a credit memo`);
        if (-line.amountCents > -inv.openBalanceCents) {
          throw new ErpError('validation', `Credit ${line.invoiceNo} has ${centsToDecimalString(-inv.openBalanceCents)} open; cannot apply ${centsToDecimalString(-line.amountCents)}`);
        }
        continue;
      }
      if (inv.openBalanceCents <= 0) throw new ErpError('validation', `${line.invoiceNo} is an open credit, not an invoice: apply it with a negative amount`);
      const closing = line.amountCents + line.discountCents + line.writeOffCents;
      if (closing > inv.openBalanceCents) {
        throw new ErpError(
          'validation',
          `Invoice ${line.invoiceNo} has ${centsToDecimalString(inv.openBalanceCents)} open; cannot apply ${centsToDecimalString(line.amountCents)}${closing > line.amountCents ? ` plus ${centsToDecimalString(closing - line.amountCents)} discount/write-off` : ''}`,
        );
      }
    }
    await exportReceipt(options.outputFolder, options.exportFormat, r, cash.lines);
    return confirmReceiptBooked(r, await findReceipt(r.reference), `The receipts folder ${options.outputFolder}`);
  }

  async function findCreditMemo(reference: string): Promise<CreditMemoRecord | null> {
    checkReference(reference);
    return readExportedCreditMemo(options.outputFolder, reference);
  }

  async function postCreditMemo(m: CreditMemoRequest): Promise<CreditMemoRecord> {
    checkReference(m.reference);
    if (!Number.isSafeInteger(m.amountCents) || m.amountCents <= 0) throw new ErpError('validation', 'Credit memo amount must be positive');
    await refuseIfAlreadyPosted(() => findCreditMemo(m.reference), (existing) => `Credit memo ${m.reference} was already exported as ${existing.erpDocumentId}`);
    await exportCreditMemo(options.outputFolder, options.exportFormat, m);
    const record = await findCreditMemo(m.reference);
    if (!record) throw new ErpError('unknown_outcome', `Credit memo ${m.reference} was written but cannot be read back`);
    return record;
  }

  async function testConnection(): Promise<ConnectionDiagnosis> {
    const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
    try {
      const check = await assertCleanOpenAr(options);
      checks.push({ name: 'open AR file', ok: true, detail: `${basename(options.openArPath)}: ${check.rows} rows, ${check.customers.length} customers, no bad values` });
    } catch (e) {
      checks.push({ name: 'open AR file', ok: false, detail: isErpError(e) ? e.message : String(e) });
    }
    try {
      await mkdir(options.outputFolder, { recursive: true });
      if (!(await stat(options.outputFolder)).isDirectory()) throw new Error('not a folder');
      await access(options.outputFolder, constants.W_OK);
      checks.push({ name: 'receipts folder', ok: true, detail: `${options.outputFolder} is writable` });
    } catch (e) {
      checks.push({ name: 'receipts folder', ok: false, detail: `${options.outputFolder}: ${(e as Error).message}` });
    }
    const bad = checks.find((c) => !c.ok);
    return { ok: !bad, summary: bad ? `${bad.name}: ${bad.detail}` : `${checks[0]!.detail}; receipts go to ${options.outputFolder}.`, checks };
  }

  return {
    kind: 'file',
    capabilities: CAPABILITIES,
    testConnection,
    discover: () => discoverFile(options),
    async *listCustomers() {
      const { customers } = await assertCleanOpenAr(options);
      for (let i = 0; i < customers.length; i += options.pageSize) yield customers.slice(i, i + options.pageSize);
    },
    listOpenInvoices: (o) => openArPages(options, o?.pageSize ?? options.pageSize, o?.since),
    findReceipt,
    postReceipt,
    findCreditMemo,
    postCreditMemo,
    close: async () => undefined,
  };
}

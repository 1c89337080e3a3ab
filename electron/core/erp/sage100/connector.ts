import { cents, centsToDecimalString } from '@shared/money';
import type {
  ConnectionDiagnosis,
  CreditMemoRecord,
  CreditMemoRequest,
  ErpCapabilities,
  ErpConnector,
  ReceiptRecord,
  ReceiptRequest,
} from '../connector';
import { checkReceipt, type CashLine } from '../receipt-request';
import { ErpError, isErpError } from '../errors';
import { refuseIfAlreadyPosted } from '../look-up-first';
import type { ErpConnectionConfig } from '../kind-module';
import { batchNoForDate, checkNoForReference, creditMemoNoForReference, postingComment } from './check-no';
import { OdbcSession } from './odbc-session';
import { parseSage100Options, type Sage100Options } from './options';
import { assertIsoDate, createSage100Reader, type Sage100Reader } from './reader';
import {
  archiveRejection,
  creditMemoFileName,
  isPending,
  readRejection,
  receiptFileName,
  renderCreditMemo,
  renderReceipt,
  writeImportFileAtomically,
} from './vi-file';
import { diagnoseSage100 } from './diagnose';
import { discoverSage100 } from './discover';
import { confirmReceiptBooked } from '../read-back';
import { viJobPresent } from './vi-command';

// Sage 100: reads over ODBC, posts by dropping Visual Integrator files and
// confirms by reading AR_CashReceiptsHistory back (docs/erp/sage100.md).

// Early-payment discounts ride on the invoice line (DiscountApplied); open credits are lines with a negative
// amount naming the CM, as in Cash Receipts Entry. Other write-off reasons have no field (docs/erp/sage100.md).
const CAPABILITIES: ErpCapabilities = { postReceipts: 'file', creditMemos: 'file', receiptLookup: true, reverseReceipt: false, writeOffs: false, discounts: true, applyCredits: true };

const CUSTOMER_NO_MAX = 20;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createSage100Connector(config: ErpConnectionConfig): ErpConnector {
  const options: Sage100Options = parseSage100Options(config.options);
  const session = new OdbcSession({
    connectionString: config.baseUrl,
    username: config.credentials.username,
    password: config.credentials.password,
    timeoutMs: config.timeoutMs ?? 30_000,
  });
  const reader: Sage100Reader = createSage100Reader(session, options);

  async function findReceipt(reference: string): Promise<ReceiptRecord | null> {
    return (await reader.receiptInHistory(reference)) ?? (await reader.receiptUnposted(reference));
  }

  /** Polls until `look` finds the document (returned), the VI wrapper rejects the file (validation) or time runs out (null, with why). */
  async function confirm<T>(fileName: string, what: string, look: () => Promise<T | null>): Promise<{ found: T | null; why: string }> {
    const deadline = Date.now() + options.confirmTimeoutMs;
    let lastError = '';
    for (;;) {
      try {
        const found = await look();
        if (found) return { found, why: '' };
      } catch (e) {
        // The file is out of our hands now: read errors only delay the answer.
        lastError = isErpError(e) ? e.message : String(e);
      }
      const rejection = await readRejection(options.viFolder, options.viRejectedFolder, fileName);
      if (rejection !== null && !isPending(options.viFolder, fileName)) {
        // A job that refused one line and imported the rest also leaves a log: what it booked decides.
        const booked = await look().catch(() => null);
        if (booked) return { found: booked, why: '' };
        throw new ErpError('validation', `Sage 100 Visual Integrator rejected ${fileName}: ${rejection}`, { erpMessage: rejection });
      }
      if (Date.now() >= deadline) {
        return {
          found: null,
          why:
            `${what} was handed to Visual Integrator (${fileName}) but did not appear in Sage within ${options.confirmTimeoutMs} ms` +
            (lastError ? ` (last read error: ${lastError})` : '') +
            '; the look-up will tell whether it was imported',
        };
      }
      await sleep(Math.min(options.confirmPollMs, Math.max(0, deadline - Date.now())));
    }
  }

  function validateReceipt(r: ReceiptRequest): readonly CashLine[] {
    if (r.currency.toUpperCase() !== options.currency) {
      throw new ErpError('validation', `Sage 100 company currency is ${options.currency}; receipt ${r.reference} is in ${r.currency}`);
    }
    if (!r.customerId || r.customerId.length > CUSTOMER_NO_MAX) {
      throw new ErpError('validation', `CustomerNo must be 1-${CUSTOMER_NO_MAX} characters (got "${r.customerId}")`);
    }
    assertIsoDate(r.date, 'Receipt date');
    if (r.allocations.length === 0 && !r.unappliedCents) throw new ErpError('validation', 'Receipt has no invoice allocations and nothing unapplied');
    const cash = checkReceipt(r, { writeOffs: true, discounts: true, credits: true }, (problem) => `Receipt ${r.reference}: ${problem}`);
    const other = cash.lines.find((l) => l.writeOffCents > 0);
    if (other) {
      throw new ErpError(
        'validation',
        `Receipt ${r.reference}: the write-off "${other.writeOffReason}" on ${other.invoiceNo} has no field in the Sage 100 cash receipt (only the discount, DiscountApplied, does); write it off in Sage`,
      );
    }
    return cash.lines;
  }

  async function postReceipt(r: ReceiptRequest): Promise<ReceiptRecord> {
    const checkNo = checkNoForReference(r.reference);
    const cashLines = validateReceipt(r);
    if (!options.viFolder) throw new ErpError('config', 'Sage 100 setting viFolder (VI import folder) is empty');
    await refuseIfAlreadyPosted(() => findReceipt(r.reference), (existing) => `Sage 100 already holds a receipt with CheckNo ${checkNo} (deposit ${existing.erpDocumentId})`);
    assertViJobPresent();
    const fileName = receiptFileName(checkNo);
    // A file still waiting in the folder is an earlier attempt: wait for it, never write a second one.
    if (!isPending(options.viFolder, fileName)) {
      if (!(await reader.customerExists(r.customerId))) {
        throw new ErpError('not_found', `Customer ${r.customerId} is not in AR_Customer (division ${options.divisionNo})`);
      }
      const lines = [];
      for (const a of cashLines) {
        if (a.amountCents < 0) {
          // A credit memo applied: a detail line with a negative amount naming the CM, as Cash Receipts Entry takes it.
          const credit = await reader.creditForCustomer(r.customerId, a.invoiceNo);
          if (!credit) throw new ErpError('not_found', `Credit ${a.invoiceNo} is not open for customer ${r.customerId}`);
          if (-a.amountCents > -credit.balanceCents) {
            throw new ErpError('validation', `Credit ${a.invoiceNo} has ${centsToDecimalString(-credit.balanceCents)} open; cannot apply ${centsToDecimalString(-a.amountCents)}`);
          }
          lines.push({ invoiceNo: a.invoiceNo, invoiceType: credit.invoiceType, amountCents: a.amountCents });
          continue;
        }
        const invoice = await reader.invoiceForCustomer(r.customerId, a.invoiceNo);
        if (!invoice) throw new ErpError('not_found', `Invoice ${a.invoiceNo} is not open for customer ${r.customerId}`);
        if (invoice.balanceCents < a.amountCents + a.discountCents) {
          throw new ErpError(
            'validation',
            `Invoice ${a.invoiceNo} has ${centsToDecimalString(invoice.balanceCents)} open; cannot apply ${centsToDecimalString(a.amountCents)}${a.discountCents > 0 ? ` plus a ${centsToDecimalString(a.discountCents)} discount` : ''}`,
          );
        }
        lines.push({ invoiceNo: a.invoiceNo, invoiceType: invoice.invoiceType, amountCents: a.amountCents, discountCents: a.discountCents });
      }
      const batchNo = batchNoForDate(options.batchPrefix, r.date);
      const content = renderReceipt({
        batchNo,
        depositNo: r.depositNo ?? batchNo,
        depositType: r.paymentMethod === 'ach' ? options.depositTypeAch : options.depositTypeCard,
        date: r.date,
        bankCode: r.bankCode ?? options.bankCode,
        divisionNo: options.divisionNo,
        customerNo: r.customerId,
        checkNo,
        paymentType: paymentTypeOf(r, options),
        amountCents: r.amountCents,
        comment: postingComment(r.reference),
        lines,
      });
      await archiveRejection(options.viFolder, options.viRejectedFolder, fileName);
      await writeImportFileAtomically(options.viFolder, fileName, content);
    }
    const { found, why } = await confirm(fileName, `Receipt ${r.reference}`, () => reader.receiptInHistory(r.reference));
    try {
      return confirmReceiptBooked(r, found, 'Sage 100');
    } catch (e) {
      if (!isErpError(e)) throw e;
      if (e.kind === 'unknown_outcome') {
        // Imported into Cash Receipts Entry but not yet posted: still not booked, but say where it is.
        const entered = await reader.receiptUnposted(r.reference).catch(() => null);
        const where = entered
          ? `Receipt ${r.reference} is in Cash Receipts Entry (${entered.erpDocumentId}) but the Cash Receipts Journal has not been updated, so it is not in history yet; the look-up finds it, nothing is sent again`
          : '';
        throw new ErpError('unknown_outcome', where || why || e.message);
      }
      // A partial booking: the VI job log says which line it refused.
      const log = await readRejection(options.viFolder, options.viRejectedFolder, fileName);
      if (e.kind === 'partial' && log) throw new ErpError('partial', `${e.message} Visual Integrator log: ${log}`, { erpMessage: log, ...(e.existingDocumentId ? { existingDocumentId: e.existingDocumentId } : {}) });
      throw e;
    }
  }

  /** A missing compiled VI job means nothing would ever import the file: a setup problem, refused before writing. */
  function assertViJobPresent(): void {
    if (viJobPresent(options) === false) {
      throw new ErpError(
        'config',
        `Sage 100 Visual Integrator job ${options.viJobProgram} is not in the VI folder beside ${options.sageHomeFolder}: receipts cannot be imported (check viJobProgram, or compile the job in Import Job Maintenance)`,
      );
    }
  }

  async function postCreditMemo(m: CreditMemoRequest): Promise<CreditMemoRecord> {
    const invoiceNo = creditMemoNoForReference(m.reference);
    if (m.currency.toUpperCase() !== options.currency) {
      throw new ErpError('validation', `Sage 100 company currency is ${options.currency}; credit memo ${m.reference} is in ${m.currency}`);
    }
    assertIsoDate(m.date, 'Credit memo date');
    if (!Number.isSafeInteger(m.amountCents) || m.amountCents <= 0) throw new ErpError('validation', 'Credit memo amount must be positive');
    if (!options.viFolder) throw new ErpError('config', 'Sage 100 setting viFolder (VI import folder) is empty');
    await refuseIfAlreadyPosted(() => reader.creditMemo(m.reference), (existing) => `Sage 100 already holds credit memo ${existing.erpDocumentId}`);
    assertViJobPresent();
    const fileName = creditMemoFileName(invoiceNo);
    if (!isPending(options.viFolder, fileName)) {
      if (!(await reader.customerExists(m.customerId))) {
        throw new ErpError('not_found', `Customer ${m.customerId} is not in AR_Customer (division ${options.divisionNo})`);
      }
      const content = renderCreditMemo({
        divisionNo: options.divisionNo,
        customerNo: m.customerId,
        invoiceNo,
        date: m.date,
        applyToInvoiceNo: m.invoiceNo ?? '',
        amountCents: cents(m.amountCents),
        comment: `PayTrace ${m.reference} refund of ${m.originalReference}`.slice(0, 30),
      });
      await archiveRejection(options.viFolder, options.viRejectedFolder, fileName);
      await writeImportFileAtomically(options.viFolder, fileName, content);
    }
    const { found, why } = await confirm(fileName, `Credit memo ${m.reference}`, () => reader.creditMemo(m.reference));
    if (!found) throw new ErpError('unknown_outcome', why);
    return found;
  }

  return {
    kind: 'sage100',
    capabilities: CAPABILITIES,
    testConnection: (): Promise<ConnectionDiagnosis> => diagnoseSage100(session, options),
    discover: () => discoverSage100(session, options, config.baseUrl, config.credentials.username),
    listCustomers: () => reader.customers(),
    listOpenInvoices: (o) => reader.openInvoices(o?.since, o?.pageSize),
    findReceipt,
    postReceipt,
    findCreditMemo: (reference) => reader.creditMemo(reference),
    postCreditMemo,
    close: () => session.close(),
  };
}

/**
 * A saved payment mapping (Settings → Payment mapping) names the PaymentType per
 * method and brand and wins over the connection's default; it must fit the
 * 5-character A/R Payment Type code the setting is held to.
 */
function paymentTypeOf(r: ReceiptRequest, options: Sage100Options): string {
  const mapped = r.paymentTypeCode?.trim();
  if (!mapped) return r.paymentMethod === 'ach' ? options.paymentTypeAch : options.paymentTypeCard;
  if (mapped.length > 5 || /[",\r\n]/.test(mapped)) {
    throw new ErpError('config', `The payment mapping's payment type "${mapped}" is not a Sage 100 PaymentType code (1-5 characters without quotes or commas): change it under Settings → Payment mapping`);
  }
  return mapped;
}

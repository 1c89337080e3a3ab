import type { Customer, OpenInvoice } from '@shared/domain';
import type { FaultRule } from '../kit/faults';
import type { ErpConnector, ErpKind } from '../../core/erp/connector';
import type { ConformanceScenario } from './conformance-runner';

// What each ERP kind provides so the one conformance suite
// (test/conformance/) can run the same scenarios against every connector and
// its sandbox. Each kind exports one `ConformanceTarget` from
// electron/core/erp/<kind>/conformance-target.ts.

/**
 * Failure modes of the real ERP that a sandbox reproduces in the real
 * system's shape and status (docs/erp/<kind>.md says which, with sources):
 * - receipt-service-unavailable: the posting service, window, function module,
 *   import job or object is missing or not licensed (P21: HTTP 500 "Window <<X>>
 *   is not available"); until clearFaults. Expect `config`, nothing booked.
 * - unknown-read-field: the open-item read names a column or field the ERP does
 *   not have (P21: 404); until clearFaults. Expect `config`.
 * - accepted-not-booked: the next receipt write is acknowledged in the ERP's
 *   success shape but nothing is booked. Expect `unknown_outcome`, never a record.
 * - partial-booking: the next receipt is booked without its last allocation line
 *   (the line the real ERP rejects while it books the rest). Expect `partial`.
 * - business-refusal: the ERP refuses the next receipt in its real shape
 *   (HTTP 200 with an error body, a RETURN message, an import log). Expect
 *   `validation` carrying the ERP's own text.
 * - session-timeout: the session expires with the ERP's real signal (Eclipse 419,
 *   a 401, a logon error) on the next call. The receipt still posts once.
 */
export const REAL_FAILURES = ['receipt-service-unavailable', 'unknown-read-field', 'accepted-not-booked', 'partial-booking', 'business-refusal', 'session-timeout'] as const;
export type RealFailure = (typeof REAL_FAILURES)[number];

export type ConformanceHarness = Readonly<{
  /** A connector against the running sandbox; `badCredentials` for the diagnosis scenario. */
  connector(options?: { badCredentials?: boolean; timeoutMs?: number }): ErpConnector;
  /** Applies to the next matching requests (HTTP sandboxes) or operations (file/ODBC sandboxes). */
  injectFault(rule: FaultRule): Promise<void>;
  clearFaults(): Promise<void>;
  /** Invalidates every session/token the sandbox has issued (expiry mid-run). */
  expireSessions(): Promise<void>;
  /** Ground truth from the sandbox: how many receipts carry this reference. */
  countReceipts(reference: string): Promise<number>;
  /** Ground truth: current open balance in cents of an invoice, null when not open. */
  openBalance(invoiceNo: string): Promise<number | null>;
  /** Field limits the ERP imposes, for the field-length scenario. */
  limits: Readonly<{ referenceMaxLength: number }>;
  /** Which fault kinds this sandbox can simulate (an ODBC source has no HTTP 500). */
  supports: Readonly<{
    /** False where the ERP side has no logon to refuse (a local ODBC file, a folder). */
    credentialRejection: boolean;
    httpFaults: boolean; commitThenDrop: boolean; malformedReplies: boolean; sessionExpiry: boolean }>;
  /** The real failure modes this sandbox reproduces; the rest are skipped with a reason. */
  realFailures: ReadonlySet<RealFailure>;
  /** Arms one real failure mode; `erpText` is the ERP's own message when the mode has one (for business-refusal). */
  injectRealFailure(failure: RealFailure): Promise<Readonly<{ erpText?: string }>>;
  close(): Promise<void>;
}>;

export type ConformanceTarget = Readonly<{
  kind: ErpKind;
  /** Scenarios only this kind has (a reply form, a dialog, a definition shape), run after the shared ones. */
  kindScenarios?: readonly ConformanceScenario[];
  start(seed: Readonly<{ customers: readonly Customer[]; invoices: readonly OpenInvoice[] }>): Promise<ConformanceHarness>;
}>;

import type { Customer, OpenInvoice } from '@shared/domain';
import type { FaultRule } from '../kit/faults';
import type { ErpConnector, ErpKind } from '../../core/erp/connector';

// What each ERP kind provides so the one conformance suite
// (test/conformance/) can run the same scenarios against every connector and
// its sandbox. Each kind exports one `ConformanceTarget` from
// electron/core/erp/<kind>/conformance-target.ts.

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
  close(): Promise<void>;
}>;

export type ConformanceTarget = Readonly<{
  kind: ErpKind;
  start(seed: Readonly<{ customers: readonly Customer[]; invoices: readonly OpenInvoice[] }>): Promise<ConformanceHarness>;
}>;

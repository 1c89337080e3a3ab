import type { ControlPolicy } from '@shared/api/controls';
import type { RefundPolicy } from '@shared/api/refunds';
import { centsToDecimalString, parseDecimalToCents } from '@shared/money';

// The Approval limits form: amounts typed as dollars, reason codes one per
// line. Checked here so the admin sees every problem at once; the engine
// checks again (refunds:setPolicy, controls:setPolicy) and audits the change.

export type LimitsDraft = Readonly<{
  refundSecond: string;
  refundAdmin: string;
  refundReasons: string;
  controlApproval: string;
  controlTolerance: string;
  controlSecond: string;
  controlAdmin: string;
  controlReasons: string;
}>;

export type LimitsPatch = Readonly<{
  refunds: { reasonCodes: string[]; secondApproverAboveCents: number; adminAboveCents: number };
  controls: { reasonCodes: string[]; approvalAboveCents: number; toleranceCents: number; secondApproverAboveCents: number; adminAboveCents: number };
}>;

export function draftFrom(refunds: RefundPolicy, controls: ControlPolicy): LimitsDraft {
  return {
    refundSecond: centsToDecimalString(refunds.secondApproverAboveCents),
    refundAdmin: centsToDecimalString(refunds.adminAboveCents),
    refundReasons: refunds.reasonCodes.join('\n'),
    controlApproval: centsToDecimalString(controls.approvalAboveCents),
    controlTolerance: centsToDecimalString(controls.toleranceCents),
    controlSecond: centsToDecimalString(controls.secondApproverAboveCents),
    controlAdmin: centsToDecimalString(controls.adminAboveCents),
    controlReasons: controls.reasonCodes.join('\n'),
  };
}

function amount(label: string, text: string, errors: string[]): number {
  try {
    const c = parseDecimalToCents(text);
    if (c < 0) errors.push(`${label} cannot be negative.`);
    return c;
  } catch {
    errors.push(`${label}: "${text}" is not an amount (e.g. 500.00).`);
    return 0;
  }
}

function reasons(label: string, text: string, errors: string[]): string[] {
  const list = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (list.length === 0) errors.push(`${label}: give at least one reason code.`);
  if (list.length > 50) errors.push(`${label}: at most 50 reason codes.`);
  for (const r of list) if (r.length > 64) errors.push(`${label}: "${r.slice(0, 20)}…" is longer than 64 characters.`);
  const seen = new Set<string>();
  for (const r of list) {
    if (seen.has(r.toLowerCase())) errors.push(`${label}: "${r}" is listed twice.`);
    seen.add(r.toLowerCase());
  }
  return list;
}

/** The two policy patches, or every problem found in the draft. */
export function validateLimits(d: LimitsDraft): { ok: true; patch: LimitsPatch } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const refundSecond = amount('Refunds: second-supervisor limit', d.refundSecond, errors);
  const refundAdmin = amount('Refunds: admin limit', d.refundAdmin, errors);
  const controlApproval = amount('Write-offs and overrides: supervisor limit', d.controlApproval, errors);
  const controlTolerance = amount('Tolerance', d.controlTolerance, errors);
  const controlSecond = amount('Write-offs and overrides: second-supervisor limit', d.controlSecond, errors);
  const controlAdmin = amount('Write-offs and overrides: admin limit', d.controlAdmin, errors);
  if (refundAdmin < refundSecond) errors.push('Refunds: the admin limit cannot be below the second-supervisor limit.');
  if (controlAdmin < controlSecond) errors.push('Write-offs and overrides: the admin limit cannot be below the second-supervisor limit.');
  if (controlSecond < controlApproval) errors.push('Write-offs and overrides: the second-supervisor limit cannot be below the supervisor limit.');
  const refundReasons = reasons('Refund reason codes', d.refundReasons, errors);
  const controlReasons = reasons('Write-off reason codes', d.controlReasons, errors);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    patch: {
      refunds: { reasonCodes: refundReasons, secondApproverAboveCents: refundSecond, adminAboveCents: refundAdmin },
      controls: { reasonCodes: controlReasons, approvalAboveCents: controlApproval, toleranceCents: controlTolerance, secondApproverAboveCents: controlSecond, adminAboveCents: controlAdmin },
    },
  };
}

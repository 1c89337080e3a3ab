// The one field of a four-eyes decision: the approver's own password to
// approve, or the reason to reject. Shared by the refunds queue and the
// approvals inbox so both ask the same way.

export type DecisionMode = 'approve' | 'reject';

export function DecisionInput({
  mode,
  testIdPrefix,
  password,
  onPassword,
  reason,
  onReason,
}: Readonly<{ mode: DecisionMode; testIdPrefix: string; password: string; onPassword: (v: string) => void; reason: string; onReason: (v: string) => void }>) {
  return mode === 'approve' ? (
    <input
      type="password"
      data-testid={`${testIdPrefix}-password`}
      placeholder="Your password"
      aria-label="Re-enter your password to approve"
      autoComplete="current-password"
      autoFocus
      value={password}
      onChange={(e) => onPassword(e.target.value)}
    />
  ) : (
    <input data-testid={`${testIdPrefix}-reject-reason`} placeholder="Reason for rejecting" aria-label="Reason for rejecting" autoFocus value={reason} onChange={(e) => onReason(e.target.value)} />
  );
}

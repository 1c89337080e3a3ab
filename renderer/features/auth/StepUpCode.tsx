import { useState } from 'react';
import { ApiCallError } from '../../api/client';

// Step-up at a four-eyes approval: an approver with two-step sign-in enrolled
// re-enters a fresh code with the password. The engine says 'code_required'
// when the password was right and a code is missing; only then does the form
// show the code field (approvers without two-step never see it).

export type StepUp = Readonly<{
  needed: boolean;
  code: string;
  setCode: (code: string) => void;
  /** What the call adds to its arguments: the code, once one was asked for. */
  args: () => { code?: string };
  /** After a failed call: true when the engine asked for a code (keep the password then). A code works once, so it is cleared. */
  failed: (error: unknown) => boolean;
  /** The form closed or the approval went through. */
  reset: () => void;
  /** Submit stays disabled while a code is asked for and none typed. */
  missing: boolean;
}>;

export function useStepUpCode(): StepUp {
  const [needed, setNeeded] = useState(false);
  const [code, setCode] = useState('');
  return {
    needed,
    code,
    setCode,
    args: () => (needed && code.trim() ? { code: code.trim() } : {}),
    failed: (error) => {
      setCode('');
      const asked = error instanceof ApiCallError && error.code === 'code_required';
      if (asked) setNeeded(true);
      return asked;
    },
    reset: () => {
      setNeeded(false);
      setCode('');
    },
    missing: needed && !code.trim(),
  };
}

/** The code field, shown only once the engine asked for a code. */
export function StepUpCodeField({ stepUp, testId, className }: Readonly<{ stepUp: StepUp; testId: string; className?: string }>) {
  if (!stepUp.needed) return null;
  return (
    <input
      className={className}
      data-testid={testId}
      inputMode="numeric"
      autoComplete="one-time-code"
      placeholder="6-digit code"
      aria-label="Code from your authenticator app"
      maxLength={12}
      autoFocus
      value={stepUp.code}
      onChange={(e) => stepUp.setCode(e.target.value)}
    />
  );
}

import { useState } from 'react';
import type { TotpEnrolmentStart } from '@shared/api/auth';
import { errorMessage } from '../../api/client';
import { useApiMutation, useApiQuery } from '../../api/query';
import { ErrorText, Field, SubmitButton, TextInput } from '../../ui/form';
import { toast } from '../../state/toast-store';

// The signed-in supervisor's or admin's own two-step sign-in (TOTP, RFC 6238).
// Enrolment: re-enter the password, add the secret to an authenticator app
// (shown once, here only), confirm with the app's first code. The engine keeps
// the secret in the OS keychain; this screen forgets it once confirmed.

function Enrol({ onDone }: Readonly<{ onDone: () => void }>) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [started, setStarted] = useState<TotpEnrolmentStart | null>(null);
  const begin = useApiMutation('auth:totpBegin');
  const confirm = useApiMutation('auth:totpConfirm', { invalidates: ['auth:totpStatus'] });

  const start = async () => {
    try {
      setStarted(await begin.mutateAsync({ password }));
    } catch {
      // Shown below from the mutation's error.
    } finally {
      setPassword('');
    }
  };
  const finish = async () => {
    try {
      await confirm.mutateAsync({ code });
      setStarted(null);
      toast('success', 'Two-step sign-in is on: sign-in now asks for a code from your app');
      onDone();
    } catch {
      // Shown below from the mutation's error.
    } finally {
      setCode('');
    }
  };

  if (!started) {
    return (
      <form
        className="admin-form"
        data-testid="totp-begin"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <Field label="Your password" htmlFor="totp-password">
          <TextInput id="totp-password" testId="totp-password" type="password" autoComplete="current-password" value={password} onChange={setPassword} />
        </Field>
        <div className="field">
          <SubmitButton busy={begin.isPending} testId="totp-begin-submit" disabled={!password}>
            Set up two-step sign-in
          </SubmitButton>
        </div>
        <ErrorText error={begin.error ? errorMessage(begin.error) : null} testId="totp-begin-error" />
      </form>
    );
  }
  return (
    <form
      className="admin-form"
      data-testid="totp-confirm"
      onSubmit={(e) => {
        e.preventDefault();
        void finish();
      }}
    >
      <p className="small">
        Add this account to your authenticator app (shown once; it expires at {new Date(started.expiresAt).toLocaleTimeString()} if not confirmed). Paste the link into the app, or type the key:
      </p>
      <p className="small">
        Key: <code data-testid="totp-secret">{started.secret}</code>
      </p>
      <p className="small">
        Link: <code data-testid="totp-uri">{started.uri}</code>
      </p>
      <Field label="Code the app shows now" htmlFor="totp-code">
        <TextInput id="totp-code" testId="totp-code" value={code} onChange={setCode} autoComplete="one-time-code" inputMode="numeric" />
      </Field>
      <div className="field">
        <SubmitButton busy={confirm.isPending} testId="totp-confirm-submit" disabled={!code.trim()}>
          Confirm
        </SubmitButton>
      </div>
      <ErrorText error={confirm.error ? errorMessage(confirm.error) : null} testId="totp-confirm-error" />
    </form>
  );
}

function Disable() {
  const [password, setPassword] = useState('');
  const disable = useApiMutation('auth:totpDisable', { invalidates: ['auth:totpStatus'] });
  const submit = async () => {
    try {
      await disable.mutateAsync({ password });
      toast('success', 'Two-step sign-in is off');
    } catch {
      // Shown below from the mutation's error.
    } finally {
      setPassword('');
    }
  };
  return (
    <form
      className="admin-form"
      data-testid="totp-disable"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Field label="Your password" htmlFor="totp-disable-password">
        <TextInput id="totp-disable-password" testId="totp-disable-password" type="password" autoComplete="current-password" value={password} onChange={setPassword} />
      </Field>
      <div className="field">
        <SubmitButton busy={disable.isPending} testId="totp-disable-submit" disabled={!password} className="btn btn-secondary btn-sm">
          Turn two-step sign-in off
        </SubmitButton>
      </div>
      <ErrorText error={disable.error ? errorMessage(disable.error) : null} testId="totp-disable-error" />
    </form>
  );
}

export function TwoStepTab({ onEnrolled }: Readonly<{ onEnrolled?: () => void }> = {}) {
  const status = useApiQuery('auth:totpStatus', {}, { refetchOnMount: 'always' });
  const s = status.data ?? null;
  return (
    <div className="admin-tab" data-testid="two-step">
      <section className="settings-section">
        <header className="settings-head">
          <h3>Two-step sign-in</h3>
          <span className="muted small">After your password, sign-in asks for a 6-digit code from an authenticator app on your phone. A code works once.</span>
        </header>
        <ErrorText error={status.error ? errorMessage(status.error) : null} />
        {s === null ? null : !s.eligible ? (
          <p className="muted">Two-step sign-in is for supervisors and admins.</p>
        ) : s.enrolled ? (
          <>
            <p data-testid="totp-enrolled">On since {s.enrolledAt ? new Date(s.enrolledAt).toLocaleString() : '—'}. Lost your phone? An admin can remove it under Users.</p>
            <Disable />
          </>
        ) : (
          <Enrol
            onDone={() => {
              void status.refetch();
              onEnrolled?.();
            }}
          />
        )}
      </section>
    </div>
  );
}

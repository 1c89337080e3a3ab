import { useState } from 'react';
import { MIN_PASSWORD_LENGTH } from '@shared/api/auth';
import { errorMessage } from '../../api/client';
import { useApiMutation } from '../../api/query';
import { ErrorText, Field, SubmitButton, TextInput } from '../../ui/form';
import { toast } from '../../state/toast-store';

// The signed-in user's own password change. The engine checks the current
// password under the sign-in limit and insists on MIN_PASSWORD_LENGTH (PCI DSS
// v4 8.3.6); both fields are cleared once sent.

export function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const change = useApiMutation('auth:changePassword');
  const mismatch = repeat.length > 0 && repeat !== next;
  const submit = async () => {
    try {
      await change.mutateAsync({ currentPassword: current, newPassword: next });
      toast('success', 'Password changed');
      setRepeat('');
    } catch {
      // Shown below from the mutation's error.
    } finally {
      setCurrent('');
      setNext('');
    }
  };
  return (
    <section className="settings-section" data-testid="change-password">
      <header className="settings-head">
        <h3>Your password</h3>
        <span className="muted small">At least {MIN_PASSWORD_LENGTH} characters.</span>
      </header>
      <form
        className="admin-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label="Current password" htmlFor="own-current-password">
          <TextInput id="own-current-password" testId="own-current-password" type="password" autoComplete="current-password" value={current} onChange={setCurrent} />
        </Field>
        <Field label="New password" htmlFor="own-new-password">
          <TextInput id="own-new-password" testId="own-new-password" type="password" autoComplete="new-password" value={next} onChange={setNext} />
        </Field>
        <Field label="Repeat new password" htmlFor="own-repeat-password">
          <TextInput id="own-repeat-password" testId="own-repeat-password" type="password" autoComplete="new-password" value={repeat} onChange={setRepeat} />
        </Field>
        <div className="field">
          <SubmitButton busy={change.isPending} testId="own-password-submit" disabled={!current || next.length < MIN_PASSWORD_LENGTH || next !== repeat}>
            Change password
          </SubmitButton>
        </div>
        <ErrorText error={mismatch ? 'The new passwords differ.' : change.error ? errorMessage(change.error) : null} testId="own-password-error" />
      </form>
    </section>
  );
}

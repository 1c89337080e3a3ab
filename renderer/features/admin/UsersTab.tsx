import { useState } from 'react';
import { ROLES, type Role, type UserAdminView } from '@shared/api/auth';
import { errorMessage } from '../../api/client';
import { useApiMutation, useApiQuery } from '../../api/query';
import { ErrorText, Field, Select, SubmitButton, TextInput } from '../../ui/form';
import { toast } from '../../state/toast-store';
import { useUser } from '../auth/session-store';
import { PendingChanges } from './PendingChanges';
import { MIN_PASSWORD_LENGTH, passwordStrength } from './password-strength';
import './admin.css';

// Admin only (the engine refuses everyone else: auth:users, auth:createUser,
// auth:setRole and auth:resetPassword need the admin role). Passwords typed
// here go to the engine once and are cleared from the form at once. Every
// write makes the user list (auth:users) stale, so it is read again.

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: r }));

const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '—');

function StrengthHint({ password, testId }: Readonly<{ password: string; testId: string }>) {
  if (!password) return null;
  const s = passwordStrength(password);
  return (
    <span className={`pw-strength pw-${s.level}`} data-testid={testId} data-level={s.level}>
      {s.hint}
    </span>
  );
}

function CreateUser() {
  const [userName, setUserName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('clerk');
  const [password, setPassword] = useState('');
  const create = useApiMutation('auth:createUser', { invalidates: ['auth:users', 'admin:pendingChanges'] });

  const submit = async () => {
    try {
      const u = await create.mutateAsync({ userName: userName.trim(), password, role, ...(displayName.trim() ? { displayName: displayName.trim() } : {}) });
      toast('success', `User ${u.userName} created as ${u.role}`, u.role === role ? [] : [`The ${role} role waits for a second admin (Pending changes).`]);
      setUserName('');
      setDisplayName('');
      setRole('clerk');
    } catch {
      // Shown below the form from the mutation's error.
    } finally {
      setPassword('');
    }
  };

  return (
    <form
      className="admin-form"
      data-testid="admin-create-user"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Field label="User name" htmlFor="admin-new-name">
        <TextInput id="admin-new-name" testId="admin-new-name" value={userName} onChange={setUserName} autoComplete="off" spellCheck={false} />
      </Field>
      <Field label="Full name" htmlFor="admin-new-display">
        <TextInput id="admin-new-display" testId="admin-new-display" value={displayName} onChange={setDisplayName} autoComplete="off" />
      </Field>
      <Field label="Role" htmlFor="admin-new-role">
        <Select id="admin-new-role" testId="admin-new-role" value={role} options={ROLE_OPTIONS} onChange={setRole} />
      </Field>
      <div className="field">
        <label htmlFor="admin-new-password">Initial password</label>
        <TextInput id="admin-new-password" testId="admin-new-password" type="password" autoComplete="new-password" value={password} onChange={setPassword} />
        <StrengthHint password={password} testId="admin-new-password-strength" />
      </div>
      <div className="field">
        <SubmitButton busy={create.isPending} testId="admin-create-submit" disabled={!userName.trim() || password.length < MIN_PASSWORD_LENGTH}>
          Create user
        </SubmitButton>
      </div>
      <ErrorText error={create.error ? errorMessage(create.error) : null} testId="admin-create-error" />
    </form>
  );
}

function ResetPassword({ user, onDone }: Readonly<{ user: UserAdminView; onDone: () => void }>) {
  const [password, setPassword] = useState('');
  const reset = useApiMutation('auth:resetPassword', { invalidates: ['auth:users'] });
  const busy = reset.isPending;
  const submit = async () => {
    try {
      await reset.mutateAsync({ userName: user.userName, password });
      toast('success', `New password set for ${user.userName}; their sessions were ended`);
      onDone();
    } catch (e) {
      toast('error', 'Password not reset', [errorMessage(e)]);
    } finally {
      setPassword('');
    }
  };
  return (
    <form
      className="admin-inline"
      data-testid={`admin-reset-form-${user.userName}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <TextInput type="password" aria-label={`New password for ${user.userName}`} testId="admin-reset-password" autoComplete="new-password" value={password} onChange={setPassword} autoFocus />
      <StrengthHint password={password} testId="admin-reset-strength" />
      <SubmitButton busy={busy} testId="admin-reset-submit" disabled={password.length < MIN_PASSWORD_LENGTH}>
        Set password
      </SubmitButton>
      <button type="button" className="btn btn-ghost btn-sm" onClick={onDone} disabled={busy}>
        Cancel
      </button>
    </form>
  );
}

function UserRow({ user, me }: Readonly<{ user: UserAdminView; me: string | null }>) {
  const [resetting, setResetting] = useState(false);
  const setRole = useApiMutation('auth:setRole', { invalidates: ['admin:pendingChanges'] });
  const users = useApiQuery('auth:users', {});
  const totpReset = useApiMutation('auth:totpReset', { invalidates: ['auth:users'] });
  const removeTwoStep = async () => {
    try {
      await totpReset.mutateAsync({ userName: user.userName });
      toast('success', `Two-step sign-in removed for ${user.userName}; they can set it up again`);
    } catch (e) {
      toast('error', 'Two-step sign-in not removed', [errorMessage(e)]);
    }
  };
  const changeRole = async (role: Role) => {
    if (role === user.role) return;
    try {
      const after = await setRole.mutateAsync({ userName: user.userName, role });
      // A promotion waits for a second admin; a demotion applies at once.
      if (after.role === role) toast('success', `${user.userName} is now ${role}; their open sessions were ended`);
      else toast('success', `${user.userName} stays ${after.role} until a second admin approves the ${role} role`, ['See Pending changes.']);
    } catch (e) {
      // The engine refuses e.g. demoting the last admin; the row shows the stored role again.
      toast('error', 'Role not changed', [errorMessage(e)]);
    } finally {
      void users.refetch();
    }
  };
  return (
    <tr data-testid={`admin-user-${user.userName}`} data-role={user.role}>
      <td>
        <strong>{user.userName}</strong>
        {user.displayName !== user.userName ? <div className="muted small">{user.displayName}</div> : null}
        {me === user.userName ? <div className="muted small">(you)</div> : null}
      </td>
      <td>
        <Select aria-label={`Role of ${user.userName}`} testId="admin-user-role" value={user.role} options={ROLE_OPTIONS} disabled={setRole.isPending} onChange={(r) => void changeRole(r)} />
      </td>
      <td className="small">{when(user.createdAt)}</td>
      <td className="small" data-testid="admin-user-last-sign-in">
        {when(user.lastSignInAt)}
      </td>
      <td className="small" data-testid="admin-user-lock">
        {user.lockedUntil ? <span className="admin-lock">Locked until {new Date(user.lockedUntil).toLocaleTimeString()}</span> : user.failedSignIns > 0 ? `${user.failedSignIns} failed` : 'OK'}
      </td>
      <td className="small" data-testid="admin-user-two-step">
        {user.totpEnrolled ? (
          <button type="button" className="btn btn-ghost btn-sm" data-testid="admin-totp-reset" disabled={totpReset.isPending} onClick={() => void removeTwoStep()}>
            Remove two-step
          </button>
        ) : (
          'Off'
        )}
      </td>
      <td>
        {resetting ? (
          <ResetPassword user={user} onDone={() => setResetting(false)} />
        ) : (
          <button type="button" className="btn btn-secondary btn-sm" data-testid="admin-reset-open" onClick={() => setResetting(true)}>
            Reset password
          </button>
        )}
      </td>
    </tr>
  );
}

/**
 * The admin's "require two-step sign-in for supervisors and admins" (off by
 * default). Switching it on applies at once; switching it off loosens
 * four-eyes and waits for a second admin (Pending changes).
 */
function TwoStepPolicy() {
  const policy = useApiQuery('auth:signInPolicy', {}, { refetchOnMount: 'always' });
  const save = useApiMutation('auth:setSignInPolicy', { invalidates: ['auth:signInPolicy', 'auth:users', 'admin:pendingChanges'] });
  const on = policy.data?.requireTwoStepForApprovers ?? false;
  const toggle = async (next: boolean) => {
    try {
      const stands = await save.mutateAsync({ requireTwoStepForApprovers: next });
      if (next) toast('success', 'Supervisors and admins must now set up two-step sign-in before anything else');
      else if (stands.requireTwoStepForApprovers) toast('success', 'Asked to make two-step sign-in optional: it stays required until another admin approves (Pending changes)');
      else toast('success', 'Two-step sign-in is optional again');
    } catch (e) {
      toast('error', 'Sign-in policy not saved', [errorMessage(e)]);
    }
  };
  return (
    <label className="small" data-testid="admin-require-two-step">
      <input type="checkbox" checked={on} disabled={!policy.data || save.isPending} onChange={(e) => void toggle(e.target.checked)} /> Require two-step sign-in for supervisors and
      admins
    </label>
  );
}

export function UsersTab() {
  const me = useUser();
  const query = useApiQuery('auth:users', {}, { refetchOnMount: 'always' });
  const users = query.data ?? null;
  const error = query.error ? errorMessage(query.error) : null;

  return (
    <div className="admin-tab" data-testid="admin-users">
      <section className="settings-section">
        <header className="settings-head">
          <h3>Users</h3>
          <span className="muted small">A role change or password reset ends that user's open sessions. The last admin cannot be demoted.</span>
        </header>
        <ErrorText error={error} />
        <TwoStepPolicy />
        {users === null && !error ? <p className="muted">Loading users…</p> : null}
        {users ? (
          <table className="admin-table">
            <thead>
              <tr>
                <th>User</th>
                <th>Role</th>
                <th>Created</th>
                <th>Last sign-in</th>
                <th>Sign-in lock</th>
                <th>Two-step</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <UserRow key={u.userName} user={u} me={me?.userName ?? null} />
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <section className="settings-section">
        <header className="settings-head">
          <h3>New user</h3>
        </header>
        <CreateUser />
      </section>
      <PendingChanges />
    </div>
  );
}

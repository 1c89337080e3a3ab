import { useCallback, useEffect, useState } from 'react';
import { ROLES, type Role, type UserAdminView } from '@shared/api/auth';
import { errorMessage, invoke } from '../../api/client';
import { toast } from '../../state/toast-store';
import { useUser } from '../auth/session-store';
import { MIN_PASSWORD_LENGTH, passwordStrength } from './password-strength';
import './admin.css';

// Admin only (the engine refuses everyone else: auth:users, auth:createUser,
// auth:setRole and auth:resetPassword need the admin role). Passwords typed
// here go to the engine once and are cleared from the form at once.

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

function CreateUser({ onCreated }: Readonly<{ onCreated: () => void }>) {
  const [userName, setUserName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('clerk');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const u = await invoke('auth:createUser', { userName: userName.trim(), password, role, ...(displayName.trim() ? { displayName: displayName.trim() } : {}) });
      toast('success', `User ${u.userName} created as ${u.role}`);
      setUserName('');
      setDisplayName('');
      setRole('clerk');
      onCreated();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPassword('');
      setBusy(false);
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
      <div className="field">
        <label htmlFor="admin-new-name">User name</label>
        <input id="admin-new-name" data-testid="admin-new-name" value={userName} onChange={(e) => setUserName(e.target.value)} autoComplete="off" spellCheck={false} />
      </div>
      <div className="field">
        <label htmlFor="admin-new-display">Full name</label>
        <input id="admin-new-display" data-testid="admin-new-display" value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="admin-new-role">Role</label>
        <select id="admin-new-role" data-testid="admin-new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="admin-new-password">Initial password</label>
        <input id="admin-new-password" data-testid="admin-new-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        <StrengthHint password={password} testId="admin-new-password-strength" />
      </div>
      <div className="field">
        <button type="submit" className="btn btn-primary btn-sm" data-testid="admin-create-submit" disabled={busy || !userName.trim() || password.length < MIN_PASSWORD_LENGTH}>
          Create user
        </button>
      </div>
      {error ? (
        <p className="error-text" data-testid="admin-create-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}

function ResetPassword({ user, onDone }: Readonly<{ user: UserAdminView; onDone: () => void }>) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      await invoke('auth:resetPassword', { userName: user.userName, password });
      toast('success', `New password set for ${user.userName}; their sessions were ended`);
      onDone();
    } catch (e) {
      toast('error', 'Password not reset', [errorMessage(e)]);
    } finally {
      setPassword('');
      setBusy(false);
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
      <input type="password" aria-label={`New password for ${user.userName}`} data-testid="admin-reset-password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
      <StrengthHint password={password} testId="admin-reset-strength" />
      <button type="submit" className="btn btn-primary btn-sm" data-testid="admin-reset-submit" disabled={busy || password.length < MIN_PASSWORD_LENGTH}>
        Set password
      </button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={onDone} disabled={busy}>
        Cancel
      </button>
    </form>
  );
}

function UserRow({ user, me, onChanged }: Readonly<{ user: UserAdminView; me: string | null; onChanged: () => void }>) {
  const [resetting, setResetting] = useState(false);
  const [busy, setBusy] = useState(false);
  const changeRole = async (role: Role) => {
    if (role === user.role) return;
    setBusy(true);
    try {
      await invoke('auth:setRole', { userName: user.userName, role });
      toast('success', `${user.userName} is now ${role}; their open sessions were ended`);
    } catch (e) {
      // The engine refuses e.g. demoting the last admin; the row shows the stored role again.
      toast('error', 'Role not changed', [errorMessage(e)]);
    } finally {
      setBusy(false);
      onChanged();
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
        <select aria-label={`Role of ${user.userName}`} data-testid="admin-user-role" value={user.role} disabled={busy} onChange={(e) => void changeRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </td>
      <td className="small">{when(user.createdAt)}</td>
      <td className="small" data-testid="admin-user-last-sign-in">
        {when(user.lastSignInAt)}
      </td>
      <td className="small" data-testid="admin-user-lock">
        {user.lockedUntil ? <span className="admin-lock">Locked until {new Date(user.lockedUntil).toLocaleTimeString()}</span> : user.failedSignIns > 0 ? `${user.failedSignIns} failed` : 'OK'}
      </td>
      <td>
        {resetting ? (
          <ResetPassword
            user={user}
            onDone={() => {
              setResetting(false);
              onChanged();
            }}
          />
        ) : (
          <button type="button" className="btn btn-secondary btn-sm" data-testid="admin-reset-open" onClick={() => setResetting(true)}>
            Reset password
          </button>
        )}
      </td>
    </tr>
  );
}

export function UsersTab() {
  const me = useUser();
  const [users, setUsers] = useState<UserAdminView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    invoke('auth:users', {})
      .then((u) => {
        setUsers(u);
        setError(null);
      })
      .catch((e: unknown) => setError(errorMessage(e)));
  }, []);
  useEffect(load, [load]);

  return (
    <div className="admin-tab" data-testid="admin-users">
      <section className="settings-section">
        <header className="settings-head">
          <h3>Users</h3>
          <span className="muted small">A role change or password reset ends that user's open sessions. The last admin cannot be demoted.</span>
        </header>
        {error ? <p className="error-text">{error}</p> : null}
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
                <th />
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <UserRow key={u.userName} user={u} me={me?.userName ?? null} onChanged={load} />
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <section className="settings-section">
        <header className="settings-head">
          <h3>New user</h3>
        </header>
        <CreateUser onCreated={load} />
      </section>
    </div>
  );
}

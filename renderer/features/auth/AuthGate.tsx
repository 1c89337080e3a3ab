import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { MIN_PASSWORD_LENGTH } from '@shared/api/auth';
import { ApiCallError, invoke } from '../../api/client';
import { useFormSubmit } from '../../ui/use-form-submit';
import { UNAUTHENTICATED_EVENT } from '../../api/web-binding';
import type { AuthStatus } from '@shared/api/auth';
import { useSession } from './session-store';
import { TwoStepTab } from './TwoStepTab';
import './auth.css';

// The sign-in gate: first-run admin setup, sign-in (the OS user name
// suggested, demo users listed only in demo mode) and the idle lock screen.
// The app behind it mounts only once a user is signed in.

const RECHECK_MS = 30_000;

/** Why the previous session ended, in the words the user needs: a sign-out never reads as an idle lock. */
export function sessionEndedNotice(status: AuthStatus, signedOutHere: boolean): string | null {
  if (signedOutHere) return 'Signed out.';
  if (!status.locked) return null;
  switch (status.endedBy ?? 'idle') {
    case 'idle':
      return `Locked after ${status.idleMinutes} minutes without activity. Sign in again to continue.`;
    case 'sign-out':
      return 'Signed out.';
    case 'role-change':
      return 'Signed out: your role changed. Sign in again.';
    case 'password-reset':
      return 'Signed out: your password was reset. Sign in again.';
  }
}

function SignInForm() {
  const status = useSession((s) => s.status)!;
  const signedIn = useSession((s) => s.signedIn);
  const [userName, setUserName] = useState(status.suggestedUserName);
  const [password, setPassword] = useState('');
  // Two-step sign-in: the engine says 'code_required' when the password was right and the account has TOTP.
  const [needsCode, setNeedsCode] = useState(false);
  const [code, setCode] = useState('');
  const { busy, error, run } = useFormSubmit();
  const idleLocked = status.locked && (status.endedBy ?? 'idle') === 'idle';
  const signedOutHere = useSession((s) => s.signedOutHere);
  const notice = sessionEndedNotice(status, signedOutHere);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      try {
        const result = await invoke('auth:signIn', { userName: userName.trim(), password, ...(needsCode && code.trim() ? { code: code.trim() } : {}) });
        setPassword('');
        setCode('');
        signedIn(result.user);
      } catch (err) {
        setCode('');
        if (err instanceof ApiCallError && err.code === 'code_required') {
          setNeedsCode(true);
          return;
        }
        throw err;
      }
    });
  };
  return (
    <form className="auth-card" data-testid="sign-in" onSubmit={(e) => void submit(e)}>
      <h1>{idleLocked ? 'Tieout is locked' : 'Sign in to Tieout'}</h1>
      {notice ? (
        <p className="muted" data-testid="sign-in-notice">
          {notice}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="auth-user">User name</label>
        <input
          id="auth-user"
          data-testid="sign-in-user"
          autoComplete="username"
          value={userName}
          onChange={(e) => {
            setUserName(e.target.value);
            setNeedsCode(false);
          }}
          autoFocus={!userName}
        />
      </div>
      <div className="field">
        <label htmlFor="auth-password">Password</label>
        <input
          id="auth-password"
          data-testid="sign-in-password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoFocus={!!userName}
        />
      </div>
      {needsCode ? (
        <div className="field">
          <label htmlFor="auth-code">Code from your authenticator app</label>
          <input
            id="auth-code"
            data-testid="sign-in-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            autoFocus
            maxLength={16}
          />
        </div>
      ) : null}
      {error ? (
        <p className="error-text" role="alert" data-testid="sign-in-error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="btn btn-primary" data-testid="sign-in-submit" disabled={busy || !userName.trim() || !password || (needsCode && !code.trim())}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {status.demo ? (
        <div className="auth-demo" data-testid="demo-users">
          <p className="muted small">
            Demo users (password <code>{status.demo.password}</code>):
          </p>
          <div className="auth-demo-users">
            {status.demo.users.map((u) => (
              <button key={u.userName} type="button" className="btn btn-ghost btn-sm" onClick={() => setUserName(u.userName)}>
                {u.userName} <span className="muted">({u.role})</span>
              </button>
            ))}
          </div>
        </div>
      ) : null}
    </form>
  );
}

function SetupForm() {
  const status = useSession((s) => s.status)!;
  const signedIn = useSession((s) => s.signedIn);
  const [userName, setUserName] = useState(status.suggestedUserName);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const { error, run } = useFormSubmit();
  const mismatch = repeat.length > 0 && repeat !== password;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const result = await invoke('auth:setup', { userName: userName.trim(), password });
      signedIn(result.user);
    });
  };
  return (
    <form className="auth-card" data-testid="setup" onSubmit={(e) => void submit(e)}>
      <h1>Create the admin account</h1>
      <p className="muted">Tieout has no users yet. The admin creates the clerks and supervisors.</p>
      <div className="field">
        <label htmlFor="setup-user">User name</label>
        <input id="setup-user" value={userName} onChange={(e) => setUserName(e.target.value)} autoComplete="username" />
      </div>
      <div className="field">
        <label htmlFor="setup-password">Password (at least {MIN_PASSWORD_LENGTH} characters)</label>
        <input id="setup-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      </div>
      <div className="field">
        <label htmlFor="setup-repeat">Repeat password</label>
        <input id="setup-repeat" type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" />
      </div>
      {mismatch ? <p className="error-text">The passwords differ.</p> : null}
      {error ? <p className="error-text">{error}</p> : null}
      <button type="submit" className="btn btn-primary" disabled={!userName.trim() || password.length < MIN_PASSWORD_LENGTH || password !== repeat}>
        Create admin and sign in
      </button>
    </form>
  );
}

export function AuthGate({ children }: Readonly<{ children: ReactNode }>) {
  const status = useSession((s) => s.status);
  const error = useSession((s) => s.error);
  const refresh = useSession((s) => s.refresh);
  useEffect(() => {
    void refresh();
    const onLocked = () => void refresh();
    window.addEventListener(UNAUTHENTICATED_EVENT, onLocked);
    // auth:status does not count as activity, so this check cannot keep a session awake.
    const timer = window.setInterval(onLocked, RECHECK_MS);
    return () => {
      window.removeEventListener(UNAUTHENTICATED_EVENT, onLocked);
      window.clearInterval(timer);
    };
  }, [refresh]);
  if (status?.user && status.twoStepSetupRequired) return <TwoStepSetup />;
  if (status?.user) return <>{children}</>;
  return (
    <div className="auth-screen">
      {status === null ? <p className="muted">{error ?? 'Connecting to the Tieout engine…'}</p> : status.setupNeeded ? <SetupForm /> : <SignInForm />}
    </div>
  );
}

/** The admin requires two-step sign-in for this role: nothing else opens until it is set up. */
function TwoStepSetup() {
  const refresh = useSession((s) => s.refresh);
  const signOut = useSession((s) => s.signOut);
  return (
    <div className="auth-screen">
      <div className="auth-card" data-testid="two-step-required">
        <h1>Set up two-step sign-in</h1>
        <p className="muted">Your admin requires a code from an authenticator app for supervisors and admins. Set it up to continue.</p>
        <TwoStepTab onEnrolled={() => void refresh()} />
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </div>
  );
}

export function UserMenu() {
  const user = useSession((s) => s.status?.user ?? null);
  const signOut = useSession((s) => s.signOut);
  if (!user) return null;
  return (
    <div className="user-menu" data-testid="user-menu">
      <span className="user-name" data-testid="user-name" title={`Signed in as ${user.userName} (${user.role})`}>
        {user.displayName} <span className="muted small">{user.role}</span>
      </span>
      <button type="button" className="btn btn-ghost btn-sm" data-testid="sign-out" onClick={() => void signOut()}>
        Sign out
      </button>
    </div>
  );
}


import type { Envelope } from '@shared/api-contract';

// The signed-in session token stays with the shell (Electron main process, or
// the web host's HttpOnly cookie) and never reaches page script: sign-in and
// sign-out replies carry `sessionToken`, which is taken out of the reply here
// before it is handed to the renderer. A script injected into the page can
// then act only while the page is open, and cannot carry the session away.

export type SessionChange = Readonly<{ kind: 'keep' } | { kind: 'set'; token: string } | { kind: 'clear' }>;

/** Splits a reply into what the page may see and what the shell must do with its held session. */
export function takeSessionToken(envelope: Envelope<unknown>): Readonly<{ envelope: Envelope<unknown>; change: SessionChange }> {
  if (!envelope.ok || !envelope.value || typeof envelope.value !== 'object' || !('sessionToken' in envelope.value)) return { envelope, change: { kind: 'keep' } };
  const { sessionToken, ...rest } = envelope.value as { sessionToken?: unknown };
  const change: SessionChange = typeof sessionToken === 'string' && sessionToken ? { kind: 'set', token: sessionToken } : { kind: 'clear' };
  return { envelope: { ok: true, value: rest }, change };
}

/** Sessions held per caller (one per Electron webContents): the page never holds its own. */
export class SessionCustody<K> {
  private readonly held = new Map<K, string>();

  tokenFor(holder: K): string | null {
    return this.held.get(holder) ?? null;
  }

  /** Applies a reply's session change and returns the reply without the token. */
  settle(holder: K, reply: Envelope<unknown>): Envelope<unknown> {
    const { envelope, change } = takeSessionToken(reply);
    if (change.kind === 'set') this.held.set(holder, change.token);
    else if (change.kind === 'clear') this.held.delete(holder);
    return envelope;
  }

  /** The holder is gone (window closed): its session is forgotten here; the engine's idle lock ends it. */
  forget(holder: K): void {
    this.held.delete(holder);
  }
}

/** Cookie name per web-host port: cookies are not port-scoped, so two hosts on one machine must not overwrite each other's session. */
export function sessionCookieName(port: number): string {
  return `tieout_session_${port}`;
}

/** HttpOnly (no page script reads it), SameSite=Strict (no other site sends it), path-scoped to the API. */
export function sessionCookie(port: number, change: SessionChange): string | null {
  if (change.kind === 'keep') return null;
  const base = `${sessionCookieName(port)}=${change.kind === 'set' ? change.token : ''}; Path=/api/; HttpOnly; SameSite=Strict`;
  return change.kind === 'set' ? base : `${base}; Max-Age=0`;
}

/** The session token from a Cookie header, if this host's cookie is there. */
export function sessionFromCookie(header: string | undefined, port: number): string | null {
  if (!header) return null;
  const name = sessionCookieName(port);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      // Tokens are base64url; anything else is not ours.
      return /^[\w-]+$/.test(value) ? value : null;
    }
  }
  return null;
}

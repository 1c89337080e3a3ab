import type { ApiEvents, Envelope, EventName, MethodArgs, MethodName, MethodResult, TieoutApi } from '@shared/api-contract';
import { EVENT_NAMES } from '@shared/api-contract';

// The browser binding of the contract, used when the loopback web host serves
// the renderer. The per-launch token arrives once in the address bar; it is
// moved to sessionStorage and removed from the URL so it does not end up in
// history, bookmarks or screenshots.

const TOKEN_KEY = 'tieout.token';
// The signed-in session is an HttpOnly cookie the web host sets on sign-in and
// clears on sign-out: page script never sees it (electron/shell/session-custody.ts).
/** Fired on window when the engine answers 'unauthenticated' (idle lock, signed out elsewhere). */
export const UNAUTHENTICATED_EVENT = 'tieout:unauthenticated';

// Every pushed event except the desktop shell's menu commands (the browser has no menu).
const WEB_EVENT_NAMES: readonly EventName[] = EVENT_NAMES.filter((n) => n !== 'ui:command');

export type ConnectionListener = (connected: boolean) => void;

export function takeTokenFromLocation(loc: Location = window.location, storage: Storage = window.sessionStorage): string {
  const params = new URLSearchParams(loc.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    const rest = params.toString();
    window.history.replaceState(null, '', `${loc.pathname}${rest ? `?${rest}` : ''}${loc.hash}`);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY) ?? '';
}

function failure<T>(code: 'offline' | 'internal', message: string): Envelope<T> {
  return { ok: false, error: { code, message } };
}

export type WebBinding = TieoutApi & Readonly<{ onConnection(listener: ConnectionListener): () => void }>;

export function createWebBinding(token: string): WebBinding {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const connectionListeners = new Set<ConnectionListener>();
  let source: EventSource | null = null;

  const notifyConnection = (connected: boolean): void => {
    for (const l of connectionListeners) l(connected);
  };

  const ensureSource = (): void => {
    if (source) return;
    // EventSource cannot send headers, so the token rides in the query string
    // of this same-origin request only.
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    source.onopen = () => notifyConnection(true);
    // The browser reconnects by itself while readyState is CONNECTING.
    source.onerror = () => notifyConnection(false);
    for (const name of WEB_EVENT_NAMES) {
      source.addEventListener(name, (ev) => {
        const set = listeners.get(name);
        if (!set || set.size === 0) return;
        let payload: unknown;
        try {
          payload = JSON.parse((ev as MessageEvent<string>).data);
        } catch {
          return; // a malformed event is dropped; the next rows:changed or status push repairs the view
        }
        for (const l of set) (l as (p: unknown) => void)(payload);
      });
    }
  };

  return {
    async call<M extends MethodName>(name: M, args: MethodArgs<M>): Promise<Envelope<MethodResult<M>>> {
      let res: Response;
      try {
        res = await fetch(`/api/call/${encodeURIComponent(name)}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-tieout-token': token },
          body: JSON.stringify(args ?? {}),
        });
      } catch {
        notifyConnection(false);
        return failure('offline', 'The Tieout engine is not reachable.');
      }
      if (res.status === 401) {
        return { ok: false, error: { code: 'unauthenticated', message: 'This window is not signed in to the Tieout engine. Open the address Tieout printed at start-up.' } };
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        return failure('internal', `The Tieout engine sent an unreadable reply (HTTP ${res.status}).`);
      }
      if (body && typeof body === 'object' && 'ok' in body) {
        const envelope = body as Envelope<MethodResult<M>>;
        if (!envelope.ok && envelope.error.code === 'unauthenticated' && name !== 'auth:signIn' && name !== 'auth:setup') window.dispatchEvent(new Event(UNAUTHENTICATED_EVENT));
        return envelope;
      }
      return failure('internal', `The Tieout engine sent an unexpected reply (HTTP ${res.status}).`);
    },
    on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
      ensureSource();
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    onConnection(listener: ConnectionListener): () => void {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}

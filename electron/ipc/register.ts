import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { EVENT_NAMES } from '@shared/api-contract';
import type { Engine } from '../core/engine';
import { mayCallEngine } from '../shell/navigation-policy';
import { SessionCustody } from '../shell/session-custody';

// The Electron binding of the contract: one invoke channel whose every call is
// checked against the sender frame before the engine's dispatcher (which
// checks the role, then the arguments) sees it. The signed-in session is held
// here, per webContents, and attached to its calls: neither the page nor the
// preload ever has the token.

export const CALL_CHANNEL = 'tieout:call';
export const EVENT_CHANNEL = 'tieout:event';

export function isTrustedSender(event: IpcMainInvokeEvent, appOrigin: string): boolean {
  const frame = event.senderFrame;
  return mayCallEngine({ frameUrl: frame?.url ?? null, isMainFrame: !!frame && frame === event.sender.mainFrame }, appOrigin);
}

export function registerIpc(engine: Engine, appOrigin: string): () => void {
  const custody = new SessionCustody<number>();
  const forgetOnDestroy = new Set<number>();
  ipcMain.handle(CALL_CHANNEL, async (event, name: unknown, args: unknown) => {
    if (!isTrustedSender(event, appOrigin)) return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted only from the Tieout window' } };
    if (typeof name !== 'string') return { ok: false, error: { code: 'unknown_method', message: 'Method name must be a string' } };
    const holder = event.sender.id;
    if (!forgetOnDestroy.has(holder)) {
      forgetOnDestroy.add(holder);
      event.sender.once('destroyed', () => {
        custody.forget(holder);
        forgetOnDestroy.delete(holder);
      });
    }
    const reply = await engine.dispatch(name, args, { sessionToken: custody.tokenFor(holder), channel: 'electron' });
    return custody.settle(holder, reply);
  });
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

export function forwardEvents(engine: Engine, target: () => WebContents | null): () => void {
  return engine.events.subscribe((name, payload) => {
    const wc = target();
    if (wc && !wc.isDestroyed() && EVENT_NAMES.includes(name)) wc.send(EVENT_CHANNEL, name, payload);
  });
}

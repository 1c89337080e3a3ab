import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { EVENT_NAMES } from '@shared/api-contract';
import type { Engine } from '../core/engine';

// The Electron binding of the contract: one invoke channel whose every call is
// checked against the sender frame before the engine's dispatcher (which
// validates the arguments) sees it.

export const CALL_CHANNEL = 'tieout:call';
export const EVENT_CHANNEL = 'tieout:event';

export function isTrustedSender(event: IpcMainInvokeEvent, appOrigin: string): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  try {
    return new URL(frame.url).origin === appOrigin;
  } catch {
    return false;
  }
}

export function registerIpc(engine: Engine, appOrigin: string): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event, name: unknown, args: unknown, session: unknown) => {
    if (!isTrustedSender(event, appOrigin)) return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted only from the Tieout window' } };
    if (typeof name !== 'string') return { ok: false, error: { code: 'unknown_method', message: 'Method name must be a string' } };
    return engine.dispatch(name, args, { sessionToken: typeof session === 'string' && session ? session : null, channel: 'electron' });
  });
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

export function forwardEvents(engine: Engine, target: () => WebContents | null): () => void {
  return engine.events.subscribe((name, payload) => {
    const wc = target();
    if (wc && !wc.isDestroyed() && EVENT_NAMES.includes(name)) wc.send(EVENT_CHANNEL, name, payload);
  });
}

import { copyFile, rm, writeFile } from 'node:fs/promises';
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { ClaimedExport } from '@shared/api/export';
import type { Envelope } from '@shared/api-contract';
import type { ShellSaveResult } from '@shared/shell-bridge';
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
/** Saves an export the engine wrote (by its one-time token) where the user chooses. */
export const SAVE_EXPORT_CHANNEL = 'tieout:saveExport';
/** Prints the window's current page (the journal's print page) to a PDF the user places. */
export const PRINT_PDF_CHANNEL = 'tieout:printToPdf';

export type SaveResult = ShellSaveResult;

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
  const saveDialog = async (event: IpcMainInvokeEvent, fileName: string, filters: Electron.FileFilter[]) => {
    const win = BrowserWindow.fromWebContents(event.sender);
    const options = { defaultPath: fileName, filters };
    return win ? dialog.showSaveDialog(win, options) : dialog.showSaveDialog(options);
  };
  ipcMain.handle(SAVE_EXPORT_CHANNEL, async (event, token: unknown): Promise<SaveResult> => {
    if (!isTrustedSender(event, appOrigin)) return { saved: false, error: 'Calls are accepted only from the Tieout window' };
    // The engine hands the file over only to the signed-in user who made it (once).
    const reply = (await engine.dispatch('export:claim', { token }, { sessionToken: custody.tokenFor(event.sender.id), channel: 'electron' })) as Envelope<ClaimedExport>;
    if (!reply.ok) return { saved: false, error: reply.error.message };
    const file = reply.value;
    try {
      const ext = file.fileName.split('.').pop() ?? '';
      const choice = await saveDialog(event, file.fileName, [{ name: ext.toUpperCase(), extensions: [ext] }]);
      if (choice.canceled || !choice.filePath) return { saved: false };
      await copyFile(file.path, choice.filePath);
      return { saved: true };
    } finally {
      await rm(file.path, { force: true });
    }
  });
  ipcMain.handle(PRINT_PDF_CHANNEL, async (event, fileName: unknown, pageSize: unknown): Promise<SaveResult> => {
    if (!isTrustedSender(event, appOrigin)) return { saved: false, error: 'Calls are accepted only from the Tieout window' };
    const name = typeof fileName === 'string' && /^[\w.-]{1,100}\.pdf$/.test(fileName) ? fileName : 'tieout.pdf';
    const pdf = await event.sender.printToPDF({
      pageSize: pageSize === 'A4' ? 'A4' : 'Letter',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: '<div style="font-size:8px;width:100%;text-align:center">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
    });
    const choice = await saveDialog(event, name, [{ name: 'PDF', extensions: ['pdf'] }]);
    if (choice.canceled || !choice.filePath) return { saved: false };
    await writeFile(choice.filePath, pdf);
    return { saved: true };
  });
  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    ipcMain.removeHandler(SAVE_EXPORT_CHANNEL);
    ipcMain.removeHandler(PRINT_PDF_CHANNEL);
  };
}

export function forwardEvents(engine: Engine, target: () => WebContents | null): () => void {
  return engine.events.subscribe((name, payload) => {
    const wc = target();
    if (wc && !wc.isDestroyed() && EVENT_NAMES.includes(name)) wc.send(EVENT_CHANNEL, name, payload);
  });
}

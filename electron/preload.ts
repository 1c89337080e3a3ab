import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, METHOD_NAMES, type ApiEvents, type EventName, type TieoutApi } from '@shared/api-contract';
import type { ShellSaveResult, TieoutShell } from '@shared/shell-bridge';

// Exposes exactly the contract: `call` for its methods and `on` for its
// events. The renderer never gets ipcRenderer itself.

// The signed-in session is held by the main process (ipc/register.ts), which
// attaches it to this window's calls: no token passes through here.

const api: TieoutApi = {
  async call(name, args) {
    if (!METHOD_NAMES.includes(name)) return { ok: false, error: { code: 'unknown_method', message: `Unknown method ${String(name)}` } };
    return (await ipcRenderer.invoke('tieout:call', name, args)) as Awaited<ReturnType<TieoutApi['call']>>;
  },
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void) {
    if (!EVENT_NAMES.includes(event)) return () => {};
    const handler = (_e: IpcRendererEvent, name: EventName, payload: unknown) => {
      if (name === event) listener(payload as ApiEvents[E]);
    };
    ipcRenderer.on('tieout:event', handler);
    return () => {
      ipcRenderer.removeListener('tieout:event', handler);
    };
  },
};

contextBridge.exposeInMainWorld('tieout', api);

// The desktop's file hand-offs (shared/shell-bridge.ts): an export saved where the user chooses, the page printed to PDF.
const shellBridge: TieoutShell = {
  saveExport: (token) => ipcRenderer.invoke('tieout:saveExport', token) as Promise<ShellSaveResult>,
  printToPdf: (fileName, pageSize) => ipcRenderer.invoke('tieout:printToPdf', fileName, pageSize) as Promise<ShellSaveResult>,
};
contextBridge.exposeInMainWorld('tieoutShell', shellBridge);

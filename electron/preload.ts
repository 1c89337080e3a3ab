import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, METHOD_NAMES, type ApiEvents, type EventName, type TieoutApi } from '@shared/api-contract';

// Exposes exactly the contract: `call` for its methods and `on` for its
// events. The renderer never gets ipcRenderer itself.

// The signed-in session lives here, out of the page's reach: captured from the
// sign-in reply and attached to every later call.
let session: string | null = null;

const api: TieoutApi = {
  async call(name, args) {
    if (!METHOD_NAMES.includes(name)) return { ok: false, error: { code: 'unknown_method', message: `Unknown method ${String(name)}` } };
    const reply = (await ipcRenderer.invoke('tieout:call', name, args, session)) as Awaited<ReturnType<TieoutApi['call']>>;
    if (reply.ok && reply.value && typeof reply.value === 'object' && 'sessionToken' in reply.value) {
      const token = (reply.value as { sessionToken?: unknown }).sessionToken;
      session = typeof token === 'string' ? token : null;
    }
    return reply;
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

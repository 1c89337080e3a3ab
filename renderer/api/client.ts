import type { ApiErrorCode, ApiEvents, EventName, MethodArgs, MethodName, MethodResult, TieoutApi } from '@shared/api-contract';
import { fieldErrorMessage } from './field-error';
import { createWebBinding, takeTokenFromLocation, type ConnectionListener } from './web-binding';

// The renderer's only door to the engine. In Electron the preload exposes
// `window.tieout`; in a browser the loopback web host is reached over fetch
// and server-sent events. Nothing here touches Node or another origin.

export class ApiCallError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly method: MethodName,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

type Binding = Readonly<{ api: TieoutApi; onConnection: (l: ConnectionListener) => () => void }>;

let binding: Binding | null = null;

function resolveBinding(): Binding {
  if (binding) return binding;
  if (window.tieout) {
    binding = { api: window.tieout, onConnection: () => () => undefined };
  } else {
    const web = createWebBinding(takeTokenFromLocation());
    binding = { api: web, onConnection: (l) => web.onConnection(l) };
  }
  return binding;
}

export function getApi(): TieoutApi {
  return resolveBinding().api;
}

export async function invoke<M extends MethodName>(name: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
  const envelope = await getApi().call(name, args);
  if (envelope.ok) return envelope.value;
  throw new ApiCallError(envelope.error.code, envelope.error.message, name);
}

export function subscribe<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
  return getApi().on(event, listener);
}

/** Engine reachability as seen by the transport (the web host can go away; IPC cannot). */
export function onEngineConnection(listener: ConnectionListener): () => void {
  return resolveBinding().onConnection(listener);
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiCallError) return fieldErrorMessage(err.message);
  if (err instanceof Error) return err.message;
  return String(err);
}

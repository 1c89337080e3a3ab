import type { ApiEvents, EventName } from '@shared/api-contract';

export type EventListener = <E extends EventName>(name: E, payload: ApiEvents[E]) => void;

export type EventHub = Readonly<{
  emit<E extends EventName>(name: E, payload: ApiEvents[E]): void;
  subscribe(listener: EventListener): () => void;
}>;

export function createEventHub(): EventHub {
  const listeners = new Set<EventListener>();
  return {
    emit(name, payload) {
      for (const l of listeners) {
        try {
          l(name, payload);
        } catch {
          // A broken window or closed stream must not stop the others.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

import type { Page } from '@playwright/test';

// Calls the engine from inside the page, with this tab's token (the browser
// adds the session's HttpOnly cookie itself),
// exactly as the web binding does: shows what the engine itself allows for the
// signed-in user, whatever the UI offers.

export type Envelope = { ok: boolean; value?: unknown; error?: { code: string; message: string } };

export function engineCall(page: Page, method: string, args: unknown = {}): Promise<Envelope> {
  return page.evaluate(
    async ([name, body]) => {
      const store = (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage;
      const r = await fetch(`/api/call/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tieout-token': store.getItem('tieout.token') ?? '' },
        body: JSON.stringify(body),
      });
      return (await r.json()) as Envelope;
    },
    [method, args] as const,
  );
}

/** Like engineCall, but returns the value and fails the test on an error envelope. */
export async function callApi<T = unknown>(page: Page, method: string, args: unknown = {}): Promise<T> {
  const reply = await engineCall(page, method, args);
  if (!reply.ok) throw new Error(reply.error?.message ?? `${method} failed`);
  return reply.value as T;
}

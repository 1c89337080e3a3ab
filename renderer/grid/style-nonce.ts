// The style nonce of this page load, which the server put into index.html
// next to the Content-Security-Policy (electron/shell/csp.ts). AG Grid puts it
// on the <style> elements it injects, so style-src needs no 'unsafe-inline'.
// Undefined when the page was not served with one (the Vite dev server).

const PLACEHOLDER = 'tieout-style-nonce-placeholder';

let cached: string | undefined | null = null;

export function styleNonce(): string | undefined {
  if (cached !== null) return cached;
  const value = document.querySelector<HTMLMetaElement>('meta[name="tieout-style-nonce"]')?.content;
  cached = value && value !== PLACEHOLDER ? value : undefined;
  return cached;
}

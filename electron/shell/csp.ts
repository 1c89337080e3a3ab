import { randomBytes } from 'node:crypto';

// The one Content-Security-Policy of the renderer. The web host and the
// Electron app:// handler send it as a header; the build writes it into
// renderer/index.html's meta tag (electron.vite.config.ts), so the page is
// covered even if it is ever opened without the header.
//
// style-src has no 'unsafe-inline': AG Grid (v33+) injects its theme CSS as
// <style> elements at run time, and they carry a nonce instead (the grid's
// `styleNonce` option). A nonce protects only if it is new for every
// response, so both servers fill a fresh one into index.html (meta tag and
// the nonce the page hands the grid) and into the header of that response.

/** What the build writes where each response's nonce goes; the servers replace every occurrence. */
export const STYLE_NONCE_PLACEHOLDER = 'tieout-style-nonce-placeholder';

type Directive = readonly [string, string];

const directives = (nonce: string): readonly Directive[] => [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', `'self' 'nonce-${nonce}'`],
  ['img-src', "'self' data:"],
  ['font-src', "'self' data:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-src', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** Browsers ignore these in a <meta> policy (and warn about them), so they travel in the header only. */
export const HEADER_ONLY_DIRECTIVES: readonly string[] = ['frame-ancestors', 'report-uri', 'sandbox'];

const render = (list: readonly Directive[]): string => list.map(([name, value]) => `${name} ${value}`).join('; ');

/** The header a renderer response carries, with that response's style nonce. */
export function contentSecurityPolicy(nonce: string): string {
  return render(directives(nonce));
}

/** The same policy as the meta tag carries it: the header's, minus what a meta policy cannot express. */
export function metaContentSecurityPolicy(nonce: string): string {
  return render(directives(nonce).filter(([name]) => !HEADER_ONLY_DIRECTIVES.includes(name)));
}

/** A fresh nonce for one response (128 random bits, base64url: valid in a CSP nonce-source). */
export function newStyleNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** index.html as one response serves it: every placeholder replaced by this response's nonce. */
export function withStyleNonce(html: string, nonce: string): string {
  return html.split(STYLE_NONCE_PLACEHOLDER).join(nonce);
}

/** Parses a policy into directive → value, for comparing a meta tag with a header. */
export function parsePolicy(policy: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values.join(' '));
  }
  return out;
}

// The one Content-Security-Policy of the renderer. The web host and the
// Electron app:// handler send it as a header; the build writes it into
// renderer/index.html's meta tag (electron.vite.config.ts), so the page is
// covered even if it is ever opened without the header.
//
// style-src keeps 'unsafe-inline': AG Grid (v33+) injects its theme CSS as
// <style> elements at run time. Its `styleNonce` option would allow a nonce
// instead, but a nonce is only worth anything when it is new for every
// response, which needs index.html templated per response in both servers
// and the nonce threaded into the page; see docs/security/shell.md for why
// the residual risk is small (no inline script, and img/font/connect are
// 'self' only, so injected CSS cannot send anything off the machine).

const DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
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

const render = (directives: ReadonlyArray<readonly [string, string]>): string => directives.map(([name, value]) => `${name} ${value}`).join('; ');

/** The header every renderer response carries. */
export const CONTENT_SECURITY_POLICY = render(DIRECTIVES);

/** The same policy as the meta tag carries it: the header's, minus what a meta policy cannot express. */
export const META_CONTENT_SECURITY_POLICY = render(DIRECTIVES.filter(([name]) => !HEADER_ONLY_DIRECTIVES.includes(name)));

/** Parses a policy into directive → value, for comparing a meta tag with a header. */
export function parsePolicy(policy: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values.join(' '));
  }
  return out;
}

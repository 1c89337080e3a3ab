// The addresses Tieout sends credentials and payment data to (PayTrace, HTTP
// ERPs, OAuth token endpoints). Only https:// leaves this computer; plain
// http:// is allowed to this computer only (the demo sandboxes, a local relay),
// and never for PayTrace production. Credentials never ride in a URL: they are
// kept in the OS keychain and a URL is stored, shown and logged in the clear.

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export type UrlPolicy = Readonly<{
  /** Plain http:// to 127.0.0.1, ::1 or localhost (sandboxes); false for PayTrace production. */
  allowLoopbackHttp: boolean;
}>;

/** Why this URL may not be used, in words for the admin; null when it may. */
export function serviceUrlProblem(raw: string, policy: UrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not a web address; use https://host/...`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${url.protocol}// addresses are not allowed; use https://`;
  if (url.username || url.password) return 'the address must not contain a user name or password; enter them under Credentials (kept in the OS keychain)';
  if (url.protocol === 'http:') {
    if (!policy.allowLoopbackHttp) return 'use https:// (plain http:// is allowed only for a sandbox on this computer)';
    if (!LOOPBACK_HOSTS.has(url.hostname)) return `use https:// (plain http:// is allowed only to this computer: 127.0.0.1, ::1 or localhost, not ${url.hostname})`;
  }
  return null;
}

/** ODBC connection strings: the password belongs in the keychain, not in a string stored in SQLite. */
export function connectionStringProblem(raw: string): string | null {
  return /(^|;)\s*(pwd|password)\s*=/i.test(raw) ? 'the connection string must not contain a password (PWD=...); enter it under Credentials (kept in the OS keychain)' : null;
}

import { containsCardNumber, redactCardNumbers } from '@shared/card-numbers';
import { registeredSecrets } from './secret-registry';

// What must never reach a log line or a diagnostics bundle: credentials,
// tokens, card numbers. Two passes, because either alone misses cases:
//  - by key: any field whose name says secret (password, token, cvv…) is
//    replaced, at any depth, whatever its value;
//  - by value: every string is screened for card numbers (Luhn), bearer
//    tokens, Authorization/Cookie headers, credentials in URLs,
//    `password=…`-style pairs and the exact secret values registered at run
//    time (secret-registry.ts), so a secret under an unexpected key or inside
//    a remote system's error message is removed too.

export const REDACTED = '[redacted]';

/** Substrings of a field name (lower-case, without `_`, `-`, spaces, dots) that make its value secret. */
const SECRET_KEY_PARTS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'authorization', 'cookie', 'apikey', 'privatekey', 'credential', 'totp', 'cvv', 'cardnumber', 'ccnumber', 'expiration', 'expiry', 'hmac', 'signature', 'session'];

/** Whole field names only: as substrings they would hide "company" (pan), "machine" (mac), "footprint"… */
const EXACT_SECRET_KEYS = new Set(['pwd', 'pan', 'otp', 'mac', 'cvc', 'cc', 'card', 'number', 'auth', 'key']);

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[_\-\s.]/g, '');
  return EXACT_SECRET_KEYS.has(k) || SECRET_KEY_PARTS.some((part) => k.includes(part));
}

/** pino `redact` paths: the common places a secret sits one or two levels down (the deep pass below covers the rest). */
export const PINO_REDACT_PATHS: readonly string[] = (() => {
  const keys = ['password', 'passphrase', 'token', 'secret', 'authorization', 'Authorization', 'cookie', 'Cookie', 'apiKey', 'api_key', 'access_token', 'refresh_token', 'totp', 'cardNumber', 'cvv'];
  return [...keys, ...keys.map((k) => `*.${k}`), ...keys.map((k) => `*.*.${k}`), 'headers', '*.headers', '*.*.headers', 'config.headers', '*.config.headers'];
})();

const VALUE_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // Authorization / Cookie headers as they appear in dumps: "Authorization: Bearer x", "cookie=..."
  [/\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)(\s*["']?\s*[:=]\s*["']?)[^"'\r\n,;}]+/gi, `$1$2${REDACTED}`],
  // Bearer / Basic credentials wherever they appear.
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // Credentials in a URL: https://user:pass@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*@/gi, `$1${REDACTED}@`],
  // key=value and "key":"value" pairs whose key says secret (query strings, form bodies, JSON text).
  [
    /\b((?:[a-z_]*)(?:password|passwd|pwd|passphrase|secret|token|api_?key|totp|cvv2?|session_?token)[a-z_]*)(["']?\s*[:=]\s*["']?)([^"'\s&,;}]+)/gi,
    `$1$2${REDACTED}`,
  ],
];

export function redactText(text: string): string {
  let out = text;
  for (const secret of registeredSecrets()) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of VALUE_PATTERNS) out = out.replace(pattern, replacement);
  return redactCardNumbers(out);
}

/** An error as a log field: what happened and where, never the request or response headers, body or config an HTTP client attaches. */
export function serializeError(error: Error): Record<string, unknown> {
  const e = error as Error & { code?: unknown; status?: unknown; response?: { status?: unknown }; config?: { method?: unknown; url?: unknown }; cause?: unknown };
  const out: Record<string, unknown> = { type: e.name, message: redactText(e.message ?? '') };
  if (e.stack) out['stack'] = redactText(e.stack);
  if (typeof e.code === 'string' || typeof e.code === 'number') out['code'] = e.code;
  const status = typeof e.status === 'number' ? e.status : typeof e.response?.status === 'number' ? e.response.status : undefined;
  if (status !== undefined) out['status'] = status;
  if (e.config && typeof e.config.method === 'string') out['method'] = e.config.method.toUpperCase();
  if (e.config && typeof e.config.url === 'string') out['url'] = redactText(e.config.url.replace(/\?.*$/, '?…'));
  if (e.cause instanceof Error) out['cause'] = serializeError(e.cause);
  return out;
}

const MAX_DEPTH = 8;

/** A copy of `value` safe to log: secret keys replaced, strings screened, errors serialized, cycles and depth cut. */
export function redactValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  // A card number can arrive as a JS number too (16 digits still fit below 2^53).
  if (typeof value === 'number') return Math.abs(value) >= 1e12 && containsCardNumber(String(value)) ? REDACTED : value;
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  if (value instanceof Error) return serializeError(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (isSecretKey(key)) out[key] = v === null || v === undefined || v === '' ? v : REDACTED;
    else if (key.toLowerCase() === 'headers') out[key] = REDACTED;
    else out[key] = redactValue(v, depth + 1, seen);
  }
  return out;
}

// Secret values the process has read (credentials from the OS keychain): the
// log redacts them wherever they appear, whatever the key or sentence around
// them. Key-based redaction misses a password a remote system echoes back in
// an error message; an exact-value match does not.

/**
 * Shorter values are not registered: redacting every "abc" would make the log
 * useless, and a secret this short is weak anyway (the key- and pattern-based
 * redaction still applies to it).
 */
export const MIN_REGISTERED_SECRET_LENGTH = 4;

/** Bounded so a long-running process that sees many credential changes cannot grow it without limit. */
const MAX_REGISTERED_SECRETS = 256;

// Kept on globalThis: a bundler or loader that instantiates this module twice
// (ESM and CommonJS copies) must still share one registry.
const REGISTRY = Symbol.for('tieout.log.registeredSecrets');
const holder = globalThis as typeof globalThis & { [REGISTRY]?: Set<string> };
const secrets: Set<string> = (holder[REGISTRY] ??= new Set<string>());

export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string' || value.length < MIN_REGISTERED_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  if (secrets.size > MAX_REGISTERED_SECRETS) secrets.delete(secrets.values().next().value!);
}

/** Longest first, so a secret containing another is replaced whole. */
export function registeredSecrets(): string[] {
  return [...secrets].sort((a, b) => b.length - a.length);
}
